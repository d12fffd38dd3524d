/**
 * Contention, s: Σ over pools of ∫ max(0, used_p(t) − freeSlots_p(t)) dt, the planned
 * slot-seconds in excess of the expected free slots. 0 under declared availability by
 * construction (free = slots and the slot book never uses more than the slots), so only pools
 * with some segment where free < slots (`table.contended`) are swept. Twin:
 * assembly/contention.ts.
 *
 * The sweep: starts and finishes of the pool's sub-tasks, each sorted ascending, merged with
 * the pool's breakpoints; between consecutive event times the use is (starts passed −
 * finishes passed) and the excess is summed. Ends before starts at equal times (a slot freed
 * and retaken at t is not two uses).
 */
import type { AvailabilityTable } from '../model/availability.js';
import { segmentIndex } from './segments.js';
import type { Schedule } from './simulate.js';

/** Contention on pool p of a schedule (every sub-task placed on p, fixed ones included). */
export function poolContentionS(table: AvailabilityTable, p: number, schedule: Schedule): number {
  const starts: number[] = [];
  const finishes: number[] = [];
  for (let s = 0; s < schedule.pool.length; s++) {
    if (schedule.pool[s] !== p) continue;
    starts.push(schedule.startS[s]!);
    finishes.push(schedule.finishS[s]!);
  }
  const sortedStarts = Float64Array.from(starts).sort();
  const sortedFinishes = Float64Array.from(finishes).sort();
  return sweepContentionS(sortedStarts, 0, sortedFinishes, 0, starts.length, table.atS, 0, table.freeSlots, 0, table.segStart[p]!, table.segStart[p + 1]!);
}

/** ∫ max(0, used − free) over one pool; `starts`/`finishes` sorted ascending, `count` of each. */
export function sweepContentionS(
  starts: ArrayLike<number>,
  startBase: number,
  finishes: ArrayLike<number>,
  finishBase: number,
  count: number,
  at: ArrayLike<number>,
  atBase: number,
  free: ArrayLike<number>,
  freeBase: number,
  first: number,
  end: number,
): number {
  if (count === 0) return 0;
  let i = 0;
  let j = 0;
  let used = 0;
  let t = starts[startBase]!;
  let seg = segmentIndex(at, atBase, first, end, t);
  let total = 0;
  while (j < count) {
    const nextStart = i < count ? starts[startBase + i]! : Number.POSITIVE_INFINITY;
    const nextFinish = finishes[finishBase + j]!;
    const nextBreak = seg + 1 < end ? at[atBase + seg + 1]! : Number.POSITIVE_INFINITY;
    const next = Math.min(nextStart, nextFinish, nextBreak);
    const excess = used - free[freeBase + seg]!;
    if (excess > 0 && next > t) total += excess * (next - t);
    t = next;
    while (j < count && finishes[finishBase + j]! <= t) {
      used--;
      j++;
    }
    while (i < count && starts[startBase + i]! <= t) {
      used++;
      i++;
    }
    while (seg + 1 < end && at[atBase + seg + 1]! <= t) seg++;
  }
  return total;
}
