/**
 * Scores a candidate with the reference model: simulate, compute terms, apply the hard
 * constraints. Candidates compare feasibility first (a plan inside deadline and budget beats
 * one outside, however cheap), then objective, then the tie-break term.
 */
import type { Problem } from '../model/problem.js';
import type { Candidate } from './candidate.js';
import { compareTerms } from './compare.js';
import { simulate, type PartialSchedule, type Schedule } from './simulate.js';
import { computeTerms, constraintViolations, type Terms, type Violation } from './terms.js';

export interface ScoredCandidate extends Candidate {
  readonly schedule: Schedule;
  readonly terms: Terms;
  readonly violations: readonly Violation[];
}

export function evaluateCandidate(
  problem: Problem,
  candidate: Candidate,
  partial?: PartialSchedule,
): ScoredCandidate {
  const schedule = simulate(problem, candidate.graph, candidate.allocation, candidate.order, partial);
  const terms = computeTerms(problem, candidate.graph, schedule);
  return { ...candidate, schedule, terms, violations: constraintViolations(problem, terms) };
}

export function isBetter(problem: Problem, a: ScoredCandidate, b: ScoredCandidate): boolean {
  return compareTerms(problem, a.terms, b.terms) < 0;
}
