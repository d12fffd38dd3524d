/**
 * One interface for every planner (after SAGA's `schedule(network, task_graph, schedule)`):
 * a planner turns a problem into a candidate (partition + allocation + priority order), and
 * can extend a partial schedule, which is what re-planning after a failure needs.
 *
 * The candidate is then scored by the one reference cost model (`evaluateCandidate`), so
 * every planner's plan is judged by the same semantics.
 */
import type { PartialSchedule } from '../cost/simulate.js';
import type { Problem } from '../model/problem.js';
import type { SubtaskGraph } from '../model/subtasks.js';
import type { Candidate } from '../cost/candidate.js';

export const PLANNER_IDS = ['apportion', 'heft', 'greedy', 'round-robin', 'cheapest'] as const;
export type PlannerId = (typeof PLANNER_IDS)[number];

export interface ExtendFrom {
  /** The sub-task graph of the plan being extended; its partition is kept. */
  readonly graph: SubtaskGraph;
  readonly partial: PartialSchedule;
}

/** Progress of a planner that scores several candidates: done of total, best objective so far. */
export type ProgressListener = (done: number, total: number, bestObjective: number) => void;

export interface PlannerOptions {
  readonly extend?: ExtendFrom | undefined;
  readonly onProgress?: ProgressListener | undefined;
}

export interface Planner {
  readonly id: PlannerId;
  readonly description: string;
  plan(problem: Problem, options?: PlannerOptions): Candidate;
}
