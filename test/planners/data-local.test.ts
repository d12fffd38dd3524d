import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateCandidate } from '../../src/cost/evaluate.js';
import { assembleProblem } from '../../src/model/problem.js';
import { buildSubtaskGraph } from '../../src/model/subtasks.js';
import { checkPlanValidity } from '../../src/plan/check.js';
import { dataDominated, planApportion, perturbedSchedule } from '../../src/planners/apportion.js';
import { cheapest, heft } from '../../src/planners/baselines.js';
import { cheapestRegion, inputRegion } from '../../src/planners/data-local.js';
import { defaultPartition } from '../../src/planners/partition.js';
import { buildVariant } from '../../src/planners/variants.js';
import { fanWorkflow, shuffleWorkflow, sixPoolMap } from '../../src/synthetic/families.js';
import { seededRandom } from '../../src/util/random.js';

const test = suite('data-local rule, cheapest rule and perturbed restarts in the portfolio');

test('inputRegion follows the bytes: external inputs, then the producers as placed', () => {
  const problem = assembleProblem(fanWorkflow({ width: 4, rounds: 1, inputHome: 'onprem', seed: 3 }), sixPoolMap());
  const graph = buildSubtaskGraph(problem, defaultPartition(problem));
  const scratch = new Float64Array(problem.network.regionCount);
  const regionOf = (id: string) => problem.network.regionIds.indexOf(id);
  const stageIndex = (id: string) => problem.definition.stages.findIndex((s) => s.id === id);
  const allocation = new Int32Array(graph.nodeCount).fill(-1);
  // A mapper reads its input object at the on-prem pool (1e6 bytes from split are fewer).
  const west = problem.pools.ids.indexOf('west-spot');
  allocation[stageIndex('split0')] = west;
  assert.is(inputRegion(problem, graph, stageIndex('map0_0'), allocation, scratch, -1), regionOf('onprem'));
  // merge reads only its mappers' outputs: where most of those bytes were placed.
  const east = problem.pools.ids.indexOf('east-ondemand');
  for (let i = 0; i < 4; i++) allocation[stageIndex(`map0_${i}`)] = i < 3 ? east : west;
  const bytesOf = (i: number) => {
    const v = stageIndex('merge0');
    for (let e = graph.predStart[v]!; e < graph.predStart[v + 1]!; e++) if (graph.predIndex[e] === stageIndex(`map0_${i}`)) return graph.predBytes[e]!;
    return 0;
  };
  const eastBytes = bytesOf(0) + bytesOf(1) + bytesOf(2);
  assert.is(inputRegion(problem, graph, stageIndex('merge0'), allocation, scratch, -1), eastBytes > bytesOf(3) ? regionOf('east') : regionOf('west'));
  // split0 reads nothing: the fallback.
  assert.is(inputRegion(problem, graph, stageIndex('split0'), allocation, scratch, 7), 7);
  assert.is(cheapestRegion(problem), regionOf('onprem'));
});

for (const [name, definition] of [
  ['fan-out/fan-in with inputs at the free pool', fanWorkflow({ width: 120, inputHome: 'onprem', seed: 5 })],
  ['shuffle of large outputs', shuffleWorkflow({ width: 40, layers: 4, seed: 5 })],
] as const) {
  test(`${name}: the constructive plan is no worse than cheapest and beats HEFT (weighted)`, () => {
    const problem = assembleProblem(definition, sixPoolMap(), { objective: 'weighted' });
    const { best, tried } = planApportion(problem);
    const cheap = evaluateCandidate(problem, cheapest.plan(problem));
    const heftPlan = evaluateCandidate(problem, heft.plan(problem));
    assert.equal(checkPlanValidity(problem, best), []);
    assert.ok(best.terms.objective <= cheap.terms.objective * (1 + 1e-9), `apportion ${best.terms.objective} vs cheapest ${cheap.terms.objective}`);
    assert.ok(best.terms.objective < heftPlan.terms.objective, `apportion ${best.terms.objective} vs HEFT ${heftPlan.terms.objective}`);
    assert.ok(tried.some((c) => c.variant.includes('data-local')), 'the data-local rule was tried');
  });
}

test('the data-local and cheapest rules are not tried under makespan, nor on one region', () => {
  const makespan = assembleProblem(fanWorkflow({ width: 20, inputHome: 'onprem', seed: 1 }), sixPoolMap(), { objective: 'makespan' });
  assert.not.ok(planApportion(makespan).tried.some((c) => /data-local|cheapest/.test(c.variant)));
});

test('the first variant is chosen by the problem: data-local first where moving the data costs more than the work', () => {
  const shuffle = assembleProblem(shuffleWorkflow({ width: 30, layers: 3, seed: 2 }), sixPoolMap(), { objective: 'weighted' });
  assert.ok(dataDominated(shuffle));
  const [first] = planApportion(shuffle, { shouldStop: () => true }).tried;
  assert.match(first!.variant, /data-local/);
  // Tiny outputs: the work decides, HEFT's rule comes first.
  const light = shuffleWorkflow({ width: 30, layers: 3, seed: 2 });
  const lightProblem = assembleProblem({ ...light, stages: light.stages.map((stage) => (stage.kind === 'atomic' ? { ...stage, outputBytes: 1000 } : stage)) }, sixPoolMap(), { objective: 'weighted' });
  assert.not.ok(dataDominated(lightProblem));
  assert.match(planApportion(lightProblem, { shouldStop: () => true }).tried[0]!.variant, /earliest-finish/);
});

test('perturbed restarts: valid, topological, deterministic for a seed, and varied', () => {
  const problem = assembleProblem(fanWorkflow({ width: 60, inputHome: 'onprem', seed: 2 }), sixPoolMap(), { objective: 'weighted' });
  const variant = buildVariant(problem, { split: 'even', cluster: false, chunkScale: 1, clusterScale: 1 });
  const run = (seed: number) => {
    const random = seededRandom(seed);
    return Array.from({ length: 6 }, () => evaluateCandidate(problem, perturbedSchedule(problem, variant, random)));
  };
  const a = run(11);
  const b = run(11);
  for (const scored of a) assert.equal(checkPlanValidity(problem, scored), []);
  assert.equal(a.map((c) => c.terms.objective), b.map((c) => c.terms.objective));
  assert.ok(new Set(a.map((c) => c.terms.objective)).size > 1, 'restarts differ from one another');
});

test.run();
