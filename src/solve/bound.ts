/**
 * The certified lower bound: an LP over aggregated stage × pool work whose optimum is ≤ the
 * objective of every plan the reference cost model can score.
 *
 * Variables: x[v,p] ≥ 0, the share of stage v run on pool p (feasible pairs), Σ_p x[v,p] = 1;
 * T, the makespan. Per pool, by facts (1) and (2) of `stage-data.ts`:
 *
 *     Σ_v x[v,p]·W[v,p]  ≤  C_p(T)        C_p(T) = ∫_{startup_p + d_p}^{T} cap_p
 *                                                 = slots·max(0, T − startup_p − d_p) for a constant
 *                                          capacity (d_p: dispatch, paid once by each slot used).
 *
 * C_p is convex piecewise linear in T (zero until start-up), so {(x, T)} satisfying it is not
 * convex, and no single LP row states it: a row Σ x W ≤ slots·(T − startup) forces every pool to
 * have started (invalid: an unused pool may start after the makespan), and relaxing it with
 * z_p ≥ T − startup_p, z_p ≥ 0 lets the LP choose z_p large (it relaxes the wrong way). The
 * convex hull over all T ≥ 0 is Σ x W ≤ slots·T, which forgets start-ups entirely. Instead we
 * split the T axis at every start-up and capacity step (`capacityBreakpoints`): on a segment
 * [lo, hi] each C_p is linear, C_p(T) = C_p(lo) + rate_p·(T − lo), so one LP per segment with
 * lo ≤ T ≤ hi states capacity exactly. Every plan's (x, T_plan) is feasible for the segment
 * holding T_plan, so min over segments of the segment optima is a valid bound; for the
 * makespan objective the first feasible segment already holds the minimum (feasibility is
 * monotone in T, since each C_p is non-decreasing).
 *
 * Two more capacity rows per pool and segment. Fact (3) (`stage-data.ts`) charges the
 * dispatch overhead once per sub-task instead of once per slot, against the slot-time from
 * start-up: Σ_v x[v,p]·Wfull[v,p] + Σ_f d_p·k[f,p] ≤ ∫_{startup_p}^{T} cap_p, where Wfull holds
 * the dispatch of the sub-tasks a stage surely forms (each whole atomic stage that is never
 * clustered, each chunk of a divisible one) and k[f,p] ∈ [0, n_f] counts the sub-tasks of
 * cluster family f on p, Σ_p k[f,p] ≥ the family's fewest sub-tasks. Tail rows: a stage whose
 * tail (least time that must follow it, `paths.ts`) is ≥ τ ends by T − τ in every plan, so for
 * a few thresholds τ (`tailThresholds`) both rows are repeated over the stages reaching τ
 * against C_p(T − τ), bounded above on the segment by C_p(lo − τ) + (most slots in
 * [lo − τ, hi − τ])·(T − lo).
 *
 * T is also ≥ the quick critical path (`makespanLowerBoundS`) and ≥ the pool-aware path bound
 * (`paths.ts`), each valid on its own. Objective by `problem.objective.kind`:
 *     makespan  min T                                            (s)
 *     weighted  min usdPerHour/3600·T + compute + egress          (USD)
 *     cost      min compute + egress                              (USD)
 * compute = Σ x·Wfull·price_p + Σ k·d_p·price_p: busy time × price, by facts (1) and (3), with
 * price_p the pool's least price over the segments a sub-task can use (`usableLeast`: under a
 * time-varying price a sub-task pays ∫ price over its window ≥ that × its busy time). W here is
 * `busyS`, which already holds the stage overheads and rework every partition must pay.
 *
 * Egress of external inputs is charged per (object, region), not per stage: a whole object
 * moves to a region once and every reader there shares the copy, while a chunk reads (and
 * pays for) its own share. Either way, for each reader v of object o (home r0) the plan
 * pays at least bytes_o·egress(r0 → r)·x[v, r] for region r ≠ r0 (x[v, r] = Σ_{p in r}
 * x[v,p]); so e[o,r] ≥ x[v,r] for every reader v, with cost bytes_o·egress(r0 → r)·e[o,r],
 * is valid (the max over readers, not the sum). An object read by one stage is that stage's
 * linear cost, and where stages merge (the coarse level) a shared object read by n stages is
 * charged 1/n to each reader (the mean over readers ≤ the max; `linearReadUsd`).
 *
 * Egress between stages (`addEdgeRows`): edge u → v of B bytes pays at least
 * B·Σ_r m_r·(X_u(r) − X_v(r))⁺, m_r the least egress price out of region r, X the stages' shares
 * per region; z[e,r] ≥ X_u(r) − X_v(r) states it (exact for whole stages on two regions; 0 when
 * the LP splits u and v alike, which a divisible shuffle cannot avoid but the relaxation may).
 * Transfer times are in the path bound only.
 *
 * Stages whose rows are proportional (same feasible pools, same W, Wfull and linear egress per
 * max_p Wfull) are merged into one LP column per pool with their total work: the LP over the
 * merged columns has the same optimum (any split of the merged work is some split of each
 * stage), and taking the least factor of the members keeps any merge valid. Stages that pay
 * inter-stage egress or read a shared object keep their own columns ('full' level). A large
 * problem is first bounded by the 'coarse' level: every stage may merge, profiles bucketed
 * until ≤ COARSE_GROUPS columns per pool remain (losing at most the bucket's width per term)
 * and egress only in its linear part; it solves in milliseconds where the full LP of a
 * 1,000-stage, six-pool problem takes hundreds, so a bound arrives within the engine's
 * budget, and the full LP, given the time left, can only raise it. Provisional stages have
 * W = 0 and drop out (unless they pay egress).
 *
 * Certification. An LP solver stops within tolerances (HiGHS's dual feasibility tolerance
 * 1e-7 lets it call a point optimal whose reduced costs are slightly negative), so its
 * objective can exceed the true minimum. With HiGHS the reported value is instead the
 * Lagrangian bound of the returned row duals (`lagrangianBound`), valid for any multipliers
 * of the right sign; the only unbounded column is T on the last segment, whose reduced cost
 * is made ≥ 0 by scaling the capacity rows' multipliers down. Backends without duals
 * (javascript-lp-solver) get the optimum minus a margin of 1e-6 of its magnitude plus 1e-6 of
 * Σ_j |c_j|·|bound_j| (every column is a share in [0, 1] or T).
 */
import { costLowerBoundUsd, makespanLowerBoundS, usableLeast } from '../cost/bounds.js';
import { monotonicMs, type ClockMs } from '../util/clock.js';
import type { BagTables } from '../model/bags.js';
import type { Problem } from '../model/problem.js';
import { pathBounds, type PathBounds } from './paths.js';
import { lagrangianBound, ModelBuilder, type BackendId, type LinearModel, type SolveResult, type Solver } from './solver.js';
import { capacityBreakpoints, maxCapacityIn, slotTimeS, stageData, workOpensS, type StageData } from './stage-data.js';

export interface LpBound {
  /** 'lp': the segment LPs solved; 'quick': a solver failed and the quick bounds stand in (still valid). */
  readonly state: 'lp' | 'quick';
  readonly solver: BackendId | 'none';
  /** No plan finishes sooner. */
  readonly makespanS: number;
  /** No plan scores lower, in the objective's unit (USD for weighted / cost, s for makespan). */
  readonly objective: number;
  /** No plan with makespan ≤ `atMakespanS` costs less (USD, compute only); Infinity if none can finish by then. */
  readonly costAtMakespanUsd?: number;
  readonly atMakespanS?: number;
  /** The parts, for explaining the bound. */
  readonly criticalPathS: number;
  readonly pathBoundS: number;
  readonly notes: readonly string[];
}

export interface BoundOptions {
  readonly timeLimitMs: number;
  /** The clock the time limit is measured on (default: monotonicMs). */
  readonly clockMs?: ClockMs;
  /** Also bound the cost of plans finishing by this time. */
  readonly atMakespanS?: number;
}

/** A quick bound's value nudged down by float rounding only (its arithmetic is exact otherwise). */
export function certified(value: number): number {
  return value - 1e-12 * Math.abs(value);
}

/** A lower bound on the LP's optimum from a solved result (see the file comment). */
function certifyLp(model: LinearModel, result: Extract<SolveResult, { state: 'optimal' }>): number {
  if (result.rowDuals !== undefined) {
    const duals = Float64Array.from(result.rowDuals);
    const T = model.variables[0]!; // segmentModel puts T first
    if (T.upper === Number.POSITIVE_INFINITY) {
      let pull = 0; // −Σ y_i a_iT over rows holding T
      model.constraints.forEach((row, i) => {
        for (const t of row.terms) if (t.variable === 0) pull += (row.sense === '<=' ? Math.min(duals[i]!, 0) : duals[i]!) * t.coefficient;
      });
      const reducedT = T.cost - pull;
      if (reducedT < 0 && pull > 0) {
        const factor = T.cost / pull;
        model.constraints.forEach((row, i) => {
          if (row.terms.some((t) => t.variable === 0)) duals[i] = duals[i]! * factor;
        });
      }
    }
    const bound = lagrangianBound(model, duals);
    if (Number.isFinite(bound)) return Math.min(bound, result.objective);
  }
  let scale = 0;
  model.variables.forEach((v, j) => {
    const reach = Math.max(Number.isFinite(v.lower) ? Math.abs(v.lower) : 0, Number.isFinite(v.upper) ? Math.abs(v.upper) : Math.abs(result.values[j]!));
    scale += Math.abs(v.cost) * reach;
  });
  return result.objective - 1e-6 * (Math.abs(result.objective) + scale);
}

/**
 * One merged LP column per pool: total `massS` with per-pool factors (NaN: not allowed):
 * `factor[p]·massS` is the busy time fact (2) counts (dispatch excluded), `fullFactor[p]·massS`
 * the busy time of fact (3) (dispatch of certain sub-tasks included), `usdFactor[p]·massS`
 * the linear egress of external reads (see `linearReadUsd`).
 */
export interface WorkGroup {
  readonly massS: number;
  readonly factor: Float64Array;
  readonly fullFactor: Float64Array;
  readonly usdFactor: Float64Array;
  readonly stages: number[];
  /** How many of the formulation's tail thresholds every member's tail reaches. */
  readonly tailClass: number;
  /**
   * Per pool, the least over members of (earliest finish on p + tail), `paths.ts`: no plan with
   * a member on p ends sooner, so a segment with hi below it leaves the column out (Infinity: none).
   */
  readonly endOnS: Float64Array;
}

/**
 * What one level of the bound states. 'full': stages with inter-stage egress or shared
 * external reads keep their own columns, and egress rows charge them; 'coarse': every stage
 * may merge (profiles bucketed more coarsely), egress only in its linear part, so the LP is
 * small enough to arrive within any budget the engine sets (see `lpBound`).
 */
export interface Formulation {
  readonly level: 'full' | 'coarse';
  readonly groups: readonly WorkGroup[];
  /** Inter-stage edges charged for egress (full only): u → v carrying `bytes`. */
  readonly edges: readonly { readonly u: number; readonly v: number; readonly bytes: number }[];
  readonly data: StageData;
  /** Tail thresholds τ_j, ascending (see `tailThresholds`), and each cluster family's tail class. */
  readonly thresholdsS: readonly number[];
  readonly familyClass: readonly number[];
}

/** Above this many merged columns per pool, profiles are bucketed (see `workGroups`). */
const MAX_GROUPS = 1500;
/** The coarse level buckets profiles until at most this many columns per pool remain. */
const COARSE_GROUPS = 120;
/** The full level is preceded by the coarse one when it has more LP columns than this. */
const COARSE_FIRST_ABOVE = 2500;
/** No LP is started with less time than this left. */
const MIN_SOLVE_MS = 5;

/** Least egress USD per byte from region r to any other region (0 if none is dearer than free). */
function leastEgressOut(problem: Problem, r: number): number {
  const R = problem.network.regionCount;
  let least = Number.POSITIVE_INFINITY;
  for (let q = 0; q < R; q++) if (q !== r) least = Math.min(least, problem.network.egressUsdPerByte[r * R + q]!);
  return Number.isFinite(least) ? least : 0;
}

/** How many stages read each data object from outside the job. */
function readerCounts(problem: Problem): Int32Array {
  const counts = new Int32Array(problem.definition.data.length);
  const S = problem.stages.nodeCount;
  for (let v = 0; v < S; v++) {
    const seen = new Set<number>();
    for (let k = problem.externalStart[v]!; k < problem.externalStart[v + 1]!; k++) seen.add(problem.externalObject[k]!);
    for (const o of seen) counts[o]!++;
  }
  return counts;
}

/** Whether reading external input k on pool p may cost egress. */
function chargeableRead(problem: Problem, k: number, p: number): boolean {
  const R = problem.network.regionCount;
  const r = problem.pools.regionIndex[p]!;
  const home = problem.externalRegion[k]!;
  return r !== home && problem.network.egressUsdPerByte[home * R + r]! > 0;
}

/** Whether some shared external input of v (read by ≥ 2 stages) could be charged egress on a pool v may use. */
function readsSharedChargeable(problem: Problem, v: number, readers: Int32Array): boolean {
  const bag = problem.bags?.[v];
  const everyTask = bag === undefined ? undefined : readByEveryTask(bag, problem);
  for (let k = problem.externalStart[v]!; k < problem.externalStart[v + 1]!; k++) {
    if (readers[problem.externalObject[k]!]! < 2) continue;
    if (everyTask !== undefined && !everyTask.has(problem.externalObject[k]!)) continue;
    for (let p = 0; p < problem.pools.count; p++) if (problem.stageFeasible[v * problem.pools.count + p] === 1 && chargeableRead(problem, k, p)) return true;
  }
  return false;
}

/**
 * Egress of v's external reads on pool p that is linear in v's share there (USD): an object
 * read by v alone costs bytes·egress(home → region p) per share of v in that region, exactly
 * (a chunk reads its share, a whole reader the object once). An object read by n stages costs
 * at least bytes·egress·max_v x[v, r] ≥ bytes·egress·(1/n)·Σ_v x[v, r], so charging each reader
 * 1/n of it is valid; the full level charges shared objects exactly (max) instead, when `shared`
 * is false here.
 */
function linearReadUsd(problem: Problem, v: number, p: number, readers: Int32Array, shared: boolean): number {
  const bag = problem.bags?.[v];
  const everyTask = bag === undefined ? undefined : readByEveryTask(bag, problem);
  const R = problem.network.regionCount;
  let usd = bag === undefined ? 0 : bagReadUsd(problem, bag, p, readers);
  for (let k = problem.externalStart[v]!; k < problem.externalStart[v + 1]!; k++) {
    // A bag: here only the objects every task reads (wherever a share of it runs, one does).
    if (everyTask !== undefined && !everyTask.has(problem.externalObject[k]!)) continue;
    const n = readers[problem.externalObject[k]!]!;
    if (n >= 2 && !shared) continue;
    if (!chargeableRead(problem, k, p)) continue;
    usd += (problem.externalBytes[k]! * problem.network.egressUsdPerByte[problem.externalRegion[k]! * R + problem.pools.regionIndex[p]!]!) / Math.max(1, n);
  }
  return usd;
}

/**
 * How a bag's reads are charged. A chunk reads its own tasks' objects, each whole, not a share
 * by work. An object every task reads is read wherever any share of the bag runs: charged like
 * a whole stage's read (linearReadUsd, addEgressRows). Objects one task of the bag reads and no
 * other stage does are charged here, at min over tasks i of e_i(p)·W / w_i (e_i(p) the USD of
 * task i's own objects coming to p's region, w_i its work): tasks of work share x on p pay at
 * least that × x. Objects some but not all of its tasks share are left out (≥ 0).
 */
function bagReadUsd(problem: Problem, bag: BagTables, p: number, readers: Int32Array): number {
  const R = problem.network.regionCount;
  const region = problem.pools.regionIndex[p]!;
  const units = bag.workPrefix.length - 1;
  const total = bag.workPrefix[units]!;
  if (!(total > 0)) return 0;
  const tasksReading = taskReaders(bag, problem);
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < units; i++) {
    const w = bag.workPrefix[i + 1]! - bag.workPrefix[i]!;
    if (!(w > 0)) continue;
    let usd = 0;
    for (let x = bag.externalStart[i]!; x < bag.externalStart[i + 1]!; x++) {
      const k = bag.externalEntry[x]!;
      const object = problem.externalObject[k]!;
      if (readers[object] !== 1 || tasksReading.get(object) !== 1 || !chargeableRead(problem, k, p)) continue;
      usd += problem.externalBytes[k]! * problem.network.egressUsdPerByte[problem.externalRegion[k]! * R + region]!;
    }
    least = Math.min(least, (usd * total) / w);
  }
  return Number.isFinite(least) ? least * (1 - 1e-9) : 0;
}

const taskReaderCache = new WeakMap<BagTables, Map<number, number>>();

/** Per object, how many of the bag's tasks read it. */
function taskReaders(bag: BagTables, problem: Problem): Map<number, number> {
  let counts = taskReaderCache.get(bag);
  if (counts === undefined) {
    counts = new Map();
    const units = bag.workPrefix.length - 1;
    for (let i = 0; i < units; i++) {
      const seen = new Set<number>();
      for (let x = bag.externalStart[i]!; x < bag.externalStart[i + 1]!; x++) seen.add(problem.externalObject[bag.externalEntry[x]!]!);
      for (const object of seen) counts.set(object, (counts.get(object) ?? 0) + 1);
    }
    taskReaderCache.set(bag, counts);
  }
  return counts;
}

const everyTaskCache = new WeakMap<BagTables, Set<number>>();

/** Objects every task of the bag reads. */
function readByEveryTask(bag: BagTables, problem: Problem): Set<number> {
  let objects = everyTaskCache.get(bag);
  if (objects === undefined) {
    const units = bag.workPrefix.length - 1;
    objects = new Set([...taskReaders(bag, problem)].filter(([, n]) => n === units).map(([object]) => object));
    everyTaskCache.set(bag, objects);
  }
  return objects;
}

/** Inter-stage edges whose egress the full level charges: some region choice of u and v pays. */
function chargeableEdges(problem: Problem): { u: number; v: number; bytes: number }[] {
  const out: { u: number; v: number; bytes: number }[] = [];
  const R = problem.network.regionCount;
  if (R < 2) return out;
  const P = problem.pools.count;
  const g = problem.stages;
  const least = Float64Array.from({ length: R }, (_, r) => leastEgressOut(problem, r));
  for (let u = 0; u < g.nodeCount; u++) {
    let pays = false;
    for (let p = 0; p < P && !pays; p++) if (problem.stageFeasible[u * P + p] === 1 && least[problem.pools.regionIndex[p]!]! > 0) pays = true;
    if (!pays) continue;
    for (let e = g.succStart[u]!; e < g.succStart[u + 1]!; e++) {
      const v = g.succIndex[e]!;
      const bytes = Math.min(g.succBytes[e]!, bagEdgeBytes(problem, u, v));
      if (bytes > 0) out.push({ u, v, bytes });
    }
  }
  return out;
}

/**
 * An edge touching a bag of tasks (model/bags.ts): the LP's share of a stage is a share of its
 * work, while a chunk sends or receives its own tasks' bytes, so tasks with much work and few
 * bytes would let the LP charge more than a plan pays. Charged instead at
 * B' = min_i b_i·W / w_i over the bag's tasks (b_i their bytes on this edge, w_i their work),
 * which every subset S of tasks meets: Σ_{i∈S} b_i ≥ B'·Σ_{i∈S} w_i / W. Infinity when neither
 * end is a bag.
 */
function bagEdgeBytes(problem: Problem, u: number, v: number): number {
  let bytes = Number.POSITIVE_INFINITY;
  const from = problem.bags?.[u];
  if (from !== undefined) bytes = Math.min(bytes, leastBytesPerShare(from.workPrefix, from.outBytes.get(v)));
  const to = problem.bags?.[v];
  if (to !== undefined) bytes = Math.min(bytes, leastBytesPerShare(to.workPrefix, to.inBytes.get(u)));
  return bytes;
}

function leastBytesPerShare(workPrefix: Float64Array, bytesPrefix: Float64Array | undefined): number {
  if (bytesPrefix === undefined) return 0;
  const n = workPrefix.length - 1;
  const total = workPrefix[n]!;
  if (!(total > 0)) return 0;
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const w = workPrefix[i + 1]! - workPrefix[i]!;
    if (w > 0) least = Math.min(least, ((bytesPrefix[i + 1]! - bytesPrefix[i]!) * total) / w);
  }
  return Number.isFinite(least) ? least * (1 - 1e-9) : 0;
}

/** Most tail thresholds per formulation (each adds two rows per pool). */
const MAX_THRESHOLDS = 4;

/**
 * Tail thresholds. A stage whose tail (least time that must follow it, `paths.ts`) is ≥ τ
 * ends by T − τ in every plan, so its work on p fits in the slot-time before T − τ: for each
 * τ_j the LP repeats the capacity rows over the stages reaching it, against C_p(T − τ_j).
 * Candidates are the distinct tails; kept are those with the largest quick estimate
 * τ + (least work reaching τ) / (all slots), i.e. where such a row can bind.
 */
function tailThresholds(problem: Problem, data: StageData, tailS: Float64Array): number[] {
  const { S, P, fullS } = data;
  let slots = 0;
  for (let p = 0; p < P; p++) slots += problem.pools.maxSlots[p]!;
  const least = new Float64Array(S);
  for (let v = 0; v < S; v++) {
    let best = Number.POSITIVE_INFINITY;
    for (let p = 0; p < P; p++) if (!Number.isNaN(fullS[v * P + p]!)) best = Math.min(best, fullS[v * P + p]!);
    least[v] = Number.isFinite(best) ? best : 0;
  }
  const order = [...Array(S).keys()].filter((v) => tailS[v]! > 0).sort((a, b) => tailS[b]! - tailS[a]!);
  const candidates: { tauS: number; estimateS: number }[] = [];
  let work = 0;
  for (let i = 0; i < order.length; i++) {
    const v = order[i]!;
    work += least[v]!;
    const next = order[i + 1];
    if (next !== undefined && tailS[next] === tailS[v]) continue; // the threshold takes every stage with this tail
    candidates.push({ tauS: tailS[v]!, estimateS: tailS[v]! + work / Math.max(1, slots) });
  }
  return candidates
    .sort((a, b) => b.estimateS - a.estimateS)
    .slice(0, MAX_THRESHOLDS)
    .map((c) => c.tauS)
    .sort((a, b) => a - b);
}

/** The formulation of one level (see `Formulation`). */
export function formulation(problem: Problem, data: StageData, level: 'full' | 'coarse', paths: PathBounds): Formulation {
  const tailS = paths.tailS;
  const readers = readerCountsOf(problem);
  const own = new Uint8Array(data.S);
  let edges: { u: number; v: number; bytes: number }[] = [];
  if (level === 'full') {
    edges = chargeableEdges(problem);
    for (const e of edges) own[e.u] = own[e.v] = 1;
    for (let v = 0; v < data.S; v++) if (readsSharedChargeable(problem, v, readers)) own[v] = 1;
  }
  const profiles = stageProfiles(problem, data, own, readers, level === 'coarse');
  const thresholdsS = tailThresholds(problem, data, tailS);
  const tailClass = new Int32Array(data.S);
  for (let v = 0; v < data.S; v++) tailClass[v] = thresholdsS.filter((tau) => tailS[v]! >= tau).length;
  const familyClass = data.familyMinSubtasks.map(() => thresholdsS.length);
  for (let v = 0; v < data.S; v++) if (data.family[v]! >= 0) familyClass[data.family[v]!] = Math.min(familyClass[data.family[v]!]!, tailClass[v]!);
  const ladder = level === 'full' ? [0, 1e-3, 1e-2, 5e-2] : [5e-2, 0.25, 1, 4, 16];
  const limit = level === 'full' ? MAX_GROUPS : COARSE_GROUPS;
  let groups: WorkGroup[] = [];
  for (const bucket of ladder) {
    groups = mergeStages(data, profiles, bucket, own, tailClass);
    if (groups.length <= limit) break;
  }
  // An edge whose end has no column (free somewhere) cannot be charged.
  const columned = new Uint8Array(data.S);
  for (const group of groups) {
    for (const v of group.stages) {
      columned[v] = 1;
      for (let p = 0; p < data.P; p++) {
        const end = paths.finishOnS[v * data.P + p]! + tailS[v]!;
        if (!(end >= group.endOnS[p]!)) group.endOnS[p] = end;
      }
    }
  }
  return { level, groups, edges: edges.filter((e) => columned[e.u] === 1 && columned[e.v] === 1), data, thresholdsS, familyClass };
}

/**
 * Per stage: its scale (max full busy time, or 1 when it has none) and, per pool, busy, full
 * and linear-egress terms divided by it (S × 3P, NaN where not allowed); scale 0 marks a stage
 * free somewhere (every term 0 on some pool), which adds no load and no cost.
 */
function stageProfiles(problem: Problem, data: StageData, own: Uint8Array, readers: Int32Array, sharedLinear: boolean): { scale: Float64Array; profile: Float64Array } {
  const { S, P, busyS, fullS } = data;
  const scale = new Float64Array(S);
  const profile = new Float64Array(S * 3 * P);
  for (let v = 0; v < S; v++) {
    let top = 0;
    let free = false;
    const row = v * 3 * P;
    for (let p = 0; p < P; p++) {
      const b = busyS[v * P + p]!;
      if (Number.isNaN(b)) {
        profile[row + p] = profile[row + P + p] = profile[row + 2 * P + p] = Number.NaN;
        continue;
      }
      const f = fullS[v * P + p]!;
      const usd = problem.externalStart[v + 1]! > problem.externalStart[v]! ? linearReadUsd(problem, v, p, readers, sharedLinear) : 0;
      profile[row + p] = b;
      profile[row + P + p] = f;
      profile[row + 2 * P + p] = usd;
      if (b === 0 && f === 0 && usd === 0 && own[v] === 0) free = true;
      top = Math.max(top, f);
    }
    if (free) continue;
    if (top === 0) top = 1; // no work anywhere, but egress: the scale is only a normaliser
    scale[v] = top;
    for (let i = row; i < row + 3 * P; i++) profile[i] = profile[i]! / top;
  }
  return { scale, profile };
}

/**
 * Stages merged into LP columns (see the file comment). Any merge is valid when each pool's
 * factor is the least over the members (the merged load and cost are then ≤ the members'):
 * proportional rows lose nothing; when rework and dispatch make rows differ and there are
 * too many of them, profiles are bucketed on a log scale (`bucket` the relative width),
 * giving up at most that share of each term. Stages in `own` keep their own column; stages of
 * one cluster family, and of one tail class, merge only among themselves.
 */
function mergeStages(data: StageData, profiles: { scale: Float64Array; profile: Float64Array }, bucket: number, own: Uint8Array, tailClass: Int32Array): WorkGroup[] {
  const { S, P } = data;
  const { scale, profile } = profiles;
  const groups = new Map<string, WorkGroup>();
  const step = Math.log1p(bucket === 0 ? 1e-9 : bucket);
  const width = 3 * P;
  const codes: number[] = new Array<number>(width);
  for (let v = 0; v < S; v++) {
    if (scale[v] === 0) continue;
    const row = v * width;
    for (let i = 0; i < width; i++) {
      const x = profile[row + i]!;
      codes[i] = Number.isNaN(x) ? -2e9 : x === 0 ? -1e9 : Math.floor(Math.log(x) / step);
    }
    const id = `${own[v] === 1 ? `s${v}` : `f${data.family[v]}`}:t${tailClass[v]}:${codes.join(',')}`;
    const group = groups.get(id);
    if (group === undefined) {
      groups.set(id, {
        massS: scale[v]!,
        factor: profile.slice(row, row + P),
        fullFactor: profile.slice(row + P, row + 2 * P),
        usdFactor: profile.slice(row + 2 * P, row + 3 * P),
        stages: [v],
        tailClass: tailClass[v]!,
        endOnS: new Float64Array(P).fill(Number.POSITIVE_INFINITY),
      });
    } else {
      (group as { massS: number }).massS += scale[v]!;
      group.stages.push(v);
      for (let p = 0; p < P; p++) {
        if (Number.isNaN(profile[row + p]!)) continue;
        group.factor[p] = Math.min(group.factor[p]!, profile[row + p]!);
        group.fullFactor[p] = Math.min(group.fullFactor[p]!, profile[row + P + p]!);
        group.usdFactor[p] = Math.min(group.usdFactor[p]!, profile[row + 2 * P + p]!);
      }
    }
  }
  return [...groups.values()];
}

interface Segment {
  readonly lo: number;
  readonly hi: number;
}

/**
 * Extra cuts of the T axis at these multiples of the path bound: capacity stays linear on each
 * piece (they change nothing there), but a finite hi lets `segmentModel` leave out the columns
 * of pools a stage cannot use in a plan that ends by hi.
 */
const EXTRA_CUTS = [1.02, 1.05, 1.1, 1.2, 1.35, 1.5, 1.75, 2, 2.5, 3, 4];

function segments(problem: Problem, fromS: number, anchorS: number): Segment[] {
  const extra = anchorS > 0 ? EXTRA_CUTS.map((f) => f * anchorS) : [];
  const cuts = [...new Set([...capacityBreakpoints(problem), ...extra])].filter((t) => t > fromS).sort((a, b) => a - b);
  const out: Segment[] = [];
  let lo = fromS;
  for (const t of cuts) {
    out.push({ lo, hi: t });
    lo = t;
  }
  out.push({ lo, hi: Number.POSITIVE_INFINITY });
  return out;
}

type Goal = 'makespan' | 'weighted' | 'cost';
type Terms = { variable: number; coefficient: number }[];

/** Pools a cluster family may use, each with its dispatch overhead > 0; undefined if one is free of dispatch (the count then costs nothing). */
function familyPools(problem: Problem, data: StageData, f: number): number[] | undefined {
  const P = problem.pools.count;
  const pools = new Set<number>();
  for (let v = 0; v < data.S; v++) {
    if (data.family[v] !== f) continue;
    for (let p = 0; p < P; p++) if (problem.stageFeasible[v * P + p] === 1) pools.add(p);
  }
  for (const p of pools) if (!(problem.pools.dispatchOverheadS[p]! > 0)) return undefined;
  return [...pools];
}

/** The LP of one T-segment: capacity rows exact on [lo, hi]; undefined if some group may use no pool there (infeasible). */
function segmentModel(problem: Problem, form: Formulation, segment: Segment, goal: Goal) {
  const P = problem.pools.count;
  const { groups, data } = form;
  const price = usableLeast(problem).priceUsdPerSlotS;
  const usdPerS = problem.objective.usdPerHour / 3600;
  const priced = goal !== 'makespan';
  const b = new ModelBuilder();
  const T = b.addVariable('T', { lower: segment.lo, upper: segment.hi, cost: goal === 'makespan' ? 1 : goal === 'weighted' ? usdPerS : 0 });
  // Per tail class c (0 = every stage) and pool: the load of fact (2), dispatch once per slot,
  // and of fact (3), dispatch once per sub-task; class c's rows take the groups of class ≥ c.
  const classes = form.thresholdsS.length + 1;
  const loadA: Terms[][] = Array.from({ length: classes }, () => Array.from({ length: P }, () => []));
  const loadB: Terms[][] = Array.from({ length: classes }, () => Array.from({ length: P }, () => []));
  const egress = new Map<string, number>(); // object × region → e[o,r]
  const columnOf = new Map<number, Int32Array>(); // stage with its own column → column per pool
  let empty = false;
  groups.forEach((group, g) => {
    // Columns are shares in [0, 1] of the group's work (well scaled, and bounded for the certificate).
    const share: Terms = [];
    const columns = new Int32Array(P).fill(-1);
    for (let p = 0; p < P; p++) {
      const f = group.factor[p]!;
      if (Number.isNaN(f)) continue;
      if (group.endOnS[p]! > segment.hi * (1 + 1e-9) + 1e-9) continue; // no plan ending by hi has a member on p
      const cost = priced ? group.massS * (group.fullFactor[p]! * price[p]! + group.usdFactor[p]!) : 0;
      const y = b.addVariable(`y${g}_${p}`, { cost, upper: 1 });
      columns[p] = y;
      share.push({ variable: y, coefficient: 1 });
      for (let c = 0; c <= group.tailClass; c++) {
        loadA[c]![p]!.push({ variable: y, coefficient: f * group.massS });
        loadB[c]![p]!.push({ variable: y, coefficient: group.fullFactor[p]! * group.massS });
      }
    }
    if (share.length === 0) empty = true;
    b.addConstraint(`work${g}`, share, '=', 1);
    if (group.stages.length === 1) columnOf.set(group.stages[0]!, columns);
    if (priced && form.level === 'full' && group.stages.length === 1) addEgressRows(problem, b, group.stages[0]!, columns, egress);
  });
  if (priced) addEdgeRows(problem, b, form, columnOf);
  // Fact (3): a cluster family forms at least familyMinSubtasks sub-tasks, k[f,p] of them on p.
  data.familyMinSubtasks.forEach((least, f) => {
    const pools = familyPools(problem, data, f);
    if (pools === undefined || pools.length === 0) return;
    const count: Terms = [];
    for (const p of pools) {
      const d = problem.pools.dispatchOverheadS[p]!;
      const k = b.addVariable(`k${f}_${p}`, { upper: data.familySize[f]!, cost: priced ? d * price[p]! : 0 });
      count.push({ variable: k, coefficient: 1 });
      for (let c = 0; c <= form.familyClass[f]!; c++) loadB[c]![p]!.push({ variable: k, coefficient: d });
    }
    b.addConstraint(`family${f}`, count, '>=', least);
  });
  for (let c = 0; c < classes; c++) {
    // Class c's stages end by T − τ (τ = 0 for class 0): their slot-time ends there.
    const tauS = c === 0 ? 0 : form.thresholdsS[c - 1]!;
    for (let p = 0; p < P; p++) {
      // Row B may hold only family dispatches (k on a pool no group may use here): it must stay.
      if (loadA[c]![p]!.length === 0 && loadB[c]![p]!.length === 0) continue;
      const capacity = (from: number): { atLo: number; rate: number } => ({
        atLo: slotTimeS(problem, p, from, segment.lo - tauS),
        rate: maxCapacityIn(problem, p, Math.max(segment.lo - tauS, from), segment.hi - tauS),
      });
      // Σ load ≤ C_p(lo − τ) + rate·(T − lo), rate the most slots in [lo − τ, hi − τ]: ≥ C_p(T − τ) on the segment.
      const a = capacity(workOpensS(problem, p));
      if (loadA[c]![p]!.length > 0) b.addConstraint(`pool${p}_${c}`, [...loadA[c]![p]!, { variable: T, coefficient: -a.rate }], '<=', a.atLo - a.rate * segment.lo);
      if (!(problem.pools.dispatchOverheadS[p]! > 0)) continue; // fact (3) is fact (2) then (and no k sits on p)
      const bb = capacity(problem.pools.startupS[p]!);
      b.addConstraint(`subtasks${p}_${c}`, [...loadB[c]![p]!, { variable: T, coefficient: -bb.rate }], '<=', bb.atLo - bb.rate * segment.lo);
    }
  }
  return empty ? undefined : b.build();
}

/** e[o,r] ≥ x[v,r] for stage v (its own column) reading a shared external object o (file comment). */
function addEgressRows(problem: Problem, b: ModelBuilder, v: number, columns: Int32Array, egress: Map<string, number>): void {
  const network = problem.network;
  const R = network.regionCount;
  const readers = readerCountsOf(problem);
  const bag = problem.bags?.[v];
  const everyTask = bag === undefined ? undefined : readByEveryTask(bag, problem);
  for (let k = problem.externalStart[v]!; k < problem.externalStart[v + 1]!; k++) {
    const object = problem.externalObject[k]!;
    if (readers[object]! < 2) continue; // charged linearly (linearReadUsd)
    if (everyTask !== undefined && !everyTask.has(object)) continue; // see linearReadUsd
    const home = problem.externalRegion[k]!;
    for (let r = 0; r < R; r++) {
      const usd = problem.externalBytes[k]! * network.egressUsdPerByte[home * R + r]!;
      if (r === home || !(usd > 0)) continue;
      const terms: Terms = [];
      for (let p = 0; p < problem.pools.count; p++) {
        if (columns[p]! >= 0 && problem.pools.regionIndex[p] === r) terms.push({ variable: columns[p]!, coefficient: -1 });
      }
      if (terms.length === 0) continue;
      const key = `${object}:${r}`;
      let e = egress.get(key);
      if (e === undefined) {
        e = b.addVariable(`e${object}_${r}`, { cost: usd, upper: 1 });
        egress.set(key, e);
      }
      b.addConstraint(`egress${object}_${r}_${v}`, [{ variable: e, coefficient: 1 }, ...terms], '>=', 0);
    }
  }
}

const readerCache = new WeakMap<Problem, Int32Array>();
function readerCountsOf(problem: Problem): Int32Array {
  let counts = readerCache.get(problem);
  if (counts === undefined) readerCache.set(problem, (counts = readerCounts(problem)));
  return counts;
}

/**
 * Inter-stage egress. Edge u → v carries B bytes; a sub-task holding share f of u sends f·g·B
 * to each holding share g of v, paying egress between their regions. With X_u(r) the share of
 * u in region r, the edge pays ≥ B·Σ_{r≠r'} X_u(r)·X_v(r')·egress(r → r') ≥ B·Σ_r m_r·X_u(r)·(1 − X_v(r))
 * (m_r the least egress out of r) ≥ B·Σ_r m_r·(X_u(r) − X_v(r))⁺, since X_u·X_v ≤ min(X_u, X_v).
 * Exact for whole stages on two regions; so z[e,r] ≥ X_u(r) − X_v(r), z ∈ [0, 1], at cost B·m_r.
 */
function addEdgeRows(problem: Problem, b: ModelBuilder, form: Formulation, columnOf: ReadonlyMap<number, Int32Array>): void {
  const R = problem.network.regionCount;
  const P = problem.pools.count;
  const least = Float64Array.from({ length: R }, (_, r) => leastEgressOut(problem, r));
  form.edges.forEach((edge, i) => {
    const cu = columnOf.get(edge.u);
    const cv = columnOf.get(edge.v);
    if (cu === undefined || cv === undefined) return;
    for (let r = 0; r < R; r++) {
      if (!(least[r]! > 0)) continue;
      const terms: Terms = [];
      for (let p = 0; p < P; p++) {
        if (problem.pools.regionIndex[p] !== r) continue;
        if (cu[p]! >= 0) terms.push({ variable: cu[p]!, coefficient: -1 });
        if (cv[p]! >= 0) terms.push({ variable: cv[p]!, coefficient: 1 });
      }
      if (!terms.some((t) => t.coefficient < 0)) continue; // u never in r
      const z = b.addVariable(`z${i}_${r}`, { cost: edge.bytes * least[r]!, upper: 1 });
      b.addConstraint(`edge${i}_${r}`, [{ variable: z, coefficient: 1 }, ...terms], '>=', 0);
    }
  });
}

/** The cost every plan pays at least: each group on its cheapest pool, each family's fewest dispatches at the cheapest. */
function minCostUsd(problem: Problem, form: Formulation): number {
  const price = usableLeast(problem).priceUsdPerSlotS;
  let total = 0;
  for (const group of form.groups) {
    let best = Number.POSITIVE_INFINITY;
    for (let p = 0; p < problem.pools.count; p++) {
      const f = group.fullFactor[p]!;
      if (!Number.isNaN(f)) best = Math.min(best, f * price[p]! + group.usdFactor[p]!);
    }
    total += group.massS * best;
  }
  form.data.familyMinSubtasks.forEach((least, f) => {
    const pools = familyPools(problem, form.data, f);
    if (pools === undefined || pools.length === 0) return;
    total += least * Math.min(...pools.map((p) => problem.pools.dispatchOverheadS[p]! * price[p]!));
  });
  return total;
}

function quickObjective(problem: Problem, makespanS: number): number {
  const cost = costLowerBoundUsd(problem);
  switch (problem.objective.kind) {
    case 'makespan':
      return makespanS;
    case 'cost':
      return cost;
    case 'weighted':
      return cost + (problem.objective.usdPerHour * makespanS) / 3600;
  }
}

class Budget {
  private readonly endMs: number;
  constructor(
    ms: number,
    private readonly clock: ClockMs,
  ) {
    this.endMs = clock() + ms;
  }
  get leftMs(): number {
    return Math.max(1, this.endMs - this.clock());
  }
  /** Whether the budget is spent (a solver given ~0 ms still reads its model, which takes long on a large one). */
  get spent(): boolean {
    return this.endMs - this.clock() < MIN_SOLVE_MS;
  }
}

/**
 * The lower bound for `problem` (see the file comment for the argument). On a solver
 * failure, the quick bounds of `cost/bounds.ts` (and the path bound) stand in, with a note.
 *
 * A large problem is bounded twice: first by the coarse formulation (few columns, so it
 * arrives within the budget), then, with the time left, by the full one; each is valid, so the
 * larger of the two stands, and a full LP that runs out of time leaves the coarse one.
 */
export async function lpBound(problem: Problem, solver: Solver, options: BoundOptions): Promise<LpBound> {
  const clockMs = options.clockMs ?? monotonicMs;
  const budget = new Budget(options.timeLimitMs, clockMs);
  const data = stageData(problem);
  const criticalPathS = makespanLowerBoundS(problem);
  const paths = pathBounds(problem, data);
  const pathBoundS = paths.makespanS;
  const fromS = Math.max(criticalPathS, pathBoundS);
  // Each level is built only when its turn comes (building the full one takes time too).
  const levels: ('coarse' | 'full')[] = fullColumnEstimate(problem) > COARSE_FIRST_ABOVE ? ['coarse', 'full'] : ['full'];
  const notes: string[] = [];
  let best: { makespanS: number; objective: number; form: Formulation } | undefined;
  let failure = '';
  for (const level of levels) {
    if (budget.spent) {
      notes.push(`${level} LP skipped: no time left`);
      failure ||= 'no time left';
      continue;
    }
    const form = formulation(problem, data, level, paths);
    // A coarser level's makespan bound holds for every plan, so the finer one starts there.
    const solved = await solveFormulation(problem, solver, form, Math.max(fromS, best?.makespanS ?? 0), fromS, budget, clockMs);
    const label = `${form.level} LP over ${form.groups.length} work group(s) × ${problem.pools.count} pool(s)${form.edges.length > 0 ? `, egress on ${form.edges.length} stage edge(s)` : ''}`;
    if ('failed' in solved) {
      failure = solved.failed;
      notes.push(`${label}: ${solved.failed}`);
      continue;
    }
    notes.push(`${label}: makespan ≥ ${solved.makespanS.toPrecision(6)} s, objective ≥ ${solved.objective.toPrecision(6)}`);
    best = best === undefined ? { ...solved, form } : { makespanS: Math.max(best.makespanS, solved.makespanS), objective: Math.max(best.objective, solved.objective), form };
  }
  notes.push('transfer times left out of the LP (each ≥ 0; in the path bound)');
  if (best === undefined) {
    const makespanS = fromS;
    return { state: 'quick', solver: solver.id, makespanS, objective: quickObjective(problem, makespanS), criticalPathS, pathBoundS, notes: [...notes, `fell back to the quick bounds: ${failure}`] };
  }
  const { makespanS, objective } = best;
  const bound: LpBound = { state: 'lp', solver: solver.id, makespanS, objective, criticalPathS, pathBoundS, notes };
  if (options.atMakespanS === undefined) return bound;
  const costAt = await costLowerBoundAt(problem, solver, options.atMakespanS, { timeLimitMs: budget.leftMs, makespanS, form: best.form, clockMs });
  return { ...bound, atMakespanS: options.atMakespanS, costAtMakespanUsd: costAt.usd, notes: [...notes, ...costAt.notes] };
}

/** LP columns of the full level at most: a share per feasible stage × pool, egress columns per stage edge and region. */
function fullColumnEstimate(problem: Problem): number {
  let columns = 0;
  for (let k = 0; k < problem.stageFeasible.length; k++) columns += problem.stageFeasible[k]!;
  const R = problem.network.regionCount;
  return columns + (R > 1 ? problem.stages.succIndex.length * R : 0);
}

/**
 * Whether no plan can finish by `hiS`: for some tail class c (τ = its threshold, 0 for class 0),
 * even with every group of class ≥ c on the pool where it loads least, their load of fact (2),
 * or of fact (3) with each family's fewest dispatches, exceeds all pools' slot-time by hi − τ
 * (the sum of the LP's class-c capacity rows at T = hi, so the segment's LP is infeasible).
 */
function surelyInfeasible(problem: Problem, form: Formulation, hiS: number): boolean {
  const P = problem.pools.count;
  const margin = 1 + 1e-9;
  for (let c = 0; c <= form.thresholdsS.length; c++) {
    const tauS = c === 0 ? 0 : form.thresholdsS[c - 1]!;
    let needA = 0;
    let needB = 0;
    for (const group of form.groups) {
      if (group.tailClass < c) continue;
      let a = Number.POSITIVE_INFINITY;
      let b = Number.POSITIVE_INFINITY;
      for (let p = 0; p < P; p++) {
        if (Number.isNaN(group.factor[p]!)) continue;
        a = Math.min(a, group.factor[p]!);
        b = Math.min(b, group.fullFactor[p]!);
      }
      if (Number.isFinite(a)) needA += a * group.massS;
      if (Number.isFinite(b)) needB += b * group.massS;
    }
    form.data.familyMinSubtasks.forEach((least, f) => {
      if (form.familyClass[f]! < c) return;
      const pools = familyPools(problem, form.data, f);
      if (pools !== undefined && pools.length > 0) needB += least * Math.min(...pools.map((p) => problem.pools.dispatchOverheadS[p]!));
    });
    let haveA = 0;
    let haveB = 0;
    for (let p = 0; p < P; p++) {
      haveA += slotTimeS(problem, p, workOpensS(problem, p), hiS - tauS);
      haveB += slotTimeS(problem, p, problem.pools.startupS[p]!, hiS - tauS);
    }
    if (needA > haveA * margin + 1e-9 || needB > haveB * margin + 1e-9) return true;
  }
  return false;
}

/** The makespan and objective bounds of one formulation, or why its LPs failed. */
async function solveFormulation(
  problem: Problem,
  solver: Solver,
  form: Formulation,
  fromS: number,
  anchorS: number,
  budget: Budget,
  clockMs: ClockMs,
): Promise<{ makespanS: number; objective: number } | { failed: string }> {
  // 1. Makespan: the optimum of the first feasible segment. Feasibility is monotone along the
  // segments (a later one has more capacity and leaves out fewer columns), so bisect for it.
  const all = segments(problem, fromS, anchorS);
  let lo = 0;
  let hi = all.length - 1; // the last segment is always tried
  let found: number | undefined;
  let failed: string | undefined;
  const attempt = async (i: number): Promise<'infeasible' | 'optimal' | 'failed'> => {
    const segment = all[i]!;
    if (Number.isFinite(segment.hi) && surelyInfeasible(problem, form, segment.hi)) return 'infeasible';
    const model = segmentModel(problem, form, segment, 'makespan');
    if (model === undefined) return 'infeasible';
    if (budget.spent) {
      failed = 'no time left';
      return 'failed';
    }
    const result = await solver.solve(model, { timeLimitMs: budget.leftMs, integer: false, clockMs });
    if (result.state === 'infeasible') return 'infeasible';
    if (result.state !== 'optimal') {
      failed = `makespan LP: ${result.state}${'message' in result && result.message ? ` (${result.message})` : ''}`;
      return 'failed';
    }
    found = Math.max(fromS, certifyLp(model, result));
    return 'optimal';
  };
  let best: number | undefined;
  // fromS is often a tight bound already (a coarser level's, or the paths'): its segment first.
  const first = await attempt(0);
  if (first === 'failed') return { failed: failed! };
  if (first === 'optimal') hi = -1;
  else lo = 1;
  if (first === 'optimal') best = found;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const state = await attempt(mid);
    if (state === 'failed') return { failed: failed! };
    if (state === 'optimal') {
      best = found;
      hi = mid - 1;
    } else lo = mid + 1;
  }
  if (best === undefined) return { failed: 'every makespan segment LP was infeasible' };
  const makespanS = best;

  // 2. Objective.
  const kind = problem.objective.kind;
  if (kind === 'makespan') return { makespanS, objective: makespanS };
  const later = segments(problem, makespanS, anchorS);
  if (kind === 'cost') {
    // The last segment lets T grow until no capacity row binds: the LP's cost optimum over all T.
    const model = segmentModel(problem, form, later[later.length - 1]!, 'cost')!;
    if (budget.spent) return { failed: 'no time left' };
    const result = await solver.solve(model, { timeLimitMs: budget.leftMs, integer: false, clockMs });
    if (result.state !== 'optimal') return { failed: `cost LP: ${result.state}` };
    return { makespanS, objective: Math.max(certifyLp(model, result), certified(minCostUsd(problem, form))) };
  }
  const usdPerS = problem.objective.usdPerHour / 3600;
  const cheapest = minCostUsd(problem, form);
  let objective = Number.POSITIVE_INFINITY;
  for (const segment of later) {
    // Every plan ending in this segment or later scores ≥ usdPerS·lo + cheapest: once that is no
    // better, or no LP can be solved in time, it stands for all of them.
    const floor = certified(usdPerS * segment.lo + cheapest);
    if (floor >= objective) break;
    const model = segmentModel(problem, form, segment, 'weighted');
    if (model === undefined) continue;
    if (budget.spent) {
      objective = Math.min(objective, floor);
      break;
    }
    const result = await solver.solve(model, { timeLimitMs: budget.leftMs, integer: false, clockMs });
    if (result.state === 'infeasible') continue;
    if (result.state !== 'optimal') {
      objective = Math.min(objective, floor);
      break;
    }
    objective = Math.min(objective, certifyLp(model, result));
  }
  return { makespanS, objective: Math.max(objective, certified(cheapest + usdPerS * makespanS)) };
}

/**
 * A lower bound on the cost (compute and egress) of any plan with makespan ≤ T0: the LP with
 * T fixed at T0 (C_p is non-decreasing, so finishing earlier only removes capacity). Infinity
 * when no plan can finish by T0. Falls back to the cheapest-pool bound on a solver failure.
 */
export async function costLowerBoundAt(
  problem: Problem,
  solver: Solver,
  atMakespanS: number,
  options: { timeLimitMs: number; makespanS?: number; form?: Formulation; clockMs?: ClockMs },
): Promise<{ usd: number; notes: string[] }> {
  const data = options.form?.data ?? stageData(problem);
  const form = options.form ?? formulation(problem, data, 'full', pathBounds(problem, data));
  const cheapest = certified(minCostUsd(problem, form));
  if (options.makespanS !== undefined && atMakespanS < options.makespanS) return { usd: Number.POSITIVE_INFINITY, notes: [`no plan finishes by ${atMakespanS} s`] };
  const model = segmentModel(problem, form, { lo: atMakespanS, hi: atMakespanS }, 'cost');
  if (model === undefined) return { usd: Number.POSITIVE_INFINITY, notes: [`no plan finishes by ${atMakespanS} s (paths)`] };
  const result = await solver.solve(model, { timeLimitMs: options.timeLimitMs, integer: false, ...(options.clockMs === undefined ? {} : { clockMs: options.clockMs }) });
  if (result.state === 'infeasible') return { usd: Number.POSITIVE_INFINITY, notes: [`no plan finishes by ${atMakespanS} s (capacity)`] };
  if (result.state !== 'optimal') return { usd: cheapest, notes: [`cost-at-makespan LP: ${result.state}; cheapest-pool bound used`] };
  return { usd: Math.max(cheapest, certifyLp(model, result)), notes: [] };
}
