/**
 * The planning entry point: pick a planner, score its candidate with the reference model,
 * and build the Plan document. The clock is a parameter so planning stays deterministic.
 */
import { checkAttainable } from '../cost/bounds.js';
import { evaluateCandidate, type ScoredCandidate } from '../cost/evaluate.js';
import type { Problem } from '../model/problem.js';
import { apportion, planApportion } from '../planners/apportion.js';
import { cheapest, greedy, heft, roundRobin } from '../planners/baselines.js';
import type { ExtendFrom, Planner, PlannerId, ProgressListener } from '../planners/planner.js';
import { buildPlan, type Plan } from './plan.js';

export const PLANNERS: Readonly<Record<PlannerId, Planner>> = {
  apportion,
  heft,
  greedy,
  'round-robin': roundRobin,
  cheapest,
};

export interface MakePlanOptions {
  readonly planner?: PlannerId;
  /** Keep the partition and the fixed sub-tasks of an earlier plan; place the rest. */
  readonly extend?: ExtendFrom;
  /** Milliseconds clock for `planningMs`; defaults to performance.now. */
  readonly clockMs?: () => number;
  /** Called after each candidate the planner scores. */
  readonly onProgress?: ProgressListener;
}

export interface PlanOutcome {
  readonly plan: Plan;
  readonly scored: ScoredCandidate;
  /** Every candidate the planner scored (the constructive planner tries several). */
  readonly tried: readonly ScoredCandidate[];
}

export function makePlan(problem: Problem, options: MakePlanOptions = {}): PlanOutcome {
  const clock = options.clockMs ?? (() => performance.now());
  const started = clock();
  const bound = checkAttainable(problem);
  const plannerId = options.planner ?? 'apportion';
  const plannerOptions = { extend: options.extend, onProgress: options.onProgress };
  let scored: ScoredCandidate;
  let tried: readonly ScoredCandidate[];
  if (plannerId === 'apportion') {
    ({ best: scored, tried } = planApportion(problem, plannerOptions));
  } else {
    scored = evaluateCandidate(problem, PLANNERS[plannerId].plan(problem, plannerOptions), options.extend?.partial);
    tried = [scored];
  }
  const planningMs = clock() - started;
  return { plan: buildPlan(problem, scored, { planner: plannerId, planningMs, bound }), scored, tried };
}
