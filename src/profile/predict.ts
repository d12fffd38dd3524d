/**
 * Answers from a Profile: pure functions, no I/O. The first call on a profile object compiles
 * lookups (ops in a Map, grids in Float64Arrays) into a WeakMap keyed by that object, so the
 * hot path of `predict` is two Map lookups, a binary search over 27 levels and one Math.exp,
 * and allocates nothing but its result. A profile must not be mutated after its first use.
 *
 * Which level answers (source, n, provisional):
 *   op known, law needs no size or the query has it, pool class seen   → 'op-class', n of the class
 *   op known, law needs no size or the query has it, class absent/new  → 'op', n of the op
 *   op known, law needs a size the query lacks                         → 'op', the op's prior, provisional
 *   op unknown                                                         → 'global', provisional
 * Values never fall below the metric's floor (1 ms, 1 byte): never zero, never NaN.
 *
 * A sized query beyond the op's observed size range (ρ = size / largest seen, or smallest seen
 * / size) keeps its median on the law but gets a wider spread: every level's log-deviation d
 * becomes ±√(d² + (2·s·(q − 0.5)·ln ρ)²), s = settings.extrapolationExponentSpread, when
 * the profile was fitted with s > 0 (the default is 0: no widening; EXTRAPOLATION_EXPONENT_SPREAD
 * in types.ts says why).
 */
import { METRIC_FLOOR } from './columns.js';
import { lawValue } from './law.js';
import { gridValue, locateLevel } from './quantiles.js';
import {
  METRICS,
  type EstimateSource,
  type Metric,
  type MetricFit,
  type ObservedSize,
  type Prediction,
  type Profile,
  type ProfileQuery,
  type ScalingLaw,
  type SizeBy,
} from './types.js';

interface CompiledClass {
  readonly n: number;
  readonly logShift: number;
}

interface CompiledMetric {
  readonly n: number;
  readonly law: ScalingLaw;
  readonly constant: number;
  readonly linear: number;
  readonly nLogN: number;
  /** 0: no size needed, 1: items, 2: bytesIn. */
  readonly sizeKind: 0 | 1 | 2;
  readonly residuals: Float64Array;
  readonly residualsAnyClass: Float64Array;
  readonly prior: Float64Array;
  readonly classes: Map<string, CompiledClass>;
}

interface CompiledOp {
  readonly n: number;
  /** 0: no observed size, 1: items, 2: bytesIn. */
  readonly observedKind: 0 | 1 | 2;
  readonly observedMin: number;
  readonly observedMax: number;
  readonly observed: ObservedSize | null;
  /** Indexed like METRICS. */
  readonly metrics: readonly (CompiledMetric | undefined)[];
}

interface CompiledGlobal {
  readonly n: number;
  readonly prior: Float64Array;
  /** A constant law at the prior's median, for chunkLaw on unknown ops. */
  readonly law: ScalingLaw;
}

interface Compiled {
  readonly levels: Float64Array;
  /** 2 · settings.extrapolationExponentSpread (0: no widening). */
  readonly extrapolationWidth: number;
  readonly median: number;
  readonly ops: Map<string, CompiledOp>;
  readonly global: readonly (CompiledGlobal | undefined)[];
}

const NO_DATA_LAW: ScalingLaw = { sizeBy: 'none', constant: METRIC_FLOOR.runtimeS, linear: 0, nLogN: 0 };
const compiledProfiles = new WeakMap<Profile, Compiled>();
const METRIC_INDEX: Readonly<Record<Metric, number>> = { runtimeS: 0, cpuS: 1, peakMemBytes: 2, readBytes: 3, writeBytes: 4 };
const FLOORS = METRICS.map((metric) => METRIC_FLOOR[metric]);
/** Scratch for locateLevel: predict is synchronous, so one shared object is safe. */
const located = { index: 0, fraction: 0 };

function compiled(profile: Profile): Compiled {
  let entry = compiledProfiles.get(profile);
  if (entry === undefined) {
    entry = compile(profile);
    compiledProfiles.set(profile, entry);
  }
  return entry;
}

function compile(profile: Profile): Compiled {
  const levels = Float64Array.from(profile.levels);
  const ops = new Map<string, CompiledOp>();
  for (const [name, op] of Object.entries(profile.ops)) {
    const observed = op.observedSize;
    ops.set(name, {
      n: op.n,
      observedKind: observed === null ? 0 : sizeKind(observed.by),
      observedMin: observed?.min ?? 0,
      observedMax: observed?.max ?? 0,
      observed,
      metrics: METRICS.map((metric) => compileMetric(op.metrics[metric])),
    });
  }
  const median = profile.levels.indexOf(0.5);
  const global = METRICS.map((metric): CompiledGlobal | undefined => {
    const fit = profile.global[metric];
    if (fit === undefined) return undefined;
    const constant = Math.max(METRIC_FLOOR[metric], Math.exp(fit.prior[median]!));
    return { n: fit.n, prior: Float64Array.from(fit.prior), law: { sizeBy: 'none', constant, linear: 0, nLogN: 0 } };
  });
  return { levels, median, ops, global, extrapolationWidth: 2 * profile.settings.extrapolationExponentSpread };
}

function compileMetric(fit: MetricFit | undefined): CompiledMetric | undefined {
  if (fit === undefined) return undefined;
  const { law } = fit;
  return {
    n: fit.n,
    law,
    constant: law.constant,
    linear: law.sizeBy === 'none' ? 0 : law.linear,
    nLogN: law.sizeBy === 'none' ? 0 : law.nLogN,
    sizeKind: sizeKind(law.sizeBy),
    residuals: Float64Array.from(fit.residuals),
    residualsAnyClass: Float64Array.from(fit.residualsAnyClass),
    prior: Float64Array.from(fit.prior),
    classes: new Map(Object.entries(fit.classes).map(([name, effect]) => [name, { n: effect.n, logShift: effect.logShift }])),
  };
}

function sizeKind(sizeBy: SizeBy): 0 | 1 | 2 {
  return sizeBy === 'items' ? 1 : sizeBy === 'bytesIn' ? 2 : 0;
}

function checkQuantile(quantile: number): void {
  if (!(quantile > 0 && quantile < 1)) throw new RangeError(`quantile must be in (0, 1), received ${quantile}`);
}

/**
 * No record of the profile had the metric: the floor value with n = 0, provisional — flagged,
 * not invented (`hasMetric` tells a caller beforehand).
 */
function noData(m: number): Prediction {
  return result(FLOORS[m]!, 'global', 0, true);
}

/**
 * The metric's value at `quantile` for the query. Throws RangeError only for a quantile outside
 * (0, 1); partial queries get provisional answers, a metric no record had gets the floor with n = 0.
 */
export function predict(profile: Profile, metric: Metric, query: ProfileQuery, quantile: number): Prediction {
  checkQuantile(quantile);
  const c = compiled(profile);
  const m = METRIC_INDEX[metric];
  locateLevel(c.levels, quantile, located);
  const op = c.ops.get(query.op);
  const fit = op?.metrics[m];
  if (op === undefined || fit === undefined) {
    const global = c.global[m];
    if (global === undefined) return noData(m);
    return result(Math.max(FLOORS[m]!, Math.exp(gridValue(global.prior, located.index, located.fraction))), 'global', global.n, true);
  }
  let base = fit.constant;
  if (fit.sizeKind !== 0) {
    const size = fit.sizeKind === 1 ? query.items : query.bytesIn;
    if (size === undefined || !(size >= 0) || size === Infinity) {
      return result(Math.max(FLOORS[m]!, Math.exp(gridValue(fit.prior, located.index, located.fraction))), 'op', fit.n, true);
    }
    base += fit.linear * size + (size > 1 ? fit.nLogN * size * Math.log2(size) : 0);
  }
  base = Math.max(FLOORS[m]!, base);
  const cls = query.poolClass === undefined ? undefined : fit.classes.get(query.poolClass);
  const grid = cls === undefined ? fit.residualsAnyClass : fit.residuals;
  let logFactor = gridValue(grid, located.index, located.fraction);
  if (op.observedKind !== 0 && c.extrapolationWidth > 0) {
    const size = op.observedKind === 1 ? query.items : query.bytesIn;
    if (size !== undefined && size >= 0 && size !== Infinity) logFactor = extrapolated(grid, c.median, logFactor, quantile, size, op.observedMin, op.observedMax, c.extrapolationWidth);
  }
  // Floored after the factor too: a low quantile of a floored law must not dip below the floor.
  if (cls === undefined) return result(Math.max(FLOORS[m]!, base * Math.exp(logFactor)), 'op', fit.n, false);
  return result(Math.max(FLOORS[m]!, base * Math.exp(cls.logShift + logFactor)), 'op-class', cls.n, false);
}

/** The widened log-factor for a size outside [min, max] (see the module comment); unchanged inside. */
function extrapolated(grid: Float64Array, median: number, logFactor: number, quantile: number, size: number, min: number, max: number, width: number): number {
  let ratio = 1;
  if (size > max && max > 0) ratio = size / max;
  else if (size < min) ratio = min / Math.max(1, size);
  if (!(ratio > 1)) return logFactor;
  const center = grid[median]!;
  const deviation = logFactor - center;
  const q = Math.min(0.995, Math.max(0.005, quantile));
  const extra = width * (q - 0.5) * Math.log(ratio);
  const size2 = Math.sqrt(deviation * deviation + extra * extra);
  return q < 0.5 ? center - size2 : q > 0.5 ? center + size2 : center;
}

function result(value: number, source: EstimateSource, n: number, provisional: boolean): Prediction {
  return { value, source, n, provisional };
}

/** True when some record of the profile had the metric (so `predict` can answer it). */
export function hasMetric(profile: Profile, metric: Metric): boolean {
  return compiled(profile).global[METRIC_INDEX[metric]] !== undefined;
}

export interface ChunkLaw {
  /** The runtime law: runtime(k) = factor · (constant + linear·k + nLogN·k·log2 k); sizeBy 'none' is a constant. */
  readonly law: ScalingLaw;
  /** e^(class shift + residual quantile): the multiplicative factor for `quantile`. */
  readonly factor: number;
  readonly source: EstimateSource;
  readonly n: number;
  /** True for an unknown op (the law is the global prior's median, a constant). */
  readonly provisional: boolean;
  /**
   * The sizes the law was fitted on (null: none seen). `factor` is for chunks inside this
   * range; predict widens beyond it, a planner pricing far larger chunks should too.
   */
  readonly observedSize: ObservedSize | null;
}

/**
 * The runtime scaling law of an op and the multiplicative factor of a quantile, so a planner
 * can price any chunk size without calling predict per chunk. An unknown op gets a constant
 * law at the global prior's median and the prior's spread as factor, provisional.
 */
export function chunkLaw(profile: Profile, op: string, quantile: number, poolClass?: string): ChunkLaw {
  checkQuantile(quantile);
  const c = compiled(profile);
  locateLevel(c.levels, quantile, located);
  const fit = c.ops.get(op)?.metrics[0];
  if (fit === undefined) {
    const global = c.global[0];
    if (global === undefined) return { law: NO_DATA_LAW, factor: 1, source: 'global', n: 0, provisional: true, observedSize: null };
    const logMedian = Math.log(global.law.constant);
    return { law: global.law, factor: Math.exp(gridValue(global.prior, located.index, located.fraction) - logMedian), source: 'global', n: global.n, provisional: true, observedSize: null };
  }
  const observedSize = c.ops.get(op)!.observed;
  const cls = poolClass === undefined ? undefined : fit.classes.get(poolClass);
  if (cls === undefined) {
    return { law: fit.law, factor: Math.exp(gridValue(fit.residualsAnyClass, located.index, located.fraction)), source: 'op', n: fit.n, provisional: false, observedSize };
  }
  return { law: fit.law, factor: Math.exp(cls.logShift + gridValue(fit.residuals, located.index, located.fraction)), source: 'op-class', n: cls.n, provisional: false, observedSize };
}

export interface OpSummary {
  readonly op: string;
  readonly n: number;
  readonly failed: number;
  readonly sizeBy: SizeBy;
  /** The median observed size the quantiles below are given at (null: the law needs no size). */
  readonly typicalSize: number | null;
  /** The runtime law (undefined when the op has no succeeded runtime). */
  readonly law: ScalingLaw | undefined;
  readonly p10: number | undefined;
  readonly p50: number | undefined;
  readonly p90: number | undefined;
  /** Pool classes with their record counts, most records first. */
  readonly classes: readonly { readonly poolClass: string; readonly n: number }[];
}

/** Per op, sorted by name: runtime law and P10/P50/P90 at the op's median observed size. */
export function opSummaries(profile: Profile): OpSummary[] {
  return Object.keys(profile.ops)
    .sort()
    .map((name) => {
      const op = profile.ops[name]!;
      const fit = op.metrics.runtimeS;
      const size = op.typicalSize ?? undefined;
      const query: ProfileQuery = op.sizeBy === 'items' ? { op: name, items: size } : { op: name, bytesIn: size };
      const at = (q: number): number | undefined => (fit === undefined ? undefined : predict(profile, 'runtimeS', query, q).value);
      return {
        op: name,
        n: op.n,
        failed: op.failed,
        sizeBy: op.sizeBy,
        typicalSize: op.typicalSize,
        law: fit?.law,
        p10: at(0.1),
        p50: at(0.5),
        p90: at(0.9),
        classes: Object.entries(op.classes)
          .map(([poolClass, n]) => ({ poolClass, n }))
          .sort((a, b) => b.n - a.n || (a.poolClass < b.poolClass ? -1 : 1)),
      };
    });
}
