import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bootstrapGeoMeanCi, evaluate, geometricMean, summarise } from '../../src/evaluate/evaluate.js';
import { InputError } from '../../src/model/issues.js';
import type { Policy } from '../../src/evaluate/policy.js';
import { spotOnly } from '../../src/evaluate/policies.js';
import { generateTrace } from '../../src/evaluate/traces.js';
import type { CaseResult } from '../../src/evaluate/types.js';
import { independent, poolsOf } from './helpers.js';

const resources = poolsOf([
  { id: 'ondemand', slots: 4, price: 0.1 },
  { id: 'spot', slots: 8, price: 0.03, hazard: 2 },
]);
const traces = [generateTrace(resources, { seed: 1, horizonS: 4 * 86_400, recoveryS: 3600 }), generateTrace(resources, { seed: 2, horizonS: 4 * 86_400, recoveryS: 3600 })];
const workloads = [{ id: 'eight', definition: independent(8, 1800, 4 * 3600) }];
const request = { policies: ['spot-only', 'apportion-static', 'on-demand-only'], workloads, resources, traces, offsetsS: [86_400, 2 * 86_400], seeds: 2, spreadSigma: 0.2 };

test('the cross product, sorted by case; the same request gives the same numbers on 1 thread and on 2 workers', async () => {
  const progress: number[] = [];
  const one = await evaluate({ ...request, parallel: 1, onProgress: (done, total) => progress.push(done / total) });
  const two = await evaluate({ ...request, parallel: 2 });
  assert.is(one.cases.length, 3 * 1 * 2 * 2 * 2);
  assert.equal(one, two);
  assert.equal(progress.at(-1), 1);
  assert.is(progress.length, one.cases.length);
  assert.equal(one.cases.slice(0, 3).map((c) => [c.policy, c.trace, c.offsetS, c.seed]), [['spot-only', traces[0]!.id, 86_400, 1], ['spot-only', traces[0]!.id, 86_400, 2], ['spot-only', traces[0]!.id, 2 * 86_400, 1]]);
  // The spot pool is interrupted (2 per slot-hour): spot-only wastes work, on-demand-only none and costs more.
  const by = new Map(one.policies.map((p) => [p.policy, p]));
  assert.ok(by.get('spot-only')!.wastedSlotHours > 0);
  assert.is(by.get('on-demand-only')!.wastedSlotHours, 0);
  assert.ok(by.get('on-demand-only')!.costUsd > by.get('spot-only')!.costUsd);
  // Seeds matter with a runtime spread.
  const c1 = one.cases.find((c) => c.policy === 'on-demand-only' && c.seed === 1)!;
  const c2 = one.cases.find((c) => c.policy === 'on-demand-only' && c.seed === 2 && c.trace === c1.trace && c.offsetS === c1.offsetS)!;
  assert.not.equal(c1.makespanS, c2.makespanS);
});

test('a Policy object runs beside the built-in ones (on the calling thread) and is summarised like them', async () => {
  const mine: Policy = { ...spotOnly, id: 'my-spot', description: 'spot-only under another name' };
  const result = await evaluate({ ...request, policies: ['spot-only', mine], parallel: 2, spreadSigma: 0 });
  const [builtIn, custom] = result.policies;
  assert.is(custom!.policy, 'my-spot');
  assert.is(custom!.costUsd, builtIn!.costUsd);
  assert.is(custom!.cases, builtIn!.cases);
});

test('bad input: an unknown policy id, a repeated one and a negative offset are InputErrors with their paths', async () => {
  try {
    await evaluate({ ...request, policies: ['spot-only', 'uniform-progres', 'spot-only'], offsetsS: [-1] });
    assert.unreachable('should throw');
  } catch (error) {
    assert.instance(error, InputError);
    const issues = (error as InputError).issues;
    assert.equal(issues.map((i) => i.path), [['policies', 1], ['policies', 2], ['offsetsS', 0]]);
    assert.match(issues[0]!.message, /did you mean "uniform-progress"/);
  }
});

test('summaries: geometric means (floored), deadline-met over the cases with a deadline, errors left out of the means', () => {
  assert.ok(Math.abs(geometricMean([1, 100], 1e-4) - 10) < 1e-12);
  assert.ok(Math.abs(geometricMean([0, 1], 0.01) - 0.1) < 1e-12, 'a zero counts as the floor');
  const row = (costUsd: number, met: boolean | null, status: CaseResult['status'] = 'succeeded'): CaseResult => ({ policy: 'p', workload: 'w', trace: 't', offsetS: 0, seed: 1, status, costUsd, makespanS: 100, deadlineS: met === null ? null : 200, deadlineMet: met, slotHours: 1, wastedSlotHours: 0.5, attempts: 1, replans: 0, moves: 0 });
  const s = summarise('p', [row(1, true), row(4, false), row(0, false, 'error'), row(16, null)], 7);
  assert.ok(Math.abs(s.costUsd - 4) < 1e-12, `${s.costUsd}`);
  assert.is(s.deadlineMet, 1 / 3);
  assert.is(s.cases, 4);
  assert.is(s.wastedSlotHours, 0.5);
  assert.ok(s.costUsdCi[0] <= s.costUsd && s.costUsd <= s.costUsdCi[1], `${s.costUsdCi}`);
  assert.equal(bootstrapGeoMeanCi([1, 4, 16], 1e-4, 7), bootstrapGeoMeanCi([1, 4, 16], 1e-4, 7));
  assert.ok(bootstrapGeoMeanCi([1, 4, 16], 1e-4, 7)[0] >= 1 && bootstrapGeoMeanCi([1, 4, 16], 1e-4, 7)[1] <= 16);
});

test.run();
