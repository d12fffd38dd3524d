import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkPlanValidity } from '../../src/plan/check.js';
import { createPlanner, planConstructive } from '../../src/plan/planner.js';
import { PLANNER_IDS } from '../../src/planners/planner.js';
import { problemOf, readJson } from '../helpers/problems.js';

const test = suite('engine: createPlanner() anytime planning');
const example = () => problemOf(readJson('examples/log-analytics.json'), readJson('examples/pools/hetero.json'));

test('same seed and batch count: the same plan; the plan is valid and never worse than the constructive one', async () => {
  const planner = await createPlanner({ scorer: 'reference', solver: 'none', workers: 1, batchSize: 8 });
  try {
    const problem = example();
    const request = { timeBudgetMs: 60_000, maxBatches: 6, seed: 7 };
    const a = await planner.plan(problem, request);
    const b = await planner.plan(problem, request);
    assert.equal(Array.from(a.scored.allocation), Array.from(b.scored.allocation));
    assert.equal(Array.from(a.scored.order), Array.from(b.scored.order));
    assert.is(a.plan.summary.objective, b.plan.summary.objective);
    assert.match(a.notes.join('\n'), 'search: 6 batches');
    assert.equal(checkPlanValidity(problem, a.scored), []);
    assert.ok(a.plan.summary.objective <= planConstructive(problem).plan.summary.objective + 1e-12);
  } finally {
    await planner.close();
  }
});

test('one entry point: createPlanner().plan() with no budget is the constructive plan, for every planner, and loads nothing', async () => {
  const planner = await createPlanner({ warmUp: false, workers: 1 });
  try {
    const problem = example();
    for (const id of PLANNER_IDS) {
      const session = await planner.plan(problem, { planner: id });
      const once = planConstructive(problem, { planner: id });
      assert.equal(Array.from(session.scored.allocation), Array.from(once.scored.allocation), id);
      assert.equal(Array.from(session.scored.order), Array.from(once.scored.order), id);
      assert.is(session.plan.summary.objective, once.plan.summary.objective, id);
      assert.is(session.tried.length, once.tried.length, id);
      assert.is(session.plan.summary.planner, id);
    }
  } finally {
    await planner.close();
  }
});

test('constructiveVariants: 1 scores the first variant only, and is never better than the whole portfolio', async () => {
  const planner = await createPlanner({ warmUp: false, workers: 1 });
  try {
    const problem = example();
    const first = await planner.plan(problem, { constructiveVariants: 1 });
    const all = await planner.plan(problem);
    assert.is(first.tried.length, 1);
    assert.ok(all.tried.length > 1);
    assert.is(first.scored.variant, all.tried[0]!.variant);
    assert.ok(all.scored.terms.objective <= first.scored.terms.objective);
  } finally {
    await planner.close();
  }
});

test('every plan reports a bound no larger than its objective, and the gap', async () => {
  const planner = await createPlanner({ scorer: 'reference', solver: 'none', workers: 1 });
  try {
    const outcome = await planner.plan(example(), { timeBudgetMs: 50 });
    assert.ok(outcome.bound.objective <= outcome.plan.summary.objective);
    assert.ok(Math.abs(outcome.gap - (outcome.plan.summary.objective / outcome.bound.objective - 1)) < 1e-12);
    assert.is(outcome.plan.bounds.gap, outcome.gap);
  } finally {
    await planner.close();
  }
});

test('with HiGHS: the LP bound is at least the quick bound and at most the plan', async () => {
  const planner = await createPlanner({ scorer: 'reference', solver: 'highs', workers: 1 });
  try {
    const problem = example();
    const quick = planConstructive(problem).plan.bounds;
    const outcome = await planner.plan(problem, { timeBudgetMs: 3000, maxBatches: 2 });
    assert.match(outcome.plan.bounds.source, 'LP');
    assert.ok(outcome.bound.objective >= quick.objectiveLowerBound, `${outcome.bound.objective} < quick ${quick.objectiveLowerBound}`);
    assert.ok(outcome.bound.makespanS >= quick.makespanLowerBoundS);
    assert.ok(outcome.bound.objective <= outcome.plan.summary.objective + 1e-9);
    assert.ok(outcome.bound.makespanS <= outcome.plan.summary.makespanS + 1e-9);
    assert.ok(outcome.tried.some((c) => c.variant.startsWith('ILP skeleton')), 'the ILP skeleton became a candidate');
  } finally {
    await planner.close();
  }
});

test('with the WASM kernel scoring the search: a valid plan, never worse than the constructive one', async () => {
  const planner = await createPlanner({ scorer: 'kernel', solver: 'none', workers: 2 });
  try {
    const problem = example();
    const outcome = await planner.plan(problem, { timeBudgetMs: 60_000, maxBatches: 20, seed: 3 });
    assert.equal(checkPlanValidity(problem, outcome.scored), []);
    assert.match(outcome.notes.join('\n'), 'search: 20 batches');
    assert.ok(outcome.plan.summary.objective <= planConstructive(problem).plan.summary.objective + 1e-12);
  } finally {
    await planner.close();
  }
});

test('an aborted signal still returns a valid plan (the best found so far)', async () => {
  const planner = await createPlanner({ scorer: 'reference', solver: 'none', workers: 1 });
  try {
    const problem = example();
    const controller = new AbortController();
    controller.abort();
    const outcome = await planner.plan(problem, { timeBudgetMs: 60_000, signal: controller.signal });
    assert.is(outcome.plan.subtasks.length, outcome.scored.graph.nodeCount);
    assert.equal(checkPlanValidity(problem, outcome.scored), []);
    assert.ok(outcome.tried.length >= 1);
  } finally {
    await planner.close();
  }
});

test('progress events arrive during the search', async () => {
  const planner = await createPlanner({ scorer: 'reference', solver: 'none', workers: 1, batchSize: 4 });
  const phases = new Set<string>();
  try {
    await planner.plan(example(), { timeBudgetMs: 60_000, maxBatches: 3, onProgress: (p) => phases.add(p.phase) });
  } finally {
    await planner.close();
  }
  assert.ok(phases.has('search'), [...phases].join(', '));
});

test('a closed planner refuses to plan; options are checked', async () => {
  const planner = await createPlanner({ scorer: 'reference', solver: 'none' });
  await planner.close();
  await planner.close();
  try {
    await planner.plan(example());
    assert.unreachable('planned after close');
  } catch (error) {
    assert.match((error as Error).message, 'closed');
  }
  try {
    await createPlanner({ workers: 0 });
    assert.unreachable('accepted 0 workers');
  } catch (error) {
    assert.match((error as Error).message, 'options.workers');
  }
});

test.run();
