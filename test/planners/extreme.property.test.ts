/**
 * Every valid input is planned: random small definitions and resource maps whose numbers
 * span the whole valid range (up to the maxima in model/limits.ts), for every planner. Each
 * outcome is a valid plan with a finite objective and finite terms and a sub-task count
 * within the chunk caps, or an InputError; never another error.
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../src/model/issues.js';
import { MAX_BYTES, MAX_CHUNKS_TOTAL, MAX_SECONDS, MAX_SLOTS, MAX_UNITS } from '../../src/model/limits.js';
import { planConstructive } from '../../src/plan/planner.js';
import { checkPlanValidity } from '../../src/plan/check.js';
import { stageChunkCap } from '../../src/planners/partition.js';
import { PLANNER_IDS } from '../../src/planners/planner.js';
import { propertySeed } from '../helpers/arbitraries.js';
import { problemOf } from '../helpers/problems.js';

const test = suite('extreme but valid numbers: a finite plan within the caps, or an InputError (property)');

/** 10^e for e uniform in [lo, hi]: every order of magnitude equally likely. */
const magnitude = (lo: number, hi: number): fc.Arbitrary<number> => fc.double({ min: lo, max: hi, noNaN: true }).map((e) => 10 ** e);
const orZero = (arb: fc.Arbitrary<number>): fc.Arbitrary<number> => fc.oneof(fc.constant(0), arb);

const stageArbitrary = fc.record({
  divisible: fc.boolean(),
  totalRuntimeS: fc.option(orZero(magnitude(-3, Math.log10(MAX_SECONDS))), { nil: undefined }),
  items: magnitude(0, Math.log10(MAX_UNITS)).map((x) => Math.max(1, Math.min(MAX_UNITS, Math.floor(x)))),
  minChunkShare: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
  outputBytes: orZero(magnitude(0, Math.log10(MAX_BYTES))),
  overheadS: orZero(magnitude(-3, 6)),
  dependencyMask: fc.array(fc.boolean(), { maxLength: 3 }),
  readsData: fc.boolean(),
  onlyPool: fc.option(fc.nat(2), { nil: undefined }),
});

const poolArbitrary = fc.record({
  region: fc.nat(1),
  slots: fc.oneof(fc.constant(1), fc.constant(MAX_SLOTS / 10), magnitude(0, 5).map((x) => Math.max(1, Math.floor(x)))),
  speed: fc.oneof(fc.constant(1), magnitude(-6, 6)),
  price: orZero(magnitude(-6, 6)),
  startupS: orZero(magnitude(0, 9)),
  interruptionPerHour: fc.oneof(fc.constant(0), magnitude(-6, 12)),
  dispatchOverheadS: orZero(magnitude(-3, 4)),
  capacity: fc.option(fc.record({ atS: magnitude(0, 7), slots: fc.nat(3), backAfterS: fc.option(magnitude(0, 6), { nil: undefined }) }), { nil: undefined }),
});

const caseArbitrary = fc
  .record({
    stages: fc.array(stageArbitrary, { minLength: 1, maxLength: 5 }),
    pools: fc.array(poolArbitrary, { minLength: 1, maxLength: 3 }),
    dataBytes: magnitude(0, Math.log10(MAX_BYTES)),
    link: fc.record({ bandwidthMBps: magnitude(-6, 12), latencyMs: orZero(magnitude(0, 6)), egressUsdPerGb: orZero(magnitude(-3, 6)) }),
    objective: fc.constantFrom('weighted' as const, 'makespan' as const, 'cost' as const),
    usdPerHour: orZero(magnitude(-3, 9)),
  })
  .map(({ stages, pools, dataBytes, link, objective, usdPerHour }) => {
    const poolIds = pools.map((_, i) => `pool${i}`);
    const stageList = stages.map((s, i) => {
      const after = s.dependencyMask.map((on, k) => (on && i - 1 - k >= 0 ? `s${i - 1 - k}` : undefined)).filter((x): x is string => x !== undefined);
      const stage: Record<string, unknown> = { id: `s${i}`, after, overheadS: s.overheadS };
      if (s.readsData) stage.inputs = ['d'];
      if (s.onlyPool !== undefined) stage.pools = [poolIds[s.onlyPool % poolIds.length]];
      if (s.divisible) {
        const minChunk = Math.max(1, Math.floor(s.minChunkShare * s.items));
        // Cuttable (maxChunk ≥ 2·minChunk − 1) and within 512 chunks per stage, so most cases are valid.
        const maxChunk = Math.min(s.items, Math.max(2 * minChunk - 1, Math.ceil(s.items / 512)));
        Object.assign(stage, { items: s.items, minChunk, maxChunk, outputBytesPerItem: s.outputBytes / s.items });
        if (s.totalRuntimeS !== undefined) stage.runtimePerItemS = s.totalRuntimeS / s.items;
      } else {
        stage.outputBytes = s.outputBytes;
        if (s.totalRuntimeS !== undefined) stage.runtimeS = s.totalRuntimeS;
      }
      return stage;
    });
    const poolList = pools.map((p, i) => {
      const pool: Record<string, unknown> = {
        id: poolIds[i],
        region: `r${p.region}`,
        slots: p.slots,
        speed: p.speed,
        priceUsdPerSlotHour: p.price,
        startupS: p.startupS,
        interruptionPerHour: p.interruptionPerHour,
        dispatchOverheadS: p.dispatchOverheadS,
      };
      if (p.capacity !== undefined) {
        const steps = [{ atS: p.capacity.atS, slots: Math.min(p.capacity.slots, p.slots) }];
        if (p.capacity.backAfterS !== undefined) steps.push({ atS: p.capacity.atS + p.capacity.backAfterS, slots: p.slots });
        pool.capacity = steps;
      }
      return pool;
    });
    const regions = [...new Set(poolList.map((p) => p.region as string))];
    const links = regions.length === 2 ? [{ from: regions[0], to: regions[1], ...link }] : [];
    return {
      task: { name: 'extreme', stages: stageList, data: [{ id: 'd', bytes: dataBytes, home: regions[0] }], objective: { usdPerHour } },
      pools: { pools: poolList, network: { links } },
      objective,
    };
  });

test('every planner: a valid plan with finite objective and terms within the caps, or an InputError', () => {
  const seed = propertySeed('extreme numbers');
  const runs = Number(process.env.APPORTION_RUNS ?? 40);
  let planned = 0;
  let refused = 0;
  fc.assert(
    fc.property(caseArbitrary, (c) => {
      let problem;
      try {
        problem = problemOf(c.task, c.pools, { objective: c.objective });
      } catch (error) {
        if (error instanceof InputError) {
          refused++;
          return;
        }
        throw error;
      }
      const atomic = problem.definition.stages.filter((s) => s.kind === 'atomic').length;
      for (const planner of PLANNER_IDS) {
        let outcome;
        try {
          outcome = planConstructive(problem, { planner });
        } catch (error) {
          if (error instanceof InputError) {
            refused++;
            continue;
          }
          throw new Error(`${planner}: ${(error as Error).stack ?? String(error)}`);
        }
        const { scored, plan } = outcome;
        for (const [term, value] of Object.entries(scored.terms)) assert.ok(Number.isFinite(value), `${planner}: term ${term} is ${value}`);
        assert.ok(Number.isFinite(plan.summary.objective), `${planner}: objective ${plan.summary.objective}`);
        assert.ok(scored.graph.nodeCount <= atomic + MAX_CHUNKS_TOTAL, `${planner}: ${scored.graph.nodeCount} sub-tasks`);
        const perStage = new Array<number>(problem.stages.nodeCount).fill(0);
        for (let s = 0; s < scored.graph.nodeCount; s++) perStage[scored.graph.partition.members[scored.graph.partition.memberStart[s]!]!]!++;
        perStage.forEach((count, v) => {
          if (problem.definition.stages[v]!.kind === 'divisible') assert.ok(count <= stageChunkCap(problem, v), `${planner}: stage ${v} cut into ${count}`);
        });
        const errors = checkPlanValidity(problem, scored);
        assert.equal(errors.slice(0, 3), [], `${planner}: plan validity`);
        planned++;
      }
    }),
    { seed, numRuns: runs },
  );
  console.log(`  [extreme numbers] ${planned} plans, ${refused} refusals with an InputError`);
  assert.ok(planned + refused >= runs);
});

test.run();
