/**
 * The profiler's single pass over the records: each succeeded record becomes one row of flat
 * typed columns (op, class and job as dictionary indices; items, bytesIn and the five metrics
 * as float64, NaN when unknown), ≈ 68 bytes a record instead of a RunRecord object. Everything
 * after the pass (the calibration split by job, the laws, the residuals) reads the columns, so
 * the records may stream from SQLite once.
 *
 *   row r:  op[r] cls[r] job[r] | items[r] bytesIn[r] | metric[0..4][r]   (metric order: METRICS)
 */
import type { RunRecord } from '../history/record.js';
import { METRICS, type Metric } from './types.js';

/** Values below these are raised to them: the model is multiplicative and needs positive values. */
export const METRIC_FLOOR: Readonly<Record<Metric, number>> = {
  runtimeS: 1e-3,
  cpuS: 1e-3,
  peakMemBytes: 1,
  readBytes: 1,
  writeBytes: 1,
};

export interface Columns {
  readonly count: number;
  readonly op: Int32Array;
  readonly cls: Int32Array;
  readonly job: Int32Array;
  readonly items: Float64Array;
  readonly bytesIn: Float64Array;
  /** One column per metric, in METRICS order; NaN when the record lacks it. */
  readonly metrics: readonly Float64Array[];
  readonly opNames: readonly string[];
  readonly classNames: readonly string[];
  readonly jobNames: readonly string[];
  /** Records read, every outcome. */
  readonly records: number;
  /** Failed or interrupted attempts per op index (ops seen only failing get an index too). */
  readonly failedByOp: readonly number[];
}

const INITIAL_CAPACITY = 1024;

export function collectColumns(records: Iterable<RunRecord>): Columns {
  let capacity = INITIAL_CAPACITY;
  let op = new Int32Array(capacity);
  let cls = new Int32Array(capacity);
  let job = new Int32Array(capacity);
  let items = new Float64Array(capacity);
  let bytesIn = new Float64Array(capacity);
  let metrics = METRICS.map(() => new Float64Array(capacity));
  const ops = new Dictionary();
  const classes = new Dictionary();
  const jobs = new Dictionary();
  const failedByOp: number[] = [];
  let count = 0;
  let read = 0;
  for (const record of records) {
    read++;
    const opIndex = ops.index(record.op);
    while (failedByOp.length <= opIndex) failedByOp.push(0);
    // A cancelled attempt says nothing about the work (a replica no longer needed, Ctrl-C).
    if (record.outcome === 'cancelled') continue;
    if (record.outcome !== 'succeeded') {
      failedByOp[opIndex]!++;
      continue;
    }
    if (count === capacity) {
      capacity *= 2;
      op = grow(op, capacity);
      cls = grow(cls, capacity);
      job = grow(job, capacity);
      items = grow(items, capacity);
      bytesIn = grow(bytesIn, capacity);
      metrics = metrics.map((column) => grow(column, capacity));
    }
    op[count] = opIndex;
    cls[count] = classes.index(record.poolClass);
    job[count] = jobs.index(record.jobId);
    items[count] = size(record.items);
    bytesIn[count] = size(record.bytesIn);
    for (let m = 0; m < METRICS.length; m++) {
      const metric = METRICS[m]!;
      const value = record[metric];
      metrics[m]![count] = typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.max(METRIC_FLOOR[metric], value) : NaN;
    }
    count++;
  }
  return {
    count,
    op,
    cls,
    job,
    items,
    bytesIn,
    metrics,
    opNames: ops.names,
    classNames: classes.names,
    jobNames: jobs.names,
    records: read,
    failedByOp,
  };
}

function size(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : NaN;
}

function grow<T extends Int32Array | Float64Array>(column: T, capacity: number): T {
  const next = new (column.constructor as new (length: number) => T)(capacity);
  next.set(column);
  return next;
}

class Dictionary {
  readonly names: string[] = [];
  private readonly indices = new Map<string, number>();

  index(name: string): number {
    let index = this.indices.get(name);
    if (index === undefined) {
      index = this.names.length;
      this.names.push(name);
      this.indices.set(name, index);
    }
    return index;
  }
}

/** Row indices grouped by op: rows of op o are order[start[o] .. start[o+1]), in input order. */
export function groupByOp(columns: Columns): { readonly start: Int32Array; readonly order: Int32Array } {
  const opCount = columns.opNames.length;
  const start = new Int32Array(opCount + 1);
  for (let r = 0; r < columns.count; r++) start[columns.op[r]! + 1]!++;
  for (let o = 0; o < opCount; o++) start[o + 1]! += start[o]!;
  const fill = start.slice(0, opCount);
  const order = new Int32Array(columns.count);
  for (let r = 0; r < columns.count; r++) order[fill[columns.op[r]!]!++] = r;
  return { start, order };
}
