/**
 * Seeded synthetic workloads for benchmarks and scaling tests: layered DAGs of 10^3 to 10^6
 * atomic tasks and a pool map of P pools across regions. Built directly as validated objects
 * (no JSON round trip), deterministic for a seed.
 */
import type { AtomicStage, Pool, ResourceMap, TaskDefinition } from '../model/types.js';
import { seededRandom } from '../util/random.js';

export { seededRandom };

export interface LayeredOptions {
  readonly tasks: number;
  /** Tasks per layer (default: √tasks, so depth and width grow together). */
  readonly width?: number;
  /** Each task depends on up to this many tasks of the previous layer (default 3). */
  readonly maxFanIn?: number;
  /** Number of distinct ops (default 8). */
  readonly ops?: number;
  readonly seed?: number;
}

/** A layered DAG: runtimes log-uniform in [1, 1000] s, outputs log-uniform in [1 kB, 1 GB]. */
export function layeredDag(options: LayeredOptions): TaskDefinition {
  const random = seededRandom(options.seed ?? 1);
  const width = Math.max(1, options.width ?? Math.round(Math.sqrt(options.tasks)));
  const maxFanIn = options.maxFanIn ?? 3;
  const ops = Array.from({ length: options.ops ?? 8 }, (_, i) => `op${i}`);
  const stages: AtomicStage[] = new Array(options.tasks);
  const ids: string[] = new Array(options.tasks);
  for (let i = 0; i < options.tasks; i++) ids[i] = `t${i}`;
  for (let i = 0; i < options.tasks; i++) {
    const layerStart = Math.floor(i / width) * width;
    const after: string[] = [];
    if (layerStart > 0) {
      const previousStart = layerStart - width;
      const fanIn = 1 + Math.floor(random() * maxFanIn);
      for (let k = 0; k < fanIn; k++) {
        const parent = ids[previousStart + Math.floor(random() * width)]!;
        if (!after.includes(parent)) after.push(parent);
      }
    }
    stages[i] = {
      kind: 'atomic',
      id: ids[i]!,
      op: ops[i % ops.length]!,
      after,
      features: {},
      inputs: [],
      outputs: [],
      memGb: undefined,
      pools: undefined,
      overheadS: 0,
      runtimeByPoolS: undefined,
      runtimeS: 10 ** (random() * 3),
      outputBytes: 10 ** (3 + random() * 6),
    };
  }
  return { name: `layered-${options.tasks}`, stages, data: [], deadlineS: undefined, budgetUsd: undefined, usdPerHour: undefined, origin: 'apportion' };
}

export interface PoolMapOptions {
  readonly pools: number;
  readonly regions?: number;
  readonly slotsPerPool?: number;
  readonly seed?: number;
}

/** P pools spread over regions, with varied speed, price, start-up and interruption risk. */
export function syntheticPools(options: PoolMapOptions): ResourceMap {
  const random = seededRandom(options.seed ?? 2);
  const regionCount = Math.max(1, options.regions ?? 2);
  const regions = Array.from({ length: regionCount }, (_, r) => `region${r}`);
  const pools: Pool[] = Array.from({ length: options.pools }, (_, p) => {
    const slots = options.slotsPerPool ?? 4 + Math.floor(random() * 29);
    return {
      id: `pool${p}`,
      region: regions[p % regionCount]!,
      zone: undefined,
      class: undefined,
      slots,
      speed: 0.6 + random() * 1.2,
      speedByOp: new Map(),
      memGbPerSlot: 8 + Math.floor(random() * 4) * 8,
      priceUsdPerSlotHour: p === 0 ? 0 : random() * 0.1,
      startupS: p === 0 ? 0 : random() * 120,
      interruptionPerHour: random() < 0.3 ? random() * 0.2 : 0,
      dispatchOverheadS: random() * 2,
      capacity: [{ atS: 0, slots }],
    };
  });
  const links = [];
  for (let a = 0; a < regionCount; a++) {
    for (let b = 0; b < regionCount; b++) {
      if (a !== b) links.push({ from: regions[a]!, to: regions[b]!, latencyMs: 5 + 20 * random(), bandwidthMBps: 50 + 200 * random(), egressUsdPerGb: 0.02 + 0.08 * random() });
    }
  }
  return { pools, regions, links };
}
