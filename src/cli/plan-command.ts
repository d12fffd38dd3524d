/** `apportion plan`: load, estimate (profile at a quantile), assemble, plan, render; reservations in and out. */
import type { ObjectiveKind } from '../model/objective.js';
import { assembleProblem, type Problem } from '../model/problem.js';
import type { ResourceMap, TaskDefinition } from '../model/types.js';
import { explainChoices } from '../plan/explain.js';
import { explainForecast } from '../plan/forecast-explain.js';
import { createPlanner, type PlanOutcome } from '../plan/planner.js';
import { checkReservationFits, countMoves, keepPlacement, readReservation, reservationFromPlan, withinReservation, type Moves, type Reservation } from '../plan/reservation.js';
import type { PlannerId } from '../planners/planner.js';
import { applyProfile, runtimeSpread, type AppliedProfile } from '../profile/apply.js';
import type { Profile } from '../profile/fit.js';
import type { Plan } from '../plan/plan.js';
import { makespanRisk, RISK_MAX_SUBTASKS } from '../plan/risk.js';
import { renderEstimates } from '../render/estimates.js';
import { renderExplain } from '../render/explain.js';
import { renderReservation } from '../render/reservation.js';
import { renderGanttSvg } from '../render/svg.js';
import { renderText } from '../render/text.js';
import { loadJsonDocument, loadProfile, loadResourceMap, loadTaskDefinition, writeText } from '../load/files.js';
import { resolveAvailability, type AvailabilityFlags, type ResolvedAvailability } from './availability-options.js';
import type { Io } from './io.js';
import { progressPrinter } from './progress.js';

export interface PlanCommandOptions extends AvailabilityFlags {
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
  /** A fitted profile file, or a history store to fit one from. */
  readonly profilePath?: string | undefined;
  readonly historyPath?: string | undefined;
  /** Quantile of the runtimes to plan on (0.5 = median); needs a profile. */
  readonly risk?: number | undefined;
  /** Plan within this reservation and prefer its placement. */
  readonly reservationPath?: string | undefined;
  /** Write the plan's reservation here. */
  readonly reservationOut?: string | undefined;
  /** WfFormat: bags of same-op tasks as divisible stages (default true). */
  readonly bags?: boolean;
}

/**
 * With a reservation, the plan that keeps every stage on its reserved pools is taken unless
 * moving work makes the objective this much better (or the kept plan misses a constraint the
 * free one meets): moving work after provisioning has its own cost the model does not see.
 */
export const MOVE_GAIN_THRESHOLD = 0.05;

/**
 * Plans with the one entry point, `createPlanner().plan()`. With no budget nothing is loaded
 * (no solver, no workers) and the result is the constructive plan. Ctrl-C (`io.interrupt`)
 * stops the engine, which returns the best plan found so far.
 */
export async function planProblem(problem: Problem, options: Pick<PlanCommandOptions, 'planner' | 'budgetMs' | 'workers' | 'seed' | 'progress'>, io: Io): Promise<PlanOutcome> {
  const report = progressPrinter(io, options.progress);
  const planner = await createPlanner({ warmUp: options.budgetMs > 0, ...(options.workers === undefined ? {} : { workers: options.workers }) });
  try {
    return await planner.plan(problem, {
      planner: options.planner,
      timeBudgetMs: options.budgetMs,
      seed: options.seed,
      ...(io.interrupt === undefined ? {} : { signal: io.interrupt }),
      onProgress: (p) => report(p.phase, `${p.evaluations} candidates scored, best objective ${p.bestObjective.toPrecision(5)}`),
    });
  } finally {
    await planner.close();
  }
}

/** The problem plan and run plan on: the objective flags, the profile's estimates and assumptions, the forecast priced for these resources. */
export function assemble(definition: TaskDefinition, resources: ResourceMap, options: Pick<PlanCommandOptions, 'objective' | 'usdPerHour' | 'dataHome'>, applied: AppliedProfile | undefined, forecast?: ResolvedAvailability): Problem {
  const assumptions = [...(applied?.assumptions ?? []), ...(forecast?.assumptions ?? [])];
  return assembleProblem(definition, resources, {
    objective: options.objective,
    ...(options.usdPerHour === undefined ? {} : { usdPerHour: options.usdPerHour }),
    ...(options.dataHome === undefined ? {} : { dataHome: options.dataHome }),
    ...(applied === undefined ? {} : { provisional: applied.provisional, profileId: applied.profileId }),
    ...(assumptions.length === 0 ? {} : { assumptions }),
    // Priced against the resource map assembled (a reservation caps its capacity steps).
    ...(forecast === undefined ? {} : { availability: forecast.priceFor(resources).availability }),
  });
}

interface ReservedOutcome {
  readonly outcome: PlanOutcome;
  readonly problem: Problem;
  readonly moves: Moves;
  /** Why the kept or the free plan was taken. */
  readonly choice: string;
}

/** Plans within a reservation twice, keeping placement and free, and takes the kept plan unless moving pays (MOVE_GAIN_THRESHOLD). */
async function planWithinReservation(definition: TaskDefinition, resources: ResourceMap, reservation: Reservation, options: PlanCommandOptions, applied: AppliedProfile | undefined, io: Io, forecast: ResolvedAvailability | undefined): Promise<ReservedOutcome> {
  const capped = withinReservation(resources, reservation);
  const keptProblem = assemble(keepPlacement(definition, reservation), capped, options, applied, forecast);
  const freeProblem = assemble(definition, capped, options, applied, forecast);
  const kept = await planProblem(keptProblem, options, io);
  const free = await planProblem(freeProblem, options, io);
  const keptObjective = kept.plan.summary.objective;
  const freeObjective = free.plan.summary.objective;
  const keptMisses = kept.plan.constraints.violations.length > 0;
  const freeMisses = free.plan.constraints.violations.length > 0;
  const gain = keptObjective > 0 ? 1 - freeObjective / keptObjective : 0;
  const takeFree = (keptMisses && !freeMisses) || gain > MOVE_GAIN_THRESHOLD;
  const [outcome, problem] = takeFree ? [free, freeProblem] : [kept, keptProblem];
  const percent = `${(gain * 100).toFixed(1)} %`;
  const choice = takeFree
    ? keptMisses && !freeMisses ? 'work moved: keeping the reserved placement misses a constraint' : `work moved: ${percent} better objective than keeping the reserved placement (threshold ${MOVE_GAIN_THRESHOLD * 100} %)`
    : `reserved placement kept (moving work would gain ${percent}, threshold ${MOVE_GAIN_THRESHOLD * 100} %)`;
  return { outcome, problem, moves: countMoves(outcome.plan, reservation), choice };
}

/** The plan with its makespan quantiles under the profile's spread; skipped (and said) above RISK_MAX_SUBTASKS. */
function withRisk(outcome: PlanOutcome, problem: Problem, loaded: TaskDefinition, profile: Profile, quantile: number, seed: number): Plan {
  const { plan, scored } = outcome;
  if (scored.graph.nodeCount > RISK_MAX_SUBTASKS) {
    return { ...plan, assumptions: [...plan.assumptions, `makespan risk not simulated: ${scored.graph.nodeCount} sub-tasks (above ${RISK_MAX_SUBTASKS})`] };
  }
  const spread = runtimeSpread(loaded, profile, quantile);
  // Declared runtimes carry no spread: with nothing learned, every draw is the plan itself.
  if (spread.logRatio.every((x) => x === 0)) return plan;
  return { ...plan, risk: makespanRisk(problem, scored, spread, { seed }) };
}

export interface PlanCommandResult {
  readonly output: string;
  readonly violations: readonly string[];
  /** Ctrl-C stopped planning: `output` holds the best plan found until then. */
  readonly interrupted: boolean;
}

export async function runPlanCommand(options: PlanCommandOptions, io: Io): Promise<PlanCommandResult> {
  const loaded = loadTaskDefinition(options.taskPath, { bags: options.bags ?? true });
  const resources = loadResourceMap(options.poolsPath);
  const reportFit = progressPrinter(io, options.progress);
  const profile = loadProfile(options.profilePath, options.historyPath, (read, done) => reportFit(done ? 'fitting a profile' : 'reading the history', `${read} records`));
  const quantile = options.risk ?? 0.5;
  const applied = profile === undefined ? undefined : applyProfile(loaded, profile, quantile, resources);
  const definition = applied?.definition ?? loaded;
  const reservation = options.reservationPath === undefined ? undefined : readReservation(loadJsonDocument(options.reservationPath), options.reservationPath, resources);
  if (reservation !== undefined) checkReservationFits(reservation, definition, options.reservationPath!);
  const forecast = resolveAvailability(options, resources, options.poolsPath, io);

  let problem: Problem;
  let outcome: PlanOutcome;
  let reservationNote = '';
  if (reservation === undefined) {
    problem = assemble(definition, resources, options, applied, forecast);
    outcome = await planProblem(problem, options, io);
  } else {
    const reserved = await planWithinReservation(definition, resources, reservation, options, applied, io, forecast);
    ({ problem, outcome } = reserved);
    const { kept, moved, added } = reserved.moves;
    reservationNote = `within reservation ${options.reservationPath}: ${reserved.choice}; ${moved} sub-task(s) moved, ${kept} kept, ${added} new\n`;
  }
  const plan = profile === undefined ? outcome.plan : withRisk(outcome, problem, loaded, profile, quantile, options.seed);
  let shown = reservation;
  if (options.reservationOut !== undefined) {
    const written = reservationFromPlan(plan, profile === undefined ? {} : { quantile });
    shown = written;
    writeText(options.reservationOut, `${JSON.stringify(written, null, 2)}\n`);
    reservationNote += `${renderReservation(written)}reservation written to ${options.reservationOut}\n`;
  }
  let output: string;
  const forecastNotes = forecast === undefined || !options.explain ? [] : explainForecast(plan, problem, forecast.startAtS);
  if (options.format === 'json') output = `${JSON.stringify(options.explain ? { ...plan, explain: { ...explainDocument(problem, outcome), forecast: forecastNotes } } : plan, null, 2)}\n`;
  else if (options.format === 'svg') output = renderGanttSvg(plan, { reservation: shown });
  else {
    output = renderText(plan, options.limit === undefined ? {} : { limit: options.limit });
    if (reservationNote !== '') output += `\n${reservationNote}`;
    if (options.explain) {
      const { choices, omitted } = explainChoices(problem, outcome.scored);
      output += `\n${renderExplain(plan, choices, omitted, outcome.tried)}`;
      if (forecast !== undefined) output += `\n\nforecast ${forecast.map.id} (plan time 0 = ${new Date(forecast.startAtS * 1000).toISOString().replace('.000Z', 'Z')}):\n${forecastNotes.length === 0 ? '  nothing in the forecast changed a placement over this plan\'s span\n' : forecastNotes.map((n) => `  ${n}\n`).join('')}`;
      if (applied !== undefined) output += `\n\n${renderEstimates(applied)}`;
    }
  }
  // Machine-readable formats keep stdout clean: the reservation summary goes to stderr.
  if (options.format !== 'text' && reservationNote !== '') io.stderr(reservationNote);
  return { output, violations: plan.constraints.violations, interrupted: io.interrupt?.aborted === true };
}

/** `--explain` in `--format json`: the variants tried and why each stage went where it went, as data. */
function explainDocument(problem: Problem, outcome: PlanOutcome): object {
  const { choices, omitted } = explainChoices(problem, outcome.scored);
  return {
    variantsTried: outcome.tried.map((c) => ({ variant: c.variant, objective: c.terms.objective, makespanS: c.terms.makespanS, costUsd: c.terms.costUsd })),
    stages: choices,
    stagesNotRescored: omitted,
    notes: outcome.notes,
  };
}
