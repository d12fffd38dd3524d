/**
 * Scaling laws: value(n) = constant + linear·n + nLogN·n·log2(n), every coefficient >= 0,
 * fitted by non-negative least squares on relative error, with the number of terms chosen by
 * AICc so a handful of distinct sizes cannot buy a three-term curve.
 *
 * Relative error: runtimes span 0.05 s to hours, so an absolute fit would ignore every short
 * task. We minimise Σ ((y − ŷ)/ŷ)² by iteratively reweighted least squares: weights 1/y² to
 * start, then 1/ŷ² from the previous fit. The fixed point solves Σ (y − ŷ)·φ/ŷ² = 0, the
 * quasi-likelihood equation of constant-coefficient-of-variation noise (a gamma GLM with
 * identity link, McCullagh & Nelder §8), which is unbiased for the mean; weights 1/y² alone
 * are biased low (for lognormal noise a constant comes out at e^(μ − 1.5σ²) instead of e^μ).
 * Each weight is also capped Huber-style at HUBER_RELATIVE / |relative residual|, so a task
 * that ran 50× longer than its law counts linearly, not quadratically.
 */
import { nnlsNormal } from './nnls.js';
import type { ScalingLaw, SizeBy } from './types.js';

/** log2(n) of the n·log2(n) term, with log2 of anything below 1 taken as 0 so the basis is >= 0. */
export function nLog2N(n: number): number {
  return n > 1 ? n * Math.log2(n) : 0;
}

/** The law at size n (n ignored for sizeBy 'none'). */
export function lawValue(law: ScalingLaw, n: number): number {
  if (law.sizeBy === 'none') return law.constant;
  return law.constant + law.linear * n + law.nLogN * nLog2N(n);
}

export const IRLS_ITERATIONS = 6;
export const HUBER_RELATIVE = 1;
/** Sizes must span at least this ratio (max/min) to be a size at all; else the op's laws are constants. */
export const MIN_SIZE_SPREAD = 1.5;
/** Distinct sizes needed for each candidate shape (a law with p terms needs more than p). */
const TWO_TERM_MIN_DISTINCT = 3;
const THREE_TERM_MIN_DISTINCT = 5;

/** Term masks: [constant, linear, nLogN]. */
const CANDIDATES: readonly { readonly mask: readonly [boolean, boolean, boolean]; readonly minDistinct: number }[] = [
  { mask: [true, false, false], minDistinct: 0 },
  { mask: [false, true, false], minDistinct: 2 },
  { mask: [true, true, false], minDistinct: TWO_TERM_MIN_DISTINCT },
  { mask: [true, true, true], minDistinct: THREE_TERM_MIN_DISTINCT },
];

/**
 * One op's rows for one metric, as flat columns: the two size terms precomputed (n and
 * n·log2 n) so each IRLS step is multiply-adds only.
 */
export interface LawData {
  readonly count: number;
  readonly n: Float64Array;
  readonly nLogN: Float64Array;
  /** Positive values (already floored). */
  readonly y: Float64Array;
}

export function lawData(sizes: Float64Array | undefined, values: Float64Array): LawData {
  const count = values.length;
  const n = sizes ?? new Float64Array(count);
  const nLogN = new Float64Array(count);
  for (let i = 0; i < count; i++) nLogN[i] = nLog2N(n[i]!);
  return { count, n, nLogN, y: values };
}

/** Whether a set of sizes varies enough to scale with: at least 2 distinct, spanning MIN_SIZE_SPREAD. */
export function sizesVary(sizes: ArrayLike<number>, count: number, include?: Uint8Array): boolean {
  let min = Infinity;
  let max = -Infinity;
  let seen = 0;
  for (let i = 0; i < count; i++) {
    if (include !== undefined && include[i] === 0) continue;
    const n = sizes[i]!;
    seen++;
    if (n < min) min = n;
    if (n > max) max = n;
  }
  return seen >= 2 && max > 0 && max >= MIN_SIZE_SPREAD * min;
}

/**
 * Fits the law of one op and metric on the rows with include[i] = 1 (all rows without a mask).
 * sizeBy 'none' (or sizes that do not vary) gives a constant. `floor` is the smallest value
 * the metric is given (predictions never go below it).
 */
export function fitLaw(data: LawData, sizeBy: SizeBy, floor: number, include?: Uint8Array): ScalingLaw {
  let rows = 0;
  for (let i = 0; i < data.count; i++) if (include === undefined || include[i] === 1) rows++;
  if (rows === 0) return { sizeBy: 'none', constant: floor, linear: 0, nLogN: 0 };
  const distinct = sizeBy === 'none' || !sizesVary(data.n, data.count, include) ? 1 : countDistinct(data.n, data.count, THREE_TERM_MIN_DISTINCT, include);
  let best: ScalingLaw | undefined;
  let bestScore = Infinity;
  for (const candidate of CANDIDATES) {
    if (candidate.mask[1] && distinct < candidate.minDistinct) continue;
    const coefficients = irls(data, include, candidate.mask, floor);
    const terms = (coefficients[0]! > 0 ? 1 : 0) + (coefficients[1]! > 0 ? 1 : 0) + (coefficients[2]! > 0 ? 1 : 0);
    // AICc needs rows > terms + 1; with fewer rows only the constant is allowed.
    if (terms > 1 && rows <= terms + 1) continue;
    const score = aicc(data, include, rows, coefficients, floor, Math.max(1, terms));
    if (score < bestScore - 1e-9) {
      bestScore = score;
      const sized = candidate.mask[1] || candidate.mask[2];
      best = sized
        ? { sizeBy, constant: coefficients[0]!, linear: coefficients[1]!, nLogN: coefficients[2]! }
        : { sizeBy: 'none', constant: Math.max(floor, coefficients[0]!), linear: 0, nLogN: 0 };
    }
  }
  return best ?? { sizeBy: 'none', constant: floor, linear: 0, nLogN: 0 };
}

/** Iteratively reweighted NNLS on relative error (see the module comment). Returns [constant, linear, nLogN]. */
function irls(data: LawData, include: Uint8Array | undefined, mask: readonly [boolean, boolean, boolean], floor: number): Float64Array {
  const { count, n, nLogN, y } = data;
  const m0 = mask[0] ? 1 : 0;
  const m1 = mask[1] ? 1 : 0;
  const m2 = mask[2] ? 1 : 0;
  const gram = new Float64Array(9);
  const rhs = new Float64Array(3);
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  for (let iteration = 0; iteration < IRLS_ITERATIONS; iteration++) {
    let g00 = 0, g01 = 0, g02 = 0, g11 = 0, g12 = 0, g22 = 0, h0 = 0, h1 = 0, h2 = 0;
    for (let i = 0; i < count; i++) {
      if (include !== undefined && include[i] === 0) continue;
      const value = y[i]!;
      const p0 = m0;
      const p1 = m1 * n[i]!;
      const p2 = m2 * nLogN[i]!;
      let weight: number;
      if (iteration === 0) weight = 1 / (value * value);
      else {
        const fitted = Math.max(floor, c0 * p0 + c1 * p1 + c2 * p2);
        const relative = Math.abs(value - fitted) / fitted;
        weight = (relative > HUBER_RELATIVE ? HUBER_RELATIVE / relative : 1) / (fitted * fitted);
      }
      const w0 = weight * p0;
      const w1 = weight * p1;
      const w2 = weight * p2;
      g00 += w0 * p0;
      g01 += w0 * p1;
      g02 += w0 * p2;
      g11 += w1 * p1;
      g12 += w1 * p2;
      g22 += w2 * p2;
      h0 += w0 * value;
      h1 += w1 * value;
      h2 += w2 * value;
    }
    gram[0] = g00; gram[1] = g01; gram[2] = g02;
    gram[3] = g01; gram[4] = g11; gram[5] = g12;
    gram[6] = g02; gram[7] = g12; gram[8] = g22;
    rhs[0] = h0; rhs[1] = h1; rhs[2] = h2;
    const next = nnlsNormal(gram, rhs, 3).x;
    const change = Math.abs(next[0]! - c0) + Math.abs(next[1]! - c1) + Math.abs(next[2]! - c2);
    const size = Math.abs(next[0]!) + Math.abs(next[1]!) + Math.abs(next[2]!);
    c0 = next[0]!;
    c1 = next[1]!;
    c2 = next[2]!;
    if (iteration > 0 && change <= 1e-9 * size) break;
  }
  return Float64Array.of(c0, c1, c2);
}

/** Corrected Akaike criterion on log residuals: n·ln(SSE/n) + 2p + 2p(p+1)/(n−p−1). */
function aicc(data: LawData, include: Uint8Array | undefined, rows: number, coefficients: Float64Array, floor: number, terms: number): number {
  const c0 = coefficients[0]!;
  const c1 = coefficients[1]!;
  const c2 = coefficients[2]!;
  let sse = 0;
  for (let i = 0; i < data.count; i++) {
    if (include !== undefined && include[i] === 0) continue;
    const residual = Math.log(data.y[i]! / Math.max(floor, c0 + c1 * data.n[i]! + c2 * data.nLogN[i]!));
    sse += residual * residual;
  }
  const correction = rows - terms - 1 > 0 ? (2 * terms * (terms + 1)) / (rows - terms - 1) : 0;
  return rows * Math.log(Math.max(sse / rows, 1e-12)) + 2 * terms + correction;
}

/** Distinct values among the included rows, counting no further than `cap`. */
function countDistinct(sizes: Float64Array, count: number, cap: number, include: Uint8Array | undefined): number {
  const seen = new Set<number>();
  for (let i = 0; i < count && seen.size < cap; i++) if (include === undefined || include[i] === 1) seen.add(sizes[i]!);
  return seen.size;
}
