/**
 * Seeded workflow families outside the shared WfFormat set, for plan-quality benchmarks on
 * the shapes where planners part ways (issue 12):
 *
 * - fan: wide fan-out / fan-in rounds (split → W mappers → merge, repeated) whose mappers each
 *   read an input object that sits next to one pool: keeping the work by its data on a free
 *   pool competes with spreading it over faster paid pools across the network;
 * - shuffle: layers of short tasks that pass large outputs to several tasks of the next layer,
 *   so inter-stage egress and per-task dispatch overhead dominate the compute.
 *
 * Built as validated objects, like `layeredDag`; deterministic for a seed.
 */
import type { AtomicStage, DataObject, Pool, ResourceMap, TaskDefinition } from '../model/types.js';
import { seededRandom } from '../util/random.js';

export interface FanOptions {
  /** Mappers per round. */
  readonly width: number;
  /** Fan-out / fan-in rounds (default 2). */
  readonly rounds?: number;
  /** Where the mappers' inputs live: a pool or region id. */
  readonly inputHome: string;
  /** Mapper input size range in bytes (default 200 MB – 2 GB, log-uniform). */
  readonly inputBytes?: readonly [number, number];
  /** Mapper runtime range at speed 1 in seconds (default 60 – 600, log-uniform). */
  readonly runtimeS?: readonly [number, number];
  readonly seed?: number;
}

function logUniform(random: () => number, [low, high]: readonly [number, number]): number {
  return low * (high / low) ** random();
}

function atomic(id: string, op: string, after: readonly string[], runtimeS: number, outputBytes: number, inputs: readonly string[] = []): AtomicStage {
  return { kind: 'atomic', id, op, after, features: {}, inputs, outputs: [], memGb: undefined, pools: undefined, overheadS: 0, runtimeByPoolS: undefined, runtimeS, outputBytes };
}

/** split → `width` mappers (each reading its own input object at `inputHome`) → merge, `rounds` times. */
export function fanWorkflow(options: FanOptions): TaskDefinition {
  const random = seededRandom(options.seed ?? 1);
  const rounds = options.rounds ?? 2;
  const inputBytes = options.inputBytes ?? [2e8, 2e9];
  const runtimeS = options.runtimeS ?? [60, 600];
  const stages: AtomicStage[] = [];
  const data: DataObject[] = [];
  let previous: string[] = [];
  for (let r = 0; r < rounds; r++) {
    const split = `split${r}`;
    stages.push(atomic(split, 'split', previous, logUniform(random, [10, 60]), 1e6));
    const mappers: string[] = [];
    for (let i = 0; i < options.width; i++) {
      const id = `map${r}_${i}`;
      const input = `in${r}_${i}`;
      data.push({ id: input, bytes: Math.round(logUniform(random, inputBytes)), home: options.inputHome });
      stages.push(atomic(id, `map${r}`, [split], logUniform(random, runtimeS), Math.round(logUniform(random, [1e6, 1e8])), [input]));
      mappers.push(id);
    }
    const merge = `merge${r}`;
    stages.push(atomic(merge, 'merge', mappers, logUniform(random, [60, 300]), 1e7));
    previous = [merge];
  }
  return { name: `fan-${options.width}x${rounds}`, stages, data, deadlineS: undefined, budgetUsd: undefined, usdPerHour: undefined, origin: 'apportion' };
}

export interface ShuffleOptions {
  /** Tasks per layer. */
  readonly width: number;
  readonly layers: number;
  /** Each task reads from this many tasks of the previous layer (default 4). */
  readonly fanIn?: number;
  readonly seed?: number;
}

/** Layers of short tasks (2–20 s) sending 0.5–5 GB to each dependant: egress and dispatch dominate. */
export function shuffleWorkflow(options: ShuffleOptions): TaskDefinition {
  const random = seededRandom(options.seed ?? 1);
  const fanIn = options.fanIn ?? 4;
  const stages: AtomicStage[] = [];
  for (let layer = 0; layer < options.layers; layer++) {
    for (let i = 0; i < options.width; i++) {
      const after: string[] = [];
      if (layer > 0) {
        for (let k = 0; k < fanIn; k++) {
          const parent = `t${layer - 1}_${Math.floor(random() * options.width)}`;
          if (!after.includes(parent)) after.push(parent);
        }
      }
      stages.push(atomic(`t${layer}_${i}`, `op${layer % 4}`, after, logUniform(random, [2, 20]), Math.round(logUniform(random, [5e8, 5e9]))));
    }
  }
  return { name: `shuffle-${options.width}x${options.layers}`, stages, data: [], deadlineS: undefined, budgetUsd: undefined, usdPerHour: undefined, origin: 'apportion' };
}

function pool(id: string, region: string, slots: number, speed: number, priceUsdPerSlotHour: number, extra: Partial<Pool> = {}): Pool {
  return {
    id,
    region,
    zone: undefined,
    class: undefined,
    slots,
    speed,
    speedByOp: new Map(),
    memGbPerSlot: 16,
    priceUsdPerSlotHour,
    startupS: 0,
    interruptionPerHour: 0,
    dispatchOverheadS: 2,
    capacity: [{ atS: 0, slots }],
    ...extra,
  };
}

/**
 * Six pools in three regions: a free on-prem pool next to the data (region "onprem"), on-demand
 * and spot pools in two cloud regions, with egress between every pair of regions.
 */
export function sixPoolMap(): ResourceMap {
  const pools: Pool[] = [
    pool('onprem', 'onprem', 24, 1, 0, { startupS: 0, dispatchOverheadS: 3 }),
    pool('east-ondemand', 'east', 48, 1.5, 0.12, { startupS: 90 }),
    pool('east-spot', 'east', 96, 1.5, 0.04, { startupS: 90, interruptionPerHour: 0.15 }),
    pool('west-ondemand', 'west', 32, 1.8, 0.16, { startupS: 60 }),
    pool('west-spot', 'west', 64, 1.8, 0.05, { startupS: 60, interruptionPerHour: 0.2 }),
    pool('west-small', 'west', 8, 2.2, 0.3, { startupS: 30, dispatchOverheadS: 1 }),
  ];
  const regions = ['onprem', 'east', 'west'];
  const links = [];
  for (const from of regions) {
    for (const to of regions) {
      if (from === to) continue;
      const onprem = from === 'onprem' || to === 'onprem';
      links.push({ from, to, latencyMs: onprem ? 30 : 70, bandwidthMBps: onprem ? 125 : 250, egressUsdPerGb: from === 'onprem' ? 0.05 : 0.09 });
    }
  }
  return { pools, regions, links };
}
