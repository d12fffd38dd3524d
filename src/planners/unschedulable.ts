/**
 * When no pool can run a sub-task at all: every pool it may use is forbidden, ends too soon
 * (its capacity steps to 0 before the sub-task could finish) or its expected runtime is
 * infinite (an interruption rate so high that the restart-from-scratch rework diverges).
 * That is bad input, reported at the stage with the reason per pool, never an internal error.
 */
import { InputError, type InputIssue } from '../model/issues.js';
import { stagePath, type Problem } from '../model/problem.js';
import type { SubtaskGraph } from '../model/subtasks.js';

export class UnschedulableError extends Error {
  override name = 'UnschedulableError';
  constructor(
    readonly subtask: number,
    readonly graph: SubtaskGraph,
  ) {
    super(`no pool can run sub-task ${subtask}`);
  }
}

/** The stage of the sub-task, and why each pool cannot take it. */
export function unschedulableIssue(problem: Problem, error: UnschedulableError): InputIssue {
  const { graph, subtask: s } = error;
  const P = problem.pools.count;
  const stageIndex = graph.partition.members[graph.partition.memberStart[s]!]!;
  const stage = problem.definition.stages[stageIndex]!;
  const reasons: string[] = [];
  for (let p = 0; p < P; p++) {
    const id = problem.pools.ids[p]!;
    const expectedS = graph.expectedS[s * P + p]!;
    const runtimeS = graph.runtimeS[s * P + p]!;
    if (!Number.isFinite(runtimeS)) continue; // not allowed, or no memory for it: not a candidate
    if (!Number.isFinite(expectedS)) reasons.push(`pool "${id}": expected runtime with interruption rework is unbounded (${fmt(runtimeS)} s of work at ${fmt(problem.pools.hazardPerS[p]! * 3600)} interruptions per hour)`);
    else reasons.push(`pool "${id}": never has a slot free for ${fmt(expectedS)} s (${capacityText(problem, p)})`);
  }
  const unit = graph.partition.unitCount[s]! > 0 ? `a chunk of ${fmt(graph.partition.unitCount[s]!)} units of` : 'a sub-task of';
  return {
    code: 'infeasible',
    path: stagePath(problem.definition, stageIndex),
    message: `no pool can finish ${unit} stage "${stage.id}": ${reasons.length === 0 ? 'no pool may run it' : reasons.join('; ')}`,
    expected: 'a pool that can run the sub-task to the end',
    received: `${reasons.length} candidate pool(s), none can`,
  };
}

export function unschedulableInputError(problem: Problem, error: UnschedulableError): InputError {
  return new InputError('plan inputs', [unschedulableIssue(problem, error)]);
}

function capacityText(problem: Problem, p: number): string {
  const { capStart, capAtS, capSlots, slots } = problem.pools;
  const steps: string[] = capStart[p] !== capStart[p + 1] && capAtS[capStart[p]!] === 0 ? [] : [`${slots[p]} slots at 0 s`];
  for (let k = capStart[p]!; k < capStart[p + 1]!; k++) steps.push(`${capSlots[k]} from ${fmt(capAtS[k]!)} s`);
  return steps.join(', ');
}

function fmt(value: number): string {
  return Number(value.toPrecision(4)).toLocaleString('en');
}
