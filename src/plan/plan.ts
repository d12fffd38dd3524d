/**
 * The Plan document: versioned, JSON-serialisable, what `apportion plan --format json` writes.
 * Built from a scored candidate; holds no typed arrays so it diffs and round-trips cleanly.
 */
import { gapTo, type LowerBound } from '../cost/bounds.js';
import type { ScoredCandidate } from '../cost/evaluate.js';
import { objectiveUnit, type ObjectiveKind } from '../model/objective.js';
import type { Terms } from '../cost/terms.js';
import type { PlanBasis, Problem, Provisional } from '../model/problem.js';
import type { SubtaskGraph } from '../model/subtasks.js';
import { slotPriceUsd } from '../cost/price.js';
import { BACKUP_POOLS, backupPools } from './backups.js';
import type { MakespanRisk } from './risk.js';

export const PLAN_VERSION = 1;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface PlanSubtask {
  readonly id: string;
  /** Op of the stage(s) it runs (a cluster holds one op). */
  readonly op: string;
  readonly pool: string;
  readonly slot: number;
  readonly startS: number;
  readonly finishS: number;
  /** Expected duration includes interruption rework; runtimeS is without it. */
  readonly runtimeS: number;
  readonly costUsd: number;
  /** A chunk of a divisible stage: the stage and its unit range [start, end). */
  readonly stage?: string;
  readonly items?: readonly [number, number];
  readonly unit?: 'items' | 'bytes';
  /**
   * A group of atomic tasks (one for an unclustered stage); for a chunk of a bag of WfFormat
   * tasks (model/bags.ts), the task ids its unit range holds, in unit order.
   */
  readonly tasks?: readonly string[];
  /** Ids of the sub-tasks whose output this one reads. */
  readonly after: readonly string[];
  /** Pools the cost model ranks next for this sub-task, best first (where it goes if its pool fails it). */
  readonly backups: readonly string[];
  readonly provisional?: true;
}

export interface PlanPoolUsage {
  readonly id: string;
  readonly region: string;
  readonly slots: number;
  readonly subtasks: number;
  readonly busyS: number;
  readonly costUsd: number;
}

export interface Plan {
  readonly apportionPlan: typeof PLAN_VERSION;
  readonly job: string;
  readonly summary: {
    readonly planner: string;
    readonly variant: string;
    readonly objectiveKind: ObjectiveKind;
    readonly objective: number;
    readonly objectiveUnit: 'USD' | 's';
    readonly usdPerHour: number;
    readonly makespanS: number;
    readonly costUsd: number;
    readonly subtaskCount: number;
    readonly planningMs: number;
    readonly feasible: boolean;
  };
  readonly terms: Omit<Terms, 'objective'>;
  /** Certified lower bounds and the gap of this plan's objective to its bound. */
  readonly bounds: {
    readonly makespanLowerBoundS: number;
    readonly costLowerBoundUsd: number;
    readonly objectiveLowerBound: number;
    /** objective / objectiveLowerBound − 1 (0 = proven optimal). */
    readonly gap: number;
    readonly source: string;
  };
  readonly constraints: { readonly deadlineS?: number; readonly budgetUsd?: number; readonly violations: readonly string[] };
  readonly pools: readonly PlanPoolUsage[];
  readonly subtasks: readonly PlanSubtask[];
  readonly provisional: readonly Provisional[];
  readonly assumptions: readonly string[];
  /** The profile and availability (forecast) ids this plan was made with. */
  readonly basis: PlanBasis;
  /** With a profile: this plan's makespan under the history's spread (Monte Carlo, plan/risk.ts). */
  readonly risk?: MakespanRisk;
}

/** Human-readable sub-task ids: a whole stage keeps its id, a chunk is `stage#k`, a cluster `op*k`. */
export function subtaskIds(problem: Problem, graph: SubtaskGraph): string[] {
  const { partition } = graph;
  const stages = problem.definition.stages;
  const chunkCounter = new Map<number, number>();
  const clusterCounter = new Map<string, number>();
  const ids: string[] = [];
  for (let s = 0; s < graph.nodeCount; s++) {
    const first = partition.memberStart[s]!;
    const size = partition.memberStart[s + 1]! - first;
    const v = partition.members[first]!;
    if (partition.unitCount[s]! > 0) {
      const k = chunkCounter.get(v) ?? 0;
      chunkCounter.set(v, k + 1);
      ids.push(`${stages[v]!.id}#${k}`);
    } else if (size === 1) ids.push(stages[v]!.id);
    else {
      const op = stages[v]!.op;
      const k = clusterCounter.get(op) ?? 0;
      clusterCounter.set(op, k + 1);
      ids.push(`${op}*${k}`);
    }
  }
  return ids;
}

/**
 * Backup pool ids of each sub-task as shared, frozen arrays: one per distinct (first, second)
 * pair, at most P² of them, so a plan of 10^6 sub-tasks does not allocate 10^6 small arrays.
 */
function backupIdLists(problem: Problem, backups: Int32Array): (s: number) => readonly string[] {
  const P = problem.pools.count;
  const lists = new Map<number, readonly string[]>();
  return (s) => {
    let key = 0;
    for (let j = 0; j < BACKUP_POOLS; j++) key = key * (P + 1) + (backups[s * BACKUP_POOLS + j]! + 1);
    let list = lists.get(key);
    if (list === undefined) {
      const ids: string[] = [];
      for (let j = 0; j < BACKUP_POOLS; j++) {
        const q = backups[s * BACKUP_POOLS + j]!;
        if (q >= 0) ids.push(problem.pools.ids[q]!);
      }
      list = Object.freeze(ids);
      lists.set(key, list);
    }
    return list;
  };
}

export function buildPlan(
  problem: Problem,
  scored: ScoredCandidate,
  meta: { planner: string; planningMs: number; bound: LowerBound },
): Plan {
  const { graph, schedule, terms } = scored;
  const P = problem.pools.count;
  const stages = problem.definition.stages;
  const provisional = new Uint8Array(stages.length);
  for (const p of problem.provisional) provisional[problem.stageIndex.get(p.stage)!] = 1;
  const ids = subtaskIds(problem, graph);
  const usage = problem.resources.pools.map((pool) => ({ id: pool.id, region: pool.region, slots: pool.slots, subtasks: 0, busyS: 0, costUsd: 0 }));
  const { memberStart, members, unitStart, unitCount } = graph.partition;
  // One object per sub-task, built directly (no spreads or temporary arrays): plans of
  // 10^6 sub-tasks spend most of their building time in the garbage collector otherwise.
  const subtasks: PlanSubtask[] = new Array(graph.nodeCount);
  const backupsOf = backupIdLists(problem, backupPools(problem, graph, schedule));
  for (let s = 0; s < graph.nodeCount; s++) {
    const p = schedule.pool[s]!;
    const busyS = schedule.finishS[s]! - schedule.startS[s]!;
    const costUsd = slotPriceUsd(problem, p, schedule.startS[s]!, schedule.finishS[s]!);
    const pool = usage[p]!;
    pool.subtasks++;
    pool.busyS += busyS;
    pool.costUsd += costUsd;
    const first = memberStart[s]!;
    const last = memberStart[s + 1]!;
    const stage = stages[members[first]!]!;
    const after: string[] = new Array(graph.predStart[s + 1]! - graph.predStart[s]!);
    for (let e = graph.predStart[s]!; e < graph.predStart[s + 1]!; e++) after[e - graph.predStart[s]!] = ids[graph.predIndex[e]!]!;
    let guessed = false;
    for (let m = first; m < last; m++) if (provisional[members[m]!] === 1) guessed = true;
    const entry: Mutable<PlanSubtask> = {
      id: ids[s]!,
      op: stage.op,
      pool: problem.pools.ids[p]!,
      slot: schedule.slot[s]!,
      startS: schedule.startS[s]!,
      finishS: schedule.finishS[s]!,
      runtimeS: graph.runtimeS[s * P + p]!,
      costUsd,
      after,
      backups: backupsOf(s),
    };
    if (unitCount[s]! > 0) {
      entry.stage = stage.id;
      entry.items = [unitStart[s]!, unitStart[s]! + unitCount[s]!];
      entry.unit = stage.kind === 'divisible' ? stage.unitName : 'items';
      if (stage.kind === 'divisible' && stage.bag !== undefined) entry.tasks = stage.bag.taskIds.slice(entry.items[0], entry.items[1]);
    } else {
      const tasks: string[] = new Array(last - first);
      for (let m = first; m < last; m++) tasks[m - first] = stages[members[m]!]!.id;
      entry.tasks = tasks;
    }
    if (guessed) entry.provisional = true;
    subtasks[s] = entry;
  }
  const { objective, ...rest } = terms;
  return {
    apportionPlan: PLAN_VERSION,
    job: problem.definition.name,
    summary: {
      planner: meta.planner,
      variant: scored.variant,
      objectiveKind: problem.objective.kind,
      objective,
      objectiveUnit: objectiveUnit(problem.objective),
      usdPerHour: problem.objective.usdPerHour,
      makespanS: terms.makespanS,
      costUsd: terms.costUsd,
      subtaskCount: graph.nodeCount,
      planningMs: meta.planningMs,
      feasible: scored.violations.length === 0,
    },
    terms: rest,
    bounds: {
      makespanLowerBoundS: meta.bound.makespanS,
      costLowerBoundUsd: meta.bound.costUsd,
      objectiveLowerBound: meta.bound.objective,
      gap: gapTo(objective, meta.bound),
      source: meta.bound.source,
    },
    constraints: {
      ...(problem.deadlineS === undefined ? {} : { deadlineS: problem.deadlineS }),
      ...(problem.budgetUsd === undefined ? {} : { budgetUsd: problem.budgetUsd }),
      violations: scored.violations.map((v) => v.message),
    },
    pools: usage,
    subtasks,
    provisional: problem.provisional,
    assumptions: problem.assumptions,
    basis: problem.basis,
  };
}
