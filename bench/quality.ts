/**
 * Plan-quality benchmark: every WfFormat workflow × pool scenario × planner × objective.
 *
 *   npm run bench:quality        (node --import tsx bench/quality.ts)
 *
 * Writes bench/results/quality.md (also printed to stdout) and bench/results/quality.json;
 * progress goes to stderr. Exit code 1 if any plan is invalid or any case threw.
 */
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadResourceMap, loadTaskDefinition } from '../src/cli/load.js';
import { objectiveValue } from '../src/cost/objective.js';
import type { ResourceMap, TaskDefinition } from '../src/model/types.js';
import { assembleProblem, type Problem } from '../src/model/problem.js';
import { checkPlanValidity } from '../src/plan/check.js';
import { makePlan, type PlanOutcome } from '../src/plan/make-plan.js';
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
/** Relative tolerance for "apportion ≤ HEFT" and for consistency checks. */
const RELATIVE_TOLERANCE = 1e-9;
const MAKESPAN_SHARE_TARGET = 0.9;

// ---------------------------------------------------------------------------------------------
// Result records (also the JSON output)

interface PlannerRun {
  readonly planner: PlannerId;
  readonly ok: true;
  readonly objective: number;
  readonly makespanS: number;
  readonly costUsd: number;
  /** Measured around makePlan; the median of TIMING_RUNS runs when the first was fast. */
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

interface CaseRow {
  readonly workflow: string;
  readonly scenario: string;
  readonly objective: BenchObjective;
  readonly tasks: number | null;
  /** Load or assembly failure (then `planners` is empty). */
  readonly error: string | null;
  readonly errorDetail: string | null;
  readonly planners: PlannerOutcome[];
}

// ---------------------------------------------------------------------------------------------
// Running

function main(): void {
  const startedMs = performance.now();
  const dateIso = new Date().toISOString();
  const machine = describeMachine();
  const dataDir = dataDirArgument();
  const { files, skipped } = listWorkflowFiles(dataDir);
  const rows = benchmarkAll(files, dataDir);
  const runtimeS = (performance.now() - startedMs) / 1000;
  const summary = summarize(rows);
  const markdown = renderReport({ dateIso, machine, dataDir, files, skipped, rows, summary, runtimeS });
  const mdPath = writeResult('quality.md', markdown);
  const raw = { command: COMMAND, date: dateIso, machine, config: benchConfig(dataDir, files, skipped), runtimeS, summary, rows };
  const jsonPath = writeResult('quality.json', `${JSON.stringify(raw, null, 1)}\n`);
  process.stdout.write(markdown);
  progress(`quality: ${rows.length} rows in ${runtimeS.toFixed(1)} s → ${mdPath}, ${jsonPath}`);
  if (summary.invalid.length > 0) progress(`quality: !!! ${summary.invalid.length} INVALID PLAN(S) — see "Invalid plans" in the report`);
  if (summary.failures.length > 0) progress(`quality: !!! ${summary.failures.length} FAILURE(S) (exceptions) — see "Failures" in the report`);
  if (summary.invalid.length > 0 || summary.failures.length > 0) process.exitCode = 1;
}

/** `--data DIR` runs on another set of WfFormat files (default: ../shared/data/wfinstances). */
function dataDirArgument(): string {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { data: { type: 'string' } } });
  return values.data === undefined ? WFINSTANCES_DIR : resolve(values.data);
}

function benchmarkAll(files: readonly string[], dataDir: string): CaseRow[] {
  const scenarios = SCENARIOS.map(loadScenario);
  const rows: CaseRow[] = [];
  files.forEach((file, k) => {
    const startedMs = performance.now();
    const fileRows = scenarios.flatMap((scenario) => benchmarkFile(file, workflowName(file, dataDir), scenario));
    rows.push(...fileRows);
    const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
    progress(`quality: file ${k + 1}/${files.length} ${workflowName(file, dataDir)} (${fileRows[0]?.tasks ?? '?'} tasks) ${seconds} s${problemSuffix(fileRows)}`);
  });
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
function benchmarkFile(file: string, workflow: string, { scenario, resources, error: poolsError }: LoadedScenario): CaseRow[] {
  const base = { workflow, scenario: scenario.id };
  if (resources === undefined) return OBJECTIVES.map((objective) => failedRow(base, objective, null, `pools: ${errorLine(poolsError)}`, poolsError));
  let definition: TaskDefinition;
  try {
    definition = loadTaskDefinition(file);
  } catch (error) {
    return OBJECTIVES.map((objective) => failedRow(base, objective, null, `load: ${errorLine(error)}`, error));
  }
  const tasks = definition.stages.length;
  return OBJECTIVES.map((objective) => {
    let problem: Problem;
    try {
      problem = assembleProblem(definition, resources, { objective });
    } catch (error) {
      return failedRow(base, objective, tasks, `assemble: ${errorLine(error)}`, error);
    }
    return { ...base, objective, tasks, error: null, errorDetail: null, planners: PLANNERS.map((planner) => runPlanner(problem, planner)) };
  });
}

function failedRow(base: { workflow: string; scenario: string }, objective: BenchObjective, tasks: number | null, error: string, cause: unknown): CaseRow {
  return { ...base, objective, tasks, error, errorDetail: errorDetail(cause), planners: [] };
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
      warnings: [...warnings, ...sanityWarnings(problem, first.outcome)],
    };
  } catch (error) {
    return { planner, ok: false, error: errorLine(error), errorDetail: errorDetail(error) };
  }
}

function timedMakePlan(problem: Problem, planner: PlannerId): { outcome: PlanOutcome; ms: number } {
  const startMs = performance.now();
  const outcome = makePlan(problem, { planner });
  return { outcome, ms: performance.now() - startMs };
}

function sameResult(a: PlanOutcome, b: PlanOutcome): boolean {
  return a.plan.summary.objective === b.plan.summary.objective && a.plan.summary.makespanS === b.plan.summary.makespanS && a.plan.summary.costUsd === b.plan.summary.costUsd;
}

/** Checks that are not plan validity but would point at a bug in the planner or cost model. */
function sanityWarnings(problem: Problem, { plan }: PlanOutcome): string[] {
  const warnings: string[] = [];
  const { objective, makespanS, costUsd } = plan.summary;
  if (![objective, makespanS, costUsd].every(Number.isFinite)) warnings.push(`non-finite summary: objective ${objective}, makespan ${makespanS} s, cost ${costUsd} USD`);
  const recomputed = objectiveValue(problem.objective, makespanS, costUsd);
  if (!nearlyEqual(objective, recomputed)) warnings.push(`summary.objective ${objective} ≠ objective of (makespan, cost) ${recomputed}`);
  if (makespanS < plan.bounds.makespanLowerBoundS * (1 - RELATIVE_TOLERANCE)) warnings.push(`makespan ${makespanS} s below the lower bound ${plan.bounds.makespanLowerBoundS} s`);
  if (costUsd < plan.bounds.costLowerBoundUsd * (1 - RELATIVE_TOLERANCE)) warnings.push(`cost ${costUsd} USD below the lower bound ${plan.bounds.costLowerBoundUsd} USD`);
  const lastFinishS = plan.subtasks.reduce((latest, subtask) => Math.max(latest, subtask.finishS), 0);
  if (!nearlyEqual(lastFinishS, makespanS)) warnings.push(`makespan ${makespanS} s ≠ last sub-task finish ${lastFinishS} s`);
  if (!plan.summary.feasible) warnings.push(`plan reports constraint violations: ${plan.constraints.violations.join('; ')}`);
  return warnings;
}

function nearlyEqual(a: number, b: number): boolean {
  return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
}

function problemSuffix(rows: readonly CaseRow[]): string {
  const failures = rows.filter((row) => row.error !== null).length + rows.flatMap((row) => row.planners).filter((outcome) => !outcome.ok).length;
  const invalid = rows.flatMap((row) => row.planners).filter((outcome) => outcome.ok && outcome.invalid.length > 0).length;
  return `${failures > 0 ? ` — ${failures} FAILURE(S)` : ''}${invalid > 0 ? ` — ${invalid} INVALID PLAN(S)` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Summary

interface RatioStats {
  /** Geometric mean over the cases where both values are positive. */
  readonly geomean: number | undefined;
  readonly used: number;
  /** The reference value (HEFT) was 0, so the ratio is undefined. */
  readonly skippedZeroReference: number;
  /** The subject's value was 0 (a ratio of 0 has no logarithm). */
  readonly skippedZeroSubject: number;
  /** One of the two planners failed or the row failed. */
  readonly skippedMissing: number;
}

interface Comparison {
  readonly compared: number;
  readonly atMost: number;
  readonly strictlyBetter: number;
  /** Cases where the subject is worse, worst first. */
  readonly worse: Array<{ workflow: string; scenario: string; subject: number; reference: number; ratio: number }>;
}

interface BeatenCase {
  readonly workflow: string;
  readonly scenario: string;
  readonly subject: number;
  readonly planner: PlannerId;
  readonly best: number;
  /** apportion / best other. */
  readonly ratio: number;
}

interface PlanRef {
  readonly workflow: string;
  readonly scenario: string;
  readonly objective: BenchObjective;
  readonly planner: PlannerId | 'load/assemble';
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
  readonly invalid: Array<PlanRef & { problems: string[] }>;
  readonly failures: Array<PlanRef & { error: string }>;
  readonly warnings: Array<PlanRef & { warnings: string[] }>;
}

function summarize(rows: readonly CaseRow[]): Summary {
  const scopes = [...SCENARIOS.map((s) => s.id), 'overall'];
  const inScope = (scope: string) => (row: CaseRow) => scope === 'overall' || row.scenario === scope;
  const objectiveRatios = {} as Summary['objectiveRatios'];
  const makespanRatios = {} as Summary['makespanRatios'];
  for (const objective of OBJECTIVES) {
    const objectiveRows = rows.filter((row) => row.objective === objective);
    objectiveRatios[objective] = Object.fromEntries(
      PLANNERS.map((planner) => [planner, Object.fromEntries(scopes.map((scope) => [scope, ratioStats(objectiveRows.filter(inScope(scope)), planner, 'objective')]))]),
    );
    makespanRatios[objective] = Object.fromEntries(scopes.map((scope) => [scope, ratioStats(objectiveRows.filter(inScope(scope)), SUBJECT, 'makespanS')]));
  }
  return {
    objectiveRatios,
    makespanRatios,
    makespanVsHeft: compare(rows.filter((row) => row.objective === 'makespan'), 'makespanS'),
    weightedVsHeft: compare(rows.filter((row) => row.objective === 'weighted'), 'objective'),
    beatenBy: Object.fromEntries(OBJECTIVES.map((objective) => [objective, findBeaten(rows.filter((row) => row.objective === objective))])) as Record<BenchObjective, BeatenCase[]>,
    maxPlanning: maxPlanning(rows, PLANNERS),
    maxPlanningByPlanner: Object.fromEntries(PLANNERS.map((planner) => [planner, maxPlanning(rows, [planner])])),
    invalid: collectRuns(rows).filter(({ run }) => run.invalid.length > 0).map(({ ref, run }) => ({ ...ref, problems: run.invalid })),
    failures: collectFailures(rows),
    warnings: collectRuns(rows).filter(({ run }) => run.warnings.length > 0).map(({ ref, run }) => ({ ...ref, warnings: run.warnings })),
  };
}

function runOf(row: CaseRow, planner: PlannerId): PlannerRun | undefined {
  const outcome = row.planners.find((o) => o.planner === planner);
  return outcome?.ok === true ? outcome : undefined;
}

function ratioStats(rows: readonly CaseRow[], planner: PlannerId, metric: 'objective' | 'makespanS'): RatioStats {
  const ratios: number[] = [];
  let skippedZeroReference = 0;
  let skippedZeroSubject = 0;
  let skippedMissing = 0;
  for (const row of rows) {
    const subject = runOf(row, planner);
    const reference = runOf(row, REFERENCE);
    if (subject === undefined || reference === undefined) skippedMissing++;
    else if (!(reference[metric] > 0)) skippedZeroReference++;
    else if (!(subject[metric] > 0)) skippedZeroSubject++;
    else ratios.push(subject[metric] / reference[metric]);
  }
  return { geomean: geometricMean(ratios), used: ratios.length, skippedZeroReference, skippedZeroSubject, skippedMissing };
}

function compare(rows: readonly CaseRow[], metric: 'objective' | 'makespanS'): Comparison {
  let compared = 0;
  let atMost = 0;
  let strictlyBetter = 0;
  const worse: Comparison['worse'] = [];
  for (const row of rows) {
    const subject = runOf(row, SUBJECT);
    const reference = runOf(row, REFERENCE);
    if (subject === undefined || reference === undefined) continue;
    compared++;
    const slack = RELATIVE_TOLERANCE * Math.abs(reference[metric]);
    if (subject[metric] <= reference[metric] + slack) atMost++;
    else worse.push({ workflow: row.workflow, scenario: row.scenario, subject: subject[metric], reference: reference[metric], ratio: subject[metric] / reference[metric] });
    if (subject[metric] < reference[metric] - slack) strictlyBetter++;
  }
  worse.sort((a, b) => b.ratio - a.ratio);
  return { compared, atMost, strictlyBetter, worse };
}

function findBeaten(rows: readonly CaseRow[]): BeatenCase[] {
  const beaten: BeatenCase[] = [];
  for (const row of rows) {
    const subject = runOf(row, SUBJECT);
    if (subject === undefined) continue;
    const others = PLANNERS.filter((p) => p !== SUBJECT).flatMap((p) => runOf(row, p) ?? []);
    const best = others.reduce<PlannerRun | undefined>((a, b) => (a === undefined || b.objective < a.objective ? b : a), undefined);
    if (best !== undefined && best.objective < subject.objective * (1 - RELATIVE_TOLERANCE)) {
      beaten.push({ workflow: row.workflow, scenario: row.scenario, subject: subject.objective, planner: best.planner, best: best.objective, ratio: subject.objective / best.objective });
    }
  }
  return beaten.sort((a, b) => b.ratio - a.ratio);
}

function collectRuns(rows: readonly CaseRow[]): Array<{ ref: PlanRef; run: PlannerRun }> {
  return rows.flatMap((row) =>
    row.planners.flatMap((outcome) => (outcome.ok ? [{ ref: { workflow: row.workflow, scenario: row.scenario, objective: row.objective, planner: outcome.planner }, run: outcome }] : [])),
  );
}

function collectFailures(rows: readonly CaseRow[]): Summary['failures'] {
  return rows.flatMap((row): Summary['failures'] => {
    const ref = { workflow: row.workflow, scenario: row.scenario, objective: row.objective };
    if (row.error !== null) return [{ ...ref, planner: 'load/assemble', error: row.error }];
    return row.planners.flatMap((outcome) => (outcome.ok ? [] : [{ ...ref, planner: outcome.planner, error: outcome.error }]));
  });
}

function maxPlanning(rows: readonly CaseRow[], planners: readonly PlannerId[]): { ms: number; at: PlanRef } | undefined {
  let best: { ms: number; at: PlanRef } | undefined;
  for (const { ref, run } of collectRuns(rows)) {
    if (!planners.includes(run.planner)) continue;
    if (best === undefined || run.planningMs > best.ms) best = { ms: run.planningMs, at: ref };
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Report

interface ReportInput {
  readonly dateIso: string;
  readonly machine: MachineInfo;
  readonly dataDir: string;
  readonly files: readonly string[];
  readonly skipped: readonly string[];
  readonly rows: readonly CaseRow[];
  readonly summary: Summary;
  readonly runtimeS: number;
}

function benchConfig(dataDir: string, files: readonly string[], skipped: readonly string[]) {
  return {
    data: relative(REPO_ROOT, dataDir),
    files: files.length,
    skippedNonWfFormat: skipped.map((path) => workflowName(path, dataDir)),
    scenarios: SCENARIOS,
    planners: PLANNERS,
    objectives: OBJECTIVES,
    timing: `performance.now() around makePlan; median of ${TIMING_RUNS} runs when the first run is under ${REPEAT_BELOW_MS} ms`,
    relativeTolerance: RELATIVE_TOLERANCE,
  };
}

function renderReport(input: ReportInput): string {
  const { summary } = input;
  const lines = [
    ...reportHeader('apportion plan quality', COMMAND, input.dateIso, input.machine),
    `- data: ${input.files.length} WfFormat files under \`${relative(REPO_ROOT, input.dataDir)}/\`${input.skipped.length > 0 ? ` (skipped, not WfFormat: ${input.skipped.map((path) => workflowName(path, input.dataDir)).join(', ')})` : ''}`,
    `- scenarios: ${SCENARIOS.map((s) => `${s.id} = \`${s.poolsFile}\` (${s.description})`).join('; ')}`,
    `- planners: ${PLANNERS.join(', ')}; reference: ${REFERENCE}`,
    `- objectives: weighted = cost + 5 USD per hour of makespan (values in USD); makespan (values in s, cost breaks ties)`,
    `- planning time: \`performance.now()\` around \`makePlan\` (bound check, planning, scoring, plan building); median of ${TIMING_RUNS} runs when the first run is under ${REPEAT_BELOW_MS} ms`,
    `- run time: ${input.runtimeS.toFixed(1)} s for ${input.rows.length} rows (${input.rows.length * PLANNERS.length} plans)`,
    '',
    '## Summary',
    '',
    ...renderHealth(summary),
    '',
    ...renderRatioLines(summary),
    '',
    ...renderComparisonLines(summary),
    '',
    ...renderRelativeTables(summary),
    ...renderPlanningTime(summary),
    '',
    ...renderProblemLists(summary),
  ];
  for (const objective of OBJECTIVES) lines.push(...renderCaseTable(input.rows, objective));
  return `${lines.join('\n')}\n`;
}

function renderHealth(summary: Summary): string[] {
  const loud = (count: number, what: string) => (count === 0 ? `- ${what}: 0` : `- **${what}: ${count}** ⚠ (bugs — see below)`);
  return [
    loud(summary.invalid.length, 'invalid plans (checkPlanValidity)'),
    `${loud(summary.failures.length, 'failures (exceptions while loading, assembling or planning; counted per workflow × scenario × objective × planner, or per row when loading failed)')}${summary.failures.length > 0 ? `, in ${new Set(summary.failures.map((f) => f.workflow)).size} workflow file(s)` : ''}`,
    `- sanity warnings (bounds, consistency, determinism): ${summary.warnings.length}`,
  ];
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
  if (stats.skippedZeroReference > 0) parts.push(`${stats.skippedZeroReference} skipped: HEFT value 0`);
  if (stats.skippedZeroSubject > 0) parts.push(`${stats.skippedZeroSubject} skipped: value 0`);
  if (stats.skippedMissing > 0) parts.push(`${stats.skippedMissing} skipped: failed`);
  return parts.length === 0 ? '' : `; ${parts.join(', ')}`;
}

function formatRatio(ratio: number | undefined): string {
  return ratio === undefined ? '–' : ratio.toFixed(3);
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
  const scopes = [...SCENARIOS.map((s) => s.id), 'overall'];
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
  const lines = [`- max planning time of any planner: **${max === undefined ? '–' : `${formatMs(max.ms)} ms`}**${max === undefined ? '' : ` (${where(max.at)})`}`];
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
  if (summary.warnings.length > 0) {
    lines.push('## Sanity warnings', '');
    for (const item of summary.warnings) lines.push(`- ${ref(item)}: ${item.warnings.join('; ')}`);
    lines.push('');
  }
  lines.push(...renderWorseList('makespan objective: cases where apportion\'s makespan is worse than HEFT\'s', summary.makespanVsHeft, 's'));
  lines.push(...renderWorseList('weighted objective: cases where apportion\'s objective is worse than HEFT\'s', summary.weightedVsHeft, 'USD'));
  for (const objective of OBJECTIVES) lines.push(...renderBeatenList(objective, summary.beatenBy[objective]));
  return lines;
}

function renderWorseList(title: string, comparison: Comparison, unit: string): string[] {
  if (comparison.worse.length === 0) return [];
  const rows = comparison.worse.map((w) => [w.workflow, w.scenario, formatNumber(w.subject), formatNumber(w.reference), w.ratio.toFixed(4)]);
  return [`### ${title}`, '', ...markdownTable(['workflow', 'scenario', `apportion (${unit})`, `HEFT (${unit})`, 'ratio'], rows, new Set([2, 3, 4])), ''];
}

function renderBeatenList(objective: BenchObjective, beaten: readonly BeatenCase[]): string[] {
  if (beaten.length === 0) return [];
  const unit = objective === 'makespan' ? 's' : 'USD';
  const rows = beaten.map((b) => [b.workflow, b.scenario, formatNumber(b.subject), b.planner, formatNumber(b.best), b.ratio.toFixed(4)]);
  return [`### ${objective} objective: cases where another planner beats apportion`, '', ...markdownTable(['workflow', 'scenario', `apportion (${unit})`, 'best other', `its value (${unit})`, 'apportion / best'], rows, new Set([2, 4, 5])), ''];
}

function renderCaseTable(rows: readonly CaseRow[], objective: BenchObjective): string[] {
  const unit = objective === 'makespan' ? 's' : 'USD';
  const headers = ['workflow', 'scenario', 'tasks', ...PLANNERS.map((p) => `${p} (${unit})`), 'A/H obj', 'A/H makespan', 'apportion ms', 'heft ms', 'apportion variant', 'error'];
  const numeric = new Set(headers.map((_, i) => i).filter((i) => i >= 2 && i < 3 + PLANNERS.length + 4));
  const body = rows.filter((row) => row.objective === objective).map(caseCells);
  return [`## Objective: ${objective} (${unit})`, '', ...markdownTable(headers, body, numeric), ''];
}

function caseCells(row: CaseRow): string[] {
  const subject = runOf(row, SUBJECT);
  const reference = runOf(row, REFERENCE);
  const ratio = (metric: 'objective' | 'makespanS') => (subject === undefined || reference === undefined || !(reference[metric] > 0) ? '–' : (subject[metric] / reference[metric]).toFixed(3));
  const errors = row.error !== null ? [row.error] : row.planners.flatMap((o) => (o.ok ? (o.invalid.length > 0 ? [`${o.planner}: INVALID (${o.invalid[0]})`] : []) : [`${o.planner}: ${o.error}`]));
  return [
    row.workflow,
    row.scenario,
    row.tasks === null ? '–' : String(row.tasks),
    ...PLANNERS.map((planner) => valueCell(row, planner)),
    ratio('objective'),
    ratio('makespanS'),
    formatMs(subject?.planningMs),
    formatMs(reference?.planningMs),
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

main();
