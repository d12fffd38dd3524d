import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../src/model/issues.js';
import { importWfFormat } from '../../src/model/wfformat.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT, WFINSTANCES } from '../helpers/problems.js';

const test = suite('WfFormat: a recorded runtime that is negative or not a number is reported, never silently dropped');
const TRACE = join(WFINSTANCES, 'helloworld/helloworld-forkjoin-10-chameleon.json');
const scratch = mkdtempSync(join(tmpdir(), 'apportion-wf-'));

/** The trace with tasks 2 and 5's runtimes made bad (negative, a string). */
function badTrace(): { path: string; ids: string[] } {
  const doc = JSON.parse(readFileSync(TRACE, 'utf8')) as { workflow: { execution: { tasks: Array<{ id: string; runtimeInSeconds: unknown }> } } };
  const tasks = doc.workflow.execution.tasks;
  tasks[2]!.runtimeInSeconds = -5;
  tasks[5]!.runtimeInSeconds = 'fast';
  const path = join(scratch, 'bad-runtimes.json');
  writeFileSync(path, JSON.stringify(doc));
  return { path, ids: [tasks[2]!.id, tasks[5]!.id] };
}

test('plan: an error with the path of each bad runtime', () => {
  const { path } = badTrace();
  try {
    importWfFormat(JSON.parse(readFileSync(path, 'utf8')), path);
    assert.unreachable('accepted bad runtimes');
  } catch (error) {
    assert.instance(error, InputError);
    const issues = (error as InputError).issues;
    assert.equal(issues.map((i) => i.path.join('.')), ['workflow.execution.tasks.2.runtimeInSeconds', 'workflow.execution.tasks.5.runtimeInSeconds']);
    assert.match(issues[0]!.message, 'expected a finite number >= 0, received -5');
  }
});

test('plan through the CLI: exit 2 naming the field', async () => {
  const { path } = badTrace();
  const run = await runCli(['plan', path, '--pools', join(REPO_ROOT, 'examples/pools/hetero.json')]);
  assert.is(run.code, 2);
  assert.match(run.stderr, /→ at workflow\.execution\.tasks\[2\]\.runtimeInSeconds/);
});

test('a trace without runtimes at all is still a partial definition that plans', () => {
  const doc = JSON.parse(readFileSync(TRACE, 'utf8')) as { workflow: { execution: { tasks: Array<Record<string, unknown>> } } };
  for (const task of doc.workflow.execution.tasks) delete task.runtimeInSeconds;
  assert.is(importWfFormat(doc, 'no-runtimes.json').stages.length, 10);
});

test('history import: the tasks are skipped, counted and each reported with its path', async () => {
  const { path, ids } = badTrace();
  const run = await runCli(['history', 'import', path, '--history', join(scratch, 'h.sqlite')]);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /^imported 8 records of 10 executed tasks \(0 already present\)/m);
  assert.match(run.stderr, /skipped 2 tasks with an unusable recorded runtime/);
  for (const id of ids) assert.match(run.stderr, `task "${id}"`);
  assert.match(run.stderr, /→ at workflow\.execution\.tasks\[5\]\.runtimeInSeconds/);
});

test.run();
