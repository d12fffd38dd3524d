/**
 * The planner session inside a worker thread (see `createPlannerWorker`). It owns a
 * `createPlanner()` instance and plans from plain inputs, so the host's event loop is
 * never blocked by planning; progress callbacks travel back through comlink proxies.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { expose } from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { assembleProblem } from '../model/problem.js';
import { createPlanner, type CreatePlannerOptions } from './planner.js';
import type { WorkerApi } from './worker.js';

if (parentPort === null) throw new Error('worker-entry.ts must run in a worker thread');

const planner = await createPlanner(workerData as CreatePlannerOptions);
const running = new Map<number, AbortController>();

const api: WorkerApi = {
  async plan(id, inputs, request, onProgress) {
    const controller = new AbortController();
    running.set(id, controller);
    try {
      const problem = assembleProblem(inputs.definition, inputs.resources, inputs.problemOptions ?? {});
      const outcome = await planner.plan(problem, {
        ...request,
        signal: controller.signal,
        ...(onProgress === undefined ? {} : { onProgress: (progress) => void onProgress(progress) }),
      });
      return { plan: outcome.plan, gap: outcome.gap, notes: outcome.notes };
    } finally {
      running.delete(id);
    }
  },
  abort(id) {
    running.get(id)?.abort();
  },
  async close() {
    for (const controller of running.values()) controller.abort();
    await planner.close();
  },
};

expose(api, nodeEndpoint(parentPort as unknown as Parameters<typeof nodeEndpoint>[0]));
