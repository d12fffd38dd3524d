/**
 * A decaying-weight histogram in the style of the Kubernetes VPA recommender: every sample
 * enters with a weight that doubles each half-life (VPA: 24 h), so old samples fade without
 * being dropped, and forecasts are percentiles of the weighted histogram. The point forecast
 * is the weighted median, flat over the horizon: it has no season, which is the point of
 * having it in the comparison (VPA recommends from it). `decayingPercentiles` gives the
 * percentiles directly, for quantiles without any residual calibration.
 */
import { type ModelContext, type ModelForecast, type SeriesModel, constantForecast } from './model.js';

export interface DecayingHistogramOptions {
  /** VPA's default half-life of a sample's weight. */
  readonly halfLifeS?: number;
  /** Samples older than this many half-lives are ignored (their weight is < 2^-n). */
  readonly horizonHalfLives?: number;
  readonly bins?: number;
}

/** Weighted percentiles (p in [0, 1]) of the history with exponentially decaying weights. */
export function decayingPercentiles(history: Float64Array, stepS: number, percentiles: readonly number[], options: DecayingHistogramOptions = {}): number[] {
  const n = history.length;
  if (n === 0) return percentiles.map(() => 0);
  const halfLifeS = options.halfLifeS ?? 86_400;
  const bins = options.bins ?? 400;
  const span = Math.min(n, Math.max(1, Math.ceil(((options.horizonHalfLives ?? 10) * halfLifeS) / stepS)));
  const from = n - span;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = from; i < n; i++) {
    const v = history[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) return percentiles.map(() => lo);
  const width = (hi - lo) / bins;
  const weight = new Float64Array(bins);
  const decayPerStep = Math.pow(0.5, stepS / halfLifeS);
  let w = 1;
  let total = 0;
  for (let i = n - 1; i >= from; i--) {
    const bin = Math.min(bins - 1, Math.floor((history[i]! - lo) / width));
    weight[bin] = weight[bin]! + w;
    total += w;
    w *= decayPerStep;
  }
  return percentiles.map((p) => {
    const target = Math.min(1, Math.max(0, p)) * total;
    let acc = 0;
    for (let b = 0; b < bins; b++) {
      const next = acc + weight[b]!;
      if (next >= target && weight[b]! > 0) return refine(history, from, n, decayPerStep, lo + width * b, width, bins, target - acc, b === bins - 1);
      acc = next;
    }
    return hi;
  });
}

/**
 * The percentile inside one coarse bin, from finer histograms of that bin's samples (up to
 * MAX_REFINE levels, until a bin is narrow against the values): one spike far above the rest
 * would otherwise make the bins so wide (range / bins) that the median of a series moves by a
 * bin's width. `need` is the weight still to accumulate inside the bin.
 */
const MAX_REFINE = 3;

function refine(history: Float64Array, from: number, n: number, decayPerStep: number, binLo: number, width: number, bins: number, need: number, last: boolean): number {
  let lo = binLo;
  let w0 = width;
  let closedTop = last;
  for (let level = 0; level < MAX_REFINE; level++) {
    const fine = new Float64Array(bins);
    const fineWidth = w0 / bins;
    const hi = lo + w0;
    let w = 1;
    for (let i = n - 1; i >= from; i--) {
      const v = history[i]!;
      if (v >= lo && (v < hi || closedTop)) {
        const k = Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / fineWidth)));
        fine[k] = fine[k]! + w;
      }
      w *= decayPerStep;
    }
    let acc = 0;
    let k = 0;
    for (; k < bins; k++) {
      const next = acc + fine[k]!;
      if (next >= need && fine[k]! > 0) break;
      acc = next;
    }
    if (k === bins) return hi;
    const within = lo + fineWidth * (k + (need - acc) / fine[k]!);
    if (fineWidth <= 1e-3 * Math.max(Math.abs(lo), Math.abs(hi), 1e-12) || level === MAX_REFINE - 1) return within;
    lo = lo + fineWidth * k;
    w0 = fineWidth;
    need -= acc;
    closedTop = closedTop && k === bins - 1;
  }
  return lo;
}

export function forecastDecayingHistogram(history: Float64Array, context: ModelContext): ModelForecast {
  const [median] = decayingPercentiles(history, context.stepS, [0.5]);
  return { point: constantForecast(median ?? 0, context.horizonSteps), fallbacks: [] };
}

export const decayingHistogram: SeriesModel = {
  id: 'decaying-histogram',
  description: 'VPA-style histogram with weights halving every 24 h; forecast = weighted median (no season)',
  forecast: forecastDecayingHistogram,
};
