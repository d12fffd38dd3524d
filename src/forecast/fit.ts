/**
 * fitSeries / forecastSeries: a point forecast over the horizon from the chosen model plus
 * conformal P10/P90 offsets by horizon step, calibrated on rolling-origin residuals of the
 * same model over the history itself (calibrate.ts). Pure: plain data in, plain data out.
 */
import { InputError, type InputIssue } from '../model/issues.js';
import { calibrateAndForecast, prepareSeries } from './calibrate.js';
import { SERIES_MODELS, seriesModel } from './models/index.js';
import type { QuantileForecast, Series, SeriesFit } from './types.js';

/** Chosen by the numbers of bench/forecast-accuracy.ts (see BENCHMARKS.md). */
export const DEFAULT_MODEL = 'seasonal-ensemble';

/** Model id → what it is (for `--model` and the CLI's help). */
export const MODELS: Readonly<Record<string, string>> = Object.fromEntries(SERIES_MODELS.map((model) => [model.id, model.description]));

export interface FitOptions {
  readonly model?: string;
  readonly horizonS: number;
  /** Where the series came from, for warnings and errors (`telemetry[0].file`). */
  readonly path?: string;
}

export function fitSeries(series: Series, options: FitOptions): SeriesFit {
  const path = options.path ?? 'series';
  const id = options.model ?? DEFAULT_MODEL;
  const model = seriesModel(id);
  if (model === undefined) {
    const issue: InputIssue = {
      code: 'invalid_value',
      path: [path, 'model'],
      message: `unknown forecast model ${JSON.stringify(id)}; known: ${Object.keys(MODELS).join(', ')}`,
      received: id,
    };
    throw new InputError(path, [issue]);
  }
  const prepared = prepareSeries(series, options.horizonS, path);
  return calibrateAndForecast(prepared, prepared.values.length, model, new Map(), path);
}

export function forecastSeries(fit: SeriesFit): QuantileForecast {
  const H = fit.point.length;
  const p10 = new Float64Array(H);
  const p50 = new Float64Array(H);
  const p90 = new Float64Array(H);
  for (let h = 0; h < H; h++) {
    const point = fit.point[h]!;
    p50[h] = point;
    p10[h] = point + Math.min(0, fit.lowerOffset[h] ?? 0);
    p90[h] = point + Math.max(0, fit.upperOffset[h] ?? 0);
  }
  return { startS: fit.startS, stepS: fit.stepS, p10, p50, p90 };
}
