/**
 * Reservations: plan ahead of a complete definition.
 *
 * From a (provisional) plan, a reservation says how many slots each pool must hold in each
 * time window for the job as predicted (enough for every slot the plan uses in the window), and
 * where each piece of work was put. A system provisions from it ahead of time; planning the
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
 * Each window reserves the need of its neighbours too (and the reservation runs that much
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
  const pools = plan.pools.filter((pool) => byPool.has(pool.id)).map((pool) => ({ pool: pool.id, slots: widen(slotsPerWindow(byPool.get(pool.id)!, windowS, windows + slack), slack) }));
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

/**
 * Slots each window must hold: one more than the highest slot index any sub-task running in
 * the window uses. Not the peak of sub-tasks running at once: a pool's slot k exists only while
 * the pool has more than k slots (cost/slots.ts), so a sub-task on slot 5 needs 6 slots for its
 * whole run, even when fewer sub-tasks run beside it. With this, the plan replays unchanged
 * within its own reservation.
 */
function slotsPerWindow(subtasks: readonly PlanSubtask[], windowS: number, windows: number): number[] {
  const need = new Array<number>(windows).fill(0);
  for (const s of subtasks) {
    if (s.finishS <= s.startS) continue;
    const first = Math.min(windows - 1, Math.floor(s.startS / windowS));
    // A finish at a window's opening instant belongs to the window before.
    const last = Math.min(windows - 1, Math.max(first, Math.ceil(s.finishS / windowS) - 1));
    for (let w = first; w <= last; w++) need[w] = Math.max(need[w]!, s.slot + 1);
  }
  return need;
}

/** Window w holds the largest need of windows w − slack .. w + slack. */
function widen(needs: readonly number[], slack: number): number[] {
  return needs.map((_, w) => Math.max(...needs.slice(Math.max(0, w - slack), w + slack + 1)));
}

/**
 * Caps each pool at its reserved slots over the reservation's windows: the pointwise minimum
 * of the declared capacity and the reservation, every breakpoint of either kept. Declared
 * capacity after the reservation; pools without a reservation get none while it lasts.
 */
export function withinReservation(resources: ResourceMap, reservation: Reservation): ResourceMap {
  const reserved = new Map(reservation.pools.map((entry) => [entry.pool, entry.slots]));
  const windows = Math.max(0, ...reservation.pools.map((entry) => entry.slots.length));
  const endS = windows * reservation.windowS;
  const pools = resources.pools.map((pool): Pool => {
    const slots = reserved.get(pool.id) ?? [];
    const reservedAt = (atS: number): number => (atS >= endS ? Number.POSITIVE_INFINITY : slots[Math.floor(atS / reservation.windowS)] ?? 0);
    const breakpoints = new Set<number>([0, endS]);
    for (let w = 1; w < windows; w++) breakpoints.add(w * reservation.windowS);
    for (const step of pool.capacity) breakpoints.add(step.atS);
    const steps = [...breakpoints].sort((a, b) => a - b).map((atS): CapacityStep => ({ atS, slots: Math.min(reservedAt(atS), declaredAt(pool, atS)) }));
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

/**
 * A reservation made for another job is a mistake to stop, not to plan around: it would cap
 * the pools at someone else's needs. Refused when none of its placed stages is in this job.
 */
export function checkReservationFits(reservation: Reservation, definition: TaskDefinition, source: string): void {
  const placed = Object.keys(reservation.placement);
  if (placed.length === 0 || definition.stages.some((stage) => Object.hasOwn(reservation.placement, stage.id))) return;
  throw new InputError(source, [{
    code: 'invalid_value',
    path: ['placement'],
    message: `this reservation was made for job "${reservation.job}": none of its ${placed.length} placed stages is in job "${definition.name}"`,
    expected: `a reservation made from a plan of "${definition.name}" (apportion plan --reservation-out)`,
    received: `stages such as "${placed[0]}"`,
  }]);
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
  const placementIsObject = root.placement !== null && typeof root.placement === 'object' && !Array.isArray(root.placement);
  const rawPlacement = root.placement === undefined ? {} : reader.object(root.placement, ['placement'], placementIsObject ? Object.keys(root.placement as object) : []) ?? {};
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
