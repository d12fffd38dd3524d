/** Handlers the bullmq tests and benchmark run in worker processes. */
import type { DispatchJob, HandlerContext } from '../../src/dispatch/backend.js';

/** Does nothing: the benchmark's job. */
export function noop(): void {}

/** Returns what it was given, to see values cross Redis. */
export function echo(job: DispatchJob, context: HandlerContext): unknown {
  return { subtask: job.subtask, attempt: context.attempt, inputs: context.inputs.length };
}

/** Waits until aborted or 30 s: a job that is still running when the test kills something. */
export function hang(_job: DispatchJob, context: HandlerContext): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve('woke'), 30_000);
    context.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    }, { once: true });
  });
}
