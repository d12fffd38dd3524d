/**
 * WfFormat trace → run records: every executed task is one succeeded attempt. The definition
 * is validated by `importWfFormat` (same errors, same op names as `apportion plan`); the
 * measurements come from `workflow.execution` as recorded, not speed-scaled:
 * runtime, CPU seconds (avgCPU is a percentage of one core), peak memory, read and written
 * bytes, and the machine (pool), its class (vendor and cores; the recorded MHz varies with the
 * clock, so it is the record's speed, not its class).
 *
 * A task that cannot become a record (no runtime, one that is not a finite number >= 0, an id
 * the specification does not have) is skipped, not fatal: the rest of the trace is still
 * measured runs. Each skip is returned as an issue with its path, for the importer to report.
 */
import { basename } from 'node:path';
import type { InputIssue } from '../model/issues.js';
import { importWfFormat, runtimeIssue, runtimePath } from '../model/wfformat.js';
import type { RunRecord } from './record.js';

export interface WfFormatRuns {
  readonly records: RunRecord[];
  /** Entries of `workflow.execution.tasks`: records plus skipped. */
  readonly tasks: number;
  /** Why each skipped task was skipped, with its path (`workflow.execution.tasks[3].runtimeInSeconds`). */
  readonly skipped: InputIssue[];
}

/** The run records of a trace; tasks that cannot be records are left out (see `wfformatRuns`). */
export function wfformatRecords(document: unknown, source: string): RunRecord[] {
  return wfformatRuns(document, source).records;
}

export function wfformatRuns(document: unknown, source: string): WfFormatRuns {
  // Bad runtimes are this importer's to report (as skips), not a reason to refuse the trace.
  // One stage per task (no bags): every task is a record of its own.
  const definition = importWfFormat(document, source, { invalidRuntimes: 'unknown', bags: false });
  const root = asRecord(document);
  const workflow = asRecord(root.workflow);
  const execution = asRecord(workflow.execution);
  const executedAt = typeof execution.executedAt === 'string' ? execution.executedAt : undefined;
  const jobId = `${typeof root.name === 'string' ? root.name : basename(source)}@${executedAt ?? basename(source)}`;
  const startedAtMs = executedAt === undefined ? undefined : parseWfTimestamp(executedAt);
  const machines = new Map<string, { poolClass: string; ghz: number | undefined }>();
  for (const item of asArray(execution.machines)) {
    const machine = asRecord(item);
    if (typeof machine.nodeName !== 'string') continue;
    const cpu = asRecord(machine.cpu);
    const vendor = typeof cpu.vendor === 'string' ? cpu.vendor : 'unknown';
    const cores = finite(cpu.coreCount);
    const mhz = finite(cpu.speedInMHz);
    machines.set(machine.nodeName, { poolClass: `${vendor}/${cores ?? '?'}c`, ghz: mhz === undefined || mhz === 0 ? undefined : mhz / 1000 });
  }
  const stageById = new Map(definition.stages.map((stage) => [stage.id, stage]));
  const fileBytes = new Map(definition.data.map((object) => [object.id, object.bytes]));
  const sum = (ids: readonly string[]): number => ids.reduce((total, id) => total + (fileBytes.get(id) ?? 0), 0);
  const records: RunRecord[] = [];
  const skipped: InputIssue[] = [];
  const executed = asArray(execution.tasks);
  executed.forEach((item, index) => {
    const task = asRecord(item);
    const idPath = ['workflow', 'execution', 'tasks', index, 'id'];
    if (typeof task.id !== 'string') {
      skipped.push({ code: 'missing_field', path: idPath, message: 'no task id: the run cannot be matched to a task of workflow.specification.tasks', expected: 'a task id', received: task.id === undefined ? 'nothing' : typeof task.id });
      return;
    }
    const stage = stageById.get(task.id);
    if (stage === undefined) {
      skipped.push({ code: 'unknown_reference', path: idPath, message: `unknown task "${task.id}": not in workflow.specification.tasks`, expected: 'a task of workflow.specification.tasks', received: JSON.stringify(task.id) });
      return;
    }
    const issue = runtimeIssue(task.runtimeInSeconds, runtimePath(index));
    if (issue !== undefined || task.runtimeInSeconds === undefined) {
      skipped.push(issue ?? { code: 'missing_field', path: runtimePath(index), message: 'missing: no measured runtime to record', expected: 'a finite number >= 0', received: 'nothing' });
      return;
    }
    const runtimeS = task.runtimeInSeconds as number;
    const machineName = asArray(task.machines).find((name): name is string => typeof name === 'string');
    const machine = machineName === undefined ? undefined : machines.get(machineName);
    const avgCpuPercent = finite(task.avgCPU);
    const memory = finite(task.memoryInBytes);
    records.push({
      jobId,
      // No subtaskId: a WfFormat task is atomic, its sub-task is the task (the store's default).
      stageId: stage.id,
      attempt: 1,
      op: stage.op,
      features: {},
      poolId: machineName ?? 'unknown',
      poolClass: machine?.poolClass ?? 'unknown',
      speed: machine?.ghz,
      items: undefined,
      bytesIn: sum(stage.inputs),
      bytesOut: sum(stage.outputs),
      runtimeS,
      cpuS: avgCpuPercent === undefined ? undefined : (avgCpuPercent / 100) * runtimeS,
      peakMemBytes: memory === undefined || memory === 0 ? undefined : memory,
      readBytes: finite(task.readBytes),
      writeBytes: finite(task.writtenBytes),
      outcome: 'succeeded',
      startedAtMs,
      finishedAtMs: undefined,
    });
  });
  return { records, tasks: executed.length, skipped };
}

/** WfInstances write `executedAt` as ISO 8601, `20200413T041642+0000` or `12-22-20T03:38:49Z` (MM-DD-YY). */
export function parseWfTimestamp(text: string): number | undefined {
  const compact = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})([+-]\d{4}|Z)$/.exec(text);
  if (compact) {
    const [, y, mo, d, h, mi, s, zone] = compact;
    const offset = zone === 'Z' ? 'Z' : `${zone!.slice(0, 3)}:${zone!.slice(3)}`;
    return finiteTime(Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`));
  }
  const american = /^(\d{2})-(\d{2})-(\d{2})T(\d{2}:\d{2}:\d{2})Z$/.exec(text);
  if (american) {
    const [, mo, d, y, time] = american;
    return finiteTime(Date.parse(`20${y}-${mo}-${d}T${time}Z`));
  }
  return finiteTime(Date.parse(text));
}

function finiteTime(ms: number): number | undefined {
  return Number.isFinite(ms) ? ms : undefined;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
