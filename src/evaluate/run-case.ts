/**
 * One case of an evaluation: a policy prepares its plan from what it may see of the trace, the
 * dispatcher runs it on the sim backend under the trace from the case's offset on, and the run
 * is charged by one rule for every policy.
 *
 * The sim: each pool with a trace series replays it (shifted so the job starts at the offset)
 * with a hazard of 0, since the trace's drops are the interruptions (a drop below the running
 * count interrupts the most recently started attempts); a pool without a series keeps its
 * declared hazard and capacity steps. Durations are the planned runtimes (the jobs' replay
 * steps), optionally spread by a seeded lognormal factor (`spreadSigma`). No journal, no files:
 * the sim writes nothing, so the run directory is a name only.
 *
 * The charge:
 *   compute  every attempt's slot time × its pool's declared price (committed or not:
 *            interrupted, failed and cancelled replicas are paid for too);
 *   egress   the cost model's egress for where each sub-task finally committed (the plan's
 *            graph and order with the actual allocation, scored by src/cost/evaluate.ts);
 *   slot-hours, and of them the wasted ones (attempts that did not commit).
 * Compute and slot-hours are the dispatcher's own per-pool usage (`RunReport.usage`).
 * A policy's failure (it throws, or its plan cannot run) is a case with status 'error' and the
 * message: one bad policy does not stop an evaluation.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateCandidate } from '../cost/evaluate.js';
import { DEFAULT_REPLAN, dispatch, type DispatchOptions, type RunReport } from '../dispatch/dispatcher.js';
import { buildJob } from '../dispatch/jobs.js';
import type { PoolUsage } from '../dispatch/recovery.js';
import { createSimBackend, lognormalDurations, replayDurations } from '../dispatch/sim/index.js';
import type { ResourceMap, TaskDefinition } from '../model/types.js';
import type { Policy, PreparedRun } from './policy.js';
import { traceBefore, traceFrom } from './traces.js';
import type { AvailabilityTrace, CaseResult, EvaluationCase } from './types.js';

export interface RunCaseRequest {
  readonly policy: Policy;
  readonly case: EvaluationCase;
  readonly definition: TaskDefinition;
  readonly resources: ResourceMap;
  readonly trace: AvailabilityTrace;
  /** Log-spread of the runtimes around the plan's (0: exactly the planned runtimes). Default 0. */
  readonly spreadSigma?: number;
}

/** The dispatcher hooks a policy may set, passed through whether or not this dispatcher knows them yet. */
type DispatchHooks = Pick<PreparedRun, 'recovery' | 'replicas' | 'choosePool'>;

export async function runCase(request: RunCaseRequest): Promise<CaseResult> {
  const c = request.case;
  const deadlineS = request.definition.deadlineS ?? null;
  try {
    const startAtS = (request.trace.startS ?? 0) + c.offsetS;
    const prepared = await request.policy.prepare({ definition: request.definition, resources: request.resources, history: traceBefore(request.trace, c.offsetS), startAtS, seed: c.seed });
    return await runPrepared(request, prepared, startAtS, deadlineS);
  } catch (error) {
    return { ...c, status: 'error', costUsd: 0, makespanS: 0, deadlineS, deadlineMet: deadlineS === null ? null : false, slotHours: 0, wastedSlotHours: 0, attempts: 0, replans: 0, moves: 0, error: error instanceof Error ? error.message : String(error) };
  }
}

async function runPrepared(request: RunCaseRequest, prepared: PreparedRun, startAtS: number, deadlineS: number | null): Promise<CaseResult> {
  const c = request.case;
  const { problem, plan, scored } = prepared;
  const pools = problem.resources.pools;
  const replayed = traceFrom(request.trace, c.offsetS);
  const availability = new Map([...replayed].filter(([pool]) => pools.some((p) => p.id === pool)));
  const sigma = request.spreadSigma ?? 0;
  const backend = createSimBackend({
    seed: c.seed,
    durations: sigma > 0 ? lognormalDurations(sigma, replayDurations) : 'replay',
    pools: pools.map((p) => ({ id: p.id, interruptionPerHour: availability.has(p.id) ? 0 : p.interruptionPerHour, capacity: p.capacity })),
    availability,
  });
  const runId = `eval-${c.policy}-${c.workload}-${c.trace}-${c.offsetS}-${c.seed}`;
  const runDir = join(tmpdir(), 'apportion-evaluate-sim', runId); // never created: the sim writes no files
  const jobSettings = { runId, runDir, definitionDir: runDir, replay: { timeScale: 1 } };
  const hooks: DispatchHooks = {
    ...(prepared.recovery === undefined ? {} : { recovery: prepared.recovery }),
    ...(prepared.replicas === undefined ? {} : { replicas: prepared.replicas }),
    ...(prepared.choosePool === undefined ? {} : { choosePool: prepared.choosePool }),
  };
  const options: DispatchOptions = {
    runId,
    runDir,
    problem,
    plan,
    scored,
    backend,
    jobs: (r) => buildJob(problem, jobSettings, { subtask: plan.subtasks[r.subtask]!, attempt: r.attempt, pool: r.pool, inputs: r.inputs, runtimeS: r.runtimeS }),
    replan: prepared.replan ?? DEFAULT_REPLAN,
    timeScale: 1,
    startedAtMs: startAtS * 1000,
    ...(prepared.forecast === undefined ? {} : { forecast: prepared.forecast }),
    ...hooks,
  };
  let report: RunReport & { usage?: readonly PoolUsage[] };
  try {
    report = await dispatch(options);
  } finally {
    await backend.close();
  }
  if (report.usage === undefined) throw new Error('internal: the dispatcher reported no usage');
  const usage = report.usage;
  let busySlotS = 0;
  let wastedSlotS = 0;
  let computeUsd = 0;
  for (const u of usage) {
    busySlotS += u.busySlotS;
    wastedSlotS += u.wastedSlotS;
    computeUsd += u.computeUsd;
  }
  const egressUsd = egressOfPlacement(prepared, report);
  const status = report.status === 'succeeded' ? 'succeeded' : 'failed';
  return {
    ...c,
    status,
    costUsd: computeUsd + egressUsd,
    makespanS: report.makespanS,
    deadlineS,
    deadlineMet: deadlineS === null ? null : status === 'succeeded' && report.makespanS <= deadlineS + 1e-6,
    slotHours: busySlotS / 3600,
    wastedSlotHours: wastedSlotS / 3600,
    attempts: report.attempts,
    replans: report.replans,
    moves: report.moves,
    ...(status === 'failed' ? { error: report.notCommitted.slice(0, 3).map((o) => `${o.id}: ${o.reason ?? o.state}`).join('; ') || `run ${report.status}` } : {}),
  };
}

/** The cost model's egress with each sub-task where it committed (its planned pool if it never did). */
export function egressOfPlacement(prepared: PreparedRun, report: RunReport): number {
  const { problem, plan, scored } = prepared;
  const poolIndex = new Map(problem.pools.ids.map((id, p) => [id, p]));
  const where = new Map(report.timeline.filter((o) => o.state === 'committed').map((o) => [o.id, o.pool]));
  const allocation = Int32Array.from(scored.allocation);
  plan.subtasks.forEach((subtask, s) => {
    const p = poolIndex.get(where.get(subtask.id) ?? '');
    if (p !== undefined && s < allocation.length) allocation[s] = p;
  });
  return evaluateCandidate(problem, { graph: scored.graph, allocation, order: scored.order, variant: 'as run' }).terms.egressUsd;
}
