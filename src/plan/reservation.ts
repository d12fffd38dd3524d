/**
 * Reservations: plan ahead of a complete definition.
 *
 * From a (provisional) plan, a reservation says how many slots each pool must hold in each
 * time window for the job as predicted (the most slots busy at once in the window), and where
 * each piece of work was put. A system provisions from it ahead of time; planning the
 * completed definition with `--reservation` then (1) caps each pool at its reserved slots
 * while the reservation lasts (declared capacity after it) and (2) prefers to keep work
 * where the provisional plan put it, counting what moved.
 */
import { InputError } from '../model/issues.js';
import { FieldReader, type Path } from '../model/read.js';
import type { CapacityStep, Pool, ResourceMap, Stage, TaskDefinition } from '../model/types.js';
import type { Plan, PlanSubtask } from './plan.js';

export const RESERVATION_FORMAT = 'apportion-reservation';
export const RESERVATION_VERSION = 1;

/** Where the provisional plan put one piece of a stage: its unit range for a chunk, the whole stage otherwise. */
export interface Placement {
  readonly pool: string;
  readonly units?: readonly [number, number];
}

export interface Reservation {
  readonly format: typeof RESERVATION_FORMAT;
  readonly version: typeof RESERVATION_VERSION;
  readonly job: string;
  /** Quantile of the runtimes the provisional plan used, when it came from a profile. */
  readonly quantile?: number;
  readonly windowS: number;
  /** The reservation covers [0, windows · windowS). */
  readonly pools: readonly { readonly pool: string; readonly slots: readonly number[] }[];
  readonly placement: Readonly<Record<string, readonly Placement[]>>;
}

/** A window about 1/20 of the makespan, rounded to 1, 2 or 5 × 10^k seconds. */
export function defaultWindowS(makespanS: number): number {
  const raw = Math.max(1, makespanS / 20);
  const decade = 10 ** Math.floor(Math.log10(raw));
  for (const step of [1, 2, 5, 10]) if (step * decade >= raw) return step * decade;
  return 10 * decade;
}

/**
 * Each window reserves the peak of its neighbours too (and the reservation runs that much
 * longer): the completed job will not start every sub-task at the predicted instant, and a
 * slot that vanishes just before a sub-task starts delays it to after the reservation.
 */
export const DEFAULT_SLACK_WINDOWS = 1;

export function reservationFromPlan(plan: Plan, options: { windowS?: number; quantile?: number; slackWindows?: number } = {}): Reservation {
  const windowS = options.windowS ?? defaultWindowS(plan.summary.makespanS);
  const windows = Math.max(1, Math.ceil(plan.summary.makespanS / windowS));
  const byPool = new Map<string, PlanSubtask[]>();
  for (const subtask of plan.subtasks) {
    const list = byPool.get(subtask.pool);
    if (list === undefined) byPool.set(subtask.pool, [subtask]);
    else list.push(subtask);
  }
  const slack = options.slackWindows ?? DEFAULT_SLACK_WINDOWS;
  const pools = plan.pools.filter((pool) => byPool.has(pool.id)).map((pool) => ({ pool: pool.id, slots: widen(peakSlotsPerWindow(byPool.get(pool.id)!, windowS, windows + slack), slack) }));
  const placement: Record<string, Placement[]> = {};
  const place = (stage: string, entry: Placement): void => {
    (placement[stage] ??= []).push(entry);
  };
  for (const subtask of plan.subtasks) {
    if (subtask.stage !== undefined && subtask.items !== undefined) place(subtask.stage, { pool: subtask.pool, units: subtask.items });
    else for (const task of subtask.tasks ?? []) place(task, { pool: subtask.pool });
  }
  return {
    format: RESERVATION_FORMAT,
    version: RESERVATION_VERSION,
    job: plan.job,
    ...(options.quantile === undefined ? {} : { quantile: options.quantile }),
    windowS,
    pools,
    placement,
  };
}

/** Most sub-tasks running at once in each window (a sweep over start/finish events). */
function peakSlotsPerWindow(subtasks: readonly PlanSubtask[], windowS: number, windows: number): number[] {
  const events: [number, number][] = [];
  for (const s of subtasks) {
    if (s.finishS <= s.startS) continue;
    events.push([s.startS, 1], [s.finishS, -1]);
  }
  // Finishes before starts at the same instant: a slot handed over is one slot.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const peak = new Array<number>(windows).fill(0);
  let running = 0;
  let window = 0;
  for (const [atS, delta] of events) {
    // A finish at a window's opening instant belongs to the window before.
    const at = Math.min(windows - 1, delta < 0 ? Math.max(0, Math.ceil(atS / windowS) - 1) : Math.floor(atS / windowS));
    // Slots running when a window opens count in it, as do all slots busy within it.
    while (window < at) {
      window++;
      peak[window] = Math.max(peak[window]!, running);
    }
    running += delta;
    peak[at] = Math.max(peak[at]!, running);
  }
  return peak;
}

/** Window w holds the largest peak of windows w − slack .. w + slack. */
function widen(peaks: readonly number[], slack: number): number[] {
  return peaks.map((_, w) => Math.max(...peaks.slice(Math.max(0, w - slack), w + slack + 1)));
}

export function totalReservedSlotS(reservation: Reservation): number {
  let total = 0;
  for (const pool of reservation.pools) for (const slots of pool.slots) total += slots * reservation.windowS;
  return total;
}

/** Caps each pool at its reserved slots over the reservation's windows; declared capacity after. Pools without a reservation get none while it lasts. */
export function withinReservation(resources: ResourceMap, reservation: Reservation): ResourceMap {
  const reserved = new Map(reservation.pools.map((entry) => [entry.pool, entry.slots]));
  const windows = Math.max(0, ...reservation.pools.map((entry) => entry.slots.length));
  const endS = windows * reservation.windowS;
  const pools = resources.pools.map((pool): Pool => {
    const slots = reserved.get(pool.id) ?? [];
    const steps: CapacityStep[] = [];
    for (let w = 0; w < windows; w++) steps.push({ atS: w * reservation.windowS, slots: Math.min(slots[w] ?? 0, declaredAt(pool, w * reservation.windowS)) });
    steps.push({ atS: endS, slots: declaredAt(pool, endS) });
    for (const step of pool.capacity) if (step.atS > endS) steps.push(step);
    return { ...pool, capacity: mergeSteps(steps) };
  });
  return { ...resources, pools };
}

function declaredAt(pool: Pool, atS: number): number {
  let slots = pool.slots;
  for (const step of pool.capacity) if (step.atS <= atS) slots = step.slots;
  return slots;
}

function mergeSteps(steps: readonly CapacityStep[]): CapacityStep[] {
  const out: CapacityStep[] = [];
  for (const step of steps) if (out.length === 0 || out[out.length - 1]!.slots !== step.slots) out.push(step);
  return out;
}

/** The definition with every stage the reservation placed restricted to the pools it was placed on. */
export function keepPlacement(definition: TaskDefinition, reservation: Reservation): TaskDefinition {
  const stages = definition.stages.map((stage): Stage => {
    const placed = reservation.placement[stage.id];
    if (placed === undefined || placed.length === 0) return stage;
    const pools = [...new Set(placed.map((entry) => entry.pool))];
    const allowed = stage.pools === undefined ? pools : pools.filter((pool) => stage.pools!.includes(pool));
    return allowed.length === 0 ? stage : { ...stage, pools: allowed };
  });
  return { ...definition, stages };
}

export interface Moves {
  /** Sub-tasks on a pool that held (an overlapping part of) their work in the provisional plan. */
  readonly kept: number;
  readonly moved: number;
  /** Sub-tasks of stages the provisional plan did not have. */
  readonly added: number;
}

export function countMoves(plan: Plan, reservation: Reservation): Moves {
  let kept = 0;
  let moved = 0;
  let added = 0;
  for (const subtask of plan.subtasks) {
    const pieces = subtask.stage !== undefined && subtask.items !== undefined
      ? [{ stage: subtask.stage, units: subtask.items }]
      : (subtask.tasks ?? []).map((task) => ({ stage: task, units: undefined }));
    let known = false;
    let same = false;
    for (const piece of pieces) {
      const placed = reservation.placement[piece.stage];
      if (placed === undefined) continue;
      known = true;
      if (placed.some((entry) => entry.pool === subtask.pool && overlaps(entry.units, piece.units))) same = true;
    }
    if (!known) added++;
    else if (same) kept++;
    else moved++;
  }
  return { kept, moved, added };
}

function overlaps(a: readonly [number, number] | undefined, b: readonly [number, number] | undefined): boolean {
  if (a === undefined || b === undefined) return true;
  return a[0] < b[1] && b[0] < a[1];
}

/** Validates a reservation document against the resource map it will be planned on. */
export function readReservation(document: unknown, source: string, resources: ResourceMap): Reservation {
  const reader = new FieldReader();
  const root = reader.object(document, [], ['format', 'version', 'job', 'quantile', 'windowS', 'pools', 'placement']);
  if (root === undefined) throw new InputError(source, reader.issues);
  if (root.format !== RESERVATION_FORMAT) {
    reader.report({ code: 'invalid_value', path: ['format'], message: `not an apportion reservation (format ${JSON.stringify(root.format)})`, expected: JSON.stringify(RESERVATION_FORMAT), received: JSON.stringify(root.format) });
    throw new InputError(source, reader.issues);
  }
  if (root.version !== RESERVATION_VERSION) {
    reader.report({ code: 'invalid_value', path: ['version'], message: `unsupported reservation version ${JSON.stringify(root.version)}`, expected: String(RESERVATION_VERSION), received: JSON.stringify(root.version) });
  }
  const job = reader.string(root, 'job', [], true) ?? '';
  const quantile = reader.number(root, 'quantile', [], { above: 0, max: 1 });
  const windowS = reader.number(root, 'windowS', [], { above: 0 }, true) ?? 1;
  const poolIds = resources.pools.map((pool) => pool.id);
  const pools = (reader.requireArray(root, 'pools', []) ?? []).flatMap((raw, index) => {
    const path: Path = ['pools', index];
    const record = reader.object(raw, path, ['pool', 'slots']);
    if (record === undefined) return [];
    const pool = reader.string(record, 'pool', path, true);
    if (pool !== undefined && !poolIds.includes(pool)) reader.unknownReference([...path, 'pool'], 'pool', pool, poolIds);
    const slots = (reader.requireArray(record, 'slots', path) ?? []).map((value, w) => {
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
      reader.report({ code: 'invalid_value', path: [...path, 'slots', w], message: `expected a whole number >= 0, received ${JSON.stringify(value)}`, expected: 'a whole number >= 0', received: JSON.stringify(value) });
      return 0;
    });
    return pool === undefined ? [] : [{ pool, slots }];
  });
  const placement: Record<string, Placement[]> = {};
  const rawPlacement = root.placement === undefined ? {} : reader.object(root.placement, ['placement'], Object.keys(root.placement as object)) ?? {};
  for (const [stage, list] of Object.entries(rawPlacement)) {
    placement[stage] = (reader.array(list, ['placement', stage]) ?? []).flatMap((raw, index) => {
      const path: Path = ['placement', stage, index];
      const record = reader.object(raw, path, ['pool', 'units']);
      if (record === undefined) return [];
      const pool = reader.string(record, 'pool', path, true);
      if (pool !== undefined && !poolIds.includes(pool)) reader.unknownReference([...path, 'pool'], 'pool', pool, poolIds);
      const units = record.units;
      if (units !== undefined && !(Array.isArray(units) && units.length === 2 && units.every((u) => typeof u === 'number' && Number.isFinite(u)) && units[0] <= units[1])) {
        reader.report({ code: 'invalid_value', path: [...path, 'units'], message: `expected [start, end) units, received ${JSON.stringify(units)}`, expected: '[start, end] with start <= end', received: JSON.stringify(units) });
      }
      if (pool === undefined) return [];
      return [Array.isArray(units) ? { pool, units: [units[0] as number, units[1] as number] as const } : { pool }];
    });
  }
  if (reader.issues.length > 0) throw new InputError(source, reader.issues);
  return { format: RESERVATION_FORMAT, version: RESERVATION_VERSION, job, ...(quantile === undefined ? {} : { quantile }), windowS, pools, placement };
}
