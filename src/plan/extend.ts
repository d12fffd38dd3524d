/**
 * Re-planning a running job: the one home of "extend a plan".
 *
 *   const state = { nowS: 1800, committed: [...], running: [...] };   // what ran, what runs
 *   const partial = partialSchedule(problem, previous, state);        // fixed sub-tasks + now
 *   const next = await extendPlan(planner, problem, previous, state, { timeBudgetMs: 200 });
 *
 * What committed and what is running stays where it is (a running sub-task keeps its slot
 * until its expected finish, at least until now); everything else — sub-tasks that failed,
 * were interrupted, or have not started — is placed again from `nowS` on by every engine
 * phase that applies to a kept partition: the constructive planner, the LP bound, and the
 * neighbourhood search (which moves only what is not fixed).
 */
import type { ScoredCandidate } from '../cost/evaluate.js';
import type { PartialSchedule } from '../cost/simulate.js';
import { InputError, nearestName, type InputIssue } from '../model/issues.js';
import type { Problem } from '../model/problem.js';
import type { PlanRequest } from '../engine/engine.js';
import { subtaskIds } from './plan.js';
import type { ApportionPlanner, PlanOutcome } from './planner.js';

/** One attempt of a sub-task, named as the plan names it. */
export interface SubtaskAttempt {
  /** The plan's sub-task id (`PlanSubtask.id`). */
  readonly id: string;
  readonly pool: string;
  /** Slot index on the pool; default: the planned slot if it ran on its planned pool, else the lowest slot free then. */
  readonly slot?: number;
  readonly startS: number;
  /** Committed: when it finished. Running: its expected finish (default: start + the planned expected duration). */
  readonly finishS?: number;
}

export interface RunState {
  /** Plan time now (s): nothing new starts before it. */
  readonly nowS: number;
  /** Sub-tasks whose output is committed. */
  readonly committed: readonly SubtaskAttempt[];
  /** Sub-tasks running now. Anything in neither list (failed, interrupted, not started) is placed again. */
  readonly running: readonly SubtaskAttempt[];
}

/** The partial schedule of a run: committed and running sub-tasks fixed where they ran, on the previous plan's partition. */
export function partialSchedule(problem: Problem, previous: ScoredCandidate, state: RunState): PartialSchedule {
  const { graph, schedule } = previous;
  const P = problem.pools.count;
  const ids = subtaskIds(problem, graph);
  const indexOf = new Map(ids.map((id, s) => [id, s]));
  const poolIndex = new Map(problem.pools.ids.map((id, p) => [id, p]));
  const issues: InputIssue[] = [];
  if (!(Number.isFinite(state.nowS) && state.nowS >= 0)) issues.push({ code: 'invalid_value', path: ['nowS'], message: `expected a finite number >= 0, received ${state.nowS}`, expected: 'a finite number >= 0', received: String(state.nowS) });
  const fixed = new Map<number, { pool: number; slot: number; startS: number; finishS: number }>();
  const issue = (path: (string | number)[], message: string, expected: string, received: string): void => {
    issues.push({ code: 'invalid_value', path, message, expected, received });
  };
  // Pass 1: each attempt's sub-task, pool and times, checked on their own.
  interface Checked {
    readonly at: (field: string) => (string | number)[];
    readonly attempt: SubtaskAttempt;
    readonly list: 'committed' | 'running';
    readonly s: number;
    readonly p: number;
    readonly finishS: number;
  }
  const checked: Checked[] = [];
  const checkedBy = new Map<number, Checked>();
  const read = (list: 'committed' | 'running', attempts: readonly SubtaskAttempt[]): void => {
    attempts.forEach((attempt, i) => {
      const at = (field: string): (string | number)[] => [list, i, field];
      const s = indexOf.get(attempt.id);
      const p = poolIndex.get(attempt.pool);
      const before = issues.length;
      if (s === undefined) issues.push({ code: 'unknown_reference', path: at('id'), message: `unknown sub-task "${attempt.id}"${didYouMean(attempt.id, ids)}`, expected: 'a sub-task id of the plan', received: attempt.id });
      if (p === undefined) issues.push({ code: 'unknown_reference', path: at('pool'), message: `unknown pool "${attempt.pool}"${didYouMean(attempt.pool, problem.pools.ids)}`, expected: 'a pool id', received: attempt.pool });
      if (!(Number.isFinite(attempt.startS) && attempt.startS >= 0)) issue(at('startS'), `expected a finite number >= 0, received ${attempt.startS}`, 'a finite number >= 0', String(attempt.startS));
      else if (attempt.startS > state.nowS) issue(at('startS'), `started at ${attempt.startS} s, after now (${state.nowS} s)`, `<= nowS (${state.nowS})`, String(attempt.startS));
      if (s === undefined || p === undefined || issues.length > before) return;
      if (!Number.isFinite(graph.runtimeS[s * P + p]!)) issue(at('pool'), `sub-task "${attempt.id}" may not run on pool "${attempt.pool}" (not allowed, or too little memory)`, 'a pool the sub-task may use', attempt.pool);
      if (attempt.slot !== undefined && !(Number.isInteger(attempt.slot) && attempt.slot >= 0 && attempt.slot < problem.pools.maxSlots[p]!)) {
        issue(at('slot'), `pool "${attempt.pool}" has slots 0 to ${problem.pools.maxSlots[p]! - 1}, received ${attempt.slot}`, `a whole number from 0 to ${problem.pools.maxSlots[p]! - 1}`, String(attempt.slot));
      }
      const plannedS = graph.expectedS[s * P + p]!;
      let finishS = attempt.finishS ?? attempt.startS + (Number.isFinite(plannedS) ? plannedS : schedule.finishS[s]! - schedule.startS[s]!);
      // A running sub-task holds its slot at least until now, however late it is.
      if (list === 'running') finishS = Math.max(finishS, state.nowS);
      if (!(Number.isFinite(finishS) && finishS >= attempt.startS)) issue(at('finishS'), `expected a finish at or after the start (${attempt.startS}), received ${finishS}`, `>= ${attempt.startS}`, String(finishS));
      else if (list === 'committed' && finishS > state.nowS) issue(at('finishS'), `committed, but finishes at ${finishS} s, after now (${state.nowS} s): list it under running`, `<= nowS (${state.nowS})`, String(finishS));
      if (issues.length > before) return;
      if (checkedBy.has(s)) {
        issue(at('id'), `sub-task "${attempt.id}" is listed twice (committed and running are disjoint)`, 'each sub-task once', attempt.id);
        return;
      }
      const entry = { at, attempt, list, s, p, finishS };
      checked.push(entry);
      checkedBy.set(s, entry);
    });
  };
  read('committed', state.committed);
  read('running', state.running);
  // Pass 2: slots. Given slots and planned slots first, then the lowest free slot for attempts
  // that moved pool, so a default never takes a slot a later attempt names.
  // Per pool, per slot: the fixed intervals on it (a map, so 10^5 fixed sub-tasks stay linear).
  const busy: Array<Map<number, Array<{ startS: number; finishS: number }>>> = Array.from({ length: P }, () => new Map());
  const overlapping = (p: number, slot: number, startS: number, finishS: number): { startS: number; finishS: number } | undefined =>
    busy[p]!.get(slot)?.find((t) => t.startS < finishS && startS < t.finishS);
  const take = (c: Checked, slot: number): void => {
    const clash = overlapping(c.p, slot, c.attempt.startS, c.finishS);
    if (clash !== undefined) {
      issue(c.at('slot'), `pool "${c.attempt.pool}" slot ${slot} already runs another fixed sub-task from ${clash.startS} s to ${clash.finishS} s`, 'one sub-task per slot at a time', String(slot));
      return;
    }
    const onSlot = busy[c.p]!.get(slot);
    if (onSlot === undefined) busy[c.p]!.set(slot, [{ startS: c.attempt.startS, finishS: c.finishS }]);
    else onSlot.push({ startS: c.attempt.startS, finishS: c.finishS });
    fixed.set(c.s, { pool: c.p, slot, startS: c.attempt.startS, finishS: c.finishS });
  };
  const later: Checked[] = [];
  for (const c of checked) {
    if (c.attempt.slot !== undefined) take(c, c.attempt.slot);
    else if (schedule.pool[c.s] === c.p) take(c, schedule.slot[c.s]!);
    else later.push(c);
  }
  for (const c of later) {
    const slot = freeSlot((k) => overlapping(c.p, k, c.attempt.startS, c.finishS) !== undefined, problem.pools.maxSlots[c.p]!);
    if (slot < 0) issue(c.at('pool'), `pool "${c.attempt.pool}" has no slot free from ${c.attempt.startS} s to ${c.finishS} s for it (all ${problem.pools.maxSlots[c.p]} are taken)`, 'a pool with a free slot', c.attempt.pool);
    else take(c, slot);
  }
  // Pass 3: a fixed sub-task ran on its inputs, so they must be fixed too (committed, for a
  // committed one); otherwise re-placing an input would put it after its dependant started.
  // (Only on an otherwise valid state: a misspelt id would make its dependants look orphaned.)
  for (const c of issues.length > 0 ? [] : checked) {
    for (let e = graph.predStart[c.s]!; e < graph.predStart[c.s + 1]!; e++) {
      const q = graph.predIndex[e]!;
      const input = checkedBy.get(q);
      if (input === undefined || (c.list === 'committed' && input.list === 'running')) {
        issue(c.at('id'), `sub-task "${c.attempt.id}" is ${c.list}, but its input "${ids[q]}" is ${input === undefined ? 'neither committed nor running' : 'still running'}`, `its inputs committed`, ids[q]!);
        break;
      }
    }
  }
  if (issues.length > 0) throw new InputError('run state', issues);
  return { nowS: state.nowS, fixed };
}

/** Re-plans the remainder of a run with the full engine (keeping the previous plan's partition). */
export function extendPlan(planner: ApportionPlanner, problem: Problem, previous: ScoredCandidate, state: RunState, request: Omit<PlanRequest, 'extend'> = {}): Promise<PlanOutcome> {
  const partial = partialSchedule(problem, previous, state);
  return planner.plan(problem, { ...request, planner: request.planner ?? 'apportion', extend: { graph: previous.graph, partial } });
}

/** The lowest slot index below `slots` that is not taken, or -1. */
function freeSlot(taken: (slot: number) => boolean, slots: number): number {
  for (let slot = 0; slot < slots; slot++) if (!taken(slot)) return slot;
  return -1;
}

function didYouMean(word: string, names: readonly string[]): string {
  const near = nearestName(word, names);
  return near === undefined ? '' : ` (did you mean "${near}"?)`;
}
