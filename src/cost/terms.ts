/**
 * Cost terms of a simulated schedule, each in its own unit and reported separately
 * (ARCHITECTURE.md, "The cost model"), plus the hard constraints as filters with a reason.
 */
import type { Problem } from '../model/problem.js';
import type { SubtaskGraph } from '../model/subtasks.js';
import { transferS } from '../model/tables.js';
import { objectiveValue } from '../model/objective.js';
import type { Schedule } from './simulate.js';

export interface Terms {
  /** Finish of the last sub-task (expected), s. */
  readonly makespanS: number;
  /** Slot-seconds × price, USD (rework included). */
  readonly computeUsd: number;
  /** Bytes moved between regions × egress price, USD. */
  readonly egressUsd: number;
  /** computeUsd + egressUsd. */
  readonly costUsd: number;
  /** Seconds spent moving inputs across regions, summed over transfers. */
  readonly transferS: number;
  readonly transferBytes: number;
  /** Expected extra wait where forecast free slots fall below planned use (0 without a forecast). */
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
  const move = (fromRegion: number, toRegion: number, bytes: number): void => {
    if (fromRegion === toRegion && network.bytesPerS[fromRegion * network.regionCount + toRegion] === Number.POSITIVE_INFINITY) return;
    transferTotalS += transferS(network, fromRegion, toRegion, bytes);
    egressUsd += bytes * network.egressUsdPerByte[fromRegion * network.regionCount + toRegion]!;
    if (fromRegion !== toRegion) transferBytes += bytes;
  };
  for (let s = 0; s < graph.nodeCount; s++) {
    const p = schedule.pool[s]!;
    const price = pools.priceUsdPerSlotS[p]!;
    const busyS = schedule.finishS[s]! - schedule.startS[s]!;
    if (schedule.finishS[s]! > makespanS) makespanS = schedule.finishS[s]!;
    computeUsd += busyS * price;
    const rework = graph.expectedS[s * P + p]! - graph.runtimeS[s * P + p]!;
    interruptionS += rework;
    interruptionUsd += rework * price;
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
  return {
    makespanS,
    computeUsd,
    egressUsd,
    costUsd,
    transferS: transferTotalS,
    transferBytes,
    contentionS: 0,
    interruptionS,
    interruptionUsd,
    objective: objectiveValue(problem.objective, makespanS, costUsd),
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
