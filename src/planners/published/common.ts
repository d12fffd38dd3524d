/**
 * Shared pieces of the published list schedulers (src/planners/published/*): their options,
 * the means the papers rank by, and a ready-list order for static priorities.
 *
 * Every rule takes a sub-task graph (any partition: the default one, or apportion's own with
 * its DLT pins) and returns a ListSchedule, so a portfolio can score it with the reference
 * cost model like any other candidate.
 */
import { orderByStart, type PartialSchedule } from '../../cost/simulate.js';
import type { Candidate } from '../../cost/candidate.js';
import type { Problem } from '../../model/problem.js';
import type { SubtaskGraph } from '../../model/subtasks.js';
import { usable, type ListSchedule, type ListScheduleOptions, type PoolScore } from '../list-schedule.js';
import { meanLinkCost, meanRuntimeS, RANK_GRID } from '../rank.js';

export interface PublishedOptions {
  /** Fill idle gaps between placed sub-tasks instead of appending after a slot's last one. */
  readonly insertion: boolean;
  /** Pool each sub-task must use, or -1 for free choice (a pin to a forbidden pool is ignored). */
  readonly pinned?: Int32Array | undefined;
  readonly partial?: PartialSchedule | undefined;
  /**
   * Replaces the rule's own pool score (earliest finish, EFT + OCT, …), lower is better, so
   * the rule's priority can be combined with an objective-aware score. The ready-set rules
   * (MinMin, MaxMin, Sufferage, ETF) compare tasks by it too; they cache it per (sub-task,
   * pool), so a score that keeps state between placements needs `rescoreEachStep`.
   */
  readonly score?: PoolScore | undefined;
  /** Lower bound on `score` given the earliest finish (see ListScheduleOptions); only with `score`. */
  readonly scoreLowerBound?: ListScheduleOptions['scoreLowerBound'];
  /** Called after each placement (e.g. to update a stateful `score`). */
  readonly onPlaced?: ListScheduleOptions['onPlaced'];
  /** Ready-set rules: recompute every ready sub-task's scores after each placement (stateful `score`). */
  readonly rescoreEachStep?: boolean | undefined;
}

export type PublishedSchedule = (problem: Problem, graph: SubtaskGraph, options: PublishedOptions) => ListSchedule;

export { usable } from '../list-schedule.js';

export const earliestFinish: PoolScore = (_s, _p, _start, finish) => finish;

/** The options listSchedule needs, with `score` (and its bound) defaulting to the rule's own. */
export function listOptions(options: PublishedOptions, own: PoolScore, ownBound: ListScheduleOptions['scoreLowerBound'], pinned: Int32Array | undefined = options.pinned): ListScheduleOptions {
  return {
    insertion: options.insertion,
    pinned,
    partial: options.partial,
    score: options.score ?? own,
    scoreLowerBound: options.score === undefined ? ownBound : options.scoreLowerBound,
    onPlaced: options.onPlaced,
  };
}

/** Mean expected runtime over the pools that can finish s (w̄ in the papers). */
export function usableMeanS(graph: SubtaskGraph): Float64Array {
  return meanRuntimeS(graph, usable);
}

/** c̄(e) of every edge (in `succ` CSR order): mean latency + bytes × mean s/byte over distinct pool pairs. */
export function meanEdgeS(problem: Problem, graph: SubtaskGraph): Float64Array {
  const link = meanLinkCost(problem);
  const out = new Float64Array(graph.succIndex.length);
  for (let e = 0; e < out.length; e++) {
    const bytes = graph.succBytes[e]!;
    out[e] = bytes === 0 && link.latencyS === 0 ? 0 : link.latencyS + bytes * link.sPerByte;
  }
  return out;
}

/** Downward rank (Topcuoglu et al. 2002, eq. 9): longest mean path from an entry to s, s excluded. */
export function downwardRank(problem: Problem, graph: SubtaskGraph, meanS: Float64Array): Float64Array {
  const edgeS = meanEdgeS(problem, graph);
  const rank = new Float64Array(graph.nodeCount);
  for (let i = 0; i < graph.nodeCount; i++) {
    const q = graph.order[i]!;
    for (let e = graph.succStart[q]!; e < graph.succStart[q + 1]!; e++) {
      const s = graph.succIndex[e]!;
      const through = rank[q]! + meanS[q]! + edgeS[e]!;
      if (through > rank[s]!) rank[s] = through;
    }
  }
  return rank;
}


/**
 * The ready-list order of a static priority: repeatedly the ready sub-task of highest
 * priority (ties: topological position). CPoP and PEFT keep such a list because their
 * priorities are not monotone along edges, so sorting by them would not be topological.
 * Since the pool choice of a list scheduler depends only on the order sub-tasks come in, this
 * order fed to listSchedule is the paper's algorithm. O(n log n + edges) with a binary heap.
 */
export function readyListOrder(graph: SubtaskGraph, priority: ArrayLike<number>): Int32Array {
  const n = graph.nodeCount;
  const position = new Int32Array(n);
  const key = new Float64Array(n);
  graph.order.forEach((s, i) => {
    position[s] = i;
    key[s] = Math.round(priority[s]! * RANK_GRID);
  });
  // Max-heap on (key desc, position asc).
  const heap = new Int32Array(n);
  let size = 0;
  const before = (a: number, b: number): boolean => key[a]! > key[b]! || (key[a] === key[b] && position[a]! < position[b]!);
  const push = (s: number): void => {
    let i = size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(s, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = s;
  };
  const pop = (): number => {
    const top = heap[0]!;
    const last = heap[--size]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && before(heap[child + 1]!, heap[child]!)) child++;
      if (!before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  };
  const waiting = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    waiting[s] = graph.predStart[s + 1]! - graph.predStart[s]!;
    if (waiting[s] === 0) push(s);
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = pop();
    order[i] = s;
    for (let e = graph.succStart[s]!; e < graph.succStart[s + 1]!; e++) {
      const t = graph.succIndex[e]!;
      if (--waiting[t]! === 0) push(t);
    }
  }
  return order;
}

/** A list schedule as a candidate for the reference cost model (priority: start order). */
export function toCandidate(graph: SubtaskGraph, schedule: ListSchedule, variant: string): Candidate {
  return { graph, allocation: schedule.allocation, order: orderByStart(graph, schedule.startS), variant };
}
