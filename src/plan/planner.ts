/**
 * The one planning entry point. `createPlanner()`: a planner for embedding (and what the CLI
 * plans with). It keeps what is costly to set up and reuses it
 * across `plan()` calls: the batch scorer's worker pool and compiled WASM module, and the
 * LP/ILP solver. `close()` releases them.
 *
 * Options are resolved once, in one place, with their defaults (as piscina does).
 */
import { availableParallelism } from 'node:os';
import type { PartialSchedule } from '../cost/simulate.js';
import type { Problem } from '../model/problem.js';
import type { SubtaskGraph } from '../model/subtasks.js';
import { createKernelPool, type KernelPool } from '../kernel/scorer.js';
import { ReferenceBatchScorer, type BatchScorer } from '../search/scorer.js';
import { createSolver } from '../solve/create.js';
import type { LinearModel } from '../solve/solver.js';
import { checkAttainable, gapTo } from '../cost/bounds.js';
import { construct, planWithEngine, startingBound, type EngineOutcome, type PlanRequest, type Refiner } from '../engine/engine.js';
import { KernelBatchScorer, kernelBuilt } from '../kernel/batch-scorer.js';
import { solverRefiner } from '../engine/refiner.js';
import { monotonicMs } from '../util/clock.js';
import { buildPlan, type Plan } from './plan.js';

export interface CreatePlannerOptions {
  /** Worker threads for scoring batches. Default: the cores available. */
  readonly workers?: number;
  /** Candidates scored per search batch. Default: 32 per worker. */
  readonly batchSize?: number;
  /** 'kernel' (WASM, worker threads), 'reference' (TypeScript, in-thread), 'auto' (kernel if built). Default 'auto'. */
  readonly scorer?: 'kernel' | 'reference' | 'auto';
  /** LP/ILP backend for the bound and the integer skeleton, or 'none'. Default 'highs'. */
  readonly solver?: 'highs' | 'jslp' | 'none';
  /**
   * Load the solver and start the workers in createPlanner() rather than in the first plan
   * that needs them. Default true; false for a one-off constructive plan (nothing is loaded).
   */
  readonly warmUp?: boolean;
}

export interface ResolvedPlannerOptions {
  readonly workers: number;
  readonly batchSize: number;
  readonly scorer: 'kernel' | 'reference' | 'auto';
  readonly solver: 'highs' | 'jslp' | 'none';
  readonly warmUp: boolean;
}

export function resolvePlannerOptions(options: CreatePlannerOptions = {}): ResolvedPlannerOptions {
  const workers = options.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`options.workers: expected a whole number >= 1, received ${workers}`);
  const batchSize = options.batchSize ?? 32 * workers;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`options.batchSize: expected a whole number >= 1, received ${batchSize}`);
  return { workers, batchSize, scorer: options.scorer ?? 'auto', solver: options.solver ?? 'highs', warmUp: options.warmUp ?? true };
}

/** A plan and how it was found: the Plan document plus the engine's outcome behind it. */
export interface PlanOutcome extends EngineOutcome {
  readonly plan: Plan;
}

export interface ApportionPlanner {
  readonly options: ResolvedPlannerOptions;
  /** Plans `problem`: the constructive plan with no budget, the anytime engine within one. */
  plan(problem: Problem, request?: PlanRequest): Promise<PlanOutcome>;
  close(): Promise<void>;
}

/** The Plan document for an engine outcome. */
export function planDocument(problem: Problem, outcome: EngineOutcome): PlanOutcome {
  return { ...outcome, plan: buildPlan(problem, outcome.scored, { planner: outcome.planner, planningMs: outcome.planningMs, bound: outcome.bound }) };
}

/**
 * What `createPlanner().plan(problem, request)` returns with no budget (the engine's phase 1),
 * synchronously and without a session: for callers that plan once and cannot await (property
 * tests, benchmarks of the constructive planner). A test holds the two equal.
 */
export function planConstructive(problem: Problem, request: Pick<PlanRequest, 'planner' | 'extend' | 'clockMs' | 'constructiveVariants'> = {}): PlanOutcome {
  const clock = request.clockMs ?? monotonicMs;
  const startedMs = clock();
  // First the inputs' own feasibility (a deadline no plan meets, a stage no pool can finish).
  const quick = checkAttainable(problem);
  const { best, tried } = construct(problem, request);
  const bound = startingBound(problem, request.extend, quick);
  return planDocument(problem, { planner: request.planner ?? 'apportion', scored: best, tried, bound, gap: gapTo(best.terms.objective, bound), notes: [], planningMs: clock() - startedMs });
}

/** Pieces a planner may hold: the kernel pool and the solver, opened when first needed. */
export interface PlannerResources {
  makeScorer(problem: Problem, graph: SubtaskGraph, partial: PartialSchedule | undefined): Promise<BatchScorer>;
  readonly refiner: Refiner | undefined;
  close(): Promise<void>;
}

export async function createPlanner(options: CreatePlannerOptions = {}): Promise<ApportionPlanner> {
  const resolved = resolvePlannerOptions(options);
  const resources = openResources(resolved);
  // Load the solver's WASM and start the workers now, so the first plan() does not pay for them inside its budget.
  if (resolved.warmUp) await resources.warmUp();
  let closed = false;
  return {
    options: resolved,
    async plan(problem, request = {}) {
      if (closed) throw new Error('planner is closed');
      const outcome = await planWithEngine(problem, { makeScorer: (p, g, partial) => resources.makeScorer(p, g, partial), refiner: resources.refiner }, request);
      return planDocument(problem, outcome);
    },
    async close() {
      if (closed) return;
      closed = true;
      await resources.close();
    },
  };
}

function openResources(options: ResolvedPlannerOptions): PlannerResources & { warmUp(): Promise<void> } {
  if (options.scorer === 'kernel' && !kernelBuilt()) throw new Error('options.scorer: "kernel" needs build/kernel.wasm (run npm run build:wasm)');
  const useKernel = options.scorer === 'kernel' || (options.scorer === 'auto' && kernelBuilt());
  const solver = options.solver === 'none' ? undefined : createSolver(options.solver);
  let pool: KernelPool | undefined;
  const kernelPool = (): KernelPool => (pool ??= createKernelPool({ workers: options.workers }));
  return {
    async warmUp() {
      if (solver !== undefined) await solver.solve(WARM_UP_MODEL, { timeLimitMs: 10_000, integer: false });
      if (useKernel) kernelPool();
    },
    makeScorer: (problem, graph, partial) =>
      Promise.resolve(useKernel ? new KernelBatchScorer(problem, graph, options.batchSize, kernelPool(), partial) : new ReferenceBatchScorer(problem, graph, options.batchSize, partial)),
    refiner: solver === undefined ? undefined : solverRefiner(solver),
    close: async () => {
      solver?.close();
      await pool?.close();
    },
  };
}

/** minimise x subject to x ≥ 1: the smallest model that makes a backend load. */
const WARM_UP_MODEL: LinearModel = {
  variables: [{ name: 'x', lower: 0, upper: Number.POSITIVE_INFINITY, cost: 1, integer: false }],
  constraints: [{ name: 'c', terms: [{ variable: 0, coefficient: 1 }], sense: '>=', rhs: 1 }],
  objectiveOffset: 0,
};
