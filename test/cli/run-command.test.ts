/**
 * `apportion run` as a user meets it: the example job, a replayed trace, bad input (exit 2 with
 * the path), and faults with real processes: the dispatcher SIGKILLed and resumed, Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openRunJournal } from '../../src/history/journal.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/problems.js';

const test = suite('cli: apportion run');
const SQUARES = join(REPO_ROOT, 'examples/run/squares.json');
const LOG = join(REPO_ROOT, 'examples/log-analytics.json');
const HETERO = join(REPO_ROOT, 'examples/pools/hetero.json');
const HOMOGENEOUS = join(REPO_ROOT, 'examples/pools/homogeneous.json');
const BIN = join(REPO_ROOT, 'src/cli/bin.ts');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'apportion-run-cli-'));
}

test('the example job runs locally: every sub-task committed, the report on stdout, attempts in the history', async () => {
  const dir = tempDir();
  try {
    const history = join(dir, 'h.sqlite');
    const run = await runCli(['run', SQUARES, '--pools', HOMOGENEOUS, '--history', history, '--run-dir', join(dir, 'run'), '--gantt', join(dir, 'gantt.svg')]);
    assert.is(run.code, 0, run.stderr);
    assert.match(run.stdout, /succeeded/);
    assert.is(readFileSync(join(dir, 'run', 'out', 'report', 'report.txt'), 'utf8').trim(), '2666664666667000000');
    assert.match(readFileSync(join(dir, 'gantt.svg'), 'utf8'), /<svg[\s\S]*<\/svg>\s*$/);
    const journal = openRunJournal(history, { readonly: true });
    try {
      const [row] = journal.listRuns();
      assert.ok(row !== undefined && row.status === 'succeeded' && row.committed === row.attempts);
      const runs = await runCli(['runs', '--history', history]);
      assert.is(runs.code, 0, runs.stderr);
      assert.ok(runs.stdout.includes(row.runId));
      const shown = await runCli(['run', 'show', row.runId, '--history', history, '--format', 'json']);
      assert.is(shown.code, 0, shown.stderr);
      assert.is((JSON.parse(shown.stdout) as { committed: number }).committed, row.committed);
    } finally {
      journal.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a definition without run: a path error naming the stage unless --replay, which runs it', async () => {
  const dir = tempDir();
  try {
    const history = join(dir, 'h.sqlite');
    const refused = await runCli(['run', LOG, '--pools', HETERO, '--history', history, '--run-dir', join(dir, 'a')]);
    assert.is(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /stages\[0\]\.run/);
    assert.match(refused.stderr, /--replay/);
    assert.not.match(refused.stderr, /at .*\.ts:\d+/, 'no stack trace');
    const replayed = await runCli(['run', LOG, '--pools', HETERO, '--history', history, '--run-dir', join(dir, 'b'), '--replay', '--time-scale', '0.0002', '--format', 'json']);
    assert.is(replayed.code, 0, replayed.stderr);
    const report = JSON.parse(replayed.stdout) as { status: string; committed: number; subtasks: number };
    assert.is(report.status, 'succeeded');
    assert.is(report.committed, report.subtasks);
    // The profiler sees the run's attempts.
    const fit = await runCli(['profile', 'fit', '--history', history]);
    assert.is(fit.code, 0, fit.stderr);
    assert.match(fit.stdout, /parse-logs/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input is exit 2 with the path: missing handler export, unknown resume id, unwritable run dir, time scale without replay', async () => {
  const dir = tempDir();
  try {
    const history = join(dir, 'h.sqlite');
    const task = JSON.parse(readFileSync(SQUARES, 'utf8')) as { stages: { run: Record<string, unknown> }[] };
    task.stages[0]!.run = { module: join(REPO_ROOT, 'examples/run/handlers.js'), export: 'sumOfSqares' };
    const badExport = join(dir, 'bad-export.json');
    writeFileSync(badExport, JSON.stringify(task));
    const a = await runCli(['run', badExport, '--pools', HOMOGENEOUS, '--history', history, '--run-dir', join(dir, 'r1')]);
    assert.is(a.code, 2, a.stderr);
    assert.match(a.stderr, /stages\[0\]\.run\.export/);
    assert.match(a.stderr, /did you mean "sumOfSquares"/);

    task.stages[0]!.run = { module: './no-such-handlers.js', export: 'x' };
    writeFileSync(badExport, JSON.stringify(task));
    const b = await runCli(['run', badExport, '--pools', HOMOGENEOUS, '--history', history, '--run-dir', join(dir, 'r2')]);
    assert.is(b.code, 2, b.stderr);
    assert.match(b.stderr, /handler module not found: \S*no-such-handlers\.js\n\s*→ at stages\[0\]\.run\.module/);

    const c = await runCli(['run', SQUARES, '--pools', HOMOGENEOUS, '--history', history, '--resume', 'r-nope']);
    assert.is(c.code, 2, c.stderr);
    assert.match(c.stderr, /no run "r-nope"/);

    const blocker = join(dir, 'file');
    writeFileSync(blocker, 'x');
    const d = await runCli(['run', SQUARES, '--pools', HOMOGENEOUS, '--history', history, '--run-dir', join(blocker, 'run')]);
    assert.is(d.code, 2, d.stderr);
    assert.match(d.stderr, /cannot create the run directory/);

    const e = await runCli(['run', SQUARES, '--pools', HOMOGENEOUS, '--time-scale', '0.1']);
    assert.is(e.code, 2);
    assert.match(e.stderr, /--time-scale needs --replay/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The real CLI in a child process; `act` is called on each stderr chunk with the process, to kill or interrupt it. */
function cli(args: readonly string[], act?: (stderr: string, child: ReturnType<typeof spawn>) => void, limitMs = 60_000): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      act?.(stderr, child);
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Waits (bounded) until the run has at least `n` commits in the journal, then calls `then`. */
function whenCommitted(history: string, n: number, then: () => void): void {
  const started = Date.now();
  const poll = setInterval(() => {
    if (Date.now() - started > 30_000) {
      clearInterval(poll);
      then();
      return;
    }
    if (!existsSync(history)) return;
    try {
      const journal = openRunJournal(history, { readonly: true });
      const [row] = journal.listRuns();
      journal.close();
      if (row !== undefined && row.committed >= n) {
        clearInterval(poll);
        then();
      }
    } catch {
      // the store is being created
    }
  }, 50);
}

test('SIGKILL of the dispatcher, then --resume: committed sub-tasks are not run again and every sub-task commits exactly once', async () => {
  const dir = tempDir();
  try {
    const history = join(dir, 'h.sqlite');
    const args = ['run', LOG, '--pools', HETERO, '--history', history, '--run-dir', join(dir, 'run'), '--replay', '--time-scale', '0.01'];
    let killed = false;
    const first = await cli(args, (_stderr, child) => {
      if (killed) return;
      killed = true;
      whenCommitted(history, 40, () => child.kill('SIGKILL'));
    });
    assert.is(first.signal, 'SIGKILL', `the first run ended by itself: ${first.stderr}`);
    const before = openRunJournal(history, { readonly: true });
    const [row] = before.listRuns();
    const committedBefore = new Map(before.commits(row!.runId).map((c) => [c.subtaskId, c.attempt]));
    before.close();
    assert.ok(committedBefore.size >= 40 && committedBefore.size < 225, `${committedBefore.size} committed before the kill`);

    const resumed = await cli([...args.filter((a, i) => !(a === '--run-dir' || args[i - 1] === '--run-dir')), '--resume', row!.runId, '--format', 'json']);
    assert.is(resumed.code, 0, resumed.stderr);
    const journal = openRunJournal(history, { readonly: true });
    try {
      const commits = journal.commits(row!.runId);
      const plan = journal.findRun(row!.runId)!.plan as { subtasks: { id: string }[] };
      assert.is(commits.length, plan.subtasks.length);
      assert.is(new Set(commits.map((c) => c.subtaskId)).size, commits.length, 'one commit per sub-task');
      const attempts = journal.attempts(row!.runId);
      for (const [id, attempt] of committedBefore) {
        const later = attempts.filter((a) => (a.subtaskId ?? a.stageId) === id && a.attempt > attempt);
        assert.equal(later, [], `${id} was committed before the kill and ran again`);
      }
      const succeeded = attempts.filter((a) => a.outcome === 'succeeded');
      assert.is(new Set(succeeded.map((a) => a.subtaskId ?? a.stageId)).size, plan.subtasks.length);
    } finally {
      journal.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Ctrl-C stops the run cleanly (exit 130, resumable), and a resume against a changed definition is refused', async () => {
  const dir = tempDir();
  try {
    const history = join(dir, 'h.sqlite');
    const task = join(dir, 'log.json');
    writeFileSync(task, readFileSync(LOG, 'utf8'));
    const args = ['run', task, '--pools', HETERO, '--history', history, '--replay', '--time-scale', '0.01'];
    let sent = false;
    const stopped = await cli([...args, '--run-dir', join(dir, 'run')], (_stderr, child) => {
      if (sent) return;
      sent = true;
      whenCommitted(history, 20, () => child.kill('SIGINT'));
    });
    assert.is(stopped.code, 130, stopped.stderr);
    assert.match(stopped.stderr, /--resume r/);
    const journal = openRunJournal(history, { readonly: true });
    const [row] = journal.listRuns();
    const attempts = journal.attempts(row!.runId);
    journal.close();
    assert.is(row!.status, 'stopped');
    assert.ok(attempts.some((a) => a.outcome === 'cancelled'), 'running attempts were cancelled and recorded');
    // Staging holds nothing half-written.
    assert.ok(!existsSync(join(dir, 'run', 'staging')) || readdirSync(join(dir, 'run', 'staging')).length === 0);

    writeFileSync(task, readFileSync(LOG, 'utf8').replace('"runtimeS": 300', '"runtimeS": 301'));
    const refused = await runCli([...args, '--resume', row!.runId]);
    assert.is(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /started with another task definition/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();

