import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assembleProblem, type Problem } from '../../src/model/problem.js';
import { refine } from '../../src/solve/formulate.js';
import { pinFromGroups, solveSkeleton, type Skeleton } from '../../src/solve/skeleton.js';
import { createSolver } from '../../src/solve/create.js';
import type { BackendId } from '../../src/solve/solver.js';
import { layeredDag, syntheticPools } from '../../src/synthetic/layered.js';
import { heftClassicProblem, problemOf, readJson } from '../helpers/problems.js';

const test = suite('refinement ILP skeleton');

function logAnalytics(): Problem {
  return problemOf(readJson('examples/log-analytics.json'), readJson('examples/pools/hetero.json'));
}

/** Integral, within min/max chunk, units summing to the stage, groups summing to their size on allowed pools. */
function checkSkeleton(problem: Problem, skeleton: Skeleton): void {
  const P = problem.pools.count;
  for (const { stage: v, shares } of skeleton.divisible) {
    const stage = problem.definition.stages[v]!;
    if (stage.kind !== 'divisible') throw new Error('divisible entry for an atomic stage');
    assert.is(shares.reduce((sum, s) => sum + s.units, 0), stage.units, `units of ${stage.id}`);
    for (const share of shares) {
      assert.ok(Number.isInteger(share.units) && Number.isInteger(share.chunks) && share.chunks >= 1, `integral share ${JSON.stringify(share)}`);
      assert.ok(share.units <= stage.maxChunk * share.chunks, `${stage.id} on ${share.pool}: ${share.units} units in ${share.chunks} chunks > maxChunk ${stage.maxChunk}`);
      if (Math.ceil(stage.units / stage.maxChunk) * stage.minChunk <= stage.units) {
        assert.ok(share.units >= stage.minChunk * share.chunks, `${stage.id} on ${share.pool}: chunks below minChunk ${stage.minChunk}`);
      }
      assert.is(problem.stageFeasible[v * P + share.pool], 1);
    }
  }
  for (const group of skeleton.groups) {
    assert.is(group.perPool.length, P);
    assert.is(group.perPool.reduce((a, b) => a + b, 0), group.stages.length);
    group.perPool.forEach((count, p) => {
      assert.ok(Number.isInteger(count) && count >= 0);
      if (count > 0) for (const v of group.stages) assert.is(problem.stageFeasible[v * P + p], 1, `group task on a forbidden pool`);
    });
  }
}

for (const id of ['highs', 'jslp'] as BackendId[]) {
  test(`${id}: log-analytics skeleton is integral and respects chunk limits and Σ units`, async () => {
    const problem = logAnalytics();
    const { bound, skeleton, notes } = await refine(problem, createSolver(id), { timeLimitMs: 10_000 });
    assert.ok(skeleton !== undefined, notes.join('; '));
    assert.ok(skeleton.method === 'ilp-optimal' || skeleton.method === 'ilp-feasible', skeleton.method);
    checkSkeleton(problem, skeleton);
    assert.is(skeleton.divisible.length, 2);
    assert.is(bound.state, 'lp');
    // "report" needs 12 GB: only onprem (16 GB slots) may run it.
    const report = skeleton.groups.find((g) => g.stages.includes(problem.stageIndex.get('report')!))!;
    assert.equal(report.perPool, [1, 0, 0]);
  });
}

test('HEFT classic: groups by (op, level), counts sum to group sizes', async () => {
  const problem = heftClassicProblem();
  const { skeleton } = await solveSkeleton(problem, createSolver('highs'), { timeLimitMs: 5000 });
  assert.ok(skeleton !== undefined);
  checkSkeleton(problem, skeleton);
  assert.is(skeleton.groups.reduce((n, g) => n + g.stages.length, 0), 10);
});

test('too many integers: LP-rounded skeleton, still integral and within limits, and said so', async () => {
  const problem = logAnalytics();
  const { skeleton, notes } = await solveSkeleton(problem, createSolver('highs'), { timeLimitMs: 5000, maxIntegerVariables: 3 });
  assert.ok(skeleton !== undefined);
  assert.is(skeleton.method, 'lp-rounded');
  assert.ok(notes.some((n) => n.includes('LP relaxation rounded')), notes.join('; '));
  checkSkeleton(problem, skeleton);
});

test('big synthetic problem: groups aggregated harder to stay under the integer limit', async () => {
  const problem = assembleProblem(layeredDag({ tasks: 3000, seed: 3 }), syntheticPools({ pools: 16 }));
  const { skeleton, notes } = await solveSkeleton(problem, createSolver('highs'), { timeLimitMs: 4000, maxIntegerVariables: 2000 });
  assert.ok(notes[0]!.includes('levels)') || notes[0]!.includes('allowed pools'), notes[0]);
  assert.ok(skeleton !== undefined, notes.join('; '));
  checkSkeleton(problem, skeleton);
});

test('the time limit holds on a big model', async () => {
  const problem = assembleProblem(layeredDag({ tasks: 10_000, seed: 1 }), syntheticPools({ pools: 16 }));
  const limitMs = 1500;
  const started = performance.now();
  const { skeleton, notes } = await refine(problem, createSolver('highs'), { timeLimitMs: limitMs });
  const elapsed = performance.now() - started;
  assert.ok(elapsed < limitMs + 4000, `refine took ${elapsed} ms for a ${limitMs} ms limit (${notes.join('; ')})`);
  if (skeleton !== undefined) checkSkeleton(problem, skeleton);
});

test('pins: longest tasks of a group to the fastest pools first, deterministically', () => {
  const problem = heftClassicProblem(); // runtimes per pool given; n2..n6 form one (op, level) group
  const members = ['n2', 'n3', 'n4', 'n5', 'n6'].map((id) => problem.stageIndex.get(id)!);
  const skeleton = { groups: [{ stages: members, perPool: [2, 2, 1] }] };
  const pin = pinFromGroups(problem, skeleton);
  assert.equal(pin, pinFromGroups(problem, { groups: [{ stages: [...members].reverse(), perPool: [2, 2, 1] }] }), 'member order does not matter');
  const counts = [0, 0, 0];
  for (const v of members) counts[pin[v]!]!++;
  assert.equal(counts, [2, 2, 1]);
  // Mean runtimes of the group: p1 12.4, p2 13.8, p3 14.6 → p1 fastest; the two longest (by work) go there.
  const byWork = [...members].sort((a, b) => problem.stageWorkS[b]! - problem.stageWorkS[a]! || a - b);
  assert.is(pin[byWork[0]!], 0);
  assert.is(pin[byWork[1]!], 0);
  assert.is(pin[problem.stageIndex.get('n1')!], -1, 'stages outside the groups stay unpinned');
});

test.run();
