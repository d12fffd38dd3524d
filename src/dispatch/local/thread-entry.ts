/**
 * A worker thread of the local backend: runs handler and replay steps, many at once (async
 * handlers overlap), and reports results in one message per tick.
 *
 * The hot path — one handler step whose module is already loaded — calls the handler
 * synchronously with a context whose signal and output directory are made only when the
 * handler reads them, so a no-op handler costs a few microseconds here. Everything else goes
 * through `runStep` of execute.ts.
 */
import { mkdirSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { DispatchJob, Handler, HandlerContext, JobInput } from '../backend.js';
import { cachedHandler, encodeInlineValue, errorMessage, isThenable, measureBytes, runStep, type StepOutcome } from '../execute.js';
import { RESULT_ABORTED, RESULT_FAILED, RESULT_OK, type FromThread, type RunRequest, type RunResult, type ToThread } from './protocol.js';

if (parentPort === null) throw new Error('thread-entry must run in a worker thread');
const port = parentPort;

/** One attempt's segment in this thread; it is its handler's context too. */
class Attempt implements HandlerContext {
  private controller: AbortController | undefined;
  private dirMade = false;
  done = false;
  /** Present only for a chunk (exactOptionalPropertyTypes: no `items: undefined`). */
  declare readonly items?: readonly [number, number];

  constructor(
    readonly id: number,
    readonly job: DispatchJob,
  ) {
    if (job.items !== undefined) (this as { items?: readonly [number, number] }).items = job.items;
  }

  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    return this.controller.signal;
  }

  get inputs(): readonly JobInput[] {
    return this.job.inputs;
  }

  get attempt(): number {
    return this.job.attempt;
  }

  /** Created on first read: most handlers write no file (the dispatcher treats a missing staging dir as "no files"). */
  get outputDir(): string {
    if (!this.dirMade) {
      mkdirSync(this.job.stagingDir, { recursive: true });
      this.dirMade = true;
    }
    return this.job.stagingDir;
  }

  get dirCreated(): boolean {
    return this.dirMade;
  }

  progress(): void {
    // The Backend contract carries no progress events yet; accepted and dropped.
  }

  abort(): void {
    this.controller?.abort('cancelled');
  }
}

const pending = new Map<number, Attempt>();
let outbox: RunResult[] = [];
let flushScheduled = false;

function flush(): void {
  flushScheduled = false;
  const results = outbox;
  outbox = [];
  const message: FromThread = { results };
  port.postMessage(message);
}

function send(result: RunResult): void {
  outbox.push(result);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

function finish(attempt: Attempt, outcome: StepOutcome): void {
  if (attempt.done) return;
  attempt.done = true;
  pending.delete(attempt.id);
  if (outcome.kind === 'aborted') return send([attempt.id, RESULT_ABORTED, undefined, undefined]);
  if (outcome.kind === 'failed') return send([attempt.id, RESULT_FAILED, outcome.error, undefined]);
  const encoded = encodeInlineValue(outcome.value);
  if ('error' in encoded) return send([attempt.id, RESULT_FAILED, encoded.error, undefined]);
  if (!attempt.dirCreated) return send([attempt.id, RESULT_OK, encoded.json, undefined]);
  // -1: files were written but not counted (too many entries); the backend must still commit them.
  void measureBytes(attempt.job.stagingDir).then((bytes) => send([attempt.id, RESULT_OK, encoded.json, bytes ?? -1]));
}

function start([id, job, from, to]: RunRequest): void {
  const attempt = new Attempt(id, job);
  const step = job.steps[from];
  if (to - from === 1 && step !== undefined && step.run.kind === 'module') {
    const handler = cachedHandler(step.run.module, step.run.export);
    if (handler !== undefined) return callHandler(attempt, handler);
  }
  pending.set(id, attempt);
  void runSteps(attempt, from, to);
}

function callHandler(attempt: Attempt, handler: Handler): void {
  let result: unknown;
  try {
    result = handler(attempt.job, attempt);
  } catch (error) {
    return finish(attempt, { kind: 'failed', error: errorMessage(error) });
  }
  if (!isThenable(result)) return finish(attempt, { kind: 'ok', value: result });
  pending.set(attempt.id, attempt);
  result.then(
    (value) => finish(attempt, { kind: 'ok', value }),
    (error: unknown) => finish(attempt, { kind: 'failed', error: errorMessage(error) }),
  );
}

async function runSteps(attempt: Attempt, from: number, to: number): Promise<void> {
  let outcome: StepOutcome = { kind: 'ok' };
  try {
    for (let i = from; i < to && !attempt.done; i++) {
      outcome = await runStep(attempt.job, attempt.job.steps[i]!, attempt.signal, attempt);
      if (outcome.kind !== 'ok') break;
    }
  } catch (error) {
    outcome = { kind: 'failed', error: errorMessage(error) };
  }
  finish(attempt, outcome);
}

port.on('message', (message: ToThread) => {
  // Runs first: an abort may name an attempt sent in this same message.
  if (message.run !== undefined) for (const request of message.run) start(request);
  if (message.abort !== undefined) {
    for (const id of message.abort) {
      const attempt = pending.get(id);
      if (attempt === undefined) continue;
      // Reported at once, even when the handler ignores its signal: the backend must not wait on it.
      attempt.abort();
      finish(attempt, { kind: 'aborted' });
    }
  }
});

const ready: FromThread = { ready: true };
port.postMessage(ready);
