/**
 * One `apportion worker` process: a BullMQ Worker on one pool's queue, running each attempt
 * with `executeJob` and returning its AttemptResult as the job's return value (the backend
 * reads it from the `completed` event). A job's own failure is a result, never a thrown error:
 * BullMQ's `failed` only means the worker itself broke.
 *
 * - Pool check: running dispatchers register their pool ids in Redis (see redis.ts). If any
 *   are registered and `pool` is not among them the worker refuses to start (InputError
 *   "unknown pool …: known pools …"). If none is registered yet it starts anyway and waits:
 *   workers are often started before the run.
 * - BullMQ does not retry or re-run: `maxStalledCount: 0`, so a job whose worker died is failed
 *   by the next stalled check and the dispatcher decides what to do.
 * - Cancel: the backend sets `{prefix}::cancelled:{jobId}` and publishes the id on
 *   `{prefix}::cancel`; this process aborts that attempt's signal (outcome `cancelled`). The
 *   subscription is up before the first job is taken, so a job is either removed while waiting
 *   (by the backend) or active here when the message comes; ids seen recently are checked when
 *   a job starts (a message that beat the job's registration), and the keys are read again for
 *   the running jobs whenever the subscription reconnects (messages sent meanwhile are lost).
 * - Stop: aborting `signal` (the CLI: SIGINT/SIGTERM) closes gracefully — no new jobs, running
 *   ones finish and report. Aborting `killSignal` as well stops the running attempts; they
 *   report outcome `interrupted` ("the worker was stopped") so the dispatcher re-runs them.
 */
import { hostname } from 'node:os';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AttemptResult, DispatchJob } from '../backend.js';
import { executeJob } from '../execute.js';
import { InputError } from '../../model/issues.js';
import { DEFAULT_PREFIX, cancelChannel, cancelledKey, connectRedis, registeredPools, safeName } from './redis.js';

export interface RunWorkerOptions {
  readonly pool: string;
  readonly redisUrl: string;
  readonly prefix?: string;
  /** Attempts run at once in this process. */
  readonly concurrency: number;
  /** Graceful stop: take no new job, let the running ones finish. */
  readonly signal?: AbortSignal;
  /** Hard stop (after `signal`): abort the running attempts too. */
  readonly killSignal?: AbortSignal;
  /** BullMQ lock duration (default 30000): a dead worker's jobs are found stalled this long after it died, plus stalledIntervalMs. */
  readonly lockDurationMs?: number;
  /** How often this worker looks for stalled jobs of its queue (default 5000). */
  readonly stalledIntervalMs?: number;
  readonly connectTimeoutMs?: number;
  /** Called once the worker is connected and takes jobs. */
  readonly onReady?: (info: { readonly knownPools: readonly string[]; readonly worker: string }) => void;
  /** Problems worth a line on stderr (Redis gone, a job that could not be reported). */
  readonly onWarning?: (message: string) => void;
  /** Runs one attempt (default `executeJob`); the benchmark swaps it to measure the queue path alone. */
  readonly execute?: typeof executeJob;
}

export interface WorkerSummary {
  readonly jobs: number;
}

export async function runWorker(options: RunWorkerOptions): Promise<WorkerSummary> {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const warn = options.onWarning ?? (() => {});
  const workerName = `${hostname()}:${process.pid}`;
  const execute = options.execute ?? executeJob;
  const client = await connectRedis(options.redisUrl, { connectTimeoutMs: options.connectTimeoutMs ?? 5000 });
  let subscriber: Redis | undefined;
  let worker: Worker | undefined;
  const running = new Map<string, AbortController>();
  let jobs = 0;
  let closed = false;
  try {
    const known = await registeredPools(client, prefix);
    if (known.length > 0 && !known.includes(options.pool)) {
      throw new InputError('apportion worker', [{
        code: 'unknown_reference',
        path: ['pool'],
        message: `unknown pool "${options.pool}": known pools ${known.join(', ')}`,
        expected: `one of ${known.join(', ')}`,
        received: options.pool,
      }]);
    }
    // Cancel requests seen on the channel, kept a while for a job this process fetched but has
    // not registered yet; checked when a job starts, instead of a Redis round trip per job.
    const recentCancels = new Set<string>();
    subscriber = client.duplicate();
    subscriber.on('error', () => {});
    await subscriber.subscribe(cancelChannel(prefix));
    subscriber.on('message', (_channel: string, jobId: string) => {
      running.get(jobId)?.abort('cancel');
      recentCancels.add(jobId);
      if (recentCancels.size > 10_000) recentCancels.delete(recentCancels.values().next().value!);
    });
    // Messages published while the subscription was reconnecting are lost: the keys are not.
    subscriber.on('ready', () => {
      const ids = [...running.keys()];
      if (ids.length === 0) return;
      void client.mget(...ids.map((id) => cancelledKey(prefix, id))).then((values) => values.forEach((value, i) => value !== null && running.get(ids[i]!)?.abort('cancel')), () => {});
    });

    let lastWarning = '';
    worker = new Worker<DispatchJob, AttemptResult>(
      safeName(options.pool),
      async (job: Job<DispatchJob, AttemptResult>) => {
        const id = job.id!;
        const controller = new AbortController();
        running.set(id, controller);
        try {
          if (options.killSignal?.aborted) controller.abort('shutdown');
          if (recentCancels.has(id)) controller.abort('cancel');
          const result = await execute(job.data, {
            signal: controller.signal,
            nowS: () => Date.now() / 1000,
            worker: workerName,
            onProgress: (fraction) => void job.updateProgress(fraction).catch(() => {}),
          });
          jobs++;
          if (result.outcome === 'cancelled' && controller.signal.reason === 'shutdown') {
            return { ...result, outcome: 'interrupted', error: 'the worker was stopped' };
          }
          return result;
        } finally {
          running.delete(id);
        }
      },
      {
        connection: client,
        prefix,
        concurrency: options.concurrency,
        maxStalledCount: 0,
        lockDuration: options.lockDurationMs ?? 30_000,
        stalledInterval: options.stalledIntervalMs ?? 5000,
        name: workerName,
        autorun: false,
      },
    );
    worker.on('error', (error: Error) => {
      // ioredis repeats the same connection error every retry: say it once.
      if (error.message !== lastWarning) warn(`worker: ${error.message}`);
      lastWarning = error.message;
    });
    client.on('ready', () => (lastWarning = ''));
    const kill = (): void => {
      for (const controller of running.values()) controller.abort('shutdown');
    };
    options.killSignal?.addEventListener('abort', kill, { once: true });
    const stopped = new Promise<void>((resolve) => {
      if (options.signal?.aborted) resolve();
      else options.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    const runLoop = worker.run();
    await worker.waitUntilReady();
    options.onReady?.({ knownPools: known, worker: workerName });
    await Promise.race([stopped, runLoop]);
    // Graceful: running attempts finish and report. Not while Redis is away: their results
    // could not be written (commands wait for Redis), so they are stopped and the close forced.
    const closing = worker.close();
    const redisAway = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (client.status === 'ready') return;
        clearInterval(check);
        resolve();
      }, 250);
      void closing.finally(() => clearInterval(check));
    });
    if ((await Promise.race([closing.then(() => 'closed' as const), redisAway.then(() => 'away' as const)])) === 'away') {
      warn('Redis is not reachable: stopping the running attempts without reporting them (the dispatcher finds them lost)');
      kill();
      await Promise.race([worker.close(true), new Promise((resolve) => setTimeout(resolve, 2000))]);
    } else {
      await runLoop.catch(() => {});
    }
    options.killSignal?.removeEventListener('abort', kill);
    closed = true;
    return { jobs };
  } finally {
    if (worker !== undefined && !closed) await Promise.race([worker.close(true).catch(() => {}), new Promise((resolve) => setTimeout(resolve, 2000))]);
    subscriber?.disconnect();
    client.disconnect();
  }
}
