/**
 * A fitted profile → the estimates a task definition plans on, at one quantile (`--risk`).
 *
 * History comes first: a stage whose op the profile knows plans on the profile's prediction,
 * even when the definition declares a runtime (declared numbers are guesses the history
 * corrects). A stage whose op the profile does not know keeps its declared estimate, or, with
 * none, takes the profile's global prior and is marked provisional. A divisible stage gets the
 * op's scaling law, so every chunk size the planner cuts has its own runtime:
 *   runtime(k units) = factor · (C + L·b·k + N·b·k·log2(b·k)),   b = law size units per stage unit
 * split into the stage's fixed overhead (factor·C), its per-unit runtime (the law's slope at
 * minChunk) and the n log n excess above minChunk (`runtimeLogS`).
 *
 * Speed 1 is the typical machine of the history. Pools that declare a `class` the history has
 * seen an atomic stage's op on get that class's prediction as their known runtime instead.
 */
import { profileId } from './id.js';
import type { Provisional } from '../model/problem.js';
import { superlinearS } from '../model/subtasks.js';
import { RISK_LEVELS, type RuntimeSpread } from './spread.js';
import type { AtomicStage, DivisibleStage, Pool, ResourceMap, Stage, TaskBag, TaskDefinition } from '../model/types.js';
import { chunkLaw, hasMetric, predict } from './predict.js';
import type { Profile } from './fit.js';
import type { EstimateSource, Prediction, ProfileQuery, ScalingLaw } from './types.js';

/** What the plan assumed for one stage, for `--explain`: whole-stage runtime at speed 1 (one piece). */
export interface StageEstimate {
  readonly stage: string;
  readonly op: string;
  readonly source: EstimateSource | 'definition';
  /** Records behind the answer (0 when declared). */
  readonly n: number;
  readonly provisional: boolean;
  /** Runtime at the planning quantile, then at P10 / P50 / P90 (undefined for the definition's own estimate: no spread). */
  readonly plannedS: number;
  readonly p10S: number | undefined;
  readonly p50S: number | undefined;
  readonly p90S: number | undefined;
  /** The op's scaling law for a divisible stage. */
  readonly law: ScalingLaw | undefined;
}

export interface AppliedProfile {
  readonly definition: TaskDefinition;
  readonly quantile: number;
  readonly estimates: readonly StageEstimate[];
  /** Stages planned on a prior (unknown op, or no size for the op's law). */
  readonly provisional: readonly Provisional[];
  readonly counts: { readonly history: number; readonly definition: number; readonly prior: number };
  readonly assumptions: readonly string[];
  /** The applied profile's id (profileId). */
  readonly profileId: string;
}

export function applyProfile(definition: TaskDefinition, profile: Profile, quantile: number, resources?: ResourceMap): AppliedProfile {
  const classed = (resources?.pools ?? []).filter((pool): pool is Pool & { class: string } => pool.class !== undefined);
  const bytesOf = new Map(definition.data.map((object) => [object.id, object.bytes]));
  const provisional: Provisional[] = [];
  const counts = { history: 0, definition: 0, prior: 0 };
  const level = quantileName(quantile);
  const estimates: StageEstimate[] = [];
  const proportional: string[] = [];
  const stages = definition.stages.map((stage): Stage => {
    const estimated = stage.kind === 'atomic' ? estimateAtomic(stage, profile, quantile, bytesOf, classed) : estimateDivisibleOrBag(stage, profile, quantile, bytesOf);
    if (estimated === undefined) {
      counts.definition++;
      estimates.push(declaredEstimate(stage));
      return stage;
    }
    estimates.push(describeEstimate(stage, estimated.stage, estimated.prediction, profile, quantile, bytesOf));
    if (estimated.prediction.provisional) {
      counts.prior++;
      provisional.push({ stage: stage.id, reason: priorReason(estimated.prediction, stage.op, level) });
    } else counts.history++;
    if (estimated.proportional === true) proportional.push(stage.id);
    return withMemory(estimated.stage, profile, quantile);
  });
  const assumptions = [`runtimes at ${level} of the history profile (${profile.records} records): ${counts.history} stage(s) from their op's fitted law, ${counts.prior} from a prior, ${counts.definition} from the definition`];
  if (!hasMetric(profile, 'runtimeS')) assumptions.push('the history holds no runs: every stage keeps the definition\'s estimate');
  if (proportional.length > 0) {
    assumptions.push(`runtime in proportion to chunk size for ${proportional.join(', ')}: the op's history shows one chunk size, so it cannot say how runtime grows`);
  }
  return { definition: { ...definition, stages }, quantile, estimates, provisional, counts, assumptions, profileId: profileId(profile) };
}

/**
 * What a Monte Carlo of the plan draws from (see plan/risk.ts), per stage: log(runtime at each
 * RISK_LEVELS level / runtime at `quantile`), and the op's run-to-run log sigma. Every term of a
 * stage's runtime scales with the quantile's factor, so one ratio per level holds for the whole
 * stage and each of its chunks. A stage that keeps its declared runtime has no spread (0).
 */
export function runtimeSpread(definition: TaskDefinition, profile: Profile, quantile: number): RuntimeSpread {
  const bytesOf = new Map(definition.data.map((object) => [object.id, object.bytes]));
  const L = RISK_LEVELS.length;
  const logRatio = new Float64Array(definition.stages.length * L);
  const jobShiftSigma = new Float64Array(definition.stages.length);
  definition.stages.forEach((stage, s) => {
    const estimate = (q: number): Estimated | undefined => (stage.kind === 'atomic' ? estimateAtomic(stage, profile, q, bytesOf, []) : estimateDivisibleOrBag(stage, profile, q, bytesOf));
    const planned = estimate(quantile);
    const base = planned === undefined ? undefined : wholeStageS(planned.stage);
    if (base === undefined || !(base > 0)) return;
    for (let k = 0; k < L; k++) logRatio[s * L + k] = Math.log(wholeStageS(estimate(RISK_LEVELS[k]!)!.stage) / base);
    // A prior is ignorance about the op, the same for each of its tasks: all of its spread is
    // shared (ρ = 1), or 40 tasks of an unknown op would look like 40 independent guesses.
    jobShiftSigma[s] = planned!.prediction.provisional
      ? Number.POSITIVE_INFINITY
      : profile.ops[stage.op]?.metrics.runtimeS?.jobShiftSigma ?? profile.calibration.jobShiftSigma;
  });
  return { logRatio, jobShiftSigma };
}

/** Whole-stage runtime at speed 1 as the stage now reads (the model's own arithmetic, not the profile's). */
function wholeStageS(stage: Stage): number {
  if (stage.kind === 'atomic') return stage.runtimeS ?? Number.NaN;
  return stage.overheadS + (stage.runtimePerUnitS ?? Number.NaN) * stage.units + superlinearS(stage, stage.units);
}

function declaredEstimate(stage: Stage): StageEstimate {
  return { stage: stage.id, op: stage.op, source: 'definition', n: 0, provisional: false, plannedS: wholeStageS(stage), p10S: undefined, p50S: undefined, p90S: undefined, law: undefined };
}

/** The same stage re-estimated at P10 / P50 / P90, so the explanation shows the spread the plan chose from. */
function describeEstimate(original: Stage, stage: Stage, prediction: Prediction, profile: Profile, quantile: number, bytesOf: ReadonlyMap<string, number>): StageEstimate {
  const at = (q: number): number => {
    const again = original.kind === 'atomic' ? estimateAtomic(original, profile, q, bytesOf, []) : estimateDivisibleOrBag(original, profile, q, bytesOf);
    return again === undefined ? Number.NaN : wholeStageS(again.stage);
  };
  const law = stage.kind === 'divisible' && stage.bag === undefined ? chunkLaw(profile, stage.op, quantile).law : undefined;
  return { stage: stage.id, op: stage.op, source: prediction.source, n: prediction.n, provisional: prediction.provisional, plannedS: wholeStageS(stage), p10S: at(0.1), p50S: at(0.5), p90S: at(0.9), law };
}

/** "p90" for 0.9. */
export function quantileName(quantile: number): string {
  return `p${Number((quantile * 100).toPrecision(4))}`;
}

function hasDeclaredRuntime(stage: Stage): boolean {
  return (stage.kind === 'atomic' ? stage.runtimeS : stage.runtimePerUnitS) !== undefined || (stage.runtimeByPoolS?.size ?? 0) > 0;
}

interface Estimated {
  readonly stage: Stage;
  readonly prediction: Prediction;
  /** Scaled in proportion to size from the one size the op's history shows. */
  readonly proportional?: boolean;
}

/**
 * An atomic stage's runtime at speed 1 from its op (and size); on pools that declare a class
 * the history has seen this op on, the (op, class) prediction as that pool's known runtime.
 */
function estimateAtomic(
  stage: AtomicStage,
  profile: Profile,
  quantile: number,
  bytesOf: ReadonlyMap<string, number>,
  classed: readonly (Pool & { class: string })[],
): Estimated | undefined {
  let bytesIn = 0;
  for (const input of stage.inputs) bytesIn += bytesOf.get(input) ?? 0;
  const items = typeof stage.features.items === 'number' ? stage.features.items : undefined;
  // Listed inputs give a size, even 0 bytes; a stage with none listed has an unknown size.
  const query: ProfileQuery = { op: stage.op, bytesIn: stage.inputs.length > 0 ? bytesIn : undefined, items };
  const prediction = predict(profile, 'runtimeS', query, quantile);
  // An empty history answers with nothing behind it: the definition's own estimate stands.
  if (prediction.n === 0 || (prediction.source === 'global' && hasDeclaredRuntime(stage))) return undefined;
  let byPool: Map<string, number> | undefined;
  for (const pool of classed) {
    const onClass = predict(profile, 'runtimeS', { ...query, poolClass: pool.class }, quantile);
    if (onClass.source === 'op-class') (byPool ??= new Map()).set(pool.id, onClass.value);
  }
  return { stage: { ...stage, runtimeS: prediction.value, runtimeByPoolS: byPool }, prediction };
}

function estimateDivisibleOrBag(stage: DivisibleStage, profile: Profile, quantile: number, bytesOf: ReadonlyMap<string, number>): Estimated | undefined {
  return stage.bag === undefined ? estimateDivisible(stage, profile, quantile) : estimateBag(stage, stage.bag, profile, quantile, bytesOf);
}

/**
 * A bag of WfFormat tasks (model/bags.ts): each task is a run of its own, so each is predicted
 * as the atomic task it was (its own inputs, one item), never through the op's chunk law (whose
 * constant is per run and whose size would be the bag's). The bag keeps the predictions as its
 * tasks' weights, and their mean as its per-unit runtime. Pools' class predictions are not
 * applied (they are whole-stage runtimes). Undefined when the profile has no answer for a task.
 */
function estimateBag(stage: DivisibleStage, bag: TaskBag, profile: Profile, quantile: number, bytesOf: ReadonlyMap<string, number>): Estimated | undefined {
  const n = bag.taskIds.length;
  const runtimeS = new Float64Array(n);
  let total = 0;
  let prediction: Prediction | undefined;
  for (let i = 0; i < n; i++) {
    const task: AtomicStage = {
      kind: 'atomic', id: bag.taskIds[i]!, op: stage.op, after: [], features: { items: 1 }, inputs: bag.inputs[i]!, outputs: bag.outputs[i]!,
      memGb: stage.memGb, pools: undefined, overheadS: 0, runtimeByPoolS: undefined, runtimeS: bag.runtimeS[i], outputBytes: 0,
    };
    const estimated = estimateAtomic(task, profile, quantile, bytesOf, []);
    if (estimated === undefined) return undefined;
    runtimeS[i] = (estimated.stage as AtomicStage).runtimeS!;
    total += runtimeS[i]!;
    prediction ??= estimated.prediction;
  }
  return { stage: { ...stage, runtimePerUnitS: total / n, runtimeLogS: 0, runtimeByPoolS: undefined, bag: { ...bag, runtimeS } }, prediction: prediction! };
}

/**
 * A divisible stage from its op's law. The history answers in its own size unit (items, or
 * bytes read); `perUnit` converts: law size units per stage unit. When the history cannot say
 * how the runtime grows (an unknown op, no data, or sizes in a unit this stage does not
 * give), the stage keeps the definition's own estimate, or its fallback, marked provisional
 * by `assembleProblem`: one chunk's runtime spread over the whole stage would be a silent
 * underestimate.
 */
function estimateDivisible(stage: DivisibleStage, profile: Profile, quantile: number): Estimated | undefined {
  const fitted = chunkLaw(profile, stage.op, quantile);
  if (fitted.source === 'global' || fitted.n === 0) return undefined;
  const { law, factor } = fitted;
  const prediction: Prediction = { value: factor, source: fitted.source, n: fitted.n, provisional: fitted.provisional };
  if (law.sizeBy === 'none') {
    // The op's chunks all had about one size: runtime in proportion to size, from that size.
    const observed = fitted.observedSize;
    const perUnit = observed === null ? undefined : lawUnitsPerStageUnit(observed.by, stage);
    if (observed === null || perUnit === undefined) return undefined;
    const typicalUnits = Math.sqrt(observed.min * observed.max) / perUnit;
    const chunkS = predict(profile, 'runtimeS', { op: stage.op, [observed.by]: Math.sqrt(observed.min * observed.max) }, quantile).value;
    return { stage: { ...stage, runtimePerUnitS: chunkS / typicalUnits, runtimeLogS: 0, runtimeByPoolS: undefined }, prediction, proportional: true };
  }
  const perUnit = lawUnitsPerStageUnit(law.sizeBy, stage);
  if (perUnit === undefined) return undefined;
  const logAtMin = Math.log2(Math.max(1, perUnit * stage.minChunk));
  return {
    stage: {
      ...stage,
      overheadS: stage.overheadS + factor * law.constant,
      runtimePerUnitS: factor * perUnit * (law.linear + law.nLogN * logAtMin),
      runtimeLogS: factor * perUnit * law.nLogN,
      runtimeByPoolS: undefined,
    },
    prediction,
  };
}

/** Law size units per stage unit: 1 when both count the same thing, bytesPerUnit for an items stage under a bytes law, undefined when they cannot be matched. */
function lawUnitsPerStageUnit(by: 'items' | 'bytesIn', stage: DivisibleStage): number | undefined {
  if (by === 'items') return stage.unitName === 'items' ? 1 : undefined;
  if (stage.unitName === 'bytes') return 1;
  return stage.bytesPerUnit > 0 ? stage.bytesPerUnit : undefined;
}

/** Memory the history predicts fills a stage's missing memGb (never from the global prior: it would bar stages from pools on no evidence). */
function withMemory(stage: Stage, profile: Profile, quantile: number): Stage {
  if (stage.memGb !== undefined) return stage;
  const memory = predict(profile, 'peakMemBytes', { op: stage.op }, quantile);
  if (memory.source === 'global' || !(memory.value > 0)) return stage;
  return { ...stage, memGb: memory.value / 1e9 };
}

function priorReason(prediction: Prediction, op: string, level: string): string {
  return prediction.source === 'global'
    ? `no history for op "${op}": the global prior at ${level}`
    : `no size for op "${op}"'s scaling law: the op's prior at ${level} (${prediction.n} runs)`;
}
