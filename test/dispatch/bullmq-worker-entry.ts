/**
 * A bullmq worker process for the tests and the benchmark: `node --import tsx bullmq-worker-entry.ts '<json options>'`.
 * Prints "ready <host:pid>" on stdout once it takes jobs; SIGTERM/SIGINT close it gracefully
 * (a second SIGTERM stops the running attempts).
 */
import { runWorker, type RunWorkerOptions } from '../../src/dispatch/bullmq/worker.js';

const options = JSON.parse(process.argv[2] ?? '{}') as Omit<RunWorkerOptions, 'signal' | 'killSignal' | 'onReady' | 'onWarning'>;
const stop = new AbortController();
const kill = new AbortController();
const onSignal = (): void => (stop.signal.aborted ? kill.abort() : stop.abort());
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
try {
  const summary = await runWorker({
    ...options,
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
