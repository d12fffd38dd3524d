/**
 * A plan document back into the planner's terms: the sub-task graph it was cut into, its
 * allocation and order, scored by the reference cost model. The dispatcher needs them to rank
 * pools for one sub-task and to re-plan the remainder (plan/extend.ts), also when it resumes a
 * run from the journal, where only the document was kept.
 */
import { evaluateCandidate, type ScoredCandidate } from '../cost/evaluate.js';
import { InputError } from '../model/issues.js';
import type { Problem } from '../model/problem.js';
import { buildSubtaskGraph, PartitionBuilder } from '../model/subtasks.js';
import { subtaskIds, type Plan } from '../plan/plan.js';

export function scoredFromPlan(problem: Problem, plan: Plan): ScoredCandidate {
  const builder = new PartitionBuilder();
  const stageIndex = problem.stageIndex;
  const unknown = (id: string, at: number): InputError =>
    new InputError('plan', [{ code: 'invalid_value', path: ['subtasks', at], message: `stage "${id}" is not in the task definition (the plan was made for another definition)`, expected: 'a stage of the definition', received: id }]);
  plan.subtasks.forEach((subtask, at) => {
    if (subtask.items !== undefined && subtask.stage !== undefined) {
      const v = stageIndex.get(subtask.stage);
      if (v === undefined) throw unknown(subtask.stage, at);
      builder.addChunk(v, subtask.items[0], subtask.items[1] - subtask.items[0]);
    } else {
      const members = (subtask.tasks ?? []).map((id) => {
        const v = stageIndex.get(id);
        if (v === undefined) throw unknown(id, at);
        return v;
      });
      builder.addGroup(members);
    }
  });
  const graph = buildSubtaskGraph(problem, builder.build());
  const ids = subtaskIds(problem, graph);
  const poolIndex = new Map(problem.pools.ids.map((id, p) => [id, p]));
  const allocation = new Int32Array(graph.nodeCount);
  plan.subtasks.forEach((subtask, s) => {
    if (ids[s] !== subtask.id) throw new Error(`internal: sub-task ${s} of the plan is "${subtask.id}", rebuilt as "${ids[s]}"`);
    const p = poolIndex.get(subtask.pool);
    if (p === undefined) {
      throw new InputError('plan', [{ code: 'invalid_value', path: ['subtasks', s, 'pool'], message: `pool "${subtask.pool}" is not in the resource map`, expected: 'a pool of the resource map', received: subtask.pool }]);
    }
    allocation[s] = p;
  });
  // The plan's priority order is its start order (ties by index): what the cost model dispatched.
  const order = Int32Array.from({ length: graph.nodeCount }, (_, s) => s).sort((a, b) => plan.subtasks[a]!.startS - plan.subtasks[b]!.startS || a - b);
  return evaluateCandidate(problem, { graph, allocation, order, variant: plan.summary.variant });
}
