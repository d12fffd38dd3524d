/**
 * One suite, run against every implementation of the evaluate loop (the WASM kernel in
 * this thread, the WASM kernel in Piscina workers, the tight TypeScript twin): each must
 * agree with the reference cost model (src/cost/evaluate.ts) on every term within 1e-9
 * relative, and report the reference's status for invalid candidates.
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { PartialSchedule } from '../../src/cost/simulate.js';
import type { Terms } from '../../src/cost/terms.js';
import { assembleProblem, type Problem } from '../../src/model/problem.js';
import { buildSubtaskGraph, PartitionBuilder, type SubtaskGraph } from '../../src/model/subtasks.js';
import { planConstructive } from '../../src/plan/planner.js';
import { defaultPartition } from '../../src/planners/partition.js';
import { randomTopologicalOrder } from '../../src/model/graph.js';
import { PLANNER_IDS } from '../../src/planners/planner.js';
import { layeredDag, seededRandom, syntheticPools } from '../../src/synthetic/layered.js';
import { propertySeed, randomCase } from '../helpers/arbitraries.js';
import { problemOf } from '../helpers/problems.js';
import {
  breakTopology,
  differences,
  forbidPool,
  partialOf,
  randomAllocation,
  randomAvailability,
  referenceAnswer,
  tightTypeScript,
  wasmInThread,
  wasmWorkers,
  type Implementation,
} from './helpers.js';

interface Candidate {
  readonly allocation: Int32Array;
  readonly order: Int32Array;
  readonly label: string;
}

/** Writes the candidates, scores them in one batch, and lists every disagreement with the reference. */
async function disagreements(implementation: Implementation, problem: Problem, graph: SubtaskGraph, candidates: readonly Candidate[], partial?: PartialSchedule): Promise<string[]> {
  const session = implementation.open(problem, graph, candidates.length, partial);
  try {
    candidates.forEach((c, i) => session.write(i, c.allocation, c.order));
    await session.score(candidates.length);
    return candidates.flatMap((c, i) => differences(session.result(i), referenceAnswer(problem, graph, c.allocation, c.order, partial)).map((d) => `${c.label}: ${d}`));
  } finally {
    await session.close();
  }
}

/** Valid candidates (the planner's own, random ones) and invalid ones (non-topological, forbidden pool). */
function candidatesFor(graph: SubtaskGraph, random: () => number, planned?: { allocation: Int32Array; order: Int32Array }): Candidate[] {
  const out: Candidate[] = [];
  if (planned !== undefined) out.push({ ...planned, label: 'planned' });
  out.push({ allocation: randomAllocation(graph, random), order: Int32Array.from(graph.order), label: 'random pools, graph order' });
  for (let k = 0; k < 3; k++) out.push({ allocation: randomAllocation(graph, random), order: randomTopologicalOrder(graph, random), label: `random pools, random order ${k}` });
  const allocation = randomAllocation(graph, random);
  const order = randomTopologicalOrder(graph, random);
  const broken = breakTopology(graph, order, random);
  if (broken !== undefined) out.push({ allocation, order: broken, label: 'non-topological order' });
  out.push({ allocation: forbidPool(graph, allocation, random), order, label: 'forbidden pool' });
  return out;
}

/** Sub-task graphs of a problem: every planner's, and the default partition's. */
function graphsOf(problem: Problem): { graph: SubtaskGraph; planned?: { allocation: Int32Array; order: Int32Array }; source: string }[] {
  const out: { graph: SubtaskGraph; planned?: { allocation: Int32Array; order: Int32Array }; source: string }[] = [{ graph: buildSubtaskGraph(problem, defaultPartition(problem)), source: 'default partition' }];
  for (const planner of PLANNER_IDS) {
    const { scored } = planConstructive(problem, { planner });
    out.push({ graph: scored.graph, planned: { allocation: scored.allocation, order: scored.order }, source: `planner ${planner}` });
  }
  return out;
}

const twoRegions = {
  pools: [
    { id: 'a', region: 'A', slots: 1, priceUsdPerSlotHour: 0 },
    { id: 'b', region: 'B', slots: 2, priceUsdPerSlotHour: 3.6 },
  ],
  network: { links: [{ from: 'A', to: 'B', latencyMs: 20, bandwidthMBps: 100, egressUsdPerGb: 0.09 }] },
};

/** Every stage whole, in index order. */
function wholeStages(problem: Problem): SubtaskGraph {
  const builder = new PartitionBuilder();
  problem.definition.stages.forEach((_, v) => builder.addGroup([v]));
  return buildSubtaskGraph(problem, builder.build());
}

function kernelContract(implementation: Implementation): void {
  const test = suite(`kernel contract: ${implementation.name}`);

  test.after(() => implementation.dispose());

  test('agrees with the reference on random problems × every planner\'s graph × random candidates (property)', async () => {
    const seed = propertySeed(`kernel contract, ${implementation.name}`);
    const runs = Number(process.env.APPORTION_RUNS ?? 25);
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(randomCase, fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (c, candidateSeed) => {
        const problem = problemOf(c.task, c.pools, { objective: c.objective });
        const random = seededRandom(candidateSeed);
        for (const { graph, planned, source } of graphsOf(problem)) {
          const candidates = candidatesFor(graph, random, planned);
          const wrong = await disagreements(implementation, problem, graph, candidates);
          if (wrong.length > 0) throw new Error(`${source} (${graph.nodeCount} sub-tasks, ${problem.pools.count} pools): ${wrong.slice(0, 4).join('; ')}`);
          compared += candidates.length;
        }
      }),
      // Shrinking re-plans every case: bound it so a failure is reported in a minute.
      { seed, numRuns: runs, interruptAfterTimeLimit: 120_000, markInterruptAsFailure: true },
    );
    assert.ok(compared >= runs * 6, `compared ${compared} candidates`);
  });

  test('agrees with the reference under random availability: hazard, capacity, free slots and price over time (property)', async () => {
    const seed = propertySeed(`kernel contract with availability, ${implementation.name}`);
    const runs = Number(process.env.APPORTION_RUNS ?? 25);
    let compared = 0;
    let contended = 0;
    await fc.assert(
      fc.asyncProperty(randomCase, fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (c, candidateSeed) => {
        const random = seededRandom(candidateSeed);
        const declared = problemOf(c.task, c.pools, { objective: c.objective });
        const problem = problemOf(c.task, c.pools, { objective: c.objective, availability: randomAvailability(declared, random) });
        const graph = buildSubtaskGraph(problem, defaultPartition(problem));
        const candidates = candidatesFor(graph, random);
        for (let k = 0; k < 3; k++) candidates.push({ allocation: randomAllocation(graph, random), order: randomTopologicalOrder(graph, random), label: `more random ${k}` });
        const wrong = await disagreements(implementation, problem, graph, candidates);
        if (wrong.length > 0) throw new Error(`${graph.nodeCount} sub-tasks, ${problem.pools.count} pools: ${wrong.slice(0, 4).join('; ')}`);
        compared += candidates.length;
        for (const candidate of candidates) {
          const answer = referenceAnswer(problem, graph, candidate.allocation, candidate.order);
          if (answer.status === 'ok' && answer.terms.contentionS > 0) contended++;
        }
      }),
      { seed, numRuns: runs, interruptAfterTimeLimit: 120_000, markInterruptAsFailure: true },
    );
    assert.ok(compared >= runs * 6, `compared ${compared} candidates`);
    assert.ok(contended > 0, 'some candidates meet contention');
  });

  test('agrees with the reference around a partial schedule (fixed sub-tasks, nothing new before nowS), with and without availability (property)', async () => {
    const seed = propertySeed(`kernel contract with a partial schedule, ${implementation.name}`);
    const runs = Number(process.env.APPORTION_RUNS ?? 25);
    let compared = 0;
    let withFixed = 0;
    await fc.assert(
      fc.asyncProperty(randomCase, fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.boolean(), async (c, candidateSeed, forecast) => {
        const random = seededRandom(candidateSeed);
        const declared = problemOf(c.task, c.pools, { objective: c.objective });
        const problem = forecast ? problemOf(c.task, c.pools, { objective: c.objective, availability: randomAvailability(declared, random) }) : declared;
        const graph = buildSubtaskGraph(problem, defaultPartition(problem));
        let partial: PartialSchedule | undefined;
        for (let attempt = 0; attempt < 5 && partial === undefined; attempt++) partial = partialOf(problem, graph, randomAllocation(graph, random), randomTopologicalOrder(graph, random), random);
        if (partial === undefined) return;
        if (partial.fixed.size > 0) withFixed++;
        const candidates = candidatesFor(graph, random);
        const wrong = await disagreements(implementation, problem, graph, candidates, partial);
        if (wrong.length > 0) throw new Error(`${graph.nodeCount} sub-tasks (${partial.fixed.size} fixed, now ${partial.nowS} s), ${problem.pools.count} pools${forecast ? ', forecast' : ''}: ${wrong.slice(0, 4).join('; ')}`);
        // A fixed sub-task listed twice is still not a permutation (the reference throws too).
        const [first] = partial.fixed.keys();
        if (first !== undefined && graph.nodeCount > 1) {
          const twice = Int32Array.from(graph.order);
          twice[twice[0] === first ? 1 : 0] = first;
          const session = implementation.open(problem, graph, 1, partial);
          session.write(0, randomAllocation(graph, random), twice);
          await session.score(1);
          const result = session.result(0);
          await session.close();
          if (!(result.state === 'invalid' && result.status === 'not-permutation')) throw new Error(`fixed sub-task ${first} listed twice: ${JSON.stringify(result)}`);
        }
        compared += candidates.length;
      }),
      { seed, numRuns: runs, interruptAfterTimeLimit: 120_000, markInterruptAsFailure: true },
    );
    assert.ok(compared >= runs * 3, `compared ${compared} candidates`);
    assert.ok(withFixed > 0, 'some partial schedules fix sub-tasks');
  });

  test('the planner\'s candidate gets exactly the terms the plan reports', async () => {
    const problem = problemOf(
      { data: [{ id: 'db', bytes: 2e9, home: 'A' }], stages: [{ id: 'x', runtimeS: 10, outputBytes: 1e8, inputs: ['db'] }, { id: 'y', after: ['x'], items: 40, runtimePerItemS: 2, inputs: ['db'] }, { id: 'z', after: ['y'], runtimeS: 5 }] },
      twoRegions,
    );
    const { scored } = planConstructive(problem, { planner: 'apportion' });
    const session = implementation.open(problem, scored.graph, 1);
    session.write(0, scored.allocation, scored.order);
    await session.score(1);
    const result = session.result(0);
    await session.close();
    assert.ok(result.state === 'ok');
    assert.equal(differences(result, { status: 'ok', terms: scored.terms }), []);
  });

  test('capacity windows: a slot that disappears takes no sub-task that would outlive it', async () => {
    const stages = [0, 1, 2, 3].map((i) => ({ id: `t${i}`, runtimeS: 20 }));
    const problem = problemOf({ stages }, { pools: [{ id: 'p', region: 'A', slots: 2, startupS: 5, capacity: [{ atS: 30, slots: 1 }, { atS: 90, slots: 3 }] }] });
    const graph = wholeStages(problem);
    const order = Int32Array.from(graph.order);
    const wrong = await disagreements(implementation, problem, graph, [{ allocation: new Int32Array(4), order, label: 'windows' }]);
    assert.equal(wrong, []);
  });

  test('no slot window long enough: the reference\'s status', async () => {
    const problem = problemOf({ stages: [{ id: 'short', runtimeS: 10 }, { id: 'long', runtimeS: 500 }] }, { pools: [{ id: 'p', region: 'A', slots: 1, capacity: [{ atS: 100, slots: 0 }] }] });
    const graph = wholeStages(problem);
    const session = implementation.open(problem, graph, 1);
    session.write(0, new Int32Array(2), Int32Array.from(graph.order));
    await session.score(1);
    const result = session.result(0);
    await session.close();
    assert.equal(referenceAnswer(problem, graph, new Int32Array(2), Int32Array.from(graph.order)).status, 'no-slot');
    assert.ok(result.state === 'invalid' && result.status === 'no-slot', JSON.stringify(result));
    assert.ok(result.state === 'invalid' && result.subtask === 1);
  });

  test('ties: equal free times, zero durations and start-up take the reference\'s slots', async () => {
    // Zero-length sub-tasks end exactly when they start: best fit must prefer the slot
    // they ended on (freed latest) over never-used slots, as the reference does.
    const stages = [
      { id: 'a', runtimeByPoolS: { p: 0 }, runtimeS: 0.1 },
      { id: 'b', runtimeByPoolS: { p: 0 }, runtimeS: 0.1 },
      { id: 'c', runtimeS: 30 },
      { id: 'd', runtimeS: 30, after: ['a'] },
      { id: 'e', runtimeS: 10, after: ['b'] },
      { id: 'f', runtimeS: 5, after: ['c', 'd'] },
    ];
    const problem = problemOf({ stages }, { pools: [{ id: 'p', region: 'A', slots: 3, startupS: 60 }, { id: 'q', region: 'A', slots: 2 }] });
    const graph = wholeStages(problem);
    const random = seededRandom(7);
    const candidates: Candidate[] = [];
    for (let k = 0; k < 12; k++) candidates.push({ allocation: randomAllocation(graph, random), order: randomTopologicalOrder(graph, random), label: `ties ${k}` });
    assert.equal(await disagreements(implementation, problem, graph, candidates), []);
  });

  test('a whole external object moves to a region once per candidate, whichever reader pays', async () => {
    const problem = problemOf(
      { data: [{ id: 'db', bytes: 1e9, home: 'A' }, { id: 'logs', bytes: 3e9, home: 'B' }], stages: [{ id: 'x', runtimeS: 10, inputs: ['db'] }, { id: 'y', runtimeS: 10, inputs: ['db', 'logs'] }, { id: 'z', items: 30, runtimePerItemS: 1, inputs: ['logs', 'db'] }] },
      twoRegions,
    );
    const builder = new PartitionBuilder();
    builder.addGroup([0]);
    builder.addGroup([1]);
    builder.addChunk(2, 0, 10);
    builder.addChunk(2, 10, 20);
    const graph = buildSubtaskGraph(problem, builder.build());
    const random = seededRandom(11);
    const candidates: Candidate[] = [];
    for (let k = 0; k < 16; k++) candidates.push({ allocation: randomAllocation(graph, random), order: randomTopologicalOrder(graph, random), label: `externals ${k}` });
    // Several candidates in one batch: stamps of one candidate must not leak into the next.
    assert.equal(await disagreements(implementation, problem, graph, candidates), []);
  });

  test('availability by hand: a hazard step, a price step, free slots below use, the start rule on windows', async () => {
    const run = async (problem: Problem, allocation: number[]): Promise<Terms> => {
      const graph = wholeStages(problem);
      const candidate = { allocation: Int32Array.from(allocation), order: Int32Array.from(graph.order), label: 'by hand' };
      assert.equal(await disagreements(implementation, problem, graph, [candidate]), []);
      const session = implementation.open(problem, graph, 1);
      session.write(0, candidate.allocation, candidate.order);
      await session.score(1);
      const result = session.result(0);
      await session.close();
      if (result.state !== 'ok') throw new Error(`not scored: ${result.message}`);
      return result.terms;
    };
    const one = { pools: [{ id: 'p', region: 'A', slots: 1 }] };
    // 100 s over a hazard step at 50 s (0 → 0.01 per s) and a price step at 40 s (1 → 3 mUSD/s).
    const stepped = await run(problemOf({ stages: [{ id: 'x', runtimeS: 100 }] }, one, { availability: { source: 't', pools: [{ atS: [0, 40, 50], slots: [1, 1, 1], hazardPerS: [0, 0, 0.01], priceUsdPerSlotS: [0.001, 0.003, 0.003] }] } }), [0]);
    const expected = Math.expm1(0.5) / 0.005;
    assert.ok(Math.abs(stepped.makespanS - expected) < 1e-9 * expected, `makespan ${stepped.makespanS}`);
    assert.ok(Math.abs(stepped.computeUsd - (0.04 + (expected - 40) * 0.003)) < 1e-12, `compute ${stepped.computeUsd}`);
    // Two 300 s sub-tasks on two slots while the free slots drop to 1 over [100, 200): 100 slot-s.
    const contended = await run(problemOf({ stages: [{ id: 'a', runtimeS: 300 }, { id: 'b', runtimeS: 300 }] }, { pools: [{ id: 'p', region: 'A', slots: 2 }] }, { availability: { source: 't', pools: [{ atS: [0, 100, 200], slots: [2, 2, 2], freeSlots: [2, 1, 2], hazardPerS: [0, 0, 0], priceUsdPerSlotS: [0, 0, 0] }] } }), [0, 0]);
    assert.ok(Math.abs(contended.contentionS - 100) < 1e-9, `contention ${contended.contentionS}`);
    // The start rule: b's duration at its first-found start (50 s) would outlive the window
    // [0, 100); it runs at 200 s instead, where the hazard is 0.
    const windows = await run(
      problemOf({ stages: [{ id: 'a', runtimeS: 50 }, { id: 'b', runtimeS: 40 }] }, { pools: [{ id: 'p', region: 'A', slots: 1, capacity: [{ atS: 100, slots: 0 }, { atS: 200, slots: 1 }] }] }, { availability: { source: 't', pools: [{ atS: [0, 50, 100, 150, 200], slots: [1, 1, 0, 0, 1], hazardPerS: [0, 0.02, 0.02, 0, 0], priceUsdPerSlotS: [0, 0, 0, 0, 0] }] } }),
      [0, 0],
    );
    assert.is(windows.makespanS, 240);
  });

  test('a partial schedule by hand: fixed sub-tasks hold their slots, nothing new starts before nowS', async () => {
    // a (fixed, running on p's only slot over [0, 100]); b waits for the slot; c starts at now = 50 on q.
    const problem = problemOf({ stages: [{ id: 'a', runtimeS: 100 }, { id: 'b', runtimeS: 10 }, { id: 'c', runtimeS: 10 }] }, { pools: [{ id: 'p', region: 'A', slots: 1 }, { id: 'q', region: 'A', slots: 1 }] });
    const graph = wholeStages(problem);
    const partial: PartialSchedule = { nowS: 50, fixed: new Map([[0, { pool: 0, slot: 0, startS: 0, finishS: 100 }]]) };
    const candidate = { allocation: Int32Array.from([1, 0, 1]), order: Int32Array.from([1, 2, 0]), label: 'by hand' };
    assert.equal(await disagreements(implementation, problem, graph, [candidate], partial), []);
    const session = implementation.open(problem, graph, 1, partial);
    session.write(0, candidate.allocation, candidate.order);
    await session.score(1);
    const result = session.result(0);
    await session.close();
    assert.ok(result.state === 'ok' && result.terms.makespanS === 110, JSON.stringify(result));
    assert.throws(() => implementation.open(problem, graph, 1, { nowS: 0, fixed: new Map([[0, { pool: 0, slot: 1, startS: 0, finishS: 1 }]]) }), /partial\.fixed\[0\]\.slot/);
  });

  test('10,000 sub-tasks on 16 pools (layered DAG)', async () => {
    const problem = assembleProblem(layeredDag({ tasks: 10_000, seed: 5 }), syntheticPools({ pools: 16, seed: 6 }));
    const graph = buildSubtaskGraph(problem, defaultPartition(problem));
    assert.is(graph.nodeCount, 10_000);
    const random = seededRandom(12);
    const allocation = randomAllocation(graph, random);
    const candidates: Candidate[] = [
      { allocation, order: Int32Array.from(graph.order), label: 'graph order' },
      { allocation: randomAllocation(graph, random), order: randomTopologicalOrder(graph, random), label: 'random order' },
      { allocation: new Int32Array(graph.nodeCount).fill(3), order: randomTopologicalOrder(graph, random), label: 'one pool' },
    ];
    assert.equal(await disagreements(implementation, problem, graph, candidates), []);
  });

  test('10,000 sub-tasks on 16 pools under a random forecast', async () => {
    const declared = assembleProblem(layeredDag({ tasks: 10_000, seed: 5 }), syntheticPools({ pools: 16, seed: 6 }));
    const random = seededRandom(13);
    const problem = assembleProblem(declared.definition, declared.resources, { availability: randomAvailability(declared, random) });
    const graph = buildSubtaskGraph(problem, defaultPartition(problem));
    const candidates: Candidate[] = [
      { allocation: randomAllocation(graph, random), order: Int32Array.from(graph.order), label: 'graph order' },
      { allocation: randomAllocation(graph, random), order: randomTopologicalOrder(graph, random), label: 'random order' },
    ];
    assert.equal(await disagreements(implementation, problem, graph, candidates), []);
  });

  test.run();
}

kernelContract(wasmInThread());
kernelContract(wasmWorkers(2));
kernelContract(tightTypeScript());
