/**
 * Re-planning the remainder of a run: the partial schedule of what committed and what runs
 * (plan/extend.ts) extended by the planner, on the pools as the run sees them now — a pool
 * taken out of the run, or one whose slots changed, has those slots from now on (until a
 * forecast says otherwise, the run cannot know when they return).
 *
 * With an online forecast (online.ts) the run knows more: `availability` then replaces the
 * problem's availability for the re-plan (its own rule for how observed slots evolve), and only
 * the pools taken out of the run are set to 0 from now on.
 *
 * The extension is the constructive planner's (synchronous, deterministic, milliseconds for
 * 10^3 sub-tasks): the dispatcher calls it between events, also on the virtual clock of `sim`,
 * where an asynchronous search would see the run move on under it.
 */
import type { ScoredCandidate } from '../cost/evaluate.js';
import { monotonicMs } from '../util/clock.js';
import { buildAvailabilityTable, checkAvailability, withAvailability, type Availability, type AvailabilityTable } from '../model/availability.js';
import type { Problem } from '../model/problem.js';
import { partialSchedule, type RunState } from '../plan/extend.js';
import { planConstructive } from '../plan/planner.js';

export interface ReplanResult {
  readonly scored: ScoredCandidate;
  /** The problem with the pools as observed (for the re-plan's own explanation). */
  readonly problem: Problem;
  readonly planningMs: number;
}

export function replanRemainder(problem: Problem, previous: ScoredCandidate, state: RunState, excluded: Uint8Array, slotsNow: Int32Array, availability?: Availability): ReplanResult {
  const startMs = monotonicMs();
  const observed = availability === undefined ? withObservedSlots(problem, state.nowS, excluded, slotsNow) : withAvailabilityFrom(problem, availability, state.nowS, excluded);
  const partial = partialSchedule(observed, previous, state);
  const outcome = planConstructive(observed, { planner: 'apportion', constructiveVariants: 1, extend: { graph: previous.graph, partial } });
  return { scored: outcome.scored, problem: observed, planningMs: monotonicMs() - startMs };
}

/**
 * The problem with each changed pool's slots replaced from `nowS` on (0 for an excluded
 * pool): segments before now are kept; from now on the observed slots hold, with the hazard
 * and price the table gives for each later segment.
 */
export function withObservedSlots(problem: Problem, nowS: number, excluded: Uint8Array, slotsNow: Int32Array): Problem {
  const table = problem.availability;
  let changed = false;
  const pools = Array.from({ length: problem.pools.count }, (_, p) => {
    const first = table.segStart[p]!;
    const end = table.segStart[p + 1]!;
    let current = first;
    while (current + 1 < end && table.atS[current + 1]! <= nowS) current++;
    const target = excluded[p] === 1 ? 0 : slotsNow[p]!;
    const segment: Segment = { atS: [], slots: [], freeSlots: [], hazardPerS: [], priceUsdPerSlotS: [] };
    if (table.slots[current] === target) {
      for (let i = first; i < end; i++) push(segment, table, i, table.atS[i]!, table.slots[i]!);
      return segment;
    }
    changed = true;
    for (let i = first; i < current; i++) push(segment, table, i, table.atS[i]!, table.slots[i]!);
    if (table.atS[current]! < nowS) push(segment, table, current, table.atS[current]!, table.slots[current]!);
    push(segment, table, current, nowS, target);
    for (let i = current + 1; i < end; i++) push(segment, table, i, table.atS[i]!, target);
    return segment;
  });
  if (!changed) return problem;
  const availability: Availability = { source: `${table.source}, slots as observed at ${nowS.toFixed(1)} s`, pools };
  const rebuilt = buildAvailabilityTable(availability);
  return { ...problem, availability: rebuilt, pools: withAvailability(problem.pools, rebuilt) };
}

/**
 * The problem on `availability` (an online forecast's), with the excluded pools at 0 slots
 * from `nowS` on; the other pools as `availability` has them.
 */
export function withAvailabilityFrom(problem: Problem, availability: Availability, nowS: number, excluded: Uint8Array): Problem {
  checkAvailability(availability, problem.pools.ids);
  const table = buildAvailabilityTable(availability);
  const updated: Problem = { ...problem, availability: table, pools: withAvailability(problem.pools, table) };
  const slotsNow = new Int32Array(problem.pools.count);
  for (let p = 0; p < slotsNow.length; p++) {
    let current = table.segStart[p]!;
    while (current + 1 < table.segStart[p + 1]! && table.atS[current + 1]! <= nowS) current++;
    slotsNow[p] = table.slots[current]!;
  }
  return withObservedSlots(updated, nowS, excluded, slotsNow);
}

interface Segment {
  atS: number[];
  slots: number[];
  freeSlots: number[];
  hazardPerS: number[];
  priceUsdPerSlotS: number[];
}

function push(segment: Segment, table: AvailabilityTable, i: number, atS: number, slots: number): void {
  segment.atS.push(atS);
  segment.slots.push(slots);
  segment.freeSlots.push(Math.min(table.freeSlots[i]!, slots));
  segment.hazardPerS.push(table.hazardPerS[i]!);
  segment.priceUsdPerSlotS.push(table.priceUsdPerSlotS[i]!);
}
