/**
 * Quick lower bounds, used to reject deadlines and budgets no plan can meet before planning.
 *
 * Makespan: the earliest pool start-up plus the longest path where an atomic stage takes its
 * fastest runtime and a divisible stage is spread perfectly over every slot that may run it
 * (1 / Σ_p slots_p / T_p); transfers, overheads and provisional stages count 0, so the
 * bound holds whatever the true runtimes turn out to be.
 * Cost: every stage on the pool where it is cheapest, no egress.
 */
import { InputError, type InputIssue } from '../model/issues.js';
import { MAX_EXPECTED_RUNTIME_S } from '../model/limits.js';
import { objectiveValue } from '../model/objective.js';
import type { Problem } from '../model/problem.js';
import type { PartialSchedule } from './simulate.js';
import { expectedWithRework, speedOf, superlinearS } from '../model/subtasks.js';
import { slotWindows } from './slots.js';

/**
 * Runtime of the whole of stage v on one slot of pool p (NaN if the pool may not run it).
 * A provisional stage (no estimate given) counts as 0: a bound must not rest on a guess.
 */
function wholeStageS(problem: Problem, v: number, p: number, provisional: Uint8Array): number {
  const P = problem.pools.count;
  if (problem.stageFeasible[v * P + p] === 0) return Number.NaN;
  if (provisional[v] === 1) return 0;
  const known = problem.stageKnownRuntimeS[v * P + p]!;
  return Number.isNaN(known) ? problem.stageWorkS[v]! / speedOf(problem, v, p) : known;
}

/** 1 for stages whose runtime is a guess. */
function provisionalStages(problem: Problem): Uint8Array {
  const flags = new Uint8Array(problem.stages.nodeCount);
  for (const p of problem.provisional) flags[problem.stageIndex.get(p.stage)!] = 1;
  return flags;
}

export function makespanLowerBoundS(problem: Problem): number {
  return quickBoundParts(problem).makespanS;
}

export function costLowerBoundUsd(problem: Problem): number {
  return quickBoundParts(problem).costUsd;
}

/** Both quick bounds in one pass over stages × pools (each stage's runtimes computed once). */
function quickBoundParts(problem: Problem): { makespanS: number; costUsd: number } {
  const provisional = provisionalStages(problem);
  const g = problem.stages;
  const P = problem.pools.count;
  const { maxSlots, priceUsdPerSlotS, startupS } = problem.pools;
  const longest = new Float64Array(g.nodeCount);
  let startup = Number.POSITIVE_INFINITY;
  for (let p = 0; p < P; p++) startup = Math.min(startup, startupS[p]!);
  let path = 0;
  let costUsd = 0;
  for (const v of g.order) {
    const atomic = problem.definition.stages[v]!.kind === 'atomic';
    let fastest = Number.POSITIVE_INFINITY;
    let rate = 0;
    let cheapest = Number.POSITIVE_INFINITY;
    for (let p = 0; p < P; p++) {
      const t = wholeStageS(problem, v, p, provisional);
      if (Number.isNaN(t)) continue; // the pool may not run this stage
      if (t < fastest) fastest = t;
      rate += t > 0 ? maxSlots[p]! / t : Number.POSITIVE_INFINITY;
      if (t * priceUsdPerSlotS[p]! < cheapest) cheapest = t * priceUsdPerSlotS[p]!;
    }
    // Atomic: its fastest runtime; divisible: spread perfectly over every slot that may run it.
    const weight = atomic ? fastest : rate === 0 ? 0 : 1 / rate;
    let before = 0;
    for (let e = g.predStart[v]!; e < g.predStart[v + 1]!; e++) before = Math.max(before, longest[g.predIndex[e]!]!);
    longest[v] = before + weight;
    if (longest[v]! > path) path = longest[v]!;
    costUsd += cheapest;
  }
  return { makespanS: startup + path, costUsd };
}

export interface LowerBound {
  readonly makespanS: number;
  /** Lower bound on compute cost (USD). */
  readonly costUsd: number;
  /** Lower bound on the objective, in its unit (USD, or s for makespan-only). */
  readonly objective: number;
  /** Which argument certified it. */
  readonly source: string;
}

/** The quick bounds as one LowerBound: makespan and cost bounds combine into an objective bound. */
export function quickBound(problem: Problem): LowerBound {
  const { makespanS, costUsd } = quickBoundParts(problem);
  return { makespanS, costUsd, objective: objectiveValue(problem.objective, makespanS, costUsd), source: 'critical path on the fastest pools; compute on the cheapest' };
}

/**
 * Throws an InputError when the deadline or budget is below what any plan needs; otherwise
 * returns the quick bound it computed (callers use it rather than computing it again).
 */
export function checkAttainable(problem: Problem): LowerBound {
  const issues: InputIssue[] = unfinishableStages(problem);
  // A deadline or budget check on a stage that cannot run at all would only add noise.
  if (issues.length > 0) throw new InputError('plan inputs', issues);
  const bound = quickBound(problem);
  const makespanBound = bound.makespanS;
  const costBound = bound.costUsd;
  if (problem.deadlineS !== undefined && makespanBound > problem.deadlineS) {
    issues.push({
      code: 'infeasible',
      path: ['deadlineS'],
      message: `no plan can meet the deadline of ${fmt(problem.deadlineS)} s: the critical path alone takes at least ${fmt(makespanBound)} s on the fastest pools (${fmt(makespanBound - problem.deadlineS)} s over)`,
      expected: `>= ${fmtFloor(makespanBound)} s`,
      received: `${fmt(problem.deadlineS)} s`,
    });
  }
  if (problem.budgetUsd !== undefined && costBound > problem.budgetUsd) {
    issues.push({
      code: 'infeasible',
      path: ['budgetUsd'],
      message: `no plan can meet the budget of ${fmt(problem.budgetUsd)} USD: compute alone costs at least ${fmt(costBound)} USD on the cheapest pools (${fmt(costBound - problem.budgetUsd)} USD over)`,
      expected: `>= ${fmtFloor(costBound)} USD`,
      received: `${fmt(problem.budgetUsd)} USD`,
    });
  }
  if (issues.length > 0) throw new InputError('plan inputs', issues);
  return bound;
}

/**
 * Stages whose smallest sub-task (a chunk of minChunk units, or the whole atomic stage) no
 * allowed pool can finish: every window in which the pool has a slot is shorter than its
 * expected runtime, or interruptions make that runtime effectively endless. Such a stage
 * cannot be planned whatever the partition or the order, so it is bad input, named here.
 */
export function unfinishableStages(problem: Problem): InputIssue[] {
  const issues: InputIssue[] = [];
  const P = problem.pools.count;
  const pools = problem.pools;
  const longestWindowS = longestSlotWindows(problem);
  // Pools that never lose a slot and are never interrupted finish any sub-task the input
  // limits allow (runtimes stay far below MAX_EXPECTED_RUNTIME_S): nothing to check per stage.
  if (longestWindowS.every((w) => w.lengthS === Number.POSITIVE_INFINITY) && pools.hazardPerS.every((h) => h === 0)) return issues;
  problem.definition.stages.forEach((stage, v) => {
    // The common case first, allocation-free: some allowed pool finishes the smallest sub-task.
    if (somePoolFinishesIn(problem, v, stage.kind === 'divisible' ? stage.minChunk : 0, longestWindowS)) return;
    const reasons: string[] = [];
    // Built only for the message (number formatting is slow the first time).
    const what = (): string => (stage.kind === 'divisible' ? `a chunk of ${stage.minChunk === 1 ? `1 ${stage.unitName === 'items' ? 'item' : 'byte'}` : `minChunk (${fmtS(stage.minChunk)}) ${stage.unitName}`}` : 'the stage');
    for (let p = 0; p < P; p++) {
      if (problem.stageFeasible[v * P + p] === 0) continue;
      const runtimeS = chunkRuntimeS(problem, v, p, stage.kind === 'divisible' ? stage.minChunk : 0);
      const expectedS = expectedWithRework(runtimeS, pools.hazardPerS[p]!);
      const windowS = longestWindowS[p]!;
      if (expectedS <= MAX_EXPECTED_RUNTIME_S && expectedS <= windowS.lengthS) return; // this pool can
      const id = pools.ids[p]!;
      if (!(expectedS <= MAX_EXPECTED_RUNTIME_S)) {
        reasons.push(`on pool "${id}" ${what()} runs ${fmtS(runtimeS)} s, and at ${fmtS(pools.hazardPerS[p]! * 3600)} interruptions per hour it would restart forever`);
      } else if (windowS.lengthS === 0) {
        reasons.push(`pool "${id}" never has a slot`);
      } else {
        const until = Number.isFinite(windowS.toS) ? `has slots only until ${fmtS(windowS.toS)} s` : `has slots for at most ${fmtS(windowS.lengthS)} s at a time`;
        reasons.push(`pool "${id}" ${until}, ${what()} needs ${fmtS(expectedS)} s${expectedS > runtimeS * 1.0001 ? ' with interruptions' : ''}`);
      }
    }
    issues.push({
      code: 'infeasible',
      path: ['stages', v],
      message: `no pool can finish ${stage.kind === 'divisible' ? `a chunk of "${stage.id}"` : `"${stage.id}"`}: ${reasons.join('; ')}`,
      expected: 'a pool that can finish it',
      received: reasons.length === 1 ? 'one pool that cannot' : `${reasons.length} pools that cannot`,
    });
  });
  return issues;
}

/**
 * Runtime on pool p of a sub-task holding `units` units of stage v (0 = the whole stage), as
 * the sub-task graph computes it: work share + stage overhead, over speed, + dispatch overhead.
 */
export function chunkRuntimeS(problem: Problem, v: number, p: number, units: number): number {
  const P = problem.pools.count;
  const stage = problem.definition.stages[v]!;
  const fraction = stage.kind === 'divisible' && units > 0 ? units / stage.units : 1;
  const known = problem.stageKnownRuntimeS[v * P + p]!;
  const work = problem.stageWorkS[v]! * fraction + stage.overheadS + superlinearS(stage, units);
  return problem.pools.dispatchOverheadS[p]! + (Number.isNaN(known) ? work / speedOf(problem, v, p) : known * fraction);
}

/** Whether some pool that may run stage v can finish a sub-task of `units` units in one of its slot windows. */
export function somePoolFinishes(problem: Problem, v: number, units: number): boolean {
  return somePoolFinishesIn(problem, v, units, longestSlotWindows(problem));
}

function somePoolFinishesIn(problem: Problem, v: number, units: number, longestWindowS: ReadonlyArray<{ readonly lengthS: number }>): boolean {
  const P = problem.pools.count;
  for (let p = 0; p < P; p++) {
    if (problem.stageFeasible[v * P + p] === 0) continue;
    const expectedS = expectedWithRework(chunkRuntimeS(problem, v, p, units), problem.pools.hazardPerS[p]!);
    if (expectedS <= MAX_EXPECTED_RUNTIME_S && expectedS <= longestWindowS[p]!.lengthS) return true;
  }
  return false;
}

/**
 * Each pool's longest slot window, computed once per problem: chunk sizing asks for it many
 * times per stage (a binary search over chunk counts, in every partition variant).
 */
const longestWindowsOf = new WeakMap<Problem, ReadonlyArray<{ readonly lengthS: number; readonly toS: number }>>();

function longestSlotWindows(problem: Problem): ReadonlyArray<{ readonly lengthS: number; readonly toS: number }> {
  let windows = longestWindowsOf.get(problem);
  if (windows === undefined) {
    windows = Array.from({ length: problem.pools.count }, (_, p) => longestSlotWindow(problem, p));
    longestWindowsOf.set(problem, windows);
  }
  return windows;
}

/** Longest window in which pool p has a slot (slot 0 exists whenever any slot does), and when it ends. */
function longestSlotWindow(problem: Problem, p: number): { lengthS: number; toS: number } {
  const windows = slotWindows(problem.pools, p, 0);
  let best = { lengthS: 0, toS: 0 };
  for (let w = 0; w < windows.length; w += 2) {
    const lengthS = windows[w + 1]! - windows[w]!;
    if (lengthS > best.lengthS) best = { lengthS, toS: windows[w + 1]! };
  }
  return best;
}

/** Four significant digits with thousands separators, e.g. 1,200. */
function fmtS(value: number): string {
  return Number(value.toPrecision(4)).toLocaleString('en-US', { maximumFractionDigits: 3 });
}

function fmt(value: number): string {
  return Number(value.toPrecision(4)).toString();
}

/** Rounded down, so "expected >= X" never claims more than the bound. */
function fmtFloor(value: number): string {
  const digits = 10 ** (3 - Math.floor(Math.log10(Math.max(Math.abs(value), 1e-12))));
  return String(Math.floor(value * digits) / digits);
}

/** objective / bound − 1: 0 means proven optimal. */
export function gapTo(objective: number, bound: LowerBound): number {
  if (bound.objective > 0) return objective / bound.objective - 1;
  return objective === 0 ? 0 : Number.POSITIVE_INFINITY;
}

/**
 * A bound for an extended plan (re-planning a running job). The whole job's bounds assume
 * every sub-task takes the model's time from 0; what already ran may have been faster, so they
 * do not hold for an extension. What does: the plan ends no earlier than its fixed sub-tasks,
 * nor than now while anything is left to run. Cost is bounded by 0.
 */
export function extensionBound(problem: Problem, partial: PartialSchedule, subtaskCount: number): LowerBound {
  let makespanS = partial.fixed.size < subtaskCount ? partial.nowS : 0;
  for (const placed of partial.fixed.values()) if (placed.finishS > makespanS) makespanS = placed.finishS;
  return { makespanS, costUsd: 0, objective: objectiveValue(problem.objective, makespanS, 0), source: 'an extension: no earlier than its fixed sub-tasks and now' };
}
