import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateCandidate } from '../../src/cost/evaluate.js';
import { buildSubtaskGraph, expectedWithRework, PartitionBuilder } from '../../src/model/subtasks.js';
import type { Problem } from '../../src/model/problem.js';
import { problemOf } from '../helpers/problems.js';

const test = suite('reference cost model');

/** Every stage whole, in index order, on the given pools. */
function scoreOn(problem: Problem, pools: number[]) {
  const builder = new PartitionBuilder();
  problem.definition.stages.forEach((_, v) => builder.addGroup([v]));
  const graph = buildSubtaskGraph(problem, builder.build());
  return evaluateCandidate(problem, { graph, allocation: Int32Array.from(pools), order: Int32Array.from(graph.order), variant: 'test' });
}

const twoRegions = {
  pools: [
    { id: 'a', region: 'A', slots: 1, priceUsdPerSlotHour: 0 },
    { id: 'b', region: 'B', slots: 1, priceUsdPerSlotHour: 3.6 },
  ],
  network: { links: [{ from: 'A', to: 'B', latencyMs: 20, bandwidthMBps: 100, egressUsdPerGb: 0.09 }] },
};

test('an input crossing regions arrives latency + bytes / bandwidth later, and pays egress', () => {
  const problem = problemOf({ stages: [{ id: 'x', runtimeS: 10, outputBytes: 1e8 }, { id: 'y', after: ['x'], runtimeS: 5 }] }, twoRegions);
  const scored = scoreOn(problem, [0, 1]);
  assert.is(scored.schedule.startS[1], 10 + 0.02 + 1e8 / 1e8);
  assert.ok(Math.abs(scored.terms.egressUsd - 0.1 * 0.09) < 1e-12);
  assert.is(scored.terms.transferBytes, 1e8);
  assert.ok(Math.abs(scored.terms.transferS - 1.02) < 1e-12);
  // 5 s on pool b at 3.6 USD per slot-hour = 0.005 USD.
  assert.ok(Math.abs(scored.terms.computeUsd - 0.005) < 1e-12);
});

test('within one pool outputs are local: no transfer, no egress', () => {
  const problem = problemOf({ stages: [{ id: 'x', runtimeS: 10, outputBytes: 1e8 }, { id: 'y', after: ['x'], runtimeS: 5 }] }, twoRegions);
  const scored = scoreOn(problem, [1, 1]);
  assert.is(scored.schedule.startS[1], 10);
  assert.is(scored.terms.egressUsd, 0);
  assert.is(scored.terms.transferBytes, 0);
});

test('an external object read whole by several sub-tasks is moved to a region once', () => {
  const problem = problemOf(
    { data: [{ id: 'db', bytes: 1e9, home: 'A' }], stages: [{ id: 'x', runtimeS: 10, inputs: ['db'] }, { id: 'y', runtimeS: 10, inputs: ['db'] }] },
    { ...twoRegions, pools: [twoRegions.pools[0], { ...twoRegions.pools[1], slots: 2 }] },
  );
  const scored = scoreOn(problem, [1, 1]);
  assert.is(scored.terms.transferBytes, 1e9);
  assert.ok(Math.abs(scored.terms.egressUsd - 0.09) < 1e-12);
  // Both readers wait for the one transfer: latency + 1 GB at 100 MB/s.
  assert.equal(Array.from(scored.schedule.startS), [10.02, 10.02]);
});

test('a divisible stage moves only each chunk\'s share of its input', () => {
  const problem = problemOf(
    { data: [{ id: 'logs', bytes: 1e9, home: 'A' }], stages: [{ id: 'x', items: 10, runtimePerItemS: 1, inputs: ['logs'] }] },
    twoRegions,
  );
  const builder = new PartitionBuilder();
  builder.addChunk(0, 0, 4);
  builder.addChunk(0, 4, 6);
  const graph = buildSubtaskGraph(problem, builder.build());
  const scored = evaluateCandidate(problem, { graph, allocation: Int32Array.from([0, 1]), order: Int32Array.from([0, 1]), variant: 'test' });
  assert.is(scored.terms.transferBytes, 6e8);
  assert.is(scored.schedule.startS[1], 0.02 + 6e8 / 1e8);
});

test('interruption rework: (e^{λd} − 1)/λ, reported as its own term and inside makespan', () => {
  const problem = problemOf({ stages: [{ id: 'x', runtimeS: 3600 }] }, { pools: [{ id: 'spot', region: 'A', slots: 1, interruptionPerHour: 0.1, priceUsdPerSlotHour: 1 }] });
  const scored = scoreOn(problem, [0]);
  const expected = (Math.exp(0.1) - 1) / (0.1 / 3600);
  assert.ok(Math.abs(scored.terms.makespanS - expected) < 1e-6);
  assert.ok(Math.abs(scored.terms.interruptionS - (expected - 3600)) < 1e-6);
  assert.ok(Math.abs(scored.terms.interruptionUsd - (expected - 3600) / 3600) < 1e-9);
  assert.ok(Math.abs(expectedWithRework(100, 0) - 100) < 1e-12, 'no hazard, no rework');
});

test('pool start-up delays the first start', () => {
  const problem = problemOf({ stages: [{ id: 'x', runtimeS: 1 }] }, { pools: [{ id: 'p', region: 'A', slots: 1, startupS: 60 }] });
  assert.is(scoreOn(problem, [0]).schedule.startS[0], 60);
});

test('capacity step function: a slot that disappears takes no sub-task that would outlive it', () => {
  const stages = [0, 1, 2, 3].map((i) => ({ id: `t${i}`, runtimeS: 20 }));
  const problem = problemOf({ stages }, { pools: [{ id: 'p', region: 'A', slots: 2, capacity: [{ atS: 30, slots: 1 }] }] });
  const scored = scoreOn(problem, [0, 0, 0, 0]);
  assert.equal(Array.from(scored.schedule.startS), [0, 0, 20, 40]);
  assert.is(scored.terms.makespanS, 60);
});

test('weighted objective = cost + USD per hour × makespan hours', () => {
  const problem = problemOf({ objective: { usdPerHour: 36 }, stages: [{ id: 'x', runtimeS: 100 }] }, twoRegions);
  const scored = scoreOn(problem, [1]);
  assert.ok(Math.abs(scored.terms.objective - (0.1 + 36 * (100 / 3600))) < 1e-12);
});

test('deadline and budget are filters that say by how much', () => {
  const problem = problemOf({ deadlineS: 50, budgetUsd: 0.05, stages: [{ id: 'x', runtimeS: 100 }] }, twoRegions);
  const scored = scoreOn(problem, [1]);
  assert.equal(scored.violations.map((v) => v.constraint), ['deadline', 'budget']);
  assert.match(scored.violations[0]!.message, 'by 50 s');
  assert.match(scored.violations[1]!.message, 'by 0.05 USD');
});

test.run();
