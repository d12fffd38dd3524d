/**
 * Plan-quality benchmark: every WfFormat workflow × pool scenario × planner × objective, and
 * the anytime engine ("apportion+search": `createPlanner({ solver: 'highs' }).plan()` with a
 * time budget) against the constructive planners, HEFT and the certified lower bound.
 *
 *   npm run bench:quality                        (node --import tsx bench/quality.ts)
 *   npm run bench:quality -- --budget-ms 500     engine budget per case (default 1000 ms)
 *   npm run bench:quality -- --quick             constructive planners only (no engine)
 *   npm run bench:quality -- --data DIR          another set of WfFormat files
 *   npm run bench:quality -- --no-families       skip the generated workflows outside the shared set
 *   npm run bench:quality -- --families-only     only those
 *
 * Every published list scheduler of src/planners/published/ (HEFT, CPoP, PEFT, MinMin, MaxMin,
 * Sufferage, Duplex, MCT, MET, OLB, ETF, FastestNode) also runs on every case, with --quick
 * too, and apportion is compared with the best of them (bench/quality-published.ts).
 *
 * Writes bench/results/quality.md (also printed to stdout) and bench/results/quality.json;
 * progress goes to stderr. Exit code 1 if any plan is invalid, any case threw, or any plan
 * lies below the certified lower bound (the bound would then be wrong).
 */
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadResourceMap, loadTaskDefinition } from '../src/load/files.js';
import { objectiveValue } from '../src/model/objective.js';
import { familyCases, familyScenarios } from './quality-families.js';
import { createPlanner, type ApportionPlanner, type ResolvedPlannerOptions } from '../src/plan/planner.js';

import type { ResourceMap, TaskDefinition } from '../src/model/types.js';
import { assembleProblem, type Problem } from '../src/model/problem.js';
import { checkPlanValidity } from '../src/plan/check.js';
import { planConstructive, type PlanOutcome } from '../src/plan/planner.js';
import type { Plan } from '../src/plan/plan.js';
import { PLANNER_IDS, type PlannerId } from '../src/planners/planner.js';
import {
  describeMachine,
  errorDetail,
  errorLine,
  formatMs,
  formatNumber,
  formatPercent,
  geometricMean,
  listWorkflowFiles,
  markdownTable,
  median,
  progress,
  REPO_ROOT,
  reportHeader,
  WFINSTANCES_DIR,
  workflowName,
  writeResult,
  type MachineInfo,
} from './common.js';
import { renderPublishedCases, renderPublishedSummary, runPublished, summarizePublished, type PublishedCase, type PublishedOutcome, type PublishedSummary } from './quality-published.js';
import { PUBLISHED, PUBLISHED_IDS, type PublishedId } from '../src/planners/published/index.js';

const COMMAND = 'npm run bench:quality  (node --import tsx bench/quality.ts)';

interface Scenario {
  readonly id: string;
  readonly poolsFile: string;
  readonly description: string;
}

const SCENARIOS: readonly Scenario[] = [
  { id: 'homogeneous', poolsFile: 'examples/pools/homogeneous.json', description: 'one homogeneous cluster' },
  { id: 'two-region', poolsFile: 'examples/pools/two-region.json', description: 'heterogeneous, two regions, no spot' },
  { id: 'hetero', poolsFile: 'examples/pools/hetero.json', description: 'heterogeneous, two regions, with the spot pool' },
];

const OBJECTIVES = ['weighted', 'makespan'] as const;
type BenchObjective = (typeof OBJECTIVES)[number];

const PLANNERS: readonly PlannerId[] = PLANNER_IDS;
const REFERENCE: PlannerId = 'heft';
const SUBJECT: PlannerId = 'apportion';

/** Cases faster than this are timed three times and the median is reported. */
const REPEAT_BELOW_MS = 50;
const TIMING_RUNS = 3;
/** Relative tolerance for "apportion ≤ HEFT", for bound checks and for consistency checks. */
const RELATIVE_TOLERANCE = 1e-9;
const MAKESPAN_SHARE_TARGET = 0.9;

/** The anytime engine as a benchmark subject. */
const ENGINE = 'apportion+search';
type EngineSubject = typeof ENGINE;
const DEFAULT_BUDGET_MS = 1000;
const ENGINE_SEED = 1;
const ENGINE_SOLVER = 'highs' as const;
/** Targets from the issue. */
const GAP_TARGET = 1.2;
const HEFT_RATIO_TARGET = 0.9;
const HETEROGENEOUS_SCENARIOS: readonly string[] = ['two-region', 'hetero'];
/** An engine run counts as over budget beyond budget × this factor + OVER_BUDGET_SLACK_MS. */
const OVER_BUDGET_FACTOR = 1.2;
const OVER_BUDGET_SLACK_MS = 50;

// ---------------------------------------------------------------------------------------------
// Result records (also the JSON output)

interface PlannerRun {
  readonly planner: PlannerId;
  readonly ok: true;
  readonly objective: number;
  readonly makespanS: number;
  readonly costUsd: number;
  /** Measured around planConstructive; the median of TIMING_RUNS runs when the first was fast. */
  readonly planningMs: number;
  readonly planningRunsMs: number[];
  /** plan.summary.planningMs of the first run (the planner's own clock). */
  readonly reportedPlanningMs: number;
  readonly variant: string;
  readonly subtaskCount: number;
  readonly feasible: boolean;
  /** checkPlanValidity problems: must be empty. */
  readonly invalid: string[];
  /** Sanity-check findings that are not validity errors (bounds, consistency, determinism). */
  readonly warnings: string[];
}

interface PlannerFailure {
  readonly planner: PlannerId;
  readonly ok: false;
  readonly error: string;
  readonly errorDetail: string;
}

type PlannerOutcome = PlannerRun | PlannerFailure;

/** `outcome.plan.bounds` of the engine's plan: certified for every plan of the problem. */
interface CertifiedBound {
  readonly objective: number;
  readonly makespanS: number;
  readonly costUsd: number;
  readonly source: string;
  /** 'LP' or 'quick', read from the source text ('other' if neither), for the tables. */
  readonly kind: string;
}

interface EngineRun {
  readonly planner: EngineSubject;
  readonly ok: true;
  readonly objective: number;
  readonly makespanS: number;
  readonly costUsd: number;
  readonly bound: CertifiedBound;
  /** objective / bound.objective (null when the bound is not positive). */
  readonly gapRatio: number | null;
  /** outcome.gap as the engine reports it (objective / bound − 1). */
  readonly reportedGap: number;
  /** Each constructive planner's objective / the same bound. */
  readonly constructiveGapRatios: Partial<Record<PlannerId, number>>;
  /** Measured around planner.plan(). */
  readonly wallMs: number;
  /** plan.summary.planningMs (the engine's own clock). */
  readonly reportedPlanningMs: number;
  readonly variant: string;
  readonly subtaskCount: number;
  readonly feasible: boolean;
  readonly candidatesTried: number;
  readonly notes: readonly string[];
  /** checkPlanValidity(problem, outcome.scored): must be empty. */
  readonly invalid: string[];
  /** Consistency findings (summary vs terms, bound vs plan.bounds, gap). */
  readonly warnings: string[];
  /** Plans of this problem (the engine's and every constructive planner's) below the certified bound. */
  readonly belowBound: string[];
}

interface EngineFailure {
  readonly planner: EngineSubject;
  readonly ok: false;
  readonly error: string;
  readonly errorDetail: string;
}

type EngineRecord = EngineRun | EngineFailure;

interface CaseRow {
  readonly workflow: string;
  readonly scenario: string;
  readonly objective: BenchObjective;
  readonly tasks: number | null;
  /** Load or assembly failure (then `planners` is empty and `engine` null). */
  readonly error: string | null;
  readonly errorDetail: string | null;
  readonly planners: PlannerOutcome[];
  /** The published list schedulers (empty when the row failed). */
  readonly published: PublishedOutcome[];
  /** The anytime engine; null with --quick or when the row failed. */
  readonly engine: EngineRecord | null;
}

// ---------------------------------------------------------------------------------------------
// Running

interface BenchOptions {
  readonly dataDir: string;
  /** Engine time budget per case (ms). */
  readonly budgetMs: number;
  /** Skip the engine. */
  readonly quick: boolean;
  /** Run the generated families (quality-families.ts) after the shared set. */
  readonly families: boolean;
  /** Only the families (development runs). */
  readonly familiesOnly: boolean;
}

interface EngineContext {
  readonly planner: ApportionPlanner;
  readonly budgetMs: number;
}

async function main(): Promise<void> {
  const options = benchOptions();
  const startedMs = performance.now();
  const dateIso = new Date().toISOString();
  const machine = describeMachine();
  const { files, skipped } = listWorkflowFiles(options.dataDir);
  let planner: ApportionPlanner | undefined;
  let rows: CaseRow[];
  let familyRows: CaseRow[];
  try {
    if (!options.quick) {
      progress(`quality: createPlanner({ solver: '${ENGINE_SOLVER}' }) — loading the solver once for the whole run`);
      planner = await createPlanner({ solver: ENGINE_SOLVER });
    }
    const engineContext = planner === undefined ? undefined : { planner, budgetMs: options.budgetMs };
    rows = options.familiesOnly ? [] : await benchmarkAll(files, options, engineContext);
    familyRows = options.families ? await benchmarkFamilies(engineContext) : [];
  } finally {
    await planner?.close();
  }
  const runtimeS = (performance.now() - startedMs) / 1000;
  const summary = summarize(rows, options.budgetMs);
  const engineConfig = engineSettings(options, planner?.options);
  const familySummary = summarizeFamilies(familyRows);
  const markdown = `${renderReport({ dateIso, machine, dataDir: options.dataDir, files, skipped, rows, summary, runtimeS, engine: engineConfig })}${renderFamilies(familyRows, familySummary)}`;
  const mdPath = writeResult('quality.md', markdown);
  const raw = { command: COMMAND, argv: process.argv.slice(2), date: dateIso, machine, config: benchConfig(options.dataDir, files, skipped, engineConfig), runtimeS, summary, rows, familySummary, familyRows };
  const jsonPath = writeResult('quality.json', `${JSON.stringify(raw, null, 1)}\n`);
  process.stdout.write(markdown);
  progress(`quality: ${rows.length} rows in ${runtimeS.toFixed(1)} s → ${mdPath}, ${jsonPath}`);
  if (summary.invalid.length > 0) progress(`quality: !!! ${summary.invalid.length} INVALID PLAN(S) — see "Invalid plans" in the report`);
  if (summary.failures.length > 0) progress(`quality: !!! ${summary.failures.length} FAILURE(S) (exceptions) — see "Failures" in the report`);
  const engine = summary.engine;
  if (engine !== undefined) {
    if (engine.boundViolations.length > 0) progress(`quality: !!! ${engine.boundViolations.length} CASE(S) WITH A PLAN BELOW THE CERTIFIED BOUND — see "Plans below the certified bound"`);
    if (engine.worseThanConstructive.length > 0) progress(`quality: !!! apportion+search worse than constructive apportion in ${engine.worseThanConstructive.length} case(s) — see the report`);
  }
  if (familySummary.problems.length > 0) progress(`quality: !!! ${familySummary.problems.length} PROBLEM(S) in the families — see "Workflows outside the shared set"`);
  if (summary.invalid.length > 0 || summary.failures.length > 0 || (engine?.boundViolations.length ?? 0) > 0 || familySummary.problems.length > 0) process.exitCode = 1;
}

/** `--data DIR` (default ../shared/data/wfinstances), `--budget-ms N` (default 1000), `--quick`. */
function benchOptions(): BenchOptions {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      data: { type: 'string' },
      'budget-ms': { type: 'string' },
      quick: { type: 'boolean', default: false },
      'no-families': { type: 'boolean', default: false },
      'families-only': { type: 'boolean', default: false },
    },
  });
  const rawBudget = values['budget-ms'];
  const budgetMs = rawBudget === undefined ? DEFAULT_BUDGET_MS : Number(rawBudget);
  if (!Number.isFinite(budgetMs) || budgetMs < 0) throw new RangeError(`--budget-ms: expected milliseconds >= 0, received ${rawBudget}`);
  return {
    dataDir: values.data === undefined ? WFINSTANCES_DIR : resolve(values.data),
    budgetMs,
    quick: values.quick === true,
    families: values['no-families'] !== true,
    familiesOnly: values['families-only'] === true,
  };
}

async function benchmarkAll(files: readonly string[], options: BenchOptions, engine: EngineContext | undefined): Promise<CaseRow[]> {
  const scenarios = SCENARIOS.map(loadScenario);
  const rows: CaseRow[] = [];
  const startedMs = performance.now();
  for (const [k, file] of files.entries()) {
    const fileStartedMs = performance.now();
    const workflow = workflowName(file, options.dataDir);
    const fileRows: CaseRow[] = [];
    for (const scenario of scenarios) fileRows.push(...(await benchmarkFile(file, workflow, scenario, engine)));
    rows.push(...fileRows);
    const seconds = ((performance.now() - fileStartedMs) / 1000).toFixed(1);
    const elapsedS = (performance.now() - startedMs) / 1000;
    const etaS = (elapsedS / (k + 1)) * (files.length - k - 1);
    progress(`quality: file ${k + 1}/${files.length} ${workflow} (${fileRows[0]?.tasks ?? '?'} tasks) ${seconds} s${engineSuffix(fileRows)}; ETA ${etaS.toFixed(0)} s${problemSuffix(fileRows)}`);
  }
  return rows;
}

interface LoadedScenario {
  readonly scenario: Scenario;
  readonly resources: ResourceMap | undefined;
  readonly error: unknown;
}

function loadScenario(scenario: Scenario): LoadedScenario {
  try {
    return { scenario, resources: loadResourceMap(resolve(REPO_ROOT, scenario.poolsFile)), error: undefined };
  } catch (error) {
    return { scenario, resources: undefined, error };
  }
}

/** One row per objective for this file on this scenario; the file is loaded once here. */
async function benchmarkFile(file: string, workflow: string, { scenario, resources, error: poolsError }: LoadedScenario, engine: EngineContext | undefined): Promise<CaseRow[]> {
  const base = { workflow, scenario: scenario.id };
  if (resources === undefined) return OBJECTIVES.map((objective) => failedRow(base, objective, null, `pools: ${errorLine(poolsError)}`, poolsError));
  let definition: TaskDefinition;
  let atomic: TaskDefinition;
  try {
    definition = loadTaskDefinition(file);
    atomic = loadTaskDefinition(file, { bags: false });
  } catch (error) {
    return OBJECTIVES.map((objective) => failedRow(base, objective, null, `load: ${errorLine(error)}`, error));
  }
  return benchmarkDefinition(definition, base, resources, engine, atomic);
}

/**
 * One row per objective for a loaded definition on one pool map. apportion (and the engine)
 * plan `definition` (WfFormat: bags of tasks as divisible stages); the baselines plan
 * `baselineDefinition`, the atomic import, one sub-task per task as their papers schedule.
 * Both are scored by the same cost model, and a bag cut one task per chunk costs exactly what
 * its atomic tasks cost (test/model/bags.test.ts), so the objectives compare.
 */
async function benchmarkDefinition(definition: TaskDefinition, base: { workflow: string; scenario: string }, resources: ResourceMap, engine: EngineContext | undefined, baselineDefinition = definition): Promise<CaseRow[]> {
  const tasks = baselineDefinition.stages.length;
  const rows: CaseRow[] = [];
  for (const objective of OBJECTIVES) {
    let problem: Problem;
    let baselineProblem: Problem;
    try {
      problem = assembleProblem(definition, resources, { objective });
      baselineProblem = baselineDefinition === definition ? problem : assembleProblem(baselineDefinition, resources, { objective });
    } catch (error) {
      rows.push(failedRow(base, objective, tasks, `assemble: ${errorLine(error)}`, error));
      continue;
    }
    const planners = PLANNERS.map((planner) => runPlanner(planner === SUBJECT ? problem : baselineProblem, planner));
    const published = runPublished(baselineProblem);
    const engineRecord = engine === undefined ? null : await runEngine(problem, engine, planners, published);
    rows.push({ ...base, objective, tasks, error: null, errorDetail: null, planners, published, engine: engineRecord });
  }
  return rows;
}

/** The generated families (quality-families.ts) on their own maps: reported apart from the shared set. */
async function benchmarkFamilies(engine: EngineContext | undefined): Promise<CaseRow[]> {
  const rows: CaseRow[] = [];
  const scenarios = familyScenarios();
  for (const family of familyCases()) {
    const startedMs = performance.now();
    for (const scenario of scenarios) rows.push(...(await benchmarkDefinition(family.definition, { workflow: family.workflow, scenario: scenario.id }, scenario.resources, engine)));
    progress(`quality: family ${family.workflow} (${family.definition.stages.length} tasks) ${((performance.now() - startedMs) / 1000).toFixed(1)} s`);
  }
  return rows;
}

function failedRow(base: { workflow: string; scenario: string }, objective: BenchObjective, tasks: number | null, error: string, cause: unknown): CaseRow {
  return { ...base, objective, tasks, error, errorDetail: errorDetail(cause), planners: [], published: [], engine: null };
}

function runPlanner(problem: Problem, planner: PlannerId): PlannerOutcome {
  try {
    const first = timedMakePlan(problem, planner);
    const runsMs = [first.ms];
    const warnings: string[] = [];
    if (first.ms < REPEAT_BELOW_MS) {
      for (let run = 1; run < TIMING_RUNS; run++) {
        const again = timedMakePlan(problem, planner);
        runsMs.push(again.ms);
        if (!sameResult(first.outcome, again.outcome)) warnings.push(`non-deterministic: run ${run + 1} gave objective ${again.outcome.plan.summary.objective}, run 1 gave ${first.outcome.plan.summary.objective}`);
      }
    }
    const summary = first.outcome.plan.summary;
    return {
      planner,
      ok: true,
      objective: summary.objective,
      makespanS: summary.makespanS,
      costUsd: summary.costUsd,
      planningMs: median(runsMs),
      planningRunsMs: runsMs,
      reportedPlanningMs: summary.planningMs,
      variant: summary.variant,
      subtaskCount: summary.subtaskCount,
      feasible: summary.feasible,
      invalid: checkPlanValidity(problem, first.outcome.scored),
      warnings: [...warnings, ...boundWarnings(first.outcome.plan), ...consistencyWarnings(problem, first.outcome.plan)],
    };
  } catch (error) {
    return { planner, ok: false, error: errorLine(error), errorDetail: errorDetail(error) };
  }
}

function timedMakePlan(problem: Problem, planner: PlannerId): { outcome: PlanOutcome; ms: number } {
  const startMs = performance.now();
  const outcome = planConstructive(problem, { planner });
  return { outcome, ms: performance.now() - startMs };
}

function sameResult(a: PlanOutcome, b: PlanOutcome): boolean {
  return a.plan.summary.objective === b.plan.summary.objective && a.plan.summary.makespanS === b.plan.summary.makespanS && a.plan.summary.costUsd === b.plan.summary.costUsd;
}

/** The anytime engine on this problem; its certified bound also checks the constructive plans. */
async function runEngine(problem: Problem, { planner, budgetMs }: EngineContext, constructive: readonly PlannerOutcome[], published: readonly PublishedOutcome[]): Promise<EngineRecord> {
  try {
    const startMs = performance.now();
    const outcome = await planner.plan(problem, { timeBudgetMs: budgetMs, seed: ENGINE_SEED });
    const wallMs = performance.now() - startMs;
    const { summary, bounds } = outcome.plan;
    const bound: CertifiedBound = {
      objective: bounds.objectiveLowerBound,
      makespanS: bounds.makespanLowerBoundS,
      costUsd: bounds.costLowerBoundUsd,
      source: bounds.source,
      kind: boundKind(bounds.source),
    };
    const ratioTo = (objective: number): number | undefined => (bound.objective > 0 ? objective / bound.objective : undefined);
    const constructiveGapRatios: Partial<Record<PlannerId, number>> = {};
    for (const run of constructive) {
      const ratio = run.ok ? ratioTo(run.objective) : undefined;
      if (ratio !== undefined) constructiveGapRatios[run.planner] = ratio;
    }
    const belowBound = [
      ...boundViolations(ENGINE, summary, bound),
      ...constructive.flatMap((run) => (run.ok ? boundViolations(run.planner, run, bound) : [])),
      ...published.flatMap((run) => (run.ok ? boundViolations(publishedLabel(run.rule), run, bound) : [])),
    ];
    return {
      planner: ENGINE,
      ok: true,
      objective: summary.objective,
      makespanS: summary.makespanS,
      costUsd: summary.costUsd,
      bound,
      gapRatio: ratioTo(summary.objective) ?? null,
      reportedGap: outcome.gap,
      constructiveGapRatios,
      wallMs,
      reportedPlanningMs: summary.planningMs,
      variant: summary.variant,
      subtaskCount: summary.subtaskCount,
      feasible: summary.feasible,
      candidatesTried: outcome.tried.length,
      notes: outcome.notes,
      invalid: checkPlanValidity(problem, outcome.scored),
      warnings: [...consistencyWarnings(problem, outcome.plan), ...engineWarnings(outcome)],
      belowBound,
    };
  } catch (error) {
    return { planner: ENGINE, ok: false, error: errorLine(error), errorDetail: errorDetail(error) };
  }
}

function boundKind(source: string): string {
  if (source.startsWith('LP')) return 'LP';
  if (source.startsWith('critical path')) return 'quick';
  return 'other';
}

/** A plan's objective, makespan or cost below the certified bound: the bound would be wrong. */
function boundViolations(who: PlanLabel, plan: { objective: number; makespanS: number; costUsd: number }, bound: CertifiedBound): string[] {
  const below = (value: number, lower: number) => value < lower * (1 - RELATIVE_TOLERANCE);
  const out: string[] = [];
  if (below(plan.objective, bound.objective)) out.push(`${who}: objective ${plan.objective} < bound ${bound.objective} (${bound.kind})`);
  if (below(plan.makespanS, bound.makespanS)) out.push(`${who}: makespan ${plan.makespanS} s < bound ${bound.makespanS} s (${bound.kind})`);
  if (below(plan.costUsd, bound.costUsd)) out.push(`${who}: cost ${plan.costUsd} USD < bound ${bound.costUsd} USD (${bound.kind})`);
  return out;
}

/** A plan below its own quick bounds (planConstructive's bounds) would point at a bug. */
function boundWarnings(plan: Plan): string[] {
  const warnings: string[] = [];
  const { makespanS, costUsd } = plan.summary;
  if (makespanS < plan.bounds.makespanLowerBoundS * (1 - RELATIVE_TOLERANCE)) warnings.push(`makespan ${makespanS} s below the lower bound ${plan.bounds.makespanLowerBoundS} s`);
  if (costUsd < plan.bounds.costLowerBoundUsd * (1 - RELATIVE_TOLERANCE)) warnings.push(`cost ${costUsd} USD below the lower bound ${plan.bounds.costLowerBoundUsd} USD`);
  return warnings;
}

/** Checks that are not plan validity but would point at a bug in the planner or cost model. */
function consistencyWarnings(problem: Problem, plan: Plan): string[] {
  const warnings: string[] = [];
  const { objective, makespanS, costUsd } = plan.summary;
  if (![objective, makespanS, costUsd].every(Number.isFinite)) warnings.push(`non-finite summary: objective ${objective}, makespan ${makespanS} s, cost ${costUsd} USD`);
  const recomputed = objectiveValue(problem.objective, makespanS, costUsd);
  if (!nearlyEqual(objective, recomputed)) warnings.push(`summary.objective ${objective} ≠ objective of (makespan, cost) ${recomputed}`);
  const lastFinishS = plan.subtasks.reduce((latest, subtask) => Math.max(latest, subtask.finishS), 0);
  if (!nearlyEqual(lastFinishS, makespanS)) warnings.push(`makespan ${makespanS} s ≠ last sub-task finish ${lastFinishS} s`);
  if (!plan.summary.feasible) warnings.push(`plan reports constraint violations: ${plan.constraints.violations.join('; ')}`);
  return warnings;
}

/** The engine's outcome agrees with its plan document. */
function engineWarnings(outcome: PlanOutcome): string[] {
  const warnings: string[] = [];
  const { summary, bounds } = outcome.plan;
  if (!nearlyEqual(outcome.scored.terms.objective, summary.objective)) warnings.push(`scored objective ${outcome.scored.terms.objective} ≠ plan.summary.objective ${summary.objective}`);
  if (!nearlyEqual(outcome.bound.objective, bounds.objectiveLowerBound)) warnings.push(`outcome.bound.objective ${outcome.bound.objective} ≠ plan.bounds.objectiveLowerBound ${bounds.objectiveLowerBound}`);
  if (!nearlyEqual(outcome.bound.makespanS, bounds.makespanLowerBoundS)) warnings.push(`outcome.bound.makespanS ${outcome.bound.makespanS} ≠ plan.bounds.makespanLowerBoundS ${bounds.makespanLowerBoundS}`);
  if (bounds.objectiveLowerBound > 0) {
    const gap = summary.objective / bounds.objectiveLowerBound - 1;
    if (!nearlyEqual(outcome.gap, gap)) warnings.push(`outcome.gap ${outcome.gap} ≠ objective / bound − 1 = ${gap}`);
    if (!nearlyEqual(bounds.gap, gap)) warnings.push(`plan.bounds.gap ${bounds.gap} ≠ objective / bound − 1 = ${gap}`);
  }
  return warnings;
}

function nearlyEqual(a: number, b: number): boolean {
  return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
}

function engineSuffix(rows: readonly CaseRow[]): string {
  const runs = rows.flatMap((row) => (row.engine?.ok === true ? [row.engine] : []));
  if (runs.length === 0) return '';
  const gaps = runs.flatMap((run) => (run.gapRatio === null ? [] : [run.gapRatio]));
  return `; engine max ${Math.max(...runs.map((run) => run.wallMs)).toFixed(0)} ms, geomean gap ${formatRatio(geometricMean(gaps))}`;
}

function problemSuffix(rows: readonly CaseRow[]): string {
  const failures =
    rows.filter((row) => row.error !== null).length +
    rows.flatMap((row) => row.planners).filter((outcome) => !outcome.ok).length +
    rows.filter((row) => row.engine?.ok === false).length;
  const invalid = collectRuns(rows).filter(({ run }) => run.invalid.length > 0).length;
  const below = rows.filter((row) => row.engine?.ok === true && row.engine.belowBound.length > 0).length;
  return `${failures > 0 ? ` — ${failures} FAILURE(S)` : ''}${invalid > 0 ? ` — ${invalid} INVALID PLAN(S)` : ''}${below > 0 ? ` — ${below} CASE(S) BELOW THE CERTIFIED BOUND` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Summary

interface RatioStats {
  /** Geometric mean over the cases where both values are positive. */
  readonly geomean: number | undefined;
  readonly used: number;
  /** The reference value (HEFT, the bound, …) was 0, so the ratio is undefined. */
  readonly skippedZeroReference: number;
  /** The subject's value was 0 (a ratio of 0 has no logarithm). */
  readonly skippedZeroSubject: number;
  /** One of the two failed or the row failed. */
  readonly skippedMissing: number;
}

interface WorseCase {
  readonly workflow: string;
  readonly scenario: string;
  readonly objective: BenchObjective;
  readonly subject: number;
  readonly reference: number;
  readonly ratio: number;
}

interface Comparison {
  readonly compared: number;
  readonly atMost: number;
  readonly strictlyBetter: number;
  /** Cases where the subject is worse, worst first. */
  readonly worse: WorseCase[];
}

interface BeatenCase {
  readonly workflow: string;
  readonly scenario: string;
  readonly subject: number;
  readonly planner: PlannerId;
  readonly best: number;
  /** subject / best other. */
  readonly ratio: number;
}

type PlanLabel = PlannerId | EngineSubject | 'load/assemble' | `published:${PublishedId}`;

function publishedLabel(rule: PublishedId): PlanLabel {
  return `published:${rule}`;
}

interface PlanRef {
  readonly workflow: string;
  readonly scenario: string;
  readonly objective: BenchObjective;
  readonly planner: PlanLabel;
}

interface EngineSummary {
  readonly budgetMs: number;
  readonly runs: number;
  /** Scope (overall, scenario, objective, "scenario / objective") → geomean of apportion+search objective / certified bound. */
  readonly gap: Record<string, RatioStats>;
  /** The same for the constructive apportion plan and for HEFT, against the same bound. */
  readonly constructiveGap: Record<string, RatioStats>;
  readonly heftGap: Record<string, RatioStats>;
  /** objective → scenario or overall → geomean apportion+search / HEFT objective. */
  readonly vsHeft: Record<BenchObjective, Record<string, RatioStats>>;
  /** objective → scenario or overall → geomean apportion+search / HEFT makespan. */
  readonly vsHeftMakespan: Record<BenchObjective, Record<string, RatioStats>>;
  /** objective → scenario or overall → geomean apportion+search / constructive apportion objective. */
  readonly vsConstructive: Record<BenchObjective, Record<string, RatioStats>>;
  /** Makespan objective: apportion+search makespan vs HEFT makespan (target: never worse). */
  readonly makespanVsHeft: Comparison;
  /** Weighted objective: apportion+search objective vs HEFT objective. */
  readonly weightedVsHeft: Comparison;
  /** apportion+search objective vs constructive apportion objective, both objectives (target: never worse). */
  readonly vsConstructiveComparison: Comparison;
  readonly worseThanConstructive: WorseCase[];
  /** Cases where a constructive planner has a strictly lower objective than apportion+search. */
  readonly beatenBy: Record<BenchObjective, BeatenCase[]>;
  readonly boundViolations: Array<PlanRef & { problems: string[] }>;
  /** Bound kind (LP / quick / other) → cases; full source texts → cases. */
  readonly boundKinds: Record<string, number>;
  readonly boundSources: Record<string, number>;
  /** The gap geomean over the cases whose bound is the LP bound only (the quick bounds are much weaker). */
  readonly gapWithLpBound: RatioStats;
  /** Cases whose bound is not the LP bound, with the engine's note saying why. */
  readonly weakBoundCases: Array<PlanRef & { kind: string; gapRatio: number | null; note: string }>;
  readonly wallMs: { median: number; max: number; at: PlanRef; overBudget: Array<PlanRef & { ms: number }> } | undefined;
}

interface Summary {
  /** objective → planner → scenario id or 'overall' → geomean of planner/HEFT objective. */
  readonly objectiveRatios: Record<BenchObjective, Record<string, Record<string, RatioStats>>>;
  /** objective → scenario id or 'overall' → geomean of apportion/HEFT makespan. */
  readonly makespanRatios: Record<BenchObjective, Record<string, RatioStats>>;
  /** apportion makespan vs HEFT makespan under the makespan objective. */
  readonly makespanVsHeft: Comparison;
  /** apportion objective vs HEFT objective under the weighted objective. */
  readonly weightedVsHeft: Comparison;
  /** Cases where some other planner has a strictly lower objective than apportion. */
  readonly beatenBy: Record<BenchObjective, BeatenCase[]>;
  readonly maxPlanning: { ms: number; at: PlanRef } | undefined;
  readonly maxPlanningByPlanner: Record<string, { ms: number; at: PlanRef } | undefined>;
  /** Invalid plans, failures and warnings of every planner, apportion+search included. */
  readonly invalid: Array<PlanRef & { problems: string[] }>;
  readonly failures: Array<PlanRef & { error: string }>;
  readonly warnings: Array<PlanRef & { warnings: string[] }>;
  /** The anytime engine; undefined with --quick. */
  readonly engine: EngineSummary | undefined;
  /** apportion against the published list schedulers. */
  readonly published: PublishedSummary;
}

/** What the ratio statistics compare: objective and makespan of a plan, or of the bound. */
interface Metrics {
  readonly objective: number;
  readonly makespanS: number;
}

type Pick = (row: CaseRow) => Metrics | undefined;

function runOf(row: CaseRow, planner: PlannerId): PlannerRun | undefined {
  const outcome = row.planners.find((o) => o.planner === planner);
  return outcome?.ok === true ? outcome : undefined;
}

function engineOf(row: CaseRow): EngineRun | undefined {
  return row.engine?.ok === true ? row.engine : undefined;
}

const plannerPick = (planner: PlannerId): Pick => (row) => runOf(row, planner);
const enginePick: Pick = engineOf;
const boundPick: Pick = (row) => engineOf(row)?.bound;

const SCENARIO_SCOPES = [...SCENARIOS.map((s) => s.id), 'overall'];

function inScope(scope: string): (row: CaseRow) => boolean {
  return (row) => scope === 'overall' || row.scenario === scope;
}

function summarize(rows: readonly CaseRow[], budgetMs: number): Summary {
  const objectiveRatios = {} as Summary['objectiveRatios'];
  const makespanRatios = {} as Summary['makespanRatios'];
  for (const objective of OBJECTIVES) {
    const objectiveRows = rows.filter((row) => row.objective === objective);
    objectiveRatios[objective] = Object.fromEntries(
      PLANNERS.map((planner) => [planner, perScenario(objectiveRows, plannerPick(planner), plannerPick(REFERENCE), 'objective')]),
    );
    makespanRatios[objective] = perScenario(objectiveRows, plannerPick(SUBJECT), plannerPick(REFERENCE), 'makespanS');
  }
  const runs = collectRuns(rows);
  return {
    objectiveRatios,
    makespanRatios,
    makespanVsHeft: compare(rows.filter((row) => row.objective === 'makespan'), plannerPick(SUBJECT), plannerPick(REFERENCE), 'makespanS'),
    weightedVsHeft: compare(rows.filter((row) => row.objective === 'weighted'), plannerPick(SUBJECT), plannerPick(REFERENCE), 'objective'),
    beatenBy: perObjective((objectiveRows) => findBeaten(objectiveRows, plannerPick(SUBJECT), PLANNERS.filter((p) => p !== SUBJECT))),
    maxPlanning: maxPlanning(rows, PLANNERS),
    maxPlanningByPlanner: Object.fromEntries(PLANNERS.map((planner) => [planner, maxPlanning(rows, [planner])])),
    invalid: runs.filter(({ run }) => run.invalid.length > 0).map(({ ref, run }) => ({ ...ref, problems: run.invalid })),
    failures: collectFailures(rows),
    warnings: runs.filter(({ run }) => run.warnings.length > 0).map(({ ref, run }) => ({ ...ref, warnings: run.warnings })),
    engine: rows.some((row) => row.engine !== null) ? summarizeEngine(rows, budgetMs) : undefined,
    published: summarizePublished(
      rows.filter((row) => row.error === null).map(publishedCase),
      gapScopes().map(({ scope, keep }) => ({ scope, keep: (c: PublishedCase & { row: CaseRow }) => keep(c.row) })),
    ),
  };

  function perObjective<T>(f: (objectiveRows: CaseRow[]) => T): Record<BenchObjective, T> {
    return Object.fromEntries(OBJECTIVES.map((objective) => [objective, f(rows.filter((row) => row.objective === objective))])) as Record<BenchObjective, T>;
  }
}

/** A row as the published-baseline summary sees it. */
function publishedCase(row: CaseRow): PublishedCase & { row: CaseRow } {
  return { row, workflow: row.workflow, scenario: row.scenario, objective: row.objective, published: row.published, constructive: runOf(row, SUBJECT)?.objective, engine: engineOf(row)?.objective };
}

function perScenario(rows: readonly CaseRow[], subject: Pick, reference: Pick, metric: keyof Metrics): Record<string, RatioStats> {
  return Object.fromEntries(SCENARIO_SCOPES.map((scope) => [scope, ratioStats(rows.filter(inScope(scope)), subject, reference, metric)]));
}

/** Scopes of the gap statistics: overall, per scenario, per objective, per scenario × objective. */
function gapScopes(): Array<{ scope: string; keep: (row: CaseRow) => boolean }> {
  return [
    { scope: 'overall', keep: () => true },
    ...SCENARIOS.map((s) => ({ scope: s.id, keep: (row: CaseRow) => row.scenario === s.id })),
    ...OBJECTIVES.map((objective) => ({ scope: objective, keep: (row: CaseRow) => row.objective === objective })),
    ...SCENARIOS.flatMap((s) => OBJECTIVES.map((objective) => ({ scope: `${s.id} / ${objective}`, keep: (row: CaseRow) => row.scenario === s.id && row.objective === objective }))),
  ];
}

function summarizeEngine(rows: readonly CaseRow[], budgetMs: number): EngineSummary {
  const gapOf = (subject: Pick) => Object.fromEntries(gapScopes().map(({ scope, keep }) => [scope, ratioStats(rows.filter(keep), subject, boundPick, 'objective')]));
  const byObjective = <T>(f: (objectiveRows: CaseRow[]) => T) =>
    Object.fromEntries(OBJECTIVES.map((objective) => [objective, f(rows.filter((row) => row.objective === objective))])) as Record<BenchObjective, T>;
  const engineRuns = rows.flatMap((row) => {
    const run = engineOf(row);
    return run === undefined ? [] : [{ ref: refOf(row, ENGINE), run }];
  });
  const vsConstructiveComparison = compare(rows, enginePick, plannerPick(SUBJECT), 'objective');
  const count = (keys: string[]) => keys.reduce<Record<string, number>>((acc, key) => ({ ...acc, [key]: (acc[key] ?? 0) + 1 }), {});
  return {
    budgetMs,
    runs: engineRuns.length,
    gap: gapOf(enginePick),
    constructiveGap: gapOf(plannerPick(SUBJECT)),
    heftGap: gapOf(plannerPick(REFERENCE)),
    vsHeft: byObjective((objectiveRows) => perScenario(objectiveRows, enginePick, plannerPick(REFERENCE), 'objective')),
    vsHeftMakespan: byObjective((objectiveRows) => perScenario(objectiveRows, enginePick, plannerPick(REFERENCE), 'makespanS')),
    vsConstructive: byObjective((objectiveRows) => perScenario(objectiveRows, enginePick, plannerPick(SUBJECT), 'objective')),
    makespanVsHeft: compare(rows.filter((row) => row.objective === 'makespan'), enginePick, plannerPick(REFERENCE), 'makespanS'),
    weightedVsHeft: compare(rows.filter((row) => row.objective === 'weighted'), enginePick, plannerPick(REFERENCE), 'objective'),
    vsConstructiveComparison,
    worseThanConstructive: vsConstructiveComparison.worse,
    beatenBy: byObjective((objectiveRows) => findBeaten(objectiveRows, enginePick, PLANNERS)),
    boundViolations: engineRuns.filter(({ run }) => run.belowBound.length > 0).map(({ ref, run }) => ({ ...ref, problems: run.belowBound })),
    boundKinds: count(engineRuns.map(({ run }) => run.bound.kind)),
    boundSources: count(engineRuns.map(({ run }) => run.bound.source)),
    gapWithLpBound: ratioStats(rows.filter((row) => engineOf(row)?.bound.kind === 'LP'), enginePick, boundPick, 'objective'),
    weakBoundCases: engineRuns
      .filter(({ run }) => run.bound.kind !== 'LP')
      .map(({ ref, run }) => ({ ...ref, kind: run.bound.kind, gapRatio: run.gapRatio, note: run.notes.find((n) => /fell back|bound/i.test(n)) ?? '' }))
      .sort((a, b) => (b.gapRatio ?? 0) - (a.gapRatio ?? 0)),
    wallMs: wallStats(engineRuns, budgetMs),
  };
}

function wallStats(runs: ReadonlyArray<{ ref: PlanRef; run: EngineRun }>, budgetMs: number): EngineSummary['wallMs'] {
  if (runs.length === 0) return undefined;
  const slowest = runs.reduce((a, b) => (b.run.wallMs > a.run.wallMs ? b : a));
  const limitMs = budgetMs * OVER_BUDGET_FACTOR + OVER_BUDGET_SLACK_MS;
  const overBudget = runs.filter(({ run }) => run.wallMs > limitMs).map(({ ref, run }) => ({ ...ref, ms: run.wallMs })).sort((a, b) => b.ms - a.ms);
  return { median: median(runs.map(({ run }) => run.wallMs)), max: slowest.run.wallMs, at: slowest.ref, overBudget };
}

function ratioStats(rows: readonly CaseRow[], subjectOf: Pick, referenceOf: Pick, metric: keyof Metrics): RatioStats {
  const ratios: number[] = [];
  let skippedZeroReference = 0;
  let skippedZeroSubject = 0;
  let skippedMissing = 0;
  for (const row of rows) {
    const subject = subjectOf(row);
    const reference = referenceOf(row);
    if (subject === undefined || reference === undefined) skippedMissing++;
    else if (!(reference[metric] > 0)) skippedZeroReference++;
    else if (!(subject[metric] > 0)) skippedZeroSubject++;
    else ratios.push(subject[metric] / reference[metric]);
  }
  return { geomean: geometricMean(ratios), used: ratios.length, skippedZeroReference, skippedZeroSubject, skippedMissing };
}

function compare(rows: readonly CaseRow[], subjectOf: Pick, referenceOf: Pick, metric: keyof Metrics): Comparison {
  let compared = 0;
  let atMost = 0;
  let strictlyBetter = 0;
  const worse: WorseCase[] = [];
  for (const row of rows) {
    const subject = subjectOf(row);
    const reference = referenceOf(row);
    if (subject === undefined || reference === undefined) continue;
    compared++;
    const slack = RELATIVE_TOLERANCE * Math.abs(reference[metric]);
    if (subject[metric] <= reference[metric] + slack) atMost++;
    else worse.push({ workflow: row.workflow, scenario: row.scenario, objective: row.objective, subject: subject[metric], reference: reference[metric], ratio: subject[metric] / reference[metric] });
    if (subject[metric] < reference[metric] - slack) strictlyBetter++;
  }
  worse.sort((a, b) => b.ratio - a.ratio);
  return { compared, atMost, strictlyBetter, worse };
}

function findBeaten(rows: readonly CaseRow[], subjectOf: Pick, others: readonly PlannerId[]): BeatenCase[] {
  const beaten: BeatenCase[] = [];
  for (const row of rows) {
    const subject = subjectOf(row);
    if (subject === undefined) continue;
    const runs = others.flatMap((p) => runOf(row, p) ?? []);
    const best = runs.reduce<PlannerRun | undefined>((a, b) => (a === undefined || b.objective < a.objective ? b : a), undefined);
    if (best !== undefined && best.objective < subject.objective * (1 - RELATIVE_TOLERANCE)) {
      beaten.push({ workflow: row.workflow, scenario: row.scenario, subject: subject.objective, planner: best.planner, best: best.objective, ratio: subject.objective / best.objective });
    }
  }
  return beaten.sort((a, b) => b.ratio - a.ratio);
}

function refOf(row: CaseRow, planner: PlanLabel): PlanRef {
  return { workflow: row.workflow, scenario: row.scenario, objective: row.objective, planner };
}

/** Every successful plan (constructive planners and apportion+search) with its checks. */
function collectRuns(rows: readonly CaseRow[]): Array<{ ref: PlanRef; run: { invalid: string[]; warnings: string[] } }> {
  return rows.flatMap((row) => {
    const engine = engineOf(row);
    return [
      ...row.planners.flatMap((outcome) => (outcome.ok ? [{ ref: refOf(row, outcome.planner), run: outcome }] : [])),
      ...row.published.flatMap((outcome) => (outcome.ok ? [{ ref: refOf(row, publishedLabel(outcome.rule)), run: { invalid: outcome.invalid, warnings: [] } }] : [])),
      ...(engine === undefined ? [] : [{ ref: refOf(row, ENGINE), run: engine }]),
    ];
  });
}

function collectFailures(rows: readonly CaseRow[]): Summary['failures'] {
  return rows.flatMap((row): Summary['failures'] => {
    if (row.error !== null) return [{ ...refOf(row, 'load/assemble'), error: row.error }];
    const engine = row.engine?.ok === false ? [{ ...refOf(row, ENGINE), error: row.engine.error }] : [];
    const published = row.published.flatMap((outcome) => (outcome.ok ? [] : [{ ...refOf(row, publishedLabel(outcome.rule)), error: outcome.error }]));
    return [...row.planners.flatMap((outcome) => (outcome.ok ? [] : [{ ...refOf(row, outcome.planner), error: outcome.error }])), ...published, ...engine];
  });
}

function maxPlanning(rows: readonly CaseRow[], planners: readonly PlannerId[]): { ms: number; at: PlanRef } | undefined {
  let best: { ms: number; at: PlanRef } | undefined;
  for (const row of rows) {
    for (const outcome of row.planners) {
      if (!outcome.ok || !planners.includes(outcome.planner)) continue;
      if (best === undefined || outcome.planningMs > best.ms) best = { ms: outcome.planningMs, at: refOf(row, outcome.planner) };
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Report

interface EngineSettings {
  readonly subject: EngineSubject;
  /** false with --quick. */
  readonly enabled: boolean;
  readonly budgetMs: number;
  readonly seed: number;
  readonly solver: typeof ENGINE_SOLVER;
  readonly plannerOptions: ResolvedPlannerOptions | undefined;
}

function engineSettings(options: BenchOptions, plannerOptions: ResolvedPlannerOptions | undefined): EngineSettings {
  return { subject: ENGINE, enabled: !options.quick, budgetMs: options.budgetMs, seed: ENGINE_SEED, solver: ENGINE_SOLVER, plannerOptions };
}

interface ReportInput {
  readonly dateIso: string;
  readonly machine: MachineInfo;
  readonly dataDir: string;
  readonly files: readonly string[];
  readonly skipped: readonly string[];
  readonly rows: readonly CaseRow[];
  readonly summary: Summary;
  readonly runtimeS: number;
  readonly engine: EngineSettings;
}

function benchConfig(dataDir: string, files: readonly string[], skipped: readonly string[], engine: EngineSettings) {
  return {
    data: relative(REPO_ROOT, dataDir),
    files: files.length,
    skippedNonWfFormat: skipped.map((path) => workflowName(path, dataDir)),
    scenarios: SCENARIOS,
    planners: PLANNERS,
    published: PUBLISHED_IDS,
    objectives: OBJECTIVES,
    timing: `performance.now() around planConstructive; median of ${TIMING_RUNS} runs when the first run is under ${REPEAT_BELOW_MS} ms`,
    relativeTolerance: RELATIVE_TOLERANCE,
    engine: {
      ...engine,
      call: `createPlanner({ solver: '${ENGINE_SOLVER}' }) once; plan(problem, { timeBudgetMs: ${engine.budgetMs}, seed: ${ENGINE_SEED} }) per case; wall time = performance.now() around plan()`,
      targets: { gapGeomeanAtMost: GAP_TARGET, weightedVsHeftGeomeanAtMost: HEFT_RATIO_TARGET, heterogeneousScenarios: HETEROGENEOUS_SCENARIOS, makespanWorseThanHeftCases: 0 },
      overBudget: `wall time > ${OVER_BUDGET_FACTOR} × budget + ${OVER_BUDGET_SLACK_MS} ms`,
    },
  };
}

function renderReport(input: ReportInput): string {
  const { summary, engine } = input;
  const engineRuns = summary.engine?.runs ?? 0;
  const lines = [
    ...reportHeader('apportion plan quality', COMMAND, input.dateIso, input.machine),
    `- arguments: ${process.argv.length > 2 ? `\`${process.argv.slice(2).join(' ')}\`` : '(none)'}`,
    `- data: ${input.files.length} WfFormat files under \`${relative(REPO_ROOT, input.dataDir)}/\`${input.skipped.length > 0 ? ` (skipped, not WfFormat: ${input.skipped.map((path) => workflowName(path, input.dataDir)).join(', ')})` : ''}`,
    `- scenarios: ${SCENARIOS.map((s) => `${s.id} = \`${s.poolsFile}\` (${s.description})`).join('; ')}`,
    `- planners: ${PLANNERS.join(', ')} (constructive, \`planConstructive(problem, { planner })\`)${engine.enabled ? `, ${ENGINE} (anytime engine)` : ''}; reference: ${REFERENCE}`,
    `- objectives: weighted = cost + 5 USD per hour of makespan (values in USD); makespan (values in s, cost breaks ties)`,
    `- planning time: \`performance.now()\` around \`planConstructive\` (bound check, planning, scoring, plan building); median of ${TIMING_RUNS} runs when the first run is under ${REPEAT_BELOW_MS} ms`,
    engine.enabled
      ? `- **${ENGINE}: budget ${engine.budgetMs} ms per case**, seed ${engine.seed}; one \`createPlanner({ solver: '${engine.solver}' })\` for the whole run (${plannerOptionsText(engine.plannerOptions)}), \`plan(problem, { timeBudgetMs: ${engine.budgetMs}, seed: ${engine.seed} })\` per workflow × scenario × objective; wall time = \`performance.now()\` around \`plan()\`. The budget decides after which search batch the engine stops, so results vary slightly with machine load.`
      : `- ${ENGINE}: **skipped (--quick)**`,
    ...(engine.enabled
      ? [
          `- certified bound: \`outcome.plan.bounds\` of the engine's plan (LP bound via ${engine.solver} when refinement ran, never below the quick critical-path / cheapest-compute bounds); it holds for every plan of the problem, so every constructive plan is checked against it too and its gap = objective / bound is reported`,
        ]
      : []),
    `- run time: ${input.runtimeS.toFixed(1)} s for ${input.rows.length} rows (${input.rows.length * PLANNERS.length} constructive plans, ${input.rows.length * PUBLISHED_IDS.length} published-rule plans${engine.enabled ? `, ${engineRuns} ${ENGINE} plans` : ''})`,
    '',
    '## Summary',
    '',
    ...renderHealth(summary),
    '',
    ...(summary.engine === undefined ? [] : [...renderEngineSummary(summary.engine, engine.budgetMs), '']),
    ...(summary.engine === undefined ? [] : [...renderFamilyGaps(input.rows), '']),
    `### Constructive planners (\`planConstructive\`)`,
    '',
    ...renderRatioLines(summary),
    '',
    ...renderComparisonLines(summary),
    '',
    ...renderRelativeTables(summary),
    ...renderPlanningTime(summary),
    '',
    ...renderPublishedSummary(summary.published, engine.enabled ? engine.budgetMs : undefined),
    ...renderProblemLists(summary),
  ];
  for (const objective of OBJECTIVES) lines.push(...renderCaseTable(input.rows, objective, engine.enabled));
  const publishedCases = input.rows.filter((row) => row.error === null).map(publishedCase);
  for (const objective of OBJECTIVES) lines.push(...renderPublishedCases(publishedCases, objective, objective === 'makespan' ? 's' : 'USD', engine.enabled));
  return `${lines.join('\n')}\n`;
}

// ---- Gap per workflow family (issue 12's target: geomean ≤ 1.20 in every family, none above 1.5) ----

/** Target per workflow family: geometric mean of objective / certified bound, and the largest case. */
const FAMILY_GAP_TARGET = 1.2;
const FAMILY_GAP_MAX = 1.5;

/** The folder under wfinstances: pegasus/montage, makeflow/blast, nextflow, helloworld. */
function workflowFamily(workflow: string): string {
  const parts = workflow.split('/');
  return parts.length > 2 ? parts.slice(0, -1).join('/') : parts[0]!;
}

function renderFamilyGaps(rows: readonly CaseRow[]): string[] {
  const byFamily = new Map<string, { gap: number; row: CaseRow }[]>();
  for (const row of rows) {
    const gap = engineOf(row)?.gapRatio;
    if (gap === undefined || gap === null) continue;
    const family = workflowFamily(row.workflow);
    const list = byFamily.get(family) ?? [];
    list.push({ gap, row });
    byFamily.set(family, list);
  }
  const table = [...byFamily].sort(([a], [b]) => a.localeCompare(b)).map(([family, list]) => {
    const worst = list.reduce((a, b) => (b.gap > a.gap ? b : a));
    const geomean = geometricMean(list.map((x) => x.gap)) ?? Number.NaN;
    const met = geomean <= FAMILY_GAP_TARGET && worst.gap <= FAMILY_GAP_MAX;
    return [family, String(list.length), formatRatio(geomean), formatRatio(worst.gap), `${worst.row.workflow.split('/').pop()}, ${worst.row.scenario}, ${worst.row.objective}`, met ? 'met' : '**NOT met**'];
  });
  return [
    `Gap of ${ENGINE} per workflow family (objective / certified bound; target geomean ≤ ${FAMILY_GAP_TARGET.toFixed(2)} and no case above ${FAMILY_GAP_MAX.toFixed(2)}):`,
    '',
    ...markdownTable(['family', 'cases', 'geomean', 'max', 'max at', 'target'], table, new Set([1, 2, 3])),
  ];
}

// ---- end of the per-family table ----

function plannerOptionsText(options: ResolvedPlannerOptions | undefined): string {
  return options === undefined ? 'options unknown' : `workers ${options.workers}, batch size ${options.batchSize}, scorer ${options.scorer}, solver ${options.solver}`;
}

function renderHealth(summary: Summary): string[] {
  const loud = (count: number, what: string) => (count === 0 ? `- ${what}: 0` : `- **${what}: ${count}** ⚠ (bugs — see below)`);
  const engineInvalid = summary.invalid.filter((item) => item.planner === ENGINE).length;
  const lines = [
    `${loud(summary.invalid.length, 'invalid plans (checkPlanValidity)')}${summary.engine === undefined ? '' : `, of which ${ENGINE}: ${engineInvalid} of ${summary.engine.runs}`}`,
    `${loud(summary.failures.length, 'failures (exceptions while loading, assembling or planning; counted per workflow × scenario × objective × planner, or per row when loading failed)')}${summary.failures.length > 0 ? `, in ${new Set(summary.failures.map((f) => f.workflow)).size} workflow file(s)` : ''}`,
  ];
  if (summary.engine !== undefined) {
    lines.push(`${loud(summary.engine.boundViolations.length, 'cases with a plan (any planner) below the certified bound')}`);
    lines.push(`${loud(summary.engine.worseThanConstructive.length, `cases where ${ENGINE} is worse than the constructive apportion plan it starts from`)}`);
  }
  lines.push(`- sanity warnings (bounds, consistency, determinism): ${summary.warnings.length}`);
  return lines;
}

function renderEngineSummary(engine: EngineSummary, budgetMs: number): string[] {
  const gap = engine.gap.overall!;
  const gapMet = gap.geomean !== undefined && gap.geomean <= GAP_TARGET;
  const gapScopeText = (stats: Record<string, RatioStats>) =>
    ['overall', ...SCENARIOS.map((s) => s.id), ...OBJECTIVES].map((scope) => `${scope} **${formatRatio(stats[scope]!.geomean)}** (n=${stats[scope]!.used}${skippedNote(stats[scope]!)})`).join(', ');
  const weighted = engine.vsHeft.weighted;
  const heteroMet = HETEROGENEOUS_SCENARIOS.every((scope) => {
    const g = weighted[scope]?.geomean;
    return g !== undefined && g <= HEFT_RATIO_TARGET;
  });
  const m = engine.makespanVsHeft;
  const c = engine.vsConstructiveComparison;
  const w = engine.weightedVsHeft;
  const kinds = Object.entries(engine.boundKinds).map(([kind, n]) => `${kind} ${n}`).join(', ');
  const wall = engine.wallMs;
  const lines = [
    `### ${ENGINE} (anytime engine, budget ${budgetMs} ms)`,
    '',
    `- ${ENGINE}: geomean objective / certified bound — ${gapScopeText(engine.gap)} — target ≤ ${GAP_TARGET.toFixed(2)} overall: ${gapMet ? 'met' : '**NOT met**'}`,
    `- ${ENGINE}: the same over the ${engine.gapWithLpBound.used} cases with an LP bound only: **${formatRatio(engine.gapWithLpBound.geomean)}**; ${engine.weakBoundCases.length} case(s) fell back to the quick bounds${engine.weakBoundCases.length > 0 ? ' (listed below)' : ''}`,
    `- constructive apportion: geomean objective / the same certified bound — ${gapScopeText(engine.constructiveGap)}`,
    `- HEFT: geomean objective / the same certified bound — ${gapScopeText(engine.heftGap)}`,
    `- weighted: geomean ${ENGINE}/HEFT objective — ${scopeList(weighted)} — target ≤ ${HEFT_RATIO_TARGET.toFixed(2)} in ${HETEROGENEOUS_SCENARIOS.join(' and ')}: ${heteroMet ? 'met' : '**NOT met**'}`,
    `- makespan: geomean ${ENGINE}/HEFT objective — ${scopeList(engine.vsHeft.makespan)}`,
    ...OBJECTIVES.map((objective) => `- ${objective}: geomean ${ENGINE}/HEFT makespan — ${scopeList(engine.vsHeftMakespan[objective])}`),
    ...OBJECTIVES.map((objective) => `- ${objective}: geomean ${ENGINE}/constructive apportion objective — ${scopeList(engine.vsConstructive[objective])}`),
    `- makespan objective: ${ENGINE} makespan > HEFT's in **${m.worse.length}/${m.compared} cases** — target 0: ${m.compared > 0 && m.worse.length === 0 ? 'met' : '**NOT met**'}${m.worse.length > 0 ? ' (listed below)' : ''}; ≤ in ${m.atMost}, strictly better in ${m.strictlyBetter}`,
    `- weighted objective: ${ENGINE} objective ≤ HEFT's in ${w.atMost}/${w.compared} cases (${formatPercent(w.atMost, w.compared)}); strictly better in ${w.strictlyBetter}, worse in ${w.worse.length}`,
    `- ${ENGINE} objective vs constructive apportion: ≤ in ${c.atMost}/${c.compared}, strictly better in ${c.strictlyBetter} (${formatPercent(c.strictlyBetter, c.compared)}), worse in ${c.worse.length}${c.worse.length > 0 ? ' ⚠ (should be 0 — listed below)' : ''}`,
    ...OBJECTIVES.map((objective) => `- ${objective} objective: a constructive planner has a strictly lower objective than ${ENGINE} in ${engine.beatenBy[objective].length} cases${engine.beatenBy[objective].length > 0 ? ' (listed below)' : ''}`),
    `- certified bound source: ${kinds === '' ? '–' : kinds} (of ${engine.runs} cases)`,
    wall === undefined
      ? `- ${ENGINE} wall time: –`
      : `- ${ENGINE} wall time: median ${formatMs(wall.median)} ms, max ${formatMs(wall.max)} ms (${wall.at.workflow}, ${wall.at.scenario}, ${wall.at.objective}); over budget (> ${OVER_BUDGET_FACTOR} × ${budgetMs} + ${OVER_BUDGET_SLACK_MS} ms) in ${wall.overBudget.length} case(s)${wall.overBudget.length > 0 ? ' (listed below)' : ''}`,
    '',
    `Geometric mean of objective / certified bound (1 = proven optimal; target for ${ENGINE} ≤ ${GAP_TARGET.toFixed(2)}):`,
    '',
  ];
  const scopes = gapScopes().map((s) => s.scope).filter((scope) => scope.includes(' / ') || scope === 'overall');
  const table = [
    [ENGINE, engine.gap],
    ['apportion (constructive)', engine.constructiveGap],
    ['heft', engine.heftGap],
  ] as const;
  lines.push(...markdownTable(['plan', ...scopes], table.map(([label, stats]) => [label, ...scopes.map((scope) => formatRatioCell(stats[scope]!))]), new Set(scopes.map((_, i) => i + 1))), '');
  lines.push(`Geometric mean of ${ENGINE} relative to HEFT and to constructive apportion (< 1 = better):`, '');
  const relScopes = SCENARIO_SCOPES;
  const relRows: string[][] = [];
  for (const objective of OBJECTIVES) {
    relRows.push([`${objective}: objective / HEFT`, ...relScopes.map((scope) => formatRatioCell(engine.vsHeft[objective][scope]!))]);
    relRows.push([`${objective}: makespan / HEFT`, ...relScopes.map((scope) => formatRatioCell(engine.vsHeftMakespan[objective][scope]!))]);
    relRows.push([`${objective}: objective / apportion`, ...relScopes.map((scope) => formatRatioCell(engine.vsConstructive[objective][scope]!))]);
  }
  lines.push(...markdownTable(['ratio', ...relScopes], relRows, new Set(relScopes.map((_, i) => i + 1))));
  return lines;
}

function renderRatioLines(summary: Summary): string[] {
  const lines: string[] = [];
  for (const objective of OBJECTIVES) {
    const stats = summary.objectiveRatios[objective][SUBJECT]!;
    lines.push(`- ${objective}: geomean apportion/HEFT objective — ${scopeList(stats)}`);
    lines.push(`- ${objective}: geomean apportion/HEFT makespan — ${scopeList(summary.makespanRatios[objective])}`);
  }
  return lines;
}

function scopeList(stats: Record<string, RatioStats>): string {
  return Object.entries(stats)
    .map(([scope, s]) => `${scope} **${formatRatio(s.geomean)}** (n=${s.used}${skippedNote(s)})`)
    .join(', ');
}

function skippedNote(stats: RatioStats): string {
  const parts: string[] = [];
  if (stats.skippedZeroReference > 0) parts.push(`${stats.skippedZeroReference} skipped: reference value 0`);
  if (stats.skippedZeroSubject > 0) parts.push(`${stats.skippedZeroSubject} skipped: value 0`);
  if (stats.skippedMissing > 0) parts.push(`${stats.skippedMissing} skipped: failed`);
  return parts.length === 0 ? '' : `; ${parts.join(', ')}`;
}

function formatRatio(ratio: number | undefined | null): string {
  return ratio === undefined || ratio === null ? '–' : ratio.toFixed(3);
}

function renderComparisonLines(summary: Summary): string[] {
  const m = summary.makespanVsHeft;
  const w = summary.weightedVsHeft;
  const met = m.compared > 0 && m.atMost / m.compared >= MAKESPAN_SHARE_TARGET;
  return [
    `- makespan objective: apportion makespan ≤ HEFT's in **${m.atMost}/${m.compared} cases (${formatPercent(m.atMost, m.compared)})** — target ≥ ${MAKESPAN_SHARE_TARGET * 100}%: ${met ? 'met' : '**NOT met**'}; strictly better in ${m.strictlyBetter} (${formatPercent(m.strictlyBetter, m.compared)}), equal in ${m.atMost - m.strictlyBetter}, worse in ${m.worse.length}`,
    `- weighted objective: apportion objective ≤ HEFT's in ${w.atMost}/${w.compared} cases (${formatPercent(w.atMost, w.compared)}); strictly better in ${w.strictlyBetter}, equal in ${w.atMost - w.strictlyBetter}, worse in ${w.worse.length}`,
    ...OBJECTIVES.map((objective) => `- ${objective} objective: some other planner has a strictly lower objective than apportion in ${summary.beatenBy[objective].length} cases${summary.beatenBy[objective].length > 0 ? ' (listed below)' : ''}`),
    `- (≤ uses a relative tolerance of ${RELATIVE_TOLERANCE}; cases where either planner failed are not counted)`,
  ];
}

function renderRelativeTables(summary: Summary): string[] {
  const scopes = SCENARIO_SCOPES;
  const lines: string[] = [];
  for (const objective of OBJECTIVES) {
    lines.push(`Geometric mean of each planner's ${objective} objective relative to HEFT (< 1 = better than HEFT):`, '');
    const rows = PLANNERS.map((planner) => [planner, ...scopes.map((scope) => formatRatioCell(summary.objectiveRatios[objective][planner]![scope]!))]);
    lines.push(...markdownTable(['planner', ...scopes], rows, new Set(scopes.map((_, i) => i + 1))), '');
  }
  return lines;
}

function formatRatioCell(stats: RatioStats): string {
  const skipped = stats.skippedZeroReference + stats.skippedZeroSubject + stats.skippedMissing;
  return `${formatRatio(stats.geomean)}${skipped > 0 ? ` (${skipped} skipped)` : ''}`;
}

function renderPlanningTime(summary: Summary): string[] {
  const where = (at: PlanRef) => `${at.planner}, ${at.workflow}, ${at.scenario}, ${at.objective}`;
  const max = summary.maxPlanning;
  const lines = [`- max planning time of any constructive planner: **${max === undefined ? '–' : `${formatMs(max.ms)} ms`}**${max === undefined ? '' : ` (${where(max.at)})`}`];
  const perPlanner = PLANNERS.map((planner) => {
    const m = summary.maxPlanningByPlanner[planner];
    return `${planner} ${m === undefined ? '–' : `${formatMs(m.ms)} ms (${m.at.workflow}, ${m.at.scenario}, ${m.at.objective})`}`;
  });
  lines.push(`- max per planner: ${perPlanner.join('; ')}`);
  return lines;
}

function renderProblemLists(summary: Summary): string[] {
  const lines: string[] = [];
  const ref = (r: PlanRef) => `${r.workflow} / ${r.scenario} / ${r.objective} / ${r.planner}`;
  const engine = summary.engine;
  if (summary.invalid.length > 0) {
    lines.push('## ⚠ Invalid plans', '');
    for (const item of summary.invalid) lines.push(`- ${ref(item)}: ${item.problems.length} problem(s), e.g. ${item.problems.slice(0, 3).join('; ')}`);
    lines.push('');
  }
  if (summary.failures.length > 0) {
    lines.push('## ⚠ Failures', '');
    for (const item of summary.failures) lines.push(`- ${ref(item)}: ${item.error}`);
    lines.push('');
  }
  if (engine !== undefined && engine.boundViolations.length > 0) {
    lines.push('## ⚠ Plans below the certified bound', '');
    for (const item of engine.boundViolations) lines.push(`- ${item.workflow} / ${item.scenario} / ${item.objective}: ${item.problems.join('; ')}`);
    lines.push('');
  }
  if (summary.warnings.length > 0) {
    lines.push('## Sanity warnings', '');
    for (const item of summary.warnings) lines.push(`- ${ref(item)}: ${item.warnings.join('; ')}`);
    lines.push('');
  }
  if (engine !== undefined) {
    lines.push(...renderWorseList(`⚠ ${ENGINE} objective worse than the constructive apportion plan`, engine.worseThanConstructive, ENGINE, 'apportion', true));
    lines.push(...renderWorseList(`makespan objective: cases where ${ENGINE}'s makespan is worse than HEFT's`, engine.makespanVsHeft.worse, ENGINE, 'HEFT', false, 's'));
    for (const objective of OBJECTIVES) lines.push(...renderBeatenList(objective, engine.beatenBy[objective], ENGINE));
    if (engine.weakBoundCases.length > 0) {
      lines.push(`### ${ENGINE}: cases whose certified bound is not the LP bound`, '');
      const rows = engine.weakBoundCases.map((c) => [c.workflow, c.scenario, c.objective, c.kind, formatRatio(c.gapRatio), c.note]);
      lines.push(...markdownTable(['workflow', 'scenario', 'objective', 'bound', `${ENGINE} / bound`, 'engine note'], rows, new Set([4])), '');
    }
    if (engine.wallMs !== undefined && engine.wallMs.overBudget.length > 0) {
      lines.push(`### ${ENGINE} runs over budget`, '');
      for (const item of engine.wallMs.overBudget) lines.push(`- ${item.workflow} / ${item.scenario} / ${item.objective}: ${formatMs(item.ms)} ms`);
      lines.push('');
    }
  }
  lines.push(...renderWorseList('makespan objective: cases where apportion\'s makespan is worse than HEFT\'s', summary.makespanVsHeft.worse, 'apportion', 'HEFT', false, 's'));
  lines.push(...renderWorseList('weighted objective: cases where apportion\'s objective is worse than HEFT\'s', summary.weightedVsHeft.worse, 'apportion', 'HEFT', false, 'USD'));
  for (const objective of OBJECTIVES) lines.push(...renderBeatenList(objective, summary.beatenBy[objective], 'apportion'));
  return lines;
}

function renderWorseList(title: string, worse: readonly WorseCase[], subject: string, reference: string, withObjective: boolean, unit?: string): string[] {
  if (worse.length === 0) return [];
  const unitOf = (w: WorseCase) => unit ?? (w.objective === 'makespan' ? 's' : 'USD');
  const rows = worse.map((w) => [w.workflow, w.scenario, ...(withObjective ? [w.objective] : []), `${formatNumber(w.subject)} ${unitOf(w)}`, `${formatNumber(w.reference)} ${unitOf(w)}`, w.ratio.toFixed(4)]);
  const headers = ['workflow', 'scenario', ...(withObjective ? ['objective'] : []), subject, reference, 'ratio'];
  const first = withObjective ? 3 : 2;
  return [`### ${title}`, '', ...markdownTable(headers, rows, new Set([first, first + 1, first + 2])), ''];
}

function renderBeatenList(objective: BenchObjective, beaten: readonly BeatenCase[], subject: string): string[] {
  if (beaten.length === 0) return [];
  const unit = objective === 'makespan' ? 's' : 'USD';
  const rows = beaten.map((b) => [b.workflow, b.scenario, formatNumber(b.subject), b.planner, formatNumber(b.best), b.ratio.toFixed(4)]);
  return [`### ${objective} objective: cases where another planner beats ${subject}`, '', ...markdownTable(['workflow', 'scenario', `${subject} (${unit})`, 'best other', `its value (${unit})`, `${subject} / best`], rows, new Set([2, 4, 5])), ''];
}

function renderCaseTable(rows: readonly CaseRow[], objective: BenchObjective, withEngine: boolean): string[] {
  const unit = objective === 'makespan' ? 's' : 'USD';
  const engineHeaders = withEngine ? [`A+S (${unit})`, `bound (${unit})`, 'bound src', 'A+S/bound', 'A/bound', 'A+S/H obj', 'A+S/H makespan', 'A+S/A obj', 'A+S ms'] : [];
  const headers = ['workflow', 'scenario', 'tasks', ...PLANNERS.map((p) => `${p} (${unit})`), 'A/H obj', 'A/H makespan', 'apportion ms', 'heft ms', ...engineHeaders, 'apportion variant', 'error'];
  const textual = new Set(['workflow', 'scenario', 'bound src', 'apportion variant', 'error']);
  const numeric = new Set(headers.map((header, i) => (textual.has(header) ? -1 : i)).filter((i) => i >= 0));
  const body = rows.filter((row) => row.objective === objective).map((row) => caseCells(row, withEngine));
  const legend = withEngine ? [`A = constructive apportion, H = HEFT, A+S = ${ENGINE}; bound = certified lower bound on the objective (outcome.plan.bounds).`, ''] : [];
  return [`## Objective: ${objective} (${unit})`, '', ...legend, ...markdownTable(headers, body, numeric), ''];
}

function caseCells(row: CaseRow, withEngine: boolean): string[] {
  const subject = runOf(row, SUBJECT);
  const reference = runOf(row, REFERENCE);
  const engine = engineOf(row);
  const ratio = (a: Metrics | undefined, b: Metrics | undefined, metric: keyof Metrics) => (a === undefined || b === undefined || !(b[metric] > 0) ? '–' : (a[metric] / b[metric]).toFixed(3));
  const errors =
    row.error !== null
      ? [row.error]
      : [
          ...row.planners.flatMap((o) => (o.ok ? (o.invalid.length > 0 ? [`${o.planner}: INVALID (${o.invalid[0]})`] : []) : [`${o.planner}: ${o.error}`])),
          ...(row.engine === null ? [] : row.engine.ok ? (row.engine.invalid.length > 0 ? [`${ENGINE}: INVALID (${row.engine.invalid[0]})`] : []) : [`${ENGINE}: ${row.engine.error}`]),
          ...(engine !== undefined && engine.belowBound.length > 0 ? [`BELOW BOUND: ${engine.belowBound[0]}`] : []),
        ];
  const engineCells = withEngine
    ? [
        row.engine === null ? '–' : row.engine.ok ? `${formatNumber(row.engine.objective)}${row.engine.invalid.length > 0 ? ' ⚠INVALID' : ''}` : 'ERROR',
        formatNumber(engine?.bound.objective),
        engine?.bound.kind ?? '–',
        ratio(engine, engine?.bound, 'objective'),
        ratio(subject, engine?.bound, 'objective'),
        ratio(engine, reference, 'objective'),
        ratio(engine, reference, 'makespanS'),
        ratio(engine, subject, 'objective'),
        formatMs(engine?.wallMs),
      ]
    : [];
  return [
    row.workflow,
    row.scenario,
    row.tasks === null ? '–' : String(row.tasks),
    ...PLANNERS.map((planner) => valueCell(row, planner)),
    ratio(subject, reference, 'objective'),
    ratio(subject, reference, 'makespanS'),
    formatMs(subject?.planningMs),
    formatMs(reference?.planningMs),
    ...engineCells,
    subject?.variant ?? '–',
    errors.join('; '),
  ];
}

function valueCell(row: CaseRow, planner: PlannerId): string {
  const outcome = row.planners.find((o) => o.planner === planner);
  if (outcome === undefined) return '–';
  if (!outcome.ok) return 'ERROR';
  return `${formatNumber(outcome.objective)}${outcome.invalid.length > 0 ? ' ⚠INVALID' : ''}`;
}

main().catch((error: unknown) => {
  progress(`quality: !!! aborted: ${errorDetail(error)}`);
  process.exitCode = 1;
});

// ---------------------------------------------------------------------------------------------
// Workflows outside the shared set (quality-families.ts)

interface FamilySummary {
  /** Constructive apportion / the best baseline (constructive baselines and published rules), per case. */
  readonly vsBestBaseline: Array<{ ref: string; ratio: number; best: string }>;
  /** apportion+search / certified bound, per family. */
  readonly gapByFamily: Record<string, { geomean: number; max: number; n: number }>;
  /** Invalid plans, failures, plans below the bound. */
  readonly problems: string[];
}

/** Constructive tolerance of the issue-12 target "apportion ≤ 1.01 × the best baseline". */
const BEST_BASELINE_TARGET = 1.01;

function summarizeFamilies(rows: readonly CaseRow[]): FamilySummary {
  const vsBestBaseline: FamilySummary['vsBestBaseline'] = [];
  const gaps = new Map<string, number[]>();
  const problems: string[] = [];
  for (const row of rows) {
    const ref = `${row.workflow}, ${row.scenario}, ${row.objective}`;
    if (row.error !== null) problems.push(`${ref}: ${row.error}`);
    for (const outcome of row.planners) {
      if (!outcome.ok) problems.push(`${ref}: ${outcome.planner} failed: ${outcome.error}`);
      else if (outcome.invalid.length > 0) problems.push(`${ref}: ${outcome.planner} invalid: ${outcome.invalid.join('; ')}`);
    }
    if (row.engine !== null && !row.engine.ok) problems.push(`${ref}: engine failed: ${row.engine.error}`);
    for (const outcome of row.published) if (!outcome.ok) problems.push(`${ref}: ${outcome.rule} failed: ${outcome.error}`);
    const subject = runOf(row, SUBJECT);
    const best = bestBaseline(row);
    if (subject !== undefined && best !== undefined) vsBestBaseline.push({ ref, ratio: subject.objective / best.objective, best: best.label });
    const engine = engineOf(row);
    if (engine !== undefined) {
      problems.push(...engine.invalid.map((p) => `${ref}: engine plan invalid: ${p}`), ...engine.belowBound.map((p) => `${ref}: below the bound: ${p}`));
      if (engine.gapRatio !== null) {
        const family = row.workflow.split('/')[0]!;
        gaps.set(family, [...(gaps.get(family) ?? []), engine.gapRatio]);
      }
    }
  }
  const gapByFamily = Object.fromEntries([...gaps].map(([family, ratios]) => [family, { geomean: geometricMean(ratios) ?? Number.NaN, max: Math.max(...ratios), n: ratios.length }]));
  return { vsBestBaseline, gapByFamily, problems };
}

/** The best plan of every baseline: the constructive baselines and the published rules. */
function bestBaseline(row: CaseRow): { label: string; objective: number } | undefined {
  const candidates = [
    ...PLANNERS.filter((p) => p !== SUBJECT).flatMap((p) => {
      const run = runOf(row, p);
      return run === undefined ? [] : [{ label: p as string, objective: run.objective }];
    }),
    ...row.published.flatMap((run) => (run.ok ? [{ label: PUBLISHED[run.rule].name, objective: run.objective }] : [])),
  ];
  return candidates.reduce<{ label: string; objective: number } | undefined>((a, b) => (a === undefined || b.objective < a.objective ? b : a), undefined);
}

function renderFamilies(rows: readonly CaseRow[], summary: FamilySummary): string {
  if (rows.length === 0) return '';
  const worst = summary.vsBestBaseline.reduce((a, b) => (b.ratio > a.ratio ? b : a), summary.vsBestBaseline[0]!);
  const over = summary.vsBestBaseline.filter((c) => c.ratio > BEST_BASELINE_TARGET);
  const lines = [
    '',
    '## Workflows outside the shared set (generated: `bench/quality-families.ts`)',
    '',
    `Fan-out/fan-in with inputs at the free on-prem pool, egress-heavy shuffles of short tasks, and a 1,000-task layered DAG, each on ${familyScenarios().map((s) => `${s.id} (${s.description})`).join(' and ')}.`,
    '',
    `- constructive apportion / the best baseline (the constructive baselines and the published rules): geomean **${formatRatio(geometricMean(summary.vsBestBaseline.map((c) => c.ratio)))}**, worst **${formatRatio(worst?.ratio)}** (${worst?.ref ?? '–'}); above ${BEST_BASELINE_TARGET} in ${over.length} of ${summary.vsBestBaseline.length} cases${over.length > 0 ? `: ${over.map((c) => `${c.ref} ×${c.ratio.toFixed(3)} vs ${c.best}`).join('; ')}` : ''}`,
    ...Object.entries(summary.gapByFamily).map(([family, g]) => `- apportion+search / certified bound, ${family}: geomean **${formatRatio(g.geomean)}**, max ${formatRatio(g.max)} (n=${g.n})`),
    ...(summary.problems.length > 0 ? ['', '**Problems:**', ...summary.problems.map((p) => `- ${p}`)] : []),
    '',
    '| workflow | map | objective | tasks | apportion | best baseline | ratio | apportion+search | bound | gap |',
    '| --- | --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const subject = runOf(row, SUBJECT);
    const best = bestBaseline(row);
    const engine = engineOf(row);
    lines.push(
      `| ${row.workflow} | ${row.scenario} | ${row.objective} | ${row.tasks ?? '–'} | ${subject === undefined ? '–' : formatNumber(subject.objective)} | ${best === undefined ? '–' : `${best.label} ${formatNumber(best.objective)}`} | ${subject !== undefined && best !== undefined ? (subject.objective / best.objective).toFixed(3) : '–'} | ${engine === undefined ? '–' : formatNumber(engine.objective)} | ${engine === undefined ? '–' : `${formatNumber(engine.bound.objective)} (${engine.bound.kind})`} | ${engine?.gapRatio == null ? '–' : engine.gapRatio.toFixed(3)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
