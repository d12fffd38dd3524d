/**
 * Scores a candidate with the reference model: simulate, compute terms, apply the hard
 * constraints. Candidates compare feasibility first (a plan inside deadline and budget beats
 * one outside, however cheap), then objective, then the tie-break term.
 */
import type { Problem } from '../model/problem.js';
import type { SubtaskGraph } from '../model/subtasks.js';
import { tieBreakValue } from './objective.js';
import { simulate, type PartialSchedule, type Schedule } from './simulate.js';
import { computeTerms, constraintViolations, type Terms, type Violation } from './terms.js';

export interface ScoredCandidate {
  readonly graph: SubtaskGraph;
  readonly allocation: Int32Array;
  readonly order: Int32Array;
  readonly variant: string;
  readonly schedule: Schedule;
  readonly terms: Terms;
  readonly violations: readonly Violation[];
}

export function evaluateCandidate(
  problem: Problem,
  candidate: { graph: SubtaskGraph; allocation: Int32Array; order: Int32Array; variant: string },
  partial?: PartialSchedule,
): ScoredCandidate {
  const schedule = simulate(problem, candidate.graph, candidate.allocation, candidate.order, partial);
  const terms = computeTerms(problem, candidate.graph, schedule);
  return { ...candidate, schedule, terms, violations: constraintViolations(problem, terms) };
}

/** Relative amount by which constraints are exceeded (0 when all are met). */
function excess(candidate: ScoredCandidate): number {
  let total = 0;
  for (const v of candidate.violations) total += (v.actual - v.limit) / Math.max(v.limit, 1e-12);
  return total;
}

export function isBetter(problem: Problem, a: ScoredCandidate, b: ScoredCandidate): boolean {
  const ea = excess(a);
  const eb = excess(b);
  if (ea !== eb) return ea < eb;
  if (a.terms.objective !== b.terms.objective) return a.terms.objective < b.terms.objective;
  return tieBreakValue(problem.objective, a.terms.makespanS, a.terms.costUsd) < tieBreakValue(problem.objective, b.terms.makespanS, b.terms.costUsd);
}
