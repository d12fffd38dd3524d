/**
 * Neighbourhood moves over a candidate (allocation + priority order) of a fixed sub-task
 * graph. Every move keeps the candidate valid: a sub-task only goes to a pool that may run
 * it, and the order stays topological.
 *
 *   move     one sub-task to another pool
 *   swap     the pools of two sub-tasks
 *   stage    every sub-task of one stage to one pool (how a chunked stage moves)
 *   group    every sub-task of one op, or of one level of the graph, to one pool: the escapes
 *            from a local optimum one stage away from a much better plan (a wide op kept by its
 *            data on a free pool is many single moves away, each worse on its own)
 *   reorder  a few adjacent priorities exchanged, where no dependency links the two
 */
import type { SubtaskGraph } from '../model/subtasks.js';

export type Random = () => number;

export class MoveGenerator {
  private readonly graph: SubtaskGraph;
  private readonly P: number;
  /** Pools each sub-task may use, CSR. */
  private readonly allowedStart: Int32Array;
  private readonly allowed: Int32Array;
  /** Stages with at least one sub-task, and pools every sub-task of the stage may use. */
  private readonly stages: number[];
  private readonly stagePools: number[][];
  /** Ops and levels with more than one sub-task: their sub-tasks, and pools all of them may use. */
  private readonly groups: Int32Array[];
  private readonly groupPools: number[][];

  /** `opOfStage` (stage index → op name) enables the op moves; levels come from the graph. */
  constructor(graph: SubtaskGraph, opOfStage?: (stage: number) => string) {
    this.graph = graph;
    this.P = graph.poolCount;
    const P = this.P;
    const n = graph.nodeCount;
    this.allowedStart = new Int32Array(n + 1);
    const allowed: number[] = [];
    for (let s = 0; s < n; s++) {
      for (let p = 0; p < P; p++) if (Number.isFinite(graph.expectedS[s * P + p]!)) allowed.push(p);
      this.allowedStart[s + 1] = allowed.length;
    }
    this.allowed = Int32Array.from(allowed);
    this.stages = [];
    this.stagePools = [];
    for (let v = 0; v + 1 < graph.stageSubtaskStart.length; v++) {
      const first = graph.stageSubtaskStart[v]!;
      const last = graph.stageSubtaskStart[v + 1]!;
      if (first === last) continue;
      const pools: number[] = [];
      for (let p = 0; p < P; p++) {
        let ok = true;
        for (let i = first; i < last && ok; i++) ok = Number.isFinite(graph.expectedS[graph.stageSubtasks[i]! * P + p]!);
        if (ok) pools.push(p);
      }
      if (pools.length > 1) {
        this.stages.push(v);
        this.stagePools.push(pools);
      }
    }
    this.groups = [];
    this.groupPools = [];
    for (const members of [...levelsOf(graph), ...(opOfStage === undefined ? [] : opsOf(graph, opOfStage))]) {
      if (members.length < 2) continue;
      const pools: number[] = [];
      for (let p = 0; p < P; p++) if (members.every((s) => Number.isFinite(graph.expectedS[s * P + p]!))) pools.push(p);
      if (pools.length < 2) continue;
      this.groups.push(Int32Array.from(members));
      this.groupPools.push(pools);
    }
  }

  /** Sub-tasks on the current critical chain; half of the single-sub-task moves pick from it. */
  private focus: readonly number[] = [];

  setFocus(subtasks: readonly number[]): void {
    this.focus = subtasks;
  }

  /** Sub-tasks a move may change (all when undefined): when a plan is extended, the fixed ones cannot move. */
  private movable: Int32Array | undefined;

  private movableMask: Uint8Array | undefined;

  setMovable(subtasks: Int32Array | undefined): void {
    this.movable = subtasks === undefined || subtasks.length === this.graph.nodeCount ? undefined : subtasks;
    if (this.movable === undefined) this.movableMask = undefined;
    else {
      this.movableMask = new Uint8Array(this.graph.nodeCount);
      for (const s of this.movable) this.movableMask[s] = 1;
    }
  }

  private anySubtask(random: Random): number {
    const movable = this.movable;
    return movable === undefined ? Math.floor(random() * this.graph.nodeCount) : movable[Math.floor(random() * movable.length)]!;
  }

  /** Applies `count` random moves to (allocation, order) in place. */
  apply(allocation: Int32Array, order: Int32Array, count: number, random: Random): void {
    for (let m = 0; m < count; m++) {
      const kind = random();
      if (kind < 0.35) this.moveOne(allocation, random);
      else if (kind < 0.5) this.swap(allocation, random);
      else if (kind < 0.6 && this.stages.length > 0) this.moveStage(allocation, random);
      else if (kind < 0.65 && this.groups.length > 0) this.moveGroup(allocation, random);
      else if (kind < 0.8 && this.focus.length > 0) this.promote(order, random);
      else this.reorder(order, 1 + Math.floor(random() * 4), random);
    }
  }

  private pick(random: Random): number {
    if (this.focus.length > 0 && random() < 0.5) return this.focus[Math.floor(random() * this.focus.length)]!;
    return this.anySubtask(random);
  }

  /** Moves a critical sub-task up the order to just after its last input. */
  private promote(order: Int32Array, random: Random): void {
    const s = this.focus[Math.floor(random() * this.focus.length)]!;
    const at = order.indexOf(s);
    let target = 0;
    for (let i = at - 1; i >= 0; i--) {
      if (this.dependsOn(s, order[i]!)) {
        target = i + 1;
        break;
      }
    }
    if (target >= at) return;
    order.copyWithin(target + 1, target, at);
    order[target] = s;
  }

  private moveOne(allocation: Int32Array, random: Random): void {
    const s = this.pick(random);
    const first = this.allowedStart[s]!;
    const count = this.allowedStart[s + 1]! - first;
    if (count < 2) return;
    let index = Math.floor(random() * count);
    if (this.allowed[first + index] === allocation[s]) index = (index + 1) % count;
    allocation[s] = this.allowed[first + index]!;
  }

  private swap(allocation: Int32Array, random: Random): void {
    const a = this.anySubtask(random);
    const b = this.anySubtask(random);
    const pa = allocation[a]!;
    const pb = allocation[b]!;
    if (pa === pb) return;
    const P = this.P;
    if (!Number.isFinite(this.graph.expectedS[a * P + pb]!) || !Number.isFinite(this.graph.expectedS[b * P + pa]!)) return;
    allocation[a] = pb;
    allocation[b] = pa;
  }

  private moveStage(allocation: Int32Array, random: Random): void {
    const k = Math.floor(random() * this.stages.length);
    const v = this.stages[k]!;
    const pools = this.stagePools[k]!;
    const q = pools[Math.floor(random() * pools.length)]!;
    const movable = this.movableMask;
    for (let i = this.graph.stageSubtaskStart[v]!; i < this.graph.stageSubtaskStart[v + 1]!; i++) {
      const s = this.graph.stageSubtasks[i]!;
      if (movable === undefined || movable[s] === 1) allocation[s] = q;
    }
  }

  /** Every sub-task of one op or level to one pool (moves of fixed sub-tasks excepted: see setMovable). */
  private moveGroup(allocation: Int32Array, random: Random): void {
    const k = Math.floor(random() * this.groups.length);
    const pools = this.groupPools[k]!;
    const q = pools[Math.floor(random() * pools.length)]!;
    const movable = this.movableMask;
    for (const s of this.groups[k]!) if (movable === undefined || movable[s] === 1) allocation[s] = q;
  }

  /** Exchanges adjacent positions i, i+1 where order[i] is not an input of order[i+1]. */
  private reorder(order: Int32Array, swaps: number, random: Random): void {
    const n = order.length;
    if (n < 2) return;
    for (let t = 0; t < swaps; t++) {
      const i = Math.floor(random() * (n - 1));
      const a = order[i]!;
      const b = order[i + 1]!;
      if (this.dependsOn(b, a)) continue;
      order[i] = b;
      order[i + 1] = a;
    }
  }

  private dependsOn(s: number, q: number): boolean {
    for (let e = this.graph.predStart[s]!; e < this.graph.predStart[s + 1]!; e++) if (this.graph.predIndex[e] === q) return true;
    return false;
  }
}

/** Sub-tasks by level (the graph's longest-path depth). */
function levelsOf(graph: SubtaskGraph): number[][] {
  const levels: number[][] = Array.from({ length: graph.levelCount }, () => []);
  for (const s of graph.order) levels[graph.level[s]!]!.push(s);
  return levels;
}

/** Sub-tasks by the op of their first member stage. */
function opsOf(graph: SubtaskGraph, opOfStage: (stage: number) => string): number[][] {
  const byOp = new Map<string, number[]>();
  const { memberStart, members } = graph.partition;
  for (let s = 0; s < graph.nodeCount; s++) {
    const op = opOfStage(members[memberStart[s]!]!);
    const list = byOp.get(op);
    if (list === undefined) byOp.set(op, [s]);
    else list.push(s);
  }
  return [...byOp.values()];
}
