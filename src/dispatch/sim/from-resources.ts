/**
 * The sim backend for a resource map, as `apportion run --backend sim` uses it: each pool's
 * interruption rate and capacity steps from the map, per-pool availability series from CSV
 * files (`--trace POOL=FILE`), durations from the jobs' replay steps (the planned runtime × the
 * time scale) and a seed.
 */
import { InputError, nearestName } from '../../model/issues.js';
import type { ResourceMap } from '../../model/types.js';
import { readAvailabilityCsv, type AvailabilityPoint } from './availability-csv.js';
import { createSimBackend, type SimBackend } from './sim-backend.js';

export interface SimChoice {
  readonly resources: ResourceMap;
  readonly seed?: number;
  /** Per pool, a CSV file of available slots over time. */
  readonly traces?: ReadonlyMap<string, string>;
}

export function simBackendFor(choice: SimChoice): SimBackend {
  const ids = choice.resources.pools.map((p) => p.id);
  const availability = new Map<string, readonly AvailabilityPoint[]>();
  for (const [pool, file] of choice.traces ?? []) {
    if (!ids.includes(pool)) {
      const near = nearestName(pool, ids);
      throw new InputError('--trace', [{ code: 'invalid_value', path: ['--trace', pool], message: `unknown pool "${pool}"${near === undefined ? '' : ` (did you mean "${near}"?)`}; the resource map has ${ids.join(', ')}`, expected: 'a pool of the resource map', received: pool }]);
    }
    availability.set(pool, readAvailabilityCsv(file));
  }
  return createSimBackend({
    seed: choice.seed ?? 1,
    durations: 'replay',
    pools: choice.resources.pools.map((p) => ({ id: p.id, interruptionPerHour: p.interruptionPerHour, capacity: p.capacity })),
    ...(availability.size === 0 ? {} : { availability }),
  });
}
