/**
 * Backup pools: for each sub-task, the pools the cost model ranks next after its own. The
 * dispatcher moves a sub-task there when its attempt is interrupted or its pool is lost,
 * without re-planning first (it re-plans the remainder afterwards, with what is running).
 *
 * A pool q is ranked by what moving sub-task s alone to q would cost at the objective's
 * exchange rate: its finish on q (inputs arriving from where the plan put its predecessors,
 * plus q's expected runtime with rework) and its price there. Queueing behind other work on
 * q is ignored: this is a ranking for one sub-task at a time, cheap enough for 10^6 of them.
 */
import { readyTimeS, readyTimesByRegion, type Schedule } from '../cost/simulate.js';
import { usdPerSecond } from '../model/objective.js';
import type { Problem } from '../model/problem.js';
import type { SubtaskGraph } from '../model/subtasks.js';

/** Backup pools kept per sub-task. */
export const BACKUP_POOLS = 2;

/**
 * Pool indices, BACKUP_POOLS (two) per sub-task (-1 where fewer pools can run it), best first:
 * lower score, then earlier finish, then lower pool index. Two scalars per rank instead of
 * arrays: this runs for every sub-task of every plan (bench:latency, 1k × 16 pools).
 */
export function backupPools(problem: Problem, graph: SubtaskGraph, schedule: Schedule): Int32Array {
  const n = graph.nodeCount;
  const P = problem.pools.count;
  const rate = usdPerSecond(problem.objective);
  const { regionIndex, startupS, priceUsdPerSlotS } = problem.pools;
  const { expectedS } = graph;
  const { pool, finishS: doneS } = schedule;
  const out = new Int32Array(n * BACKUP_POOLS).fill(-1);
  const openUntilS = Float64Array.from({ length: P }, (_, q) => lastSlotEndS(problem, q));
  // Free moves within a region: a ready time per region, not per pool (as list scheduling does).
  const byRegion = problem.network.freeWithinRegions ? new Float64Array(problem.network.regionCount) : undefined;
  for (let s = 0; s < n; s++) {
    const own = pool[s]!;
    if (byRegion !== undefined) readyTimesByRegion(problem, graph, s, pool, doneS, byRegion);
    let first = -1;
    let firstScore = Number.POSITIVE_INFINITY;
    let firstFinish = Number.POSITIVE_INFINITY;
    let second = -1;
    let secondScore = Number.POSITIVE_INFINITY;
    let secondFinish = Number.POSITIVE_INFINITY;
    const row = s * P;
    for (let q = 0; q < P; q++) {
      const durationS = expectedS[row + q]!;
      if (q === own || !(durationS < Number.POSITIVE_INFINITY)) continue;
      const readyS = byRegion !== undefined ? byRegion[regionIndex[q]!]! : readyTimeS(problem, graph, s, q, pool, doneS);
      const finishS = readyS + startupS[q]! + durationS;
      if (finishS > openUntilS[q]!) continue; // the pool's capacity ends before it could finish there
      const priceUsd = durationS * priceUsdPerSlotS[q]!;
      // Makespan-only objectives rank by finish; cost-only by price; weighted by both.
      const score = rate === Number.POSITIVE_INFINITY ? finishS : rate === 0 ? priceUsd : priceUsd + rate * finishS;
      if (score < firstScore || (score === firstScore && finishS < firstFinish)) {
        second = first;
        secondScore = firstScore;
        secondFinish = firstFinish;
        first = q;
        firstScore = score;
        firstFinish = finishS;
      } else if (score < secondScore || (score === secondScore && finishS < secondFinish)) {
        second = q;
        secondScore = score;
        secondFinish = finishS;
      }
    }
    out[s * BACKUP_POOLS] = first;
    out[s * BACKUP_POOLS + 1] = second;
  }
  return out;
}

/** When pool q loses its last slot for good (its capacity's final step is 0), else Infinity. */
function lastSlotEndS(problem: Problem, q: number): number {
  const { capStart, capAtS, capSlots, slots } = problem.pools;
  const last = capStart[q + 1]! - 1;
  if (last < capStart[q]!) return slots[q]! > 0 ? Number.POSITIVE_INFINITY : 0;
  return capSlots[last]! > 0 ? Number.POSITIVE_INFINITY : capAtS[last]!;
}
