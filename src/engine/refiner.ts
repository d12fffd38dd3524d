/**
 * The LP/ILP layer as the engine's Refiner: the certified LP lower bound (never below the
 * quick bounds), and the ILP skeleton (units and chunks per pool for divisible stages, task
 * counts per pool for groups of atomic tasks) turned into one more candidate by list
 * scheduling with those pools pinned.
 */
import { quickBound, type LowerBound } from '../cost/bounds.js';
import { evaluateCandidate, type ScoredCandidate } from '../cost/evaluate.js';
import { orderByStart } from '../cost/simulate.js';
import type { Problem } from '../model/problem.js';
import { buildSubtaskGraph, PartitionBuilder } from '../model/subtasks.js';
import { INSERTION_LIMIT, listSchedule } from '../planners/list-schedule.js';
import { stagesByLevel } from '../planners/partition.js';
import { byDecreasingRank, upwardRank } from '../planners/rank.js';
import { addPinnedChunks } from '../planners/variants.js';
import { pinFromGroups, refine, type LpBound, type Skeleton } from '../solve/formulate.js';
import type { Solver } from '../solve/solver.js';
import type { Refiner } from './engine.js';

export function solverRefiner(solver: Solver): Refiner {
  return {
    async refine(problem, timeLimitMs, clockMs) {
      // The bound is what certifies the gap; the skeleton is one more candidate among many.
      const refined = await refine(problem, solver, { timeLimitMs, boundShare: 0.7, clockMs });
      const candidate = refined.skeleton === undefined ? undefined : skeletonCandidate(problem, refined.skeleton);
      return { bound: asLowerBound(problem, refined.bound), candidate, notes: refined.notes };
    },
  };
}

/** The LP bound, never weaker than the quick bounds (both are valid, so their max is). */
function asLowerBound(problem: Problem, bound: LpBound): LowerBound | undefined {
  if (bound.state !== 'lp') return undefined;
  const quick = quickBound(problem);
  return {
    makespanS: Math.max(bound.makespanS, quick.makespanS),
    costUsd: quick.costUsd,
    objective: Math.max(bound.objective, quick.objective),
    source: `LP over stage × pool work, certified from ${bound.solver} duals; critical and pool-aware paths`,
  };
}

/** Whole atomic stages pinned to their skeleton pools, divisible stages cut as the skeleton says. */
export function skeletonCandidate(problem: Problem, skeleton: Skeleton): ScoredCandidate {
  const atomicPin = pinFromGroups(problem, skeleton);
  const shares = new Map(skeleton.divisible.map((d) => [d.stage, d.shares]));
  const builder = new PartitionBuilder();
  const pins: number[] = [];
  for (const level of stagesByLevel(problem)) {
    for (const v of level) {
      const stage = problem.definition.stages[v]!;
      const split = shares.get(v);
      // The ILP counts capacity as fluid slot-time, so it may leave a pool's units in fewer
      // chunks than the pool has slots: keep its units per pool, but use every slot.
      if (stage.kind === 'divisible' && split !== undefined) addPinnedChunks(builder, pins, problem, v, split.map((share) => ({ ...share, chunks: Math.max(share.chunks, problem.pools.slots[share.pool]!) })));
      else if (stage.kind === 'divisible') addPinnedChunks(builder, pins, problem, v, [{ pool: -1, units: stage.units, chunks: problem.pools.count }]);
      else {
        builder.addGroup([v]);
        pins.push(atomicPin[v] ?? -1);
      }
    }
  }
  const graph = buildSubtaskGraph(problem, builder.build());
  const pinned = Int32Array.from(pins);
  const priority = byDecreasingRank(graph, upwardRank(problem, graph));
  const result = listSchedule(problem, graph, priority, {
    insertion: graph.nodeCount <= INSERTION_LIMIT,
    pinned,
    score: (_s, _p, _start, finish) => finish,
    scoreLowerBound: (_s, _p, earliestFinish) => earliestFinish,
  });
  return evaluateCandidate(problem, { graph, allocation: result.allocation, order: orderByStart(graph, result.startS), variant: `ILP skeleton (${skeleton.method}), earliest-finish` });
}
