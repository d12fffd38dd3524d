/**
 * How a run reacts to what goes wrong, as a choice (issue 11: the policies `apportion
 * evaluate` compares all run through the one dispatcher, so only the rule differs).
 *
 *   cost-model      apportion's own: a failed sub-task retries, then moves to the pool the cost
 *                   model ranks best (not one it failed on); an interrupted or lost one is
 *                   re-allocated by the cost model; drift re-plans the remainder. The default.
 *   retry-in-place  Dask / Ray: a failed, interrupted or lost attempt runs again on its own pool
 *                   (until MAX_ATTEMPTS); no move, no re-plan.
 *   failover        SkyPilot managed jobs (EAGER_NEXT_REGION): on an interruption or loss the
 *                   sub-task moves to the next pool of a fixed order (wrapping around), a failure
 *                   retries in place first; no re-plan.
 *
 * `ReplicaRule` (the reactive scheme of patent 11803420): every sub-task runs as k replicas on
 * k different pools at once; the first to finish wins and the others are cancelled; a replica
 * lost to an interruption starts again on a pool none of its live siblings is on.
 *
 * `PoolChoice` (Can't Be Late's uniform progress, NSDI'24): the pool of each sub-task is chosen
 * when it becomes ready, from the run's progress against the deadline.
 */
export type RecoveryRule =
  | { readonly kind: 'cost-model' }
  | { readonly kind: 'retry-in-place' }
  | { readonly kind: 'failover'; readonly order: readonly string[] };

export interface ReplicaRule {
  /** Replicas per sub-task (≥ 2). */
  readonly k: number;
  /** The pools (indices, best first) of sub-task s's replicas; at least one, at most k are used. */
  readonly pools: (subtask: number) => readonly number[];
}

/** What a pool-choosing rule sees when sub-task s becomes ready. */
export interface ProgressView {
  readonly nowS: number;
  /** Sub-tasks committed, and their planned work (s of runtime at speed 1) against the whole job's. */
  readonly committed: number;
  readonly total: number;
  readonly committedWorkS: number;
  readonly totalWorkS: number;
}

/** Pool index for sub-task s now (undefined: the dispatcher's own choice). */
export type PoolChoice = (subtask: number, progress: ProgressView) => number | undefined;

/** What the run used, per pool: what a policy comparison charges. */
export interface PoolUsage {
  readonly pool: string;
  /** Slot-seconds held by every attempt (committed or not), in the plan's seconds. */
  readonly busySlotS: number;
  /** Of those, held by attempts that did not commit (interrupted, failed, lost, cancelled replicas). */
  readonly wastedSlotS: number;
  /** busySlotS priced at the pool's price over each attempt's window (USD). */
  readonly computeUsd: number;
}
