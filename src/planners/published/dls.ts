/**
 * DLS, Dynamic Level Scheduling, in its heterogeneous form (Sih & Lee 1993, the "generalized
 * dynamic level"): among the ready sub-tasks and the pools, the pair of largest
 *
 *   DL(t, p) = SL*(t) − EST(t, p) + Δ(t, p),     Δ(t, p) = w*(t) − w(t, p)
 *
 * goes next, where w* is t's median runtime over the pools that can run it and SL* the static
 * level with median runtimes (transfers left out). EST is the earliest start on p (inputs
 * arrived and a slot free). The ready-set driver with value −DL.
 */
import type { Problem } from '../../model/problem.js';
import type { SubtaskGraph } from '../../model/subtasks.js';
import type { ListSchedule } from '../list-schedule.js';
import { usable, type PublishedOptions } from './common.js';
import { readySetSchedule } from './ready-set.js';

/** Median expected runtime of each sub-task over the pools that can finish it. */
export function medianRuntimeS(graph: SubtaskGraph): Float64Array {
  const P = graph.poolCount;
  const values: number[] = [];
  return Float64Array.from({ length: graph.nodeCount }, (_, s) => {
    values.length = 0;
    for (let p = 0; p < P; p++) if (usable(graph.expectedS[s * P + p]!)) values.push(graph.expectedS[s * P + p]!);
    if (values.length === 0) return 0;
    values.sort((a, b) => a - b);
    const mid = values.length >> 1;
    return values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
  });
}

export function dlsSchedule(problem: Problem, graph: SubtaskGraph, options: PublishedOptions): ListSchedule {
  const P = graph.poolCount;
  const median = medianRuntimeS(graph);
  const level = new Float64Array(graph.nodeCount);
  for (let i = graph.nodeCount - 1; i >= 0; i--) {
    const s = graph.order[i]!;
    let tail = 0;
    for (let e = graph.succStart[s]!; e < graph.succStart[s + 1]!; e++) tail = Math.max(tail, level[graph.succIndex[e]!]!);
    level[s] = median[s]! + tail;
  }
  // −DL(t, p) = EST − SL* − (w* − w(t, p)); the driver places the sub-task of largest −(smallest −DL).
  const value = (s: number, p: number, start: number): number => start - level[s]! - (median[s]! - graph.expectedS[s * P + p]!);
  return readySetSchedule(problem, graph, { value, key: (best) => -best }, options);
}
