/**
 * Split-conformal P10/P90 offsets by horizon step from rolling-origin residuals
 * (actual − point), made smooth and monotone across steps so that a few origins do not
 * produce jagged bands:
 *
 * 1. per step h, the finite-sample conformal ranks of its residuals (⌊0.1(m+1)⌋-th and
 *    ⌈0.9(m+1)⌉-th of m, which cover ≥ 80 % on exchangeable residuals);
 * 2. a moving average of those quantiles over neighbouring steps, wider at long horizons
 *    (±15 % of h), where neighbouring steps share most of their uncertainty;
 * 3. isotonic regression (pool-adjacent-violators): the upper offset never decreases with h
 *    and the lower one never increases: a forecast is not surer about next week than about the
 *    next hour.
 *
 * Steps with too few residuals (the far end of a long horizon on a short history) take the
 * offsets of the last step that had enough.
 *
 * Recency weights (optional `halfLife`, in list positions; the lists hold the latest origin
 * first): the quantiles are weighted quantiles with weight 0.5^(i / halfLife) for the i-th
 * residual and a point mass for the coming (unseen) residual at ±∞, the non-exchangeable
 * conformal quantile of Barber, Candès, Ramdas & Tibshirani (2023). After a level shift or a
 * change of regime the band follows the residuals of the last day or so instead of waiting for
 * the whole calibration window to turn over: the coverage recovers in about a half-life (the
 * same aim as adaptive conformal inference, Gibbs & Candès 2021, without state between fits).
 */

/** Fewest residuals at a step for its own quantiles (fewer: carried from shorter steps). */
export const MIN_RESIDUALS_PER_STEP = 8;
const SMOOTH_FRACTION = 0.15;
const LOWER_P = 0.1;
const UPPER_P = 0.9;

export interface ConformalOptions {
  /** Half-life, in list positions (latest first), of a residual's weight; default ∞ (equal weights). */
  readonly halfLife?: number;
}

export interface ConformalOffsets {
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** Steps with enough residuals of their own. */
  readonly calibratedSteps: number;
}

function conformalRank(sorted: Float64Array, p: number, upper: boolean): number {
  const m = sorted.length;
  const rank = upper ? Math.ceil(p * (m + 1)) : Math.floor(p * (m + 1));
  const index = Math.min(m - 1, Math.max(0, rank - 1));
  return sorted[index]!;
}

/**
 * Weighted conformal P10 and P90 of one residual list: with weights w_i (normalised together
 * with the weight `wNext` of the coming residual, placed at +∞ for the upper and −∞ for the
 * lower quantile), the smallest residual whose cumulative weight reaches `upperP`, and the
 * largest whose weight counted from above reaches 1 − `lowerP`. Equal weights give
 * conformalRank's order statistics. `order` is scratch of at least values.length.
 */
export function weightedConformalPair(values: readonly number[], weights: Float64Array, lowerP: number, upperP: number, wNext: number, order: Int32Array): { lower: number; upper: number } {
  const m = values.length;
  // Insertion sort of indices by value: lists are calibration origins (tens).
  for (let i = 0; i < m; i++) {
    const v = values[i]!;
    let j = i - 1;
    while (j >= 0 && values[order[j]!]! > v) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = i;
  }
  let total = wNext;
  for (let i = 0; i < m; i++) total += weights[i]!;
  const eps = 1e-12 * total;
  let upper = values[order[m - 1]!]!;
  let acc = 0;
  for (let k = 0; k < m; k++) {
    acc += weights[order[k]!]!;
    if (acc >= upperP * total - eps) {
      upper = values[order[k]!]!;
      break;
    }
  }
  let lower = values[order[0]!]!;
  acc = 0;
  for (let k = m - 1; k >= 0; k--) {
    acc += weights[order[k]!]!;
    if (acc >= (1 - lowerP) * total - eps) {
      lower = values[order[k]!]!;
      break;
    }
  }
  return { lower, upper };
}

/** Pool-adjacent-violators for a non-decreasing fit, equal weights. */
export function isotonicIncreasing(values: Float64Array): Float64Array {
  const n = values.length;
  const level = new Float64Array(n);
  const width = new Int32Array(n);
  let blocks = 0;
  for (let i = 0; i < n; i++) {
    level[blocks] = values[i]!;
    width[blocks] = 1;
    blocks++;
    while (blocks > 1 && level[blocks - 2]! > level[blocks - 1]!) {
      const w = width[blocks - 2]! + width[blocks - 1]!;
      level[blocks - 2] = (level[blocks - 2]! * width[blocks - 2]! + level[blocks - 1]! * width[blocks - 1]!) / w;
      width[blocks - 2] = w;
      blocks--;
    }
  }
  const out = new Float64Array(n);
  let i = 0;
  for (let b = 0; b < blocks; b++) for (let k = 0; k < width[b]!; k++) out[i++] = level[b]!;
  return out;
}

function smoothAcrossSteps(values: Float64Array, known: number): Float64Array {
  const out = new Float64Array(values.length);
  const prefix = new Float64Array(known + 1);
  for (let h = 0; h < known; h++) prefix[h + 1] = prefix[h]! + values[h]!;
  for (let h = 0; h < known; h++) {
    const r = Math.floor(h * SMOOTH_FRACTION);
    const from = Math.max(0, h - r);
    const to = Math.min(known - 1, h + r);
    out[h] = (prefix[to + 1]! - prefix[from]!) / (to - from + 1);
  }
  return out;
}

/**
 * Offsets for `steps` horizon steps from residual lists by step (residuals[h] for step h + 1
 * ahead). Returns null when not even the first step has enough residuals.
 */
export function conformalOffsets(residuals: readonly (readonly number[])[], steps: number, options: ConformalOptions = {}): ConformalOffsets | null {
  const rawLower = new Float64Array(steps);
  const rawUpper = new Float64Array(steps);
  const halfLife = options.halfLife ?? Infinity;
  const weighted = Number.isFinite(halfLife) && halfLife > 0;
  let weights = new Float64Array(0);
  let order = new Int32Array(0);
  let known = 0;
  for (let h = 0; h < steps; h++) {
    const list = residuals[h];
    if (list === undefined || list.length < MIN_RESIDUALS_PER_STEP) break;
    if (weighted) {
      if (weights.length < list.length) {
        weights = Float64Array.from({ length: list.length }, (_, i) => Math.pow(0.5, i / halfLife));
        order = new Int32Array(list.length);
      }
      const pair = weightedConformalPair(list, weights, LOWER_P, UPPER_P, 1, order);
      rawLower[h] = pair.lower;
      rawUpper[h] = pair.upper;
    } else {
      const sorted = Float64Array.from(list).sort();
      rawLower[h] = conformalRank(sorted, LOWER_P, false);
      rawUpper[h] = conformalRank(sorted, UPPER_P, true);
    }
    known = h + 1;
  }
  if (known === 0) return null;
  const lowerSmooth = smoothAcrossSteps(rawLower, known);
  const upperSmooth = smoothAcrossSteps(rawUpper, known);
  const upperIso = isotonicIncreasing(upperSmooth.subarray(0, known));
  const negLower = new Float64Array(known);
  for (let h = 0; h < known; h++) negLower[h] = -lowerSmooth[h]!;
  const lowerIso = isotonicIncreasing(negLower);
  const lower = new Float64Array(steps);
  const upper = new Float64Array(steps);
  for (let h = 0; h < steps; h++) {
    const k = Math.min(h, known - 1);
    // A band must contain the point: offsets straddle zero.
    lower[h] = Math.min(0, -lowerIso[k]!);
    upper[h] = Math.max(0, upperIso[k]!);
  }
  return { lower, upper, calibratedSteps: known };
}

/**
 * How much larger the latest residuals at short leads are than all of them (≥ 1): the
 * median |residual| of the `recentOrigins` latest origins over the first `shortSteps` steps,
 * over the median |residual| of every origin at those steps. Short-lead residuals are known
 * within hours of an origin, long-lead ones only a day later; after a change of regime (a
 * level shift into a noisier state) the short leads say so first, and the band at every lead
 * is widened by this ratio until its own residuals catch up (the aim of adaptive conformal
 * inference, Gibbs & Candès 2021, carried across leads).
 */
export function recentSpreadRatio(residuals: readonly (readonly number[])[], shortSteps: number, recentOrigins: number): number {
  const recent: number[] = [];
  const all: number[] = [];
  for (let h = 0; h < Math.min(shortSteps, residuals.length); h++) {
    const list = residuals[h]!;
    for (let i = 0; i < list.length; i++) {
      const a = Math.abs(list[i]!);
      all.push(a);
      if (i < recentOrigins) recent.push(a);
    }
  }
  if (recent.length < MIN_RESIDUALS_PER_STEP || all.length <= recent.length) return 1;
  const med = (values: number[]): number => {
    const sorted = Float64Array.from(values).sort();
    return sorted[sorted.length >> 1]!;
  };
  const base = med(all);
  if (!(base > 0)) return 1;
  return Math.max(1, med(recent) / base);
}
