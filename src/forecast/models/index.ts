/** The registry of series models by id (what `--model` offers). */
import { augursMstl } from './augurs-mstl.js';
import { seasonalEnsemble } from './ensemble.js';
import { decayingHistogram } from './decaying-histogram.js';
import { holtWinters } from './holt-winters.js';
import type { SeriesModel } from './model.js';
import { seasonalNaiveDaily, seasonalNaiveWeekly } from './seasonal-naive.js';
import { seasonalProfile } from './seasonal-profile.js';

export const SERIES_MODELS: readonly SeriesModel[] = [seasonalEnsemble, seasonalProfile, holtWinters, augursMstl, decayingHistogram, seasonalNaiveDaily, seasonalNaiveWeekly];

export function seriesModel(id: string): SeriesModel | undefined {
  return SERIES_MODELS.find((model) => model.id === id);
}
