/**
 * The bullmq backend against a real Redis and real worker processes: what only it can get
 * wrong (Redis away, a worker killed mid-job, a Redis restart that loses every job, BullMQ's
 * own retry and stall handling kept out of the way) plus the `apportion worker` command.
 * Every test has its own key prefix and cleans its keys, processes and directories.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { jobKey, type Backend, type BackendEvent } from '../../src/dispatch/backend.js';
import { createBullmqBackend, LOST_IN_REDIS, LOST_LOCK, LOST_STALLED } from '../../src/dispatch/bullmq/backend.js';
import { registeredPools, safeName } from '../../src/dispatch/bullmq/redis.js';
import { InputError } from '../../src/model/issues.js';
import { runCli } from '../helpers/cli.js';
import { conformance } from './conformance.js';
import { EventLog, REDIS_URL, deleteKeys, freePort, makeJob, moduleStep, startRedisServer, startWorker, stopWorker, uniquePrefix, withTimeout, type RedisServer, type WorkerProcess } from './bullmq-helpers.js';

// ---- the conformance suite, on 2 worker processes per pool ----

const CONFORMANCE_PREFIX = uniquePrefix('conformance');
const CONFORMANCE_POOLS = ['p', 'a', 'b', 'two', 'three'];
const conformanceWorkers = await Promise.all(
  CONFORMANCE_POOLS.flatMap((pool) => [0, 1].map(() => startWorker({ pool, redisUrl: REDIS_URL, prefix: CONFORMANCE_PREFIX, concurrency: 4, lockDurationMs: 2000, stalledIntervalMs: 500 }, 20_000))),
);
conformance('bullmq', () => createBullmqBackend({ redisUrl: REDIS_URL, prefix: CONFORMANCE_PREFIX, stalledIntervalMs: 500, capacityPollMs: 0 }), { executes: true });

interface Context {
  prefix: string;
  dir: string;
  backends: Backend[];
  workers: WorkerProcess[];
  redis?: RedisServer;
}

const it = suite<Context>('bullmq backend');

// Runs after the conformance suite (uvu runs suites in order): its workers and keys go.
it.before(async () => {
  await Promise.all(conformanceWorkers.map((worker) => stopWorker(worker, 'SIGTERM').catch(() => stopWorker(worker))));
  await deleteKeys(REDIS_URL, CONFORMANCE_PREFIX);
});

it.before.each((context) => {
  context.prefix = uniquePrefix('bullmq');
  context.dir = mkdtempSync(join(tmpdir(), 'apportion-bullmq-'));
  context.backends = [];
  context.workers = [];
  delete context.redis;
});

it.after.each(async (context) => {
  await Promise.all(context.backends.map((backend) => backend.close().catch(() => {})));
  await Promise.all(context.workers.map((worker) => stopWorker(worker).catch(() => {})));
  await deleteKeys(REDIS_URL, context.prefix);
  await context.redis?.kill();
  rmSync(context.dir, { recursive: true, force: true });
});

/** Short locks and stall checks, so a dead worker is noticed in about a second. */
const FAST = { lockDurationMs: 1000, stalledIntervalMs: 300 };

async function openBackend(context: Context, pools: readonly string[], log: EventLog, extra: { url?: string; capacityPollMs?: number } = {}): Promise<Backend> {
  const backend = createBullmqBackend({ redisUrl: extra.url ?? REDIS_URL, prefix: context.prefix, stalledIntervalMs: 300, capacityPollMs: extra.capacityPollMs ?? 0 });
  context.backends.push(backend);
  await backend.open(pools.map((id) => ({ id, slots: 4 })), log.listener);
  return backend;
}

async function workers(context: Context, pool: string, count: number, extra: { url?: string; concurrency?: number } = {}): Promise<WorkerProcess[]> {
  const started = await Promise.all(Array.from({ length: count }, () => startWorker({ pool, redisUrl: extra.url ?? REDIS_URL, prefix: context.prefix, concurrency: extra.concurrency ?? 4, ...FAST })));
  context.workers.push(...started);
  return started;
}

function pidsOf(dir: string): number[] {
  const file = join(dir, 'pids');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map(Number) : [];
}

it('runs handler jobs on worker processes and hands their results back (a pool id with ":" too)', async (context) => {
  const log = new EventLog();
  const backend = await openBackend(context, ['gpu:a100'], log);
  await workers(context, 'gpu:a100', 2);
  const jobs = [1, 2, 3, 4, 5].map((i) => makeJob('run:1', `t${i}`, 'gpu:a100', context.dir, [moduleStep('echo')]));
  for (const job of jobs) backend.submit(job);
  const keys = jobs.map(jobKey);
  await log.untilTerminal(keys, 10_000);
  for (const [index, key] of keys.entries()) {
    const events = log.of(key);
    assert.equal(events.map((event) => event.type), ['started', 'finished'], key);
    const finished = events[1] as Extract<BackendEvent, { type: 'finished' }>;
    assert.is(finished.result.outcome, 'succeeded');
    assert.equal(finished.result.value, { subtask: `t${index + 1}`, attempt: 1, inputs: 0 });
    assert.ok(finished.result.startedS <= finished.result.finishedS && finished.result.finishedS <= backend.nowS(), 'times on the backend clock');
    assert.match(finished.result.worker ?? '', /:\d+$/);
    // A handler that writes no file gets no staging directory (lazy), and says so.
    assert.is(finished.result.files, false);
    assert.ok(!existsSync(jobs[index]!.stagingDir), 'no staging directory for a job that wrote nothing');
  }
});

it('a second submission of the same key is a no-op, in this backend and in Redis', async (context) => {
  const log = new EventLog();
  const backend = await openBackend(context, ['p'], log);
  const job = makeJob('r', 'once', 'p', context.dir, [moduleStep('hang')]);
  backend.submit(job);
  backend.submit(job);
  await workers(context, 'p', 1);
  await log.until(() => log.of(jobKey(job)).length > 0, 10_000, 'the start');
  backend.submit(job); // while it runs
  // A second backend (a dispatcher that resumed) submitting the same key adds nothing either.
  const other = new EventLog();
  const second = await openBackend(context, ['p'], other);
  second.submit(job);
  await new Promise((r) => setTimeout(r, 500));
  const queue = new Queue(safeName('p'), { connection: { url: REDIS_URL } as never, prefix: context.prefix });
  try {
    const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed');
    assert.equal(counts, { waiting: 0, active: 1, completed: 0, failed: 0, paused: 0 });
  } finally {
    await queue.close();
  }
  backend.cancel(jobKey(job), 'test over');
  await log.untilTerminal([jobKey(job)], 10_000);
  assert.equal(log.of(jobKey(job)).map((event) => event.type), ['started', 'finished']);
  assert.equal(pidsOf(job.stagingDir).length, 1, 'ran once');
});

it('a resumed dispatcher re-submitting a key that finished meanwhile gets its result from Redis (the sweep)', async (context) => {
  const first = new EventLog();
  const before = await openBackend(context, ['p'], first);
  await workers(context, 'p', 1);
  const job = makeJob('r', 'done-before', 'p', context.dir, [moduleStep('echo')]);
  before.submit(job);
  await first.untilTerminal([jobKey(job)], 10_000);
  await before.close();
  const log = new EventLog();
  const after = await openBackend(context, ['p'], log);
  after.submit(job);
  await log.untilTerminal([jobKey(job)], 10_000);
  const finished = log.terminal(jobKey(job)) as Extract<BackendEvent, { type: 'finished' }>;
  assert.is(finished.type, 'finished');
  assert.is(finished.result.outcome, 'succeeded');
  assert.equal(finished.result.value, { subtask: 'done-before', attempt: 1, inputs: 0 });
  assert.equal(log.of(jobKey(job)).map((event) => event.type), ['finished'], 'it did not run again');
});

it('a job for a pool that was not opened fails, after submit returned', async (context) => {
  const log = new EventLog();
  const backend = await openBackend(context, ['p'], log);
  const job = makeJob('r', 'stray', 'nowhere', context.dir, [moduleStep('echo')]);
  backend.submit(job);
  assert.is(log.events.length, 0);
  await log.untilTerminal([jobKey(job)], 5000);
  const finished = log.terminal(jobKey(job)) as Extract<BackendEvent, { type: 'finished' }>;
  assert.equal([finished.result.outcome, finished.result.error], ['failed', 'pool "nowhere" was not opened on this backend']);
});

it('open fails within the timeout with an InputError naming the URL when Redis is not there', async (context) => {
  const url = `redis://127.0.0.1:${await freePort()}`;
  const backend = createBullmqBackend({ redisUrl: url, prefix: context.prefix });
  const startedMs = Date.now();
  const error = await withTimeout(backend.open([{ id: 'p', slots: 1 }], () => {}).then(() => undefined, (e: unknown) => e), 6000, 'open hung');
  assert.instance(error, InputError);
  assert.match((error as InputError).message, `Redis at ${url} is not reachable`);
  assert.ok(Date.now() - startedMs < 5500, 'within connectTimeoutMs');
  await backend.close();
});

it('open gives up after connectTimeoutMs on a Redis that never answers', async (context) => {
  // A listener that accepts and says nothing: the connection neither fails nor becomes ready.
  const { createServer } = await import('node:net');
  const sockets: import('node:net').Socket[] = [];
  const server = createServer((socket) => sockets.push(socket)).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `redis://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const backend = createBullmqBackend({ redisUrl: url, prefix: context.prefix, connectTimeoutMs: 500 });
    const error = await withTimeout(backend.open([{ id: 'p', slots: 1 }], () => {}).then(() => undefined, (e: unknown) => e), 5000, 'open hung');
    assert.instance(error, InputError);
    assert.match((error as InputError).message, `Redis at ${url} is not reachable (no answer within 500 ms`);
  } finally {
    for (const socket of sockets) socket.destroy();
    server.close();
  }
});

it('a worker killed mid-job: the attempt is reported lost, and BullMQ does not run it again', async (context) => {
  const log = new EventLog();
  const backend = await openBackend(context, ['p'], log);
  const pair = await workers(context, 'p', 2);
  const job = makeJob('r', 'victim', 'p', context.dir, [moduleStep('hang')]);
  backend.submit(job);
  const key = jobKey(job);
  await log.until(() => log.of(key).length > 0 && pidsOf(job.stagingDir).length > 0, 10_000, 'the start');
  const victim = pair.find((worker) => worker.pid === pidsOf(job.stagingDir)[0])!;
  assert.ok(victim, 'one of our workers runs it');
  await stopWorker(victim, 'SIGKILL');
  await log.untilTerminal([key], 10_000);
  const lost = log.terminal(key)!;
  assert.is(lost.type, 'lost');
  assert.ok([LOST_STALLED, LOST_LOCK].includes((lost as Extract<BackendEvent, { type: 'lost' }>).reason), JSON.stringify(lost));
  // The surviving worker's stall check fails the job instead of re-running it (maxStalledCount 0).
  const queue = new Queue(safeName('p'), { connection: { url: REDIS_URL } as never, prefix: context.prefix });
  try {
    const deadline = Date.now() + 5000;
    while ((await queue.getJobState(safeName(key))) !== 'failed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.is(await queue.getJobState(safeName(key)), 'failed');
  } finally {
    await queue.close();
  }
  assert.equal(pidsOf(job.stagingDir), [victim.pid], 'ran once');
  assert.equal(log.of(key).map((event) => event.type), ['started', 'lost']);
});

it('a worker gone with no other worker left: the expired lock alone reports the attempt lost', async (context) => {
  const log = new EventLog();
  const backend = await openBackend(context, ['solo'], log);
  const [only] = await workers(context, 'solo', 1);
  const job = makeJob('r', 'orphan', 'solo', context.dir, [moduleStep('hang')]);
  backend.submit(job);
  await log.until(() => log.of(jobKey(job)).length > 0, 10_000, 'the start');
  await stopWorker(only!, 'SIGKILL');
  await log.untilTerminal([jobKey(job)], 10_000);
  assert.equal(log.terminal(jobKey(job)), { type: 'lost', key: jobKey(job), atS: (log.terminal(jobKey(job)) as { atS: number }).atS, reason: LOST_LOCK });
});

it('cancel: a waiting job is removed, a running one is aborted by its worker', async (context) => {
  const log = new EventLog();
  const backend = await openBackend(context, ['busy', 'idle'], log);
  await workers(context, 'busy', 1);
  const running = makeJob('r', 'running', 'busy', context.dir, [moduleStep('hang')]);
  const waiting = makeJob('r', 'waiting', 'idle', context.dir, [moduleStep('hang')]);
  const unsent = makeJob('r', 'unsent', 'idle', context.dir, [moduleStep('hang')]);
  backend.submit(running);
  backend.submit(waiting);
  await log.until(() => log.of(jobKey(running)).length > 0 && pidsOf(running.stagingDir).length > 0, 10_000, 'the start');
  backend.submit(unsent);
  backend.cancel(jobKey(unsent), 'changed my mind'); // before its addBulk went out
  backend.cancel(jobKey(waiting), 'not needed');
  backend.cancel(jobKey(running), 'stop it');
  backend.cancel('r:unknown:1', 'ignored');
  await log.untilTerminal([jobKey(running), jobKey(waiting), jobKey(unsent)], 10_000);
  const outcome = (key: string): unknown => {
    const event = log.terminal(key)!;
    return event.type === 'finished' ? [event.type, event.result.outcome, event.result.error] : [event.type, JSON.stringify(event)];
  };
  assert.equal(outcome(jobKey(running)), ['finished', 'cancelled', 'cancelled']);
  assert.equal(outcome(jobKey(waiting)), ['finished', 'cancelled', 'not needed']);
  assert.equal(outcome(jobKey(unsent)), ['finished', 'cancelled', 'changed my mind']);
  assert.is(log.of('r:unknown:1').length, 0);
});

it('close: every attempt ends cancelled before close resolves (running ones confirmed by their worker)', async (context) => {
  const log = new EventLog();
  const backend = createBullmqBackend({ redisUrl: REDIS_URL, prefix: context.prefix, stalledIntervalMs: 300, capacityPollMs: 0 });
  context.backends.push(backend);
  await backend.open([{ id: 'busy', slots: 1 }, { id: 'idle', slots: 4 }], log.listener);
  await workers(context, 'busy', 1);
  const running = makeJob('r', 'running', 'busy', context.dir, [moduleStep('hang')]);
  const backlog = makeJob('r', 'backlog', 'busy', context.dir, [moduleStep('hang')]); // beyond the pool's 1 slot
  const waiting = makeJob('r', 'waiting', 'idle', context.dir, [moduleStep('hang')]); // no worker on "idle"
  for (const job of [running, backlog, waiting]) backend.submit(job);
  await log.until(() => log.of(jobKey(running)).length > 0 && pidsOf(running.stagingDir).length > 0, 10_000, 'the start');
  await new Promise((r) => setTimeout(r, 200)); // "waiting" reached Redis
  await withTimeout(backend.close(), 8000, 'close');
  const count = log.events.length;
  for (const job of [running, backlog, waiting]) {
    const terminal = log.terminal(jobKey(job)) as Extract<BackendEvent, { type: 'finished' }>;
    assert.equal([terminal?.type, terminal?.result.outcome], ['finished', 'cancelled'], JSON.stringify(log.of(jobKey(job))));
  }
  assert.ok(log.of(jobKey(running))[0]?.type === 'started');
  assert.is(log.of(jobKey(backlog)).length, 1, 'the backlog one never started');
  await new Promise((r) => setTimeout(r, 200));
  assert.is(log.events.length, count, 'nothing after close');
});

it('capacity: a pool without workers goes to 0 slots, and back when one connects', async (context) => {
  const log = new EventLog();
  await openBackend(context, ['lonely'], log, { capacityPollMs: 150 });
  const capacity = (): BackendEvent[] => log.events.filter((event) => event.type === 'capacity');
  await log.until(() => capacity().length === 1, 5000, 'capacity 0');
  assert.is((capacity()[0] as { slots: number }).slots, 0);
  await workers(context, 'lonely', 1);
  await log.until(() => capacity().length === 2, 5000, 'capacity back');
  assert.is((capacity()[1] as { slots: number }).slots, 4);
});

it('a Redis restart without persistence: every attempt in flight is lost, and attempt 2 of each completes', async (context) => {
  const redis = (context.redis = await startRedisServer());
  const log = new EventLog();
  const backend = await openBackend(context, ['p'], log, { url: redis.url });
  await workers(context, 'p', 2, { url: redis.url, concurrency: 4 });
  const firsts = [1, 2, 3].map((i) => makeJob('r', `t${i}`, 'p', context.dir, [moduleStep('hang')]));
  for (const job of firsts) backend.submit(job);
  await log.until(() => firsts.every((job) => log.of(jobKey(job)).length > 0), 10_000, 'all started');
  await redis.restart();
  await log.untilTerminal(firsts.map(jobKey), 10_000);
  for (const job of firsts) assert.equal(log.of(jobKey(job)).map((event) => [event.type, 'reason' in event ? event.reason : undefined]), [['started', undefined], ['lost', LOST_IN_REDIS]]);
  const seconds = firsts.map((job) => makeJob('r', job.subtask, 'p', context.dir, [moduleStep('echo')], 2));
  for (const job of seconds) backend.submit(job);
  await log.untilTerminal(seconds.map(jobKey), 10_000);
  for (const job of seconds) assert.is((log.terminal(jobKey(job)) as Extract<BackendEvent, { type: 'finished' }>).result.outcome, 'succeeded');
});

it('a worker told to stop while Redis is away exits instead of waiting for results it cannot write', async (context) => {
  const redis = (context.redis = await startRedisServer());
  const log = new EventLog();
  const backend = await openBackend(context, ['p'], log, { url: redis.url });
  const [worker] = await workers(context, 'p', 1, { url: redis.url });
  const job = makeJob('r', 'stranded', 'p', context.dir, [moduleStep('hang')]);
  backend.submit(job);
  await log.until(() => log.of(jobKey(job)).length > 0, 10_000, 'the start');
  await redis.kill();
  assert.is(await stopWorker(worker!, 'SIGTERM', 10_000), 0);
  assert.match(worker!.stderr(), 'Redis is not reachable: stopping the running attempts');
});

it('the registry: an open backend lists its pools for workers, and removes them on close', async (context) => {
  const backend = await openBackend(context, ['a', 'b:1'], new EventLog());
  const client = new Redis(REDIS_URL);
  try {
    assert.equal(await registeredPools(client, context.prefix), ['a', 'b:1']);
    await backend.close();
    assert.equal(await registeredPools(client, context.prefix), []);
  } finally {
    client.disconnect();
  }
});

// ---- apportion worker ----

it('apportion worker: an unknown pool is refused, naming the pools registered', async (context) => {
  await openBackend(context, ['cpu', 'gpu'], new EventLog());
  const run = await runCli(['worker', '--pool', 'gpx', '--redis', REDIS_URL, '--prefix', context.prefix]);
  assert.is(run.code, 2);
  assert.match(run.stderr, 'unknown pool "gpx": known pools cpu, gpu');
});

it('apportion worker: bad flags and an unreachable Redis exit 2 with the flag or the URL named', async () => {
  const url = `redis://127.0.0.1:${await freePort()}`;
  const cases: [string[], string][] = [
    [['worker', '--redis', REDIS_URL], 'worker needs --pool ID'],
    [['worker', '--pool', 'p'], 'worker needs --redis URL'],
    [['worker', '--pool', 'p', '--redis', 'localhost:6379'], '--redis: expected a Redis URL'],
    [['worker', '--pool', 'p', '--redis', REDIS_URL, '--concurrency', '0'], '--concurrency: expected a whole number of attempts at once from 1 to 10000, received "0"'],
    [['worker', '--pool', 'p', '--redis', REDIS_URL, '--concurrency', '2.5'], '--concurrency: expected a whole number'],
    [['worker', '--pool', 'p', '--redis', REDIS_URL, '--concurency', '2'], 'unknown option --concurency (did you mean --concurrency?)'],
    [['worker', '--pool', 'p', '--redis', url], `Redis at ${url} is not reachable`],
    [['worker', '--pool', 'p', '--redis', 'redis://user:secret@127.0.0.1:1'], 'Redis at redis://user:***@127.0.0.1:1 is not reachable'],
  ];
  for (const [args, message] of cases) {
    const run = await runCli(args);
    assert.is(run.code, 2, args.join(' '));
    assert.match(run.stderr, message, args.join(' '));
    assert.not.match(run.stderr, 'secret');
  }
  const help = await runCli(['worker', '--help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, 'apportion worker --pool ID --redis URL');
});

it('apportion worker (the CLI, a child process): serves a job, then SIGTERM lets the running one finish and exits 0', async (context) => {
  const { spawn } = await import('node:child_process');
  const { ROOT } = await import('./bullmq-helpers.js');
  const log = new EventLog();
  const backend = await openBackend(context, ['cli'], log);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'worker', '--pool', 'cli', '--redis', REDIS_URL, '--prefix', context.prefix, '--concurrency', '2'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  try {
    const job = makeJob('r', 'slow', 'cli', context.dir, [{ stage: 's', run: { kind: 'replay', durationS: 1 } }]);
    backend.submit(job);
    await log.until(() => log.of(jobKey(job)).length > 0 && stderr.includes('serving pool "cli"'), 10_000, 'the start');
    child.kill('SIGTERM');
    await log.untilTerminal([jobKey(job)], 10_000);
    assert.is((log.terminal(jobKey(job)) as Extract<BackendEvent, { type: 'finished' }>).result.outcome, 'succeeded');
    assert.is(await withTimeout(exited, 10_000, 'the worker did not exit'), 0);
    assert.match(stderr, 'stopped after 1 job');
  } finally {
    child.kill('SIGKILL');
  }
});

it('a second SIGTERM stops the running attempts: they report interrupted', async (context) => {
  const log = new EventLog();
  const backend = await openBackend(context, ['p'], log);
  const [worker] = await workers(context, 'p', 1);
  const job = makeJob('r', 'long', 'p', context.dir, [moduleStep('hang')]);
  backend.submit(job);
  await log.until(() => log.of(jobKey(job)).length > 0 && pidsOf(job.stagingDir).length > 0, 10_000, 'the start');
  worker!.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 200));
  worker!.child.kill('SIGTERM');
  await log.untilTerminal([jobKey(job)], 10_000);
  const finished = log.terminal(jobKey(job)) as Extract<BackendEvent, { type: 'finished' }>;
  assert.equal([finished.type, finished.result.outcome, finished.result.error], ['finished', 'interrupted', 'the worker was stopped']);
  assert.is(await withTimeout(worker!.exited, 10_000, 'no exit'), 0);
});

it.run();
