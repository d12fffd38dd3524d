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
 *       after start-up; sub-tasks on one slot do not overlap, and every sub-task's busy time
 *       starts with the pool's dispatch overhead d_p. So a slot that runs anything in [θ, T]
 *       (sub-tasks starting at or after θ) spends at least d_p of it on dispatch, and the rest
 *       of its busy time there (the stage parts counted by `busyS`) fits in
 *       ∫_{max(θ, startup_p) + d_p}^{T} cap_p (`slotTimeS`): dispatch is charged once per slot
 *       used, never per stage.
 *
 * Fact (1) is sharpened per stage into `busyS[v,p]`, a lower bound on the busy time the whole
 * of v adds to p whatever the partition:
 *   - atomic: W' = W + overheadS/speed (each member of a sub-task pays its stage overhead;
 *     a known runtime is taken as is). Rework: a sub-task of runtime D takes g(D) =
 *     (e^{λD} − 1)/λ; g is convex with g(0) = 0, hence superadditive, so a cluster's busy
 *     time ≥ Σ_members g(W'_m): busyS = g(W').
 *   - divisible: a chunk of c units takes g(d + c·w + o) ≥ d + g(c·w + o), w = W / units,
 *     o = overheadS/speed (0 for a known runtime), d the dispatch overhead (charged by fact
 *     (2) instead), and 1 ≤ c ≤ maxChunk. maxChunk is
 *     a hard limit of the definition (`clampChunkCount` never exceeds it); minChunk is not
 *     relied on, since the planners break it when a share cannot be cut within both limits.
 *     Each unit on p therefore costs at least min_{c ∈ [1, maxChunk]} g(c·w + o)/c
 *     slot-seconds, and busyS = units × that.
 * Dispatch overheads of atomic sub-tasks are not charged to `busyS` (a cluster pays one for
 * many); the path bound charges them where a sub-task boundary is certain (`paths.ts`).
 *
 *   (3) Per-sub-task dispatch. Every sub-task's busy time starts with d_p, so instead of once
 *       per slot (fact (2)), d_p can be charged once per sub-task against the slot-time from
 *       start-up, ∫_{startup_p}^{T} cap_p. `fullS[v,p]` is busyS with the dispatch of the
 *       sub-tasks v surely forms on p folded in:
 *   - divisible: a chunk of c ≤ min(maxChunk, units) units takes g(d + c·w + o), so each unit
 *     costs at least min_c g(d + c·w + o)/c.
 *   - atomic, never clustered: v is its own sub-task, g(d + W').
 *   - atomic, possibly clustered (`family[v] ≥ 0`): g(W') like busyS; its family (the stages
 *     `planners/cluster.ts` may put in one cluster: same level, op and allowed pools, no
 *     known runtime) forms at least `familyMinSubtasks` sub-tasks, which `bound.ts` charges as
 *     count variables. clusterLevel makes min(n, max(totalSlots, ⌈work/target⌉)) ≥ min(n,
 *     totalSlots) clusters of a family's n light tasks (heavier ones stay alone), whatever
 *     the cluster scale; and none at all when the slot-weighted mean dispatch overhead is 0.
 *     A cluster of members m takes g(d + Σ W'_m) ≥ d + Σ g(W'_m) (g superadditive).
 *   This bound leans on that rule of the clustering code: if a planner ever merged a family
 *   into fewer sub-tasks than min(n, totalSlots), `familyMinSubtasks` must follow.
 *
 * A provisional stage (no runtime given) counts 0: a bound must not rest on a guess.
 *
 * Under a time-varying hazard, λ is the pool's least hazard over the segments a sub-task can
 * use (`usableLeast`, cost/bounds.ts): a window's rework factor expm1(H)/H grows with
 * H = ∫ λ ≥ λ_least·d, so g at λ_least is below every sub-task's expected duration, and the
 * convexity and superadditivity arguments above hold for that constant λ.
 */
import { usableLeast } from '../cost/bounds.js';
import type { Problem } from '../model/problem.js';
import { speedOf } from '../model/subtasks.js';
import { chainedToPredecessor } from '../planners/cluster.js';

export interface StageData {
  readonly S: number;
  readonly P: number;
  /** Whole-stage runtime on one slot of p, s (S × P); NaN where the pool may not run it. */
  readonly wholeS: Float64Array;
  /** Lower bound on the busy time the whole stage adds to p (overheads, rework), S × P; NaN likewise. */
  readonly busyS: Float64Array;
  /** busyS with the dispatch overheads of the sub-tasks the stage surely forms (fact (3)), S × P. */
  readonly fullS: Float64Array;
  /** Cluster family of each stage (fact (3)), −1 for stages that are always their own sub-task(s). */
  readonly family: Int32Array;
  /** Per family: the fewest sub-tasks its stages can form, and its stage count. */
  readonly familyMinSubtasks: readonly number[];
  readonly familySize: readonly number[];
  readonly provisional: Uint8Array;
  /**
   * Stages that may share their predecessor's sub-task in a vertical chain
   * (planners/cluster.ts chainedToPredecessor): no dispatch of their own, no cluster family.
   */
  readonly chained: Uint8Array;
}

/** Expected duration of a restart-from-scratch sub-task of runtime d under hazard λ (per s). */
function withRework(durationS: number, hazardPerS: number): number {
  return hazardPerS === 0 ? durationS : Math.expm1(hazardPerS * durationS) / hazardPerS;
}

/**
 * min over c in [lo, hi] of g(c·w + o)/c. The ratio is unimodal in c (c·h'(c) − h(c) is
 * non-decreasing for convex h), so a ternary search finds it; the result is rounded down.
 */
function leastPerUnitS(w: number, o: number, hazardPerS: number, lo: number, hi: number): number {
  const ratio = (c: number): number => withRework(c * w + o, hazardPerS) / c;
  let a = lo;
  let b = hi;
  for (let i = 0; i < 100 && b - a > 1e-9 * b; i++) {
    const m1 = a + (b - a) / 3;
    const m2 = b - (b - a) / 3;
    if (ratio(m1) <= ratio(m2)) b = m2;
    else a = m1;
  }
  return Math.min(ratio(lo), ratio(hi), ratio(a), ratio(b)) * (1 - 1e-9);
}

/** The lightest task's share of a bag's work (> 0: a weightless task is read as 1e-12 of it, where the ratio's limit is the rate without rework). */
function lightestTaskShare(workPrefix: Float64Array): number {
  const n = workPrefix.length - 1;
  const total = workPrefix[n]!;
  if (!(total > 0)) return 1;
  let least = 1;
  for (let i = 0; i < n; i++) least = Math.min(least, (workPrefix[i + 1]! - workPrefix[i]!) / total);
  return Math.max(least, 1e-12);
}

export function stageData(problem: Problem): StageData {
  const S = problem.stages.nodeCount;
  const P = problem.pools.count;
  const provisional = new Uint8Array(S);
  for (const p of problem.provisional) provisional[problem.stageIndex.get(p.stage)!] = 1;
  const wholeS = new Float64Array(S * P).fill(Number.NaN);
  const busyS = new Float64Array(S * P).fill(Number.NaN);
  const fullS = new Float64Array(S * P).fill(Number.NaN);
  const leastHazard = usableLeast(problem).hazardPerS;
  const chained = chainedToPredecessor(problem);
  const families = clusterFamilies(problem, chained);
  const dispatchS = problem.pools.dispatchOverheadS;
  for (let v = 0; v < S; v++) {
    const stage = problem.definition.stages[v]!;
    const bag = problem.bags?.[v];
    const lightestShare = bag === undefined ? 1 : lightestTaskShare(bag.workPrefix);
    for (let p = 0; p < P; p++) {
      const k = v * P + p;
      if (problem.stageFeasible[k] === 0) continue;
      if (provisional[v] === 1) {
        wholeS[k] = 0;
        busyS[k] = 0;
        fullS[k] = 0;
        continue;
      }
      const known = problem.stageKnownRuntimeS[k]!;
      const speed = speedOf(problem, v, p);
      wholeS[k] = Number.isNaN(known) ? problem.stageWorkS[v]! / speed : known;
      const stageOverheadS = Number.isNaN(known) ? stage.overheadS / speed : 0;
      const hazard = leastHazard[p]!;
      const d = dispatchS[p]!;
      if (stage.kind === 'atomic') {
        busyS[k] = withRework(wholeS[k]! + stageOverheadS, hazard);
        fullS[k] = families.family[v]! >= 0 || d === 0 || chained[v] === 1 ? busyS[k]! : withRework(d + wholeS[k]! + stageOverheadS, hazard);
      } else if (bag !== undefined) {
        // A bag's tasks differ in work, so its chunks are counted in seconds of work, not units:
        // a chunk of x s takes g(d + x + o) ≥ x · min over x' ≥ its lightest task of g(d + x' + o)/x'.
        const lightestS = wholeS[k]! * lightestShare;
        busyS[k] = wholeS[k]! * leastPerUnitS(1, stageOverheadS, hazard, lightestS, wholeS[k]!);
        fullS[k] = d === 0 ? busyS[k]! : Math.max(busyS[k]!, wholeS[k]! * leastPerUnitS(1, d + stageOverheadS, hazard, lightestS, wholeS[k]!));
      } else {
        const perUnit = wholeS[k]! / stage.units;
        busyS[k] = stage.units * leastPerUnitS(perUnit, stageOverheadS, hazard, 1, stage.maxChunk);
        fullS[k] = d === 0 ? busyS[k]! : Math.max(busyS[k]!, stage.units * leastPerUnitS(perUnit, d + stageOverheadS, hazard, 1, Math.min(stage.maxChunk, stage.units)));
      }
    }
  }
  return { S, P, wholeS, busyS, fullS, family: families.family, familyMinSubtasks: families.minSubtasks, familySize: families.size, provisional, chained };
}

/**
 * Families of atomic stages a cluster may join (fact (3)): same level, op and allowed pools,
 * no known runtime on any pool (provisional stages included). A family of n ≤ totalSlots stages is never
 * clustered, so its stages get family −1 (each its own sub-task).
 */
function clusterFamilies(problem: Problem, chained: Uint8Array): { family: Int32Array; minSubtasks: number[]; size: number[] } {
  const S = problem.stages.nodeCount;
  const P = problem.pools.count;
  const family = new Int32Array(S).fill(-1);
  let weighted = 0;
  let slots = 0;
  for (let p = 0; p < P; p++) {
    weighted += problem.pools.dispatchOverheadS[p]! * problem.pools.slots[p]!;
    slots += problem.pools.slots[p]!;
  }
  if (!(weighted > 0)) return { family, minSubtasks: [], size: [] };
  const members = new Map<string, number[]>();
  for (let v = 0; v < S; v++) {
    const stage = problem.definition.stages[v]!;
    // Provisional stages count (clustering sees them too) though they are charged nothing.
    if (stage.kind !== 'atomic') continue;
    // A stage that may sit in its predecessor's chain sub-task is in no family: a chain holds
    // stages of several levels, and one sub-task must not count for two families.
    if (chained[v] === 1) continue;
    let known = false;
    for (let p = 0; p < P; p++) if (!Number.isNaN(problem.stageKnownRuntimeS[v * P + p]!)) known = true;
    if (known) continue;
    const key = `${problem.stages.level[v]}\u0000${stage.op}\u0000${stage.pools?.join(',') ?? ''}`;
    const list = members.get(key);
    if (list === undefined) members.set(key, [v]);
    else list.push(v);
  }
  const minSubtasks: number[] = [];
  const size: number[] = [];
  for (const list of members.values()) {
    if (list.length <= slots) continue;
    for (const v of list) family[v] = minSubtasks.length;
    minSubtasks.push(slots);
    size.push(list.length);
  }
  return { family, minSubtasks, size };
}

/**
 * Slot-seconds pool p offers in [max(from, startup_p), to]: ∫ of the capacity step function.
 * Fact (2) calls it with from = θ + d_p.
 */
export function slotTimeS(problem: Problem, p: number, from: number, to: number): number {
  const pools = problem.pools;
  const start = Math.max(from, pools.startupS[p]!);
  if (!(to > start)) return 0;
  let total = 0;
  const first = pools.capStart[p]!;
  const last = pools.capStart[p + 1]!;
  if (first === last) return pools.slots[p]! * (to - start);
  for (let k = first; k < last; k++) {
    const a = Math.max(pools.capAtS[k]!, start);
    const b = Math.min(k + 1 < last ? pools.capAtS[k + 1]! : Number.POSITIVE_INFINITY, to);
    if (b > a) total += pools.capSlots[k]! * (b - a);
  }
  return total;
}

/** When pool p's slots can first do stage work: start-up plus one dispatch overhead. */
export function workOpensS(problem: Problem, p: number): number {
  return problem.pools.startupS[p]! + problem.pools.dispatchOverheadS[p]!;
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
 * Times at which some pool's slot-time rate changes (start-up + dispatch, capacity steps), sorted and
 * distinct. Between two of them every C_p is linear, so an LP over one such segment of T
 * states capacity exactly.
 */
export function capacityBreakpoints(problem: Problem): number[] {
  const pools = problem.pools;
  const times = new Set<number>();
  for (let p = 0; p < pools.count; p++) {
    const opens = workOpensS(problem, p);
    times.add(opens);
    // Fact (3)'s rows count slot-time from start-up: its rate changes there too.
    const startup = pools.startupS[p]!;
    times.add(startup);
    for (let k = pools.capStart[p]!; k < pools.capStart[p + 1]!; k++) if (pools.capAtS[k]! > startup) times.add(pools.capAtS[k]!);
  }
  return [...times].sort((a, b) => a - b);
}
