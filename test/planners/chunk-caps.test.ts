import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_CHUNK_EDGES, MAX_CHUNKS_PER_STAGE, MAX_CHUNKS_TOTAL } from '../../src/model/limits.js';
import type { Problem } from '../../src/model/problem.js';
import type { SubtaskGraph } from '../../src/model/subtasks.js';
import { planConstructive } from '../../src/plan/planner.js';
import { checkPlanValidity } from '../../src/plan/check.js';
import { clampChunkCount, stageChunkCap } from '../../src/planners/partition.js';
import { PLANNER_IDS } from '../../src/planners/planner.js';
import { planApportion } from '../../src/planners/apportion.js';
import { problemOf, readJson } from '../helpers/problems.js';

const test = suite('sub-task counts follow the graph, not the slot or item counts');

function chunksPerStage(problem: Problem, graph: SubtaskGraph): number[] {
  const counts = new Array<number>(problem.stages.nodeCount).fill(0);
  for (let s = 0; s < graph.nodeCount; s++) counts[graph.partition.members[graph.partition.memberStart[s]!]!]!++;
  return counts;
}

const onePool = (fields: Record<string, unknown>): unknown => ({ pools: [{ id: 'p', region: 'A', memGbPerSlot: 16, priceUsdPerSlotHour: 0.04, ...fields }] });

test('clampChunkCount: the cap binds above it, minChunk / maxChunk as before below it', () => {
  assert.is(clampChunkCount(1e6, 1, 1e6, 100_000), MAX_CHUNKS_PER_STAGE);
  assert.is(clampChunkCount(1e6, 1, 1e6, 100_000, 300), 300);
  assert.is(clampChunkCount(1000, 10, 1000, 48), 48);
  assert.is(clampChunkCount(1000, 10, 1000, 500), 100, 'minChunk');
  assert.is(clampChunkCount(1000, 1, 10, 5, 50), 100, 'maxChunk demands more than the cap');
  assert.is(clampChunkCount(1000, 1, 1000, Number.NaN), 1);
});

test('caps: joined divisible stages keep their shuffle within MAX_CHUNK_EDGES, the total within MAX_CHUNKS_TOTAL', () => {
  const problem = problemOf(readJson('examples/log-analytics.json'), onePool({ slots: 100_000 }));
  const parse = problem.stageIndex.get('parse')!;
  const sessionize = problem.stageIndex.get('sessionize')!;
  assert.ok(stageChunkCap(problem, parse) * stageChunkCap(problem, sessionize) <= MAX_CHUNK_EDGES);
  const lone = problemOf({ name: 'lone', stages: [{ id: 'a', items: 1e6 }] }, onePool({ slots: 100_000 }));
  assert.is(stageChunkCap(lone, 0), MAX_CHUNKS_PER_STAGE);
  const many = problemOf({ name: 'many', stages: Array.from({ length: 10 }, (_, i) => ({ id: `s${i}`, items: 1e6 })) }, onePool({ slots: 100_000 }));
  const total = Array.from({ length: 10 }, (_, v) => stageChunkCap(many, v)).reduce((a, b) => a + b, 0);
  assert.ok(total <= MAX_CHUNKS_TOTAL, `total cap ${total}`);
});

for (const slots of [5000, 100_000]) {
  test(`log-analytics on one ${slots}-slot pool: every planner within the caps, valid plans`, () => {
    const problem = problemOf(readJson('examples/log-analytics.json'), onePool({ slots }));
    for (const planner of PLANNER_IDS) {
      const { scored } = planConstructive(problem, { planner });
      const counts = chunksPerStage(problem, scored.graph);
      counts.forEach((count, v) => assert.ok(count <= stageChunkCap(problem, v), `${planner}: stage ${v} has ${count} chunks`));
      assert.equal(checkPlanValidity(problem, scored), [], planner);
    }
  });
}

test('log-analytics on 4 slots with 1 interruption per hour and no overhead: DLT chunks capped, not one per minChunk', () => {
  // Without overhead the rework-optimal chunk is as small as allowed (minChunk): 20,801 sub-tasks before the cap.
  const problem = problemOf(readJson('examples/log-analytics.json'), onePool({ slots: 4, interruptionPerHour: 1 }));
  const { tried } = planApportion(problem);
  for (const candidate of tried) {
    const counts = chunksPerStage(problem, candidate.graph);
    counts.forEach((count, v) => assert.ok(count <= stageChunkCap(problem, v), `${candidate.variant}: stage ${v} has ${count} chunks`));
  }
  assert.ok(tried.some((c) => c.variant.startsWith('DLT') && c.graph.nodeCount > 13), 'DLT still cuts more chunks than slots under interruptions');
});

test('items: 1e15 with minChunk 1 plans with a bounded partition', () => {
  const problem = problemOf({ name: 'huge', stages: [{ id: 'a', items: 1e15, minChunk: 1, runtimePerItemS: 1e-9 }, { id: 'b', after: ['a'], runtimeS: 10 }] }, onePool({ slots: 48 }));
  const { scored, plan } = planConstructive(problem);
  assert.ok(scored.graph.nodeCount <= 1 + MAX_CHUNKS_PER_STAGE);
  assert.equal(checkPlanValidity(problem, scored), []);
  assert.ok(Number.isFinite(plan.summary.objective));
  const covered = plan.subtasks.reduce((sum, t) => sum + (t.items === undefined ? 0 : t.items[1] - t.items[0]), 0);
  assert.is(covered, 1e15);
});

test('below the caps the chunking is unchanged: one chunk per slot on the example pools', () => {
  const problem = problemOf(readJson('examples/log-analytics.json'), readJson('examples/pools/homogeneous.json'));
  const { scored } = planConstructive(problem, { planner: 'heft' });
  assert.equal(chunksPerStage(problem, scored.graph), [48, 48, 1]);
});

test.run();
