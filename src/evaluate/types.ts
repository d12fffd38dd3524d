/**
 * `apportion evaluate` (issue 11): planning and recovery policies replayed on the sim backend
 * under availability traces, side by side. Plain data in and out, so results can be written as
 * JSON and compared across runs.
 */

/** One availability trace: per pool, slots available from `timeS` on (the sim backend's and the predictor's format). */
export interface AvailabilityTrace {
  readonly id: string;
  /** Pool id → points (time_s ascending, the first at 0), in seconds from the trace's own start. */
  readonly pools: ReadonlyMap<string, ReadonlyArray<{ readonly timeS: number; readonly available: number }>>;
  /** Epoch s of the trace's time 0 (hour of week matters to the predictor); default 0. */
  readonly startS?: number;
  /** Where it came from: a file, or "generated: seasonal hazard seed 3". */
  readonly source: string;
}

/** One case of the cross product. */
export interface EvaluationCase {
  readonly policy: string;
  readonly workload: string;
  readonly trace: string;
  /** Seconds into the trace where the job starts (the forecast-aware policies see only what is before it). */
  readonly offsetS: number;
  readonly seed: number;
}

export interface CaseResult extends EvaluationCase {
  readonly status: 'succeeded' | 'failed' | 'error';
  /** Compute (every attempt's slot time × price) + egress, USD. */
  readonly costUsd: number;
  readonly makespanS: number;
  readonly deadlineS: number | null;
  /** null when the workload has no deadline. */
  readonly deadlineMet: boolean | null;
  /** Slot-hours held by every attempt, and of those by attempts that did not commit. */
  readonly slotHours: number;
  readonly wastedSlotHours: number;
  readonly attempts: number;
  readonly replans: number;
  readonly moves: number;
  /** Why a case errored or failed. */
  readonly error?: string;
}

export interface PolicySummary {
  readonly policy: string;
  readonly cases: number;
  /** Geometric means over the cases that ran (status succeeded or failed). */
  readonly costUsd: number;
  readonly makespanS: number;
  readonly slotHours: number;
  /** Share of cases with a deadline that met it. */
  readonly deadlineMet: number;
  /** 95 % bootstrap intervals of the geometric means. */
  readonly costUsdCi: readonly [number, number];
  readonly makespanSCi: readonly [number, number];
  readonly wastedSlotHours: number;
}

export interface EvaluationResult {
  readonly kind: 'apportion.evaluation';
  readonly version: 1;
  readonly seed: number;
  readonly policies: readonly PolicySummary[];
  readonly cases: readonly CaseResult[];
  readonly workloads: readonly string[];
  readonly traces: readonly { readonly id: string; readonly source: string }[];
}
