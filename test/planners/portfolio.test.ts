import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateCandidate } from '../../src/cost/evaluate.js';
import { assembleProblem } from '../../src/model/problem.js';
import { planApportion } from '../../src/planners/apportion.js';
import { PUBLISHED_IDS, publishedCandidate } from '../../src/planners/published/index.js';
import { fanWorkflow, sixPoolMap } from '../../src/synthetic/families.js';
import { layeredDag, syntheticPools } from '../../src/synthetic/layered.js';

const test = suite('the constructive portfolio against the published rules');

for (const objective of ['weighted', 'makespan'] as const) {
  test(`no published rule beats the constructive plan on a layered DAG (${objective})`, () => {
    const problem = assembleProblem(layeredDag({ tasks: 300, seed: 4 }), syntheticPools({ pools: 5, seed: 3 }), { objective });
    const { best, tried } = planApportion(problem);
    for (const id of PUBLISHED_IDS) {
      const rule = evaluateCandidate(problem, publishedCandidate(problem, id));
      assert.ok(best.terms.objective <= rule.terms.objective * (1 + 1e-9), `${id}: ${rule.terms.objective} < apportion ${best.terms.objective}`);
    }
    // Narrow enough for every ready-set rule to be tried.
    for (const name of ['Sufferage', 'MinMin', 'MaxMin', 'ETF', 'BIL', 'PEFT', 'CPoP']) assert.ok(tried.some((c) => c.variant.startsWith(`${name} (`)), `${name} tried`);
  });
}

test('on a graph 1,000 wide only BIL of the ready-set rules is tried', () => {
  const problem = assembleProblem(fanWorkflow({ width: 1000, rounds: 1, inputHome: 'onprem', seed: 3 }), sixPoolMap(), { objective: 'makespan' });
  const names = planApportion(problem).tried.map((c) => c.variant);
  assert.ok(names.some((v) => v.startsWith('BIL (')));
  for (const name of ['Sufferage', 'MinMin', 'MaxMin', 'ETF', 'DLS']) assert.not.ok(names.some((v) => v.startsWith(`${name} (`)), `${name} skipped`);
  assert.ok(names.some((v) => v.startsWith('PEFT (')), 'static rules still tried');
});

test.run();
