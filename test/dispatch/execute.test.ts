/**
 * executeJob: a whole attempt in this process (what the bullmq worker runs), with real child
 * processes and real handler modules.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DispatchJob, StepRun } from '../../src/dispatch/backend.js';
import { encodeInlineValue, executeJob, runCommand } from '../../src/dispatch/execute.js';
import { command, eventually, handler, processAlive, replay } from './conformance.js';

const test = suite('dispatch: executeJob');

let dir = '';
let count = 0;
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'apportion-execute-'));
});
test.after.each(() => {
  rmSync(dir, { recursive: true, force: true });
});

const origin = performance.now();
const nowS = (): number => (performance.now() - origin) / 1000;

function job(steps: readonly StepRun[], extra: Partial<DispatchJob> = {}): DispatchJob {
  const n = count++;
  return {
    runId: 'run',
    subtask: `s${n}`,
    attempt: 1,
    pool: 'p',
    op: 'op',
    stage: 'st',
    steps: steps.map((run) => ({ stage: 'st', run })),
    inputs: [],
    stagingDir: join(dir, `stage-${n}`),
    expectedS: 0,
    ...extra,
  };
}

const never = new AbortController().signal;

test('a command succeeds: exit code 0, bytes written measured, times in order', async () => {
  const j = job([command('sh', '-c', 'printf 12345 > a.txt; mkdir sub; printf 123 > sub/b.txt')]);
  const result = await executeJob(j, { signal: never, nowS });
  assert.is(result.outcome, 'succeeded', result.error);
  assert.is(result.exitCode, 0);
  assert.is(result.bytesOut, 8);
  assert.ok(result.startedS <= result.finishedS);
  assert.type(result.worker, 'string');
});

test('steps run in order and stop at the first failure; the last command sets exitCode', async () => {
  const j = job([command('sh', '-c', 'echo one >> log'), command('sh', '-c', 'echo two >> log; exit 4'), command('sh', '-c', 'echo three >> log')]);
  const result = await executeJob(j, { signal: never, nowS });
  assert.is(result.outcome, 'failed');
  assert.is(result.exitCode, 4);
  assert.is(readFileSync(join(j.stagingDir, 'log'), 'utf8'), 'one\ntwo\n');
});

test('the handler value of the last step is the result; progress is reported clamped', async () => {
  const progress: number[] = [];
  const j = job([replay(0.01), handler('describe')], { attempt: 2, items: [3, 9] });
  const result = await executeJob(j, { signal: never, nowS, onProgress: (f) => progress.push(f) });
  assert.is(result.outcome, 'succeeded', result.error);
  assert.equal(result.value, { subtask: j.subtask, attempt: 2, items: [3, 9], inputs: [], aborted: false });
  const reported = await executeJob(job([handler('reportProgress')]), { signal: never, nowS, onProgress: (f) => progress.push(f) });
  assert.is(reported.value, 'reported');
  assert.equal(progress, [0.5, 1, 0]);
});

test('aborting the signal cancels: the process group is killed', async () => {
  const controller = new AbortController();
  const j = job([command('sh', '-c', 'sleep 30 & echo $! > pidfile; wait')]);
  const running = executeJob(j, { signal: controller.signal, nowS });
  const pidfile = join(j.stagingDir, 'pidfile');
  await eventually(() => {
    try {
      return readFileSync(pidfile, 'utf8').trim() !== '';
    } catch {
      return false;
    }
  }, 5_000, 'pidfile written');
  const pid = Number(readFileSync(pidfile, 'utf8'));
  controller.abort();
  const result = await running;
  assert.is(result.outcome, 'cancelled');
  await eventually(() => !processAlive(pid), 5_000, 'grandchild gone');
});

test('an already aborted signal runs nothing', async () => {
  const controller = new AbortController();
  controller.abort();
  const j = job([command('sh', '-c', 'touch ran')]);
  const result = await executeJob(j, { signal: controller.signal, nowS });
  assert.is(result.outcome, 'cancelled');
});

test('timeoutS: failed, "timed out after 0.2s", for a command and a handler that ignores its signal', async () => {
  const a = await executeJob(job([command('sleep', '30')], { timeoutS: 0.2 }), { signal: never, nowS });
  assert.is(a.outcome, 'failed');
  assert.is(a.error, 'timed out after 0.2s');
  const b = await executeJob(job([handler('waitForAbort')], { timeoutS: 0.2 }), { signal: never, nowS });
  assert.is(b.outcome, 'failed');
  assert.is(b.error, 'timed out after 0.2s');
});

test('a staging directory that cannot be made fails an attempt that needs one (a command); a replay needs none', async () => {
  const blocker = join(dir, 'file');
  writeFileSync(blocker, '');
  const lazy = await executeJob(job([replay(0)], { stagingDir: join(blocker, 'stage') }), { signal: never, nowS });
  assert.is(lazy.outcome, 'succeeded');
  assert.is(lazy.files, false);
  const result = await executeJob(job([{ kind: 'command', argv: ['true'] }], { stagingDir: join(blocker, 'stage') }), { signal: never, nowS });
  assert.is(result.outcome, 'failed');
  assert.ok(result.error?.includes('cannot create the staging directory'), result.error);
});

test('runCommand: an argument spawn refuses, an empty argv, killed by a signal', async () => {
  const opts = { cwd: dir, env: process.env, signal: never };
  const nul = await runCommand(['echo', 'a\u0000b'], opts);
  assert.is(nul.kind, 'failed');
  assert.is((await runCommand([], opts)).kind, 'failed');
  const killed = await runCommand(['sh', '-c', 'kill -9 $$'], opts);
  assert.is(killed.kind, 'failed');
  assert.ok(killed.kind === 'failed' && killed.error.includes('SIGKILL'), JSON.stringify(killed));
});

test('encodeInlineValue: undefined, small, too large (multi-byte counted in bytes), not JSON', () => {
  assert.equal(encodeInlineValue(undefined), {});
  assert.equal(encodeInlineValue({ a: 1 }), { json: '{"a":1}' });
  assert.ok('error' in encodeInlineValue('é'.repeat(40 * 1024)), '80 KB of UTF-8 in 40 K characters');
  assert.ok('json' in encodeInlineValue('é'.repeat(10 * 1024)));
  assert.ok('error' in encodeInlineValue(() => 1));
  assert.ok('error' in encodeInlineValue(10n));
});

test.run();
