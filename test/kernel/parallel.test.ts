/**
 * Parallel scoring: every worker count gives the same bits as one worker and as this
 * thread; the tight TypeScript twin gives the same bits as the kernel; one worker pool
 * serves several problems (each with its own memory).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelArena } from '../../src/kernel/arena.js';
import { LAYOUT } from '../../src/kernel/layout.js';
import { createKernelPool, KernelScorer } from '../../src/kernel/scorer.js';
import { TightKernel } from '../../src/kernel/tight.js';
import { assembleProblem, type Problem } from '../../src/model/problem.js';
import { buildSubtaskGraph, type SubtaskGraph } from '../../src/model/subtasks.js';
import { defaultPartition } from '../../src/planners/partition.js';
import { layeredDag, seededRandom, syntheticPools } from '../../src/synthetic/layered.js';
import { randomTopologicalOrder } from '../../src/model/graph.js';
import { forbidPool, randomAllocation } from './helpers.js';

const test = suite('kernel in parallel');

function layered(tasks: number, seed: number): { problem: Problem; graph: SubtaskGraph } {
  const problem = assembleProblem(layeredDag({ tasks, seed }), syntheticPools({ pools: 16, seed: seed + 1 }));
  return { problem, graph: buildSubtaskGraph(problem, defaultPartition(problem)) };
}

/** Fills candidate slots [0, count) with random candidates, a few of them invalid. */
function fill(write: (i: number, allocation: Int32Array, order: Int32Array) => void, graph: SubtaskGraph, count: number, seed: number): void {
  const random = seededRandom(seed);
  for (let i = 0; i < count; i++) {
    const allocation = randomAllocation(graph, random);
    const order = randomTopologicalOrder(graph, random);
    write(i, i % 13 === 5 ? forbidPool(graph, allocation, random) : allocation, order);
  }
}

/** Every field of the batch's output records (not the padding), as bits: status, sub-task, order index, each term. */
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

test('1, 2 and 3 workers, and this thread, write bit-identical outputs', async () => {
  const { problem, graph } = layered(3000, 21);
  const count = 37;
  const outputs: { label: string; bits: bigint[] }[] = [];
  for (const workers of [1, 2, 3]) {
    const scorer = new KernelScorer(problem, graph, { batchCapacity: count, workers });
    fill((i, a, o) => scorer.arena.setCandidate(i, a, o), graph, count, 99);
    const feasible = await scorer.scoreBatch(count);
    assert.ok(feasible > 0 && feasible < count, `feasible ${feasible} of ${count}`);
    outputs.push({ label: `${workers} worker(s)`, bits: outputBits(scorer.arena, count) });
    if (workers === 1) {
      // Same memory, scored again in this thread (after clobbering the outputs).
      new Uint8Array(scorer.arena.memory.buffer, scorer.arena.layout.output, count * LAYOUT.OUT_STRIDE).fill(0xff);
      scorer.scoreBatchSync(count);
      outputs.push({ label: 'this thread', bits: outputBits(scorer.arena, count) });
    }
    await scorer.close();
  }
  for (const { label, bits } of outputs.slice(1)) assert.equal(bits, outputs[0]!.bits, `${label} vs ${outputs[0]!.label}`);
});

test('the tight TypeScript twin writes the same bits as the kernel', async () => {
  const { problem, graph } = layered(2000, 31);
  const count = 20;
  const scorer = new KernelScorer(problem, graph, { batchCapacity: count, workers: 1 });
  fill((i, a, o) => scorer.arena.setCandidate(i, a, o), graph, count, 5);
  scorer.scoreBatchSync(count);
  const kernelBits = outputBits(scorer.arena, count);
  const arena = new KernelArena(problem, graph, { batchCapacity: count, scratchCount: 1 });
  fill((i, a, o) => arena.setCandidate(i, a, o), graph, count, 5);
  new TightKernel(arena.memory).evaluate(0, count, 0);
  assert.equal(outputBits(arena, count), kernelBits);
  await scorer.close();
});

test('grouped prefetch loads change no result', async () => {
  const { problem, graph } = layered(1500, 41);
  const count = 6;
  const bits = [0, 4, 16].map((prefetchGroup) => {
    const arena = new KernelArena(problem, graph, { batchCapacity: count, scratchCount: 1, prefetchGroup });
    fill((i, a, o) => arena.setCandidate(i, a, o), graph, count, 8);
    new TightKernel(arena.memory).evaluate(0, count, 0);
    return outputBits(arena, count);
  });
  assert.equal(bits[1], bits[0]);
  assert.equal(bits[2], bits[0]);
});

test('one worker pool serves several problems, each scored in its own memory', async () => {
  const pool = createKernelPool({ workers: 2 });
  try {
    const problems = [layered(500, 1), layered(800, 2), layered(500, 3)];
    for (let round = 0; round < 2; round++) {
      for (const [k, { problem, graph }] of problems.entries()) {
        const scorer = new KernelScorer(problem, graph, { batchCapacity: 8, pool });
        fill((i, a, o) => scorer.arena.setCandidate(i, a, o), graph, 8, 40 + k);
        await scorer.scoreBatch(8);
        const viaWorkers = outputBits(scorer.arena, 8);
        scorer.scoreBatchSync(8);
        assert.equal(viaWorkers, outputBits(scorer.arena, 8), `problem ${k}, round ${round}`);
        await scorer.close();
      }
    }
  } finally {
    await pool.close();
  }
});

test('candidate views are the memory itself, and results read back as terms', async () => {
  const { problem, graph } = layered(300, 9);
  const scorer = new KernelScorer(problem, graph, { batchCapacity: 2, workers: 1 });
  const { allocation, order } = scorer.candidateViews(1);
  assert.is(allocation.buffer, scorer.arena.memory.buffer);
  assert.is(scorer.candidateViews(1).allocation, allocation, 'the same views every call');
  allocation.fill(0);
  order.set(graph.order);
  order[0] = order[1]!; // listed twice
  const copy = scorer.candidateViews(0);
  copy.allocation.fill(2);
  copy.order.set(graph.order);
  assert.is(scorer.scoreBatchSync(2), 1);
  const ok = scorer.result(0);
  assert.ok(ok.state === 'ok' && ok.terms.makespanS > 0 && ok.terms.objective === scorer.objective(0));
  const bad = scorer.result(1);
  assert.ok(bad.state === 'invalid' && bad.status === 'not-permutation' && bad.orderIndex === 1, JSON.stringify(bad));
  assert.ok(Number.isNaN(scorer.objective(1)));
  assert.throws(() => scorer.scoreBatchSync(3), /count must be an integer in \[0, 2\]/);
  assert.throws(() => scorer.candidateViews(2), /outside the batch/);
  await scorer.close();
  assert.throws(() => scorer.scoreBatchSync(1), /closed/);
});

test.run();
