import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateCandidate } from '../../src/cost/evaluate.js';
import { checkPlanValidity } from '../../src/plan/check.js';
import { planApportion } from '../../src/planners/apportion.js';
import { VERTICAL_MAX_WORK_S, verticalChains } from '../../src/planners/cluster.js';
import { scheduleVariant } from '../../src/planners/apportion.js';
import { buildVariant } from '../../src/planners/variants.js';
import { problemOf, readJson } from '../helpers/problems.js';

const test = suite('vertical clustering: chains of single-input, single-dependant stages as one sub-task');

const pools = readJson('examples/pools/homogeneous.json');

// a → b → c is a chain; c fans out to d and e (so the chain stops at c); d → f is a chain; e has
// a command to run, so it is never chained; g is alone.
function definition(overrides: Record<string, object> = {}) {
  const stage = (id: string, after: string[], runtimeS: number) => ({ id, op: id, after, runtimeS, outputBytes: 1e6, ...(overrides[id] ?? {}) });
  return {
    name: 'chains',
    stages: [
      stage('a', [], 30),
      stage('b', ['a'], 20),
      stage('c', ['b'], 10),
      stage('d', ['c'], 5),
      stage('e', ['c'], 5),
      stage('f', ['d'], 5),
      stage('g', [], 40),
    ],
  };
}

test('chains stop at fan-in and fan-out and skip stages with a command', () => {
  const problem = problemOf(definition({ e: { run: { command: ['true'] } } }), pools);
  const ids = verticalChains(problem).map((chain) => chain.map((v) => problem.definition.stages[v]!.id));
  assert.equal(ids, [['a', 'b', 'c'], ['d', 'f']]);
});

test('chains stop where the pools a stage may use differ, and at the work limit', () => {
  // b and c name their pool, a does not: the chain starts at b.
  const pinned = problemOf(definition({ b: { pools: ['cluster'] }, c: { pools: ['cluster'] } }), pools);
  assert.equal(verticalChains(pinned).map((chain) => chain.map((v) => pinned.definition.stages[v]!.id)), [['b', 'c'], ['d', 'f']]);
  const long = problemOf(definition({ a: { runtimeS: VERTICAL_MAX_WORK_S - 15 } }), pools);
  // a (limit − 15 s) + b (20 s) is over the limit: the chain starts at b.
  assert.equal(verticalChains(long).map((chain) => chain.map((v) => long.definition.stages[v]!.id)), [['b', 'c'], ['d', 'f']]);
});

test('a merged chain runs its stages in order in one sub-task, paying dispatch once', () => {
  const problem = problemOf(definition(), pools);
  const plain = buildVariant(problem, { split: 'even', cluster: false, chunkScale: 1, clusterScale: 1 });
  const merged = buildVariant(problem, { split: 'even', cluster: false, chunkScale: 1, clusterScale: 1, vertical: true });
  assert.is(plain.graph.nodeCount, 7);
  assert.is(merged.graph.nodeCount, 4);
  const { memberStart, members } = merged.graph.partition;
  const chainSubtask = Array.from({ length: merged.graph.nodeCount }, (_, s) => s).find((s) => memberStart[s + 1]! - memberStart[s]! === 3)!;
  const names = Array.from(members.subarray(memberStart[chainSubtask]!, memberStart[chainSubtask + 1]!), (v) => problem.definition.stages[v]!.id);
  assert.equal(names, ['a', 'b', 'c']);
  // 30 + 20 + 10 s of work at speed 1 and one dispatch overhead of 2 s.
  assert.is(merged.graph.runtimeS[chainSubtask * problem.pools.count]!, 62);
  for (const candidate of scheduleVariant(problem, merged)) assert.equal(checkPlanValidity(problem, evaluateCandidate(problem, candidate)), []);
});

test('the portfolio tries merged chains and keeps them when they win (less dispatch, same work)', () => {
  const problem = problemOf(definition(), pools, { objective: 'makespan' });
  const { best, tried } = planApportion(problem);
  assert.ok(tried.some((c) => c.variant.includes('chains merged')));
  // The critical path a-b-c-d-f pays 5 dispatch overheads unmerged and 2 merged.
  const unmerged = Math.min(...tried.filter((c) => !c.variant.includes('chains merged')).map((c) => c.terms.makespanS));
  assert.ok(best.terms.makespanS < unmerged, `${best.terms.makespanS} vs ${unmerged}`);
  assert.ok(best.variant.includes('chains merged'));
});

test.run();
