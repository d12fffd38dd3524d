/**
 * The local backend: runs attempts on this machine. Per pool at most `slots` attempts run at
 * once; the rest wait in submit order. Commands are child processes of this process (each the
 * leader of its own process group, so a cancel kills the tree); JS handlers and replay steps
 * run in a few worker threads, so a slow handler never blocks the dispatcher, and async
 * handlers overlap inside a thread.
 *
 * Built for many tiny attempts: jobs go to the threads and results come back in one message
 * per tick, every event is delivered from one pump (never inside `submit` or `cancel`), and a
 * handler that writes no file gets no staging directory (it is made when the handler first
 * reads `context.outputDir`; a job with a command step always gets one).
 *
 * A handler stuck in a synchronous loop cannot see its abort signal: when it has not answered
 * `stopGraceMs` after a cancel or timeout, its thread is terminated and replaced, and the other
 * attempts that were on it are reported `lost` ("worker thread ended").
 */
import { promises as fsp } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { jobKey, type AttemptResult, type Backend, type BackendEvent, type BackendListener, type BackendPool, type DispatchJob } from '../backend.js';
import { commandEnv, errorMessage, MAX_TIMER_MS, measureBytes, PROCESS_WORKER, runCommand, timedOutMessage, type StepOutcome } from '../execute.js';
import { RESULT_ABORTED, RESULT_FAILED, RESULT_OK, type RunResult } from './protocol.js';
import { HandlerThread, type ThreadEvents } from './threads.js';

export interface LocalBackendOptions {
  /** Worker threads for handler and replay steps. Default: the CPU count. */
  readonly threads?: number;
  /** How long a stopped handler may take to give up before its thread is terminated (ms). Default 1000. */
  readonly stopGraceMs?: number;
}

const QUEUED = 0;
const RUNNING = 1;
const DONE = 2;

type StopCause = 'cancel' | 'timeout';

interface PoolState {
  readonly id: string;
  readonly slots: number;
  running: number;
  /** FIFO in submit order; `head` is the next to look at (entries cancelled while queued are skipped). */
  queue: Attempt[];
  head: number;
}

/** One submitted attempt, from submit to its terminal event. */
interface Attempt {
  readonly id: number;
  readonly key: string;
  readonly job: DispatchJob;
  readonly pool: PoolState;
  state: typeof QUEUED | typeof RUNNING | typeof DONE;
  startedS: number;
  worker: string;
  /** The thread running its current handler segment. */
  thread: HandlerThread | undefined;
  /** Stops the command step that is running. */
  command: AbortController | undefined;
  stop: StopCause | undefined;
  stopReason: string;
  timeoutTimer: NodeJS.Timeout | undefined;
  graceTimer: NodeJS.Timeout | undefined;
  exitCode: number | undefined;
  /** Steps [0, next) are done. */
  next: number;
  valueJson: string | undefined;
  bytesOut: number | undefined;
  stagingMade: boolean;
  /** A handler created the staging directory (the thread said so). */
  filesMade: boolean;
}

const LOCAL_MAIN = `${PROCESS_WORKER}/main`;

export class LocalBackend implements Backend {
  readonly name = 'local';
  private readonly threadCount: number;
  private readonly stopGraceMs: number;
  private listener: BackendListener | undefined;
  private originMs = 0;
  private readonly pools = new Map<string, PoolState>();
  private readonly byKey = new Map<string, Attempt>();
  /** Keys that reached their terminal event: a re-submission is ignored. */
  private readonly doneKeys = new Set<string>();
  /** In-flight thread segments by attempt id. */
  private readonly byId = new Map<number, Attempt>();
  private nextId = 1;
  private threads: HandlerThread[] = [];
  private threadIndex = 0;
  private readonly threadEvents: ThreadEvents;
  private events: BackendEvent[] = [];
  private pumping = false;
  private scheduled = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** Command attempts that still have a child process (awaited by close). */
  private readonly commandsRunning = new Set<Promise<unknown>>();

  constructor(options: LocalBackendOptions = {}) {
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be an integer >= 1 (got ${String(options.threads)})`);
    this.threadCount = threads;
    this.stopGraceMs = options.stopGraceMs ?? 1000;
    this.threadEvents = {
      results: (thread, results) => this.onResults(thread, results),
      exited: (thread, error) => this.onThreadExit(thread, error),
    };
  }

  async open(pools: readonly BackendPool[], listener: BackendListener): Promise<void> {
    if (this.listener !== undefined) throw new Error('LocalBackend.open called twice');
    this.listener = listener;
    this.originMs = performance.now();
    for (const pool of pools) this.pools.set(pool.id, { id: pool.id, slots: pool.slots, running: 0, queue: [], head: 0 });
    // The backend is ready when its threads are: the first attempts do not wait for them.
    while (this.threads.length < this.threadCount) this.threads.push(this.newThread());
    await Promise.all(this.threads.map((thread) => thread.ready));
  }

  nowS(): number {
    return (performance.now() - this.originMs) / 1000;
  }

  submit(job: DispatchJob): void {
    if (this.closed) return;
    const key = jobKey(job);
    if (this.byKey.has(key) || this.doneKeys.has(key)) return;
    const pool = this.pools.get(job.pool);
    const attempt: Attempt = {
      id: this.nextId++,
      key,
      job,
      pool: pool ?? { id: job.pool, slots: 0, running: 0, queue: [], head: 0 },
      state: QUEUED,
      startedS: 0,
      worker: LOCAL_MAIN,
      thread: undefined,
      command: undefined,
      stop: undefined,
      stopReason: '',
      timeoutTimer: undefined,
      graceTimer: undefined,
      exitCode: undefined,
      next: 0,
      valueJson: undefined,
      bytesOut: undefined,
      stagingMade: false,
      filesMade: false,
    };
    this.byKey.set(key, attempt);
    if (pool === undefined) {
      const atS = this.nowS();
      this.finish(attempt, { outcome: 'failed', startedS: atS, finishedS: atS, error: `unknown pool "${job.pool}" (the backend was opened with ${[...this.pools.keys()].join(', ') || 'no pools'})` });
    } else pool.queue.push(attempt);
    this.schedule();
  }

  cancel(key: string, reason: string): void {
    const attempt = this.byKey.get(key);
    if (attempt === undefined || attempt.state === DONE) return;
    this.stop(attempt, 'cancel', reason);
    this.schedule();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  // -------------------------------------------------------------------------------------------
  // Scheduling

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /** Delivers events and starts what the slots allow, until neither has anything left; then sends the threads their batches. */
  private pump(): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    try {
      for (;;) {
        this.deliver();
        let started = 0;
        for (const pool of this.pools.values()) started += this.startQueued(pool);
        if (started === 0 && this.events.length === 0) break;
      }
      for (const thread of this.threads) thread.flush();
    } finally {
      this.pumping = false;
    }
  }

  private deliver(): void {
    while (this.events.length > 0) {
      const events = this.events;
      this.events = [];
      for (const event of events) {
        if (this.closed && event.type !== 'finished') continue;
        try {
          this.listener!(event);
        } catch (error) {
          // A listener bug must not wedge the backend; surface it like any uncaught error.
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    }
  }

  private startQueued(pool: PoolState): number {
    let started = 0;
    while (pool.running < pool.slots && pool.head < pool.queue.length) {
      const attempt = pool.queue[pool.head++]!;
      if (attempt.state !== QUEUED) continue;
      this.begin(attempt);
      started++;
    }
    if (pool.head > 1024 && pool.head * 2 > pool.queue.length) {
      pool.queue = pool.queue.slice(pool.head);
      pool.head = 0;
    }
    return started;
  }

  private begin(attempt: Attempt): void {
    attempt.state = RUNNING;
    attempt.pool.running++;
    attempt.startedS = this.nowS();
    const timeoutS = attempt.job.timeoutS;
    if (timeoutS !== undefined && timeoutS * 1000 <= MAX_TIMER_MS) attempt.timeoutTimer = setTimeout(() => this.onTimeout(attempt), timeoutS * 1000);
    const onThread = attempt.job.steps.length > 0 && attempt.job.steps.every((step) => step.run.kind !== 'command');
    if (onThread) {
      // The common case, a job of handler/replay steps only: one request, no staging dir up front.
      const thread = this.pickThread();
      attempt.worker = `${PROCESS_WORKER}/${thread.name}`;
      this.events.push({ type: 'started', key: attempt.key, atS: attempt.startedS, worker: attempt.worker });
      this.sendSegment(attempt, thread, 0, attempt.job.steps.length);
    } else {
      this.events.push({ type: 'started', key: attempt.key, atS: attempt.startedS, worker: attempt.worker });
      void this.continueSteps(attempt);
    }
  }

  private pickThread(): HandlerThread {
    while (this.threads.length < this.threadCount) this.threads.push(this.newThread());
    let best = this.threads[0]!;
    for (const thread of this.threads) if (thread.inFlight < best.inFlight) best = thread;
    return best;
  }

  private newThread(): HandlerThread {
    return new HandlerThread(this.threadIndex++, this.threadEvents);
  }

  private sendSegment(attempt: Attempt, thread: HandlerThread, from: number, to: number): void {
    attempt.thread = thread;
    this.byId.set(attempt.id, attempt);
    thread.run([attempt.id, attempt.job, from, to]);
  }

  // -------------------------------------------------------------------------------------------
  // Jobs with commands: the steps are walked here; handler runs in between go to a thread.

  private async continueSteps(attempt: Attempt): Promise<void> {
    const { job } = attempt;
    if (!attempt.stagingMade) {
      attempt.stagingMade = true;
      try {
        await fsp.mkdir(job.stagingDir, { recursive: true });
      } catch (error) {
        return this.end(attempt, { kind: 'failed', error: `cannot create the staging directory ${job.stagingDir}: ${errorMessage(error)}` });
      }
    }
    while (attempt.state === RUNNING) {
      if (attempt.stop !== undefined) return this.end(attempt, { kind: 'aborted' });
      if (attempt.next >= job.steps.length) return this.succeed(attempt);
      const step = job.steps[attempt.next]!;
      if (step.run.kind !== 'command') {
        let to = attempt.next + 1;
        while (to < job.steps.length && job.steps[to]!.run.kind !== 'command') to++;
        attempt.exitCode = undefined; // the exit code is the last step's
        this.sendSegment(attempt, this.pickThread(), attempt.next, to);
        attempt.next = to;
        this.pump(); // sends the batch now (we are outside submit: in a promise continuation)
        return;
      }
      const controller = new AbortController();
      attempt.command = controller;
      const running = runCommand(step.run.argv, { cwd: job.stagingDir, env: commandEnv(job), signal: controller.signal });
      this.commandsRunning.add(running);
      const outcome = await running;
      this.commandsRunning.delete(running);
      attempt.command = undefined;
      attempt.exitCode = outcome.kind === 'ok' ? 0 : outcome.kind === 'failed' ? outcome.exitCode : undefined;
      attempt.valueJson = undefined;
      attempt.next++;
      if (outcome.kind !== 'ok') return this.end(attempt, outcome);
    }
  }

  private async succeed(attempt: Attempt): Promise<void> {
    attempt.bytesOut = await measureBytes(attempt.job.stagingDir);
    if (attempt.state !== RUNNING) return;
    this.end(attempt, attempt.stop === undefined ? { kind: 'ok' } : { kind: 'aborted' });
  }

  // -------------------------------------------------------------------------------------------
  // Thread results

  private onResults(thread: HandlerThread, results: readonly RunResult[]): void {
    for (const [id, code, text, bytesOut] of results) {
      const attempt = this.byId.get(id);
      if (attempt === undefined || attempt.thread !== thread) continue;
      this.byId.delete(id);
      attempt.thread = undefined;
      if (attempt.graceTimer !== undefined) clearTimeout(attempt.graceTimer);
      attempt.graceTimer = undefined;
      if (attempt.state !== RUNNING) continue;
      if (attempt.stop !== undefined || code === RESULT_ABORTED) {
        this.end(attempt, { kind: 'aborted' });
      } else if (code === RESULT_FAILED) {
        this.end(attempt, { kind: 'failed', error: text ?? 'the handler failed' });
      } else if (code === RESULT_OK) {
        attempt.valueJson = text;
        if (bytesOut !== undefined) {
          attempt.filesMade = true;
          if (bytesOut >= 0) attempt.bytesOut = bytesOut;
        }
        // A job of handler steps only ran whole; one with commands goes on with its next step.
        if (attempt.stagingMade) void this.continueSteps(attempt);
        else this.end(attempt, { kind: 'ok' });
      }
    }
    this.pump();
  }

  private onThreadExit(thread: HandlerThread, error: string | undefined): void {
    this.threads = this.threads.filter((t) => t !== thread);
    if (this.closed) return;
    const atS = this.nowS();
    const reason = `worker thread ended${error === undefined ? '' : `: ${error}`}`;
    for (const attempt of [...this.byId.values()]) {
      if (attempt.thread !== thread) continue;
      this.byId.delete(attempt.id);
      attempt.thread = undefined;
      if (attempt.graceTimer !== undefined) clearTimeout(attempt.graceTimer);
      if (attempt.state !== RUNNING) continue;
      // The attempt that was being stopped ends as it was asked to; the others' fate is unknown.
      if (attempt.stop !== undefined) this.end(attempt, { kind: 'aborted' });
      else {
        this.release(attempt);
        this.events.push({ type: 'lost', key: attempt.key, atS, reason });
      }
    }
    this.pump();
  }

  // -------------------------------------------------------------------------------------------
  // Stopping

  private onTimeout(attempt: Attempt): void {
    attempt.timeoutTimer = undefined;
    if (attempt.state === RUNNING) this.stop(attempt, 'timeout', timedOutMessage(attempt.job.timeoutS ?? 0));
  }

  private stop(attempt: Attempt, cause: StopCause, reason: string): void {
    if (attempt.state === QUEUED) {
      const atS = this.nowS();
      this.finish(attempt, { outcome: 'cancelled', startedS: atS, finishedS: atS, error: reason });
      return;
    }
    if (attempt.stop !== undefined) return;
    attempt.stop = cause;
    attempt.stopReason = reason;
    attempt.command?.abort();
    const thread = attempt.thread;
    if (thread !== undefined) {
      thread.abort(attempt.id);
      thread.flush();
      // A handler that answers its abort ends the attempt; one stuck in a synchronous loop cannot.
      attempt.graceTimer = setTimeout(() => {
        attempt.graceTimer = undefined;
        if (attempt.thread === thread && !thread.dead) this.retire(thread, `stopped: a handler did not give up within ${this.stopGraceMs} ms of "${reason}"`);
      }, this.stopGraceMs);
    }
  }

  /** Terminates a thread; new work goes to the others (or a replacement) from now on, its attempts end when it has exited. */
  private retire(thread: HandlerThread, reason: string): void {
    this.threads = this.threads.filter((t) => t !== thread);
    void thread.terminate(reason);
  }

  // -------------------------------------------------------------------------------------------
  // Ending

  private end(attempt: Attempt, outcome: StepOutcome): void {
    if (attempt.state !== RUNNING) return;
    const base = { startedS: attempt.startedS, finishedS: Math.max(attempt.startedS, this.nowS()), worker: attempt.worker };
    const exit = attempt.exitCode === undefined ? {} : { exitCode: attempt.exitCode };
    const bytes = attempt.bytesOut === undefined ? {} : { bytesOut: attempt.bytesOut };
    if (outcome.kind === 'aborted' || attempt.stop !== undefined) {
      const timedOut = attempt.stop === 'timeout';
      const result: AttemptResult = { ...base, ...exit, outcome: timedOut ? 'failed' : 'cancelled', error: attempt.stopReason || 'cancelled' };
      return this.finish(attempt, result);
    }
    if (outcome.kind === 'failed') return this.finish(attempt, { ...base, ...exit, outcome: 'failed', error: outcome.error });
    let value: unknown;
    if (attempt.valueJson !== undefined) value = JSON.parse(attempt.valueJson) as unknown;
    this.finish(attempt, { ...base, ...exit, ...bytes, outcome: 'succeeded', files: attempt.stagingMade || attempt.filesMade, ...(value === undefined ? {} : { value }) });
  }

  /** Queues the terminal event; frees the slot. */
  private finish(attempt: Attempt, result: AttemptResult): void {
    if (attempt.state === DONE) return;
    this.release(attempt);
    this.events.push({ type: 'finished', key: attempt.key, result });
    // Delivered by the next pump: at once when a thread's batch ends, else on the next tick.
    this.schedule();
  }

  private release(attempt: Attempt): void {
    if (attempt.state === RUNNING) attempt.pool.running--;
    attempt.state = DONE;
    if (attempt.timeoutTimer !== undefined) clearTimeout(attempt.timeoutTimer);
    if (attempt.graceTimer !== undefined) clearTimeout(attempt.graceTimer);
    attempt.timeoutTimer = undefined;
    attempt.graceTimer = undefined;
    this.byKey.delete(attempt.key);
    this.doneKeys.add(attempt.key);
  }

  private async shutdown(): Promise<void> {
    // Everything still open ends `cancelled`; those events are delivered before close resolves.
    for (const attempt of [...this.byKey.values()]) {
      if (attempt.state === DONE) continue;
      attempt.command?.abort();
      const atS = Math.max(attempt.startedS, this.nowS());
      this.finish(attempt, { outcome: 'cancelled', startedS: attempt.state === RUNNING ? attempt.startedS : atS, finishedS: atS, ...(attempt.state === RUNNING ? { worker: attempt.worker } : {}), error: 'backend closed' });
    }
    this.closed = true;
    const threads = this.threads;
    this.threads = [];
    await Promise.all(threads.map((thread) => thread.terminate('backend closed')));
    // Delivered after a turn of the event loop, never inside the close() call.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.pumping = true;
    try {
      this.deliver();
    } finally {
      this.pumping = false;
    }
    await Promise.all(this.commandsRunning);
  }
}

export function createLocalBackend(options: LocalBackendOptions = {}): LocalBackend {
  return new LocalBackend(options);
}
