/**
 * How likely is the plan to hold? A per-task quantile is not a job-level one: a makespan is a
 * maximum over paths, and the slowest of 40 parallel tasks runs past any one task's P90. This
 * replays the chosen plan (same sub-tasks, pools, order) on runtimes drawn from the profile's
 * spread and reports quantiles of the makespan, and how often the deadline is met.
 *
 * Draws: each sub-task's runtime is its planned runtime × exp(spread at u), u = Φ(z) with
 *   z = √ρ · z_op + √(1 − ρ) · ε,
 * a Gaussian copula in which the tasks of one op share a run-level shift z_op (runs of a
 * workflow are slow or fast as a whole, op by op) and ρ = σ²_job / σ²_op is the share of the
 * op's spread that the profile attributes to run-to-run shifts. Per-sub-task dispatch overhead
 * is not scaled; interruption rework is recomputed from the drawn runtime. Each stage of a
 * cluster draws its own runtime, and the cluster scales by their work-weighted mean.
 */
import { ScheduleError, simulate } from '../cost/simulate.js';
import type { Candidate } from '../cost/candidate.js';
import type { Problem } from '../model/problem.js';
import { expectedWithRework, type SubtaskGraph } from '../model/subtasks.js';
import { RISK_LEVELS, type RuntimeSpread } from '../profile/spread.js';
import { seededRandom } from '../util/random.js';

export interface MakespanRisk {
  readonly samples: number;
  /** Makespan quantiles of the plan under the drawn runtimes. */
  readonly makespanS: { readonly p10: number; readonly p50: number; readonly p90: number };
  /** Share of draws that meet the deadline (undefined without one). */
  readonly deadlineMetShare: number | undefined;
  /** Share of draws whose runtimes outlast the pools' capacity windows on this placement (their makespan counts as Infinity). */
  readonly unfinishedShare: number;
}

export interface RiskOptions {
  readonly samples?: number;
  readonly seed?: number;
}

/** Sub-tasks above which the replay is skipped (each draw re-simulates the whole plan). */
export const RISK_MAX_SUBTASKS = 50_000;

/** Samples for a plan of n sub-tasks: 200, fewer for large plans so the replay stays near a second. */
export function riskSamples(n: number): number {
  return n <= 2000 ? 200 : Math.max(20, Math.floor(400_000 / n));
}

/** The plan is `candidate` on `problem`; `spread` comes from `runtimeSpread` (profile/apply.ts). */
export function makespanRisk(problem: Problem, candidate: Candidate, spread: RuntimeSpread, options: RiskOptions = {}): MakespanRisk {
  const { graph, allocation, order } = candidate;
  const n = graph.nodeCount;
  const P = problem.pools.count;
  const L = RISK_LEVELS.length;
  const samples = options.samples ?? riskSamples(n);
  const random = seededRandom(options.seed ?? 1);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const { memberStart, members } = graph.partition;
  const { memberOp, memberWeight, ops } = describeMembers(problem, graph);
  const rho = stageCorrelation(spread);
  const runtimeS = new Float64Array(n * P);
  const expectedS = new Float64Array(n * P);
  const drawn: SubtaskGraph = { ...graph, runtimeS, expectedS };
  const opShift = new Float64Array(ops);
  const makespans: number[] = [];
  let met = 0;
  let unfinished = 0;
  for (let sample = 0; sample < samples; sample++) {
    for (let o = 0; o < ops; o++) opShift[o] = gaussian();
    for (let s = 0; s < n; s++) {
      // Each member stage draws its own runtime; a cluster scales by their work-weighted mean.
      let factor = 0;
      for (let m = memberStart[s]!; m < memberStart[s + 1]!; m++) {
        const v = members[m]!;
        const r = rho[v]!;
        const u = normalCdf(Math.sqrt(r) * opShift[memberOp[m]!]! + Math.sqrt(1 - r) * gaussian());
        factor += memberWeight[m]! * Math.exp(interpolate(spread.logRatio, v * L, L, u));
      }
      for (let p = 0; p < P; p++) {
        const k = s * P + p;
        const planned = graph.runtimeS[k]!;
        if (!Number.isFinite(planned)) {
          runtimeS[k] = planned;
          expectedS[k] = planned;
          continue;
        }
        const dispatch = problem.pools.dispatchOverheadS[p]!;
        runtimeS[k] = dispatch + Math.max(0, planned - dispatch) * factor;
        expectedS[k] = expectedWithRework(runtimeS[k]!, problem.pools.hazardPerS[p]!);
      }
    }
    const makespan = drawnMakespan(problem, drawn, allocation, order);
    if (!Number.isFinite(makespan)) unfinished++;
    makespans.push(makespan);
    if (problem.deadlineS !== undefined && makespan <= problem.deadlineS) met++;
  }
  makespans.sort((a, b) => a - b);
  const at = (q: number): number => makespans[Math.min(samples - 1, Math.floor(q * samples))]!;
  return {
    samples,
    makespanS: { p10: at(0.1), p50: at(0.5), p90: at(0.9) },
    deadlineMetShare: problem.deadlineS === undefined ? undefined : met / samples,
    unfinishedShare: unfinished / samples,
  };
}

/**
 * A draw whose longer runtimes no longer fit the pools' capacity windows (a sub-task that
 * outlasts the last window its slot has) never finishes on this placement: Infinity.
 */
function drawnMakespan(problem: Problem, graph: SubtaskGraph, allocation: Int32Array, order: Int32Array): number {
  try {
    const schedule = simulate(problem, graph, allocation, order);
    let makespan = 0;
    for (let s = 0; s < graph.nodeCount; s++) makespan = Math.max(makespan, schedule.finishS[s]!);
    return makespan;
  } catch (error) {
    if (error instanceof ScheduleError) return Number.POSITIVE_INFINITY;
    throw error;
  }
}

/** Per member of each sub-task: its op's index and its share of the sub-task's work (equal shares when none has work). */
function describeMembers(problem: Problem, graph: SubtaskGraph): { memberOp: Int32Array; memberWeight: Float64Array; ops: number } {
  const { memberStart, members } = graph.partition;
  const opIndex = new Map<string, number>();
  const memberOp = new Int32Array(members.length);
  const memberWeight = new Float64Array(members.length);
  for (let s = 0; s < graph.nodeCount; s++) {
    let total = 0;
    for (let m = memberStart[s]!; m < memberStart[s + 1]!; m++) total += problem.stageWorkS[members[m]!]!;
    const count = memberStart[s + 1]! - memberStart[s]!;
    for (let m = memberStart[s]!; m < memberStart[s + 1]!; m++) {
      const v = members[m]!;
      const op = problem.definition.stages[v]!.op;
      if (!opIndex.has(op)) opIndex.set(op, opIndex.size);
      memberOp[m] = opIndex.get(op)!;
      memberWeight[m] = total > 0 ? problem.stageWorkS[v]! / total : 1 / count;
    }
  }
  return { memberOp, memberWeight, ops: opIndex.size };
}

/** ρ per stage: σ²_job / σ²_stage, σ_stage read off the spread at Φ(±1). */
function stageCorrelation(spread: RuntimeSpread): Float64Array {
  const L = RISK_LEVELS.length;
  const rho = new Float64Array(spread.jobShiftSigma.length);
  for (let v = 0; v < rho.length; v++) {
    const sigma = (interpolate(spread.logRatio, v * L, L, 0.8413) - interpolate(spread.logRatio, v * L, L, 0.1587)) / 2;
    const job = spread.jobShiftSigma[v]!;
    rho[v] = sigma > 0 ? Math.min(1, (job * job) / (sigma * sigma)) : 0;
  }
  return rho;
}

/** The tabulated value at level u (linear between RISK_LEVELS, flat beyond the outermost). */
function interpolate(table: Float64Array, offset: number, L: number, u: number): number {
  const position = Math.min(L - 1, Math.max(0, u * L - 0.5));
  const k = Math.min(L - 2, Math.floor(position));
  const fraction = position - k;
  return table[offset + k]! * (1 - fraction) + table[offset + k + 1]! * fraction;
}

/** Φ(z), via erfc (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}
