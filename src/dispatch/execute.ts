/**
 * Running the steps of one attempt in this process: the part every executing backend shares.
 *
 * `executeJob` runs a whole `DispatchJob` (the bullmq worker calls it); the pieces it is made
 * of — spawning a command in its own process group, loading a handler, the replay wait, the
 * inline-value check — are exported for the local backend, which runs commands in the main
 * thread and handlers in worker threads.
 *
 * A step never throws: every problem a job can cause (a missing command, a handler that throws,
 * an export that is not there) becomes a `StepOutcome` of kind `failed` with a message meant for
 * the user, and an abort becomes kind `aborted` (the caller knows whether it was a cancel or a
 * timeout).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, promises as fsp } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MAX_INLINE_VALUE_BYTES, type AttemptResult, type DispatchJob, type Handler, type HandlerContext, type JobStep } from './backend.js';

/** How much of a command's stderr (and stdout) is kept for the error message. */
export const OUTPUT_TAIL_BYTES = 4096;

/** After a command's leader exits, how long its stdio may stay open (held by a grandchild) before we stop reading. */
const STDIO_DRAIN_MS = 200;

export type StepOutcome =
  /** `value` is the handler's return value (undefined for commands and replay). */
  | { readonly kind: 'ok'; readonly value?: unknown }
  | { readonly kind: 'failed'; readonly error: string; readonly exitCode?: number }
  | { readonly kind: 'aborted' };

const ABORTED: StepOutcome = { kind: 'aborted' };
const OK: StepOutcome = { kind: 'ok' };

/** The worker name `executeJob` reports by default. */
export const PROCESS_WORKER = `${hostname()}:${process.pid}`;

// ---------------------------------------------------------------------------------------------
// Commands

export interface CommandOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly signal: AbortSignal;
}

/** The environment a command step sees: the parent's, plus where to write and which attempt it is. */
export function commandEnv(job: DispatchJob): NodeJS.ProcessEnv {
  return { ...process.env, APPORTION_OUT: job.stagingDir, APPORTION_SUBTASK: job.subtask, APPORTION_ATTEMPT: String(job.attempt) };
}

/** Kills a process group (the leader and everything it started that did not leave the group); a group already gone is fine. */
export function killProcessGroup(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing left in the group.
  }
}

/** Keeps the last `limit` bytes written to it. */
class Tail {
  private chunks: Buffer[] = [];
  private bytes = 0;
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    while (this.chunks.length > 1 && this.bytes - this.chunks[0]!.length >= this.limit) this.bytes -= this.chunks.shift()!.length;
  }
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.limit)).toString('utf8').trim();
  }
}

/**
 * Runs `argv` as the leader of a new process group (so a cancel or timeout can kill the whole
 * tree with one signal), cwd and env as given. Resolves when the leader exits; anything the
 * command left running in its group is killed then too, so nothing writes into the staging
 * directory after the step has ended.
 */
export function runCommand(argv: readonly string[], options: CommandOptions): Promise<StepOutcome> {
  const [file, ...args] = argv;
  if (file === undefined || file === '') return Promise.resolve({ kind: 'failed', error: 'empty command' });
  if (options.signal.aborted) return Promise.resolve(ABORTED);
  return new Promise<StepOutcome>((resolve) => {
    const stderr = new Tail(OUTPUT_TAIL_BYTES);
    const stdout = new Tail(OUTPUT_TAIL_BYTES);
    let settled = false;
    let aborted = false;
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(file, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      // Arguments spawn refuses outright (a NUL byte in an argument).
      resolve({ kind: 'failed', error: `cannot start command ${file}: ${errorMessage(error)}` });
      return;
    }
    const stdoutStream = child.stdout!;
    const stderrStream = child.stderr!;
    const finish = (outcome: StepOutcome): void => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = (): void => {
      aborted = true;
      if (child.pid !== undefined) killProcessGroup(child.pid);
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    stdoutStream.on('data', (chunk: Buffer) => stdout.push(chunk));
    stderrStream.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      // Only spawn failures reach here with no pid; a running child's errors are not expected.
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) return;
      finish({ kind: 'failed', error: spawnErrorMessage(file, error) });
    });
    child.on('exit', (code, signal) => {
      if (child.pid !== undefined) killProcessGroup(child.pid);
      const outcome = (): StepOutcome => {
        if (aborted) return ABORTED;
        const tail = stderr.text() || stdout.text();
        const detail = tail === '' ? '' : `: ${tail}`;
        if (code === 0) return OK;
        if (code !== null) return { kind: 'failed', exitCode: code, error: `exit code ${code}${detail}` };
        return { kind: 'failed', error: `killed by signal ${signal ?? 'unknown'}${detail}` };
      };
      // stdio closes soon after the group is gone; wait briefly for the last of stderr.
      if (stdoutStream.readableEnded && stderrStream.readableEnded) finish(outcome());
      else {
        const timer = setTimeout(() => {
          stdoutStream.destroy();
          stderrStream.destroy();
          finish(outcome());
        }, STDIO_DRAIN_MS);
        child.on('close', () => {
          clearTimeout(timer);
          finish(outcome());
        });
      }
    });
  });
}

function spawnErrorMessage(file: string, error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') return `command not found: ${file}`;
  if (error.code === 'EACCES') return `command not executable: ${file}`;
  return `cannot start command ${file}: ${error.message}`;
}

// ---------------------------------------------------------------------------------------------
// Handlers

const moduleCache = new Map<string, Promise<Record<string, unknown>>>();

/** A module path as an import specifier: absolute paths become file URLs; URLs stay. */
export function moduleUrl(module: string): string {
  return isAbsolute(module) ? pathToFileURL(module).href : module;
}

/**
 * Loads `module` (once per URL in this thread) and returns its export `name` if it is a
 * function, else a message naming both. A module that failed to load is tried again next time.
 */
export async function loadHandler(module: string, name: string): Promise<Handler | string> {
  const url = moduleUrl(module);
  let loading = moduleCache.get(url);
  if (loading === undefined) {
    loading = import(url) as Promise<Record<string, unknown>>;
    moduleCache.set(url, loading);
  }
  let namespace: Record<string, unknown>;
  try {
    namespace = await loading;
  } catch (error) {
    moduleCache.delete(url);
    return `cannot load handler module ${module}: ${errorMessage(error)}`;
  }
  if (!(name in namespace)) return `handler module ${module} has no export "${name}"`;
  const handler = namespace[name];
  if (typeof handler !== 'function') return `export "${name}" of handler module ${module} is not a function (it is ${describe(handler)})`;
  return handler as Handler;
}

/** Handlers already loaded in this thread, by export and module: the hot path of many tiny jobs takes no promise. */
const resolvedHandlers = new Map<string, Handler>();

function handlerKey(module: string, name: string): string {
  return `${name}\u0000${module}`;
}

/** The handler if this thread has loaded it before (see `loadHandler`), else undefined. */
export function cachedHandler(module: string, name: string): Handler | undefined {
  return resolvedHandlers.get(handlerKey(module, name));
}

/** `loadHandler`, remembering a success for `cachedHandler`. */
export async function loadAndCacheHandler(module: string, name: string): Promise<Handler | string> {
  const loaded = await loadHandler(module, name);
  if (typeof loaded !== 'string') resolvedHandlers.set(handlerKey(module, name), loaded);
  return loaded;
}

export interface HandlerRun {
  readonly signal: AbortSignal;
  readonly context: HandlerContext;
}

/**
 * Calls the handler of a module step. Resolves with its value, its failure, or `aborted` as
 * soon as the signal fires (a handler that ignores its signal is left behind; one that blocks
 * its thread is the caller's to stop).
 */
export async function runModuleStep(job: DispatchJob, step: JobStep & { run: { kind: 'module' } }, run: HandlerRun): Promise<StepOutcome> {
  let handler = cachedHandler(step.run.module, step.run.export);
  if (handler === undefined) {
    const loaded = await loadAndCacheHandler(step.run.module, step.run.export);
    if (typeof loaded === 'string') return { kind: 'failed', error: loaded };
    handler = loaded;
  }
  if (run.signal.aborted) return ABORTED;
  let result: unknown;
  try {
    result = handler(job, run.context);
  } catch (error) {
    return run.signal.aborted ? ABORTED : { kind: 'failed', error: errorMessage(error) };
  }
  if (!isThenable(result)) return { kind: 'ok', value: result };
  return new Promise<StepOutcome>((resolve) => {
    const onAbort = (): void => resolve(ABORTED);
    run.signal.addEventListener('abort', onAbort, { once: true });
    (result as PromiseLike<unknown>).then(
      (value) => {
        run.signal.removeEventListener('abort', onAbort);
        resolve(run.signal.aborted ? ABORTED : { kind: 'ok', value });
      },
      (error: unknown) => {
        run.signal.removeEventListener('abort', onAbort);
        resolve(run.signal.aborted ? ABORTED : { kind: 'failed', error: errorMessage(error) });
      },
    );
  });
}

/**
 * A handler's context. `outputDir` is created on first read when `lazyDir` is set: most handlers
 * return a value and write no file, and a mkdir per job would dominate tiny jobs. The dispatcher
 * treats a staging directory that does not exist as "no files".
 */
export function handlerContext(job: DispatchJob, signal: AbortSignal, onProgress: ((fraction: number) => void) | undefined, lazyDir: boolean): HandlerContext & { readonly dirCreated: boolean } {
  let created = !lazyDir;
  return {
    signal,
    inputs: job.inputs,
    attempt: job.attempt,
    ...(job.items === undefined ? {} : { items: job.items }),
    get outputDir(): string {
      if (!created) {
        mkdirSync(job.stagingDir, { recursive: true });
        created = true;
      }
      return job.stagingDir;
    },
    get dirCreated(): boolean {
      return created;
    },
    progress(fraction: number): void {
      if (onProgress !== undefined && Number.isFinite(fraction)) onProgress(Math.min(1, Math.max(0, fraction)));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Replay

/** Waits `durationS`, or until the signal fires. */
export function replayWait(durationS: number, signal: AbortSignal): Promise<StepOutcome> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  if (!(durationS > 0)) return Promise.resolve(OK);
  return new Promise<StepOutcome>((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(ABORTED);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(OK);
    }, durationS * 1000);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

// ---------------------------------------------------------------------------------------------
// Values and sizes

/** A handler's result as inline JSON text (undefined stays undefined), or why it cannot be kept inline. */
export function encodeInlineValue(value: unknown): { readonly json?: string } | { readonly error: string } {
  if (value === undefined) return {};
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    return { error: `the handler's result is not JSON-serialisable: ${errorMessage(error)}` };
  }
  if (json === undefined) return { error: `the handler's result is not JSON-serialisable (it is ${describe(value)})` };
  // UTF-8 is at most 3 bytes per UTF-16 unit: measure only when it could be over.
  const bytes = json.length * 3 <= MAX_INLINE_VALUE_BYTES ? json.length : Buffer.byteLength(json);
  if (bytes > MAX_INLINE_VALUE_BYTES) {
    return { error: `the handler's result is ${bytes} bytes of JSON, above the ${MAX_INLINE_VALUE_BYTES} bytes kept inline: write it to a file in context.outputDir instead` };
  }
  return { json };
}

/** Bytes of the files under `dir`; undefined when it is missing or too big to walk cheaply (more than `maxEntries`). */
export async function measureBytes(dir: string, maxEntries = 10_000): Promise<number | undefined> {
  let total = 0;
  let entries = 0;
  const pending = [dir];
  try {
    while (pending.length > 0) {
      const current = pending.pop()!;
      for (const entry of await fsp.readdir(current, { withFileTypes: true })) {
        if (++entries > maxEntries) return undefined;
        const path = join(current, entry.name);
        if (entry.isDirectory()) pending.push(path);
        else if (entry.isFile()) total += (await fsp.stat(path)).size;
      }
    }
  } catch {
    return undefined;
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// A whole attempt

export interface ExecuteOptions {
  /** Aborting it cancels the attempt (outcome `cancelled`). */
  readonly signal: AbortSignal;
  readonly nowS: () => number;
  readonly onProgress?: (fraction: number) => void;
  /** Reported as `result.worker`; default host:pid. */
  readonly worker?: string;
}

/**
 * An abort signal that fires on the caller's cancel or on the attempt's timeout, and says
 * which. Dispose it when the attempt ends (it holds a timer).
 */
export class AttemptStop {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private cause: 'cancel' | 'timeout' | undefined;
  private readonly onCancel = (): void => this.stop('cancel');

  constructor(
    private readonly cancel: AbortSignal,
    readonly timeoutS: number | undefined,
  ) {
    if (cancel.aborted) this.stop('cancel');
    else cancel.addEventListener('abort', this.onCancel, { once: true });
    if (timeoutS !== undefined && this.cause === undefined && timeoutS * 1000 <= MAX_TIMER_MS) this.timer = setTimeout(() => this.stop('timeout'), timeoutS * 1000);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get timedOut(): boolean {
    return this.cause === 'timeout';
  }

  stop(cause: 'cancel' | 'timeout'): void {
    if (this.cause !== undefined) return;
    this.cause = cause;
    this.controller.abort(cause);
  }

  /** The message of an attempt that was stopped this way. */
  message(): string {
    return this.cause === 'timeout' ? timedOutMessage(this.timeoutS ?? 0) : 'cancelled';
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.cancel.removeEventListener('abort', this.onCancel);
  }
}

/** setTimeout's largest delay (about 24.8 days); a longer timeout is no timeout in practice. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export function timedOutMessage(timeoutS: number): string {
  return `timed out after ${Number(timeoutS.toPrecision(6))}s`;
}

/** Runs one step of `job`: a command, a handler or a replay wait. */
export function runStep(job: DispatchJob, step: JobStep, signal: AbortSignal, context: HandlerContext): Promise<StepOutcome> {
  const run = step.run;
  switch (run.kind) {
    case 'command':
      return runCommand(run.argv, { cwd: job.stagingDir, env: commandEnv(job), signal });
    case 'module':
      return runModuleStep(job, step as JobStep & { run: { kind: 'module' } }, { signal, context });
    case 'replay':
      return replayWait(run.durationS, signal);
  }
}

/**
 * Runs every step of `job` in order in this process: creates the staging directory, enforces
 * `job.timeoutS`, and reports the attempt's result. Never throws for a bad job.
 */
export async function executeJob(job: DispatchJob, options: ExecuteOptions): Promise<AttemptResult> {
  const startedS = options.nowS();
  const worker = options.worker ?? PROCESS_WORKER;
  const stop = new AttemptStop(options.signal, job.timeoutS);
  const end = (fields: Omit<AttemptResult, 'startedS' | 'finishedS' | 'worker'>): AttemptResult => ({ ...fields, startedS, finishedS: Math.max(startedS, options.nowS()), worker });
  try {
    // A job of handlers and replays only gets its staging directory when a handler asks for
    // context.outputDir (a mkdir per no-op job was 30 % of a worker's CPU); commands always get one.
    const lazyDir = job.steps.every((step) => step.run.kind !== 'command');
    if (!lazyDir) {
      try {
        await fsp.mkdir(job.stagingDir, { recursive: true });
      } catch (error) {
        return end({ outcome: 'failed', error: `cannot create the staging directory ${job.stagingDir}: ${errorMessage(error)}` });
      }
    }
    const context = handlerContext(job, stop.signal, options.onProgress, lazyDir);
    let last: StepOutcome = OK;
    let exitCode: number | undefined;
    for (const step of job.steps) {
      last = await runStep(job, step, stop.signal, context);
      // The exit code is the last step's: a handler after a command leaves none.
      exitCode = step.run.kind !== 'command' ? undefined : last.kind === 'failed' ? last.exitCode : last.kind === 'ok' ? 0 : undefined;
      if (last.kind !== 'ok') break;
    }
    if (last.kind === 'ok' && stop.signal.aborted) last = ABORTED;
    const exit = exitCode === undefined ? {} : { exitCode };
    if (last.kind === 'aborted') return end({ outcome: stop.timedOut ? 'failed' : 'cancelled', error: stop.message(), ...exit });
    if (last.kind === 'failed') return end({ outcome: 'failed', error: last.error, ...exit });
    const encoded = encodeInlineValue(last.value);
    if ('error' in encoded) return end({ outcome: 'failed', error: encoded.error, ...exit });
    const files = !lazyDir || context.dirCreated;
    const bytesOut = files ? await measureBytes(job.stagingDir) : undefined;
    return end({
      outcome: 'succeeded',
      files,
      ...exit,
      ...(encoded.json === undefined ? {} : { value: JSON.parse(encoded.json) as unknown }),
      ...(bytesOut === undefined ? {} : { bytesOut }),
    });
  } finally {
    stop.dispose();
  }
}

// ---------------------------------------------------------------------------------------------

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' ? 'an object' : type === 'undefined' ? 'undefined' : `a ${type}`;
}
