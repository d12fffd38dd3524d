/**
 * The WASM kernel behind the search's BatchScorer interface. Small batches are scored in
 * this thread (a worker round trip costs more than the work); large ones are split over the
 * planner's Piscina pool, each worker scoring its slice in the shared memory in place.
 */
import { existsSync } from 'node:fs';
import type { PartialSchedule } from '../cost/simulate.js';
import type { Problem } from '../model/problem.js';
import type { SubtaskGraph } from '../model/subtasks.js';
import type { BatchScorer, CandidateSlot, ScoreResult } from '../search/scorer.js';
import { KERNEL_WASM_PATH } from './loader.js';
import { KernelScorer, type KernelPool } from './scorer.js';

/**
 * Batches below this many sub-task evaluations (candidates × sub-tasks) stay in this thread:
 * at ~30 M evaluations/s that is under ~7 ms of work, less than a useful parallel slice.
 */
export const PARALLEL_MIN_EVALUATIONS = 200_000;

/** Whether the compiled kernel is present (`npm run build:wasm`). */
export function kernelBuilt(): boolean {
  return existsSync(KERNEL_WASM_PATH);
}

export class KernelBatchScorer implements BatchScorer {
  readonly graph: SubtaskGraph;
  readonly capacity: number;
  /** Fixed sub-tasks of an extended plan: written once into the kernel's layout, honoured by every candidate. */
  readonly partial: PartialSchedule | undefined;
  private readonly scorer: KernelScorer;

  constructor(problem: Problem, graph: SubtaskGraph, capacity: number, pool: KernelPool, partial?: PartialSchedule) {
    this.graph = graph;
    this.capacity = capacity;
    this.partial = partial;
    this.scorer = new KernelScorer(problem, graph, { batchCapacity: capacity, pool, ...(partial === undefined ? {} : { partial }) });
  }

  slot(i: number): CandidateSlot {
    return this.scorer.candidateViews(i);
  }

  async score(count: number): Promise<void> {
    if (this.scorer.workers > 1 && count * this.graph.nodeCount >= PARALLEL_MIN_EVALUATIONS) await this.scorer.scoreBatch(count);
    else this.scorer.scoreBatchSync(count);
  }

  result(i: number): ScoreResult {
    const result = this.scorer.result(i);
    return result.state === 'ok' ? result : { state: 'invalid', reason: result.message };
  }

  close(): Promise<void> {
    return this.scorer.close();
  }
}
