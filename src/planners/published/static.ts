/**
 * Static list schedulers: a fixed topological priority and a pool score, i.e. listSchedule.
 *
 * - HEFT (Topcuoglu, Hariri & Wu 2002): upward rank, earliest finish, insertion;
 * - MCT, minimum completion time (Armstrong et al. 1998; Braun et al. 2001): topological
 *   order, the pool where the sub-task finishes first (the `greedy` baseline's rule);
 * - MET, minimum execution time (Braun et al. 2001): the pool with the shortest expected
 *   runtime, availability ignored (ties: earlier finish);
 * - OLB, opportunistic load balancing (Braun et al. 2001): the pool that can start the
 *   sub-task first, runtime ignored (a pool cannot start before its inputs arrive, so the
 *   start counts data arrival as well as the pool's queue);
 * - FastestNode: every sub-task on the one pool with the smallest total expected runtime
 *   (SAGA's serial baseline); a sub-task that pool cannot run (or no longer has capacity for)
 *   goes where it finishes first.
 */
import type { Problem } from '../../model/problem.js';
import type { SubtaskGraph } from '../../model/subtasks.js';
import { listSchedule, type ListSchedule } from '../list-schedule.js';
import { byDecreasingRank, upwardRank } from '../rank.js';
import { earliestFinish, listOptions, usable, usableMeanS, type PublishedOptions } from './common.js';

export function heftSchedule(problem: Problem, graph: SubtaskGraph, options: PublishedOptions): ListSchedule {
  const priority = byDecreasingRank(graph, upwardRank(problem, graph, usableMeanS(graph)));
  return listSchedule(problem, graph, priority, listOptions(options, earliestFinish, (_s, _p, finish) => finish));
}

export function mctSchedule(problem: Problem, graph: SubtaskGraph, options: PublishedOptions): ListSchedule {
  return listSchedule(problem, graph, graph.order, listOptions(options, earliestFinish, (_s, _p, finish) => finish));
}

export function metSchedule(problem: Problem, graph: SubtaskGraph, options: PublishedOptions): ListSchedule {
  const P = graph.poolCount;
  const runtime = (s: number, p: number): number => graph.expectedS[s * P + p]!;
  return listSchedule(problem, graph, graph.order, listOptions(options, (s, p) => runtime(s, p), (s, p) => runtime(s, p)));
}

export function olbSchedule(problem: Problem, graph: SubtaskGraph, options: PublishedOptions): ListSchedule {
  return listSchedule(problem, graph, graph.order, listOptions(options, (_s, _p, start) => start, undefined));
}

/** The pool with the smallest total expected runtime; pools that cannot run some sub-task rank after all that can run more. */
export function fastestPool(graph: SubtaskGraph): number {
  const P = graph.poolCount;
  let best = -1;
  let bestMissing = Number.POSITIVE_INFINITY;
  let bestSumS = Number.POSITIVE_INFINITY;
  for (let p = 0; p < P; p++) {
    let missing = 0;
    let sumS = 0;
    for (let s = 0; s < graph.nodeCount; s++) {
      const d = graph.expectedS[s * P + p]!;
      if (usable(d)) sumS += d;
      else missing++;
    }
    if (missing < bestMissing || (missing === bestMissing && sumS < bestSumS)) {
      best = p;
      bestMissing = missing;
      bestSumS = sumS;
    }
  }
  return best;
}

export function fastestNodeSchedule(problem: Problem, graph: SubtaskGraph, options: PublishedOptions): ListSchedule {
  const pool = fastestPool(graph);
  // The caller's pins (DLT chunks) win over the rule's.
  const pinned = Int32Array.from({ length: graph.nodeCount }, (_, s) => {
    const own = options.pinned?.[s] ?? -1;
    return own >= 0 ? own : pool;
  });
  return listSchedule(problem, graph, graph.order, listOptions(options, earliestFinish, (_s, _p, finish) => finish, pinned));
}
