import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { costLowerBoundUsd, makespanLowerBoundS } from '../../src/cost/bounds.js';
import { planConstructive } from '../../src/plan/planner.js';
import { PLANNER_IDS } from '../../src/planners/planner.js';
import { costLowerBoundAt, lpBound } from '../../src/solve/bound.js';
import { createSolver } from '../../src/solve/create.js';
import type { Solver } from '../../src/solve/solver.js';
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
