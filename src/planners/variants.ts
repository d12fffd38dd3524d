/**
 * Partition variants of the constructive planner: how divisible stages are cut (even chunks
 * or the divisible-load split) and whether tiny atomic tasks are clustered, with scales the
 * search moves (more or fewer chunks, bigger or smaller clusters).
 *
 * Sub-tasks are numbered level by level, so ids follow a topological order.
 */
import type { Problem } from '../model/problem.js';
import { buildSubtaskGraph, PartitionBuilder, speedOf, type PartitionSpec, type SubtaskGraph } from '../model/subtasks.js';
import { clusterLevel, verticalChains } from './cluster.js';
import { splitDivisible } from './divisible.js';
import { clampChunkCount, cutEvenly, evenChunkCount, stageChunkCap, stagesByLevel, totalSlots } from './partition.js';

/** How to cut the stages into sub-tasks. */

export interface PartitionVariant {
  readonly graph: SubtaskGraph;
  /** Pool each sub-task must start on (DLT chunks), or undefined. */
  readonly pinned: Int32Array | undefined;
  readonly label: string;
  readonly spec: PartitionSpec | undefined;
}

export function buildVariant(problem: Problem, spec: PartitionSpec): PartitionVariant {
  const { split, cluster } = spec;
  const builder = new PartitionBuilder();
  const pins: number[] = [];
  const slots = totalSlots(problem);
  const estimatedFinishS = new Float64Array(problem.stages.nodeCount);
  // A vertical chain is one sub-task, added where its first stage is; its other stages are skipped.
  const chainOf = new Map<number, number[]>();
  const chained = new Uint8Array(problem.stages.nodeCount);
  if (spec.vertical === true) {
    for (const chain of verticalChains(problem, spec.clusterScale)) {
      chainOf.set(chain[0]!, chain);
      for (const v of chain) chained[v] = 1;
    }
  }
  for (const stagesOfLevel of stagesByLevel(problem)) {
    if (split === 'dlt') estimateFinishes(problem, stagesOfLevel, estimatedFinishS);
    const level = chainOf.size === 0 ? stagesOfLevel : stagesOfLevel.filter((v) => chained[v] === 0);
    const groups = cluster ? clusterLevel(problem, level, spec.clusterScale) : level.map((v) => [v]);
    for (const v of stagesOfLevel) {
      const chain = chainOf.get(v);
      if (chain === undefined) continue;
      builder.addGroup(chain);
      pins.push(-1);
    }
    for (const group of groups) {
      const v = group[0]!;
      const stage = problem.definition.stages[v]!;
      if (stage.kind === 'atomic') {
        builder.addGroup(group);
        pins.push(-1);
      } else if (split === 'even') {
        // A bag cut one task per chunk is the atomic import's partition (chunk = task).
        const chunks = spec.bagTasks === true && stage.bag !== undefined ? Math.min(stage.units, stageChunkCap(problem, v)) : evenChunkCount(problem, v, slots * spec.chunkScale);
        cutEvenly(stage.units, chunks, (start, count) => {
          builder.addChunk(v, start, count);
          pins.push(-1);
        });
      } else {
        const { shares } = splitDivisible(problem, v, estimatedStartS(problem, v, estimatedFinishS));
        // A split that does not cover the stage (no pool had a finite rate) falls back to even chunks.
        if (shares.reduce((sum, share) => sum + share.units, 0) === stage.units) addPinnedChunks(builder, pins, problem, v, shares, spec.chunkScale);
        else {
          cutEvenly(stage.units, evenChunkCount(problem, v, slots * spec.chunkScale), (start, count) => {
            builder.addChunk(v, start, count);
            pins.push(-1);
          });
        }
      }
    }
  }
  const partition = builder.build();
  const graph = buildSubtaskGraph(problem, partition);
  const pinned = pins.some((p) => p >= 0) ? Int32Array.from(pins) : undefined;
  const hasDivisible = problem.definition.stages.some((stage) => stage.kind === 'divisible');
  const cut = hasDivisible ? (split === 'dlt' ? 'DLT split' : spec.bagTasks === true ? 'bags one task per chunk' : 'even chunks') : 'whole tasks';
  const scales = `${spec.chunkScale !== 1 && hasDivisible ? `, chunks ×${spec.chunkScale}` : ''}${cluster && spec.clusterScale !== 1 ? `, cluster size ×${spec.clusterScale}` : ''}`;
  return { graph, pinned, label: `${cut}${cluster ? ', clustered' : ''}${spec.vertical === true ? ', chains merged' : ''}${scales}`, spec };
}

/**
 * Chunks of divisible stage v cut pool by pool: each share's units in `chunks × scale` even
 * chunks (within min/max chunk), consecutive unit ranges, each chunk pinned to its pool.
 * Above the stage's chunk cap every share's count shrinks in proportion.
 */
export function addPinnedChunks(
  builder: PartitionBuilder,
  pins: number[],
  problem: Problem,
  v: number,
  shares: ReadonlyArray<{ readonly pool: number; readonly units: number; readonly chunks: number }>,
  chunkScale = 1,
): void {
  const stage = problem.definition.stages[v]!;
  if (stage.kind !== 'divisible') throw new Error(`internal: stage ${stage.id} is not divisible`);
  const cap = stageChunkCap(problem, v);
  const cuttable = (units: number): boolean => Math.ceil(units / stage.maxChunk) <= Math.floor(units / stage.minChunk);
  const wanted = shares.reduce((sum, share) => sum + (share.units > 0 ? Math.max(1, share.chunks * chunkScale) : 0), 0);
  const scale = wanted > cap ? cap / wanted : 1;
  const counts = shares.map((share) => (share.units <= 0 ? 0 : clampChunkCount(share.units, stage.minChunk, stage.maxChunk, scale === 1 ? share.chunks * chunkScale : Math.max(1, Math.floor(share.chunks * chunkScale * scale)), cap)));
  if (!shares.every((share) => share.units <= 0 || cuttable(share.units)) || counts.reduce((a, b) => a + b, 0) > cap) {
    addProportionalChunks(builder, pins, v, stage.units, stage.minChunk, stage.maxChunk, shares, cap);
    return;
  }
  let offset = 0;
  shares.forEach((share, i) => {
    if (share.units <= 0) return;
    cutEvenly(share.units, counts[i]!, (start, count) => {
      builder.addChunk(v, offset + start, count);
      pins.push(share.pool);
    });
    offset += share.units;
  });
}

/**
 * Fallback when some pool's share cannot be cut within [minChunk, maxChunk]: cut the whole
 * stage evenly (always possible for a validated stage) and hand the chunks to the pools in
 * proportion to their shares (largest remainder).
 */
function addProportionalChunks(
  builder: PartitionBuilder,
  pins: number[],
  v: number,
  units: number,
  minChunk: number,
  maxChunk: number,
  shares: ReadonlyArray<{ readonly pool: number; readonly units: number; readonly chunks: number }>,
  cap: number,
): void {
  const wanted = shares.reduce((sum, share) => sum + share.chunks, 0);
  const chunks = clampChunkCount(units, minChunk, maxChunk, wanted, cap);
  const exact = shares.map((share) => (share.units / units) * chunks);
  const counts = exact.map(Math.floor);
  const byRemainder = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  for (let missing = chunks - counts.reduce((a, b) => a + b, 0), j = 0; missing > 0; missing--, j++) counts[byRemainder[j % byRemainder.length]![1]]!++;
  let share = 0;
  let given = 0;
  cutEvenly(units, chunks, (start, count) => {
    while (share < shares.length - 1 && given >= counts[share]!) {
      share++;
      given = 0;
    }
    builder.addChunk(v, start, count);
    pins.push(shares[share]!.pool);
    given++;
  });
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

/** The constructive planner's partitions, simplest first. */
export function defaultSpecs(problem: Problem): PartitionSpec[] {
  const hasDivisible = problem.definition.stages.some((s) => s.kind === 'divisible');
  const splits: Array<PartitionSpec['split']> = hasDivisible ? ['even', 'dlt'] : ['even'];
  const specs: PartitionSpec[] = [false, true].flatMap((cluster) => splits.map((split) => ({ split, cluster, chunkScale: 1, clusterScale: 1 })));
  // Bags of tasks (WfFormat import) also planned one task per chunk: what the atomic import
  // gives, which clustering by longest task first beat on homogeneous pools (bwa, seismology).
  if (problem.bags !== undefined) specs.splice(1, 0, { split: 'even', cluster: false, chunkScale: 1, clusterScale: 1, bagTasks: true });
  if (verticalChains(problem).length > 0) specs.push(...splits.map((split) => ({ split, cluster: true, chunkScale: 1, clusterScale: 1, vertical: true })));
  return specs;
}

