/**
 * apportion's constructive planner.
 *
 * Partition: divisible stages split across pools by divisible-load theory with chunk sizes
 * from the overhead/rework trade-off (`divisible.ts`); tiny atomic tasks clustered
 * horizontally (`cluster.ts`). Allocation: list scheduling in upward-rank order with
 * insertion, scoring each pool on the full objective: the USD the placement costs (price,
 * egress, rework) plus the exchange rate times how far it pushes the projected makespan
 * (finish + the sub-task's remaining critical path beyond the current projection).
 *
 * Each choice has a simpler alternative that wins on some inputs (even chunks vs DLT,
 * clustering or not, objective-aware vs earliest-finish scoring), and planning is cheap
 * next to running the job, so the planner builds each combination and keeps the best by
 * the reference cost model. `variant` says which one won.
 */
import { evaluateCandidate, isBetter, type ScoredCandidate } from '../cost/evaluate.js';
import { usdPerSecond } from '../cost/objective.js';
import { orderByStart } from '../cost/simulate.js';
import type { Problem } from '../model/problem.js';
import { buildSubtaskGraph, PartitionBuilder, speedOf, type SubtaskGraph } from '../model/subtasks.js';
import { clusterLevel } from './cluster.js';
import { splitDivisible } from './divisible.js';
import { listSchedule, placementCostUsd } from './list-schedule.js';
import { clampChunkCount, cutEvenly, stagesByLevel, totalSlots } from './partition.js';
import type { Candidate, Planner, PlannerOptions } from './planner.js';
import { byDecreasingRank, meanRuntimeS, upwardRank } from './rank.js';

interface PartitionVariant {
  readonly graph: SubtaskGraph;
  readonly pinned: Int32Array | undefined;
  readonly label: string;
}

function buildVariant(problem: Problem, split: 'even' | 'dlt', cluster: boolean): PartitionVariant {
  const builder = new PartitionBuilder();
  const pins: number[] = [];
  const slots = totalSlots(problem);
  const estimatedFinishS = new Float64Array(problem.stages.nodeCount);
  for (const level of stagesByLevel(problem)) {
    if (split === 'dlt') estimateFinishes(problem, level, estimatedFinishS);
    const groups = cluster ? clusterLevel(problem, level) : level.map((v) => [v]);
    for (const group of groups) {
      const v = group[0]!;
      const stage = problem.definition.stages[v]!;
      if (stage.kind === 'atomic') {
        builder.addGroup(group);
        pins.push(-1);
      } else if (split === 'even') {
        cutEvenly(stage.units, clampChunkCount(stage.units, stage.minChunk, stage.maxChunk, slots), (start, count) => {
          builder.addChunk(v, start, count);
          pins.push(-1);
        });
      } else {
        let offset = 0;
        for (const share of splitDivisible(problem, v, estimatedStartS(problem, v, estimatedFinishS)).shares) {
          cutEvenly(share.units, share.chunks, (start, count) => {
            builder.addChunk(v, offset + start, count);
            pins.push(share.pool);
          });
          offset += share.units;
        }
      }
    }
  }
  const partition = builder.build();
  const graph = buildSubtaskGraph(problem, partition);
  const pinned = pins.some((p) => p >= 0) ? Int32Array.from(pins) : undefined;
  const hasDivisible = problem.definition.stages.some((stage) => stage.kind === 'divisible');
  const cut = hasDivisible ? (split === 'dlt' ? 'DLT split' : 'even chunks') : 'whole tasks';
  return { graph, pinned, label: `${cut}${cluster ? ', clustered' : ''}` };
}

/** When stage v can start: the latest estimated finish of the stages it depends on. */
function estimatedStartS(problem: Problem, v: number, finishS: Float64Array): number {
  const g = problem.stages;
  let start = 0;
  for (let e = g.predStart[v]!; e < g.predStart[v + 1]!; e++) start = Math.max(start, finishS[g.predIndex[e]!]!);
  return start;
}

/**
 * Rough finish times for the DLT split of later stages: a divisible stage takes its
 * equal-finish split time, an atomic stage its fastest runtime.
 */
function estimateFinishes(problem: Problem, level: readonly number[], finishS: Float64Array): void {
  const P = problem.pools.count;
  for (const v of level) {
    const start = estimatedStartS(problem, v, finishS);
    const stage = problem.definition.stages[v]!;
    if (stage.kind === 'divisible') {
      finishS[v] = start + splitDivisible(problem, v, start).durationS;
      continue;
    }
    let fastest = Number.POSITIVE_INFINITY;
    for (let p = 0; p < P; p++) {
      if (problem.stageFeasible[v * P + p] === 0) continue;
      const known = problem.stageKnownRuntimeS[v * P + p]!;
      fastest = Math.min(fastest, Number.isNaN(known) ? problem.stageWorkS[v]! / speedOf(problem, v, p) : known);
    }
    finishS[v] = start + (Number.isFinite(fastest) ? fastest : 0);
  }
}

function partitionVariants(problem: Problem): PartitionVariant[] {
  const hasDivisible = problem.definition.stages.some((s) => s.kind === 'divisible');
  const variants = [buildVariant(problem, 'even', false)];
  if (hasDivisible) variants.push(buildVariant(problem, 'dlt', false));
  const clustered = buildVariant(problem, 'even', true);
  if (clustered.graph.nodeCount < variants[0]!.graph.nodeCount) {
    variants.push(clustered);
    if (hasDivisible) variants.push(buildVariant(problem, 'dlt', true));
  }
  return variants;
}

/** Earliest finish only: HEFT's rule, on this planner's partition. */
function scheduleEarliestFinish(problem: Problem, variant: PartitionVariant, priority: Int32Array, options: PlannerOptions | undefined): Candidate {
  const result = listSchedule(problem, variant.graph, priority, {
    insertion: true,
    pinned: variant.pinned,
    partial: options?.extend?.partial,
    score: (_s, _p, _start, finish) => finish,
  });
  return { graph: variant.graph, allocation: result.allocation, order: orderByStart(variant.graph, result.startS), variant: `${variant.label}, earliest-finish` };
}

/** Full objective: placement USD + exchange rate × growth of the projected makespan. */
function scheduleObjectiveAware(
  problem: Problem,
  variant: PartitionVariant,
  priority: Int32Array,
  rank: Float64Array,
  meanS: Float64Array,
  rateFactor: number,
  options: PlannerOptions | undefined,
): Candidate {
  const graph = variant.graph;
  const usdPerS = usdPerSecond(problem.objective) * rateFactor;
  let projectedS = 0;
  const result = listSchedule(problem, graph, priority, {
    insertion: true,
    pinned: variant.pinned,
    partial: options?.extend?.partial,
    score: (s, p, _start, finish, allocation) => {
      const growthS = Math.max(0, finish + rank[s]! - meanS[s]! - projectedS);
      return usdPerS * growthS + placementCostUsd(problem, graph, s, p, allocation);
    },
    onPlaced: (s, _p, _start, finish) => {
      projectedS = Math.max(projectedS, finish + rank[s]! - meanS[s]!);
    },
  });
  const label = rateFactor === 1 ? 'objective-aware' : `objective-aware, time at ${rateFactor}× its rate`;
  return { graph, allocation: result.allocation, order: orderByStart(graph, result.startS), variant: `${variant.label}, ${label}` };
}

/**
 * The objective-aware rule is greedy: it weighs each placement's price against how far it
 * pushes the projected makespan, which misjudges the makespan cost of early placements.
 * Scheduling with the exchange rate scaled down and up traces the time/price trade-off;
 * the reference model then judges every result at the true rate.
 */
function exchangeRateFactors(problem: Problem): number[] {
  if (problem.objective.kind === 'makespan') return [];
  if (problem.objective.kind === 'cost') return [1];
  return [0, 0.25, 1, 4];
}

export interface ApportionResult {
  readonly best: ScoredCandidate;
  readonly tried: readonly ScoredCandidate[];
}

export function planApportion(problem: Problem, options?: PlannerOptions): ApportionResult {
  const variants: PartitionVariant[] = options?.extend !== undefined ? [{ graph: options.extend.graph, pinned: undefined, label: 'kept partition' }] : partitionVariants(problem);
  const tried: ScoredCandidate[] = [];
  let best: ScoredCandidate | undefined;
  const rateFactors = exchangeRateFactors(problem);
  const perVariant = 1 + rateFactors.length;
  const consider = (candidate: Candidate): void => {
    const scored = evaluateCandidate(problem, candidate, options?.extend?.partial);
    tried.push(scored);
    if (best === undefined || isBetter(problem, scored, best)) best = scored;
    options?.onProgress?.(tried.length, variants.length * perVariant, best.terms.objective);
  };
  for (const variant of variants) {
    const meanS = meanRuntimeS(variant.graph);
    const rank = upwardRank(problem, variant.graph, meanS);
    const priority = byDecreasingRank(variant.graph, rank);
    consider(scheduleEarliestFinish(problem, variant, priority, options));
    for (const factor of rateFactors) consider(scheduleObjectiveAware(problem, variant, priority, rank, meanS, factor, options));
  }
  return { best: best!, tried };
}

export const apportion: Planner = {
  id: 'apportion',
  description: 'DLT split, clustering, objective-aware list scheduling; best variant by the cost model',
  plan(problem, options) {
    const { best } = planApportion(problem, options);
    return { graph: best.graph, allocation: best.allocation, order: best.order, variant: best.variant };
  },
};
