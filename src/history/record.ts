/**
 * One attempt of one sub-task, as the history store keeps it and the profiler reads it.
 * Units are in the names. Optional fields are unknown, never zero: a WfFormat trace does not
 * record CPU seconds for every task, a failed attempt may not know its peak memory.
 */
/** `cancelled`: stopped by the dispatcher (a replica no longer needed, Ctrl-C); neither a success nor a failure of the work. */
export type Outcome = 'succeeded' | 'failed' | 'interrupted' | 'cancelled';

export const OUTCOMES: readonly Outcome[] = ['succeeded', 'failed', 'interrupted', 'cancelled'];

export interface RunRecord {
  /** The job (one run of a workflow): for a WfFormat import, the trace's name and `executedAt`. */
  readonly jobId: string;
  /** The stage (or WfFormat task) id within the job. */
  readonly stageId: string;
  /**
   * The sub-task within the stage (a chunk of a divisible stage); absent = the whole stage, so
   * the id is `stageId` (every WfFormat task). With `jobId` and `attempt` it is the record's key:
   * two chunks of one stage are two records, the same chunk recorded twice is one.
   */
  readonly subtaskId?: string;
  /** The plan the run was dispatched from, when it came from one. */
  readonly planId?: string;
  /** 1 for the first attempt of the sub-task; re-allocations after a failure count up. */
  readonly attempt: number;
  readonly op: string;
  /** The stage's free-form features (JSON object). */
  readonly features: Readonly<Record<string, unknown>>;
  readonly poolId: string;
  /** Machines that behave alike (a WfFormat import: cpu vendor, MHz and cores); the profiler's middle level. */
  readonly poolClass: string;
  /** Relative speed of the pool as the planner knew it; WfFormat imports: the machine's GHz. */
  readonly speed: number | undefined;
  /** Items the sub-task processed (a chunk of a divisible stage); undefined for atomic work. */
  readonly items: number | undefined;
  readonly bytesIn: number | undefined;
  readonly bytesOut: number | undefined;
  readonly runtimeS: number;
  readonly cpuS: number | undefined;
  readonly peakMemBytes: number | undefined;
  readonly readBytes: number | undefined;
  readonly writeBytes: number | undefined;
  readonly outcome: Outcome;
  /** Epoch milliseconds. */
  readonly startedAtMs: number | undefined;
  readonly finishedAtMs: number | undefined;
  /** Why the attempt failed, was interrupted or cancelled (a handler's message, "exit code 3: …"). */
  readonly error?: string;
  /** A command's exit code. */
  readonly exitCode?: number;
  /** Which worker ran it (host:pid, a thread). */
  readonly worker?: string;
}
