/** `apportion plan`: load, assemble, plan, render. */
import type { ObjectiveKind } from '../cost/objective.js';
import { assembleProblem } from '../model/problem.js';
import { explainChoices } from '../plan/explain.js';
import { makePlan } from '../plan/make-plan.js';
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
  readonly progress: boolean;
}

/** Planning longer than this prints progress on stderr. */
const PROGRESS_AFTER_MS = 1000;

export function runPlanCommand(options: PlanCommandOptions, io: Io): { output: string; violations: readonly string[] } {
  const definition = loadTaskDefinition(options.taskPath);
  const resources = loadResourceMap(options.poolsPath);
  const problem = assembleProblem(definition, resources, {
    objective: options.objective,
    ...(options.usdPerHour === undefined ? {} : { usdPerHour: options.usdPerHour }),
    ...(options.dataHome === undefined ? {} : { dataHome: options.dataHome }),
  });
  const started = performance.now();
  const outcome = makePlan(problem, {
    planner: options.planner,
    onProgress: (done, total, bestObjective) => {
      const elapsedMs = performance.now() - started;
      if (options.progress && elapsedMs > PROGRESS_AFTER_MS) io.stderr(`planning: ${done}/${total} variants scored, best objective ${bestObjective.toPrecision(5)} (${(elapsedMs / 1000).toFixed(1)} s)\n`);
    },
  });
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
