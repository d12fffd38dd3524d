/**
 * Pool-aware path bounds: the earliest any part of a stage can finish on each pool with
 * unlimited slots ("heads"), and the least time that must follow a stage ("tails").
 *
 * Heads extend the quick critical path of `cost/bounds.ts` with what the reference model
 * charges on the way, each a valid lower bound (by induction in topological order):
 *   - a sub-task on p starts no earlier than p's start-up (slots open after it);
 *   - an atomic stage v on p starts after every external input has arrived at p
 *     (latency + bytes / bandwidth from its home region, `readyTimeS`) and after each
 *     atomic predecessor u, on whichever pool q it ran, finished and sent its output:
 *     min over q of F[u,q] + transfer(q → p, bytes(u→v)) (0 when q = p; a cluster merges
 *     edge bytes, which only lengthens the transfer; two stages in one cluster share a pool
 *     and run back to back, so F[v,p] ≤ the cluster's finish still holds);
 *   - a divisible stage's chunks each wait for every chunk of each predecessor (a chunked
 *     stage feeds every chunk of its dependant), and a chunk's share of bytes can be tiny,
 *     so only latency is charged into or out of a divisible stage;
 *   - a divisible stage v finishes no earlier than the least F with
 *     Σ_p slotTime_p(s_p + d_p, F) / W[v,p] ≥ 1, s_p its earliest chunk start on p: its
 *     chunks on p run inside [s_p, F] on slots that exist there, each slot paying a
 *     dispatch first (fact (2) of `stage-data.ts`).
 * Runtimes are `busyS` (overheads and rework included, `stage-data.ts`). A dispatch overhead is
 * charged before every atomic stage, after each predecessor, except a stage that may sit in
 * its predecessor's vertical chain (`data.chained`, planners/cluster.ts): horizontal clusters
 * hold one level, so any other stage never shares a sub-task with a predecessor, and its
 * sub-task starts after every predecessor's output arrived and pays d before any member runs;
 * a chained stage may run right after its predecessor in one sub-task (same pool, no transfer,
 * no dispatch), which the same-pool case below with d = 0 covers.
 * Tails ignore transfers and start-ups (both ≥ 0): an atomic successor takes at least its
 * fastest dispatch + busy time (its sub-task starts after v's output and pays d first, as
 * above), a divisible one at least the least dispatch + 1 / Σ_p maxSlots_p / busyS[w,p]
 * (every chunk starts after v and its slot pays a dispatch before any of its work).
 */
import type { Problem } from '../model/problem.js';
import { transferS } from '../model/tables.js';
import { slotTimeS, type StageData } from './stage-data.js';

export interface PathBounds {
  /** Earliest finish of stage v if (any part of) it runs on p, S × P; Infinity if it may not. */
  readonly finishOnS: Float64Array;
  /** Earliest finish of stage v anywhere. */
  readonly finishS: Float64Array;
  /** Least time from v's finish to the end of the job. */
  readonly tailS: Float64Array;
  /** max_v finishS[v]: a makespan lower bound. */
  readonly makespanS: number;
}

export function pathBounds(problem: Problem, data: StageData): PathBounds {
  const { S, P, busyS } = data;
  const g = problem.stages;
  const stages = problem.definition.stages;
  const regions = problem.pools.regionIndex;
  const dispatchS = problem.pools.dispatchOverheadS;
  const network = problem.network;
  const finishOnS = new Float64Array(S * P).fill(Number.POSITIVE_INFINITY);
  const finishS = new Float64Array(S).fill(Number.POSITIVE_INFINITY);
  const startOn = new Float64Array(P);
  let makespanS = 0;
  for (const v of g.order) {
    const divisible = stages[v]!.kind === 'divisible';
    for (let p = 0; p < P; p++) {
      startOn[p] = Number.POSITIVE_INFINITY;
      if (Number.isNaN(busyS[v * P + p]!)) continue;
      // Atomic: v's sub-task (never one of a predecessor's, see the header) pays its dispatch after its inputs arrive.
      const dispatch = divisible || data.chained[v] === 1 ? 0 : dispatchS[p]!;
      let base = problem.pools.startupS[p]!;
      for (let k = problem.externalStart[v]!; k < problem.externalStart[v + 1]!; k++) {
        base = Math.max(base, transferS(network, problem.externalRegion[k]!, regions[p]!, divisible ? 0 : problem.externalBytes[k]!));
      }
      let ready = base + dispatch;
      for (let e = g.predStart[v]!; e < g.predStart[v + 1]!; e++) {
        const u = g.predIndex[e]!;
        if (stages[u]!.kind === 'divisible') {
          ready = Math.max(ready, finishS[u]! + dispatch);
          continue;
        }
        const bytes = divisible ? 0 : g.predBytes[e]!;
        let arrival = Number.POSITIVE_INFINITY;
        for (let q = 0; q < P; q++) {
          const f = finishOnS[u * P + q]!;
          if (f === Number.POSITIVE_INFINITY) continue;
          const t = (q === p ? f : f + transferS(network, regions[q]!, regions[p]!, bytes)) + dispatch;
          if (t < arrival) arrival = t;
        }
        ready = Math.max(ready, arrival);
      }
      startOn[p] = ready;
    }
    if (divisible) {
      const f = Math.max(waterFill(problem, data, v, startOn), heaviestTaskFinishS(problem, data, v, startOn));
      finishS[v] = f;
      for (let p = 0; p < P; p++) if (startOn[p]! < Number.POSITIVE_INFINITY) finishOnS[v * P + p] = f;
    } else {
      for (let p = 0; p < P; p++) {
        if (startOn[p] === Number.POSITIVE_INFINITY) continue;
        const f = startOn[p]! + busyS[v * P + p]!;
        finishOnS[v * P + p] = f;
        if (f < finishS[v]!) finishS[v] = f;
      }
    }
    if (finishS[v]! > makespanS) makespanS = finishS[v]!;
  }
  return { finishOnS, finishS, tailS: tails(problem, data), makespanS };
}

/** Least F with Σ_p slotTime_p(s_p + d_p, F) / W[v,p] ≥ 1 (bisection, rounded down). */
function waterFill(problem: Problem, data: StageData, v: number, startOn: Float64Array): number {
  const { P, busyS: wholeS } = data;
  let low = Number.POSITIVE_INFINITY;
  let instant = Number.POSITIVE_INFINITY; // a pool where the stage takes no time (provisional)
  for (let p = 0; p < P; p++) {
    if (startOn[p]! === Number.POSITIVE_INFINITY) continue;
    if (wholeS[v * P + p] === 0) instant = Math.min(instant, startOn[p]!);
    low = Math.min(low, startOn[p]!);
  }
  if (instant < Number.POSITIVE_INFINITY || low === Number.POSITIVE_INFINITY) return Math.min(instant, low);
  const done = (f: number): number => {
    let share = 0;
    for (let p = 0; p < P; p++) {
      const s = startOn[p]!;
      if (s < f) share += slotTimeS(problem, p, s + problem.pools.dispatchOverheadS[p]!, f) / wholeS[v * P + p]!;
    }
    return share;
  };
  let high = low + 1;
  for (let i = 0; i < 200 && done(high) < 1; i++) high = low + 2 * (high - low);
  if (done(high) < 1) return low; // capacity never suffices: no plan exists; stay valid
  for (let i = 0; i < 100 && high - low > 1e-9 * Math.max(1, high); i++) {
    const mid = (low + high) / 2;
    if (done(mid) >= 1) high = mid;
    else low = mid;
  }
  return low;
}

/**
 * A bag of tasks (model/bags.ts) is divisible only between tasks: some chunk holds its heaviest
 * task, starts on some pool p no earlier than `startOn[p]` (0 without), pays p's dispatch and
 * runs that task's work (wholeS × its share). 0 for other stages.
 */
function heaviestTaskFinishS(problem: Problem, data: StageData, v: number, startOn: Float64Array | undefined): number {
  const bag = problem.bags?.[v];
  if (bag === undefined) return 0;
  const units = bag.workPrefix.length - 1;
  const total = bag.workPrefix[units]!;
  if (!(total > 0)) return 0;
  let heaviest = 0;
  for (let i = 0; i < units; i++) heaviest = Math.max(heaviest, bag.workPrefix[i + 1]! - bag.workPrefix[i]!);
  const share = (heaviest / total) * (1 - 1e-9);
  let best = Number.POSITIVE_INFINITY;
  for (let p = 0; p < data.P; p++) {
    const whole = data.wholeS[v * data.P + p]!;
    if (Number.isNaN(whole)) continue;
    const start = startOn === undefined ? 0 : startOn[p]!;
    best = Math.min(best, start + problem.pools.dispatchOverheadS[p]! + whole * share);
  }
  return Number.isFinite(best) ? best : 0;
}

function tails(problem: Problem, data: StageData): Float64Array {
  const { S, P, busyS: wholeS } = data;
  const g = problem.stages;
  const stages = problem.definition.stages;
  const duration = new Float64Array(S);
  const dispatchS = problem.pools.dispatchOverheadS;
  for (let w = 0; w < S; w++) {
    if (stages[w]!.kind === 'atomic') {
      let best = Number.POSITIVE_INFINITY;
      for (let p = 0; p < P; p++) {
        const t = wholeS[w * P + p]!;
        const d = data.chained[w] === 1 ? 0 : dispatchS[p]!;
        if (t + d < best) best = t + d;
      }
      duration[w] = best === Number.POSITIVE_INFINITY ? 0 : best;
    } else {
      let rate = 0;
      let leastDispatchS = Number.POSITIVE_INFINITY;
      for (let p = 0; p < P; p++) {
        const t = wholeS[w * P + p]!;
        if (Number.isNaN(t)) continue;
        leastDispatchS = Math.min(leastDispatchS, dispatchS[p]!);
        if (t === 0) rate = Number.POSITIVE_INFINITY;
        else if (t > 0) rate += problem.pools.maxSlots[p]! / t;
      }
      duration[w] = Math.max(rate === 0 || leastDispatchS === Number.POSITIVE_INFINITY ? 0 : leastDispatchS + 1 / rate, heaviestTaskFinishS(problem, data, w, undefined));
    }
  }
  const tail = new Float64Array(S);
  for (let i = g.order.length - 1; i >= 0; i--) {
    const v = g.order[i]!;
    let after = 0;
    for (let e = g.succStart[v]!; e < g.succStart[v + 1]!; e++) {
      const w = g.succIndex[e]!;
      after = Math.max(after, duration[w]! + tail[w]!);
    }
    tail[v] = after;
  }
  return tail;
}
