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
  const busy: Array<Array<{ slot: number; startS: number; finishS: number }>> = Array.from({ length: P }, () => []);
  const place = (list: 'committed' | 'running', attempts: readonly SubtaskAttempt[]): void => {
    attempts.forEach((attempt, i) => {
      const at = (field: string): (string | number)[] => [list, i, field];
      const s = indexOf.get(attempt.id);
      const p = poolIndex.get(attempt.pool);
      if (s === undefined) issues.push({ code: 'unknown_reference', path: at('id'), message: `unknown sub-task "${attempt.id}"${didYouMean(attempt.id, ids)}`, expected: 'a sub-task id of the plan', received: attempt.id });
      if (p === undefined) issues.push({ code: 'unknown_reference', path: at('pool'), message: `unknown pool "${attempt.pool}"${didYouMean(attempt.pool, problem.pools.ids)}`, expected: 'a pool id', received: attempt.pool });
      if (!(Number.isFinite(attempt.startS) && attempt.startS >= 0)) issues.push({ code: 'invalid_value', path: at('startS'), message: `expected a finite number >= 0, received ${attempt.startS}`, expected: 'a finite number >= 0', received: String(attempt.startS) });
      if (s === undefined || p === undefined || issues.length > 0) return;
      if (fixed.has(s)) {
        issues.push({ code: 'invalid_value', path: at('id'), message: `sub-task "${attempt.id}" is listed twice (committed and running are disjoint)`, expected: 'each sub-task once', received: attempt.id });
        return;
      }
      const plannedS = graph.expectedS[s * P + p]!;
      let finishS = attempt.finishS ?? attempt.startS + (Number.isFinite(plannedS) ? plannedS : schedule.finishS[s]! - schedule.startS[s]!);
      // A running sub-task holds its slot at least until now, however late it is.
      if (list === 'running') finishS = Math.max(finishS, state.nowS);
      if (!(Number.isFinite(finishS) && finishS >= attempt.startS)) {
        issues.push({ code: 'invalid_value', path: at('finishS'), message: `expected a finish at or after the start (${attempt.startS}), received ${finishS}`, expected: `>= ${attempt.startS}`, received: String(finishS) });
        return;
      }
      const slot = attempt.slot ?? (schedule.pool[s] === p ? schedule.slot[s]! : freeSlot(busy[p]!, attempt.startS, finishS));
      busy[p]!.push({ slot, startS: attempt.startS, finishS });
      fixed.set(s, { pool: p, slot, startS: attempt.startS, finishS });
    });
  };
  place('committed', state.committed);
  place('running', state.running);
  if (issues.length > 0) throw new InputError('run state', issues);
  return { nowS: state.nowS, fixed };
}

/** Re-plans the remainder of a run with the full engine (keeping the previous plan's partition). */
export function extendPlan(planner: ApportionPlanner, problem: Problem, previous: ScoredCandidate, state: RunState, request: Omit<PlanRequest, 'extend'> = {}): Promise<PlanOutcome> {
  const partial = partialSchedule(problem, previous, state);
  return planner.plan(problem, { ...request, planner: request.planner ?? 'apportion', extend: { graph: previous.graph, partial } });
}

/** The lowest slot index with nothing fixed on it overlapping [startS, finishS). */
function freeSlot(taken: ReadonlyArray<{ slot: number; startS: number; finishS: number }>, startS: number, finishS: number): number {
  for (let slot = 0; ; slot++) {
    if (!taken.some((t) => t.slot === slot && t.startS < finishS && startS < t.finishS)) return slot;
  }
}

function didYouMean(word: string, names: readonly string[]): string {
  const near = nearestName(word, names);
  return near === undefined ? '' : ` (did you mean "${near}"?)`;
}
