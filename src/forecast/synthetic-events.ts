/**
 * Synthetic interruption events with a known hazard by hour of week, for tests and
 * benchmarks: there is no public, licensed trace of spot or preemptible interruptions small
 * enough to ship (../shared/data/README.md), so the estimator is scored against a truth we
 * make. Seeded (src/util/random.ts): the same options give the same events.
 *
 * Events are a non-homogeneous Poisson process drawn by thinning (Lewis & Shedler 1979):
 * candidates at the peak rate, each kept with probability λ(t)/λ_max (times the share of
 * slots up, for the availability simulation). On top: bursts (a cluster of interruptions
 * within a short spread, as when a zone is reclaimed) and whole-pool outages (every slot up
 * is interrupted and the pool stays at 0 for the outage's length).
 */
import { seededRandom } from '../util/random.js';
import { HOURS_PER_WEEK, hourOfWeek } from './hazard.js';
import type { Series } from './types.js';

export interface SyntheticEventOptions {
  readonly seed: number;
  readonly fromS: number;
  readonly toS: number;
  /** Slots exposed (constant: an interrupted slot is replaced at once). */
  readonly slots: number;
  /** The true rate per slot-hour for each of the 168 hours of week (0 = Monday 00:00 UTC). */
  readonly perSlotHour: readonly number[];
  /** Extra clusters of interruptions, not from the hour-of-week rate. */
  readonly bursts?: { readonly count: number; readonly eventsPerBurst: number; readonly spreadS: number };
  /** Whole-pool outages at random times (for the availability simulation: the pool at 0 for durationS). */
  readonly outages?: { readonly count: number; readonly durationS: number };
}

export interface SyntheticEvents {
  /** Sorted event times, epoch s (one per slot lost). */
  readonly eventsS: number[];
  /** How many of them came from bursts and from outages (the rest follow the known rate). */
  readonly burstEvents: number;
  readonly outageEvents: number;
}

/**
 * A seasonal hour-of-week rate with mean `meanPerSlotHour`: log-rate = strength × (a daily
 * wave peaking at 16:00 UTC + a weekday/weekend step), normalised to the mean. strength 0 is
 * the constant rate; 1 gives a peak-to-trough ratio of about 20.
 */
export function seasonalHourOfWeekRates(meanPerSlotHour: number, strength: number): number[] {
  const shape = Array.from({ length: HOURS_PER_WEEK }, (_, w) => {
    const hourOfDay = w % 24;
    const weekday = w < 5 * 24 ? 1 : -1;
    return Math.exp(strength * (Math.cos((2 * Math.PI * (hourOfDay - 16)) / 24) + 0.5 * weekday));
  });
  const mean = shape.reduce((a, b) => a + b, 0) / HOURS_PER_WEEK;
  return shape.map((s) => (meanPerSlotHour * s) / mean);
}

/** An exponential draw with rate `ratePerS` (u in (0, 1]). */
function exponentialS(random: () => number, ratePerS: number): number {
  return -Math.log(1 - random()) / ratePerS;
}

function checkRates(perSlotHour: readonly number[]): number {
  if (perSlotHour.length !== HOURS_PER_WEEK) throw new RangeError(`perSlotHour needs ${HOURS_PER_WEEK} rates, got ${perSlotHour.length}`);
  let peak = 0;
  for (const r of perSlotHour) {
    if (!Number.isFinite(r) || r < 0) throw new RangeError(`rates must be finite and ≥ 0, got ${r}`);
    peak = Math.max(peak, r);
  }
  return peak;
}

/** Events on a pool whose slots are replaced at once (exposure: `slots` over [fromS, toS)). */
export function syntheticEvents(options: SyntheticEventOptions): SyntheticEvents {
  const random = seededRandom(options.seed);
  const peak = checkRates(options.perSlotHour);
  const eventsS: number[] = [];
  const peakPerS = (peak * options.slots) / 3600;
  if (peakPerS > 0) {
    for (let t = options.fromS + exponentialS(random, peakPerS); t < options.toS; t += exponentialS(random, peakPerS)) {
      if (random() * peak < options.perSlotHour[hourOfWeek(t)]!) eventsS.push(t);
    }
  }
  const burstEvents = addBursts(random, options, eventsS);
  let outageEvents = 0;
  for (let i = 0; i < (options.outages?.count ?? 0); i++) {
    const at = options.fromS + random() * (options.toS - options.fromS);
    for (let k = 0; k < options.slots; k++) eventsS.push(at);
    outageEvents += options.slots;
  }
  eventsS.sort((a, b) => a - b);
  return { eventsS, burstEvents, outageEvents };
}

function addBursts(random: () => number, options: SyntheticEventOptions, into: number[]): number {
  const bursts = options.bursts;
  if (bursts === undefined) return 0;
  let added = 0;
  for (let i = 0; i < bursts.count; i++) {
    const at = options.fromS + random() * (options.toS - options.fromS);
    for (let k = 0; k < bursts.eventsPerBurst; k++) {
      const t = at + random() * bursts.spreadS;
      if (t < options.toS) {
        into.push(t);
        added++;
      }
    }
  }
  return added;
}

export interface SyntheticAvailabilityOptions extends SyntheticEventOptions {
  /** An interrupted slot returns after this long. */
  readonly recoveryS: number;
  /** Tick of the availability series. */
  readonly stepS: number;
}

export interface SyntheticAvailability extends SyntheticEvents {
  /** Slots up at the start of each tick from fromS (the series `fitHazardFromAvailability` reads). */
  readonly available: Series;
}

/**
 * A pool of `slots` slots: each slot up is interrupted at the hour-of-week rate (so the pool's
 * event rate is the rate × the slots up), goes down and returns `recoveryS` later; bursts
 * interrupt slots that are up; an outage interrupts every slot up and holds the pool at 0
 * for its length. Returns the events and the series of slots up sampled at each tick start.
 */
export function syntheticAvailability(options: SyntheticAvailabilityOptions): SyntheticAvailability {
  const random = seededRandom(options.seed);
  const peak = checkRates(options.perSlotHour);
  const { fromS, toS, slots, recoveryS } = options;
  // Forced interruptions (bursts, outage starts), processed in time order with the Poisson candidates.
  const burstTimes: number[] = [];
  addBursts(random, options, burstTimes);
  const outages = Array.from({ length: options.outages?.count ?? 0 }, () => {
    const at = fromS + random() * (toS - fromS);
    return { fromS: at, toS: at + (options.outages?.durationS ?? 0) };
  }).sort((a, b) => a.fromS - b.fromS);
  const forced = [...burstTimes.map((t) => ({ t, outage: false })), ...outages.map((o) => ({ t: o.fromS, outage: true }))].sort((a, b) => a.t - b.t);
  const inOutage = (t: number): { fromS: number; toS: number } | undefined => outages.find((o) => t >= o.fromS && t < o.toS);
  // Each loss with the time its slot comes back; `down` holds those still pending.
  const losses: { atS: number; backS: number }[] = [];
  let down: number[] = [];
  const lose = (atS: number, backS: number): void => {
    losses.push({ atS, backS });
    down.push(backS);
  };
  let burstEvents = 0;
  let outageEvents = 0;
  const peakPerS = (peak * slots) / 3600;
  let next = peakPerS > 0 ? fromS + exponentialS(random, peakPerS) : Number.POSITIVE_INFINITY;
  let f = 0;
  for (;;) {
    const forcedNext = f < forced.length ? forced[f]!.t : Number.POSITIVE_INFINITY;
    const t = Math.min(next, forcedNext);
    if (!(t < toS)) break;
    down = down.filter((back) => back > t);
    const otherOutage = outages.some((o) => o.fromS < t && t < o.toS);
    const n = otherOutage ? 0 : Math.max(0, slots - down.length);
    if (forcedNext <= next) {
      const event = forced[f++]!;
      if (event.outage) {
        // Every slot up is lost; it comes back when the outage ends (or later, if its own recovery is later).
        const endS = inOutage(t)!.toS;
        for (let k = 0; k < n; k++) lose(t, Math.max(endS, t + recoveryS));
        outageEvents += n;
      } else if (n > 0 && inOutage(t) === undefined) {
        lose(t, t + recoveryS);
        burstEvents++;
      }
      continue;
    }
    if (inOutage(t) === undefined && random() * peak * slots < options.perSlotHour[hourOfWeek(t)]! * n) lose(t, t + recoveryS);
    next = t + exponentialS(random, peakPerS);
  }
  // The series: slots up at each tick start (0 during an outage), by a sweep over the losses.
  const ticks = Math.max(0, Math.ceil((toS - fromS) / options.stepS));
  const delta = new Float64Array(ticks + 1);
  const tickAtOrAfter = (t: number): number => Math.min(ticks, Math.max(0, Math.ceil((t - fromS) / options.stepS)));
  for (const loss of losses) {
    // A loss at t is seen from the first tick start at or after t, until the first tick start ≥ its return.
    const a = tickAtOrAfter(loss.atS);
    const b = tickAtOrAfter(loss.backS);
    if (b > a) {
      delta[a]! -= 1;
      delta[b]! += 1;
    }
  }
  const values = new Float64Array(ticks);
  let level = slots;
  for (let i = 0; i < ticks; i++) {
    level += delta[i]!;
    values[i] = inOutage(fromS + i * options.stepS) !== undefined ? 0 : Math.max(0, level);
  }
  return { eventsS: losses.map((l) => l.atS), burstEvents, outageEvents, available: { startS: fromS, stepS: options.stepS, values } };
}
