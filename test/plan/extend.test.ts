import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { PartialSchedule } from '../../src/cost/simulate.js';
import { checkPlanValidity } from '../../src/plan/check.js';
import { planConstructive } from '../../src/plan/planner.js';
import { PLANNER_IDS } from '../../src/planners/planner.js';
import { extendPlan, partialSchedule, type RunState, type SubtaskAttempt } from '../../src/plan/extend.js';
import { createPlanner } from '../../src/plan/planner.js';
import { InputError } from '../../src/model/issues.js';
import { problemOf, readJson } from '../helpers/problems.js';

const test = suite('extending a partial schedule (re-planning)');

test('every planner keeps what already ran and places the rest after now', () => {
  const problem = problemOf(readJson('examples/log-analytics.json'), readJson('examples/pools/hetero.json'));
  const first = planConstructive(problem, { planner: 'heft' }).scored;
  const nowS = first.terms.makespanS / 3;
  const fixed: PartialSchedule['fixed'] = new Map(
    Array.from(first.graph.order)
      .filter((s) => first.schedule.startS[s]! < nowS)
      .map((s) => [s, { pool: first.schedule.pool[s]!, slot: first.schedule.slot[s]!, startS: first.schedule.startS[s]!, finishS: first.schedule.finishS[s]! }]),
  );
  assert.ok(fixed.size > 0 && fixed.size < first.graph.nodeCount, 'some but not all sub-tasks are fixed');
  for (const planner of PLANNER_IDS) {
    const { scored } = planConstructive(problem, { planner, extend: { graph: first.graph, partial: { nowS, fixed } } });
    assert.is(scored.graph, first.graph, `${planner} keeps the partition`);
    for (const [s, placed] of fixed) {
      assert.is(scored.schedule.pool[s], placed.pool);
      assert.is(scored.schedule.startS[s], placed.startS);
    }
    for (let s = 0; s < scored.graph.nodeCount; s++) {
      if (!fixed.has(s)) assert.ok(scored.schedule.startS[s]! >= nowS, `${planner}: sub-task ${s} starts at ${scored.schedule.startS[s]} before now ${nowS}`);
    }
    assert.equal(checkPlanValidity(problem, scored), [], planner);
  }
});

/** The run state part way through `first`: finished sub-tasks committed, started ones running but for two that failed. */
function stateAfterTwoFailures(problem: ReturnType<typeof problemOf>) {
  const first = planConstructive(problem);
  // Now: just after 40 % of the sub-tasks have finished.
  const finishes = first.plan.subtasks.map((sub) => sub.finishS).sort((a, b) => a - b);
  const nowS = finishes[Math.floor(finishes.length * 0.4)]! + 1e-6;
  const attempt = (i: number): SubtaskAttempt => {
    const sub = first.plan.subtasks[i]!;
    return { id: sub.id, pool: sub.pool, slot: sub.slot, startS: sub.startS, finishS: sub.finishS };
  };
  const finished = first.plan.subtasks.map((_, i) => i).filter((i) => first.plan.subtasks[i]!.finishS <= nowS);
  const running = first.plan.subtasks.map((_, i) => i).filter((i) => first.plan.subtasks[i]!.startS < nowS && first.plan.subtasks[i]!.finishS > nowS);
  // Two attempts that were running fail now (their dependants cannot have started).
  assert.ok(finished.length > 0 && running.length > 2, `finished ${finished.length}, running ${running.length}`);
  const failed = new Set([first.plan.subtasks[running[0]!]!.id, first.plan.subtasks[running[running.length - 1]!]!.id]);
  const state: RunState = { nowS, committed: finished.map(attempt), running: running.map(attempt).filter((a) => !failed.has(a.id)) };
  return { first, nowS, failed, state };
}

test('extendPlan after two sub-tasks failed: the full engine (bound and search) re-places them and the rest from now on', async () => {
  const problem = problemOf(readJson('examples/log-analytics.json'), readJson('examples/pools/hetero.json'));
  const { first, nowS, failed, state } = stateAfterTwoFailures(problem);
  const planner = await createPlanner({ workers: 1, batchSize: 8 });
  try {
    const next = await extendPlan(planner, problem, first.scored, state, { timeBudgetMs: 60_000, maxBatches: 4, seed: 3 });
    assert.is(next.scored.graph, first.scored.graph, 'the partition is kept');
    assert.match(next.notes.join('\n'), new RegExp(`search: 4 batches, .* \\(${state.committed.length + state.running.length} sub-tasks fixed\\)`));
    assert.ok(next.bound.objective <= next.scored.terms.objective + 1e-9, 'the bound stays below the extended plan');
    const byId = new Map(next.plan.subtasks.map((sub) => [sub.id, sub]));
    for (const kept of [...state.committed, ...state.running]) {
      const sub = byId.get(kept.id)!;
      assert.is(sub.pool, kept.pool);
      assert.is(sub.startS, kept.startS);
    }
    for (const id of failed) assert.ok(byId.get(id)!.startS >= nowS, `failed sub-task ${id} restarts at ${byId.get(id)!.startS}, before now ${nowS}`);
    const fixedIds = new Set([...state.committed, ...state.running].map((a) => a.id));
    for (const sub of next.plan.subtasks) if (!fixedIds.has(sub.id)) assert.ok(sub.startS >= nowS, `${sub.id} starts before now`);
    // Never worse than the constructive extension it started from.
    const constructive = planConstructive(problem, { extend: { graph: first.scored.graph, partial: partialSchedule(problem, first.scored, state) } });
    assert.ok(next.scored.terms.objective <= constructive.scored.terms.objective + 1e-9);
    assert.equal(checkPlanValidity(problem, next.scored), []);
  } finally {
    await planner.close();
  }
});

test('a run state naming an unknown sub-task or pool is bad input with its path', () => {
  const problem = problemOf(readJson('examples/log-analytics.json'), readJson('examples/pools/hetero.json'));
  const { first, state } = stateAfterTwoFailures(problem);
  const bad: RunState = { ...state, committed: [{ ...state.committed[0]!, id: 'pars#0' }, { ...state.committed[1]!, pool: 'spto' }] };
  try {
    partialSchedule(problem, first.scored, bad);
    assert.unreachable('accepted a bad run state');
  } catch (error) {
    assert.instance(error, InputError);
    const issues = (error as InputError).issues;
    assert.equal(issues.map((i) => i.path.join('.')), ['committed.0.id', 'committed.1.pool']);
    assert.match(issues[1]!.message, 'did you mean "spot"');
  }
});

test('every sub-task of a plan names its backup pools, best first, never its own pool', () => {
  const problem = problemOf(readJson('examples/log-analytics.json'), readJson('examples/pools/hetero.json'));
  const { plan } = planConstructive(problem);
  const P = problem.pools.count;
  const feasiblePools = (sub: (typeof plan.subtasks)[number]): number => {
    const s = plan.subtasks.indexOf(sub);
    let count = 0;
    for (let p = 0; p < P; p++) if (Number.isFinite(planConstructive(problem).scored.graph.expectedS[s * P + p]!)) count++;
    return count;
  };
  for (const sub of plan.subtasks.slice(0, 40)) {
    // As many backups as other pools can run it, at most two.
    assert.is(sub.backups.length, Math.min(2, feasiblePools(sub) - 1), `${sub.id}: ${sub.backups}`);
    assert.not.ok(sub.backups.includes(sub.pool));
    assert.is(new Set(sub.backups).size, sub.backups.length);
  }
  assert.equal(plan.basis, { profile: null, availability: 'declared' });
});

test.run();
