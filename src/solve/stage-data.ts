/**
 * Per stage × pool quantities shared by the lower bound and the refinement model, and the
 * two facts about the reference cost model (`cost/simulate.ts`, `cost/slots.ts`) that every
 * bound here rests on:
 *
 *   (1) Busy time. A sub-task on pool p holding fraction f of stage v occupies its slot for
 *       expectedS ≥ runtimeS = dispatch_p + Σ_members (work·f + overheadS)/speed (or the
 *       known runtime × f) ≥ f · W[v,p], where W[v,p] is the whole stage on one slot of p
 *       without overheads or rework (`wholeStageS`). Chunk fractions of a stage add to 1 and
 *       an atomic stage sits in exactly one sub-task, so the busy time a plan puts on p is
 *       ≥ Σ_v x[v,p]·W[v,p] with x[v,p] the share of v on p, Σ_p x[v,p] = 1.
 *   (2) Slot-time. Slot k of p exists while the capacity step function exceeds k, and opens
 *       after start-up; sub-tasks on one slot do not overlap. So the busy time on p inside
 *       [θ, T] is ≤ C_p(T) − C_p(θ), with C_p(t) = ∫_{startup_p}^{max(t, startup_p)} cap_p.
 *
 * A provisional stage (no runtime given) counts W = 0: a bound must not rest on a guess.
 */
import type { Problem } from '../model/problem.js';
import { speedOf } from '../model/subtasks.js';

export interface StageData {
  readonly S: number;
  readonly P: number;
  /** Whole-stage runtime on one slot of p, s (S × P); NaN where the pool may not run it. */
  readonly wholeS: Float64Array;
  readonly provisional: Uint8Array;
}

export function stageData(problem: Problem): StageData {
  const S = problem.stages.nodeCount;
  const P = problem.pools.count;
  const provisional = new Uint8Array(S);
  for (const p of problem.provisional) provisional[problem.stageIndex.get(p.stage)!] = 1;
  const wholeS = new Float64Array(S * P).fill(Number.NaN);
  for (let v = 0; v < S; v++) {
    for (let p = 0; p < P; p++) {
      if (problem.stageFeasible[v * P + p] === 0) continue;
      if (provisional[v] === 1) {
        wholeS[v * P + p] = 0;
        continue;
      }
      const known = problem.stageKnownRuntimeS[v * P + p]!;
      wholeS[v * P + p] = Number.isNaN(known) ? problem.stageWorkS[v]! / speedOf(problem, v, p) : known;
    }
  }
  return { S, P, wholeS, provisional };
}

/** Slot-seconds pool p offers in [0, t]: ∫ from start-up to t of the capacity step function. */
export function capacityIntegral(problem: Problem, p: number, t: number): number {
  const pools = problem.pools;
  const from = pools.startupS[p]!;
  if (!(t > from)) return 0;
  let total = 0;
  const first = pools.capStart[p]!;
  const last = pools.capStart[p + 1]!;
  if (first === last) return pools.slots[p]! * (t - from);
  for (let k = first; k < last; k++) {
    const a = Math.max(pools.capAtS[k]!, from);
    const b = Math.min(k + 1 < last ? pools.capAtS[k + 1]! : Number.POSITIVE_INFINITY, t);
    if (b > a) total += pools.capSlots[k]! * (b - a);
  }
  return total;
}

/** Largest slot count pool p has at any time in [from, to) after its start-up (0 if none). */
export function maxCapacityIn(problem: Problem, p: number, from: number, to: number): number {
  const pools = problem.pools;
  const a = Math.max(from, pools.startupS[p]!);
  if (!(to > a)) return 0;
  const first = pools.capStart[p]!;
  const last = pools.capStart[p + 1]!;
  if (first === last) return pools.slots[p]!;
  let best = 0;
  for (let k = first; k < last; k++) {
    const stepFrom = pools.capAtS[k]!;
    const stepTo = k + 1 < last ? pools.capAtS[k + 1]! : Number.POSITIVE_INFINITY;
    if (stepTo > a && stepFrom < to) best = Math.max(best, pools.capSlots[k]!);
  }
  return best;
}

/**
 * Times at which some pool's slot-time rate changes (start-ups, capacity steps), sorted and
 * distinct. Between two of them every C_p is linear, so an LP over one such segment of T
 * states capacity exactly.
 */
export function capacityBreakpoints(problem: Problem): number[] {
  const pools = problem.pools;
  const times = new Set<number>();
  for (let p = 0; p < pools.count; p++) {
    times.add(pools.startupS[p]!);
    for (let k = pools.capStart[p]!; k < pools.capStart[p + 1]!; k++) if (pools.capAtS[k]! > pools.startupS[p]!) times.add(pools.capAtS[k]!);
  }
  return [...times].sort((a, b) => a - b);
}
