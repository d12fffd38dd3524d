/**
 * The aggregated planning model (ARCHITECTURE.md, "refine"): a certified LP lower bound
 * (`bound.ts`) and a refinement ILP whose integer decisions — chunk counts and units per pool
 * for divisible stages, task counts per pool for groups of atomic tasks — the search then
 * sequences (`skeleton.ts`).
 *
 *     const solver = createSolver('highs');   // from ./create.js
 *     const { bound, skeleton, notes } = await refine(problem, solver, { timeLimitMs: 2000 });
 *     const pin = skeleton === undefined ? undefined : pinFromGroups(problem, skeleton);
 */
import type { Problem } from '../model/problem.js';
import { monotonicMs, type ClockMs } from '../util/clock.js';
import { lpBound, type LpBound } from './bound.js';
import { solveSkeleton, type Skeleton } from './skeleton.js';
import type { Solver } from './solver.js';

export interface RefineOptions {
  readonly timeLimitMs: number;
  /** The clock the time limit is measured on (default: monotonicMs). */
  readonly clockMs?: ClockMs;
  /** Share of the time limit given to the bound (the rest to the ILP). Default 0.3. */
  readonly boundShare?: number;
  readonly maxIntegerVariables?: number;
  readonly relativeGap?: number;
}

export interface Refinement {
  readonly bound: LpBound;
  readonly skeleton: Skeleton | undefined;
  readonly notes: readonly string[];
}

export async function refine(problem: Problem, solver: Solver, options: RefineOptions): Promise<Refinement> {
  const clockMs = options.clockMs ?? monotonicMs;
  const started = clockMs();
  const bound = await lpBound(problem, solver, { timeLimitMs: options.timeLimitMs * (options.boundShare ?? 0.3), clockMs });
  const leftMs = Math.max(1, options.timeLimitMs - (clockMs() - started));
  const { skeleton, notes } = await solveSkeleton(problem, solver, {
    timeLimitMs: leftMs,
    clockMs,
    ...(options.maxIntegerVariables !== undefined ? { maxIntegerVariables: options.maxIntegerVariables } : {}),
    ...(options.relativeGap !== undefined ? { relativeGap: options.relativeGap } : {}),
  });
  return { bound, skeleton, notes: [...bound.notes, ...notes] };
}

export { costLowerBoundAt, lpBound, type LpBound, type BoundOptions } from './bound.js';
export { pinFromGroups, solveSkeleton, type AtomicGroup, type DivisibleShare, type Skeleton } from './skeleton.js';
