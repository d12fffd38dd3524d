/**
 * Seasonal naive: each future step repeats the value one season earlier (the forecast every
 * forecasting paper must beat). Weekly falls back to daily on less than a week of history,
 * daily to the last value on less than a day.
 */
import { NO_DAILY, NO_WEEKLY, type ModelContext, type ModelForecast, type SeriesModel, constantForecast, seasonsAvailable } from './model.js';

/** Repeat the last `period` values forward (the season-naive forecast). */
export function repeatSeason(history: Float64Array, period: number, horizonSteps: number): Float64Array {
  const n = history.length;
  const out = new Float64Array(horizonSteps);
  for (let h = 0; h < horizonSteps; h++) out[h] = history[n - period + (h % period)]!;
  return out;
}

function naive(history: Float64Array, context: ModelContext, weekly: boolean): ModelForecast {
  const seasons = seasonsAvailable(history.length, context);
  const last = history.length > 0 ? history[history.length - 1]! : 0;
  if (!seasons.daily) {
    return { point: constantForecast(last, context.horizonSteps), fallbacks: context.dailyPeriod > 0 ? [`${NO_DAILY}: last value`] : [] };
  }
  if (weekly && seasons.weekly) return { point: repeatSeason(history, context.weeklyPeriod, context.horizonSteps), fallbacks: [] };
  return {
    point: repeatSeason(history, context.dailyPeriod, context.horizonSteps),
    fallbacks: weekly && context.weeklyPeriod > 0 ? [`${NO_WEEKLY}: daily seasonal naive`] : [],
  };
}

export const seasonalNaiveDaily: SeriesModel = {
  id: 'seasonal-naive-daily',
  description: 'each step repeats the value one day earlier',
  forecast: (history, context) => naive(history, context, false),
};

export const seasonalNaiveWeekly: SeriesModel = {
  id: 'seasonal-naive-weekly',
  description: 'each step repeats the value one week earlier',
  forecast: (history, context) => naive(history, context, true),
};
