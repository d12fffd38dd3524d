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
 * Pool indices, BACKUP_POOLS per sub-task (-1 where fewer pools can run it), best first:
 * lower objective-rate score, then earlier finish, then lower pool index.
 */
export function backupPools(problem: Problem, graph: SubtaskGraph, schedule: Schedule, k = BACKUP_POOLS): Int32Array {
  const n = graph.nodeCount;
  const P = problem.pools.count;
  const rate = usdPerSecond(problem.objective);
  const out = new Int32Array(n * k).fill(-1);
  const bestScore = new Float64Array(k);
  const bestFinish = new Float64Array(k);
  // Free moves within a region: a ready time per region, not per pool (as list scheduling does).
  const byRegion = problem.network.freeWithinRegions ? new Float64Array(problem.network.regionCount) : undefined;
  for (let s = 0; s < n; s++) {
    const own = schedule.pool[s]!;
    if (byRegion !== undefined) readyTimesByRegion(problem, graph, s, schedule.pool, schedule.finishS, byRegion);
    bestScore.fill(Number.POSITIVE_INFINITY);
    bestFinish.fill(Number.POSITIVE_INFINITY);
    for (let q = 0; q < P; q++) {
      if (q === own) continue;
      const durationS = graph.expectedS[s * P + q]!;
      if (!Number.isFinite(durationS)) continue;
      const readyS = byRegion !== undefined ? byRegion[problem.pools.regionIndex[q]!]! : readyTimeS(problem, graph, s, q, schedule.pool, schedule.finishS);
      const finishS = readyS + problem.pools.startupS[q]! + durationS;
      const priceUsd = durationS * problem.pools.priceUsdPerSlotS[q]!;
      // Makespan-only objectives rank by finish (price breaks ties); cost-only by price.
      const score = rate === Number.POSITIVE_INFINITY ? finishS : rate === 0 ? priceUsd : priceUsd + rate * finishS;
      let at = k;
      while (at > 0 && (score < bestScore[at - 1]! || (score === bestScore[at - 1]! && finishS < bestFinish[at - 1]!))) at--;
      if (at === k) continue;
      for (let j = k - 1; j > at; j--) {
        bestScore[j] = bestScore[j - 1]!;
        bestFinish[j] = bestFinish[j - 1]!;
        out[s * k + j] = out[s * k + j - 1]!;
      }
      bestScore[at] = score;
      bestFinish[at] = finishS;
      out[s * k + at] = q;
    }
  }
  return out;
}
