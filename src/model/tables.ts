/**
 * Dense, typed-array views of the resource map, precomputed once per problem and read many
 * times by the cost model and the planners (pool p, region r; matrices are row-major r*R+r').
 */
import type { ResourceMap } from './types.js';

export interface PoolTable {
  readonly count: number;
  readonly ids: readonly string[];
  readonly regionIndex: Int32Array;
  /** Largest slot count the pool ever has (declared or in a capacity step). */
  readonly maxSlots: Int32Array;
  /** Declared slot count at time 0. */
  readonly slots: Int32Array;
  readonly speed: Float64Array;
  readonly memGbPerSlot: Float64Array;
  readonly priceUsdPerSlotS: Float64Array;
  readonly startupS: Float64Array;
  readonly hazardPerS: Float64Array;
  readonly dispatchOverheadS: Float64Array;
  /** Capacity step function, CSR: steps of pool p are capStart[p] .. capStart[p+1]. */
  readonly capStart: Int32Array;
  readonly capAtS: Float64Array;
  readonly capSlots: Int32Array;
  /** Whether any pool's capacity changes over time (lets the slot book take a fast path). */
  readonly capacityVaries: boolean;
}

export interface NetworkTable {
  readonly regionCount: number;
  readonly regionIds: readonly string[];
  readonly latencyS: Float64Array;
  /** Bytes per second one transfer gets; Infinity within a region unless a link says otherwise. */
  readonly bytesPerS: Float64Array;
  readonly egressUsdPerByte: Float64Array;
  /** No region-to-itself link is stated: moving data within a region is free and instant. */
  readonly freeWithinRegions: boolean;
}

export function buildPoolTable(resources: ResourceMap, regionIndex: ReadonlyMap<string, number>): PoolTable {
  const pools = resources.pools;
  const count = pools.length;
  const table = {
    count,
    ids: pools.map((p) => p.id),
    regionIndex: Int32Array.from(pools, (p) => regionIndex.get(p.region)!),
    maxSlots: Int32Array.from(pools, (p) => Math.max(p.slots, ...p.capacity.map((c) => c.slots))),
    slots: Int32Array.from(pools, (p) => p.slots),
    speed: Float64Array.from(pools, (p) => p.speed),
    memGbPerSlot: Float64Array.from(pools, (p) => p.memGbPerSlot),
    priceUsdPerSlotS: Float64Array.from(pools, (p) => p.priceUsdPerSlotHour / 3600),
    startupS: Float64Array.from(pools, (p) => p.startupS),
    hazardPerS: Float64Array.from(pools, (p) => p.interruptionPerHour / 3600),
    dispatchOverheadS: Float64Array.from(pools, (p) => p.dispatchOverheadS),
    capStart: new Int32Array(count + 1),
    capAtS: Float64Array.from(pools.flatMap((p) => p.capacity.map((c) => c.atS))),
    capSlots: Int32Array.from(pools.flatMap((p) => p.capacity.map((c) => c.slots))),
    capacityVaries: pools.some((p) => p.capacity.some((c) => c.slots !== p.slots)),
  };
  pools.forEach((pool, p) => {
    table.capStart[p + 1] = table.capStart[p]! + pool.capacity.length;
  });
  return table;
}

export function buildNetworkTable(resources: ResourceMap): { table: NetworkTable; regionIndex: Map<string, number> } {
  const regionIds = resources.regions;
  const regionIndex = new Map(regionIds.map((r, i) => [r, i]));
  const R = regionIds.length;
  const latencyS = new Float64Array(R * R);
  const bytesPerS = new Float64Array(R * R).fill(Number.POSITIVE_INFINITY);
  const egressUsdPerByte = new Float64Array(R * R);
  for (const link of resources.links) {
    const k = regionIndex.get(link.from)! * R + regionIndex.get(link.to)!;
    latencyS[k] = link.latencyMs / 1000;
    bytesPerS[k] = link.bandwidthMBps * 1e6;
    egressUsdPerByte[k] = link.egressUsdPerGb / 1e9;
  }
  let freeWithinRegions = true;
  for (let r = 0; r < R; r++) if (latencyS[r * R + r] !== 0 || bytesPerS[r * R + r] !== Number.POSITIVE_INFINITY) freeWithinRegions = false;
  return { table: { regionCount: R, regionIds, latencyS, bytesPerS, egressUsdPerByte, freeWithinRegions }, regionIndex };
}

/** Seconds to move `bytes` from region a to region b: latency + bytes / bandwidth; 0 bytes within a free region cost nothing. */
export function transferS(network: NetworkTable, fromRegion: number, toRegion: number, bytes: number): number {
  const k = fromRegion * network.regionCount + toRegion;
  const latency = network.latencyS[k]!;
  const rate = network.bytesPerS[k]!;
  if (latency === 0 && rate === Number.POSITIVE_INFINITY) return 0;
  return latency + bytes / rate;
}

/** Slots pool p offers at time t (the step function in effect at t). */
export function capacityAt(pools: PoolTable, p: number, timeS: number): number {
  let slots = pools.slots[p]!;
  for (let k = pools.capStart[p]!; k < pools.capStart[p + 1]!; k++) {
    if (pools.capAtS[k]! <= timeS) slots = pools.capSlots[k]!;
    else break;
  }
  return slots;
}
