/**
 * The kernel's plain path (assembly/plain.ts, quad.ts: constant pools, no availability, no
 * fixed sub-tasks, no external reads): candidates scored four or two at a time when they
 * share their order get exactly the bits each gets alone and the bits of the tight
 * TypeScript twin (the general loop), invalid ones included; and the floor loop
 * (assembly/floor.ts) is a lower bound of the kernel's makespans.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelArena } from '../../src/kernel/arena.js';
import { LAYOUT } from '../../src/kernel/layout.js';
import { instantiateKernel } from '../../src/kernel/loader.js';
import { KernelScorer } from '../../src/kernel/scorer.js';
import { TightKernel } from '../../src/kernel/tight.js';
import { randomTopologicalOrder } from '../../src/model/graph.js';
import { assembleProblem, type Problem } from '../../src/model/problem.js';
import { buildSubtaskGraph, type SubtaskGraph } from '../../src/model/subtasks.js';
import { defaultPartition } from '../../src/planners/partition.js';
import { layeredDag, seededRandom, syntheticPools } from '../../src/synthetic/layered.js';
import { allowedPools, breakTopology, differences, forbidPool, randomAllocation, referenceAnswer } from './helpers.js';

const test = suite('kernel plain path');

function layered(tasks: number, seed: number): { problem: Problem; graph: SubtaskGraph } {
  const problem = assembleProblem(layeredDag({ tasks, seed }), syntheticPools({ pools: 16, seed: seed + 1 }));
  return { problem, graph: buildSubtaskGraph(problem, defaultPartition(problem)) };
}

/**
 * A search-like batch: most candidates share one base order (quads form), two share another
 * (a pair), a few have their own; some are invalid, alone or inside a quad or pair (a
 * forbidden pool, a broken order shared by two candidates, a sub-task listed twice).
 */
function fill(arena: KernelArena, graph: SubtaskGraph, count: number, seed: number): void {
  const random = seededRandom(seed);
  const baseOrder = randomTopologicalOrder(graph, random);
  const base = randomAllocation(graph, random);
  const broken = breakTopology(graph, baseOrder, random)!;
  const other = randomTopologicalOrder(graph, random);
  for (let i = 0; i < count; i++) {
    const allocation = Int32Array.from(base);
    for (let k = 0; k < 3; k++) {
      const s = Math.floor(random() * graph.nodeCount);
      const pools = allowedPools(graph, s);
      allocation[s] = pools[Math.floor(random() * pools.length)]!;
    }
    let order = i % 5 === 3 ? randomTopologicalOrder(graph, random) : baseOrder;
    if (i === 8 || i === 9) order = broken;
    if (i === 20 || i === 21) order = other;
    if (i === 12) {
      order = Int32Array.from(baseOrder);
      order[order.length - 1] = order[0]!;
    }
    arena.setCandidate(i, i % 7 === 4 ? forbidPool(graph, allocation, random) : allocation, order);
  }
}

function outputBits(arena: KernelArena, count: number): bigint[] {
  const view = new DataView(arena.memory.buffer);
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) {
    const at = arena.layout.output + i * LAYOUT.OUT_STRIDE;
    for (const field of [LAYOUT.OUT_STATUS, LAYOUT.OUT_SUBTASK, LAYOUT.OUT_ORDER_INDEX]) out.push(BigInt(view.getInt32(at + field, true)));
    for (let field = LAYOUT.OUT_MAKESPAN_S; field <= LAYOUT.OUT_OBJECTIVE; field += 8) out.push(view.getBigUint64(at + field, true));
  }
  return out;
}

const clobber = (arena: KernelArena, count: number): void => {
  new Uint8Array(arena.memory.buffer, arena.layout.output, count * LAYOUT.OUT_STRIDE).fill(0xff);
};

test('pairs with the same order: the bits each candidate gets alone, and the general loop\'s (tight TypeScript twin)', () => {
  const { problem, graph } = layered(1200, 51);
  const count = 26;
  const arena = new KernelArena(problem, graph, { batchCapacity: count, scratchCount: 1 });
  fill(arena, graph, count, 3);
  const kernel = instantiateKernel(arena.memory);
  const block = arena.layout.scratch;
  // Pair and quad node states (strides 32 and 64) share this region: all zero until one is scored.
  const lanes = (): Int32Array => new Int32Array(arena.memory.buffer, block + arena.layout.scratchLanes, (graph.nodeCount * LAYOUT.QUAD_NODE_STRIDE) >> 2);
  assert.ok(lanes().every((word) => word === 0), 'nothing scored in lanes yet');

  const feasible = kernel.evaluate(0, count, 0);
  assert.ok(feasible > count / 2 && feasible < count, `feasible ${feasible} of ${count}`);
  const together = outputBits(arena, count);
  assert.ok(lanes().some((word) => word !== 0), 'candidates were scored in lanes');

  clobber(arena, count);
  let alone = 0;
  for (let i = 0; i < count; i++) alone += kernel.evaluate(i, 1, 0);
  assert.is(alone, feasible);
  assert.equal(outputBits(arena, count), together, 'one at a time');

  clobber(arena, count);
  assert.is(new TightKernel(arena.memory).evaluate(0, count, 0), feasible);
  assert.equal(outputBits(arena, count), together, 'tight TypeScript twin');

  // And the reference cost model, candidate by candidate.
  kernel.evaluate(0, count, 0);
  for (let i = 0; i < count; i++) {
    const { allocation, order } = arena.candidateViews(i);
    const result = arena.result(i);
    if (result.state === 'invalid' && result.status === 'not-permutation') continue;
    assert.equal(differences(result, referenceAnswer(problem, graph, Int32Array.from(allocation), Int32Array.from(order))), [], `candidate ${i}`);
  }
  assert.is(arena.status(12), 'not-permutation');
  assert.is(arena.status(8), 'not-topological');
});

test('pairs in worker slices (each slice its own scratch block) give the bits of this thread', async () => {
  const { problem, graph } = layered(900, 71);
  const count = 30;
  const scorer = new KernelScorer(problem, graph, { batchCapacity: count, workers: 2 });
  fill(scorer.arena, graph, count, 6);
  const feasible = await scorer.scoreBatch(count);
  const inWorkers = outputBits(scorer.arena, count);
  clobber(scorer.arena, count);
  assert.is(scorer.scoreBatchSync(count), feasible);
  assert.equal(outputBits(scorer.arena, count), inWorkers);
  // The second worker's block holds lane node states too: both slices grouped candidates.
  const block = scorer.arena.layout.scratch + scorer.arena.layout.scratchStride;
  assert.ok(new Int32Array(scorer.arena.memory.buffer, block + scorer.arena.layout.scratchLanes, (graph.nodeCount * LAYOUT.QUAD_NODE_STRIDE) >> 2).some((word) => word !== 0));
  await scorer.close();
});

test('the floor loop: a lower bound of every makespan, refused outside the batch', () => {
  const { problem, graph } = layered(800, 61);
  const count = 6;
  const arena = new KernelArena(problem, graph, { batchCapacity: count, scratchCount: 1 });
  const random = seededRandom(4);
  for (let i = 0; i < count; i++) arena.setCandidate(i, randomAllocation(graph, random), randomTopologicalOrder(graph, random));
  const kernel = instantiateKernel(arena.memory);
  assert.is(kernel.evaluate(0, count, 0), count);
  for (let i = 0; i < count; i++) {
    const floorS = kernel.floorScore(i, 1, 0);
    const result = arena.result(i);
    assert.ok(result.state === 'ok' && floorS > 0 && floorS <= result.terms.makespanS, `candidate ${i}: floor ${floorS}`);
  }
  assert.ok(Number.isNaN(kernel.floorScore(0, count + 1, 0)));
  assert.ok(Number.isNaN(kernel.floorScore(0, 1, 1)));
});

test.run();
