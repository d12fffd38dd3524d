import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { planConstructive } from '../../src/plan/planner.js';
import { checkPlanValidity } from '../../src/plan/check.js';
import { PLANNER_IDS } from '../../src/planners/planner.js';
import { propertySeed, randomCase } from '../helpers/arbitraries.js';
import { problemOf } from '../helpers/problems.js';

const test = suite('every plan of every planner is valid (property)');

test('random DAGs × random pools × every planner: coverage, dependencies, slots, memory', () => {
  const seed = propertySeed('plan validity');
  const runs = Number(process.env.APPORTION_RUNS ?? 60);
  let checked = 0;
  fc.assert(
    fc.property(randomCase, (c) => {
      const problem = problemOf(c.task, c.pools, { objective: c.objective });
      for (const planner of PLANNER_IDS) {
        const outcome = planConstructive(problem, { planner });
        const errors = checkPlanValidity(problem, outcome.scored);
        if (errors.length > 0) throw new Error(`${planner}: ${errors.slice(0, 3).join('; ')}`);
        // The JSON plan names every atomic stage exactly once and covers every divisible stage's units.
        const named = outcome.plan.subtasks.flatMap((t) => t.tasks ?? []);
        const atomic = problem.definition.stages.filter((s) => s.kind === 'atomic').map((s) => s.id);
        assert.equal([...named].sort(), [...atomic].sort(), `${planner}: tasks in the JSON plan`);
        const covered = outcome.plan.subtasks.reduce((sum, t) => sum + (t.items === undefined ? 0 : t.items[1] - t.items[0]), 0);
        const units = problem.definition.stages.reduce((sum, s) => sum + (s.kind === 'divisible' ? s.units : 0), 0);
        assert.is(covered, units, `${planner}: units covered`);
        assert.ok(Number.isFinite(outcome.plan.summary.objective), `${planner}: finite objective`);
        checked++;
      }
    }),
    { seed, numRuns: runs },
  );
  assert.is(checked, runs * PLANNER_IDS.length);
});

test.run();
