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
 * T is also ≥ the quick critical path (`makespanLowerBoundS`) and ≥ the pool-aware path bound
 * (`paths.ts`), each valid on its own. Objective by `problem.objective.kind`:
 *     makespan  min T                                  (s)
 *     weighted  min usdPerHour/3600·T + Σ x·W·price_p  (USD)
 *     cost      min Σ x·W·price_p                      (USD)
 * compute price is busy time × price ≥ Σ x·W·price by fact (1), with price_p the pool's least
 * price over the segments a sub-task can use (`usableLeast`: under a time-varying price a
 * sub-task pays ∫ price over its window ≥ that × its busy time). W here is `busyS`, which
 * already holds the stage overheads, the chunk dispatch overheads and rework that every
 * partition must pay (`stage-data.ts`).
 *
 * Egress of external inputs is charged per (object, region), not per stage: a whole object
 * moves to a region once and every reader there shares the copy, while a chunk reads (and
 * pays for) its own share. Either way, for each reader v of object o (home r0) the plan
 * pays at least bytes_o·egress(r0 → r)·x[v, r] for region r ≠ r0 (x[v, r] = Σ_{p in r}
 * x[v,p]); so e[o,r] ≥ x[v,r] for every reader v, with cost bytes_o·egress(r0 → r)·e[o,r],
 * is valid (the max over readers, not the sum). Egress of data passed between stages is left
 * out: its volume is bilinear in the two stages' shares and its convex envelope (McCormick,
 * x_u + x_v − 1) is ~0 at the fractional points the LP picks. Transfer times and atomic
 * dispatch overheads are in the path bound only.
 *
 * Stages whose W rows are proportional (same feasible pools, same W[v,·]/max_p W[v,·], e.g.
 * every stage of one op without per-pool runtimes) and that read no external data are merged
 * into one LP column per pool with their total work: the LP over the merged columns has the
 * same optimum (any split of the merged work is some split of each stage), and rounding the
 * profile key down keeps it valid. Provisional stages have W = 0 and drop out.
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
import type { Problem } from '../model/problem.js';
import { pathBounds } from './paths.js';
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

/** One merged LP column per pool: total work `massS` with per-pool runtime factor `factor[p]` (NaN: not allowed). */
export interface WorkGroup {
  readonly massS: number;
  readonly factor: Float64Array;
  readonly stages: number[];
}

/** Above this many merged columns per pool, profiles are bucketed (see `workGroups`). */
const MAX_GROUPS = 1500;

/** Whether some external input of v could be charged egress on a pool v may use (then v keeps its own column). */
function readsChargeable(problem: Problem, v: number): boolean {
  const R = problem.network.regionCount;
  for (let k = problem.externalStart[v]!; k < problem.externalStart[v + 1]!; k++) {
    for (let p = 0; p < problem.pools.count; p++) {
      if (problem.stageFeasible[v * problem.pools.count + p] === 0) continue;
      const r = problem.pools.regionIndex[p]!;
      if (r !== problem.externalRegion[k]! && problem.network.egressUsdPerByte[problem.externalRegion[k]! * R + r]! > 0) return true;
    }
  }
  return false;
}

/**
 * Stages merged into LP columns (see the file comment). Any merge is valid when each pool's
 * factor is the least over the members (the merged load and cost are then ≤ the members'):
 * proportional rows lose nothing; when rework makes rows differ (it is convex in the runtime)
 * and there are more than MAX_GROUPS of them, profiles are bucketed on a log scale (0.1 %,
 * then 1 %, then 5 %), giving up at most that share of the load. Provisional / zero-work stages
 * are dropped; stages whose external reads may pay egress keep their own column.
 */
export function workGroups(problem: Problem, data: StageData): WorkGroup[] {
  let groups: WorkGroup[] = [];
  for (const bucket of [0, 1e-3, 1e-2, 5e-2]) {
    groups = mergeStages(problem, data, bucket);
    if (groups.length <= MAX_GROUPS) break;
  }
  return groups;
}

function mergeStages(problem: Problem, data: StageData, bucket: number): WorkGroup[] {
  const { S, P, busyS } = data;
  const groups = new Map<string, { massS: number; factor: Float64Array; stages: number[] }>();
  const profile = new Float64Array(P);
  const step = Math.log1p(bucket);
  for (let v = 0; v < S; v++) {
    let scale = 0;
    let zero = false;
    for (let p = 0; p < P; p++) {
      const w = busyS[v * P + p]!;
      if (Number.isNaN(w)) continue;
      if (w === 0) zero = true;
      scale = Math.max(scale, w);
    }
    if (zero || scale === 0) continue; // can run for free somewhere: adds no load and no cost
    const key: string[] = readsChargeable(problem, v) ? [`stage${v}`] : [];
    for (let p = 0; p < P; p++) {
      const w = busyS[v * P + p]!;
      profile[p] = w / scale;
      if (Number.isNaN(w)) key.push('-');
      else key.push(bucket === 0 ? profile[p]!.toPrecision(9) : String(Math.floor(Math.log(profile[p]!) / step)));
    }
    const id = key.join(',');
    const group = groups.get(id);
    if (group === undefined) groups.set(id, { massS: scale, factor: Float64Array.from(profile), stages: [v] });
    else {
      group.massS += scale;
      group.stages.push(v);
      for (let p = 0; p < P; p++) if (!Number.isNaN(profile[p]!)) group.factor[p] = Math.min(group.factor[p]!, profile[p]!);
    }
  }
  return [...groups.values()];
}

interface Segment {
  readonly lo: number;
  readonly hi: number;
}

function segments(problem: Problem, fromS: number): Segment[] {
  const cuts = capacityBreakpoints(problem).filter((t) => t > fromS);
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

/** The LP of one T-segment: capacity rows exact on [lo, hi]. */
function segmentModel(problem: Problem, groups: readonly WorkGroup[], segment: Segment, goal: Goal) {
  const P = problem.pools.count;
  const price = usableLeast(problem).priceUsdPerSlotS;
  const usdPerS = problem.objective.usdPerHour / 3600;
  const b = new ModelBuilder();
  const T = b.addVariable('T', { lower: segment.lo, upper: segment.hi, cost: goal === 'makespan' ? 1 : goal === 'weighted' ? usdPerS : 0 });
  const load: { variable: number; coefficient: number }[][] = Array.from({ length: P }, () => []);
  const egress = new Map<string, number>(); // object × region → e[o,r]
  groups.forEach((group, g) => {
    // Columns are shares in [0, 1] of the group's work (well scaled, and bounded for the certificate).
    const share: { variable: number; coefficient: number }[] = [];
    const columns = new Int32Array(P).fill(-1);
    for (let p = 0; p < P; p++) {
      const f = group.factor[p]!;
      if (Number.isNaN(f)) continue;
      const cost = goal === 'makespan' ? 0 : f * group.massS * price[p]!;
      const y = b.addVariable(`y${g}_${p}`, { cost, upper: 1 });
      columns[p] = y;
      share.push({ variable: y, coefficient: 1 });
      load[p]!.push({ variable: y, coefficient: f * group.massS });
    }
    b.addConstraint(`work${g}`, share, '=', 1);
    if (goal !== 'makespan' && group.stages.length === 1 && readsChargeable(problem, group.stages[0]!)) addEgressRows(problem, b, group, columns, egress);
  });
  for (let p = 0; p < P; p++) {
    if (load[p]!.length === 0) continue;
    const opens = workOpensS(problem, p);
    const atLo = slotTimeS(problem, p, opens, segment.lo);
    const rate = maxCapacityIn(problem, p, Math.max(segment.lo, opens), segment.hi);
    // Σ load ≤ C_p(lo) + rate·(T − lo)
    b.addConstraint(`pool${p}`, [...load[p]!, { variable: T, coefficient: -rate }], '<=', atLo - rate * segment.lo);
  }
  return b.build();
}

/** e[o,r] ≥ x[v,r] for the one stage v of `group` reading external object o (file comment). */
function addEgressRows(problem: Problem, b: ModelBuilder, group: WorkGroup, columns: Int32Array, egress: Map<string, number>): void {
  const v = group.stages[0]!;
  const network = problem.network;
  const R = network.regionCount;
  for (let k = problem.externalStart[v]!; k < problem.externalStart[v + 1]!; k++) {
    const home = problem.externalRegion[k]!;
    const object = problem.externalObject[k]!;
    for (let r = 0; r < R; r++) {
      const usd = problem.externalBytes[k]! * network.egressUsdPerByte[home * R + r]!;
      if (r === home || !(usd > 0)) continue;
      const terms: { variable: number; coefficient: number }[] = [];
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

function minCostUsd(problem: Problem, groups: readonly WorkGroup[]): number {
  const price = usableLeast(problem).priceUsdPerSlotS;
  let total = 0;
  for (const group of groups) {
    let best = Number.POSITIVE_INFINITY;
    for (let p = 0; p < problem.pools.count; p++) {
      const f = group.factor[p]!;
      if (!Number.isNaN(f)) best = Math.min(best, f * price[p]!);
    }
    total += group.massS * best;
  }
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
}

/**
 * The lower bound for `problem` (see the file comment for the argument). On a solver
 * failure, the quick bounds of `cost/bounds.ts` (and the path bound) stand in, with a note.
 */
export async function lpBound(problem: Problem, solver: Solver, options: BoundOptions): Promise<LpBound> {
  const clockMs = options.clockMs ?? monotonicMs;
  const budget = new Budget(options.timeLimitMs, clockMs);
  const data = stageData(problem);
  const criticalPathS = makespanLowerBoundS(problem);
  const pathBoundS = pathBounds(problem, data).makespanS;
  const fromS = Math.max(criticalPathS, pathBoundS);
  const groups = workGroups(problem, data);
  const notes: string[] = [`LP over ${groups.length} work group(s) × ${problem.pools.count} pool(s); inter-stage egress and transfers left out (each ≥ 0)`];
  const quick = (why: string): LpBound => {
    const makespanS = fromS;
    return { state: 'quick', solver: solver.id, makespanS, objective: quickObjective(problem, makespanS), criticalPathS, pathBoundS, notes: [...notes, `fell back to the quick bounds: ${why}`] };
  };

  // 1. Makespan: first feasible segment.
  let makespanS = Number.NaN;
  for (const segment of segments(problem, fromS)) {
    const model = segmentModel(problem, groups, segment, 'makespan');
    const result = await solver.solve(model, { timeLimitMs: budget.leftMs, integer: false, clockMs });
    if (result.state === 'infeasible') continue;
    if (result.state !== 'optimal') return quick(`makespan LP: ${result.state}${'message' in result && result.message ? ` (${result.message})` : ''}`);
    makespanS = Math.max(fromS, certifyLp(model, result));
    break;
  }
  if (Number.isNaN(makespanS)) return quick('every makespan segment LP was infeasible');

  // 2. Objective.
  let objective: number;
  const kind = problem.objective.kind;
  if (kind === 'makespan') objective = makespanS;
  else if (kind === 'cost') {
    // The last segment lets T grow until no capacity row binds: the LP's cost optimum over all T.
    const all = segments(problem, makespanS);
    const model = segmentModel(problem, groups, all[all.length - 1]!, 'cost');
    const result = await solver.solve(model, { timeLimitMs: budget.leftMs, integer: false, clockMs });
    if (result.state !== 'optimal') return quick(`cost LP: ${result.state}`);
    objective = Math.max(certifyLp(model, result), certified(minCostUsd(problem, groups)));
  } else {
    const usdPerS = problem.objective.usdPerHour / 3600;
    const cheapest = minCostUsd(problem, groups);
    let best = Number.POSITIVE_INFINITY;
    for (const segment of segments(problem, makespanS)) {
      if (usdPerS * segment.lo + cheapest >= best) break; // later segments cannot do better
      const model = segmentModel(problem, groups, segment, 'weighted');
      const result = await solver.solve(model, { timeLimitMs: budget.leftMs, integer: false, clockMs });
      if (result.state === 'infeasible') continue;
      if (result.state !== 'optimal') return quick(`weighted LP: ${result.state}`);
      best = Math.min(best, certifyLp(model, result));
    }
    objective = Math.max(best, certified(cheapest + usdPerS * makespanS));
  }

  const bound: LpBound = { state: 'lp', solver: solver.id, makespanS, objective, criticalPathS, pathBoundS, notes };
  if (options.atMakespanS === undefined) return bound;
  const costAt = await costLowerBoundAt(problem, solver, options.atMakespanS, { timeLimitMs: budget.leftMs, makespanS, groups, clockMs });
  return { ...bound, atMakespanS: options.atMakespanS, costAtMakespanUsd: costAt.usd, notes: [...notes, ...costAt.notes] };
}

/**
 * A lower bound on the compute cost of any plan with makespan ≤ T0: the LP with T fixed at T0
 * (C_p is non-decreasing, so finishing earlier only removes capacity). Infinity when no plan
 * can finish by T0. Falls back to the cheapest-pool bound on a solver failure.
 */
export async function costLowerBoundAt(
  problem: Problem,
  solver: Solver,
  atMakespanS: number,
  options: { timeLimitMs: number; makespanS?: number; groups?: readonly WorkGroup[]; clockMs?: ClockMs },
): Promise<{ usd: number; notes: string[] }> {
  const groups = options.groups ?? workGroups(problem, stageData(problem));
  const cheapest = certified(minCostUsd(problem, groups));
  if (options.makespanS !== undefined && atMakespanS < options.makespanS) return { usd: Number.POSITIVE_INFINITY, notes: [`no plan finishes by ${atMakespanS} s`] };
  const model = segmentModel(problem, groups, { lo: atMakespanS, hi: atMakespanS }, 'cost');
  const result = await solver.solve(model, { timeLimitMs: options.timeLimitMs, integer: false, ...(options.clockMs === undefined ? {} : { clockMs: options.clockMs }) });
  if (result.state === 'infeasible') return { usd: Number.POSITIVE_INFINITY, notes: [`no plan finishes by ${atMakespanS} s (capacity)`] };
  if (result.state !== 'optimal') return { usd: cheapest, notes: [`cost-at-makespan LP: ${result.state}; cheapest-pool bound used`] };
  return { usd: Math.max(cheapest, certifyLp(model, result)), notes: [] };
}
