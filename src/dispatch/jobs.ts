/**
 * From a plan's sub-task to the `DispatchJob` a backend runs: which steps (each stage's `run`,
 * or the replay wait), with the command placeholders filled in, where the attempt writes, and
 * where a sub-task's committed output lives.
 *
 * Run directory layout (like Nextflow's work directory, one per run):
 *   RUN_DIR/staging/<sub-task>.<attempt>/   an attempt writes here
 *   RUN_DIR/out/<sub-task>/                 its output, once committed (renamed from staging)
 * Sub-task ids are made safe for file names by percent-encoding (`stage#3` → `stage%233`).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError, nearestName, type InputIssue } from '../model/issues.js';
import type { Problem } from '../model/problem.js';
import type { StageRun } from '../model/types.js';
import type { PlanSubtask } from '../plan/plan.js';
import type { DispatchJob, JobInput, JobStep, StepRun } from './backend.js';

export interface JobSettings {
  readonly runId: string;
  /** Absolute. */
  readonly runDir: string;
  /** Directory the definition file is in: `run.module` paths are relative to it. */
  readonly definitionDir: string;
  /** Replay: every sub-task waits its planned runtime × timeScale instead of running anything. */
  readonly replay?: { readonly timeScale: number };
}

export function safeName(id: string): string {
  return encodeURIComponent(id).replace(/[*!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function outputDirOf(runDir: string, subtask: string): string {
  return join(runDir, 'out', safeName(subtask));
}

/** `generation` > 0 for a resumed run: an attempt of the run before the crash may still be writing to its own directory. */
export function stagingDirOf(runDir: string, subtask: string, attempt: number, generation = 0): string {
  return join(runDir, 'staging', `${safeName(subtask)}.${generation === 0 ? '' : `g${generation}.`}${attempt}`);
}

/** The stages a sub-task runs, in order (a chunk: its stage; a cluster: its tasks). */
export function stagesOf(subtask: PlanSubtask): readonly string[] {
  return subtask.stage !== undefined ? [subtask.stage] : (subtask.tasks ?? []);
}

/**
 * Checks, before anything runs, that every stage can be run: a `run` (or replay), a handler
 * module that exists and exports a function. Errors name the stage's path. A command is not
 * checked here: a command that does not exist is a failed attempt, recorded with its error.
 */
export async function checkRunnable(problem: Problem, settings: JobSettings): Promise<void> {
  if (settings.replay !== undefined) return;
  const issues: InputIssue[] = [];
  const modules = new Map<string, Promise<Record<string, unknown> | Error>>();
  // 10^5 stages share a handful of modules: each file is looked at once.
  const present = new Map<string, boolean>();
  for (const [index, stage] of problem.definition.stages.entries()) {
    const path = ['stages', index, 'run'];
    if (stage.run === undefined) {
      issues.push({ code: 'missing_field', path, message: `stage "${stage.id}" has nothing to run: give it a "run" ({ "command": [...] } or { "module", "export" }), or run with --replay`, expected: 'a run', received: 'nothing' });
      continue;
    }
    if (stage.run.kind !== 'module') continue;
    const file = moduleFile(stage.run, settings);
    let exists = present.get(file);
    if (exists === undefined) present.set(file, (exists = existsSync(file)));
    if (!exists) {
      issues.push({ code: 'invalid_value', path: [...path, 'module'], message: `handler module not found: ${file}`, expected: 'a JavaScript module file', received: stage.run.module });
      continue;
    }
    let loaded = modules.get(file);
    if (loaded === undefined) {
      loaded = import(pathToFileURL(file).href).then(
        (m: Record<string, unknown>) => m,
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      );
      modules.set(file, loaded);
    }
    const mod = await loaded;
    if (mod instanceof Error) {
      issues.push({ code: 'invalid_value', path: [...path, 'module'], message: `handler module ${file} failed to load: ${mod.message}`, expected: 'a module that loads', received: stage.run.module });
      continue;
    }
    if (typeof mod[stage.run.export] !== 'function') {
      const names = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
      const near = nearestName(stage.run.export, names);
      issues.push({
        code: 'invalid_value',
        path: [...path, 'export'],
        message: `module ${stage.run.module} has no exported function "${stage.run.export}"${near === undefined ? '' : ` (did you mean "${near}"?)`}; it exports ${names.length === 0 ? 'no functions' : names.join(', ')}`,
        expected: 'an exported function',
        received: stage.run.export,
      });
    }
  }
  if (issues.length > 0) throw new InputError('task definition', issues);
}

function moduleFile(run: Extract<StageRun, { kind: 'module' }>, settings: JobSettings): string {
  return isAbsolute(run.module) ? run.module : resolve(settings.definitionDir, run.module);
}

export interface JobRequest {
  readonly subtask: PlanSubtask;
  readonly attempt: number;
  readonly pool: string;
  readonly inputs: readonly JobInput[];
  /** Planned runtime of the sub-task on `pool` (s, without rework). */
  readonly runtimeS: number;
}

export function buildJob(problem: Problem, settings: JobSettings, request: JobRequest): DispatchJob {
  const { subtask, attempt, pool, inputs } = request;
  const tilde = settings.runId.lastIndexOf('~');
  const stagingDir = stagingDirOf(settings.runDir, subtask.id, attempt, tilde < 0 ? 0 : Number(settings.runId.slice(tilde + 1)));
  const stageIds = stagesOf(subtask);
  const chunk = subtask.items === undefined ? undefined : chunkIndex(subtask.id);
  let steps: JobStep[];
  let timeoutS: number | undefined;
  if (settings.replay !== undefined) {
    steps = [{ stage: stageIds[0]!, run: { kind: 'replay', durationS: request.runtimeS * settings.replay.timeScale } }];
  } else {
    steps = stageIds.map((id) => {
      const stage = problem.definition.stages[problem.stageIndex.get(id)!]!;
      const run = stage.run!;
      if (run.timeoutS !== undefined) timeoutS = (timeoutS ?? 0) + run.timeoutS;
      const step: StepRun =
        run.kind === 'module'
          ? { kind: 'module', module: moduleFile(run, settings), export: run.export }
          : { kind: 'command', argv: substitute(run.command, { subtask, attempt, pool, stage: id, stagingDir, inputs, ...(chunk === undefined ? {} : { chunk }) }) };
      return { stage: id, run: step };
    });
  }
  return {
    runId: settings.runId,
    subtask: subtask.id,
    attempt,
    pool,
    op: subtask.op,
    stage: stageIds[0]!,
    ...(subtask.items === undefined ? {} : { items: subtask.items }),
    ...(chunk === undefined ? {} : { chunk }),
    steps,
    inputs,
    stagingDir,
    ...(timeoutS === undefined ? {} : { timeoutS }),
    expectedS: request.runtimeS,
  };
}

function chunkIndex(id: string): number | undefined {
  const hash = id.lastIndexOf('#');
  const k = hash < 0 ? NaN : Number(id.slice(hash + 1));
  return Number.isInteger(k) ? k : undefined;
}

interface Placeholders {
  readonly subtask: PlanSubtask;
  readonly attempt: number;
  readonly pool: string;
  readonly stage: string;
  readonly stagingDir: string;
  readonly inputs: readonly JobInput[];
  readonly chunk?: number;
}

/** `{inputs}` as a whole argument becomes one argument per input directory; other placeholders are replaced inside arguments. */
export function substitute(argv: readonly string[], at: Placeholders): string[] {
  const dirs = at.inputs.flatMap((input) => (input.dir === undefined ? [] : [input.dir]));
  const values: Record<string, string> = {
    start: String(at.subtask.items?.[0] ?? 0),
    end: String(at.subtask.items?.[1] ?? 0),
    chunk: String(at.chunk ?? 0),
    attempt: String(at.attempt),
    subtask: at.subtask.id,
    stage: at.stage,
    pool: at.pool,
    out: at.stagingDir,
  };
  const out: string[] = [];
  for (const arg of argv) {
    if (arg === '{inputs}') {
      out.push(...dirs);
      continue;
    }
    out.push(
      arg.replace(/\{(input(\d+)|[a-z]+)\}/g, (whole, name: string, index: string | undefined) => {
        if (index !== undefined) return dirs[Number(index)] ?? '';
        return values[name] ?? whole;
      }),
    );
  }
  return out;
}
