/**
 * Integrals of a piecewise-constant schedule over a time window (the availability's hazard
 * and price, src/model/availability.ts). Twin: assembly/segments.ts (same loop, same
 * operations in the same order, so both give the same bits).
 *
 * Breakpoints of one pool are at[atBase + first .. atBase + end) (ascending, the first 0);
 * the value of segment i is values[valueBase + i], in effect on [at[i], at[i + 1]) (the last
 * segment never ends). Array-plus-offset arguments let the tight kernel twin read the same
 * schedule straight from the kernel's memory.
 */

/** Index (first ≤ i < end) of the segment in effect at t: the last breakpoint ≤ t (first when t is before all). */
export function segmentIndex(at: ArrayLike<number>, atBase: number, first: number, end: number, t: number): number {
  let lo = first;
  let hi = end - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (at[atBase + mid]! <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** ∫_a^b value(t) dt for a ≤ b (0 when a = b). */
export function integrateSegments(at: ArrayLike<number>, atBase: number, values: ArrayLike<number>, valueBase: number, first: number, end: number, a: number, b: number): number {
  let sum = 0;
  for (let i = segmentIndex(at, atBase, first, end, a); i < end; i++) {
    const from = Math.max(a, at[atBase + i]!);
    const next = i + 1 < end ? at[atBase + i + 1]! : Number.POSITIVE_INFINITY;
    const to = Math.min(b, next);
    if (to > from) sum += values[valueBase + i]! * (to - from);
    if (next >= b) break;
  }
  return sum;
}
