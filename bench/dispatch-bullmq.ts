/**
 * Throughput of the bullmq backend: N no-op jobs (a module handler returning nothing) end to
 * end — submit → Redis → 2 worker processes (concurrency 50 each) → result event back in this
 * process — against raw BullMQ on the same Redis with the same N and workers (queue.addBulk in
 * chunks of 1000, workers whose processor does nothing, completions counted in Redis).
 * The ratio is what apportion's layer costs: executeJob (staging dir, handler call, result),
 * the AttemptResult in the return value, the event bookkeeping.
 *
 * A third row gives the pool 100 slots (2 × 50): the backend keeps at most 100 attempts in
 * Redis and sends the next as one ends, as the dispatcher's slot limit does — latency-bound
 * rather than batch-bound. A fourth replaces executeJob in the workers by an attempt that does
 * nothing (no staging directory), to separate the queue path from the attempt's own work.
 *
 *   node --import tsx bench/dispatch-bullmq.ts          (N=20000, 2 rounds, Redis at $APPORTION_BENCH_REDIS or 127.0.0.1:6379)
 *   BENCH_N=5000 BENCH_ROUNDS=1 ...                      a quicker run
 *
 * Writes bench/results/dispatch-bullmq.md and prints it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { jobKey, type BackendEvent } from '../src/dispatch/backend.js';
import { createBullmqBackend, EVENTS_MAX_LEN } from '../src/dispatch/bullmq/backend.js';
import { deleteKeys, makeJob, moduleStep, startWorker, stopWorker, type WorkerOptions, type WorkerProcess } from '../test/dispatch/bullmq-helpers.js';
import { describeMachine, formatNumber, markdownTable, progress, REPO_ROOT, reportHeader, writeResult } from './common.js';

const REDIS_URL = process.env.APPORTION_BENCH_REDIS ?? 'redis://127.0.0.1:6379';
const N = Number(process.env.BENCH_N ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const WORKERS = 2;
const CONCURRENCY = 50;
const TIMEOUT_MS = 180_000;
/**
 * Every attempt gets a staging directory (the contract), so a no-op job costs one mkdir. On
 * this VM's disk that is ~2,000–3,000 mkdir/s, which would be the whole measurement; staging
 * goes to tmpfs (/dev/shm) when there is one, to measure the dispatch path. BENCH_STAGING=DIR
 * chooses.
 */
const STAGING_ROOT = process.env.BENCH_STAGING ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());

interface Measure {
  readonly label: string;
  readonly jobsPerS: number;
  readonly seconds: number;
  /** CPU time per 1000 jobs (ms): robust to the machine's other load, unlike jobs/s. */
  readonly cpu?: CpuPerKilojob;
}

interface CpuPerKilojob {
  readonly workers: number;
  readonly dispatcher: number;
  readonly redis: number;
}

const CLOCK_TICKS_PER_S = 100; // Linux USER_HZ

/** User + system CPU (ms) a process used so far, from /proc (undefined off Linux). */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return undefined;
  }
}

async function redisCpuMs(client: Redis): Promise<number> {
  const info = await client.info('cpu');
  const get = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? NaN);
  return (get('used_cpu_sys') + get('used_cpu_user')) * 1000;
}

/** CPU of the workers, this process and Redis between `start()` and `stop()`, per 1000 jobs. */
async function cpuMeter(workerPids: readonly number[]): Promise<{ stop(): Promise<CpuPerKilojob | undefined> }> {
  const client = new Redis(REDIS_URL);
  const workersNow = (): number | undefined => workerPids.map(processCpuMs).reduce<number | undefined>((sum, ms) => (sum === undefined || ms === undefined ? undefined : sum + ms), 0);
  const workers0 = workersNow();
  const self0 = process.cpuUsage();
  const redis0 = await redisCpuMs(client);
  return {
    async stop() {
      const workers1 = workersNow();
      const self = process.cpuUsage(self0);
      const redis1 = await redisCpuMs(client);
      client.disconnect();
      if (workers0 === undefined || workers1 === undefined) return undefined;
      const perKilojob = 1000 / N;
      return { workers: (workers1 - workers0) * perKilojob, dispatcher: ((self.user + self.system) / 1000) * perKilojob, redis: (redis1 - redis0) * perKilojob };
    },
  };
}

function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(`${what}: no end within ${TIMEOUT_MS} ms`)), TIMEOUT_MS)))]).finally(() => clearTimeout(timer));
}

async function throughBackend(round: number, windowSize: number | undefined, trivialExecute = false): Promise<Measure> {
  const prefix = `apportion-bench:${process.pid}:${round}:${windowSize ?? 'all'}:${trivialExecute}`;
  const dir = mkdtempSync(join(STAGING_ROOT, 'apportion-bench-'));
  const workers: WorkerProcess[] = [];
  const backend = createBullmqBackend({ redisUrl: REDIS_URL, prefix, capacityPollMs: 0 });
  try {
    let finished = 0;
    let failed = 0;
    const jobs = Array.from({ length: N }, (_, i) => makeJob('bench', `t${i}`, 'cpu', dir, [moduleStep('noop')]));
    // Warm-up jobs first: each worker imports the handler module before timing starts.
    const warm = Array.from({ length: 20 }, (_, i) => makeJob('warm', `w${i}`, 'cpu', dir, [moduleStep('noop')]));
    const warmKeys = new Set(warm.map(jobKey));
    let warmLeft = warm.length;
    let warmed!: () => void;
    const allWarm = new Promise<void>((resolve) => (warmed = resolve));
    let done!: () => void;
    const allDone = new Promise<void>((resolve) => (done = resolve));
    // The backend keeps at most `slots` attempts of a pool in Redis (the rest wait in memory).
    await backend.open([{ id: 'cpu', slots: windowSize ?? N }], (event: BackendEvent) => {
      if (event.type !== 'finished' && event.type !== 'lost') return;
      if (warmKeys.has(event.key)) {
        if (--warmLeft === 0) warmed();
        return;
      }
      finished++;
      if (event.type === 'lost' || event.result.outcome !== 'succeeded') {
        if (failed++ < 3) progress(`  not succeeded: ${JSON.stringify(event)}`);
      }
      if (finished === N) done();
    });
    workers.push(...(await Promise.all(Array.from({ length: WORKERS }, () => startWorker({ pool: 'cpu', redisUrl: REDIS_URL, prefix, concurrency: CONCURRENCY, ...(trivialExecute ? { trivialExecute } : {}) } as WorkerOptions)))));
    for (const job of warm) backend.submit(job);
    await bounded(allWarm, 'warm-up');
    const meter = await cpuMeter(workers.map((worker) => worker.pid));
    const startMs = performance.now();
    for (const job of jobs) backend.submit(job);
    await bounded(allDone, 'backend');
    const seconds = (performance.now() - startMs) / 1000;
    const cpu = await meter.stop();
    if (failed > 0) throw new Error(`${failed} of ${N} jobs did not succeed`);
    const what = windowSize === undefined ? `all ${N} submitted at once` : `all submitted at once, pool slots ${windowSize} (at most that many in Redis)`;
    return { label: trivialExecute ? `apportion bullmq backend, ${what}, workers skip executeJob (the queue path alone)` : `apportion bullmq backend, ${what}`, jobsPerS: N / seconds, seconds, ...(cpu === undefined ? {} : { cpu }) };
  } finally {
    await backend.close();
    await Promise.all(workers.map((worker) => stopWorker(worker, 'SIGTERM').catch(() => stopWorker(worker))));
    await deleteKeys(REDIS_URL, prefix);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function rawBullmq(round: number): Promise<Measure> {
  const prefix = `apportion-bench-raw:${process.pid}:${round}`;
  const connection = { url: REDIS_URL, maxRetriesPerRequest: null } as never;
  const queue = new Queue('raw', { connection, prefix, defaultJobOptions: { removeOnComplete: { age: 3600 } }, streams: { events: { maxLen: EVENTS_MAX_LEN } } });
  const children: ChildProcess[] = [];
  try {
    await queue.waitUntilReady();
    for (let i = 0; i < WORKERS; i++) {
      const child = spawn(process.execPath, ['--import', 'tsx', resolve(REPO_ROOT, 'bench/bullmq-raw-worker.ts'), REDIS_URL, prefix, 'raw', String(CONCURRENCY)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      await bounded(new Promise<void>((ready) => child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && ready())), 'raw worker start');
    }
    const meter = await cpuMeter(children.map((child) => child.pid!));
    const startMs = performance.now();
    for (let from = 0; from < N; from += 1000) {
      void queue.addBulk(Array.from({ length: Math.min(1000, N - from) }, (_, i) => ({ name: 'noop', data: { i: from + i } })));
    }
    // Completions counted from the completed set (ZCARD every 20 ms): the event stream is
    // trimmed (maxLen) and a reader lagging behind 80,000 events would miss some.
    await bounded((async () => {
      while ((await queue.getCompletedCount()) < N) await new Promise((r) => setTimeout(r, 20));
    })(), 'raw BullMQ');
    const seconds = (performance.now() - startMs) / 1000;
    const cpu = await meter.stop();
    return { label: `raw BullMQ (addBulk × 1000, no-op processor)`, jobsPerS: N / seconds, seconds, ...(cpu === undefined ? {} : { cpu }) };
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)))));
    await queue.close();
    await deleteKeys(REDIS_URL, prefix);
  }
}

const machine = describeMachine();
const loadAtEnd = (): number => Math.round(os.loadavg()[0]! * 100) / 100;
const measures: Measure[][] = [];
for (let round = 0; round < ROUNDS; round++) {
  progress(`round ${round + 1}/${ROUNDS}: raw BullMQ, ${N} jobs`);
  const raw = process.env.BENCH_SKIP_RAW === '1' ? { label: 'raw (skipped)', jobsPerS: NaN, seconds: NaN } : await rawBullmq(round);
  progress(`  ${formatNumber(raw.jobsPerS)} jobs/s`);
  progress(`round ${round + 1}/${ROUNDS}: through the backend, ${N} jobs`);
  const all = await throughBackend(round, undefined);
  progress(`  ${formatNumber(all.jobsPerS)} jobs/s`);
  const windowed = await throughBackend(round, WORKERS * CONCURRENCY);
  progress(`  windowed: ${formatNumber(windowed.jobsPerS)} jobs/s`);
  const queuePath = await throughBackend(round, undefined, true);
  progress(`  queue path alone: ${formatNumber(queuePath.jobsPerS)} jobs/s`);
  measures.push([raw, all, windowed, queuePath]);
}
const best = [0, 1, 2, 3].map((i) => measures.map((round) => round[i]!).reduce((a, b) => (b.jobsPerS > a.jobsPerS ? b : a)));
const rawBest = best[0]!.jobsPerS;
const lines = [
  ...reportHeader('bullmq dispatch backend: throughput', `node --import tsx bench/dispatch-bullmq.ts (N=${N}, ${ROUNDS} rounds)`, new Date().toISOString(), machine),
  `- Redis: ${REDIS_URL}; ${WORKERS} worker processes × concurrency ${CONCURRENCY}, all on this machine (Redis, this process and the workers share its cores); staging directories under ${STAGING_ROOT}`,
  '',
  ...markdownTable(
    ['what', 'best jobs/s', 'every round (jobs/s)', 'best time (s)', 'vs raw BullMQ'],
    best.map((measure, i) => [measure.label, formatNumber(measure.jobsPerS), measures.map((round) => formatNumber(round[i]!.jobsPerS)).join(', '), formatNumber(measure.seconds), `${formatNumber(measure.jobsPerS / rawBest, 3)}×`]),
    new Set([1, 3, 4]),
  ),
  '',
  'CPU per 1000 jobs (ms, the least of the rounds; user + system), which the machine\'s other load does not change much; "jobs/s if alone" is the 2 cores divided by the total, an upper bound for this machine with nothing else running:',
  '',
  ...markdownTable(
    ['what', 'workers', 'dispatcher process', 'Redis', 'total', 'jobs/s if alone'],
    [0, 1, 2, 3].map((i) => {
      const cpus = measures.map((round) => round[i]!.cpu).filter((cpu): cpu is CpuPerKilojob => cpu !== undefined);
      if (cpus.length === 0) return [best[i]!.label, '–', '–', '–', '–', '–'];
      const least = cpus.reduce((a, b) => (b.workers + b.dispatcher + b.redis < a.workers + a.dispatcher + a.redis ? b : a));
      const total = least.workers + least.dispatcher + least.redis;
      return [best[i]!.label, formatNumber(least.workers, 3), formatNumber(least.dispatcher, 3), formatNumber(least.redis, 3), formatNumber(total, 3), formatNumber((os.cpus().length * 1000 * 1000) / total, 3)];
    }),
    new Set([1, 2, 3, 4, 5]),
  ),
  '',
  `Load average at the end: ${loadAtEnd()} (2 cores: the other rows of a round ran beside whatever else the machine was doing).`,
  '',
];
const text = lines.join('\n');
const path = writeResult('dispatch-bullmq.md', text);
process.stdout.write(`${text}\n(written to ${path})\n`);
