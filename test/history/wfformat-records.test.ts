/**
 * WfFormat trace → run records: a task that cannot be a record (a runtime that is negative,
 * not a number, or missing; an id the specification lacks) is skipped and returned with its
 * path, and the other tasks still become records.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { wfformatRecords, wfformatRuns } from '../../src/history/wfformat-records.js';
import { formatPath } from '../../src/model/issues.js';
import { WFINSTANCES } from '../helpers/problems.js';

const test = suite('history: WfFormat trace → run records');

const SRASEARCH_001 = join(WFINSTANCES, 'pegasus', 'srasearch', 'srasearch-chameleon-10a-001.json');

interface Trace {
  workflow: { execution: { tasks: Array<Record<string, unknown>> } };
}
const trace = (): Trace => JSON.parse(readFileSync(SRASEARCH_001, 'utf8')) as Trace;

test('a sound trace: every executed task is a record, nothing skipped', () => {
  const runs = wfformatRuns(trace(), SRASEARCH_001);
  assert.is(runs.tasks, 22);
  assert.is(runs.records.length, 22);
  assert.equal(runs.skipped, []);
  assert.equal(wfformatRecords(trace(), SRASEARCH_001), runs.records);
});

test('bad tasks are skipped with their paths; the rest are records', () => {
  const doc = trace();
  const tasks = doc.workflow.execution.tasks;
  tasks[3]!.runtimeInSeconds = -5;
  tasks[5]!.runtimeInSeconds = 'fast';
  delete tasks[8]!.runtimeInSeconds;
  tasks[11]!.id = 'not-a-task';
  const runs = wfformatRuns(doc, 'trace.json');
  assert.is(runs.tasks, 22);
  assert.equal(runs.skipped.map((issue) => `${formatPath(issue.path)}: ${issue.message}`), [
    'workflow.execution.tasks[3].runtimeInSeconds: expected a finite number >= 0, received -5',
    'workflow.execution.tasks[5].runtimeInSeconds: expected a finite number >= 0, received "fast"',
    'workflow.execution.tasks[8].runtimeInSeconds: missing: no measured runtime to record',
    'workflow.execution.tasks[11].id: unknown task "not-a-task": not in workflow.specification.tasks',
  ]);
  assert.is(runs.records.length, 18);
  const skippedIds = new Set([3, 5, 8].map((i) => tasks[i]!.id));
  assert.ok(runs.records.every((r) => !skippedIds.has(r.stageId) && r.runtimeS >= 0));
  // A runtime of 0 is a measurement (a task too quick to time), not a skip.
  tasks[3]!.runtimeInSeconds = 0;
  assert.ok(wfformatRuns(doc, 'trace.json').records.some((r) => r.stageId === tasks[3]!.id && r.runtimeS === 0));
});

test.run();
