/**
 * The sim backend: runs a plan on a virtual clock, for tests, what-if runs and (issue 11)
 * policy evaluation. Nothing executes and nothing waits: an attempt "runs" for a duration
 * drawn when it starts, and the clock jumps from one event to the next.
 *
 * The model, per pool: usable slots = min(the dispatcher's slots, the availability series'
 * current value) − slots lost to interruptions that have not come back. An attempt starts as
 * soon as it is submitted if a slot is free, else waits in submit order (FIFO). It ends at the
 * earliest of: its duration (succeeded), its `timeoutS` (failed, "timed out"), a scheduled
 * fault (`faults`), an interruption drawn from the pool's hazard (a Poisson process per running
 * slot, so the time to interruption of an attempt is exponential with rate
 * `interruptionPerHour / 3600`), a drop of the availability series below the running count
 * (the most recently started attempts go first, "pool capacity dropped"), or a cancel.
 * Interruptions end `finished` with outcome `interrupted`; a hazard interruption may also take
 * its slot away for `slotDownS`. Every change of usable slots is a `capacity` event (delivered
 * before the `finished` events it causes, so a dispatcher re-submitting sees the new count).
 *
 * Events are delivered from the backend's own loop, never inside `submit` or `cancel`: those
 * only schedule a command at the current virtual time (an event like any other, after the ones
 * already scheduled for that time), and when the loop is idle they schedule it with
 * queueMicrotask. The loop pops events in a tight loop until the heap is empty; a listener
 * that submits from inside an event (as the dispatcher does on `finished`) keeps it going.
 * Ties are broken by scheduling order, the random source is one seeded mulberry32 stream, and
 * the listener is called synchronously: so the same inputs and seed give the same events, in
 * the same order, at the same virtual times.
 *
 * The listener must react synchronously. Whatever it submits later (after an `await`) is
 * submitted at whatever virtual time the loop has reached by then. Two things help code that
 * is not a listener: when nothing is queued or running, the loop gives the event loop a turn
 * (setImmediate) before it moves the clock on to the next availability step or returning
 * slot, and with `yieldBeforeAdvance` it does so before every move of the clock (slower; for
 * tests that act between events, such as the conformance suite's `close()` while running).
 */
import { jobKey, type AttemptOutcome, type AttemptResult, type Backend, type BackendEvent, type BackendListener, type BackendPool, type DispatchJob } from '../backend.js';
import type { CapacityStep } from '../../model/types.js';
import { seededRandom } from '../../util/random.js';
import type { AvailabilityPoint } from './availability-csv.js';
import { planDurations, replayDurations, type SimDurationFn } from './durations.js';
import { EventHeap } from './event-heap.js';

/** Per-pool sim settings; a model `Pool` fits (its `interruptionPerHour` and `capacity` are used). */
export interface SimPoolOptions {
  readonly id: string;
  /** Interruptions per running slot per hour (a Poisson process); default 0. */
  readonly interruptionPerHour?: number;
  /** After a hazard interruption the slot is gone this long, then comes back; default 0 (not lost). */
  readonly slotDownS?: number;
  /** Slots available from `atS` on (the resource map's capacity steps); used when `availability` has no series for this pool. */
  readonly capacity?: readonly CapacityStep[];
}

/** A scripted end of an attempt, `afterS` after it starts (if it has not ended before). */
export interface SimFault {
  readonly outcome: 'failed' | 'interrupted';
  readonly afterS: number;
  readonly error?: string;
}

export interface SimBackendOptions {
  /** Seed of the random stream (durations, hazards). Default 1. */
  readonly seed?: number;
  /** 'plan' (job.expectedS, the default), 'replay' (the replay steps' sum) or a function; see durations.ts. */
  readonly durations?: 'plan' | 'replay' | SimDurationFn;
  readonly pools?: readonly SimPoolOptions[];
  /** Per pool, the number of its slots available from each `timeS` on (times strictly increasing); before the first point, all of them. */
  readonly availability?: ReadonlyMap<string, readonly AvailabilityPoint[]>;
  /** Scripted faults for tests: called once per attempt, when it starts. */
  readonly faults?: (job: DispatchJob) => SimFault | undefined;
  /** Give the event loop a turn before every move of the virtual clock (see the header). Default false. */
  readonly yieldBeforeAdvance?: boolean;
}

export interface SimStats {
  readonly nowS: number;
  /** Events popped off the heap (commands, attempt ends, availability steps, returning slots). */
  readonly heapEvents: number;
  /** Events delivered to the listener. */
  readonly delivered: number;
  readonly started: number;
  readonly finished: Readonly<Record<AttemptOutcome, number>>;
  /** Hazard interruptions (a subset of finished.interrupted). */
  readonly hazardInterruptions: number;
  readonly capacityEvents: number;
  readonly running: number;
  readonly queued: number;
}

export interface SimBackend extends Backend {
  /** See the implementation: the next scheduled change of a pool's usable slots (backend seconds), if any. */
  nextCapacityChangeS(poolId: string): number | undefined;
  /**
   * Resolves when the heap is empty: nothing more happens unless something is submitted or
   * cancelled. (Attempts queued on a pool whose slots never come back stay queued: `stats().queued`.)
   * Rejects if a listener or timer callback threw.
   */
  idle(): Promise<void>;
  stats(): SimStats;
}

export function createSimBackend(options: SimBackendOptions = {}): SimBackend {
  return new SimBackendImpl(options);
}

// Heap event kinds. Commands and attempt ends are the run's own work; timers (`after`),
// availability steps and returning slots are dropped when the backend closes.
const SUBMIT = 0;
const CANCEL = 1;
const END = 2;
const TIMER = 3;
const AVAILABILITY = 4;
const SLOT_BACK = 5;

// Attempt states.
const PENDING = 0;
const QUEUED = 1;
const RUNNING = 2;
const DONE = 3;

const OUTCOMES: readonly AttemptOutcome[] = ['succeeded', 'failed', 'interrupted', 'cancelled'];
const SUCCEEDED = 0;
const FAILED = 1;
const INTERRUPTED = 2;
const CANCELLED = 3;

/** Events handled per turn of the event loop, so a long simulation lets timers and I/O in now and then. */
const EVENTS_PER_TURN = 200_000;

const HAZARD_ERROR = 'interrupted (pool hazard)';
const CAPACITY_ERROR = 'pool capacity dropped';

interface PoolState {
  readonly id: string;
  readonly index: number;
  readonly worker: string;
  /** The dispatcher's slots (from open). */
  readonly openSlots: number;
  readonly hazardPerS: number;
  readonly slotDownS: number;
  /** The availability series' current value (Infinity = not limited). */
  available: number;
  /** Slots lost to interruptions, not back yet. */
  down: number;
  running: number;
  /** Running attempts, oldest start first (intrusive list), so a capacity drop finds the newest at the tail. */
  oldest: Attempt | undefined;
  newest: Attempt | undefined;
  /** FIFO of queued attempts; `head` is the next to look at (cancelled entries are skipped). */
  queue: (Attempt | undefined)[];
  head: number;
  queued: number;
  /** Usable slots as last reported (open: the dispatcher's slots). */
  reported: number;
  /** Times of the availability steps not applied yet: `steps[stepNext]` is the next. */
  readonly steps: number[];
  stepNext: number;
  /** Times lost slots come back, in order (slotDownS is one per pool): `returns[returnNext]` is the next. */
  readonly returns: number[];
  returnNext: number;
}

class Attempt {
  state = PENDING;
  startedS = 0;
  endS = 0;
  outcome = SUCCEEDED;
  error: string | undefined = undefined;
  losesSlot = false;
  cancelReason: string | undefined = undefined;
  older: Attempt | undefined = undefined;
  newer: Attempt | undefined = undefined;
  /** The previous attempt of the same sub-task, if any. */
  sameSubtask: Attempt | undefined = undefined;
  constructor(
    readonly index: number,
    readonly key: string,
    readonly job: DispatchJob,
    readonly pool: PoolState | undefined,
  ) {}
}

class SimBackendImpl implements SimBackend {
  readonly name = 'sim';
  private listener: BackendListener = () => {};
  private readonly heap = new EventHeap();
  private readonly random: () => number;
  private readonly duration: SimDurationFn;
  private readonly faults: ((job: DispatchJob) => SimFault | undefined) | undefined;
  private readonly yieldBeforeAdvance: boolean;
  private pools: PoolState[] = [];
  private readonly poolById = new Map<string, PoolState>();
  private readonly attempts: Attempt[] = [];
  /** Attempts by run id, then sub-task id (the latest attempt; older ones chained by `sameSubtask`). */
  private readonly runs = new Map<string, Map<string, Attempt>>();
  private lastRunId: string | undefined;
  private lastRun: Map<string, Attempt> | undefined;
  /** Availability steps, by heap reference. */
  private readonly stepPool: number[] = [];
  private readonly stepAvailable: number[] = [];
  /** Callbacks of `after`, by heap reference (cleared once called). */
  private readonly timers: ((() => void) | undefined)[] = [];

  private now = 0;
  private opened = false;
  private closing = false;
  private closed = false;
  private closePromise: Promise<void> | undefined;
  private draining = false;
  private drainScheduled = false;
  /** Set after the loop yielded before moving the clock: the next move may go ahead. */
  private mayAdvance = false;
  /** SUBMIT and CANCEL events in the heap. */
  private commands = 0;
  private running = 0;
  private queued = 0;
  private idleWaiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];

  private heapEvents = 0;
  private delivered = 0;
  private startedCount = 0;
  private readonly finishedCount = [0, 0, 0, 0];
  private hazardInterruptions = 0;
  private capacityEvents = 0;

  constructor(private readonly options: SimBackendOptions) {
    this.random = seededRandom(options.seed ?? 1);
    const durations = options.durations ?? 'plan';
    this.duration = durations === 'plan' ? planDurations : durations === 'replay' ? replayDurations : durations;
    this.faults = options.faults;
    this.yieldBeforeAdvance = options.yieldBeforeAdvance ?? false;
  }

  async open(pools: readonly BackendPool[], listener: BackendListener): Promise<void> {
    if (this.opened) throw new Error('sim backend: open() was called twice');
    this.opened = true;
    this.listener = listener;
    const settings = new Map((this.options.pools ?? []).map((pool) => [pool.id, pool]));
    this.pools = pools.map((pool, index): PoolState => {
      const setting = settings.get(pool.id);
      const perHour = setting?.interruptionPerHour ?? 0;
      const slotDownS = setting?.slotDownS ?? 0;
      if (!(perHour >= 0 && Number.isFinite(perHour))) throw new RangeError(`sim backend: pool "${pool.id}": interruptionPerHour must be a finite number >= 0, received ${perHour}`);
      if (!(slotDownS >= 0 && Number.isFinite(slotDownS))) throw new RangeError(`sim backend: pool "${pool.id}": slotDownS must be a finite number >= 0, received ${slotDownS}`);
      return {
        id: pool.id,
        index,
        worker: `sim:${pool.id}`,
        openSlots: pool.slots,
        hazardPerS: perHour / 3600,
        slotDownS,
        available: Infinity,
        down: 0,
        running: 0,
        oldest: undefined,
        newest: undefined,
        queue: [],
        head: 0,
        queued: 0,
        reported: pool.slots,
        steps: [],
        stepNext: 0,
        returns: [],
        returnNext: 0,
      };
    });
    for (const pool of this.pools) this.poolById.set(pool.id, pool);
    // Every availability step is a heap event, those at 0 included: they are applied (and a
    // changed slot count reported) before the first submission, which comes later in seq order.
    for (const pool of this.pools) {
      const series = this.options.availability?.get(pool.id) ?? settings.get(pool.id)?.capacity?.map((step) => ({ timeS: step.atS, available: step.slots }));
      if (series === undefined) continue;
      let previousS = -Infinity;
      for (const point of series) {
        if (!(point.timeS > previousS) || !Number.isFinite(point.timeS)) throw new RangeError(`sim backend: pool "${pool.id}": availability times must be finite and strictly increasing, received ${point.timeS} after ${previousS}`);
        if (!(Number.isInteger(point.available) && point.available >= 0)) throw new RangeError(`sim backend: pool "${pool.id}": available must be an integer >= 0, received ${point.available}`);
        previousS = point.timeS;
        pool.steps.push(Math.max(0, point.timeS));
        this.heap.push(Math.max(0, point.timeS), AVAILABILITY, this.stepPool.length);
        this.stepPool.push(pool.index);
        this.stepAvailable.push(point.available);
      }
    }
  }

  nowS(): number {
    return this.now;
  }

  submit(job: DispatchJob): void {
    if (!this.opened) throw new Error('sim backend: submit() before open()');
    if (this.closing) return;
    // Looked up by (runId, subtask) and then the attempt number: the sub-task id is the same
    // string on every attempt, so its hash is computed once, where a fresh key string would be
    // hashed on every submit (most of submit's cost at 100k jobs).
    let subtasks = this.lastRunId === job.runId ? this.lastRun : this.runs.get(job.runId);
    if (subtasks === undefined) {
      subtasks = new Map();
      this.runs.set(job.runId, subtasks);
    }
    this.lastRunId = job.runId;
    this.lastRun = subtasks;
    const first = subtasks.get(job.subtask);
    for (let other = first; other !== undefined; other = other.sameSubtask) if (other.job.attempt === job.attempt) return;
    const attempt = new Attempt(this.attempts.length, jobKey(job), job, this.poolById.get(job.pool));
    attempt.sameSubtask = first;
    subtasks.set(job.subtask, attempt);
    this.attempts.push(attempt);
    this.command(SUBMIT, attempt.index);
  }

  cancel(key: string, reason: string): void {
    if (this.closing) return;
    const attempt = this.find(key);
    if (attempt === undefined || attempt.state === DONE || attempt.cancelReason !== undefined) return;
    attempt.cancelReason = reason;
    this.command(CANCEL, attempt.index);
  }

  /** The attempt of a key (`runId:subtask:attempt`; run ids and sub-task ids may hold colons themselves). */
  private find(key: string): Attempt | undefined {
    const lastColon = key.lastIndexOf(':');
    const number = Number(key.slice(lastColon + 1));
    for (const [runId, subtasks] of this.runs) {
      if (!key.startsWith(runId) || key.charCodeAt(runId.length) !== 58 /* ':' */) continue;
      for (let attempt = subtasks.get(key.slice(runId.length + 1, lastColon)); attempt !== undefined; attempt = attempt.sameSubtask) {
        if (attempt.job.attempt === number && attempt.key === key) return attempt;
      }
    }
    return undefined;
  }

  /** A timer on the virtual clock (the dispatcher's retry backoff); called from the loop, like a listener. */
  after(delayS: number, fn: () => void): void {
    if (this.closing) return;
    const ref = this.timers.length;
    this.timers.push(fn);
    this.heap.push(this.now + (delayS > 0 ? delayS : 0), TIMER, ref);
    this.scheduleDrain();
  }

  /**
   * When the pool's usable slots may change next on their own (an availability step, a lost slot
   * coming back), in backend seconds; undefined when nothing is scheduled. A real backend cannot
   * know this; on the virtual clock it tells a dispatcher whose pools all have no slots whether
   * waiting can help, instead of giving up what is queued.
   */
  nextCapacityChangeS(poolId: string): number | undefined {
    const pool = this.poolById.get(poolId);
    if (pool === undefined || this.closing) return undefined;
    const step = pool.stepNext < pool.steps.length ? pool.steps[pool.stepNext]! : Infinity;
    const back = pool.returnNext < pool.returns.length ? pool.returns[pool.returnNext]! : Infinity;
    const next = step < back ? step : back;
    return next === Infinity ? undefined : next;
  }

  close(): Promise<void> {
    this.closePromise ??= this.shutDown();
    return this.closePromise;
  }

  idle(): Promise<void> {
    if (this.heap.size === 0 && !this.draining) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.idleWaiters.push({ resolve, reject });
      this.scheduleDrain();
    });
  }

  stats(): SimStats {
    const [succeeded, failed, interrupted, cancelled] = this.finishedCount as [number, number, number, number];
    return {
      nowS: this.now,
      heapEvents: this.heapEvents,
      delivered: this.delivered,
      started: this.startedCount,
      finished: { succeeded, failed, interrupted, cancelled },
      hazardInterruptions: this.hazardInterruptions,
      capacityEvents: this.capacityEvents,
      running: this.running,
      queued: this.queued,
    };
  }

  private async shutDown(): Promise<void> {
    // Cancel what is left (its `finished` events are still delivered), drop the background
    // events, let the loop deliver, then go quiet.
    for (const attempt of this.attempts) {
      if (attempt.state !== DONE && attempt.cancelReason === undefined) {
        attempt.cancelReason = 'backend closed';
        this.command(CANCEL, attempt.index);
      }
    }
    this.closing = true;
    await this.idle();
    this.closed = true;
    this.listener = () => {};
  }

  private command(kind: number, ref: number): void {
    this.commands++;
    this.heap.push(this.now, kind, ref);
    this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.draining || this.drainScheduled || this.closed) return;
    this.drainScheduled = true;
    queueMicrotask(this.drain);
  }

  private readonly resumeAfterYield = (): void => {
    this.mayAdvance = true;
    this.drain();
  };

  private readonly continueDrain = (): void => {
    this.drain();
  };

  private readonly drain = (): void => {
    this.drainScheduled = false;
    if (this.draining) return;
    this.draining = true;
    const heap = this.heap;
    const attempts = this.attempts;
    let budget = EVENTS_PER_TURN;
    let paused = false;
    try {
      while (heap.size > 0) {
        const kind = heap.topKind();
        const ref = heap.topRef();
        // An end of an attempt that already ended (cancelled, capacity dropped) is stale: skip
        // it without moving the clock.
        if (kind === END && attempts[ref]!.state !== RUNNING) {
          heap.pop();
          this.heapEvents++;
          continue;
        }
        if (kind >= TIMER && this.closing) {
          heap.pop();
          continue;
        }
        const timeS = heap.topTimeS();
        if (timeS > this.now) {
          if (!this.mayAdvance && (this.yieldBeforeAdvance || (this.running === 0 && this.queued === 0 && this.commands === 0))) {
            paused = true;
            this.drainScheduled = true;
            setImmediate(this.resumeAfterYield);
            break;
          }
          this.mayAdvance = false;
          this.now = timeS;
        }
        heap.pop();
        this.heapEvents++;
        switch (kind) {
          case SUBMIT:
            this.commands--;
            this.onSubmit(attempts[ref]!);
            break;
          case CANCEL:
            this.commands--;
            this.onCancel(attempts[ref]!);
            break;
          case END:
            this.onEnd(attempts[ref]!);
            break;
          case TIMER: {
            const fn = this.timers[ref]!;
            this.timers[ref] = undefined;
            fn();
            break;
          }
          case AVAILABILITY:
            this.onAvailability(this.pools[this.stepPool[ref]!]!, this.stepAvailable[ref]!);
            break;
          case SLOT_BACK:
            this.onSlotBack(this.pools[ref]!);
            break;
        }
        if (--budget === 0 && heap.size > 0) {
          paused = true;
          this.drainScheduled = true;
          setImmediate(this.continueDrain);
          break;
        }
      }
    } catch (error) {
      this.draining = false;
      this.fail(error);
      return;
    }
    this.draining = false;
    if (!paused && heap.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const waiter of waiters) waiter.resolve();
    }
  };

  /** A listener threw: whoever awaits idle() hears of it; otherwise it is thrown where nothing can swallow it. */
  private fail(error: unknown): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    if (waiters.length === 0) {
      queueMicrotask(() => {
        throw error;
      });
    }
    for (const waiter of waiters) waiter.reject(error);
  }

  private emit(event: BackendEvent): void {
    this.delivered++;
    this.listener(event);
  }

  private usable(pool: PoolState): number {
    const slots = (pool.available < pool.openSlots ? pool.available : pool.openSlots) - pool.down;
    return slots > 0 ? slots : 0;
  }

  private reportCapacity(pool: PoolState, reason: string): void {
    const slots = this.usable(pool);
    if (slots === pool.reported) return;
    pool.reported = slots;
    this.capacityEvents++;
    this.emit({ type: 'capacity', pool: pool.id, atS: this.now, slots, reason });
  }

  private onSubmit(attempt: Attempt): void {
    const pool = attempt.pool;
    if (pool === undefined) {
      attempt.state = DONE;
      this.finish(attempt, FAILED, `unknown pool "${attempt.job.pool}" (the backend was opened with ${this.pools.map((p) => `"${p.id}"`).join(', ') || 'no pools'})`, this.now);
      return;
    }
    // While closing nothing new starts: the attempt waits for its cancel.
    if (pool.queued === 0 && pool.running < this.usable(pool) && !this.closing) {
      this.start(attempt, pool);
      return;
    }
    attempt.state = QUEUED;
    pool.queue.push(attempt);
    pool.queued++;
    this.queued++;
  }

  private onCancel(attempt: Attempt): void {
    const reason = attempt.cancelReason ?? 'cancelled';
    if (attempt.state === QUEUED) {
      attempt.state = DONE;
      const pool = attempt.pool!;
      pool.queued--;
      this.queued--;
      this.finish(attempt, CANCELLED, reason, this.now);
    } else if (attempt.state === RUNNING) {
      const pool = attempt.pool!;
      this.stopRunning(attempt, pool);
      this.finish(attempt, CANCELLED, reason, attempt.startedS);
      this.fill(pool);
    }
  }

  private onEnd(attempt: Attempt): void {
    const pool = attempt.pool!;
    this.stopRunning(attempt, pool);
    if (attempt.losesSlot) {
      this.hazardInterruptions++;
      if (pool.slotDownS > 0) {
        pool.down++;
        pool.returns.push(this.now + pool.slotDownS);
        this.heap.push(this.now + pool.slotDownS, SLOT_BACK, pool.index);
        this.reportCapacity(pool, 'a slot was lost to an interruption');
      }
    }
    this.finish(attempt, attempt.outcome, attempt.error, attempt.startedS);
    this.fill(pool);
  }

  private onAvailability(pool: PoolState, available: number): void {
    pool.stepNext++;
    pool.available = available;
    this.reportCapacity(pool, 'availability series');
    // The newest attempts give way: they lose the least work.
    let excess = pool.running - this.usable(pool);
    while (excess > 0) {
      const victim = pool.newest!;
      this.stopRunning(victim, pool);
      this.finish(victim, INTERRUPTED, CAPACITY_ERROR, victim.startedS);
      excess--;
    }
    this.fill(pool);
  }

  private onSlotBack(pool: PoolState): void {
    pool.returnNext++;
    pool.down--;
    this.reportCapacity(pool, 'a slot lost to an interruption is back');
    this.fill(pool);
  }

  /** Starts queued attempts while the pool has free slots. */
  private fill(pool: PoolState): void {
    if (pool.queued === 0 || this.closing) return;
    const usable = this.usable(pool);
    const queue = pool.queue;
    while (pool.running < usable && pool.queued > 0) {
      const next = queue[pool.head]!;
      queue[pool.head++] = undefined; // let the job be collected once it ends
      if (next.state !== QUEUED) continue; // cancelled while queued
      pool.queued--;
      this.queued--;
      this.start(next, pool);
    }
    // Index-based FIFO: dropped from the front by compacting now and then, never by shifting.
    if (pool.queued === 0) {
      pool.queue = [];
      pool.head = 0;
    } else if (pool.head > 4096 && pool.head * 2 > queue.length) {
      pool.queue = queue.slice(pool.head);
      pool.head = 0;
    }
  }

  private start(attempt: Attempt, pool: PoolState): void {
    const now = this.now;
    attempt.state = RUNNING;
    attempt.startedS = now;
    attempt.older = pool.newest;
    attempt.newer = undefined;
    if (pool.newest === undefined) pool.oldest = attempt;
    else pool.newest.newer = attempt;
    pool.newest = attempt;
    pool.running++;
    this.running++;
    this.startedCount++;

    const job = attempt.job;
    const durationS = this.duration(job, this.random);
    let runS = durationS;
    let outcome = SUCCEEDED;
    let error: string | undefined;
    if (!(Number.isFinite(durationS) && durationS >= 0)) {
      runS = 0;
      outcome = FAILED;
      error = `sim: the duration of ${job.subtask} is not a finite number >= 0 (${durationS})`;
    } else {
      if (job.timeoutS !== undefined && job.timeoutS < runS) {
        runS = Math.max(0, job.timeoutS);
        outcome = FAILED;
        error = 'timed out';
      }
      if (this.faults !== undefined) {
        const fault = this.faults(job);
        if (fault !== undefined && fault.afterS <= runS) {
          runS = Math.max(0, fault.afterS);
          outcome = fault.outcome === 'failed' ? FAILED : INTERRUPTED;
          error = fault.error ?? (fault.outcome === 'failed' ? 'fault injected (sim)' : 'interrupted (fault injected by sim)');
        }
      }
    }
    // Drawn whether or not it matters, so faults and timeouts do not shift the random stream.
    if (pool.hazardPerS > 0) {
      const toInterruptS = -Math.log(1 - this.random()) / pool.hazardPerS;
      if (toInterruptS < runS) {
        runS = toInterruptS;
        outcome = INTERRUPTED;
        error = HAZARD_ERROR;
        attempt.losesSlot = true;
      }
    }
    attempt.outcome = outcome;
    attempt.error = error;
    attempt.endS = now + runS;
    this.heap.push(attempt.endS, END, attempt.index);
    this.emit({ type: 'started', key: attempt.key, atS: now, worker: pool.worker });
  }

  private stopRunning(attempt: Attempt, pool: PoolState): void {
    attempt.state = DONE;
    const { older, newer } = attempt;
    if (older === undefined) pool.oldest = newer;
    else older.newer = newer;
    if (newer === undefined) pool.newest = older;
    else newer.older = older;
    attempt.older = undefined;
    attempt.newer = undefined;
    pool.running--;
    this.running--;
  }

  private finish(attempt: Attempt, outcome: number, error: string | undefined, startedS: number): void {
    attempt.state = DONE;
    this.finishedCount[outcome]!++;
    const worker = attempt.pool?.worker;
    // Built in one of a few fixed shapes (no spreads): this runs once per attempt. `files: false`:
    // nothing executes, so there is never a staging directory to commit.
    const o = OUTCOMES[outcome]!;
    const finishedS = this.now;
    let result: AttemptResult;
    if (worker === undefined) result = error === undefined ? { outcome: o, startedS, finishedS, files: false } : { outcome: o, startedS, finishedS, error, files: false };
    else result = error === undefined ? { outcome: o, startedS, finishedS, worker, files: false } : { outcome: o, startedS, finishedS, error, worker, files: false };
    this.emit({ type: 'finished', key: attempt.key, result });
  }
}
