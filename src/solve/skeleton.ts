/**
 * The refinement ILP: integer decisions over aggregated stage × pool work that the search
 * then sequences (ARCHITECTURE.md, "refine"). Not a bound: it uses the planning runtimes
 * (provisional estimates included) and linear approximations, stated next to each row.
 *
 * Divisible stage s on pool p (feasible): chunks n[s,p] ∈ ℤ≥0, waves k[s,p] ∈ ℤ≥0, units
 * u[s,p] ≥ 0, rework r[s,p] ≥ 0:
 *     minChunk·n ≤ u ≤ maxChunk·n,   Σ_p u[s,p] = units
 *     m_p·(k − 1) + 1 ≤ n ≤ m_p·k      (k = ⌈n / m_p⌉: how many rounds the slots run)
 *     busy = w_p·u + (d_p + o_s,p)·n + r          (w_p per-unit runtime, d_p dispatch, o stage overhead)
 *     r ≥ λ_p·(δ_j·w_p·u − δ_j²·n/2)  for chunk durations δ_j on a grid of [minChunk, maxChunk]·w_p
 * The last rows are tangent planes of λ(w·u)²/(2n), the second-order expected rework of n
 * equal chunks ((e^{λd} − 1)/λ ≈ d + λd²/2 per chunk), which is jointly convex in (u, n):
 * an outer approximation that charges rework to big chunks and lets the solver trade it
 * against the per-chunk overheads (the Young/Daly trade-off).
 *
 * Atomic stages are grouped by (op, level, allowed pools) (`level` = problem.stages.level);
 * group g puts m[g,p] ∈ ℤ≥0 of its tasks on p, Σ_p m = |g|, each costing the group's mean
 * expected busy time on p, (e^{λ(d + o + R)} − 1)/λ (exact for a task dispatched alone).
 *
 * Time: each node (divisible stage or group) has a span D ≥ its busy share of p per slot
 * (divisible: (w·u + r)/m_p + (d + o)·k; group: m·busy/m_p) and ≥ its longest task; finish
 * times follow the stage DAG (f_v ≥ f_u + D_v), T ≥ every finish. When groups span several
 * levels (aggregating harder), precedence is kept only between level bands, since edges
 * inside a band could close a cycle between two groups. Per pool, with y_p ∈ {0,1}
 * "pool used": load_p ≤ m_p·(T − startup_p·y_p) and load_p ≤ M·y_p. Egress: external inputs
 * per unit (divisible: each chunk reads its share) or per task (groups: each task charged
 * 1/|g| of the group's distinct external bytes — approximate, shared objects are counted
 * per group). Inter-stage transfers are left to the search.
 *
 * Objective as the problem's: weighted usdPerHour/3600·T + cost; makespan T; cost
 * cost + 1e-9·T.
 */
import { monotonicMs, type ClockMs } from '../util/clock.js';
import type { Problem } from '../model/problem.js';
import { speedOf } from '../model/subtasks.js';
import type { PoolShare } from '../planners/divisible.js';
import { ModelBuilder, type LinearModel, type LinearTerm, type SolveResult, type Solver } from './solver.js';

/** Units and chunks of a divisible stage on one pool: the same shape the DLT split produces. */
export type DivisibleShare = PoolShare;

export interface AtomicGroup {
  /** Member stage indices. */
  readonly stages: readonly number[];
  /** Tasks of the group on each pool (length P), summing to stages.length. */
  readonly perPool: readonly number[];
}

export interface Skeleton {
  readonly divisible: readonly { readonly stage: number; readonly shares: readonly DivisibleShare[] }[];
  readonly groups: readonly AtomicGroup[];
  /** How the integer values were obtained. */
  readonly method: 'ilp-optimal' | 'ilp-feasible' | 'lp-rounded';
  /** The model's objective at the returned (rounded) decisions is not re-evaluated: this is the solver's. */
  readonly modelObjective: number;
  readonly dualBound?: number;
}

export interface RefinementOptions {
  readonly timeLimitMs: number;
  /** The clock the time limit is measured on (default: monotonicMs). */
  readonly clockMs?: ClockMs;
  /** Aggregate harder (level bands), then fall back to LP rounding, above this many integer variables. Default 5000. */
  readonly maxIntegerVariables?: number;
  /** Default 0.02. */
  readonly relativeGap?: number;
}

interface Group {
  readonly stages: number[];
  readonly pools: number[];
}

interface Layout {
  readonly model: LinearModel;
  readonly groups: readonly Group[];
  /** Per divisible stage: per pool the column indices of n, u (-1 where infeasible). */
  readonly divisible: readonly { stage: number; n: Int32Array; u: Int32Array }[];
  /** Per group: per pool the column index of m (-1 where infeasible). */
  readonly groupColumns: readonly Int32Array[];
  readonly integerCount: number;
}

const REWORK_GRID = 5;
/**
 * Default relative MIP gap. The model is an approximation anyway; measured on log-analytics,
 * HiGHS took 1.8 s to close a 1 % gap and 0.12 s for 5 % (bench/results/solver.md).
 */
const DEFAULT_GAP = 0.02;

/** Runtime of the whole of stage v on one slot of p for planning (provisional estimates used). */
function planningRuntimeS(problem: Problem, v: number, p: number): number {
  const known = problem.stageKnownRuntimeS[v * problem.pools.count + p]!;
  return Number.isNaN(known) ? problem.stageWorkS[v]! / speedOf(problem, v, p) : known;
}

function stageOverheadS(problem: Problem, v: number, p: number): number {
  const known = problem.stageKnownRuntimeS[v * problem.pools.count + p]!;
  return Number.isNaN(known) ? problem.definition.stages[v]!.overheadS / speedOf(problem, v, p) : 0;
}

function expected(durationS: number, hazardPerS: number): number {
  return hazardPerS === 0 ? durationS : Math.expm1(hazardPerS * durationS) / hazardPerS;
}

/** Atomic stages grouped by (op, level band, allowed pools), in a deterministic order. */
export function atomicGroups(problem: Problem, levelBand: number, byOp: boolean): Group[] {
  const P = problem.pools.count;
  const map = new Map<string, Group>();
  for (const v of problem.stages.order) {
    const stage = problem.definition.stages[v]!;
    if (stage.kind !== 'atomic') continue;
    const pools: number[] = [];
    for (let p = 0; p < P; p++) if (problem.stageFeasible[v * P + p] === 1) pools.push(p);
    const key = `${byOp ? stage.op : ''}\u0000${Math.floor(problem.stages.level[v]! / levelBand)}\u0000${pools.join(',')}`;
    const group = map.get(key);
    if (group === undefined) map.set(key, { stages: [v], pools });
    else group.stages.push(v);
  }
  return [...map.values()];
}

function integerCountOf(problem: Problem, groups: readonly Group[]): number {
  const P = problem.pools.count;
  let count = P;
  problem.definition.stages.forEach((stage, v) => {
    if (stage.kind !== 'divisible') return;
    for (let p = 0; p < P; p++) if (problem.stageFeasible[v * P + p] === 1) count += 2;
  });
  for (const g of groups) count += g.pools.length;
  return count;
}

/** Aggregation levels tried in order until the integer count fits. */
export function chooseGroups(problem: Problem, limit: number): { groups: Group[]; levelBand: number; label: string; fits: boolean } {
  let band = 1;
  for (;;) {
    const groups = atomicGroups(problem, band, true);
    if (integerCountOf(problem, groups) <= limit) return { groups, levelBand: band, label: band === 1 ? 'groups by (op, level)' : `groups by (op, ${band} levels)`, fits: true };
    if (band >= problem.stages.levelCount) break;
    band *= 2;
  }
  const all = Math.max(1, problem.stages.levelCount);
  const coarse = atomicGroups(problem, all, false);
  return { groups: coarse, levelBand: all, label: 'groups by allowed pools only', fits: integerCountOf(problem, coarse) <= limit };
}

function egressPerByteTo(problem: Problem, v: number, p: number, distinct: Set<number> | undefined): number {
  const network = problem.network;
  const R = network.regionCount;
  const region = problem.pools.regionIndex[p]!;
  let usd = 0;
  for (let k = problem.externalStart[v]!; k < problem.externalStart[v + 1]!; k++) {
    if (distinct !== undefined) {
      if (distinct.has(problem.externalObject[k]!)) continue;
      distinct.add(problem.externalObject[k]!);
    }
    usd += problem.externalBytes[k]! * network.egressUsdPerByte[problem.externalRegion[k]! * R + region]!;
  }
  return usd;
}

export function buildRefinementModel(problem: Problem, groups: readonly Group[], levelBand = 1): Layout {
  const P = problem.pools.count;
  const pools = problem.pools;
  const stages = problem.definition.stages;
  const kind = problem.objective.kind;
  const usdPerS = kind === 'weighted' ? problem.objective.usdPerHour / 3600 : 0;
  const costWeight = kind === 'makespan' ? 0 : 1;
  const b = new ModelBuilder();
  const T = b.addVariable('T', { cost: kind === 'makespan' ? 1 : kind === 'cost' ? 1e-9 : usdPerS });
  const load: LinearTerm[][] = Array.from({ length: P }, () => []);
  let bigM = 0;
  const nodeOf = new Int32Array(problem.stages.nodeCount).fill(-1);
  const spans: number[] = [];
  /** Level band of each node: precedence is kept only between bands (within one it could form cycles). */
  const bandOf: number[] = [];
  const addSpan = (name: string, least: number): number => {
    const D = b.addVariable(name, { lower: least });
    spans.push(D);
    return spans.length - 1;
  };
  const charge = (p: number, variable: number, busy: number, egressUsd: number): void => {
    load[p]!.push({ variable, coefficient: busy });
    b.addCost(variable, costWeight * (busy * pools.priceUsdPerSlotS[p]! + egressUsd));
  };

  const divisible: { stage: number; n: Int32Array; u: Int32Array }[] = [];
  stages.forEach((stage, v) => {
    if (stage.kind !== 'divisible') return;
    const node = addSpan(`D${v}`, 0);
    nodeOf[v] = node;
    bandOf[node] = Math.floor(problem.stages.level[v]! / levelBand);
    const D = spans[node]!;
    const nCols = new Int32Array(P).fill(-1);
    const uCols = new Int32Array(P).fill(-1);
    const fewest = Math.ceil(stage.units / stage.maxChunk);
    const minChunk = fewest * stage.minChunk <= stage.units ? stage.minChunk : Math.floor(stage.units / fewest);
    const maxChunks = Math.ceil(stage.units / minChunk);
    const split: LinearTerm[] = [];
    for (let p = 0; p < P; p++) {
      if (problem.stageFeasible[v * P + p] === 0) continue;
      const slots = pools.maxSlots[p]!;
      const w = planningRuntimeS(problem, v, p) / stage.units;
      const perChunk = pools.dispatchOverheadS[p]! + stageOverheadS(problem, v, p);
      const hazard = pools.hazardPerS[p]!;
      const n = b.addVariable(`n${v}_${p}`, { integer: true, upper: maxChunks });
      const k = b.addVariable(`k${v}_${p}`, { integer: true, upper: Math.ceil(maxChunks / slots) });
      const u = b.addVariable(`u${v}_${p}`, { upper: stage.units });
      nCols[p] = n;
      uCols[p] = u;
      split.push({ variable: u, coefficient: 1 });
      b.addConstraint(`minchunk${v}_${p}`, [{ variable: u, coefficient: 1 }, { variable: n, coefficient: -minChunk }], '>=', 0);
      b.addConstraint(`maxchunk${v}_${p}`, [{ variable: u, coefficient: 1 }, { variable: n, coefficient: -stage.maxChunk }], '<=', 0);
      b.addConstraint(`waves${v}_${p}`, [{ variable: n, coefficient: 1 }, { variable: k, coefficient: -slots }], '<=', 0);
      b.addConstraint(`wavesfull${v}_${p}`, [{ variable: n, coefficient: 1 }, { variable: k, coefficient: -slots }], '>=', 1 - slots);
      const egressPerUnit = egressPerByteTo(problem, v, p, undefined) / stage.units;
      charge(p, u, w, egressPerUnit);
      charge(p, n, perChunk, 0);
      const spanTerms: LinearTerm[] = [{ variable: D, coefficient: 1 }, { variable: u, coefficient: -w / slots }, { variable: k, coefficient: -perChunk }];
      if (hazard > 0) {
        const r = b.addVariable(`r${v}_${p}`);
        charge(p, r, 1, 0);
        spanTerms.push({ variable: r, coefficient: -1 / slots });
        for (let j = 0; j < REWORK_GRID; j++) {
          const chunk = minChunk * (stage.maxChunk / minChunk) ** (j / (REWORK_GRID - 1));
          const delta = chunk * w;
          // r ≥ λ(δ·w·u − δ²·n/2)
          b.addConstraint(`rework${v}_${p}_${j}`, [{ variable: r, coefficient: 1 }, { variable: u, coefficient: -hazard * delta * w }, { variable: n, coefficient: (hazard * delta * delta) / 2 }], '>=', 0);
        }
      }
      b.addConstraint(`span${v}_${p}`, spanTerms, '>=', 0);
      bigM += expected(planningRuntimeS(problem, v, p) + maxChunks * perChunk, hazard);
    }
    b.addConstraint(`units${v}`, split, '=', stage.units);
    divisible.push({ stage: v, n: nCols, u: uCols });
  });

  const groupColumns: Int32Array[] = [];
  groups.forEach((group, g) => {
    let longest = 0;
    for (const v of group.stages) {
      let fastest = Number.POSITIVE_INFINITY;
      for (const p of group.pools) fastest = Math.min(fastest, expected(pools.dispatchOverheadS[p]! + stageOverheadS(problem, v, p) + planningRuntimeS(problem, v, p), pools.hazardPerS[p]!));
      longest = Math.max(longest, fastest);
    }
    const node = addSpan(`G${g}`, longest);
    for (const v of group.stages) nodeOf[v] = node;
    bandOf[node] = Math.floor(problem.stages.level[group.stages[0]!]! / levelBand);
    const D = spans[node]!;
    const columns = new Int32Array(P).fill(-1);
    const count: LinearTerm[] = [];
    for (const p of group.pools) {
      let busy = 0;
      for (const v of group.stages) busy += expected(pools.dispatchOverheadS[p]! + stageOverheadS(problem, v, p) + planningRuntimeS(problem, v, p), pools.hazardPerS[p]!);
      busy /= group.stages.length;
      const distinct = new Set<number>();
      let egress = 0;
      for (const v of group.stages) egress += egressPerByteTo(problem, v, p, distinct);
      const m = b.addVariable(`m${g}_${p}`, { integer: true, upper: group.stages.length });
      columns[p] = m;
      count.push({ variable: m, coefficient: 1 });
      charge(p, m, busy, egress / group.stages.length);
      b.addConstraint(`gspan${g}_${p}`, [{ variable: D, coefficient: 1 }, { variable: m, coefficient: -busy / pools.maxSlots[p]! }], '>=', 0);
      bigM += busy * group.stages.length;
    }
    b.addConstraint(`tasks${g}`, count, '=', group.stages.length);
    groupColumns.push(columns);
  });

  // Finish times along the DAG of nodes.
  const finish = spans.map((_, node) => b.addVariable(`f${node}`));
  spans.forEach((D, node) => {
    b.addConstraint(`own${node}`, [{ variable: finish[node]!, coefficient: 1 }, { variable: D, coefficient: -1 }], '>=', 0);
    b.addConstraint(`end${node}`, [{ variable: T, coefficient: 1 }, { variable: finish[node]!, coefficient: -1 }], '>=', 0);
  });
  const seen = new Set<number>();
  const g = problem.stages;
  for (let u = 0; u < g.nodeCount; u++) {
    for (let e = g.succStart[u]!; e < g.succStart[u + 1]!; e++) {
      const a = nodeOf[u]!;
      const c = nodeOf[g.succIndex[e]!]!;
      if (a < 0 || c < 0 || bandOf[a]! >= bandOf[c]! || seen.has(a * spans.length + c)) continue;
      seen.add(a * spans.length + c);
      b.addConstraint(`after${a}_${c}`, [{ variable: finish[c]!, coefficient: 1 }, { variable: finish[a]!, coefficient: -1 }, { variable: spans[c]!, coefficient: -1 }], '>=', 0);
    }
  }

  // Pools: capacity after start-up when used.
  for (let p = 0; p < P; p++) {
    if (load[p]!.length === 0) continue;
    const used = b.addVariable(`y${p}`, { integer: true, upper: 1 });
    const slots = pools.maxSlots[p]!;
    b.addConstraint(`cap${p}`, [...load[p]!, { variable: T, coefficient: -slots }, { variable: used, coefficient: slots * pools.startupS[p]! }], '<=', 0);
    b.addConstraint(`use${p}`, [...load[p]!, { variable: used, coefficient: -Math.max(1, bigM) }], '<=', 0);
  }
  return { model: b.build(), groups, divisible, groupColumns, integerCount: b.integerCount };
}

/** Integers summing to `total` from non-negative reals (largest remainder; ties to the lower index). */
export function roundToTotal(values: readonly number[], total: number): number[] {
  const floors = values.map((x) => Math.floor(Math.max(0, x) + 1e-9));
  let missing = total - floors.reduce((a, c) => a + c, 0);
  const order = values.map((x, i) => i).sort((i, j) => values[j]! - floors[j]! - (values[i]! - floors[i]!) || i - j);
  for (let i = 0; missing > 0 && order.length > 0; i = (i + 1) % order.length, missing--) floors[order[i]!]!++;
  for (let i = order.length - 1; missing < 0 && i >= 0; i--) {
    const j = order[i]!;
    const take = Math.min(floors[j]!, -missing);
    floors[j]! -= take;
    missing += take;
  }
  return floors;
}

/** Decodes a (possibly fractional, for LP rounding) point into a skeleton. */
export function decodeSkeleton(problem: Problem, layout: Layout, values: Float64Array, method: Skeleton['method'], result: { objective: number; dualBound?: number }): Skeleton {
  const stages = problem.definition.stages;
  const divisible = layout.divisible.map(({ stage: v, n, u }) => {
    const stage = stages[v]!;
    if (stage.kind !== 'divisible') throw new Error('internal: divisible layout on an atomic stage');
    const pools: number[] = [];
    for (let p = 0; p < n.length; p++) if (u[p]! >= 0) pools.push(p);
    const unitsReal = pools.map((p) => values[u[p]!]!);
    // Shares too small for one chunk move to the largest share before rounding.
    const largest = unitsReal.indexOf(Math.max(...unitsReal));
    for (let i = 0; i < unitsReal.length; i++) {
      if (i !== largest && unitsReal[i]! > 0 && unitsReal[i]! < stage.minChunk - 1e-6) {
        unitsReal[largest]! += unitsReal[i]!;
        unitsReal[i] = 0;
      }
    }
    const units = roundToTotal(unitsReal, stage.units);
    const shares: DivisibleShare[] = [];
    pools.forEach((p, i) => {
      const count = units[i]!;
      if (count <= 0) return;
      const fewest = Math.ceil(count / stage.maxChunk);
      const most = Math.max(fewest, Math.floor(count / stage.minChunk));
      const chunks = Math.min(most, Math.max(fewest, Math.round(values[n[p]!]!)));
      shares.push({ pool: p, units: count, chunks });
    });
    return { stage: v, shares };
  });
  const groups = layout.groups.map((group, g) => {
    const columns = layout.groupColumns[g]!;
    const counts = roundToTotal(group.pools.map((p) => values[columns[p]!]!), group.stages.length);
    const perPool = new Array<number>(columns.length).fill(0);
    group.pools.forEach((p, i) => {
      perPool[p] = counts[i]!;
    });
    return { stages: [...group.stages], perPool };
  });
  return { divisible, groups, method, modelObjective: result.objective, ...(result.dualBound !== undefined ? { dualBound: result.dualBound } : {}) };
}

/**
 * Solves the refinement model: the ILP when it fits (aggregating groups harder first), else
 * its LP relaxation rounded; also rounds the relaxation when the ILP finds no integer point
 * in time. Returns undefined with notes when neither gives a point.
 */
export async function solveSkeleton(problem: Problem, solver: Solver, options: RefinementOptions): Promise<{ skeleton: Skeleton | undefined; notes: string[] }> {
  const clockMs = options.clockMs ?? monotonicMs;
  const started = clockMs();
  const left = (): number => Math.max(1, options.timeLimitMs - (clockMs() - started));
  const limit = options.maxIntegerVariables ?? 5000;
  const { groups, levelBand, label, fits } = chooseGroups(problem, limit);
  const layout = buildRefinementModel(problem, groups, levelBand);
  const notes = [`refinement model: ${layout.model.variables.length} variables (${layout.integerCount} integer), ${layout.model.constraints.length} rows; ${label}`];
  let result: SolveResult | undefined;
  if (fits) {
    result = await solver.solve(layout.model, { timeLimitMs: left() * 0.8, integer: true, relativeGap: options.relativeGap ?? DEFAULT_GAP, clockMs });
    if (result.state === 'optimal' || result.state === 'feasible') {
      notes.push(`ILP ${result.state} in ${Math.round(result.timeMs)} ms${result.dualBound !== undefined ? ` (dual bound ${result.dualBound.toPrecision(6)})` : ''}`);
      return { skeleton: decodeSkeleton(problem, layout, result.values, result.state === 'optimal' ? 'ilp-optimal' : 'ilp-feasible', result), notes };
    }
    notes.push(`ILP gave no integer point (${result.state}${'message' in result && result.message ? `: ${result.message}` : ''}); rounding its LP relaxation`);
  } else {
    notes.push(`more than ${limit} integer variables even after aggregating: LP relaxation rounded`);
  }
  const relaxed = await solver.solve(layout.model, { timeLimitMs: left(), integer: false, clockMs });
  if (relaxed.state !== 'optimal' && relaxed.state !== 'feasible') {
    notes.push(`LP relaxation: ${relaxed.state}`);
    return { skeleton: undefined, notes };
  }
  return { skeleton: decodeSkeleton(problem, layout, relaxed.values, 'lp-rounded', relaxed), notes };
}

/**
 * Per-stage pool pin from group counts: within a group, the longest tasks (stageWorkS,
 * ties by stage index) go to the fastest pools (mean runtime of the group's tasks there,
 * ties by pool index) first. Stages outside any group (divisible) get -1.
 */
export function pinFromGroups(problem: Problem, skeleton: Pick<Skeleton, 'groups'>): Int32Array {
  const pin = new Int32Array(problem.stages.nodeCount).fill(-1);
  for (const group of skeleton.groups) {
    const members = [...group.stages].sort((a, b) => problem.stageWorkS[b]! - problem.stageWorkS[a]! || a - b);
    const pools = group.perPool.map((count, p) => ({ p, count })).filter((x) => x.count > 0);
    const meanRuntime = (p: number): number => members.reduce((sum, v) => sum + planningRuntimeS(problem, v, p), 0) / members.length;
    pools.sort((x, y) => meanRuntime(x.p) - meanRuntime(y.p) || x.p - y.p);
    let next = 0;
    for (const { p, count } of pools) for (let i = 0; i < count && next < members.length; i++) pin[members[next++]!] = p;
  }
  return pin;
}
