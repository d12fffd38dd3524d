/**
 * Additive Holt-Winters with a daily season and a damped trend, dependency-free.
 *
 * The smoothing constants are chosen per fit from a small grid by one-step squared error over
 * the second half of the window (the first half warms the state up), so a fit is a handful of
 * linear passes. Innovations are clipped (as in the seasonal profile) so that one anomaly does
 * not bend the season for a week.
 */
import { type ModelContext, type ModelForecast, type SeriesModel, constantForecast, seasonFallbacks, seasonsAvailable } from './model.js';

const ALPHAS = [0.05, 0.2, 0.5] as const;
const GAMMAS = [0.05, 0.2] as const;
const BETA = 0.005;
const WINDOW_DAYS = 14;
const CLIP = 4;

interface State {
  level: number;
  trend: number;
  season: Float64Array;
  sse: number;
}

function run(x: Float64Array, from: number, period: number, alpha: number, gamma: number, phi: number, scoreFrom: number): State {
  const season = new Float64Array(period);
  let level = 0;
  for (let p = 0; p < period; p++) level += x[from + p]!;
  level /= period;
  for (let p = 0; p < period; p++) season[p] = x[from + p]! - level;
  let trend = 0;
  let sse = 0;
  let scale = 0;
  for (let p = 1; p < period; p++) scale += Math.abs(x[from + p]! - x[from + p - 1]!);
  scale = scale / Math.max(1, period - 1) || 1e-9;
  const n = x.length;
  for (let i = from + period; i < n; i++) {
    const p = (i - from) % period;
    const predicted = level + phi * trend + season[p]!;
    let e = x[i]! - predicted;
    if (i >= scoreFrom) sse += e * e;
    const limit = CLIP * scale;
    if (Math.abs(e) > limit) e = Math.sign(e) * limit;
    scale += 0.02 * (Math.min(Math.abs(e), limit) - scale);
    const previousLevel = level;
    level = level + phi * trend + alpha * e;
    trend = phi * trend + BETA * (level - previousLevel - phi * trend);
    season[p] = season[p]! + gamma * (1 - alpha) * e;
  }
  return { level, trend, season, sse };
}

export function forecastHoltWinters(history: Float64Array, context: ModelContext): ModelForecast {
  const n = history.length;
  const H = context.horizonSteps;
  const D = context.dailyPeriod;
  const fallbacks = seasonFallbacks(n, context).filter((f) => !f.startsWith('daily season only'));
  if (n === 0) return { point: constantForecast(0, H), fallbacks };
  if (!seasonsAvailable(n, context).daily || n < 2 * D) {
    // Less than two days: no season can be learnt and checked; simple exponential smoothing.
    let level = history[0]!;
    for (let i = 1; i < n; i++) level += 0.2 * (history[i]! - level);
    const phrase = seasonsAvailable(n, context).daily ? ['level only (history shorter than two days)'] : fallbacks;
    return { point: constantForecast(level, H), fallbacks: phrase };
  }
  const window = Math.min(n, WINDOW_DAYS * D);
  // Start the season at a whole number of days before the end, so phase 0 is the same time of day.
  const from = n - Math.floor(window / D) * D;
  const scoreFrom = from + Math.floor((n - from) / 2);
  const phi = Math.pow(0.5, context.stepS / (6 * 3600));
  let best: State | null = null;
  for (const alpha of ALPHAS) {
    for (const gamma of GAMMAS) {
      const state = run(history, from, D, alpha, gamma, phi, scoreFrom);
      if (best === null || state.sse < best.sse) best = state;
    }
  }
  const state = best!;
  const point = new Float64Array(H);
  let damp = 0;
  let phiPower = 1;
  for (let h = 0; h < H; h++) {
    phiPower *= phi;
    damp += phiPower;
    point[h] = state.level + damp * state.trend + state.season[(n - from + h) % D]!;
  }
  return { point, fallbacks };
}

export const holtWinters: SeriesModel = {
  id: 'holt-winters',
  description: 'additive Holt-Winters, daily season, damped trend, constants from a small grid by one-step error',
  forecast: forecastHoltWinters,
};
