/**
 * Availability of each pool over time: one input of the cost model (ARCHITECTURE.md, "Where
 * availability enters"), read by the reference `simulate` and by the kernel alike.
 *
 * Per pool a piecewise-constant schedule: breakpoints `atS` (ascending, the first 0), and per
 * segment [atS[i], atS[i + 1]) (the last one never ends):
 *   - slots             slots the plan may use (the capacity step function);
 *   - freeSlots         expected free slots, the reference of the contention term (default slots);
 *   - hazardPerS        interruption hazard λ(t);
 *   - priceUsdPerSlotS  price of one slot-second.
 *
 * `declaredAvailability` builds it from the resource map (capacity steps, constant hazard
 * and price, free slots = slots) and is the default; the Resource Predictor's forecast
 * replaces it through `assembleProblem(..., { availability })`. The problem's pool table
 * takes its capacity steps from here (`withAvailability`), so every reader of capacity
 * (slot book, kernel windows, plan check) sees the same slots.
 *
 * Nothing here is frozen into the sub-task graph: the graph's `expectedS` is only the cache
 * of the fast path (pools whose hazard never changes, see src/cost/rework.ts).
 */
import { InputError, type InputIssue, type PathSegment } from './issues.js';
import { MAX_INTERRUPTION_PER_HOUR, MAX_PRICE_USD, MAX_SLOTS } from './limits.js';
import type { PoolTable } from './tables.js';
import type { Pool, ResourceMap } from './types.js';

export interface PoolAvailability {
  readonly atS: readonly number[];
  readonly slots: readonly number[];
  /** Default: slots. */
  readonly freeSlots?: readonly number[];
  readonly hazardPerS: readonly number[];
  readonly priceUsdPerSlotS: readonly number[];
}

export interface Availability {
  /** 'declared' (from the resource map) or the id of the forecast that produced it. */
  readonly source: string;
  /** One entry per pool, in the resource map's pool order. */
  readonly pools: readonly PoolAvailability[];
}

/**
 * Dense form, CSR by pool: segments of pool p are segStart[p] .. segStart[p + 1].
 * `hazardVaries[p]` / `priceVaries[p]`: 1 where the value changes over time (then the cost
 * model integrates it over each sub-task's window; otherwise it uses the constant).
 * `contended[p]`: 1 where some segment has fewer free slots than slots (else contention is 0
 * by construction and is not computed).
 */
export interface AvailabilityTable {
  readonly source: string;
  readonly segStart: Int32Array;
  readonly atS: Float64Array;
  readonly slots: Int32Array;
  readonly freeSlots: Float64Array;
  readonly hazardPerS: Float64Array;
  readonly priceUsdPerSlotS: Float64Array;
  readonly hazardVaries: Uint8Array;
  readonly priceVaries: Uint8Array;
  readonly contended: Uint8Array;
}

/** The resource map's own numbers: capacity steps, constant interruption rate and price. */
export function declaredAvailability(resources: ResourceMap): Availability {
  return { source: 'declared', pools: resources.pools.map(declaredPoolAvailability) };
}

/** One pool's declared numbers: its capacity steps, free slots = slots, its constant hazard and price. */
export function declaredPoolAvailability(pool: Pool): PoolAvailability {
  const steps = pool.capacity.length > 0 ? pool.capacity : [{ atS: 0, slots: pool.slots }];
  return {
    atS: steps.map((c) => c.atS),
    slots: steps.map((c) => c.slots),
    freeSlots: steps.map((c) => c.slots),
    hazardPerS: steps.map(() => pool.interruptionPerHour / 3600),
    priceUsdPerSlotS: steps.map(() => pool.priceUsdPerSlotHour / 3600),
  };
}

const SERIES = ['slots', 'freeSlots', 'hazardPerS', 'priceUsdPerSlotS'] as const;

/** Issues of an availability against `poolIds` (paths under `availability`); empty when valid. */
export function availabilityIssues(availability: Availability, poolIds: readonly string[]): InputIssue[] {
  const issues: InputIssue[] = [];
  const root: PathSegment[] = ['availability'];
  if (typeof availability.source !== 'string' || availability.source.length === 0) {
    issues.push({ code: 'invalid_value', path: [...root, 'source'], message: 'availability needs a source ("declared" or a forecast id)', expected: 'a non-empty string', received: String(availability.source) });
  }
  if (availability.pools.length !== poolIds.length) {
    issues.push({ code: 'invalid_value', path: [...root, 'pools'], message: `availability lists ${availability.pools.length} pool(s), the resource map has ${poolIds.length}`, expected: `${poolIds.length} entries, in pool order`, received: `${availability.pools.length}` });
    return issues;
  }
  availability.pools.forEach((pool, p) => {
    const at: PathSegment[] = [...root, 'pools', p];
    const count = pool.atS.length;
    if (count === 0) {
      issues.push({ code: 'invalid_value', path: [...at, 'atS'], message: `pool "${poolIds[p]}" has no breakpoint`, expected: 'at least [0]', received: 'an empty list' });
      return;
    }
    pool.atS.forEach((t, i) => {
      const path = [...at, 'atS', i];
      if (i === 0 && t !== 0) issues.push({ code: 'invalid_value', path, message: `the first breakpoint of pool "${poolIds[p]}" must be 0`, expected: '0', received: String(t) });
      else if (!Number.isFinite(t) || (i > 0 && !(t > pool.atS[i - 1]!))) {
        issues.push({ code: 'invalid_value', path, message: `breakpoints must be finite and ascending (${t} s after ${pool.atS[i - 1]} s)`, expected: `> ${pool.atS[i - 1]}`, received: String(t) });
      }
    });
    for (const name of SERIES) {
      const values = pool[name];
      if (values === undefined) continue; // freeSlots defaults to slots
      if (values.length !== count) {
        issues.push({ code: 'invalid_value', path: [...at, name], message: `pool "${poolIds[p]}" gives ${values.length} ${name} value(s) for ${count} breakpoint(s)`, expected: `${count} values`, received: `${values.length}` });
        continue;
      }
      const limit = SERIES_LIMIT[name];
      values.forEach((v, i) => {
        const integer = name === 'slots';
        if (!Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v))) {
          issues.push({ code: 'invalid_number', path: [...at, name, i], message: `${name} must be a finite ${integer ? 'integer ' : ''}number ≥ 0`, expected: integer ? 'an integer ≥ 0' : 'a finite number ≥ 0', received: String(v) });
        } else if (v > limit) {
          issues.push({ code: 'invalid_number', path: [...at, name, i], message: `${name} must be at most ${limit} (the resource map's own limit, so every result stays finite)`, expected: `<= ${limit}`, received: String(v) });
        }
      });
    }
  });
  return issues;
}

/** Throws an InputError (paths like `availability.pools[2].hazardPerS[3]`) unless valid. */
export function checkAvailability(availability: Availability, poolIds: readonly string[]): void {
  const issues = availabilityIssues(availability, poolIds);
  if (issues.length > 0) throw new InputError('availability', issues);
}

/** The resource map's limits (model/limits.ts), per series, in the availability's units. */
const SERIES_LIMIT: Readonly<Record<(typeof SERIES)[number], number>> = {
  slots: MAX_SLOTS,
  freeSlots: MAX_SLOTS,
  hazardPerS: MAX_INTERRUPTION_PER_HOUR / 3600,
  priceUsdPerSlotS: MAX_PRICE_USD / 3600,
};

export function buildAvailabilityTable(availability: Availability): AvailabilityTable {
  const P = availability.pools.length;
  const segStart = new Int32Array(P + 1);
  availability.pools.forEach((pool, p) => {
    segStart[p + 1] = segStart[p]! + pool.atS.length;
  });
  const flat = (pick: (pool: PoolAvailability) => readonly number[]): number[] => availability.pools.flatMap(pick);
  const varies = (values: Float64Array): Uint8Array =>
    Uint8Array.from({ length: P }, (_, p) => {
      for (let i = segStart[p]! + 1; i < segStart[p + 1]!; i++) if (values[i] !== values[segStart[p]!]) return 1;
      return 0;
    });
  const slots = Int32Array.from(flat((pool) => pool.slots));
  const freeSlots = Float64Array.from(flat((pool) => pool.freeSlots ?? pool.slots));
  const hazardPerS = Float64Array.from(flat((pool) => pool.hazardPerS));
  const priceUsdPerSlotS = Float64Array.from(flat((pool) => pool.priceUsdPerSlotS));
  const contended = Uint8Array.from({ length: P }, (_, p) => {
    for (let i = segStart[p]!; i < segStart[p + 1]!; i++) if (freeSlots[i]! < slots[i]!) return 1;
    return 0;
  });
  return {
    source: availability.source,
    segStart,
    atS: Float64Array.from(flat((pool) => pool.atS)),
    slots,
    freeSlots,
    hazardPerS,
    priceUsdPerSlotS,
    hazardVaries: varies(hazardPerS),
    priceVaries: varies(priceUsdPerSlotS),
    contended,
  };
}

/**
 * The pool table as the availability sees it: capacity steps (and slot counts) from
 * `slots`; hazard and price from the first segment (the constant where they never change,
 * else the value at time 0, which planners may use as an estimate; the cost model
 * integrates the varying ones). Under declared availability the numbers are the resource
 * map's, unchanged.
 */
export function withAvailability(pools: PoolTable, table: AvailabilityTable): PoolTable {
  const P = pools.count;
  const maxSlots = new Int32Array(P);
  const slots = new Int32Array(P);
  const hazardPerS = new Float64Array(P);
  const priceUsdPerSlotS = new Float64Array(P);
  let capacityVaries = false;
  for (let p = 0; p < P; p++) {
    const first = table.segStart[p]!;
    slots[p] = table.slots[first]!;
    hazardPerS[p] = table.hazardPerS[first]!;
    priceUsdPerSlotS[p] = table.priceUsdPerSlotS[first]!;
    let most = 0;
    for (let i = first; i < table.segStart[p + 1]!; i++) {
      most = Math.max(most, table.slots[i]!);
      if (table.slots[i] !== slots[p]) capacityVaries = true;
    }
    maxSlots[p] = most;
  }
  return { ...pools, maxSlots, slots, hazardPerS, priceUsdPerSlotS, capStart: table.segStart, capAtS: table.atS, capSlots: table.slots, capacityVaries };
}
