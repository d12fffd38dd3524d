/**
 * Batched neighbourhood search over one sub-task graph (iterated local search).
 *
 * Each batch writes `capacity` neighbours of the current candidate straight into the
 * scorer's slots (1–2 random moves each) and scores them together (in parallel when the
 * scorer is the WASM kernel). The best neighbour replaces the current candidate if it is
 * better. After `patience` batches without progress the search kicks: the next batch is
 * built from the best candidate with several moves each and its best is taken whatever it
 * scores, to leave the local optimum. The best candidate ever seen is returned.
 *
 * Deterministic for a seed and a number of batches; a time budget or an abort signal only
 * decides after which batch it stops (anytime).
 */
import type { Problem } from '../model/problem.js';
import { simulate } from '../cost/simulate.js';
import { compareTerms } from '../cost/compare.js';
import { criticalChain } from './critical.js';
import { MoveGenerator, type Random } from './moves.js';
import type { BatchScorer } from './scorer.js';
import type { Terms } from '../cost/terms.js';
import { monotonicMs } from '../util/clock.js';
import { seededRandom } from '../util/random.js';

/** The search yields to the event loop at least this often. */
const YIELD_EVERY_MS = 10;

export interface SearchProgress {
  readonly phase: string;
  readonly elapsedMs: number;
  readonly batches: number;
  readonly evaluations: number;
  readonly bestObjective: number;
}

export interface ImproveOptions {
  /** Stop after this much wall time (measured by `clockMs`). */
  readonly timeBudgetMs: number;
  /** Stop after this many batches (for reproducible runs). */
  readonly maxBatches?: number;
  readonly signal?: AbortSignal | undefined;
  readonly seed?: number;
  readonly patience?: number;
  readonly onProgress?: ((progress: SearchProgress) => void) | undefined;
  readonly clockMs?: () => number;
  readonly phase?: string;
}

export interface Improved {
  readonly allocation: Int32Array;
  readonly order: Int32Array;
  readonly terms: Terms;
  readonly batches: number;
  readonly evaluations: number;
  readonly improvements: number;
}

export async function improve(
  problem: Problem,
  scorer: BatchScorer,
  start: { allocation: Int32Array; order: Int32Array; terms: Terms },
  options: ImproveOptions,
): Promise<Improved> {
  const clock = options.clockMs ?? monotonicMs;
  const startedMs = clock();
  const random: Random = seededRandom(options.seed ?? 1);
  const moves = new MoveGenerator(scorer.graph, (v) => problem.definition.stages[v]!.op);
  const partial = scorer.partial;
  if (partial !== undefined) moves.setMovable(Int32Array.from(scorer.graph.order).filter((s) => !partial.fixed.has(s)));
  const patience = options.patience ?? 8;
  const focusOn = (allocation: Int32Array, order: Int32Array): void => {
    const chain = criticalChain(problem, scorer.graph, simulate(problem, scorer.graph, allocation, order, partial));
    moves.setFocus(partial === undefined ? chain : chain.filter((s) => !partial.fixed.has(s)));
  };
  let current = { allocation: Int32Array.from(start.allocation), order: Int32Array.from(start.order), terms: start.terms };
  focusOn(current.allocation, current.order);
  let best = current;
  let stale = 0;
  let batches = 0;
  let evaluations = 0;
  let improvements = 0;
  const out = (): boolean =>
    options.signal?.aborted === true || clock() - startedMs >= options.timeBudgetMs || (options.maxBatches !== undefined && batches >= options.maxBatches);
  let yieldedMs = clock();
  while (!out()) {
    // Let timers and messages (an abort, a progress reader) run: an in-thread scorer's
    // promises resolve as microtasks and would otherwise starve the event loop.
    if (clock() - yieldedMs >= YIELD_EVERY_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      yieldedMs = clock();
      if (out()) break;
    }
    const kick = stale >= patience;
    const base = kick ? best : current;
    for (let i = 0; i < scorer.capacity; i++) {
      const slot = scorer.slot(i);
      slot.allocation.set(base.allocation);
      slot.order.set(base.order);
      moves.apply(slot.allocation, slot.order, kick ? 3 + Math.floor(random() * 6) : 1 + Math.floor(random() * 2), random);
    }
    await scorer.score(scorer.capacity);
    batches++;
    evaluations += scorer.capacity;
    let winner = -1;
    let winnerTerms: Terms | undefined;
    for (let i = 0; i < scorer.capacity; i++) {
      const result = scorer.result(i);
      if (result.state !== 'ok') continue;
      if (winnerTerms === undefined || compareTerms(problem, result.terms, winnerTerms) < 0) {
        winner = i;
        winnerTerms = result.terms;
      }
    }
    if (winnerTerms === undefined) continue;
    const accepted = kick || compareTerms(problem, winnerTerms, current.terms) < 0;
    if (kick) stale = 0;
    if (accepted) {
      const slot = scorer.slot(winner);
      current = { allocation: Int32Array.from(slot.allocation), order: Int32Array.from(slot.order), terms: winnerTerms };
      focusOn(current.allocation, current.order);
      if (compareTerms(problem, current.terms, best.terms) < 0) {
        best = current;
        improvements++;
        stale = 0;
      } else if (!kick) stale = 0;
    } else stale++;
    options.onProgress?.({ phase: options.phase ?? 'search', elapsedMs: clock() - startedMs, batches, evaluations, bestObjective: best.terms.objective });
  }
  return { allocation: best.allocation, order: best.order, terms: best.terms, batches, evaluations, improvements };
}
