/**
 * The AvailabilityMap (ARCHITECTURE.md, data flow): per pool × time bucket over the planning
 * horizon, free-slot quantiles, interruption hazard and price, in wall-clock time, with the
 * model and the data each came from. Versioned JSON (`apportion forecast fit` writes it,
 * `plan --availability` reads it).
 *
 * A pool without telemetry keeps its declared numbers, and the map says so as an assumption
 * (ARCHITECTURE.md: "With no telemetry the map is the declared capacity, flagged as an
 * assumption").
 */
import { InputError, type InputIssue, type PathSegment } from '../model/issues.js';
import { MAX_INTERRUPTION_PER_HOUR, MAX_PRICE_USD, MAX_SLOTS } from '../model/limits.js';
import type { ForecastWarning, HazardFit, QuantileForecast } from './types.js';

export const MAP_KIND = 'apportion.availability-map';
export const MAP_VERSION = 1;

/** Default bucket of the map: an hour (the hazard's own resolution, hour of week). */
export const DEFAULT_BUCKET_S = 3600;
/** Default horizon: a week, so that any start within the next week is covered; beyond it the map repeats by week. */
export const DEFAULT_HORIZON_S = 7 * 86_400;

export interface MapFree {
  /** The series model that produced the quantiles. */
  readonly model: string;
  /** Per bucket: free slots P10 / P50 / P90 (0 ≤ p10 ≤ p50 ≤ p90 ≤ declared slots). */
  readonly p10: readonly number[];
  readonly p50: readonly number[];
  readonly p90: readonly number[];
  /** The telemetry it was fitted on. */
  readonly data: MapData;
}

export interface MapData {
  readonly sources: readonly string[];
  readonly points: number;
  readonly fromS: number;
  readonly toS: number;
}

export interface MapHazard {
  readonly method: HazardFit['method'];
  /** 168 rates by hour of week (0 = Monday 00:00 UTC), interruptions per slot-hour. */
  readonly perSlotHour: readonly number[];
  readonly meanPerSlotHour: number;
  readonly events: number;
  readonly exposureSlotHours: number;
  readonly sources: readonly string[];
}

export interface MapPrice {
  readonly model: string;
  /** Per bucket: expected price, USD per slot-hour. */
  readonly usdPerSlotHour: readonly number[];
  readonly data: MapData;
}

export interface PoolForecast {
  readonly pool: string;
  readonly declaredSlots: number;
  readonly declaredInterruptionPerHour: number;
  readonly declaredPriceUsdPerSlotHour: number;
  readonly free?: MapFree;
  readonly hazard?: MapHazard;
  readonly price?: MapPrice;
  /** What this pool's entry assumes (declared capacity where no telemetry came, …). */
  readonly assumptions: readonly string[];
}

export interface AvailabilityMap {
  readonly kind: typeof MAP_KIND;
  readonly version: typeof MAP_VERSION;
  /** Content id: `fc-` and a hash of the numbers (the plan's basis names it). */
  readonly id: string;
  /** Epoch s of bucket 0's start (the end of the telemetry, rounded down to a bucket). */
  readonly startS: number;
  readonly bucketS: number;
  readonly buckets: number;
  readonly pools: readonly PoolForecast[];
  readonly warnings: readonly ForecastWarning[];
}

/** What the predictor learnt for one pool: any of free-slot quantiles, hazard, price. */
export interface PoolPrediction {
  readonly pool: string;
  readonly free?: { readonly model: string; readonly forecast: QuantileForecast; readonly data: MapData };
  readonly hazard?: { readonly fit: HazardFit; readonly sources: readonly string[] };
  readonly price?: { readonly model: string; readonly forecast: QuantileForecast; readonly data: MapData };
}

export interface DeclaredPool {
  readonly id: string;
  readonly slots: number;
  readonly interruptionPerHour: number;
  readonly priceUsdPerSlotHour: number;
}

/**
 * The map over `buckets` buckets from `startS` (aligned down to the bucket): each bucket's value
 * is the mean of the forecast steps inside it (forecasts finer than the bucket), or the step
 * holding it (coarser). Free slots are clamped to [0, declared slots] and kept ordered
 * (p10 ≤ p50 ≤ p90).
 */
export function buildAvailabilityMap(
  pools: readonly DeclaredPool[],
  predictions: readonly PoolPrediction[],
  options: { readonly startS: number; readonly bucketS?: number; readonly horizonS?: number; readonly warnings?: readonly ForecastWarning[] },
): AvailabilityMap {
  const bucketS = options.bucketS ?? DEFAULT_BUCKET_S;
  const buckets = Math.max(1, Math.ceil((options.horizonS ?? DEFAULT_HORIZON_S) / bucketS));
  const startS = Math.floor(options.startS / bucketS) * bucketS;
  const byPool = new Map(predictions.map((p) => [p.pool, p]));
  const entries = pools.map((pool): PoolForecast => {
    const prediction = byPool.get(pool.id);
    const assumptions: string[] = [];
    const base = { pool: pool.id, declaredSlots: pool.slots, declaredInterruptionPerHour: pool.interruptionPerHour, declaredPriceUsdPerSlotHour: pool.priceUsdPerSlotHour };
    let free: MapFree | undefined;
    if (prediction?.free !== undefined) {
      const { forecast } = prediction.free;
      const clamp = (v: number): number => Math.min(pool.slots, Math.max(0, Number.isFinite(v) ? v : pool.slots));
      const p10: number[] = [];
      const p50: number[] = [];
      const p90: number[] = [];
      for (let b = 0; b < buckets; b++) {
        const from = startS + b * bucketS;
        const mid = clamp(bucketMean(forecast.p50, forecast, from, bucketS));
        const lo = Math.min(mid, clamp(bucketMean(forecast.p10, forecast, from, bucketS)));
        const hi = Math.max(mid, clamp(bucketMean(forecast.p90, forecast, from, bucketS)));
        p10.push(round3(lo));
        p50.push(round3(mid));
        p90.push(round3(hi));
      }
      free = { model: prediction.free.model, p10, p50, p90, data: prediction.free.data };
    } else assumptions.push(`no capacity telemetry: the declared ${pool.slots} slot(s) are assumed free`);
    let hazard: MapHazard | undefined;
    if (prediction?.hazard !== undefined) {
      const { fit } = prediction.hazard;
      hazard = {
        method: fit.method,
        perSlotHour: fit.perSlotHour.map((r) => Math.min(MAX_INTERRUPTION_PER_HOUR, r)),
        meanPerSlotHour: fit.meanPerSlotHour,
        events: fit.events,
        exposureSlotHours: fit.exposureSlotHours,
        sources: prediction.hazard.sources,
      };
    } else assumptions.push(`no interruption telemetry: the declared ${pool.interruptionPerHour}/h is assumed at every hour`);
    let price: MapPrice | undefined;
    if (prediction?.price !== undefined) {
      const { forecast } = prediction.price;
      const usdPerSlotHour: number[] = [];
      for (let b = 0; b < buckets; b++) {
        const v = bucketMean(forecast.p50, forecast, startS + b * bucketS, bucketS);
        usdPerSlotHour.push(Math.min(MAX_PRICE_USD, Math.max(0, Number.isFinite(v) ? v : pool.priceUsdPerSlotHour)));
      }
      price = { model: prediction.price.model, usdPerSlotHour, data: prediction.price.data };
    }
    return { ...base, ...(free === undefined ? {} : { free }), ...(hazard === undefined ? {} : { hazard }), ...(price === undefined ? {} : { price }), assumptions };
  });
  const body = { startS, bucketS, buckets, pools: entries };
  return { kind: MAP_KIND, version: MAP_VERSION, id: `fc-${hashOf(JSON.stringify(body))}`, ...body, warnings: options.warnings ?? [] };
}

/** Mean of `values` (a forecast on its own grid) over [fromS, fromS + lengthS); the nearest step outside the grid. */
function bucketMean(values: Float64Array, grid: { readonly startS: number; readonly stepS: number }, fromS: number, lengthS: number): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const first = Math.floor((fromS - grid.startS) / grid.stepS);
  const last = Math.ceil((fromS + lengthS - grid.startS) / grid.stepS) - 1;
  let sum = 0;
  let count = 0;
  for (let i = Math.max(first, 0); i <= Math.min(last, n - 1); i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      sum += v;
      count++;
    }
  }
  if (count > 0) return sum / count;
  return values[Math.min(n - 1, Math.max(0, first))]!;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** FNV-1a, 32 bits, hex: a short content id, not a security hash. */
function hashOf(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

const POOL_FIELDS = new Set(['pool', 'declaredSlots', 'declaredInterruptionPerHour', 'declaredPriceUsdPerSlotHour', 'free', 'hazard', 'price', 'assumptions']);

/**
 * Reads a map document (parsed JSON) with every problem reported at its path
 * (`pools[1].free.p10[3]: …`); `source` names the file in the error.
 */
export function readAvailabilityMap(document: unknown, source: string): AvailabilityMap {
  const issues: InputIssue[] = [];
  const push = (path: PathSegment[], message: string, expected?: string, received?: unknown): void => {
    issues.push({ code: 'invalid_value', path, message, ...(expected === undefined ? {} : { expected }), ...(received === undefined ? {} : { received: short(received) }) });
  };
  if (!isObject(document)) throw new InputError(source, [{ code: 'wrong_type', path: [], message: 'an availability map is a JSON object', expected: 'an object', received: short(document) }]);
  if (document['kind'] !== MAP_KIND) push(['kind'], `not an availability map (kind must be "${MAP_KIND}")`, `"${MAP_KIND}"`, document['kind']);
  if (document['version'] !== MAP_VERSION) push(['version'], `availability map version ${String(document['version'])} is not supported (this apportion reads version ${MAP_VERSION})`, String(MAP_VERSION), document['version']);
  const num = (path: PathSegment[], v: unknown, min: number, max: number, integer = false): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      push(path, `must be a finite ${integer ? 'integer' : 'number'} in [${min}, ${max}]`, `${min}..${max}`, v);
      return min;
    }
    return v;
  };
  num(['startS'], document['startS'], -1e12, 1e12);
  const bucketS = num(['bucketS'], document['bucketS'], 1, 7 * 86_400);
  if (Number.isFinite(bucketS) && (7 * 86_400) % bucketS !== 0) push(['bucketS'], 'the bucket must divide a week (the map repeats by week)', 'a divisor of 604800 s (300, 900, 3600, 86400, …)', bucketS);
  const buckets = num(['buckets'], document['buckets'], 1, 1_000_000, true);
  if (typeof document['id'] !== 'string' || document['id'].length === 0) push(['id'], 'the map needs an id', 'a non-empty string', document['id']);
  const pools = document['pools'];
  if (!Array.isArray(pools) || pools.length === 0) push(['pools'], 'the map lists no pool', 'a non-empty array', pools);
  else {
    const seen = new Map<string, number>();
    const text = (path: PathSegment[], v: unknown): void => {
      if (typeof v !== 'string') push(path, 'needs a string', 'a string', v);
    };
    const data = (path: PathSegment[], v: unknown): void => {
      if (!isObject(v)) return push(path, 'needs the data it was fitted on', '{ sources, points, fromS, toS }', v);
      if (!Array.isArray(v['sources'])) push([...path, 'sources'], 'needs a list of sources', 'an array of strings', v['sources']);
      num([...path, 'points'], v['points'], 0, 1e12, true);
      num([...path, 'fromS'], v['fromS'], -1e12, 1e12);
      num([...path, 'toS'], v['toS'], -1e12, 1e12);
    };
    pools.forEach((pool: unknown, i) => {
      const at: PathSegment[] = ['pools', i];
      if (!isObject(pool)) return push(at, 'a pool entry is an object', 'an object', pool);
      for (const key of Object.keys(pool)) if (!POOL_FIELDS.has(key)) issues.push({ code: 'unknown_field', path: [...at, key], message: `unknown field "${key}"` });
      if (typeof pool['pool'] !== 'string') push([...at, 'pool'], 'needs the pool id', 'a string', pool['pool']);
      else if (seen.has(pool['pool'])) issues.push({ code: 'duplicate_id', path: [...at, 'pool'], message: `pool "${pool['pool']}" is listed twice (also pools[${seen.get(pool['pool'])}])` });
      else seen.set(pool['pool'], i);
      if (pool['assumptions'] !== undefined && !Array.isArray(pool['assumptions'])) push([...at, 'assumptions'], 'needs a list', 'an array of strings', pool['assumptions']);
      const slots = num([...at, 'declaredSlots'], pool['declaredSlots'], 0, MAX_SLOTS, true);
      num([...at, 'declaredInterruptionPerHour'], pool['declaredInterruptionPerHour'], 0, MAX_INTERRUPTION_PER_HOUR);
      num([...at, 'declaredPriceUsdPerSlotHour'], pool['declaredPriceUsdPerSlotHour'], 0, MAX_PRICE_USD);
      const series = (path: PathSegment[], v: unknown, length: number, max: number): void => {
        if (!Array.isArray(v) || v.length !== length) return push(path, `needs ${length} value(s), one per bucket`, `${length} numbers`, Array.isArray(v) ? `${v.length} values` : v);
        v.forEach((x: unknown, b) => num([...path, b], x, 0, max));
      };
      const free = pool['free'];
      if (free !== undefined) {
        if (!isObject(free)) push([...at, 'free'], 'free is an object of quantiles', 'an object', free);
        else {
          text([...at, 'free', 'model'], free['model']);
          data([...at, 'free', 'data'], free['data']);
          for (const q of ['p10', 'p50', 'p90']) series([...at, 'free', q], free[q], buckets, slots);
          const [p10, p50, p90] = ['p10', 'p50', 'p90'].map((q) => free[q]) as [unknown, unknown, unknown];
          if (Array.isArray(p10) && Array.isArray(p50) && Array.isArray(p90)) {
            const b = p50.findIndex((m, k) => !((p10[k] as number) <= (m as number) && (m as number) <= (p90[k] as number)));
            if (b >= 0) push([...at, 'free', 'p50', b], 'quantiles must be ordered p10 ≤ p50 ≤ p90', 'p10 ≤ p50 ≤ p90', `${String(p10[b])}, ${String(p50[b])}, ${String(p90[b])}`);
          }
        }
      }
      const hazard = pool['hazard'];
      if (hazard !== undefined) {
        if (!isObject(hazard)) push([...at, 'hazard'], 'hazard is an object', 'an object', hazard);
        else {
          series([...at, 'hazard', 'perSlotHour'], hazard['perSlotHour'], 168, MAX_INTERRUPTION_PER_HOUR);
          if (hazard['method'] !== 'hour-of-week' && hazard['method'] !== 'constant') push([...at, 'hazard', 'method'], 'is "hour-of-week" or "constant"', '"hour-of-week" | "constant"', hazard['method']);
          num([...at, 'hazard', 'meanPerSlotHour'], hazard['meanPerSlotHour'], 0, MAX_INTERRUPTION_PER_HOUR);
          num([...at, 'hazard', 'events'], hazard['events'], 0, 1e15, true);
          num([...at, 'hazard', 'exposureSlotHours'], hazard['exposureSlotHours'], 0, 1e18);
          if (!Array.isArray(hazard['sources'])) push([...at, 'hazard', 'sources'], 'needs a list of sources', 'an array of strings', hazard['sources']);
        }
      }
      const price = pool['price'];
      if (price !== undefined) {
        if (!isObject(price)) push([...at, 'price'], 'price is an object', 'an object', price);
        else {
          text([...at, 'price', 'model'], price['model']);
          data([...at, 'price', 'data'], price['data']);
          series([...at, 'price', 'usdPerSlotHour'], price['usdPerSlotHour'], buckets, MAX_PRICE_USD);
        }
      }
    });
  }
  const warnings = document['warnings'];
  if (warnings !== undefined && !(Array.isArray(warnings) && warnings.every((w: unknown) => isObject(w) && typeof w['path'] === 'string' && typeof w['message'] === 'string'))) push(['warnings'], 'warnings are { path, message } objects', 'an array of { path, message }', warnings);
  if (issues.length > 0) throw new InputError(source, issues);
  const map = document as unknown as AvailabilityMap;
  // The id names the numbers: a map edited by hand gets an id of its own, and says so.
  const id = `fc-${hashOf(JSON.stringify({ startS: map.startS, bucketS: map.bucketS, buckets: map.buckets, pools: map.pools }))}`;
  const readWarnings = [...(map.warnings ?? [])];
  if (id !== map.id) readWarnings.push({ path: 'id', message: `the map's numbers are not those of ${map.id} (edited?): it is ${id} from here on` });
  return { ...map, id, warnings: readWarnings, pools: map.pools.map((p) => ({ ...p, assumptions: p.assumptions ?? [] })) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function short(v: unknown): string {
  const text = typeof v === 'string' ? `"${v}"` : JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
