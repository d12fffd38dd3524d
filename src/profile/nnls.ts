/**
 * Non-negative least squares: min ‖A·x − b‖² subject to x ≥ 0, by the Lawson–Hanson active-set
 * method (Lawson & Hanson, "Solving Least Squares Problems", 1974, ch. 23, algorithm NNLS),
 * written on the normal equations G = AᵀA, h = Aᵀb. The profiler's laws have three basis terms,
 * so G is 3×3 and accumulating it is the only pass over the data; the solver is O(p³) per step.
 *
 *   x = 0, passive set P = ∅, gradient w = h − G·x
 *   while some j ∉ P has w_j > tol:
 *     move the j ∉ P with the largest w_j into P
 *     loop: z = solution of G_PP·z_P = h_P (z_j = 0 off P)
 *           if z_P > 0: x = z, break
 *           α = min over j ∈ P with z_j ≤ 0 of x_j / (x_j − z_j); x += α(z − x)
 *           move every j ∈ P with x_j ≤ 0 back out of P
 *     w = h − G·x
 *
 * Columns are scaled to unit diagonal first (x_j = y_j / √G_jj): a positive diagonal scaling
 * keeps the sign constraints and makes the tolerance meaningful when one column is bytes (1e9)
 * and another is a constant 1. An all-zero column gets x_j = 0.
 */

export interface NnlsResult {
  readonly x: Float64Array;
  /** Outer (Lawson–Hanson) iterations. */
  readonly iterations: number;
}

/** Relative tolerance on the scaled gradient and on the scaled pivots. */
const TOLERANCE = 1e-10;
/** Added to the scaled diagonal so nearly collinear columns still give a solvable subproblem. */
const RIDGE = 1e-12;

/**
 * Solves min ½xᵀGx − hᵀx, x ≥ 0 (equivalently NNLS with G = AᵀA, h = Aᵀb).
 * `gram` is the p×p matrix row-major; it must be symmetric positive semi-definite.
 */
export function nnlsNormal(gram: ArrayLike<number>, rhs: ArrayLike<number>, p: number = rhs.length): NnlsResult {
  if (gram.length < p * p || rhs.length < p) throw new RangeError(`nnlsNormal: need a ${p}×${p} matrix and ${p} right-hand sides`);
  const scale = new Float64Array(p);
  const g = new Float64Array(p * p);
  const h = new Float64Array(p);
  let hMax = 0;
  for (let i = 0; i < p; i++) {
    const d = gram[i * p + i]!;
    scale[i] = d > 0 && Number.isFinite(d) ? 1 / Math.sqrt(d) : 0;
  }
  for (let i = 0; i < p; i++) {
    h[i] = rhs[i]! * scale[i]!;
    hMax = Math.max(hMax, Math.abs(h[i]!));
    for (let j = 0; j < p; j++) g[i * p + j] = gram[i * p + j]! * scale[i]! * scale[j]!;
  }
  // Relative to the data's own scale, so values of 1e-6 and of 1e12 are solved alike.
  const tol = TOLERANCE * hMax;
  const dropBelow = 1e-3 * tol;
  const x = new Float64Array(p);
  const z = new Float64Array(p);
  const passive = new Uint8Array(p);
  const w = new Float64Array(p);
  let iterations = 0;
  const maxIterations = 30 * Math.max(1, p);
  gradient(g, h, x, w, p);
  for (;;) {
    let next = -1;
    let best = tol;
    for (let j = 0; j < p; j++) {
      if (passive[j] === 0 && scale[j]! > 0 && w[j]! > best) {
        best = w[j]!;
        next = j;
      }
    }
    if (next < 0 || hMax === 0 || iterations >= maxIterations) break;
    iterations++;
    passive[next] = 1;
    for (let inner = 0; inner < maxIterations; inner++) {
      solvePassive(g, h, passive, z, p);
      let alpha = Infinity;
      for (let j = 0; j < p; j++) {
        if (passive[j] === 1 && z[j]! <= 0) alpha = Math.min(alpha, x[j]! / (x[j]! - z[j]!));
      }
      if (alpha === Infinity) {
        x.set(z);
        break;
      }
      for (let j = 0; j < p; j++) {
        x[j] = x[j]! + alpha * (z[j]! - x[j]!);
        if (passive[j] === 1 && x[j]! <= dropBelow) {
          passive[j] = 0;
          x[j] = 0;
        }
      }
    }
    gradient(g, h, x, w, p);
  }
  for (let j = 0; j < p; j++) x[j] = Math.max(0, x[j]! * scale[j]!);
  return { x, iterations };
}

/**
 * NNLS from the rows of A (each of length p) and b, optionally weighted: minimises
 * Σ weight_i (A_i·x − b_i)². Builds the normal equations and calls `nnlsNormal`.
 */
export function nnls(rows: readonly (readonly number[])[], b: readonly number[], weights?: readonly number[]): NnlsResult {
  const p = rows[0]?.length ?? 0;
  const gram = new Float64Array(p * p);
  const rhs = new Float64Array(p);
  rows.forEach((row, r) => {
    const weight = weights?.[r] ?? 1;
    for (let i = 0; i < p; i++) {
      rhs[i] = rhs[i]! + weight * row[i]! * b[r]!;
      for (let j = 0; j < p; j++) gram[i * p + j] = gram[i * p + j]! + weight * row[i]! * row[j]!;
    }
  });
  return nnlsNormal(gram, rhs, p);
}

/** w = h − G·x */
function gradient(g: Float64Array, h: Float64Array, x: Float64Array, w: Float64Array, p: number): void {
  for (let i = 0; i < p; i++) {
    let sum = h[i]!;
    for (let j = 0; j < p; j++) sum -= g[i * p + j]! * x[j]!;
    w[i] = sum;
  }
}

/** z_P = G_PP⁻¹ h_P by Gaussian elimination with partial pivoting; z = 0 off P. */
function solvePassive(g: Float64Array, h: Float64Array, passive: Uint8Array, z: Float64Array, p: number): void {
  const index: number[] = [];
  for (let j = 0; j < p; j++) if (passive[j] === 1) index.push(j);
  const m = index.length;
  const a = new Float64Array(m * (m + 1));
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < m; c++) a[r * (m + 1) + c] = g[index[r]! * p + index[c]!]! + (r === c ? RIDGE : 0);
    a[r * (m + 1) + m] = h[index[r]!]!;
  }
  for (let col = 0; col < m; col++) {
    let pivot = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(a[r * (m + 1) + col]!) > Math.abs(a[pivot * (m + 1) + col]!)) pivot = r;
    if (pivot !== col) {
      for (let c = 0; c <= m; c++) {
        const t = a[col * (m + 1) + c]!;
        a[col * (m + 1) + c] = a[pivot * (m + 1) + c]!;
        a[pivot * (m + 1) + c] = t;
      }
    }
    const diagonal = a[col * (m + 1) + col]!;
    if (Math.abs(diagonal) < 1e-300) continue;
    for (let r = col + 1; r < m; r++) {
      const factor = a[r * (m + 1) + col]! / diagonal;
      if (factor === 0) continue;
      for (let c = col; c <= m; c++) a[r * (m + 1) + c] = a[r * (m + 1) + c]! - factor * a[col * (m + 1) + c]!;
    }
  }
  z.fill(0);
  for (let r = m - 1; r >= 0; r--) {
    let sum = a[r * (m + 1) + m]!;
    for (let c = r + 1; c < m; c++) sum -= a[r * (m + 1) + c]! * z[index[c]!]!;
    const diagonal = a[r * (m + 1) + r]!;
    z[index[r]!] = Math.abs(diagonal) < 1e-300 ? 0 : sum / diagonal;
  }
}
