/**
 * The anytime planning engine behind `createPlanner()`.
 *
 *   1. construct  the constructive planner's variants, simplest first; always at least one,
 *                 more while time allows (a plan exists from the first milliseconds on)
 *   2. partition  neighbours of the best partition (more/fewer chunks, bigger/smaller
 *                 clusters, clustering on/off, even/DLT split), each constructed and scored
 *   3. refine     the LP/ILP: a certified lower bound, and an integer skeleton (chunks and
 *                 task counts per pool) turned into one more candidate
 *   3b. perturb   list scheduling again on the best partition from perturbed priorities and
 *                 pool prices, each scored (escapes that change many placements at once)
 *   4. search     batched neighbourhood moves on the best graph, scored by the batch scorer
 *                 (WASM kernel in worker threads when built) until the budget or the signal ends
 *
 * Whatever happens, the best candidate is re-scored by the reference model, so every plan's
 * numbers come from one semantics. A budget of 0 is the constructive plan (phase 1 alone, also
 * callable synchronously as `construct`). The engine returns the scored candidate and its
 * bound; the Plan document is built from them one layer up (src/plan).
 */
import { evaluateCandidate, isBetter, type ScoredCandidate } from '../cost/evaluate.js';
import { checkAttainable, extensionBound, gapTo, type LowerBound } from '../cost/bounds.js';
import type { PartialSchedule } from '../cost/simulate.js';
import type { Problem } from '../model/problem.js';
import type { SubtaskGraph } from '../model/subtasks.js';
import { perturbedSchedule, planApportion, scheduleVariant } from '../planners/apportion.js';
import { seededRandom } from '../util/random.js';
import { InputError } from '../model/issues.js';
import type { ExtendFrom, PlannerId } from '../planners/planner.js';
import { PLANNERS } from '../planners/registry.js';
import { monotonicMs, type ClockMs } from '../util/clock.js';
import type { PartitionSpec } from '../model/subtasks.js';
import { buildVariant } from '../planners/variants.js';
import { verticalChains } from '../planners/cluster.js';
import { improve, type SearchProgress } from '../search/improve.js';
import type { BatchScorer } from '../search/scorer.js';

/** What the engine needs from the LP/ILP layer (see src/solve). */
export interface Refiner {
  refine(problem: Problem, timeLimitMs: number, clockMs: ClockMs): Promise<{ bound: LowerBound | undefined; candidate: ScoredCandidate | undefined; notes: readonly string[] }>;
}

export type ScorerFactory = (problem: Problem, graph: SubtaskGraph, partial: PartialSchedule | undefined) => Promise<BatchScorer>;

export interface EngineParts {
  readonly makeScorer: ScorerFactory;
  readonly refiner: Refiner | undefined;
}

/**
 * Share of the remaining budget given to the LP bound and ILP skeleton. The bound alone
 * needed 0.3–1 s on the larger traces; with less it falls back to the much weaker quick
 * bound (bench:quality: 11 of 210 cases at 7.5 % of a 1 s budget).
 */
const REFINE_SHARE = 0.5;

/**
 * Share of the budget the constructive portfolio may use. At 1,000 × 16 the whole portfolio
 * takes about 70 ms, which left a 100 ms budget nothing for the search.
 */
const CONSTRUCT_SHARE = 0.5;

/** Share of the budget left after the refinement given to perturbed list scheduling. */
const PERTURB_SHARE = 0.2;
/** Perturbed restarts in a row without a better plan after which the budget goes to the next phase. */
const PERTURB_PATIENCE = 64;

export interface PlanRequest {
  readonly planner?: PlannerId;
  /** Total wall time for planning; 0 = the constructive plan only. */
  readonly timeBudgetMs?: number;
  /**
   * Constructive variants (partition × list-scheduling rule) scored at most; default all of
   * them (the constructive plan). 1 gives the first variant's plan, the fastest plan there is
   * (an embedding scheduler's per-decision latency, 10^6-node graphs).
   */
  readonly constructiveVariants?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: SearchProgress) => void;
  readonly seed?: number;
  /** Stop the search after this many batches (reproducible runs). */
  readonly maxBatches?: number;
  readonly extend?: ExtendFrom;
  /** The clock the budget is measured on, passed down to every phase (default: monotonicMs). */
  readonly clockMs?: ClockMs;
}

export interface EngineOutcome {
  readonly planner: PlannerId;
  readonly scored: ScoredCandidate;
  readonly tried: readonly ScoredCandidate[];
  readonly bound: LowerBound;
  /** objective / bound − 1 (0 = proven optimal). */
  readonly gap: number;
  readonly notes: readonly string[];
  readonly planningMs: number;
}

export interface ConstructOutcome {
  readonly best: ScoredCandidate;
  readonly tried: readonly ScoredCandidate[];
}

/**
 * Phase 1: the chosen planner's candidate (apportion: its constructive variants, while
 * `shouldStop` allows more than the first), scored by the reference model.
 */
export function construct(problem: Problem, request: Pick<PlanRequest, 'planner' | 'extend' | 'constructiveVariants'> = {}, shouldStop?: () => boolean, onScored?: (objective: number) => void): ConstructOutcome {
  const plannerId = request.planner ?? 'apportion';
  if (plannerId === 'apportion') {
    const limit = request.constructiveVariants ?? Number.POSITIVE_INFINITY;
    if (!(limit >= 1)) throw new RangeError(`constructiveVariants: expected a number >= 1, received ${limit}`);
    let scored = 0;
    return planApportion(problem, {
      extend: request.extend,
      shouldStop: () => scored >= limit || shouldStop?.() === true,
      onProgress: (_done: number, _total: number, objective: number) => {
        scored++;
        onScored?.(objective);
      },
    });
  }
  const best = evaluateCandidate(problem, PLANNERS[plannerId].plan(problem, { extend: request.extend }), request.extend?.partial);
  return { best, tried: [best] };
}

/**
 * The bound a plan starts from: the quick bound (checkAttainable's), or for an extension the
 * extension's own (the whole job's assume every sub-task ran as modelled from 0).
 */
export function startingBound(problem: Problem, extend: ExtendFrom | undefined, quick: LowerBound): LowerBound {
  return extend === undefined ? quick : extensionBound(problem, extend.partial, extend.graph.nodeCount);
}

export async function planWithEngine(problem: Problem, parts: EngineParts, request: PlanRequest = {}): Promise<EngineOutcome> {
  const clock = request.clockMs ?? monotonicMs;
  const startedMs = clock();
  const budgetMs = request.timeBudgetMs ?? 0;
  const remainingMs = (): number => budgetMs - (clock() - startedMs);
  const outOfTime = (): boolean => request.signal?.aborted === true || remainingMs() <= 0;
  const progress = (phase: string, bestObjective: number, batches = 0, evaluations = 0): void =>
    request.onProgress?.({ phase, elapsedMs: clock() - startedMs, batches, evaluations, bestObjective });
  const quick = checkAttainable(problem);
  const plannerId = request.planner ?? 'apportion';
  const notes: string[] = [];

  // 1. construct
  // No budget: every constructive variant (the constructive plan), stopped only by the signal.
  // With a budget, the portfolio stops at CONSTRUCT_SHARE of it (after its first variant): its
  // tail (the published rules) rarely wins, and small budgets need time for the search.
  const constructUntilMs = startedMs + budgetMs * CONSTRUCT_SHARE;
  const constructStop = budgetMs > 0 ? () => outOfTime() || clock() >= constructUntilMs : () => request.signal?.aborted === true;
  const constructed = construct(problem, request, constructStop, (objective) => progress('construct', objective));
  const tried: ScoredCandidate[] = [...constructed.tried];
  let best = constructed.best;
  const consider = (candidate: ScoredCandidate): void => {
    tried.push(candidate);
    if (isBetter(problem, candidate, best)) best = candidate;
  };

  // 2–4 improve only apportion's own plan (baselines stay what they are), and only with time.
  // Extending a plan (re-planning a running job) keeps its partition and fixed sub-tasks:
  // partition moves and the LP/ILP refinement are skipped (the whole job's bounds assume every
  // sub-task ran as modelled from 0, which what already ran need not have done; the bound is
  // extensionBound's), so the budget goes to the search, which moves only what is not fixed.
  const partial = request.extend?.partial;
  let bound = startingBound(problem, request.extend, quick);
  if (plannerId === 'apportion') {
    // 2. partition
    const spec = best.spec;
    if (spec !== undefined && partial === undefined) {
      for (const neighbour of neighbourSpecs(problem, spec)) {
        if (outOfTime()) break;
        for (const candidate of scheduleVariant(problem, buildVariant(problem, neighbour))) {
          consider(evaluateCandidate(problem, candidate));
          if (outOfTime()) break;
        }
        progress('partition', best.terms.objective);
      }
    }
    // 3. refine (whole-job bounds and the skeleton do not apply to an extension: its time goes to the search)
    if (parts.refiner !== undefined && partial === undefined && remainingMs() > 0) {
      const refined = await parts.refiner.refine(problem, Math.max(1, remainingMs() * REFINE_SHARE), clock);
      notes.push(...refined.notes);
      // Both bounds are valid, so each field may take the larger.
      if (refined.bound !== undefined) {
        bound = {
          makespanS: Math.max(bound.makespanS, refined.bound.makespanS),
          costUsd: Math.max(bound.costUsd, refined.bound.costUsd),
          objective: Math.max(bound.objective, refined.bound.objective),
          source: refined.bound.objective > bound.objective ? refined.bound.source : bound.source,
        };
      }
      if (refined.candidate !== undefined) consider(refined.candidate);
      progress('refine', best.terms.objective);
    }
    // 3b. perturb: list scheduling again from perturbed priorities and prices on the best
    // partition, for a share of what is left after the LP (escapes that change many placements
    // at once). After the refinement: before it, it starved the LP bound and skeleton of time.
    if (best.spec !== undefined && partial === undefined && !outOfTime()) {
      const untilMs = clock() + remainingMs() * PERTURB_SHARE;
      const random = seededRandom(request.seed ?? 1);
      let restarts = 0;
      try {
        const builtAtMs = clock();
        const variant = buildVariant(problem, best.spec);
        // A restart costs about what building the partition did (10 s at 10^6 sub-tasks): one
        // starts only if the window has room for it, so the phase does not overrun the budget.
        let restartMs = clock() - builtAtMs;
        // With maxBatches (reproducible runs) the restarts are counted, not timed.
        const limit = request.maxBatches ?? Number.POSITIVE_INFINITY;
        const room = (): boolean => request.maxBatches !== undefined || clock() + restartMs < untilMs;
        let sinceBetter = 0;
        while (clock() < untilMs && !outOfTime() && room() && restarts < limit && sinceBetter < PERTURB_PATIENCE) {
          restarts++;
          const before = best;
          const startedRestartMs = clock();
          consider(evaluateCandidate(problem, perturbedSchedule(problem, variant, random)));
          restartMs = clock() - startedRestartMs;
          sinceBetter = best === before ? sinceBetter + 1 : 0;
        }
      } catch (error) {
        // A perturbed schedule whose sub-task no pool can finish is not a plan; the search goes on without.
        if (!(error instanceof InputError)) throw error;
      }
      notes.push(`perturb: ${restarts} list schedules from perturbed priorities and prices`);
      progress('perturb', best.terms.objective);
    }
    // 4. search
    if (!outOfTime() && best.graph.nodeCount > (partial?.fixed.size ?? 0) + 1) {
      const scorer = await parts.makeScorer(problem, best.graph, partial);
      try {
        const improved = await improve(problem, scorer, best, {
          timeBudgetMs: remainingMs(),
          ...(request.maxBatches === undefined ? {} : { maxBatches: request.maxBatches }),
          signal: request.signal,
          seed: request.seed ?? 1,
          onProgress: request.onProgress,
          clockMs: clock,
        });
        notes.push(`search: ${improved.batches} batches, ${improved.evaluations} candidates scored, ${improved.improvements} improvements${partial === undefined ? '' : ` (${partial.fixed.size} sub-tasks fixed)`}`);
        consider(evaluateCandidate(problem, { graph: best.graph, allocation: improved.allocation, order: improved.order, variant: `${best.variant}, searched` }, partial));
      } finally {
        await scorer.close();
      }
    }
  }
  return { planner: plannerId, scored: best, tried, bound, gap: gapTo(best.terms.objective, bound), notes, planningMs: clock() - startedMs };
}

/** Partition moves: split or merge chunks, cluster more or less, toggle the split and vertical chains. */
export function neighbourSpecs(problem: Problem, spec: PartitionSpec): PartitionSpec[] {
  const hasDivisible = problem.definition.stages.some((s) => s.kind === 'divisible');
  const out: PartitionSpec[] = [];
  if (hasDivisible) {
    // From bags cut one task per chunk, chunk moves go back to even chunks at the scale.
    const chunked = spec.bagTasks === true ? { ...spec, bagTasks: false } : spec;
    out.push({ ...chunked, chunkScale: spec.chunkScale * 2 }, { ...chunked, chunkScale: spec.chunkScale / 2 });
    out.push({ ...spec, split: spec.split === 'dlt' ? 'even' : 'dlt' });
  }
  if (spec.cluster) out.push({ ...spec, clusterScale: spec.clusterScale * 2 }, { ...spec, clusterScale: spec.clusterScale / 2 });
  if (spec.vertical === true) out.push({ ...spec, vertical: false });
  else if (verticalChains(problem).length > 0) out.push({ ...spec, cluster: true, vertical: true });
  return out;
}
