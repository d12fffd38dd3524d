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

test('run states that contradict themselves or the plan are bad input with their paths', () => {
  const problem = problemOf(readJson('examples/log-analytics.json'), readJson('examples/pools/hetero.json'));
  const { first, state } = stateAfterTwoFailures(problem);
  const run = state.running[0]!;
  const pathsOf = (bad: RunState): string[] => {
    try {
      partialSchedule(problem, first.scored, bad);
      return [];
    } catch (error) {
      assert.instance(error, InputError);
      return (error as InputError).issues.map((i) => i.path.join('.'));
    }
  };
  // A slot the pool does not have, or not a whole number.
  assert.equal(pathsOf({ ...state, running: [{ ...run, slot: 9999 }, ...state.running.slice(1)] }), ['running.0.slot']);
  assert.equal(pathsOf({ ...state, running: [{ ...run, slot: -1 }, ...state.running.slice(1)] }), ['running.0.slot']);
  // Two fixed sub-tasks on one slot at once.
  const other = state.running[1]!;
  assert.equal(pathsOf({ ...state, running: [run, { ...other, pool: run.pool, slot: run.slot!, startS: run.startS }, ...state.running.slice(2)] }), ['running.1.slot']);
  // Committed work that finishes after now; running work that starts after now.
  assert.equal(pathsOf({ ...state, committed: [...state.committed, { ...run, finishS: state.nowS + 10 }], running: state.running.slice(1) }), [`committed.${state.committed.length}.finishS`]);
  assert.equal(pathsOf({ ...state, running: [{ ...run, startS: state.nowS + 1 }, ...state.running.slice(1)] }), ['running.0.startS']);
  // A running sub-task whose inputs are neither committed nor running.
  const orphan = pathsOf({ ...state, committed: [] });
  assert.ok(orphan.length > 0 && orphan.every((p) => /^running\.\d+\.id$/.test(p)), orphan.join(', '));
});

test('a sub-task that moved pool takes a free slot there, never one another listed sub-task names', () => {
  const problem = problemOf(readJson('examples/log-analytics.json'), readJson('examples/pools/hetero.json'));
  const { first, state } = stateAfterTwoFailures(problem);
  const onSpot = state.running.filter((a) => a.pool === 'spot');
  const elsewhere = state.running.find((a) => a.pool !== 'spot' && !onSpot.some((b) => b.id === a.id));
  assert.ok(onSpot.length > 0 && elsewhere !== undefined, 'the state runs sub-tasks on spot and elsewhere');
  // The moved one is listed first and gives no slot; the others keep theirs (slots omitted too).
  const { slot: _drop, ...moved } = { ...elsewhere!, pool: 'spot' };
  const running = [moved, ...state.running.filter((a) => a.id !== elsewhere!.id).map(({ slot: _s, ...a }) => a)];
  const partial = partialSchedule(problem, first.scored, { ...state, running });
  const byId = new Map(first.plan.subtasks.map((sub, s) => [sub.id, s]));
  const movedSlot = partial.fixed.get(byId.get(moved.id)!)!.slot;
  for (const a of running.slice(1)) {
    const placed = partial.fixed.get(byId.get(a.id)!)!;
    if (placed.pool === partial.fixed.get(byId.get(moved.id)!)!.pool) assert.is.not(placed.slot, movedSlot, `${a.id} shares slot ${movedSlot} with the moved sub-task`);
  }
});

test('an extension that ran faster than planned reports a bound no higher than its objective', async () => {
  const problem = problemOf(readJson('examples/log-analytics.json'), readJson('examples/pools/hetero.json'));
  const first = planConstructive(problem, { planner: 'heft' });
  const subs = first.plan.subtasks;
  const last = subs.reduce((a, b) => (b.finishS > a.finishS ? b : a));
  // Everything but the last sub-task committed, each in a tenth of its planned time.
  const committed = subs.filter((sub) => sub !== last).map((sub) => ({ id: sub.id, pool: sub.pool, slot: sub.slot, startS: sub.startS / 10, finishS: sub.finishS / 10 }));
  const nowS = Math.max(...committed.map((a) => a.finishS));
  const planner = await createPlanner({ workers: 1, batchSize: 8, warmUp: false });
  try {
    const next = await extendPlan(planner, problem, first.scored, { nowS, committed, running: [] }, { timeBudgetMs: 60_000, maxBatches: 2 });
    assert.ok(next.gap >= 0, `gap ${next.gap}`);
    assert.ok(next.plan.bounds.objectiveLowerBound <= next.plan.summary.objective);
  } finally {
    await planner.close();
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
