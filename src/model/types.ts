/**
 * Validated, normalised inputs. Everything here has passed `validateTaskDefinition` /
 * `validateResourceMap`: numbers are finite, ids unique, references resolved within the file.
 * Units are in the names (S = seconds, Gb = gigabytes, Usd = US dollars).
 */
import type { TelemetryEntry } from './telemetry-section.js';

export interface DataObject {
  readonly id: string;
  readonly bytes: number;
  /** Where the object lives before the job starts: a pool id or a region id (resolved against the resource map). */
  readonly home: string | undefined;
}

interface StageBase {
  readonly id: string;
  readonly op: string;
  readonly after: readonly string[];
  readonly features: Readonly<Record<string, unknown>>;
  /** Data objects this stage reads (a divisible stage reads its share per chunk). */
  readonly inputs: readonly string[];
  /** Data objects this stage writes; a stage reading one of them depends on this stage. */
  readonly outputs: readonly string[];
  /** Memory one sub-task of this stage needs, in GB; undefined = unknown (fits any slot). */
  readonly memGb: number | undefined;
  /** Pools this stage may run on; undefined = any. */
  readonly pools: readonly string[] | undefined;
  /** Fixed start-up cost of each sub-task cut from this stage, at speed 1. */
  readonly overheadS: number;
  /** Runtime on named pools, taken as known (no speed scaling): whole stage. */
  readonly runtimeByPoolS: ReadonlyMap<string, number> | undefined;
  /** What `apportion run` executes for this stage; undefined = nothing (plan only, or `run --replay`). */
  readonly run?: StageRun | undefined;
}

interface StageRunBase {
  /** An attempt is stopped and counted failed after this long; undefined = no limit. */
  readonly timeoutS?: number;
  /** Failed attempts (non-zero exit, handler error, timeout) retried before the sub-task is given up; undefined = the run's default. */
  readonly retries?: number;
}

/**
 * `run` of a stage. A command's argv may hold placeholders, substituted per sub-task:
 * {start} {end} (the chunk's unit range), {chunk}, {attempt}, {subtask}, {stage}, {pool},
 * {out} (the attempt's output directory), {inputs} (every input directory, one argv element
 * each), {input0} {input1} … . A module is resolved against the definition file's directory.
 */
export type StageRun =
  | (StageRunBase & { readonly kind: 'command'; readonly command: readonly string[] })
  | (StageRunBase & { readonly kind: 'module'; readonly module: string; readonly export: string });

export interface AtomicStage extends StageBase {
  readonly kind: 'atomic';
  /** Runtime at speed 1; undefined = unknown (provisional estimate used). */
  readonly runtimeS: number | undefined;
  /** Bytes sent to each dependant besides named data objects. */
  readonly outputBytes: number;
}

export interface DivisibleStage extends StageBase {
  readonly kind: 'divisible';
  /** Number of units the stage can be cut into (items, or bytes when only `bytes` is given). */
  readonly units: number;
  readonly unitName: 'items' | 'bytes';
  readonly bytesPerUnit: number;
  readonly minChunk: number;
  readonly maxChunk: number;
  /** Runtime of one unit at speed 1; undefined = unknown. */
  readonly runtimePerUnitS: number | undefined;
  /**
   * Runtime that grows faster than the chunk (an n log n law learned by the profiler): a chunk
   * of k units takes runtimeLogS · k · log2(k / minChunk) more at speed 1. 0 = linear. Measured
   * from minChunk so that the linear part alone is a lower bound for every chunk the planner cuts.
   */
  readonly runtimeLogS?: number;
  readonly outputBytesPerUnit: number;
  /**
   * Set when the stage is a bag of WfFormat tasks (model/bags.ts): unit i is task i, and a chunk
   * costs the sum of its own tasks (runtimes as weights, bytes per task), not units × the mean.
   * Internal to imported traces: the JSON task format has no such field.
   */
  readonly bag?: TaskBag;
}

/**
 * The tasks of a bag (same op, same parents, same children, no edges among them), one per
 * unit, in the trace's order. `runtimeS` are the recorded runtimes at speed 1; the stage's own
 * runtimePerUnitS is their mean, so a profile that re-estimates the stage rescales the total
 * and keeps each task's share.
 */
export interface TaskBag {
  readonly taskIds: readonly string[];
  readonly runtimeS: Float64Array;
  /** Data objects each task reads / writes. */
  readonly inputs: readonly (readonly string[])[];
  readonly outputs: readonly (readonly string[])[];
}

export type Stage = AtomicStage | DivisibleStage;

export interface TaskDefinition {
  readonly name: string;
  readonly stages: readonly Stage[];
  readonly data: readonly DataObject[];
  readonly deadlineS: number | undefined;
  readonly budgetUsd: number | undefined;
  /** Exchange rate of the objective: how many USD one hour of makespan is worth. */
  readonly usdPerHour: number | undefined;
  /** Where the definition came from, e.g. "wfformat" for an imported trace. */
  readonly origin: 'apportion' | 'wfformat';
  /**
   * WfFormat import only: index in `workflow.specification.tasks` of each stage's task (a bag's
   * first task), for error paths once bags have merged tasks; absent = the stage's own index.
   */
  readonly sourceIndex?: readonly number[];
}

export interface CapacityStep {
  readonly atS: number;
  readonly slots: number;
}

export interface Pool {
  readonly id: string;
  readonly region: string;
  readonly zone: string | undefined;
  /** Machines that behave alike, as the history store records them (the profiler's (op, class) level); undefined = none. */
  readonly class: string | undefined;
  /** Declared slot count; `capacity` may lower or raise it over time. */
  readonly slots: number;
  readonly speed: number;
  readonly speedByOp: ReadonlyMap<string, number>;
  readonly memGbPerSlot: number;
  readonly priceUsdPerSlotHour: number;
  readonly startupS: number;
  readonly interruptionPerHour: number;
  /** Per sub-task dispatch overhead (queueing, container start), paid on every sub-task. */
  readonly dispatchOverheadS: number;
  /** Slots available from `atS` on; the first step starts at 0. */
  readonly capacity: readonly CapacityStep[];
}

export interface Link {
  readonly from: string;
  readonly to: string;
  readonly latencyMs: number;
  readonly bandwidthMBps: number;
  readonly egressUsdPerGb: number;
  /**
   * Where a link read from a file was declared: its index in `network.links`, and whether this
   * is the way back of a two-way link. Absent for links built in code (their path is their index
   * in `links`). Lets checks made after reading, like the cross-file ones, point at the file.
   */
  readonly declared?: { readonly index: number; readonly reversed: boolean };
}

export interface ResourceMap {
  readonly pools: readonly Pool[];
  readonly regions: readonly string[];
  /** Directed links; same-region links default to free and instant. */
  readonly links: readonly Link[];
  /** The map's `telemetry` section (files not read yet: see load/telemetry.ts); absent when the map has none. */
  readonly telemetry?: readonly TelemetryEntry[];
}
