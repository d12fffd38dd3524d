import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { PartialSchedule } from '../../src/cost/simulate.js';
import { checkPlanValidity } from '../../src/plan/check.js';
import { planConstructive } from '../../src/plan/planner.js';
import { PLANNER_IDS } from '../../src/planners/planner.js';
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

test.run();
