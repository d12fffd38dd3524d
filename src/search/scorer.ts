/**
 * What the search needs from a scorer: candidate slots to write allocation/order vectors
 * into, and a call that scores the first `count` of them. The WASM kernel (over shared
 * memory, in worker threads) and the TypeScript reference both implement it.
 */
import { evaluateCandidate } from '../cost/evaluate.js';
import { ScheduleError, type PartialSchedule } from '../cost/simulate.js';
import type { Terms } from '../cost/terms.js';
import type { Problem } from '../model/problem.js';
import type { SubtaskGraph } from '../model/subtasks.js';

export interface CandidateSlot {
  readonly allocation: Int32Array;
  readonly order: Int32Array;
}

/** Terms of one scored candidate, or why it is invalid. */
export type ScoreResult = { readonly state: 'ok'; readonly terms: Terms } | { readonly state: 'invalid'; readonly reason: string };

export interface BatchScorer {
  readonly graph: SubtaskGraph;
  /** Sub-tasks already placed when extending a plan: every candidate keeps them where they are. */
  readonly partial: PartialSchedule | undefined;
  /** How many candidates one batch holds. */
  readonly capacity: number;
  /** Where to write candidate i (views; writing them is all it takes to submit). */
  slot(i: number): CandidateSlot;
  /** Scores candidates 0 .. count-1 in place. */
  score(count: number): Promise<void>;
  result(i: number): ScoreResult;
  close(): Promise<void>;
}

/** The reference cost model behind the BatchScorer interface (tests, and when no kernel is built). */
export class ReferenceBatchScorer implements BatchScorer {
  readonly graph: SubtaskGraph;
  readonly capacity: number;
  readonly partial: PartialSchedule | undefined;
  private readonly problem: Problem;
  private readonly slots: CandidateSlot[];
  private readonly results: ScoreResult[];

  constructor(problem: Problem, graph: SubtaskGraph, capacity: number, partial?: PartialSchedule) {
    this.problem = problem;
    this.partial = partial;
    this.graph = graph;
    this.capacity = capacity;
    this.slots = Array.from({ length: capacity }, () => ({ allocation: new Int32Array(graph.nodeCount), order: new Int32Array(graph.nodeCount) }));
    this.results = [];
  }

  slot(i: number): CandidateSlot {
    return this.slots[i]!;
  }

  score(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const { allocation, order } = this.slots[i]!;
      try {
        this.results[i] = { state: 'ok', terms: evaluateCandidate(this.problem, { graph: this.graph, allocation, order, variant: 'search' }, this.partial).terms };
      } catch (error) {
        if (!(error instanceof ScheduleError)) throw error;
        this.results[i] = { state: 'invalid', reason: error.message };
      }
    }
    return Promise.resolve();
  }

  result(i: number): ScoreResult {
    return this.results[i]!;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
