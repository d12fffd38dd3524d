/**
 * Seasonal profile + damped level: an STL/MSTL-style decomposition of our own, robust and
 * dependency-free.
 *
 * - Daily profile: the history is cut into whole days counted back from its end; each day is
 *   centred on its own mean (so level shifts between days do not leak into the shape) and the
 *   profile at each time of day is the recency-weighted median over days (a one-off spike on
 *   one day does not move it), lightly smoothed across neighbouring steps.
 * - Weekly adjustment: what is left after the daily profile, centred per week and averaged
 *   over whole weeks, smoothed over an hour and shrunk toward zero when few weeks back it
 *   (with two weeks, one odd day would otherwise be forecast again).
 * - Level: a robust (clipped-innovation) exponentially smoothed level of the deseasonalised
 *   series, damped toward the median of the last day for longer horizons: a fresh excursion
 *   is believed for the next hour, not for tomorrow.
 *
 * Cost: O(window) per fit with a window of at most `windowDays` days.
 */
import { circularSmooth, centre, medianOf, weightedMedian } from './robust.js';
import { type ModelContext, type ModelForecast, type SeriesModel, constantForecast, recentMean, seasonFallbacks, seasonsAvailable } from './model.js';

export interface SeasonalProfileParams {
  /** Days of history used (older history is ignored: the seasons drift). */
  readonly windowDays: number;
  /** Half-life in days of the weight a day gets in the daily profile. */
  readonly profileHalfLifeDays: number;
  /** Smoothing radius of the daily profile as a fraction of a day (0.01 ≈ 15 min each side). */
  readonly profileSmoothDayFraction: number;
  /** Weekly adjustment = mean over w weeks × w / (w + weeklyShrinkWeeks). */
  readonly weeklyShrinkWeeks: number;
  /** Smoothing fraction of a day for the weekly adjustment (its noise is larger). */
  readonly weeklySmoothDayFraction: number;
  /** Smoothing constant of the level per step. */
  readonly levelAlpha: number;
  /** Half-life in seconds of the deviation of the level from the recent median (damping). */
  readonly dampHalfLifeS: number;
  /** Window (fraction of a day) of the median the level is damped toward. */
  readonly anchorDayFraction: number;
  /** Innovations beyond this many mean-absolute-innovations are clipped (anomalies). */
  readonly clip: number;
}

export const DEFAULT_PROFILE_PARAMS: SeasonalProfileParams = {
  windowDays: 14,
  profileHalfLifeDays: 7,
  profileSmoothDayFraction: 0.01,
  weeklyShrinkWeeks: 1,
  weeklySmoothDayFraction: 0.04,
  levelAlpha: 0.2,
  dampHalfLifeS: 3 * 3600,
  anchorDayFraction: 1,
  clip: 3,
};

/** The seasonal component for the window and the future, as one function of the index offset from the end. */
interface Seasonal {
  /** s(k) for k = index − n (negative: history, ≥ 0: future). */
  at(k: number): number;
}

function dailyProfile(x: Float64Array, n: number, period: number, days: number, params: SeasonalProfileParams): Float64Array {
  const blockMeans = new Float64Array(days);
  for (let b = 0; b < days; b++) {
    let sum = 0;
    const end = n - b * period;
    for (let i = end - period; i < end; i++) sum += x[i]!;
    blockMeans[b] = sum / period;
  }
  const decay = Math.pow(0.5, 1 / Math.max(1e-9, params.profileHalfLifeDays));
  const weights = new Float64Array(days);
  const values = new Float64Array(days);
  const scratchW = new Float64Array(days);
  for (let b = 0; b < days; b++) weights[b] = Math.pow(decay, b);
  const profile = new Float64Array(period);
  for (let p = 0; p < period; p++) {
    for (let b = 0; b < days; b++) {
      values[b] = x[n - (b + 1) * period + p]! - blockMeans[b]!;
      scratchW[b] = weights[b]!;
    }
    profile[p] = weightedMedian(values, scratchW, days);
  }
  const smooth = circularSmooth(profile, Math.round(params.profileSmoothDayFraction * period));
  centre(smooth);
  return smooth;
}

function weeklyAdjustment(x: Float64Array, n: number, daily: Float64Array, period: number, weeklyPeriod: number, weeks: number, params: SeasonalProfileParams): Float64Array {
  const sum = new Float64Array(weeklyPeriod);
  for (let w = 0; w < weeks; w++) {
    const start = n - (w + 1) * weeklyPeriod;
    let mean = 0;
    for (let q = 0; q < weeklyPeriod; q++) mean += x[start + q]! - daily[(((start + q - n) % period) + period) % period]!;
    mean /= weeklyPeriod;
    for (let q = 0; q < weeklyPeriod; q++) sum[q] = sum[q]! + x[start + q]! - daily[(((start + q - n) % period) + period) % period]! - mean;
  }
  const shrink = 1 / (weeks + params.weeklyShrinkWeeks);
  for (let q = 0; q < weeklyPeriod; q++) sum[q] = sum[q]! * shrink;
  const smooth = circularSmooth(sum, Math.round(params.weeklySmoothDayFraction * period));
  centre(smooth);
  return smooth;
}

export function forecastSeasonalProfile(history: Float64Array, context: ModelContext, params: SeasonalProfileParams = DEFAULT_PROFILE_PARAMS): ModelForecast {
  const n = history.length;
  const H = context.horizonSteps;
  const fallbacks = seasonFallbacks(n, context);
  if (n === 0) return { point: constantForecast(0, H), fallbacks };
  const seasons = seasonsAvailable(n, context);
  const D = context.dailyPeriod;
  const W = context.weeklyPeriod;
  let seasonal: Seasonal = { at: () => 0 };
  let window = Math.min(n, Math.max(1, Math.round(params.windowDays * (D > 0 ? D : 1))));
  if (seasons.daily) {
    const days = Math.max(1, Math.min(Math.floor(window / D), Math.floor(n / D)));
    const daily = dailyProfile(history, n, D, days, params);
    let weekly: Float64Array | null = null;
    if (seasons.weekly) {
      const weeks = Math.max(1, Math.min(Math.floor(window / W), Math.floor(n / W)));
      weekly = weeklyAdjustment(history, n, daily, D, W, weeks, params);
    }
    const w = weekly;
    seasonal = {
      at: (k) => daily[((k % D) + D) % D]! + (w === null ? 0 : w[((k % W) + W) % W]!),
    };
    window = Math.min(n, Math.max(window, D));
  } else if (n < 2) {
    return { point: constantForecast(history[n - 1]!, H), fallbacks };
  }

  // Deseasonalised window; level by clipped exponential smoothing.
  const from = n - window;
  const alpha = params.levelAlpha;
  let level = history[from]! - seasonal.at(from - n);
  // Mean absolute innovation, started from the first differences of the deseasonalised window.
  let scale = 0;
  {
    let count = 0;
    let previous = level;
    for (let i = from + 1; i < Math.min(n, from + 1 + 48); i++) {
      const d = history[i]! - seasonal.at(i - n);
      scale += Math.abs(d - previous);
      previous = d;
      count++;
    }
    scale = count > 0 ? scale / count : 0;
  }
  for (let i = from + 1; i < n; i++) {
    const d = history[i]! - seasonal.at(i - n);
    let e = d - level;
    const limit = params.clip * scale;
    if (scale > 0 && Math.abs(e) > limit) e = Math.sign(e) * limit;
    level += alpha * e;
    scale = scale + 0.05 * (Math.abs(d - level) - scale);
  }
  const anchorCount = Math.max(1, Math.round(params.anchorDayFraction * (D > 0 ? D : Math.min(n, 288))));
  const deseasonalised = new Float64Array(Math.min(anchorCount, n));
  for (let j = 0; j < deseasonalised.length; j++) {
    const i = n - deseasonalised.length + j;
    deseasonalised[j] = history[i]! - seasonal.at(i - n);
  }
  const anchor = medianOf(deseasonalised);
  const phi = Math.pow(0.5, context.stepS / Math.max(1, params.dampHalfLifeS));
  const point = new Float64Array(H);
  let deviation = level - anchor;
  for (let h = 0; h < H; h++) {
    deviation *= phi;
    point[h] = anchor + deviation + seasonal.at(h);
  }
  if (!Number.isFinite(point[0]!)) return { point: constantForecast(recentMean(history, D || 12), H), fallbacks };
  return { point, fallbacks };
}

export function seasonalProfileModel(id: string, description: string, params: SeasonalProfileParams): SeriesModel {
  return { id, description, forecast: (history, context) => forecastSeasonalProfile(history, context, params) };
}

export const seasonalProfile = seasonalProfileModel(
  'seasonal-profile',
  'robust daily + weekly profiles (recency-weighted medians over days) and a clipped, damped level',
  DEFAULT_PROFILE_PARAMS,
);
