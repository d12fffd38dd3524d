/**
 * The contract between the dispatcher and the places sub-tasks run (local, bullmq, sim).
 *
 * The dispatcher decides *what* runs *where* and *when*; a backend only runs what it is given
 * and reports what happened. A backend never retries, never re-allocates and never commits: it
 * reports `finished` with the attempt's outcome (or `lost` when it cannot know it), and the
 * dispatcher, which owns the journal, decides. So every backend passes one conformance suite
 * (test/dispatch/conformance.ts) and the recovery logic is written once.
 *
 * Time is the backend's: `nowS()` is seconds since the backend started, on the wall clock for
 * real backends and on the virtual clock for `sim`. Events carry their time so the dispatcher
 * never reads a clock of its own.
 */

/** What one step of a sub-task executes. */
export type StepRun =
  /** A child process: argv with placeholders already substituted. */
  | { readonly kind: 'command'; readonly argv: readonly string[] }
  /** A JS handler: `module` is an absolute path or file URL, `export` the function's name. */
  | { readonly kind: 'module'; readonly module: string; readonly export: string }
  /** Built-in: waits `durationS` (the planned or recorded runtime × the time scale). */
  | { readonly kind: 'replay'; readonly durationS: number };

/** One stage's share of a sub-task (a cluster runs several atomic stages one after another in one slot). */
export interface JobStep {
  readonly stage: string;
  readonly run: StepRun;
}

/** An input of a sub-task: the committed output of one of the sub-tasks it reads. */
export interface JobInput {
  readonly subtask: string;
  /** The committed output directory (absolute); present when that sub-task wrote files. */
  readonly dir?: string;
  /** A handler's small JSON result, handed over inline. */
  readonly value?: unknown;
}

/** One attempt of one sub-task, as a backend receives it. Plain data: it crosses threads, processes and Redis. */
export interface DispatchJob {
  readonly runId: string;
  /** The plan's sub-task id (`PlanSubtask.id`). */
  readonly subtask: string;
  /** 1 for the first attempt; every retry or re-allocation counts up. */
  readonly attempt: number;
  readonly pool: string;
  readonly op: string;
  /** The stage a chunk belongs to, else the first stage of the sub-task. */
  readonly stage: string;
  /** A chunk of a divisible stage: [start, end) in units, and its index within the stage. */
  readonly items?: readonly [number, number];
  readonly chunk?: number;
  readonly steps: readonly JobStep[];
  readonly inputs: readonly JobInput[];
  /**
   * Where this attempt writes its files (absolute; created by the backend before the first step).
   * The dispatcher commits it by renaming it to the sub-task's output directory, once.
   */
  readonly stagingDir: string;
  /** The attempt is stopped (and reported failed, `error: "timed out"`) after this long; undefined = never. */
  readonly timeoutS?: number;
  /** The planned runtime on this pool (s): `sim` uses it as the duration unless told otherwise. */
  readonly expectedS: number;
}

/** Identifies an attempt across backends; also the BullMQ job id (deterministic, so a re-submission is idempotent). */
export function jobKey(job: Pick<DispatchJob, 'runId' | 'subtask' | 'attempt'>): string {
  return `${job.runId}:${job.subtask}:${job.attempt}`;
}

export type AttemptOutcome = 'succeeded' | 'failed' | 'interrupted' | 'cancelled';

export interface AttemptResult {
  readonly outcome: AttemptOutcome;
  /** Backend time (s) the attempt started and ended. */
  readonly startedS: number;
  readonly finishedS: number;
  /** A command's exit code (the last step run). */
  readonly exitCode?: number;
  /** Why it failed, was interrupted or cancelled: a handler's error message, "exit code 3", "timed out", "command not found: foo". */
  readonly error?: string;
  /** A handler's JSON result (the last step's), kept inline when small (see MAX_INLINE_VALUE_BYTES). */
  readonly value?: unknown;
  /** Bytes written under the staging directory, when the backend measured them. */
  readonly bytesOut?: number;
  /** Which worker ran it (a host:pid, a thread id): shown by `run show`, used to spot a pool that keeps failing. */
  readonly worker?: string;
  /** false: the attempt never created its staging directory, so there is nothing to rename on commit (saves a syscall per sub-task); undefined = unknown. */
  readonly files?: boolean;
}

/** A handler's result larger than this (JSON bytes) is refused: write a file instead. */
export const MAX_INLINE_VALUE_BYTES = 64 * 1024;

export type BackendEvent =
  /** The attempt began executing (a slot was taken). */
  | { readonly type: 'started'; readonly key: string; readonly atS: number; readonly worker?: string }
  /** The attempt ended; `result.outcome` says how. Exactly one `finished` or `lost` per submitted attempt, unless cancelled before it started (then a `finished` with outcome `cancelled`). */
  | { readonly type: 'finished'; readonly key: string; readonly result: AttemptResult }
  /** The backend can no longer tell what became of the attempt (its worker died, it stalled, Redis lost it). */
  | { readonly type: 'lost'; readonly key: string; readonly atS: number; readonly reason: string }
  /** A pool's usable slots changed (an interruption took a slot, capacity came back, all workers left). */
  | { readonly type: 'capacity'; readonly pool: string; readonly atS: number; readonly slots: number; readonly reason: string };

export type BackendListener = (event: BackendEvent) => void;

export interface BackendPool {
  readonly id: string;
  /** Slots the dispatcher will fill at most (the plan's slots, or the reservation's). */
  readonly slots: number;
}

export interface Backend {
  readonly name: string;
  /**
   * Connects (bullmq: to Redis, within a few seconds, else an InputError naming the URL),
   * prepares the pools and starts delivering events to `listener`. Called once.
   */
  open(pools: readonly BackendPool[], listener: BackendListener): Promise<void>;
  /** Seconds since `open` on the backend's clock (virtual for `sim`). */
  nowS(): number;
  /**
   * Queues one attempt. Never throws for a bad job (a command that does not exist, a missing
   * export): that is a `finished` event with outcome `failed` and the error. Submitting the
   * same key twice runs it once.
   */
  submit(job: DispatchJob): void;
  /** Stops an attempt (kills its process tree, aborts its handler's signal); it ends with a `finished` of outcome `cancelled`. Unknown or finished keys are ignored. */
  cancel(key: string, reason: string): void;
  /** Cancels what runs, releases workers and connections. Idempotent. */
  close(): Promise<void>;
  /**
   * Calls `fn` after `delayS` on the backend's clock (retry backoff). Backends on a virtual
   * clock must provide it; without it the dispatcher uses a real timer.
   */
  after?(delayS: number, fn: () => void): void;
  /**
   * Virtual-clock backends: when the pool's slots change next (a scheduled capacity step or a
   * slot coming back), undefined when nothing is scheduled. Lets the dispatcher wait for
   * capacity that will return instead of giving work up. Real backends leave it out (workers
   * may join at any time; the dispatcher waits `capacityWaitS` for them).
   */
  nextCapacityChangeS?(pool: string): number | undefined;
}

/** The context a JS handler (`run: { module, export }`) is called with, beside its `DispatchJob`. */
export interface HandlerContext {
  readonly signal: AbortSignal;
  readonly inputs: readonly JobInput[];
  /** The attempt's staging directory: write files here; they are committed when the handler returns. */
  readonly outputDir: string;
  readonly attempt: number;
  readonly items?: readonly [number, number];
  /** Reports progress in [0, 1]; optional to call. */
  progress(fraction: number): void;
}

export type Handler = (job: DispatchJob, context: HandlerContext) => unknown | Promise<unknown>;
