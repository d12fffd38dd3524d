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
import { detectLevelShifts, noiseAndCentre } from './level-shift.js';
import { circularSmooth, centre, medianOf, weightedMedian } from './robust.js';
import { type ModelContext, type ModelForecast, type SeriesModel, constantForecast, recentMean, seasonFallbacks, seasonsAvailable } from './model.js';

export interface SeasonalProfileParams {
  /** Days of history used (older history is ignored: the seasons drift). */
  readonly windowDays: number;
  /** Half-life in days of the weight a day gets in the daily profile. */
  readonly profileHalfLifeDays: number;
  /** Smoothing radius of the daily profile as a fraction of a day (0.01 ≈ 15 min each side). */
  readonly profileSmoothDayFraction: number;
  /** Weekly adjustment = mean over c occurrences × c / (c + weeklyShrinkWeeks); negative: no weekly term. */
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
  /** Extrapolate the Theil–Sen slope of the daily means. */
  readonly trend: boolean;
  /**
   * Re-base the window before a detected level shift to the level after it (level-shift.ts),
   * so the weekly term and the level anchor do not mix the two levels.
   */
  readonly levelShifts: boolean;
}

/** Residuals beyond this many noise scales from their median are clipped before the weekly means. */
const WEEKLY_CLIP_SIGMAS = 25;

export const DEFAULT_PROFILE_PARAMS: SeasonalProfileParams = {
  windowDays: 14,
  profileHalfLifeDays: 7,
  profileSmoothDayFraction: 0.01,
  weeklyShrinkWeeks: 0.5,
  weeklySmoothDayFraction: 0.04,
  levelAlpha: 0.2,
  dampHalfLifeS: 3 * 3600,
  anchorDayFraction: 1,
  clip: 3,
  trend: true,
  levelShifts: true,
};

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

/**
 * Slope per step: the median of the day-over-day changes of the daily means (a level shift
 * moves one change, not the median; a steady trend moves them all).
 */
function dailySlope(x: Float64Array, n: number, period: number, days: number): number {
  if (days < 3) return 0;
  const means = new Float64Array(days);
  for (let b = 0; b < days; b++) {
    const end = n - b * period;
    let sum = 0;
    for (let i = end - period; i < end; i++) sum += x[i]!;
    means[b] = sum / period;
  }
  const changes = new Float64Array(days - 1);
  for (let b = 0; b + 1 < days; b++) changes[b] = (means[b]! - means[b + 1]!) / period;
  return medianOf(changes);
}


/** Level parameters of one forecast made from a decomposition. */
export interface LevelVariant {
  readonly levelAlpha: number;
  readonly dampHalfLifeS: number;
  readonly anchorDayFraction: number;
  /** Weekly adjustment shrink (c / (c + shrink)); negative: no weekly term. */
  readonly weeklyShrinkWeeks: number;
  /**
   * Shrink each phase of the weekly term by its own signal-to-noise ratio instead
   * (m² / (m² + σ²/c), σ² the noise of one occurrence): a weekend drop many times the noise is
   * kept whole from its first occurrence, weekday wiggles of the size of the noise mostly go.
   */
  readonly weeklyWiener?: boolean;
}

/**
 * Per-phase Wiener shrinkage of weekly means m (c occurrences each): m is first centred on its
 * median (the phases without a weekly effect, when the effect covers under half the week);
 * σ² = median(m²·c) / 0.455 (the median of a χ²₁ is 0.455), the noise variance of one
 * occurrence if most phases carry noise only.
 */
export function wienerWeekly(mean: Float64Array, count: Float64Array): Float64Array {
  const W = mean.length;
  // Medians over every fourth phase: the means are smoothed over an hour, so neighbours say
  // nearly the same, and these medians are most of the model's cost otherwise.
  const stride = W >= 400 ? 4 : 1;
  const sample = new Float64Array(Math.ceil(W / stride));
  for (let q = 0, i = 0; q < W; q += stride, i++) sample[i] = mean[q]!;
  const mid = medianOf(sample);
  for (let q = 0, i = 0; q < W; q += stride, i++) sample[i] = (mean[q]! - mid) * (mean[q]! - mid) * count[q]!;
  const sigma2 = medianOf(sample) / 0.455;
  const out = new Float64Array(W);
  for (let q = 0; q < W; q++) {
    const m = mean[q]! - mid;
    const c = count[q]!;
    const signal = m * m;
    out[q] = c > 0 && signal > 0 ? (m * signal) / (signal + sigma2 / c) : 0;
  }
  return out;
}

/** The seasonal decomposition of a history, shared by every level variant forecast from it. */
export interface Decomposition {
  readonly n: number;
  readonly span: number;
  readonly unit: number;
  /** Slope per step and the detrended window y (y[k] ↔ history[n − span + k]). */
  readonly slope: number;
  readonly y: Float64Array;
  readonly daily: Float64Array | null;
  /** Per phase of the week: mean residual after the daily profile (smoothed) and occurrences. */
  readonly weeklyMean: Float64Array | null;
  readonly weeklyCount: Float64Array | null;
  /**
   * The level shifts the window was re-based for, latest first (index into the history, not
   * the window): history before shifts[i].at moves by the deltas of shifts 0..i.
   */
  readonly shifts: readonly { readonly at: number; readonly delta: number }[];
  readonly fallbacks: readonly string[];
}

function weeklyMeans(z: Float64Array, span: number, period: number, weeklyPeriod: number, smoothFraction: number): { mean: Float64Array; count: Float64Array } {
  // What the daily profile leaves (z), averaged per phase of the week over every occurrence in
  // the window and centred on the window's mean (the window is detrended, so a trend is not
  // taken for a weekly pattern). z arrives winsorised (decompose): a burst would otherwise
  // return every week as a "weekly" bump, a mean over one or two occurrences.
  const sum = new Float64Array(weeklyPeriod);
  const count = new Float64Array(weeklyPeriod);
  let total = 0;
  // span is whole days: window index k is phase (k − span) mod W of the week.
  let q = (((-span) % weeklyPeriod) + weeklyPeriod) % weeklyPeriod;
  for (let k = 0; k < span; k++) {
    const r = z[k]!;
    sum[q] = sum[q]! + r;
    count[q] = count[q]! + 1;
    total += r;
    q = q + 1 === weeklyPeriod ? 0 : q + 1;
  }
  const grand = span > 0 ? total / span : 0;
  const mean = new Float64Array(weeklyPeriod);
  for (let p = 0; p < weeklyPeriod; p++) mean[p] = count[p]! > 0 ? sum[p]! / count[p]! - grand : 0;
  return { mean: circularSmooth(mean, Math.round(smoothFraction * period)), count };
}

export function decompose(history: Float64Array, context: ModelContext, params: SeasonalProfileParams = DEFAULT_PROFILE_PARAMS): Decomposition {
  const n = history.length;
  const fallbacks = seasonFallbacks(n, context);
  const seasons = seasonsAvailable(n, context);
  const D = context.dailyPeriod;
  const W = context.weeklyPeriod;
  const unit = D > 0 ? D : Math.min(Math.max(n, 1), 288);
  const window = Math.min(n, Math.max(1, Math.round(params.windowDays * unit)));
  const days = seasons.daily ? Math.max(1, Math.floor(window / D)) : 0;
  const span = seasons.daily ? days * D : window;
  const slope = seasons.daily && params.trend ? dailySlope(history, n, D, Math.min(days, 7)) : 0;
  const y = new Float64Array(span);
  for (let k = 0; k < span; k++) y[k] = history[n - span + k]! - slope * (k - span);
  let daily: Float64Array | null = null;
  let weeklyMean: Float64Array | null = null;
  let weeklyCount: Float64Array | null = null;
  const shifts: { at: number; delta: number }[] = [];
  if (seasons.daily) {
    daily = dailyProfile(y, span, D, days, params);
    // What the daily profile leaves (span is whole days: window index k is phase k mod D).
    const z = new Float64Array(span);
    for (let k = 0, p = 0; k < span; k++, p = p + 1 === D ? 0 : p + 1) z[k] = y[k]! - daily[p]!;
    if (params.levelShifts) {
      // The daily profile is robust to a shift (each day centred on its own mean, medians over
      // days); the level and the weekly term are not: re-base the window before a shift.
      const hourSteps = Math.max(1, Math.round(D / 24));
      for (const found of detectLevelShifts(z, { hourSteps, minAfter: hourSteps, weeklyPeriod: seasons.weekly ? W : 0 })) {
        for (let k = 0; k < found.at; k++) {
          y[k] = y[k]! + found.delta;
          z[k] = z[k]! + found.delta;
        }
        shifts.push({ at: n - span + found.at, delta: found.delta });
      }
    }
    if (seasons.weekly) {
      // A burst far beyond the noise (tens of σ) is an anomaly, not a weekly pattern: a mean
      // over one or two occurrences would forecast it again next week. Winsorise it.
      const { sigma, centre: mid } = noiseAndCentre(z, Math.max(1, Math.round(D / 24)));
      if (sigma > 0) {
        const limit = WEEKLY_CLIP_SIGMAS * sigma;
        for (let k = 0; k < span; k++) z[k] = Math.max(mid - limit, Math.min(mid + limit, z[k]!));
      }
      const weekly = weeklyMeans(z, span, D, W, params.weeklySmoothDayFraction);
      weeklyMean = weekly.mean;
      weeklyCount = weekly.count;
    }
  }
  return { n, span, unit, slope, y, daily, weeklyMean, weeklyCount, shifts, fallbacks };
}

/** A point forecast of `context.horizonSteps` steps from a decomposition with one level variant. */
export function forecastFromDecomposition(decomposition: Decomposition, context: ModelContext, variant: LevelVariant, clip = DEFAULT_PROFILE_PARAMS.clip): Float64Array {
  const { span, unit, slope, y, daily } = decomposition;
  const H = context.horizonSteps;
  if (span === 0) return constantForecast(0, H);
  const D = context.dailyPeriod;
  const W = context.weeklyPeriod;
  let weekly: Float64Array | null = null;
  if (decomposition.weeklyMean !== null && decomposition.weeklyCount !== null && variant.weeklyWiener === true) {
    weekly = wienerWeekly(decomposition.weeklyMean, decomposition.weeklyCount);
    centre(weekly);
  } else if (decomposition.weeklyMean !== null && decomposition.weeklyCount !== null && variant.weeklyShrinkWeeks >= 0) {
    weekly = new Float64Array(W);
    for (let q = 0; q < W; q++) {
      const c = decomposition.weeklyCount[q]!;
      weekly[q] = (decomposition.weeklyMean[q]! * c) / (c + variant.weeklyShrinkWeeks);
    }
    centre(weekly);
  }
  // The seasonal value at offset k from the end of the window, walked step by step (phase
  // counters instead of a modulo per step: this loop is much of the model's cost).
  const fillSeasonal = (out: Float64Array, fromOffset: number): void => {
    let pd = D > 0 ? ((fromOffset % D) + D) % D : 0;
    let pw = W > 0 ? ((fromOffset % W) + W) % W : 0;
    for (let i = 0; i < out.length; i++) {
      out[i] = (daily === null ? 0 : daily[pd]!) + (weekly === null ? 0 : weekly[pw]!);
      if (++pd === D) pd = 0;
      if (++pw === W) pw = 0;
    }
  };
  // Deseasonalised recent history: two days (or all there is).
  const recentCount = Math.min(span, 2 * unit);
  const recent = new Float64Array(recentCount);
  fillSeasonal(recent, -recentCount);
  for (let j = 0; j < recentCount; j++) recent[j] = y[span - recentCount + j]! - recent[j]!;
  // Robust level: exponential smoothing with innovations clipped at `clip` mean absolute innovations.
  let level = recent[0]!;
  let scale = 0;
  const warm = Math.min(recentCount - 1, 48);
  for (let j = 1; j <= warm; j++) scale += Math.abs(recent[j]! - recent[j - 1]!);
  scale = warm > 0 ? scale / warm : 0;
  for (let j = 1; j < recentCount; j++) {
    const d = recent[j]!;
    let e = d - level;
    const limit = clip * scale;
    if (scale > 0 && (e > limit || e < -limit)) e = e > 0 ? limit : -limit;
    level += variant.levelAlpha * e;
    scale += 0.05 * (Math.abs(d - level) - scale);
  }
  // Anchor: median of the last anchor window (detrended, so a trend does not make it lag).
  const anchorCount = Math.max(1, Math.min(recentCount, Math.round(variant.anchorDayFraction * unit)));
  const anchor = medianOf(recent, recentCount - anchorCount, recentCount);
  const phi = Math.pow(0.5, context.stepS / Math.max(1, variant.dampHalfLifeS));
  const point = new Float64Array(H);
  fillSeasonal(point, 0);
  let deviation = level - anchor;
  for (let h = 0; h < H; h++) {
    deviation *= phi;
    point[h] = anchor + deviation + point[h]! + slope * h;
  }
  return point;
}

export function forecastSeasonalProfile(history: Float64Array, context: ModelContext, params: SeasonalProfileParams = DEFAULT_PROFILE_PARAMS): ModelForecast {
  const n = history.length;
  const H = context.horizonSteps;
  const decomposition = decompose(history, context, params);
  if (n < 2) return { point: constantForecast(n === 1 ? history[0]! : 0, H), fallbacks: decomposition.fallbacks };
  const point = forecastFromDecomposition(decomposition, context, params, params.clip);
  if (!point.every(Number.isFinite)) return { point: constantForecast(recentMean(history, context.dailyPeriod || 12), H), fallbacks: decomposition.fallbacks };
  return { point, fallbacks: decomposition.fallbacks };
}

export function seasonalProfileModel(id: string, description: string, params: SeasonalProfileParams): SeriesModel {
  return { id, description, forecast: (history, context) => forecastSeasonalProfile(history, context, params) };
}

export const seasonalProfile = seasonalProfileModel(
  'seasonal-profile',
  'robust daily + weekly profiles (recency-weighted medians over days), robust slope, clipped level damped toward the last day',
  DEFAULT_PROFILE_PARAMS,
);
