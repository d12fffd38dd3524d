/**
 * The sim backend for a resource map, as `apportion run --backend sim` uses it: each pool's
 * interruption rate and capacity steps from the map, per-pool availability series from CSV
 * files (`--trace POOL=FILE`), durations from the jobs' replay steps (the planned runtime × the
 * time scale) and a seed.
 *
 * Under `--replay --time-scale X` the jobs wait runtime × X, so the virtual clock runs in
 * scaled seconds: the hazards (per plan hour) and the capacity and availability times (plan
 * seconds) are scaled the same way, or a scaled run would see X times fewer interruptions per
 * sub-task and capacity changes at the wrong points of the run.
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
  /** Backend seconds per plan second (the replay time scale); default 1. */
  readonly timeScale?: number;
}

export function simBackendFor(choice: SimChoice): SimBackend {
  const scale = choice.timeScale ?? 1;
  if (!(Number.isFinite(scale) && scale > 0)) throw new RangeError(`sim backend: timeScale must be a finite number > 0, received ${scale}`);
  const ids = choice.resources.pools.map((p) => p.id);
  const availability = new Map<string, readonly AvailabilityPoint[]>();
  for (const [pool, file] of choice.traces ?? []) {
    if (!ids.includes(pool)) {
      const near = nearestName(pool, ids);
      throw new InputError('--trace', [{ code: 'invalid_value', path: ['--trace', pool], message: `unknown pool "${pool}"${near === undefined ? '' : ` (did you mean "${near}"?)`}; the resource map has ${ids.join(', ')}`, expected: 'a pool of the resource map', received: pool }]);
    }
    availability.set(pool, readAvailabilityCsv(file).map((point) => ({ timeS: point.timeS * scale, available: point.available })));
  }
  return createSimBackend({
    seed: choice.seed ?? 1,
    durations: 'replay',
    pools: choice.resources.pools.map((p) => ({ id: p.id, interruptionPerHour: p.interruptionPerHour / scale, capacity: p.capacity.map((step) => ({ atS: step.atS * scale, slots: step.slots })) })),
    ...(availability.size === 0 ? {} : { availability }),
  });
}
