/**
 * Shared by the benchmarks: where things are, which workflow files to use, the machine
 * description for report headers, and small markdown / statistics helpers.
 *
 * Paths are resolved from this file's location, so the benchmarks run from any cwd.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const WFINSTANCES_DIR = resolve(REPO_ROOT, '../shared/data/wfinstances');
export const RESULTS_DIR = resolve(REPO_ROOT, 'bench/results');

export interface WorkflowFiles {
  /** Absolute paths of WfFormat JSON files, sorted. */
  readonly files: string[];
  /** JSON files that are not WfFormat documents (no `schemaVersion` + `workflow`). */
  readonly skipped: string[];
}

/** Every WfFormat JSON file under `dir` (recursive). Unparseable JSON is kept so it fails loudly. */
export function listWorkflowFiles(dir: string = WFINSTANCES_DIR): WorkflowFiles {
  const files: string[] = [];
  const skipped: string[] = [];
  for (const path of listJsonFiles(dir)) {
    if (looksLikeWfFormat(path)) files.push(path);
    else skipped.push(path);
  }
  return { files, skipped };
}

function listJsonFiles(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => resolve(entry.parentPath, entry.name))
    .sort();
}

function looksLikeWfFormat(path: string): boolean {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return true; // not parseable: let the loader report it
  }
  return document !== null && typeof document === 'object' && 'schemaVersion' in document && 'workflow' in document;
}

/** `pegasus/montage/montage-chameleon-2mass-01d-001` for a file under the data dir. */
export function workflowName(path: string, dataDir: string = WFINSTANCES_DIR): string {
  return relative(dataDir, path).replace(/\.json$/, '');
}

/** Number of tasks in a WfFormat file, read directly (undefined if the file is not readable). */
export function countWfTasks(path: string): number | undefined {
  try {
    const document = JSON.parse(readFileSync(path, 'utf8')) as { workflow?: { specification?: { tasks?: unknown } } };
    const tasks = document.workflow?.specification?.tasks;
    return Array.isArray(tasks) ? tasks.length : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Machine and report header

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  /** 1-minute load average when the benchmark started (other work on the machine skews timings). */
  readonly loadAverage1m: number;
}

export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

export function reportHeader(title: string, command: string, dateIso: string, machine: MachineInfo): string[] {
  return [
    `# ${title}`,
    '',
    `- command: \`${command}\``,
    `- date: ${dateIso}`,
    `- machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB RAM, Node ${machine.node} (${machine.platform}); load average at start ${machine.loadAverage1m}`,
  ];
}

// ---------------------------------------------------------------------------------------------
// Output

export function writeResult(fileName: string, content: string): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = resolve(RESULTS_DIR, fileName);
  writeFileSync(path, content);
  return path;
}

export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** An error as one short line (first line of the message, truncated). */
export function errorLine(error: unknown, maxChars = 160): string {
  const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  const oneLine = message.split('\n').map((line) => line.trim()).filter((line) => line !== '').join(' / ');
  return oneLine.length > maxChars ? `${oneLine.slice(0, maxChars - 1)}…` : oneLine;
}

/** The full message and stack of an error, for the raw JSON results. */
export function errorDetail(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number> = new Set()): string[] {
  const separator = headers.map((_, i) => (rightAligned.has(i) ? '---:' : '---'));
  return [headers, separator, ...rows].map((cells) => `| ${cells.map(escapeCell).join(' | ')} |`);
}

function escapeCell(cell: string): string {
  return cell.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** 4 significant digits, without trailing zeros: 0.082, 418.9, 12350. */
export function formatNumber(value: number | undefined, digits = 4): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(digits)));
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '–';
  return ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}

export function formatPercent(part: number, whole: number): string {
  return whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`;
}

// ---------------------------------------------------------------------------------------------
// Statistics

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Geometric mean of positive values; undefined for an empty list. */
export function geometricMean(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}
