import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../src/model/issues.js';
import { planConstructive } from '../../src/plan/planner.js';
import { checkPlanValidity } from '../../src/plan/check.js';
import { CAPACITY_USE, splitDivisible } from '../../src/planners/divisible.js';
import { listSchedule } from '../../src/planners/list-schedule.js';
import { PLANNER_IDS } from '../../src/planners/planner.js';
import { buildVariant } from '../../src/planners/variants.js';
import { runCli } from '../helpers/cli.js';
import { problemOf } from '../helpers/problems.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const test = suite('capacity that ends: planned, or refused with the stage and the reason');

/** Spot pool: 8 cheap slots, withdrawn at 600 s; on-demand: 2 slots for good. */
const pools = (spot: Record<string, unknown> = {}, od: Record<string, unknown> = {}): Record<string, unknown> => ({
  pools: [
    { id: 'spot', region: 'A', slots: 8, priceUsdPerSlotHour: 0.01, capacity: [{ atS: 600, slots: 0 }], ...spot },
    { id: 'od', region: 'A', slots: 2, priceUsdPerSlotHour: 0.1, ...od },
  ],
});

const task = (sessionize: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'cap',
  stages: [
    { id: 'parse', items: 1000, runtimePerItemS: 1, minChunk: 10 },
    { id: 'sessionize', after: ['parse'], items: 100, runtimePerItemS: 12, minChunk: 100, ...sessionize },
    { id: 'report', after: ['parse'], runtimeS: 100 },
  ],
});

function inputError(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

test('every planner plans a stage whose chunks cannot finish on the pool that ends', () => {
  const problem = problemOf(task(), pools());
  for (const planner of PLANNER_IDS) {
    const { scored, plan } = planConstructive(problem, { planner });
    assert.equal(checkPlanValidity(problem, scored), [], planner);
    assert.ok(Number.isFinite(plan.summary.objective), `${planner}: finite objective`);
    // The one sessionize chunk (1,200 s) runs on the pool that stays.
    const graph = scored.graph;
    const sessionize = problem.stageIndex.get('sessionize')!;
    for (let s = 0; s < graph.nodeCount; s++) {
      if (graph.partition.members[graph.partition.memberStart[s]!] === sessionize) assert.is(problem.pools.ids[scored.allocation[s]!], 'od', planner);
    }
  }
});

test('the DLT split gives a pool no more than it can finish before its capacity ends', () => {
  // 10,000 s of work: spot (8 slots × 600 s = 4,800 slot-s) would take most of it if it stayed.
  const problem = problemOf({ name: 'big', stages: [{ id: 'parse', items: 10000, runtimePerItemS: 1, minChunk: 1 }] }, pools());
  const { shares } = splitDivisible(problem, 0);
  const spot = shares.find((share) => problem.pools.ids[share.pool] === 'spot');
  const od = shares.find((share) => problem.pools.ids[share.pool] === 'od');
  assert.ok(spot !== undefined && spot.units > 0, 'spot takes part');
  assert.ok(spot.units <= CAPACITY_USE * 8 * 600, `spot share ${spot.units} fits before 600 s`);
  assert.is(spot.units + (od?.units ?? 0), 10000);
  const { scored } = planConstructive(problem);
  assert.equal(checkPlanValidity(problem, scored), []);
});

test('a chunk pinned to a pool with no slot left goes to a pool that has one', () => {
  const problem = problemOf({ name: 'one', stages: [{ id: 'long', items: 1, runtimePerItemS: 1200 }] }, pools());
  const variant = buildVariant(problem, { split: 'even', cluster: false, chunkScale: 1, clusterScale: 1 });
  const pinned = new Int32Array(variant.graph.nodeCount).fill(0); // all on spot
  const result = listSchedule(problem, variant.graph, variant.graph.order, { insertion: true, pinned, score: (_s, _p, _start, finish) => finish });
  assert.is(problem.pools.ids[result.allocation[0]!], 'od');
  assert.is(result.finishS[0], 1200);
});

test('a stage whose only pool ends too soon is an InputError naming the stage and why', () => {
  const problem = problemOf(task({ pools: ['spot'] }), pools());
  for (const planner of PLANNER_IDS) {
    const error = inputError(() => planConstructive(problem, { planner }));
    assert.equal(error.issues[0]!.path, ['stages', 1], planner);
    assert.match(error.issues[0]!.message, 'no pool can finish a chunk of "sessionize": pool "spot" has slots only until 600 s, a chunk of minChunk (100) items needs 1,200 s');
  }
});

test('interruptions so frequent that no chunk ever finishes: an InputError, not Infinity', () => {
  const problem = problemOf(task(), pools({}, { interruptionPerHour: 1e9 }));
  const error = inputError(() => planConstructive(problem));
  assert.equal(error.issues[0]!.path, ['stages', 1]);
  assert.match(error.issues[0]!.message, 'restart forever');
});

test('capacity used up by the stages before: refused once the inputs are ready, for every planner', () => {
  // Each stage alone fits before 600 s on spot, but b can only start after a's 500 s.
  const definition = {
    name: 'late',
    stages: [
      { id: 'a', runtimeS: 500, pools: ['spot'] },
      { id: 'b', after: ['a'], runtimeS: 200, pools: ['spot'] },
    ],
  };
  const problem = problemOf(definition, pools());
  for (const planner of PLANNER_IDS) {
    const error = inputError(() => planConstructive(problem, { planner }));
    assert.equal(error.issues[0]!.path, ['stages', 1], planner);
    assert.match(error.issues[0]!.message, 'no pool can finish "b" once its inputs are ready: pool "spot" has no slot free for 200 s after 500 s');
  }
});

test('even chunks are made small enough for a pool where long ones restart forever, for every planner', () => {
  // One interruption per second: a 500 s chunk (1000 items over 2 slots) would never finish; 46 s ones do.
  const problem = problemOf({ name: 'flaky', stages: [{ id: 'a', items: 1000, runtimePerItemS: 1 }] }, { pools: [{ id: 'flaky', region: 'A', slots: 2, interruptionPerHour: 3600 }] });
  for (const planner of PLANNER_IDS) {
    const { scored, plan } = planConstructive(problem, { planner });
    assert.equal(checkPlanValidity(problem, scored), [], planner);
    assert.ok(scored.graph.nodeCount >= 22, `${planner}: ${scored.graph.nodeCount} chunks`);
    assert.ok(Number.isFinite(plan.summary.objective), planner);
  }
});

test('CLI: exit 2 with the message and the path, no internal error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apportion-capacity-'));
  writeFileSync(join(dir, 'task.json'), JSON.stringify(task({ pools: ['spot'] })));
  writeFileSync(join(dir, 'pools.json'), JSON.stringify(pools()));
  const run = await runCli(['plan', join(dir, 'task.json'), '--pools', join(dir, 'pools.json')]);
  assert.is(run.code, 2);
  assert.match(run.stderr, '✖ no pool can finish a chunk of "sessionize"');
  assert.match(run.stderr, '→ at stages[1]');
  assert.not.match(run.stderr, 'internal');
  const baseline = await runCli(['plan', join(dir, 'task.json'), '--pools', join(dir, 'pools.json'), '--planner', 'heft']);
  assert.is(baseline.code, 2, 'heft refuses it too');
});

test.run();
