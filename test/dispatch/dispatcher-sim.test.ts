/**
 * The dispatcher's recovery on the sim backend's virtual clock: interruptions re-allocated by
 * the cost model, a pool that loses its slots for a while, retries with backoff in virtual
 * time. No real waiting.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimBackend } from '../../src/dispatch/sim/sim-backend.js';
import { onePool, runOn } from './helpers.js';

const chunks = (items: number) => ({ name: 'sim-run', stages: [{ id: 'work', items, minChunk: 1, maxChunk: 1, runtimePerItemS: 100 }, { id: 'end', after: ['work'], runtimeS: 10 }] });

test('a pool whose slots drop to 0 and come back later: the queued work waits for them instead of being given up', async () => {
  // One pool only: when it has no slots, nothing can run until they return at 1000 s.
  const backend = createSimBackend({ durations: 'replay', availability: new Map([['p', [{ timeS: 150, available: 0 }, { timeS: 1000, available: 2 }]]]) });
  const run = await runOn(backend, chunks(6), { pools: [onePool('p', 2)] }, { settings: { replay: { timeScale: 1 } } });
  try {
    assert.is(run.report.status, 'succeeded', JSON.stringify(run.report.notCommitted));
    assert.is(run.report.committed, run.plan.subtasks.length);
    // Nothing committed between the drop and the return, and the run ended after the return.
    const commits = run.journal.commits('r1');
    assert.ok(commits.every((c) => c.finishedS <= 150 + 1e-9 || c.startedS >= 1000 - 1e-9), JSON.stringify(commits.map((c) => [c.startedS, c.finishedS])));
    assert.ok(run.report.makespanS > 1000);
    assert.ok(run.journal.decisions('r1').some((d) => d.kind === 'wait'), 'the wait is explained');
  } finally {
    run.cleanup();
  }
});

test('capacity that never returns: the work is given up with the reason, and the run ends (no hang)', async () => {
  const backend = createSimBackend({ durations: 'replay', availability: new Map([['p', [{ timeS: 150, available: 0 }]]]) });
  const run = await runOn(backend, chunks(6), { pools: [onePool('p', 2)] }, { settings: { replay: { timeScale: 1 } } });
  try {
    assert.is(run.report.status, 'failed');
    assert.ok(run.report.committed >= 2 && run.report.committed < run.plan.subtasks.length);
    const givenUp = run.report.notCommitted.filter((n) => n.state === 'given-up');
    assert.ok(givenUp.length > 0 && givenUp.every((n) => /no pool/.test(n.reason ?? '')), JSON.stringify(givenUp));
  } finally {
    run.cleanup();
  }
});

test('an interrupted attempt goes to the pool ranked best now: off a pool that is being lost, onto one with slots', async () => {
  // Pool "cheap" is preferred by price but loses every slot at 50 s for good: its running attempts are interrupted.
  const backend = createSimBackend({ durations: 'replay', availability: new Map([['cheap', [{ timeS: 50, available: 0 }]]]) });
  const pools = { pools: [onePool('cheap', 4), onePool('dear', 4, { priceUsdPerSlotHour: 1 })] };
  const run = await runOn(backend, chunks(8), pools, { settings: { replay: { timeScale: 1 } } });
  try {
    assert.is(run.report.status, 'succeeded', JSON.stringify(run.report.notCommitted));
    const attempts = run.journal.attempts('r1');
    const interrupted = attempts.filter((a) => a.outcome === 'interrupted');
    assert.ok(interrupted.length > 0 && interrupted.every((a) => a.poolId === 'cheap'));
    for (const a of interrupted) {
      const next = attempts.find((b) => (b.subtaskId ?? b.stageId) === (a.subtaskId ?? a.stageId) && b.attempt === a.attempt + 1);
      assert.is(next?.poolId, 'dear', `${a.subtaskId} re-ran on dear`);
    }
    assert.ok(run.journal.decisions('r1').some((d) => d.kind === 'move' && d.poolId === 'dear' && /ranked best now/.test(d.reason)));
  } finally {
    run.cleanup();
  }
});

test.run();
