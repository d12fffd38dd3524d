/**
 * The shared core of fitSeries and the backtest: validate and impute a series once, then for
 * any prefix length n (an origin) forecast with the model and calibrate conformal offsets on
 * rolling-origin residuals of origins before n.
 *
 * Origins lie on a grid fixed in absolute time (every `spacingS` of epoch time), so the
 * forecast made at an origin depends only on the data before it and can be cached across
 * the backtest's origins; imputation is causal (models/impute.ts), so the imputed prefix of
 * the whole series equals the imputation of the prefix: nothing after an origin reaches it.
 */
import { InputError, type InputIssue } from '../model/issues.js';
import { conformalOffsets, recentSpreadRatio } from './conformal.js';
import { imputeCausal } from './models/impute.js';
import { type ModelContext, type SeriesModel, contextFor } from './models/model.js';
import { medianOf } from './models/robust.js';
import type { ForecastWarning, Series, SeriesFit } from './types.js';

/** Longest horizon in steps (a longer one: coarser step, or it is not a forecast any more). */
export const MAX_HORIZON_STEPS = 100_000;
const DEFAULT_SPACING_S = 3600;
const DEFAULT_ORIGINS_PER_STEP = 60;
/** Beyond this lead the offsets are carried: calibrating a week ahead would need weeks of origins. */
const MAX_CALIBRATED_LEAD_S = 2 * 86_400;

export interface PreparedSeries {
  readonly startS: number;
  readonly stepS: number;
  /** The values as given (NaN = missing), for scoring against actuals. */
  readonly raw: Float64Array;
  /** Causally imputed values. */
  readonly values: Float64Array;
  /** Index of the first finite value. */
  readonly firstFinite: number;
  readonly context: ModelContext;
  readonly warnings: readonly ForecastWarning[];
}

function fail(path: string, field: string, message: string, received?: string): never {
  const issue: InputIssue = { code: 'invalid_value', path: [path, field], message, ...(received === undefined ? {} : { received }) };
  throw new InputError(path, [issue]);
}

export function prepareSeries(series: Series, horizonS: number, path: string): PreparedSeries {
  const { startS, stepS } = series;
  if (!Number.isFinite(stepS) || stepS <= 0) fail(path, 'stepS', `${path}: step must be a positive number of seconds, got ${stepS}`, String(stepS));
  if (!Number.isFinite(startS)) fail(path, 'startS', `${path}: start must be a finite epoch second, got ${startS}`, String(startS));
  if (!Number.isFinite(horizonS) || horizonS <= 0) fail(path, 'horizonS', `${path}: horizon must be a positive number of seconds, got ${horizonS}`, String(horizonS));
  const horizonSteps = Math.max(1, Math.ceil(horizonS / stepS - 1e-9));
  if (horizonSteps > MAX_HORIZON_STEPS) {
    fail(path, 'horizonS', `${path}: horizon of ${horizonSteps} steps exceeds ${MAX_HORIZON_STEPS}; use a coarser step or a shorter horizon`, String(horizonS));
  }
  const raw = Float64Array.from(series.values, (v) => (Number.isFinite(v) ? v : Number.NaN));
  if (raw.length === 0) fail(path, 'values', `${path}: the series is empty`);
  const context = contextFor(stepS, horizonSteps);
  const imputed = imputeCausal(raw, context.dailyPeriod);
  if (imputed.leading === raw.length) fail(path, 'values', `${path}: no finite value in ${raw.length} step(s)`);
  const warnings: ForecastWarning[] = [];
  const infinite = Array.prototype.filter.call(series.values, (v: number) => v === Infinity || v === -Infinity).length;
  if (infinite > 0) warnings.push({ path, message: `${infinite} infinite value(s) treated as missing` });
  if (imputed.filled > 0) {
    warnings.push({
      path,
      message: `${imputed.filled} missing value(s) of ${raw.length} filled from the past (last value + the change one day earlier${imputed.leading > 0 ? `; ${imputed.leading} leading one(s) with the first value` : ''})`,
    });
  }
  return { startS, stepS, raw, values: imputed.values, firstFinite: imputed.leading, context, warnings };
}

/** Forecasts by origin index for one model over one prepared series (shared across origins): one per candidate. */
export type ForecastCache = Map<number, readonly Float64Array[]>;

interface Forecasts {
  readonly forecasts: readonly Float64Array[];
  readonly fallbacks: readonly string[];
}

function forecastsOf(history: Float64Array, model: SeriesModel, context: ModelContext): Forecasts {
  if (model.candidates !== undefined) return model.candidates(history, context);
  const { point, fallbacks } = model.forecast(history, context);
  return { forecasts: [point], fallbacks };
}

function forecastAt(prepared: PreparedSeries, j: number, model: SeriesModel, cache: ForecastCache): readonly Float64Array[] {
  const cached = cache.get(j);
  if (cached !== undefined) return cached;
  const { forecasts } = forecastsOf(prepared.values.subarray(0, j), model, prepared.context);
  cache.set(j, forecasts);
  return forecasts;
}

/**
 * Half-life of a residual's weight in the band, in calibration origins (latest first; hourly
 * by default, so a day): after a change of regime the band follows the last day's residuals
 * rather than waiting for the whole 60-origin window to turn over (conformal.ts).
 */
const CONFORMAL_HALF_LIFE_ORIGINS = 24;

/**
 * Widening after a change of regime (conformal.ts, recentSpreadRatio): the latest
 * RECENT_ORIGINS origins' residuals in the first hour against all of them; below MIN_WIDEN
 * it is noise and ignored, above MAX_WIDEN capped. The first hour's band has residuals of its
 * own that recent; the factor ramps in over WIDEN_RAMP_HOURS after it.
 */
const RECENT_ORIGINS = 6;
const MIN_WIDEN = 1.25;
const MAX_WIDEN = 3;
const WIDEN_RAMP_HOURS = 6;

/** Weight of a candidate ∝ MAE^-WEIGHT_POWER: close to picking the best, without jumps. */
const WEIGHT_POWER = 4;

/**
 * Per-step candidate weights from their residuals at the same (origin, step) pairs, the
 * MAE smoothed across neighbouring steps like the conformal quantiles.
 */
function candidateWeights(residuals: readonly (readonly number[][])[], steps: number): Float64Array[] {
  const C = residuals.length;
  const weights = Array.from({ length: C }, () => new Float64Array(steps));
  const mae = Array.from({ length: C }, () => new Float64Array(steps));
  let known = 0;
  for (let h = 0; h < steps; h++) {
    const count = residuals[0]![h]!.length;
    if (count === 0) break;
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (const r of residuals[c]![h]!) sum += Math.abs(r);
      mae[c]![h] = sum / count;
    }
    known = h + 1;
  }
  for (let h = 0; h < steps; h++) {
    if (known === 0) {
      weights[0]![h] = 1;
      continue;
    }
    const k = Math.min(h, known - 1);
    const r = Math.floor(k * 0.15);
    const from = Math.max(0, k - r);
    const to = Math.min(known - 1, k + r);
    const smoothed = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let i = from; i <= to; i++) sum += mae[c]![i]!;
      smoothed[c] = sum / (to - from + 1);
    }
    let best = Infinity;
    for (let c = 0; c < C; c++) best = Math.min(best, smoothed[c]!);
    let total = 0;
    for (let c = 0; c < C; c++) {
      // Relative to the best (so a perfect candidate, MAE 0, gets the whole weight).
      const w = best > 0 ? Math.pow(best / smoothed[c]!, WEIGHT_POWER) : smoothed[c] === 0 ? 1 : 0;
      weights[c]![h] = w;
      total += w;
    }
    for (let c = 0; c < C; c++) weights[c]![h] = weights[c]![h]! / total;
  }
  return weights;
}

/** The grid origins (history lengths) before n used to calibrate a fit at n, latest first. */
export function calibrationOrigins(prepared: PreparedSeries, n: number, model: SeriesModel): number[] {
  const spacingS = model.calibration?.spacingS ?? DEFAULT_SPACING_S;
  const perStep = model.calibration?.origins ?? DEFAULT_ORIGINS_PER_STEP;
  const s = Math.max(1, Math.round(spacingS / prepared.stepS));
  const calibratedLead = Math.min(prepared.context.horizonSteps, Math.max(1, Math.round(MAX_CALIBRATED_LEAD_S / prepared.stepS)));
  const offset = Math.round(prepared.startS / prepared.stepS);
  const lowest = Math.max(prepared.firstFinite + 1, Math.ceil(n / 2), 2, n - (perStep * s + calibratedLead));
  const origins: number[] = [];
  // Largest j < n with (offset + j) ≡ 0 (mod s).
  let j = n - 1 - ((((offset + n - 1) % s) + s) % s);
  for (; j >= lowest; j -= s) origins.push(j);
  return origins;
}

export function calibrateAndForecast(prepared: PreparedSeries, n: number, model: SeriesModel, cache: ForecastCache, path: string): SeriesFit {
  const H = prepared.context.horizonSteps;
  const { stepS, startS } = prepared;
  const history = prepared.values.subarray(0, n);
  const final = forecastsOf(history, model, prepared.context);
  const C = final.forecasts.length;
  const warnings: ForecastWarning[] = [...prepared.warnings];
  for (const fallback of final.fallbacks) warnings.push({ path, message: `${model.id}: ${fallback}` });

  // Residuals per candidate and step, at the same (origin, step) pairs for every candidate.
  const perStep = model.calibration?.origins ?? DEFAULT_ORIGINS_PER_STEP;
  const residuals: number[][][] = Array.from({ length: C }, () => Array.from({ length: H }, () => []));
  let origins = 0;
  for (const j of calibrationOrigins(prepared, n, model)) {
    const forecasts = forecastAt(prepared, j, model, cache);
    origins++;
    const steps = Math.min(H, n - j);
    for (let h = 0; h < steps; h++) {
      if (residuals[0]![h]!.length >= perStep) continue;
      const actual = prepared.raw[j + h]!;
      if (!Number.isFinite(actual)) continue;
      for (let c = 0; c < C; c++) residuals[c]![h]!.push(actual - forecasts[c]![h]!);
    }
  }
  let point: Float64Array;
  let combined: number[][];
  if (C === 1) {
    point = final.forecasts[0]!;
    combined = residuals[0]!;
  } else {
    const weights = candidateWeights(residuals, H);
    point = new Float64Array(H);
    combined = [];
    for (let h = 0; h < H; h++) {
      let p = 0;
      for (let c = 0; c < C; c++) p += weights[c]![h]! * final.forecasts[c]![h]!;
      point[h] = p;
      const count = residuals[0]![h]!.length;
      const list = new Array<number>(count).fill(0);
      for (let c = 0; c < C; c++) {
        const w = weights[c]![h]!;
        if (w === 0) continue;
        const r = residuals[c]![h]!;
        for (let i = 0; i < count; i++) list[i] = list[i]! + w * r[i]!;
      }
      combined.push(list);
    }
  }
  const offsets = conformalOffsets(combined, H, { halfLife: CONFORMAL_HALF_LIFE_ORIGINS });
  let lower: number[];
  let upper: number[];
  if (offsets === null) {
    // Too short to score the model on its own past: the spread of the last day around its median.
    const recent = history.subarray(Math.max(0, n - Math.max(prepared.context.dailyPeriod, 12)));
    const median = medianOf(recent);
    const sorted = Float64Array.from(recent).sort();
    const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))))]!;
    lower = new Array<number>(H).fill(Math.min(0, q(0.1) - median));
    upper = new Array<number>(H).fill(Math.max(0, q(0.9) - median));
    warnings.push({ path, message: `history of ${n} step(s) too short to calibrate P10/P90 on the model's own past forecasts (${origins} origin(s)): band = P10–P90 of the recent values around their median` });
  } else {
    const hourSteps = Math.max(1, Math.round(3600 / stepS));
    const ratio = Math.min(MAX_WIDEN, recentSpreadRatio(combined, hourSteps, RECENT_ORIGINS));
    const widen = ratio >= MIN_WIDEN ? ratio : 1;
    const rampSteps = WIDEN_RAMP_HOURS * hourSteps;
    const factor = (h: number): number => 1 + (widen - 1) * Math.min(1, Math.max(0, (h - hourSteps) / rampSteps));
    lower = Array.from(offsets.lower, (v, h) => v * factor(h));
    upper = Array.from(offsets.upper, (v, h) => v * factor(h));
    if (offsets.calibratedSteps < H) {
      warnings.push({ path, message: `P10/P90 calibrated up to ${formatLead(offsets.calibratedSteps * stepS)} ahead (history too short for more); carried flat beyond` });
    }
  }
  return {
    model: model.id,
    stepS,
    startS: startS + n * stepS,
    point: Array.from(point),
    lowerOffset: lower,
    upperOffset: upper,
    data: { points: n, fromS: startS, toS: startS + n * stepS },
    warnings,
  };
}

function formatLead(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
