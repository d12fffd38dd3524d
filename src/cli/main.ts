/**
 * `apportion` command line. Exit codes: 0 ok, 1 internal error, 2 bad input (every problem
 * printed with its path), 3 the plan was made but misses its deadline or budget.
 * Output goes to stdout (or --out), progress and errors to stderr. No stack traces unless
 * APPORTION_DEBUG is set.
 */
import { InputError, formatIssues } from '../model/issues.js';
import { PLANNER_IDS, type PlannerId } from '../planners/planner.js';
import { BUDGET_MS_RULE, LIMIT_RULE, SEED_RULE, USD_PER_HOUR_RULE, UsageError, WORKERS_RULE, numberFlag, oneOf, parseCommandArgs, parseDecimal, suggest, type Expects } from './args.js';
import { EXIT_CONSTRAINT, EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, processIo, type Io } from './io.js';
import { writeText } from '../load/files.js';
import { runPlanCommand, type PlanCommandOptions } from './plan-command.js';
import { AVAILABILITY_EXPECTS, AVAILABILITY_OPTIONS, AVAILABILITY_USAGE, availabilityFlags } from './availability-options.js';


const OBJECTIVES = ['weighted', 'makespan', 'cost'] as const;
const FORMATS = ['text', 'json', 'svg'] as const;

const PLAN_OPTIONS = {
  pools: { type: 'string', short: 'p' },
  planner: { type: 'string' },
  objective: { type: 'string' },
  'usd-per-hour': { type: 'string' },
  'data-home': { type: 'string' },
  explain: { type: 'boolean' },
  format: { type: 'string' },
  out: { type: 'string', short: 'o' },
  limit: { type: 'string' },
  'budget-ms': { type: 'string' },
  workers: { type: 'string' },
  seed: { type: 'string' },
  profile: { type: 'string' },
  history: { type: 'string' },
  risk: { type: 'string' },
  reservation: { type: 'string' },
  'reservation-out': { type: 'string' },
  'no-bags': { type: 'boolean' },
  ...AVAILABILITY_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} as const;

const FILE = 'a file path';
const PLAN_EXPECTS: Expects<typeof PLAN_OPTIONS> = {
  pools: FILE,
  planner: `one of ${PLANNER_IDS.join(', ')}`,
  objective: `one of ${OBJECTIVES.join(', ')}`,
  'usd-per-hour': USD_PER_HOUR_RULE.expected,
  'data-home': 'a pool or region id',
  format: `one of ${FORMATS.join(', ')}`,
  out: FILE,
  limit: LIMIT_RULE.expected,
  'budget-ms': BUDGET_MS_RULE.expected,
  workers: WORKERS_RULE.expected,
  seed: SEED_RULE.expected,
  profile: FILE,
  history: FILE,
  risk: 'p50, p90 (any pNN) or a number in (0, 1)',
  reservation: FILE,
  'reservation-out': FILE,
  ...AVAILABILITY_EXPECTS,
};

export const USAGE = `apportion: plan batch work before it is submitted

usage:
  apportion plan <task.json|wfformat.json> --pools <pools.json> [options]
  apportion run <task.json|wfformat.json> --pools <pools.json> [options]  execute the plan (run --help)
  apportion runs | run show RUN_ID                               runs recorded in the history store
  apportion history import <wfformat.json>... [--history FILE]   record traces' runs in the history store
  apportion history show [--history FILE]
  apportion profile fit|show|eval ...                            learn estimates from the history (profile --help)
  apportion forecast fit|show|eval ...                           forecast pools' free slots and interruptions from telemetry (forecast --help)
  apportion evaluate --pools POOLS --workloads FILE... [options]  policies side by side on the sim backend (evaluate --help)
  apportion worker --pool ID --redis URL [--concurrency N]       run a pool's sub-tasks from Redis (worker --help)

options (plan):
  -p, --pools FILE        resource map (pools and network), JSON or YAML
      --planner NAME      ${PLANNER_IDS.join(' | ')} (default apportion)
      --objective NAME    weighted (cost + USD per hour of makespan) | makespan | cost (default weighted)
      --usd-per-hour N    exchange rate of the weighted objective (default: the task's, else 5)
      --data-home ID      pool or region where data without a home starts (default: first pool's region)
      --explain           print the per-term breakdown and why each stage went where it went
      --format FMT        text | json | svg (default text)
  -o, --out FILE          write the plan there instead of stdout
      --limit N           sub-tasks listed per pool in text output, 1 to 1e9 (default 8)
      --budget-ms N       plan for up to N ms, 0 to 86400000 (24 h): constructive variants, LP bound, then search (default 0:
                          the constructive plan and the quick bound only)
      --workers N         worker threads scoring search batches, 1 to 256 (default: the cores available)
      --seed N            seed of the search, 0 to 4294967295 (default 1); same seed and budget in batches = same plan
      --profile FILE      plan on runtimes predicted by a fitted profile (apportion profile fit)
      --history FILE      fit a profile from this history store and plan on it
      --risk Q            quantile of the predicted runtimes: p50 | p90 | a number in (0, 1) (default p50)
      --reservation-out FILE  write the capacity per pool per time window this plan needs
      --reservation FILE  plan within a reservation, keeping work where it was reserved
      --no-bags           WfFormat: every task its own stage (default: a bag of same-op tasks with the
                          same parents and children is one divisible stage, cut into chunks of tasks)
${AVAILABILITY_USAGE}
  -h, --help              this help

exit codes: 0 ok, 2 bad input, 3 plan misses its deadline or budget, 130 interrupted (the best plan so far is written), 1 internal error`;


export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof InputError) {
      io.stderr(`${error.source}: ${error.issues.length} problem${error.issues.length === 1 ? '' : 's'}\n${formatIssues(error.issues)}\n`);
      return EXIT_INPUT;
    }
    if (error instanceof UsageError) {
      io.stderr(`✖ ${error.message}\n  → run "apportion --help" for usage\n`);
      return EXIT_INPUT;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`apportion: internal error: ${message}\n`);
    if (process.env.APPORTION_DEBUG !== undefined && error instanceof Error) io.stderr(`${error.stack}\n`);
    return EXIT_INTERNAL;
  }
}

async function dispatch(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(`${USAGE}\n`);
    return command === undefined ? EXIT_INPUT : EXIT_OK;
  }
  if (command === '--version') {
    io.stdout('apportion 0.1.0\n');
    return EXIT_OK;
  }
  if (command === 'history') return (await import('./history-command.js')).runHistoryCommand(rest, io);
  if (command === 'profile') return (await import('./profile-command.js')).runProfileCommand(rest, io);
  if (command === 'forecast') return (await import('./forecast-command.js')).runForecastCommand(rest, io);
  if (command === 'evaluate') return (await import('./evaluate-command.js')).runEvaluateCommand(rest, io);
  if (command === 'run') return (await import('./run-command.js')).runRunCommand(rest, io);
  if (command === 'runs') return (await import('./run-command.js')).runRunsCommand(rest, io);
  if (command === 'worker') return (await import('./worker-command.js')).runWorkerCommand(rest, io);
  if (command !== 'plan') throw new UsageError(`unknown command "${command}"${suggest(command, ['plan', 'run', 'runs', 'worker', 'history', 'profile', 'forecast', 'evaluate', 'help'])}`);
  const options = parsePlanArgs(rest);
  if (options === 'help') {
    io.stdout(`${USAGE}\n`);
    return EXIT_OK;
  }
  const result = await runPlanCommand(options, io);
  if (options.out !== undefined) writeText(options.out, result.output);
  else io.stdout(result.output.endsWith('\n') ? result.output : `${result.output}\n`);
  for (const violation of result.violations) io.stderr(`✖ the best plan found ${violation}\n`);
  if (result.interrupted) {
    io.stderr(`apportion: interrupted: the best plan found before Ctrl-C was written${options.out === undefined ? '' : ` to ${options.out}`}\n`);
    return EXIT_INTERRUPTED;
  }
  return result.violations.length > 0 ? EXIT_CONSTRAINT : EXIT_OK;
}

function parsePlanArgs(args: readonly string[]): PlanCommandOptions | 'help' {
  const parsed = parseCommandArgs(args, PLAN_OPTIONS, PLAN_EXPECTS);
  const { values, positionals } = parsed;
  if (values.help === true) return 'help';
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'plan needs a task definition file' : `plan takes one task file, received ${positionals.length}: ${positionals.join(' ')}`);
  if (values.pools === undefined) throw new UsageError('plan needs --pools FILE (the resource map)');
  if (values.profile !== undefined && values.history !== undefined) throw new UsageError('give --profile FILE or --history FILE, not both');
  return {
    taskPath: positionals[0]!,
    poolsPath: values.pools,
    planner: oneOf('--planner', values.planner, PLANNER_IDS) ?? 'apportion',
    objective: oneOf('--objective', values.objective, OBJECTIVES) ?? 'weighted',
    usdPerHour: numberFlag('--usd-per-hour', values['usd-per-hour'], USD_PER_HOUR_RULE),
    dataHome: values['data-home'],
    explain: values.explain === true,
    format: oneOf('--format', values.format, FORMATS) ?? 'text',
    out: values.out,
    limit: numberFlag('--limit', values.limit, LIMIT_RULE),
    budgetMs: numberFlag('--budget-ms', values['budget-ms'], BUDGET_MS_RULE) ?? 0,
    workers: numberFlag('--workers', values.workers, WORKERS_RULE),
    seed: numberFlag('--seed', values.seed, SEED_RULE) ?? 1,
    progress: true,
    profilePath: values.profile,
    historyPath: values.history,
    risk: riskQuantile(values.risk, values.profile !== undefined || values.history !== undefined),
    reservationPath: values.reservation,
    reservationOut: values['reservation-out'],
    bags: values['no-bags'] !== true,
    ...availabilityFlags(values),
  };
}

/** `--risk p90` → 0.9; `--risk 0.75` → 0.75. Only with a profile: without history there is no distribution to take a quantile of. */
export function riskQuantile(value: string | undefined, haveProfile: boolean): number | undefined {
  if (value === undefined) return undefined;
  const match = /^[pP](\d+(?:\.\d+)?)$/.exec(value);
  const quantile = match ? Number(match[1]) / 100 : parseDecimal(value);
  if (quantile === undefined || quantile <= 0 || quantile >= 1) {
    throw new UsageError(`--risk: expected p50, p90 (any pNN) or a number in (0, 1), received "${value}"`);
  }
  if (!haveProfile) throw new UsageError('--risk needs runtimes with a spread: give --profile FILE or --history FILE');
  return quantile;
}

export type { PlannerId };
