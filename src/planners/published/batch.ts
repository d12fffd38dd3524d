/**
 * The batch-mode heuristics of Braun et al. (2001), after Ibarra & Kim (1977) and Maheswaran
 * et al. (1999), over the ready sub-tasks of a DAG (ready-set.ts). For each ready sub-task
 * its minimum completion time over the pools (MCT):
 * - MinMin: the sub-task with the smallest MCT goes next, on that pool;
 * - MaxMin: the one with the largest MCT;
 * - Sufferage: the one that would suffer most if denied its best pool: largest
 *   (second-best completion − best completion); a sub-task only one pool can run suffers ∞;
 * - Duplex: MinMin and MaxMin both, keep the better by the reference cost model.
 * Append mode in the papers (each machine runs its queue); `insertion` fills idle gaps.
 */
import { evaluateCandidate, isBetter } from '../../cost/evaluate.js';
import type { Problem } from '../../model/problem.js';
import type { SubtaskGraph } from '../../model/subtasks.js';
import type { ListSchedule } from '../list-schedule.js';
import { earliestFinish, toCandidate, type PublishedOptions } from './common.js';
import { readySetSchedule } from './ready-set.js';

export function minMinSchedule(problem: Problem, graph: SubtaskGraph, options: PublishedOptions): ListSchedule {
  return readySetSchedule(problem, graph, { value: earliestFinish, key: (best) => -best }, options);
}

export function maxMinSchedule(problem: Problem, graph: SubtaskGraph, options: PublishedOptions): ListSchedule {
  return readySetSchedule(problem, graph, { value: earliestFinish, key: (best) => best }, options);
}

export function sufferageSchedule(problem: Problem, graph: SubtaskGraph, options: PublishedOptions): ListSchedule {
  return readySetSchedule(problem, graph, { value: earliestFinish, key: (best, second) => second - best }, options);
}

/** MinMin and MaxMin, the better of the two by the reference cost model (MinMin on ties). */
export function duplexSchedule(problem: Problem, graph: SubtaskGraph, options: PublishedOptions): ListSchedule {
  const min = minMinSchedule(problem, graph, options);
  const max = maxMinSchedule(problem, graph, options);
  const scoredMin = evaluateCandidate(problem, toCandidate(graph, min, 'MinMin'), options.partial);
  const scoredMax = evaluateCandidate(problem, toCandidate(graph, max, 'MaxMin'), options.partial);
  return isBetter(problem, scoredMax, scoredMin) ? max : min;
}
