/**
 * The Plan document: versioned, JSON-serialisable, what `apportion plan --format json` writes.
 * Built from a scored candidate; holds no typed arrays so it diffs and round-trips cleanly.
 */
import { gapTo, type LowerBound } from '../cost/bounds.js';
import type { ScoredCandidate } from '../cost/evaluate.js';
import { objectiveUnit, type ObjectiveKind } from '../cost/objective.js';
import type { Terms } from '../cost/terms.js';
import type { Problem, Provisional } from '../model/problem.js';
import type { SubtaskGraph } from '../model/subtasks.js';

export const PLAN_VERSION = 1;

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
  /** A group of atomic tasks (one for an unclustered stage). */
  readonly tasks?: readonly string[];
  /** Ids of the sub-tasks whose output this one reads. */
  readonly after: readonly string[];
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

export function buildPlan(
  problem: Problem,
  scored: ScoredCandidate,
  meta: { planner: string; planningMs: number; bound: LowerBound },
): Plan {
  const { graph, schedule, terms } = scored;
  const P = problem.pools.count;
  const stages = problem.definition.stages;
  const provisionalStages = new Set(problem.provisional.map((p) => p.stage));
  const ids = subtaskIds(problem, graph);
  const usage = problem.resources.pools.map((pool) => ({ id: pool.id, region: pool.region, slots: pool.slots, subtasks: 0, busyS: 0, costUsd: 0 }));
  const subtasks: PlanSubtask[] = [];
  for (let s = 0; s < graph.nodeCount; s++) {
    const p = schedule.pool[s]!;
    const busyS = schedule.finishS[s]! - schedule.startS[s]!;
    const costUsd = busyS * problem.pools.priceUsdPerSlotS[p]!;
    const pool = usage[p]!;
    pool.subtasks++;
    pool.busyS += busyS;
    pool.costUsd += costUsd;
    const first = graph.partition.memberStart[s]!;
    const last = graph.partition.memberStart[s + 1]!;
    const members = Array.from(graph.partition.members.subarray(first, last));
    const after: string[] = [];
    for (let e = graph.predStart[s]!; e < graph.predStart[s + 1]!; e++) after.push(ids[graph.predIndex[e]!]!);
    const base = {
      id: ids[s]!,
      op: stages[members[0]!]!.op,
      pool: problem.pools.ids[p]!,
      slot: schedule.slot[s]!,
      startS: schedule.startS[s]!,
      finishS: schedule.finishS[s]!,
      runtimeS: graph.runtimeS[s * P + p]!,
      costUsd,
    };
    const provisional = members.some((v) => provisionalStages.has(stages[v]!.id)) ? ({ provisional: true } as const) : {};
    const unitCount = graph.partition.unitCount[s]!;
    if (unitCount > 0) {
      const stage = stages[members[0]!]!;
      const start = graph.partition.unitStart[s]!;
      subtasks.push({ ...base, stage: stage.id, items: [start, start + unitCount], unit: stage.kind === 'divisible' ? stage.unitName : 'items', after, ...provisional });
    } else {
      subtasks.push({ ...base, tasks: members.map((v) => stages[v]!.id), after, ...provisional });
    }
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
  };
}
