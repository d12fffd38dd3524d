/**
 * BIL, Best Imaginary Level (Oh & Ha 1996):
 *
 *   BIL(t, p) = w(t, p) + max over successors t' of
 *               min( BIL(t', p),  min over p' ≠ p of BIL(t', p') + c̄(t, t') )
 *
 * (the paper's c(t, t') is one figure per edge; with links of different speeds it is the
 * mean transfer time c̄, as in HEFT). At each step, with k ready sub-tasks:
 *   BIM(t, p) = EST(t, p) + BIL(t, p);
 *   priority(t) = the k-th smallest BIM(t, ·) (the largest when k exceeds the pools);
 *   the ready sub-task of highest priority goes to the pool minimising the revised
 *   BIM*(t, p) = BIM(t, p) + w(t, p) · max(k / S − 1, 0),
 * where S, the paper's processor count, is the number of slots of the pools t can use (a
 * pool of many slots is many processors). Pools t cannot run are left out everywhere.
 * The ready-set driver with BIM as the value; the rule looks at whole rows.
 */
import type { Problem } from '../../model/problem.js';
import type { SubtaskGraph } from '../../model/subtasks.js';
import type { ListSchedule } from '../list-schedule.js';
import { meanEdgeS, usable, type PublishedOptions } from './common.js';
import { readySetSchedule } from './ready-set.js';

/** BIL(s, p) at [s * P + p] (∞ where s cannot run on p). */
export function bestImaginaryLevel(problem: Problem, graph: SubtaskGraph): Float64Array {
  const P = graph.poolCount;
  const edgeS = meanEdgeS(problem, graph);
  const bil = new Float64Array(graph.nodeCount * P);
  const tail = new Float64Array(P);
  for (let i = graph.nodeCount - 1; i >= 0; i--) {
    const s = graph.order[i]!;
    tail.fill(0);
    for (let e = graph.succStart[s]!; e < graph.succStart[s + 1]!; e++) {
      const t = graph.succIndex[e]!;
      let best = Number.POSITIVE_INFINITY;
      let bestPool = -1;
      let second = Number.POSITIVE_INFINITY;
      for (let q = 0; q < P; q++) {
        const value = bil[t * P + q]!;
        if (value < best) {
          second = best;
          best = value;
          bestPool = q;
        } else if (value < second) second = value;
      }
      for (let p = 0; p < P; p++) {
        const through = Math.min(bil[t * P + p]!, (bestPool === p ? second : best) + edgeS[e]!);
        if (through > tail[p]!) tail[p] = through;
      }
    }
    for (let p = 0; p < P; p++) {
      const w = graph.expectedS[s * P + p]!;
      bil[s * P + p] = usable(w) ? w + tail[p]! : Number.POSITIVE_INFINITY;
    }
  }
  return bil;
}

export function bilSchedule(problem: Problem, graph: SubtaskGraph, options: PublishedOptions): ListSchedule {
  const P = graph.poolCount;
  const bil = bestImaginaryLevel(problem, graph);
  // Slots of the pools each sub-task may use: the paper's processor count.
  const slotsFor = Float64Array.from({ length: graph.nodeCount }, (_, s) => {
    let slots = 0;
    for (let p = 0; p < P; p++) if (usable(graph.expectedS[s * P + p]!)) slots += problem.pools.maxSlots[p]!;
    return Math.max(1, slots);
  });
  const sorted = new Float64Array(graph.nodeCount * P);
  const finiteCount = new Int32Array(graph.nodeCount);
  const sortedVersion = new Int32Array(graph.nodeCount).fill(-1);
  return readySetSchedule(
    problem,
    graph,
    {
      value: (s, p, start) => start + bil[s * P + p]!,
      key: (best) => best,
      rowKey: (u, cells, offset, pin, readyCount, rowVersion) => {
        if (pin >= 0) return cells[offset + pin]!;
        // The row's finite values, sorted, rebuilt only when the row changed (most steps
        // change one column of a few rows, while k changes every step).
        if (sortedVersion[u] !== rowVersion) {
          sortedVersion[u] = rowVersion;
          let count = 0;
          for (let p = 0; p < P; p++) {
            const value = cells[offset + p]!;
            if (!(value < Number.POSITIVE_INFINITY)) continue;
            let at = count++;
            while (at > 0 && sorted[offset + at - 1]! > value) {
              sorted[offset + at] = sorted[offset + at - 1]!;
              at--;
            }
            sorted[offset + at] = value;
          }
          finiteCount[u] = count;
        }
        const count = finiteCount[u]!;
        // Fewer finite values than k: the largest of them (the paper's "k > processors" case).
        return count === 0 ? Number.POSITIVE_INFINITY : sorted[offset + Math.min(readyCount, count) - 1]!;
      },
      choosePool: (u, cells, offset, readyCount) => {
        const stretch = Math.max(readyCount / slotsFor[u]! - 1, 0);
        let bestPool = -1;
        let bestValue = Number.POSITIVE_INFINITY;
        for (let p = 0; p < P; p++) {
          const bim = cells[offset + p]!;
          if (!(bim < Number.POSITIVE_INFINITY)) continue;
          const revised = bim + graph.expectedS[u * P + p]! * stretch;
          if (revised < bestValue) {
            bestValue = revised;
            bestPool = p;
          }
        }
        return bestPool;
      },
    },
    options,
  );
}
