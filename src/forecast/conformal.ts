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
 */

/** Fewest residuals at a step for its own quantiles (fewer: carried from shorter steps). */
export const MIN_RESIDUALS_PER_STEP = 8;
const SMOOTH_FRACTION = 0.15;
const LOWER_P = 0.1;
const UPPER_P = 0.9;

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
export function conformalOffsets(residuals: readonly (readonly number[])[], steps: number): ConformalOffsets | null {
  const rawLower = new Float64Array(steps);
  const rawUpper = new Float64Array(steps);
  let known = 0;
  for (let h = 0; h < steps; h++) {
    const list = residuals[h];
    if (list === undefined || list.length < MIN_RESIDUALS_PER_STEP) break;
    const sorted = Float64Array.from(list).sort();
    rawLower[h] = conformalRank(sorted, LOWER_P, false);
    rawUpper[h] = conformalRank(sorted, UPPER_P, true);
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
