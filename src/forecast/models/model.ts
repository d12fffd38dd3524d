/**
 * What every series model is: a pure function from a complete history (gaps already imputed,
 * oldest first) to a point forecast of the next `horizonSteps` steps. Models never see the
 * future and never throw on finite input; when the history is too short for a season they
 * forecast with what they have and say so in `fallbacks`, which fit.ts turns into warnings.
 */

export interface ModelContext {
  readonly stepS: number;
  readonly horizonSteps: number;
  /** Steps per day (0 when the step is a day or longer: no daily season). */
  readonly dailyPeriod: number;
  /** Steps per week (0 when there is no weekly season at this step). */
  readonly weeklyPeriod: number;
}

export interface ModelForecast {
  readonly point: Float64Array;
  /** Phrases naming what the model did instead, e.g. 'daily season only (history shorter than a week)'. */
  readonly fallbacks: readonly string[];
}

export interface SeriesModel {
  readonly id: string;
  readonly description: string;
  forecast(history: Float64Array, context: ModelContext): ModelForecast;
  /**
   * Rolling-origin calibration for slow models: origins every `spacingS`, at most `origins`
   * residuals per horizon step (default: hourly, 60 = two and a half days).
   */
  readonly calibration?: { readonly spacingS: number; readonly origins: number };
  /**
   * An ensemble: several candidate forecasts from one fit. fit.ts weights them per horizon
   * step by their rolling-origin errors before the origin (calibrate.ts); `forecast` alone
   * returns their plain mean.
   */
  candidates?(history: Float64Array, context: ModelContext): CandidateForecasts;
}

export interface CandidateForecasts {
  readonly ids: readonly string[];
  readonly forecasts: readonly Float64Array[];
  readonly fallbacks: readonly string[];
}

const DAY_S = 86_400;
const WEEK_S = 7 * DAY_S;

/** Season lengths in steps for a step; a season needs at least two steps per cycle. */
export function contextFor(stepS: number, horizonSteps: number): ModelContext {
  const daily = Math.round(DAY_S / stepS);
  const weekly = Math.round(WEEK_S / stepS);
  return {
    stepS,
    horizonSteps,
    dailyPeriod: daily >= 2 ? daily : 0,
    weeklyPeriod: weekly >= 2 && weekly > daily ? weekly : 0,
  };
}

/** Which seasons a history of `n` steps supports: one full cycle of each. */
export function seasonsAvailable(n: number, context: ModelContext): { daily: boolean; weekly: boolean } {
  const daily = context.dailyPeriod > 0 && n >= context.dailyPeriod;
  const weekly = daily && context.weeklyPeriod > 0 && n >= context.weeklyPeriod;
  return { daily, weekly };
}

export const NO_WEEKLY = 'daily season only (history shorter than a week)';
export const NO_DAILY = 'level only (history shorter than a day)';

/** The fallback phrases for a history of `n` steps when a model wants both seasons. */
export function seasonFallbacks(n: number, context: ModelContext): string[] {
  const seasons = seasonsAvailable(n, context);
  if (!seasons.daily) return context.dailyPeriod > 0 ? [NO_DAILY] : [];
  if (!seasons.weekly && context.weeklyPeriod > 0) return [NO_WEEKLY];
  return [];
}

/** Mean of the last `count` values (the level fallback every model shares). */
export function recentMean(history: Float64Array, count: number): number {
  const n = history.length;
  const from = Math.max(0, n - Math.max(1, count));
  let sum = 0;
  for (let i = from; i < n; i++) sum += history[i]!;
  return n === 0 ? 0 : sum / (n - from);
}

export function constantForecast(value: number, horizonSteps: number): Float64Array {
  return new Float64Array(horizonSteps).fill(value);
}
