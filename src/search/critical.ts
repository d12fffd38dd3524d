/**
 * The critical chain of a schedule: from the sub-task that finishes last, walk back through
 * what made each one start when it did: its latest-arriving input (data-bound) or the
 * sub-task that held its slot just before (slot-bound). Moves on this chain are the ones
 * that can shorten the makespan, so the search tries them more often.
 */
import type { Schedule } from '../cost/simulate.js';
import { readyTimeS } from '../cost/simulate.js';
import type { Problem } from '../model/problem.js';
import type { SubtaskGraph } from '../model/subtasks.js';

const TIE_S = 1e-9;

export function criticalChain(problem: Problem, graph: SubtaskGraph, schedule: Schedule): number[] {
  const n = graph.nodeCount;
  if (n === 0) return [];
  // Previous occupant of each sub-task's slot: sort by (pool, slot, start).
  const bySlot = Array.from({ length: n }, (_, s) => s).sort(
    (a, b) => schedule.pool[a]! - schedule.pool[b]! || schedule.slot[a]! - schedule.slot[b]! || schedule.startS[a]! - schedule.startS[b]!,
  );
  const previous = new Int32Array(n).fill(-1);
  for (let i = 1; i < n; i++) {
    const a = bySlot[i - 1]!;
    const b = bySlot[i]!;
    if (schedule.pool[a] === schedule.pool[b] && schedule.slot[a] === schedule.slot[b]) previous[b] = a;
  }
  let last = 0;
  for (let s = 1; s < n; s++) if (schedule.finishS[s]! > schedule.finishS[last]!) last = s;
  const chain: number[] = [];
  const seen = new Uint8Array(n);
  for (let s = last; s >= 0 && seen[s] === 0; ) {
    seen[s] = 1;
    chain.push(s);
    const start = schedule.startS[s]!;
    const ready = readyTimeS(problem, graph, s, schedule.pool[s]!, schedule.pool, schedule.finishS);
    if (ready >= start - TIE_S) s = bindingInput(problem, graph, schedule, s, ready);
    else s = previous[s]!;
  }
  return chain;
}

/** The input whose arrival equals the ready time (-1 if the ready time came from external data or 0). */
function bindingInput(problem: Problem, graph: SubtaskGraph, schedule: Schedule, s: number, ready: number): number {
  let binding = -1;
  let latest = -1;
  for (let e = graph.predStart[s]!; e < graph.predStart[s + 1]!; e++) {
    const q = graph.predIndex[e]!;
    if (schedule.finishS[q]! > latest && schedule.finishS[q]! <= ready + TIE_S) {
      latest = schedule.finishS[q]!;
      binding = q;
    }
  }
  return binding;
}
