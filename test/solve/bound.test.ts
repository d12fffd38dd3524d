import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { costLowerBoundUsd, makespanLowerBoundS } from '../../src/cost/bounds.js';
import { planConstructive } from '../../src/plan/planner.js';
import { PLANNER_IDS } from '../../src/planners/planner.js';
import { costLowerBoundAt, lpBound } from '../../src/solve/bound.js';
import { createSolver } from '../../src/solve/create.js';
import type { Solver } from '../../src/solve/solver.js';
import type { Availability } from '../../src/model/availability.js';
import { propertySeed, randomCase } from '../helpers/arbitraries.js';
import { heftClassicProblem, problemOf, readJson } from '../helpers/problems.js';

const test = suite('certified lower bound (LP over stage × pool work)');
const highs = createSolver('highs');

function logAnalytics(objective: 'weighted' | 'makespan' | 'cost') {
  return problemOf(readJson('examples/log-analytics.json'), readJson('examples/pools/hetero.json'), { objective });
}

test('property: the bound is ≤ every planner’s plan and ≥ the quick critical path', async () => {
  const seed = propertySeed('LP bound validity');
  const runs = Number(process.env.APPORTION_RUNS ?? 60);
  let checked = 0;
  await fc.assert(
    fc.asyncProperty(randomCase, async (c) => {
      const problem = problemOf(c.task, c.pools, { objective: c.objective });
      const bound = await lpBound(problem, highs, { timeLimitMs: 10_000 });
      if (bound.state !== 'lp') throw new Error(`LP failed: ${bound.notes.join('; ')}`);
      const quick = makespanLowerBoundS(problem);
      if (bound.makespanS < quick * (1 - 1e-12)) throw new Error(`makespan bound ${bound.makespanS} < critical path ${quick}`);
      for (const planner of PLANNER_IDS) {
        const { summary } = planConstructive(problem, { planner }).plan;
        if (bound.makespanS > summary.makespanS * (1 + 1e-9) + 1e-9) throw new Error(`${planner}: makespan ${summary.makespanS} < bound ${bound.makespanS}`);
        if (bound.objective > summary.objective * (1 + 1e-9) + 1e-9) throw new Error(`${planner}: ${c.objective} objective ${summary.objective} < bound ${bound.objective}`);
      }
      checked++;
    }),
    { seed, numRuns: runs },
  );
  assert.is(checked, runs);
});

/** Per pool, up to four segments: when each starts (gaps), its slots, hazard and price. */
const segmentArbitrary = fc.record({
  gapS: fc.double({ min: 1, max: 4000, noNaN: true }),
  slots: fc.integer({ min: 0, max: 8 }),
  interruptionPerHour: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 2, noNaN: true })),
  priceUsdPerSlotHour: fc.double({ min: 0, max: 0.4, noNaN: true }),
});
const scheduleArbitrary = fc.array(fc.array(segmentArbitrary, { minLength: 1, maxLength: 4 }), { minLength: 4, maxLength: 4 });

/** A time-varying availability for the case's pools; the last segment (which never ends) keeps ≥ 1 slot. */
function availabilityOf(poolCount: number, schedules: ReadonlyArray<ReadonlyArray<{ gapS: number; slots: number; interruptionPerHour: number; priceUsdPerSlotHour: number }>>): Availability {
  return {
    source: 'random-property',
    pools: schedules.slice(0, poolCount).map((segments) => {
      let at = 0;
      const atS = segments.map((s, i) => (i === 0 ? 0 : (at += s.gapS)));
      return {
        atS,
        slots: segments.map((s, i) => (i === segments.length - 1 ? Math.max(1, s.slots) : s.slots)),
        hazardPerS: segments.map((s) => s.interruptionPerHour / 3600),
        priceUsdPerSlotS: segments.map((s) => s.priceUsdPerSlotHour / 3600),
      };
    }),
  };
}

test('property: under time-varying capacity, hazard and price, the bound is ≤ every planner’s plan', async () => {
  const seed = propertySeed('LP bound validity, time-varying availability');
  const runs = Number(process.env.APPORTION_RUNS ?? 60);
  let checked = 0;
  await fc.assert(
    fc.asyncProperty(randomCase, scheduleArbitrary, async (c, schedules) => {
      const base = problemOf(c.task, c.pools, { objective: c.objective });
      const availability = availabilityOf(base.pools.count, schedules);
      const problem = problemOf(c.task, c.pools, { objective: c.objective, availability });
      const bound = await lpBound(problem, highs, { timeLimitMs: 10_000 });
      if (bound.state !== 'lp') throw new Error(`LP failed: ${bound.notes.join('; ')}`);
      const quickCost = costLowerBoundUsd(problem);
      for (const planner of PLANNER_IDS) {
        const { summary } = planConstructive(problem, { planner }).plan;
        if (bound.makespanS > summary.makespanS * (1 + 1e-9) + 1e-9) throw new Error(`${planner}: makespan ${summary.makespanS} < bound ${bound.makespanS}`);
        if (bound.objective > summary.objective * (1 + 1e-9) + 1e-9) throw new Error(`${planner}: ${c.objective} objective ${summary.objective} < bound ${bound.objective}`);
        if (quickCost > summary.costUsd * (1 + 1e-9) + 1e-12) throw new Error(`${planner}: compute cost ${summary.costUsd} < quick cost bound ${quickCost}`);
      }
      checked++;
    }),
    { seed, numRuns: runs },
  );
  assert.is(checked, runs);
});

test('a hazard that drops after the first segment: the bound uses the least hazard, ≤ the plan', async () => {
  const task = { name: 't', stages: [{ id: 'a', op: 'x', runtimeS: 3600 }], data: [] };
  const pools = { pools: [{ id: 'p', region: 'A', slots: 1, priceUsdPerSlotHour: 1, interruptionPerHour: 0 }] };
  // 5 interruptions per hour for the first 10 s, none after: at the first segment's rate the
  // rework factor of a 1 h task would be (e^5 − 1)/5 ≈ 30.
  const availability: Availability = { source: 'test', pools: [{ atS: [0, 10], slots: [1, 1], hazardPerS: [5 / 3600, 0], priceUsdPerSlotS: [1 / 3600, 1 / 3600] }] };
  const problem = problemOf(task, pools, { objective: 'makespan', availability });
  const bound = await lpBound(problem, highs, { timeLimitMs: 5000 });
  const plan = planConstructive(problem).plan.summary;
  assert.ok(bound.makespanS <= plan.makespanS, `bound ${bound.makespanS} vs plan ${plan.makespanS}`);
  assert.ok(bound.makespanS >= 3600 * (1 - 1e-9), `bound ${bound.makespanS}`);
});

test('HEFT classic instance (Topcuoglu et al. 2002): bound ≤ 80, the HEFT makespan', async () => {
  const problem = heftClassicProblem();
  const bound = await lpBound(problem, highs, { timeLimitMs: 5000 });
  assert.is(bound.state, 'lp');
  assert.ok(bound.makespanS <= 80, `bound ${bound.makespanS}`);
  assert.ok(bound.makespanS >= makespanLowerBoundS(problem));
  assert.is(bound.objective, bound.makespanS, 'makespan objective');
});

test('weighted and cost objectives: bound ≤ plan, ≥ the cheapest-pool cost bound', async () => {
  for (const kind of ['weighted', 'cost'] as const) {
    const problem = logAnalytics(kind);
    const bound = await lpBound(problem, highs, { timeLimitMs: 5000 });
    const plan = planConstructive(problem).plan.summary;
    assert.ok(bound.objective <= plan.objective, `${kind}: ${bound.objective} vs plan ${plan.objective}`);
    assert.ok(bound.objective >= costLowerBoundUsd(problem) * (1 - 1e-9) - 1e-12, `${kind}: below the quick cost bound`);
  }
});

test('both backends give the same bound', async () => {
  const problem = logAnalytics('weighted');
  const [h, j] = await Promise.all([lpBound(problem, highs, { timeLimitMs: 5000 }), lpBound(problem, createSolver('jslp'), { timeLimitMs: 5000 })]);
  assert.is(h.state, 'lp');
  assert.is(j.state, 'lp');
  assert.ok(Math.abs(h.objective - j.objective) <= 1e-4 * h.objective, `${h.objective} vs ${j.objective}`);
  assert.ok(Math.abs(h.makespanS - j.makespanS) <= 1e-4 * h.makespanS);
});

test('cost at a given makespan: Infinity below the makespan bound, non-increasing in the makespan', async () => {
  const problem = logAnalytics('weighted');
  const bound = await lpBound(problem, highs, { timeLimitMs: 5000 });
  const below = await costLowerBoundAt(problem, highs, bound.makespanS * 0.9, { timeLimitMs: 2000, makespanS: bound.makespanS });
  assert.is(below.usd, Number.POSITIVE_INFINITY);
  let last = Number.POSITIVE_INFINITY;
  for (const factor of [1.05, 1.5, 3, 20]) {
    const at = await costLowerBoundAt(problem, highs, bound.makespanS * factor, { timeLimitMs: 2000 });
    assert.ok(at.usd <= last + 1e-12, `cost bound rose at ${factor}×`);
    last = at.usd;
  }
  const plan = planConstructive(problem).plan.summary;
  const atPlan = await lpBound(problem, highs, { timeLimitMs: 5000, atMakespanS: plan.makespanS });
  assert.ok(atPlan.costAtMakespanUsd! <= plan.costUsd, `${atPlan.costAtMakespanUsd} vs plan cost ${plan.costUsd}`);
});

test('a failing solver falls back to the quick bounds and says so', async () => {
  const broken: Solver = { id: 'highs', close() {}, solve: async () => ({ state: 'error', backend: 'highs', timeMs: 0, message: 'boom' }) };
  const problem = logAnalytics('weighted');
  const bound = await lpBound(problem, broken, { timeLimitMs: 1000 });
  assert.is(bound.state, 'quick');
  assert.ok(bound.makespanS >= makespanLowerBoundS(problem));
  assert.ok(bound.notes.some((n) => n.includes('fell back') && n.includes('boom')), bound.notes.join('; '));
  assert.ok(bound.objective <= planConstructive(problem).plan.summary.objective);
});

test.run();
