/**
 * `evaluate()`: the cross product policies × workloads × traces × offsets × seeds, each case
 * run on the sim backend (run-case.ts), in parallel on worker threads, summarised per policy.
 *
 * Deterministic: every case depends only on its own inputs and seed (the sim and the policies
 * draw from seeded streams), results are sorted by case (policy, workload, trace, offset, seed,
 * in the order given) whichever worker ran them, and the bootstrap draws from `seed`. So the
 * same request gives the same numbers with 1 worker or 8.
 *
 * Built-in policies (given by id) run on the workers; a `Policy` object (functions do not cross
 * threads) runs on the calling thread, alongside.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InputError, type InputIssue } from '../model/issues.js';
import type { ResourceMap, TaskDefinition } from '../model/types.js';
import { seededRandom } from '../util/random.js';
import { policyById } from './policies.js';
import type { Policy } from './policy.js';
import { runCase } from './run-case.js';
import { checkTraces } from './traces.js';
import type { AvailabilityTrace, CaseResult, EvaluationCase, EvaluationResult, PolicySummary } from './types.js';

export interface EvaluationWorkload {
  readonly id: string;
  readonly definition: TaskDefinition;
}

export interface EvaluateRequest {
  /** Built-in ids (policies.ts POLICY_IDS) or your own `Policy` objects. */
  readonly policies: readonly (string | Policy)[];
  readonly workloads: readonly EvaluationWorkload[];
  readonly resources: ResourceMap;
  readonly traces: readonly AvailabilityTrace[];
  /** Start offsets into every trace (s). */
  readonly offsetsS: readonly number[];
  /** The case seeds: a count N (seeds 1..N) or the seeds themselves. */
  readonly seeds: number | readonly number[];
  /** Seed of the bootstrap (and the result's `seed`); default 1. */
  readonly seed?: number;
  /** Worker threads; default the cores available, capped by the cases; 1 runs everything on this thread. */
  readonly parallel?: number;
  /** Log-spread of runtimes around the plan's (run-case.ts); default 0. */
  readonly spreadSigma?: number;
  readonly onProgress?: (done: number, total: number, last: CaseResult) => void;
}

/** What a worker is given once. */
export interface WorkerSetup {
  readonly workloads: readonly EvaluationWorkload[];
  readonly resources: ResourceMap;
  readonly traces: readonly AvailabilityTrace[];
  readonly spreadSigma: number;
}

export const BOOTSTRAP_RESAMPLES = 1000;
/** Floors of the geometric means (a free on-prem run costs 0 USD; log 0 has no mean). */
export const GEOMEAN_FLOOR = { costUsd: 1e-4, makespanS: 1, slotHours: 1e-4 } as const;

export async function evaluate(request: EvaluateRequest): Promise<EvaluationResult> {
  const issues: InputIssue[] = [];
  const policies = resolvePolicies(request.policies, issues);
  const seeds = checkRequest(request, issues);
  if (issues.length > 0) throw new InputError('evaluate', issues);
  checkTraces(request.traces, request.resources);
  const cases: EvaluationCase[] = [];
  for (const policy of policies) for (const w of request.workloads) for (const t of request.traces) for (const offsetS of request.offsetsS) for (const seed of seeds) cases.push({ policy: policy.id, workload: w.id, trace: t.id, offsetS, seed });
  const results: CaseResult[] = new Array(cases.length);
  let done = 0;
  const finish = (index: number, result: CaseResult): void => {
    results[index] = result;
    done++;
    request.onProgress?.(done, cases.length, result);
  };
  const setup: WorkerSetup = { workloads: request.workloads, resources: request.resources, traces: request.traces, spreadSigma: request.spreadSigma ?? 0 };
  const builtIn = new Set(policies.filter((p) => typeof request.policies.find((q) => (typeof q === 'string' ? q : q.id) === p.id) === 'string').map((p) => p.id));
  const onWorkers: number[] = [];
  const here: number[] = [];
  cases.forEach((c, i) => (builtIn.has(c.policy) ? onWorkers : here).push(i));
  const workers = Math.max(0, Math.min(request.parallel ?? availableParallelism(), onWorkers.length));
  const byId = new Map(policies.map((p) => [p.id, p]));
  const runHere = async (indices: readonly number[]): Promise<void> => {
    for (const i of indices) finish(i, await runOne(setup, byId.get(cases[i]!.policy)!, cases[i]!));
  };
  if (workers <= 1) await runHere([...onWorkers, ...here]);
  else await Promise.all([runOnWorkers(setup, cases, onWorkers, workers, finish), runHere(here)]);
  return {
    kind: 'apportion.evaluation',
    version: 1,
    seed: request.seed ?? 1,
    policies: policies.map((p) => summarise(p.id, results.filter((r) => r.policy === p.id), request.seed ?? 1)),
    cases: results,
    workloads: request.workloads.map((w) => w.id),
    traces: request.traces.map((t) => ({ id: t.id, source: t.source })),
  };
}

/** One case from the setup (what a worker does per message). */
export function runOne(setup: WorkerSetup, policy: Policy, c: EvaluationCase): Promise<CaseResult> {
  const workload = setup.workloads.find((w) => w.id === c.workload)!;
  const trace = setup.traces.find((t) => t.id === c.trace)!;
  return runCase({ policy, case: c, definition: workload.definition, resources: setup.resources, trace, spreadSigma: setup.spreadSigma });
}

function resolvePolicies(given: readonly (string | Policy)[], issues: InputIssue[]): Policy[] {
  const out: Policy[] = [];
  const seen = new Set<string>();
  given.forEach((p, i) => {
    let policy: Policy;
    try {
      policy = typeof p === 'string' ? policyById(p, ['policies', i]) : p;
    } catch (error) {
      if (error instanceof InputError) issues.push(...error.issues);
      return;
    }
    if (seen.has(policy.id)) issues.push({ code: 'duplicate_id', path: ['policies', i], message: `policy "${policy.id}" is listed twice`, expected: 'each policy once', received: policy.id });
    seen.add(policy.id);
    out.push(policy);
  });
  if (given.length === 0) issues.push({ code: 'missing_field', path: ['policies'], message: 'no policy to evaluate', expected: 'at least one policy', received: 'none' });
  return out;
}

function checkRequest(request: EvaluateRequest, issues: InputIssue[]): number[] {
  const seen = new Set<string>();
  request.workloads.forEach((w, i) => {
    if (seen.has(w.id)) issues.push({ code: 'duplicate_id', path: ['workloads', i, 'id'], message: `workload id "${w.id}" repeats`, expected: 'unique workload ids', received: w.id });
    seen.add(w.id);
  });
  if (request.workloads.length === 0) issues.push({ code: 'missing_field', path: ['workloads'], message: 'no workload to evaluate', expected: 'at least one workload', received: 'none' });
  if (request.traces.length === 0) issues.push({ code: 'missing_field', path: ['traces'], message: 'no availability trace', expected: 'at least one trace', received: 'none' });
  if (request.offsetsS.length === 0) issues.push({ code: 'missing_field', path: ['offsetsS'], message: 'no start offset', expected: 'at least one offset (0: the trace start)', received: 'none' });
  request.offsetsS.forEach((o, i) => {
    if (!(Number.isFinite(o) && o >= 0)) issues.push({ code: 'invalid_number', path: ['offsetsS', i], message: `offset ${o} is not a finite number of seconds ≥ 0`, expected: 'a number ≥ 0', received: String(o) });
  });
  let seeds: number[] = [];
  if (typeof request.seeds === 'number') {
    if (!(Number.isInteger(request.seeds) && request.seeds >= 1 && request.seeds <= 10_000)) issues.push({ code: 'invalid_number', path: ['seeds'], message: `seeds ${request.seeds} is not a whole number in 1..10000`, expected: 'a count of seeds', received: String(request.seeds) });
    else seeds = Array.from({ length: request.seeds }, (_, i) => i + 1);
  } else {
    seeds = [...request.seeds];
    seeds.forEach((s, i) => {
      if (!Number.isInteger(s)) issues.push({ code: 'invalid_number', path: ['seeds', i], message: `seed ${s} is not a whole number`, expected: 'an integer', received: String(s) });
    });
    if (seeds.length === 0) issues.push({ code: 'missing_field', path: ['seeds'], message: 'no seed', expected: 'at least one seed', received: 'none' });
  }
  if (request.parallel !== undefined && !(Number.isInteger(request.parallel) && request.parallel >= 1)) issues.push({ code: 'invalid_number', path: ['parallel'], message: `parallel ${request.parallel} is not a whole number ≥ 1`, expected: 'workers ≥ 1', received: String(request.parallel) });
  return seeds;
}

function runOnWorkers(setup: WorkerSetup, cases: readonly EvaluationCase[], indices: readonly number[], count: number, finish: (index: number, result: CaseResult) => void): Promise<void> {
  // Under tsx the sources are .ts; on Node 20 a worker does not inherit `--import tsx` (as plan/worker.ts).
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const entry = new URL(`./worker-entry${extension}`, import.meta.url);
  const bootstrap = extension === '.ts' ? `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });` : `import(${JSON.stringify(entry.href)});`;
  let next = 0;
  return new Promise<void>((resolve, reject) => {
    let live = count;
    let failed = false;
    const all: Worker[] = [];
    for (let w = 0; w < count; w++) {
      const worker = new Worker(bootstrap, { eval: true, workerData: setup });
      all.push(worker);
      const feed = (): void => {
        if (failed) return;
        if (next >= indices.length) {
          void worker.terminate();
          return;
        }
        const index = indices[next++]!;
        worker.postMessage({ index, case: cases[index] });
      };
      worker.on('message', (message: { ready?: true; index?: number; result?: CaseResult }) => {
        if (message.index !== undefined && message.result !== undefined) finish(message.index, message.result);
        feed();
      });
      worker.on('error', (error) => {
        // A worker that crashed (not a policy's error: runCase catches those) ends the evaluation; the others are stopped.
        failed = true;
        for (const other of all) void other.terminate();
        reject(error);
      });
      worker.on('exit', () => {
        if (--live === 0 && !failed) resolve();
      });
      feed();
    }
  });
}

/** Geometric mean of `values` floored at `floor`. */
export function geometricMean(values: readonly number[], floor: number): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const v of values) sum += Math.log(Math.max(floor, v));
  return Math.exp(sum / values.length);
}

/** 95 % percentile bootstrap interval of the geometric mean (seeded). */
export function bootstrapGeoMeanCi(values: readonly number[], floor: number, seed: number, resamples = BOOTSTRAP_RESAMPLES): [number, number] {
  if (values.length === 0) return [Number.NaN, Number.NaN];
  const random = seededRandom(seed);
  const logs = values.map((v) => Math.log(Math.max(floor, v)));
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let i = 0; i < logs.length; i++) sum += logs[Math.floor(random() * logs.length)]!;
    means[b] = sum / logs.length;
  }
  means.sort();
  const at = (q: number): number => Math.exp(means[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))]!);
  return [at(0.025), at(0.975)];
}

export function summarise(policy: string, results: readonly CaseResult[], seed: number): PolicySummary {
  const ran = results.filter((r) => r.status !== 'error');
  const withDeadline = results.filter((r) => r.deadlineMet !== null);
  const cost = ran.map((r) => r.costUsd);
  const makespan = ran.map((r) => r.makespanS);
  return {
    policy,
    cases: results.length,
    costUsd: geometricMean(cost, GEOMEAN_FLOOR.costUsd),
    makespanS: geometricMean(makespan, GEOMEAN_FLOOR.makespanS),
    slotHours: geometricMean(ran.map((r) => r.slotHours), GEOMEAN_FLOOR.slotHours),
    deadlineMet: withDeadline.length === 0 ? Number.NaN : withDeadline.filter((r) => r.deadlineMet === true).length / withDeadline.length,
    costUsdCi: bootstrapGeoMeanCi(cost, GEOMEAN_FLOOR.costUsd, seed),
    makespanSCi: bootstrapGeoMeanCi(makespan, GEOMEAN_FLOOR.makespanS, seed + 1),
    // Arithmetic: most runs waste nothing, and a geometric mean of zeros says nothing.
    wastedSlotHours: ran.length === 0 ? Number.NaN : ran.reduce((s, r) => s + r.wastedSlotHours, 0) / ran.length,
  };
}
