/**
 * ETF, Earliest Time First (Hwang, Chow, Anger & Lee 1989): among the ready sub-tasks and the
 * pools, the pair with the earliest start goes next; ties by the larger static level (the
 * longest path of mean runtimes to an exit, transfers left out), then topological position.
 * The ready-set driver (ready-set.ts) with start as the value; among equal starts on a
 * sub-task's pools, the earlier finish.
 */
import type { Problem } from '../../model/problem.js';
import type { SubtaskGraph } from '../../model/subtasks.js';
import type { ListSchedule } from '../list-schedule.js';
import { usableMeanS, type PublishedOptions } from './common.js';
import { readySetSchedule } from './ready-set.js';

/** Static level: mean runtime of s plus the largest static level of a successor. */
export function staticLevel(graph: SubtaskGraph): Float64Array {
  const meanS = usableMeanS(graph);
  const level = new Float64Array(graph.nodeCount);
  for (let i = graph.nodeCount - 1; i >= 0; i--) {
    const s = graph.order[i]!;
    let tail = 0;
    for (let e = graph.succStart[s]!; e < graph.succStart[s + 1]!; e++) tail = Math.max(tail, level[graph.succIndex[e]!]!);
    level[s] = meanS[s]! + tail;
  }
  return level;
}

export function etfSchedule(problem: Problem, graph: SubtaskGraph, options: PublishedOptions): ListSchedule {
  return readySetSchedule(problem, graph, { value: (_s, _p, start) => start, key: (best) => -best, tieBreak: staticLevel(graph) }, options);
}
