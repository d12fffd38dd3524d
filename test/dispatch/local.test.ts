/**
 * The local backend: the conformance suite, then what only it does — worker threads that must
 * be terminated to stop a handler stuck in a synchronous loop, a thread that crashes, async
 * handlers overlapping inside one thread, and no staging directory for a handler that writes
 * no file.
 */
import { existsSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { jobKey, type BackendPool } from '../../src/dispatch/backend.js';
import { createLocalBackend, type LocalBackendOptions } from '../../src/dispatch/local/local-backend.js';
import { command, conformance, delay, handler, Harness, replay } from './conformance.js';

conformance('local', () => createLocalBackend({ threads: 2 }), { executes: true });

const test = suite('local backend');

async function withLocal(options: LocalBackendOptions, pools: readonly BackendPool[], body: (h: Harness) => Promise<void>): Promise<void> {
  const h = new Harness(createLocalBackend(options));
  try {
    await h.open(pools);
    await body(h);
  } finally {
    await h.dispose();
  }
}

test('a handler stuck in a synchronous loop is stopped by cancel; the others on its thread are lost; the thread is replaced', () =>
  withLocal({ threads: 1, stopGraceMs: 200 }, [{ id: 'p', slots: 4 }], async (h) => {
    // Load the module in the thread first, so the spin starts at once (and not after an abort arrived).
    const warm = h.job('warm', 'p', [handler('default')]);
    h.backend.submit(warm);
    await h.finished(jobKey(warm));
    const stuck = h.job('stuck', 'p', [handler('spin')]);
    const neighbour = h.job('neighbour', 'p', [handler('waitForAbort')]);
    h.backend.submit(stuck);
    h.backend.submit(neighbour);
    await h.started(jobKey(stuck));
    await h.started(jobKey(neighbour));
    await delay(50); // the thread is in the loop by now
    h.backend.cancel(jobKey(stuck), 'stop spinning');
    const result = await h.finished(jobKey(stuck), 5_000);
    assert.is(result.outcome, 'cancelled');
    assert.is(result.error, 'stop spinning');
    const lost = await h.terminal(jobKey(neighbour), 5_000);
    assert.is(lost.type, 'lost');
    assert.ok(lost.type === 'lost' && lost.reason.includes('worker thread ended'), JSON.stringify(lost));
    // A new thread takes the next job.
    const next = h.job('next', 'p', [handler('describe')]);
    h.backend.submit(next);
    assert.is((await h.finished(jobKey(next), 5_000)).outcome, 'succeeded');
  }));

test('a handler stuck in a synchronous loop past its timeout fails "timed out"', () =>
  withLocal({ threads: 1, stopGraceMs: 100 }, [{ id: 'p', slots: 1 }], async (h) => {
    const warm = h.job('warm', 'p', [handler('default')]);
    h.backend.submit(warm);
    await h.finished(jobKey(warm));
    const stuck = h.job('stuck', 'p', [handler('spin')], { timeoutS: 0.2 });
    h.backend.submit(stuck);
    const result = await h.finished(jobKey(stuck), 5_000);
    assert.is(result.outcome, 'failed');
    assert.ok(result.error?.includes('timed out after 0.2s'), result.error);
  }));

test('a worker thread that crashes: its attempts are lost, later ones run', () =>
  withLocal({ threads: 1 }, [{ id: 'p', slots: 4 }], async (h) => {
    const crash = h.job('crash', 'p', [handler('crash')]);
    const bystander = h.job('bystander', 'p', [handler('waitForAbort')]);
    h.backend.submit(crash);
    h.backend.submit(bystander);
    for (const job of [crash, bystander]) {
      const event = await h.terminal(jobKey(job), 5_000);
      assert.is(event.type, 'lost', JSON.stringify(event));
      assert.ok(event.type === 'lost' && event.reason.includes('worker thread ended') && event.reason.includes('thread crash on purpose'), JSON.stringify(event));
    }
    const next = h.job('next', 'p', [handler('describe')]);
    h.backend.submit(next);
    assert.is((await h.finished(jobKey(next), 5_000)).outcome, 'succeeded');
  }));

test('slot limits per pool are independent: a full pool does not hold up another', () =>
  withLocal({ threads: 2 }, [{ id: 'busy', slots: 1 }, { id: 'free', slots: 1 }], async (h) => {
    const long = h.job('long', 'busy', [replay(30)]);
    const waiting = h.job('waiting', 'busy', [replay(0.01)]);
    h.backend.submit(long);
    h.backend.submit(waiting);
    const others = [0, 1, 2].map((i) => h.job(`free${i}`, 'free', [handler('describe')]));
    for (const job of others) h.backend.submit(job);
    for (const job of others) assert.is((await h.finished(jobKey(job))).outcome, 'succeeded');
    assert.is(h.eventsOf(jobKey(waiting)).length, 0, '"busy" stays full: its second job has not started');
    h.backend.cancel(jobKey(long), 'done');
    assert.is((await h.finished(jobKey(waiting))).outcome, 'succeeded');
  }));

test('async handlers overlap inside one thread', () =>
  withLocal({ threads: 1 }, [{ id: 'p', slots: 5 }], async (h) => {
    // Each resolves only when all five have arrived: they must run at the same time.
    const jobs = [0, 1, 2, 3, 4].map((i) => h.job(`meet${i}`, 'p', [handler('rendezvous')], { items: [0, 5] }));
    for (const job of jobs) h.backend.submit(job);
    for (const job of jobs) assert.equal((await h.finished(jobKey(job), 5_000)).value, 5);
  }));

test('staging directory: made for a command, and for a handler only when it asks for outputDir', () =>
  withLocal({ threads: 1 }, [{ id: 'p', slots: 4 }], async (h) => {
    const quiet = h.job('quiet', 'p', [handler('default')]);
    const writer = h.job('writer', 'p', [handler('writeFile')]);
    const cmd = h.job('cmd', 'p', [command('true')]);
    for (const job of [quiet, writer, cmd]) h.backend.submit(job);
    for (const job of [quiet, writer, cmd]) assert.is((await h.finished(jobKey(job))).outcome, 'succeeded');
    assert.not.ok(existsSync(quiet.stagingDir), 'a handler that writes nothing gets no directory');
    assert.ok(existsSync(writer.stagingDir));
    assert.ok(existsSync(cmd.stagingDir));
    const written = await h.finished(jobKey(writer));
    assert.ok((written.bytesOut ?? 0) > 0, 'bytes written are measured');
  }));

test('a job for a pool the backend was not opened with fails', () =>
  withLocal({ threads: 1 }, [{ id: 'p', slots: 1 }], async (h) => {
    const job = h.job('lost-pool', 'nowhere', [replay(0.01)]);
    h.backend.submit(job);
    const result = await h.finished(jobKey(job));
    assert.is(result.outcome, 'failed');
    assert.ok(result.error?.includes('unknown pool "nowhere"'), result.error);
  }));

test('close() ends running and queued attempts cancelled, delivered before it resolves', () =>
  withLocal({ threads: 1 }, [{ id: 'p', slots: 1 }], async (h) => {
    const running = h.job('running', 'p', [handler('waitForAbort')]);
    const queued = h.job('queued', 'p', [replay(0.01)]);
    h.backend.submit(running);
    h.backend.submit(queued);
    await h.started(jobKey(running));
    await h.backend.close();
    for (const job of [running, queued]) {
      const result = await h.finished(jobKey(job), 100);
      assert.is(result.outcome, 'cancelled');
      assert.is(result.error, 'backend closed');
    }
    h.backend.submit(h.job('late', 'p', [replay(0.01)])); // ignored, no throw
  }));

test('many tiny handler jobs all end once (batched threads)', () =>
  withLocal({ threads: 2 }, [{ id: 'p', slots: 64 }], async (h) => {
    const jobs = Array.from({ length: 3000 }, (_, i) => h.job(`n${i}`, 'p', [handler(i % 3 === 0 ? 'later' : 'default')]));
    for (const job of jobs) h.backend.submit(job);
    await h.terminal(jobKey(jobs[jobs.length - 1]!), 10_000);
    for (const job of jobs) await h.finished(jobKey(job), 10_000);
    const finished = h.events.filter((event) => event.type === 'finished');
    assert.is(finished.length, jobs.length);
    assert.ok(finished.every((event) => event.type === 'finished' && event.result.outcome === 'succeeded'));
  }));

test.run();
