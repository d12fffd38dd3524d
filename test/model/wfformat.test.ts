/**
 * WfFormat (WfCommons WfInstances) import: every stored instance imports and assembles, ops are
 * task names without ids, edge bytes are the shared file sizes, bad files report paths.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseTaskDefinition } from '../../src/load/files.js';
import type { Dag } from '../../src/model/graph.js';
import { formatIssues, formatPath, InputError, type InputIssue } from '../../src/model/issues.js';
import { assembleProblem } from '../../src/model/problem.js';
import { validateResourceMap } from '../../src/model/validate-pools.js';
import { importWfFormat, opOf } from '../../src/model/wfformat.js';
import { runCli } from '../helpers/cli.js';
import { wfInstanceFiles } from '../helpers/problems.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const INSTANCES = resolve(ROOT, '../shared/data/wfinstances');
const HETERO = validateResourceMap(JSON.parse(readFileSync(resolve(ROOT, 'examples/pools/hetero.json'), 'utf8')) as unknown);

interface WfTaskSpec {
  id: string;
  name: string;
  parents: string[];
  inputFiles: string[];
  outputFiles: string[];
}
interface WfDocument {
  schemaVersion: string;
  workflow: {
    specification: { tasks: WfTaskSpec[]; files: Array<{ id: string; sizeInBytes: number }> };
    execution: { tasks: Array<{ id: string; runtimeInSeconds?: unknown; command?: { program?: string } }> };
  };
}

const files = wfInstanceFiles(INSTANCES);
const read = (path: string): { text: string; doc: WfDocument } => {
  const text = readFileSync(path, 'utf8');
  return { text, doc: JSON.parse(text) as WfDocument };
};
const HELLO_CHAIN = join(INSTANCES, 'helloworld/helloworld-chain-5-chameleon.json');

function edgeBytes(dag: Dag, u: number, v: number): number | undefined {
  for (let e = dag.succStart[u]!; e < dag.succStart[u + 1]!; e++) if (dag.succIndex[e] === v) return dag.succBytes[e];
  return undefined;
}

/** Issues thrown by parseTaskDefinition for a (modified) WfFormat document. */
function issuesOf(doc: unknown, source = 'broken.json'): InputIssue[] {
  try {
    parseTaskDefinition(JSON.stringify(doc), source);
  } catch (error) {
    if (error instanceof InputError) return [...error.issues];
    throw error;
  }
  assert.unreachable('expected an InputError');
  return [];
}
const paths = (issues: readonly InputIssue[]): string[] => issues.map((i) => `${i.code} ${formatPath(i.path)}`).sort();
const clone = (doc: WfDocument): WfDocument => structuredClone(doc);

// ── every stored instance ─────────────────────────────────────────────────────────────────
const instances = suite('wfformat: every WfInstances file imports');

instances('finds the instances', () => {
  assert.ok(files.length >= 10, `found ${files.length} files under ${INSTANCES}`);
  assert.ok(files.includes(HELLO_CHAIN));
});

for (const path of files) {
  const name = relative(INSTANCES, path);
  instances(name, () => {
    const { text, doc } = read(path);
    // The atomic import (bags are tested in bags.test.ts).
    const definition = parseTaskDefinition(text, path, { bags: false });
    const tasks = doc.workflow.specification.tasks;
    const programs = new Map(doc.workflow.execution.tasks.map((t) => [t.id, t.command?.program]));
    assert.is(definition.origin, 'wfformat');
    assert.is(definition.stages.length, tasks.length, 'one stage per workflow.specification.tasks entry');
    definition.stages.forEach((stage, i) => {
      const task = tasks[i]!;
      assert.is(stage.id, task.id);
      assert.equal(stage.after, task.parents);
      const program = programs.get(task.id);
      assert.is(stage.op, opOf(task.name, program !== undefined && /^[\w.+-]+$/.test(program) ? program : undefined));
      assert.not.match(stage.op, /_(ID)?\d+$/, `op of ${stage.id} still carries an id`);
    });
    const problem = assembleProblem(definition, HETERO);
    assert.is(problem.stages.nodeCount, tasks.length);
    assert.is(problem.stages.order.length, tasks.length);
    const parentEdges = new Set(tasks.flatMap((t) => t.parents.map((p) => `${p}→${t.id}`))).size;
    assert.ok(problem.stages.edgeCount >= parentEdges, 'every parent link is an edge');
  });
}

instances.run();

// ── op names and edge bytes ───────────────────────────────────────────────────────────────
const details = suite('wfformat: ops, runtimes and edge bytes');

details('op names are task names without the trailing id', () => {
  const montage = parseTaskDefinition(read(join(INSTANCES, 'pegasus/montage/montage-chameleon-2mass-01d-001.json')).text, 'montage.json');
  const project = montage.stages.find((s) => s.id === 'mProject_ID0000001');
  assert.ok(project !== undefined);
  assert.is(project!.op, 'mProject');
  assert.ok(montage.stages.filter((s) => s.op === 'mProject').length > 1, 'all mProject tasks share one op');
  const chain = parseTaskDefinition(read(HELLO_CHAIN).text, 'chain.json');
  assert.equal([...new Set(chain.stages.map((s) => s.op))], ['cpuhog_chain']);
  assert.is(opOf('blastall_ID000002'), 'blastall');
  assert.is(opOf('cpuhog_chain_00000001'), 'cpuhog_chain');
  assert.is(opOf('NFCORE_X.FASTQC'), 'NFCORE_X.FASTQC');
});

details('epigenomics: jobs named <program>_<program>_<sample> share the program as op', () => {
  const { text, doc } = read(join(INSTANCES, 'pegasus/epigenomics/epigenomics-chameleon-hep-1seq-100k-001.json'));
  const definition = parseTaskDefinition(text, 'epigenomics.json');
  const ops = new Set(definition.stages.map((s) => s.op));
  const programs = new Set(doc.workflow.execution.tasks.map((t) => t.command?.program));
  assert.ok(ops.size < 15, `${ops.size} ops for ${definition.stages.length} tasks`);
  for (const op of ops) assert.ok(programs.has(op), `op ${op} is a recorded program`);
  assert.ok(definition.stages.filter((s) => s.op === 'fast2bfq').length > 1);
});

details('helloworld chain: edge bytes are the sizes of the files the parent writes and the child reads', () => {
  const { text, doc } = read(HELLO_CHAIN);
  const tasks = doc.workflow.specification.tasks;
  const sizes = new Map(doc.workflow.specification.files.map((f) => [f.id, f.sizeInBytes]));
  const child = tasks.findIndex((t) => t.parents.length > 0);
  const parent = tasks.findIndex((t) => t.id === tasks[child]!.parents[0]);
  assert.ok(child >= 0 && parent >= 0);
  const shared = tasks[parent]!.outputFiles.filter((f) => tasks[child]!.inputFiles.includes(f));
  assert.ok(shared.length > 0, 'the chain passes a file from parent to child');
  const expected = shared.reduce((sum, f) => sum + sizes.get(f)!, 0);
  assert.ok(expected > 0);

  const problem = assembleProblem(parseTaskDefinition(text, 'chain.json'), HETERO);
  assert.is(edgeBytes(problem.stages, parent, child), expected);
  // A chain: every edge carries the one file between neighbours.
  assert.is(problem.stages.edgeCount, tasks.length - 1);
});

details('helloworld chain: runtimes come from the execution record (one machine, so unscaled)', () => {
  const { text, doc } = read(HELLO_CHAIN);
  const definition = parseTaskDefinition(text, 'chain.json');
  const runtimes = new Map(doc.workflow.execution.tasks.map((t) => [t.id, t.runtimeInSeconds]));
  for (const stage of definition.stages) {
    assert.is(stage.kind, 'atomic');
    if (stage.kind === 'atomic') assert.is(stage.runtimeS, runtimes.get(stage.id));
  }
  assert.equal(assembleProblem(definition, HETERO).provisional, []);
});

details.run();

// ── malformed WfFormat ───────────────────────────────────────────────────────────────────
const malformed = suite('wfformat: malformed files report paths');

malformed('unknown parent id → workflow.specification.tasks[i].parents[j]', () => {
  const doc = clone(read(HELLO_CHAIN).doc);
  const tasks = doc.workflow.specification.tasks;
  const i = tasks.findIndex((t) => t.parents.length > 0);
  const real = tasks[i]!.parents[0]!;
  tasks[i]!.parents[0] = real.replace(/0(\d)$/, '$1'); // drop a zero: cpuhog_chain_0000001
  const issues = issuesOf(doc);
  assert.equal(paths(issues), [`unknown_reference workflow.specification.tasks[${i}].parents[0]`], formatIssues(issues));
  assert.ok(issues[0]!.message.includes(`unknown task "${tasks[i]!.parents[0]}" (did you mean "${real}"?)`), issues[0]!.message);
  assert.ok(formatIssues(issues).includes(`  → at workflow.specification.tasks[${i}].parents[0]`));
});

malformed('several problems at once: missing id, unknown parent, unknown file', () => {
  const doc = clone(read(HELLO_CHAIN).doc);
  const tasks = doc.workflow.specification.tasks as unknown as Array<Record<string, unknown>>;
  delete tasks[0]!.id;
  (tasks[2]!.parents as string[])[0] = 'nope';
  (tasks[3]!.inputFiles as string[])[0] = 'missing.txt';
  const issues = issuesOf(doc);
  assert.equal(
    paths(issues),
    [
      'missing_field workflow.specification.tasks[0].id',
      'unknown_reference workflow.specification.tasks[1].parents[0]', // its parent was tasks[0], now without id
      'unknown_reference workflow.specification.tasks[2].parents[0]',
      'unknown_reference workflow.specification.tasks[3].inputFiles[0]',
    ],
    formatIssues(issues),
  );
});

malformed('duplicate task id and a dependency cycle', () => {
  const doc = clone(read(HELLO_CHAIN).doc);
  const tasks = doc.workflow.specification.tasks;
  tasks[0]!.parents = [tasks[4]!.id];
  const issues = issuesOf(doc);
  assert.equal(paths(issues), ['cycle workflow.specification.tasks[0].parents[0]'], formatIssues(issues));
  const ids = [0, 1, 2, 3, 4, 0].map((k) => tasks[k]!.id);
  assert.ok(issues[0]!.message.includes(`dependency cycle: ${ids.join(' → ')}`), issues[0]!.message);

  const dup = clone(read(HELLO_CHAIN).doc);
  dup.workflow.specification.tasks[3]!.id = dup.workflow.specification.tasks[1]!.id;
  const dupIssues = issuesOf(dup);
  assert.ok(paths(dupIssues).includes('duplicate_id workflow.specification.tasks[3].id'), formatIssues(dupIssues));
});

malformed('no tasks, and a file without workflow.specification', () => {
  const empty = clone(read(HELLO_CHAIN).doc);
  empty.workflow.specification.tasks = [];
  assert.equal(paths(issuesOf(empty)), ['empty_graph workflow.specification.tasks']);

  const old = { schemaVersion: '1.4', name: 'old', workflow: { tasks: [{ name: 'a', type: 'compute', parents: [], files: [] }] } };
  const issues = issuesOf(old);
  assert.equal(paths(issues), ['missing_field workflow.specification']);
  assert.ok(issues[0]!.message.includes('1.5'), issues[0]!.message);
});

malformed('unsupported or missing schemaVersion', () => {
  const doc = { ...clone(read(HELLO_CHAIN).doc), schemaVersion: '2.0' };
  assert.equal(paths(issuesOf(doc)), ['invalid_value schemaVersion']);
  const { schemaVersion: _dropped, ...unversioned } = clone(read(HELLO_CHAIN).doc);
  assert.equal(paths(issuesOf(unversioned)), ['missing_field schemaVersion'], 'a file with "workflow" and no "stages" is read as WfFormat');
});

malformed.run();

// ── recorded runtimes ─────────────────────────────────────────────────────────────────────
const runtimes = suite('wfformat: recorded runtimes are numbers >= 0 or absent');

/** The hello chain with its execution records in reverse order, so an execution index is not a specification index. */
function reversedChain(): WfDocument {
  const doc = clone(read(HELLO_CHAIN).doc);
  doc.workflow.execution.tasks.reverse();
  return doc;
}

runtimes('a negative, a string and a null runtime: each a problem at workflow.execution.tasks[i].runtimeInSeconds', () => {
  const doc = reversedChain();
  const tasks = doc.workflow.execution.tasks;
  tasks[1]!.runtimeInSeconds = -5;
  tasks[2]!.runtimeInSeconds = '12';
  tasks[4]!.runtimeInSeconds = null;
  const issues = issuesOf(doc);
  assert.equal(
    issues.map((i) => `${i.code} ${formatPath(i.path)}: ${i.message}`),
    [
      'invalid_number workflow.execution.tasks[1].runtimeInSeconds: expected a finite number >= 0, received -5',
      'wrong_type workflow.execution.tasks[2].runtimeInSeconds: expected a finite number >= 0, received "12"',
      'wrong_type workflow.execution.tasks[4].runtimeInSeconds: expected a finite number >= 0, received null',
    ],
    formatIssues(issues),
  );
});

runtimes('a missing runtime is still allowed (a partial definition): that stage has no estimate, the others keep theirs', () => {
  const doc = reversedChain();
  const missing = doc.workflow.execution.tasks[1]!;
  delete missing.runtimeInSeconds;
  const definition = parseTaskDefinition(JSON.stringify(doc), 'partial.json');
  for (const stage of definition.stages) {
    assert.is(stage.kind, 'atomic');
    if (stage.kind !== 'atomic') continue;
    if (stage.id === missing.id) assert.is(stage.runtimeS, undefined);
    else assert.ok(typeof stage.runtimeS === 'number' && stage.runtimeS > 0, stage.id);
  }
  assert.equal(assembleProblem(definition, HETERO).provisional.length > 0, true, 'the stage without an estimate is provisional');
});

runtimes('invalidRuntimes "unknown" (history import reports them itself): no error, no estimate', () => {
  const doc = reversedChain();
  doc.workflow.execution.tasks[1]!.runtimeInSeconds = -5;
  const definition = importWfFormat(doc, 'trace.json', { invalidRuntimes: 'unknown' });
  const stage = definition.stages.find((s) => s.id === doc.workflow.execution.tasks[1]!.id)!;
  assert.is(stage.kind === 'atomic' ? stage.runtimeS : 'divisible', undefined);
  assert.throws(() => importWfFormat(doc, 'trace.json'), (error: unknown) => error instanceof InputError && formatPath(error.issues[0]!.path) === 'workflow.execution.tasks[1].runtimeInSeconds');
});

runtimes('apportion plan on a trace with a negative runtime: exit 2, the value and its path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apportion-wfformat-'));
  try {
    const doc = reversedChain();
    doc.workflow.execution.tasks[3]!.runtimeInSeconds = -5;
    const file = join(dir, 'chain.json');
    writeFileSync(file, JSON.stringify(doc));
    const run = await runCli(['plan', file, '--pools', resolve(ROOT, 'examples/pools/hetero.json')]);
    assert.is(run.code, 2);
    assert.is(run.stdout, '');
    assert.is(run.stderr, `${file}: 1 problem\n✖ expected a finite number >= 0, received -5\n  → at workflow.execution.tasks[3].runtimeInSeconds\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

runtimes.run();
