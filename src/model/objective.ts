/**
 * The objective: cost terms combined with explicit exchange rates set by the user, never
 * normalised against other candidates (a candidate's score depends only on itself).
 *
 *   weighted:  costUsd + usdPerHour × (makespanS + contentionS) / 3600   (USD)
 *   makespan:  makespanS + contentionS                                  (s; cost breaks ties)
 *   cost:      costUsd                                       (USD; makespan breaks ties)
 *
 * costUsd = compute price + egress. Interruption rework is already inside both (it lengthens
 * sub-tasks and so their slot-seconds), so it is reported but not added again.
 *
 * Contention (s, src/cost/contention.ts) is expected extra wait, so it is charged like
 * makespan: weighted adds usdPerHour × contentionS / 3600, makespan adds contentionS, cost
 * ignores it (as it ignores makespan). It is 0 under declared availability, where every
 * objective is today's.
 */

export type ObjectiveKind = 'weighted' | 'makespan' | 'cost';

export interface Objective {
  readonly kind: ObjectiveKind;
  /** USD one hour of makespan is worth (used by 'weighted'). */
  readonly usdPerHour: number;
}

/** Default exchange rate when neither the task definition nor the CLI gives one. */
export const DEFAULT_USD_PER_HOUR = 5;

export function objectiveValue(objective: Objective, makespanS: number, costUsd: number, contentionS = 0): number {
  switch (objective.kind) {
    case 'weighted':
      return costUsd + (objective.usdPerHour * (makespanS + contentionS)) / 3600;
    case 'makespan':
      return makespanS + contentionS;
    case 'cost':
      return costUsd;
  }
}

/** The value used only to break ties between equal objective values. */
export function tieBreakValue(objective: Objective, makespanS: number, costUsd: number): number {
  return objective.kind === 'makespan' ? costUsd : makespanS;
}

export function objectiveUnit(objective: Objective): 'USD' | 's' {
  return objective.kind === 'makespan' ? 's' : 'USD';
}

export function describeObjective(objective: Objective): string {
  switch (objective.kind) {
    case 'weighted':
      return `cost + ${objective.usdPerHour} USD per hour of makespan`;
    case 'makespan':
      return 'makespan (cost breaks ties)';
    case 'cost':
      return 'cost (makespan breaks ties)';
  }
}

/** USD per second of makespan an objective charges; Infinity for makespan-only, 0 for cost-only. */
export function usdPerSecond(objective: Objective): number {
  if (objective.kind === 'makespan') return Number.POSITIVE_INFINITY;
  if (objective.kind === 'cost') return 0;
  return objective.usdPerHour / 3600;
}
