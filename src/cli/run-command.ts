/**
 * `apportion run`: plan (as `apportion plan` does), then execute the plan on a backend, with
 * every attempt in the history store; `apportion run show RUN_ID`; `apportion runs`.
 *
 * stdout holds only the result (the run report, text or JSON); progress, decisions and errors
 * go to stderr. Exit codes: 0 every sub-task committed, 2 bad input, 4 the run ended with
 * sub-tasks that could not run (the report says which and why), 130 stopped by Ctrl-C
 * (resumable with --resume), 1 internal error.
 */
import { dirname, resolve } from 'node:path';
import { openRunJournal, type RunJournal } from '../history/journal.js';
import { defaultHistoryPath } from '../history/store.js';
import { InputError } from '../model/issues.js';
import type { ObjectiveKind } from '../model/objective.js';
import type { Plan } from '../plan/plan.js';
import { PLANNER_IDS, type PlannerId } from '../planners/planner.js';
import { applyProfile } from '../profile/apply.js';
import { createBackend, BACKEND_NAMES, type BackendName } from '../dispatch/backends.js';
import type { RunReport } from '../dispatch/dispatcher.js';
import { inputsHash, newRunId, resumeRun, startRun, type RunSettings, type StartedRun } from '../dispatch/run.js';
import { loadProfile, parseTaskDefinition, readText, writeText } from '../load/files.js';
import { parseDocument } from '../model/parse.js';
import { validateResourceMap } from '../model/validate-pools.js';
import { renderRunGanttSvg } from '../render/run-gantt.js';
import { renderRunReport, renderRunsList } from '../render/run-text.js';
import { BUDGET_MS_RULE, numberFlag, oneOf, parseCommandArgs, SEED_RULE, UsageError, USD_PER_HOUR_RULE, WORKERS_RULE, type Expects, type NumberRule } from './args.js';
import { EXIT_INTERRUPTED, EXIT_OK, type Io } from './io.js';
import { assemble, planProblem } from './plan-command.js';
import { AVAILABILITY_EXPECTS, AVAILABILITY_OPTIONS, availabilityFlags, resolveAvailability, type AvailabilityFlags } from './availability-options.js';
import { runProgressView } from './run-progress.js';

/** The run ended with sub-tasks that could not run (given up, or blocked by one that was). */
export const EXIT_RUN_FAILED = 4;

const OBJECTIVES = ['weighted', 'makespan', 'cost'] as const;
const FORMATS = ['text', 'json'] as const;
const SHOW_FORMATS = ['text', 'json', 'svg'] as const;

const TIME_SCALE_RULE: NumberRule = { whole: false, min: 1e-9, max: 1e6, expected: 'a factor from 1e-9 to 1e6 (0.001: a 1000 s task waits 1 s)' };
const RETRIES_RULE: NumberRule = { whole: true, min: 0, max: 100, expected: 'a whole number of retries from 0 to 100' };

const RUN_OPTIONS = {
  pools: { type: 'string', short: 'p' },
  backend: { type: 'string' },
  redis: { type: 'string' },
  replay: { type: 'boolean' },
  'time-scale': { type: 'string' },
  history: { type: 'string' },
  resume: { type: 'string' },
  'run-dir': { type: 'string' },
  retries: { type: 'string' },
  trace: { type: 'string', multiple: true },
  planner: { type: 'string' },
  objective: { type: 'string' },
  'usd-per-hour': { type: 'string' },
  'data-home': { type: 'string' },
  'budget-ms': { type: 'string' },
  workers: { type: 'string' },
  seed: { type: 'string' },
  profile: { type: 'string' },
  explain: { type: 'boolean' },
  format: { type: 'string' },
  out: { type: 'string', short: 'o' },
  gantt: { type: 'string' },
  'no-bags': { type: 'boolean' },
  ...AVAILABILITY_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} as const;

const FILE = 'a file path';
const RUN_EXPECTS: Expects<typeof RUN_OPTIONS> = {
  pools: FILE,
  backend: `one of ${BACKEND_NAMES.join(', ')}`,
  redis: 'a Redis URL (redis://host:port)',
  'time-scale': TIME_SCALE_RULE.expected,
  history: FILE,
  resume: 'a run id (apportion runs lists them)',
  'run-dir': 'a directory path',
  retries: RETRIES_RULE.expected,
  trace: 'POOL=FILE (a CSV of time_s,available)',
  planner: `one of ${PLANNER_IDS.join(', ')}`,
  objective: `one of ${OBJECTIVES.join(', ')}`,
  'usd-per-hour': USD_PER_HOUR_RULE.expected,
  'data-home': 'a pool or region id',
  'budget-ms': BUDGET_MS_RULE.expected,
  workers: WORKERS_RULE.expected,
  seed: SEED_RULE.expected,
  profile: FILE,
  format: `one of ${FORMATS.join(', ')}`,
  out: FILE,
  gantt: FILE,
  ...AVAILABILITY_EXPECTS,
};

export const RUN_USAGE = `apportion run: execute a plan, recovering from what goes wrong

usage:
  apportion run <task.json|wfformat.json> --pools <pools.json> [options]
  apportion run --resume RUN_ID <task.json> --pools <pools.json>   continue a stopped or crashed run
  apportion run show RUN_ID [--history FILE] [--format text|json|svg] [--explain]
  apportion runs [--history FILE] [--format text|json]

options:
  -p, --pools FILE        resource map (pools and network)
      --backend NAME      local (default: this machine, no server) | bullmq (Redis queues, served by
                          "apportion worker" processes) | sim (virtual clock: no real waiting)
      --redis URL         Redis for --backend bullmq (default redis://127.0.0.1:6379)
      --replay            run every sub-task as a wait of its planned (or recorded) runtime, instead
                          of the stages' "run" (any WfFormat trace can be run this way)
      --time-scale X      with --replay: wait runtime × X (default 1; 0.001 turns hours into seconds)
      --history FILE      the history store every attempt is recorded in (default as "apportion history")
      --run-dir DIR       where outputs are committed (default .apportion/runs/RUN_ID)
      --retries N         retries of a failed attempt before it is moved or given up, 0 to 100 (default 2)
      --trace POOL=FILE   sim: the pool's available slots over time (CSV time_s,available); repeatable
      --explain           list every decision (retry, move, re-plan) with its reason
      --format FMT        text | json (default text); run show also: svg (planned vs actual Gantt)
  -o, --out FILE          write the report there instead of stdout
      --gantt FILE        write the planned-vs-actual Gantt (SVG) there
      --no-bags           WfFormat: every task its own sub-task (give it again on --resume)
  plan options: --planner, --objective, --usd-per-hour, --data-home, --budget-ms, --workers, --seed,
                --profile, --availability, --telemetry, --start-at, --capacity-risk (see apportion plan --help);
                with a forecast, observed capacity outside its P10–P90 band and interruptions
                above its hazard re-plan the remainder
  -h, --help              this help

Attempts are recorded as they happen (outcome succeeded, failed, interrupted or cancelled), so
"apportion profile fit" learns from them. Ctrl-C stops the run cleanly; --resume continues it.
exit codes: 0 every sub-task committed, 2 bad input, 4 some sub-tasks could not run (listed),
130 stopped by Ctrl-C (resumable), 1 internal error`;

interface RunOptions extends AvailabilityFlags {
  readonly taskPath: string;
  readonly poolsPath: string;
  readonly backend: BackendName;
  readonly redisUrl: string;
  readonly replay: boolean;
  readonly timeScale: number;
  readonly historyPath: string;
  readonly resume: string | undefined;
  readonly runDir: string | undefined;
  readonly retries: number | undefined;
  readonly traces: ReadonlyMap<string, string>;
  readonly planner: PlannerId;
  readonly objective: ObjectiveKind;
  readonly usdPerHour: number | undefined;
  readonly dataHome: string | undefined;
  readonly budgetMs: number;
  readonly workers: number | undefined;
  readonly seed: number;
  readonly profilePath: string | undefined;
  readonly explain: boolean;
  readonly format: 'text' | 'json';
  readonly out: string | undefined;
  readonly gantt: string | undefined;
  /** WfFormat: bags of same-op tasks as divisible stages (default true). */
  readonly bags: boolean;
}

export async function runRunCommand(args: readonly string[], io: Io): Promise<number> {
  if (args[0] === 'show') return runShowCommand(args.slice(1), io);
  const options = parseRunArgs(args);
  if (options === 'help') {
    io.stdout(`${RUN_USAGE}\n`);
    return EXIT_OK;
  }
  const definitionText = readText(options.taskPath);
  const poolsText = readText(options.poolsPath);
  const definition = parseTaskDefinition(definitionText, options.taskPath, { bags: options.bags });
  const resources = validateResourceMap(parseDocument(poolsText, options.poolsPath), options.poolsPath);
  const profile = loadProfile(options.profilePath, undefined);
  const applied = profile === undefined ? undefined : applyProfile(definition, profile, 0.5, resources);
  // A resumed run keeps the wall-clock hours its plan was priced at (its journaled start).
  const journaledStartAtS = options.resume === undefined ? undefined : forecastStartOf(options.historyPath, options.resume);
  const forecast = resolveAvailability({ ...options, startAtS: options.startAtS ?? journaledStartAtS }, resources, options.poolsPath, io);
  if (forecast !== undefined && options.backend !== 'sim' && options.resume === undefined && Math.abs(forecast.startAtS - Date.now() / 1000) > 3600) {
    io.stderr(`⚠ --start-at is ${((forecast.startAtS - Date.now() / 1000) / 3600).toFixed(1)} h from now, but a ${options.backend} run starts now: the plan and the run's forecast band are for that other time\n`);
  }
  const problem = assemble(applied?.definition ?? definition, resources, options, applied, forecast);
  const definitionHash = inputsHash(definitionText, poolsText);
  const settings: RunSettings = {
    backend: options.backend,
    definitionPath: resolve(options.taskPath),
    poolsPath: resolve(options.poolsPath),
    definitionDir: dirname(resolve(options.taskPath)),
    // The simulator runs nothing: every sub-task is a replay of its planned runtime, on the virtual clock.
    ...(options.replay || options.backend === 'sim' ? { replay: { timeScale: options.timeScale } } : {}),
    ...(options.retries === undefined ? {} : { retries: options.retries }),
    ...(forecast === undefined ? {} : { forecastStartAtS: forecast.startAtS }),
  };
  const journal = openRunJournal(options.historyPath, { onLockWait: (message) => io.stderr(`${message}\n`) });
  try {
    const backend = await createBackend(options.backend, { redisUrl: options.redisUrl, resources, seed: options.seed, traces: options.traces, timeScale: options.replay ? options.timeScale : 1 });
    try {
      let started: StartedRun;
      let plan: Plan;
      const view = runProgressView(io, () => started.dispatch.snapshot(), { tty: io.isTty });
      const hooks = {
        onDecision: view.decision,
        onAttempt: view.attempt,
        ...(io.interrupt === undefined ? {} : { signal: io.interrupt }),
        // With a forecast the run watches it: capacity outside its band, interruptions above its hazard re-plan.
        ...(forecast === undefined ? {} : { forecast: { bands: forecast.priced.bands, bucketS: forecast.map.bucketS } }),
      };
      if (options.resume !== undefined) {
        started = await resumeRun({ problem, backend, journal, runId: options.resume, definitionHash, settings, ...hooks });
        plan = journal.findRun(options.resume)!.plan as Plan;
        io.stderr(`run ${options.resume}: resumed\n`);
      } else {
        const outcome = await planProblem(problem, { ...options, progress: true }, io);
        plan = outcome.plan;
        const runId = newRunId();
        const runDir = resolve(options.runDir ?? `.apportion/runs/${runId}`);
        started = await startRun({ problem, plan, scored: outcome.scored, backend, journal, runDir, runId, definitionHash, settings, ...hooks });
        io.stderr(`run ${runId}: ${plan.subtasks.length} sub-tasks on ${options.backend}; outputs in ${runDir}; history ${journal.path}\n`);
      }
      let report: RunReport;
      try {
        report = await started.done;
      } finally {
        view.stop();
      }
      writeResults(report, plan, journal, options, io);
      if (report.status === 'stopped') {
        io.stderr(`apportion: run ${report.runId} stopped: ${report.committed} of ${report.subtasks} sub-tasks committed; continue with --resume ${report.runId}\n`);
        return EXIT_INTERRUPTED;
      }
      return report.status === 'succeeded' ? EXIT_OK : EXIT_RUN_FAILED;
    } finally {
      await backend.close();
    }
  } finally {
    journal.close();
  }
}

/** The forecast start a run was journaled with (undefined: none, or no such run: resume reports that). */
function forecastStartOf(historyPath: string, runId: string): number | undefined {
  let journal: RunJournal;
  try {
    journal = openRunJournal(historyPath, { readonly: true });
  } catch {
    return undefined; // no history store: the resume itself says so
  }
  try {
    const settings = journal.findRun(runId)?.settings as { forecastStartAtS?: unknown } | undefined;
    return typeof settings?.forecastStartAtS === 'number' ? settings.forecastStartAtS : undefined;
  } finally {
    journal.close();
  }
}

function writeResults(report: RunReport, plan: Plan, journal: RunJournal, options: Pick<RunOptions, 'explain' | 'format' | 'out' | 'gantt'>, io: Io): void {
  const decisions = journal.decisions(report.runId);
  const output = options.format === 'json' ? `${JSON.stringify(options.explain ? { ...report, decisions } : report, null, 2)}\n` : renderRunReport(report, plan, { explain: options.explain, decisions });
  if (options.gantt !== undefined) writeText(options.gantt, renderRunGanttSvg(plan, report, decisions));
  if (options.out !== undefined) writeText(options.out, output);
  else io.stdout(output.endsWith('\n') ? output : `${output}\n`);
}

function parseRunArgs(args: readonly string[]): RunOptions | 'help' {
  const { values, positionals } = parseCommandArgs(args, RUN_OPTIONS, RUN_EXPECTS);
  if (values.help === true) return 'help';
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'run needs a task definition file' : `run takes one task file, received ${positionals.length}: ${positionals.join(' ')}`);
  if (values.pools === undefined) throw new UsageError('run needs --pools FILE (the resource map)');
  const backend = oneOf('--backend', values.backend, BACKEND_NAMES) ?? 'local';
  if (values.redis !== undefined && backend !== 'bullmq') throw new UsageError('--redis is for --backend bullmq');
  if (values['time-scale'] !== undefined && values.replay !== true) throw new UsageError('--time-scale needs --replay');
  if ((values.trace ?? []).length > 0 && backend !== 'sim') throw new UsageError('--trace is for --backend sim');
  if (values.resume !== undefined && values['run-dir'] !== undefined) throw new UsageError('--run-dir cannot change on --resume: the run keeps its directory');
  const traces = new Map<string, string>();
  for (const spec of values.trace ?? []) {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--trace: expected POOL=FILE, received "${spec}"`);
    traces.set(spec.slice(0, eq), spec.slice(eq + 1));
  }
  return {
    taskPath: positionals[0]!,
    poolsPath: values.pools,
    backend,
    redisUrl: values.redis ?? 'redis://127.0.0.1:6379',
    replay: values.replay === true,
    timeScale: numberFlag('--time-scale', values['time-scale'], TIME_SCALE_RULE) ?? 1,
    historyPath: values.history ?? defaultHistoryPath(),
    resume: values.resume,
    runDir: values['run-dir'],
    retries: numberFlag('--retries', values.retries, RETRIES_RULE),
    traces,
    planner: oneOf('--planner', values.planner, PLANNER_IDS) ?? 'apportion',
    objective: oneOf('--objective', values.objective, OBJECTIVES) ?? 'weighted',
    usdPerHour: numberFlag('--usd-per-hour', values['usd-per-hour'], USD_PER_HOUR_RULE),
    dataHome: values['data-home'],
    budgetMs: numberFlag('--budget-ms', values['budget-ms'], BUDGET_MS_RULE) ?? 0,
    workers: numberFlag('--workers', values.workers, WORKERS_RULE),
    seed: numberFlag('--seed', values.seed, SEED_RULE) ?? 1,
    profilePath: values.profile,
    explain: values.explain === true,
    format: oneOf('--format', values.format, FORMATS) ?? 'text',
    out: values.out,
    gantt: values.gantt,
    bags: values['no-bags'] !== true,
    ...availabilityFlags(values),
  };
}

const SHOW_OPTIONS = {
  history: { type: 'string' },
  format: { type: 'string' },
  explain: { type: 'boolean' },
  out: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `apportion run show RUN_ID`: the report of a finished (or stopped, or crashed) run, from the journal alone. */
async function runShowCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, SHOW_OPTIONS, { history: FILE, format: `one of ${SHOW_FORMATS.join(', ')}`, out: FILE });
  if (values.help === true) {
    io.stdout(`${RUN_USAGE}\n`);
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError('run show needs one run id (apportion runs lists them)');
  const format = oneOf('--format', values.format, SHOW_FORMATS) ?? 'text';
  const journal = openRunJournal(values.history ?? defaultHistoryPath(), { readonly: true });
  try {
    const runId = positionals[0]!;
    const row = journal.findRun(runId);
    if (row === undefined) {
      const known = journal.listRuns().map((r) => r.runId);
      throw new InputError(journal.path, [{ code: 'invalid_value', path: ['run'], message: `no run "${runId}" in the history store${known.length === 0 ? ' (it holds no runs)' : `; it holds ${known.join(', ')}`}`, expected: 'a run id', received: runId }]);
    }
    const plan = row.plan as Plan;
    const report = reportFromJournal(journal, runId, plan, row.status, row.report);
    const decisions = journal.decisions(runId);
    const output = format === 'svg' ? renderRunGanttSvg(plan, report, decisions) : format === 'json' ? `${JSON.stringify({ ...report, decisions }, null, 2)}\n` : renderRunReport(report, plan, { explain: values.explain === true, decisions });
    if (values.out !== undefined) writeText(values.out, output);
    else io.stdout(output.endsWith('\n') ? output : `${output}\n`);
    return EXIT_OK;
  } finally {
    journal.close();
  }
}

/** A run's report rebuilt from its journal: the saved summary, and the timeline from its commits and attempts. */
function reportFromJournal(journal: RunJournal, runId: string, plan: Plan, status: string, saved: unknown): RunReport {
  const commits = new Map(journal.commits(runId).map((c) => [c.subtaskId, c]));
  const attempts = new Map<string, number>();
  for (const a of journal.attempts(runId)) {
    const id = a.subtaskId ?? a.stageId;
    attempts.set(id, Math.max(attempts.get(id) ?? 0, a.attempt));
  }
  const summary = (saved ?? {}) as Partial<RunReport>;
  const notCommitted = new Map((summary.notCommitted ?? []).map((n) => [n.id, n]));
  const timeline = plan.subtasks.map((subtask) => {
    const commit = commits.get(subtask.id);
    if (commit !== undefined) return { id: subtask.id, state: 'committed' as const, pool: commit.poolId, slot: -1, attempts: attempts.get(subtask.id) ?? commit.attempt, startedS: commit.startedS, finishedS: commit.finishedS };
    return notCommitted.get(subtask.id) ?? { id: subtask.id, state: 'not-run' as const, pool: subtask.pool, slot: -1, attempts: attempts.get(subtask.id) ?? 0, reason: status === 'running' ? 'not committed (the run is still running, or its dispatcher died: --resume it)' : 'not committed' };
  });
  let makespanS = 0;
  for (const c of commits.values()) makespanS = Math.max(makespanS, c.finishedS);
  return {
    runId,
    status: status === 'succeeded' || status === 'failed' || status === 'stopped' ? status : 'stopped',
    subtasks: plan.subtasks.length,
    committed: commits.size,
    attempts: [...attempts.values()].reduce((a, b) => a + b, 0),
    retries: summary.retries ?? 0,
    moves: summary.moves ?? 0,
    replans: summary.replans ?? 0,
    excludedPools: summary.excludedPools ?? [],
    makespanS,
    plannedMakespanS: plan.summary.makespanS,
    notCommitted: timeline.filter((t) => t.state !== 'committed'),
    timeline,
  };
}

/** `apportion runs`: the runs in the history store, oldest first. */
export async function runRunsCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { history: { type: 'string' }, format: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const, { history: FILE });
  if (values.help === true) {
    io.stdout(`${RUN_USAGE}\n`);
    return EXIT_OK;
  }
  if (positionals.length > 0) throw new UsageError(`runs takes no files, received ${positionals.join(' ')}`);
  const format = oneOf('--format', values.format, FORMATS) ?? 'text';
  const journal = openRunJournal(values.history ?? defaultHistoryPath(), { readonly: true });
  try {
    const rows = journal.listRuns();
    io.stdout(format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : renderRunsList(rows));
    return EXIT_OK;
  } finally {
    journal.close();
  }
}

