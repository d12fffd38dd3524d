/**
 * Partitioning (stages → sub-tasks) and the sub-task graph the cost model scores.
 *
 * A sub-task is either a chunk of a divisible stage (a unit range) or a group of one or
 * more atomic stages run back to back in one slot (clustering). Sub-task edges come from
 * stage edges: a sub-task holding fraction f of stage u sends f × g × bytes(u→v) to a
 * sub-task holding fraction g of stage v (a chunked stage feeds every chunk of its
 * dependant, as a shuffle does).
 *
 * Runtime of sub-task s on pool p = Σ members (work × fraction + stage overhead) / speed
 * + the pool's dispatch overhead, or the user's known runtime on that pool. Under an
 * interruption hazard λ (per s), a sub-task that restarts from scratch takes in expectation
 * (e^{λd} − 1)/λ (exponential failures, restart on failure; cf. Young 1974, Daly 2006).
 *
 * Interruption rework depends on when a sub-task runs (the availability's hazard over its
 * window, src/cost/rework.ts), so the graph does not fix it: `expectedS` is only the cache
 * of the cost model's fast path, computed with one hazard per pool (`reworkHazardPerS`: the
 * pool table's, i.e. the availability's constant or, where it varies, its value at time 0,
 * an estimate for planners the cost model does not use).
 */
import { chunkEdgeBytes, chunkShare } from './bags.js';
import { buildDag, type Dag } from './graph.js';
import type { Problem } from './problem.js';
import type { Stage } from './types.js';

export interface Partition {
  readonly count: number;
  /** Stages each sub-task holds, CSR: members of s are memberStart[s] .. memberStart[s+1]. */
  readonly memberStart: Int32Array;
  readonly members: Int32Array;
  /** For a chunk: its first unit and unit count. unitCount 0 means the whole stage. */
  readonly unitStart: Float64Array;
  readonly unitCount: Float64Array;
}

/** How the constructive planner cut a partition (kept on a candidate so partition moves can vary it). */
export interface PartitionSpec {
  /** Divisible stages: equal chunks over all slots, or the divisible-load split per pool. */
  readonly split: 'even' | 'dlt';
  /** Cluster tiny atomic tasks of a level. */
  readonly cluster: boolean;
  /** Multiplies the chunk count of every divisible stage (search moves: split or merge chunks). */
  readonly chunkScale: number;
  /** Multiplies the target cluster duration (search moves: cluster more or less). */
  readonly clusterScale: number;
  /** Run chains of single-input, single-dependant stages as one sub-task (planners/cluster.ts verticalChains). */
  readonly vertical?: boolean;
  /** Even split only: cut each bag of WfFormat tasks one task per chunk. */
  readonly bagTasks?: boolean;
}

export class PartitionBuilder {
  private readonly memberStart: number[] = [0];
  private readonly members: number[] = [];
  private readonly unitStart: number[] = [];
  private readonly unitCount: number[] = [];

  get count(): number {
    return this.unitStart.length;
  }

  /** A chunk of divisible stage `stage`: units [start, start + count). */
  addChunk(stage: number, start: number, count: number): number {
    this.members.push(stage);
    return this.close(start, count);
  }

  /** One or more atomic stages as one sub-task. */
  addGroup(stages: ArrayLike<number>): number {
    for (let i = 0; i < stages.length; i++) this.members.push(stages[i]!);
    return this.close(0, 0);
  }

  build(): Partition {
    return {
      count: this.count,
      memberStart: Int32Array.from(this.memberStart),
      members: Int32Array.from(this.members),
      unitStart: Float64Array.from(this.unitStart),
      unitCount: Float64Array.from(this.unitCount),
    };
  }

  private close(start: number, count: number): number {
    this.memberStart.push(this.members.length);
    this.unitStart.push(start);
    this.unitCount.push(count);
    return this.count - 1;
  }
}

export interface SubtaskGraph extends Dag {
  readonly partition: Partition;
  readonly poolCount: number;
  /** Runtime of sub-task s on pool p at [s * P + p]; Infinity where a filter forbids it. */
  readonly runtimeS: Float64Array;
  /**
   * Expected runtime including interruption rework under the constant hazard
   * `reworkHazardPerS[p]`, same layout: the cost model's fast-path cache (see the header).
   */
  readonly expectedS: Float64Array;
  /** Per pool, the hazard (per s) `expectedS` was computed with. */
  readonly reworkHazardPerS: Float64Array;
  readonly memGb: Float64Array;
  /**
   * Data read from outside the job, CSR by sub-task: object, home region, bytes, and whether
   * the sub-task reads the whole object (then it is moved to a region once and shared by
   * every reader there; a chunk's share of an object is its own).
   */
  readonly externalStart: Int32Array;
  readonly externalObject: Int32Array;
  readonly externalRegion: Int32Array;
  readonly externalBytes: Float64Array;
  readonly externalWhole: Uint8Array;
  /** Number of sub-tasks that read each data object whole. */
  readonly wholeReaders: Int32Array;
  /** Sub-tasks of each stage, CSR by stage. */
  readonly stageSubtaskStart: Int32Array;
  readonly stageSubtasks: Int32Array;
}

/**
 * Share of stage `stage` that sub-task s holds (1 for whole atomic stages): units / stage units,
 * or for a bag its tasks' share of the bag's work (model/bags.ts).
 */
export function fractionOf(problem: Problem, partition: Partition, s: number): number {
  const count = partition.unitCount[s]!;
  if (count === 0) return 1;
  const v = partition.members[partition.memberStart[s]!]!;
  return chunkShare(problem.definition.stages[v]!, problem.bags?.[v], partition.unitStart[s]!, count);
}

/**
 * Work at speed 1 of units [start, start + count) of stage v (count 0 = the whole stage), without
 * overheads: the sum of a bag's own tasks, else units × the per-unit work. For planners that size
 * chunks from a stage's mean rate and want a chunk's exact work.
 */
export function chunkWorkS(problem: Problem, v: number, start: number, count: number): number {
  return problem.stageWorkS[v]! * chunkShare(problem.definition.stages[v]!, problem.bags?.[v], start, count);
}

/**
 * Units from `start` on whose work is nearest to `workS` (at least 1, at most what is left): how
 * a split that shares work among pools turns a pool's share into a unit range of a bag. Other
 * stages: workS / the per-unit work, rounded.
 */
export function unitsForWorkS(problem: Problem, v: number, start: number, workS: number): number {
  const stage = problem.definition.stages[v]!;
  if (stage.kind !== 'divisible') return 0;
  const left = stage.units - start;
  const tables = problem.bags?.[v];
  const total = problem.stageWorkS[v]!;
  if (tables === undefined || !(total > 0) || !(tables.workPrefix[stage.units]! > 0)) {
    const perUnit = total / stage.units;
    return Math.max(1, Math.min(left, perUnit > 0 ? Math.round(workS / perUnit) : left));
  }
  // In the tables' weights (runtimes at the bag's own scale), then the prefix nearest to it.
  const prefix = tables.workPrefix;
  const goal = prefix[start]! + (workS / total) * prefix[stage.units]!;
  let lo = start + 1;
  let hi = stage.units;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (prefix[mid]! < goal) lo = mid + 1;
    else hi = mid;
  }
  const end = lo > start + 1 && goal - prefix[lo - 1]! <= prefix[lo]! - goal ? lo - 1 : lo;
  return Math.max(1, Math.min(left, end - start));
}

export function expectedWithRework(durationS: number, hazardPerS: number): number {
  if (hazardPerS === 0 || !Number.isFinite(durationS)) return durationS;
  return Math.expm1(hazardPerS * durationS) / hazardPerS;
}

export function buildSubtaskGraph(problem: Problem, partition: Partition): SubtaskGraph {
  const n = partition.count;
  const P = problem.pools.count;
  const stageSubtaskStart = new Int32Array(problem.stages.nodeCount + 1);
  for (let i = 0; i < partition.members.length; i++) stageSubtaskStart[partition.members[i]! + 1]!++;
  for (let v = 0; v < problem.stages.nodeCount; v++) stageSubtaskStart[v + 1]! += stageSubtaskStart[v]!;
  const stageSubtasks = new Int32Array(partition.members.length);
  const fill = stageSubtaskStart.slice(0, problem.stages.nodeCount);
  const fraction = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    fraction[s] = fractionOf(problem, partition, s);
    for (let m = partition.memberStart[s]!; m < partition.memberStart[s + 1]!; m++) stageSubtasks[fill[partition.members[m]!]!++] = s;
  }
  const { runtimeS, expectedS, memGb } = subtaskRuntimes(problem, partition, fraction);
  const edges = subtaskEdges(problem, partition, fraction, stageSubtaskStart, stageSubtasks);
  const dag = buildDag(n, edges.from, edges.to, edges.bytes);
  if (dag === undefined) throw new Error('internal: partition grouped stages into a cycle');
  return {
    ...dag,
    partition,
    poolCount: P,
    runtimeS,
    expectedS,
    reworkHazardPerS: Float64Array.from(problem.pools.hazardPerS),
    memGb,
    ...subtaskExternal(problem, partition, fraction),
    stageSubtaskStart,
    stageSubtasks,
  };
}

function subtaskRuntimes(problem: Problem, partition: Partition, fraction: Float64Array): { runtimeS: Float64Array; expectedS: Float64Array; memGb: Float64Array } {
  const n = partition.count;
  const P = problem.pools.count;
  const stages = problem.definition.stages;
  const { stageFeasible, stageKnownRuntimeS, stageSpeed, stageWorkS } = problem;
  const { dispatchOverheadS, hazardPerS } = problem.pools;
  const runtimeS = new Float64Array(n * P);
  const expectedS = new Float64Array(n * P);
  const memGb = new Float64Array(n);
  // Sum over members, pool by pool, in one row of the output (hot for 10^6 sub-tasks).
  for (let s = 0; s < n; s++) {
    const row = s * P;
    for (let p = 0; p < P; p++) runtimeS[row + p] = dispatchOverheadS[p]!;
    for (let m = partition.memberStart[s]!; m < partition.memberStart[s + 1]!; m++) {
      const v = partition.members[m]!;
      const stage = stages[v]!;
      memGb[s] = Math.max(memGb[s]!, stage.memGb ?? 0);
      const work = stageWorkS[v]! * fraction[s]! + stage.overheadS + superlinearS(stage, partition.unitCount[s]!);
      for (let p = 0; p < P; p++) {
        const k = v * P + p;
        if (stageFeasible[k] === 0) runtimeS[row + p] = Number.POSITIVE_INFINITY;
        else {
          const known = stageKnownRuntimeS[k]!;
          runtimeS[row + p]! += Number.isNaN(known) ? work / stageSpeed[k]! : known * fraction[s]!;
        }
      }
    }
    for (let p = 0; p < P; p++) {
      const hazard = hazardPerS[p]!;
      expectedS[row + p] = hazard === 0 ? runtimeS[row + p]! : expectedWithRework(runtimeS[row + p]!, hazard);
    }
  }
  return { runtimeS, expectedS, memGb };
}

/** The n log n part of a chunk's runtime above its linear part (see DivisibleStage.runtimeLogS); 0 for k <= minChunk. */
export function superlinearS(stage: Stage, units: number): number {
  if (stage.kind !== 'divisible' || stage.runtimeLogS === undefined || stage.runtimeLogS === 0) return 0;
  const k = units === 0 ? stage.units : units;
  return k > stage.minChunk ? stage.runtimeLogS * k * Math.log2(k / stage.minChunk) : 0;
}

export function speedOf(problem: Problem, stage: number, pool: number): number {
  return problem.stageSpeed[stage * problem.pools.count + pool]!;
}

function subtaskEdges(
  problem: Problem,
  partition: Partition,
  fraction: Float64Array,
  stageSubtaskStart: Int32Array,
  stageSubtasks: Int32Array,
): { from: number[]; to: number[]; bytes: number[] } {
  const n = partition.count;
  const grouped = partition.members.length > n;
  const merged = new Map<number, number>();
  const from: number[] = [];
  const to: number[] = [];
  const bytes: number[] = [];
  const g = problem.stages;
  const stages = problem.definition.stages;
  const { unitStart, unitCount } = partition;
  for (let u = 0; u < g.nodeCount; u++) {
    for (let e = g.succStart[u]!; e < g.succStart[u + 1]!; e++) {
      const v = g.succIndex[e]!;
      const edgeBytes = g.succBytes[e]!;
      // Into or out of a bag: the bytes its chunk's own tasks read or write (model/bags.ts).
      const into = problem.bags?.[v]?.inBytes.get(u);
      const outOf = into === undefined ? problem.bags?.[u]?.outBytes.get(v) : undefined;
      const bagUnits = into !== undefined ? (stages[v] as { units: number }).units : outOf !== undefined ? (stages[u] as { units: number }).units : 0;
      for (let i = stageSubtaskStart[u]!; i < stageSubtaskStart[u + 1]!; i++) {
        const a = stageSubtasks[i]!;
        for (let j = stageSubtaskStart[v]!; j < stageSubtaskStart[v + 1]!; j++) {
          const c = stageSubtasks[j]!;
          if (a === c) continue;
          const b = into !== undefined
            ? chunkEdgeBytes(into, bagUnits, unitStart[c]!, unitCount[c]!)! * fraction[a]!
            : outOf !== undefined
              ? chunkEdgeBytes(outOf, bagUnits, unitStart[a]!, unitCount[a]!)! * fraction[c]!
              : edgeBytes * fraction[a]! * fraction[c]!;
          if (grouped) merged.set(a * n + c, (merged.get(a * n + c) ?? 0) + b);
          else {
            from.push(a);
            to.push(c);
            bytes.push(b);
          }
        }
      }
    }
  }
  for (const [key, b] of merged) {
    from.push(Math.floor(key / n));
    to.push(key % n);
    bytes.push(b);
  }
  return { from, to, bytes };
}

type ExternalReads = Pick<SubtaskGraph, 'externalStart' | 'externalObject' | 'externalRegion' | 'externalBytes' | 'externalWhole' | 'wholeReaders'>;

function subtaskExternal(problem: Problem, partition: Partition, fraction: Float64Array): ExternalReads {
  const n = partition.count;
  const externalStart = new Int32Array(n + 1);
  const objects: number[] = [];
  const regions: number[] = [];
  const bytes: number[] = [];
  const whole: number[] = [];
  const wholeReaders = new Int32Array(problem.definition.data.length);
  // Per object, 1 + the last bag chunk that read it.
  const readBy = problem.bags === undefined ? undefined : new Int32Array(problem.definition.data.length);
  for (let s = 0; s < n; s++) {
    const first = objects.length;
    for (let m = partition.memberStart[s]!; m < partition.memberStart[s + 1]!; m++) {
      const v = partition.members[m]!;
      const bag = problem.bags?.[v];
      if (bag !== undefined) {
        // A chunk of a bag reads what its own tasks read, each object whole and once.
        const units = bag.workPrefix.length - 1;
        const a = partition.unitCount[s] === 0 ? 0 : partition.unitStart[s]!;
        const b = partition.unitCount[s] === 0 ? units : a + partition.unitCount[s]!;
        for (let x = bag.externalStart[a]!; x < bag.externalStart[b]!; x++) {
          const k: number = bag.externalEntry[x]!;
          const object = problem.externalObject[k]!;
          if (readBy![object] === s + 1) continue;
          readBy![object] = s + 1;
          objects.push(object);
          regions.push(problem.externalRegion[k]!);
          bytes.push(problem.externalBytes[k]!);
          whole.push(1);
          wholeReaders[object]!++;
        }
        continue;
      }
      for (let k = problem.externalStart[v]!; k < problem.externalStart[v + 1]!; k++) {
        const object = problem.externalObject[k]!;
        if (objects.indexOf(object, first) >= 0) continue; // two tasks of one cluster read it once
        const isWhole = fraction[s] === 1;
        objects.push(object);
        regions.push(problem.externalRegion[k]!);
        bytes.push(problem.externalBytes[k]! * fraction[s]!);
        whole.push(isWhole ? 1 : 0);
        if (isWhole) wholeReaders[object]!++;
      }
    }
    externalStart[s + 1] = objects.length;
  }
  return {
    externalStart,
    externalObject: Int32Array.from(objects),
    externalRegion: Int32Array.from(regions),
    externalBytes: Float64Array.from(bytes),
    externalWhole: Uint8Array.from(whole),
    wholeReaders,
  };
}
