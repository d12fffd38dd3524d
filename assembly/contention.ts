/**
 * Contention on pools flagged AVAIL_CONTENDED: ∫ max(0, used − free) dt. Twin:
 * src/cost/contention.ts (the same sweep over sorted starts and sorted finishes merged
 * with the pool's breakpoints; finishes before starts at equal times).
 */
import { segmentIndex } from './segments';

/** In-place heapsort of f64[count] at `values`, ascending (no allocation). */
export function sortTimes(values: usize, count: i32): void {
  for (let root = (count >> 1) - 1; root >= 0; root--) siftDown(values, root, count);
  for (let last = count - 1; last > 0; last--) {
    const top = load<f64>(values);
    store<f64>(values, load<f64>(values + (<usize>last << 3)));
    store<f64>(values + (<usize>last << 3), top);
    siftDown(values, 0, last);
  }
}

function siftDown(values: usize, root: i32, count: i32): void {
  let parent = root;
  while (true) {
    let child = 2 * parent + 1;
    if (child >= count) return;
    if (child + 1 < count && load<f64>(values + (<usize>(child + 1) << 3)) > load<f64>(values + (<usize>child << 3))) child++;
    const p = values + (<usize>parent << 3);
    const c = values + (<usize>child << 3);
    const pv = load<f64>(p);
    const cv = load<f64>(c);
    if (pv >= cv) return;
    store<f64>(p, cv);
    store<f64>(c, pv);
    parent = child;
  }
}

/** ∫ max(0, used − free) for `count` sorted starts and finishes; breakpoints and free slots of segments [first, end). */
export function sweepContentionS(starts: usize, finishes: usize, count: i32, at: usize, free: usize, first: i32, end: i32): f64 {
  if (count == 0) return 0;
  let i = 0;
  let j = 0;
  let used = 0;
  let t = load<f64>(starts);
  let seg = segmentIndex(at, first, end, t);
  let total = 0.0;
  while (j < count) {
    const nextStart = i < count ? load<f64>(starts + (<usize>i << 3)) : Infinity;
    const nextFinish = load<f64>(finishes + (<usize>j << 3));
    const nextBreak = seg + 1 < end ? load<f64>(at + (<usize>(seg + 1) << 3)) : Infinity;
    const next = min<f64>(min<f64>(nextStart, nextFinish), nextBreak);
    const excess = <f64>used - load<f64>(free + (<usize>seg << 3));
    if (excess > 0 && next > t) total += excess * (next - t);
    t = next;
    while (j < count && load<f64>(finishes + (<usize>j << 3)) <= t) {
      used--;
      j++;
    }
    while (i < count && load<f64>(starts + (<usize>i << 3)) <= t) {
      used++;
      i++;
    }
    while (seg + 1 < end && load<f64>(at + (<usize>(seg + 1) << 3)) <= t) seg++;
  }
  return total;
}
