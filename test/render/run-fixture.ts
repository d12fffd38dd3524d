/**
 * Real runs for the run renderers: the HEFT paper's 10-task job planned by HEFT, dispatched by
 * the real dispatcher on a scripted backend (a virtual clock; each attempt takes its planned
 * runtime and ends as `outcome` says), so reports, timelines and decisions are the
 * dispatcher's own, retries, moves, give-ups and re-plans included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobKey, type AttemptOutcome, type Backend, type BackendListener, type DispatchJob } from '../../src/dispatch/backend.js';
import { dispatch, type RunReport } from '../../src/dispatch/dispatcher.js';
import { stagingDirOf } from '../../src/dispatch/jobs.js';
import type { DecisionRow } from '../../src/history/journal.js';
import { planConstructive } from '../../src/plan/planner.js';
import type { Plan } from '../../src/plan/plan.js';
import { heftClassicProblem } from '../helpers/problems.js';

type Script = (job: DispatchJob) => AttemptOutcome;

/** A backend on a virtual clock: attempts start when submitted and end after their planned runtime. */
class ScriptedBackend implements Backend {
  readonly name = 'scripted';
  private now = 0;
  private seq = 0;
  private readonly events: { atS: number; seq: number; fire: () => void }[] = [];
  private listener: BackendListener = () => {};
  private draining = false;

  constructor(private readonly script: Script) {}

  async open(_pools: unknown, listener: BackendListener): Promise<void> {
    this.listener = listener;
  }

  nowS(): number {
    return this.now;
  }

  submit(job: DispatchJob): void {
    const key = jobKey(job);
    const startedS = this.now;
    const finishedS = startedS + job.expectedS;
    const outcome = this.script(job);
    this.at(startedS, () => this.listener({ type: 'started', key, atS: startedS }));
    this.at(finishedS, () => this.listener({ type: 'finished', key, result: { outcome, startedS, finishedS, ...(outcome === 'succeeded' ? {} : { error: 'exit code 3' }) } }));
  }

  cancel(): void {}

  async close(): Promise<void> {}

  after(delayS: number, fn: () => void): void {
    this.at(this.now + delayS, fn);
  }

  private at(atS: number, fire: () => void): void {
    this.events.push({ atS, seq: this.seq++, fire });
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => {
      // Earliest first, ties in submission order: a small run needs no heap.
      while (this.events.length > 0) {
        this.events.sort((a, b) => a.atS - b.atS || a.seq - b.seq);
        const next = this.events.shift()!;
        this.now = Math.max(this.now, next.atS);
        next.fire();
      }
      this.draining = false;
    });
  }
}

export interface ScriptedRun {
  readonly plan: Plan;
  readonly report: RunReport;
  readonly decisions: DecisionRow[];
}

/** The HEFT plan of the paper's job: 10 sub-tasks n1…n10 on pools p1, p2, p3 (one slot each). */
export function heftPlan(): Plan {
  return planConstructive(heftClassicProblem(), { planner: 'heft' }).plan;
}

export async function scriptedRun(script: (job: DispatchJob, plan: Plan) => AttemptOutcome, runId = 'run-1'): Promise<ScriptedRun> {
  const problem = heftClassicProblem();
  const plan = planConstructive(problem, { planner: 'heft' }).plan;
  const runDir = mkdtempSync(join(tmpdir(), 'apportion-run-view-'));
  const decisions: DecisionRow[] = [];
  try {
    const report = await dispatch({
      runId,
      runDir,
      problem,
      plan,
      backend: new ScriptedBackend((job) => script(job, plan)),
      backoffS: () => 1,
      onDecision: (d) => decisions.push(d),
      jobs: ({ subtask, attempt, pool, inputs, runtimeS }) => {
        const t = plan.subtasks[subtask]!;
        return { runId, subtask: t.id, attempt, pool, op: t.op, stage: t.id, steps: [], inputs, stagingDir: stagingDirOf(runDir, t.id, attempt), expectedS: runtimeS };
      },
    });
    return { plan, report, decisions };
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

/**
 * The run the renderer tests look at: `moved` fails every attempt on its planned pool (three
 * failures, then moved to the next-ranked pool, where it commits); `doomed` fails everywhere
 * (given up, its dependants blocked).
 */
export function troubledRun(moved: string, doomed: string): Promise<ScriptedRun> {
  return scriptedRun((job, plan) => {
    if (job.subtask === doomed) return 'failed';
    if (job.subtask === moved && job.pool === plan.subtasks.find((t) => t.id === moved)!.pool) return 'failed';
    return 'succeeded';
  });
}
