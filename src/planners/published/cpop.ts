/**
 * CPoP, Critical-Path-on-a-Processor (Topcuoglu, Hariri & Wu 2002, section 4.2):
 *
 *   priority(s) = rank_u(s) + rank_d(s)            (length of the longest mean path through s)
 *   |CP| = priority of the entry task; the critical path follows, from the entry, a successor
 *   whose priority equals |CP| until an exit task;
 *   p_CP = the pool minimising the sum of the critical-path tasks' costs there.
 *
 * Ready tasks are taken by highest priority; critical-path tasks go to p_CP, the others to
 * the pool of earliest finish (insertion-based in the paper). Here a pool is a set of slots:
 * a critical-path sub-task takes the earliest slot of p_CP, and one that p_CP cannot run (or
 * no longer has capacity for) falls back to free choice, as listSchedule does with any pin.
 */
import type { Problem } from '../../model/problem.js';
import type { SubtaskGraph } from '../../model/subtasks.js';
import { listSchedule, type ListSchedule } from '../list-schedule.js';
import { upwardRank } from '../rank.js';
import { RANK_GRID } from '../rank.js';
import { downwardRank, earliestFinish, listOptions, readyListOrder, usable, usableMeanS, type PublishedOptions } from './common.js';

export interface CriticalPath {
  /** priority = rank_u + rank_d per sub-task. */
  readonly priority: Float64Array;
  /** Sub-tasks on the critical path, entry first. */
  readonly path: Int32Array;
  /** p_CP: pool with the smallest sum of the path's expected runtimes (fewest it cannot run first). */
  readonly pool: number;
}

export function criticalPath(problem: Problem, graph: SubtaskGraph): CriticalPath {
  const meanS = usableMeanS(graph);
  const up = upwardRank(problem, graph, meanS);
  const down = downwardRank(problem, graph, meanS);
  const priority = Float64Array.from(up, (u, s) => u + down[s]!);
  const P = graph.poolCount;
  const path: number[] = [];
  if (graph.nodeCount > 0) {
    const onGrid = (x: number): number => Math.round(x * RANK_GRID);
    // The entry of highest priority (several entries: the one that starts the longest path).
    let entry = -1;
    for (let s = 0; s < graph.nodeCount; s++) {
      if (graph.predStart[s + 1] !== graph.predStart[s]) continue;
      if (entry < 0 || onGrid(priority[s]!) > onGrid(priority[entry]!)) entry = s;
    }
    const length = onGrid(priority[entry]!);
    for (let s = entry; s >= 0; ) {
      path.push(s);
      let next = -1;
      // Successor with priority |CP| (on the grid); with rounding, the highest-priority one.
      for (let e = graph.succStart[s]!; e < graph.succStart[s + 1]!; e++) {
        const t = graph.succIndex[e]!;
        if (next < 0 || onGrid(priority[t]!) > onGrid(priority[next]!)) next = t;
      }
      s = next >= 0 && onGrid(priority[next]!) >= length - 1 ? next : -1;
    }
  }
  let pool = -1;
  let bestMissing = Number.POSITIVE_INFINITY;
  let bestSumS = Number.POSITIVE_INFINITY;
  for (let p = 0; p < P; p++) {
    let missing = 0;
    let sumS = 0;
    for (const s of path) {
      const d = graph.expectedS[s * P + p]!;
      if (usable(d)) sumS += d;
      else missing++;
    }
    if (missing < bestMissing || (missing === bestMissing && sumS < bestSumS)) {
      pool = p;
      bestMissing = missing;
      bestSumS = sumS;
    }
  }
  return { priority, path: Int32Array.from(path), pool };
}

export function cpopSchedule(problem: Problem, graph: SubtaskGraph, options: PublishedOptions): ListSchedule {
  const cp = criticalPath(problem, graph);
  const pinned = options.pinned === undefined ? new Int32Array(graph.nodeCount).fill(-1) : Int32Array.from(options.pinned);
  // The caller's pins (DLT chunks) win over the critical path's.
  for (const s of cp.path) if (pinned[s]! < 0) pinned[s] = cp.pool;
  const order = readyListOrder(graph, cp.priority);
  return listSchedule(problem, graph, order, listOptions(options, earliestFinish, (_s, _p, finish) => finish, pinned));
}
