/**
 * The dispatcher: runs a plan on a backend, one state machine over the sub-task graph,
 * whatever the backend (local, bullmq, sim).
 *
 *   const report = await dispatch({ problem, plan, backend, journal, jobs, runId, runDir });
 *
 * Each sub-task goes waiting → ready → submitted → committed, or ends given up (no pool can
 * run it, retries spent) or blocked (an input was given up). It is *ready* once every input is
 * committed, and is submitted to its pool, in the plan's priority order (planned start), while
 * the pool has a free slot (its current slots: the plan's, the reservation's, or what the
 * backend last reported).
 *
 * What happens to an attempt that does not succeed:
 * - failed (non-zero exit, handler error, timeout): retried on the same pool after a backoff,
 *   up to the stage's `retries`; then moved to the pool the cost model ranks best among those
 *   it has not failed on (a failure can be the pool's: memory, a missing tool), with fresh
 *   retries there; given up, with its dependants, when no such pool is left. A re-plan never
 *   sends it back to a pool it failed on.
 * - interrupted or lost (worker gone, stalled, capacity dropped, Redis restarted): not retried
 *   in place blindly: re-allocated to the pool `rankPools` ranks best now, which may be the same.
 * - A pool whose attempts keep being lost or failing (`poolFailureLimit` in a row, no success
 *   between) is taken out of the run; what was queued there is re-allocated.
 * - When the run drifts from the plan (a finish later than planned by more than
 *   `replan.driftFraction` of the planned makespan, or a pool lost), the remainder is re-planned
 *   by extending the partial schedule (replan.ts), at most once per `replan.minIntervalFraction`
 *   of the planned makespan (hysteresis: no thrashing on a noisy run).
 * - With a forecast (`forecast`: the plan's bands of free slots), capacity events and attempt
 *   ends update it online (online.ts): observed slots outside the band, or interruptions
 *   outside the forecast's interval for the exposure seen, are drift signals too, and the
 *   remainder is re-planned on the availability as updated online instead of "the observed
 *   slots hold for ever".
 * Every such decision is journalled with its reason (`--explain`, `apportion run show`).
 *
 * The above is the default recovery rule, `cost-model`. The policies `apportion evaluate`
 * compares (recovery.ts) swap parts of it, and nothing else:
 * - `retry-in-place`: a failed attempt is retried on its pool with the same backoff and
 *   `retries`, then given up; an interrupted, lost or withdrawn one is submitted again on its
 *   pool at once (MAX_ATTEMPTS bounds both). A pool without slots is waited for while its
 *   slots may come back, else its work is given up. Never a move, a re-plan, or a pool taken
 *   out of the run.
 * - `failover`: an interruption, loss or withdrawal (or a pool without slots when the sub-task
 *   is queued) moves the sub-task to the next pool of `order` after its own, wrapping, its own
 *   last, skipping pools that cannot run it: the first with slots now, else the first whose
 *   slots may come back. A failure retries in place up to `retries`, then moves the same way
 *   with fresh retries. A pool outside `order` keeps its sub-tasks in place (as retry-in-place).
 *   Never a re-plan or a pool taken out of the run.
 * - `replicas` (any rule): see the "replicas" section below.
 * - `choosePool`: asked each time a sub-task is queued (when it becomes ready, and again after a
 *   retry's backoff or a relocation), after the rule chose; a pool index overrides that choice
 *   (a pool that cannot run the sub-task or is out of the run is refused, journalled), and the
 *   rule's handling of a pool without slots then applies to it. A re-plan leaves a ready
 *   sub-task it placed where it is. Not asked with replicas.
 * - `RunReport.usage`, always: per pool, the slot-seconds every attempt held from its start to
 *   its end (plan seconds: backend seconds / timeScale), those of attempts whose result was not
 *   the committed one, and the held time priced over each attempt's window (usage.ts).
 *
 * A successful attempt is committed by renaming its staging directory to the sub-task's output
 * directory; the first commit wins, a later one (at-least-once delivery, a resumed run) is
 * discarded. The journal records attempt and commit together.
 */
import { renameSync, rmSync } from 'node:fs';
import type { ScoredCandidate } from '../cost/evaluate.js';
import type { CommitRow, DecisionKind, DecisionRow, RunJournal } from '../history/journal.js';
import type { RunRecord } from '../history/record.js';
import type { Problem } from '../model/problem.js';
import type { Plan } from '../plan/plan.js';
import { jobKey, type AttemptOutcome, type AttemptResult, type Backend, type BackendEvent, type DispatchJob, type JobInput } from './backend.js';
import { scoredFromPlan } from './from-plan.js';
import { outputDirOf, stagesOf } from './jobs.js';
import { rankPools, type PoolLoad } from './rank.js';
import { createOnlineForecast, type OnlineForecast, type OnlineForecastOptions, type OnlineForecastSummary } from './online.js';
import { replanRemainder, type ReplanResult } from './replan.js';
import type { Availability } from '../model/availability.js';
import type { FreeBand } from '../forecast/priced.js';
import { PriorityQueue } from './queue.js';
import type { PoolChoice, PoolUsage, ProgressView, RecoveryRule, ReplicaRule } from './recovery.js';
import { UsageMeter } from './usage.js';
import { InputError } from '../model/issues.js';

export const DEFAULT_RETRIES = 2;
/** Attempts of one sub-task beyond which it is given up whatever happened (interruptions do not count against `retries`). */
export const MAX_ATTEMPTS = 25;
export const DEFAULT_POOL_FAILURE_LIMIT = 5;
export const DEFAULT_CAPACITY_WAIT_S = 120;

export interface ReplanSettings {
  /** Re-plan when a finish is this fraction of the planned makespan off the plan. */
  readonly driftFraction: number;
  /** At most one re-plan per this fraction of the planned makespan. */
  readonly minIntervalFraction: number;
}

export const DEFAULT_REPLAN: ReplanSettings = { driftFraction: 0.2, minIntervalFraction: 0.1 };

/** The forecast a plan was made with, as the run needs it (priced.ts `Priced.bands`, plan seconds), and how it is updated online. */
export interface DispatchForecast extends Omit<OnlineForecastOptions, 'capSlots'> {
  /** Per pool, in resource-map order: the band of free slots, undefined where the forecast has none. */
  readonly bands: ReadonlyArray<FreeBand | undefined>;
}

export interface DispatchOptions {
  readonly runId: string;
  readonly runDir: string;
  readonly problem: Problem;
  readonly plan: Plan;
  /** The plan's scored candidate, when at hand (else rebuilt from the document). */
  readonly scored?: ScoredCandidate;
  readonly backend: Backend;
  readonly journal?: RunJournal;
  /** Builds one attempt's job. */
  readonly jobs: (request: { subtask: number; attempt: number; pool: string; inputs: readonly JobInput[]; runtimeS: number }) => DispatchJob;
  /** Default failed-attempt retries (a stage's `run.retries` overrides it). */
  readonly retries?: number;
  /** Backoff before retry k (1-based), in backend seconds. Default min(30, 2^(k-1)). */
  readonly backoffS?: (retry: number) => number;
  /** Slots per pool id to fill at most (a reservation); default the resource map's. */
  readonly slots?: ReadonlyMap<string, number>;
  /** false: never re-plan the remainder. */
  readonly replan?: ReplanSettings | false;
  readonly poolFailureLimit?: number;
  /** With every usable pool out of slots on a real backend, how long to wait for workers to come back before giving the queued work up (s, real time). Default 120. */
  readonly capacityWaitS?: number;
  /** Continue a run: what the journal says is committed, and the highest attempt per sub-task. */
  readonly resume?: { readonly commits: readonly CommitRow[]; readonly lastAttempt: ReadonlyMap<string, number>; readonly offsetS: number };
  /** Stops the run: running attempts are cancelled, the journal stays consistent, the run is resumable. */
  readonly signal?: AbortSignal;
  /** Epoch ms of run time 0 (history timestamps); default Date.now() at start. */
  readonly startedAtMs?: number;
  /** Called for every decision and every attempt's end, for a live view. */
  readonly onDecision?: (decision: DecisionRow) => void;
  readonly onAttempt?: (attempt: AttemptView) => void;
  /**
   * Time scale of a replay run: a sub-task waits its runtime × timeScale, so backend seconds
   * are divided by it to get run time in the plan's seconds. Drift is judged, the journal
   * written and the history recorded in the plan's seconds (the job's own), so a replayed trace
   * teaches the profiler the trace's runtimes, not the scaled waits. Backoffs stay real seconds.
   */
  readonly timeScale?: number;
  /** The plan's forecast: observed capacity and interruptions update it online, and a departure from it is a drift signal. */
  readonly forecast?: DispatchForecast;
  /**
   * How the run reacts to a failed, interrupted or lost attempt (recovery.ts). Default
   * { kind: 'cost-model' }: everything described above. 'retry-in-place' and 'failover' never
   * re-plan and never take a pool out of the run (see `onLost`, `onFailed`).
   */
  readonly recovery?: RecoveryRule;
  /** Every sub-task runs as up to k replicas at once; the first success commits, the others are cancelled (see "Replicas" below). */
  readonly replicas?: ReplicaRule;
  /** Consulted every time a sub-task is queued (first ready, and again after a retry or a relocation): a pool index overrides the dispatcher's pool. */
  readonly choosePool?: PoolChoice;
}

export interface AttemptView {
  readonly subtask: string;
  readonly attempt: number;
  readonly pool: string;
  readonly outcome: AttemptOutcome | 'lost';
  readonly startedS: number;
  readonly finishedS: number;
  readonly error?: string;
}

export interface SubtaskOutcome {
  readonly id: string;
  readonly state: 'committed' | 'given-up' | 'blocked' | 'not-run';
  readonly pool: string;
  /** The slot (lane) of the pool its last attempt held; -1 if it never ran. */
  readonly slot: number;
  readonly attempts: number;
  readonly startedS?: number;
  readonly finishedS?: number;
  readonly reason?: string;
}

export interface RunReport {
  readonly runId: string;
  readonly status: 'succeeded' | 'failed' | 'stopped';
  readonly subtasks: number;
  readonly committed: number;
  readonly attempts: number;
  readonly retries: number;
  readonly moves: number;
  readonly replans: number;
  readonly excludedPools: readonly string[];
  /** Run time of the last commit (s). */
  readonly makespanS: number;
  readonly plannedMakespanS: number;
  /** Sub-tasks that did not commit, with why (given up, blocked by an input, not run when stopped). */
  readonly notCommitted: readonly SubtaskOutcome[];
  /** Every sub-task: where and when it committed (the actual timeline beside the plan). */
  readonly timeline: readonly SubtaskOutcome[];
  /** With a forecast: per pool what was observed against it (departures, posterior hazard). */
  readonly forecast?: OnlineForecastSummary;
  /** Per pool, in resource-map order: slot-seconds held, wasted, and their compute price. */
  readonly usage?: readonly PoolUsage[];
}

export interface PoolSnapshot {
  readonly id: string;
  readonly slots: number;
  readonly done: number;
  readonly running: number;
  readonly queued: number;
  readonly failed: number;
  readonly excluded: boolean;
}

export interface RunSnapshot {
  readonly nowS: number;
  readonly plannedMakespanS: number;
  readonly committed: number;
  readonly total: number;
  readonly retries: number;
  readonly moves: number;
  readonly replans: number;
  readonly pools: readonly PoolSnapshot[];
}

const WAITING = 0;
const READY = 1;
const SUBMITTED = 2;
const COMMITTED = 3;
const GIVEN_UP = 4;
const BLOCKED = 5;
/** Between attempts: backing off before a retry. */
const BACKING_OFF = 6;

// Phases of one replica (a unit u = s·k + r of a run with replicas).
const UNIT_IDLE = 0;
const UNIT_QUEUED = 1;
const UNIT_SUBMITTED = 2;
const UNIT_BACKING_OFF = 3;

/** The replicas of every sub-task, one unit per (sub-task, replica): where it is and what it does. */
interface ReplicaUnits {
  readonly k: number;
  readonly rule: ReplicaRule;
  readonly pool: Int32Array;
  readonly phase: Uint8Array;
  readonly key: (string | undefined)[];
  /** The slot (lane) its attempt holds. */
  readonly lane: Int32Array;
  readonly failures: Int32Array;
  readonly priority: Float64Array;
  /** Per pool, the queued units (by the plan's priority of their sub-task). */
  readonly queues: PriorityQueue[];
  readonly unitOfKey: Map<string, number>;
  /** Per sub-task, pools(s) as validated (distinct, runnable), computed when it becomes ready. */
  readonly pools: (readonly number[] | undefined)[];
}

/** A running dispatch: `done` settles with the report; `snapshot()` for a live view. */
export interface Dispatch {
  readonly done: Promise<RunReport>;
  snapshot(): RunSnapshot;
}

export function dispatch(options: DispatchOptions): Promise<RunReport> {
  return startDispatch(options).done;
}

export function startDispatch(options: DispatchOptions): Dispatch {
  const machine = new Dispatcher(options);
  return { done: machine.run(), snapshot: () => machine.snapshot() };
}

class Dispatcher {
  private readonly problem: Problem;
  private readonly plan: Plan;
  private scored: ScoredCandidate;
  private readonly backend: Backend;
  private readonly journal: RunJournal | undefined;
  private readonly n: number;
  private readonly P: number;
  private readonly poolIds: readonly string[];
  private readonly poolIndex: Map<string, number>;
  private readonly state: Uint8Array;
  private readonly pendingInputs: Int32Array;
  private readonly poolOf: Int32Array;
  private readonly priority: Float64Array;
  private readonly plannedFinishS: Float64Array;
  private readonly attempt: Int32Array;
  private readonly failures: Int32Array;
  /** Per sub-task, the pools its retries were spent on: a failure can be the pool's (memory, a missing tool), so it is not sent back there. */
  private readonly failedOn = new Map<number, Set<number>>();
  private readonly startedS: Float64Array;
  private readonly finishS: Float64Array;
  private readonly outputDir: (string | undefined)[];
  private readonly value: unknown[];
  private readonly reason: (string | undefined)[];
  private readonly keyOf: (string | undefined)[];
  private readonly subtaskOfKey = new Map<string, number>();
  private readonly poolOfKey = new Map<string, number>();
  private readonly stagingOfKey = new Map<string, string>();
  /** Attempts the backend said started, with when (run s); the rest are still waiting in the backend for a slot or a worker. */
  private readonly startedKeys = new Map<string, number>();
  /** Waiting attempts the dispatcher cancelled to place them elsewhere (not a failure of their pool). */
  private readonly withdrawn = new Set<string>();
  /** The slot (lane) each sub-task's current or committed attempt holds on its pool: what the partial schedule of a re-plan names. */
  private readonly slotOf: Int32Array;
  /** Per pool, a stack of free slot indices (lowest on top). */
  private readonly freeSlots: number[][];
  /** Per pool, the next slot index never used (capacity above the declared slots). */
  private readonly nextSlot: Int32Array;
  private readonly queues: PriorityQueue[];
  private readonly load: PoolLoad & { slots: Int32Array; inFlight: Int32Array; queued: Int32Array; excluded: Uint8Array };
  private readonly poolDone: Int32Array;
  private readonly poolFailed: Int32Array;
  private readonly poolBadRun: Int32Array;
  private readonly retryLimit: Int32Array;
  private readonly plannedMakespanS: number;
  private readonly startedAtMs: number;
  private readonly offsetS: number;
  private readonly scale: number;
  /** The plan's forecast, updated online; undefined for a run without one. */
  private readonly online: OnlineForecast | undefined;
  private readonly rule: RecoveryRule;
  /** Failover: the order as pool indices, and each pool's position in it (-1: not in it, its sub-tasks stay in place). */
  private readonly failoverOrder: readonly number[];
  private readonly failoverAt: Int32Array;
  /** Re-planning settings; false when the run never re-plans (replan: false, a rule other than the cost model's, replicas). */
  private readonly replanSettings: ReplanSettings | false;
  /** Work may wait on a pool without slots while other pools have some (retry in place, failover's pools outside the order, replicas). */
  private readonly waitsInPlace: boolean;
  private readonly usage: UsageMeter;
  private readonly rep: ReplicaUnits | undefined;
  /** With choosePool: 1 where it placed the sub-task (a re-plan leaves those where they are), the plan's work committed and in all. */
  private readonly chosen: Uint8Array | undefined;
  private committedWorkS = 0;
  private totalWorkS = 0;
  private seq = 0;
  private committed = 0;
  private settled = 0;
  private attempts = 0;
  private retries = 0;
  private moves = 0;
  private replans = 0;
  private backingOff = 0;
  private lastReplanS = Number.NEGATIVE_INFINITY;
  private replanWanted: string | undefined;
  private lastCommitS = 0;
  private stopping = false;
  private flushScheduled = false;
  private finish!: (report: RunReport) => void;
  private fail!: (error: unknown) => void;
  private finished = false;
  /** Armed while queued work waits for capacity on a real backend; gives it up when it fires. */
  private capacityTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DispatchOptions) {
    this.problem = options.problem;
    this.plan = options.plan;
    this.scored = options.scored ?? scoredFromPlan(options.problem, options.plan);
    this.backend = options.backend;
    this.journal = options.journal;
    const n = (this.n = options.plan.subtasks.length);
    const P = (this.P = options.problem.pools.count);
    this.poolIds = options.problem.pools.ids;
    this.poolIndex = new Map(this.poolIds.map((id, p) => [id, p]));
    this.state = new Uint8Array(n);
    this.pendingInputs = new Int32Array(n);
    this.poolOf = Int32Array.from(this.scored.schedule.pool);
    this.priority = Float64Array.from(this.scored.schedule.startS);
    this.plannedFinishS = Float64Array.from(this.scored.schedule.finishS);
    this.attempt = new Int32Array(n);
    this.failures = new Int32Array(n);
    this.startedS = new Float64Array(n).fill(NaN);
    this.finishS = Float64Array.from(this.scored.schedule.finishS);
    this.outputDir = new Array(n);
    this.value = new Array(n);
    this.reason = new Array(n);
    this.keyOf = new Array(n);
    this.queues = Array.from({ length: P }, () => new PriorityQueue(this.priority));
    const slots = new Int32Array(P);
    this.poolIds.forEach((id, p) => (slots[p] = options.slots?.get(id) ?? options.problem.pools.maxSlots[p]!));
    this.load = { slots, inFlight: new Int32Array(P), queued: new Int32Array(P), excluded: new Uint8Array(P) };
    this.poolDone = new Int32Array(P);
    this.poolFailed = new Int32Array(P);
    this.poolBadRun = new Int32Array(P);
    this.retryLimit = new Int32Array(n);
    this.slotOf = new Int32Array(n).fill(-1);
    this.nextSlot = Int32Array.from(slots);
    this.freeSlots = Array.from({ length: P }, (_, p) => Array.from({ length: slots[p]! }, (_, k) => slots[p]! - 1 - k));
    const stages = options.problem.definition.stages;
    options.plan.subtasks.forEach((subtask, s) => {
      let limit = options.retries ?? DEFAULT_RETRIES;
      for (const id of stagesOf(subtask)) {
        const r = stages[options.problem.stageIndex.get(id)!]!.run?.retries;
        if (r !== undefined) limit = r;
      }
      this.retryLimit[s] = limit;
    });
    this.plannedMakespanS = options.plan.summary.makespanS;
    this.offsetS = options.resume?.offsetS ?? 0;
    this.scale = options.timeScale ?? 1;
    this.startedAtMs = options.startedAtMs ?? Date.now();
    if (options.forecast !== undefined) {
      const { bands, ...online } = options.forecast;
      this.online = createOnlineForecast(options.problem, bands, { ...online, capSlots: slots });
    }
    this.rule = options.recovery ?? { kind: 'cost-model' };
    this.failoverAt = new Int32Array(P).fill(-1);
    const order: number[] = [];
    if (this.rule.kind === 'failover') {
      const issues = [];
      for (const [i, id] of this.rule.order.entries()) {
        const p = this.poolIndex.get(id);
        if (p === undefined) issues.push({ code: 'invalid_value' as const, path: ['recovery', 'order', i], message: `failover order names pool "${id}", which the resource map does not have (it has ${this.poolIds.join(', ')})`, expected: 'a pool id', received: id });
        else if (this.failoverAt[p] === -1) {
          this.failoverAt[p] = order.length;
          order.push(p);
        }
      }
      if (issues.length > 0) throw new InputError('recovery', issues);
    }
    this.failoverOrder = order;
    this.replanSettings = options.replan === false || this.rule.kind !== 'cost-model' || options.replicas !== undefined ? false : (options.replan ?? DEFAULT_REPLAN);
    this.waitsInPlace = this.rule.kind !== 'cost-model' || options.replicas !== undefined;
    this.usage = new UsageMeter(options.problem);
    if (options.replicas !== undefined) {
      const k = options.replicas.k;
      if (!Number.isInteger(k) || k < 1) throw new InputError('replicas', [{ code: 'invalid_value', path: ['replicas', 'k'], message: `replicas per sub-task must be a whole number ≥ 1, got ${k}`, expected: 'an integer ≥ 1', received: String(k) }]);
      const priority = new Float64Array(n * k);
      this.rep = {
        k,
        rule: options.replicas,
        pool: new Int32Array(n * k).fill(-1),
        phase: new Uint8Array(n * k),
        key: new Array(n * k),
        lane: new Int32Array(n * k).fill(-1),
        failures: new Int32Array(n * k),
        priority,
        queues: Array.from({ length: P }, () => new PriorityQueue(priority)),
        unitOfKey: new Map(),
        pools: new Array(n),
      };
    } else this.rep = undefined;
    if (options.choosePool !== undefined && options.replicas === undefined) {
      this.chosen = new Uint8Array(n);
      for (const subtask of options.plan.subtasks) this.totalWorkS += subtask.runtimeS;
    } else this.chosen = undefined;
  }

  /** Run time now: the backend's clock, after the time a resumed run had already run. */
  private nowS(): number {
    return this.toRunS(this.backend.nowS());
  }

  /** Backend seconds → run seconds (the plan's units, after what a resumed run had already run). */
  private toRunS(backendS: number): number {
    return this.offsetS + backendS / this.scale;
  }

  run(): Promise<RunReport> {
    // Backends may unref their threads and processes (so an idle one never holds a process
    // open); a run in progress must, until it settles.
    const keepAlive = setInterval(() => {}, 1 << 30);
    return new Promise<RunReport>((resolve, reject) => {
      this.finish = (report) => {
        clearInterval(keepAlive);
        resolve(report);
      };
      this.fail = (error) => {
        clearInterval(keepAlive);
        reject(error);
      };
      const pools = this.poolIds.map((id, p) => ({ id, slots: this.load.slots[p]! }));
      this.backend
        .open(pools, (event) => this.guard(() => this.onEvent(event)))
        .then(() => this.guard(() => this.begin()), reject);
    });
  }

  /** Errors inside event handling end the run (with the journal flushed), never an unhandled rejection. */
  private guard(work: () => void): void {
    if (this.finished) return;
    try {
      work();
    } catch (error) {
      this.finished = true;
      try {
        this.journal?.flush();
      } catch {
        // The first error is the one to report.
      }
      this.fail(error);
    }
  }

  private begin(): void {
    const { graph } = this.scored;
    const committedIds = new Map((this.options.resume?.commits ?? []).map((c) => [c.subtaskId, c]));
    const ids = this.plan.subtasks;
    for (let s = 0; s < this.n; s++) {
      this.pendingInputs[s] = graph.predStart[s + 1]! - graph.predStart[s]!;
      this.attempt[s] = this.options.resume?.lastAttempt.get(ids[s]!.id) ?? 0;
    }
    for (let s = 0; s < this.n; s++) {
      const commit = committedIds.get(ids[s]!.id);
      if (commit === undefined) continue;
      this.state[s] = COMMITTED;
      this.committed++;
      this.settled++;
      const p = this.poolIndex.get(commit.poolId);
      if (p !== undefined) this.poolOf[s] = p;
      this.startedS[s] = commit.startedS;
      this.finishS[s] = commit.finishedS;
      this.outputDir[s] = commit.outputDir;
      this.value[s] = commit.value;
      this.committedWorkS += ids[s]!.runtimeS;
      for (let e = graph.succStart[s]!; e < graph.succStart[s + 1]!; e++) this.pendingInputs[graph.succIndex[e]!]!--;
    }
    if (this.options.resume !== undefined) this.decide('resume', `resumed with ${this.committed} of ${this.n} sub-tasks committed`);
    for (let s = 0; s < this.n; s++) if (this.state[s] === WAITING && this.pendingInputs[s] === 0) this.makeReady(s);
    this.options.signal?.addEventListener('abort', () => this.guard(() => this.stop('stopped (interrupted)')), { once: true });
    if (this.options.signal?.aborted === true) this.stop('stopped (interrupted)');
    this.pumpAll();
    this.checkDone();
  }

  snapshot(): RunSnapshot {
    const pools = this.poolIds.map((id, p) => ({
      id,
      slots: this.load.slots[p]!,
      done: this.poolDone[p]!,
      running: this.load.inFlight[p]!,
      queued: this.load.queued[p]!,
      failed: this.poolFailed[p]!,
      excluded: this.load.excluded[p] === 1,
    }));
    return { nowS: this.nowS(), plannedMakespanS: this.plannedMakespanS, committed: this.committed, total: this.n, retries: this.retries, moves: this.moves, replans: this.replans, pools };
  }

  // ---- submission -------------------------------------------------------------------------

  private makeReady(s: number): void {
    if (this.rep !== undefined) return this.startReplicas(s);
    if (this.chosen !== undefined) this.consultPoolChoice(s);
    const p = this.poolOf[s]!;
    if (this.load.excluded[p] === 1 || this.load.slots[p]! <= 0) {
      const why = `its pool ${this.poolIds[p]} is ${this.load.excluded[p] === 1 ? 'out of the run' : 'without slots'}`;
      // Its planned pool is gone: rank now rather than wait for a pool that may not return.
      if (this.rule.kind === 'cost-model') {
        if (!this.reallocate(s, why, false)) return;
      } else if (!this.relocateByRule(s, why)) return;
    }
    this.state[s] = READY;
    const q = this.poolOf[s]!;
    this.queues[q]!.push(s);
    this.load.queued[q]!++;
  }

  /** choosePool's answer for s now, if it names a pool that can run s (else the dispatcher's choice stands). */
  private consultPoolChoice(s: number): void {
    this.chosen![s] = 0;
    const q = this.options.choosePool!(s, this.progress());
    if (q === undefined) return;
    if (!Number.isInteger(q) || q < 0 || q >= this.P) throw new Error(`choosePool returned ${q} for sub-task ${this.plan.subtasks[s]!.id}: not a pool index (0..${this.P - 1})`);
    if (q === this.poolOf[s]) {
      this.chosen![s] = 1;
      return;
    }
    const id = this.plan.subtasks[s]!.id;
    if (!(this.scored.graph.expectedS[s * this.P + q]! < Number.POSITIVE_INFINITY) || this.load.excluded[q] === 1) {
      this.decide('stay', `the pool choice named ${this.poolIds[q]}, which ${this.load.excluded[q] === 1 ? 'is out of the run' : 'cannot run it'}: it stays on ${this.poolIds[this.poolOf[s]!]}`, id, this.poolIds[this.poolOf[s]!]!);
      return;
    }
    this.chosen![s] = 1;
    this.moves++;
    this.decide('move', `the pool choice sends it to ${this.poolIds[q]} (from ${this.poolIds[this.poolOf[s]!]})`, id, this.poolIds[q]!);
    this.poolOf[s] = q;
  }

  /** What a pool-choosing rule sees now: committed sub-tasks and their planned runtime (the plan's runtimeS on its planned pool). */
  private progress(): ProgressView {
    return { nowS: this.nowS(), committed: this.committed, total: this.n, committedWorkS: this.committedWorkS, totalWorkS: this.totalWorkS };
  }

  private pumpAll(): void {
    for (let p = 0; p < this.P; p++) this.pump(p);
  }

  private pump(p: number): void {
    if (this.stopping) return;
    if (this.rep !== undefined) return this.pumpUnits(p);
    const queue = this.queues[p]!;
    while (this.load.inFlight[p]! < this.load.slots[p]! && queue.size > 0) {
      const s = queue.pop();
      this.load.queued[p]!--;
      if (this.state[s] !== READY || this.poolOf[s] !== p) continue; // re-allocated meanwhile
      this.submit(s, p);
    }
  }

  private submit(s: number, p: number): void {
    const job = this.prepareAttempt(s, p);
    this.state[s] = SUBMITTED;
    this.keyOf[s] = jobKey(job);
    this.slotOf[s] = this.takeSlot(p);
    this.backend.submit(job);
  }

  /** Builds the next attempt of s on p and registers it (its number counts every attempt of s, replicas included, so keys stay unique); the caller submits it. */
  private prepareAttempt(s: number, p: number): DispatchJob {
    const { graph } = this.scored;
    const inputs: JobInput[] = [];
    for (let e = graph.predStart[s]!; e < graph.predStart[s + 1]!; e++) {
      const q = graph.predIndex[e]!;
      const dir = this.outputDir[q];
      const value = this.value[q];
      inputs.push({ subtask: this.plan.subtasks[q]!.id, ...(dir === undefined ? {} : { dir }), ...(value === undefined ? {} : { value }) });
    }
    const attempt = ++this.attempt[s]!;
    const job = this.options.jobs({ subtask: s, attempt, pool: this.poolIds[p]!, inputs, runtimeS: graph.runtimeS[s * this.P + p]! });
    const key = jobKey(job);
    this.subtaskOfKey.set(key, s);
    this.poolOfKey.set(key, p);
    this.stagingOfKey.set(key, job.stagingDir);
    this.load.inFlight[p]!++;
    this.attempts++;
    return job;
  }

  /** The lowest free slot index of pool p (a new one past the declared slots when capacity grew). */
  private takeSlot(p: number): number {
    const free = this.freeSlots[p]!;
    if (free.length === 0) return this.nextSlot[p]!++;
    let best = free.length - 1;
    // Usually the top; after releases out of order, the lowest (short stacks: slots per pool).
    if (free.length < 64) for (let i = 0; i < free.length; i++) if (free[i]! < free[best]!) best = i;
    const slot = free[best]!;
    free[best] = free[free.length - 1]!;
    free.pop();
    return slot;
  }

  // ---- events -----------------------------------------------------------------------------

  private onEvent(event: BackendEvent): void {
    switch (event.type) {
      case 'started': {
        const s = this.subtaskOfKey.get(event.key);
        if (s !== undefined) {
          this.startedS[s] = this.toRunS(event.atS);
          this.startedKeys.set(event.key, this.startedS[s]);
        }
        return;
      }
      case 'finished':
        this.onFinished(event.key, event.result);
        if (this.online !== undefined) this.maybeReplan();
        break;
      case 'lost':
        this.onFinished(event.key, { outcome: 'interrupted', startedS: NaN, finishedS: event.atS, error: `lost: ${event.reason}` }, true);
        if (this.online !== undefined) this.maybeReplan();
        break;
      case 'capacity':
        this.onCapacity(event.pool, event.slots, event.reason, event.atS);
        break;
    }
    this.scheduleFlush();
    this.checkDone();
  }

  private onFinished(key: string, result: AttemptResult, lost = false): void {
    const s = this.subtaskOfKey.get(key);
    const p = this.poolOfKey.get(key);
    if (s === undefined || p === undefined) return; // not ours, or already ended (a second terminal event)
    const staging = this.stagingOfKey.get(key)!;
    // It ran (and was exposed to its pool's hazard) if the backend said it started.
    const startedAtS = this.startedKeys.get(key);
    const ran = startedAtS !== undefined || (Number.isFinite(result.startedS) && result.outcome !== 'cancelled');
    this.subtaskOfKey.delete(key);
    this.poolOfKey.delete(key);
    this.stagingOfKey.delete(key);
    this.startedKeys.delete(key);
    this.load.inFlight[p]!--;
    const rep = this.rep;
    const u = rep?.unitOfKey.get(key);
    if (u !== undefined) rep!.unitOfKey.delete(key);
    this.freeSlots[p]!.push(u === undefined ? this.slotOf[s]! : rep!.lane[u]!);
    const attempt = Number(key.slice(key.lastIndexOf(':') + 1));
    const startedS = Number.isFinite(result.startedS) ? this.toRunS(result.startedS) : (startedAtS ?? (Number.isFinite(this.startedS[s]!) ? this.startedS[s]! : this.toRunS(result.finishedS)));
    const finishedS = Math.max(startedS, this.toRunS(result.finishedS));
    if (this.online !== undefined) this.observeAttempt(p, ran, startedS, finishedS, result.outcome);
    this.options.onAttempt?.({ subtask: this.plan.subtasks[s]!.id, attempt, pool: this.poolIds[p]!, outcome: lost ? 'lost' : result.outcome, startedS, finishedS, ...(result.error === undefined ? {} : { error: result.error }) });
    const current = u === undefined ? this.keyOf[s] === key : rep!.key[u] === key && rep!.phase[u] === UNIT_SUBMITTED;
    if (u !== undefined && current) rep!.phase[u] = UNIT_IDLE;
    if (result.outcome === 'succeeded') {
      this.poolBadRun[p] = 0;
      this.poolDone[p]!++;
      const committedNow = this.state[s] !== COMMITTED && current;
      if (ran) this.usage.add(p, startedS, finishedS, committedNow);
      const outputDir = committedNow ? (result.files === false ? undefined : this.commitOutput(s, staging)) : (result.files === false ? undefined : discard(staging), undefined);
      this.record(s, p, attempt, result, startedS, finishedS, 'succeeded');
      if (committedNow) {
        if (u !== undefined) {
          this.slotOf[s] = rep!.lane[u]!;
          this.cancelSiblings(s, u);
        }
        this.onCommitted(s, p, attempt, startedS, finishedS, outputDir, result.value);
      } else if (u !== undefined) this.pumpAll(); // a sibling's late success frees its slot for queued work
    } else if (u !== undefined) {
      if (ran) this.usage.add(p, startedS, finishedS, false);
      this.record(s, p, attempt, result, startedS, finishedS, result.outcome);
      if (result.files !== false) discard(staging);
      const withdrawn = this.withdrawn.delete(key);
      if (!current || this.state[s] !== SUBMITTED) return;
      this.onUnitEnded(u, p, result, withdrawn);
      this.pumpAll();
    } else {
      if (ran) this.usage.add(p, startedS, finishedS, false);
      const outcome = result.outcome;
      this.record(s, p, attempt, result, startedS, finishedS, outcome);
      if (result.files !== false) discard(staging);
      if (!current || this.state[s] !== SUBMITTED) return;
      if (this.stopping) {
        this.state[s] = READY; // not run: resumable
        return;
      }
      if (this.withdrawn.delete(key) && outcome === 'cancelled') {
        this.state[s] = WAITING;
        if (this.relocate(s, `withdrawn from ${this.poolIds[p]} before it started (${result.error ?? 'withdrawn'})`)) this.makeReady(s);
      } else if (outcome === 'failed') this.onFailed(s, p, result.error ?? 'failed');
      else this.onLost(s, p, outcome === 'cancelled' ? `cancelled outside the run: ${result.error ?? ''}`.trim() : (result.error ?? outcome));
      this.pumpAll();
    }
  }

  /** Renames staging → output; a missing staging directory means the attempt wrote no files. */
  private commitOutput(s: number, staging: string): string | undefined {
    const target = outputDirOf(this.options.runDir, this.plan.subtasks[s]!.id);
    try {
      renameSync(staging, target);
      return target;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') {
        // Committed before (a run that crashed after the rename, before its journal flush): keep the first.
        rmSync(staging, { recursive: true, force: true });
        return target;
      }
      throw error;
    }
  }


  private onCommitted(s: number, p: number, attempt: number, startedS: number, finishedS: number, outputDir: string | undefined, value: unknown): void {
    const { graph } = this.scored;
    this.state[s] = COMMITTED;
    this.committed++;
    this.settled++;
    this.committedWorkS += this.plan.subtasks[s]!.runtimeS;
    this.poolOf[s] = p;
    this.startedS[s] = startedS;
    this.finishS[s] = finishedS;
    this.outputDir[s] = outputDir;
    this.value[s] = value;
    if (finishedS > this.lastCommitS) this.lastCommitS = finishedS;
    this.journal?.recordCommit(this.options.runId, {
      subtaskId: this.plan.subtasks[s]!.id,
      attempt,
      poolId: this.poolIds[p]!,
      ...(outputDir === undefined ? {} : { outputDir }),
      ...(value === undefined ? {} : { value }),
      startedS,
      finishedS,
    });
    for (let e = graph.succStart[s]!; e < graph.succStart[s + 1]!; e++) {
      const t = graph.succIndex[e]!;
      if (--this.pendingInputs[t]! === 0 && this.state[t] === WAITING) this.makeReady(t);
    }
    this.checkDrift(s, finishedS);
    this.pumpAll();
  }

  private onFailed(s: number, p: number, error: string): void {
    this.poolFailed[p]!++;
    this.noteBad(p);
    const id = this.plan.subtasks[s]!.id;
    const failures = ++this.failures[s]!;
    if (this.attempt[s]! >= MAX_ATTEMPTS) return this.giveUp(s, `${MAX_ATTEMPTS} attempts without success; last: ${error}`);
    if (failures <= this.retryLimit[s]! && this.load.excluded[p] === 0) {
      const delayS = this.options.backoffS?.(failures) ?? Math.min(30, 2 ** (failures - 1));
      this.retries++;
      this.decide('retry', `attempt ${this.attempt[s]} failed (${error}); retry ${failures} of ${this.retryLimit[s]} on ${this.poolIds[p]} in ${delayS} s`, id, this.poolIds[p]!);
      this.backOff(s, delayS);
      return;
    }
    if (this.rule.kind !== 'cost-model') return this.failedOutOfRetries(s, p, failures, error);
    let spent = this.failedOn.get(s);
    if (spent === undefined) this.failedOn.set(s, (spent = new Set()));
    spent.add(p);
    const next = this.rank(s).find((r) => !spent.has(r.pool));
    if (next !== undefined) {
      this.failures[s] = 0;
      this.moves++;
      this.poolOf[s] = next.pool;
      this.decide('move', `failed ${failures} times on ${this.poolIds[p]} (last: ${error}); moved to ${this.poolIds[next.pool]}, the pool the cost model ranks best among those it has not failed on (expected finish ${next.finishS.toFixed(1)} s)`, id, this.poolIds[next.pool]!);
      this.state[s] = WAITING;
      this.makeReady(s);
      return;
    }
    this.giveUp(s, `failed ${failures} times on ${this.poolIds[p]} (last: ${error}), after its retries on ${[...spent].map((q) => this.poolIds[q]).join(', ')}; no other pool can run it now`);
  }

  private backOff(s: number, delayS: number): void {
    this.state[s] = BACKING_OFF;
    this.backingOff++;
    const wake = (): void =>
      this.guard(() => {
        this.backingOff--;
        if (this.state[s] !== BACKING_OFF) return;
        this.state[s] = WAITING;
        if (!this.stopping) this.makeReady(s);
        else this.state[s] = READY;
        this.pumpAll();
        this.checkDone();
      });
    if (this.backend.after !== undefined) this.backend.after(delayS, wake);
    else setTimeout(wake, delayS * 1000);
  }

  private onLost(s: number, p: number, why: string): void {
    this.poolFailed[p]!++;
    this.noteBad(p);
    if (this.attempt[s]! >= MAX_ATTEMPTS) return this.giveUp(s, `${MAX_ATTEMPTS} attempts without success; last: ${why}`);
    this.state[s] = WAITING;
    if (this.relocate(s, `attempt ${this.attempt[s]} on ${this.poolIds[p]} ${why}`)) this.makeReady(s);
  }

  /** Where s goes after an interruption, a loss, a withdrawal or its pool losing its slots, by the recovery rule; false (and s given up) when nowhere. */
  private relocate(s: number, why: string): boolean {
    return this.rule.kind === 'cost-model' ? this.reallocate(s, why, true) : this.relocateByRule(s, why);
  }

  /**
   * retry-in-place (and failover for a pool outside its order): s stays on its pool, waiting for
   * its slots if it has none now, given up if they are not coming back. failover: s moves to the
   * next pool of the order after its own (see failoverNext).
   */
  private relocateByRule(s: number, why: string): boolean {
    const id = this.plan.subtasks[s]!.id;
    const from = this.poolOf[s]!;
    if (this.rule.kind === 'failover' && this.failoverAt[from]! >= 0) {
      const next = this.failoverNext(s, from);
      if (next === undefined) {
        this.giveUp(s, `${why}, and no pool of the failover order can run it now`);
        return false;
      }
      this.poolOf[s] = next;
      if (next !== from) {
        this.moves++;
        this.decide('move', `${why}; failed over to ${this.poolIds[next]}, the next pool of the order that can run it${this.load.slots[next]! > 0 ? '' : ' (waiting for its slots)'}`, id, this.poolIds[next]!);
      } else this.decide('stay', `${why}; ${this.poolIds[from]} is the only pool of the failover order that can run it now`, id, this.poolIds[from]!);
      return true;
    }
    if (this.load.excluded[from] === 0 && (this.load.slots[from]! > 0 || this.mayReturn(from))) {
      if (this.load.slots[from]! > 0) this.decide('stay', `${why}; retried on its own pool ${this.poolIds[from]}`, id, this.poolIds[from]!);
      else this.decide('wait', `${why}; it waits for its own pool ${this.poolIds[from]} to get slots back`, id, this.poolIds[from]!);
      return true;
    }
    this.giveUp(s, `${why}; it runs on its own pool only, and ${this.poolIds[from]} has no slots and none are scheduled to come back`);
    return false;
  }

  /**
   * failover: the pool after `from` in the order (wrapping, `from` itself last) that can run s,
   * is in the run and is not `avoid`ed: the first with slots now, else the first whose slots
   * may come back; undefined when none (or `from` is not in the order).
   */
  private failoverNext(s: number, from: number, avoid?: (q: number) => boolean): number | undefined {
    const order = this.failoverOrder;
    const at = this.failoverAt[from]!;
    if (at < 0) return undefined;
    let waitOn: number | undefined;
    for (let i = 1; i <= order.length; i++) {
      const q = order[(at + i) % order.length]!;
      if (!this.canRun(s, q) || this.load.excluded[q] === 1 || avoid?.(q) === true) continue;
      if (this.load.slots[q]! > 0) return q;
      if (waitOn === undefined && this.mayReturn(q)) waitOn = q;
    }
    return waitOn;
  }

  /** A failure with its retries spent, under retry-in-place (given up) or failover (the next pool of the order, with fresh retries). */
  private failedOutOfRetries(s: number, p: number, failures: number, error: string): void {
    const id = this.plan.subtasks[s]!.id;
    const next = this.rule.kind === 'failover' ? this.failoverNext(s, p) : undefined;
    if (next === undefined) {
      const rule = this.rule.kind === 'failover' ? (this.failoverAt[p]! < 0 ? `${this.poolIds[p]} is not in the failover order` : 'no pool of the failover order can run it now') : 'retry-in-place does not move it';
      return this.giveUp(s, `failed ${failures} times on ${this.poolIds[p]} (last: ${error}); ${rule}`);
    }
    this.failures[s] = 0;
    this.poolOf[s] = next;
    if (next !== p) {
      this.moves++;
      this.decide('move', `failed ${failures} times on ${this.poolIds[p]} (last: ${error}); failed over to ${this.poolIds[next]}, the next pool of the order, with fresh retries`, id, this.poolIds[next]!);
    } else this.decide('stay', `failed ${failures} times on ${this.poolIds[p]} (last: ${error}); the only pool of the failover order that can run it: fresh retries there`, id, this.poolIds[p]!);
    this.state[s] = WAITING;
    this.makeReady(s);
  }

  private canRun(s: number, q: number): boolean {
    return this.scored.graph.expectedS[s * this.P + q]! < Number.POSITIVE_INFINITY;
  }

  /** Pool q's slots may come back: scheduled on a virtual clock; on a real backend workers may join at any time. */
  private mayReturn(q: number): boolean {
    return this.backend.nextCapacityChangeS === undefined || this.backend.nextCapacityChangeS(this.poolIds[q]!) !== undefined;
  }

  /** Moves s to the pool ranked best now; false (and s given up) when none can run it. */
  private reallocate(s: number, why: string, log: boolean): boolean {
    const id = this.plan.subtasks[s]!.id;
    const from = this.poolOf[s]!;
    const best = this.rank(s)[0];
    if (best === undefined) {
      const waitOn = this.poolThatMayReturn(s, from);
      if (waitOn === undefined) {
        this.giveUp(s, `${why}, and no pool can run it now`);
        return false;
      }
      this.poolOf[s] = waitOn;
      if (log) this.decide('wait', `${why}; no pool has a slot for it now: it waits for ${this.poolIds[waitOn]} to get slots back`, id, this.poolIds[waitOn]!);
      return true;
    }
    this.poolOf[s] = best.pool;
    if (best.pool !== from) {
      this.moves++;
      this.decide('move', `${why}; moved to ${this.poolIds[best.pool]}, ranked best now by the cost model (expected finish ${best.finishS.toFixed(1)} s, ${best.priceUsd.toFixed(4)} USD)`, id, this.poolIds[best.pool]!);
    } else if (log) {
      this.decide('stay', `${why}; ${this.poolIds[from]} is still ranked best by the cost model (expected finish ${best.finishS.toFixed(1)} s)`, id, this.poolIds[from]!);
    }
    return true;
  }

  /**
   * A pool s may run on whose slots may come back (scheduled on a virtual clock; on a real
   * backend workers may join): its own pool first. Undefined when none.
   */
  private poolThatMayReturn(s: number, preferred: number): number | undefined {
    const P = this.P;
    const may = (q: number): boolean =>
      this.load.excluded[q] === 0 && this.scored.graph.expectedS[s * P + q]! < Number.POSITIVE_INFINITY && (this.backend.nextCapacityChangeS === undefined || this.backend.nextCapacityChangeS(this.poolIds[q]!) !== undefined);
    if (may(preferred)) return preferred;
    for (let q = 0; q < P; q++) if (may(q)) return q;
    return undefined;
  }

  // ---- replicas ---------------------------------------------------------------------------
  //
  // With `replicas`, a ready sub-task is not queued itself: up to k units (s·k + r) are, one per
  // pool of pools(s) (distinct, able to run s, in the run), each queued on its pool like any
  // attempt and submitted as its own attempt (attempt numbers count on per sub-task, so keys
  // stay unique). The first unit to succeed commits; the others are cancelled (running) or
  // dropped (queued, backing off), and their ends are expected: counted as wasted, never
  // re-allocated. A unit interrupted, lost or withdrawn restarts on a pool none of its live
  // siblings is on: the next of pools(s) after its own, else the best the cost model ranks,
  // else its own pool if its slots may come back; else it ends. A failed unit follows the
  // recovery rule: retries in place with backoff, then (cost-model) the best-ranked pool it has
  // not failed on, (failover) the next pool of the order, (retry-in-place) it ends. No sibling's
  // pool is ever chosen. The sub-task is given up when its last unit ends. Replicas never re-plan
  // and choosePool is not consulted.

  private startReplicas(s: number): void {
    const rep = this.rep!;
    const id = this.plan.subtasks[s]!.id;
    const pools: number[] = [];
    for (const q of rep.rule.pools(s)) {
      if (!Number.isInteger(q) || q < 0 || q >= this.P) throw new Error(`replicas.pools returned ${q} for sub-task ${id}: not a pool index (0..${this.P - 1})`);
      if (!pools.includes(q) && this.canRun(s, q) && this.load.excluded[q] === 0) pools.push(q);
    }
    const own = this.poolOf[s]!;
    if (pools.length === 0 && this.canRun(s, own) && this.load.excluded[own] === 0) pools.push(own);
    rep.pools[s] = pools;
    this.state[s] = SUBMITTED;
    const count = Math.min(rep.k, pools.length);
    let placed = 0;
    for (let r = 0; r < count; r++) {
      const u = s * rep.k + r;
      rep.failures[u] = 0;
      rep.priority[u] = this.priority[s]!;
      if (this.placeUnit(u, pools[r]!, `its replica pool ${this.poolIds[pools[r]!]!}`)) placed++;
    }
    if (placed === 0) this.giveUp(s, pools.length === 0 ? 'no pool its replica rule names can run it' : `none of its replica pools (${pools.map((q) => this.poolIds[q]).join(', ')}) has slots, and none are scheduled to come back`);
  }

  /** Queues unit u on q, or where a unit goes when q has no slots or a sibling is there (unitTarget); false when nowhere. */
  private placeUnit(u: number, q: number, what: string): boolean {
    if (this.load.slots[q]! > 0 && this.load.excluded[q] === 0 && !this.siblingOn(u, q)) {
      this.queueUnit(u, q);
      return true;
    }
    const target = this.unitTarget(u, q);
    if (target === undefined) return false;
    if (target !== q) {
      this.moves++;
      this.decide('move', `a replica: ${what} ${this.siblingOn(u, q) ? 'holds another replica' : 'has no slots'}; it starts on ${this.poolIds[target]} instead`, this.plan.subtasks[this.subtaskOfUnit(u)]!.id, this.poolIds[target]!);
    }
    this.queueUnit(u, target);
    return true;
  }

  /** Where unit u (last on `from`) goes: a pool none of its live siblings is on (see the section's header). */
  private unitTarget(u: number, from: number): number | undefined {
    const rep = this.rep!;
    const s = this.subtaskOfUnit(u);
    const ok = (q: number): boolean => q !== from && this.load.excluded[q] === 0 && this.load.slots[q]! > 0 && this.canRun(s, q) && !this.siblingOn(u, q);
    const list = rep.pools[s]!;
    const at = list.indexOf(from);
    for (let i = 1; i <= list.length; i++) {
      const q = list[(((at + i) % list.length) + list.length) % list.length]!;
      if (ok(q)) return q;
    }
    const ranked = this.rank(s).find((r) => ok(r.pool));
    if (ranked !== undefined) return ranked.pool;
    if (this.canRun(s, from) && this.load.excluded[from] === 0 && !this.siblingOn(u, from) && (this.load.slots[from]! > 0 || this.mayReturn(from))) return from;
    return undefined;
  }

  private subtaskOfUnit(u: number): number {
    return Math.floor(u / this.rep!.k);
  }

  /** A live sibling of unit u (queued, submitted or backing off) is on pool q. */
  private siblingOn(u: number, q: number): boolean {
    const rep = this.rep!;
    const first = this.subtaskOfUnit(u) * rep.k;
    for (let v = first; v < first + rep.k; v++) if (v !== u && rep.phase[v] !== UNIT_IDLE && rep.pool[v] === q) return true;
    return false;
  }

  private anyLiveUnit(s: number): boolean {
    const rep = this.rep!;
    for (let v = s * rep.k; v < (s + 1) * rep.k; v++) if (rep.phase[v] !== UNIT_IDLE) return true;
    return false;
  }

  private queueUnit(u: number, q: number): void {
    const rep = this.rep!;
    rep.pool[u] = q;
    rep.phase[u] = UNIT_QUEUED;
    rep.queues[q]!.push(u);
    this.load.queued[q]!++;
  }

  /** Takes a queued unit out (its queue entry goes stale). */
  private dequeueUnit(u: number): void {
    const rep = this.rep!;
    if (rep.phase[u] !== UNIT_QUEUED) return;
    this.load.queued[rep.pool[u]!]!--;
    rep.phase[u] = UNIT_IDLE;
  }

  private pumpUnits(p: number): void {
    const rep = this.rep!;
    const queue = rep.queues[p]!;
    while (this.load.inFlight[p]! < this.load.slots[p]! && queue.size > 0) {
      const u = queue.pop();
      if (rep.phase[u] !== UNIT_QUEUED || rep.pool[u] !== p) continue; // dropped or moved meanwhile
      this.load.queued[p]!--;
      const s = this.subtaskOfUnit(u);
      const job = this.prepareAttempt(s, p);
      const key = jobKey(job);
      rep.phase[u] = UNIT_SUBMITTED;
      rep.key[u] = key;
      rep.lane[u] = this.takeSlot(p);
      rep.unitOfKey.set(key, u);
      this.backend.submit(job);
    }
  }

  /** Unit u of s committed: its siblings are cancelled (running) or dropped (queued, backing off). */
  private cancelSiblings(s: number, u: number): void {
    const rep = this.rep!;
    const id = this.plan.subtasks[s]!.id;
    for (let v = s * rep.k; v < (s + 1) * rep.k; v++) {
      if (v === u) continue;
      const phase = rep.phase[v];
      if (phase === UNIT_QUEUED) this.dequeueUnit(v);
      else if (phase === UNIT_BACKING_OFF) rep.phase[v] = UNIT_IDLE;
      else if (phase === UNIT_SUBMITTED) this.backend.cancel(rep.key[v]!, `another replica of ${id} committed first`);
    }
  }

  /** A unit's attempt ended without success while its sub-task is not committed. */
  private onUnitEnded(u: number, p: number, result: AttemptResult, withdrawn: boolean): void {
    const s = this.subtaskOfUnit(u);
    if (this.stopping) {
      if (!this.anyLiveUnit(s)) this.state[s] = READY; // not run: resumable
      return;
    }
    const attempt = this.attempt[s]!;
    if (withdrawn && result.outcome === 'cancelled') return this.relocateUnit(u, p, `a replica was withdrawn from ${this.poolIds[p]} before it started (${result.error ?? 'withdrawn'})`);
    if (result.outcome === 'failed') return this.onUnitFailed(u, p, result.error ?? 'failed');
    this.poolFailed[p]!++;
    this.noteBad(p);
    const why = result.outcome === 'cancelled' ? `cancelled outside the run: ${result.error ?? ''}`.trim() : (result.error ?? result.outcome);
    this.relocateUnit(u, p, `a replica (attempt ${attempt}) on ${this.poolIds[p]} ${why}`);
  }

  private relocateUnit(u: number, from: number, why: string): void {
    const s = this.subtaskOfUnit(u);
    const id = this.plan.subtasks[s]!.id;
    if (this.attempt[s]! >= MAX_ATTEMPTS) return this.endUnit(u, `${MAX_ATTEMPTS} attempts without success; last: ${why}`);
    const target = this.unitTarget(u, from);
    if (target === undefined) return this.endUnit(u, `${why}; no pool none of its live replicas is on can run it`);
    if (target !== from) {
      this.moves++;
      this.decide('move', `${why}; restarted on ${this.poolIds[target]}, a pool none of its live replicas is on`, id, this.poolIds[target]!);
    } else this.decide(this.load.slots[from]! > 0 ? 'stay' : 'wait', `${why}; no other pool free of its replicas can run it: restarted on ${this.poolIds[from]}`, id, this.poolIds[from]!);
    this.queueUnit(u, target);
  }

  /** Unit u is done for good (it is idle): its sub-task is given up if it was the last. */
  private endUnit(u: number, why: string): void {
    const rep = this.rep!;
    const s = this.subtaskOfUnit(u);
    rep.phase[u] = UNIT_IDLE;
    if (!this.anyLiveUnit(s)) return this.giveUp(s, why);
    const others: string[] = [];
    for (let v = s * rep.k; v < (s + 1) * rep.k; v++) if (rep.phase[v] !== UNIT_IDLE) others.push(this.poolIds[rep.pool[v]!]!);
    this.decide('stay', `one replica fewer (${why}); its replicas on ${others.join(', ')} carry on`, this.plan.subtasks[s]!.id);
  }

  private onUnitFailed(u: number, p: number, error: string): void {
    const rep = this.rep!;
    this.poolFailed[p]!++;
    this.noteBad(p);
    const s = this.subtaskOfUnit(u);
    const id = this.plan.subtasks[s]!.id;
    const failures = ++rep.failures[u]!;
    if (this.attempt[s]! >= MAX_ATTEMPTS) return this.endUnit(u, `${MAX_ATTEMPTS} attempts without success; last: ${error}`);
    if (failures <= this.retryLimit[s]! && this.load.excluded[p] === 0) {
      const delayS = this.options.backoffS?.(failures) ?? Math.min(30, 2 ** (failures - 1));
      this.retries++;
      this.decide('retry', `a replica failed (${error}); retry ${failures} of ${this.retryLimit[s]} on ${this.poolIds[p]} in ${delayS} s`, id, this.poolIds[p]!);
      this.backOffUnit(u, delayS);
      return;
    }
    let next: number | undefined;
    if (this.rule.kind === 'cost-model') {
      let spent = this.failedOn.get(s);
      if (spent === undefined) this.failedOn.set(s, (spent = new Set()));
      spent.add(p);
      next = this.rank(s).find((r) => !spent.has(r.pool) && !this.siblingOn(u, r.pool))?.pool;
    } else if (this.rule.kind === 'failover') next = this.failoverNext(s, p, (q) => this.siblingOn(u, q));
    if (next === undefined) return this.endUnit(u, `a replica failed ${failures} times on ${this.poolIds[p]} (last: ${error}), and no other pool free of its replicas is left to it`);
    rep.failures[u] = 0;
    if (next !== p) {
      this.moves++;
      this.decide('move', `a replica failed ${failures} times on ${this.poolIds[p]} (last: ${error}); moved to ${this.poolIds[next]}, with fresh retries`, id, this.poolIds[next]!);
    }
    this.queueUnit(u, next);
  }

  private backOffUnit(u: number, delayS: number): void {
    const rep = this.rep!;
    rep.phase[u] = UNIT_BACKING_OFF;
    this.backingOff++;
    const wake = (): void =>
      this.guard(() => {
        this.backingOff--;
        if (rep.phase[u] !== UNIT_BACKING_OFF) return; // a sibling committed meanwhile
        rep.phase[u] = UNIT_IDLE;
        const s = this.subtaskOfUnit(u);
        if (this.stopping) {
          if (!this.anyLiveUnit(s) && this.state[s] === SUBMITTED) this.state[s] = READY;
        } else if (!this.placeUnit(u, rep.pool[u]!, `its pool ${this.poolIds[rep.pool[u]!]}`)) this.endUnit(u, `its pool ${this.poolIds[rep.pool[u]!]} has no slots and none are scheduled to come back`);
        this.pumpAll();
        this.checkDone();
      });
    if (this.backend.after !== undefined) this.backend.after(delayS, wake);
    else setTimeout(wake, delayS * 1000);
  }

  /** Every unit queued on pool p goes where a unit goes when its pool is lost. */
  private requeueUnitsFrom(p: number, why: string): void {
    const rep = this.rep!;
    const queue = rep.queues[p]!;
    const waiting: number[] = [];
    while (queue.size > 0) waiting.push(queue.pop());
    for (const u of waiting) {
      if (rep.phase[u] !== UNIT_QUEUED || rep.pool[u] !== p) continue;
      this.dequeueUnit(u);
      this.relocateUnit(u, p, `a replica: ${why}`);
    }
  }

  private rank(s: number) {
    return rankPools(this.problem, this.scored.graph, s, this.nowS(), this.poolOf, this.finishS, this.load);
  }

  private noteBad(p: number): void {
    // Taking a pool out of the run is the cost model's reaction; retry-in-place and failover keep every pool.
    if (this.rule.kind !== 'cost-model') return;
    const limit = this.options.poolFailureLimit ?? DEFAULT_POOL_FAILURE_LIMIT;
    if (++this.poolBadRun[p]! < limit || this.load.excluded[p] === 1) return;
    let others = 0;
    for (let q = 0; q < this.P; q++) if (q !== p && this.load.excluded[q] === 0) others++;
    if (others === 0) return; // the last pool stays: giving up is decided per sub-task
    this.load.excluded[p] = 1;
    this.decide('exclude-pool', `${limit} attempts in a row failed or were lost on ${this.poolIds[p]}, none succeeded in between: taken out of the run`, undefined, this.poolIds[p]!);
    this.requeueFrom(p, `its pool ${this.poolIds[p]} was taken out of the run`);
    this.withdrawWaiting(p, `pool ${this.poolIds[p]} was taken out of the run`);
    this.replanWanted = `pool ${this.poolIds[p]} was taken out of the run`;
    this.maybeReplan();
  }

  /** An attempt's end, for the online forecast: its exposure, and an interruption (a lost attempt included). */
  private observeAttempt(p: number, ran: boolean, startedS: number, finishedS: number, outcome: AttemptOutcome): void {
    const online = this.online!;
    if (ran) this.noteDeparture(online.observeExposure(p, startedS, finishedS));
    if (outcome === 'interrupted') this.noteDeparture(online.observeInterruption(p, finishedS));
  }

  /** A departure from the forecast: a drift signal, re-planned on under the usual hysteresis. */
  private noteDeparture(why: string | undefined): void {
    if (why !== undefined) this.replanWanted ??= why;
  }

  private onCapacity(pool: string, slots: number, reason: string, atS: number): void {
    const p = this.poolIndex.get(pool);
    if (p === undefined) return;
    const before = this.load.slots[p]!;
    this.load.slots[p] = Math.max(0, slots);
    if (this.online !== undefined) this.noteDeparture(this.online.observeCapacity(p, this.toRunS(atS), Math.max(0, slots)));
    if (slots > 0 && this.capacityTimer !== undefined) {
      clearTimeout(this.capacityTimer);
      this.capacityTimer = undefined;
    }
    if (slots <= 0 && before > 0) {
      this.decide('move', `pool ${pool} has no slots now (${reason}): what was queued there is re-allocated`, undefined, pool);
      this.requeueFrom(p, `its pool ${pool} has no slots`);
      this.withdrawWaiting(p, `pool ${pool} has no slots (${reason})`);
      this.replanWanted = `pool ${pool} lost its slots (${reason})`;
      this.maybeReplan();
    } else if (this.online !== undefined) this.maybeReplan();
    this.pumpAll();
  }

  /**
   * Attempts submitted to pool p that have not started are cancelled: in a queue no worker
   * serves they would wait for ever. Their `cancelled` ends re-allocate them (onFinished).
   */
  private withdrawWaiting(p: number, why: string): void {
    for (const [key, q] of this.poolOfKey) {
      if (q !== p || this.startedKeys.has(key)) continue;
      this.withdrawn.add(key);
      this.backend.cancel(key, why);
    }
  }

  /** Everything queued on pool p is re-ranked (it may not come back). */
  private requeueFrom(p: number, why: string): void {
    if (this.rep !== undefined) return this.requeueUnitsFrom(p, why);
    const queue = this.queues[p]!;
    const waiting: number[] = [];
    while (queue.size > 0) waiting.push(queue.pop());
    this.load.queued[p] = 0;
    for (const s of waiting) {
      if (this.state[s] !== READY || this.poolOf[s] !== p) continue;
      this.state[s] = WAITING;
      if (this.relocate(s, why)) this.makeReady(s);
    }
  }

  private giveUp(s: number, why: string): void {
    const { graph } = this.scored;
    this.state[s] = GIVEN_UP;
    this.reason[s] = why;
    this.settled++;
    const id = this.plan.subtasks[s]!.id;
    this.decide('give-up', why, id);
    // Everything downstream can never run: blocked, with the sub-task that blocks it.
    const stack = [s];
    while (stack.length > 0) {
      const u = stack.pop()!;
      for (let e = graph.succStart[u]!; e < graph.succStart[u + 1]!; e++) {
        const t = graph.succIndex[e]!;
        if (this.state[t] === WAITING || this.state[t] === READY) {
          if (this.state[t] === READY) this.load.queued[this.poolOf[t]!]!--;
          this.state[t] = BLOCKED;
          this.reason[t] = u === s ? `its input ${id} could not run` : `${id}, upstream of it, could not run`;
          this.settled++;
          stack.push(t);
        }
      }
    }
  }

  // ---- drift and re-planning --------------------------------------------------------------

  private checkDrift(s: number, finishedS: number): void {
    const settings = this.replanSettings;
    if (settings === false) return;
    // Only lateness is drift: work that finishes early leaves the plan's order valid (the next
    // sub-tasks simply start sooner), and re-planning for it would only churn.
    const lateS = finishedS - this.plannedFinishS[s]!;
    if (lateS > settings.driftFraction * this.plannedMakespanS) {
      this.replanWanted ??= `${this.plan.subtasks[s]!.id} finished ${lateS.toFixed(1)} s later than planned (more than ${(settings.driftFraction * 100).toFixed(0)} % of the planned makespan)`;
    }
    this.maybeReplan();
  }

  private maybeReplan(): void {
    const settings = this.replanSettings;
    if (settings === false || this.replanWanted === undefined || this.stopping) return;
    const nowS = this.nowS();
    if (nowS - this.lastReplanS < settings.minIntervalFraction * this.plannedMakespanS) return;
    let open = 0;
    for (let s = 0; s < this.n; s++) if (this.state[s] === WAITING || this.state[s] === READY) open++;
    const why = this.replanWanted;
    this.replanWanted = undefined;
    this.lastReplanS = nowS;
    if (open === 0) return;
    let result: ReplanResult;
    let updated: Availability | undefined;
    try {
      updated = this.online?.availabilityNow(nowS);
      result = replanRemainder(this.problem, this.scored, this.runState(nowS), this.load.excluded, this.load.slots, updated);
    } catch (error) {
      this.decide('replan', `${why}; re-plan skipped: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    this.replans++;
    let moved = 0;
    const { pool, startS, finishS } = result.scored.schedule;
    for (let s = 0; s < this.n; s++) {
      if (this.state[s] !== WAITING && this.state[s] !== READY) continue;
      this.priority[s] = startS[s]!;
      this.plannedFinishS[s] = finishS[s]!;
      const q = pool[s]!;
      // A ready sub-task the pool choice placed stays where it put it.
      if (q !== this.poolOf[s] && this.load.excluded[q] === 0 && this.failedOn.get(s)?.has(q) !== true && !(this.state[s] === READY && this.chosen?.[s] === 1)) {
        moved++;
        this.poolOf[s] = q;
      }
    }
    // Queues are rebuilt: priorities and pools changed.
    for (let p = 0; p < this.P; p++) {
      const queue = this.queues[p]!;
      while (queue.size > 0) queue.pop();
      this.load.queued[p] = 0;
    }
    for (let s = 0; s < this.n; s++) {
      if (this.state[s] !== READY) continue;
      const q = this.poolOf[s]!;
      this.queues[q]!.push(s);
      this.load.queued[q]!++;
    }
    this.decide('replan', `${why}: the remaining ${open} sub-tasks re-planned from ${nowS.toFixed(1)} s in ${result.planningMs.toFixed(0)} ms; ${moved} moved to another pool; expected makespan now ${result.scored.terms.makespanS.toFixed(1)} s (planned ${this.plannedMakespanS.toFixed(1)} s)${updated === undefined ? '' : `; on the forecast as updated online (${onlineChanges(this.problem, updated, nowS)})`}`);
    this.pumpAll();
  }

  private runState(nowS: number) {
    const ids = this.plan.subtasks;
    const committed = [];
    const running = [];
    for (let s = 0; s < this.n; s++) {
      const st = this.state[s];
      if (st === COMMITTED) committed.push({ id: ids[s]!.id, pool: this.poolIds[this.poolOf[s]!]!, ...(this.slotOf[s]! >= 0 ? { slot: this.slotOf[s]! } : {}), startS: Math.min(this.startedS[s]!, nowS), finishS: Math.min(this.finishS[s]!, nowS) });
      else if (st === SUBMITTED && Number.isFinite(this.startedS[s]!) && this.keyOf[s] !== undefined && this.subtaskOfKey.has(this.keyOf[s]!)) {
        running.push({ id: ids[s]!.id, pool: this.poolIds[this.poolOf[s]!]!, slot: this.slotOf[s]!, startS: Math.min(this.startedS[s]!, nowS) });
      }
    }
    return { nowS, committed, running };
  }

  // ---- bookkeeping ------------------------------------------------------------------------

  private decide(kind: DecisionKind, reason: string, subtaskId?: string, poolId?: string): void {
    const decision: DecisionRow = { seq: this.seq++, atS: this.nowS(), kind, reason, ...(subtaskId === undefined ? {} : { subtaskId }), ...(poolId === undefined ? {} : { poolId }) };
    this.journal?.recordDecision(this.options.runId, decision);
    this.options.onDecision?.(decision);
  }

  private record(s: number, p: number, attempt: number, result: AttemptResult, startedS: number, finishedS: number, outcome: RunRecord['outcome']): void {
    if (this.journal === undefined) return;
    const subtask = this.plan.subtasks[s]!;
    const stageId = subtask.stage ?? subtask.tasks?.[0] ?? subtask.id;
    const stage = this.problem.definition.stages[this.problem.stageIndex.get(stageId)!]!;
    const pool = this.problem.resources.pools[p]!;
    const runtimeS = Math.max(0, finishedS - startedS);
    this.journal.recordAttempt({
      jobId: this.options.runId,
      stageId,
      ...(subtask.id === stageId ? {} : { subtaskId: subtask.id }),
      planId: this.options.runId,
      attempt,
      op: subtask.op,
      features: stage.features,
      poolId: pool.id,
      poolClass: pool.class ?? pool.id,
      speed: pool.speed,
      items: subtask.items === undefined ? undefined : subtask.items[1] - subtask.items[0],
      bytesIn: undefined,
      bytesOut: result.bytesOut,
      runtimeS,
      cpuS: undefined,
      peakMemBytes: undefined,
      readBytes: undefined,
      writeBytes: undefined,
      outcome,
      startedAtMs: Math.round(this.startedAtMs + startedS * 1000),
      finishedAtMs: Math.round(this.startedAtMs + finishedS * 1000),
      ...(result.error === undefined ? {} : { error: result.error }),
      ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }),
      ...(result.worker === undefined ? {} : { worker: result.worker }),
    });
    if (this.journal.pending >= 4096) this.journal.flush();
  }

  private scheduleFlush(): void {
    if (this.journal === undefined || this.flushScheduled || this.journal.pending === 0) return;
    this.flushScheduled = true;
    setTimeout(() => {
      this.flushScheduled = false;
      this.guard(() => this.journal?.flush());
    }, 20);
  }

  private stop(why: string): void {
    if (this.stopping) return;
    this.stopping = true;
    this.decide('stop', why);
    for (const [key] of this.subtaskOfKey) this.backend.cancel(key, why);
    this.checkDone();
  }

  private checkDone(): void {
    if (this.finished) return;
    let inFlight = 0;
    for (let p = 0; p < this.P; p++) inFlight += this.load.inFlight[p]!;
    if (inFlight > 0) return;
    if (!this.stopping) {
      if (this.backingOff > 0) return;
      let queued = 0;
      for (let p = 0; p < this.P; p++) queued += this.queuedOn(p);
      if (queued > 0 && this.settled < this.n) {
        // Work is queued but no pool has a slot: nothing changes unless capacity returns.
        // A virtual clock knows whether it will; on a real backend workers may still join, so
        // the queued work waits for them, for capacityWaitS at most.
        let anySlots = false;
        for (let p = 0; p < this.P; p++) if (this.load.slots[p]! > 0 && this.load.excluded[p] === 0) anySlots = true;
        // Work waiting in place (retry-in-place, replicas) waits for its own pool, whatever the others have.
        if (anySlots && !(this.waitsInPlace && this.backend.nextCapacityChangeS !== undefined)) return;
        if (this.backend.nextCapacityChangeS !== undefined) {
          // A virtual clock says when slots come back: wait for that, else nothing ever will.
          for (let p = 0; p < this.P; p++) if (this.queuedOn(p) > 0 && this.load.excluded[p] === 0 && (this.load.slots[p]! > 0 || this.backend.nextCapacityChangeS(this.poolIds[p]!) !== undefined)) return;
        } else if (this.capacityTimer === undefined) {
          const waitS = this.options.capacityWaitS ?? DEFAULT_CAPACITY_WAIT_S;
          this.decide('wait', `no pool has slots (no live workers?): waiting up to ${waitS} s for capacity before giving the queued sub-tasks up`);
          this.capacityTimer = setTimeout(() => this.guard(() => this.giveUpAllQueued()), waitS * 1000);
          return;
        } else return;
        this.giveUpAllQueued();
        return;
      } else if (this.settled < this.n) return;
    }
    this.finished = true;
    if (this.capacityTimer !== undefined) clearTimeout(this.capacityTimer);
    this.journal?.flush();
    this.finish(this.report());
  }

  private giveUpAllQueued(): void {
    this.capacityTimer = undefined;
    const rep = this.rep;
    if (rep !== undefined) {
      // Only queued replicas are left (nothing runs or backs off): their sub-tasks are given up.
      for (let s = 0; s < this.n; s++) {
        if (this.state[s] !== SUBMITTED) continue;
        for (let u = s * rep.k; u < (s + 1) * rep.k; u++) this.dequeueUnit(u);
        this.giveUp(s, 'no pool its replicas wait on has slots, and none are scheduled to come back');
      }
    } else for (let s = 0; s < this.n; s++) if (this.state[s] === READY) this.giveUpQueued(s);
    this.checkDone();
  }

  private giveUpQueued(s: number): void {
    const p = this.poolOf[s]!;
    this.load.queued[p]!--;
    this.giveUp(s, this.waitsInPlace && this.load.slots[p]! <= 0 ? `its pool ${this.poolIds[p]} has no slots and none are scheduled to come back` : 'no pool has slots to run it');
  }

  /** Sub-tasks (or replicas) in pool p's ready queue, stale entries included. */
  private queuedOn(p: number): number {
    return this.rep === undefined ? this.queues[p]!.size : this.rep.queues[p]!.size;
  }

  private report(): RunReport {
    const ids = this.plan.subtasks;
    const timeline: SubtaskOutcome[] = [];
    const notCommitted: SubtaskOutcome[] = [];
    for (let s = 0; s < this.n; s++) {
      const st = this.state[s];
      const state = st === COMMITTED ? 'committed' : st === GIVEN_UP ? 'given-up' : st === BLOCKED ? 'blocked' : 'not-run';
      const entry: SubtaskOutcome = {
        id: ids[s]!.id,
        state,
        pool: this.poolIds[this.poolOf[s]!]!,
        slot: this.slotOf[s]!,
        attempts: this.attempt[s]!,
        ...(Number.isFinite(this.startedS[s]!) ? { startedS: this.startedS[s]! } : {}),
        ...(st === COMMITTED ? { finishedS: this.finishS[s]! } : {}),
        ...(this.reason[s] === undefined ? {} : { reason: this.reason[s]! }),
      };
      timeline.push(entry);
      if (st !== COMMITTED) notCommitted.push(st === GIVEN_UP || st === BLOCKED ? entry : { ...entry, reason: 'not run: the run was stopped' });
    }
    const excludedPools = this.poolIds.filter((_, p) => this.load.excluded[p] === 1);
    return {
      runId: this.options.runId,
      status: this.committed === this.n ? 'succeeded' : this.stopping ? 'stopped' : 'failed',
      subtasks: this.n,
      committed: this.committed,
      attempts: this.attempts,
      retries: this.retries,
      moves: this.moves,
      replans: this.replans,
      excludedPools,
      makespanS: this.lastCommitS,
      plannedMakespanS: this.plannedMakespanS,
      notCommitted,
      timeline,
      ...(this.online === undefined ? {} : { forecast: this.online.summary() }),
      usage: this.usage.report(),
    };
  }
}

/** What the online forecast changed from now, per pool, for the re-plan's journal line: "spot: 2 slot(s) now until 3750 s (planned 7), hazard ×3.47". */
function onlineChanges(problem: Problem, updated: Availability, nowS: number): string {
  const table = problem.availability;
  const parts: string[] = [];
  updated.pools.forEach((pool, p) => {
    let i = table.segStart[p]!;
    while (i + 1 < table.segStart[p + 1]! && table.atS[i + 1]! <= nowS) i++;
    let k = 0;
    while (k + 1 < pool.atS.length && pool.atS[k + 1]! <= nowS) k++;
    const bits: string[] = [];
    if (pool.slots[k] !== table.slots[i]) bits.push(`${pool.slots[k]} slot(s) now${k + 1 < pool.atS.length ? ` until ${pool.atS[k + 1]!.toFixed(0)} s` : ''} (planned ${table.slots[i]})`);
    const before = table.hazardPerS[i]!;
    const after = pool.hazardPerS[k]!;
    if (after !== before) bits.push(before > 0 ? `hazard ×${(after / before).toFixed(2)}` : `hazard ${(after * 3600).toFixed(3)}/slot-hour`);
    if (bits.length > 0) parts.push(`${problem.pools.ids[p]}: ${bits.join(', ')}`);
  });
  return parts.length > 0 ? parts.join('; ') : 'unchanged now';
}

/** An attempt's staging directory that is not committed: removed (no reader ever sees it). */
function discard(staging: string): void {
  rmSync(staging, { recursive: true, force: true });
}
