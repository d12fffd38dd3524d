/**
 * How good a profile is on records it was not fitted on, and the two baselines issue 4 names,
 * fitted on the same training records:
 *   - running mean per op (the arithmetic mean of the op's past values);
 *   - last value: the op's most recent record in input order.
 * plus, for reference, Dask's actual estimate: `TaskPrefix.add_exec_time` keeps
 * duration_average = 0.5·new + 0.5·old per task prefix (an EWMA, not a mean).
 * An op the baselines never saw gets the mean of every training record (Dask would use its
 * configured default, 0.5 s).
 *
 * Error: median absolute percentage error of the P50 (or point) prediction, |pred − actual| / actual.
 * Coverage of quantile q: the share of test records whose actual value is <= the predicted
 * q-quantile (a calibrated P90 covers 90%, a calibrated P10 10%).
 */
import type { RunRecord } from '../history/record.js';
import { METRIC_FLOOR } from './columns.js';
import { predict } from './predict.js';
import type { Metric, Profile, ProfileQuery } from './types.js';

export interface EvaluationCell {
  readonly n: number;
  /** Median |P50 − actual| / actual. */
  readonly mdape: number;
  /** Share of actual <= predicted quantile, aligned with `Evaluation.quantiles`. */
  readonly coverage: readonly number[];
  /** Share of answers that were provisional (a prior: unknown op or missing size). */
  readonly provisionalShare: number;
}

export interface OpEvaluation extends EvaluationCell {
  /** The profile has no such op (the global prior answered). */
  readonly unseen: boolean;
}

export interface Evaluation {
  readonly metric: Metric;
  readonly quantiles: readonly number[];
  readonly overall: EvaluationCell;
  readonly ops: Readonly<Record<string, OpEvaluation>>;
}

export function queryOf(record: RunRecord): ProfileQuery {
  return { op: record.op, poolClass: record.poolClass, items: record.items, bytesIn: record.bytesIn };
}

/** Test records lacking the metric (or not succeeded) are skipped. */
export function evaluateProfile(profile: Profile, testRecords: Iterable<RunRecord>, quantiles: readonly number[] = [0.1, 0.5, 0.9], metric: Metric = 'runtimeS'): Evaluation {
  const overall = new Accumulator(quantiles.length);
  const byOp = new Map<string, Accumulator>();
  for (const record of testRecords) {
    const actual = actualOf(record, metric);
    if (actual === undefined) continue;
    const query = queryOf(record);
    const median = predict(profile, metric, query, 0.5);
    const covered = quantiles.map((q) => actual <= predict(profile, metric, query, q).value);
    const error = Math.abs(median.value - actual) / actual;
    overall.add(error, covered, median.provisional);
    let op = byOp.get(record.op);
    if (op === undefined) byOp.set(record.op, (op = new Accumulator(quantiles.length)));
    op.add(error, covered, median.provisional);
  }
  const ops: Record<string, OpEvaluation> = Object.create(null) as Record<string, OpEvaluation>;
  for (const name of [...byOp.keys()].sort()) ops[name] = { ...byOp.get(name)!.cell(), unseen: !Object.hasOwn(profile.ops, name) };
  return { metric, quantiles: [...quantiles], overall: overall.cell(), ops };
}

export type PointPredictor = (record: RunRecord) => number;

export interface Baselines {
  /** Arithmetic mean of the op's training values (what issue 4 calls Dask's running mean). */
  readonly runningMean: PointPredictor;
  /** The op's last training value, in input order. */
  readonly lastValue: PointPredictor;
  /** Dask's duration_average: 0.5·new + 0.5·old per op, in input order. */
  readonly daskEwma: PointPredictor;
}

export function baselines(trainRecords: Iterable<RunRecord>, metric: Metric = 'runtimeS'): Baselines {
  const mean = new Map<string, { n: number; sum: number }>();
  const last = new Map<string, number>();
  const ewma = new Map<string, number>();
  let n = 0;
  let sum = 0;
  for (const record of trainRecords) {
    const value = actualOf(record, metric);
    if (value === undefined) continue;
    const entry = mean.get(record.op) ?? { n: 0, sum: 0 };
    entry.n++;
    entry.sum += value;
    mean.set(record.op, entry);
    last.set(record.op, value);
    const old = ewma.get(record.op);
    ewma.set(record.op, old === undefined ? value : 0.5 * value + 0.5 * old);
    n++;
    sum += value;
  }
  const fallback = n === 0 ? METRIC_FLOOR[metric] : sum / n;
  return {
    runningMean: (record) => {
      const entry = mean.get(record.op);
      return entry === undefined ? fallback : entry.sum / entry.n;
    },
    lastValue: (record) => last.get(record.op) ?? fallback,
    daskEwma: (record) => ewma.get(record.op) ?? fallback,
  };
}

export interface PointEvaluation {
  readonly n: number;
  readonly mdape: number;
  readonly ops: Readonly<Record<string, { readonly n: number; readonly mdape: number }>>;
}

export function evaluatePoint(predictor: PointPredictor, testRecords: Iterable<RunRecord>, metric: Metric = 'runtimeS'): PointEvaluation {
  const all: number[] = [];
  const byOp = new Map<string, number[]>();
  for (const record of testRecords) {
    const actual = actualOf(record, metric);
    if (actual === undefined) continue;
    const error = Math.abs(predictor(record) - actual) / actual;
    all.push(error);
    let list = byOp.get(record.op);
    if (list === undefined) byOp.set(record.op, (list = []));
    list.push(error);
  }
  const ops: Record<string, { n: number; mdape: number }> = Object.create(null) as Record<string, { n: number; mdape: number }>;
  for (const name of [...byOp.keys()].sort()) ops[name] = { n: byOp.get(name)!.length, mdape: medianOf(byOp.get(name)!) };
  return { n: all.length, mdape: medianOf(all), ops };
}

function actualOf(record: RunRecord, metric: Metric): number | undefined {
  if (record.outcome !== 'succeeded') return undefined;
  const value = record[metric];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.max(METRIC_FLOOR[metric], value) : undefined;
}

/** NaN for an empty list (no test record): shown as "–", never mistaken for a perfect score. */
export function medianOf(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

class Accumulator {
  private readonly errors: number[] = [];
  private readonly covered: number[];
  private provisional = 0;

  constructor(quantiles: number) {
    this.covered = new Array<number>(quantiles).fill(0);
  }

  add(error: number, covered: readonly boolean[], provisional: boolean): void {
    this.errors.push(error);
    covered.forEach((hit, i) => {
      if (hit) this.covered[i]!++;
    });
    if (provisional) this.provisional++;
  }

  cell(): EvaluationCell {
    const n = this.errors.length;
    return {
      n,
      mdape: medianOf(this.errors),
      coverage: this.covered.map((hits) => (n === 0 ? NaN : hits / n)),
      provisionalShare: n === 0 ? NaN : this.provisional / n,
    };
  }
}
