/**
 * WfFormat 1.5 (WfCommons WfInstances) → TaskDefinition.
 *
 * - each task becomes an atomic stage; its op is the task name without the trailing id
 *   (`mProject_ID0000001` → `mProject`, `NFCORE_X.FASTQC` → itself), or the recorded program
 *   when the name is `<program>_<program>_<instance>` (Pegasus epigenomics);
 * - files become data objects; a file some task writes links writer → readers, a file no
 *   task writes is an external input (home: the default data home, see `assembleProblem`);
 * - `runtimeInSeconds` becomes the estimate at speed 1, where speed 1 is the trace's median
 *   recorded machine: a task recorded on a machine of `m` MHz gets runtime × m / median.
 *   A missing one is no estimate (a partial definition); one that is not a finite number >= 0
 *   is a problem with its path, not silently "no estimate";
 * - by default (`bags`), each bag of same-op tasks with the same parents and children becomes
 *   one divisible stage whose units are its tasks (model/bags.ts): chunk sizing and the
 *   divisible-load split then apply to the trace, and a chunk still names its task ids.
 */
import { buildCsr, findCycle } from './graph.js';
import { describeValue, InputError, type InputIssue } from './issues.js';
import { bagTasks } from './bags.js';
import { FieldReader, type Path } from './read.js';
import type { AtomicStage, DataObject, TaskDefinition } from './types.js';

/** A WfFormat document has `schemaVersion` and `workflow`; one with `workflow` but no `stages` is treated as a (broken) WfFormat file too. */
export function isWfFormat(document: unknown): boolean {
  if (document === null || typeof document !== 'object' || Array.isArray(document) || !('workflow' in document)) return false;
  return 'schemaVersion' in document || !('stages' in document);
}

interface WfTask {
  /** Index in `workflow.specification.tasks`. */
  index: number;
  id: string;
  name: string;
  parents: string[];
  inputFiles: string[];
  outputFiles: string[];
}

interface WfExecution {
  runtimeS: number | undefined;
  memoryBytes: number | undefined;
  machine: string | undefined;
  /** `command.program` when it is a plain command name (not a script). */
  program: string | undefined;
}

export interface WfFormatImportOptions {
  /**
   * A recorded `runtimeInSeconds` that is not a finite number >= 0: an `InputError` with its
   * path ('error', the default), or no estimate ('unknown') for a caller that reports it itself
   * (`history import` skips the task with a warning).
   */
  readonly invalidRuntimes?: 'error' | 'unknown';
  /**
   * Plan each bag of same-op tasks (same parents, same children) as one divisible stage (true,
   * the default), or every task as its own atomic stage (false: `--no-bags`, and the history
   * importer, whose records are per task).
   */
  readonly bags?: boolean;
}

/** Where `workflow.execution.tasks[index].runtimeInSeconds` is. */
export function runtimePath(index: number): Path {
  return ['workflow', 'execution', 'tasks', index, 'runtimeInSeconds'];
}

/** The problem with a recorded `runtimeInSeconds`, if it has one; absent is none (a partial definition). */
export function runtimeIssue(value: unknown, path: Path): InputIssue | undefined {
  if (value === undefined || (typeof value === 'number' && Number.isFinite(value) && value >= 0)) return undefined;
  const expected = 'a finite number >= 0';
  const received = describeValue(value);
  return { code: typeof value === 'number' ? 'invalid_number' : 'wrong_type', path, message: `expected ${expected}, received ${received}`, expected, received };
}

export function importWfFormat(document: unknown, source = 'WfFormat file', options: WfFormatImportOptions = {}): TaskDefinition {
  const reader = new FieldReader();
  const root = asRecord(document);
  const version = root.schemaVersion;
  if (version === undefined) {
    reader.missing([], 'schemaVersion', 'WfFormat version string such as "1.5"');
    throw new InputError(source, reader.issues);
  }
  if (typeof version !== 'string' || !version.startsWith('1.')) {
    reader.report({ code: 'invalid_value', path: ['schemaVersion'], message: `unsupported WfFormat schemaVersion ${JSON.stringify(version)}`, expected: '"1.x" (1.5 tested)', received: JSON.stringify(version) });
    throw new InputError(source, reader.issues);
  }
  const workflow = asRecord(root.workflow);
  if (workflow.specification === undefined) {
    reader.report({
      code: 'missing_field',
      path: ['workflow', 'specification'],
      message: `missing "workflow.specification": WfFormat ${version} files without it (the layout before 1.5, tasks under "workflow.tasks") are not supported; convert the file to WfFormat 1.5`,
      expected: 'an object with "tasks" and "files"',
      received: 'nothing',
    });
    throw new InputError(source, reader.issues);
  }
  const specification = reader.object(workflow.specification, ['workflow', 'specification'], Object.keys(asRecord(workflow.specification))) ?? {};
  const execution = asRecord(workflow.execution);
  const tasksPath: Path = ['workflow', 'specification', 'tasks'];
  const taskList = reader.requireArray(specification, 'tasks', ['workflow', 'specification']);
  if (taskList !== undefined && taskList.length === 0) {
    reader.report({ code: 'empty_graph', path: tasksPath, message: 'the workflow has no tasks', expected: 'at least one task', received: 'an empty array' });
  }
  const tasks = readTasks(reader, taskList ?? [], tasksPath);
  const files = readFiles(reader, specification.files ?? [], ['workflow', 'specification', 'files']);
  const executions = readExecutions(execution.tasks ?? [], options.invalidRuntimes === 'unknown' ? undefined : reader);
  const machineMHz = readMachineSpeeds(execution.machines ?? []);
  const referenceMHz = median([...machineMHz.values()]);
  checkTasks(reader, tasks, files, tasksPath);
  if (reader.issues.length > 0) throw new InputError(source, reader.issues);

  const stages = tasks.map((task): AtomicStage => {
    const run = executions.get(task.id);
    const mhz = run?.machine === undefined ? undefined : machineMHz.get(run.machine);
    const scale = mhz !== undefined && referenceMHz !== undefined ? mhz / referenceMHz : 1;
    return {
      kind: 'atomic',
      id: task.id,
      op: opOf(task.name, run?.program),
      after: task.parents,
      features: {},
      inputs: task.inputFiles.filter((f) => files.has(f)),
      outputs: task.outputFiles.filter((f) => files.has(f)),
      memGb: run?.memoryBytes !== undefined && run.memoryBytes > 0 ? run.memoryBytes / 1e9 : undefined,
      pools: undefined,
      overheadS: 0,
      runtimeByPoolS: undefined,
      runtimeS: run?.runtimeS === undefined ? undefined : run.runtimeS * scale,
      outputBytes: 0,
    };
  });
  const data: DataObject[] = [...files].map(([id, bytes]) => ({ id, bytes, home: undefined }));
  const name = typeof root.name === 'string' ? root.name : source;
  const atomic: TaskDefinition = { name, stages, data, deadlineS: undefined, budgetUsd: undefined, usdPerHour: undefined, origin: 'wfformat', sourceIndex: tasks.map((task) => task.index) };
  return options.bags === false ? atomic : bagTasks(atomic);
}

/**
 * `mProject_ID0000001` → `mProject`, `blastall_ID000002` → `blastall`, `cpuhog_chain_00000001` → `cpuhog_chain`.
 * Pegasus epigenomics names jobs `<program>_<program>_<dataset>_s_1_sequence_7_ID0000002`: with the
 * recorded program `fast2bfq` that is op `fast2bfq`, not one op per task.
 */
export function opOf(name: string, program?: string): string {
  const stripped = name.replace(/_(ID)?\d+$/, '') || name;
  if (program !== undefined && (stripped === `${program}_${program}` || stripped.startsWith(`${program}_${program}_`))) return program;
  return stripped;
}

function readTasks(reader: FieldReader, raw: unknown, path: Path): WfTask[] {
  const list = reader.array(raw, path) ?? [];
  const out: WfTask[] = [];
  list.forEach((item, index) => {
    const at = [...path, index];
    const record = reader.object(item, at, Object.keys(asRecord(item)));
    if (record === undefined) return;
    const id = reader.string(record, 'id', at, true);
    if (id === undefined) return;
    const name = typeof record.name === 'string' ? record.name : id;
    out.push({
      index,
      id,
      name,
      parents: reader.stringList(record, 'parents', at),
      inputFiles: reader.stringList(record, 'inputFiles', at),
      outputFiles: reader.stringList(record, 'outputFiles', at),
    });
  });
  return out;
}

function readFiles(reader: FieldReader, raw: unknown, path: Path): Map<string, number> {
  const files = new Map<string, number>();
  (reader.array(raw, path) ?? []).forEach((item, index) => {
    const at = [...path, index];
    const record = asRecord(item);
    const id = reader.string(record, 'id', at, true);
    const bytes = reader.number(record, 'sizeInBytes', at, { min: 0 }) ?? 0;
    if (id !== undefined) files.set(id, bytes);
  });
  return files;
}

/** Runtime problems go to `reader` when given; without it a bad runtime is no estimate. */
function readExecutions(raw: unknown, reader: FieldReader | undefined): Map<string, WfExecution> {
  const out = new Map<string, WfExecution>();
  if (!Array.isArray(raw)) return out;
  raw.forEach((item, index) => {
    const record = asRecord(item);
    if (typeof record.id !== 'string') return;
    const machines = Array.isArray(record.machines) ? record.machines : [];
    const program = asRecord(record.command).program;
    const issue = runtimeIssue(record.runtimeInSeconds, runtimePath(index));
    if (issue !== undefined) reader?.report(issue);
    out.set(record.id, {
      runtimeS: issue === undefined ? (record.runtimeInSeconds as number | undefined) : undefined,
      memoryBytes: finiteOrUndefined(record.memoryInBytes),
      machine: typeof machines[0] === 'string' ? machines[0] : undefined,
      program: typeof program === 'string' && /^[\w.+-]+$/.test(program) ? program : undefined,
    });
  });
  return out;
}

function readMachineSpeeds(raw: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (!Array.isArray(raw)) return out;
  for (const item of raw) {
    const record = asRecord(item);
    const mhz = finiteOrUndefined(asRecord(record.cpu).speedInMHz);
    if (typeof record.nodeName === 'string' && mhz !== undefined && mhz > 0) out.set(record.nodeName, mhz);
  }
  return out;
}

/**
 * Duplicate task ids, unknown parents and files, files with two writers and dependency cycles
 * (through parents or through files, as `assembleProblem` links writer → reader), with paths.
 */
function checkTasks(reader: FieldReader, tasks: readonly WfTask[], files: ReadonlyMap<string, number>, tasksPath: Path): void {
  const index = new Map<string, number>();
  tasks.forEach((task, k) => {
    const first = index.get(task.id);
    if (first !== undefined) reader.duplicate([...tasksPath, task.index, 'id'], task.id, [...tasksPath, tasks[first]!.index, 'id']);
    else index.set(task.id, k);
  });
  const from: number[] = [];
  const to: number[] = [];
  tasks.forEach((task, k) => {
    task.parents.forEach((parent, j) => {
      const u = index.get(parent);
      if (u === undefined) reader.unknownReference([...tasksPath, task.index, 'parents', j], 'task', parent, index.keys());
      else if (u === k) {
        reader.report({
          code: 'cycle',
          path: [...tasksPath, task.index, 'parents', j],
          message: `dependency cycle: ${task.id} → ${task.id} (task "${task.id}" is its own parent)`,
          expected: 'an acyclic graph',
          received: 'a task listed in its own "parents"',
        });
      } else {
        from.push(u);
        to.push(k);
      }
    });
  });
  const writer = new Map<string, number>();
  tasks.forEach((task, k) => {
    task.inputFiles.forEach((file, j) => {
      if (!files.has(file)) reader.unknownReference([...tasksPath, task.index, 'inputFiles', j], 'file', file, files.keys());
    });
    task.outputFiles.forEach((file, j) => {
      if (!files.has(file)) reader.unknownReference([...tasksPath, task.index, 'outputFiles', j], 'file', file, files.keys());
      const first = writer.get(file);
      if (first !== undefined && first !== k) {
        reader.report({ code: 'duplicate_id', path: [...tasksPath, task.index, 'outputFiles', j], message: `file "${file}" is already written by task "${tasks[first]!.id}"`, expected: 'one writer per file', received: 'a second writer' });
      } else writer.set(file, k);
    });
  });
  tasks.forEach((task, k) => {
    for (const file of task.inputFiles) {
      const u = writer.get(file);
      if (u !== undefined && u !== k && !task.parents.includes(tasks[u]!.id)) {
        from.push(u);
        to.push(k);
      }
    }
  });
  const cycle = findCycle(buildCsr(tasks.length, from, to, new Float64Array(from.length)));
  if (cycle !== undefined) {
    const closing = tasks[cycle[0]!]!;
    const last = cycle[cycle.length - 2]!;
    const parentIndex = closing.parents.indexOf(tasks[last]!.id);
    const fileIndex = closing.inputFiles.findIndex((file) => writer.get(file) === last);
    reader.report({
      code: 'cycle',
      path: parentIndex >= 0
        ? [...tasksPath, closing.index, 'parents', parentIndex]
        : fileIndex >= 0 ? [...tasksPath, closing.index, 'inputFiles', fileIndex] : [...tasksPath, closing.index],
      message: `dependency cycle: ${cycle.map((v) => tasks[v]!.id).join(' → ')}`,
      expected: 'an acyclic graph',
      received: `a cycle of ${cycle.length - 1} tasks`,
    });
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function finiteOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}
