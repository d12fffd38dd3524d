/** `apportion plan`: load, assemble, plan, render. */
import type { ObjectiveKind } from '../cost/objective.js';
import { assembleProblem } from '../model/problem.js';
import { explainChoices } from '../plan/explain.js';
import { createPlanner } from '../engine/create.js';
import type { Problem } from '../model/problem.js';
import { makePlan, type PlanOutcome } from '../plan/make-plan.js';
import type { PlannerId } from '../planners/planner.js';
import { renderExplain } from '../render/explain.js';
import { renderGanttSvg } from '../render/svg.js';
import { renderText } from '../render/text.js';
import { loadResourceMap, loadTaskDefinition } from './load.js';
import type { Io } from './main.js';

export interface PlanCommandOptions {
  readonly taskPath: string;
  readonly poolsPath: string;
  readonly planner: PlannerId;
  readonly objective: ObjectiveKind;
  readonly usdPerHour: number | undefined;
  readonly dataHome: string | undefined;
  readonly explain: boolean;
  readonly format: 'text' | 'json' | 'svg';
  readonly out: string | undefined;
  readonly limit: number | undefined;
  /** 0: constructive plan only; otherwise the anytime engine's budget. */
  readonly budgetMs: number;
  readonly workers: number | undefined;
  readonly seed: number;
  readonly progress: boolean;
}

/** Planning longer than this prints progress on stderr (at most once per PROGRESS_EVERY_MS). */
const PROGRESS_AFTER_MS = 1000;
const PROGRESS_EVERY_MS = 1000;

function progressPrinter(io: Io, enabled: boolean): (phase: string, detail: string) => void {
  const started = performance.now();
  let lastMs = 0;
  return (phase, detail) => {
    const elapsedMs = performance.now() - started;
    if (!enabled || elapsedMs < PROGRESS_AFTER_MS || elapsedMs - lastMs < PROGRESS_EVERY_MS) return;
    lastMs = elapsedMs;
    io.stderr(`planning (${(elapsedMs / 1000).toFixed(1)} s): ${phase}, ${detail}\n`);
  };
}

function planConstructive(problem: Problem, options: PlanCommandOptions, io: Io): PlanOutcome {
  const report = progressPrinter(io, options.progress);
  return makePlan(problem, {
    planner: options.planner,
    onProgress: (done, total, best) => report('constructive variants', `${done}/${total} scored, best objective ${best.toPrecision(5)}`),
  });
}

async function planAnytime(problem: Problem, options: PlanCommandOptions, io: Io): Promise<PlanOutcome> {
  const report = progressPrinter(io, options.progress);
  const planner = await createPlanner(options.workers === undefined ? {} : { workers: options.workers });
  try {
    return await planner.plan(problem, {
      planner: options.planner,
      timeBudgetMs: options.budgetMs,
      seed: options.seed,
      onProgress: (p) => report(p.phase, `${p.evaluations} candidates scored, best objective ${p.bestObjective.toPrecision(5)}`),
    });
  } finally {
    await planner.close();
  }
}

export async function runPlanCommand(options: PlanCommandOptions, io: Io): Promise<{ output: string; violations: readonly string[] }> {
  const definition = loadTaskDefinition(options.taskPath);
  const resources = loadResourceMap(options.poolsPath);
  const problem = assembleProblem(definition, resources, {
    objective: options.objective,
    ...(options.usdPerHour === undefined ? {} : { usdPerHour: options.usdPerHour }),
    ...(options.dataHome === undefined ? {} : { dataHome: options.dataHome }),
  });
  const outcome = options.budgetMs > 0 ? await planAnytime(problem, options, io) : planConstructive(problem, options, io);
  const { plan } = outcome;
  let output: string;
  if (options.format === 'json') output = `${JSON.stringify(plan, null, 2)}\n`;
  else if (options.format === 'svg') output = renderGanttSvg(plan);
  else {
    output = renderText(plan, options.limit === undefined ? {} : { limit: options.limit });
    if (options.explain) {
      const { choices, omitted } = explainChoices(problem, outcome.scored);
      output += `\n${renderExplain(plan, choices, omitted, outcome.tried)}`;
    }
  }
  return { output, violations: plan.constraints.violations };
}
