/** Every planner by id: the engine plans with one of these (apportion's own is improved further). */
import { apportion } from './apportion.js';
import { cheapest, greedy, heft, roundRobin } from './baselines.js';
import type { Planner, PlannerId } from './planner.js';

export const PLANNERS: Readonly<Record<PlannerId, Planner>> = {
  apportion,
  heft,
  greedy,
  'round-robin': roundRobin,
  cheapest,
};
