/**
 * Why each stage went where it went: for each stage (or, for imported workflows with one
 * stage per task, each op), move all of its sub-tasks to each other pool that may run them,
 * re-score the whole plan with the reference model, and report the best alternative (the
 * runner-up) with its change in objective and in each term.
 */
import { evaluateCandidate, type ScoredCandidate } from '../cost/evaluate.js';
import { ScheduleError } from '../cost/simulate.js';
import type { Problem } from '../model/problem.js';

export interface StageChoice {
  /** A stage id, or `op:NAME` for a group of tasks sharing an op. */
  readonly name: string;
  readonly subtasks: number;
  /** Pools used and how many sub-tasks each got. */
  readonly pools: ReadonlyArray<{ readonly pool: string; readonly subtasks: number }>;
  readonly runnerUp?: {
    readonly pool: string;
    readonly objectiveDelta: number;
    readonly makespanDeltaS: number;
    readonly costDeltaUsd: number;
    readonly egressDeltaUsd: number;
  };
}

/** At most this many groups are re-scored (largest first), so --explain stays fast. */
export const MAX_EXPLAINED_GROUPS = 25;

export function explainChoices(problem: Problem, scored: ScoredCandidate): { choices: StageChoice[]; omitted: number } {
  const groups = groupSubtasks(problem, scored);
  const P = problem.pools.count;
  const { graph } = scored;
  const choices: StageChoice[] = [];
  for (const group of groups.slice(0, MAX_EXPLAINED_GROUPS)) {
    const counts = new Map<number, number>();
    for (const s of group.subtasks) counts.set(scored.allocation[s]!, (counts.get(scored.allocation[s]!) ?? 0) + 1);
    let runnerUp: StageChoice['runnerUp'];
    for (let q = 0; q < P; q++) {
      if (counts.size === 1 && counts.has(q)) continue;
      if (group.subtasks.some((s) => !Number.isFinite(graph.expectedS[s * P + q]!))) continue;
      const allocation = Int32Array.from(scored.allocation);
      for (const s of group.subtasks) allocation[s] = q;
      let moved: ScoredCandidate;
      try {
        moved = evaluateCandidate(problem, { graph, allocation, order: scored.order, variant: 'explain' });
      } catch (error) {
        // A pool with no slot long enough for them (no capacity then, a forecast's empty hours) is no runner-up.
        if (error instanceof ScheduleError) continue;
        throw error;
      }
      const delta = moved.terms.objective - scored.terms.objective;
      if (runnerUp === undefined || delta < runnerUp.objectiveDelta) {
        runnerUp = {
          pool: problem.pools.ids[q]!,
          objectiveDelta: delta,
          makespanDeltaS: moved.terms.makespanS - scored.terms.makespanS,
          costDeltaUsd: moved.terms.costUsd - scored.terms.costUsd,
          egressDeltaUsd: moved.terms.egressUsd - scored.terms.egressUsd,
        };
      }
    }
    choices.push({
      name: group.name,
      subtasks: group.subtasks.length,
      pools: [...counts].sort((a, b) => a[0] - b[0]).map(([p, n]) => ({ pool: problem.pools.ids[p]!, subtasks: n })),
      ...(runnerUp === undefined ? {} : { runnerUp }),
    });
  }
  return { choices, omitted: Math.max(0, groups.length - MAX_EXPLAINED_GROUPS) };
}

/** Sub-tasks grouped by stage (apportion definitions) or by op (imported workflows), largest work first. */
function groupSubtasks(problem: Problem, scored: ScoredCandidate): Array<{ name: string; subtasks: number[]; workS: number }> {
  const byOp = problem.definition.origin === 'wfformat';
  const groups = new Map<string, { name: string; subtasks: number[]; workS: number }>();
  const { partition } = scored.graph;
  for (let s = 0; s < scored.graph.nodeCount; s++) {
    const v = partition.members[partition.memberStart[s]!]!;
    const stage = problem.definition.stages[v]!;
    const name = byOp ? `op:${stage.op}` : stage.id;
    let group = groups.get(name);
    if (group === undefined) {
      group = { name, subtasks: [], workS: 0 };
      groups.set(name, group);
    }
    group.subtasks.push(s);
    group.workS += scored.schedule.finishS[s]! - scored.schedule.startS[s]!;
  }
  return [...groups.values()].sort((a, b) => b.workS - a.workS);
}
