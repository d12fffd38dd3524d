/**
 * The forecast, updated online during a run (issue 10, §3): what the run observes of each
 * pool — its usable slots (capacity events) and its interruptions over the slot-seconds it
 * ran — against the forecast the plan was made with, and the availability the remainder is
 * re-planned on. Pure logic over plain data, no clock and no timers: the dispatcher feeds it
 * the events' run times (plan seconds).
 *
 * Capacity. The forecast's band of free slots (`FreeBand`, P10–P90 per pool from the priced
 * map) says what to expect; an observed level below floor(P10) or above ceil(P90) at its time
 * (the band capped at the slots the run fills at most, `capSlots`) is a departure, one of the
 * run's drift signals. A level inside the band is the noise the band already describes.
 *
 * Interruptions. Per pool, a Gamma–Poisson update of the hazard: the prior is the forecast's
 * own hazard over the slot-seconds observed (mean λ̄ = E / X, E the forecast's expected
 * interruptions over that exposure X), worth `priorEvents` (2) expected interruptions, i.e.
 * Gamma(α₀ = 2, β₀ = 2 / λ̄), its exposure β₀ capped at `maxPriorExposureSlotS` (100 slot-
 * hours) so that a forecast of (almost) no interruptions cannot outweigh any data. After n
 * interruptions the posterior mean is (α₀ + n) / (β₀ + X); where λ̄ > 0 with the uncapped prior
 * that is λ̄ · (2 + n) / (2 + E). The count is a departure when it is outside the central 80 %
 * Poisson interval of E, [q₀.₁(E), q₀.₉(E)], once enough was seen: E ≥ `minExpectedEvents` (1:
 * the forecast expected at least one interruption over the exposure), or, for a count above the
 * interval, n ≥ `minObservedEvents` (3: so that a forecast of ~0 can still be found wrong).
 *
 * Which interruptions count: every attempt interrupted or lost (a slot taken away is what the
 * hazard measures), except those a capacity drop outside the band caused — at the drop's time
 * (within `SAME_MOMENT_S`), as many as the drop took: that drop is already a departure, and
 * the re-plan already has it in the slots; charging it to the hazard as well would count the
 * same lost slots twice. They are counted apart (`capacityInterruptions`).
 *
 * Each departure is signalled once per episode: a capacity departure again only when the
 * observed level changes while outside the band, an interruption departure again only after
 * the count came back inside its interval (the dispatcher's re-plan hysteresis does the rest).
 *
 * The availability for the remainder (`availabilityNow`), per pool, segments before now kept:
 *   - slots: the observed level holds from now until the forecast next moves (the pool's next
 *     breakpoint), at most one bucket; after that, where the observed level is outside the band
 *     now, the forecast's own slots shifted by the departure d = observed − planned slots now,
 *     the shift halving every bucket (an AR(1) residual with a half-life of one bucket: d/2 in
 *     the first bucket after the hold, d/4 in the next, …, in whole slots, halves rounded
 *     toward the forecast, until it rounds to 0; free slots shifted alike); inside the
 *     band the forecast's own slots. Capped at the run's slots (or the observed level above
 *     them), never below 0. A pool the forecast has no band for keeps the rule of runs without
 *     a forecast: the observed slots hold for the rest of the run.
 *   - hazard: from now on the forecast's hazard × posterior / prior mean (the posterior
 *     constant where the forecast's hazard over the exposure was 0); price unchanged.
 * Undefined when nothing changed: no observed level differs from the plan's slots now and no
 * pool's hazard moved by 10 % or more.
 */
import { MAX_INTERRUPTION_PER_HOUR, MAX_SLOTS } from '../model/limits.js';
import type { Availability, AvailabilityTable, PoolAvailability } from '../model/availability.js';
import type { Problem } from '../model/problem.js';
import { DEFAULT_BUCKET_S } from '../forecast/map.js';
import type { FreeBand } from '../forecast/priced.js';

export const DEFAULT_PRIOR_EVENTS = 2;
export const DEFAULT_MAX_PRIOR_EXPOSURE_SLOT_S = 100 * 3600;
export const DEFAULT_MIN_EXPECTED_EVENTS = 1;
export const DEFAULT_MIN_OBSERVED_EVENTS = 3;
/** A hazard that moved by less than this fraction is not worth a different problem. */
const MIN_HAZARD_CHANGE = 0.1;
/** An interruption this close (run s) to a capacity drop is the drop's. */
export const SAME_MOMENT_S = 1;
/** Departures kept per pool for the summary (a run that keeps departing says so by then). */
const MAX_DEPARTURES_KEPT = 100;

export interface OnlineForecastOptions {
  /** The forecast's bucket (s): the longest hold of an observed level, the half-life of a departure. Default 3600. */
  readonly bucketS?: number;
  /** Weight of the forecast's hazard, in expected interruptions. Default 2. */
  readonly priorEvents?: number;
  /** At most this much exposure (slot-seconds) for the prior. Default 100 slot-hours. */
  readonly maxPriorExposureSlotS?: number;
  /** The interruption test applies once the forecast expects this many over the exposure seen. Default 1. */
  readonly minExpectedEvents?: number;
  /** ...or once this many were observed (a count above the interval only). Default 3. */
  readonly minObservedEvents?: number;
  /** Per pool, the most slots the run fills (a reservation); default the problem's most slots per pool. */
  readonly capSlots?: ArrayLike<number>;
}

export interface OnlineDeparture {
  readonly atS: number;
  readonly kind: 'capacity' | 'interruptions';
  readonly reason: string;
}

export interface OnlinePoolSummary {
  readonly pool: string;
  /** Whether the forecast gives this pool a band of free slots. */
  readonly band: boolean;
  readonly capacityObservations: number;
  readonly lastObserved?: { readonly atS: number; readonly slots: number };
  readonly departures: readonly OnlineDeparture[];
  readonly exposureSlotHours: number;
  readonly interruptions: number;
  /** Interruptions caused by a capacity drop outside the band (not counted in `interruptions`). */
  readonly capacityInterruptions: number;
  /** What the forecast's hazard expected over the exposure. */
  readonly expectedInterruptions: number;
  /** The forecast's mean hazard over the exposure (at time 0 before any), per slot-hour. */
  readonly forecastHazardPerSlotHour: number;
  readonly posteriorHazardPerSlotHour: number;
}

export interface OnlineForecastSummary {
  readonly priorEvents: number;
  readonly bucketS: number;
  readonly pools: readonly OnlinePoolSummary[];
}

export interface OnlineForecast {
  /** Records the pool's usable slots at `atS` (plan s); a drift reason when they are outside the band. */
  observeCapacity(pool: number, atS: number, slots: number): string | undefined;
  /** Records `slots` slots running over [fromS, toS) (an attempt's run); a drift reason when the count is now too low for the exposure. */
  observeExposure(pool: number, fromS: number, toS: number, slots?: number): string | undefined;
  /** Records one interruption (or lost attempt) at `atS`; a drift reason when the count is above the forecast's interval. */
  observeInterruption(pool: number, atS: number): string | undefined;
  /** The availability to re-plan the remainder on from `nowS`, or undefined when nothing observed changes it. */
  availabilityNow(nowS: number): Availability | undefined;
  summary(): OnlineForecastSummary;
}

interface PoolState {
  observations: number;
  lastAtS: number;
  lastSlots: number | undefined;
  /** The level last signalled as a departure (undefined: none, or back inside the band since). */
  signalledSlots: number | undefined;
  exposureSlotS: number;
  expected: number;
  interruptions: number;
  capacityInterruptions: number;
  /** The last drop outside the band: when, and how many slots it took that its interruptions have not used up. */
  dropAtS: number;
  dropLeft: number;
  signalledHigh: boolean;
  signalledLow: boolean;
  departures: OnlineDeparture[];
}

export function createOnlineForecast(problem: Problem, bands: ReadonlyArray<FreeBand | undefined>, options: OnlineForecastOptions = {}): OnlineForecast {
  const table = problem.availability;
  const P = problem.pools.count;
  const ids = problem.pools.ids;
  const bucketS = options.bucketS !== undefined && options.bucketS > 0 && Number.isFinite(options.bucketS) ? options.bucketS : DEFAULT_BUCKET_S;
  const priorEvents = Math.max(0, options.priorEvents ?? DEFAULT_PRIOR_EVENTS);
  const maxPriorExposure = Math.max(0, options.maxPriorExposureSlotS ?? DEFAULT_MAX_PRIOR_EXPOSURE_SLOT_S);
  const minExpected = options.minExpectedEvents ?? DEFAULT_MIN_EXPECTED_EVENTS;
  const minObserved = options.minObservedEvents ?? DEFAULT_MIN_OBSERVED_EVENTS;
  const cap = Int32Array.from({ length: P }, (_, p) => Math.max(0, Math.floor(options.capSlots?.[p] ?? problem.pools.maxSlots[p]!)));
  const pools: PoolState[] = Array.from({ length: P }, () => ({ observations: 0, lastAtS: 0, lastSlots: undefined, signalledSlots: undefined, exposureSlotS: 0, expected: 0, interruptions: 0, capacityInterruptions: 0, dropAtS: Number.NEGATIVE_INFINITY, dropLeft: 0, signalledHigh: false, signalledLow: false, departures: [] }));
  const valid = (p: number): boolean => Number.isInteger(p) && p >= 0 && p < P;

  /** [lo, hi] of whole slots the band allows at `atS`, capped at the run's slots; undefined without a band. */
  const bandAt = (p: number, atS: number): { lo: number; hi: number; p10: number; p90: number } | undefined => {
    const band = bands[p];
    if (band === undefined || band.atS.length === 0) return undefined;
    let i = 0;
    while (i + 1 < band.atS.length && band.atS[i + 1]! <= atS) i++;
    const p10 = band.p10[i]!;
    const p90 = band.p90[i]!;
    const lo = Math.min(cap[p]!, Math.floor(p10 + 1e-9));
    const hi = Math.max(lo, Math.ceil(p90 - 1e-9));
    return { lo, hi, p10, p90 };
  };

  const depart = (state: PoolState, departure: OnlineDeparture): string => {
    if (state.departures.length < MAX_DEPARTURES_KEPT) state.departures.push(departure);
    return departure.reason;
  };

  const prior = (p: number, state: PoolState): { meanPerS: number; alpha: number; beta: number } => {
    const meanPerS = state.exposureSlotS > 0 ? state.expected / state.exposureSlotS : table.hazardPerS[table.segStart[p]!]!;
    const beta = meanPerS > 0 ? Math.min(priorEvents / meanPerS, maxPriorExposure) : maxPriorExposure;
    return { meanPerS, alpha: beta * meanPerS, beta };
  };
  const posteriorPerS = (p: number, state: PoolState): number => {
    const { alpha, beta } = prior(p, state);
    const denominator = beta + state.exposureSlotS;
    return denominator > 0 ? (alpha + state.interruptions) / denominator : 0;
  };

  /** The interruption count against the forecast's central 80 % interval, once enough was seen. */
  const testInterruptions = (p: number, atS: number): string | undefined => {
    const state = pools[p]!;
    const E = state.expected;
    const n = state.interruptions;
    const lo = poissonQuantile(E, 0.1);
    const hi = poissonQuantile(E, 0.9);
    if (n >= lo) state.signalledLow = false;
    if (n <= hi) state.signalledHigh = false;
    const seen = `${n} interruption(s) in ${(state.exposureSlotS / 3600).toFixed(2)} slot-hour(s), where the forecast expected ${E.toFixed(2)} (80 % interval ${lo}–${hi})`;
    const posterior = `posterior hazard ${(posteriorPerS(p, state) * 3600).toFixed(3)}/slot-hour against the forecast's ${(prior(p, state).meanPerS * 3600).toFixed(3)}`;
    if (n > hi && (E >= minExpected || n >= minObserved) && !state.signalledHigh) {
      state.signalledHigh = true;
      return depart(state, { atS, kind: 'interruptions', reason: `pool ${ids[p]}: ${seen}, above the forecast's band: ${posterior}` });
    }
    if (n < lo && E >= minExpected && !state.signalledLow) {
      state.signalledLow = true;
      return depart(state, { atS, kind: 'interruptions', reason: `pool ${ids[p]}: ${seen}, below the forecast's band: ${posterior}` });
    }
    return undefined;
  };

  return {
    observeCapacity(p, atS, slots) {
      if (!valid(p) || !Number.isFinite(atS) || !Number.isFinite(slots)) return undefined;
      const state = pools[p]!;
      const level = Math.max(0, Math.floor(slots));
      const before = state.lastSlots ?? cap[p]!;
      state.observations++;
      state.lastAtS = atS;
      state.lastSlots = level;
      const band = bandAt(p, atS);
      if (band === undefined) return undefined;
      if (level >= band.lo && level <= band.hi) {
        state.signalledSlots = undefined;
        return undefined;
      }
      if (level < before) {
        state.dropAtS = atS;
        state.dropLeft = before - level;
      }
      if (state.signalledSlots === level) return undefined;
      state.signalledSlots = level;
      const side = level < band.lo ? 'below' : 'above';
      const range = `${band.lo}–${band.hi} free slot(s) (P10 ${fmt(band.p10)}, P90 ${fmt(band.p90)}${band.lo < Math.floor(band.p10 + 1e-9) ? `, capped at the run's ${cap[p]} slot(s)` : ''})`;
      return depart(state, { atS, kind: 'capacity', reason: `pool ${ids[p]} has ${level} slot(s) at ${atS.toFixed(1)} s, ${side} the forecast band of ${range}` });
    },

    observeExposure(p, fromS, toS, slots = 1) {
      if (!valid(p) || !(toS > fromS) || !Number.isFinite(fromS) || !Number.isFinite(toS) || !(slots > 0) || !Number.isFinite(slots)) return undefined;
      const state = pools[p]!;
      state.exposureSlotS += (toS - fromS) * slots;
      state.expected += hazardIntegral(table, p, fromS, toS) * slots;
      return testInterruptions(p, toS);
    },

    observeInterruption(p, atS) {
      if (!valid(p) || !Number.isFinite(atS)) return undefined;
      const state = pools[p]!;
      if (state.dropLeft > 0 && Math.abs(atS - state.dropAtS) <= SAME_MOMENT_S) {
        state.dropLeft--;
        state.capacityInterruptions++;
        return undefined;
      }
      state.interruptions++;
      return testInterruptions(p, atS);
    },

    availabilityNow(nowS) {
      if (!Number.isFinite(nowS)) return undefined;
      const now = Math.max(0, nowS);
      let changed = false;
      const out = Array.from({ length: P }, (_, p): PoolAvailability => {
        const state = pools[p]!;
        const first = table.segStart[p]!;
        const end = table.segStart[p + 1]!;
        const current = segmentAt(table, p, now);
        const planned = table.slots[current]!;
        const observed = state.lastSlots;
        const hazardScale = hazardScaleOf(p, state);
        const slotsChange = observed !== undefined && observed !== planned;
        if (!slotsChange && hazardScale === undefined) return poolOf(table, p);
        changed = true;
        const builder = new SegmentBuilder();
        for (let i = first; i < current; i++) builder.push(table.atS[i]!, table.slots[i]!, table.freeSlots[i]!, table.hazardPerS[i]!, table.priceUsdPerSlotS[i]!);
        if (table.atS[current]! < now) builder.push(table.atS[current]!, table.slots[current]!, table.freeSlots[current]!, table.hazardPerS[current]!, table.priceUsdPerSlotS[current]!);
        const hazardAt = (i: number): number => Math.min(MAX_INTERRUPTION_PER_HOUR / 3600, hazardScale === undefined ? table.hazardPerS[i]! : hazardScale.kind === 'scale' ? table.hazardPerS[i]! * hazardScale.value : hazardScale.value);
        const band = bands[p] === undefined ? undefined : bandAt(p, now);
        const upper = Math.min(MAX_SLOTS, Math.max(cap[p]!, observed ?? 0));
        const clampSlots = (v: number): number => Math.min(upper, Math.max(0, Math.round(v)));
        if (!slotsChange || observed === undefined) {
          // Hazard only: every later segment as planned, the hazard scaled.
          builder.push(now, planned, table.freeSlots[current]!, hazardAt(current), table.priceUsdPerSlotS[current]!);
          for (let i = current + 1; i < end; i++) builder.push(table.atS[i]!, table.slots[i]!, table.freeSlots[i]!, hazardAt(i), table.priceUsdPerSlotS[i]!);
          return builder.pool();
        }
        if (bands[p] === undefined) {
          // No band for this pool: the rule of runs without a forecast, the observed slots hold.
          builder.push(now, observed, Math.min(table.freeSlots[current]!, observed), hazardAt(current), table.priceUsdPerSlotS[current]!);
          for (let i = current + 1; i < end; i++) builder.push(table.atS[i]!, observed, Math.min(table.freeSlots[i]!, observed), hazardAt(i), table.priceUsdPerSlotS[i]!);
          return builder.pool();
        }
        // Hold: the observed level until the forecast next moves, at most one bucket.
        const nextMove = Math.min(nextBreakpoint(table, p, now), nextBandBreakpoint(bands[p]!, now));
        const holdEndS = Math.min(nextMove, now + bucketS);
        builder.push(now, observed, observed, hazardAt(current), table.priceUsdPerSlotS[current]!);
        const outside = band !== undefined && (observed < band.lo || observed > band.hi);
        const departure = outside ? observed - planned : 0;
        const decaySteps = departure === 0 ? 0 : Math.ceil(Math.log2(2 * Math.abs(departure))) + 1;
        /** The departure left at t, in whole slots (halves rounded toward the forecast, either way). */
        const shiftAt = (t: number): number => {
          if (decaySteps === 0 || t < holdEndS) return 0;
          const k = Math.floor((t - holdEndS) / bucketS + 1e-9);
          const left = departure / 2 ** (k + 1);
          return Math.sign(left) * Math.floor(Math.abs(left) + 0.5 - 1e-9);
        };
        const times = new Set<number>([holdEndS]);
        for (let i = current + 1; i < end; i++) if (table.atS[i]! > holdEndS) times.add(table.atS[i]!);
        for (let k = 1; k <= decaySteps; k++) times.add(holdEndS + k * bucketS);
        for (const t of [...times].sort((a, b) => a - b)) {
          const i = segmentAt(table, p, t);
          const shift = shiftAt(t);
          const slots = clampSlots(table.slots[i]! + shift);
          builder.push(t, slots, Math.max(0, Math.min(slots, table.freeSlots[i]! + slots - table.slots[i]!)), hazardAt(i), table.priceUsdPerSlotS[i]!);
        }
        return builder.pool();
      });
      if (!changed) return undefined;
      return { source: `${table.source}, updated online at ${now.toFixed(1)} s`, pools: out };
    },

    summary() {
      return {
        priorEvents,
        bucketS,
        pools: pools.map((state, p) => ({
          pool: ids[p]!,
          band: bands[p] !== undefined,
          capacityObservations: state.observations,
          ...(state.lastSlots === undefined ? {} : { lastObserved: { atS: state.lastAtS, slots: state.lastSlots } }),
          departures: [...state.departures],
          exposureSlotHours: state.exposureSlotS / 3600,
          interruptions: state.interruptions,
          capacityInterruptions: state.capacityInterruptions,
          expectedInterruptions: state.expected,
          forecastHazardPerSlotHour: prior(p, state).meanPerS * 3600,
          posteriorHazardPerSlotHour: posteriorPerS(p, state) * 3600,
        })),
      };
    },
  };

  /** How the hazard changes from now on: a factor on the forecast's, a constant where it expected none; undefined below a 10 % change. */
  function hazardScaleOf(p: number, state: PoolState): { kind: 'scale' | 'constant'; value: number } | undefined {
    if (state.exposureSlotS <= 0 && state.interruptions === 0) return undefined;
    const { meanPerS } = prior(p, state);
    const posterior = posteriorPerS(p, state);
    if (meanPerS > 0) {
      const factor = posterior / meanPerS;
      return Math.abs(factor - 1) < MIN_HAZARD_CHANGE ? undefined : { kind: 'scale', value: factor };
    }
    return posterior > 0 ? { kind: 'constant', value: posterior } : undefined;
  }
}

/** The smallest k with P(N ≤ k) ≥ q for N ~ Poisson(mean); a normal approximation above a mean of 500. */
export function poissonQuantile(mean: number, q: number): number {
  if (!(mean > 0)) return 0;
  if (mean > 500) {
    const z = normalQuantile(q);
    return Math.max(0, Math.ceil(mean + z * Math.sqrt(mean) - 0.5));
  }
  let pmf = Math.exp(-mean);
  let cdf = pmf;
  let k = 0;
  while (cdf < q && k < 10_000) {
    k++;
    pmf *= mean / k;
    cdf += pmf;
  }
  return k;
}

/** Acklam's rational approximation is more than needed: the two quantiles used here. */
function normalQuantile(q: number): number {
  if (q === 0.5) return 0;
  // Abramowitz & Stegun 26.2.23 (error < 4.5e-4), enough for an interval's edge.
  const p = q < 0.5 ? q : 1 - q;
  const t = Math.sqrt(-2 * Math.log(p));
  const z = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
  return q < 0.5 ? -z : z;
}

/** ∫ hazard dt over [fromS, toS) for pool p (piecewise constant). */
function hazardIntegral(table: AvailabilityTable, p: number, fromS: number, toS: number): number {
  const end = table.segStart[p + 1]!;
  let total = 0;
  for (let i = segmentAt(table, p, fromS); i < end; i++) {
    const a = Math.max(fromS, table.atS[i]!);
    const b = Math.min(toS, i + 1 < end ? table.atS[i + 1]! : Number.POSITIVE_INFINITY);
    if (b > a) total += table.hazardPerS[i]! * (b - a);
    if (b >= toS) break;
  }
  return total;
}

function segmentAt(table: AvailabilityTable, p: number, atS: number): number {
  const end = table.segStart[p + 1]!;
  let i = table.segStart[p]!;
  while (i + 1 < end && table.atS[i + 1]! <= atS) i++;
  return i;
}

function nextBreakpoint(table: AvailabilityTable, p: number, atS: number): number {
  for (let i = table.segStart[p]!; i < table.segStart[p + 1]!; i++) if (table.atS[i]! > atS) return table.atS[i]!;
  return Number.POSITIVE_INFINITY;
}

function nextBandBreakpoint(band: FreeBand, atS: number): number {
  for (const t of band.atS) if (t > atS) return t;
  return Number.POSITIVE_INFINITY;
}

function poolOf(table: AvailabilityTable, p: number): PoolAvailability {
  const builder = new SegmentBuilder();
  for (let i = table.segStart[p]!; i < table.segStart[p + 1]!; i++) builder.push(table.atS[i]!, table.slots[i]!, table.freeSlots[i]!, table.hazardPerS[i]!, table.priceUsdPerSlotS[i]!);
  return builder.pool();
}

/** Segments in time order; a segment equal to the one before is merged into it. */
class SegmentBuilder {
  private readonly atS: number[] = [];
  private readonly slots: number[] = [];
  private readonly freeSlots: number[] = [];
  private readonly hazardPerS: number[] = [];
  private readonly priceUsdPerSlotS: number[] = [];

  push(atS: number, slots: number, freeSlots: number, hazardPerS: number, priceUsdPerSlotS: number): void {
    const last = this.atS.length - 1;
    const free = Math.min(freeSlots, slots);
    if (last >= 0 && this.slots[last] === slots && this.freeSlots[last] === free && this.hazardPerS[last] === hazardPerS && this.priceUsdPerSlotS[last] === priceUsdPerSlotS) return;
    if (last >= 0 && this.atS[last] === atS) {
      this.slots[last] = slots;
      this.freeSlots[last] = free;
      this.hazardPerS[last] = hazardPerS;
      this.priceUsdPerSlotS[last] = priceUsdPerSlotS;
      return;
    }
    this.atS.push(atS);
    this.slots.push(slots);
    this.freeSlots.push(free);
    this.hazardPerS.push(hazardPerS);
    this.priceUsdPerSlotS.push(priceUsdPerSlotS);
  }

  pool(): PoolAvailability {
    return { atS: this.atS, slots: this.slots, freeSlots: this.freeSlots, hazardPerS: this.hazardPerS, priceUsdPerSlotS: this.priceUsdPerSlotS };
  }
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}
