/**
 * Per-pool slot timelines: where and when can a sub-task of duration d start, at or after
 * a ready time? Shared by the reference simulation (append mode: a slot's next sub-task
 * starts after its last one) and by list-scheduling planners such as HEFT (insertion mode:
 * a sub-task may fill an idle gap between two already placed ones).
 *
 * Slot k of pool p exists while the pool's capacity step function is above k; a sub-task
 * must fit in one such window (it is not cut short by a capacity drop). A pool's slots
 * open after its start-up time.
 */
import type { PoolTable } from '../model/tables.js';

/** Idle gaps examined per slot before appending (see findInGaps). */
export const MAX_GAPS_SCANNED = 16;

const NO_INTERVALS: readonly number[] = [];

export class SlotBook {
  /** Slot chosen by the last `find` call. */
  foundSlot = -1;
  private readonly pools: PoolTable;
  private readonly insertion: boolean;
  private readonly notBeforeS: number;
  /**
   * Per pool: slots 0 .. opened−1 may hold sub-tasks; every slot from `opened` on is still
   * empty. An empty slot is as good as any higher one (it exists whenever they do: slot k
   * exists while capacity > k), so `find` looks at the opened slots and slot `opened` only,
   * and per-slot state grows with the sub-tasks placed, not with the declared slot count.
   */
  private readonly opened: Int32Array;
  /** Per pool, per opened slot: busy intervals in time order (append mode keeps only the last end). */
  private readonly starts: number[][][];
  private readonly ends: number[][][];
  private readonly lastEnd: number[][];
  /** Per pool, per slot looked at: windows [from, to) in which the slot exists (filled lazily). */
  private readonly windows: Float64Array[][];
  /**
   * Pools whose capacity never changes: last ends kept sorted by (end, slot) so the best-fit
   * choice is a binary search instead of a scan (same choice as the scan). Insertion mode
   * uses it to find a slot free at the ready time before searching gaps.
   */
  private readonly sorted: Array<SortedSlots | undefined>;
  /** 1 where the pool's capacity never changes. */
  private readonly constant: Uint8Array;

  /** `sortedFastPath: false` forces the scan everywhere (tests compare the two). */
  constructor(pools: PoolTable, insertion: boolean, notBeforeS = 0, sortedFastPath = true) {
    this.pools = pools;
    this.insertion = insertion;
    this.notBeforeS = notBeforeS;
    this.opened = new Int32Array(pools.count);
    this.starts = [];
    this.ends = [];
    this.lastEnd = [];
    this.windows = [];
    this.sorted = [];
    this.constant = Uint8Array.from({ length: pools.count }, (_, p) => (hasConstantCapacity(pools, p) ? 1 : 0));
    for (let p = 0; p < pools.count; p++) {
      this.sorted.push(sortedFastPath && this.constant[p] === 1 ? new SortedSlots(pools.maxSlots[p]!) : undefined);
      this.lastEnd.push([]);
      this.starts.push([]);
      this.ends.push([]);
      this.windows.push([]);
    }
  }

  /**
   * Earliest start at or after `readyS` on pool p for a sub-task of `durationS`; sets `foundSlot`.
   *
   * Append mode breaks ties between slots that allow the same start by best fit: the slot
   * whose last sub-task ended latest, so slots that freed earlier stay for sub-tasks that
   * are ready sooner (then the lowest index). Insertion mode takes the lowest index.
   */
  find(p: number, readyS: number, durationS: number): number {
    const ready = Math.max(readyS, this.notBeforeS);
    const sorted = this.sorted[p];
    if (sorted !== undefined && !this.insertion) {
      const start = sorted.find(Math.max(ready, this.pools.startupS[p]!));
      this.foundSlot = sorted.foundSlot;
      return start;
    }
    // Opened slots and the first empty one (if the pool has more).
    const slots = Math.min(this.pools.maxSlots[p]!, this.opened[p]! + 1);
    const lastEnd = this.lastEnd[p]!;
    let best = Number.POSITIVE_INFINITY;
    let bestSlot = -1;
    if (this.insertion && this.constant[p] === 1) {
      // A slot whose last sub-task ends by the ready time lets it start then, the earliest
      // possible: take the one that freed latest (best fit, as in append mode) and skip the
      // gap search. Gaps are searched only when every slot is busy at the ready time.
      const t = Math.max(ready, this.pools.startupS[p]!);
      if (sorted !== undefined) {
        if (sorted.find(t) === t) {
          this.foundSlot = sorted.foundSlot;
          return t;
        }
      } else {
        for (let k = 0; k < slots; k++) if ((lastEnd[k] ?? 0) <= t && (bestSlot < 0 || (lastEnd[k] ?? 0) > (lastEnd[bestSlot] ?? 0))) bestSlot = k;
        if (bestSlot >= 0) {
          this.foundSlot = bestSlot;
          return t;
        }
      }
    }
    for (let k = 0; k < slots; k++) {
      if (this.insertion) {
        const start = this.findInGaps(p, k, ready, durationS, best);
        if (start < best) {
          best = start;
          bestSlot = k;
          if (start <= ready) break; // cannot do better than the ready time
        }
        continue;
      }
      const end = lastEnd[k] ?? 0;
      const start = this.fitWindow(p, k, Math.max(ready, end), durationS);
      if (start < best || (start === best && bestSlot >= 0 && end > (lastEnd[bestSlot] ?? 0))) {
        best = start;
        bestSlot = k;
      }
    }
    this.foundSlot = bestSlot;
    return best;
  }

  reserve(p: number, slot: number, startS: number, endS: number): void {
    this.open(p, slot);
    const lastEnd = this.lastEnd[p]!;
    if (endS > lastEnd[slot]!) {
      lastEnd[slot] = endS;
      this.sorted[p]?.update(slot, endS);
    }
    if (!this.insertion) return;
    const starts = this.starts[p]![slot]!;
    const ends = this.ends[p]![slot]!;
    let i = starts.length;
    while (i > 0 && starts[i - 1]! > startS) i--;
    starts.splice(i, 0, startS);
    ends.splice(i, 0, endS);
  }

  /** Per-slot state for slots up to `slot` of pool p. */
  private open(p: number, slot: number): void {
    const lastEnd = this.lastEnd[p]!;
    while (lastEnd.length <= slot) {
      lastEnd.push(0);
      this.starts[p]!.push([]);
      this.ends[p]!.push([]);
    }
    if (slot >= this.opened[p]!) this.opened[p] = slot + 1;
  }

  /**
   * End of the window of slot k of pool p that holds time t (∞ on a pool whose capacity
   * never changes; -∞ when no window holds t). The start rule (src/cost/rework.ts) checks a
   * re-computed duration against it.
   */
  windowEndAt(p: number, k: number, t: number): number {
    if (this.constant[p] === 1) return Number.POSITIVE_INFINITY;
    const perSlot = this.windows[p]!;
    while (perSlot.length <= k) perSlot.push(slotWindows(this.pools, p, perSlot.length));
    const windows = perSlot[k]!;
    for (let w = 0; w < windows.length; w += 2) if (windows[w]! <= t && t <= windows[w + 1]!) return windows[w + 1]!;
    return Number.NEGATIVE_INFINITY;
  }

  /** Earliest start ≥ t such that [start, start + d) lies inside one window of slot k. */
  private fitWindow(p: number, k: number, t: number, d: number): number {
    if (this.constant[p] === 1) return Math.max(t, this.pools.startupS[p]!);
    const perSlot = this.windows[p]!;
    while (perSlot.length <= k) perSlot.push(slotWindows(this.pools, p, perSlot.length));
    const windows = perSlot[k]!;
    for (let w = 0; w < windows.length; w += 2) {
      const start = Math.max(t, windows[w]!);
      if (start + d <= windows[w + 1]!) return start;
    }
    return Number.POSITIVE_INFINITY;
  }

  private findInGaps(p: number, k: number, ready: number, d: number, bound: number): number {
    const starts = this.starts[p]![k] ?? NO_INTERVALS;
    const ends = this.ends[p]![k] ?? NO_INTERVALS;
    // Intervals are disjoint and sorted, so ends are sorted too: skip every interval that
    // ends by the ready time (binary search) instead of walking the whole slot history.
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid]! <= ready) lo = mid + 1;
      else hi = mid;
    }
    let gapStart = lo > 0 ? ends[lo - 1]! : 0;
    // Look at a bounded number of idle gaps, then append after the slot's last sub-task:
    // textbook HEFT scans every gap, which is quadratic on graphs of 10^5 tasks.
    const lastGap = Math.min(starts.length, lo + MAX_GAPS_SCANNED);
    if (lastGap < starts.length) {
      const tail = this.fitWindow(p, k, Math.max(ready, ends[ends.length - 1]!), d);
      for (let i = lo; i < lastGap; i++) {
        const candidate = this.fitWindow(p, k, Math.max(ready, gapStart), d);
        if (candidate >= bound || candidate >= tail) break;
        if (candidate + d <= starts[i]!) return candidate;
        if (ends[i]! > gapStart) gapStart = ends[i]!;
      }
      return tail < bound ? tail : Number.POSITIVE_INFINITY;
    }
    for (let i = lo; i <= starts.length; i++) {
      const gapEnd = i < starts.length ? starts[i]! : Number.POSITIVE_INFINITY;
      const candidate = this.fitWindow(p, k, Math.max(ready, gapStart), d);
      if (candidate >= bound) return Number.POSITIVE_INFINITY;
      if (candidate + d <= gapEnd) return candidate;
      if (i < ends.length && ends[i]! > gapStart) gapStart = ends[i]!;
    }
    return Number.POSITIVE_INFINITY;
  }
}

/** Windows [from, to, from, to, ...] in which slot k of pool p exists, opening after start-up. */
export function slotWindows(pools: PoolTable, p: number, k: number): Float64Array {
  const out: number[] = [];
  const startup = pools.startupS[p]!;
  let open = -1;
  const first = pools.capStart[p]!;
  const last = pools.capStart[p + 1]!;
  for (let i = first; i < last; i++) {
    const at = pools.capAtS[i]!;
    const has = pools.capSlots[i]! > k;
    if (has && open < 0) open = at;
    if (!has && open >= 0) {
      pushWindow(out, open, at, startup);
      open = -1;
    }
  }
  if (open >= 0) pushWindow(out, open, Number.POSITIVE_INFINITY, startup);
  return Float64Array.from(out);
}

function pushWindow(out: number[], from: number, to: number, startupS: number): void {
  const opened = Math.max(from, startupS);
  if (opened < to) out.push(opened, to);
}

function hasConstantCapacity(pools: PoolTable, p: number): boolean {
  if (pools.maxSlots[p] !== pools.slots[p]) return false;
  for (let i = pools.capStart[p]!; i < pools.capStart[p + 1]!; i++) if (pools.capSlots[i] !== pools.slots[p]) return false;
  return true;
}

/**
 * One pool's slots ordered by (last end, slot id). Best fit at time t: the slot with the
 * latest end ≤ t (lowest id among equal ends) starts at t; if none, the slot with the
 * earliest end starts then. Matches the scan in `SlotBook.find`.
 *
 * Only slots that were reserved (and those below them) are stored; slots from `fresh` on
 * have never been used (end 0) and are represented by `fresh` itself, so memory and time
 * grow with the sub-tasks placed, not with the pool's slot count.
 */
class SortedSlots {
  foundSlot = -1;
  private foundIndex = -1;
  private readonly slots: number;
  private fresh = 0;
  private readonly ends: number[] = [];
  private readonly ids: number[] = [];

  constructor(slots: number) {
    this.slots = slots;
  }

  /** `t` is already max(ready, start-up). */
  find(t: number): number {
    const ends = this.ends;
    // First index with end > t.
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) {
      // No stored slot is free at t: an unused one is (end 0), else the earliest to free up.
      if (this.fresh < this.slots) {
        this.foundIndex = -1;
        this.foundSlot = this.fresh;
        return t;
      }
      this.foundIndex = 0;
      this.foundSlot = this.ids[0]!;
      return Math.max(t, ends[0]!);
    }
    // Latest end ≤ t; among equal ends the first (lowest id). Stored ends of 0 belong to
    // slots below `fresh`, so they win ties with unused slots, as in the scan.
    const latest = ends[lo - 1]!;
    let first = lo - 1;
    let low = 0;
    while (low < first) {
      const mid = (low + first) >>> 1;
      if (ends[mid]! < latest) low = mid + 1;
      else first = mid;
    }
    this.foundIndex = first;
    this.foundSlot = this.ids[first]!;
    return t;
  }

  update(slot: number, end: number): void {
    const ends = this.ends;
    const ids = this.ids;
    // Unused slots below this one are stored with end 0 (they sort first), then this one.
    while (this.fresh <= slot) {
      let at = 0;
      while (at < ends.length && ends[at] === 0 && ids[at]! < this.fresh) at++;
      ends.splice(at, 0, 0);
      ids.splice(at, 0, this.fresh);
      this.fresh++;
    }
    let at = this.foundIndex >= 0 && ids[this.foundIndex] === slot ? this.foundIndex : ids.indexOf(slot);
    // Move right while the neighbour sorts before (end, slot).
    while (at + 1 < ends.length && (ends[at + 1]! < end || (ends[at + 1] === end && ids[at + 1]! < slot))) {
      ends[at] = ends[at + 1]!;
      ids[at] = ids[at + 1]!;
      at++;
    }
    while (at > 0 && (ends[at - 1]! > end || (ends[at - 1] === end && ids[at - 1]! > slot))) {
      ends[at] = ends[at - 1]!;
      ids[at] = ids[at - 1]!;
      at--;
    }
    ends[at] = end;
    ids[at] = slot;
    this.foundIndex = -1;
  }
}
