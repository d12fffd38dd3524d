/**
 * Partitions shared by the planners.
 *
 * The default partition (used by the baselines) keeps each atomic stage whole and cuts each
 * divisible stage into equal chunks, one per slot of all pools, within [minChunk, maxChunk]:
 * what a user would do by hand without a cost model.
 *
 * Sub-tasks are numbered stage level by stage level, so sub-task ids follow a topological
 * order (ties inside a level keep the stages' topological order).
 */
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

/** Chunk count for an even cut: `wanted`, moved inside what minChunk / maxChunk allow. */
export function clampChunkCount(units: number, minChunk: number, maxChunk: number, wanted: number): number {
  const fewest = Math.ceil(units / maxChunk);
  const most = Math.max(1, Math.floor(units / minChunk));
  return Math.max(fewest, Math.min(most, Math.max(1, Math.round(wanted))));
}

export function defaultPartition(problem: Problem): Partition {
  const builder = new PartitionBuilder();
  const slots = totalSlots(problem);
  for (const level of stagesByLevel(problem)) {
    for (const v of level) {
      const stage = problem.definition.stages[v]!;
      if (stage.kind === 'atomic') builder.addGroup([v]);
      else cutEvenly(stage.units, clampChunkCount(stage.units, stage.minChunk, stage.maxChunk, slots), (start, count) => builder.addChunk(v, start, count));
    }
  }
  return builder.build();
}
