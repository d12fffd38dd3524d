/**
 * Quantile grids: every distribution in a profile is a list of natural-log quantiles at the
 * shared levels (`QUANTILE_LEVELS`). Built from samples with split-conformal ranks, shrunk
 * toward a parent grid by averaging quantiles (Vincentisation), and read by interpolation.
 */

/**
 * The split-conformal order statistic for level q of n held-out residuals (1-based rank):
 * ceil((n+1)q) above the median, floor((n+1)q) below it (Vovk et al. 2005; Lei et al. 2018,
 * "Distribution-free predictive inference for regression", Thm 2.1): P(new ≤ r_(ceil((n+1)q))) ≥ q,
 * and symmetrically P(new < r_(floor((n+1)q))) ≤ q. `inRange` is false when the rank falls off
 * the sample (too few residuals to certify that level); the rank is then clamped.
 */
export function conformalRank(n: number, q: number): { rank: number; inRange: boolean } {
  const position = (n + 1) * q;
  const raw = q > 0.5 ? Math.ceil(position - 1e-9) : q < 0.5 ? Math.floor(position + 1e-9) : position;
  const rounded = q === 0.5 ? raw : Math.round(raw);
  return { rank: Math.min(n, Math.max(1, rounded)), inRange: rounded >= 1 && rounded <= n };
}

/**
 * Conformal quantiles of a sorted sample at every level. The median (q = 0.5) interpolates
 * between the middle order statistics; the other levels take the conformal rank.
 * Returns undefined for an empty sample.
 */
export function conformalGrid(sorted: ArrayLike<number>, levels: readonly number[]): number[] | undefined {
  const n = sorted.length;
  if (n === 0) return undefined;
  return levels.map((q) => {
    const { rank } = conformalRank(n, q);
    if (q !== 0.5) return sorted[rank - 1]!;
    const lower = Math.floor(rank);
    const upper = Math.min(n, Math.ceil(rank));
    const low = sorted[Math.max(1, lower) - 1]!;
    return low + (rank - Math.max(1, lower)) * (sorted[upper - 1]! - low);
  });
}

/**
 * Quantiles of a weighted sample (each value with a positive weight): the smallest value whose
 * cumulative weight reaches q of the total, averaged with the next one at exact ties.
 */
export function weightedGrid(values: Float64Array, weights: Float64Array, levels: readonly number[]): number[] | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]! || a - b);
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i]!;
  const out: number[] = [];
  let cumulative = 0;
  let k = 0;
  for (const q of levels) {
    const target = q * total;
    while (k < n - 1 && cumulative + weights[order[k]!]! < target) {
      cumulative += weights[order[k]!]!;
      k++;
    }
    out.push(values[order[k]!]!);
  }
  return out;
}

/** Quantile averaging: (m·own + k·parent) / (m + k) level by level, then made monotone. */
export function shrinkGrid(own: readonly number[] | undefined, m: number, parent: readonly number[], k: number): number[] {
  if (own === undefined || m <= 0) return [...parent];
  const weight = m / (m + k);
  return monotone(own.map((value, i) => weight * value + (1 - weight) * parent[i]!));
}

/** Non-decreasing in q: a running maximum upward (floating-point safety after averaging). */
export function monotone(grid: number[]): number[] {
  for (let i = 1; i < grid.length; i++) if (grid[i]! < grid[i - 1]!) grid[i] = grid[i - 1]!;
  return grid;
}

/**
 * Widens `grid` so its deviation from its own median is at least `spread`'s deviation from
 * spread's median at every level: a prior is never narrower than the residuals of a sized query.
 */
export function widen(grid: readonly number[], spread: readonly number[], levels: readonly number[]): number[] {
  const middle = levels.indexOf(0.5);
  const center = grid[middle]!;
  const spreadCenter = spread[middle]!;
  return monotone(
    grid.map((value, i) => {
      const deviation = value - center;
      const minimum = spread[i]! - spreadCenter;
      if (i < middle) return center + Math.min(deviation, minimum);
      if (i > middle) return center + Math.max(deviation, minimum);
      return center;
    }),
  );
}

/**
 * Adds an independent normal(0, sigma²) term to a log-scale distribution, approximately: each
 * level's deviation from the median d becomes ±√(d² + (sigma·z_q)²) (exact when the grid is
 * itself normal). Used for the job shift a single-job op's residuals cannot show.
 */
export function addNormalSpread(grid: readonly number[], sigma: number, levels: readonly number[]): number[] {
  if (!(sigma > 0)) return [...grid];
  const middle = levels.indexOf(0.5);
  const center = grid[middle]!;
  return monotone(
    grid.map((value, i) => {
      const deviation = value - center;
      const extra = sigma * normalQuantile(levels[i]!);
      const size = Math.sqrt(deviation * deviation + extra * extra);
      return i < middle ? center - size : i > middle ? center + size : center;
    }),
  );
}

/** Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** A lognormal grid (log-scale normal with the given sigma, median 0): the fallback spread. */
export function normalGrid(sigma: number, levels: readonly number[]): number[] {
  return levels.map((q) => sigma * normalQuantile(q));
}

/**
 * The bracket of q among the levels: index i and fraction t with q = levels[i] + t·(levels[i+1] − levels[i]).
 * q is clamped to [levels[0], levels[last]]. Allocation-free: writes into `out`.
 */
export function locateLevel(levels: ArrayLike<number>, q: number, out: { index: number; fraction: number }): void {
  const last = levels.length - 1;
  if (!(q > levels[0]!)) {
    out.index = 0;
    out.fraction = 0;
    return;
  }
  if (q >= levels[last]!) {
    out.index = last - 1;
    out.fraction = 1;
    return;
  }
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (levels[mid]! <= q) lo = mid;
    else hi = mid;
  }
  out.index = lo;
  out.fraction = (q - levels[lo]!) / (levels[lo + 1]! - levels[lo]!);
}

/** Linear interpolation in a grid at a located level. */
export function gridValue(grid: ArrayLike<number>, index: number, fraction: number): number {
  const low = grid[index]!;
  return low + fraction * (grid[index + 1]! - low);
}
