/**
 * One problem's kernel memory: laid out and filled once, then reused batch after batch.
 * Candidates are written through `candidateViews(i)` straight into shared memory and
 * results read in place from the output region.
 */
import type { Terms } from '../cost/terms.js';
import type { Problem } from '../model/problem.js';
import type { SubtaskGraph } from '../model/subtasks.js';
import { createKernelMemory, LAYOUT, memoryViews, planKernelLayout, writeKernelInputs, type KernelLayout, type LayoutOptions, type MemoryViews } from './layout.js';

export interface CandidateViews {
  /** Pool of each sub-task. */
  readonly allocation: Int32Array;
  /** Dispatch order: a topological order of the sub-tasks. */
  readonly order: Int32Array;
}

export type KernelStatus = 'ok' | 'pool-forbidden' | 'not-topological' | 'no-slot' | 'not-permutation';

const STATUS_NAMES: Readonly<Record<number, KernelStatus>> = {
  [LAYOUT.STATUS_OK]: 'ok',
  [LAYOUT.STATUS_POOL_FORBIDDEN]: 'pool-forbidden',
  [LAYOUT.STATUS_NOT_TOPOLOGICAL]: 'not-topological',
  [LAYOUT.STATUS_NO_SLOT]: 'no-slot',
  [LAYOUT.STATUS_NOT_PERMUTATION]: 'not-permutation',
};

export type KernelResult =
  | { readonly state: 'ok'; readonly terms: Terms }
  | {
      readonly state: 'invalid';
      readonly status: Exclude<KernelStatus, 'ok'>;
      /** Sub-task at which scoring stopped (-1 when the order itself is malformed). */
      readonly subtask: number;
      /** Position in the order at which scoring stopped. */
      readonly orderIndex: number;
      readonly message: string;
    };

export class KernelArena {
  readonly problem: Problem;
  readonly graph: SubtaskGraph;
  readonly layout: KernelLayout;
  readonly memory: WebAssembly.Memory;
  readonly views: MemoryViews;
  private readonly candidates: (CandidateViews | undefined)[];

  constructor(problem: Problem, graph: SubtaskGraph, options: LayoutOptions) {
    this.problem = problem;
    this.graph = graph;
    this.layout = planKernelLayout(problem, graph, options);
    this.memory = createKernelMemory(this.layout);
    this.views = memoryViews(this.memory);
    writeKernelInputs(this.memory, this.layout, problem, graph, options.partial);
    this.candidates = new Array<CandidateViews | undefined>(this.layout.batchCapacity).fill(undefined);
  }

  /** Views of candidate slot i in shared memory (the same arrays on every call). */
  candidateViews(i: number): CandidateViews {
    this.checkIndex(i);
    let views = this.candidates[i];
    if (views === undefined) {
      const n = this.layout.nodeCount;
      const at = this.layout.candidates + i * this.layout.candidateStride;
      views = { allocation: new Int32Array(this.memory.buffer, at, n), order: new Int32Array(this.memory.buffer, at + 4 * n, n) };
      this.candidates[i] = views;
    }
    return views;
  }

  /** Copies a candidate into slot i (for callers that hold their own arrays). */
  setCandidate(i: number, allocation: ArrayLike<number>, order: ArrayLike<number>): void {
    const views = this.candidateViews(i);
    if (allocation.length !== views.allocation.length || order.length !== views.order.length) {
      throw new RangeError(`candidate ${i}: allocation and order must list ${views.order.length} sub-tasks (got ${allocation.length} and ${order.length})`);
    }
    views.allocation.set(allocation);
    views.order.set(order);
  }

  statusCode(i: number): number {
    return this.views.i32[(this.outputAt(i) + LAYOUT.OUT_STATUS) >> 2]!;
  }

  status(i: number): KernelStatus {
    return STATUS_NAMES[this.statusCode(i)] ?? 'not-permutation';
  }

  /** Objective of candidate i (NaN unless its status is ok); no allocation. */
  objective(i: number): number {
    return this.views.f64[(this.outputAt(i) + LAYOUT.OUT_OBJECTIVE) >> 3]!;
  }

  result(i: number): KernelResult {
    const at = this.outputAt(i);
    const { i32, f64 } = this.views;
    const status = this.status(i);
    if (status === 'ok') {
      const term = (field: number): number => f64[(at + field) >> 3]!;
      return {
        state: 'ok',
        terms: {
          makespanS: term(LAYOUT.OUT_MAKESPAN_S),
          computeUsd: term(LAYOUT.OUT_COMPUTE_USD),
          egressUsd: term(LAYOUT.OUT_EGRESS_USD),
          costUsd: term(LAYOUT.OUT_COST_USD),
          transferS: term(LAYOUT.OUT_TRANSFER_S),
          transferBytes: term(LAYOUT.OUT_TRANSFER_BYTES),
          contentionS: term(LAYOUT.OUT_CONTENTION_S),
          interruptionS: term(LAYOUT.OUT_INTERRUPTION_S),
          interruptionUsd: term(LAYOUT.OUT_INTERRUPTION_USD),
          objective: term(LAYOUT.OUT_OBJECTIVE),
        },
      };
    }
    const subtask = i32[(at + LAYOUT.OUT_SUBTASK) >> 2]!;
    const orderIndex = i32[(at + LAYOUT.OUT_ORDER_INDEX) >> 2]!;
    return { state: 'invalid', status, subtask, orderIndex, message: this.describe(i, status, subtask, orderIndex) };
  }

  private describe(i: number, status: Exclude<KernelStatus, 'ok'>, subtask: number, orderIndex: number): string {
    const { allocation, order } = this.candidateViews(i);
    const pool = subtask >= 0 ? allocation[subtask]! : -1;
    const poolName = this.problem.pools.ids[pool] ?? String(pool);
    switch (status) {
      case 'pool-forbidden':
        return `sub-task ${subtask} cannot run on pool ${poolName}`;
      case 'not-topological':
        return `order is not topological: sub-task ${subtask} (position ${orderIndex}) comes before one of its inputs`;
      case 'no-slot':
        return `pool ${poolName} never has a slot long enough for sub-task ${subtask} (${this.graph.expectedS[subtask * this.layout.poolCount + pool]} s)`;
      case 'not-permutation':
        return `order is not a permutation of the sub-tasks: position ${orderIndex} names ${order[orderIndex]}, which is out of range or listed twice`;
    }
  }

  private outputAt(i: number): number {
    this.checkIndex(i);
    return this.layout.output + i * this.layout.outputStride;
  }

  private checkIndex(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.layout.batchCapacity) throw new RangeError(`candidate index ${i} is outside the batch (capacity ${this.layout.batchCapacity})`);
  }
}
