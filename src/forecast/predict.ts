/**
 * The Resource Predictor's fit: per pool telemetry in, an AvailabilityMap out. Pure: the
 * telemetry was read by the load layer.
 *
 *   free slots  ← a free-slot series (utilisation mapped to slots by the telemetry section),
 *                 else an available-slots series: seasonal forecast + conformal quantiles;
 *   hazard      ← interruption events (exposure: the available slots over the telemetry's
 *                 window, else the declared slots), else drops of an
 *                 available-slots series; by hour of week with shrinkage;
 *   price       ← a price series, forecast like free slots (its P50 is what is charged).
 * The map starts where the latest telemetry ends (rounded down to a bucket).
 */
import { forecastSeries, fitSeries } from './fit.js';
import { fitHazardFromAvailability, fitHazardFromEvents } from './hazard.js';
import { buildAvailabilityMap, DEFAULT_BUCKET_S, DEFAULT_HORIZON_S, type AvailabilityMap, type DeclaredPool, type MapData, type PoolPrediction } from './map.js';
import type { ForecastWarning, HazardFit, Series } from './types.js';

/** What the telemetry says about one pool, in its units (slots, USD per slot-hour, epoch s). */
export interface PoolTelemetryInput {
  readonly pool: string;
  readonly free?: Series | undefined;
  readonly available?: Series | undefined;
  readonly price?: Series | undefined;
  readonly eventsS?: readonly number[] | undefined;
  /** The slot-hours the events were observed over (a run journal's own attempts), when not the pool's slots. */
  readonly exposure?: { readonly fromS: number; readonly toS: number; readonly slotHours: number } | undefined;
  readonly sources: readonly string[];
}

export interface PredictOptions {
  readonly model?: string;
  readonly horizonS?: number;
  readonly bucketS?: number;
  /** Called per pool as it is fitted (progress of long fits). */
  readonly onPool?: (pool: string, index: number, count: number) => void;
}

export function predictAvailability(pools: readonly DeclaredPool[], telemetry: readonly PoolTelemetryInput[], options: PredictOptions = {}): AvailabilityMap {
  const horizonS = options.horizonS ?? DEFAULT_HORIZON_S;
  const bucketS = options.bucketS ?? DEFAULT_BUCKET_S;
  const ends = telemetry.flatMap((t) => [t.free, t.available, t.price].filter((s): s is Series => s !== undefined).map(endOf));
  const eventEnds = telemetry.flatMap((t) => (t.eventsS !== undefined && t.eventsS.length > 0 ? [t.eventsS[t.eventsS.length - 1]!] : []));
  const startS = ends.length > 0 ? Math.max(...ends) : eventEnds.length > 0 ? Math.max(...eventEnds) : 0;
  const warnings: ForecastWarning[] = [];
  const declaredById = new Map(pools.map((p) => [p.id, p]));
  const predictions = telemetry.map((t, index): PoolPrediction => {
    options.onPool?.(t.pool, index, telemetry.length);
    const declared = declaredById.get(t.pool);
    const prepare = (series: Series | undefined, what: string): Series | undefined => (series === undefined ? undefined : carriedForward(coarsened(series, bucketS, `${t.pool}.${what}`, warnings), startS, `${t.pool}.${what}`, warnings));
    const freeSeries = prepare(t.free ?? t.available, t.free !== undefined ? 'free' : 'available');
    // Forecasts start where their own series ends; the map starts at the latest end, so each is made long enough to cover it.
    const horizonFor = (series: Series): number => horizonS + Math.max(0, startS - endOf(series)) + bucketS;
    let free: PoolPrediction['free'];
    if (freeSeries !== undefined) {
      const fit = fitSeries(freeSeries, { horizonS: horizonFor(freeSeries), path: `${t.pool}.free`, ...(options.model === undefined ? {} : { model: options.model }) });
      warnings.push(...fit.warnings);
      free = { model: fit.model, forecast: forecastSeries(fit), data: dataOf(freeSeries, t.sources) };
    }
    let hazard: HazardFit | undefined;
    if (t.eventsS !== undefined && t.exposure !== undefined) {
      const { fromS, toS, slotHours } = t.exposure;
      const spanS = Math.max(1, toS - fromS);
      hazard = fitHazardFromEvents(t.eventsS, { fromS, toS: fromS + spanS, slots: (slotHours * 3600) / spanS }, { path: `${t.pool}.interruptions` });
    } else if (t.eventsS !== undefined) {
      const window = t.available ?? t.free ?? t.price;
      const fromS = window !== undefined ? window.startS : t.eventsS.length > 0 ? t.eventsS[0]! : startS;
      const toS = window !== undefined ? endOf(window) : startS;
      // Interruptions strike slots a pool holds, not the ones it has free: the exposure is the
      // available-slots series where one came, else the declared slots.
      hazard = fitHazardFromEvents(t.eventsS, { fromS, toS: Math.max(toS, fromS + 1), slots: t.available ?? declared?.slots ?? 1 }, { path: `${t.pool}.interruptions` });
    } else if (t.available !== undefined) hazard = fitHazardFromAvailability(t.available, { path: `${t.pool}.available` });
    if (hazard !== undefined && hazard.method === 'constant' && declared !== undefined) hazard = towardDeclared(hazard, declared.interruptionPerHour, `${t.pool}.interruptions`);
    if (hazard !== undefined) warnings.push(...hazard.warnings);
    let price: PoolPrediction['price'];
    const priceSeries = prepare(t.price, 'price');
    if (priceSeries !== undefined) {
      const fit = fitSeries(priceSeries, { horizonS: horizonFor(priceSeries), path: `${t.pool}.price`, ...(options.model === undefined ? {} : { model: options.model }) });
      warnings.push(...fit.warnings);
      price = { model: fit.model, forecast: forecastSeries(fit), data: dataOf(priceSeries, t.sources) };
    }
    return { pool: t.pool, ...(free === undefined ? {} : { free }), ...(hazard === undefined ? {} : { hazard: { fit: hazard, sources: t.sources } }), ...(price === undefined ? {} : { price }) };
  });
  return buildAvailabilityMap(pools, predictions, { startS, bucketS, horizonS, warnings });
}

const WEEK_S = 7 * 86_400;
/** Weight of the declared interruption rate when events are too few for a pattern: worth this many expected events. */
const DECLARED_PRIOR_EVENTS = 2;

/**
 * Too few events for an hour-of-week pattern: the constant rate is shrunk toward the resource
 * map's declared rate (a Gamma prior worth DECLARED_PRIOR_EVENTS events), so a few quiet
 * slot-hours do not claim a pool never fails.
 */
function towardDeclared(fit: HazardFit, declaredPerHour: number, path: string): HazardFit {
  if (!(declaredPerHour > 0)) return fit;
  const rate = (fit.events + DECLARED_PRIOR_EVENTS) / (fit.exposureSlotHours + DECLARED_PRIOR_EVENTS / declaredPerHour);
  return {
    ...fit,
    perSlotHour: fit.perSlotHour.map(() => rate),
    meanPerSlotHour: rate,
    warnings: [...fit.warnings, { path, message: `${fit.events} event(s) over ${fit.exposureSlotHours.toFixed(1)} slot-hours, shrunk toward the declared ${declaredPerHour}/h: ${rate.toFixed(4)}/h` }],
  };
}

/**
 * A series finer than a twelfth of the map's bucket is averaged onto that step first: the map
 * cannot show finer detail, and a 5-second Prometheus step over a week's horizon would be more
 * forecast steps than a fit allows.
 */
function coarsened(series: Series, bucketS: number, path: string, warnings: ForecastWarning[]): Series {
  const factor = Math.floor(bucketS / 12 / series.stepS);
  if (factor < 2) return series;
  const n = Math.ceil(series.values.length / factor);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    let count = 0;
    for (let j = i * factor; j < Math.min(series.values.length, (i + 1) * factor); j++) {
      const v = series.values[j]!;
      if (Number.isFinite(v)) {
        sum += v;
        count++;
      }
    }
    values[i] = count > 0 ? sum / count : Number.NaN;
  }
  warnings.push({ path, message: `averaged from a ${series.stepS} s step to ${series.stepS * factor} s (the map's ${bucketS} s buckets show no finer detail)` });
  return { startS: series.startS, stepS: series.stepS * factor, values };
}

/**
 * A series that ends more than a week before the map starts (another pool's telemetry is newer)
 * is moved forward by whole weeks, keeping its hour of week, rather than forecast years ahead.
 */
function carriedForward(series: Series, mapStartS: number, path: string, warnings: ForecastWarning[]): Series {
  const weeks = Math.floor((mapStartS - endOf(series)) / WEEK_S);
  if (weeks < 1) return series;
  warnings.push({ path, message: `ends ${weeks} week(s) before the newest telemetry: carried forward by whole weeks (its hour-of-week pattern kept), an assumption` });
  return { ...series, startS: series.startS + weeks * WEEK_S };
}

function endOf(series: Series): number {
  return series.startS + series.values.length * series.stepS;
}

function dataOf(series: Series, sources: readonly string[]): MapData {
  return { sources, points: series.values.length, fromS: series.startS, toS: endOf(series) };
}
