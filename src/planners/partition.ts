/**
 * Partitions shared by the planners.
 *
 * The default partition (used by the baselines) keeps each atomic stage whole and cuts each
 * divisible stage into equal chunks, one per slot of all pools, within [minChunk, maxChunk]
 * and the chunk caps (`stageChunkCap`): what a user would do by hand without a cost model.
 *
 * Sub-tasks are numbered stage level by stage level, so sub-task ids follow a topological
 * order (ties inside a level keep the stages' topological order).
 */
import { MAX_CHUNK_EDGES, MAX_CHUNKS_PER_STAGE, MAX_CHUNKS_TOTAL } from '../model/limits.js';
import { somePoolFinishes } from '../cost/bounds.js';
import type { Problem } from '../model/problem.js';
import { PartitionBuilder, type Partition } from '../model/subtasks.js';

/** Stages grouped by level, each level in topological order. */
export function stagesByLevel(problem: Problem): number[][] {
  const levels: number[][] = Array.from({ length: problem.stages.levelCount }, () => []);
  for (const v of problem.stages.order) levels[problem.stages.level[v]!]!.push(v);
  return levels;
}

export function totalSlots(problem: Problem): number {
  let total = 0;
  for (let p = 0; p < problem.pools.count; p++) total += problem.pools.slots[p]!;
  return total;
}

/** Cuts `units` into `chunks` near-equal integer pieces, calling `add(start, count)` for each. */
export function cutEvenly(units: number, chunks: number, add: (start: number, count: number) => void): void {
  const base = Math.floor(units / chunks);
  const extra = units - base * chunks;
  let start = 0;
  for (let c = 0; c < chunks; c++) {
    const count = base + (c < extra ? 1 : 0);
    if (count === 0) continue;
    add(start, count);
    start += count;
  }
}

/**
 * Chunk count for an even cut: `wanted`, moved inside what minChunk / maxChunk allow and at
 * most `cap` (unless maxChunk demands more; the validator keeps that within the caps).
 */
export function clampChunkCount(units: number, minChunk: number, maxChunk: number, wanted: number, cap: number = MAX_CHUNKS_PER_STAGE): number {
  const fewest = Math.ceil(units / maxChunk);
  const most = Math.max(1, Math.min(cap, Math.floor(units / minChunk)));
  const asked = wanted >= 1 ? Math.round(wanted) : 1; // NaN or below 1: one chunk
  return Math.max(fewest, Math.min(most, asked));
}

/**
 * Chunk count for an even cut of divisible stage v: `wanted` within the limits, raised (up
 * to the cap) until some pool can finish a chunk: a pool whose capacity ends or whose
 * interruptions make long chunks restart forever may still finish smaller ones.
 */
export function evenChunkCount(problem: Problem, v: number, wanted: number): number {
  const stage = problem.definition.stages[v]!;
  if (stage.kind !== 'divisible') return 1;
  const cap = stageChunkCap(problem, v);
  const chunks = clampChunkCount(stage.units, stage.minChunk, stage.maxChunk, wanted, cap);
  const finishes = (k: number): boolean => somePoolFinishes(problem, v, Math.ceil(stage.units / k));
  if (finishes(chunks)) return chunks;
  let lo = chunks; // does not finish
  let hi = Math.max(chunks, Math.min(cap, Math.floor(stage.units / stage.minChunk)));
  if (!finishes(hi)) return chunks; // not even at the cap: list scheduling reports the stage
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (finishes(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

const capsByProblem = new WeakMap<Problem, Int32Array>();

/**
 * Most chunks divisible stage v may be cut into: MAX_CHUNKS_PER_STAGE, fewer next to other
 * stages (MAX_CHUNK_EDGES: chunks join every sub-task of a neighbouring stage), and all
 * divisible stages together at most MAX_CHUNKS_TOTAL: each stage gets the chunks its maxChunk
 * demands plus an equal part of the rest of the total. Never below what maxChunk demands (the
 * validator keeps those demands within MAX_CHUNKS_PER_STAGE and MAX_CHUNKS_TOTAL). Planning
 * time and memory then follow the graph, not the slot or item counts.
 */
export function stageChunkCap(problem: Problem, v: number): number {
  let caps = capsByProblem.get(problem);
  if (caps === undefined) {
    const stages = problem.definition.stages;
    const g = problem.stages;
    const fewest = stages.map((stage) => (stage.kind === 'divisible' ? Math.ceil(stage.units / stage.maxChunk) : 0));
    const divisible = stages.filter((stage) => stage.kind === 'divisible').length;
    const spare = Math.max(0, MAX_CHUNKS_TOTAL - fewest.reduce((a, b) => a + b, 0));
    const each = divisible === 0 ? 0 : Math.floor(spare / divisible);
    const perDivisibleNeighbour = Math.sqrt(MAX_CHUNK_EDGES);
    caps = Int32Array.from(fewest, (f, u) => {
      let weight = 0;
      const count = (w: number): void => {
        weight += stages[w]!.kind === 'divisible' ? perDivisibleNeighbour : 1;
      };
      for (let e = g.predStart[u]!; e < g.predStart[u + 1]!; e++) count(g.predIndex[e]!);
      for (let e = g.succStart[u]!; e < g.succStart[u + 1]!; e++) count(g.succIndex[e]!);
      const byEdges = weight === 0 ? MAX_CHUNKS_PER_STAGE : Math.floor(MAX_CHUNK_EDGES / weight);
      return Math.max(1, f, Math.min(MAX_CHUNKS_PER_STAGE, byEdges, f + each));
    });
    capsByProblem.set(problem, caps);
  }
  return caps[v]!;
}

export function defaultPartition(problem: Problem): Partition {
  const builder = new PartitionBuilder();
  const slots = totalSlots(problem);
  for (const level of stagesByLevel(problem)) {
    for (const v of level) {
      const stage = problem.definition.stages[v]!;
      if (stage.kind === 'atomic') builder.addGroup([v]);
      else cutEvenly(stage.units, evenChunkCount(problem, v, slots), (start, count) => builder.addChunk(v, start, count));
    }
  }
  return builder.build();
}
