/** Handlers the bullmq tests and benchmark run in worker processes. */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DispatchJob, HandlerContext } from '../../src/dispatch/backend.js';

/** Does nothing: the benchmark's job. */
export function noop(): void {}

/** Returns what it was given, to see values cross Redis. */
export function echo(job: DispatchJob, context: HandlerContext): unknown {
  return { subtask: job.subtask, attempt: context.attempt, inputs: context.inputs.length };
}

/**
 * Appends this process's pid to `pids` in its output directory (so a test knows which worker
 * runs it, and how often it ran), then waits until aborted or 30 s.
 */
export function hang(_job: DispatchJob, context: HandlerContext): Promise<string> {
  appendFileSync(join(context.outputDir, 'pids'), `${process.pid}\n`);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve('woke'), 30_000);
    context.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    }, { once: true });
  });
}
