/**
 * `createPlanner()`: a planner for embedding. It keeps what is costly to set up and reuses it
 * across `plan()` calls: the batch scorer's worker pool and compiled WASM module, and the
 * LP/ILP solver. `close()` releases them.
 *
 * Options are resolved once, in one place, with their defaults (as piscina does).
 */
import { availableParallelism } from 'node:os';
import type { Problem } from '../model/problem.js';
import type { SubtaskGraph } from '../model/subtasks.js';
import { createKernelPool } from '../kernel/scorer.js';
import { ReferenceScorer, type BatchScorer } from '../search/scorer.js';
import { createSolver, type LinearModel } from '../solve/solver.js';
import { planWithEngine, type EngineOutcome, type PlanRequest, type Refiner } from './engine.js';
import { KernelBatchScorer, kernelBuilt } from './kernel-scorer.js';
import { solverRefiner } from './refiner.js';

export interface CreatePlannerOptions {
  /** Worker threads for scoring batches. Default: the cores available. */
  readonly workers?: number;
  /** Candidates scored per search batch. Default: 32 per worker. */
  readonly batchSize?: number;
  /** 'kernel' (WASM, worker threads), 'reference' (TypeScript, in-thread), 'auto' (kernel if built). Default 'auto'. */
  readonly scorer?: 'kernel' | 'reference' | 'auto';
  /** LP/ILP backend for the bound and the integer skeleton, or 'none'. Default 'highs'. */
  readonly solver?: 'highs' | 'jslp' | 'none';
}

export interface ResolvedPlannerOptions {
  readonly workers: number;
  readonly batchSize: number;
  readonly scorer: 'kernel' | 'reference' | 'auto';
  readonly solver: 'highs' | 'jslp' | 'none';
}

export function resolvePlannerOptions(options: CreatePlannerOptions = {}): ResolvedPlannerOptions {
  const workers = options.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`options.workers: expected a whole number >= 1, received ${workers}`);
  const batchSize = options.batchSize ?? 32 * workers;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`options.batchSize: expected a whole number >= 1, received ${batchSize}`);
  return { workers, batchSize, scorer: options.scorer ?? 'auto', solver: options.solver ?? 'highs' };
}

export interface ApportionPlanner {
  readonly options: ResolvedPlannerOptions;
  plan(problem: Problem, request?: PlanRequest): Promise<EngineOutcome>;
  close(): Promise<void>;
}

/** Pieces a planner may hold: plugged in by the kernel and solver modules when present. */
export interface PlannerResources {
  makeScorer(problem: Problem, graph: SubtaskGraph): Promise<BatchScorer>;
  readonly refiner: Refiner | undefined;
  close(): Promise<void>;
}

export async function createPlanner(options: CreatePlannerOptions = {}): Promise<ApportionPlanner> {
  const resolved = resolvePlannerOptions(options);
  const resources = await openResources(resolved);
  let closed = false;
  return {
    options: resolved,
    plan(problem, request = {}) {
      if (closed) return Promise.reject(new Error('planner is closed'));
      return planWithEngine(problem, { makeScorer: (p, g) => resources.makeScorer(p, g), refiner: resources.refiner }, request);
    },
    async close() {
      if (closed) return;
      closed = true;
      await resources.close();
    },
  };
}

async function openResources(options: ResolvedPlannerOptions): Promise<PlannerResources> {
  const solver = options.solver === 'none' ? undefined : createSolver(options.solver);
  // Load the solver's WASM now, so the first plan() does not pay for it inside its budget.
  if (solver !== undefined) await solver.solve(WARM_UP_MODEL, { timeLimitMs: 10_000, integer: false });
  const useKernel = options.scorer === 'kernel' || (options.scorer === 'auto' && kernelBuilt());
  if (options.scorer === 'kernel' && !kernelBuilt()) throw new Error('options.scorer: "kernel" needs build/kernel.wasm (run npm run build:wasm)');
  const pool = useKernel ? createKernelPool({ workers: options.workers }) : undefined;
  return {
    makeScorer: (problem, graph) =>
      Promise.resolve(pool !== undefined ? new KernelBatchScorer(problem, graph, options.batchSize, pool) : new ReferenceScorer(problem, graph, options.batchSize)),
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
