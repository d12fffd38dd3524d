/**
 * A stage's `run` field: a command or a JS handler, with an optional timeout and retry count.
 * Every malformed `run` is reported with its path; valid ones read into `StageRun` as written
 * (module kept relative: the dispatcher resolves it against the definition's directory).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseTaskDefinition } from '../../src/load/files.js';
import { formatIssues, formatPath, InputError, type InputIssue } from '../../src/model/issues.js';
import type { StageRun } from '../../src/model/types.js';
import { validateTaskDefinition } from '../../src/model/validate-task.js';
import { importWfFormat } from '../../src/model/wfformat.js';

/** A definition of three stages whose third (index 2) has `run`. */
const withRun = (run: unknown): unknown => ({
  stages: [
    { id: 'a', runtimeS: 1 },
    { id: 'b', runtimeS: 1, after: ['a'] },
    { id: 'c', runtimeS: 1, after: ['b'], run },
  ],
});

function issuesOf(document: unknown): InputIssue[] {
  try {
    validateTaskDefinition(document, 'task');
  } catch (error) {
    if (error instanceof InputError) return [...error.issues];
    throw error;
  }
  return [];
}

function runOf(run: unknown): StageRun | undefined {
  return validateTaskDefinition(withRun(run), 'task').stages[2]!.run;
}

const valid = suite('stage run: valid');

valid('a command is kept as written, placeholders included', () => {
  assert.equal(runOf({ command: ['./count.sh', '{start}', '{end}', '{out}'] }), { kind: 'command', command: ['./count.sh', '{start}', '{end}', '{out}'] });
});

valid('a module handler defaults its export to "default" and keeps the path relative', () => {
  assert.equal(runOf({ module: './handlers.js' }), { kind: 'module', module: './handlers.js', export: 'default' });
  assert.equal(runOf({ module: './handlers.js', export: 'parse', timeoutS: 30, retries: 2 }), { kind: 'module', module: './handlers.js', export: 'parse', timeoutS: 30, retries: 2 });
});

valid('timeoutS and retries at their limits', () => {
  assert.equal(runOf({ command: ['true'], timeoutS: 1e6, retries: 100 }), { kind: 'command', command: ['true'], timeoutS: 1e6, retries: 100 });
  assert.equal(runOf({ command: ['true'], timeoutS: 0.001, retries: 0 }), { kind: 'command', command: ['true'], timeoutS: 0.001, retries: 0 });
});

valid('a stage without run has run undefined (and a divisible stage may have one)', () => {
  const definition = validateTaskDefinition({ stages: [{ id: 'a', runtimeS: 1 }, { id: 'b', items: 100, runtimePerItemS: 0.1, run: { module: './h.js', export: 'chunk' } }] });
  assert.is(definition.stages[0]!.run, undefined);
  assert.not.ok('run' in definition.stages[0]!, 'no run key at all when not given');
  assert.equal(definition.stages[1]!.run, { kind: 'module', module: './h.js', export: 'chunk' });
});

valid('YAML reads the same', () => {
  const definition = parseTaskDefinition('stages:\n  - id: a\n    runtimeS: 5\n    run:\n      command: [sh, -c, "echo hi > $APPORTION_OUT/x"]\n      timeoutS: 60\n', 'task.yaml');
  assert.equal(definition.stages[0]!.run, { kind: 'command', command: ['sh', '-c', 'echo hi > $APPORTION_OUT/x'], timeoutS: 60 });
});

valid('a WfFormat import has no run on any stage', () => {
  const definition = importWfFormat({
    name: 'w',
    schemaVersion: '1.5',
    workflow: {
      specification: {
        tasks: [
          { name: 't_1', id: 't_1', parents: [], children: ['u_2'], inputFiles: [], outputFiles: ['f'] },
          { name: 'u_2', id: 'u_2', parents: ['t_1'], children: [], inputFiles: ['f'], outputFiles: [] },
        ],
        files: [{ id: 'f', sizeInBytes: 10 }],
      },
      execution: {
        makespanInSeconds: 3,
        executedAt: '2020-01-01T00:00:00Z',
        tasks: [
          { id: 't_1', runtimeInSeconds: 1 },
          { id: 'u_2', runtimeInSeconds: 2 },
        ],
      },
    },
  } as never);
  assert.ok(definition.stages.length >= 1);
  for (const stage of definition.stages) assert.is(stage.run, undefined);
});

valid.run();

interface Row {
  readonly name: string;
  readonly run: unknown;
  /** `code path` of every problem, path as formatPath prints it. */
  readonly expect: readonly string[];
  readonly message: readonly string[];
}

const rows: Row[] = [
  { name: 'neither command nor module', run: { timeoutS: 5 }, expect: ['missing_field stages[2].run'], message: ['expected exactly one of command, module'] },
  { name: 'both command and module', run: { command: ['x'], module: './h.js' }, expect: ['invalid_value stages[2].run'], message: ['expected exactly one of command, module'] },
  { name: 'command is a string', run: { command: 'make all' }, expect: ['wrong_type stages[2].run.command'], message: ['expected a non-empty array of strings', 'received "make all"'] },
  { name: 'command is empty', run: { command: [] }, expect: ['wrong_type stages[2].run.command'], message: ['expected a non-empty array of strings', 'received an empty array'] },
  { name: 'command holds a number', run: { command: ['sleep', 5] }, expect: ['wrong_type stages[2].run.command'], message: ['expected a non-empty array of strings', 'non-string element'] },
  { name: 'command with an empty program', run: { command: [''] }, expect: ['wrong_type stages[2].run.command'], message: ['empty program name'] },
  { name: 'misspelt command', run: { comand: ['x'] }, expect: ['unknown_field stages[2].run.comand', 'missing_field stages[2].run'], message: ['unknown field "comand" (did you mean "command"?)'] },
  { name: 'misspelt export', run: { module: './h.js', exprot: 'f' }, expect: ['unknown_field stages[2].run.exprot'], message: ['did you mean "export"'] },
  { name: 'export beside a command', run: { command: ['x'], export: 'f' }, expect: ['invalid_value stages[2].run.export'], message: ['only applies to a module handler'] },
  { name: 'module is empty', run: { module: '' }, expect: ['wrong_type stages[2].run.module'], message: ['expected a non-empty string'] },
  { name: 'export is a number', run: { module: './h.js', export: 3 }, expect: ['wrong_type stages[2].run.export'], message: ['expected a non-empty string'] },
  { name: 'timeoutS zero', run: { command: ['x'], timeoutS: 0 }, expect: ['invalid_number stages[2].run.timeoutS'], message: ['> 0'] },
  { name: 'timeoutS too large', run: { command: ['x'], timeoutS: 2e6 }, expect: ['invalid_number stages[2].run.timeoutS'], message: ['<= 1000000'] },
  { name: 'retries fractional and negative', run: { module: './h.js', retries: 1.5 }, expect: ['invalid_number stages[2].run.retries'], message: ['whole number'] },
  { name: 'retries above 100', run: { module: './h.js', retries: 101 }, expect: ['invalid_number stages[2].run.retries'], message: ['<= 100'] },
  { name: 'run is not an object', run: ['x'], expect: ['wrong_type stages[2].run'], message: ['expected an object, received an array'] },
  {
    name: 'several problems at once',
    run: { command: 'x', timeoutS: -1, retries: 'two', shell: true },
    expect: ['unknown_field stages[2].run.shell', 'invalid_number stages[2].run.timeoutS', 'wrong_type stages[2].run.retries', 'wrong_type stages[2].run.command'],
    message: ['unknown field "shell"'],
  },
];

const invalid = suite('stage run: malformed (table)');

for (const row of rows) {
  invalid(row.name, () => {
    const issues = issuesOf(withRun(row.run));
    const actual = issues.map((issue) => `${issue.code} ${formatPath(issue.path)}`).sort();
    assert.equal(actual, [...row.expect].sort(), `problems for "${row.name}":\n${formatIssues(issues)}`);
    const messages = issues.map((issue) => issue.message).join('\n');
    for (const fragment of row.message) assert.ok(messages.includes(fragment), `expected ${JSON.stringify(fragment)} in:\n${messages}`);
    for (const issue of issues) {
      assert.type(issue.expected, 'string');
      assert.type(issue.received, 'string');
    }
  });
}

invalid('the printed path points at the field', () => {
  const [issue, ...rest] = issuesOf(withRun({ command: [] }));
  assert.is(rest.length, 0);
  assert.is(`${formatPath(issue!.path)}: ${issue!.message}`.startsWith('stages[2].run.command: expected a non-empty array of strings'), true, issue!.message);
});

invalid.run();
