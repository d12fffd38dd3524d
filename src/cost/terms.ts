/**
 * Cost terms of a simulated schedule, each in its own unit and reported separately
 * (ARCHITECTURE.md, "The cost model"), plus the hard constraints as filters with a reason.
 */
import type { Problem } from '../model/problem.js';
import type { SubtaskGraph } from '../model/subtasks.js';
import { transferS } from '../model/tables.js';
import { poolContentionS } from './contention.js';
import { objectiveValue } from '../model/objective.js';
import { meanPriceUsdPerS, windowPriceUsd } from './price.js';
import { Rework } from './rework.js';
import type { Schedule } from './simulate.js';

export interface Terms {
  /** Finish of the last sub-task (expected), s. */
  readonly makespanS: number;
  /** Slot-seconds × price over each sub-task's window, USD (rework included). */
  readonly computeUsd: number;
  /** Bytes moved between regions × egress price, USD. */
  readonly egressUsd: number;
  /** computeUsd + egressUsd. */
  readonly costUsd: number;
  /** Seconds spent moving inputs across regions, summed over transfers. */
  readonly transferS: number;
  readonly transferBytes: number;
  /**
   * Planned slot-seconds in excess of the expected free slots, Σ_p ∫ max(0, used − free) dt
   * (src/cost/contention.ts; 0 under declared availability). Counted as makespan seconds
   * in the objective.
   */
  readonly contentionS: number;
  /** Expected rework from interruptions, slot-seconds and USD (already inside makespan and compute). */
  readonly interruptionS: number;
  readonly interruptionUsd: number;
  readonly objective: number;
}

export function computeTerms(problem: Problem, graph: SubtaskGraph, schedule: Schedule): Terms {
  const P = problem.pools.count;
  const pools = problem.pools;
  const network = problem.network;
  let makespanS = 0;
  let computeUsd = 0;
  let interruptionS = 0;
  let interruptionUsd = 0;
  let egressUsd = 0;
  let transferTotalS = 0;
  let transferBytes = 0;
  const staged = new Set<number>();
  const availability = problem.availability;
  const rework = new Rework(availability, graph);
  const move = (fromRegion: number, toRegion: number, bytes: number): void => {
    if (fromRegion === toRegion && network.bytesPerS[fromRegion * network.regionCount + toRegion] === Number.POSITIVE_INFINITY) return;
    transferTotalS += transferS(network, fromRegion, toRegion, bytes);
    egressUsd += bytes * network.egressUsdPerByte[fromRegion * network.regionCount + toRegion]!;
    if (fromRegion !== toRegion) transferBytes += bytes;
  };
  for (let s = 0; s < graph.nodeCount; s++) {
    const p = schedule.pool[s]!;
    const startS = schedule.startS[s]!;
    const finishS = schedule.finishS[s]!;
    if (finishS > makespanS) makespanS = finishS;
    // Rework at the sub-task's start (for a fixed sub-task, the model's estimate of it).
    const reworkS = rework.durationS(s, p, startS) - graph.runtimeS[s * P + p]!;
    interruptionS += reworkS;
    if (availability.priceVaries[p] === 0) {
      const price = pools.priceUsdPerSlotS[p]!;
      computeUsd += (finishS - startS) * price;
      interruptionUsd += reworkS * price;
    } else {
      const first = availability.segStart[p]!;
      const end = availability.segStart[p + 1]!;
      const usd = windowPriceUsd(availability.atS, 0, availability.priceUsdPerSlotS, 0, first, end, startS, finishS);
      computeUsd += usd;
      interruptionUsd += reworkS * meanPriceUsdPerS(availability.atS, 0, availability.priceUsdPerSlotS, 0, first, end, startS, finishS, usd);
    }
    const region = pools.regionIndex[p]!;
    for (let e = graph.predStart[s]!; e < graph.predStart[s + 1]!; e++) {
      const fromPool = schedule.pool[graph.predIndex[e]!]!;
      if (fromPool !== p) move(pools.regionIndex[fromPool]!, region, graph.predBytes[e]!);
    }
    for (let k = graph.externalStart[s]!; k < graph.externalStart[s + 1]!; k++) {
      if (graph.externalWhole[k] === 1) {
        // A whole object is moved to a region once; later readers there share the copy.
        const key = graph.externalObject[k]! * network.regionCount + region;
        if (staged.has(key)) continue;
        staged.add(key);
      }
      move(graph.externalRegion[k]!, region, graph.externalBytes[k]!);
    }
  }
  const costUsd = computeUsd + egressUsd;
  let contentionS = 0;
  for (let p = 0; p < P; p++) if (availability.contended[p] === 1) contentionS += poolContentionS(availability, p, schedule);
  return {
    makespanS,
    computeUsd,
    egressUsd,
    costUsd,
    transferS: transferTotalS,
    transferBytes,
    contentionS,
    interruptionS,
    interruptionUsd,
    objective: objectiveValue(problem.objective, makespanS, costUsd, contentionS),
  };
}

export interface Violation {
  readonly constraint: 'deadline' | 'budget';
  readonly limit: number;
  readonly actual: number;
  readonly message: string;
}

/** Deadline and budget as filters: each violation says by how much. */
export function constraintViolations(problem: Problem, terms: Pick<Terms, 'makespanS' | 'costUsd'>): Violation[] {
  const out: Violation[] = [];
  if (problem.deadlineS !== undefined && terms.makespanS > problem.deadlineS * (1 + 1e-12)) {
    out.push({ constraint: 'deadline', limit: problem.deadlineS, actual: terms.makespanS, message: `misses the deadline of ${fmt(problem.deadlineS)} s by ${fmt(terms.makespanS - problem.deadlineS)} s` });
  }
  if (problem.budgetUsd !== undefined && terms.costUsd > problem.budgetUsd * (1 + 1e-12)) {
    out.push({ constraint: 'budget', limit: problem.budgetUsd, actual: terms.costUsd, message: `exceeds the budget of ${fmt(problem.budgetUsd)} USD by ${fmt(terms.costUsd - problem.budgetUsd)} USD` });
  }
  return out;
}

function fmt(value: number): string {
  return Number(value.toPrecision(4)).toString();
}
