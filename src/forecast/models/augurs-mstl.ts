/**
 * Adapter for Grafana's augurs MSTL + AutoETS (`@bsull/augurs`, WASM). The .wasm bytes are
 * read once, lazily, on the first fit (the only I/O in src/forecast/: the package does not
 * export the path, so it is resolved next to its module).
 *
 * augurs fits in ~55–65 ms on two weeks at 5 min with periods [288, 2016] (measured on this
 * machine), which alone exceeds the 50 ms fit budget before any conformal calibration, so the
 * history is averaged onto a coarser grid (30 min: ~11 ms per fit) and the forecast is
 * interpolated back onto the series' step.
 */
import { readFileSync } from 'node:fs';
import { MSTL, initSync } from '@bsull/augurs/mstl';
import { type ModelContext, type ModelForecast, type SeriesModel, constantForecast, seasonFallbacks, seasonsAvailable } from './model.js';

let initialised = false;

function ensureInitialised(): void {
  if (initialised) return;
  const url = new URL('mstl_bg.wasm', import.meta.resolve('@bsull/augurs/mstl'));
  initSync({ module: readFileSync(url) });
  initialised = true;
}

/** Target aggregated step for the fit. */
const AGGREGATE_S = 1800;

export function forecastAugursMstl(history: Float64Array, context: ModelContext): ModelForecast {
  const n = history.length;
  const H = context.horizonSteps;
  const fallbacks = seasonFallbacks(n, context);
  const seasons = seasonsAvailable(n, context);
  if (n === 0) return { point: constantForecast(0, H), fallbacks };
  const k = Math.max(1, Math.min(Math.round(AGGREGATE_S / context.stepS), Math.floor(n / 8) || 1));
  const m = Math.floor(n / k);
  const y = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let sum = 0;
    const start = n - (m - j) * k;
    for (let i = start; i < start + k; i++) sum += history[i]!;
    y[j] = sum / k;
  }
  const periods: number[] = [];
  if (seasons.daily) periods.push(Math.max(2, Math.round(context.dailyPeriod / k)));
  if (seasons.weekly) periods.push(Math.max(3, Math.round(context.weeklyPeriod / k)));
  const blocks = Math.ceil(H / k) + 1;
  let aggregated: number[];
  try {
    ensureInitialised();
    // MSTL needs at least two cycles of its longest period; fewer periods otherwise.
    while (periods.length > 0 && m < 2 * periods[periods.length - 1]!) periods.pop();
    if (m < 4) throw new Error('too short');
    const model = MSTL.ets(periods);
    try {
      model.fit(y);
      aggregated = model.predict(blocks, null).point;
    } finally {
      model.free();
    }
    if (aggregated.length < blocks || !aggregated.every(Number.isFinite)) throw new Error('non-finite forecast');
  } catch {
    const last = y[m - 1] ?? history[n - 1]!;
    return { point: constantForecast(last, H), fallbacks: [...fallbacks, 'last value (augurs could not fit)'] };
  }
  // Interpolate between block centres; block −1 is the last history block.
  const point = new Float64Array(H);
  const previous = y[m - 1]!;
  for (let h = 0; h < H; h++) {
    const u = (h - (k - 1) / 2) / k;
    const lower = Math.floor(u);
    const frac = u - lower;
    const a = lower < 0 ? previous : aggregated[lower]!;
    const b = aggregated[lower + 1]!;
    point[h] = a + frac * (b - a);
  }
  return { point, fallbacks };
}

export const augursMstl: SeriesModel = {
  id: 'augurs-mstl',
  description: 'augurs MSTL + AutoETS (WASM) on 30-min averages, daily + weekly periods, interpolated back',
  forecast: forecastAugursMstl,
  // ~11 ms a fit: calibrate on origins every 4 h (24 per step) to stay near a second.
  calibration: { spacingS: 4 * 3600, origins: 24 },
};
