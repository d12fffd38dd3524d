/**
 * The AvailabilityMap, priced: the cost model's Availability (src/model/availability.ts) in
 * plan seconds, for a plan whose time 0 is the wall-clock `startAtS`.
 *
 * Per pool and bucket:
 *   - slots (what the plan may schedule on) = the free-slot quantile at `capacityRisk`, the
 *     accepted probability that fewer slots are free: 0.1 plans on the slots free 9 times in
 *     10, 0.5 on the median, 0.9 boldly. Never above the declared slots or a declared
 *     capacity step.
 *   - freeSlots (the contention term's reference) = slots − E[max(0, slots − F)], with F the
 *     free slots distributed through the forecast's quantiles (uniform between P10, P50, P90,
 *     tails half a quantile gap wide). The kernel charges max(0, used − freeSlots) over time,
 *     so a plan that fills every slot pays exactly the expected shortfall, and a plan that
 *     uses fewer pays less (0 below freeSlots: the approximation, convex like the truth).
 *   - hazardPerS from the hazard by hour of week at the bucket's hours; price from the price
 *     forecast; the declared numbers where the map has none.
 * A plan that starts beyond the map's last bucket reads the map repeated by week when it spans
 * one (the seasonal-naive extension of the forecast itself), else its last bucket; either is
 * said. Within a plan, the values a week (or the map's span) after its start hold from then on.
 */
import { declaredPoolAvailability, type Availability, type PoolAvailability } from '../model/availability.js';
import type { Pool, ResourceMap } from '../model/types.js';
import { hourOfWeek } from './hazard.js';
import type { AvailabilityMap, PoolForecast } from './map.js';

export const DEFAULT_CAPACITY_RISK = 0.5;
const WEEK_S = 7 * 86_400;

export interface PricingOptions {
  /** Epoch s that plan time 0 maps to. */
  readonly startAtS: number;
  /** In (0, 1): the quantile of free slots planned on. */
  readonly capacityRisk?: number;
}

/** A pool's forecast band of free slots in plan seconds: [p10[i], p90[i]] from atS[i] on. */
export interface FreeBand {
  readonly atS: readonly number[];
  readonly p10: readonly number[];
  readonly p90: readonly number[];
}

export interface Priced {
  readonly availability: Availability;
  /** Per pool (resource map order), the free-slot band where the map forecasts free slots. */
  readonly bands: ReadonlyArray<FreeBand | undefined>;
  readonly assumptions: readonly string[];
}

export function priceMap(map: AvailabilityMap, resources: ResourceMap, options: PricingOptions): Priced {
  const risk = options.capacityRisk ?? DEFAULT_CAPACITY_RISK;
  const assumptions: string[] = [];
  const offsetBuckets = Math.floor((options.startAtS - map.startS) / map.bucketS);
  const spanS = map.buckets * map.bucketS;
  const wraps = spanS >= WEEK_S;
  const weekBuckets = Math.round(WEEK_S / map.bucketS);
  if (options.startAtS < map.startS) assumptions.push(`the plan starts ${fmtHours(map.startS - options.startAtS)} before the forecast begins: its first bucket${wraps ? 's repeat by week' : ' holds'} before then`);
  else if (options.startAtS >= map.startS + spanS) assumptions.push(`the plan starts ${fmtHours(options.startAtS - map.startS - spanS)} after the forecast's horizon: ${wraps ? 'the forecast repeats by week' : 'its last bucket holds'}`);
  const bucketOf = (k: number): number => {
    const b = offsetBuckets + k;
    if (b >= 0 && b < map.buckets) return b;
    if (wraps) {
      const inWeek = ((b % weekBuckets) + weekBuckets) % weekBuckets;
      return inWeek < map.buckets ? inWeek : map.buckets - 1;
    }
    return b < 0 ? 0 : map.buckets - 1;
  };
  const byId = new Map(map.pools.map((p) => [p.pool, p]));
  const bands: Array<FreeBand | undefined> = [];
  const pools = resources.pools.map((pool): PoolAvailability => {
    const forecast = byId.get(pool.id);
    if (forecast === undefined) {
      assumptions.push(`pool "${pool.id}" is not in forecast ${map.id}: declared capacity, hazard and price`);
      bands.push(undefined);
      return declaredPoolAvailability(pool);
    }
    if (forecast.declaredSlots !== pool.slots) assumptions.push(`pool "${pool.id}": the forecast was made for ${forecast.declaredSlots} slot(s), the resource map declares ${pool.slots}: free slots scaled`);
    const priced = pricedPool(pool, forecast, map, bucketOf, options.startAtS, risk);
    bands.push(priced.band);
    return priced.availability;
  });
  const declared = new Set(resources.pools.map((p) => p.id));
  for (const pool of map.pools) if (!declared.has(pool.pool)) assumptions.push(`the forecast's pool "${pool.pool}" is not in the resource map: left out`);
  return { availability: { source: map.id, pools }, bands, assumptions };
}

function pricedPool(pool: Pool, forecast: PoolForecast, map: AvailabilityMap, bucketOf: (k: number) => number, startAtS: number, risk: number): { availability: PoolAvailability; band: FreeBand | undefined } {
  const scale = forecast.declaredSlots > 0 ? pool.slots / forecast.declaredSlots : 1;
  // Plan-time breakpoints: 0, then every bucket boundary over the map's span, then the declared capacity steps.
  const times = new Set<number>([0]);
  const firstBoundaryS = map.startS + (Math.floor((startAtS - map.startS) / map.bucketS) + 1) * map.bucketS - startAtS;
  for (let k = 0; k < map.buckets; k++) times.add(firstBoundaryS + k * map.bucketS);
  // The hazard is by hour of week whatever the bucket: a breakpoint every hour for a week (or the map's span).
  if (forecast.hazard !== undefined) {
    const firstHourS = Math.ceil(startAtS / 3600) * 3600 - startAtS;
    for (let h = 0; h * 3600 < Math.max(WEEK_S, map.buckets * map.bucketS); h++) times.add(firstHourS + h * 3600);
  }
  for (const step of pool.capacity) times.add(step.atS);
  const atS = [...times].filter((t) => t >= 0).sort((a, b) => a - b);
  const out: { atS: number[]; slots: number[]; freeSlots: number[]; hazardPerS: number[]; priceUsdPerSlotS: number[] } = { atS: [], slots: [], freeSlots: [], hazardPerS: [], priceUsdPerSlotS: [] };
  const band = { atS: [] as number[], p10: [] as number[], p90: [] as number[] };
  for (const t of atS) {
    const k = Math.floor((t + startAtS - map.startS) / map.bucketS) - Math.floor((startAtS - map.startS) / map.bucketS);
    const b = bucketOf(Math.max(0, k));
    const declaredSlots = declaredSlotsAt(pool, t);
    let slots = declaredSlots;
    let freeSlots = declaredSlots;
    if (forecast.free !== undefined) {
      const q = { p10: forecast.free.p10[b]! * scale, p50: forecast.free.p50[b]! * scale, p90: forecast.free.p90[b]! * scale };
      slots = Math.min(declaredSlots, Math.max(0, Math.floor(freeQuantile(q, risk, pool.slots) + 1e-9)));
      freeSlots = Math.max(0, slots - expectedShortfall(q, slots, pool.slots));
      const b10 = Math.min(declaredSlots, q.p10);
      const b90 = Math.min(declaredSlots, q.p90);
      if (band.atS.length === 0 || band.p10[band.p10.length - 1] !== b10 || band.p90[band.p90.length - 1] !== b90) {
        band.atS.push(t);
        band.p10.push(b10);
        band.p90.push(b90);
      }
    }
    const wallS = t + startAtS;
    const hazardPerHour = forecast.hazard === undefined ? pool.interruptionPerHour : forecast.hazard.perSlotHour[hourOfWeek(wallS)]!;
    const priceUsdPerSlotHour = forecast.price === undefined ? pool.priceUsdPerSlotHour : forecast.price.usdPerSlotHour[b]!;
    const last = out.atS.length - 1;
    const value = [slots, round6(freeSlots), hazardPerHour / 3600, priceUsdPerSlotHour / 3600] as const;
    if (last >= 0 && out.slots[last] === value[0] && out.freeSlots[last] === value[1] && out.hazardPerS[last] === value[2] && out.priceUsdPerSlotS[last] === value[3]) continue;
    out.atS.push(t);
    out.slots.push(value[0]);
    out.freeSlots.push(value[1]);
    out.hazardPerS.push(value[2]);
    out.priceUsdPerSlotS.push(value[3]);
  }
  return { availability: out, band: forecast.free === undefined ? undefined : band };
}

function declaredSlotsAt(pool: Pool, t: number): number {
  let slots = pool.slots;
  for (const step of pool.capacity) if (step.atS <= t) slots = step.slots;
  return slots;
}

interface Quantiles {
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
}

/** The free-slot distribution as four uniform pieces: [lo, p10] 10 %, [p10, p50] 40 %, [p50, p90] 40 %, [p90, hi] 10 %. */
function pieces(q: Quantiles, maxSlots: number): ReadonlyArray<readonly [number, number, number]> {
  const lo = Math.max(0, q.p10 - (q.p50 - q.p10) / 2);
  const hi = Math.min(maxSlots, q.p90 + (q.p90 - q.p50) / 2);
  return [
    [lo, q.p10, 0.1],
    [q.p10, q.p50, 0.4],
    [q.p50, q.p90, 0.4],
    [q.p90, Math.max(q.p90, hi), 0.1],
  ];
}

/** The free slots at quantile `r` of the piecewise-uniform distribution. */
export function freeQuantile(q: Quantiles, r: number, maxSlots: number): number {
  let below = 0;
  for (const [a, b, mass] of pieces(q, maxSlots)) {
    if (r <= below + mass) return a + ((b - a) * (r - below)) / mass;
    below += mass;
  }
  return q.p90;
}

/** E[max(0, s − F)]: the expected number of the `s` planned slots that are not free. */
export function expectedShortfall(q: Quantiles, s: number, maxSlots: number): number {
  let total = 0;
  for (const [a, b, mass] of pieces(q, maxSlots)) {
    if (s <= a) continue;
    if (s >= b || b === a) total += mass * (s - (a + b) / 2);
    else total += (mass * (s - a) * (s - a)) / (2 * (b - a));
  }
  return total;
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

function fmtHours(s: number): string {
  return `${(s / 3600).toFixed(1)} h`;
}
