/**
 * Rolling-origin backtest over the last part of a series (`apportion forecast eval`).
 *
 * Origins: every hour of epoch time (every step if the step is longer) inside the test region
 * (the last `testFraction` of the series, default a third). At each origin the model is fitted
 * and its conformal band calibrated exactly as fitSeries would on the series cut at that
 * origin (calibrate.ts; forecasts at the hourly grid are shared between origins, which is what
 * makes the run fast: a fit per grid origin, not per origin × calibration origin). Nothing at
 * or after an origin is read by its fit: imputation is causal and every calibration origin
 * lies before it.
 *
 * Scores per horizon (the value `horizonS` ahead, i.e. the step ending at origin + horizon):
 * - MASE (Hyndman & Koehler 2006): MAE / in-sample MAE of the daily seasonal-naive forecast
 *   over the history before the test region (lag one day; lag one step when the step is a day
 *   or longer); NaN when that scale is 0 or there is less than a day before the test region.
 * - relMae: MAE / the MAE of the better of daily and weekly seasonal naive, on the same
 *   origins (weekly only when every origin has a week of history).
 * - coverage: share of actuals inside P10–P90.
 */
import { InputError } from '../model/issues.js';
import { type ForecastCache, calibrateAndForecast, prepareSeries } from './calibrate.js';
import { DEFAULT_MODEL, MODELS } from './fit.js';
import { seriesModel } from './models/index.js';
import type { BacktestRow, Series } from './types.js';

export interface BacktestOptions {
  readonly horizonsS: readonly number[];
  /** Labels for the rows ('1h'); default formatHorizon of each horizon. */
  readonly labels?: readonly string[];
  /** Model ids; default [DEFAULT_MODEL]. */
  readonly models?: readonly string[];
  /** Share of the series (at its end) holding the origins; default 1/3. */
  readonly testFraction?: number;
  readonly path?: string;
}

const ORIGIN_SPACING_S = 3600;

const UNIT_S: Readonly<Record<string, number>> = { s: 1, sec: 1, m: 60, min: 60, h: 3600, hr: 3600, d: 86_400, w: 604_800 };

/** '1h' | '90m' | '2d' | '1w' | '30s' | '3600' (seconds) → seconds; InputError on anything else. */
export function parseHorizon(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match?.[2]?.toLowerCase() ?? '';
  const factor = unit === '' ? 1 : UNIT_S[unit];
  const value = match ? Number(match[1]) * (factor ?? Number.NaN) : Number.NaN;
  if (!Number.isFinite(value) || value <= 0) {
    throw new InputError('horizon', [
      {
        code: 'invalid_value',
        path: ['horizon'],
        message: `horizon ${JSON.stringify(text)} is not a positive duration: write e.g. 1h, 90m, 2d, 1w or seconds (3600)`,
        expected: 'a number with s, m, h, d or w',
        received: JSON.stringify(text),
      },
    ]);
  }
  return value;
}

export function formatHorizon(seconds: number): string {
  for (const [unit, factor] of [['w', 604_800], ['d', 86_400], ['h', 3600], ['m', 60]] as const) {
    if (seconds >= factor && seconds % factor === 0) return `${seconds / factor}${unit}`;
  }
  return `${seconds}s`;
}

interface Accumulator {
  sumAbs: number;
  sumDaily: number;
  sumWeekly: number;
  covered: number;
  count: number;
}

export function backtest(series: Series, options: BacktestOptions): BacktestRow[] {
  const path = options.path ?? 'series';
  const horizonsS = options.horizonsS;
  if (horizonsS.length === 0) throw new InputError(path, [{ code: 'invalid_value', path: ['horizon'], message: 'no horizon to backtest' }]);
  const models = options.models ?? [DEFAULT_MODEL];
  for (const id of models) {
    if (seriesModel(id) === undefined) {
      throw new InputError(path, [{ code: 'invalid_value', path: ['model'], message: `unknown forecast model ${JSON.stringify(id)}; known: ${Object.keys(MODELS).join(', ')}`, received: id }]);
    }
  }
  const testFraction = options.testFraction ?? 1 / 3;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new InputError(path, [{ code: 'invalid_value', path: ['testFraction'], message: `test fraction must be in (0, 1), got ${testFraction}`, received: String(testFraction) }]);
  }
  const prepared = prepareSeries(series, Math.max(...horizonsS), path);
  const { raw, values, stepS, context } = prepared;
  const N = raw.length;
  const D = context.dailyPeriod;
  const W = context.weeklyPeriod;
  const testStart = Math.max(1, N - Math.floor(N * testFraction));
  const leads = horizonsS.map((h) => Math.max(1, Math.ceil(h / stepS - 1e-9)));

  // In-sample scale: daily seasonal naive over the history before the test region.
  const scaleLag = D > 0 ? D : 1;
  let scaleSum = 0;
  let scaleCount = 0;
  for (let t = scaleLag; t < testStart; t++) {
    const a = raw[t]!;
    const b = raw[t - scaleLag]!;
    if (Number.isFinite(a) && Number.isFinite(b)) {
      scaleSum += Math.abs(a - b);
      scaleCount++;
    }
  }
  const scale = scaleCount > 0 ? scaleSum / scaleCount : Number.NaN;

  const s = Math.max(1, Math.round(ORIGIN_SPACING_S / stepS));
  const offset = Math.round(prepared.startS / stepS);
  const origins: number[] = [];
  for (let o = testStart; o < N; o++) if ((((offset + o) % s) + s) % s === 0 && o > prepared.firstFinite) origins.push(o);
  const weeklyUsable = W > 0 && origins.length > 0 && origins[0]! >= W;

  const rows: BacktestRow[] = [];
  for (const id of models) {
    const model = seriesModel(id)!;
    const cache: ForecastCache = new Map();
    const acc: Accumulator[] = leads.map(() => ({ sumAbs: 0, sumDaily: 0, sumWeekly: 0, covered: 0, count: 0 }));
    for (const o of origins) {
      const fit = calibrateAndForecast(prepared, o, model, cache, path);
      leads.forEach((k, index) => {
        const t = o + k - 1;
        if (t >= N) return;
        const actual = raw[t]!;
        if (!Number.isFinite(actual)) return;
        const point = fit.point[k - 1]!;
        const a = acc[index]!;
        a.sumAbs += Math.abs(actual - point);
        const lower = point + Math.min(0, fit.lowerOffset[k - 1]!);
        const upper = point + Math.max(0, fit.upperOffset[k - 1]!);
        // A zero-width band (a constant series) covers its own value up to rounding.
        const slack = 1e-9 * Math.max(1, Math.abs(point));
        if (actual >= lower - slack && actual <= upper + slack) a.covered++;
        const dailyLag = D > 0 ? D * Math.ceil(k / D) : k;
        a.sumDaily += Math.abs(actual - values[t - dailyLag]!);
        if (weeklyUsable) a.sumWeekly += Math.abs(actual - values[t - W * Math.ceil(k / W)]!);
        a.count++;
      });
    }
    leads.forEach((k, index) => {
      const a = acc[index]!;
      const mae = a.count > 0 ? a.sumAbs / a.count : Number.NaN;
      const maeDaily = a.count > 0 ? a.sumDaily / a.count : Number.NaN;
      const maeWeekly = weeklyUsable && a.count > 0 ? a.sumWeekly / a.count : null;
      const best = maeWeekly === null ? maeDaily : Math.min(maeDaily, maeWeekly);
      const horizonS = horizonsS[index]!;
      rows.push({
        horizon: options.labels?.[index] ?? formatHorizon(horizonS),
        horizonS,
        model: id,
        mase: scale > 0 && (D === 0 || testStart > D) ? mae / scale : Number.NaN,
        relMae: best > 0 ? mae / best : Number.NaN,
        coverage: a.count > 0 ? a.covered / a.count : Number.NaN,
        mae,
        maeSeasonalNaiveDaily: maeDaily,
        maeSeasonalNaiveWeekly: maeWeekly,
        origins: a.count,
      });
    });
  }
  return rows;
}
