/**
 * A candidate: a partition (the sub-task graph), an allocation and a priority order. Every
 * planner produces one and the cost model scores it (evaluate.ts), so it lives below both.
 */
import type { PartitionSpec, SubtaskGraph } from '../model/subtasks.js';

export interface Candidate {
  readonly graph: SubtaskGraph;
  readonly allocation: Int32Array;
  /** Priority order (topological) in which the cost model dispatches sub-tasks. */
  readonly order: Int32Array;
  /** Which variant produced it, for `--explain` (e.g. "clustered, objective-aware"). */
  readonly variant: string;
  /** The partition spec it was built on (constructive planner only), for partition moves. */
  readonly spec?: PartitionSpec | undefined;
}
