/**
 * The policies that need the dispatcher's reaction hooks (recovery, replicas, choosePool:
 * src/dispatch/recovery.ts), on cases known by hand.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { policyById } from '../../src/evaluate/policies.js';
import { runCase } from '../../src/evaluate/run-case.js';
import { flatTrace, independent, poolsOf } from './helpers.js';

const run = test;

// HEFT puts every task on the fast spot pool (it finishes first); the on-demand pool is the other class.
const map = poolsOf([
  { id: 'spot', slots: 4, price: 0.02, hazard: 0.5, speed: 2 },
  { id: 'ondemand', slots: 4, price: 0.1 },
  { id: 'spot2', slots: 4, price: 0.03, hazard: 0.5 },
]);
const caseOf = (policy: string, trace: string) => ({ policy, workload: 'w', trace, offsetS: 0, seed: 1 });

run('replicas-k on a failure-free trace: k× the slots held, the losers counted as waste; the makespan of the fastest', async () => {
  const definition = independent(4, 1200);
  const trace = flatTrace(map);
  const single = await runCase({ policy: policyById('retry-in-place'), case: caseOf('retry-in-place', 'flat'), definition, resources: map, trace });
  for (const k of [2, 3]) {
    const r = await runCase({ policy: policyById(`replicas-${k}`), case: caseOf(`replicas-${k}`, 'flat'), definition, resources: map, trace });
    assert.is(r.status, 'succeeded', r.error);
    assert.is(r.makespanS, single.makespanS, 'the spot replica finishes first, as the single run does');
    // The other replicas are cancelled when the first commits: each held its slot as long as the winner (600 s).
    assert.ok(Math.abs(r.slotHours - k * single.slotHours) < 1e-9, `k=${k}: ${r.slotHours} vs ${single.slotHours}`);
    assert.ok(Math.abs(r.wastedSlotHours - (k - 1) * single.slotHours) < 1e-9);
    assert.ok(r.costUsd > single.costUsd);
  }
});

run('failover moves exactly on the interruption, to the next pool of its order; retry-in-place waits for its own pool', async () => {
  const definition = independent(1, 1200);
  // spot (speed 2: 600 s) is lost at 300 s and back at 5000 s.
  const trace = flatTrace(map, 'drop', { spot: [{ timeS: 0, available: 4 }, { timeS: 300, available: 0 }, { timeS: 5000, available: 4 }] });
  const moved = await runCase({ policy: policyById('failover'), case: caseOf('failover', 'drop'), definition, resources: map, trace });
  assert.is(moved.status, 'succeeded', moved.error);
  assert.is(moved.moves, 1);
  assert.is(moved.attempts, 2);
  // Order by price within region A: spot (0.02), spot2 (0.03), ondemand: the next is spot2, 1200 s at speed 1.
  assert.ok(Math.abs(moved.makespanS - (300 + 1200)) < 1e-6, `${moved.makespanS}`);
  assert.ok(Math.abs(moved.costUsd - (300 * 0.02 + 1200 * 0.03) / 3600) < 1e-9, `${moved.costUsd}`);
  const stayed = await runCase({ policy: policyById('retry-in-place'), case: caseOf('retry-in-place', 'drop'), definition, resources: map, trace });
  assert.is(stayed.status, 'succeeded', stayed.error);
  assert.is(stayed.moves, 0);
  assert.ok(Math.abs(stayed.makespanS - (5000 + 600)) < 1e-6, `${stayed.makespanS}`);
});

run('uniform-progress: on spot while ahead of the line; on-demand once the rest would not fit before the deadline', async () => {
  const trace = flatTrace(map);
  const relaxed = await runCase({ policy: policyById('uniform-progress'), case: caseOf('uniform-progress', 'flat'), definition: independent(4, 1200, 24 * 3600), resources: map, trace });
  assert.is(relaxed.status, 'succeeded', relaxed.error);
  // Every task on spot at 0.02: 4 × 600 s.
  assert.ok(Math.abs(relaxed.costUsd - (4 * 600 * 0.02) / 3600) < 1e-9, `${relaxed.costUsd}`);
  // A deadline of 1000 s: 4 × 1200 s of work on on-demand's 4 slots at speed 1 already takes 1200 s ≥ 1000 s, so the net sends all there.
  const tight = await runCase({ policy: policyById('uniform-progress'), case: caseOf('uniform-progress', 'flat'), definition: independent(4, 1200, 1000), resources: map, trace });
  assert.ok(Math.abs(tight.costUsd - (4 * 1200 * 0.1) / 3600) < 1e-9, `${tight.costUsd}`);
});

test.run();
