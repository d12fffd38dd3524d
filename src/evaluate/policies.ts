/**
 * The built-in policies of `apportion evaluate` (issue 11, section 1), each a `Policy`
 * (policy.ts): how it plans, and which of the dispatcher's reaction rules it runs with.
 *
 *   apportion         the predictor fitted on the trace before the start (available slots at
 *                     a 300 s step; hazard from its drops), priced at the start's hour of week;
 *                     the constructive planner on that; the cost-model rule; re-plan on drift,
 *                     the forecast's bands watched online.
 *   apportion-static  the same planner on declared capacity; cost-model rule; re-plan on drift.
 *   retry-in-place    HEFT on declared capacity; a lost attempt runs again on its own pool; no re-plan.
 *   failover          HEFT; an interrupted sub-task moves to the next pool of a fixed order
 *                     (regions in map order, pools by price within a region); no re-plan.
 *   replicas-2/-3     HEFT; every sub-task runs as k replicas on k pools that differ in
 *                     interruptibility (one non-interruptible where one can run it); first wins.
 *   uniform-progress  Can't Be Late (NSDI'24): HEFT's partition; each ready sub-task goes to an
 *                     interruptible pool while the committed work is ahead of the line
 *                     t / deadline, to a non-interruptible one when behind, and to a
 *                     non-interruptible one whenever the remaining work at their speed would not
 *                     fit before the deadline.
 *   on-demand-only    HEFT on the non-interruptible pools only (declared rate 0); cost-model rule.
 *   spot-only         HEFT on the interruptible pools only; cost-model rule.
 * "Interruptible" is the declared `interruptionPerHour > 0` (spot, preemptible); the rest
 * (on-demand, on-prem) is what the reactive schemes fall back to.
 */
import { DEFAULT_REPLAN } from '../dispatch/dispatcher.js';
import type { PoolChoice, ProgressView, ReplicaRule } from '../dispatch/recovery.js';
import { predictAvailability, type PoolTelemetryInput } from '../forecast/predict.js';
import { priceMap } from '../forecast/priced.js';
import { InputError, nearestName } from '../model/issues.js';
import type { ObjectiveKind } from '../model/objective.js';
import { assembleProblem, type Problem } from '../model/problem.js';
import type { Availability } from '../model/availability.js';
import type { Pool, ResourceMap } from '../model/types.js';
import { planConstructive } from '../plan/planner.js';
import type { PlannerId } from '../planners/planner.js';
import type { CaseContext, Policy, PreparedRun } from './policy.js';
import { seriesOfPoints } from './traces.js';

/** Step of the series the predictor is fitted on (the trace's change points resampled). */
export const HISTORY_STEP_S = 300;
/** Less history than this and `apportion` plans on declared capacity (nothing to fit). */
export const MIN_HISTORY_S = 6 * 3600;
/** How far ahead the predictor forecasts; beyond, the map's last bucket holds (priced.ts). */
export const FORECAST_HORIZON_S = 2 * 86_400;

export function isInterruptible(pool: Pool): boolean {
  return pool.interruptionPerHour > 0;
}

/** The resource map with only the pools `keep` accepts (regions and links kept: data homes stay valid). */
export function restrictPools(resources: ResourceMap, keep: (pool: Pool) => boolean, what: string): ResourceMap {
  const pools = resources.pools.filter(keep);
  if (pools.length === 0) throw new Error(`the resource map has no ${what} pool`);
  return { ...resources, pools };
}

function planOn(ctx: CaseContext, resources: ResourceMap, planner: PlannerId, availability?: Availability, objective?: ObjectiveKind): PreparedRun {
  const problem = assembleProblem(ctx.definition, resources, { ...(availability === undefined ? {} : { availability }), ...(objective === undefined ? {} : { objective }) });
  const { plan, scored } = planConstructive(problem, { planner });
  return { problem, plan, scored };
}

/** The predictor's telemetry from the history: available slots per pool at a regular step up to the start. */
export function telemetryOf(ctx: CaseContext): PoolTelemetryInput[] {
  const out: PoolTelemetryInput[] = [];
  for (const [pool, points] of ctx.history.pools) {
    const available = seriesOfPoints(points, ctx.history.fromS, ctx.startAtS, HISTORY_STEP_S);
    if (available === undefined || available.values.length * HISTORY_STEP_S < MIN_HISTORY_S) continue;
    out.push({ pool, available, sources: ['trace before the start'] });
  }
  return out;
}

export const apportion: Policy = {
  id: 'apportion',
  description: 'forecast-aware plan (predictor fitted on the trace before the start), cost-model re-allocation, re-plan on drift',
  prepare(ctx) {
    const telemetry = telemetryOf(ctx);
    if (telemetry.length === 0) return { ...planOn(ctx, ctx.resources, 'apportion'), recovery: { kind: 'cost-model' }, replan: DEFAULT_REPLAN };
    const map = predictAvailability(ctx.resources.pools, telemetry, { horizonS: FORECAST_HORIZON_S });
    const priced = priceMap(map, ctx.resources, { startAtS: ctx.startAtS });
    return {
      ...planOn(ctx, ctx.resources, 'apportion', priced.availability),
      recovery: { kind: 'cost-model' },
      replan: DEFAULT_REPLAN,
      forecast: { bands: priced.bands, bucketS: map.bucketS },
    };
  },
};

/**
 * apportion on the forecast with the cheapest plan that meets the job's deadline (objective
 * `cost`, the deadline a hard constraint) instead of the weighted objective's price of time:
 * the setting of Can't Be Late, where only the deadline matters.
 */
export const apportionDeadline: Policy = {
  id: 'apportion-deadline',
  description: 'as apportion, planning the cheapest plan that meets the deadline (objective cost) instead of pricing time',
  prepare(ctx) {
    const telemetry = telemetryOf(ctx);
    if (telemetry.length === 0) return { ...planOn(ctx, ctx.resources, 'apportion', undefined, 'cost'), recovery: { kind: 'cost-model' }, replan: DEFAULT_REPLAN };
    const map = predictAvailability(ctx.resources.pools, telemetry, { horizonS: FORECAST_HORIZON_S });
    const priced = priceMap(map, ctx.resources, { startAtS: ctx.startAtS });
    return { ...planOn(ctx, ctx.resources, 'apportion', priced.availability, 'cost'), recovery: { kind: 'cost-model' }, replan: DEFAULT_REPLAN, forecast: { bands: priced.bands, bucketS: map.bucketS } };
  },
};

export const apportionStatic: Policy = {
  id: 'apportion-static',
  description: 'the same planner on declared capacity (no forecast), cost-model re-allocation, re-plan on drift',
  prepare: (ctx) => ({ ...planOn(ctx, ctx.resources, 'apportion'), recovery: { kind: 'cost-model' }, replan: DEFAULT_REPLAN }),
};

export const retryInPlace: Policy = {
  id: 'retry-in-place',
  description: 'HEFT on declared capacity; a lost or failed attempt runs again on its own pool (Dask, Ray); no re-plan',
  prepare: (ctx) => ({ ...planOn(ctx, ctx.resources, 'heft'), recovery: { kind: 'retry-in-place' }, replan: false }),
};

/** SkyPilot's EAGER_NEXT_REGION order: regions as the map lists them, pools by price within a region. */
export function failoverOrder(resources: ResourceMap): string[] {
  const regionRank = new Map(resources.regions.map((r, i) => [r, i]));
  return resources.pools
    .map((pool, index) => ({ pool, index }))
    .sort((a, b) => (regionRank.get(a.pool.region) ?? 0) - (regionRank.get(b.pool.region) ?? 0) || a.pool.priceUsdPerSlotHour - b.pool.priceUsdPerSlotHour || a.index - b.index)
    .map((x) => x.pool.id);
}

export const failover: Policy = {
  id: 'failover',
  description: 'HEFT; on an interruption the sub-task moves to the next pool of a fixed order (regions, then price; SkyPilot EAGER_NEXT_REGION); no re-plan',
  prepare: (ctx) => ({ ...planOn(ctx, ctx.resources, 'heft'), recovery: { kind: 'failover', order: failoverOrder(ctx.resources) }, replan: false }),
};

/**
 * The replicas' pools of each sub-task: its planned pool first, then pools of the other
 * interruptibility class (a non-interruptible one if the planned pool is interruptible), then
 * any other pool; within a class, the pools that can run it taken in turn by sub-task index so
 * replicas spread over a class rather than all queueing on its cheapest pool.
 */
export function replicaPools(problem: Problem, allocation: ArrayLike<number>, runtimeS: Float64Array, k: number): (subtask: number) => readonly number[] {
  const P = problem.pools.count;
  const interruptible = problem.resources.pools.map(isInterruptible);
  const n = allocation.length;
  const table: number[][] = [];
  for (let s = 0; s < n; s++) {
    const primary = allocation[s]!;
    const feasible = Array.from({ length: P }, (_, p) => p).filter((p) => p !== primary && Number.isFinite(runtimeS[s * P + p]!));
    const byPrice = (a: number, b: number): number => problem.resources.pools[a]!.priceUsdPerSlotHour - problem.resources.pools[b]!.priceUsdPerSlotHour || a - b;
    const other = feasible.filter((p) => interruptible[p] !== interruptible[primary]).sort(byPrice);
    const same = feasible.filter((p) => interruptible[p] === interruptible[primary]).sort(byPrice);
    const rotate = (list: number[]): number[] => (list.length === 0 ? list : [...list.slice(s % list.length), ...list.slice(0, s % list.length)]);
    table.push([primary, ...rotate(other), ...rotate(same)].slice(0, k));
  }
  return (s) => table[s] ?? [];
}

function replicasPolicy(k: number): Policy {
  return {
    id: `replicas-${k}`,
    description: `HEFT; every sub-task as ${k} replicas on pools of different interruptibility (one non-interruptible where one exists), the first to finish wins (patent 11803420); no re-plan`,
    prepare(ctx) {
      const run = planOn(ctx, ctx.resources, 'heft');
      const replicas: ReplicaRule = { k, pools: replicaPools(run.problem, run.scored.allocation, run.scored.graph.runtimeS, k) };
      return { ...run, replicas, recovery: { kind: 'cost-model' }, replan: false };
    },
  };
}

/** Without a deadline, uniform progress aims at this multiple of the planned makespan. */
export const UNIFORM_PROGRESS_DEADLINE_FACTOR = 1.5;

/**
 * Can't Be Late's uniform-progress rule as a pool choice. `deadlineS` is the job's; the safety
 * net compares the remaining work at the non-interruptible pools' total speed (slots × speed)
 * plus this sub-task's own runtime there with the time left (a bound that ignores the DAG's
 * critical path: it switches late rather than early on a deep graph).
 */
export function uniformProgressChoice(problem: Problem, allocation: ArrayLike<number>, runtimeS: Float64Array, deadlineS: number): PoolChoice {
  const P = problem.pools.count;
  const pools = problem.resources.pools;
  const safe = pools.map((p) => !isInterruptible(p));
  const safeRate = pools.reduce((sum, p, i) => sum + (safe[i] ? p.slots * p.speed : 0), 0);
  const bestIn = (s: number, wantSafe: boolean): number | undefined => {
    const planned = allocation[s]!;
    if (safe[planned] === wantSafe) return planned;
    let best: number | undefined;
    let bestCost = Infinity;
    for (let p = 0; p < P; p++) {
      const r = runtimeS[s * P + p]!;
      if (safe[p] !== wantSafe || !Number.isFinite(r)) continue;
      const cost = r * pools[p]!.priceUsdPerSlotHour + r * 1e-9; // cheapest, then fastest
      if (cost < bestCost) {
        bestCost = cost;
        best = p;
      }
    }
    return best;
  };
  return (s: number, progress: ProgressView): number | undefined => {
    const safePool = bestIn(s, true);
    const spotPool = bestIn(s, false);
    if (safePool === undefined) return spotPool;
    if (spotPool === undefined) return safePool;
    const leftS = deadlineS - progress.nowS;
    const remainingWorkS = Math.max(0, progress.totalWorkS - progress.committedWorkS);
    const onSafeS = (safeRate > 0 ? remainingWorkS / safeRate : Infinity) + runtimeS[s * P + safePool]!;
    if (onSafeS >= leftS) return safePool; // the safety net
    const done = progress.totalWorkS > 0 ? progress.committedWorkS / progress.totalWorkS : 1;
    return done >= progress.nowS / deadlineS ? spotPool : safePool;
  };
}

export const uniformProgress: Policy = {
  id: 'uniform-progress',
  description: "Can't Be Late: interruptible pools while ahead of the uniform progress line, non-interruptible when behind or when the rest would not fit before the deadline",
  prepare(ctx) {
    const run = planOn(ctx, ctx.resources, 'heft');
    const deadlineS = run.problem.deadlineS ?? run.plan.summary.makespanS * UNIFORM_PROGRESS_DEADLINE_FACTOR;
    return { ...run, choosePool: uniformProgressChoice(run.problem, run.scored.allocation, run.scored.graph.runtimeS, deadlineS), recovery: { kind: 'cost-model' }, replan: false };
  },
};

export const onDemandOnly: Policy = {
  id: 'on-demand-only',
  description: 'HEFT on the non-interruptible pools only (the cost ceiling)',
  prepare: (ctx) => ({ ...planOn(ctx, restrictPools(ctx.resources, (p) => !isInterruptible(p), 'non-interruptible'), 'heft'), recovery: { kind: 'cost-model' }, replan: false }),
};

export const spotOnly: Policy = {
  id: 'spot-only',
  description: 'HEFT on the interruptible pools only (the risk floor); lost work re-allocated among them',
  prepare: (ctx) => ({ ...planOn(ctx, restrictPools(ctx.resources, isInterruptible, 'interruptible'), 'heft'), recovery: { kind: 'cost-model' }, replan: false }),
};

/** Every built-in policy, in the order reports list them. */
export const POLICIES: readonly Policy[] = [apportion, apportionDeadline, apportionStatic, retryInPlace, failover, replicasPolicy(2), replicasPolicy(3), uniformProgress, onDemandOnly, spotOnly];

export const POLICY_IDS: readonly string[] = POLICIES.map((p) => p.id);

/** The built-in policy with this id; an unknown id is an InputError at `path` with the nearest id. */
export function policyById(id: string, path: readonly (string | number)[] = ['policies']): Policy {
  const policy = POLICIES.find((p) => p.id === id);
  if (policy !== undefined) return policy;
  const near = nearestName(id, POLICY_IDS);
  throw new InputError('evaluate', [{ code: 'invalid_value', path, message: `unknown policy "${id}"${near === undefined ? '' : ` (did you mean "${near}"?)`}; the policies are ${POLICY_IDS.join(', ')}`, expected: 'a policy id', received: id }]);
}
