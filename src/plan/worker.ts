/**
 * `createPlannerWorker()`: a planner session in its own worker thread, driven through
 * comlink. The host sends plain inputs (task definition, resource map, options) and gets the
 * Plan document back; progress events arrive while the worker plans; an AbortSignal given
 * to `plan()` stops the worker's search, which then returns its best plan so far.
 */
import { Worker } from 'node:worker_threads';
import { proxy, releaseProxy, wrap, type Remote } from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { ProblemOptions } from '../model/problem.js';
import type { ResourceMap, TaskDefinition } from '../model/types.js';
import type { Plan } from './plan.js';
import type { SearchProgress } from '../search/improve.js';
import type { CreatePlannerOptions } from './planner.js';
import type { PlanRequest } from '../engine/engine.js';

export interface PlanInputs {
  readonly definition: TaskDefinition;
  readonly resources: ResourceMap;
  readonly problemOptions?: ProblemOptions;
}

/** What crosses the thread boundary: structured-cloneable values only (no functions, no signals). */
export type WorkerPlanRequest = Omit<PlanRequest, 'signal' | 'onProgress' | 'clockMs' | 'extend'>;

export interface WorkerPlanResult {
  readonly plan: Plan;
  readonly gap: number;
  readonly notes: readonly string[];
}

export interface WorkerApi {
  plan(id: number, inputs: PlanInputs, request: WorkerPlanRequest, onProgress?: (progress: SearchProgress) => void): Promise<WorkerPlanResult>;
  abort(id: number): void;
  close(): Promise<void>;
}

export interface PlannerWorker {
  plan(inputs: PlanInputs, request?: WorkerPlanRequest & { signal?: AbortSignal; onProgress?: (progress: SearchProgress) => void }): Promise<WorkerPlanResult>;
  close(): Promise<void>;
}

export function createPlannerWorker(options: CreatePlannerOptions = {}): PlannerWorker {
  // Under tsx the sources are .ts; from dist they are .js. On Node 20 a worker does not get
  // the parent's `--import tsx`, so from sources the entry script registers tsx first.
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const entry = new URL(`./worker-entry${extension}`, import.meta.url);
  const bootstrap =
    extension === '.ts'
      ? `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`
      : `import(${JSON.stringify(entry.href)});`;
  const worker = new Worker(bootstrap, { eval: true, workerData: options });
  const remote: Remote<WorkerApi> = wrap<WorkerApi>(nodeEndpoint(worker as unknown as Parameters<typeof nodeEndpoint>[0]));
  let nextId = 0;
  return {
    async plan(inputs, request = {}) {
      const id = nextId++;
      const { signal, onProgress, ...plain } = request;
      if (signal?.aborted === true) throw signal.reason;
      const onAbort = (): void => void remote.abort(id);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        return await remote.plan(id, inputs, plain, onProgress === undefined ? undefined : proxy(onProgress));
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
    async close() {
      await remote.close();
      remote[releaseProxy]();
      await worker.terminate();
    },
  };
}
