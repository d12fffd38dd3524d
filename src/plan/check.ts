/**
 * Plan validity, checked independently of how the plan was made:
 * - every atomic stage is in exactly one sub-task, and the chunks of each divisible stage
 *   cover its units exactly once, each within [minChunk, maxChunk] (a stage smaller than
 *   minChunk is one chunk);
 * - a sub-task starts no earlier than each input's arrival (producer finish + transfer);
 * - no pool ever runs more sub-tasks than its capacity at that time, and no slot runs two at once;
 * - each sub-task fits its pool's slot memory and is allowed there.
 * Returns the list of problems (empty = valid).
 */
import type { ScoredCandidate } from '../cost/evaluate.js';
import type { Problem } from '../model/problem.js';
import { capacityAt, transferS } from '../model/tables.js';

const EPSILON_S = 1e-6;

export function checkPlanValidity(problem: Problem, scored: Pick<ScoredCandidate, 'graph' | 'schedule'>): string[] {
  return [...checkCoverage(problem, scored), ...checkDependencies(problem, scored), ...checkCapacity(problem, scored), ...checkFit(problem, scored)];
}

function checkCoverage(problem: Problem, { graph }: Pick<ScoredCandidate, 'graph'>): string[] {
  const errors: string[] = [];
  const { partition } = graph;
  const stages = problem.definition.stages;
  const seen = new Int32Array(stages.length);
  const ranges: Array<Array<[number, number]>> = stages.map(() => []);
  for (let s = 0; s < graph.nodeCount; s++) {
    for (let m = partition.memberStart[s]!; m < partition.memberStart[s + 1]!; m++) {
      const v = partition.members[m]!;
      if (partition.unitCount[s]! > 0) ranges[v]!.push([partition.unitStart[s]!, partition.unitStart[s]! + partition.unitCount[s]!]);
      else seen[v]!++;
    }
  }
  stages.forEach((stage, v) => {
    if (stage.kind === 'atomic') {
      if (seen[v] !== 1) errors.push(`stage "${stage.id}" is in ${seen[v]} sub-tasks`);
      return;
    }
    if (seen[v]! > 0) errors.push(`divisible stage "${stage.id}" appears whole in a group`);
    const sorted = ranges[v]!.sort((a, b) => a[0] - b[0]);
    let next = 0;
    for (const [start, end] of sorted) {
      if (end - start > stage.maxChunk) errors.push(`stage "${stage.id}": chunk ${start}..${end} is larger than maxChunk ${stage.maxChunk}`);
      if (end - start < stage.minChunk && sorted.length > 1) errors.push(`stage "${stage.id}": chunk ${start}..${end} is smaller than minChunk ${stage.minChunk}`);
      if (start !== next) errors.push(`stage "${stage.id}": units ${next}..${start} ${start > next ? 'missing' : 'overlap'}`);
      next = end;
    }
    if (next !== stage.units) errors.push(`stage "${stage.id}": chunks end at ${next}, stage has ${stage.units} units`);
  });
  return errors;
}

function checkDependencies(problem: Problem, { graph, schedule }: Pick<ScoredCandidate, 'graph' | 'schedule'>): string[] {
  const errors: string[] = [];
  const region = problem.pools.regionIndex;
  for (let s = 0; s < graph.nodeCount; s++) {
    const p = schedule.pool[s]!;
    for (let e = graph.predStart[s]!; e < graph.predStart[s + 1]!; e++) {
      const q = graph.predIndex[e]!;
      const moveS = schedule.pool[q] === p ? 0 : transferS(problem.network, region[schedule.pool[q]!]!, region[p]!, graph.predBytes[e]!);
      const arrival = schedule.finishS[q]! + moveS;
      if (schedule.startS[s]! + EPSILON_S < arrival) errors.push(`sub-task ${s} starts at ${schedule.startS[s]} before input from ${q} arrives at ${arrival}`);
    }
    for (let k = graph.externalStart[s]!; k < graph.externalStart[s + 1]!; k++) {
      const arrival = transferS(problem.network, graph.externalRegion[k]!, region[p]!, graph.externalBytes[k]!);
      if (schedule.startS[s]! + EPSILON_S < arrival) errors.push(`sub-task ${s} starts before its external input arrives at ${arrival}`);
    }
    if (schedule.startS[s]! + EPSILON_S < problem.pools.startupS[p]!) errors.push(`sub-task ${s} starts before pool ${problem.pools.ids[p]} is up`);
  }
  return errors;
}

function checkCapacity(problem: Problem, { graph, schedule }: Pick<ScoredCandidate, 'graph' | 'schedule'>): string[] {
  const errors: string[] = [];
  for (let p = 0; p < problem.pools.count; p++) {
    // Sweep starts (+1) and finishes (−1); finishes first at equal times (a slot frees, then refills).
    const events: Array<[number, number]> = [];
    const bySlot = new Map<number, Array<[number, number]>>();
    for (let s = 0; s < graph.nodeCount; s++) {
      if (schedule.pool[s] !== p) continue;
      if (schedule.finishS[s]! - schedule.startS[s]! <= 0) continue;
      events.push([schedule.startS[s]!, 1], [schedule.finishS[s]! - EPSILON_S, -1]);
      const slot = schedule.slot[s]!;
      if (slot < 0 || slot >= problem.pools.maxSlots[p]!) errors.push(`sub-task ${s} on pool ${problem.pools.ids[p]} uses slot ${slot}, which does not exist`);
      const list = bySlot.get(slot) ?? [];
      list.push([schedule.startS[s]!, schedule.finishS[s]!]);
      bySlot.set(slot, list);
    }
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let running = 0;
    for (const [time, delta] of events) {
      running += delta;
      if (delta > 0 && running > capacityAt(problem.pools, p, time)) {
        errors.push(`pool ${problem.pools.ids[p]} runs ${running} sub-tasks at ${time} s, capacity ${capacityAt(problem.pools, p, time)}`);
        break;
      }
    }
    for (const [slot, intervals] of bySlot) {
      intervals.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < intervals.length; i++) {
        if (intervals[i]![0] + EPSILON_S < intervals[i - 1]![1]) errors.push(`pool ${problem.pools.ids[p]} slot ${slot} runs two sub-tasks at ${intervals[i]![0]} s`);
      }
    }
  }
  return errors;
}

function checkFit(problem: Problem, { graph, schedule }: Pick<ScoredCandidate, 'graph' | 'schedule'>): string[] {
  const errors: string[] = [];
  const P = problem.pools.count;
  for (let s = 0; s < graph.nodeCount; s++) {
    const p = schedule.pool[s]!;
    if (graph.memGb[s]! > problem.pools.memGbPerSlot[p]!) errors.push(`sub-task ${s} needs ${graph.memGb[s]} GB, pool ${problem.pools.ids[p]} slots have ${problem.pools.memGbPerSlot[p]}`);
    for (let m = graph.partition.memberStart[s]!; m < graph.partition.memberStart[s + 1]!; m++) {
      if (problem.stageFeasible[graph.partition.members[m]! * P + p] === 0) errors.push(`sub-task ${s} runs on pool ${problem.pools.ids[p]}, which its stage may not use`);
    }
  }
  return errors;
}
