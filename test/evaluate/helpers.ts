/** Small cases whose outcome is known by hand, for the evaluate tests. */
import { validateResourceMap } from '../../src/model/validate-pools.js';
import { validateTaskDefinition } from '../../src/model/validate-task.js';
import type { ResourceMap, TaskDefinition } from '../../src/model/types.js';
import type { AvailabilityTrace } from '../../src/evaluate/types.js';

export interface PoolSpec {
  readonly id: string;
  readonly region?: string;
  readonly slots: number;
  readonly price: number;
  readonly hazard?: number;
  readonly speed?: number;
}

/** Pools without start-up or dispatch overheads, so a sub-task's runtime is its work / speed. */
export function poolsOf(specs: readonly PoolSpec[], egressUsdPerGb = 0.1): ResourceMap {
  const regions = [...new Set(specs.map((s) => s.region ?? 'A'))];
  const links = regions.flatMap((a, i) => regions.slice(i + 1).map((b) => ({ from: a, to: b, latencyMs: 10, bandwidthMBps: 100, egressUsdPerGb })));
  return validateResourceMap({
    pools: specs.map((s) => ({ id: s.id, region: s.region ?? 'A', slots: s.slots, speed: s.speed ?? 1, memGbPerSlot: 8, priceUsdPerSlotHour: s.price, startupS: 0, interruptionPerHour: s.hazard ?? 0, dispatchOverheadS: 0 })),
    ...(links.length === 0 ? {} : { network: { links } }),
  });
}

/** n independent tasks of `runtimeS` each. */
export function independent(n: number, runtimeS: number, deadlineS?: number): TaskDefinition {
  return validateTaskDefinition({ name: `independent-${n}`, ...(deadlineS === undefined ? {} : { deadlineS }), stages: Array.from({ length: n }, (_, i) => ({ id: `t${i}`, op: 'work', runtimeS })) });
}

/** A trace holding every pool at its declared slots (failure-free), optionally with scripted points for some pools. */
export function flatTrace(resources: ResourceMap, id = 'flat', overrides: Record<string, { timeS: number; available: number }[]> = {}): AvailabilityTrace {
  const pools = new Map(resources.pools.map((p) => [p.id, overrides[p.id] ?? [{ timeS: 0, available: p.slots }]]));
  return { id, pools, startS: 0, source: 'test' };
}
