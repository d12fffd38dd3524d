/**
 * fast-check generators for random task definitions and resource maps (plain JSON objects,
 * as a user would write them), so properties run through the real validators too.
 */
import fc from 'fast-check';
import { MAX_CHUNKS_PER_STAGE } from '../../src/model/limits.js';

export interface RandomCase {
  readonly task: Record<string, unknown>;
  readonly pools: Record<string, unknown>;
  readonly objective: 'weighted' | 'makespan' | 'cost';
}

const stageArbitrary = fc.record({
  divisible: fc.boolean(),
  runtimeS: fc.double({ min: 0.1, max: 2000, noNaN: true }),
  units: fc.integer({ min: 1, max: 5000 }),
  minChunk: fc.integer({ min: 1, max: 50 }),
  chunkSpan: fc.integer({ min: 0, max: 2000 }),
  outputBytes: fc.oneof(fc.constant(0), fc.double({ min: 1, max: 5e9, noNaN: true })),
  memGb: fc.option(fc.double({ min: 0.5, max: 16, noNaN: true }), { nil: undefined }),
  knownRuntime: fc.boolean(),
  dependencyMask: fc.array(fc.boolean(), { maxLength: 6 }),
  unknownRuntime: fc.boolean(),
  overheadS: fc.double({ min: 0, max: 5, noNaN: true }),
});

const poolArbitrary = fc.record({
  region: fc.integer({ min: 0, max: 2 }),
  slots: fc.integer({ min: 1, max: 8 }),
  speed: fc.double({ min: 0.5, max: 2, noNaN: true }),
  memGbPerSlot: fc.double({ min: 4, max: 32, noNaN: true }),
  priceUsdPerSlotHour: fc.double({ min: 0, max: 0.2, noNaN: true }),
  startupS: fc.double({ min: 0, max: 120, noNaN: true }),
  interruptionPerHour: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.5, noNaN: true })),
  dispatchOverheadS: fc.double({ min: 0, max: 5, noNaN: true }),
  capacityDip: fc.option(fc.record({ atS: fc.double({ min: 1, max: 3000, noNaN: true }), lengthS: fc.double({ min: 1, max: 3000, noNaN: true }), slots: fc.integer({ min: 0, max: 4 }) }), { nil: undefined }),
});

export const randomCase: fc.Arbitrary<RandomCase> = fc
  .record({
    stages: fc.array(stageArbitrary, { minLength: 1, maxLength: 18 }),
    pools: fc.array(poolArbitrary, { minLength: 1, maxLength: 4 }),
    objective: fc.constantFrom('weighted' as const, 'makespan' as const, 'cost' as const),
    usdPerHour: fc.double({ min: 0, max: 50, noNaN: true }),
  })
  .map(({ stages, pools, objective, usdPerHour }) => {
    const poolIds = pools.map((_, i) => `pool${i}`);
    const largestSlotGb = Math.max(...pools.map((p) => p.memGbPerSlot));
    const stageList = stages.map((s, i) => {
      // Depend on some of the (up to six) previous stages: always a DAG.
      const after = s.dependencyMask.map((on, k) => (on && i - 1 - k >= 0 ? `s${i - 1 - k}` : undefined)).filter((x): x is string => x !== undefined);
      const base: Record<string, unknown> = { id: `s${i}`, op: `op${i % 3}`, after, overheadS: s.overheadS };
      if (s.memGb !== undefined) base.memGb = Math.min(s.memGb, largestSlotGb);
      if (s.knownRuntime && !s.divisible) base.runtimeByPoolS = { [poolIds[i % poolIds.length]!]: s.runtimeS / 2 };
      if (s.divisible) {
        const minChunk = Math.min(s.minChunk, s.units);
        // maxChunk ≥ 2·minChunk − 1 makes every size ≥ minChunk cuttable (the validator rejects the rest).
        // At least units / MAX_CHUNKS_PER_STAGE: the validator refuses stages that need more chunks.
        const maxChunk = Math.min(s.units, Math.max(2 * minChunk - 1, minChunk + s.chunkSpan, Math.ceil(s.units / MAX_CHUNKS_PER_STAGE)));
        Object.assign(base, { items: s.units, minChunk, maxChunk, outputBytesPerItem: s.outputBytes / s.units });
        if (!s.unknownRuntime) base.runtimePerItemS = s.runtimeS / s.units;
      } else {
        base.outputBytes = s.outputBytes;
        if (!s.unknownRuntime) base.runtimeS = s.runtimeS;
      }
      return base;
    });
    const regions = [...new Set(pools.map((p) => `r${p.region}`))];
    const links = [];
    for (let a = 0; a < regions.length; a++) {
      for (let b = a + 1; b < regions.length; b++) links.push({ from: regions[a], to: regions[b], latencyMs: 10 * (a + b), bandwidthMBps: 50 + 25 * a, egressUsdPerGb: 0.05 });
    }
    const poolList = pools.map((p, i) => {
      const pool: Record<string, unknown> = {
        id: poolIds[i],
        region: `r${p.region}`,
        slots: p.slots,
        speed: p.speed,
        memGbPerSlot: p.memGbPerSlot,
        priceUsdPerSlotHour: p.priceUsdPerSlotHour,
        startupS: p.startupS,
        interruptionPerHour: p.interruptionPerHour,
        dispatchOverheadS: p.dispatchOverheadS,
      };
      if (p.capacityDip !== undefined) {
        const dip = p.capacityDip;
        pool.capacity = [{ atS: dip.atS, slots: Math.min(dip.slots, p.slots) }, { atS: dip.atS + dip.lengthS, slots: p.slots }];
      }
      return pool;
    });
    return {
      task: { name: 'random', stages: stageList, data: [], objective: { usdPerHour } },
      pools: { pools: poolList, network: { links } },
      objective,
    };
  });

/** Seed for this run: APPORTION_SEED if set, else time-based. Printed so a failure can be replayed. */
export function propertySeed(name: string): number {
  const fromEnv = process.env.APPORTION_SEED;
  const seed = fromEnv !== undefined ? Number(fromEnv) : Date.now() % 2 ** 31;
  console.log(`  [${name}] fast-check seed ${seed} (replay with APPORTION_SEED=${seed})`);
  return seed;
}
