/**
 * apportion's constructive planner.
 *
 * Partition: divisible stages split across pools by divisible-load theory with chunk sizes
 * from the overhead/rework trade-off (`divisible.ts`); tiny atomic tasks clustered
 * horizontally (`cluster.ts`). Allocation: list scheduling in upward-rank order with
 * insertion, scoring each pool on the full objective: the USD the placement costs (price,
 * egress, rework) plus the exchange rate times how far it pushes the projected makespan
 * (finish + the sub-task's remaining critical path beyond the current projection).
 *
 * Each choice has a simpler alternative that wins on some inputs (even chunks vs DLT,
 * clustering or not, objective-aware vs earliest-finish scoring), and planning is cheap
 * next to running the job, so the planner builds each combination and keeps the best by
 * the reference cost model. `variant` says which one won.
 */
import { evaluateCandidate, isBetter, type ScoredCandidate } from '../cost/evaluate.js';
import { makespanLowerBoundS } from '../cost/bounds.js';
import { usdPerSecond } from '../model/objective.js';
import { orderByStart } from '../cost/simulate.js';
import { InputError } from '../model/issues.js';
import type { Problem } from '../model/problem.js';
import { INSERTION_LIMIT, listSchedule, placementCostUsd } from './list-schedule.js';
import { buildSubtaskGraph, type SubtaskGraph } from '../model/subtasks.js';
import { defaultPartition } from './partition.js';
import { PUBLISHED, toCandidate, type PublishedId } from './published/index.js';
import { cheapestRegion, inputRegion, OUT_OF_REGION_PENALTY } from './data-local.js';
import type { Candidate } from '../cost/candidate.js';
import type { Planner, PlannerOptions } from './planner.js';
import { byDecreasingRank, meanRuntimeS, upwardRank } from './rank.js';
import { buildVariant, defaultSpecs, type PartitionVariant } from './variants.js';

/** Earliest finish only: HEFT's rule, on this planner's partition. */
function scheduleEarliestFinish(problem: Problem, variant: PartitionVariant, priority: Int32Array, options: PlannerOptions | undefined): Candidate {
  const result = listSchedule(problem, variant.graph, priority, {
    insertion: variant.graph.nodeCount <= INSERTION_LIMIT,
    pinned: variant.pinned,
    partial: options?.extend?.partial,
    score: (_s, _p, _start, finish) => finish,
    scoreLowerBound: (_s, _p, earliestFinish) => earliestFinish,
  });
  return { graph: variant.graph, allocation: result.allocation, order: orderByStart(variant.graph, result.startS), variant: `${variant.label}, earliest-finish`, spec: variant.spec };
}

/**
 * Full objective: placement USD + exchange rate × growth of the projected makespan. With
 * `dataLocal`, pools outside the region holding most of the sub-task's inputs lose to every pool
 * inside it (data-local.ts).
 */
function scheduleObjectiveAware(
  problem: Problem,
  variant: PartitionVariant,
  priority: Int32Array,
  tailS: Float64Array,
  rateFactor: number,
  options: PlannerOptions | undefined,
  dataLocal = false,
): Candidate {
  const graph = variant.graph;
  const usdPerS = usdPerSecond(problem.objective) * rateFactor;
  const regionIndex = problem.pools.regionIndex;
  const bytesByRegion = new Float64Array(problem.network.regionCount);
  const fallbackRegion = dataLocal ? cheapestRegion(problem) : -1;
  // The data's region of the sub-task being placed, computed once per sub-task (its inputs are placed).
  let regionOf = -1;
  let region = -1;
  const penalty = (s: number, p: number, allocation: Int32Array): number => {
    if (!dataLocal) return 0;
    if (regionOf !== s) {
      regionOf = s;
      region = inputRegion(problem, graph, s, allocation, bytesByRegion, fallbackRegion);
    }
    return regionIndex[p] === region ? 0 : OUT_OF_REGION_PENALTY;
  };
  let projectedS = 0;
  const result = listSchedule(problem, graph, priority, {
    insertion: graph.nodeCount <= INSERTION_LIMIT,
    pinned: variant.pinned,
    partial: options?.extend?.partial,
    score: (s, p, _start, finish, allocation) => {
      const growthS = Math.max(0, finish + tailS[s]! - projectedS);
      return usdPerS * growthS + placementCostUsd(problem, graph, s, p, allocation) + penalty(s, p, allocation);
    },
    // The score only grows with the finish time, so the earliest possible finish bounds it.
    scoreLowerBound: (s, p, earliestFinish, allocation) => {
      const growthS = Math.max(0, earliestFinish + tailS[s]! - projectedS);
      return usdPerS * growthS + placementCostUsd(problem, graph, s, p, allocation) + penalty(s, p, allocation);
    },
    onPlaced: (s, _p, _start, finish) => {
      projectedS = Math.max(projectedS, finish + tailS[s]!);
    },
  });
  const rate = rateFactor === 1 ? '' : `, time at ${Number(rateFactor.toPrecision(2))}× its rate`;
  const label = `${dataLocal ? 'data-local ' : ''}objective-aware${rate}`;
  return { graph, allocation: result.allocation, order: orderByStart(graph, result.startS), variant: `${variant.label}, ${label}`, spec: variant.spec };
}

/** The cheapest pool for each sub-task (price + egress), time ignored: the `cheapest` baseline's rule on this partition. */
function scheduleCheapest(problem: Problem, variant: PartitionVariant, priority: Int32Array, options: PlannerOptions | undefined): Candidate {
  const graph = variant.graph;
  const result = listSchedule(problem, graph, priority, {
    insertion: graph.nodeCount <= INSERTION_LIMIT,
    pinned: variant.pinned,
    partial: options?.extend?.partial,
    score: (s, p, _start, _finish, allocation) => placementCostUsd(problem, graph, s, p, allocation),
    scoreLowerBound: (s, p, _earliestFinish, allocation) => placementCostUsd(problem, graph, s, p, allocation),
  });
  return { graph, allocation: result.allocation, order: orderByStart(graph, result.startS), variant: `${variant.label}, cheapest`, spec: variant.spec };
}

/**
 * Least time that must follow each sub-task's finish: the upward rank over its fastest pool's
 * runtimes, minus its own. The objective-aware rule projects the makespan with these tails. Tails
 * from mean runtimes (HEFT's rank) overestimate the projection when pools differ in speed, and
 * the slack that leaves was filled by cheap slow pools: on 1,000 tasks × 16 synthetic pools the
 * rule's plan was 36 % worse than HEFT's (makespan 10,039 s against 6,507); with these optimistic
 * tails (as PEFT's optimistic cost table) it is 8 % better, and it wins 100 of the 105 weighted
 * bench:quality cases.
 */
function optimisticTailsS(problem: Problem, graph: SubtaskGraph): Float64Array {
  let byGraph = tailsOf.get(problem);
  if (byGraph === undefined) tailsOf.set(problem, (byGraph = new WeakMap()));
  let tails = byGraph.get(graph);
  if (tails === undefined) byGraph.set(graph, (tails = computeOptimisticTailsS(problem, graph)));
  return tails;
}

/** Per problem and graph: the perturbed restarts ask for the same partition's tails each time. */
const tailsOf = new WeakMap<Problem, WeakMap<SubtaskGraph, Float64Array>>();

function computeOptimisticTailsS(problem: Problem, graph: SubtaskGraph): Float64Array {
  const P = graph.poolCount;
  const fastestS = new Float64Array(graph.nodeCount);
  for (let s = 0; s < graph.nodeCount; s++) {
    let best = Number.POSITIVE_INFINITY;
    for (let p = 0; p < P; p++) best = Math.min(best, graph.expectedS[s * P + p]!);
    fastestS[s] = Number.isFinite(best) ? best : 0;
  }
  const rank = upwardRank(problem, graph, fastestS);
  for (let s = 0; s < graph.nodeCount; s++) rank[s]! -= fastestS[s]!;
  return rank;
}

/**
 * The objective-aware rule is greedy: it weighs each placement's price against how far it
 * pushes the projected makespan, which misjudges the makespan cost of early placements.
 * Scheduling with the exchange rate scaled down and up traces the time/price trade-off;
 * the reference model then judges every result at the true rate.
 */
function exchangeRateFactors(problem: Problem): number[] {
  if (problem.objective.kind === 'makespan') return [];
  if (problem.objective.kind === 'cost') return [1];
  // Rate 0 (price only) never won on the 210 bench:quality cases; 0.25 and 4 did.
  return [1, 0.25, 4];
}

export interface ApportionResult {
  readonly best: ScoredCandidate;
  readonly tried: readonly ScoredCandidate[];
}

/**
 * Candidates for one partition, made lazily so an anytime caller can stop between them:
 * HEFT's earliest-finish rule first (the safest single guess: on synthetic graphs the
 * objective-aware rule alone was 37 % worse), then the objective-aware rule at each rate.
 */
export function* scheduleVariant(problem: Problem, variant: PartitionVariant, options?: PlannerOptions): Generator<Candidate> {
  const meanS = meanRuntimeS(variant.graph);
  const rank = upwardRank(problem, variant.graph, meanS);
  const priority = byDecreasingRank(variant.graph, rank);
  const tailS = optimisticTailsS(problem, variant.graph);
  // On clustered partitions only the true rate: the other rates won 0 of 210 bench cases there.
  // On bags cut one task per chunk too: it is there for the homogeneous case (bwa, seismology).
  const factors = variant.spec?.cluster === true || variant.spec?.bagTasks === true ? exchangeRateFactors(problem).slice(0, 1) : exchangeRateFactors(problem);
  // Where price matters and there is a network to cross: keep work by its data (data-local.ts),
  // and the price-only rule, which the greedy trade misses on free pools by the data. When
  // moving the data would cost more than the work, the data-local rule goes first: it is the
  // plan an embedding caller asking for one variant gets.
  const dataRules = weighsDataPlacement(problem);
  const dataFirst = dataRules && dataDominated(problem);
  if (dataFirst) yield scheduleObjectiveAware(problem, variant, priority, tailS, 1, options, true);
  yield scheduleEarliestFinish(problem, variant, priority, options);
  for (const factor of factors) yield scheduleObjectiveAware(problem, variant, priority, tailS, factor, options);
  if (dataRules) {
    for (const factor of factors.slice(dataFirst ? 1 : 0, 2)) yield scheduleObjectiveAware(problem, variant, priority, tailS, factor, options, true);
    yield scheduleCheapest(problem, variant, priority, options);
  }
}

/**
 * Would moving every stage's outputs and inputs across regions once, at the cheapest egress
 * rate, cost more than running all the work at the cheapest paid price plus the critical path
 * at the exchange rate? Then where the data sits decides more than where the work runs
 * fastest. (Without the time term a 1,000-task layered DAG with 1 kB–1 GB outputs counted as
 * data-bound, and the data-local rule's plan there was 36 % worse than HEFT's rule.)
 */
export function dataDominated(problem: Problem): boolean {
  let dominated = dataDominatedOf.get(problem);
  if (dominated === undefined) dataDominatedOf.set(problem, (dominated = computeDataDominated(problem)));
  return dominated;
}

/** Per problem: an embedding caller plans one problem many times, each first variant asks. */
const dataDominatedOf = new WeakMap<Problem, boolean>();

function computeDataDominated(problem: Problem): boolean {
  const { pools, network } = problem;
  const R = network.regionCount;
  let egressUsdPerByte = Number.POSITIVE_INFINITY;
  for (let a = 0; a < R; a++) for (let b = 0; b < R; b++) if (a !== b) egressUsdPerByte = Math.min(egressUsdPerByte, network.egressUsdPerByte[a * R + b]!);
  let priceUsdPerWorkS = Number.POSITIVE_INFINITY;
  for (let p = 0; p < pools.count; p++) if (pools.priceUsdPerSlotS[p]! > 0) priceUsdPerWorkS = Math.min(priceUsdPerWorkS, pools.priceUsdPerSlotS[p]! / pools.speed[p]!);
  if (!Number.isFinite(egressUsdPerByte) || egressUsdPerByte === 0 || !Number.isFinite(priceUsdPerWorkS)) return false;
  let bytes = 0;
  for (const b of problem.stages.succBytes) bytes += b;
  for (const b of problem.externalBytes) bytes += b;
  let workS = 0;
  for (const w of problem.stageWorkS) workS += w;
  return bytes * egressUsdPerByte > workS * priceUsdPerWorkS + usdPerSecond(problem.objective) * makespanLowerBoundS(problem);
}

/** Price matters and there is a network to cross: the data-local and cheapest rules join. */
function weighsDataPlacement(problem: Problem): boolean {
  return problem.objective.kind !== 'makespan' && problem.network.regionCount > 1;
}

/** Candidates scheduleVariant yields on an unclustered partition (for progress: an upper count). */
function candidatesPerVariant(problem: Problem): number {
  const factors = exchangeRateFactors(problem).length;
  return 1 + factors + (weighsDataPlacement(problem) ? Math.min(2, factors) + 1 : 0);
}

/** Spread of the log-normal noise on sub-task weights (priorities) and pool prices. */
const PRIORITY_NOISE = 0.3;
const PRICE_NOISE = 0.5;

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * One list schedule from perturbed priorities and pool prices (GRASP-like restarts): an escape
 * from the constructive plan that changes many placements at once. The weights behind the
 * upward rank are scaled by log-normal noise (positive weights keep the rank order
 * topological), each pool's price by another, and the rule is drawn from the portfolio's
 * (earliest finish; objective-aware at a log-uniform exchange-rate factor in [0.1, 10];
 * data-local where it applies). The candidate is scheduled on the perturbed prices; the caller
 * scores it on the true ones.
 */
export function perturbedSchedule(problem: Problem, variant: PartitionVariant, random: () => number): Candidate {
  const graph = variant.graph;
  const meanS = meanRuntimeS(graph);
  const weights = meanS.map((w) => w * Math.exp(PRIORITY_NOISE * gaussian(random)));
  const rank = upwardRank(problem, graph, weights);
  const priority = byDecreasingRank(graph, rank);
  const rules = problem.objective.kind === 'makespan' ? 1 : weighsDataPlacement(problem) ? 3 : 2;
  const rule = Math.floor(random() * rules);
  let candidate: Candidate;
  if (rule === 0) candidate = scheduleEarliestFinish(problem, variant, priority, undefined);
  else {
    const prices = problem.pools.priceUsdPerSlotS.map((price) => price * Math.exp(PRICE_NOISE * gaussian(random)));
    const perturbed: Problem = { ...problem, pools: { ...problem.pools, priceUsdPerSlotS: prices } };
    const factor = 10 ** (2 * random() - 1);
    candidate = scheduleObjectiveAware(perturbed, variant, priority, optimisticTailsS(problem, graph), factor, undefined, rule === 2);
  }
  return { ...candidate, variant: `${candidate.variant}, perturbed` };
}

export interface ApportionOptions extends PlannerOptions {
  /** Checked between partition variants: lets an anytime caller stop after the first. */
  readonly shouldStop?: () => boolean;
}

export function planApportion(problem: Problem, options?: ApportionOptions): ApportionResult {
  const specs = options?.extend !== undefined ? [] : defaultSpecs(problem);
  const total = Math.max(1, specs.length) * candidatesPerVariant(problem) + 1 + STATIC_RULES.length + READY_SET_RULES.length;
  const tried: ScoredCandidate[] = [];
  let best: ScoredCandidate | undefined;
  // A partition whose sub-tasks no pool can finish (chunks too long for a pool whose capacity
  // ends) is skipped; only if every partition fails is the input infeasible.
  let firstFailure: InputError | undefined;
  const consider = (variant: PartitionVariant): void => {
    const candidates = scheduleVariant(problem, variant, options);
    for (;;) {
      // Check before the generator builds the next candidate: building is the costly part.
      if (best !== undefined && options?.shouldStop?.() === true) return;
      let next: IteratorResult<Candidate>;
      try {
        next = candidates.next();
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        firstFailure ??= error;
        return;
      }
      if (next.done === true) return;
      const candidate = next.value;
      const scored = evaluateCandidate(problem, candidate, options?.extend?.partial);
      tried.push(scored);
      if (best === undefined || isBetter(problem, scored, best)) best = scored;
      options?.onProgress?.(tried.length, total, best.terms.objective);
    }
  };
  if (options?.extend !== undefined) consider({ graph: options.extend.graph, pinned: undefined, label: 'kept partition', spec: undefined });
  const seen = new Set<number>();
  for (const spec of specs) {
    if (best !== undefined && options?.shouldStop?.() === true) break;
    let variant: PartitionVariant;
    try {
      variant = buildVariant(problem, spec);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      firstFailure ??= error;
      continue;
    }
    // Clustering that groups nothing gives the same graph as no clustering: skip the repeat.
    if (spec.cluster && seen.has(variant.graph.nodeCount * 2 + (spec.split === 'dlt' ? 1 : 0))) continue;
    seen.add(variant.graph.nodeCount * 2 + (spec.split === 'dlt' ? 1 : 0));
    consider(variant);
  }
  // Rules of the baselines, on one sub-task per task (taskRules): each is one list schedule more.
  if (options?.extend === undefined) {
    try {
      const rules = taskRules(problem);
      // Check before the generator builds the next candidate: building is the costly part.
      while (best === undefined || options?.shouldStop?.() !== true) {
        const next = rules.next();
        if (next.done === true) break;
        const scored = evaluateCandidate(problem, next.value);
        tried.push(scored);
        if (best === undefined || isBetter(problem, scored, best)) best = scored;
        options?.onProgress?.(tried.length, total, best.terms.objective);
      }
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      firstFailure ??= error;
    }
  }
  if (best === undefined) throw firstFailure ?? new Error('internal: no partition to plan');
  return { best, tried };
}

/**
 * The published rules apportion also tries (planners/published), on one sub-task per task as
 * their papers schedule. HEFT is the earliest-finish rule above, MCT the greedy rule, Duplex
 * the better of MinMin and MaxMin: not repeated. The ready-set rules rescan the ready sub-tasks
 * at every step (BIL 8–10 ms at 1,000 × 16, the others 2–3 ms), so they are tried only
 * where few are ready at once (READY_SET_WORK); the static ones up to INSERTION_LIMIT.
 */
const STATIC_RULES: readonly PublishedId[] = ['peft', 'cpop', 'mst', 'met', 'olb', 'fastest-node'];
// DLS (Sih & Lee 1993) is left out: it beat the portfolio in none of the 234 bench:quality cases
// and took 9 ms at 1,000 × 16, as long as the other five ready-set rules together.
const READY_SET_RULES: readonly PublishedId[] = ['sufferage', 'minmin', 'maxmin', 'etf', 'bil'];
/**
 * The ready-set rules cost about sub-tasks × ready sub-tasks × pools: on seismology's 1,000
 * parallel tasks 30–60 ms each (against 1–2 ms on a 1,000-task layered DAG 32 wide), so they are
 * tried while sub-tasks × the widest level stays within this.
 */
export const READY_SET_WORK = 100_000;
/**
 * Up to this, on wide graphs, BIL alone: it beat the rest by 1.7–4.6 % on the 1,000-wide fan and
 * shuffle families under the makespan objective (bench:quality), at about 0.1 s for 1,000 × 1,000.
 */
export const WIDE_READY_SET_WORK = 1_100_000;
const WIDE_READY_SET_RULES: readonly PublishedId[] = ['bil'];

/** Sub-tasks in the widest level (the graph's longest-path depth): how many can be ready at once, roughly. */
function widestLevel(graph: SubtaskGraph): number {
  const count = new Int32Array(Math.max(1, graph.levelCount));
  let widest = 1;
  for (let s = 0; s < graph.nodeCount; s++) widest = Math.max(widest, ++count[graph.level[s]!]!);
  return widest;
}

/**
 * The baselines' rules on the partition they plan: one sub-task per task (a bag of WfFormat
 * tasks cut one task per chunk, which costs what its atomic tasks cost). The greedy rule's
 * topological priority beats the upward rank on some graphs (blast on one pool); the published
 * rules each win somewhere (Sufferage on blast, PEFT on montage and seismology: bench:quality).
 */
function* taskRules(problem: Problem): Generator<Candidate> {
  const graph = problem.bags !== undefined ? buildVariant(problem, { split: 'even', cluster: false, chunkScale: 1, clusterScale: 1, bagTasks: true }).graph : buildSubtaskGraph(problem, defaultPartition(problem));
  const result = listSchedule(problem, graph, graph.order, { insertion: false, score: (_s, _p, _start, finish) => finish });
  yield { graph, allocation: result.allocation, order: orderByStart(graph, result.startS), variant: 'greedy earliest-finish (baseline rule)' };
  const readyWork = graph.nodeCount <= WIDE_READY_SET_WORK ? graph.nodeCount * widestLevel(graph) : Number.POSITIVE_INFINITY;
  const rules = [...(graph.nodeCount <= INSERTION_LIMIT ? STATIC_RULES : []), ...(readyWork <= READY_SET_WORK ? READY_SET_RULES : readyWork <= WIDE_READY_SET_WORK ? WIDE_READY_SET_RULES : [])];
  for (const id of rules) {
    const rule = PUBLISHED[id];
    yield toCandidate(graph, rule.schedule(problem, graph, { insertion: rule.insertion }), `${rule.name} (${rule.source})`);
  }
}

export const apportion: Planner = {
  id: 'apportion',
  description: 'DLT split, clustering, objective-aware list scheduling; best variant by the cost model',
  plan(problem, options) {
    const { best } = planApportion(problem, options);
    return { graph: best.graph, allocation: best.allocation, order: best.order, variant: best.variant };
  },
};
