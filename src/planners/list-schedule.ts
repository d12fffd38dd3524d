/**
 * List scheduling: take sub-tasks in a priority order (topological), and for each pick a
 * pool by a score over (pool, start, finish), reserving the earliest slot there. Every
 * baseline and the constructive planner are instances of it; they differ in partition,
 * priority, slot policy (append or insertion) and score.
 */
import { readyTimeS, readyTimesByRegion, type PartialSchedule } from '../cost/simulate.js';
import { SlotBook } from '../cost/slots.js';
import { InputError } from '../model/issues.js';
import { MAX_EXPECTED_RUNTIME_S } from '../model/limits.js';
import type { Problem } from '../model/problem.js';
import type { SubtaskGraph } from '../model/subtasks.js';

/**
 * Lower is better; ties go to the earlier finish, then the lower pool index. `allocation`
 * holds the pools of the sub-tasks placed so far (for egress and transfer terms).
 */
export type PoolScore = (s: number, p: number, startS: number, finishS: number, allocation: Int32Array) => number;

/**
 * Above this many sub-tasks the constructive planner appends instead of inserting into idle
 * gaps: insertion costs a binary search per slot per pool per sub-task (1.2 s vs 0.4 s at
 * 100k sub-tasks × 16 pools) and gave the same makespan on the synthetic layered graphs
 * measured (BENCHMARKS.md). HEFT, the baseline, always inserts.
 */
export const INSERTION_LIMIT = 20_000;

export interface ListScheduleOptions {
  /** Fill idle gaps between placed sub-tasks (HEFT) instead of appending after the last one. */
  readonly insertion: boolean;
  readonly score: PoolScore;
  /**
   * A lower bound on `score` for pool p given the earliest finish the sub-task could have
   * there (ready + duration, before looking for a slot). Pools whose bound exceeds the best
   * score so far are skipped without searching their slots.
   */
  readonly scoreLowerBound?: ((s: number, p: number, earliestFinishS: number, allocation: Int32Array) => number) | undefined;
  /** Pool each sub-task must use, or -1 for free choice. */
  readonly pinned?: Int32Array | undefined;
  readonly partial?: PartialSchedule | undefined;
  /** Called after each placement, for planners that keep state (round-robin, projections). */
  readonly onPlaced?: ((s: number, p: number, startS: number, finishS: number) => void) | undefined;
}

export interface ListSchedule {
  readonly allocation: Int32Array;
  readonly startS: Float64Array;
  readonly finishS: Float64Array;
}

export function listSchedule(problem: Problem, graph: SubtaskGraph, priority: ArrayLike<number>, options: ListScheduleOptions): ListSchedule {
  const n = graph.nodeCount;
  const P = problem.pools.count;
  const allocation = new Int32Array(n).fill(-1);
  const startS = new Float64Array(n);
  const finishS = new Float64Array(n).fill(Number.NaN);
  const book = new SlotBook(problem.pools, options.insertion, options.partial?.nowS ?? 0);
  const fixed = options.partial?.fixed;
  if (fixed !== undefined) {
    for (const [s, placed] of fixed) {
      allocation[s] = placed.pool;
      startS[s] = placed.startS;
      finishS[s] = placed.finishS;
      book.reserve(placed.pool, placed.slot, placed.startS, placed.finishS);
    }
  }
  const byRegion = problem.network.freeWithinRegions ? new Float64Array(problem.network.regionCount) : undefined;
  const lowerBounds = new Float64Array(P);
  const candidates = new Int32Array(P);
  const readyAt = new Float64Array(P);
  for (let i = 0; i < priority.length; i++) {
    const s = priority[i]!;
    if (fixed?.has(s) === true) continue;
    // A pin to a pool the sub-task may not use (a stale skeleton) is ignored, not fatal.
    const pinnedTo = options.pinned?.[s] ?? -1;
    let pin = pinnedTo >= 0 && usable(graph.expectedS[s * P + pinnedTo]!) ? pinnedTo : -1;
    if (byRegion !== undefined) readyTimesByRegion(problem, graph, s, allocation, finishS, byRegion);
    let bestPool = -1;
    let bestSlot = -1;
    let bestScore = Number.POSITIVE_INFINITY;
    let bestStart = 0;
    let bestFinish = Number.POSITIVE_INFINITY;
    // A pinned pool with no slot left long enough (its capacity ended) gives way to free choice.
    for (let attempt = 0; attempt < 2 && bestPool < 0; attempt++) {
      if (attempt === 1) {
        if (pin < 0) break;
        pin = -1;
      }
      // Candidate pools with their ready times and score lower bounds, visited in order of the
      // bound so the best pool tends to come first and the rest are skipped unsearched.
      let count = 0;
      for (let p = pin >= 0 ? pin : 0; p < (pin >= 0 ? pin + 1 : P); p++) {
        const duration = graph.expectedS[s * P + p]!;
        if (!usable(duration)) continue;
        allocation[s] = p; // readyTimeS compares the producer's pool with this one
        const ready = byRegion !== undefined ? byRegion[problem.pools.regionIndex[p]!]! : readyTimeS(problem, graph, s, p, allocation, finishS);
        const bound = options.scoreLowerBound === undefined ? 0 : options.scoreLowerBound(s, p, ready + duration, allocation);
        // Insertion sort into the candidate list by bound (P is small).
        let at = count++;
        while (at > 0 && lowerBounds[at - 1]! > bound) {
          lowerBounds[at] = lowerBounds[at - 1]!;
          candidates[at] = candidates[at - 1]!;
          readyAt[at] = readyAt[at - 1]!;
          at--;
        }
        lowerBounds[at] = bound;
        candidates[at] = p;
        readyAt[at] = ready;
      }
      for (let c = 0; c < count; c++) {
        if (lowerBounds[c]! > bestScore) break; // sorted: no later pool can do better
        const p = candidates[c]!;
        const duration = graph.expectedS[s * P + p]!;
        allocation[s] = p;
        const start = book.find(p, readyAt[c]!, duration);
        if (!Number.isFinite(start)) continue;
        const finish = start + duration;
        const score = options.score(s, p, start, finish, allocation);
        // Ties: earlier finish, then lower pool index, whatever order pools were visited in.
        if (score < bestScore || (score === bestScore && (finish < bestFinish || (finish === bestFinish && p < bestPool)))) {
          bestPool = p;
          bestSlot = book.foundSlot;
          bestScore = score;
          bestStart = start;
          bestFinish = finish;
        }
      }
    }
    if (bestPool < 0) throw unplaceable(problem, graph, s, allocation, finishS);
    allocation[s] = bestPool;
    startS[s] = bestStart;
    finishS[s] = bestFinish;
    book.reserve(bestPool, bestSlot, bestStart, bestFinish);
    options.onPlaced?.(s, bestPool, bestStart, bestFinish);
  }
  return { allocation, startS, finishS };
}

/** A sub-task expected to run longer than MAX_EXPECTED_RUNTIME_S (or forbidden: Infinity) never finishes there. */
export function usable(expectedS: number): boolean {
  return expectedS <= MAX_EXPECTED_RUNTIME_S;
}

/**
 * No pool has a slot long enough after the sub-task's inputs are ready: capacity ends too
 * soon for this stage on every pool that may run it. Bad input, named by stage.
 */
export function unplaceable(problem: Problem, graph: SubtaskGraph, s: number, allocation: Int32Array, finishS: Float64Array): InputError {
  const P = problem.pools.count;
  const partition = graph.partition;
  const v = partition.members[partition.memberStart[s]!]!;
  const stage = problem.definition.stages[v]!;
  const reasons: string[] = [];
  for (let p = 0; p < P; p++) {
    const duration = graph.expectedS[s * P + p]!;
    if (!Number.isFinite(duration)) continue;
    allocation[s] = p;
    const ready = readyTimeS(problem, graph, s, p, allocation, finishS);
    reasons.push(usable(duration) ? `pool "${problem.pools.ids[p]}" has no slot free for ${round(duration)} s after ${round(ready)} s` : `on pool "${problem.pools.ids[p]}" it would restart forever`);
  }
  allocation[s] = -1;
  const what = partition.unitCount[s]! > 0 ? `a chunk of "${stage.id}" (${partition.unitCount[s]} ${stage.kind === 'divisible' ? stage.unitName : 'units'})` : `"${stage.id}"`;
  return new InputError('plan inputs', [
    {
      code: 'infeasible',
      path: ['stages', v],
      message: `no pool can finish ${what} once its inputs are ready: ${reasons.join('; ')}`,
      expected: 'a pool with capacity left when the stage can run',
      received: `${reasons.length} pool${reasons.length === 1 ? '' : 's'} whose capacity ends too soon`,
    },
  ]);
}

function round(value: number): string {
  return Number(value.toPrecision(4)).toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/** USD a sub-task costs on pool p: expected slot-seconds × price + egress of its inputs (shared objects amortised). */
export function placementCostUsd(problem: Problem, graph: SubtaskGraph, s: number, p: number, allocation: ArrayLike<number>): number {
  const P = problem.pools.count;
  const network = problem.network;
  const R = network.regionCount;
  const region = problem.pools.regionIndex[p]!;
  let usd = graph.expectedS[s * P + p]! * problem.pools.priceUsdPerSlotS[p]!;
  for (let e = graph.predStart[s]!; e < graph.predStart[s + 1]!; e++) {
    const q = allocation[graph.predIndex[e]!]!;
    if (q !== p) usd += graph.predBytes[e]! * network.egressUsdPerByte[problem.pools.regionIndex[q]! * R + region]!;
  }
  for (let k = graph.externalStart[s]!; k < graph.externalStart[s + 1]!; k++) {
    // A whole object is moved once per region: each reader is charged its share.
    const readers = graph.externalWhole[k] === 1 ? graph.wholeReaders[graph.externalObject[k]!]! : 1;
    usd += (graph.externalBytes[k]! * network.egressUsdPerByte[graph.externalRegion[k]! * R + region]!) / readers;
  }
  return usd;
}
