/**
 * Whole runs on the bullmq backend with real worker processes and a real Redis, and the faults
 * the journal must survive: a worker SIGKILLed mid-sub-task, every worker of a pool gone, Redis
 * restarted empty mid-run. In each: every sub-task commits exactly once, dependencies hold, and
 * the history has exactly one succeeded attempt per sub-task.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createBullmqBackend } from '../../src/dispatch/bullmq/backend.js';
import type { DecisionRow } from '../../src/history/journal.js';
import { deleteKeys, REDIS_URL, startRedisServer, startWorker, stopWorker, uniquePrefix, type WorkerProcess } from './bullmq-helpers.js';
import { onePool, runOn, type TestRun } from './helpers.js';

const test = suite('bullmq: whole runs and their faults');

/** 3 stages, 2 pools: a chunked stage, one that reads all its chunks, a final one. */
function job(items = 48): unknown {
  return {
    name: 'bullmq-run',
    stages: [
      { id: 'map', items, minChunk: 2, maxChunk: 2, runtimePerItemS: 100 },
      { id: 'reduce', after: ['map'], runtimeS: 100 },
      { id: 'end', after: ['reduce'], runtimeS: 100 },
    ],
  };
}

const POOLS = { pools: [onePool('a', 4), onePool('b', 4, { priceUsdPerSlotHour: 0.01 })] };
/** Replayed at 0.002: a 200 s chunk waits 0.4 s, long enough to be killed in the middle. */
const REPLAY = { replay: { timeScale: 0.002 } };

function assertExactlyOnce(run: TestRun): void {
  const commits = run.journal.commits('r1');
  assert.is(commits.length, run.plan.subtasks.length, 'every sub-task committed');
  assert.is(new Set(commits.map((c) => c.subtaskId)).size, commits.length, 'committed once each');
  const succeeded = run.journal.attempts('r1').filter((a) => a.outcome === 'succeeded');
  const perSubtask = new Map<string, number>();
  for (const a of succeeded) perSubtask.set(a.subtaskId ?? a.stageId, (perSubtask.get(a.subtaskId ?? a.stageId) ?? 0) + 1);
  for (const subtask of run.plan.subtasks) assert.is(perSubtask.get(subtask.id), 1, `${subtask.id}: exactly one succeeded attempt`);
  const byId = new Map(commits.map((c) => [c.subtaskId, c]));
  for (const subtask of run.plan.subtasks) {
    for (const input of subtask.after) assert.ok(byId.get(input)!.finishedS <= byId.get(subtask.id)!.startedS + 1e-6, `${subtask.id} started before its input ${input} committed`);
  }
}

/** `concurrency` × `perPool` = the pool's 4 slots, so every worker holds attempts while the pool is busy (a kill always hits work). */
async function workersFor(pools: readonly string[], perPool: number, redisUrl: string, prefix: string, concurrency = 4 / perPool): Promise<Map<string, WorkerProcess[]>> {
  const workers = new Map<string, WorkerProcess[]>();
  for (const pool of pools) {
    const list: WorkerProcess[] = [];
    for (let i = 0; i < perPool; i++) list.push(await startWorker({ pool, redisUrl, prefix, concurrency, lockDurationMs: 1000, stalledIntervalMs: 500 }));
    workers.set(pool, list);
  }
  return workers;
}

async function stopAll(workers: Map<string, WorkerProcess[]>): Promise<void> {
  for (const list of workers.values()) for (const w of list) await stopWorker(w, 'SIGKILL').catch(() => undefined);
}

test('two workers per pool, one SIGKILLed mid-run: the run completes, its lost attempt moved on, one success per sub-task', async () => {
  const prefix = uniquePrefix('run-kill');
  const workers = await workersFor(['a', 'b'], 2, REDIS_URL, prefix);
  let killed = false;
  try {
    const backend = createBullmqBackend({ redisUrl: REDIS_URL, prefix, stalledIntervalMs: 500, capacityPollMs: 0 });
    const run = await runOn(backend, job(), POOLS, {
      settings: REPLAY,
      request: {
        onAttempt: (attempt) => {
          // Once work is flowing, kill a worker of pool a while it holds attempts.
          if (!killed && attempt.outcome === 'succeeded' && attempt.pool === 'a') {
            killed = true;
            void stopWorker(workers.get('a')![0]!, 'SIGKILL');
          }
        },
      },
    });
    try {
      assert.ok(killed, 'a worker was killed');
      assert.is(run.report.status, 'succeeded');
      assertExactlyOnce(run);
      // BullMQ hands jobs to whichever worker asks first, so the killed one may have been between
      // jobs (then nothing was lost; bullmq.test.ts kills a worker that holds a job for certain).
      // Whatever it held was recorded as lost and ran again elsewhere.
      const lost = run.journal.attempts('r1').filter((a) => a.outcome === 'interrupted');
      assert.ok(lost.every((a) => /lost/.test(a.error ?? '')), lost.map((a) => a.error).join('; '));
    } finally {
      run.cleanup();
    }
  } finally {
    await stopAll(workers);
    await deleteKeys(REDIS_URL, prefix);
  }
});

test('every worker of a pool gone: its sub-tasks are re-allocated to the other pool and the run completes', async () => {
  const prefix = uniquePrefix('run-pool-gone');
  const workers = await workersFor(['a', 'b'], 1, REDIS_URL, prefix);
  let killed = false;
  const decisions: DecisionRow[] = [];
  try {
    const backend = createBullmqBackend({ redisUrl: REDIS_URL, prefix, stalledIntervalMs: 500, capacityPollMs: 300 });
    const run = await runOn(backend, job(), POOLS, {
      settings: REPLAY,
      request: {
        poolFailureLimit: 2,
        onDecision: (d) => decisions.push(d),
        onAttempt: (attempt) => {
          if (!killed && attempt.outcome === 'succeeded' && attempt.pool === 'b') {
            killed = true;
            void stopWorker(workers.get('b')![0]!, 'SIGKILL');
          }
        },
      },
    });
    try {
      assert.ok(killed);
      assert.is(run.report.status, 'succeeded', JSON.stringify(run.report.notCommitted.slice(0, 3)));
      assertExactlyOnce(run);
      assert.ok(decisions.some((d) => d.kind === 'move' && d.poolId === 'a'), 'lost work moved to pool a');
      // Seen either way: the backend reports b without live workers (capacity 0), or its losses take it out of the run.
      assert.ok(decisions.some((d) => d.poolId === 'b' && (d.kind === 'exclude-pool' || /has no slots/.test(d.reason))), decisions.map((d) => `${d.kind}: ${d.reason}`).join('\n'));
    } finally {
      run.cleanup();
    }
  } finally {
    await stopAll(workers);
    await deleteKeys(REDIS_URL, prefix);
  }
});

test('Redis restarted empty mid-run: the journal, not Redis, is the truth; what was not committed is re-submitted, nothing commits twice', async () => {
  const redis = await startRedisServer();
  const prefix = uniquePrefix('run-redis-restart');
  const workers = await workersFor(['a', 'b'], 1, redis.url, prefix);
  let restarted = false;
  try {
    const backend = createBullmqBackend({ redisUrl: redis.url, prefix, stalledIntervalMs: 500, capacityPollMs: 0 });
    const run = await runOn(backend, job(), POOLS, {
      settings: REPLAY,
      request: {
        onAttempt: (attempt) => {
          if (!restarted && attempt.outcome === 'succeeded') {
            restarted = true;
            void redis.restart();
          }
        },
      },
    });
    try {
      assert.ok(restarted);
      assert.is(run.report.status, 'succeeded', JSON.stringify(run.report.notCommitted.slice(0, 3)));
      assertExactlyOnce(run);
      assert.ok(run.journal.attempts('r1').some((a) => a.outcome === 'interrupted' && /Redis/.test(a.error ?? '')), 'attempts lost with Redis were recorded');
    } finally {
      run.cleanup();
    }
  } finally {
    await stopAll(workers);
    await redis.kill();
  }
});

test.run();

