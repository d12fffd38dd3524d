/**
 * The policy hooks of the dispatcher (issue 11: `apportion evaluate` runs every policy through
 * the one dispatcher, so only the policy differs): recovery rules, replicas, a pool choice, and
 * the per-pool usage every run reports. Each case is small enough that its outcome is known by
 * hand; the sim backend's virtual clock replays the plan (durations are the planned runtimes).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DispatchJob } from '../../src/dispatch/backend.js';
import type { AttemptView } from '../../src/dispatch/dispatcher.js';
import type { PoolUsage, ProgressView } from '../../src/dispatch/recovery.js';
import { createSimBackend, type SimBackendOptions } from '../../src/dispatch/sim/index.js';
import type { StartRunRequest } from '../../src/dispatch/run.js';
import { onePool, runOn, type TestRun } from './helpers.js';

/** Four 100 s chunks then a 10 s end: planned all on pool a (the free one), 4 slots. */
const chunks = { name: 'chunks', stages: [{ id: 'work', items: 4, minChunk: 1, maxChunk: 1, runtimePerItemS: 100 }, { id: 'end', after: ['work'], runtimeS: 10 }] };
/** One 100 s sub-task then a 10 s end, planned on a. */
const pair = { name: 'pair', stages: [{ id: 'one', runtimeS: 100 }, { id: 'end', after: ['one'], runtimeS: 10 }] };

const cheapFirst = { pools: [onePool('a', 4), onePool('b', 4, { priceUsdPerSlotHour: 1 }), onePool('c', 4, { priceUsdPerSlotHour: 2 })] };
/** Identical pools at 3.6 USD per slot-hour (0.001 USD per slot-second). */
const identical = (n: number, slots = 1) => ({ pools: ['a', 'b', 'c'].slice(0, n).map((id) => onePool(id, slots, { priceUsdPerSlotHour: 3.6 })) });

interface Observed {
  readonly run: TestRun;
  readonly attempts: AttemptView[];
}

async function observe(task: unknown, pools: unknown, sim: SimBackendOptions, request: Partial<StartRunRequest>, timeScale = 1): Promise<Observed> {
  const attempts: AttemptView[] = [];
  const backend = createSimBackend({ durations: 'replay', ...sim });
  const run = await runOn(backend, task, pools, { settings: { replay: { timeScale } }, request: { onAttempt: (a) => attempts.push(a), ...request } });
  return { run, attempts };
}

/** Attempt 1 of `subtask` ends `outcome` after `afterS` of running. */
function faultOn(subtask: string, outcome: 'failed' | 'interrupted', afterS: number, attempts: readonly number[] = [1]): NonNullable<SimBackendOptions['faults']> {
  return (job: DispatchJob) => (job.subtask === subtask && attempts.includes(job.attempt) ? { outcome, afterS, error: `scripted ${outcome}` } : undefined);
}

const near = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual}, expected ${expected}`);
const usageOf = (usage: readonly PoolUsage[] | undefined, pool: string): PoolUsage => usage!.find((u) => u.pool === pool)!;
const total = (usage: readonly PoolUsage[] | undefined, field: 'busySlotS' | 'wastedSlotS' | 'computeUsd') => usage!.reduce((sum, u) => sum + u[field], 0);

// ---- retry-in-place -----------------------------------------------------------------------

test('retry-in-place: an interrupted sub-task runs again on its own pool at once (attempt 2 on the same pool)', async () => {
  const { run, attempts } = await observe(chunks, cheapFirst, { faults: faultOn('work#2', 'interrupted', 50) }, { recovery: { kind: 'retry-in-place' } });
  try {
    assert.is(run.report.status, 'succeeded', JSON.stringify(run.report.notCommitted));
    const mine = attempts.filter((a) => a.subtask === 'work#2');
    assert.equal(mine.map((a) => [a.attempt, a.pool, a.outcome, a.startedS, a.finishedS]), [
      [1, 'a', 'interrupted', 0, 50],
      [2, 'a', 'succeeded', 50, 150],
    ]);
    assert.is(run.report.moves, 0);
    assert.is(run.report.replans, 0);
    near(run.report.makespanS, 160, 'makespan: the end waits for the retried chunk');
  } finally {
    run.cleanup();
  }
});

test('retry-in-place: a pool that loses its slots keeps its work, which waits for them (the cost model moves it)', async () => {
  // a drops to 0 slots from 50 s to 200 s: its four running chunks are interrupted.
  const availability = new Map([['a', [{ timeS: 50, available: 0 }, { timeS: 200, available: 4 }]]]);
  const inPlace = await observe(chunks, cheapFirst, { availability }, { recovery: { kind: 'retry-in-place' } });
  const costModel = await observe(chunks, cheapFirst, { availability }, {});
  try {
    assert.is(inPlace.run.report.status, 'succeeded', JSON.stringify(inPlace.run.report.notCommitted));
    assert.ok(inPlace.attempts.every((a) => a.pool === 'a'), JSON.stringify(inPlace.attempts));
    const second = inPlace.attempts.filter((a) => a.attempt === 2);
    assert.is(second.length, 4);
    assert.ok(second.every((a) => a.startedS === 200 && a.finishedS === 300), JSON.stringify(second));
    near(inPlace.run.report.makespanS, 310, 'makespan');
    assert.ok(inPlace.run.journal.decisions('r1').some((d) => d.kind === 'wait'), 'the wait is explained');
    // The default rule moves the interrupted chunks to a pool with slots instead.
    assert.ok(costModel.attempts.some((a) => a.attempt === 2 && a.pool !== 'a'));
    assert.ok(costModel.run.report.makespanS < 300);
  } finally {
    inPlace.run.cleanup();
    costModel.run.cleanup();
  }
});

test('retry-in-place: a pool whose slots never come back gives its work up with the reason, while other pools have slots (no hang)', async () => {
  const availability = new Map([['a', [{ timeS: 50, available: 0 }]]]);
  const { run, attempts } = await observe(chunks, cheapFirst, { availability }, { recovery: { kind: 'retry-in-place' } });
  try {
    assert.is(run.report.status, 'failed');
    assert.ok(attempts.every((a) => a.pool === 'a' && a.attempt === 1 && a.outcome === 'interrupted'), JSON.stringify(attempts));
    const givenUp = run.report.notCommitted.filter((n) => n.state === 'given-up');
    assert.is(givenUp.length, 4);
    assert.ok(givenUp.every((n) => /own pool/.test(n.reason ?? '') || /no slots and none are scheduled/.test(n.reason ?? '')), JSON.stringify(givenUp));
    assert.equal(run.report.notCommitted.filter((n) => n.state === 'blocked').map((n) => n.id), ['end']);
  } finally {
    run.cleanup();
  }
});

test('retry-in-place: a failure is retried on its pool up to its retries, then given up (never moved)', async () => {
  const { run, attempts } = await observe(pair, cheapFirst, { faults: faultOn('one', 'failed', 10, [1, 2, 3, 4]) }, { recovery: { kind: 'retry-in-place' } });
  try {
    assert.is(run.report.status, 'failed');
    // 1 attempt + 2 retries (the default), all on a.
    assert.equal(attempts.map((a) => [a.subtask, a.attempt, a.pool, a.outcome]), [
      ['one', 1, 'a', 'failed'],
      ['one', 2, 'a', 'failed'],
      ['one', 3, 'a', 'failed'],
    ]);
    assert.is(run.report.retries, 2);
    assert.is(run.report.moves, 0);
    assert.equal(run.report.notCommitted.map((n) => [n.id, n.state]), [['one', 'given-up'], ['end', 'blocked']]);
  } finally {
    run.cleanup();
  }
});

// ---- failover -----------------------------------------------------------------------------

test('failover: the interrupted sub-task moves exactly then, to the next pool of the order; nothing else moves', async () => {
  // Order a → c → b: the chunk interrupted on a goes to c (not b, the cost model's cheaper pick).
  const { run, attempts } = await observe(chunks, cheapFirst, { faults: faultOn('work#2', 'interrupted', 30) }, { recovery: { kind: 'failover', order: ['a', 'c', 'b'] } });
  try {
    assert.is(run.report.status, 'succeeded', JSON.stringify(run.report.notCommitted));
    const mine = attempts.filter((a) => a.subtask === 'work#2');
    assert.equal(mine.map((a) => [a.attempt, a.pool, a.outcome, a.startedS, a.finishedS]), [
      [1, 'a', 'interrupted', 0, 30],
      [2, 'c', 'succeeded', 30, 130],
    ]);
    assert.ok(attempts.filter((a) => a.subtask !== 'work#2').every((a) => a.pool === 'a' && a.attempt === 1), JSON.stringify(attempts));
    assert.is(run.report.moves, 1);
    assert.is(run.report.replans, 0);
    const move = run.journal.decisions('r1').filter((d) => d.kind === 'move');
    assert.is(move.length, 1);
    assert.is(move[0]!.poolId, 'c');
    near(move[0]!.atS, 30, 'the move is decided at the interruption');
  } finally {
    run.cleanup();
  }
});

test('failover: the order wraps; a failure retries in place first, then fails over', async () => {
  // On c (last of the order) an interruption wraps to a; "one" is planned on a, so start it on c through the order's wrap:
  // its attempt 1 on a fails 3 times (1 + 2 retries) → c; interrupted there → wraps to a.
  const faults = (job: DispatchJob) =>
    job.subtask !== 'one' ? undefined : job.pool === 'a' && job.attempt <= 3 ? { outcome: 'failed' as const, afterS: 10 } : job.pool === 'c' ? { outcome: 'interrupted' as const, afterS: 20 } : undefined;
  const { run, attempts } = await observe(pair, cheapFirst, { faults }, { recovery: { kind: 'failover', order: ['b', 'a', 'c'] } });
  try {
    assert.is(run.report.status, 'succeeded', JSON.stringify(run.report.notCommitted));
    const mine = attempts.filter((a) => a.subtask === 'one').map((a) => [a.attempt, a.pool, a.outcome]);
    assert.equal(mine, [
      [1, 'a', 'failed'],
      [2, 'a', 'failed'],
      [3, 'a', 'failed'],
      [4, 'c', 'interrupted'],
      [5, 'b', 'succeeded'],
    ]);
    assert.is(run.report.retries, 2);
    assert.is(run.report.moves, 2);
  } finally {
    run.cleanup();
  }
});

test('failover: a pool outside the order keeps its sub-tasks in place', async () => {
  const { run, attempts } = await observe(chunks, cheapFirst, { faults: faultOn('work#1', 'interrupted', 40) }, { recovery: { kind: 'failover', order: ['b', 'c'] } });
  try {
    assert.is(run.report.status, 'succeeded');
    assert.equal(attempts.filter((a) => a.subtask === 'work#1').map((a) => [a.attempt, a.pool, a.outcome]), [
      [1, 'a', 'interrupted'],
      [2, 'a', 'succeeded'],
    ]);
    assert.is(run.report.moves, 0);
  } finally {
    run.cleanup();
  }
});

test('failover: an unknown pool in the order is an input error naming it', async () => {
  let caught: unknown;
  try {
    const { run } = await observe(pair, cheapFirst, {}, { recovery: { kind: 'failover', order: ['a', 'zz'] } });
    run.cleanup();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof Error && /zz/.test(caught.message) && /failover order/.test(JSON.stringify(caught)), String(caught));
});

// ---- replicas -----------------------------------------------------------------------------

test('replicas k=2 on a failure-free trace: twice the busy slot time and compute of k=1, half of it wasted, same makespan', async () => {
  const replicas = (k: number) => ({ k, pools: () => [0, 1] });
  const one = await observe(pair, identical(2), {}, { replicas: replicas(1) });
  const two = await observe(pair, identical(2), {}, { replicas: replicas(2) });
  const plain = await observe(pair, identical(2), {}, {});
  try {
    for (const r of [one, two, plain]) assert.is(r.run.report.status, 'succeeded', JSON.stringify(r.run.report.notCommitted));
    // k=1 (and no replicas at all): 110 slot-seconds (100 + 10), nothing wasted, 0.11 USD.
    for (const r of [one, plain]) {
      near(total(r.run.report.usage, 'busySlotS'), 110, 'k=1 busy');
      near(total(r.run.report.usage, 'wastedSlotS'), 0, 'k=1 wasted');
      near(total(r.run.report.usage, 'computeUsd'), 0.11, 'k=1 USD');
    }
    // k=2: both replicas of each sub-task run side by side on a and b, one commits, the other ends with it.
    near(total(two.run.report.usage, 'busySlotS'), 220, 'k=2 busy');
    near(total(two.run.report.usage, 'wastedSlotS'), 110, 'k=2 wasted');
    near(total(two.run.report.usage, 'computeUsd'), 0.22, 'k=2 USD');
    near(usageOf(two.run.report.usage, 'a').busySlotS, 110, 'a busy');
    near(usageOf(two.run.report.usage, 'b').busySlotS, 110, 'b busy');
    near(two.run.report.makespanS, one.run.report.makespanS, 'makespan');
    near(two.run.report.makespanS, 110, 'makespan');
    assert.is(two.run.report.attempts, 4);
    // Attempt keys stay unique: each replica is its own attempt number, on its own pool.
    assert.equal(two.attempts.filter((a) => a.subtask === 'one').map((a) => a.attempt).sort(), [1, 2]);
    assert.equal(new Set(two.attempts.filter((a) => a.subtask === 'one').map((a) => a.pool)).size, 2);
    // The dependant starts at the first success, not later; outputs are committed once.
    const commits = two.run.journal.commits('r1');
    assert.is(commits.length, 2);
    near(commits.find((c) => c.subtaskId === 'end')!.startedS, 100, 'end starts');
    assert.is(two.run.report.moves, 0);
  } finally {
    one.run.cleanup();
    two.run.cleanup();
    plain.run.cleanup();
  }
});

test('replicas k=2: the replica whose pool is interrupted mid-run restarts on a pool none of its siblings is on; the other commits and the restart is cancelled', async () => {
  // "one" on a and b; attempts on a are interrupted 50 s in. The a replica restarts on c at 50 s
  // (b holds its sibling); b commits at 100 s, the c restart is cancelled then.
  const faults = (job: DispatchJob) => (job.pool === 'a' && job.subtask === 'one' ? { outcome: 'interrupted' as const, afterS: 50 } : undefined);
  const { run, attempts } = await observe(pair, identical(3), { faults }, { replicas: { k: 2, pools: () => [0, 1] } });
  try {
    assert.is(run.report.status, 'succeeded', JSON.stringify(run.report.notCommitted));
    const mine = attempts.filter((a) => a.subtask === 'one').sort((x, y) => x.attempt - y.attempt);
    assert.equal(mine.map((a) => [a.attempt, a.pool, a.outcome, a.startedS, a.finishedS]), [
      [1, 'a', 'interrupted', 0, 50],
      [2, 'b', 'succeeded', 0, 100],
      [3, 'c', 'cancelled', 50, 100],
    ]);
    assert.is(run.journal.commits('r1').find((c) => c.subtaskId === 'one')!.poolId, 'b');
    assert.is(run.report.timeline.find((t) => t.id === 'one')!.pool, 'b');
    near(run.report.makespanS, 110, 'makespan');
    // a: 50 s wasted; b: 100 s committed; c: 50 s wasted. The end's two replicas: 10 s each, one wasted.
    // (Which of the end's two replicas commits is the sim's tie order: only the totals are asserted for it.)
    near(usageOf(run.report.usage, 'a').busySlotS, 50 + 10, 'a busy: the interrupted replica, and one of the end');
    near(usageOf(run.report.usage, 'b').busySlotS, 100 + 10, 'b busy');
    near(usageOf(run.report.usage, 'c').busySlotS, 50, 'c busy: the cancelled restart');
    near(usageOf(run.report.usage, 'c').wastedSlotS, 50, 'c wasted');
    near(total(run.report.usage, 'busySlotS'), 50 + 100 + 50 + 20, 'busy');
    near(total(run.report.usage, 'wastedSlotS'), 50 + 50 + 10, 'wasted');
  } finally {
    run.cleanup();
  }
});

test('replicas k=2 with only two pools: an interrupted replica restarts on its own pool (no pool free of its sibling)', async () => {
  const faults = (job: DispatchJob) => (job.pool === 'a' && job.subtask === 'one' && job.attempt === 1 ? { outcome: 'interrupted' as const, afterS: 50 } : undefined);
  const { run, attempts } = await observe(pair, identical(2), { faults }, { replicas: { k: 2, pools: () => [0, 1] } });
  try {
    assert.is(run.report.status, 'succeeded');
    const mine = attempts.filter((a) => a.subtask === 'one').sort((x, y) => x.attempt - y.attempt);
    assert.equal(mine.map((a) => [a.attempt, a.pool, a.outcome]), [
      [1, 'a', 'interrupted'],
      [2, 'b', 'succeeded'],
      [3, 'a', 'cancelled'],
    ]);
  } finally {
    run.cleanup();
  }
});

test('replicas respect pool slots: with one slot per pool, four chunks × 2 replicas queue like any attempt', async () => {
  const { run, attempts } = await observe(chunks, identical(2), {}, { replicas: { k: 2, pools: () => [0, 1] } });
  try {
    assert.is(run.report.status, 'succeeded', JSON.stringify(run.report.notCommitted));
    // At any time at most one attempt runs per pool.
    for (const pool of ['a', 'b']) {
      const on = attempts.filter((a) => a.pool === pool && a.finishedS > a.startedS).sort((x, y) => x.startedS - y.startedS);
      for (let i = 1; i < on.length; i++) assert.ok(on[i]!.startedS >= on[i - 1]!.finishedS - 1e-9, `${pool}: ${JSON.stringify(on)}`);
    }
    // Each chunk runs on a and b at once (100 s), one after another: 4 × 100 + 10.
    near(run.report.makespanS, 410, 'makespan');
    near(total(run.report.usage, 'busySlotS'), 2 * 410, 'busy');
    near(total(run.report.usage, 'wastedSlotS'), 410, 'wasted');
  } finally {
    run.cleanup();
  }
});

test('replicas: a failed replica retries on its pool; the sibling commits meanwhile and the retry is dropped', async () => {
  // The a replica fails 10 s in, backs off (0.01 s), retries on a; b commits at 100 s, the a retry is cancelled.
  const faults = (job: DispatchJob) => (job.pool === 'a' && job.subtask === 'one' && job.attempt === 1 ? { outcome: 'failed' as const, afterS: 10 } : undefined);
  const { run, attempts } = await observe(pair, identical(2), { faults }, { replicas: { k: 2, pools: () => [0, 1] } });
  try {
    assert.is(run.report.status, 'succeeded');
    const mine = attempts.filter((a) => a.subtask === 'one').sort((x, y) => x.attempt - y.attempt);
    assert.equal(mine.map((a) => [a.attempt, a.pool, a.outcome]), [
      [1, 'a', 'failed'],
      [2, 'b', 'succeeded'],
      [3, 'a', 'cancelled'],
    ]);
    assert.is(run.report.retries, 1);
  } finally {
    run.cleanup();
  }
});

test('replicas: a run stopped mid-way ends (running replicas cancelled), reports what did not run, and wastes only what ran', async () => {
  const controller = new AbortController();
  const backend = createSimBackend({ durations: 'replay' });
  const attempts: AttemptView[] = [];
  const run = await runOn(backend, chunks, identical(2, 4), {
    settings: { replay: { timeScale: 1 } },
    request: {
      replicas: { k: 2, pools: () => [1, 0] },
      signal: controller.signal,
      onAttempt: (a) => {
        attempts.push(a);
        if (a.subtask === 'work#0' && a.outcome === 'succeeded') controller.abort();
      },
    },
  });
  try {
    assert.is(run.report.status, 'stopped');
    assert.ok(run.report.notCommitted.some((n) => n.id === 'end' && n.state === 'not-run'));
    const busy = attempts.reduce((sum, a) => sum + (a.finishedS - a.startedS), 0);
    near(total(run.report.usage, 'busySlotS'), busy, 'busy is what the attempts held');
  } finally {
    run.cleanup();
  }
});

// ---- choosePool ---------------------------------------------------------------------------

test('choosePool: every sub-task overridden onto one pool; the progress it sees is the committed planned work', async () => {
  const views: { s: number; view: ProgressView }[] = [];
  const { run, attempts } = await observe(chunks, cheapFirst, {}, {
    choosePool: (s, view) => {
      views.push({ s, view });
      return 2; // c
    },
  });
  try {
    assert.is(run.report.status, 'succeeded', JSON.stringify(run.report.notCommitted));
    assert.ok(attempts.every((a) => a.pool === 'c'), JSON.stringify(attempts));
    assert.ok(run.report.timeline.every((t) => t.pool === 'c'));
    assert.is(views.length, 5, 'asked once per sub-task (no retries here)');
    // The four chunks become ready at 0 with nothing committed; the end at 100 with the 400 s of chunks committed.
    for (const { view } of views.slice(0, 4)) assert.equal(view, { nowS: 0, committed: 0, total: 5, committedWorkS: 0, totalWorkS: 410 });
    assert.equal(views[4]!.view, { nowS: 100, committed: 4, total: 5, committedWorkS: 400, totalWorkS: 410 });
    near(usageOf(run.report.usage, 'c').computeUsd, (410 * 2) / 3600, 'c USD');
    near(usageOf(run.report.usage, 'a').busySlotS, 0, 'a unused');
  } finally {
    run.cleanup();
  }
});

test('choosePool: undefined keeps the plan\'s pool; a pool that cannot run the sub-task is refused (it stays, with the reason)', async () => {
  // Both planned on a; "big" (32 GB) does not fit b's 16 GB slots.
  const task = { name: 'mem', stages: [{ id: 'big', runtimeS: 50, memGb: 32 }, { id: 'small', runtimeS: 50 }] };
  const pools = { pools: [onePool('a', 2, { memGbPerSlot: 64 }), onePool('b', 2, { priceUsdPerSlotHour: 1 })] };
  const ask = (wantSmallOnB: boolean) => (s: number) => (s === 0 ? 1 : wantSmallOnB ? 1 : undefined);
  const kept = await observe(task, pools, {}, { choosePool: ask(false) });
  const moved = await observe(task, pools, {}, { choosePool: ask(true) });
  try {
    assert.equal(kept.run.plan.subtasks.map((s) => [s.id, s.pool]), [['big', 'a'], ['small', 'a']]);
    const poolOf = (r: Observed, id: string) => r.attempts.find((a) => a.subtask === id)!.pool;
    assert.is(poolOf(kept, 'big'), 'a');
    assert.is(poolOf(kept, 'small'), 'a');
    assert.ok(kept.run.journal.decisions('r1').some((d) => d.kind === 'stay' && d.subtaskId === 'big' && /cannot run it/.test(d.reason)));
    assert.is(poolOf(moved, 'big'), 'a');
    assert.is(poolOf(moved, 'small'), 'b');
    assert.is(moved.run.report.moves, 1);
  } finally {
    kept.run.cleanup();
    moved.run.cleanup();
  }
});

// ---- usage --------------------------------------------------------------------------------

test('usage: per pool, busy and wasted slot-seconds are the sums over the attempts, and USD their priced time', async () => {
  // a loses its slots for good at 50 s: its running chunks are interrupted and moved (the default rule).
  const availability = new Map([['a', [{ timeS: 50, available: 0 }]]]);
  const { run, attempts } = await observe(chunks, cheapFirst, { availability }, {});
  try {
    assert.is(run.report.status, 'succeeded', JSON.stringify(run.report.notCommitted));
    const committed = new Map(run.journal.commits('r1').map((c) => [c.subtaskId, c.attempt]));
    const price = new Map([['a', 0], ['b', 1 / 3600], ['c', 2 / 3600]]);
    assert.equal(run.report.usage!.map((u) => u.pool), ['a', 'b', 'c']);
    for (const u of run.report.usage!) {
      const on = attempts.filter((a) => a.pool === u.pool);
      const busy = on.reduce((sum, a) => sum + (a.finishedS - a.startedS), 0);
      const wasted = on.filter((a) => committed.get(a.subtask) !== a.attempt).reduce((sum, a) => sum + (a.finishedS - a.startedS), 0);
      near(u.busySlotS, busy, `${u.pool} busy`);
      near(u.wastedSlotS, wasted, `${u.pool} wasted`);
      near(u.computeUsd, busy * price.get(u.pool)!, `${u.pool} USD`);
    }
    // By hand: 4 chunks × 50 s on a, interrupted (wasted); re-run in full elsewhere.
    near(usageOf(run.report.usage, 'a').wastedSlotS, 200, 'a wasted');
    near(total(run.report.usage, 'busySlotS') - total(run.report.usage, 'wastedSlotS'), 410, 'committed work');
  } finally {
    run.cleanup();
  }
});

test('usage is in the plan\'s seconds whatever the replay time scale', async () => {
  const slow = await observe(chunks, cheapFirst, { faults: faultOn('work#0', 'interrupted', 60) }, { choosePool: () => 1 }, 1);
  const scaled = await observe(chunks, cheapFirst, { faults: faultOn('work#0', 'interrupted', 180) }, { choosePool: () => 1 }, 3);
  try {
    for (const r of [slow, scaled]) assert.is(r.run.report.status, 'succeeded');
    for (const pool of ['a', 'b', 'c']) {
      const x = usageOf(slow.run.report.usage, pool);
      const y = usageOf(scaled.run.report.usage, pool);
      near(y.busySlotS, x.busySlotS, `${pool} busy`);
      near(y.wastedSlotS, x.wastedSlotS, `${pool} wasted`);
      near(y.computeUsd, x.computeUsd, `${pool} USD`);
    }
    near(usageOf(slow.run.report.usage, 'b').busySlotS, 410 + 60, 'b busy: the work and the interrupted 60 s');
  } finally {
    slow.run.cleanup();
    scaled.run.cleanup();
  }
});

// ---- every rule under hazards --------------------------------------------------------------

test('every rule, with and without replicas, under hazard interruptions that take slots away: each sub-task commits once, usage is the attempts\' time', async () => {
  const task = { name: 'hazard', stages: [{ id: 'work', items: 12, minChunk: 1, maxChunk: 1, runtimePerItemS: 300 }, { id: 'end', after: ['work'], runtimeS: 50 }] };
  const pools = { pools: [onePool('spot', 4, { interruptionPerHour: 3 }), onePool('spot2', 3, { interruptionPerHour: 2, priceUsdPerSlotHour: 0.3 }), onePool('od', 2, { priceUsdPerSlotHour: 1 })] };
  const simPools = [{ id: 'spot', interruptionPerHour: 3, slotDownS: 400 }, { id: 'spot2', interruptionPerHour: 2, slotDownS: 200 }, { id: 'od' }];
  const rules = [{ kind: 'cost-model' }, { kind: 'retry-in-place' }, { kind: 'failover', order: ['spot', 'spot2', 'od'] }] as const;
  for (const seed of [1, 2]) {
    for (const recovery of rules) {
      for (const k of [0, 2, 3]) {
        const label = `seed ${seed}, ${recovery.kind}, k=${k}`;
        const { run, attempts } = await observe(task, pools, { seed, pools: simPools }, { recovery, ...(k > 0 ? { replicas: { k, pools: () => [0, 1, 2] } } : {}) });
        try {
          assert.is(run.report.status, 'succeeded', `${label}: ${JSON.stringify(run.report.notCommitted)}`);
          const commits = run.journal.commits('r1');
          assert.is(new Set(commits.map((c) => c.subtaskId)).size, commits.length, `${label}: committed once`);
          assert.is(commits.length, run.report.subtasks);
          const committed = new Map(commits.map((c) => [c.subtaskId, c.attempt]));
          for (const u of run.report.usage!) {
            const on = attempts.filter((a) => a.pool === u.pool);
            near(u.busySlotS, on.reduce((sum, a) => sum + (a.finishedS - a.startedS), 0), `${label}: ${u.pool} busy`);
            near(u.wastedSlotS, on.filter((a) => committed.get(a.subtask) !== a.attempt).reduce((sum, a) => sum + (a.finishedS - a.startedS), 0), `${label}: ${u.pool} wasted`);
          }
          if (recovery.kind !== 'cost-model' || k > 0) assert.is(run.report.replans, 0, label);
          if (recovery.kind === 'retry-in-place' && k === 0) assert.is(run.report.moves, 0, label);
        } finally {
          run.cleanup();
        }
      }
    }
  }
});

test.run();
