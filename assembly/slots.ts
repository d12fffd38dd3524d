/**
 * Slot choice in append mode (src/cost/slots.ts, SlotBook.find + reserve): the earliest
 * start at or after the ready time; among slots that allow it, the one freed latest (best
 * fit), then the lowest index.
 *
 * Constant-capacity pools (every slot has the one window [open, ∞)): the start a slot
 * allows is max(ready, open, freeTime), so only the multiset of free times matters; two
 * slots with equal free times are interchangeable for every later choice, and slot indices
 * need not be kept. The free times are kept sorted ascending; with r = max(ready, open):
 *
 *   free ≤ r exist   → the largest of them, start = r        (best fit)
 *   otherwise        → the smallest free time f, start = f
 *
 * then the chosen entry becomes max(old, start + d) (reserve never lowers it) and is
 * shifted right into place (reserveSlot; the caller may delay this until after the next
 * sub-task's search, unless that one is on the same pool). The branchless search lands on
 * exactly that entry.
 *
 *   free: [ 3 | 7 | 7 | 12 | 20 ]    r = 10 → entry 7 (the second one; either is the same)
 *           0   1   2   3    4                start 10, becomes 10 + d, shifted right
 *
 * Times on this path are handled as their f64 bit patterns (i64): all are ≥ +0, where
 * integer order is float order (see maxTimeBits), so the search and the maxima compile to
 * cmov instead of unpredictable jumps.
 *
 * Pools whose capacity varies keep one free time per slot (unsorted) and scan the slots and
 * their windows exactly like the reference.
 */
import { POOL_SLOTS, POOL_STRIDE } from './layout';
import { maxTimeBits } from './links';

/**
 * Halving steps of findSlot for this problem: enough for its largest pool (setSearchSteps,
 * once per evaluate call). The same count for every pool, so the search loop's exit is
 * predicted; when the count followed the pool's own size, the exit was mispredicted whenever
 * consecutive sub-tasks went to pools of different sizes. Measured side by side (issue 12):
 * 0.80–0.89× the time on random allocations, the same on the search's batches. Steps past
 * a pool's own count probe the entry already reached and change nothing.
 */
export let searchSteps: i32 = 0;

export function setSearchSteps(pools: usize, poolCount: i32): void {
  let largest = 0;
  for (let p = 0; p < poolCount; p++) largest = max<i32>(largest, load<i32>(pools + (<usize>p) * POOL_STRIDE, POOL_SLOTS));
  let steps = 0;
  for (let len = largest; len > 1; len -= len >>> 1) steps++;
  searchSteps = steps;
}

/**
 * Constant-capacity pool with `slots` ≥ 1 sorted free times at `free`: the entry best fit
 * chooses for a sub-task ready at `r` (bits; r = max(ready, open)). Its start is max(r, entry).
 * `steps` is searchSteps (enough halvings for the largest pool).
 */
@inline
export function findSlot(free: usize, slots: i32, r: i64, steps: i32): usize {
  // Upper bound without branches: `at` ends on the last free time ≤ r, or on the first
  // entry when every free time is > r (it only moves onto entries ≤ r). Once len is 1,
  // half is 0 and a step leaves `at` where it is.
  let at = free;
  let len = slots;
  for (let k = 0; k < steps; k++) {
    const half = len >>> 1;
    const probe = at + (<usize>half << 3);
    at = select<usize>(probe, at, load<i64>(probe) <= r);
    len -= half;
  }
  return at;
}

/**
 * Reserves the entry at `at` until `end` (≥ the entry): it becomes `end` and moves right
 * (up to `last`, the pool's last entry) to keep the free times sorted.
 */
@inline
export function reserveSlot(at: usize, last: usize, end: i64): void {
  while (at < last) {
    const next = load<i64>(at, 8);
    if (next >= end) break;
    store<i64>(at, next);
    at += 8;
  }
  store<i64>(at, end);
}

/** Earliest start ≥ t such that [start, start + d) lies inside one window (pairs [from, to) from `first` to `last`). */
@inline
function fitWindow(windows: usize, first: i32, last: i32, t: f64, durationS: f64): f64 {
  for (let w = first; w < last; w++) {
    const window = windows + (<usize>w << 4);
    const start = max<f64>(t, load<f64>(window));
    if (start + durationS <= load<f64>(window, 8)) return start;
  }
  return Infinity;
}

/**
 * Start on a pool with capacity windows: one free time per slot at `free`, window CSR
 * entries for its slots at `windowStart` (i32[slots + 1]). Reserves the slot; ∞ (and no
 * reservation) when no slot ever has a window long enough.
 */
export function startOnWindows(free: usize, slots: i32, windowStart: usize, windows: usize, readyS: f64, durationS: f64): f64 {
  let best = Infinity;
  let bestAt: usize = 0;
  for (let k = 0; k < slots; k++) {
    const at = free + (<usize>k << 3);
    const lastEnd = load<f64>(at);
    const entry = windowStart + (<usize>k << 2);
    const start = fitWindow(windows, load<i32>(entry), load<i32>(entry, 4), max<f64>(readyS, lastEnd), durationS);
    if (start < best || (start == best && bestAt != 0 && lastEnd > load<f64>(bestAt))) {
      best = start;
      bestAt = at;
    }
  }
  if (bestAt != 0) {
    const end = best + durationS;
    if (end > load<f64>(bestAt)) store<f64>(bestAt, end);
  }
  return best;
}

/** Slot index chosen by the last `searchWindows` (-1 when none). */
export let searchedSlot: i32 = -1;

/**
 * `startOnWindows` without the reservation (the start rule, src/cost/rework.ts, may reject
 * the slot once the duration is re-computed at the found start): the earliest start, the
 * slot in `searchedSlot`.
 */
export function searchWindows(free: usize, slots: i32, windowStart: usize, windows: usize, readyS: f64, durationS: f64): f64 {
  let best = Infinity;
  let bestSlot = -1;
  for (let k = 0; k < slots; k++) {
    const lastEnd = load<f64>(free + (<usize>k << 3));
    const entry = windowStart + (<usize>k << 2);
    const start = fitWindow(windows, load<i32>(entry), load<i32>(entry, 4), max<f64>(readyS, lastEnd), durationS);
    if (start < best || (start == best && bestSlot >= 0 && lastEnd > load<f64>(free + (<usize>bestSlot << 3)))) {
      best = start;
      bestSlot = k;
    }
  }
  searchedSlot = bestSlot;
  return best;
}

/** End of slot k's window that holds t (SlotBook.windowEndAt); -∞ when none does. */
export function windowEndAt(windowStart: usize, windows: usize, k: i32, t: f64): f64 {
  const entry = windowStart + (<usize>k << 2);
  const last = load<i32>(entry, 4);
  for (let w = load<i32>(entry); w < last; w++) {
    const window = windows + (<usize>w << 4);
    if (load<f64>(window) <= t && t <= load<f64>(window, 8)) return load<f64>(window, 8);
  }
  return -Infinity;
}
