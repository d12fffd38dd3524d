/**
 * The sim backend alone (no dispatcher): 100,000 jobs on 4 pools with about 1,000
 * interruptions (pool hazards, two pools losing the slot for a while, one availability series
 * with drops), a listener that re-submits every interrupted attempt as attempt + 1 and counts
 * the successes. Two ways of feeding it:
 *   - "all at once": every job submitted up front (the backend's FIFO queues hold them);
 *   - "as slots free": at most `slots` jobs per pool in flight, the next submitted from inside
 *     the listener on each `finished` (what the dispatcher does).
 * Prints wall time, heap events/s and delivered events/s per run, and writes
 * bench/results/dispatch-sim.md.
 *
 *   node --import tsx bench/dispatch-sim.ts          (SIM_BENCH_QUICK=1: 10,000 jobs)
 */
import { performance } from 'node:perf_hooks';
import type { BackendEvent, BackendPool, DispatchJob } from '../src/dispatch/backend.js';
import { createSimBackend, lognormalDurations, type AvailabilityPoint, type SimBackendOptions, type SimStats } from '../src/dispatch/sim/index.js';
import { seededRandom } from '../src/util/random.js';
import { describeMachine, formatNumber, markdownTable, median, reportHeader, writeResult } from './common.js';

const QUICK = process.env.SIM_BENCH_QUICK === '1';
const JOBS = QUICK ? 10_000 : 100_000;
const REPEATS = QUICK ? 2 : 7;
const POOLS: readonly BackendPool[] = [
  { id: 'a', slots: 64 },
  { id: 'b', slots: 64 },
  { id: 'c', slots: 32 },
  { id: 'd', slots: 96 },
];
/** Mean planned runtime 600 s: 100k jobs are ~16,700 slot-hours, so ~0.055 interruptions per slot-hour give ~900, and the availability drops the rest. */
const INTERRUPTION_PER_HOUR = 0.055;

function makeJobs(count: number): DispatchJob[] {
  const random = seededRandom(42);
  const jobs: DispatchJob[] = [];
  for (let i = 0; i < count; i++) {
    const expectedS = 60 + random() * 1080;
    jobs.push({
      runId: 'bench',
      subtask: `t${i}`,
      attempt: 1,
      pool: POOLS[i % POOLS.length]!.id,
      op: 'op',
      stage: 's',
      steps: [{ stage: 's', run: { kind: 'replay', durationS: expectedS } }],
      inputs: [],
      stagingDir: `/nonexistent/t${i}`,
      expectedS,
    });
  }
  return jobs;
}

function options(seed: number): SimBackendOptions {
  // Pool d: 96 slots, down to 60 for half an hour every 20,000 s (~12 drops over the run).
  const series: AvailabilityPoint[] = [];
  for (let t = 20_000; t < 400_000; t += 20_000) series.push({ timeS: t, available: 60 }, { timeS: t + 1800, available: 96 });
  return {
    seed,
    durations: lognormalDurations(0.3),
    pools: [
      { id: 'a', interruptionPerHour: INTERRUPTION_PER_HOUR },
      { id: 'b', interruptionPerHour: INTERRUPTION_PER_HOUR, slotDownS: 300 },
      { id: 'c', interruptionPerHour: INTERRUPTION_PER_HOUR, slotDownS: 600 },
      { id: 'd', interruptionPerHour: INTERRUPTION_PER_HOUR },
    ],
    availability: new Map([['d', series]]),
  };
}

interface RunResult {
  readonly wallMs: number;
  readonly stats: SimStats;
  readonly succeeded: number;
  readonly interruptions: number;
  readonly makespanS: number;
}

async function run(jobs: readonly DispatchJob[], mode: 'all at once' | 'as slots free', seed: number): Promise<RunResult> {
  const backend = createSimBackend(options(seed));
  let succeeded = 0;
  let interruptions = 0;
  let makespanS = 0;
  let allDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  // Per pool, the jobs not submitted yet ("as slots free").
  const waiting = new Map<string, DispatchJob[]>(POOLS.map((pool) => [pool.id, []]));
  const next = new Map<string, number>(POOLS.map((pool) => [pool.id, 0]));
  // The listener finds a job from its key (`bench:t<index>:<attempt>`) without a map of its own,
  // so the numbers are the backend's rather than the listener's bookkeeping.
  const submit = (job: DispatchJob): void => backend.submit(job);
  const jobOf = (key: string): DispatchJob => jobs[Number(key.slice(7, key.lastIndexOf(':')))]!;
  const attemptOf = (key: string): number => Number(key.slice(key.lastIndexOf(':') + 1));
  const submitNext = (pool: string): void => {
    const list = waiting.get(pool)!;
    const index = next.get(pool)!;
    if (index < list.length) {
      next.set(pool, index + 1);
      submit(list[index]!);
    }
  };
  const listener = (event: BackendEvent): void => {
    if (event.type !== 'finished') return;
    const job = jobOf(event.key);
    if (event.result.outcome === 'interrupted') {
      interruptions++;
      submit({ ...job, attempt: attemptOf(event.key) + 1 });
    } else {
      if (event.result.outcome === 'succeeded' && ++succeeded === jobs.length) {
        makespanS = event.result.finishedS;
        allDone();
      }
      if (mode === 'as slots free') submitNext(job.pool);
    }
  };
  await backend.open(POOLS, listener);
  const startMs = performance.now();
  if (mode === 'all at once') {
    for (const job of jobs) submit(job);
  } else {
    for (const job of jobs) waiting.get(job.pool)!.push(job);
    for (const pool of POOLS) for (let i = 0; i < pool.slots; i++) submitNext(pool.id);
  }
  await Promise.race([done, backend.idle()]);
  const wallMs = performance.now() - startMs;
  const stats = backend.stats();
  await backend.close();
  if (succeeded !== jobs.length) throw new Error(`${mode}: ${succeeded} of ${jobs.length} jobs succeeded`);
  return { wallMs, stats, succeeded, interruptions, makespanS };
}

async function main(): Promise<void> {
  const jobs = makeJobs(JOBS);
  const machine = describeMachine();
  const lines = reportHeader('Sim backend alone (bench/dispatch-sim.ts)', 'node --import tsx bench/dispatch-sim.ts', new Date().toISOString(), machine);
  lines.push(
    `${JOBS.toLocaleString('en-US')} jobs on 4 pools (64, 64, 32, 96 slots), planned runtimes 60–1140 s × lognormal(σ 0.3), hazard ${INTERRUPTION_PER_HOUR}/slot-hour,`,
    'slots lost 300 s / 600 s after an interruption on pools b / c, pool d down to 60 slots for 30 min every 20,000 s.',
    'A listener re-submits every interrupted attempt as attempt + 1. Wall time is from the first submit to the last success;',
    `best and median of ${REPEATS} runs (seeds 1..${REPEATS}; the first run also warms up the JIT).`,
    '',
  );
  const rows: string[][] = [];
  for (const mode of ['all at once', 'as slots free'] as const) {
    const results: RunResult[] = [];
    for (let seed = 1; seed <= REPEATS; seed++) {
      const result = await run(jobs, mode, seed);
      results.push(result);
      const s = result.stats;
      console.log(
        `${mode.padEnd(13)} seed ${seed}: ${result.wallMs.toFixed(0)} ms, ${s.heapEvents} heap events (${formatNumber(s.heapEvents / (result.wallMs / 1000), 3)}/s), ` +
          `${s.delivered} delivered (${formatNumber(s.delivered / (result.wallMs / 1000), 3)}/s), ${result.interruptions} interruptions (${s.hazardInterruptions} hazard), ` +
          `${s.capacityEvents} capacity events, virtual makespan ${(result.makespanS / 3600).toFixed(1)} h`,
      );
    }
    const walls = results.map((r) => r.wallMs);
    const best = results.reduce((a, b) => (a.wallMs <= b.wallMs ? a : b));
    const medianMs = median(walls);
    rows.push([
      mode,
      best.wallMs.toFixed(0),
      medianMs.toFixed(0),
      formatNumber(best.stats.heapEvents / (best.wallMs / 1000), 3),
      formatNumber(best.stats.delivered / (best.wallMs / 1000), 3),
      String(best.stats.delivered),
      `${Math.min(...results.map((r) => r.interruptions))}–${Math.max(...results.map((r) => r.interruptions))}`,
      String(best.stats.capacityEvents),
    ]);
  }
  lines.push(...markdownTable(['feeding', 'best ms', 'median ms', 'heap events/s (best)', 'delivered events/s (best)', 'delivered events', 'interruptions', 'capacity events'], rows, new Set([1, 2, 3, 4, 5, 6, 7])));
  const text = `${lines.join('\n')}\n`;
  console.log(`\n${text}`);
  if (!QUICK) console.log(`written ${writeResult('dispatch-sim.md', text)}`);
}

await main();
