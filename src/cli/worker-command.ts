/**
 * `apportion worker --pool ID --redis URL [--concurrency N] [--prefix P]`: runs one pool's
 * attempts for the runs dispatched with `--backend bullmq` (src/dispatch/bullmq/worker.ts).
 *
 * It serves until SIGINT or SIGTERM, then stops taking jobs and lets the running ones finish
 * (exit 0); a second SIGTERM stops those too (they report `interrupted`; the dispatcher
 * re-runs them), a second Ctrl-C ends the process at once (its jobs are found stalled → lost).
 */
import { availableParallelism } from 'node:os';
import { DEFAULT_PREFIX, redactUrl } from '../dispatch/bullmq/redis.js';
import { runWorker } from '../dispatch/bullmq/worker.js';
import { numberFlag, parseCommandArgs, UsageError, type NumberRule } from './args.js';
import { EXIT_OK, type Io } from './io.js';

const WORKER_OPTIONS = {
  pool: { type: 'string' },
  redis: { type: 'string' },
  concurrency: { type: 'string' },
  prefix: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Attempts at once in one process: above 10,000 is a typo. */
export const CONCURRENCY_RULE: NumberRule = { whole: true, min: 1, max: 10_000, expected: 'a whole number of attempts at once from 1 to 10000' };

export const WORKER_USAGE = `apportion worker: run one pool's sub-tasks for runs dispatched through Redis (--backend bullmq)

usage:
  apportion worker --pool ID --redis URL [--concurrency N] [--prefix P]

options:
      --pool ID           the pool this worker serves; refused if running dispatchers are registered
                          and none of them has it (with no run registered yet it waits for one)
      --redis URL         redis://[user:password@]host:port[/db] (rediss:// for TLS)
      --concurrency N     attempts run at once, 1 to 10000 (default: the cores available)
      --prefix P          key prefix of the queues, the same as the dispatcher's (default ${DEFAULT_PREFIX})
  -h, --help              this help

SIGINT/SIGTERM: no new jobs, running ones finish, exit 0; a second SIGTERM stops them too.
exit codes: 0 stopped, 2 bad flags, Redis not reachable or unknown pool, 1 internal error`;

export async function runWorkerCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, WORKER_OPTIONS, {
    pool: 'a pool id',
    redis: 'a Redis URL (redis://host:port)',
    concurrency: CONCURRENCY_RULE.expected,
    prefix: 'a key prefix',
  });
  if (values.help === true) {
    io.stdout(`${WORKER_USAGE}\n`);
    return EXIT_OK;
  }
  if (positionals.length > 0) throw new UsageError(`worker takes no files, received: ${positionals.join(' ')}`);
  if (values.pool === undefined) throw new UsageError('worker needs --pool ID (the pool it serves)');
  if (values.redis === undefined) throw new UsageError('worker needs --redis URL (redis://host:port)');
  if (!/^rediss?:\/\//.test(values.redis)) throw new UsageError(`--redis: expected a Redis URL (redis://host:port), received "${redactUrl(values.redis)}"`);
  const concurrency = numberFlag('--concurrency', values.concurrency, CONCURRENCY_RULE) ?? availableParallelism();
  const prefix = values.prefix ?? DEFAULT_PREFIX;

  const stop = new AbortController();
  const kill = new AbortController();
  const onTerm = (): void => (stop.signal.aborted ? kill.abort() : stop.abort());
  const onInterrupt = (): void => stop.abort();
  process.on('SIGTERM', onTerm);
  io.interrupt?.addEventListener('abort', onInterrupt, { once: true });
  if (io.interrupt?.aborted === true) stop.abort();
  stop.signal.addEventListener('abort', () => io.stderr('apportion worker: stopping: no new jobs; waiting for the running ones (SIGTERM again stops them)\n'), { once: true });
  try {
    const summary = await runWorker({
      pool: values.pool,
      redisUrl: values.redis,
      prefix,
      concurrency,
      signal: stop.signal,
      killSignal: kill.signal,
      onReady: ({ knownPools, worker }) => {
        const waiting = knownPools.length === 0 ? '; no run registered yet, waiting for jobs' : '';
        io.stderr(`apportion worker ${worker}: serving pool "${values.pool}" on ${redactUrl(values.redis!)} (prefix ${prefix}, concurrency ${concurrency})${waiting}\n`);
      },
      onWarning: (message) => io.stderr(`⚠ ${message}\n`),
    });
    io.stderr(`apportion worker: stopped after ${summary.jobs} job${summary.jobs === 1 ? '' : 's'}\n`);
    return EXIT_OK;
  } finally {
    process.off('SIGTERM', onTerm);
    io.interrupt?.removeEventListener('abort', onInterrupt);
  }
}
