/**
 * The LP bound's inter-stage egress, external reads and per-sub-task dispatch terms: valid
 * on random fan-out / fan-in workflows built to exercise them (data with a home, tiny tasks
 * that clustering merges, divisible shuffles across regions), against every constructive
 * planner, the cluster scales the search moves to, and the engine's own plan; and exact on
 * tiny cases worked by hand.
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateCandidate } from '../../src/cost/evaluate.js';
import { createPlanner, planConstructive } from '../../src/plan/planner.js';
import { scheduleVariant } from '../../src/planners/apportion.js';
import { PLANNER_IDS } from '../../src/planners/planner.js';
import { buildVariant } from '../../src/planners/variants.js';
import { lpBound } from '../../src/solve/bound.js';
import { createSolver } from '../../src/solve/create.js';
import { stageData } from '../../src/solve/stage-data.js';
import { propertySeed } from '../helpers/arbitraries.js';
import { problemOf } from '../helpers/problems.js';

const test = suite('LP bound: egress and dispatch overhead');
const highs = createSolver('highs');

const fanArbitrary = fc.record({
  regions: fc.integer({ min: 1, max: 3 }),
  pools: fc.array(
    fc.record({
      region: fc.integer({ min: 0, max: 2 }),
      slots: fc.integer({ min: 1, max: 3 }),
      speed: fc.double({ min: 0.5, max: 2, noNaN: true }),
      priceUsdPerSlotHour: fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 2, noNaN: true })),
      startupS: fc.double({ min: 0, max: 60, noNaN: true }),
      interruptionPerHour: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 2, noNaN: true })),
      dispatchOverheadS: fc.oneof(fc.constant(0), fc.double({ min: 0.1, max: 10, noNaN: true })),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  egressUsdPerGb: fc.array(fc.double({ min: 0, max: 0.5, noNaN: true }), { minLength: 3, maxLength: 3 }),
  homeRegion: fc.integer({ min: 0, max: 2 }),
  sharedBytes: fc.double({ min: 0, max: 5e9, noNaN: true }),
  fan: fc.array(fc.record({ runtimeS: fc.double({ min: 0.05, max: 30, noNaN: true }), ownBytes: fc.oneof(fc.constant(0), fc.double({ min: 1, max: 2e9, noNaN: true })), outputBytes: fc.double({ min: 0, max: 3e9, noNaN: true }), reads: fc.boolean() }), { minLength: 1, maxLength: 24 }),
  chain: fc.array(fc.double({ min: 0.05, max: 30, noNaN: true }), { maxLength: 4 }),
  divisible: fc.option(fc.record({ items: fc.integer({ min: 1, max: 400 }), maxChunk: fc.integer({ min: 1, max: 400 }), runtimePerItemS: fc.double({ min: 0.01, max: 2, noNaN: true }), outputBytesPerItem: fc.double({ min: 0, max: 2e7, noNaN: true }) }), { nil: undefined }),
  objective: fc.constantFrom('weighted' as const, 'makespan' as const, 'cost' as const),
  usdPerHour: fc.double({ min: 0, max: 50, noNaN: true }),
});

type Fan = typeof fanArbitrary extends fc.Arbitrary<infer T> ? T : never;

/** source → fan of tiny tasks of one op (some reading a shared object, some their own) → join [→ divisible shuffle]. */
function fanCase(c: Fan) {
  const regionOf = (r: number): string => `r${r % c.regions}`;
  const home = regionOf(c.homeRegion);
  // Links only between regions in use (the validator refuses others).
  const regions = [...new Set([home, ...c.pools.map((p) => regionOf(p.region))])].sort();
  const links = [];
  for (let a = 0; a < regions.length; a++) for (let b = a + 1; b < regions.length; b++) links.push({ from: regions[a], to: regions[b], latencyMs: 5, bandwidthMBps: 500, egressUsdPerGb: c.egressUsdPerGb[a + b - 1]! });
  const pools = c.pools.map((p, i) => ({ id: `p${i}`, region: regionOf(p.region), slots: p.slots, speed: p.speed, memGbPerSlot: 8, priceUsdPerSlotHour: p.priceUsdPerSlotHour, startupS: p.startupS, interruptionPerHour: p.interruptionPerHour, dispatchOverheadS: p.dispatchOverheadS }));
  const data: Record<string, unknown>[] = [{ id: 'shared', bytes: c.sharedBytes, home }];
  const stages: Record<string, unknown>[] = [{ id: 'src', op: 'split', runtimeS: 1, outputBytes: 1e8, inputs: ['shared'] }];
  c.fan.forEach((f, i) => {
    const inputs: string[] = f.reads ? ['shared'] : [];
    if (f.ownBytes > 0) {
      data.push({ id: `own${i}`, bytes: f.ownBytes, home });
      inputs.push(`own${i}`);
    }
    stages.push({ id: `t${i}`, op: 'tiny', after: ['src'], runtimeS: f.runtimeS, outputBytes: f.outputBytes, inputs });
  });
  stages.push({ id: 'join', op: 'join', after: c.fan.map((_, i) => `t${i}`), runtimeS: 2, outputBytes: 5e8 });
  // A pipeline after the join: vertical clustering may run it (with the join) as one sub-task.
  let last = 'join';
  c.chain.forEach((runtimeS, i) => {
    stages.push({ id: `c${i}`, op: `step${i}`, after: [last], runtimeS, outputBytes: 1e8 });
    last = `c${i}`;
  });
  if (c.divisible !== undefined) {
    const d = c.divisible;
    stages.push({ id: 'shuffle', op: 'shuffle', after: [last], items: d.items, minChunk: 1, maxChunk: Math.min(d.maxChunk, d.items), runtimePerItemS: d.runtimePerItemS, outputBytesPerItem: d.outputBytesPerItem });
    stages.push({ id: 'sink', op: 'sink', after: ['shuffle'], runtimeS: 1 });
  }
  return problemOf({ name: 'fan', stages, data, objective: { usdPerHour: c.usdPerHour } }, { pools, network: { links } }, { objective: c.objective });
}

test('property: with egress, external data, clustering and dispatch overhead, the bound is ≤ every plan the planners produce', async () => {
  const seed = propertySeed('LP bound validity, egress and dispatch');
  const runs = Number(process.env.APPORTION_RUNS ?? 60);
  let checked = 0;
  let clustered = 0;
  await fc.assert(
    fc.asyncProperty(fanArbitrary, async (c) => {
      const problem = fanCase(c);
      const bound = await lpBound(problem, highs, { timeLimitMs: 10_000 });
      if (bound.state !== 'lp') throw new Error(`LP failed: ${bound.notes.join('; ')}`);
      const objectives: [string, number, number][] = [];
      for (const planner of PLANNER_IDS) {
        const { summary } = planConstructive(problem, { planner }).plan;
        objectives.push([planner, summary.objective, summary.makespanS]);
      }
      // The cluster scales and splits the search's partition moves reach, with and without vertical chains.
      for (const clusterScale of [1 / 8, 1, 8, 1e6]) {
        for (const [split, vertical] of [['even', false], ['dlt', false], ['even', true], ['dlt', true]] as const) {
          const variant = buildVariant(problem, { split, cluster: true, chunkScale: 1, clusterScale, vertical });
          if (variant.graph.nodeCount < problem.stages.nodeCount) clustered++;
          for (const candidate of scheduleVariant(problem, variant)) {
            const scored = evaluateCandidate(problem, candidate);
            objectives.push([`${split}${vertical ? ' chains' : ''} clusters ×${clusterScale}`, scored.terms.objective, scored.terms.makespanS]);
          }
        }
      }
      for (const [who, objective, makespanS] of objectives) {
        if (bound.makespanS > makespanS * (1 + 1e-9) + 1e-9) throw new Error(`${who}: makespan ${makespanS} < bound ${bound.makespanS}`);
        if (bound.objective > objective * (1 + 1e-9) + 1e-9) throw new Error(`${who}: ${c.objective} objective ${objective} < bound ${bound.objective}`);
      }
      checked++;
    }),
    { seed, numRuns: runs },
  );
  assert.is(checked, runs);
  assert.ok(clustered > 0, 'some cases were clustered');
});

test('property: the engine’s searched plan is never below the bound', async () => {
  const seed = propertySeed('LP bound validity, engine search');
  const runs = Math.max(1, Math.round(Number(process.env.APPORTION_RUNS ?? 60) / 6));
  const planner = await createPlanner({ scorer: 'reference', solver: 'none', workers: 1, batchSize: 8 });
  try {
    await fc.assert(
      fc.asyncProperty(fanArbitrary, async (c) => {
        const problem = fanCase(c);
        const bound = await lpBound(problem, highs, { timeLimitMs: 10_000 });
        const outcome = await planner.plan(problem, { timeBudgetMs: 60_000, maxBatches: 4, seed: 3 });
        const { summary } = outcome.plan;
        if (bound.objective > summary.objective * (1 + 1e-9) + 1e-9) throw new Error(`engine: ${c.objective} objective ${summary.objective} < bound ${bound.objective}`);
        if (bound.makespanS > summary.makespanS * (1 + 1e-9) + 1e-9) throw new Error(`engine: makespan ${summary.makespanS} < bound ${bound.makespanS}`);
      }),
      { seed, numRuns: runs },
    );
  } finally {
    await planner.close();
  }
});

/** One region pair A (free, 1 slot) and B (priced), data at home in A. */
function tiny(stages: unknown[], pools: unknown[], links: unknown[], objective: 'weighted' | 'cost' | 'makespan', data: unknown[] = []) {
  return problemOf({ name: 'tiny', stages, data, objective: { usdPerHour: 0 } }, { pools, network: { links } }, { objective });
}

test('inter-stage egress: a → b forced into different regions pays bytes × egress', async () => {
  // a may run only on pa (region A), b only on pb (region B), 1 GB from a to b at 0.1 USD/GB.
  // Free pools, no dispatch: the cost bound is exactly the egress, 1e9 B × 0.1/1e9 USD/B = 0.1 USD.
  const problem = tiny(
    [
      { id: 'a', op: 'a', runtimeS: 10, outputBytes: 1e9, pools: ['pa'] },
      { id: 'b', op: 'b', after: ['a'], runtimeS: 10, pools: ['pb'] },
    ],
    [
      { id: 'pa', region: 'A', slots: 1, speed: 1, memGbPerSlot: 8, priceUsdPerSlotHour: 0, startupS: 0, interruptionPerHour: 0, dispatchOverheadS: 0 },
      { id: 'pb', region: 'B', slots: 1, speed: 1, memGbPerSlot: 8, priceUsdPerSlotHour: 0, startupS: 0, interruptionPerHour: 0, dispatchOverheadS: 0 },
    ],
    [{ from: 'A', to: 'B', latencyMs: 0, bandwidthMBps: 1000, egressUsdPerGb: 0.1 }],
    'cost',
  );
  const bound = await lpBound(problem, highs, { timeLimitMs: 5000 });
  assert.ok(Math.abs(bound.objective - 0.1) < 1e-6, `bound ${bound.objective}`);
  const plan = planConstructive(problem).plan.summary;
  assert.ok(bound.objective <= plan.objective + 1e-12);
});

test('inter-stage egress: with both regions allowed, the LP keeps a and b together and pays none', async () => {
  // Same pair, both stages allowed everywhere: (X_a(r) − X_b(r))⁺ = 0 when both sit in one
  // region, so the cost bound is 0 (the free plan puts both on pa).
  const problem = tiny(
    [
      { id: 'a', op: 'a', runtimeS: 10, outputBytes: 1e9 },
      { id: 'b', op: 'b', after: ['a'], runtimeS: 10 },
    ],
    [
      { id: 'pa', region: 'A', slots: 1, speed: 1, memGbPerSlot: 8, priceUsdPerSlotHour: 0, startupS: 0, interruptionPerHour: 0, dispatchOverheadS: 0 },
      { id: 'pb', region: 'B', slots: 1, speed: 1, memGbPerSlot: 8, priceUsdPerSlotHour: 0, startupS: 0, interruptionPerHour: 0, dispatchOverheadS: 0 },
    ],
    [{ from: 'A', to: 'B', latencyMs: 0, bandwidthMBps: 1000, egressUsdPerGb: 0.1 }],
    'cost',
  );
  const bound = await lpBound(problem, highs, { timeLimitMs: 5000 });
  assert.ok(Math.abs(bound.objective) < 1e-9, `bound ${bound.objective}`);
});

test('per-sub-task dispatch: four whole tasks on one slot pay four dispatches in the makespan and the price', async () => {
  // One pool, 1 slot, dispatch 5 s, price 3.6 USD/slot-hour (0.001 USD/slot-s); four atomic
  // tasks of 10 s in a fan (no chain longer than 1), four stages of different ops, so no
  // clustering: busy = 4 × (5 + 10) = 60 s on the one slot, so makespan ≥ 60 s (the old bound
  // charged dispatch once per slot: 5 + 40 = 45 s), and cost ≥ 60 × 0.001 = 0.06 USD.
  const pools = [{ id: 'p', region: 'A', slots: 1, speed: 1, memGbPerSlot: 8, priceUsdPerSlotHour: 3.6, startupS: 0, interruptionPerHour: 0, dispatchOverheadS: 5 }];
  const stages = ['w', 'x', 'y', 'z'].map((id) => ({ id, op: id, runtimeS: 10 }));
  const makespan = await lpBound(tiny(stages, pools, [], 'makespan'), highs, { timeLimitMs: 5000 });
  assert.ok(Math.abs(makespan.makespanS - 60) < 1e-6, `makespan bound ${makespan.makespanS}`);
  const cost = await lpBound(tiny(stages, pools, [], 'cost'), highs, { timeLimitMs: 5000 });
  assert.ok(Math.abs(cost.objective - 0.06) < 1e-8, `cost bound ${cost.objective}`);
});

test('per-sub-task dispatch: a family clustering may merge pays at least one dispatch per slot', async () => {
  // Eight 1 s tasks of one op and level on a pool with 2 slots and dispatch 4 s: more tasks
  // than slots, so clustering may merge them into as few as 2 clusters (family minimum 2).
  // Busy ≥ 8 × 1 + 2 × 4 = 16 slot-s over 2 slots: makespan ≥ 8 s; price 3.6 USD/h → cost ≥ 0.016 USD.
  const pools = [{ id: 'p', region: 'A', slots: 2, speed: 1, memGbPerSlot: 8, priceUsdPerSlotHour: 3.6, startupS: 0, interruptionPerHour: 0, dispatchOverheadS: 4 }];
  const stages = Array.from({ length: 8 }, (_, i) => ({ id: `t${i}`, op: 'tiny', runtimeS: 1 }));
  const problem = tiny(stages, pools, [], 'cost');
  const data = stageData(problem);
  assert.equal([...data.familyMinSubtasks], [2]);
  const cost = await lpBound(problem, highs, { timeLimitMs: 5000 });
  assert.ok(Math.abs(cost.objective - 0.016) < 1e-8, `cost bound ${cost.objective}`);
  const makespan = await lpBound(tiny(stages, pools, [], 'makespan'), highs, { timeLimitMs: 5000 });
  assert.ok(Math.abs(makespan.makespanS - 8) < 1e-6, `makespan bound ${makespan.makespanS}`);
  for (const clusterScale of [1, 1e6]) {
    const variant = buildVariant(problem, { split: 'even', cluster: true, chunkScale: 1, clusterScale });
    for (const candidate of scheduleVariant(problem, variant)) assert.ok(evaluateCandidate(problem, candidate).terms.objective >= cost.objective - 1e-12);
  }
});

test('divisible stage: each chunk pays its dispatch, at least ⌈units / maxChunk⌉ chunks', async () => {
  // 100 items of 0.1 s, maxChunk 25, dispatch 2 s, one slot: ≥ 4 chunks, busy ≥ 10 + 4 × 2 = 18 s.
  const pools = [{ id: 'p', region: 'A', slots: 1, speed: 1, memGbPerSlot: 8, priceUsdPerSlotHour: 0, startupS: 0, interruptionPerHour: 0, dispatchOverheadS: 2 }];
  const stages = [{ id: 'd', op: 'd', items: 100, minChunk: 1, maxChunk: 25, runtimePerItemS: 0.1 }];
  const bound = await lpBound(tiny(stages, pools, [], 'makespan'), highs, { timeLimitMs: 5000 });
  assert.ok(Math.abs(bound.makespanS - 18) < 1e-6, `makespan bound ${bound.makespanS}`);
});

test('external data read away from home: a single reader pays its share linearly, a shared object once per region', async () => {
  // Data home A; the only pool is in B (0.2 USD/GB); free compute, no dispatch. Stage a reads
  // its own 2 GB object (0.4 USD) and, with b, a shared 1 GB object (0.2 USD once): 0.6 USD.
  const problem = tiny(
    [
      { id: 'a', op: 'a', runtimeS: 1, inputs: ['own', 'shared'] },
      { id: 'b', op: 'b', runtimeS: 1, inputs: ['shared'] },
    ],
    [{ id: 'pb', region: 'B', slots: 1, speed: 1, memGbPerSlot: 8, priceUsdPerSlotHour: 0, startupS: 0, interruptionPerHour: 0, dispatchOverheadS: 0 }],
    [{ from: 'A', to: 'B', latencyMs: 0, bandwidthMBps: 1000, egressUsdPerGb: 0.2 }],
    'cost',
    [
      { id: 'own', bytes: 2e9, home: 'A' },
      { id: 'shared', bytes: 1e9, home: 'A' },
    ],
  );
  const bound = await lpBound(problem, highs, { timeLimitMs: 5000 });
  assert.ok(Math.abs(bound.objective - 0.6) < 1e-6, `bound ${bound.objective}`);
  assert.ok(bound.objective <= planConstructive(problem).plan.summary.objective + 1e-12);
});

test.run();
