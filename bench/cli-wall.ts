/**
 * CLI wall-time benchmark: for every WfFormat workflow, run the built CLI as a child process
 *
 *   node dist/cli/bin.js plan <file> --pools examples/pools/hetero.json --format json --out <tmp>
 *
 * and measure its wall time (process start to exit, so Node start-up and file loading count).
 * Checks each JSON plan's shape. Writes bench/results/cli-wall.md (also printed to stdout);
 * progress on stderr. Exit code 1 if any run failed or wrote a malformed plan.
 *
 *   npm run bench:cli                                   (the built CLI; run `npm run build` first)
 *   npm run bench:cli -- --cli "node --import tsx src/cli/bin.ts"   (any other invocation)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  countWfTasks,
  describeMachine,
  formatMs,
  listWorkflowFiles,
  markdownTable,
  progress,
  REPO_ROOT,
  reportHeader,
  workflowName,
  writeResult,
} from './common.js';

const COMMAND = 'npm run bench:cli  (node --import tsx bench/cli-wall.ts)';
const BUILT_CLI = 'dist/cli/bin.js';
const POOLS_FILE = 'examples/pools/hetero.json';
const WALL_TARGET_MS = 1000;
const TIMEOUT_MS = 60_000;

const EXIT_MEANINGS: Readonly<Record<number, string>> = {
  0: 'ok',
  1: 'internal error',
  2: 'input error',
  3: 'misses deadline/budget',
};

interface CliRun {
  readonly workflow: string;
  readonly tasks: number | undefined;
  readonly wallMs: number;
  /** null when the process was killed (timeout or signal) or could not start. */
  readonly exitCode: number | null;
  readonly outcome: string;
  /** Problems with the written plan (empty = parses and has the expected shape). */
  readonly planProblems: string[];
  readonly subtasks: number | undefined;
  readonly makespanS: number | undefined;
  /** Last lines of stderr (or of stdout when stderr is empty). */
  readonly outputTail: string;
}

function main(): void {
  const cli = cliCommand();
  if (cli === undefined) return;
  const dateIso = new Date().toISOString();
  const machine = describeMachine();
  const { files } = listWorkflowFiles();
  const tmpDir = mkdtempSync(join(os.tmpdir(), 'apportion-cli-wall-'));
  const runs: CliRun[] = [];
  try {
    files.forEach((file, k) => {
      const run = runCli(cli, file, join(tmpDir, `plan-${k}.json`));
      runs.push(run);
      progress(`cli-wall: file ${k + 1}/${files.length} ${run.workflow} ${formatMs(run.wallMs)} ms exit ${run.exitCode ?? '–'}${runFailed(run) ? ' — FAILED' : ''}`);
    });
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
  const markdown = [...reportHeader('apportion CLI wall time', COMMAND, dateIso, machine), ...renderReport(cli, runs)].join('\n') + '\n';
  const mdPath = writeResult('cli-wall.md', markdown);
  process.stdout.write(markdown);
  progress(`cli-wall: ${runs.length} runs → ${mdPath}`);
  if (runs.some(runFailed)) process.exitCode = 1;
}

/** The command that starts the CLI: `--cli "..."` (split on spaces) or node + the built bin. */
function cliCommand(): string[] | undefined {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { cli: { type: 'string' } } });
  if (values.cli !== undefined) return values.cli.trim().split(/\s+/);
  if (!existsSync(resolve(REPO_ROOT, BUILT_CLI))) {
    progress(`cli-wall: ${BUILT_CLI} not found — run \`npm run build\` first (or pass --cli "<command>")`);
    process.exitCode = 2;
    return undefined;
  }
  return [process.execPath, BUILT_CLI];
}

function runCli(cli: readonly string[], file: string, outPath: string): CliRun {
  const args = [...cli.slice(1), 'plan', file, '--pools', POOLS_FILE, '--format', 'json', '--out', outPath];
  const startMs = performance.now();
  const child = spawnSync(cli[0]!, args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: TIMEOUT_MS });
  const wallMs = performance.now() - startMs;
  const plan = readPlan(outPath);
  return {
    workflow: workflowName(file),
    tasks: countWfTasks(file),
    wallMs,
    exitCode: child.status,
    outcome: describeExit(child),
    planProblems: plan.problems,
    subtasks: plan.subtasks,
    makespanS: plan.makespanS,
    outputTail: lastLines(child.stderr ?? '', 2) || lastLines(child.stdout ?? '', 2),
  };
}

function describeExit(child: ReturnType<typeof spawnSync>): string {
  if (child.error !== undefined) return `could not run: ${child.error.message}`;
  if (child.status === null) return `killed by ${child.signal ?? 'signal'}${child.signal === 'SIGTERM' ? ` (timeout ${TIMEOUT_MS / 1000} s?)` : ''}`;
  return EXIT_MEANINGS[child.status] ?? `exit ${child.status}`;
}

function runFailed(run: CliRun): boolean {
  return (run.exitCode !== 0 && run.exitCode !== 3) || run.planProblems.length > 0;
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join(' / ');
}

// ---------------------------------------------------------------------------------------------
// Plan document check

interface PlanCheck {
  readonly problems: string[];
  readonly subtasks: number | undefined;
  readonly makespanS: number | undefined;
}

function readPlan(path: string): PlanCheck {
  if (!existsSync(path)) return { problems: ['no plan written to --out'], subtasks: undefined, makespanS: undefined };
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return { problems: [`not JSON: ${(error as Error).message}`], subtasks: undefined, makespanS: undefined };
  }
  return checkPlanShape(document);
}

/** summary.makespanS; subtasks[] each with id, pool, startS ≤ finishS and either stage + items or tasks. */
export function checkPlanShape(document: unknown): PlanCheck {
  const problems: string[] = [];
  const plan = asRecord(document);
  const makespanS = asRecord(plan.summary).makespanS;
  if (!isFiniteNumber(makespanS) || makespanS < 0) problems.push(`summary.makespanS is ${JSON.stringify(makespanS)}, expected a number >= 0`);
  const subtasks = plan.subtasks;
  if (!Array.isArray(subtasks)) problems.push('subtasks is not an array');
  else {
    if (subtasks.length === 0) problems.push('subtasks is empty');
    const subtaskProblems = subtasks.flatMap((subtask, i) => checkSubtask(subtask).map((p) => `subtasks[${i}]: ${p}`));
    problems.push(...subtaskProblems.slice(0, 3));
    if (subtaskProblems.length > 3) problems.push(`… ${subtaskProblems.length - 3} more sub-task problems`);
  }
  return { problems, subtasks: Array.isArray(subtasks) ? subtasks.length : undefined, makespanS: isFiniteNumber(makespanS) ? makespanS : undefined };
}

function checkSubtask(value: unknown): string[] {
  const problems: string[] = [];
  const subtask = asRecord(value);
  if (typeof subtask.id !== 'string' || subtask.id === '') problems.push('id missing');
  if (typeof subtask.pool !== 'string' || subtask.pool === '') problems.push('pool missing');
  const { startS, finishS } = subtask;
  if (!isFiniteNumber(startS)) problems.push('startS missing');
  if (!isFiniteNumber(finishS)) problems.push('finishS missing');
  if (isFiniteNumber(startS) && isFiniteNumber(finishS) && finishS < startS) problems.push(`finishS ${finishS} < startS ${startS}`);
  const isChunk = typeof subtask.stage === 'string' && isUnitRange(subtask.items);
  const isGroup = Array.isArray(subtask.tasks) && subtask.tasks.length > 0 && subtask.tasks.every((t) => typeof t === 'string');
  if (!isChunk && !isGroup) problems.push('has neither stage + items [start, end) nor a non-empty tasks list');
  return problems;
}

function isUnitRange(value: unknown): boolean {
  return Array.isArray(value) && value.length === 2 && value.every((v) => Number.isInteger(v) && v >= 0) && value[0] < value[1];
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

// ---------------------------------------------------------------------------------------------
// Report

function renderReport(cli: readonly string[], runs: readonly CliRun[]): string[] {
  const usesBuiltCli = cli.length === 2 && cli[0] === process.execPath && cli[1] === BUILT_CLI;
  const shown = usesBuiltCli ? `node ${BUILT_CLI}` : cli.join(' ');
  const failed = runs.filter(runFailed);
  const succeeded = runs.filter((run) => !runFailed(run));
  const max = succeeded.reduce<CliRun | undefined>((a, b) => (a === undefined || b.wallMs > a.wallMs ? b : a), undefined);
  const overTarget = succeeded.filter((run) => run.wallMs >= WALL_TARGET_MS);
  const rows = runs.map((run) => [
    run.workflow,
    run.tasks === undefined ? '–' : String(run.tasks),
    formatMs(run.wallMs),
    `${run.exitCode ?? '–'} (${run.outcome})`,
    run.planProblems.length === 0 ? 'yes' : `NO: ${run.planProblems.join('; ')}`,
    run.subtasks === undefined ? '–' : String(run.subtasks),
    run.makespanS === undefined ? '–' : run.makespanS.toFixed(1),
    run.exitCode === 0 && !runFailed(run) ? '' : run.outputTail,
  ]);
  return [
    `- invocation: \`${shown} plan <file> --pools ${POOLS_FILE} --format json --out <tmpfile>\` (cwd: repo root)${usesBuiltCli ? '' : ' — **not the built CLI** (development invocation)'}`,
    `- wall time: process spawn to exit (spawnSync), one run per file; includes Node start-up, loading and writing the plan`,
    '',
    '## Summary',
    '',
    `- files: ${runs.length}`,
    max === undefined
      ? '- max wall time: **– (no successful run)**'
      : `- max wall time (successful runs): **${formatMs(max.wallMs)} ms** (${max.workflow}) — target < ${WALL_TARGET_MS} ms each: ${overTarget.length === 0 ? 'met' : `**NOT met** (${overTarget.length} file(s) at or over)`}`,
    `- failed runs (exit code other than 0/3, or a missing/malformed plan): ${failed.length === 0 ? '0' : `**${failed.length}**`}${failed.length === runs.length && runs.length > 0 ? ' — every run failed: does the CLI have the `plan` command with `--format json --out`?' : ''}`,
    `- exit 3 (plan misses deadline/budget, plan still checked): ${runs.filter((run) => run.exitCode === 3).length}`,
    '',
    '## Per file',
    '',
    ...markdownTable(['workflow', 'tasks', 'wall ms', 'exit', 'plan JSON ok', 'sub-tasks', 'makespan (s)', 'stderr / stdout tail (if failed or exit ≠ 0)'], rows, new Set([1, 2, 5, 6])),
    '',
  ];
}

main();
