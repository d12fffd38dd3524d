import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { planConstructive } from '../../src/plan/planner.js';
import { heft } from '../../src/planners/baselines.js';
import { byDecreasingRank, upwardRank } from '../../src/planners/rank.js';
import { heftClassicProblem } from '../helpers/problems.js';

const test = suite('HEFT (Topcuoglu, Hariri & Wu 2002, Fig. 2)');

test('upward ranks match the paper (n1 = 108, n10 = 14.67)', () => {
  const problem = heftClassicProblem();
  const candidate = heft.plan(problem);
  const rank = upwardRank(problem, candidate.graph);
  const byId = new Map(Array.from(candidate.graph.order, (s) => [problem.definition.stages[candidate.graph.partition.members[s]!]!.id, rank[s]!]));
  // Table in the paper: 108.000, 77.000, 80.000, 80.000, 69.000, 63.333, 42.667, 35.667, 44.333, 14.667
  const expected = [108, 77, 80, 80, 69, 63.333, 42.667, 35.667, 44.333, 14.667];
  expected.forEach((value, i) => assert.ok(Math.abs(byId.get(`n${i + 1}`)! - value) < 1e-3, `rank of n${i + 1}: ${byId.get(`n${i + 1}`)} vs ${value}`));
});

test('schedule order is n1 n3 n4 n2 n5 n6 n9 n7 n8 n10', () => {
  const problem = heftClassicProblem();
  const candidate = heft.plan(problem);
  const priority = byDecreasingRank(candidate.graph, upwardRank(problem, candidate.graph));
  const names = Array.from(priority, (s) => problem.definition.stages[candidate.graph.partition.members[s]!]!.id);
  assert.equal(names, ['n1', 'n3', 'n4', 'n2', 'n5', 'n6', 'n9', 'n7', 'n8', 'n10']);
});

test('makespan is 80, scored by the reference cost model', () => {
  const { plan } = planConstructive(heftClassicProblem(), { planner: 'heft' });
  assert.is(plan.summary.makespanS, 80);
  assert.is(plan.subtasks.length, 10);
});

test('apportion is no worse than HEFT on the classic instance', () => {
  const problem = heftClassicProblem();
  assert.ok(planConstructive(problem, { planner: 'apportion' }).plan.summary.makespanS <= 80);
});

test.run();
