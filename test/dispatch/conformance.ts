/**
 * The conformance suite every dispatch backend passes unchanged (local, bullmq, sim).
 *
 * Core cases use `replay` steps only, so a backend that does not execute (sim) runs them too;
 * execution cases (commands and JS handlers) run when `capabilities.executes`. Every wait is
 * bounded; a failure names what was awaited and lists the events seen.
 *
 * Cancels that must hit a *running* attempt are issued from inside the listener on its
 * `started` event, so they land before the attempt can end even on a virtual clock.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { jobKey, type AttemptResult, type Backend, type BackendEvent, type BackendPool, type DispatchJob, type JobStep, type StepRun } from '../../src/dispatch/backend.js';

export interface Capabilities {
  /** Runs commands and JS handlers (local, bullmq); false = replay only (sim). */
  readonly executes: boolean;
}

export const HANDLERS = fileURLToPath(new URL('./fixtures/handlers.mjs', import.meta.url));

const WAIT_MS = 10_000;

/** One backend under test: its events, waits on them, and jobs with unique keys and staging dirs. */
export class Harness {
  readonly events: BackendEvent[] = [];
  readonly dir: string;
  readonly runId: string;
  private readonly waiters = new Set<() => void>();
  private readonly reactions: Array<(event: BackendEvent) => void> = [];
  private static runs = 0;

  constructor(readonly backend: Backend) {
    this.dir = mkdtempSync(join(tmpdir(), 'apportion-conformance-'));
    this.runId = `conf-${process.pid}-${Date.now().toString(36)}-${Harness.runs++}`;
  }

  async open(pools: readonly BackendPool[]): Promise<void> {
    await this.backend.open(pools, (event) => {
      this.events.push(event);
      for (const react of this.reactions) react(event);
      for (const wake of [...this.waiters]) wake();
    });
  }

  /** Runs `action` inside the listener on every event (as a dispatcher does). */
  react(action: (event: BackendEvent) => void): void {
    this.reactions.push(action);
  }

  job(subtask: string, pool: string, steps: readonly StepRun[], extra: Partial<Pick<DispatchJob, 'timeoutS' | 'items' | 'inputs' | 'attempt'>> = {}): DispatchJob {
    const attempt = extra.attempt ?? 1;
    return {
      runId: this.runId,
      subtask,
      attempt,
      pool,
      op: 'op',
      stage: 'stage',
      steps: steps.map((run): JobStep => ({ stage: 'stage', run })),
      inputs: extra.inputs ?? [],
      stagingDir: join(this.dir, `${subtask}.${attempt}`),
      expectedS: 0.05,
      ...(extra.timeoutS === undefined ? {} : { timeoutS: extra.timeoutS }),
      ...(extra.items === undefined ? {} : { items: extra.items }),
    };
  }

  /** The first event (past or future) matching `predicate`. */
  waitFor<E extends BackendEvent>(predicate: (event: BackendEvent) => event is E, what: string, timeoutMs?: number): Promise<E>;
  waitFor(predicate: (event: BackendEvent) => boolean, what: string, timeoutMs?: number): Promise<BackendEvent>;
  waitFor(predicate: (event: BackendEvent) => boolean, what: string, timeoutMs = WAIT_MS): Promise<BackendEvent> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.events.find(predicate);
        if (found === undefined) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; events:\n${this.describeEvents()}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      const wake = (): void => void check();
      if (!check()) this.waiters.add(wake);
    });
  }

  /** The terminal event of `key`: `finished` or `lost`. */
  terminal(key: string, timeoutMs?: number): Promise<BackendEvent> {
    return this.waitFor((event) => (event.type === 'finished' || event.type === 'lost') && event.key === key, `the end of ${key}`, timeoutMs);
  }

  async finished(key: string, timeoutMs?: number): Promise<AttemptResult> {
    const event = await this.terminal(key, timeoutMs);
    if (event.type !== 'finished') throw new Error(`${key} was ${event.type}, not finished: ${JSON.stringify(event)}`);
    return event.result;
  }

  started(key: string, timeoutMs?: number): Promise<BackendEvent> {
    return this.waitFor((event) => event.type === 'started' && event.key === key, `the start of ${key}`, timeoutMs);
  }

  /** Cancels `key` from inside the listener as soon as it starts. */
  cancelOnStart(key: string, reason = 'test cancel'): void {
    let done = false;
    this.react((event) => {
      if (done || event.type !== 'started' || event.key !== key) return;
      done = true;
      this.backend.cancel(key, reason);
    });
  }

  eventsOf(key: string): BackendEvent[] {
    return this.events.filter((event) => 'key' in event && event.key === key);
  }

  describeEvents(): string {
    return this.events.map((event) => `  ${JSON.stringify(event)}`).join('\n') || '  (none)';
  }

  async dispose(): Promise<void> {
    try {
      await within(this.backend.close(), WAIT_MS, 'close()');
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 20 ms until it holds or `ms` pass. */
export async function eventually(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not so within ${ms} ms`);
    await delay(20);
  }
}

/** A process that exists and is not a zombie (a container's init may leave zombies unreaped). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

export const replay = (durationS: number): StepRun => ({ kind: 'replay', durationS });
export const command = (...argv: string[]): StepRun => ({ kind: 'command', argv });
export const handler = (name: string, module = HANDLERS): StepRun => ({ kind: 'module', module, export: name });

/** Registers and runs the conformance suite for one backend. */
export function conformance(name: string, makeBackend: () => Promise<Backend> | Backend, capabilities: Capabilities): void {
  const test = suite(`conformance: ${name}`);

  /** A fresh backend opened on `pools`, disposed after `body` whatever happens. */
  const withBackend = async (pools: readonly BackendPool[], body: (h: Harness) => Promise<void>): Promise<void> => {
    const h = new Harness(await makeBackend());
    try {
      await h.open(pools);
      await body(h);
    } finally {
      await h.dispose();
    }
  };

  test('a replay job succeeds: started before finished, times in order', () =>
    withBackend([{ id: 'p', slots: 2 }], async (h) => {
      const job = h.job('s1', 'p', [replay(0.05)]);
      const key = jobKey(job);
      h.backend.submit(job);
      assert.is(h.events.length, 0, 'no event is delivered inside submit');
      const result = await h.finished(key);
      const [first, second, ...rest] = h.eventsOf(key);
      assert.is(first?.type, 'started');
      assert.is(second?.type, 'finished');
      assert.is(rest.length, 0);
      assert.is(result.outcome, 'succeeded');
      const startedAtS = (first as Extract<BackendEvent, { type: 'started' }>).atS;
      assert.ok(startedAtS <= result.startedS + 1e-9, `started at ${startedAtS}, result.startedS ${result.startedS}`);
      assert.ok(result.startedS <= result.finishedS, `startedS ${result.startedS} <= finishedS ${result.finishedS}`);
      assert.ok(result.finishedS - result.startedS >= 0.05 * 0.8, `the replay waited its duration (${result.finishedS - result.startedS} s)`);
      assert.ok(h.backend.nowS() >= result.finishedS, 'the backend clock does not run backwards');
    }));

  test('several steps run in order in one slot', () =>
    withBackend([{ id: 'p', slots: 1 }], async (h) => {
      const job = h.job('multi', 'p', [replay(0.02), replay(0.02), replay(0.02)]);
      h.backend.submit(job);
      const result = await h.finished(jobKey(job));
      assert.is(result.outcome, 'succeeded');
      assert.ok(result.finishedS - result.startedS >= 0.06 * 0.8, `three replay steps took ${result.finishedS - result.startedS} s`);
    }));

  test('exactly one terminal event per key, with cancels among them', () =>
    withBackend(
      [
        { id: 'a', slots: 2 },
        { id: 'b', slots: 3 },
      ],
      async (h) => {
        const jobs: DispatchJob[] = [];
        for (let i = 0; i < 16; i++) jobs.push(h.job(`t${i}`, i % 2 === 0 ? 'a' : 'b', [replay(i % 5 === 0 ? 30 : 0.01)]));
        // The long ones are cancelled when they start; t15 is cancelled while (most likely) queued.
        for (const job of jobs) if (job.steps[0]!.run.kind === 'replay' && (job.steps[0]!.run as { durationS: number }).durationS === 30) h.cancelOnStart(jobKey(job));
        for (const job of jobs) h.backend.submit(job);
        h.backend.cancel(jobKey(jobs[15]!), 'early cancel');
        for (const job of jobs) await h.terminal(jobKey(job));
        await delay(100); // anything extra would show up now
        for (const job of jobs) {
          const key = jobKey(job);
          const terminals = h.eventsOf(key).filter((event) => event.type === 'finished' || event.type === 'lost');
          assert.is(terminals.length, 1, `${key}: ${JSON.stringify(h.eventsOf(key))}`);
          const starts = h.eventsOf(key).filter((event) => event.type === 'started');
          assert.ok(starts.length <= 1, `${key} started once at most`);
          const index = h.events.indexOf(terminals[0]!);
          if (starts.length === 1) assert.ok(h.events.indexOf(starts[0]!) < index, `${key} started before it ended`);
        }
        for (const job of jobs.filter((_, i) => i % 5 === 0)) assert.is((await h.finished(jobKey(job))).outcome, 'cancelled');
        assert.is((await h.finished(jobKey(jobs[15]!))).outcome, 'cancelled');
      },
    ));

  test('re-submitting a key runs it once (while queued, running and after it ended)', () =>
    withBackend([{ id: 'p', slots: 1 }], async (h) => {
      const blocker = h.job('blocker', 'p', [replay(0.05)]);
      const job = h.job('once', 'p', [replay(0.02)]);
      const key = jobKey(job);
      h.backend.submit(blocker);
      h.backend.submit(job);
      h.backend.submit({ ...job }); // queued
      await h.started(key);
      h.backend.submit({ ...job }); // running
      await h.finished(key);
      h.backend.submit({ ...job }); // ended
      await delay(150);
      assert.is(h.eventsOf(key).length, 2, h.describeEvents());
      // Another attempt of the same sub-task is another key.
      const second = { ...job, attempt: 2 };
      h.backend.submit(second);
      assert.is((await h.finished(jobKey(second))).outcome, 'succeeded');
    }));

  test('cancel of a running attempt ends it cancelled', () =>
    withBackend([{ id: 'p', slots: 1 }], async (h) => {
      const job = h.job('long', 'p', [replay(30)]);
      const key = jobKey(job);
      h.cancelOnStart(key, 'the user asked');
      h.backend.submit(job);
      const result = await h.finished(key, 5_000);
      assert.is(result.outcome, 'cancelled');
      assert.ok(result.finishedS - result.startedS < 30, 'it did not run to the end');
      h.backend.cancel(key, 'again'); // a finished key is ignored
      h.backend.cancel('no-such-key', 'unknown'); // so is an unknown one
      await delay(50);
      assert.is(h.eventsOf(key).length, 2);
    }));

  test('cancel of a queued attempt ends it cancelled without starting it', () =>
    withBackend([{ id: 'p', slots: 1 }], async (h) => {
      const running = h.job('running', 'p', [replay(30)]);
      const queued = h.job('queued', 'p', [replay(0.01)]);
      h.react((event) => {
        if (event.type === 'started' && event.key === jobKey(running)) h.backend.cancel(jobKey(queued), 'not needed');
      });
      h.backend.submit(running);
      h.backend.submit(queued);
      const result = await h.finished(jobKey(queued), 5_000);
      assert.is(result.outcome, 'cancelled');
      assert.not.ok(h.eventsOf(jobKey(queued)).some((event) => event.type === 'started'), 'the queued attempt never started');
      h.backend.cancel(jobKey(running), 'done');
      assert.is((await h.finished(jobKey(running), 5_000)).outcome, 'cancelled');
    }));

  test('at most `slots` attempts run per pool, and pools fill up independently', () =>
    withBackend(
      [
        { id: 'two', slots: 2 },
        { id: 'three', slots: 3 },
      ],
      async (h) => {
        const pools = new Map([
          ['two', 2],
          ['three', 3],
        ]);
        const running = new Map<string, number>();
        const peak = new Map<string, number>();
        const poolOf = new Map<string, string>();
        const violations: string[] = [];
        h.react((event) => {
          if (!('key' in event)) return;
          const pool = poolOf.get(event.key)!;
          if (event.type === 'started') {
            const now = (running.get(pool) ?? 0) + 1;
            running.set(pool, now);
            peak.set(pool, Math.max(peak.get(pool) ?? 0, now));
            if (now > pools.get(pool)!) violations.push(`${pool}: ${now} running`);
          } else if (h.eventsOf(event.key).some((e) => e.type === 'started')) running.set(pool, (running.get(pool) ?? 0) - 1);
        });
        const jobs: DispatchJob[] = [];
        for (let i = 0; i < 24; i++) {
          const job = h.job(`j${i}`, i % 2 === 0 ? 'two' : 'three', [replay(0.1)]);
          poolOf.set(jobKey(job), job.pool);
          jobs.push(job);
        }
        for (const job of jobs) h.backend.submit(job);
        for (const job of jobs) assert.is((await h.finished(jobKey(job))).outcome, 'succeeded');
        assert.equal(violations, []);
        assert.is(peak.get('two'), 2, 'pool "two" was filled');
        assert.is(peak.get('three'), 3, 'pool "three" was filled');
      },
    ));

  test('close() is idempotent and ends everything', async () => {
    const h = new Harness(await makeBackend());
    try {
      await h.open([{ id: 'p', slots: 2 }]);
      const jobs = [0, 1, 2, 3].map((i) => h.job(`c${i}`, 'p', [replay(30)]));
      for (const job of jobs) h.backend.submit(job);
      await h.started(jobKey(jobs[0]!));
      const first = h.backend.close();
      const second = h.backend.close();
      await within(Promise.all([first, second]), WAIT_MS, 'close() twice');
      await within(h.backend.close(), WAIT_MS, 'close() after close');
      const count = h.events.length;
      await delay(100);
      assert.is(h.events.length, count, 'no event after close() resolved');
      // A virtual clock may have run the replays to their end already: only "at most once" holds for every backend.
      for (const job of jobs) {
        const terminals = h.eventsOf(jobKey(job)).filter((event) => event.type !== 'started');
        assert.ok(terminals.length <= 1, `${jobKey(job)} ended at most once`);
      }
    } finally {
      await h.dispose();
    }
  });

  if (capabilities.executes) registerExecutionCases(test, withBackend);

  test.run();
}

type WithBackend = (pools: readonly BackendPool[], body: (h: Harness) => Promise<void>) => Promise<void>;

function registerExecutionCases(test: ReturnType<typeof suite>, withBackend: WithBackend): void {
  const one: readonly BackendPool[] = [{ id: 'p', slots: 4 }];

  test('exec: a command runs in its staging directory with the attempt in its environment', () =>
    withBackend(one, async (h) => {
      const job = h.job('cmd', 'p', [command('sh', '-c', 'echo "$APPORTION_SUBTASK $APPORTION_ATTEMPT" > "$APPORTION_OUT/out.txt" && pwd > cwd.txt')], { attempt: 3 });
      h.backend.submit(job);
      const result = await h.finished(jobKey(job));
      assert.is(result.outcome, 'succeeded', result.error);
      assert.is(result.exitCode, 0);
      assert.is(readFileSync(join(job.stagingDir, 'out.txt'), 'utf8'), 'cmd 3\n');
      assert.is(readFileSync(join(job.stagingDir, 'cwd.txt'), 'utf8').trim(), job.stagingDir);
    }));

  test('exec: exit code 3 fails with exitCode 3 and the end of stderr', () =>
    withBackend(one, async (h) => {
      const job = h.job('exit3', 'p', [command('sh', '-c', 'echo "something broke" >&2; exit 3')]);
      h.backend.submit(job);
      const result = await h.finished(jobKey(job));
      assert.is(result.outcome, 'failed');
      assert.is(result.exitCode, 3);
      assert.ok(result.error?.includes('exit code 3'), result.error);
      assert.ok(result.error?.includes('something broke'), result.error);
    }));

  test('exec: a command that does not exist fails, it does not crash the backend', () =>
    withBackend(one, async (h) => {
      const job = h.job('missing', 'p', [command('apportion-no-such-command-xyz', '--flag')]);
      const after = h.job('after', 'p', [replay(0.01)]);
      h.backend.submit(job);
      h.backend.submit(after);
      const result = await h.finished(jobKey(job));
      assert.is(result.outcome, 'failed');
      assert.ok(result.error?.includes('command not found: apportion-no-such-command-xyz'), result.error);
      assert.is((await h.finished(jobKey(after))).outcome, 'succeeded');
    }));

  test('exec: a handler returns a value; it sees its job, inputs, attempt and items', () =>
    withBackend(one, async (h) => {
      const job = h.job('value', 'p', [handler('describe')], { attempt: 2, items: [10, 20], inputs: [{ subtask: 'up', value: { n: 5 } }] });
      const async = h.job('async', 'p', [handler('later')]);
      const byDefault = h.job('default', 'p', [handler('default')]);
      for (const j of [job, async, byDefault]) h.backend.submit(j);
      const result = await h.finished(jobKey(job));
      assert.is(result.outcome, 'succeeded', result.error);
      assert.equal(result.value, { subtask: 'value', attempt: 2, items: [10, 20], inputs: [{ n: 5 }], aborted: false });
      assert.equal((await h.finished(jobKey(async))).value, { later: 'async' });
      const noValue = await h.finished(jobKey(byDefault));
      assert.is(noValue.outcome, 'succeeded');
      assert.is(noValue.value, undefined);
    }));

  test('exec: a handler writes files into context.outputDir', () =>
    withBackend(one, async (h) => {
      const job = h.job('files', 'p', [handler('writeFile')]);
      h.backend.submit(job);
      const result = await h.finished(jobKey(job));
      assert.is(result.outcome, 'succeeded', result.error);
      assert.is(result.value, 'handler.txt');
      assert.is(readFileSync(join(job.stagingDir, 'handler.txt'), 'utf8'), 'written by files\n');
    }));

  test('exec: a command step then a handler step share the staging directory', () =>
    withBackend(one, async (h) => {
      const job = h.job('mixed', 'p', [command('sh', '-c', 'echo from-the-command > out.txt'), handler('readCommandOutput')]);
      h.backend.submit(job);
      const result = await h.finished(jobKey(job));
      assert.is(result.outcome, 'succeeded', result.error);
      assert.is(result.value, 'from-the-command');
      assert.is(result.exitCode, undefined, 'the exit code is the last step\'s, and that was a handler');
    }));

  test('exec: a handler that throws fails with its message (sync and async)', () =>
    withBackend(one, async (h) => {
      const sync = h.job('throws', 'p', [handler('fail')]);
      const async = h.job('rejects', 'p', [handler('failLater')]);
      h.backend.submit(sync);
      h.backend.submit(async);
      const a = await h.finished(jobKey(sync));
      assert.is(a.outcome, 'failed');
      assert.ok(a.error?.includes('the handler gave up: bad input 42'), a.error);
      const b = await h.finished(jobKey(async));
      assert.is(b.outcome, 'failed');
      assert.ok(b.error?.includes('async failure 7'), b.error);
    }));

  test('exec: a missing export, a non-function export and a missing module fail naming them', () =>
    withBackend(one, async (h) => {
      const missing = h.job('noexport', 'p', [handler('noSuchExport')]);
      const notFunction = h.job('notfn', 'p', [handler('notAFunction')]);
      const noModule = h.job('nomodule', 'p', [handler('default', join(h.dir, 'absent-handlers.mjs'))]);
      for (const job of [missing, notFunction, noModule]) h.backend.submit(job);
      const a = await h.finished(jobKey(missing));
      assert.is(a.outcome, 'failed');
      assert.ok(a.error?.includes('noSuchExport') && a.error.includes('handlers.mjs'), a.error);
      const b = await h.finished(jobKey(notFunction));
      assert.is(b.outcome, 'failed');
      assert.ok(b.error?.includes('notAFunction') && b.error.includes('not a function'), b.error);
      const c = await h.finished(jobKey(noModule));
      assert.is(c.outcome, 'failed');
      assert.ok(c.error?.includes('absent-handlers.mjs'), c.error);
    }));

  test('exec: a result too big or not JSON fails with a clear error', () =>
    withBackend(one, async (h) => {
      const huge = h.job('huge', 'p', [handler('huge')]);
      const circular = h.job('circular', 'p', [handler('circular')]);
      h.backend.submit(huge);
      h.backend.submit(circular);
      const a = await h.finished(jobKey(huge));
      assert.is(a.outcome, 'failed');
      assert.ok(a.error?.includes('write it to a file'), a.error);
      const b = await h.finished(jobKey(circular));
      assert.is(b.outcome, 'failed');
      assert.ok(b.error?.includes('JSON'), b.error);
    }));

  test('exec: cancel kills the whole process tree', () =>
    withBackend(one, async (h) => {
      const job = h.job('tree', 'p', [command('sh', '-c', 'sleep 30 & echo $! > pidfile; wait')]);
      const key = jobKey(job);
      h.backend.submit(job);
      const pidfile = join(job.stagingDir, 'pidfile');
      await eventually(() => existsSync(pidfile) && readFileSync(pidfile, 'utf8').trim() !== '', 5_000, 'the command wrote its pidfile');
      const pid = Number(readFileSync(pidfile, 'utf8').trim());
      assert.ok(processAlive(pid), 'the grandchild runs');
      h.backend.cancel(key, 'stop it');
      const result = await h.finished(key, 5_000);
      assert.is(result.outcome, 'cancelled');
      await eventually(() => !processAlive(pid), 5_000, `grandchild ${pid} is gone`);
    }));

  test('exec: close() kills running commands', async () => {
    let pid = 0;
    await withBackend(one, async (h) => {
      const job = h.job('closing', 'p', [command('sh', '-c', 'sleep 30 & echo $! > pidfile; wait')]);
      h.backend.submit(job);
      const pidfile = join(job.stagingDir, 'pidfile');
      await eventually(() => existsSync(pidfile) && readFileSync(pidfile, 'utf8').trim() !== '', 5_000, 'the command wrote its pidfile');
      pid = Number(readFileSync(pidfile, 'utf8').trim());
      await within(h.backend.close(), WAIT_MS, 'close()');
    });
    await eventually(() => !processAlive(pid), 5_000, `grandchild ${pid} is gone after close`);
  });

  test('exec: cancel aborts a handler through its signal', () =>
    withBackend(one, async (h) => {
      const job = h.job('abortable', 'p', [handler('waitForAbort')]);
      const key = jobKey(job);
      h.cancelOnStart(key);
      h.backend.submit(job);
      assert.is((await h.finished(key, 5_000)).outcome, 'cancelled');
    }));

  test('exec: timeoutS stops a command and a handler: failed, "timed out"', () =>
    withBackend(one, async (h) => {
      const slowCommand = h.job('slowcmd', 'p', [command('sleep', '30')], { timeoutS: 0.3 });
      const slowHandler = h.job('slowhandler', 'p', [handler('waitForAbort')], { timeoutS: 0.3 });
      const slowReplay = h.job('slowreplay', 'p', [replay(30)], { timeoutS: 0.3 });
      for (const job of [slowCommand, slowHandler, slowReplay]) h.backend.submit(job);
      for (const job of [slowCommand, slowHandler, slowReplay]) {
        const result = await h.finished(jobKey(job), 5_000);
        assert.is(result.outcome, 'failed', `${job.subtask}: ${JSON.stringify(result)}`);
        assert.ok(result.error?.includes('timed out'), result.error);
      }
    }));
}
