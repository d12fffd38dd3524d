/**
 * Quick lower bounds, used to reject deadlines and budgets no plan can meet before planning.
 *
 * Makespan: the earliest pool start-up plus the longest path where an atomic stage takes its
 * fastest runtime and a divisible stage is spread perfectly over every slot that may run it
 * (1 / Σ_p slots_p / T_p); transfers, overheads and provisional stages count 0, so the
 * bound holds whatever the true runtimes turn out to be.
 * Cost: every stage on the pool where it is cheapest, no egress.
 *
 * Under a time-varying availability every bound prices a pool at its least price and its
 * least hazard over the segments a sub-task can use (`usableLeast`): a sub-task runs only
 * where the pool has a slot, after its start-up, and pays ∫ price ≥ least price × its busy
 * time; its rework, (e^{H} − 1)/H × d with H = ∫ λ over its window ≥ least λ × d, is at
 * least the constant-hazard rework at the least λ (the factor grows with H). The first
 * segment's values, which the pool table carries, are not bounds once hazard or price drops.
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

export interface UsableLeast {
  /** Per pool: least hazard (per s) and least price (USD per slot-second) over the usable segments. */
  readonly hazardPerS: Float64Array;
  readonly priceUsdPerSlotS: Float64Array;
}

const usableLeastOf = new WeakMap<Problem, UsableLeast>();

/**
 * Per pool, the least hazard and the least price over the availability segments a sub-task
 * can run in: slots > 0 and not over before the pool's start-up. A pool with no such
 * segment takes no work; it gets the least over all its segments (any value would do).
 */
export function usableLeast(problem: Problem): UsableLeast {
  let least = usableLeastOf.get(problem);
  if (least !== undefined) return least;
  const table = problem.availability;
  const P = problem.pools.count;
  const hazardPerS = new Float64Array(P);
  const priceUsdPerSlotS = new Float64Array(P);
  for (let p = 0; p < P; p++) {
    const first = table.segStart[p]!;
    const end = table.segStart[p + 1]!;
    let h = Number.POSITIVE_INFINITY;
    let price = Number.POSITIVE_INFINITY;
    let hAll = Number.POSITIVE_INFINITY;
    let priceAll = Number.POSITIVE_INFINITY;
    for (let i = first; i < end; i++) {
      hAll = Math.min(hAll, table.hazardPerS[i]!);
      priceAll = Math.min(priceAll, table.priceUsdPerSlotS[i]!);
      const segmentEndS = i + 1 < end ? table.atS[i + 1]! : Number.POSITIVE_INFINITY;
      if (table.slots[i]! <= 0 || !(segmentEndS > problem.pools.startupS[p]!)) continue;
      h = Math.min(h, table.hazardPerS[i]!);
      price = Math.min(price, table.priceUsdPerSlotS[i]!);
    }
    hazardPerS[p] = Number.isFinite(h) ? h : Number.isFinite(hAll) ? hAll : problem.pools.hazardPerS[p]!;
    priceUsdPerSlotS[p] = Number.isFinite(price) ? price : Number.isFinite(priceAll) ? priceAll : problem.pools.priceUsdPerSlotS[p]!;
  }
  least = { hazardPerS, priceUsdPerSlotS };
  usableLeastOf.set(problem, least);
  return least;
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
  const { maxSlots, startupS } = problem.pools;
  const { priceUsdPerSlotS } = usableLeast(problem);
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
 * allowed pool can finish: in every window in which the pool has a slot, the sub-task's
 * expected runtime at the least hazard of that window is longer than the window, or
 * interruptions make it effectively endless. That least-hazard runtime is below the one at
 * any start in the window (see the file comment), so a stage refused here cannot be planned
 * whatever the partition, the order or the start; it is bad input, named here. Under a
 * time-varying hazard a stage is refused only if no window could run it.
 */
export function unfinishableStages(problem: Problem): InputIssue[] {
  const issues: InputIssue[] = [];
  const P = problem.pools.count;
  const pools = problem.pools;
  const windows = poolWindows(problem);
  // Pools that never lose a slot and are never interrupted finish any sub-task the input
  // limits allow (runtimes stay far below MAX_EXPECTED_RUNTIME_S): nothing to check per stage.
  if (windows.every((w) => w.length === 1 && w[0]!.lengthS === Number.POSITIVE_INFINITY) && problem.availability.hazardPerS.every((h) => h === 0)) return issues;
  problem.definition.stages.forEach((stage, v) => {
    // The common case first, allocation-free: some allowed pool finishes the smallest sub-task.
    if (somePoolFinishesIn(problem, v, stage.kind === 'divisible' ? stage.minChunk : 0, windows)) return;
    const reasons: string[] = [];
    // Built only for the message (number formatting is slow the first time).
    const what = (): string => (stage.kind === 'divisible' ? `a chunk of ${stage.minChunk === 1 ? `1 ${stage.unitName === 'items' ? 'item' : 'byte'}` : `minChunk (${fmtS(stage.minChunk)}) ${stage.unitName}`}` : 'the stage');
    for (let p = 0; p < P; p++) {
      if (problem.stageFeasible[v * P + p] === 0) continue;
      const runtimeS = chunkRuntimeS(problem, v, p, stage.kind === 'divisible' ? stage.minChunk : 0);
      const id = pools.ids[p]!;
      const poolWindowsS = windows[p]!;
      if (poolWindowsS.length === 0) {
        reasons.push(`pool "${id}" never has a slot`);
        continue;
      }
      // The window that comes closest to holding the sub-task, for the message.
      let closest = poolWindowsS[0]!;
      let closestExpectedS = expectedWithRework(runtimeS, closest.leastHazardPerS);
      for (const w of poolWindowsS) {
        const e = expectedWithRework(runtimeS, w.leastHazardPerS);
        if (e - w.lengthS < closestExpectedS - closest.lengthS || !(closestExpectedS <= MAX_EXPECTED_RUNTIME_S)) {
          closest = w;
          closestExpectedS = e;
        }
      }
      const varies = problem.availability.hazardVaries[p] === 1;
      if (!(closestExpectedS <= MAX_EXPECTED_RUNTIME_S)) {
        reasons.push(`on pool "${id}" ${what()} runs ${fmtS(runtimeS)} s, and at ${fmtS(closest.leastHazardPerS * 3600)} interruptions per hour${varies ? ' (its least)' : ''} it would restart forever`);
      } else {
        const until = closest === poolWindowsS[poolWindowsS.length - 1] && Number.isFinite(closest.toS) ? `has slots only until ${fmtS(closest.toS)} s` : `has slots for at most ${fmtS(closest.lengthS)} s at a time${varies ? ' where its hazard is lowest' : ''}`;
        reasons.push(`pool "${id}" ${until}, ${what()} needs ${fmtS(closestExpectedS)} s${closestExpectedS > runtimeS * 1.0001 ? ' with interruptions' : ''}`);
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

/** Whether some pool that may run stage v could finish a sub-task of `units` units in one of its slot windows (at the window's least hazard). */
export function somePoolFinishes(problem: Problem, v: number, units: number): boolean {
  return somePoolFinishesIn(problem, v, units, poolWindows(problem));
}

function somePoolFinishesIn(problem: Problem, v: number, units: number, windows: ReadonlyArray<readonly SlotWindow[]>): boolean {
  const P = problem.pools.count;
  for (let p = 0; p < P; p++) {
    if (problem.stageFeasible[v * P + p] === 0) continue;
    const runtimeS = chunkRuntimeS(problem, v, p, units);
    for (const w of windows[p]!) {
      const expectedS = expectedWithRework(runtimeS, w.leastHazardPerS);
      if (expectedS <= MAX_EXPECTED_RUNTIME_S && expectedS <= w.lengthS) return true;
    }
  }
  return false;
}

/** A window in which slot 0 of a pool exists (every other slot's windows lie inside these), with the least hazard in it. */
interface SlotWindow {
  readonly fromS: number;
  readonly toS: number;
  readonly lengthS: number;
  readonly leastHazardPerS: number;
}

/**
 * Each pool's slot windows, computed once per problem: chunk sizing asks for them many
 * times per stage (a binary search over chunk counts, in every partition variant).
 */
const windowsOf = new WeakMap<Problem, ReadonlyArray<readonly SlotWindow[]>>();

function poolWindows(problem: Problem): ReadonlyArray<readonly SlotWindow[]> {
  let windows = windowsOf.get(problem);
  if (windows === undefined) {
    const table = problem.availability;
    windows = Array.from({ length: problem.pools.count }, (_, p) => {
      const bounds = slotWindows(problem.pools, p, 0);
      const out: SlotWindow[] = [];
      for (let w = 0; w < bounds.length; w += 2) {
        const fromS = bounds[w]!;
        const toS = bounds[w + 1]!;
        let least = Number.POSITIVE_INFINITY;
        for (let i = table.segStart[p]!; i < table.segStart[p + 1]!; i++) {
          const segmentEndS = i + 1 < table.segStart[p + 1]! ? table.atS[i + 1]! : Number.POSITIVE_INFINITY;
          if (table.atS[i]! < toS && segmentEndS > fromS) least = Math.min(least, table.hazardPerS[i]!);
        }
        out.push({ fromS, toS, lengthS: toS - fromS, leastHazardPerS: Number.isFinite(least) ? least : problem.pools.hazardPerS[p]! });
      }
      return out;
    });
    windowsOf.set(problem, windows);
  }
  return windows;
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
