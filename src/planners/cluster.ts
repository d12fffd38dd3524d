/**
 * Horizontal clustering of tiny atomic tasks (as Pegasus does by level and transformation):
 * when a level holds more tasks of one op than there are slots, and each task is short next
 * to the per-sub-task dispatch overhead, run several back to back in one sub-task so the
 * overhead is paid once. Clusters target a duration where overhead is at most
 * `MAX_OVERHEAD_SHARE` of the work, and never fewer clusters than slots (no parallelism lost).
 */
import type { Problem } from '../model/problem.js';
import { totalSlots } from './partition.js';

export const MAX_OVERHEAD_SHARE = 0.1;

/** Mean dispatch overhead per sub-task over pools, weighted by slots. */
function meanDispatchOverheadS(problem: Problem): number {
  let weighted = 0;
  let slots = 0;
  for (let p = 0; p < problem.pools.count; p++) {
    weighted += problem.pools.dispatchOverheadS[p]! * problem.pools.slots[p]!;
    slots += problem.pools.slots[p]!;
  }
  return slots === 0 ? 0 : weighted / slots;
}

/**
 * Groups of atomic stages for one level (stages given in topological order). Stages that
 * stay alone come back as groups of one. Bins are filled longest task first into the least
 * loaded bin (LPT), so cluster durations stay even.
 */
export function clusterLevel(problem: Problem, level: readonly number[], scale = 1): number[][] {
  const overheadS = meanDispatchOverheadS(problem);
  const targetS = (overheadS / MAX_OVERHEAD_SHARE) * scale;
  const slots = totalSlots(problem);
  const byOp = new Map<string, number[]>();
  const groups: number[][] = [];
  for (const v of level) {
    const stage = problem.definition.stages[v]!;
    if (stage.kind !== 'atomic' || overheadS === 0 || problem.stageWorkS[v]! >= targetS || hasKnownRuntimes(problem, v)) {
      groups.push([v]);
      continue;
    }
    const key = `${stage.op}\u0000${stage.pools?.join(',') ?? ''}`;
    const list = byOp.get(key);
    if (list === undefined) byOp.set(key, [v]);
    else list.push(v);
  }
  for (const tasks of byOp.values()) {
    let work = 0;
    for (const v of tasks) work += problem.stageWorkS[v]!;
    const clusters = Math.min(tasks.length, Math.max(slots, Math.ceil(work / targetS)));
    if (clusters >= tasks.length) {
      for (const v of tasks) groups.push([v]);
      continue;
    }
    const bins: number[][] = Array.from({ length: clusters }, () => []);
    const load = new Float64Array(clusters);
    const sorted = [...tasks].sort((a, b) => problem.stageWorkS[b]! - problem.stageWorkS[a]! || a - b);
    for (const v of sorted) {
      let lightest = 0;
      for (let b = 1; b < clusters; b++) if (load[b]! < load[lightest]!) lightest = b;
      bins[lightest]!.push(v);
      load[lightest]! += problem.stageWorkS[v]!;
    }
    for (const bin of bins) groups.push(bin.sort((a, b) => a - b));
  }
  return groups;
}

function hasKnownRuntimes(problem: Problem, v: number): boolean {
  const P = problem.pools.count;
  for (let p = 0; p < P; p++) if (!Number.isNaN(problem.stageKnownRuntimeS[v * P + p]!)) return true;
  return false;
}

/**
 * Work (s at speed 1) a vertical cluster may hold at cluster scale 1: long enough to pay the
 * dispatch overhead once for a whole pipeline of short steps, short enough that interruption
 * rework on a spot pool does not grow much (the cost model judges each variant anyway).
 */
export const VERTICAL_MAX_WORK_S = 3600;

/**
 * Vertical clustering (Pegasus' "vertical" mode): chains u → v where u's only dependant is v
 * and v's only input stage is u run back to back in one sub-task, paying dispatch once and
 * moving nothing between them. No parallelism is lost: a chain runs in sequence anyway.
 *
 * Only stages with nothing to execute are chained (plan-only definitions, WfFormat traces run by
 * replay): a stage's command reads its inputs from {inputs}, and inside a chain its producer's
 * outputs would be in the sub-task's own {out} instead, which a command written for one task
 * per sub-task does not expect.
 *
 * Returns the chains of two or more stages, each in dependency order; a stage is in at most one.
 */
export function verticalChains(problem: Problem, scale = 1): number[][] {
  const g = problem.stages;
  const limitS = VERTICAL_MAX_WORK_S * scale;
  const next = chainSuccessor(problem);
  const chainable = (v: number): boolean => isChainable(problem, v);
  const inChain = new Uint8Array(g.nodeCount);
  const chains: number[][] = [];
  for (const u of g.order) {
    if (inChain[u] === 1 || !chainable(u)) continue;
    const chain = [u];
    let work = problem.stageWorkS[u]!;
    for (let v = next[u]!; v >= 0 && work + problem.stageWorkS[v]! <= limitS; v = next[v]!) {
      chain.push(v);
      work += problem.stageWorkS[v]!;
    }
    if (chain.length < 2) continue;
    for (const v of chain) inChain[v] = 1;
    chains.push(chain);
  }
  return chains;
}

function isChainable(problem: Problem, v: number): boolean {
  const stage = problem.definition.stages[v]!;
  return stage.kind === 'atomic' && stage.run === undefined;
}

/**
 * For each stage u, the stage v a vertical chain may continue with (u's only dependant, whose
 * only input stage is u, both chainable, same allowed pools), or −1. At any cluster scale a
 * chain only follows these links, so a bound that must hold for every partition reads them:
 * a stage that is some stage's chain successor may share its predecessor's sub-task (no
 * dispatch of its own, no horizontal cluster family).
 */
export function chainSuccessor(problem: Problem): Int32Array {
  const g = problem.stages;
  const stages = problem.definition.stages;
  const poolsKey = (v: number): string => stages[v]!.pools?.join('\u0000') ?? '';
  const next = new Int32Array(g.nodeCount).fill(-1);
  for (let u = 0; u < g.nodeCount; u++) {
    if (!isChainable(problem, u) || g.succStart[u + 1]! - g.succStart[u]! !== 1) continue;
    const v = g.succIndex[g.succStart[u]!]!;
    if (g.predStart[v + 1]! - g.predStart[v]! === 1 && isChainable(problem, v) && poolsKey(u) === poolsKey(v)) next[u] = v;
  }
  return next;
}

/** Stages that may share their predecessor's sub-task in some vertical chain (see chainSuccessor). */
export function chainedToPredecessor(problem: Problem): Uint8Array {
  const chained = new Uint8Array(problem.stages.nodeCount);
  for (const v of chainSuccessor(problem)) if (v >= 0) chained[v] = 1;
  return chained;
}
