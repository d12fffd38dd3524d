/**
 * Candidate order used by every planner and the search: inside deadline and budget first
 * (a smaller relative excess wins), then the objective, then the tie-break term.
 */
import { tieBreakValue } from '../model/objective.js';
import type { Terms } from './terms.js';
import type { Problem } from '../model/problem.js';

/** Relative amount by which deadline and budget are exceeded (0 when both are met). */
export function constraintExcess(problem: Problem, terms: Pick<Terms, 'makespanS' | 'costUsd'>): number {
  let excess = 0;
  if (problem.deadlineS !== undefined && terms.makespanS > problem.deadlineS) excess += (terms.makespanS - problem.deadlineS) / problem.deadlineS;
  if (problem.budgetUsd !== undefined && terms.costUsd > problem.budgetUsd) excess += (terms.costUsd - problem.budgetUsd) / Math.max(problem.budgetUsd, 1e-12);
  return excess;
}

/** Negative when a is better than b, positive when worse, 0 when equal. */
export function compareTerms(problem: Problem, a: Terms, b: Terms): number {
  const excess = constraintExcess(problem, a) - constraintExcess(problem, b);
  if (excess !== 0) return excess;
  if (a.objective !== b.objective) return a.objective - b.objective;
  return tieBreakValue(problem.objective, a.makespanS, a.costUsd) - tieBreakValue(problem.objective, b.makespanS, b.costUsd);
}
