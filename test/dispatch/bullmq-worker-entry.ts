/**
 * A bullmq worker process for the tests and the benchmark: `node --import tsx bullmq-worker-entry.ts '<json options>'`.
 * `trivialExecute: true` in the options replaces executeJob by an attempt that does nothing.
 * Prints "ready <host:pid>" on stdout once it takes jobs; SIGTERM/SIGINT close it gracefully
 * (a second SIGTERM stops the running attempts).
 */
import { runWorker, type RunWorkerOptions } from '../../src/dispatch/bullmq/worker.js';

const { trivialExecute, ...options } = JSON.parse(process.argv[2] ?? '{}') as Omit<RunWorkerOptions, 'signal' | 'killSignal' | 'onReady' | 'onWarning' | 'execute'> & { trivialExecute?: boolean };
const stop = new AbortController();
const kill = new AbortController();
const onSignal = (): void => (stop.signal.aborted ? kill.abort() : stop.abort());
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
// Started with an IPC channel by the tests: a parent that dies (a test run killed) takes its workers along.
process.on('disconnect', () => {
  stop.abort();
  kill.abort();
  setTimeout(() => process.exit(1), 2000).unref();
});
try {
  const summary = await runWorker({
    ...options,
    // The benchmark's "queue path alone": an attempt that does nothing, not even its staging directory.
    ...(trivialExecute === true ? { execute: async (_job, { nowS }) => ({ outcome: 'succeeded' as const, startedS: nowS(), finishedS: nowS() }) } : {}),
    signal: stop.signal,
    killSignal: kill.signal,
    onReady: ({ worker }) => process.stdout.write(`ready ${worker}\n`),
    onWarning: (message) => process.stderr.write(`${message}\n`),
  });
  process.stdout.write(`closed ${summary.jobs}\n`);
  process.exit(0);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}
