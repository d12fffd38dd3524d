/**
 * HEFT's upward rank (Topcuoglu, Hariri & Wu 2002, eq. 8):
 *
 *   rank_u(s) = w̄(s) + max over successors t of ( c̄(s, t) + rank_u(t) )
 *
 * w̄ is the mean expected runtime over the pools that may run s; c̄ the mean transfer time
 * over ordered pairs of distinct pools (mean latency + bytes × mean 1/bandwidth), as in
 * the paper, where communication within one processor is free.
 */
import type { Problem } from '../model/problem.js';
import type { SubtaskGraph } from '../model/subtasks.js';

/** Mean expected runtime of each sub-task over the pools whose runtime `counts` (default: finite ones). */
export function meanRuntimeS(graph: SubtaskGraph, counts: (expectedS: number) => boolean = Number.isFinite): Float64Array {
  const P = graph.poolCount;
  const mean = new Float64Array(graph.nodeCount);
  for (let s = 0; s < graph.nodeCount; s++) {
    let sum = 0;
    let count = 0;
    for (let p = 0; p < P; p++) {
      const d = graph.expectedS[s * P + p]!;
      if (counts(d)) {
        sum += d;
        count++;
      }
    }
    mean[s] = count === 0 ? 0 : sum / count;
  }
  return mean;
}

/** Mean latency and mean seconds per byte over ordered pairs of distinct pools. */
export function meanLinkCost(problem: Problem): { latencyS: number; sPerByte: number } {
  const { pools, network } = problem;
  const R = network.regionCount;
  let latency = 0;
  let perByte = 0;
  let pairs = 0;
  for (let a = 0; a < pools.count; a++) {
    for (let b = 0; b < pools.count; b++) {
      if (a === b) continue;
      const k = pools.regionIndex[a]! * R + pools.regionIndex[b]!;
      latency += network.latencyS[k]!;
      perByte += 1 / network.bytesPerS[k]!;
      pairs++;
    }
  }
  return pairs === 0 ? { latencyS: 0, sPerByte: 0 } : { latencyS: latency / pairs, sPerByte: perByte / pairs };
}

export function upwardRank(problem: Problem, graph: SubtaskGraph, meanS = meanRuntimeS(graph)): Float64Array {
  const link = meanLinkCost(problem);
  const rank = new Float64Array(graph.nodeCount);
  for (let i = graph.nodeCount - 1; i >= 0; i--) {
    const s = graph.order[i]!;
    let tail = 0;
    for (let e = graph.succStart[s]!; e < graph.succStart[s + 1]!; e++) {
      const bytes = graph.succBytes[e]!;
      const comm = bytes === 0 && link.latencyS === 0 ? 0 : link.latencyS + bytes * link.sPerByte;
      const through = comm + rank[graph.succIndex[e]!]!;
      if (through > tail) tail = through;
    }
    rank[s] = meanS[s]! + tail;
  }
  return rank;
}

/** Ranks are compared on a grid of 2^-20 s (about a microsecond), so sums that are equal on paper tie. */
export const RANK_GRID = 2 ** 20;

/**
 * Sub-tasks by decreasing rank; ties by topological position. Rounding is monotone, so a
 * producer (whose rank is at least its consumer's) still comes first: the order stays topological.
 */
export function byDecreasingRank(graph: SubtaskGraph, rank: Float64Array): Int32Array {
  const position = new Int32Array(graph.nodeCount);
  const key = new Float64Array(graph.nodeCount);
  graph.order.forEach((s, i) => {
    position[s] = i;
    key[s] = Math.round(rank[s]! * RANK_GRID);
  });
  return Int32Array.from(graph.order).sort((a, b) => key[b]! - key[a]! || position[a]! - position[b]!);
}
