/**
 * PEFT, Predict Earliest Finish Time (Arabnejad & Barbosa 2014):
 *
 *   OCT(t, p) = max over successors t' of  min over pools p' of
 *               ( OCT(t', p') + w(t', p') + (p' = p ? 0 : c̄(t, t')) ),      OCT(exit, p) = 0
 *   rank_oct(t) = mean over pools of OCT(t, p)
 *
 * Ready tasks are taken by highest rank_oct; each goes to the pool minimising
 * O_EFT = EFT(t, p) + OCT(t, p) (insertion-based EFT in the paper). Pools a successor cannot
 * run are left out of its min; rank_oct averages over the pools t itself can run. Cost
 * O(edges × P²) for the table.
 */
import type { Problem } from '../../model/problem.js';
import type { SubtaskGraph } from '../../model/subtasks.js';
import { listSchedule, type ListSchedule } from '../list-schedule.js';
import { listOptions, meanEdgeS, readyListOrder, usable, type PublishedOptions } from './common.js';

/** OCT(s, p) at [s * P + p]. */
export function optimisticCostTable(problem: Problem, graph: SubtaskGraph): Float64Array {
  const P = graph.poolCount;
  const edgeS = meanEdgeS(problem, graph);
  const oct = new Float64Array(graph.nodeCount * P);
  for (let i = graph.nodeCount - 1; i >= 0; i--) {
    const s = graph.order[i]!;
    for (let e = graph.succStart[s]!; e < graph.succStart[s + 1]!; e++) {
      const t = graph.succIndex[e]!;
      // Best over p' of OCT(t, p') + w(t, p'), with and without the transfer.
      let best = Number.POSITIVE_INFINITY;
      let bestPool = -1;
      let second = Number.POSITIVE_INFINITY;
      for (let q = 0; q < P; q++) {
        const w = graph.expectedS[t * P + q]!;
        if (!usable(w)) continue;
        const through = oct[t * P + q]! + w;
        if (through < best) {
          second = best;
          best = through;
          bestPool = q;
        } else if (through < second) second = through;
      }
      for (let p = 0; p < P; p++) {
        // On p itself no transfer; elsewhere the best pool plus c̄ (or, if that is p, the next).
        const here = graph.expectedS[t * P + p]!;
        const local = usable(here) ? oct[t * P + p]! + here : Number.POSITIVE_INFINITY;
        const away = (bestPool === p ? second : best) + edgeS[e]!;
        const value = Math.min(local, away);
        if (value > oct[s * P + p]!) oct[s * P + p] = value;
      }
    }
  }
  return oct;
}

export function octRank(graph: SubtaskGraph, oct: Float64Array): Float64Array {
  const P = graph.poolCount;
  return Float64Array.from({ length: graph.nodeCount }, (_, s) => {
    let sum = 0;
    let count = 0;
    for (let p = 0; p < P; p++) {
      if (!usable(graph.expectedS[s * P + p]!) || !Number.isFinite(oct[s * P + p]!)) continue;
      sum += oct[s * P + p]!;
      count++;
    }
    return count === 0 ? 0 : sum / count;
  });
}

export function peftSchedule(problem: Problem, graph: SubtaskGraph, options: PublishedOptions): ListSchedule {
  const P = graph.poolCount;
  const oct = optimisticCostTable(problem, graph);
  const order = readyListOrder(graph, octRank(graph, oct));
  return listSchedule(
    problem,
    graph,
    order,
    listOptions(
      options,
      (s, p, _start, finish) => finish + oct[s * P + p]!,
      (s, p, earliestFinish) => earliestFinish + oct[s * P + p]!,
    ),
  );
}
