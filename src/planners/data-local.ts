/**
 * The data-local rule: each sub-task stays in the region that holds most of its input bytes
 * (its producers' outputs as placed so far, and the objects it reads from outside the job), and
 * within that region takes the pool the objective-aware score prefers. A sub-task that reads
 * nothing starts in the region of the cheapest pool (price per unit of work).
 *
 * Why a rule of its own: the objective-aware score weighs one placement at a time, so it moves
 * the first sub-tasks of a wide stage to fast paid pools across the network and every later
 * placement then pays the egress to follow or to come back. On wide fan-out/fan-in workflows
 * with inputs next to a free pool, and on shuffles of large outputs, keeping work by its data
 * was 12–30× cheaper than the greedy trade (issue 12).
 */
import type { Problem } from '../model/problem.js';
import type { SubtaskGraph } from '../model/subtasks.js';

/**
 * A penalty added to the score of pools outside the data's region: large enough to lose to
 * any in-region pool, finite so a sub-task whose region has no free slot long enough still goes
 * somewhere (list scheduling then picks the best of the rest).
 */
export const OUT_OF_REGION_PENALTY = 1e30;

/** Region of the cheapest pool per unit of work at speed 1 (ties: lower index). */
export function cheapestRegion(problem: Problem): number {
  const { pools } = problem;
  let best = 0;
  for (let p = 1; p < pools.count; p++) if (pools.priceUsdPerSlotS[p]! / pools.speed[p]! < pools.priceUsdPerSlotS[best]! / pools.speed[best]!) best = p;
  return pools.regionIndex[best]!;
}

/**
 * The region holding most of sub-task s's input bytes given the pools placed so far
 * (`allocation`, −1 = not placed), or `fallback` when it reads no bytes. `bytesByRegion` is scratch
 * of length regionCount.
 */
export function inputRegion(problem: Problem, graph: SubtaskGraph, s: number, allocation: ArrayLike<number>, bytesByRegion: Float64Array, fallback: number): number {
  bytesByRegion.fill(0);
  for (let e = graph.predStart[s]!; e < graph.predStart[s + 1]!; e++) {
    const q = allocation[graph.predIndex[e]!]!;
    if (q < 0) continue;
    bytesByRegion[problem.pools.regionIndex[q]!]! += graph.predBytes[e]!;
  }
  for (let k = graph.externalStart[s]!; k < graph.externalStart[s + 1]!; k++) {
    bytesByRegion[graph.externalRegion[k]!]! += graph.externalBytes[k]!;
  }
  let best = fallback;
  let bestBytes = 0;
  for (let r = 0; r < bytesByRegion.length; r++) {
    if (bytesByRegion[r]! > bestBytes) {
      best = r;
      bestBytes = bytesByRegion[r]!;
    }
  }
  return best;
}
