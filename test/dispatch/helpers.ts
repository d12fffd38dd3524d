/** Runs for dispatcher tests: a definition and pools from plain objects, planned, run on a backend with a journal in a temp dir. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend } from '../../src/dispatch/backend.js';
import type { RunReport } from '../../src/dispatch/dispatcher.js';
import { startRun, type RunSettings, type StartRunRequest } from '../../src/dispatch/run.js';
import { openRunJournal, type RunJournal } from '../../src/history/journal.js';
import { assembleProblem, type Problem } from '../../src/model/problem.js';
import { validateResourceMap } from '../../src/model/validate-pools.js';
import { validateTaskDefinition } from '../../src/model/validate-task.js';
import { planConstructive } from '../../src/plan/planner.js';
import type { Plan } from '../../src/plan/plan.js';

/** Longer than any run in the tests takes (seconds), short enough that a hang fails the suite fast. */
const RUN_LIMIT_MS = 90_000;

export interface TestRun {
  readonly dir: string;
  readonly runDir: string;
  readonly journal: RunJournal;
  readonly problem: Problem;
  readonly plan: Plan;
  readonly report: RunReport;
  cleanup(): void;
}

export function problemFrom(task: unknown, pools: unknown): Problem {
  return assembleProblem(validateTaskDefinition(task), validateResourceMap(pools));
}

export function onePool(id = 'p', slots = 4, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, region: 'A', slots, speed: 1, memGbPerSlot: 16, priceUsdPerSlotHour: 0, startupS: 0, interruptionPerHour: 0, dispatchOverheadS: 0, ...extra };
}

export async function runOn(
  backend: Backend,
  task: unknown,
  pools: unknown,
  options: { settings?: Partial<RunSettings>; runId?: string; dir?: string; request?: Partial<StartRunRequest> } = {},
): Promise<TestRun> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'apportion-dispatch-'));
  const problem = problemFrom(task, pools);
  const { plan, scored } = planConstructive(problem);
  const journal = openRunJournal(join(dir, 'history.sqlite'));
  const runDir = join(dir, 'run');
  const settings: RunSettings = { backend: backend.name, definitionPath: 'test', poolsPath: 'test', definitionDir: dir, ...options.settings };
  try {
    const started = await startRun({ problem, plan, scored, backend, journal, runDir, runId: options.runId ?? 'r1', definitionHash: 'h', settings, backoffS: () => 0.01, ...options.request });
    // Bounded: a run that cannot end fails its test instead of hanging the suite.
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the run did not end within ${RUN_LIMIT_MS / 1000} s: ${JSON.stringify(started.dispatch.snapshot().pools)}`)), RUN_LIMIT_MS);
    });
    const report = await Promise.race([started.done, limit]).finally(() => clearTimeout(timer));
    return { dir, runDir, journal, problem, plan, report, cleanup: () => (journal.close(), rmSync(dir, { recursive: true, force: true })) };
  } catch (error) {
    journal.close();
    throw error;
  } finally {
    await backend.close();
  }
}
