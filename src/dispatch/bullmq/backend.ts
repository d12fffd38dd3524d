/**
 * The bullmq backend: attempts go to Redis, one BullMQ queue per pool, and `apportion worker`
 * processes (src/dispatch/bullmq/worker.ts) on any machine run them.
 *
 * - Queues: `{prefix}:{safeName(pool)}`. They are shared by the runs under one prefix, so a
 *   long-lived `apportion worker --pool gpu` serves every run without being told its id; runs
 *   do not collide because a job id is the attempt's key (run:subtask:attempt, escaped by
 *   `safeName` since BullMQ refuses ':'). For strict isolation give each run its own prefix
 *   (and its workers the same `--prefix`).
 * - Submissions are batched: `submit` queues in memory and `addBulk`s of up to 500 per pool go
 *   out on the next turn of the event loop (setImmediate), so a burst of 10,000 submits is a
 *   few round trips. The job id is deterministic, so submitting a key BullMQ already holds adds
 *   nothing (a resumed dispatcher re-submitting a finished key gets its result via the sweep).
 * - At most `pool.slots` attempts of a pool are in Redis at once; more wait in memory and go out
 *   as earlier ones end. Workers' concurrency knows nothing of a run's slots, so this is what
 *   keeps a pool's running attempts within them (the dispatcher keeps to the same limit).
 * - Results come from BullMQ's own event stream (QueueEvents, one blocking XREAD per pool):
 *   `active` → started, `completed` → finished with the AttemptResult the worker returned,
 *   `failed` → finished/failed with its reason, `stalled` → lost. No second results channel:
 *   BullMQ writes these events in the same Lua script that changes the job's state, so they are
 *   as reliable as the state itself, and reading them costs one connection per pool. The stream
 *   is capped (EVENTS_MAX_LEN) and could be trimmed under a reader that lags far behind, so the
 *   sweep below also reads a finished job's result from its hash when no event came.
 * - BullMQ never retries (attempts: 1) and never re-runs a stalled job: workers run with
 *   maxStalledCount 0, so a job whose worker stopped renewing its lock is failed ("job stalled
 *   more than allowable limit") and its `stalled` event is reported here as `lost`.
 * - A sweep every `stalledIntervalMs` checks the attempts in flight, so nothing depends on a live
 *   worker noticing: a job hash gone from Redis → lost "Redis lost the job (restarted?)" (a Redis
 *   restarted without persistence; the sweep also runs at once when the connection comes back);
 *   an active job whose lock expired → lost (its worker died and no other worker's stalled check
 *   has said so yet); a finished job whose event never came → finished from the hash.
 * - cancel: a waiting job is removed (→ finished/cancelled); an active one gets a cancel key
 *   and a pub/sub message, its worker aborts the attempt's signal and returns outcome cancelled.
 * - close: every attempt is cancelled and close() resolves once each has ended (finished/
 *   cancelled "backend closed"; running ones confirmed by their worker), or after 5 s with the
 *   unconfirmed ones reported lost — every key still gets its one terminal event.
 * - capacity: every `capacityPollMs` the backend counts each pool's workers (CLIENT LIST, via
 *   `queue.getWorkers()`); a pool without any for two polls in a row → capacity 0, and back to
 *   the pool's slots when one connects.
 *
 * Time: `nowS()` is seconds since `open` on this machine's wall clock. A result starts when its
 * `started` event was read here and lasts what the worker measured (clamped to end by now), so
 * workers' clocks never have to agree with this one.
 *
 * Latencies (measured, see the report of issue 9): a SIGKILLed worker's attempt is lost about
 * the worker's lockDuration after its last lock renewal plus up to one stalledIntervalMs
 * (lockDuration 1 s / interval 0.3 s → 0.8–0.9 s; 4 s / 1 s → ~4 s), whichever of this sweep
 * and a surviving worker's stalled check sees it first; a Redis restart → lost ~0.1 s after
 * Redis is back (the reconnect triggers the sweep).
 */
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { jobKey, type AttemptResult, type Backend, type BackendEvent, type BackendListener, type BackendPool, type DispatchJob } from '../backend.js';
import { CANCEL_TTL_S, DEFAULT_PREFIX, REGISTRY_TTL_MS, cancelChannel, cancelledKey, connectRedis, poolsKey, safeName } from './redis.js';

export interface BullmqBackendOptions {
  readonly redisUrl: string;
  /** Key prefix of the queues and the registry (default "apportion"); workers need the same one. */
  readonly prefix?: string;
  /**
   * How often in-flight attempts are checked (lock alive, job still in Redis) — default 5000.
   * Workers should use a stalledInterval no longer than this; a dead worker is reported lost
   * about its lockDuration + this interval after it died.
   */
  readonly stalledIntervalMs?: number;
  /** `open` fails after this long without a connection (default 5000; at once when refused). */
  readonly connectTimeoutMs?: number;
  /** How often each pool's live workers are counted for `capacity` events (default 5000; 0 = never). */
  readonly capacityPollMs?: number;
}

/**
 * Events kept in each queue's stream (BullMQ's default is 10,000). A job makes four (added,
 * waiting, active, completed), so a burst of 20,000 submissions is 80,000 events, and a reader
 * lagging further behind than this would find some trimmed (the sweep then reads those results
 * from the jobs, a sweep or two later). About 20 MB of Redis memory at most per pool.
 */
export const EVENTS_MAX_LEN = 100_000;
/** Jobs per addBulk call (calls are pipelined on one connection). */
const ADD_CHUNK = 500;
export const LOST_IN_REDIS = 'Redis lost the job (restarted?)';
export const LOST_STALLED = 'its worker stopped responding (BullMQ found the job stalled)';
export const LOST_LOCK = 'its worker stopped renewing the job lock (the worker died?)';
const STALLED_REASON = 'job stalled more than allowable limit';
/** How long close() waits for running attempts to confirm their cancel. */
const CLOSE_WAIT_MS = 5000;

/** Finished jobs stay an hour (failed ones a day) for inspection, then BullMQ drops them. */
const JOB_OPTIONS: JobsOptions = { attempts: 1, removeOnComplete: { age: 3600 }, removeOnFail: { age: 24 * 3600 } };

/** backlog: over the pool's slots, held here; pending: waiting for the next addBulk; adding: addBulk sent. */
type Phase = 'backlog' | 'pending' | 'adding' | 'queued' | 'active';

interface Tracked {
  readonly key: string;
  readonly id: string;
  readonly job: DispatchJob;
  phase: Phase;
  /** Counted against its pool's slots (everything but the backlog). */
  counted: boolean;
  startedS?: number;
  /** Set by `cancel`: acted on once addBulk answered, and makes our own remove's event a cancel. */
  cancelReason?: string;
  /** When the sweep first saw the job finished without its event (s). */
  finishedSeenS?: number;
}

interface PoolState {
  readonly pool: BackendPool;
  readonly queue: Queue;
  readonly events: QueueEvents;
  readonly pending: Tracked[];
  /** Submitted beyond the pool's slots, in order: sent to Redis as earlier attempts end. */
  readonly backlog: Tracked[];
  /** Attempts of this pool in Redis or on their way there: at most `pool.slots`. */
  inFlight: number;
  workerless: number;
  reportedEmpty: boolean;
}

export function createBullmqBackend(options: BullmqBackendOptions): Backend {
  return new BullmqBackend(options);
}

class BullmqBackend implements Backend {
  readonly name = 'bullmq';
  private readonly prefix: string;
  private readonly stalledIntervalMs: number;
  private readonly connectTimeoutMs: number;
  private readonly capacityPollMs: number;
  private readonly backendId = randomUUID();
  private client: Redis | undefined;
  private listener: BackendListener = () => {};
  private readonly pools = new Map<string, PoolState>();
  /** In flight, by BullMQ job id. */
  private readonly tracked = new Map<string, Tracked>();
  /** Every key ever submitted: a second submit is a no-op even after the first ended. */
  private readonly seen = new Set<string>();
  private openedMs = 0;
  private flushScheduled = false;
  private sweepTimer: NodeJS.Timeout | undefined;
  private capacityTimer: NodeJS.Timeout | undefined;
  private sweeping = false;
  private sweepAgain = false;
  /** close() was called: no new submissions or cancels; events still flow until `closed`. */
  private stopping = false;
  private closing: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: BullmqBackendOptions) {
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.stalledIntervalMs = options.stalledIntervalMs ?? 5000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.capacityPollMs = options.capacityPollMs ?? 5000;
  }

  async open(pools: readonly BackendPool[], listener: BackendListener): Promise<void> {
    if (this.client !== undefined) throw new Error('bullmq backend: open called twice');
    const client = await connectRedis(this.options.redisUrl, { connectTimeoutMs: this.connectTimeoutMs });
    this.client = client;
    this.listener = listener;
    this.openedMs = Date.now();
    // Ids in the events stream are Redis's clock in ms: reading from "now" on Redis's clock
    // (not '$', which only counts once the first XREAD is issued) misses no event of ours.
    const [seconds, micros] = await client.time();
    const fromId = `${Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)}-0`;
    for (const pool of pools) {
      const connection = client;
      const queue = new Queue(safeName(pool.id), { connection, prefix: this.prefix, defaultJobOptions: JOB_OPTIONS, streams: { events: { maxLen: EVENTS_MAX_LEN } } });
      queue.on('error', () => {}); // connection trouble: the client reconnects and the sweep re-checks
      const events = new QueueEvents(safeName(pool.id), { connection, prefix: this.prefix, lastEventId: fromId, blockingTimeout: 5000 });
      events.on('error', () => {});
      this.listenTo(events);
      this.pools.set(pool.id, { pool, queue, events, pending: [], backlog: [], inFlight: 0, workerless: 0, reportedEmpty: false });
    }
    await Promise.all([...this.pools.values()].flatMap((state) => [state.queue.waitUntilReady(), state.events.waitUntilReady()]));
    await this.register();
    // A reconnect may follow a Redis restart: check what is in flight at once.
    client.on('ready', () => void this.sweep());
    this.sweepTimer = setInterval(() => void this.sweep(), this.stalledIntervalMs);
    this.sweepTimer.unref();
    if (this.capacityPollMs > 0) {
      this.capacityTimer = setInterval(() => void this.pollCapacity(), this.capacityPollMs);
      this.capacityTimer.unref();
    }
  }

  nowS(): number {
    return this.openedMs === 0 ? 0 : (Date.now() - this.openedMs) / 1000;
  }

  submit(job: DispatchJob): void {
    if (this.stopping) return;
    const key = jobKey(job);
    if (this.seen.has(key)) return;
    const state = this.pools.get(job.pool);
    const tracked: Tracked = { key, id: safeName(key), job, phase: 'pending', counted: false };
    this.seen.add(key);
    this.tracked.set(tracked.id, tracked);
    if (state === undefined) {
      this.later(() => this.finish(tracked, this.failedResult(`pool "${job.pool}" was not opened on this backend`)));
      return;
    }
    if (state.inFlight >= state.pool.slots) {
      tracked.phase = 'backlog';
      state.backlog.push(tracked);
      return;
    }
    this.send(state, tracked);
  }

  /**
   * Queues `tracked` for the next addBulk. At most `slots` attempts per pool are in Redis: the
   * dispatcher keeps to that anyway, and then BullMQ's workers (whose concurrency knows nothing
   * of this run's slots) cannot run more of a pool's attempts at once than it has slots.
   */
  private send(state: PoolState, tracked: Tracked): void {
    tracked.phase = 'pending';
    tracked.counted = true;
    state.inFlight++;
    state.pending.push(tracked);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** An attempt ended: its slot goes to the first of the backlog. */
  private release(tracked: Tracked): void {
    if (!tracked.counted) return;
    tracked.counted = false;
    const state = this.pools.get(tracked.job.pool);
    if (state === undefined) return;
    state.inFlight--;
    while (state.inFlight < state.pool.slots && state.backlog.length > 0) this.send(state, state.backlog.shift()!);
  }

  cancel(key: string, reason: string): void {
    const tracked = this.tracked.get(safeName(key));
    if (tracked === undefined || this.stopping) return;
    if (tracked.phase === 'pending' || tracked.phase === 'backlog') {
      const state = this.pools.get(tracked.job.pool);
      const list = tracked.phase === 'pending' ? state?.pending : state?.backlog;
      list?.splice(list.indexOf(tracked), 1);
      tracked.phase = 'backlog'; // no longer on its way: finishing it must not touch Redis
      this.later(() => this.finish(tracked, this.cancelledResult(reason)));
      return;
    }
    if (tracked.phase === 'adding') {
      tracked.cancelReason = reason; // acted on once addBulk answers
      return;
    }
    void this.cancelInRedis(tracked, reason);
  }

  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  /**
   * Cancels every attempt and waits (up to CLOSE_WAIT_MS) for each to end: not yet in Redis or
   * still waiting there → finished/cancelled at once; running → its worker stops it and reports
   * cancelled. One that does not confirm in time (its worker is gone, Redis is away) is reported
   * lost. So every submitted key still gets its one terminal event, all before close resolves.
   */
  private async closeOnce(): Promise<void> {
    this.stopping = true;
    clearInterval(this.capacityTimer);
    const client = this.client;
    if (client === undefined) {
      this.closed = true;
      return;
    }
    const reason = 'backend closed';
    for (const tracked of [...this.tracked.values()]) {
      if (tracked.phase === 'backlog' || tracked.phase === 'pending') this.finish(tracked, this.cancelledResult(reason));
      else if (tracked.phase === 'adding') tracked.cancelReason = reason;
      else void this.cancelInRedis(tracked, reason);
    }
    for (const state of this.pools.values()) {
      state.backlog.length = 0;
      state.pending.length = 0;
    }
    const deadline = Date.now() + CLOSE_WAIT_MS;
    while (this.tracked.size > 0 && Date.now() < deadline && client.status === 'ready') await new Promise((resolve) => setTimeout(resolve, 20));
    for (const tracked of [...this.tracked.values()]) this.lose(tracked, 'the backend closed before its worker confirmed the cancel');
    this.closed = true;
    clearInterval(this.sweepTimer);
    if (client.status === 'ready') await client.del(poolsKey(this.prefix, this.backendId)).catch(() => {});
    await Promise.all([...this.pools.values()].flatMap((state) => [state.events.close().catch(() => {}), state.queue.close().catch(() => {})]));
    client.disconnect();
  }

  // ---- submission ----

  private flush(): void {
    this.flushScheduled = false;
    for (const state of this.pools.values()) {
      if (state.pending.length === 0) continue;
      const all = state.pending.splice(0);
      for (const tracked of all) tracked.phase = 'adding';
      // Chunks, not one addBulk: one MULTI of 20,000 adds holds Redis (and every worker) for a second.
      for (let from = 0; from < all.length; from += ADD_CHUNK) this.add(state, all.slice(from, from + ADD_CHUNK));
    }
  }

  private add(state: PoolState, batch: Tracked[]): void {
    state.queue.addBulk(batch.map((tracked) => ({ name: tracked.job.subtask, data: tracked.job, opts: { jobId: tracked.id } }))).then(
      () => {
        for (const tracked of batch) {
          if (this.tracked.get(tracked.id) !== tracked || tracked.phase !== 'adding') continue;
          tracked.phase = 'queued';
          if (tracked.cancelReason !== undefined) void this.cancelInRedis(tracked, tracked.cancelReason);
        }
      },
      (error: Error) => {
        for (const tracked of batch) this.lose(tracked, `could not queue it in Redis: ${error.message}`);
      },
    );
  }

  private async cancelInRedis(tracked: Tracked, reason: string): Promise<void> {
    const state = this.pools.get(tracked.job.pool);
    if (state === undefined) return;
    tracked.cancelReason = reason;
    try {
      const removed = await this.requestCancel(tracked, reason);
      // Removed while waiting: it never ran. Otherwise its worker has it and reports cancelled.
      if (removed) this.finish(tracked, this.cancelledResult(reason));
    } catch {
      // Redis is away: the sweep reports the job once it knows what became of it.
    }
  }

  /** Marks the job cancelled (key + message for its worker) and removes it if it is still waiting; true when removed. */
  private async requestCancel(tracked: Tracked, reason: string): Promise<boolean> {
    const client = this.client!;
    const state = this.pools.get(tracked.job.pool)!;
    await client.multi().set(cancelledKey(this.prefix, tracked.id), reason, 'EX', CANCEL_TTL_S).publish(cancelChannel(this.prefix), tracked.id).exec();
    return (await state.queue.remove(tracked.id)) === 1;
  }

  // ---- events ----

  private listenTo(events: QueueEvents): void {
    events.on('active', ({ jobId }) => {
      const tracked = this.tracked.get(jobId);
      if (tracked === undefined || tracked.phase === 'active') return;
      tracked.phase = 'active';
      tracked.startedS = this.nowS();
      this.emit({ type: 'started', key: tracked.key, atS: tracked.startedS });
    });
    events.on('completed', ({ jobId, returnvalue }) => {
      const tracked = this.tracked.get(jobId);
      if (tracked !== undefined) this.finish(tracked, this.workerResult(tracked, returnvalue));
    });
    events.on('failed', ({ jobId, failedReason }) => {
      const tracked = this.tracked.get(jobId);
      if (tracked === undefined) return;
      if (failedReason === STALLED_REASON) this.lose(tracked, LOST_STALLED);
      else this.finish(tracked, this.failedResult(failedReason, tracked.startedS));
    });
    events.on('stalled', ({ jobId }) => {
      const tracked = this.tracked.get(jobId);
      if (tracked !== undefined) this.lose(tracked, LOST_STALLED);
    });
    events.on('removed', ({ jobId }) => {
      const tracked = this.tracked.get(jobId);
      if (tracked === undefined || tracked.phase === 'adding') return;
      // Our own cancel's remove (its event may come before the remove's reply), or someone cleaning the queue.
      if (tracked.cancelReason !== undefined) this.finish(tracked, this.cancelledResult(tracked.cancelReason));
      else this.lose(tracked, 'the job was removed from Redis by someone else');
    });
  }

  private finish(tracked: Tracked, result: AttemptResult): void {
    if (this.tracked.get(tracked.id) !== tracked) return;
    this.tracked.delete(tracked.id);
    this.release(tracked);
    this.emit({ type: 'finished', key: tracked.key, result });
  }

  private lose(tracked: Tracked, reason: string): void {
    if (this.tracked.get(tracked.id) !== tracked) return;
    this.tracked.delete(tracked.id);
    this.release(tracked);
    this.emit({ type: 'lost', key: tracked.key, atS: this.nowS(), reason });
  }

  private emit(event: BackendEvent): void {
    if (this.closed) return;
    this.listener(event);
  }

  /** Events are never delivered inside submit/cancel. */
  private later(fn: () => void): void {
    setImmediate(fn);
  }

  /**
   * A worker's result on this backend's clock. The attempt starts when its `started` event was
   * seen here (so `started.atS <= result.startedS`) and lasts what the worker measured; it ends
   * no later than now, the time its `completed` event was read. Without a `started` event the
   * worker's epoch seconds are moved by the clock offset (machines' clocks may differ a little).
   */
  private workerResult(tracked: Tracked, value: unknown): AttemptResult {
    if (typeof value !== 'object' || value === null || typeof (value as AttemptResult).outcome !== 'string') {
      return this.failedResult(`the worker returned no attempt result (${JSON.stringify(value) ?? 'undefined'}): is it an apportion worker?`, tracked.startedS);
    }
    const result = value as AttemptResult;
    const now = this.nowS();
    const measuredS = result.finishedS - result.startedS;
    const durationS = Number.isFinite(measuredS) && measuredS > 0 ? measuredS : 0;
    const workerStartS = result.startedS - this.openedMs / 1000;
    const startedS = tracked.startedS ?? Math.max(0, Math.min(Number.isFinite(workerStartS) ? workerStartS : now, now - durationS));
    return { ...result, startedS, finishedS: Math.min(now, startedS + durationS) };
  }

  private failedResult(error: string, startedS?: number): AttemptResult {
    const now = this.nowS();
    return { outcome: 'failed', startedS: startedS ?? now, finishedS: now, error };
  }

  private cancelledResult(reason: string): AttemptResult {
    const now = this.nowS();
    return { outcome: 'cancelled', startedS: now, finishedS: now, error: reason };
  }

  // ---- the sweep ----

  private async register(): Promise<void> {
    const key = poolsKey(this.prefix, this.backendId);
    const ids = [...this.pools.keys()];
    await this.client!.multi().sadd(key, ...(ids.length === 0 ? ['(none)'] : ids)).pexpire(key, REGISTRY_TTL_MS).exec();
  }

  /**
   * Checks every attempt in Redis: still there, lock alive while active, finished without an
   * event. One pipeline per sweep; never two sweeps at once (commands wait while Redis is away).
   */
  private async sweep(): Promise<void> {
    if (this.closed || this.client === undefined) return;
    if (this.sweeping) {
      this.sweepAgain = true;
      return;
    }
    this.sweeping = true;
    try {
      do {
        this.sweepAgain = false;
        await this.sweepOnce();
      } while (this.sweepAgain && !this.closed);
    } catch {
      // Redis went away mid-sweep: the reconnect triggers the next one.
    } finally {
      this.sweeping = false;
    }
  }

  private async sweepOnce(): Promise<void> {
    const client = this.client!;
    const registry = poolsKey(this.prefix, this.backendId);
    if ((await client.exists(registry)) === 0) {
      // Our registry key vanished before its TTL: Redis restarted empty (or was flushed). The
      // queues' settings went with it: write them again, then the per-job checks below find
      // the jobs that are gone.
      await Promise.all([...this.pools.values()].map((state) => client.hset(state.queue.keys.meta!, state.queue.metaValues)));
    }
    await this.register();
    const checked = [...this.tracked.values()].filter((t) => t.phase === 'queued' || t.phase === 'active');
    if (checked.length === 0) return;
    // The phase as it was when the pipeline went out: only a job whose `active` event was read
    // before must hold a lock (BullMQ sets it in the script that writes the event). One that
    // turns active while the replies travel was waiting, without a lock, when it was checked.
    const wasActive = checked.map((tracked) => tracked.phase === 'active');
    const pipeline = client.pipeline();
    for (const tracked of checked) {
      const jobHash = `${this.prefix}:${safeName(tracked.job.pool)}:${tracked.id}`;
      // The lock first: a job that finished after this EXISTS has finishedOn by the HGET.
      pipeline.exists(`${jobHash}:lock`);
      pipeline.exists(jobHash);
      pipeline.hget(jobHash, 'finishedOn');
    }
    const replies = (await pipeline.exec()) ?? [];
    const now = this.nowS();
    const overdue: Tracked[] = [];
    checked.forEach((tracked, index) => {
      const [lockReply, hashReply, finishedReply] = replies.slice(index * 3, index * 3 + 3);
      if (lockReply?.[0] || hashReply?.[0] || finishedReply?.[0]) return;
      const locked = lockReply?.[1] === 1;
      const present = hashReply?.[1] === 1;
      const finished = finishedReply?.[1] !== null && finishedReply?.[1] !== undefined;
      if (!present) this.lose(tracked, LOST_IN_REDIS);
      else if (finished) {
        if (tracked.finishedSeenS === undefined) tracked.finishedSeenS = now;
        else if (now - tracked.finishedSeenS >= this.stalledIntervalMs / 1000) overdue.push(tracked);
      } else if (wasActive[index] === true && !locked) this.lose(tracked, LOST_LOCK);
    });
    for (const tracked of overdue) await this.finishFromHash(tracked);
  }

  /** The event of a finished job never came (trimmed from the stream): read its result from the job. */
  private async finishFromHash(tracked: Tracked): Promise<void> {
    const jobHash = `${this.prefix}:${safeName(tracked.job.pool)}:${tracked.id}`;
    const [returnvalue, failedReason] = await this.client!.hmget(jobHash, 'returnvalue', 'failedReason');
    if (this.tracked.get(tracked.id) !== tracked) return;
    if (failedReason !== null && failedReason !== undefined && failedReason !== '') {
      if (failedReason === STALLED_REASON) this.lose(tracked, LOST_STALLED);
      else this.finish(tracked, this.failedResult(failedReason, tracked.startedS));
      return;
    }
    let value: unknown;
    try {
      value = returnvalue === null || returnvalue === undefined ? undefined : JSON.parse(returnvalue);
    } catch {
      value = undefined;
    }
    this.finish(tracked, this.workerResult(tracked, value));
  }

  // ---- capacity ----

  private async pollCapacity(): Promise<void> {
    if (this.closed) return;
    for (const state of this.pools.values()) {
      let count: number;
      try {
        count = (await state.queue.getWorkers()).length;
      } catch {
        return; // CLIENT LIST refused (some managed Redis) or Redis away: no capacity events
      }
      if (this.closed) return;
      if (count > 0) {
        state.workerless = 0;
        if (state.reportedEmpty) {
          state.reportedEmpty = false;
          this.emit({ type: 'capacity', pool: state.pool.id, atS: this.nowS(), slots: state.pool.slots, reason: `${count} worker${count === 1 ? '' : 's'} serving pool "${state.pool.id}" again` });
        }
      } else if (++state.workerless >= 2 && !state.reportedEmpty) {
        state.reportedEmpty = true;
        this.emit({ type: 'capacity', pool: state.pool.id, atS: this.nowS(), slots: 0, reason: `no worker serves pool "${state.pool.id}" (start one: apportion worker --pool ${state.pool.id} --redis URL)` });
      }
    }
  }
}
