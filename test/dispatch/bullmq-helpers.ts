/** Worker processes, throwaway Redis servers and key cleanup for the bullmq tests and benchmark. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { BackendEvent, DispatchJob, JobStep } from '../../src/dispatch/backend.js';
import type { RunWorkerOptions } from '../../src/dispatch/bullmq/worker.js';

export const REDIS_URL = process.env.APPORTION_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, '../..');
export const WORKER_ENTRY = resolve(HERE, 'bullmq-worker-entry.ts');
export const HANDLERS = resolve(HERE, 'bullmq-handlers.ts');

let counter = 0;
/** A prefix no other test (or run of this test) uses. */
export function uniquePrefix(name: string): string {
  return `apportion-test:${name}:${process.pid}:${Date.now().toString(36)}:${counter++}`;
}

export type WorkerOptions = Omit<RunWorkerOptions, 'signal' | 'killSignal' | 'onReady' | 'onWarning'>;

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  stderr(): string;
  /** Resolves with the exit code (or signal) once the process ended. */
  readonly exited: Promise<number | NodeJS.Signals>;
}

/** Starts `node --import tsx bullmq-worker-entry.ts` and waits (bounded) until it takes jobs. */
export async function startWorker(options: WorkerOptions, timeoutMs = 10_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [...(process.env.WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean), '--import', 'tsx', WORKER_ENTRY, JSON.stringify(options)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  child.unref();
  (child.channel as { unref?: () => void } | undefined)?.unref?.();
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals>((done) => child.once('exit', (code, signal) => done(signal ?? code ?? -1)));
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`worker not ready within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('ready ')) {
        clearTimeout(timer);
        ready();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`worker exited (${code}) before it was ready; stderr: ${stderr}`));
    });
  });
  return { child, pid: child.pid!, stderr: () => stderr, exited };
}

/** Kills a worker (SIGKILL unless told) and waits for it, bounded. */
export async function stopWorker(worker: WorkerProcess, signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 10_000): Promise<number | NodeJS.Signals> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill(signal);
  return withTimeout(worker.exited, timeoutMs, `worker ${worker.pid} did not exit after ${signal}`);
}

export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new Error(message)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Deletes every key under `prefix` (the queues, the registry, cancel keys). */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  client.on('error', () => {});
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.unlink(...keys);
    } while (cursor !== '0');
  } catch {
    // a Redis that is gone has nothing left to clean
  } finally {
    client.disconnect();
  }
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  kill(): Promise<void>;
  /** Starts it again on the same port, empty (no persistence). */
  restart(): Promise<void>;
}

/** An own redis-server without persistence, so it can be killed and restarted empty. */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--bind', '127.0.0.1'], { stdio: 'ignore' });
    const deadline = Date.now() + 5000;
    for (;;) {
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => {});
      try {
        await probe.connect();
        await probe.ping();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`);
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        probe.disconnect();
      }
    }
  };
  const kill = async (): Promise<void> => {
    const current = child;
    if (current === undefined || current.exitCode !== null || current.signalCode !== null) return;
    const exited = once(current, 'exit');
    current.kill('SIGKILL');
    await withTimeout(exited, 5000, 'redis-server did not die');
  };
  await start();
  return { port, url, kill, restart: async () => { await kill(); await start(); } };
}

/** Collects a backend's events and waits for the ones a test expects. */
export class EventLog {
  readonly events: BackendEvent[] = [];
  private waiters: { check: () => boolean; done: () => void }[] = [];

  readonly listener = (event: BackendEvent): void => {
    this.events.push(event);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.check()) return true;
      waiter.done();
      return false;
    });
  };

  of(key: string): BackendEvent[] {
    return this.events.filter((event) => 'key' in event && event.key === key);
  }

  terminal(key: string): BackendEvent | undefined {
    return this.of(key).find((event) => event.type === 'finished' || event.type === 'lost');
  }

  /** Waits until `check` holds, failing after `timeoutMs` with what was seen. */
  until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    // Re-checked on every event, and every 50 ms for conditions outside the log (a file, a process).
    let poll: NodeJS.Timeout | undefined;
    const reached = new Promise<void>((done) => {
      const waiter = { check, done };
      this.waiters.push(waiter);
      poll = setInterval(() => {
        if (!check()) return;
        this.waiters = this.waiters.filter((other) => other !== waiter);
        done();
      }, 50);
    });
    return withTimeout(reached, timeoutMs, `timed out waiting for ${what}`)
      .catch((error: Error) => {
        throw new Error(`${error.message}; events: ${JSON.stringify(this.events).slice(0, 2000)}`);
      })
      .finally(() => clearInterval(poll));
  }

  untilTerminal(keys: readonly string[], timeoutMs: number): Promise<void> {
    return this.until(() => keys.every((key) => this.terminal(key) !== undefined), timeoutMs, `the end of ${keys.join(', ')}`);
  }
}

export function moduleStep(name: string): JobStep {
  return { stage: 's', run: { kind: 'module', module: HANDLERS, export: name } };
}

export function makeJob(runId: string, subtask: string, pool: string, stagingRoot: string, steps: readonly JobStep[], attempt = 1, extra: Partial<DispatchJob> = {}): DispatchJob {
  return { runId, subtask, attempt, pool, op: 'op', stage: 's', steps, inputs: [], stagingDir: resolve(stagingRoot, `${subtask}.${attempt}`), expectedS: 1, ...extra };
}
