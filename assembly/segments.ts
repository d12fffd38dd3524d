/**
 * Integrals of a piecewise-constant availability schedule over a time window. Twin:
 * src/cost/segments.ts (same loop, same operations in the same order).
 *
 * `at` and `values` are the addresses of f64 arrays (SEG_* arrays of the segments region);
 * the pool's segments are indices [first, end).
 */

/** Index of the segment in effect at t: the last breakpoint ≤ t (first when t is before all). */
export function segmentIndex(at: usize, first: i32, end: i32, t: f64): i32 {
  let lo = first;
  let hi = end - 1;
  while (lo < hi) {
    const mid = <i32>(<u32>(lo + hi + 1) >>> 1);
    if (load<f64>(at + (<usize>mid << 3)) <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** ∫_a^b value(t) dt for a ≤ b. */
export function integrateSegments(at: usize, values: usize, first: i32, end: i32, a: f64, b: f64): f64 {
  let sum = 0.0;
  for (let i = segmentIndex(at, first, end, a); i < end; i++) {
    const from = max<f64>(a, load<f64>(at + (<usize>i << 3)));
    const next = i + 1 < end ? load<f64>(at + (<usize>(i + 1) << 3)) : Infinity;
    const to = min<f64>(b, next);
    if (to > from) sum += load<f64>(values + (<usize>i << 3)) * (to - from);
    if (next >= b) break;
  }
  return sum;
}
