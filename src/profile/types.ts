/**
 * The Task Profiler's public contract: a fitted, serialisable profile (plain JSON) and the
 * questions the planner asks it. `fitProfile` (fit.ts) builds one from run records;
 * `predict` / `chunkLaw` (predict.ts) are pure functions over it.
 */

/** What the profiler predicts, each in the unit its name says. */
export type Metric = 'runtimeS' | 'cpuS' | 'peakMemBytes' | 'readBytes' | 'writeBytes';
export const METRICS: readonly Metric[] = ['runtimeS', 'cpuS', 'peakMemBytes', 'readBytes', 'writeBytes'];

/** The size a scaling law is written in: items processed, bytes read, or none (a constant). */
export type SizeBy = 'items' | 'bytesIn' | 'none';

/** value(n) = constant + linear·n + nLogN·n·log2(n), every coefficient >= 0 (fitted by NNLS). */
export interface ScalingLaw {
  readonly sizeBy: SizeBy;
  readonly constant: number;
  readonly linear: number;
  readonly nLogN: number;
}

/** Which level of the hierarchy answered: (op, pool class), op, or the global prior. */
export type EstimateSource = 'op-class' | 'op' | 'global';

export interface ProfileQuery {
  readonly op: string;
  readonly poolClass?: string | undefined;
  readonly items?: number | undefined;
  readonly bytesIn?: number | undefined;
}

export interface Prediction {
  /** The metric's predicted value at the quantile asked for. */
  readonly value: number;
  readonly source: EstimateSource;
  /** Records behind the level that answered. */
  readonly n: number;
  /**
   * True when the answer is a prior rather than a fitted law for this query: the op is
   * unknown (global prior) or the query lacks the size the op's law needs (op prior).
   * Such answers come with wider intervals.
   */
  readonly provisional: boolean;
}

// ---------------------------------------------------------------------------------------------
// The fitted profile (fit.ts writes it, read.ts validates a parsed one, predict.ts answers from it).
// Plain JSON: numbers, strings, arrays and objects only, so JSON.stringify / JSON.parse keep it.

export const PROFILE_FORMAT = 'apportion-profile';
export const PROFILE_VERSION = 1;

/**
 * Quantile levels every distribution in a profile is stored at (`Profile.levels` repeats them
 * so a reader need not know this constant). Dense in the tails the planner asks about;
 * `predict` interpolates linearly in q between levels and clamps outside [0.005, 0.995].
 */
export const QUANTILE_LEVELS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5,
  0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.925, 0.95, 0.975, 0.99, 0.995,
];

/** Natural-log quantiles at `Profile.levels`, non-decreasing. */
export type LogQuantiles = readonly number[];

/** A pool class's multiplicative effect on one op's metric: value ×exp(logShift), shrunk toward 0. */
export interface ClassEffect {
  /** Records of the op on this class. */
  readonly n: number;
  readonly logShift: number;
}

export interface ObservedSize {
  readonly by: 'items' | 'bytesIn';
  readonly min: number;
  readonly max: number;
}

/**
 * The suggested `ProfileSettings.extrapolationExponentSpread` when widening is wanted (the
 * default is 0: off). Beyond the observed size range the scaling exponent is uncertain by
 * ±this much (uniform): a query at ρ times the largest (or 1/ρ times the smallest) observed
 * size gets its quantile's log-deviation from the median combined in quadrature with
 * (q − 0.5)·2·spread·ln ρ; the median stays on the law. A priori: exponents of real tasks lie
 * between 0 (fixed cost) and about 1 (linear), so ±0.5 around the fitted one covers that range.
 * Off by default because bench/profiler.ts measured +0.2 points of P90 coverage for it, while
 * it makes a query with an out-of-range size wider than the same query without a size, and
 * chunkLaw (one factor for every chunk size) cannot carry it, so atomic and divisible stages
 * would be priced differently.
 */
export const EXTRAPOLATION_EXPONENT_SPREAD = 0.5;

/** One metric of one op. */
export interface MetricFit {
  /** Succeeded records with this metric. */
  readonly n: number;
  /** Fitted on every record of the op (after calibration, see `ProfileSettings.refit`). */
  readonly law: ScalingLaw;
  /** Held-out residuals behind `residuals` (0: only the global residuals answer). */
  readonly calibrationN: number;
  /**
   * Log sigma of this op's run-to-run shift: the one-way random-effects estimate over its held-out
   * jobs, or the profile's pooled one for an op seen in a single job. The share of the spread
   * that the tasks of one run share (a Monte Carlo of the makespan draws it once per run).
   */
  readonly jobShiftSigma: number;
  /**
   * log(actual / (law · class effect)) quantiles: conformal ranks on held-out jobs, shrunk
   * toward the global residuals by calibrationN / (calibrationN + residualShrinkage).
   */
  readonly residuals: LogQuantiles;
  /** The same without the class effect, for queries with no (or an unseen) pool class. */
  readonly residualsAnyClass: LogQuantiles;
  /** log(value) quantiles of the op's records, widened to at least the residual spread: the answer when a query lacks the size. */
  readonly prior: LogQuantiles;
  readonly classes: Readonly<Record<string, ClassEffect>>;
}

export interface OpProfile {
  /** Succeeded records of the op. */
  readonly n: number;
  /** Failed or interrupted attempts (counted, not fitted: their runtime is truncated). */
  readonly failed: number;
  /** The size the op's laws are written in: items when its records have items, else bytesIn. */
  readonly sizeBy: SizeBy;
  /** The median observed size (in `sizeBy` units), or null when sizeBy is 'none'. */
  readonly typicalSize: number | null;
  /**
   * The size the op's records carried (items, else bytesIn) and its range, kept even when it
   * did not vary enough to scale with: how far a query extrapolates (a profile fitted with
   * extrapolationExponentSpread > 0 widens beyond it). Null when the records had no size.
   */
  readonly observedSize: ObservedSize | null;
  /** Distinct jobs the op ran in. */
  readonly jobs: number;
  /** Records per pool class. */
  readonly classes: Readonly<Record<string, number>>;
  readonly metrics: Partial<Readonly<Record<Metric, MetricFit>>>;
}

/** The prior for an op the profile has never seen, per metric. */
export interface GlobalMetric {
  readonly n: number;
  /** Ops with this metric. */
  readonly ops: number;
  /** Every op's held-out residuals pooled: what a thin op's residuals shrink toward. */
  readonly residuals: LogQuantiles;
  /** log(value) over all records, each op weighted equally, widened by the residual spread. */
  readonly prior: LogQuantiles;
}

/**
 * 'cross': cross-conformal (Vovk 2015; CV+, Barber et al. 2021): the op's jobs are cut into
 * K ≈ 1/calibrationShare folds and every fold's residuals come from a law fitted on the others.
 * 'split': split conformal, only the first fold is held out.
 */
export type CalibrationMethod = 'cross' | 'split';

export interface ProfileSettings {
  readonly calibration: CalibrationMethod;
  /** Held-out share per fold: K = round(1 / calibrationShare) folds (at least 2). */
  readonly calibrationShare: number;
  readonly seed: number;
  /** k of the (op, class) → op shrinkage: a class's log shift is Σ residuals / (n + k). */
  readonly classShrinkage: number;
  /** k of the op → global shrinkage of residual quantiles: weight m / (m + k) on the op's own. */
  readonly residualShrinkage: number;
  /** True when the laws were refitted on all records after calibration (always, for 'cross'). */
  readonly refit: boolean;
  /** Between-job log sigma assumed for ops seen in one job when no op of the profile ran in several. */
  readonly defaultJobShiftSigma: number;
  /** ± uncertainty of the scaling exponent beyond the observed sizes; 0 (the default): no widening. See EXTRAPOLATION_EXPONENT_SPREAD. */
  readonly extrapolationExponentSpread: number;
}

export interface CalibrationSummary {
  /** Distinct jobs in the records. */
  readonly jobs: number;
  /** Ops whose held-out residuals come from whole held-out jobs (the op ran in several jobs). */
  readonly opsByJob: number;
  /** Ops seen in one job only, with enough records to hold some out: folds of records. */
  readonly opsByRecord: number;
  /** Ops with too few records to hold any out: their residuals are the global ones. */
  readonly opsWithoutHoldout: number;
  /** Held-out runtime residuals over all ops. */
  readonly residuals: number;
  /**
   * Between-job log sigma added (in quadrature) to the residual quantiles of ops seen in one
   * job, whose held-out records all share their job's shift: estimated from the ops that ran
   * in several jobs ('profile'), else settings.defaultJobShiftSigma ('default').
   */
  readonly jobShiftSigma: number;
  readonly jobShiftSource: 'profile' | 'default';
  /**
   * True when nothing could be held out anywhere, so the global residuals are in-sample
   * (optimistic) or, with fewer than two records, a wide lognormal default.
   */
  readonly inSample: boolean;
}

export interface Profile {
  readonly format: typeof PROFILE_FORMAT;
  readonly version: typeof PROFILE_VERSION;
  /** ISO 8601. */
  readonly fittedAt: string;
  /** Records read (every outcome). */
  readonly records: number;
  readonly settings: ProfileSettings;
  readonly calibration: CalibrationSummary;
  readonly levels: readonly number[];
  readonly global: Partial<Readonly<Record<Metric, GlobalMetric>>>;
  readonly ops: Readonly<Record<string, OpProfile>>;
}
