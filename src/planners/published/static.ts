/**
 * Static list schedulers: a fixed topological priority and a pool score, i.e. listSchedule.
 *
 * - HEFT (Topcuoglu, Hariri & Wu 2002): upward rank, earliest finish, insertion;
 * - MCT, minimum completion time (Armstrong et al. 1998; Braun et al. 2001): topological
 *   order, the pool where the sub-task finishes first (the `greedy` baseline's rule);
 * - MET, minimum execution time (Braun et al. 2001): the pool with the shortest expected
 *   runtime, availability ignored (ties: earlier finish);
 * - MST, minimum start time: the pool where the sub-task can start first (its inputs'
 *   arrival and the pool's queue), runtime ignored (ties: earlier finish);
 * - OLB, opportunistic load balancing (Freund et al. 1998; Braun et al. 2001): the pool that
 *   is free first, whatever the sub-task's runtime or where its inputs are (the sub-task
 *   still starts only once they have arrived);
 * - FastestNode: every sub-task on the one pool with the smallest total expected runtime
 *   (SAGA's serial baseline); a sub-task that pool cannot run (or no longer has capacity for)
 *   goes where it finishes first.
 */
import { SlotBook } from '../../cost/slots.js';
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

export function mstSchedule(problem: Problem, graph: SubtaskGraph, options: PublishedOptions): ListSchedule {
  return listSchedule(problem, graph, graph.order, listOptions(options, (_s, _p, start) => start, undefined));
}

export function olbSchedule(problem: Problem, graph: SubtaskGraph, options: PublishedOptions): ListSchedule {
  const P = graph.poolCount;
  // When each pool is free: a mirror of listSchedule's slot book, asked without a ready time.
  // Reserving at the placed start picks the slot listSchedule picked (both take the slot
  // free by then that freed latest), so the mirror stays in step.
  const free = new SlotBook(problem.pools, options.insertion, options.partial?.nowS ?? 0);
  for (const placed of options.partial?.fixed.values() ?? []) free.reserve(placed.pool, placed.slot, placed.startS, placed.finishS);
  const freeAtS = (s: number, p: number): number => free.find(p, 0, graph.expectedS[s * P + p]!);
  const own: PublishedOptions = {
    ...options,
    onPlaced: (s, p, start, finish) => {
      free.find(p, start, finish - start);
      free.reserve(p, free.foundSlot, start, finish);
      options.onPlaced?.(s, p, start, finish);
    },
  };
  return listSchedule(problem, graph, graph.order, listOptions(own, (s, p) => freeAtS(s, p), undefined));
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
