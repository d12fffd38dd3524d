/**
 * `apportion forecast`: the Resource Predictor from the command line.
 *
 *   fit    telemetry (the resource map's section, --telemetry files) → an availability map (JSON)
 *   show   a map per pool: free-slot quantiles by hour, hazard by hour of week, price; svg: the picture
 *   eval   a rolling-origin backtest of any series a user gives: MASE, relMae, P10–P90 coverage per horizon
 */
import { readFileSync } from 'node:fs';
import { backtest, formatHorizon } from '../forecast/backtest.js';
import { DEFAULT_MODEL, MODELS } from '../forecast/fit.js';
import { readAvailabilityMap } from '../forecast/map.js';
import { parseTelemetryText } from '../forecast/telemetry/index.js';
import { InputError } from '../model/issues.js';
import { TELEMETRY_FORMATS, TELEMETRY_METRICS, type TelemetryEntry } from '../model/telemetry-section.js';
import { loadJsonDocument, loadResourceMap, writeText } from '../load/files.js';
import { renderMapSvg } from '../render/forecast-svg.js';
import { renderBacktestText, renderMapText, renderWarnings } from '../render/forecast-text.js';
import { numberFlag, oneOf, parseCommandArgs, suggest, UsageError, type NumberRule } from './args.js';
import { durationFlag, fitWithTelemetry, parseStartAt } from './availability-options.js';
import { EXIT_INPUT, EXIT_OK, type Io } from './io.js';

const SUBCOMMANDS = ['fit', 'show', 'eval'] as const;
const MODEL_IDS = Object.keys(MODELS);
const EVAL_METRICS = TELEMETRY_METRICS.filter((m) => m !== 'interruptions');
const STEP_RULE: NumberRule = { whole: false, min: 1, max: 366 * 86_400, expected: 'a step in seconds from 1 to 31622400 (a year)' };

const FORECAST_OPTIONS = {
  pools: { type: 'string', short: 'p' },
  telemetry: { type: 'string', multiple: true },
  history: { type: 'string' },
  model: { type: 'string' },
  horizon: { type: 'string' },
  bucket: { type: 'string' },
  column: { type: 'string' },
  'step-s': { type: 'string' },
  'start-at': { type: 'string' },
  metric: { type: 'string' },
  'file-format': { type: 'string' },
  pool: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const FORECAST_USAGE = `apportion forecast: free slots, interruptions and price of each pool over time, from telemetry

usage:
  apportion forecast fit --pools POOLS [--telemetry FILE]... [--history FILE] [--model M] [--horizon 7d] [--bucket 1h] [-o map.json]
  apportion forecast show MAP [--pool ID] [--format text|json|svg] [-o FILE]
  apportion forecast eval FILE [--column NAME] [--step-s S] [--start-at TIME] [--horizon 1h,6h,24h]
                          [--model M|all] [--format text|json]

fit reads the resource map's "telemetry" section (and any --telemetry FILE: { "telemetry": [...] },
paths relative to it): per pool a utilisation / free-slot / available-slot / price series (CSV with
or without a time column, Prometheus query_range JSON, { startS, stepS, values }) and interruption
events; it writes a versioned availability map that "plan --availability MAP" prices.

options:
  -p, --pools FILE        fit: the resource map (pools, and its telemetry section)
      --telemetry FILE    fit: a telemetry section file; repeatable
      --history FILE      fit: also learn interruptions from the runs in this history store (their attempts'
                          slot-hours are the exposure), for pools without interruption telemetry
      --model M           ${MODEL_IDS.join(' | ')} (default ${DEFAULT_MODEL}); eval also: all, or a comma list
      --horizon H         fit: the map's horizon (default 7d); eval: horizons scored, comma-separated (default 1h,6h,24h)
      --bucket B          fit: the map's bucket (default 1h)
      --column NAME       eval: the CSV column (default: the only value column)
      --step-s S          eval: the step of a CSV without a time column (as the Alibaba trace comes)
      --start-at TIME     eval: the time of the first row of such a CSV (default 1970-01-01, a Thursday)
      --metric M          eval: what the values are, for their range check: ${EVAL_METRICS.join(' | ')} (default free-slots: any value ≥ 0)
      --file-format F     eval: ${TELEMETRY_FORMATS.filter((f) => f !== 'events').join(' | ')} (default: from the extension and content)
      --pool ID           show: only this pool
      --format FMT        text | json (default text); show also svg; fit: json (default) | text | svg (with the history)
  -o, --out FILE          write there instead of stdout
  -h, --help              this help`;

export async function runForecastCommand(args: readonly string[], io: Io): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h' || subcommand === 'help') {
    io.stdout(`${FORECAST_USAGE}\n`);
    return subcommand === undefined ? EXIT_INPUT : EXIT_OK;
  }
  if (!(SUBCOMMANDS as readonly string[]).includes(subcommand)) throw new UsageError(`unknown forecast command "${subcommand}"${suggest(subcommand, SUBCOMMANDS)}`);
  const { values, positionals } = parseCommandArgs(rest, FORECAST_OPTIONS, { pools: 'a file path', telemetry: 'a file path', out: 'a file path', model: `one of ${MODEL_IDS.join(', ')}` });
  if (values.help === true) {
    io.stdout(`${FORECAST_USAGE}\n`);
    return EXIT_OK;
  }
  const emit = (text: string): void => {
    if (values.out !== undefined) writeText(values.out, text);
    else io.stdout(text.endsWith('\n') ? text : `${text}\n`);
  };
  if (subcommand === 'fit') {
    if (positionals.length > 0) throw new UsageError(`forecast fit takes no file argument (received ${positionals.join(' ')}): give --pools POOLS and --telemetry FILE`);
    if (values.pools === undefined) throw new UsageError('forecast fit needs --pools FILE (the resource map, with its telemetry section or with --telemetry FILE)');
    const resources = loadResourceMap(values.pools);
    const format = oneOf('--format', values.format, ['json', 'text', 'svg'] as const) ?? 'json';
    const model = values.model === undefined ? undefined : oneOf('--model', values.model, MODEL_IDS);
    for (const flag of ['column', 'step-s', 'start-at', 'metric', 'file-format', 'pool'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} is for forecast ${flag === 'pool' ? 'show' : 'eval'}; forecast fit reads each series' settings from its telemetry entry`);
    }
    const bucketS = values.bucket === undefined ? undefined : durationFlag('--bucket', values.bucket);
    const horizonS = values.horizon === undefined ? undefined : durationFlag('--horizon', values.horizon);
    if (bucketS !== undefined && (bucketS < 60 || (7 * 86_400) % bucketS !== 0)) throw new UsageError(`--bucket: expected a divisor of a week of at least 1 minute (5m, 15m, 1h, 6h, 1d …), received "${values.bucket}"`);
    if (horizonS !== undefined && !(horizonS >= 3600 && horizonS <= 366 * 86_400)) throw new UsageError(`--horizon: expected 1h to 366d, received "${values.horizon}"`);
    if (Math.ceil((horizonS ?? 7 * 86_400) / (bucketS ?? 3600)) > 100_000) throw new UsageError('--horizon / --bucket: at most 100000 buckets');
    const fitted = fitWithTelemetry(values.pools, resources, values.telemetry ?? [], io, { model, horizonS, bucketS, historyPath: values.history });
    if (fitted === undefined) throw new UsageError(`no telemetry: ${values.pools} has no "telemetry" section and no --telemetry FILE was given`);
    const { map } = fitted;
    // The picture draws each pool's history (free slots, else available slots) before its forecast.
    const history = new Map(fitted.telemetry.pools.flatMap((t) => (t.free ?? t.available) === undefined ? [] : [[t.pool, (t.free ?? t.available)!] as const]));
    emit(format === 'json' ? `${JSON.stringify(map, null, 2)}\n` : format === 'svg' ? renderMapSvg(map, { history }) : renderMapText(map));
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError(`forecast ${subcommand} needs one file, received ${positionals.length}`);
  const file = positionals[0]!;
  if (subcommand === 'show') {
    const format = oneOf('--format', values.format, ['text', 'json', 'svg'] as const) ?? 'text';
    const map = readAvailabilityMap(loadJsonDocument(file), file);
    if (values.pool !== undefined && !map.pools.some((p) => p.pool === values.pool)) throw new UsageError(`--pool: the map has no pool "${values.pool}"${suggest(values.pool, map.pools.map((p) => p.pool))}`);
    const shown = values.pool === undefined ? map : { ...map, pools: map.pools.filter((p) => p.pool === values.pool) };
    emit(format === 'json' ? `${JSON.stringify(shown, null, 2)}\n` : format === 'svg' ? renderMapSvg(shown) : renderMapText(shown));
    return EXIT_OK;
  }
  // eval
  const format = oneOf('--format', values.format, ['text', 'json'] as const) ?? 'text';
  const metric = oneOf('--metric', values.metric, EVAL_METRICS) ?? 'free-slots';
  const fileFormat = values['file-format'] === undefined ? undefined : oneOf('--file-format', values['file-format'], TELEMETRY_FORMATS.filter((f) => f !== 'events'));
  const stepS = numberFlag('--step-s', values['step-s'], STEP_RULE);
  const horizonTexts = (values.horizon ?? '1h,6h,24h').split(',').map((h) => h.trim());
  const horizonsS = horizonTexts.map((h) => durationFlag('--horizon', h));
  const models = values.model === undefined ? [DEFAULT_MODEL] : values.model === 'all' ? MODEL_IDS : values.model.split(',').map((m) => oneOf('--model', m.trim(), MODEL_IDS)!);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(file, [{ code: 'invalid_value', path: [], message: `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : String((error as Error).message)}` }]);
  }
  const entry: TelemetryEntry = {
    index: 0,
    pool: '-',
    file,
    metric,
    ...(fileFormat === undefined ? {} : { format: fileFormat }),
    ...(values.column === undefined ? {} : { column: values.column }),
    ...(stepS === undefined ? {} : { stepS }),
    ...(values['start-at'] === undefined ? {} : { startAtS: parseStartAt(values['start-at']) }),
  };
  const parsed = withFlagPaths(() => parseTelemetryText(entry, text, { source: file }));
  if (parsed.kind !== 'series') throw new UsageError(`forecast eval scores a series; ${file} reads as events`);
  for (const line of renderWarnings(parsed.warnings.slice(0, 10))) io.stderr(`${line}\n`);
  const started = Date.now();
  io.stderr(`… backtesting ${models.join(', ')} on ${parsed.series.values.length} points of ${parsed.label} (step ${formatHorizon(parsed.series.stepS)})\n`);
  const rows = backtest(parsed.series, { horizonsS, labels: horizonTexts, models, path: file });
  io.stderr(`backtest done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  for (const row of rows) {
    if (row.origins === 0) io.stderr(`⚠ ${row.model} ${row.horizon}: no origin to score (the series' last third is shorter than the horizon, or it has ${parsed.series.values.length} points only): nothing measured\n`);
    if (row.horizonS < parsed.series.stepS) io.stderr(`⚠ ${row.horizon} is shorter than the series' step (${formatHorizon(parsed.series.stepS)}): scored one step ahead\n`);
  }
  emit(format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : renderBacktestText(rows, `${file} (${parsed.label})`));
  return EXIT_OK;
}

/** `1h`, `90m`, `7d`, `3600` → seconds, as a usage error naming the flag. */

/** The telemetry reader names an entry's fields (`telemetry[0].column`); on the command line they are flags. */
const FLAG_OF: Readonly<Record<string, string>> = { column: '--column', stepS: '--step-s', startAt: '--start-at', format: '--file-format', metric: '--metric' };

function withFlagPaths<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const issues = error.issues.map((issue) => {
      const [root, index, field, ...rest] = issue.path;
      if (root !== 'telemetry' || index !== 0 || typeof field !== 'string') return issue;
      const flag = FLAG_OF[field];
      const message = flag === undefined ? issue.message : issue.message.replace(`"${field}"`, flag);
      return { ...issue, message: flag === undefined ? message : `${flag}: ${message}`, path: flag === undefined ? [field, ...rest] : [] };
    });
    throw new InputError(error.source, issues);
  }
}
