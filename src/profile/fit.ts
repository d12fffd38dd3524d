/**
 * fitProfile: run records → a Profile (plain JSON), in one pass over the records (columns.ts).
 *
 * Per op and metric:
 *   1. size basis: items when the op's records have items, else bytesIn; 'none' when the
 *      size is missing or spans less than MIN_SIZE_SPREAD (law.ts).
 *   2. folds for calibration: the jobs the op ran in, in a seeded order, dealt into
 *      K = round(1 / calibrationShare) folds (at most one per job); an op seen in one job deals
 *      its records instead (when it has at least MIN_RECORDS_FOR_RECORD_SPLIT).
 *   3. per held-out fold, a law on the other folds: NNLS on relative error, terms chosen by
 *      AICc (law.ts); pool-class effects on the log scale, shrunk toward the op:
 *      shift_c = Σ_c (e − ē) / (n_c + k), e = log(actual / law), k = classShrinkage (the
 *      empirical-Bayes posterior mean under a prior of variance σ²/k: a class needs k records
 *      to move halfway to its own mean).
 *   4. residuals log(actual / (law · e^shift)) on the held-out fold; their conformal quantiles
 *      (rank ceil((n+1)q), quantiles.ts), averaged level by level with the global (all ops
 *      pooled) residual quantiles, weights m : residualShrinkage (m = the op's residuals).
 *      An op seen in one job also gets the between-job spread its residuals cannot show
 *      (added in quadrature): estimated from the ops that ran in several jobs (one-way
 *      random-effects moments), else DEFAULT_JOB_SHIFT_SIGMA.
 *   5. the law and class effects are refitted on all the op's records.
 *   6. priors: the op's own log-value quantiles (the answer for a query without a size) and a
 *      global one (each op weighted equally) for unknown ops, both widened to at least the
 *      residual spread.
 *   (predict.ts widens queries beyond the op's observed size range when the profile was fitted
 *   with extrapolationExponentSpread > 0; off by default, see EXTRAPOLATION_EXPONENT_SPREAD.)
 *
 * The op → global level shrinks the residual spread, not the op's location: ops run from
 * 0.05 s to hours (between-op log sd ≈ 1.5–3) while an op's own records scatter by a log sd of
 * ≈ 0.1–0.5, so the empirical-Bayes weight on the global mean, k/(n + k) with k = σ²_within /
 * τ²_between ≈ 0.01–0.1, is negligible even for an op with one record. A thin op's spread, on the
 * other hand, is unknown, and there the global residuals carry the weight.
 *
 * Why cross-conformal by default (settings.calibration): runs of a workflow differ as a whole
 * (srasearch's downloads run 2–3× slower in one run than in another), so a residual's job
 * shift is the largest part of the error on a new run. With the three runs a user typically
 * has, split conformal holds out one job: its residuals see a single job shift, and, once the
 * law is refitted on all jobs, their median double-counts that shift. Leaving each fold of
 * jobs out in turn sees every job's shift, and the leave-one-out shifts sum to zero, so the
 * residual median stays centred on the refitted law. It costs K + 1 law fits instead of 2.
 * 'split' is kept as an option (and measured in bench/profiler.ts).
 */
import type { RunRecord } from '../history/record.js';
import { seededRandom } from '../util/random.js';
import { collectColumns, groupByOp, METRIC_FLOOR, type Columns } from './columns.js';
import { fitLaw, lawData, sizesVary, type LawData } from './law.js';
import { addNormalSpread, conformalGrid, normalGrid, shrinkGrid, weightedGrid, widen } from './quantiles.js';
import {
  METRICS,
  PROFILE_FORMAT,
  PROFILE_VERSION,
  QUANTILE_LEVELS,
  type CalibrationMethod,
  type ClassEffect,
  type GlobalMetric,
  type Metric,
  type MetricFit,
  type ObservedSize,
  type OpProfile,
  type Profile,
  type ProfileSettings,
  type ScalingLaw,
  type SizeBy,
} from './types.js';

export type { Profile } from './types.js';

export interface FitOptions {
  /** 'cross' (default) or 'split' conformal calibration; see the module comment. */
  readonly calibration?: CalibrationMethod;
  /** Share of each op's jobs (or, for an op seen in one job, of its records) per fold: K = round(1/share) folds. Default 0.25. */
  readonly calibrationShare?: number;
  /** Seed of the hold-out choice. Default 1. */
  readonly seed?: number;
  /** k of the (op, class) → op shrinkage. Default 5. */
  readonly classShrinkage?: number;
  /** k of the op → global shrinkage of residual quantiles. Default 10. */
  readonly residualShrinkage?: number;
  /** Refit the laws on all records after split calibration (cross calibration always does). Default true. */
  readonly refit?: boolean;
  /** Between-job log sigma for ops seen in one job when no op ran in several. Default DEFAULT_JOB_SHIFT_SIGMA. */
  readonly defaultJobShiftSigma?: number;
  /** ± exponent uncertainty beyond the observed sizes, used by predict. Default 0 (off); EXTRAPOLATION_EXPONENT_SPREAD (0.5) is the suggested value when wanted. */
  readonly extrapolationExponentSpread?: number;
  /** The profile's `fittedAt` (ISO 8601); default now. A parameter so fits are reproducible. */
  readonly fittedAt?: string;
}

/**
 * Run-to-run log sigma of an op's typical runtime, measured on the development runs (001–003)
 * of the WfInstances repeated traces (srasearch 10a/50a, blast small/medium, bwa small): the
 * root mean square over their 21 ops of the standard deviation of per-run log medians is 0.29
 * (median 0.055: most ops are steady, a few, like srasearch's downloads, swing by 2×).
 */
export const DEFAULT_JOB_SHIFT_SIGMA = 0.3;

export const FIT_DEFAULTS: ProfileSettings = {
  calibration: 'cross',
  calibrationShare: 0.25,
  seed: 1,
  classShrinkage: 5,
  residualShrinkage: 10,
  refit: true,
  defaultJobShiftSigma: DEFAULT_JOB_SHIFT_SIGMA,
  extrapolationExponentSpread: 0,
};

/** An op seen in one job needs this many records before some are held out (3 stay to fit on). */
export const MIN_RECORDS_FOR_RECORD_SPLIT = 4;
/**
 * With almost no held-out residuals anywhere, the global residual quantiles shrink toward a
 * lognormal with this sigma (P90 ×3.6), worth HYPERPRIOR_WEIGHT residuals.
 */
export const HYPERPRIOR_SIGMA = 1;
export const HYPERPRIOR_WEIGHT = 2;
/** Log-scale grids are stored to 1e-6 (a relative 1e-6 in the value): short JSON, exact round trip. */
const GRID_DIGITS = 1e6;

export function resolveFitOptions(options: FitOptions = {}): ProfileSettings {
  const calibration = options.calibration ?? FIT_DEFAULTS.calibration;
  if (calibration !== 'cross' && calibration !== 'split') throw new RangeError(`fitProfile: calibration must be "cross" or "split", received ${String(calibration)}`);
  const share = options.calibrationShare ?? FIT_DEFAULTS.calibrationShare;
  if (!(share >= 0 && share <= 0.9)) throw new RangeError(`fitProfile: calibrationShare must be in [0, 0.9], received ${share}`);
  const seed = options.seed ?? FIT_DEFAULTS.seed;
  if (!Number.isInteger(seed)) throw new RangeError(`fitProfile: seed must be an integer, received ${seed}`);
  const classShrinkage = options.classShrinkage ?? FIT_DEFAULTS.classShrinkage;
  if (!(classShrinkage >= 0 && Number.isFinite(classShrinkage))) throw new RangeError(`fitProfile: classShrinkage must be a finite number >= 0, received ${classShrinkage}`);
  const residualShrinkage = options.residualShrinkage ?? FIT_DEFAULTS.residualShrinkage;
  if (!(residualShrinkage >= 0 && Number.isFinite(residualShrinkage))) throw new RangeError(`fitProfile: residualShrinkage must be a finite number >= 0, received ${residualShrinkage}`);
  const refit = calibration === 'cross' || (options.refit ?? FIT_DEFAULTS.refit);
  const defaultJobShiftSigma = options.defaultJobShiftSigma ?? FIT_DEFAULTS.defaultJobShiftSigma;
  if (!(defaultJobShiftSigma >= 0 && Number.isFinite(defaultJobShiftSigma))) throw new RangeError(`fitProfile: defaultJobShiftSigma must be a finite number >= 0, received ${defaultJobShiftSigma}`);
  const extrapolationExponentSpread = options.extrapolationExponentSpread ?? FIT_DEFAULTS.extrapolationExponentSpread;
  if (!(extrapolationExponentSpread >= 0 && Number.isFinite(extrapolationExponentSpread))) throw new RangeError(`fitProfile: extrapolationExponentSpread must be a finite number >= 0, received ${extrapolationExponentSpread}`);
  return { calibration, calibrationShare: share, seed, classShrinkage, residualShrinkage, refit, defaultJobShiftSigma, extrapolationExponentSpread };
}

export function fitProfile(records: Iterable<RunRecord>, options: FitOptions = {}): Profile {
  const settings = resolveFitOptions(options);
  const fittedAt = options.fittedAt ?? new Date().toISOString();
  const columns = collectColumns(records);
  const groups = groupByOp(columns);
  const opCount = columns.opNames.length;
  const sizing = Array.from({ length: opCount }, (_, o) => chooseSize(columns, rowsOf(groups, o)));
  const folds = chooseFolds(columns, groups, settings);
  const levels = QUANTILE_LEVELS;

  const metricsByOp: Partial<Record<Metric, MetricFit>>[] = Array.from({ length: opCount }, () => ({}));
  const global: Partial<Record<Metric, GlobalMetric>> = {};
  let runtimeResiduals = 0;
  let inSample = false;
  let runtimeJobShift: { sigma: number; source: 'profile' | 'default' } = { sigma: settings.defaultJobShiftSigma, source: 'default' };
  for (let m = 0; m < METRICS.length; m++) {
    const metric = METRICS[m]!;
    const works: (OpWork | undefined)[] = [];
    let pooled: number[] = [];
    for (let o = 0; o < opCount; o++) {
      const work = fitOpMetric(columns, rowsOf(groups, o), columns.metrics[m]!, sizing[o]!, folds, folds.count[o]!, settings, METRIC_FLOOR[metric]);
      works.push(work);
      if (work !== undefined) for (const r of work.held) pooled.push(r);
    }
    const withData = works.filter((work): work is OpWork => work !== undefined);
    if (withData.length === 0) continue;
    if (metric === 'runtimeS') runtimeResiduals = pooled.length;
    const heldOut = pooled.length > 0;
    if (!heldOut) {
      if (metric === 'runtimeS') inSample = true;
      pooled = withData.flatMap((work) => Array.from(work.inSample));
    }
    const pooledGrid = conformalGrid(Float64Array.from(pooled).sort(), levels);
    const globalResiduals = round(shrinkGrid(pooledGrid, pooled.length, normalGrid(HYPERPRIOR_SIGMA, levels), HYPERPRIOR_WEIGHT));
    const jobShift = pooledJobShift(withData, settings.defaultJobShiftSigma);
    if (metric === 'runtimeS') runtimeJobShift = jobShift;
    for (let o = 0; o < opCount; o++) {
      const work = works[o];
      if (work === undefined) continue;
      // An op seen in one job: its held-out records share that job's shift, so add the between-job spread.
      const sigma = folds.jobs[o]! >= 2 ? 0 : jobShift.sigma;
      const residuals = round(addNormalSpread(shrinkGrid(conformalGrid(work.held.sort(), levels), work.held.length, globalResiduals, settings.residualShrinkage), sigma, levels));
      const residualsAnyClass = round(addNormalSpread(shrinkGrid(conformalGrid(work.heldAnyClass.sort(), levels), work.heldAnyClass.length, globalResiduals, settings.residualShrinkage), sigma, levels));
      const prior = round(widen(conformalGrid(work.logValues.sort(), levels)!, residualsAnyClass, levels));
      const opJobShiftSigma = work.jobVariance === undefined ? jobShift.sigma : Math.sqrt(work.jobVariance);
      metricsByOp[o]![metric] = { n: work.n, law: work.law, calibrationN: work.held.length, jobShiftSigma: Math.round(opJobShiftSigma * GRID_DIGITS) / GRID_DIGITS, residuals, residualsAnyClass, prior, classes: work.classes };
    }
    global[metric] = { n: withData.reduce((sum, work) => sum + work.n, 0), ops: withData.length, residuals: globalResiduals, prior: round(widen(globalPrior(withData, levels), globalResiduals, levels)) };
  }

  const ops: Record<string, OpProfile> = Object.create(null) as Record<string, OpProfile>;
  for (let o = 0; o < opCount; o++) {
    const rows = rowsOf(groups, o);
    const classes: Record<string, number> = Object.create(null) as Record<string, number>;
    for (const r of rows) {
      const name = columns.classNames[columns.cls[r]!]!;
      classes[name] = (classes[name] ?? 0) + 1;
    }
    ops[columns.opNames[o]!] = {
      n: rows.length,
      failed: columns.failedByOp[o] ?? 0,
      sizeBy: sizing[o]!.sizeBy,
      typicalSize: sizing[o]!.typicalSize,
      observedSize: sizing[o]!.observed,
      jobs: folds.jobs[o]!,
      classes,
      metrics: metricsByOp[o]!,
    };
  }
  return {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    fittedAt,
    records: columns.records,
    settings,
    calibration: {
      jobs: columns.jobNames.length,
      opsByJob: folds.opsByJob,
      opsByRecord: folds.opsByRecord,
      opsWithoutHoldout: opCount - folds.opsByJob - folds.opsByRecord,
      residuals: runtimeResiduals,
      jobShiftSigma: Math.round(runtimeJobShift.sigma * GRID_DIGITS) / GRID_DIGITS,
      jobShiftSource: runtimeJobShift.source,
      inSample,
    },
    levels: [...levels],
    global,
    ops,
  };
}

// ---------------------------------------------------------------------------------------------
// Size basis

interface Sizing {
  readonly sizeBy: SizeBy;
  /** The size column the op's laws read (undefined for 'none'). */
  readonly column: Float64Array | undefined;
  readonly typicalSize: number | null;
  readonly observed: ObservedSize | null;
}

function chooseSize(columns: Columns, rows: Int32Array): Sizing {
  const hasItems = rows.some((r) => !Number.isNaN(columns.items[r]!));
  const sizeBy: SizeBy = hasItems ? 'items' : 'bytesIn';
  const column = hasItems ? columns.items : columns.bytesIn;
  const sizes = Float64Array.from(rows, (r) => column[r]!).filter((n) => !Number.isNaN(n));
  sizes.sort();
  const observed: ObservedSize | null = sizes.length === 0 ? null : { by: sizeBy === 'items' ? 'items' : 'bytesIn', min: sizes[0]!, max: sizes[sizes.length - 1]! };
  if (!sizesVary(sizes, sizes.length)) return { sizeBy: 'none', column: undefined, typicalSize: null, observed };
  const middle = sizes.length >> 1;
  const typicalSize = sizes.length % 2 === 1 ? sizes[middle]! : (sizes[middle - 1]! + sizes[middle]!) / 2;
  return { sizeBy, column, typicalSize, observed };
}

// ---------------------------------------------------------------------------------------------
// Folds for calibration

interface Folds {
  /** The fold of each row; -1 when its op holds nothing out. */
  readonly fold: Int32Array;
  /** Folds per op index (0: nothing held out). */
  readonly count: Int32Array;
  /** Distinct jobs per op index. */
  readonly jobs: Int32Array;
  readonly opsByJob: number;
  readonly opsByRecord: number;
}

/**
 * Jobs get one seeded random rank (Fisher–Yates over the job names sorted, so the choice does
 * not depend on record order); each op deals its jobs, in rank order, into K folds.
 */
function chooseFolds(columns: Columns, groups: OpGroups, settings: ProfileSettings): Folds {
  const fold = new Int32Array(columns.count).fill(-1);
  const count = new Int32Array(columns.opNames.length);
  const jobsOfOp = new Int32Array(columns.opNames.length);
  for (let o = 0; o < columns.opNames.length; o++) jobsOfOp[o] = new Set(Array.from(rowsOf(groups, o), (r) => columns.job[r]!)).size;
  if (settings.calibrationShare === 0) return { fold, count, jobs: jobsOfOp, opsByJob: 0, opsByRecord: 0 };
  const maxFolds = Math.max(2, Math.round(1 / settings.calibrationShare));
  const random = seededRandom(settings.seed);
  const byName = columns.jobNames.map((name, index) => ({ name, index })).sort((a, b) => compareText(a.name, b.name));
  shuffle(byName, random);
  const jobRank = new Int32Array(columns.jobNames.length);
  byName.forEach((job, rank) => (jobRank[job.index] = rank));
  let opsByJob = 0;
  let opsByRecord = 0;
  const opOrder = columns.opNames.map((name, index) => ({ name, index })).sort((a, b) => compareText(a.name, b.name));
  for (const { index: o } of opOrder) {
    const rows = rowsOf(groups, o);
    const jobs = [...new Set(Array.from(rows, (r) => columns.job[r]!))].sort((a, b) => jobRank[a]! - jobRank[b]!);
    if (jobs.length >= 2) {
      const k = Math.min(jobs.length, maxFolds);
      const foldOfJob = new Map(jobs.map((job, i) => [job, i % k]));
      for (const r of rows) fold[r] = foldOfJob.get(columns.job[r]!)!;
      count[o] = k;
      opsByJob++;
    } else if (rows.length >= MIN_RECORDS_FOR_RECORD_SPLIT) {
      const k = Math.min(maxFolds, Math.floor(rows.length / 2));
      const shuffled = Array.from(rows);
      shuffle(shuffled, random);
      shuffled.forEach((r, i) => (fold[r] = i % k));
      count[o] = k;
      opsByRecord++;
    }
  }
  return { fold, count, jobs: jobsOfOp, opsByJob, opsByRecord };
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = items[i]!;
    items[i] = items[j]!;
    items[j] = swap;
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// One op, one metric

interface OpWork {
  readonly n: number;
  readonly law: ScalingLaw;
  readonly classes: Record<string, ClassEffect>;
  /** Held-out residuals, class effect removed. */
  readonly held: Float64Array;
  readonly heldAnyClass: Float64Array;
  /** Residuals of the final law on all its records (used only when nothing anywhere was held out). */
  readonly inSample: Float64Array;
  readonly logValues: Float64Array;
  /** Between-job variance of the held-out residuals (ops split by job), else undefined. */
  readonly jobVariance: number | undefined;
}

function fitOpMetric(
  columns: Columns,
  rows: Int32Array,
  values: Float64Array,
  sizing: Sizing,
  folds: Folds,
  foldCount: number,
  settings: ProfileSettings,
  floor: number,
): OpWork | undefined {
  const withValue = rows.filter((r) => !Number.isNaN(values[r]!));
  if (withValue.length === 0) return undefined;
  const sizes = sizing.column;
  const usable = sizes === undefined ? withValue : withValue.filter((r) => !Number.isNaN(sizes[r]!));
  // Rows without the size the op's law needs still count for the op's prior, not for its law.
  const lawRows = usable.length > 0 ? usable : withValue;
  const sizeBy: SizeBy = usable.length > 0 ? sizing.sizeBy : 'none';
  const data = lawData(sizes === undefined || usable.length === 0 ? undefined : gather(lawRows, sizes), gather(lawRows, values));
  const classOf = Int32Array.from(lawRows, (r) => columns.cls[r]!);
  const foldOf = Int32Array.from(lawRows, (r) => folds.fold[r]!);
  const heldFolds = foldCount === 0 ? 0 : settings.calibration === 'cross' ? foldCount : 1;
  const held: number[] = [];
  const heldAnyClass: number[] = [];
  const heldJob: number[] = [];
  const include = new Uint8Array(data.count);
  let firstLaw: { law: ScalingLaw; effects: Effects } | undefined;
  for (let f = 0; f < heldFolds; f++) {
    let trainRows = 0;
    for (let i = 0; i < data.count; i++) trainRows += include[i] = foldOf[i] === f ? 0 : 1;
    if (trainRows === 0 || trainRows === data.count) continue;
    const law = fitLaw(data, sizeBy, floor, include);
    const effects = classEffects(data, classOf, include, law, floor, settings.classShrinkage);
    firstLaw ??= { law, effects };
    for (let i = 0; i < data.count; i++) {
      if (include[i] === 1) continue;
      const residual = Math.log(data.y[i]! / fitted(law, data, i, floor));
      heldAnyClass.push(residual);
      held.push(residual - (effects.byIndex.get(classOf[i]!)?.logShift ?? 0));
      heldJob.push(columns.job[lawRows[i]!]!);
    }
  }
  let law: ScalingLaw;
  let effects: Effects;
  if (firstLaw !== undefined && !settings.refit) ({ law, effects } = firstLaw);
  else {
    law = fitLaw(data, sizeBy, floor);
    effects = classEffects(data, classOf, undefined, law, floor, settings.classShrinkage);
  }
  const inSample = new Float64Array(data.count);
  for (let i = 0; i < data.count; i++) inSample[i] = Math.log(data.y[i]! / fitted(law, data, i, floor)) - (effects.byIndex.get(classOf[i]!)?.logShift ?? 0);
  const byName: Record<string, ClassEffect> = Object.create(null) as Record<string, ClassEffect>;
  for (const [cls, effect] of [...effects.byIndex].sort((a, b) => a[0] - b[0])) byName[columns.classNames[cls]!] = effect;
  return {
    n: withValue.length,
    law,
    classes: byName,
    held: Float64Array.from(held),
    heldAnyClass: Float64Array.from(heldAnyClass),
    inSample,
    logValues: Float64Array.from(withValue, (r) => Math.log(values[r]!)),
    jobVariance: betweenJobVariance(held, heldJob),
  };
}

/**
 * One-way random-effects estimate of the between-job variance of residuals (method of
 * moments): Var(job means) − mean within-job variance / n_j, floored at 0. Undefined with
 * fewer than two jobs.
 */
function betweenJobVariance(residuals: readonly number[], jobs: readonly number[]): number | undefined {
  const byJob = new Map<number, { n: number; sum: number; sumSq: number }>();
  residuals.forEach((r, i) => {
    const entry = byJob.get(jobs[i]!) ?? { n: 0, sum: 0, sumSq: 0 };
    entry.n++;
    entry.sum += r;
    entry.sumSq += r * r;
    byJob.set(jobs[i]!, entry);
  });
  if (byJob.size < 2) return undefined;
  const means = [...byJob.values()].map((job) => job.sum / job.n);
  const grand = means.reduce((a, b) => a + b, 0) / means.length;
  const betweenMeans = means.reduce((a, m) => a + (m - grand) ** 2, 0) / (means.length - 1);
  let within = 0;
  let withinDf = 0;
  let inverseN = 0;
  for (const job of byJob.values()) {
    within += job.sumSq - (job.sum * job.sum) / job.n;
    withinDf += job.n - 1;
    inverseN += 1 / job.n;
  }
  const withinVariance = withinDf > 0 ? within / withinDf : 0;
  return Math.max(0, betweenMeans - (withinVariance * inverseN) / byJob.size);
}

/** Root mean between-job variance over the ops that ran in several jobs; the default without any. */
function pooledJobShift(works: readonly OpWork[], fallback: number): { sigma: number; source: 'profile' | 'default' } {
  const variances = works.map((work) => work.jobVariance).filter((v): v is number => v !== undefined);
  if (variances.length === 0) return { sigma: fallback, source: 'default' };
  return { sigma: Math.sqrt(variances.reduce((a, b) => a + b, 0) / variances.length), source: 'profile' };
}

function gather(rows: Int32Array, column: Float64Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = column[rows[i]!]!;
  return out;
}

function fitted(law: ScalingLaw, data: LawData, i: number, floor: number): number {
  if (law.sizeBy === 'none') return Math.max(floor, law.constant);
  return Math.max(floor, law.constant + law.linear * data.n[i]! + law.nLogN * data.nLogN[i]!);
}

interface Effects {
  readonly byIndex: Map<number, ClassEffect>;
}

/** Log-scale class shifts relative to the op's mean residual, shrunk: Σ_c (e − ē) / (n_c + k). */
function classEffects(data: LawData, classOf: Int32Array, include: Uint8Array | undefined, law: ScalingLaw, floor: number, k: number): Effects {
  const residuals = new Float64Array(data.count);
  let mean = 0;
  let rows = 0;
  for (let i = 0; i < data.count; i++) {
    if (include !== undefined && include[i] === 0) continue;
    residuals[i] = Math.log(data.y[i]! / fitted(law, data, i, floor));
    mean += residuals[i]!;
    rows++;
  }
  mean /= Math.max(1, rows);
  const sums = new Map<number, { n: number; sum: number }>();
  for (let i = 0; i < data.count; i++) {
    if (include !== undefined && include[i] === 0) continue;
    const entry = sums.get(classOf[i]!) ?? { n: 0, sum: 0 };
    entry.n++;
    entry.sum += residuals[i]! - mean;
    sums.set(classOf[i]!, entry);
  }
  const byIndex = new Map<number, ClassEffect>();
  for (const [cls, { n, sum }] of sums) {
    byIndex.set(cls, { n, logShift: sums.size === 1 ? 0 : Math.round((sum / (n + k)) * GRID_DIGITS) / GRID_DIGITS });
  }
  return { byIndex };
}

/** log(value) quantiles over every op's records, each op weighted equally (an unknown op is "some op"). */
function globalPrior(works: readonly OpWork[], levels: readonly number[]): number[] {
  const total = works.reduce((sum, work) => sum + work.logValues.length, 0);
  const values = new Float64Array(total);
  const weights = new Float64Array(total);
  let i = 0;
  for (const work of works) {
    for (const value of work.logValues) {
      values[i] = value;
      weights[i++] = 1 / work.logValues.length;
    }
  }
  return weightedGrid(values, weights, levels)!;
}

// ---------------------------------------------------------------------------------------------

interface OpGroups {
  readonly start: Int32Array;
  readonly order: Int32Array;
}

function rowsOf(groups: OpGroups, o: number): Int32Array {
  return groups.order.subarray(groups.start[o]!, groups.start[o + 1]!);
}

function round(grid: number[]): number[] {
  return grid.map((value) => Math.round(value * GRID_DIGITS) / GRID_DIGITS);
}
