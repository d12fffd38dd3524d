/**
 * `apportion history import|show`: real WfInstances traces into a store, idempotent re-import,
 * a bad file in the middle of a list, tasks skipped for their runtimes (with paths), refused
 * history files, usage errors and exit codes.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openHistory } from '../../src/history/store.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT, WFINSTANCES } from '../helpers/problems.js';
import { inTempDir, sha256 } from './helpers.js';

const test = suite('history: the history command');

const SRASEARCH = ['001', '002', '003', '004'].map((n) => join(WFINSTANCES, 'pegasus', 'srasearch', `srasearch-chameleon-10a-${n}.json`));
/** Executed tasks in each srasearch 10a trace. */
const TASKS_PER_TRACE = 22;

function storedCount(path: string): number {
  const store = openHistory(path, { readonly: true });
  try {
    return store.count();
  } finally {
    store.close();
  }
}

test('the srasearch traces are there', () => {
  for (const file of SRASEARCH) assert.ok(existsSync(file), file);
  const tasks = (JSON.parse(readFileSync(SRASEARCH[0]!, 'utf8')) as { workflow: { execution: { tasks: unknown[] } } }).workflow.execution.tasks;
  assert.is(tasks.length, TASKS_PER_TRACE);
});

test('import four traces: one line per file and a total; re-import adds nothing', () =>
  inTempDir(async (dir) => {
    const history = join(dir, 'data', 'history.sqlite');
    const first = await runCli(['history', 'import', ...SRASEARCH, '--history', history]);
    assert.is(first.code, 0, first.stderr);
    assert.is(first.stderr, '');
    assert.is(first.stdout, [
      ...SRASEARCH.map((file) => `imported ${TASKS_PER_TRACE} records (0 already present) from ${file}`),
      `total: ${4 * TASKS_PER_TRACE} records imported (0 already present) from 4 files into ${history}`,
      '',
    ].join('\n'));
    assert.is(storedCount(history), 4 * TASKS_PER_TRACE);

    const again = await runCli(['history', 'import', ...SRASEARCH, '--history', history]);
    assert.is(again.code, 0, again.stderr);
    for (const file of SRASEARCH) assert.ok(again.stdout.includes(`imported 0 records (${TASKS_PER_TRACE} already present) from ${file}\n`), again.stdout);
    assert.match(again.stdout, new RegExp(`total: 0 records imported \\(${4 * TASKS_PER_TRACE} already present\\) from 4 files`));
    assert.is(storedCount(history), 4 * TASKS_PER_TRACE);
  }));

test('imported records: one job per trace, every one succeeded, measured runtimes and machine classes', () =>
  inTempDir(async (dir) => {
    const history = join(dir, 'history.sqlite');
    assert.is((await runCli(['history', 'import', ...SRASEARCH.slice(0, 2), '--history', history])).code, 0);
    const store = openHistory(history, { readonly: true });
    const records = [...store.records()];
    const summary = store.summary();
    store.close();
    assert.is(summary.records, 2 * TASKS_PER_TRACE);
    assert.is(summary.jobs, 2);
    assert.equal(summary.byOutcome, { succeeded: 2 * TASKS_PER_TRACE, failed: 0, interrupted: 0, cancelled: 0 });
    assert.ok(records.every((r) => r.runtimeS > 0 && r.poolClass !== 'unknown' && r.attempt === 1), JSON.stringify(records[0]));
  }));

test('show: path, records per outcome, jobs and ops; an absent store is reported as not created (and stays absent)', () =>
  inTempDir(async (dir) => {
    const history = join(dir, 'history.sqlite');
    const absent = await runCli(['history', 'show', '--history', history]);
    assert.is(absent.code, 0, absent.stderr);
    assert.match(absent.stdout, /not created yet/);
    assert.match(absent.stdout, /records: 0/);
    assert.not.ok(existsSync(history));

    await runCli(['history', 'import', ...SRASEARCH, '--history', history]);
    const shown = await runCli(['history', 'stats', '--history', history]);
    assert.is(shown.code, 0, shown.stderr);
    const store = openHistory(history, { readonly: true });
    const ops = new Set([...store.records()].map((r) => r.op));
    store.close();
    assert.ok(ops.size >= 2, [...ops].join(', '));
    assert.is(shown.stdout, `history store: ${history}\nrecords: ${4 * TASKS_PER_TRACE} (succeeded ${4 * TASKS_PER_TRACE}, failed 0, interrupted 0, cancelled 0)\njobs: 4\nops: ${ops.size}\n`);
  }));

test('$APPORTION_HISTORY is the store when --history is not given', () =>
  inTempDir(async (dir) => {
    const history = join(dir, 'from-env.sqlite');
    const saved = process.env.APPORTION_HISTORY;
    process.env.APPORTION_HISTORY = history;
    try {
      const run = await runCli(['history', 'import', SRASEARCH[0]!]);
      assert.is(run.code, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`into ${history.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n$`));
    } finally {
      if (saved === undefined) delete process.env.APPORTION_HISTORY;
      else process.env.APPORTION_HISTORY = saved;
    }
    assert.is(storedCount(history), TASKS_PER_TRACE);
  }));

test('a bad file in the middle: exit 2, its path and problem, the files before it kept, the rest not imported', () =>
  inTempDir(async (dir) => {
    const history = join(dir, 'history.sqlite');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"workflow": {');
    const run = await runCli(['history', 'import', SRASEARCH[0]!, SRASEARCH[1]!, bad, SRASEARCH[2]!, '--history', history]);
    assert.is(run.code, 2);
    assert.is(run.stdout, `imported ${TASKS_PER_TRACE} records (0 already present) from ${SRASEARCH[0]}\nimported ${TASKS_PER_TRACE} records (0 already present) from ${SRASEARCH[1]}\n`);
    assert.match(run.stderr, `${bad}: 1 problem\n✖ malformed JSON`);
    assert.ok(run.stderr.endsWith(`✖ import stopped at ${bad}: the 2 files before it stay imported (${2 * TASKS_PER_TRACE} new records); ${bad} and the file after it were not imported\n`), run.stderr);
    assert.is(storedCount(history), 2 * TASKS_PER_TRACE);
  }));

test('a missing trace and a task definition that is not a trace: exit 2 with the file named', () =>
  inTempDir(async (dir) => {
    const history = join(dir, 'history.sqlite');
    const missing = join(dir, 'nope.json');
    const gone = await runCli(['history', 'import', missing, '--history', history]);
    assert.is(gone.code, 2);
    assert.match(gone.stderr, `cannot read ${missing}: no such file`);
    assert.not.match(gone.stderr, /import stopped/); // a single file needs no note about the others

    const definition = join(REPO_ROOT, 'examples', 'log-analytics.json');
    const notTrace = await runCli(['history', 'import', definition, '--history', history]);
    assert.is(notTrace.code, 2);
    assert.match(notTrace.stderr, `${definition}: 1 problem\n✖ not a WfFormat trace`);
    assert.is(storedCount(history), 0);
  }));

test('a history file that is not a store: exit 2, "left untouched", the file unchanged, no trace read', () =>
  inTempDir(async (dir) => {
    const history = join(dir, 'history.sqlite');
    writeFileSync(history, 'not a database at all, just some text that is long enough to look like a file\n');
    const before = sha256(history);
    for (const args of [['import', SRASEARCH[0]!], ['show']]) {
      const run = await runCli(['history', ...args, '--history', history]);
      assert.is(run.code, 2);
      assert.is(run.stdout, '');
      assert.match(run.stderr, `${history}: 1 problem\n✖ not a SQLite database (corrupt, or another kind of file); left untouched — pass --history to use another file`);
      assert.is(sha256(history), before);
    }
  }));

test('a task with a negative runtime is skipped with a warning naming its path; the summary counts it; re-import is idempotent', () =>
  inTempDir(async (dir) => {
    const history = join(dir, 'history.sqlite');
    const doc = JSON.parse(readFileSync(SRASEARCH[0]!, 'utf8')) as { workflow: { execution: { tasks: Array<Record<string, unknown>> } } };
    doc.workflow.execution.tasks[3]!.runtimeInSeconds = -5;
    const trace = join(dir, 'trace.json');
    writeFileSync(trace, JSON.stringify(doc));
    const warning = `⚠ ${trace}: skipped 1 task (no run record made for it): workflow.execution.tasks[3].runtimeInSeconds: expected a finite number >= 0, received -5\n`;
    const run = await runCli(['history', 'import', trace, SRASEARCH[1]!, '--history', history]);
    assert.is(run.code, 0, run.stderr);
    assert.is(run.stderr, warning);
    assert.is(run.stdout, [
      `imported ${TASKS_PER_TRACE - 1} of ${TASKS_PER_TRACE} tasks (${TASKS_PER_TRACE - 1} new records, 0 already present; 1 skipped) from ${trace}`,
      `imported ${TASKS_PER_TRACE} records (0 already present) from ${SRASEARCH[1]}`,
      `total: ${2 * TASKS_PER_TRACE - 1} records imported (0 already present; 1 task skipped) from 2 files into ${history}`,
      '',
    ].join('\n'));
    assert.is(storedCount(history), 2 * TASKS_PER_TRACE - 1);

    const again = await runCli(['history', 'import', trace, '--history', history]);
    assert.is(again.code, 0, again.stderr);
    assert.is(again.stderr, warning);
    assert.ok(again.stdout.startsWith(`imported ${TASKS_PER_TRACE - 1} of ${TASKS_PER_TRACE} tasks (0 new records, ${TASKS_PER_TRACE - 1} already present; 1 skipped) from ${trace}\n`), again.stdout);
    assert.is(storedCount(history), 2 * TASKS_PER_TRACE - 1);
  }));

test('several skipped tasks get a line each, past ten a count', () =>
  inTempDir(async (dir) => {
    const history = join(dir, 'history.sqlite');
    const doc = JSON.parse(readFileSync(SRASEARCH[0]!, 'utf8')) as { workflow: { execution: { tasks: Array<Record<string, unknown>> } } };
    doc.workflow.execution.tasks.slice(0, 12).forEach((task, i) => (task.runtimeInSeconds = i === 0 ? 'n/a' : -i));
    const trace = join(dir, 'trace.json');
    writeFileSync(trace, JSON.stringify(doc));
    const run = await runCli(['history', 'import', trace, '--history', history]);
    assert.is(run.code, 0, run.stderr);
    const lines = run.stderr.trimEnd().split('\n');
    assert.is(lines[0], `⚠ ${trace}: skipped 12 tasks (no run record made for them):`);
    assert.is(lines[1], '  workflow.execution.tasks[0].runtimeInSeconds: expected a finite number >= 0, received "n/a"');
    assert.is(lines[10], '  workflow.execution.tasks[9].runtimeInSeconds: expected a finite number >= 0, received -9');
    assert.is(lines[11], '  and 2 more');
    assert.is(lines.length, 12);
    assert.match(run.stdout, `imported ${TASKS_PER_TRACE - 12} of ${TASKS_PER_TRACE} tasks`);
    assert.is(storedCount(history), TASKS_PER_TRACE - 12);
  }));

test('usage: help, unknown subcommands and options, missing or extra arguments', async () => {
  const bare = await runCli(['history']);
  assert.is(bare.code, 2);
  assert.match(bare.stdout, /apportion history import <wfformat\.json>\.\.\./);
  for (const args of [['history', '--help'], ['history', 'import', '-h']]) {
    const help = await runCli(args);
    assert.is(help.code, 0);
    assert.match(help.stdout, /--history FILE/);
  }
  const cases: [string[], string][] = [
    [['history', 'sho'], 'unknown history command "sho" (did you mean show?)'],
    [['history', 'import', '--histroy', 'x'], 'unknown option --histroy (did you mean --history?)'],
    [['history', 'import', '--history', 'x.sqlite'], 'history import needs at least one WfFormat trace file'],
    [['history', 'show', 'extra.json'], 'history show takes no files, received: extra.json'],
    [['history', 'show', '--history', ''], '--history: expected a file path, received ""'],
  ];
  for (const [args, message] of cases) {
    const run = await runCli(args);
    assert.is(run.code, 2, args.join(' '));
    assert.ok(run.stderr.startsWith(`✖ ${message}\n`), run.stderr);
  }
});

test.run();
