/**
 * Each policy on small cases whose outcome is known by hand, run through the dispatcher on the
 * sim backend (run-case.ts).
 */
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateResourceMap } from '../../src/model/validate-pools.js';
import { validateTaskDefinition } from '../../src/model/validate-task.js';
import { apportion, apportionStatic, onDemandOnly, policyById, spotOnly } from '../../src/evaluate/policies.js';
import type { Policy } from '../../src/evaluate/policy.js';
import { runCase } from '../../src/evaluate/run-case.js';
import { traceBefore } from '../../src/evaluate/traces.js';
import type { AvailabilityTrace } from '../../src/evaluate/types.js';
import { flatTrace, independent, poolsOf } from './helpers.js';

const cloud = poolsOf([
  { id: 'ondemand', slots: 4, price: 0.1 },
  { id: 'spot', slots: 4, price: 0.03, hazard: 0.5 },
]);
const caseOf = (policy: string, trace = 'flat', offsetS = 0) => ({ policy, workload: 'w', trace, offsetS, seed: 1 });

test('spot-only on a failure-free trace: the spot price × the work, nothing wasted', async () => {
  const definition = independent(4, 600);
  const r = await runCase({ policy: spotOnly, case: caseOf('spot-only'), definition, resources: cloud, trace: flatTrace(cloud) });
  assert.is(r.status, 'succeeded', r.error);
  assert.ok(Math.abs(r.costUsd - (4 * 600 * 0.03) / 3600) < 1e-9, `${r.costUsd}`);
  assert.ok(Math.abs(r.slotHours - (4 * 600) / 3600) < 1e-9);
  assert.is(r.wastedSlotHours, 0);
  assert.is(r.makespanS, 600); // 4 slots, 4 tasks of 600 s
  assert.is(r.attempts, 4);
  assert.is(r.deadlineMet, null);
});

test('on-demand-only: the on-demand price × the work, whatever the spot pool does', async () => {
  const definition = independent(4, 600);
  const trace = flatTrace(cloud, 'spot-down', { spot: [{ timeS: 0, available: 0 }] });
  const r = await runCase({ policy: onDemandOnly, case: caseOf('on-demand-only', 'spot-down'), definition, resources: cloud, trace });
  assert.is(r.status, 'succeeded', r.error);
  assert.ok(Math.abs(r.costUsd - (4 * 600 * 0.1) / 3600) < 1e-9, `${r.costUsd}`);
});

test('spot-only when the spot pool drops to 0 for an hour: the interrupted work is paid twice and counted as waste', async () => {
  const definition = independent(4, 600, 7200);
  // All 4 run from 0; at 300 s the pool is gone until 3900 s, then they run again (600 s each).
  const trace = flatTrace(cloud, 'drop', { spot: [{ timeS: 0, available: 4 }, { timeS: 300, available: 0 }, { timeS: 3900, available: 4 }] });
  const r = await runCase({ policy: spotOnly, case: caseOf('spot-only', 'drop'), definition, resources: cloud, trace });
  assert.is(r.status, 'succeeded', r.error);
  assert.ok(Math.abs(r.wastedSlotHours - (4 * 300) / 3600) < 1e-9, `${r.wastedSlotHours}`);
  assert.ok(Math.abs(r.slotHours - (4 * 900) / 3600) < 1e-9, `${r.slotHours}`);
  assert.ok(Math.abs(r.makespanS - 4500) < 1e-6, `${r.makespanS}`);
  assert.is(r.deadlineMet, true);
  assert.is(r.attempts, 8);
});

test("apportion-static on a failure-free trace of its declared capacity costs exactly its plan's cost (compute + egress)", async () => {
  const resources = validateResourceMap(JSON.parse(readFileSync(new URL('../../examples/pools/two-region.json', import.meta.url), 'utf8')));
  const definition = validateTaskDefinition(JSON.parse(readFileSync(new URL('../../examples/log-analytics.json', import.meta.url), 'utf8')));
  const prepared = await apportionStatic.prepare({ definition, resources, history: { fromS: 0, pools: new Map() }, startAtS: 0, seed: 1 });
  const r = await runCase({ policy: apportionStatic, case: caseOf('apportion-static'), definition, resources, trace: flatTrace(resources) });
  assert.is(r.status, 'succeeded', r.error);
  assert.ok(prepared.plan.terms.egressUsd > 0, 'the case moves data between regions');
  assert.ok(Math.abs(r.costUsd - prepared.plan.summary.costUsd) < 1e-6 * prepared.plan.summary.costUsd, `${r.costUsd} vs ${prepared.plan.summary.costUsd}`);
  assert.is(r.deadlineMet, true);
});

test('a policy that throws is a case with status error and its message, not a thrown evaluation', async () => {
  const broken: Policy = { id: 'broken', description: 'throws', prepare: () => { throw new Error('no plan today'); } };
  const r = await runCase({ policy: broken, case: caseOf('broken'), definition: independent(2, 60, 600), resources: cloud, trace: flatTrace(cloud) });
  assert.is(r.status, 'error');
  assert.is(r.error, 'no plan today');
  assert.is(r.deadlineMet, false);
  const none = await runCase({ policy: spotOnly, case: caseOf('spot-only'), definition: independent(2, 60), resources: poolsOf([{ id: 'a', slots: 1, price: 1 }]), trace: flatTrace(cloud) });
  assert.is(none.status, 'error');
  assert.match(none.error ?? '', /no interruptible pool/);
});

test('apportion sees only the trace before its start: the future does not change its plan', async () => {
  const definition = independent(6, 1200);
  const dayS = 86_400;
  const past = [{ timeS: 0, available: 4 }, { timeS: 3600, available: 1 }, { timeS: 5 * 3600, available: 4 }];
  const a: AvailabilityTrace = { id: 'a', pools: new Map([['spot', [...past, { timeS: 2 * dayS + 100, available: 0 }]]]), startS: 0, source: 'test' };
  const b: AvailabilityTrace = { id: 'b', pools: new Map([['spot', [...past, { timeS: 2 * dayS + 100, available: 4 }, { timeS: 3 * dayS, available: 2 }]]]), startS: 0, source: 'test' };
  const ctx = (trace: AvailabilityTrace) => ({ definition, resources: cloud, history: traceBefore(trace, 2 * dayS), startAtS: 2 * dayS, seed: 1 });
  const pa = await apportion.prepare(ctx(a));
  const pb = await apportion.prepare(ctx(b));
  assert.equal(pa.plan.subtasks, pb.plan.subtasks);
  assert.ok(pa.forecast !== undefined, 'planned on a forecast');
});

test('apportion plans on the forecast: a spot pool that has been gone for days gets no work, which apportion-static still gives it', async () => {
  const definition = independent(8, 1800);
  const trace: AvailabilityTrace = { id: 'gone', pools: new Map([['spot', [{ timeS: 0, available: 0 }]], ['ondemand', [{ timeS: 0, available: 4 }]]]), startS: 0, source: 'test' };
  const ctx = { definition, resources: cloud, history: traceBefore(trace, 3 * 86_400), startAtS: 3 * 86_400, seed: 1 };
  const forecast = await apportion.prepare(ctx);
  const declared = await apportionStatic.prepare(ctx);
  assert.ok(declared.plan.subtasks.some((s) => s.pool === 'spot'), 'on declared capacity the cheap pool is used');
  assert.ok(forecast.plan.subtasks.every((s) => s.pool === 'ondemand'), JSON.stringify(forecast.plan.subtasks.map((s) => s.pool)));
  const r = await runCase({ policy: apportion, case: caseOf('apportion', 'gone', 3 * 86_400), definition, resources: cloud, trace });
  assert.is(r.status, 'succeeded', r.error);
  assert.is(r.wastedSlotHours, 0);
});

test('policyById: an unknown id is an InputError at its path, with the nearest id', () => {
  try {
    policyById('replica-2', ['policies', 3]);
    assert.unreachable('should throw');
  } catch (error) {
    const issue = (error as { issues: { path: unknown[]; message: string }[] }).issues[0]!;
    assert.equal(issue.path, ['policies', 3]);
    assert.match(issue.message, /did you mean "replicas-2"/);
  }
});

test.run();
