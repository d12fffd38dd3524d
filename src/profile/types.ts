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
