/**
 * A run from start to end, for the CLI and for embedders: a run id and directory, the journal
 * row, the dispatcher, the final status; and a resume from what the journal (and the run
 * directory) say was committed.
 *
 *   const run = startRun({ problem, plan, backend, journal, runDir, definitionHash, settings });
 *   const report = await run.dispatch.done;
 *
 * Resuming (`resumeRun`) re-uses the plan the run started with (kept in the journal), so the
 * sub-task ids, and with them the committed outputs, stay valid; a definition or resource map
 * whose hash differs from the one the run started with is refused. Attempt keys of a resumed
 * run carry a generation (`RUN~2`) so that a job the crashed dispatcher had queued (still in
 * Redis, still running on a worker) never collides with a new attempt; staging directories
 * carry it too.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ScoredCandidate } from '../cost/evaluate.js';
import type { CommitRow, DecisionRow, RunJournal } from '../history/journal.js';
import { InputError, nearestName } from '../model/issues.js';
import type { Problem } from '../model/problem.js';
import type { Plan } from '../plan/plan.js';
import type { Backend } from './backend.js';
import { startDispatch, type AttemptView, type Dispatch, type DispatchForecast, type ReplanSettings, type RunReport } from './dispatcher.js';
import { scoredFromPlan } from './from-plan.js';
import type { PoolChoice, RecoveryRule, ReplicaRule } from './recovery.js';
import { buildJob, checkRunnable, outputDirOf, safeName, type JobSettings } from './jobs.js';

/** What a run was started with, kept in the journal so a resume runs the same way. */
export interface RunSettings {
  readonly backend: string;
  readonly definitionPath: string;
  readonly poolsPath: string;
  readonly definitionDir: string;
  readonly replay?: { readonly timeScale: number };
  readonly retries?: number;
  /** How many times the run was resumed (the generation of its attempt keys). */
  readonly generation?: number;
  /** With a forecast: the epoch s plan time 0 was priced at, so a resume prices the same hours. */
  readonly forecastStartAtS?: number;
}

export interface StartRunRequest {
  readonly problem: Problem;
  readonly plan: Plan;
  readonly scored?: ScoredCandidate;
  readonly backend: Backend;
  readonly journal: RunJournal;
  /** The run's directory (absolute), created if missing. */
  readonly runDir: string;
  readonly runId: string;
  readonly definitionHash: string;
  readonly settings: RunSettings;
  readonly signal?: AbortSignal;
  readonly onDecision?: (decision: DecisionRow) => void;
  readonly onAttempt?: (attempt: AttemptView) => void;
  readonly replan?: ReplanSettings | false;
  readonly backoffS?: (retry: number) => number;
  readonly poolFailureLimit?: number;
  readonly slots?: ReadonlyMap<string, number>;
  /** The plan's forecast (bands of free slots from `plan --availability`): updated online, a departure re-plans. */
  readonly forecast?: DispatchForecast;
  /** The policy hooks of `apportion evaluate` (dispatcher.ts DispatchOptions). */
  readonly recovery?: RecoveryRule;
  readonly replicas?: ReplicaRule;
  readonly choosePool?: PoolChoice;
}

export interface StartedRun {
  readonly runId: string;
  readonly dispatch: Dispatch;
  /** Resolves once the journal holds the final status. */
  readonly done: Promise<RunReport>;
}

/** `r20261202-191530-3fa2`: sortable by start time, unique enough for one history store. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `r${stamp}-${randomBytes(2).toString('hex')}`;
}

/** A stable hash of the inputs a run depends on (the definition's and the resource map's text). */
export function inputsHash(...texts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const text of texts) hash.update(String(text.length)).update(':').update(text);
  return hash.digest('hex').slice(0, 16);
}

/** Creates the run directory (or says why it cannot be: exit 2, not a failed attempt per sub-task). */
export function prepareRunDir(runDir: string): void {
  try {
    mkdirSync(join(runDir, 'out'), { recursive: true });
    mkdirSync(join(runDir, 'staging'), { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOTDIR' ? 'a part of the path is a file' : code === 'EROFS' ? 'read-only file system' : (error as Error).message;
    throw new InputError('run', [{ code: 'invalid_value', path: ['runDir'], message: `cannot create the run directory ${runDir}: ${reason}`, expected: 'a writable directory', received: runDir }]);
  }
}

export function jobSettingsOf(runId: string, runDir: string, settings: RunSettings): JobSettings {
  const generation = settings.generation ?? 0;
  return {
    runId: generation === 0 ? runId : `${runId}~${generation}`,
    runDir,
    definitionDir: settings.definitionDir,
    ...(settings.replay === undefined ? {} : { replay: settings.replay }),
  };
}

/** Starts a new run: checks every stage can run, writes the journal row, dispatches. */
export async function startRun(request: StartRunRequest): Promise<StartedRun> {
  const jobSettings = jobSettingsOf(request.runId, request.runDir, request.settings);
  await checkRunnable(request.problem, jobSettings);
  prepareRunDir(request.runDir);
  request.journal.createRun({ runId: request.runId, job: request.plan.job, definitionHash: request.definitionHash, backend: request.settings.backend, runDir: request.runDir, plan: request.plan, settings: request.settings });
  return dispatchRun(request, jobSettings, undefined);
}

export interface ResumeRequest extends Omit<StartRunRequest, 'plan' | 'runDir' | 'settings' | 'scored'> {
  /** Settings of this invocation (backend may differ from the first; the replay scale may not). */
  readonly settings: RunSettings;
}

/** What a resume starts from: the run's plan and settings, and what is committed. */
export function loadRunForResume(journal: RunJournal, runId: string, definitionHash: string): { plan: Plan; runDir: string; settings: RunSettings; commits: CommitRow[]; lastAttempt: Map<string, number>; offsetS: number } {
  const row = journal.findRun(runId);
  if (row === undefined) {
    const known = journal.listRuns().map((r) => r.runId);
    const near = nearestName(runId, known);
    throw new InputError(journal.path, [
      {
        code: 'invalid_value',
        path: ['--resume'],
        message: `no run "${runId}" in the history store${near === undefined ? '' : ` (did you mean "${near}"?)`}${known.length === 0 ? '; it holds no runs' : `; "apportion runs" lists the ${known.length} it holds`}`,
        expected: 'the id of a run in this history store',
        received: runId,
      },
    ]);
  }
  if (row.definitionHash !== definitionHash) {
    throw new InputError(journal.path, [
      {
        code: 'invalid_value',
        path: ['--resume'],
        message: `run "${runId}" was started with another task definition or resource map (inputs hash ${row.definitionHash}, now ${definitionHash}): its committed outputs may not fit them; start a new run instead`,
        expected: `the inputs of run ${runId}`,
        received: 'changed inputs',
      },
    ]);
  }
  if (row.status === 'succeeded') {
    throw new InputError(journal.path, [{ code: 'invalid_value', path: ['--resume'], message: `run "${runId}" already succeeded: every sub-task is committed; nothing to resume`, expected: 'an unfinished run', received: runId }]);
  }
  const plan = row.plan as Plan;
  const settings = row.settings as RunSettings;
  const commits = journal.commits(runId);
  // Outputs renamed into place after the last journal flush (a crash in between) are committed too.
  const known = new Set(commits.map((c) => c.subtaskId));
  const onDisk = existsSync(join(row.runDir, 'out')) ? new Set(readdirSync(join(row.runDir, 'out'))) : new Set<string>();
  for (const subtask of plan.subtasks) {
    if (known.has(subtask.id) || !onDisk.has(safeName(subtask.id))) continue;
    commits.push({ subtaskId: subtask.id, attempt: 0, poolId: subtask.pool, outputDir: outputDirOf(row.runDir, subtask.id), startedS: subtask.startS, finishedS: subtask.finishS });
  }
  const lastAttempt = new Map<string, number>();
  let offsetS = 0;
  for (const attempt of journal.attempts(runId)) {
    const id = attempt.subtaskId ?? attempt.stageId;
    lastAttempt.set(id, Math.max(lastAttempt.get(id) ?? 0, attempt.attempt));
  }
  for (const c of commits) offsetS = Math.max(offsetS, c.finishedS);
  return { plan, runDir: row.runDir, settings, commits, lastAttempt, offsetS };
}

export async function resumeRun(request: ResumeRequest): Promise<StartedRun> {
  const loaded = loadRunForResume(request.journal, request.runId, request.definitionHash);
  const previous = loaded.settings;
  if ((previous.replay === undefined) !== (request.settings.replay === undefined) || (previous.replay !== undefined && previous.replay.timeScale !== request.settings.replay?.timeScale)) {
    throw new InputError(request.journal.path, [{ code: 'invalid_value', path: ['--replay'], message: `run "${request.runId}" was started ${previous.replay === undefined ? 'without --replay' : `with --replay --time-scale ${previous.replay.timeScale}`}: resume it the same way`, expected: 'the same replay settings', received: request.settings.replay === undefined ? 'no --replay' : `--time-scale ${request.settings.replay.timeScale}` }]);
  }
  const settings: RunSettings = { ...request.settings, generation: (previous.generation ?? 0) + 1 };
  const jobSettings = jobSettingsOf(request.runId, loaded.runDir, settings);
  await checkRunnable(request.problem, jobSettings);
  prepareRunDir(loaded.runDir);
  request.journal.setStatus(request.runId, 'running');
  return dispatchRun({ ...request, plan: loaded.plan, runDir: loaded.runDir, settings }, jobSettings, { commits: loaded.commits, lastAttempt: loaded.lastAttempt, offsetS: loaded.offsetS });
}

function dispatchRun(request: StartRunRequest, jobSettings: JobSettings, resume: { commits: readonly CommitRow[]; lastAttempt: ReadonlyMap<string, number>; offsetS: number } | undefined): StartedRun {
  const { problem, plan } = request;
  const scored = request.scored ?? scoredFromPlan(problem, plan);
  const dispatch = startDispatch({
    runId: request.runId,
    runDir: request.runDir,
    problem,
    plan,
    scored,
    backend: request.backend,
    journal: request.journal,
    jobs: (r) => buildJob(problem, jobSettings, { subtask: plan.subtasks[r.subtask]!, attempt: r.attempt, pool: r.pool, inputs: r.inputs, runtimeS: r.runtimeS }),
    ...(request.settings.retries === undefined ? {} : { retries: request.settings.retries }),
    ...(resume === undefined ? {} : { resume }),
    ...(request.signal === undefined ? {} : { signal: request.signal }),
    ...(request.onDecision === undefined ? {} : { onDecision: request.onDecision }),
    ...(request.onAttempt === undefined ? {} : { onAttempt: request.onAttempt }),
    ...(request.replan === undefined ? {} : { replan: request.replan }),
    ...(request.backoffS === undefined ? {} : { backoffS: request.backoffS }),
    ...(request.poolFailureLimit === undefined ? {} : { poolFailureLimit: request.poolFailureLimit }),
    ...(request.slots === undefined ? {} : { slots: request.slots }),
    ...(request.forecast === undefined ? {} : { forecast: request.forecast }),
    ...(request.recovery === undefined ? {} : { recovery: request.recovery }),
    ...(request.replicas === undefined ? {} : { replicas: request.replicas }),
    ...(request.choosePool === undefined ? {} : { choosePool: request.choosePool }),
    ...(request.settings.replay === undefined ? {} : { timeScale: request.settings.replay.timeScale }),
  });
  const done = dispatch.done.then(
    (report) => {
      request.journal.setStatus(request.runId, report.status, summaryOf(report));
      return report;
    },
    (error: unknown) => {
      request.journal.setStatus(request.runId, 'failed', { error: error instanceof Error ? error.message : String(error) });
      throw error;
    },
  );
  return { runId: request.runId, dispatch, done };
}

/** The report as the journal keeps it: everything but the per-sub-task timeline (the commits hold that). */
function summaryOf(report: RunReport): object {
  const { timeline: _timeline, ...rest } = report;
  return rest;
}
