/**
 * Baseline planners, on the default partition:
 * - round-robin: topological order, pools in turn (skipping pools a filter forbids);
 * - greedy: topological order, the pool where the sub-task finishes first (what Dask's
 *   scheduler does without history);
 * - heft: upward-rank order, earliest finish with insertion into idle gaps (Topcuoglu et al. 2002);
 * - cheapest: the pool where the sub-task costs least, time ignored (SkyPilot-like).
 */
import { orderByStart } from '../cost/simulate.js';
import { buildSubtaskGraph, type SubtaskGraph } from '../model/subtasks.js';
import type { Problem } from '../model/problem.js';
import { listSchedule, placementCostUsd, type ListScheduleOptions } from './list-schedule.js';
import { defaultPartition } from './partition.js';
import type { Candidate } from '../cost/candidate.js';
import type { Planner, PlannerOptions } from './planner.js';
import { byDecreasingRank, upwardRank } from './rank.js';

function graphFor(problem: Problem, options: PlannerOptions | undefined): SubtaskGraph {
  return options?.extend?.graph ?? buildSubtaskGraph(problem, defaultPartition(problem));
}

function run(problem: Problem, graph: SubtaskGraph, priority: ArrayLike<number>, options: ListScheduleOptions, variant: string): Candidate {
  const result = listSchedule(problem, graph, priority, options);
  return { graph, allocation: result.allocation, order: orderByStart(graph, result.startS), variant };
}

export const roundRobin: Planner = {
  id: 'round-robin',
  description: 'pools in turn, topological order',
  plan(problem, options) {
    const graph = graphFor(problem, options);
    const P = problem.pools.count;
    let next = 0;
    return run(problem, graph, graph.order, {
      insertion: false,
      partial: options?.extend?.partial,
      score: (_s, p) => (p - next + P) % P,
      onPlaced: (_s, p) => {
        next = (p + 1) % P;
      },
    }, 'round-robin');
  },
};

export const greedy: Planner = {
  id: 'greedy',
  description: 'earliest finish, topological order',
  plan(problem, options) {
    const graph = graphFor(problem, options);
    return run(problem, graph, graph.order, { insertion: false, partial: options?.extend?.partial, score: (_s, _p, _start, finish) => finish }, 'greedy earliest-finish');
  },
};

export const heft: Planner = {
  id: 'heft',
  description: 'HEFT: upward rank, insertion-based earliest finish',
  plan(problem, options) {
    const graph = graphFor(problem, options);
    const priority = byDecreasingRank(graph, upwardRank(problem, graph));
    return run(problem, graph, priority, {
      insertion: true,
      partial: options?.extend?.partial,
      score: (_s, _p, _start, finish) => finish,
      scoreLowerBound: (_s, _p, earliestFinish) => earliestFinish,
    }, 'HEFT');
  },
};

export const cheapest: Planner = {
  id: 'cheapest',
  description: 'cheapest pool that fits, time ignored',
  plan(problem, options) {
    const graph = graphFor(problem, options);
    // Ties in price (e.g. several free pools) go to the earlier finish inside listSchedule.
    return run(problem, graph, graph.order, {
      insertion: false,
      partial: options?.extend?.partial,
      score: (s, p, _start, _finish, allocation) => placementCostUsd(problem, graph, s, p, allocation),
    }, 'cheapest-first');
  },
};
