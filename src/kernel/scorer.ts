/**
 * Batch scoring with the WASM kernel: in this thread (`scoreBatchSync`, for small batches
 * and latency) or split into slices over Piscina workers (`scoreBatch`), every slice scored
 * in place in the problem's shared memory.
 *
 *   const pool = createKernelPool();                      // once; shared by many scorers
 *   const scorer = new KernelScorer(problem, graph, { batchCapacity: 64, pool });
 *   const { allocation, order } = scorer.candidateViews(0);  // write candidates in place
 *   await scorer.scoreBatch(count);
 *   scorer.result(0);                                      // { state: 'ok', terms } | { state: 'invalid', … }
 *   await scorer.close();  await pool.close();
 *
 * One batch at a time per scorer: candidates must not be rewritten while a batch is being
 * scored. A scorer made without `pool` creates its own on first use and closes it in close().
 */
import os from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { PartialSchedule } from '../cost/simulate.js';
import type { Problem } from '../model/problem.js';
import type { SubtaskGraph } from '../model/subtasks.js';
import { KernelArena, type CandidateViews, type KernelResult, type KernelStatus } from './arena.js';
import { instantiateKernel, kernelModule, type KernelExports } from './loader.js';
import type { KernelTask } from './worker.js';

const here = fileURLToPath(import.meta.url);
/** worker.ts under tsx (workers inherit the parent's --import tsx), worker.js from dist/. */
export const KERNEL_WORKER_PATH = join(dirname(here), `worker${extname(here)}`);

export interface KernelPoolOptions {
  /** Worker threads. Default: os.availableParallelism(). */
  readonly workers?: number;
}

export interface ResolvedKernelPoolOptions {
  readonly workers: number;
}

export function resolveKernelPoolOptions(options: KernelPoolOptions = {}): ResolvedKernelPoolOptions {
  const workers = options.workers ?? os.availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`options.workers must be an integer ≥ 1 (got ${String(options.workers)})`);
  return { workers };
}

/**
 * Worker threads that score kernel slices; reusable across problems (each task names its
 * memory). Threads start on the first task.
 */
export class KernelPool {
  readonly workers: number;
  private piscina: Piscina | undefined;
  private closed = false;

  constructor(options: KernelPoolOptions = {}) {
    this.workers = resolveKernelPoolOptions(options).workers;
  }

  run(task: KernelTask): Promise<number> {
    if (this.closed) return Promise.reject(new Error('KernelPool is closed'));
    this.piscina ??= new Piscina({
      filename: KERNEL_WORKER_PATH,
      minThreads: this.workers,
      maxThreads: this.workers,
      idleTimeout: 60_000,
    });
    return this.piscina.run(task) as Promise<number>;
  }

  async close(): Promise<void> {
    this.closed = true;
    const piscina = this.piscina;
    this.piscina = undefined;
    if (piscina !== undefined) await piscina.destroy();
  }
}

export function createKernelPool(options: KernelPoolOptions = {}): KernelPool {
  return new KernelPool(options);
}

export interface KernelScorerOptions {
  /** Candidates one batch holds. Default 64. */
  readonly batchCapacity?: number;
  /** Workers of the scorer's own pool (ignored when `pool` is given). Default: os.availableParallelism(). */
  readonly workers?: number;
  /** A shared pool; the scorer does not close it. */
  readonly pool?: KernelPool;
  /**
   * Grouped prefetch loads in the kernel (0 or a power of two). Default: 16 when the work
   * matrix (sub-tasks × pools × 16 bytes) exceeds 1 MiB, else 0 (see PREFETCH_ABOVE_BYTES).
   */
  readonly prefetchGroup?: number;
  /**
   * Sub-tasks already placed (re-planning a running job): every candidate is scored as
   * `simulate(problem, graph, allocation, order, partial)` scores it. A candidate's order
   * still lists every sub-task once; a fixed one's allocation entry is ignored.
   */
  readonly partial?: PartialSchedule;
}

const DEFAULT_BATCH_CAPACITY = 64;
let memoryCounter = 0;

export class KernelScorer {
  readonly arena: KernelArena;
  /** Slices a batch is cut into (the pool's worker count). */
  readonly workers: number;
  private readonly kernel: KernelExports;
  private readonly memoryId: string;
  private pool: KernelPool | undefined;
  private readonly ownsPool: boolean;
  private busy = false;
  private closed = false;

  constructor(problem: Problem, graph: SubtaskGraph, options: KernelScorerOptions = {}) {
    const batchCapacity = options.batchCapacity ?? DEFAULT_BATCH_CAPACITY;
    if (!Number.isInteger(batchCapacity) || batchCapacity < 1) throw new RangeError(`options.batchCapacity must be an integer ≥ 1 (got ${String(options.batchCapacity)})`);
    this.workers = options.pool?.workers ?? resolveKernelPoolOptions(options.workers === undefined ? {} : { workers: options.workers }).workers;
    this.pool = options.pool;
    this.ownsPool = options.pool === undefined;
    this.arena = new KernelArena(problem, graph, {
      batchCapacity,
      scratchCount: this.workers,
      ...(options.prefetchGroup === undefined ? {} : { prefetchGroup: options.prefetchGroup }),
      ...(options.partial === undefined ? {} : { partial: options.partial }),
    });
    this.kernel = instantiateKernel(this.arena.memory, kernelModule());
    this.memoryId = `${process.pid}:${threadId}:${++memoryCounter}`;
  }

  get batchCapacity(): number {
    return this.arena.layout.batchCapacity;
  }

  /** Allocation and order of candidate slot i, in shared memory: write them in place. */
  candidateViews(i: number): CandidateViews {
    return this.arena.candidateViews(i);
  }

  /** Scores candidates [0, count) in this thread. Returns how many are feasible. */
  scoreBatchSync(count: number): number {
    this.checkBatch(count);
    return this.checked(this.kernel.evaluate(0, count, 0), 0, count);
  }

  /** Scores candidates [0, count) over the worker pool, one contiguous slice per worker. */
  async scoreBatch(count: number): Promise<number> {
    this.checkBatch(count);
    if (count === 0) return 0;
    this.pool ??= new KernelPool({ workers: this.workers });
    const slices = Math.min(this.workers, count);
    const base = Math.floor(count / slices);
    const extra = count - base * slices;
    const runs: Promise<number>[] = [];
    let first = 0;
    for (let j = 0; j < slices; j++) {
      const size = base + (j < extra ? 1 : 0);
      runs.push(this.pool.run({ memoryId: this.memoryId, memory: this.arena.memory, first, count: size, scratch: j }));
      first += size;
    }
    this.busy = true;
    try {
      const feasible = await Promise.all(runs);
      return feasible.reduce((a, b) => a + b, 0);
    } finally {
      this.busy = false;
    }
  }

  result(i: number): KernelResult {
    return this.arena.result(i);
  }

  status(i: number): KernelStatus {
    return this.arena.status(i);
  }

  /** Objective of candidate i (NaN unless feasible), without allocating. */
  objective(i: number): number {
    return this.arena.objective(i);
  }

  /** Releases the scorer's own pool (a shared pool stays open). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.ownsPool && this.pool !== undefined) await this.pool.close();
    this.pool = undefined;
  }

  private checkBatch(count: number): void {
    if (this.closed) throw new Error('KernelScorer is closed');
    if (this.busy) throw new Error('KernelScorer is already scoring a batch: await it before starting another');
    if (!Number.isInteger(count) || count < 0 || count > this.batchCapacity) throw new RangeError(`count must be an integer in [0, ${this.batchCapacity}] (got ${count})`);
  }

  private checked(code: number, first: number, count: number): number {
    if (code < 0) throw new RangeError(`kernel refused candidates [${first}, ${first + count}): code ${code}`);
    return code;
  }
}
