/**
 * The local backend's worker threads: each takes a batch of requests per tick and answers with a
 * batch of results. A thread that has to be stopped (a handler stuck in a synchronous loop) is
 * terminated and replaced; the backend hears which requests were on it.
 */
import { Worker } from 'node:worker_threads';
import type { FromThread, RunRequest, RunResult, ToThread } from './protocol.js';

/** The thread's entry module: .ts from sources (tsx), .js from dist. */
function threadBootstrap(): string {
  // On Node 20 a worker does not get the parent's `--import tsx`, so from sources the entry
  // registers tsx first (as src/plan/worker.ts does).
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const entry = new URL(`./thread-entry${extension}`, import.meta.url);
  return extension === '.ts'
    ? `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`
    : `import(${JSON.stringify(entry.href)});`;
}

let bootstrap: string | undefined;

export interface ThreadEvents {
  results(thread: HandlerThread, results: readonly RunResult[]): void;
  /** The thread is gone (crashed, exited, or terminated); `error` when it died of one. */
  exited(thread: HandlerThread, error: string | undefined): void;
}

export class HandlerThread {
  readonly worker: Worker;
  /** Requests sent and not answered: the backend's attempt ids. */
  inFlight = 0;
  dead = false;
  readonly name: string;
  private runBox: RunRequest[] = [];
  private abortBox: number[] = [];
  private error: string | undefined;
  /** Resolves when the thread has loaded its entry (tsx makes that ~0.3 s from sources, ~30 ms from dist). */
  readonly ready: Promise<void>;
  private onReady!: () => void;
  private onFailedStart!: (error: Error) => void;

  constructor(
    index: number,
    private readonly events: ThreadEvents,
  ) {
    bootstrap ??= threadBootstrap();
    this.worker = new Worker(bootstrap, { eval: true });
    this.name = `thread-${index}`;
    this.ready = new Promise<void>((resolve, reject) => {
      this.onReady = resolve;
      this.onFailedStart = reject;
    });
    // Awaited by open() only; a replacement thread is never awaited.
    this.ready.catch(() => undefined);
    this.worker.on('message', (message: FromThread) => {
      if (this.dead) return;
      if (message.ready === true) this.onReady();
      if (message.results === undefined) return;
      this.inFlight -= message.results.length;
      this.events.results(this, message.results);
    });
    this.worker.on('error', (error) => {
      this.error = error instanceof Error ? error.message : String(error);
    });
    this.worker.on('exit', (code) => {
      if (this.dead) return;
      this.dead = true;
      const error = this.error ?? (code === 0 ? undefined : `exit code ${code}`);
      this.onFailedStart(new Error(`a worker thread of the local backend ended before it was ready${error === undefined ? '' : `: ${error}`}`));
      this.events.exited(this, error);
    });
  }

  /** Queued until `flush`. */
  run(request: RunRequest): void {
    this.runBox.push(request);
    this.inFlight++;
  }

  abort(id: number): void {
    this.abortBox.push(id);
  }

  get hasOutbox(): boolean {
    return this.runBox.length > 0 || this.abortBox.length > 0;
  }

  flush(): void {
    if (this.dead || !this.hasOutbox) return;
    const message: ToThread = {
      ...(this.abortBox.length === 0 ? {} : { abort: this.abortBox }),
      ...(this.runBox.length === 0 ? {} : { run: this.runBox }),
    };
    this.runBox = [];
    this.abortBox = [];
    this.worker.postMessage(message);
  }

  /** Stops the thread now; `exited` follows (with `reason`) once it is gone. */
  terminate(reason: string): Promise<void> {
    this.error ??= reason;
    return this.worker.terminate().then(() => undefined);
  }
}
