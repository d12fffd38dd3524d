/**
 * The plug-in interface of `apportion evaluate`: a policy is whatever turns a case (a job, a
 * resource map, the availability seen so far) into a plan and the rules the dispatcher runs it
 * with. Every policy runs through the one dispatcher on the one sim backend and is charged by
 * the one cost model, so only the policy differs.
 *
 * To benchmark your own scheduler, write a `Policy`:
 *
 *   // from a file in the repository's src/ (or its dist/ build):
 *   import { assembleProblem } from './model/problem.js';
 *   import { planConstructive } from './plan/planner.js';
 *   import { evaluate } from './evaluate/evaluate.js';
 *   const mine: Policy = {
 *     id: 'my-scheduler',
 *     description: 'HEFT, and retry in place',
 *     prepare(ctx) {
 *       const problem = assembleProblem(ctx.definition, ctx.resources);
 *       const { plan, scored } = planConstructive(problem, { planner: 'heft' });
 *       return { problem, plan, scored, recovery: { kind: 'retry-in-place' }, replan: false };
 *     },
 *   };
 *   await evaluate({ policies: [mine, 'apportion'], ... });
 *
 * `prepare` sees only the trace before the job's start (`history`): no peeking at what the run
 * will meet. It may plan on any problem it likes (a subset of the pools, a forecast), as long
 * as the pool ids are the resource map's: the run is charged at the declared prices.
 * A policy object cannot cross a thread boundary: `evaluate` runs policies given as objects
 * in its own thread, and the built-in ones (by id) on worker threads.
 */
import type { ScoredCandidate } from '../cost/evaluate.js';
import type { DispatchForecast, ReplanSettings } from '../dispatch/dispatcher.js';
import type { PoolChoice, RecoveryRule, ReplicaRule } from '../dispatch/recovery.js';
import type { Problem } from '../model/problem.js';
import type { ResourceMap, TaskDefinition } from '../model/types.js';
import type { Plan } from '../plan/plan.js';

/** One availability point: slots available from `timeS` (epoch s) on. */
export interface HistoryPoint {
  readonly timeS: number;
  readonly available: number;
}

/** What a policy may look at before the job starts. */
export interface CaseContext {
  readonly definition: TaskDefinition;
  /** The declared resource map (the pools the run may use, their prices and declared hazards). */
  readonly resources: ResourceMap;
  /**
   * The trace before the start, per pool that has one: points in epoch s, ascending, all before
   * `startAtS` (the level at `fromS` included). Pools without a trace are absent.
   */
  readonly history: {
    readonly fromS: number;
    readonly pools: ReadonlyMap<string, readonly HistoryPoint[]>;
  };
  /** Epoch s of the job's start (plan time 0): the hour of week the predictor prices. */
  readonly startAtS: number;
  /** The case's seed (for a policy that draws). */
  readonly seed: number;
}

/** The dispatcher's reaction hooks a policy may set (src/dispatch/recovery.ts). */
export interface ReactionRules {
  readonly recovery?: RecoveryRule;
  readonly replicas?: ReplicaRule;
  readonly choosePool?: PoolChoice;
  /** false: never re-plan; default the dispatcher's drift settings. */
  readonly replan?: ReplanSettings | false;
  /** The plan's forecast bands: updated online, a departure re-plans. */
  readonly forecast?: DispatchForecast;
}

/** What a policy hands the run: the problem it planned on, the plan, and how to react. */
export interface PreparedRun extends ReactionRules {
  readonly problem: Problem;
  readonly plan: Plan;
  readonly scored: ScoredCandidate;
}

export interface Policy {
  /** Short, unique, kebab-case: the id `--policies` names and the report prints. */
  readonly id: string;
  /** One line: what it plans with and how it reacts. */
  readonly description: string;
  prepare(ctx: CaseContext): PreparedRun | Promise<PreparedRun>;
}
