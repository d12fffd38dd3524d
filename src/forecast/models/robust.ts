/** Small robust-statistics helpers shared by the models (no allocation beyond scratch arrays). */

/** Median of values[from..to) (copies into scratch; values untouched). */
export function medianOf(values: ArrayLike<number>, from = 0, to = values.length): number {
  const count = to - from;
  if (count <= 0) return 0;
  const scratch = new Float64Array(count);
  for (let i = 0; i < count; i++) scratch[i] = values[from + i]!;
  scratch.sort();
  const mid = count >> 1;
  return count % 2 === 1 ? scratch[mid]! : (scratch[mid - 1]! + scratch[mid]!) / 2;
}

/** Weighted median of the first `count` entries of values / weights (insertion sort: counts are small). */
export function weightedMedian(values: Float64Array, weights: Float64Array, count: number): number {
  if (count <= 0) return 0;
  if (count === 1) return values[0]!;
  // Insertion sort of the pairs by value: count is a number of days or weeks (≤ ~30).
  for (let i = 1; i < count; i++) {
    const v = values[i]!;
    const w = weights[i]!;
    let j = i - 1;
    while (j >= 0 && values[j]! > v) {
      values[j + 1] = values[j]!;
      weights[j + 1] = weights[j]!;
      j--;
    }
    values[j + 1] = v;
    weights[j + 1] = w;
  }
  let total = 0;
  for (let i = 0; i < count; i++) total += weights[i]!;
  let acc = 0;
  for (let i = 0; i < count; i++) {
    acc += weights[i]!;
    if (acc >= total / 2) {
      // Exactly half: average with the next value, as the unweighted median does for even counts.
      if (Math.abs(acc - total / 2) < 1e-12 * total && i + 1 < count) return (values[i]! + values[i + 1]!) / 2;
      return values[i]!;
    }
  }
  return values[count - 1]!;
}

/** Circular moving average with `radius` steps on each side (radius 0: a copy). */
export function circularSmooth(values: Float64Array, radius: number): Float64Array {
  const n = values.length;
  if (radius <= 0 || n < 3) return values.slice();
  const r = Math.min(radius, (n - 1) >> 1);
  const out = new Float64Array(n);
  let sum = 0;
  for (let k = -r; k <= r; k++) sum += values[((k % n) + n) % n]!;
  const width = 2 * r + 1;
  for (let i = 0; i < n; i++) {
    out[i] = sum / width;
    sum += values[(i + r + 1) % n]! - values[(((i - r) % n) + n) % n]!;
  }
  return out;
}

/** Subtract the mean so a seasonal profile carries no level. */
export function centre(values: Float64Array): void {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  const mean = values.length > 0 ? sum / values.length : 0;
  for (let i = 0; i < values.length; i++) values[i] = values[i]! - mean;
}
