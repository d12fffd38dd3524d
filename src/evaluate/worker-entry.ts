/**
 * One evaluation worker (evaluate.ts): given the workloads, resource map and traces once, it
 * runs the cases it is sent with the built-in policies, one at a time, and posts each result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runOne, type WorkerSetup } from './evaluate.js';
import { policyById } from './policies.js';
import type { EvaluationCase } from './types.js';

if (parentPort === null) throw new Error('evaluate/worker-entry.ts must run in a worker thread');
const port = parentPort;
const setup = workerData as WorkerSetup;

port.on('message', (message: { index: number; case: EvaluationCase }) => {
  void runOne(setup, policyById(message.case.policy), message.case).then((result) => port.postMessage({ index: message.index, result }));
});
