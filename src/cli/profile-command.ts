/**
 * `apportion profile`: learn estimates from the history store and look at them.
 *
 *   fit    fit a profile from the history store (one pass) and write it as JSON
 *   show   per op: records, scaling law, P10/P50/P90 at a typical size, pool classes
 *   eval   predict held-out runs (WfFormat traces) and score P50 error and quantile coverage
 *          against two baselines: the op's running mean and its last observed runtime
 */
import type { RunRecord } from '../history/record.js';
import { defaultHistoryPath, openHistory } from '../history/store.js';
import { baselines, evaluatePoint, evaluateProfile, type Evaluation, type PointEvaluation } from '../profile/evaluate.js';
import { fitProfile, type Profile } from '../profile/fit.js';
import { hasMetric } from '../profile/predict.js';
import { renderProfile } from '../render/profile.js';
import { table } from '../render/format.js';
import { parseCommandArgs, suggest, UsageError } from './args.js';
import { traceRecords } from './history-command.js';
import { loadProfile, writeText } from '../load/files.js';
import { EXIT_INPUT, EXIT_OK, type Io } from './io.js';
import { progressPrinter } from './progress.js';

const PROFILE_OPTIONS = {
  history: { type: 'string' },
  profile: { type: 'string' },
  out: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SUBCOMMANDS = ['fit', 'show', 'eval'] as const;

export const PROFILE_USAGE = `apportion profile: runtime, memory and I/O estimates learned from the history store

usage:
  apportion profile fit [--history FILE] [-o profile.json]
  apportion profile show [--profile profile.json | --history FILE]
  apportion profile eval <wfformat.json>... [--history FILE | --profile profile.json]

options:
      --history FILE      the history store (default: $APPORTION_HISTORY, else
                          $XDG_DATA_HOME/apportion/history.sqlite, else ~/.local/share/apportion/history.sqlite)
      --profile FILE      a profile written by "profile fit" instead of fitting one now
  -o, --out FILE          fit: write the profile there (default: stdout)
  -h, --help              this help

eval scores the runs of the given traces (not in the history) against the profile: median
absolute percentage error of P50 and coverage of P10/P50/P90; with --history also the
baselines: per-op running mean and last observed runtime.
plan with a profile: apportion plan TASK --pools POOLS --profile profile.json --risk p90`;

export async function runProfileCommand(args: readonly string[], io: Io): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h' || subcommand === 'help') {
    io.stdout(`${PROFILE_USAGE}\n`);
    return subcommand === undefined ? EXIT_INPUT : EXIT_OK;
  }
  if (!(SUBCOMMANDS as readonly string[]).includes(subcommand)) throw new UsageError(`unknown profile command "${subcommand}"${suggest(subcommand, SUBCOMMANDS)}`);
  const { values, positionals } = parseCommandArgs(rest, PROFILE_OPTIONS, { history: 'a file path', profile: 'a file path', out: 'a file path' });
  if (values.help === true) {
    io.stdout(`${PROFILE_USAGE}\n`);
    return EXIT_OK;
  }
  if (values.profile !== undefined && values.history !== undefined) throw new UsageError('give --profile or --history, not both');
  if (subcommand !== 'eval' && positionals.length > 0) throw new UsageError(`profile ${subcommand} takes no files, received: ${positionals.join(' ')}`);
  const historyPath = values.history ?? defaultHistoryPath();
  if (subcommand === 'fit') {
    if (values.profile !== undefined) throw new UsageError('profile fit reads the history: --profile does not apply');
    return fit(historyPath, values.out, io);
  }
  if (values.out !== undefined) throw new UsageError(`--out applies to profile fit, not profile ${subcommand}`);
  if (subcommand === 'show') {
    io.stdout(renderProfile(loadProfile(values.profile, values.profile === undefined ? historyPath : undefined)!));
    return EXIT_OK;
  }
  if (positionals.length === 0) throw new UsageError('profile eval needs the WfFormat traces to predict (runs not in the history)');
  return evaluate(positionals, values.profile, values.profile === undefined ? historyPath : undefined, io);
}

function fit(historyPath: string, out: string | undefined, io: Io): number {
  const started = performance.now();
  const report = progressPrinter(io, true, 'profile fit');
  const profile = loadProfile(undefined, historyPath, (read, done) => report(done ? 'fitting laws and quantiles' : 'reading the history', `${read} records`))!;
  const elapsedMs = performance.now() - started;
  if (!hasMetric(profile, 'runtimeS')) {
    // An empty profile would plan every stage on nothing: write none.
    io.stderr(`✖ the history ${historyPath} holds no succeeded runs: nothing to fit, no profile written; import traces first (apportion history import TRACE.json)\n`);
    return EXIT_INPUT;
  }
  const json = `${JSON.stringify(profile)}\n`;
  if (out === undefined) io.stdout(json);
  else writeText(out, json);
  io.stderr(`fitted ${profile.records} records, ${Object.keys(profile.ops).length} op(s) from ${historyPath} in ${elapsedMs.toFixed(0)} ms${out === undefined ? '' : `; wrote ${out}`}\n`);
  return EXIT_OK;
}

function evaluate(traces: readonly string[], profilePath: string | undefined, historyPath: string | undefined, io: Io): number {
  const test: RunRecord[] = traces.flatMap((file) => traceRecords(file));
  let profile: Profile;
  let compared: { runningMean: PointEvaluation; lastValue: PointEvaluation } | undefined;
  if (historyPath !== undefined) {
    const store = openHistory(historyPath, { readonly: true });
    let train: RunRecord[];
    try {
      train = [...store.records()];
    } finally {
      store.close();
    }
    const trained = new Set(train.map((record) => record.jobId));
    const inSample = [...new Set(test.filter((record) => trained.has(record.jobId)).map((record) => record.jobId))];
    if (inSample.length > 0) io.stderr(`⚠ ${inSample.length} job(s) of these traces are already in the history (${inSample.slice(0, 3).join(', ')}): their scores are in-sample, not held out\n`);
    profile = fitProfile(train);
    const base = baselines(train);
    compared = { runningMean: evaluatePoint(base.runningMean, test), lastValue: evaluatePoint(base.lastValue, test) };
  } else profile = loadProfile(profilePath, undefined)!;
  const evaluation = evaluateProfile(profile, test);
  io.stdout(renderEvaluation(evaluation, compared));
  return EXIT_OK;
}

function renderEvaluation(evaluation: Evaluation, compared: { runningMean: PointEvaluation; lastValue: PointEvaluation } | undefined): string {
  const percent = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '–' : `${(x * 100).toFixed(1)} %`);
  const header = ['op', 'n', 'P50 error', ...(compared ? ['running mean', 'last value'] : []), ...evaluation.quantiles.map((q) => `≤ P${Math.round(q * 100)}`), 'note'];
  const row = (name: string, cell: Evaluation['overall'], note: string): string[] => [
    name,
    String(cell.n),
    percent(cell.mdape),
    ...(compared ? [percent(name === 'all' ? compared.runningMean.mdape : compared.runningMean.ops[name]?.mdape), percent(name === 'all' ? compared.lastValue.mdape : compared.lastValue.ops[name]?.mdape)] : []),
    ...cell.coverage.map((share) => percent(share)),
    note,
  ];
  const rows = Object.entries(evaluation.ops).map(([name, cell]) => row(name, cell, cell.unseen ? 'op not in the history: global prior' : cell.provisionalShare > 0 ? `${percent(cell.provisionalShare)} on a prior` : ''));
  rows.push(row('all', evaluation.overall, ''));
  const intro = `${evaluation.overall.n} held-out runs; error = median |P50 − actual| / actual; ≤ Pq = share of runs at or below the predicted quantile (calibrated: ≈ q)`;
  return `${intro}\n${table([header, ...rows], header.map((_, i) => i > 0 && i < header.length - 1))}\n`;
}
