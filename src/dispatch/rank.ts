/**
 * Where an interrupted or lost sub-task goes: the pools ranked by the cost model *now*.
 *
 * A pool q is scored as plan/backups.ts scores backups, at the objective's exchange rate, but
 * with what the run knows instead of what the plan assumed: inputs arrive from the pools they
 * really ran on and when they really finished; nothing starts before now; q's backlog (what
 * is running and queued there beyond its current slots) delays the start, as does q's start-up
 * (the pool opens startupS into the run); its expected runtime with rework under q's hazard follows; its price is paid for that runtime.
 * Pools taken out of the run, pools with no slots now, and pools the sub-task may not run on
 * (memory, `pools` filter) are not candidates. The sub-task's own pool is a candidate like any
 * other: an interruption on a cheap, rarely interrupted pool may still rank it first.
 *
 * This is the cheap, per-event decision (µs for a few pools); the remainder of the graph is
 * re-planned by the engine when the run drifts (replan.ts), not here.
 */
import { readyTimeS } from '../cost/simulate.js';
import { usdPerSecond } from '../model/objective.js';
import type { Problem } from '../model/problem.js';
import type { SubtaskGraph } from '../model/subtasks.js';

export interface PoolLoad {
  /** Slots usable now, per pool. */
  readonly slots: Int32Array;
  /** Attempts submitted (running or waiting in the backend), per pool. */
  readonly inFlight: Int32Array;
  /** Sub-tasks ready and waiting for a slot, per pool. */
  readonly queued: Int32Array;
  /** 1 where the pool was taken out of the run. */
  readonly excluded: Uint8Array;
}

export interface RankedPool {
  readonly pool: number;
  readonly score: number;
  readonly finishS: number;
  readonly priceUsd: number;
}

/**
 * Candidate pools for sub-task s, best first (lower score, then earlier finish, then lower
 * index). `poolOf` and `finishS` hold where each sub-task ran and when it finished (the
 * committed inputs of s are what matter). Empty when no pool can run s now.
 */
export function rankPools(problem: Problem, graph: SubtaskGraph, s: number, nowS: number, poolOf: ArrayLike<number>, finishS: ArrayLike<number>, load: PoolLoad): RankedPool[] {
  const P = problem.pools.count;
  const rate = usdPerSecond(problem.objective);
  const { startupS, priceUsdPerSlotS } = problem.pools;
  const ranked: RankedPool[] = [];
  for (let q = 0; q < P; q++) {
    const durationS = graph.expectedS[s * P + q]!;
    const slots = load.slots[q]!;
    if (load.excluded[q] === 1 || slots <= 0 || !(durationS < Number.POSITIVE_INFINITY)) continue;
    const readyS = Math.max(nowS, readyTimeS(problem, graph, s, q, poolOf, finishS));
    // Work ahead of s on q beyond its slots, in units of s's own duration there: a coarse
    // queueing estimate that keeps a busy pool from winning every move.
    const ahead = load.inFlight[q]! + load.queued[q]! - slots + 1;
    const waitS = ahead > 0 ? (ahead / slots) * durationS : 0;
    // As in the cost model, a pool's start-up delays when it opens (nothing runs there before
    // startupS of run time), not every sub-task on it.
    const finish = Math.max(readyS, startupS[q]!) + waitS + durationS;
    const priceUsd = durationS * priceUsdPerSlotS[q]!;
    const score = rate === Number.POSITIVE_INFINITY ? finish : rate === 0 ? priceUsd : priceUsd + rate * finish;
    ranked.push({ pool: q, score, finishS: finish, priceUsd });
  }
  ranked.sort((a, b) => a.score - b.score || a.finishS - b.finishS || a.pool - b.pool);
  return ranked;
}
