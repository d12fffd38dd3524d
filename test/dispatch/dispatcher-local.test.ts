/**
 * The dispatcher on the local backend, with real worker threads and child processes: outputs
 * handed to dependants, failures retried then moved then given up, attempts in the history,
 * commits once, and what the profiler learns from a run.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend, BackendListener, DispatchJob } from '../../src/dispatch/backend.js';
import { createLocalBackend } from '../../src/dispatch/local/local-backend.js';
import { fitProfile } from '../../src/profile/fit.js';
import { onePool, runOn } from './helpers.js';

const EXAMPLE_HANDLERS = fileURLToPath(new URL('../../examples/run/handlers.js', import.meta.url));

const squares = (items: number) => ({
  name: 'squares',
  stages: [
    { id: 'square', items, minChunk: Math.ceil(items / 8), runtimePerItemS: 0.001, run: { module: EXAMPLE_HANDLERS, export: 'sumOfSquares' } },
    { id: 'total', after: ['square'], runtimeS: 1, run: { module: EXAMPLE_HANDLERS, export: 'total' } },
    { id: 'report', after: ['total'], runtimeS: 1, run: { command: ['sh', '-c', 'cat "$1/total.txt" > "$2/report.txt"', 'report', '{input0}', '{out}'] } },
  ],
});

test('a job runs end to end: chunk values reach their dependant inline, files by directory, every attempt is recorded', async () => {
  const items = 8000;
  const run = await runOn(createLocalBackend(), squares(items), { pools: [onePool('p', 4)] });
  try {
    assert.is(run.report.status, 'succeeded');
    assert.is(run.report.committed, run.plan.subtasks.length);
    let expected = 0n;
    for (let i = 0n; i < BigInt(items); i++) expected += i * i;
    assert.is(readFileSync(join(run.runDir, 'out', 'report', 'report.txt'), 'utf8').trim(), expected.toString());
    const attempts = run.journal.attempts('r1');
    assert.is(attempts.length, run.plan.subtasks.length);
    assert.ok(attempts.every((a) => a.outcome === 'succeeded' && a.poolId === 'p' && a.jobId === 'r1'));
    const chunk = attempts.find((a) => a.subtaskId === 'square#0');
    assert.ok(chunk !== undefined && chunk.items !== undefined && chunk.items > 0, 'a chunk records its item count');
    // Nothing left in staging: every attempt was committed or discarded.
    assert.equal(readdirSync(join(run.runDir, 'staging')), []);
  } finally {
    run.cleanup();
  }
});

test('no sub-task starts before every input is committed', async () => {
  const run = await runOn(createLocalBackend(), squares(4000), { pools: [onePool('p', 8)] });
  try {
    const commits = new Map(run.journal.commits('r1').map((c) => [c.subtaskId, c]));
    for (const subtask of run.plan.subtasks) {
      const own = commits.get(subtask.id)!;
      for (const input of subtask.after) assert.ok(commits.get(input)!.finishedS <= own.startedS + 1e-9, `${subtask.id} started at ${own.startedS} before ${input} finished at ${commits.get(input)!.finishedS}`);
    }
  } finally {
    run.cleanup();
  }
});

test('a failed attempt is retried with backoff on its pool and the retry is recorded beside the failure', async () => {
  const task = { name: 'flaky', stages: [{ id: 'flaky', runtimeS: 1, run: { command: ['sh', '-c', 'test "$1" -ge 2 || { echo "not yet" >&2; exit 3; }', 'x', '{attempt}'] } }] };
  const run = await runOn(createLocalBackend(), task, { pools: [onePool('p', 2)] });
  try {
    assert.is(run.report.status, 'succeeded');
    assert.is(run.report.retries, 1);
    const attempts = run.journal.attempts('r1');
    assert.equal(attempts.map((a) => [a.attempt, a.outcome, a.exitCode]), [[1, 'failed', 3], [2, 'succeeded', 0]]);
    assert.match(attempts[0]!.error ?? '', /exit code 3: not yet/);
    const decisions = run.journal.decisions('r1');
    assert.ok(decisions.some((d) => d.kind === 'retry' && d.subtaskId === 'flaky' && /retry 1 of 2 on p/.test(d.reason)));
  } finally {
    run.cleanup();
  }
});

test('a sub-task that keeps failing is moved to the pool ranked next, then given up; its dependants are blocked and the run says why', async () => {
  const task = {
    name: 'broken',
    stages: [
      { id: 'bad', runtimeS: 1, run: { command: ['sh', '-c', 'exit 7'], retries: 1 } },
      { id: 'after-bad', after: ['bad'], runtimeS: 1, run: { command: ['true'] } },
      { id: 'fine', runtimeS: 1, run: { command: ['true'] } },
    ],
  };
  const run = await runOn(createLocalBackend(), task, { pools: [onePool('a', 2), onePool('b', 2, { priceUsdPerSlotHour: 1 })] });
  try {
    assert.is(run.report.status, 'failed');
    const bad = run.journal.attempts('r1').filter((a) => a.stageId === 'bad');
    // 1 + 1 retry on the first pool, then moved: 1 + 1 retry on the other.
    assert.is(bad.length, 4);
    assert.ok(new Set(bad.map((a) => a.poolId)).size === 2, 'moved to the other pool after its retries');
    const kinds = run.journal.decisions('r1').map((d) => d.kind);
    assert.ok(kinds.includes('move') && kinds.includes('give-up'));
    const notCommitted = new Map(run.report.notCommitted.map((n) => [n.id, n]));
    assert.is(notCommitted.get('bad')?.state, 'given-up');
    assert.match(notCommitted.get('bad')?.reason ?? '', /exit code 7/);
    assert.is(notCommitted.get('after-bad')?.state, 'blocked');
    assert.match(notCommitted.get('after-bad')?.reason ?? '', /bad could not run/);
    assert.ok(!notCommitted.has('fine'), 'independent work still committed');
  } finally {
    run.cleanup();
  }
});

test('a command that does not exist is a failed attempt with its error recorded, not a crash', async () => {
  const task = { name: 'missing', stages: [{ id: 'nope', runtimeS: 1, run: { command: ['apportion-no-such-command-xyz'], retries: 0 } }] };
  const run = await runOn(createLocalBackend(), task, { pools: [onePool('p', 1)] });
  try {
    assert.is(run.report.status, 'failed');
    const [attempt] = run.journal.attempts('r1');
    assert.is(attempt?.outcome, 'failed');
    assert.match(attempt?.error ?? '', /command not found: apportion-no-such-command-xyz/);
  } finally {
    run.cleanup();
  }
});

/** Delivers every `finished` event twice, as an at-least-once queue may. */
function twiceDelivered(inner: Backend): Backend {
  return {
    name: inner.name,
    nowS: () => inner.nowS(),
    open: (pools, listener: BackendListener) =>
      inner.open(pools, (event) => {
        listener(event);
        if (event.type === 'finished') listener(event);
      }),
    submit: (job: DispatchJob) => {
      inner.submit(job);
      inner.submit(job); // idempotent by key
    },
    cancel: (key, reason) => inner.cancel(key, reason),
    close: () => inner.close(),
  };
}

test('at-least-once delivery commits each output once', async () => {
  const task = { name: 'files', stages: [{ id: 'write', items: 40, minChunk: 10, runtimePerItemS: 0.01, run: { command: ['sh', '-c', 'echo "$1 $2" >> "$3/part.txt"', 'w', '{start}', '{attempt}', '{out}'] } }] };
  const run = await runOn(twiceDelivered(createLocalBackend()), task, { pools: [onePool('p', 4)] });
  try {
    assert.is(run.report.status, 'succeeded');
    assert.is(run.journal.commits('r1').length, run.plan.subtasks.length);
    assert.is(run.journal.attempts('r1').length, run.plan.subtasks.length, 'one attempt recorded per sub-task');
    for (const subtask of run.plan.subtasks) {
      const text = readFileSync(join(run.runDir, 'out', encodeURIComponent(subtask.id), 'part.txt'), 'utf8');
      assert.is(text.trim().split('\n').length, 1, `${subtask.id} was written once`);
    }
  } finally {
    run.cleanup();
  }
});

test('replayed attempts teach the profiler the job\'s own runtimes (time scale undone)', async () => {
  const task = { name: 'replayed', stages: [{ id: 'work', op: 'crunch', items: 64, minChunk: 8, runtimePerItemS: 2 }] };
  const run = await runOn(createLocalBackend(), task, { pools: [onePool('p', 8)] }, { settings: { replay: { timeScale: 0.001 } } });
  try {
    assert.is(run.report.status, 'succeeded');
    const records = run.journal.attempts('r1');
    // 16 s of planned work per chunk of 8 items waits 16 ms: recorded as ~16 s again.
    for (const r of records) assert.ok(r.runtimeS > 0.8 * 2 * (r.items ?? 0) && r.runtimeS < 5 * 2 * (r.items ?? 0), `runtime ${r.runtimeS} for ${r.items} items`);
    const profile = fitProfile(run.journal.history.records());
    assert.ok(JSON.stringify(profile).includes('crunch'), 'the fitted profile has the run\'s op');
  } finally {
    run.cleanup();
  }
});

test.run();



