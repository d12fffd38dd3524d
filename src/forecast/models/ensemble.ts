/**
 * The seasonal ensemble: candidate forecasts that each win on some kind of series, weighted
 * per series and per horizon step by how they did on the series' own recent past (the
 * rolling-origin residuals that also calibrate the band, calibrate.ts), so the choice is made
 * by numbers and before the origin, never after.
 *
 * One seasonal decomposition (seasonal-profile.ts), re-based at detected level shifts
 * (level-shift.ts), serves three level/season variants:
 * - profile: each phase of the weekly term shrunk by its own signal-to-noise ratio (a weekend
 *   drop many times the noise is kept from its first occurrence, weekday wiggles of the size
 *   of the noise mostly go, so one odd day last week is not forecast again), level damped
 *   toward the last day (3 h);
 * - profile-weekly: the weekly pattern taken in full (two weeks with a strong weekend);
 * - profile-tracking: anchored on the last 2 h, slow damping (a level shift is believed);
 * plus seasonal naive weekly (exact repetition) and the decaying-histogram median (flat: a
 * noisy series with no usable season), both on the re-based history.
 *
 * (A profile-daily variant without any weekly term used to be a candidate: it won on the
 * weekdays of the calibration window, by noise, and was then chosen for a weekend it could not
 * forecast; the per-phase shrinkage of `profile` does its job without that failure.)
 */
import { forecastDecayingHistogram } from './decaying-histogram.js';
import { type CandidateForecasts, type ModelContext, type SeriesModel } from './model.js';
import { seasonalNaiveWeekly } from './seasonal-naive.js';
import { DEFAULT_PROFILE_PARAMS, type LevelVariant, decompose, forecastFromDecomposition } from './seasonal-profile.js';

const BASE: LevelVariant = DEFAULT_PROFILE_PARAMS;

const VARIANTS: readonly (readonly [string, LevelVariant])[] = [
  ['profile', { ...BASE, weeklyWiener: true }],
  ['profile-weekly', { ...BASE, weeklyShrinkWeeks: 0 }],
  ['profile-tracking', { ...BASE, levelAlpha: 0.3, dampHalfLifeS: 24 * 3600, anchorDayFraction: 2 / 24 }],
];

export function ensembleCandidates(history: Float64Array, context: ModelContext): CandidateForecasts {
  const decomposition = decompose(history, context);
  const ids: string[] = [];
  const forecasts: Float64Array[] = [];
  for (const [id, variant] of VARIANTS) {
    ids.push(id);
    forecasts.push(forecastFromDecomposition(decomposition, context, variant));
  }
  // The candidates without a level of their own see the history re-based at a detected shift.
  let rebased = history;
  if (decomposition.shifts.length > 0) {
    rebased = history.slice();
    for (const shift of decomposition.shifts) for (let i = 0; i < shift.at; i++) rebased[i] = rebased[i]! + shift.delta;
  }
  ids.push('seasonal-naive-weekly');
  forecasts.push(seasonalNaiveWeekly.forecast(rebased, context).point);
  ids.push('decaying-histogram');
  forecasts.push(forecastDecayingHistogram(rebased, context).point);
  for (const f of forecasts) {
    for (let h = 0; h < f.length; h++) if (!Number.isFinite(f[h]!)) f[h] = history.length > 0 ? history[history.length - 1]! : 0;
  }
  return { ids, forecasts, fallbacks: decomposition.fallbacks };
}

export const seasonalEnsemble: SeriesModel = {
  id: 'seasonal-ensemble',
  description: 'seasonal-profile variants + weekly seasonal naive + decaying-histogram median, weighted per horizon by their recent rolling-origin error',
  forecast: (history, context) => {
    const { forecasts, fallbacks } = ensembleCandidates(history, context);
    const point = new Float64Array(context.horizonSteps);
    for (const f of forecasts) for (let h = 0; h < point.length; h++) point[h] = point[h]! + f[h]! / forecasts.length;
    return { point, fallbacks };
  },
  candidates: ensembleCandidates,
};
