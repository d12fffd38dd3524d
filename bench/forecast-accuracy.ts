/**
 * Forecast accuracy and speed of every series model (issue 10, section 5):
 * rolling-origin backtest (src/forecast/backtest.ts) at 1 h, 6 h and 24 h on
 * - the Alibaba 2018 machine-usage columns (../shared/data/telemetry/alibaba2018-days1-8-300s.csv:
 *   no time column, 300 s step),
 * - the 12 NAB AWS CloudWatch series (timestamp,value; binned onto a 300 s grid here),
 * - synthetic series with known daily + weekly seasonality, trend, level shifts, spikes, gaps;
 * and the time of fitSeries (24 h horizon, conformal calibration included) and forecastSeries
 * per series of two weeks at 5 min, side by side for all models in one run.
 *
 * Targets: MASE ≤ 0.8 at 1 h and 6 h, < 1 at 24 h; relMae < 1; coverage 75–85 %;
 * fit ≤ 50 ms, forecast ≤ 5 ms.
 *
 *   node --import tsx bench/forecast-accuracy.ts [--models a,b] [--datasets alibaba,nab,synthetic]
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { backtest } from '../src/forecast/backtest.js';
import { DEFAULT_MODEL, MODELS, fitSeries, forecastSeries } from '../src/forecast/fit.js';
import { syntheticSeries } from '../src/forecast/synthetic-series.js';
import type { BacktestRow, Series } from '../src/forecast/types.js';
import { REPO_ROOT, describeMachine, formatMs, formatNumber, geometricMean, markdownTable, median, progress, reportHeader, writeResult } from './common.js';

const TELEMETRY_DIR = resolve(REPO_ROOT, '../shared/data/telemetry');
const STEP_S = 300;
const HORIZONS_S = [3600, 6 * 3600, 24 * 3600] as const;
const LABELS = ['1h', '6h', '24h'] as const;

interface NamedSeries {
  readonly dataset: string;
  readonly name: string;
  readonly series: Series;
}

// --- CSV → Series (a bench-local reader; the real one lives in src/forecast/telemetry/) -------

function readAlibaba(): NamedSeries[] {
  const lines = readFileSync(resolve(TELEMETRY_DIR, 'alibaba2018-days1-8-300s.csv'), 'utf8').trim().split(/\r?\n/);
  const header = lines[0]!.split(',');
  const columns = header.map(() => [] as number[]);
  for (const line of lines.slice(1)) line.split(',').forEach((cell, c) => columns[c]!.push(cell.trim() === '' ? Number.NaN : Number(cell)));
  return header.map((name, c) => ({ dataset: 'alibaba', name, series: { startS: 0, stepS: STEP_S, values: Float64Array.from(columns[c]!) } }));
}

/** 'YYYY-MM-DD HH:MM:SS' (UTC) → epoch s. */
function parseTimestamp(text: string): number {
  return Date.parse(`${text.trim().replace(' ', 'T')}Z`) / 1000;
}

/** Bin `timestamp,value` rows onto a 300 s grid (mean per bin; empty bins NaN). */
function readNab(file: string): Series {
  const rows = readFileSync(file, 'utf8').trim().split(/\r?\n/).slice(1).map((line) => {
    const [time, value] = line.split(',');
    return { t: parseTimestamp(time!), v: Number(value) };
  });
  const startS = Math.floor(rows[0]!.t / STEP_S) * STEP_S;
  const last = rows[rows.length - 1]!.t;
  const n = Math.floor((last - startS) / STEP_S) + 1;
  const sum = new Float64Array(n);
  const count = new Float64Array(n);
  for (const { t, v } of rows) {
    const bin = Math.round((t - startS) / STEP_S);
    if (bin < 0 || bin >= n || !Number.isFinite(v)) continue;
    sum[bin] = sum[bin]! + v;
    count[bin] = count[bin]! + 1;
  }
  return { startS, stepS: STEP_S, values: Float64Array.from(sum, (s, i) => (count[i]! > 0 ? s / count[i]! : Number.NaN)) };
}

function nabSeries(): NamedSeries[] {
  const dir = resolve(TELEMETRY_DIR, 'nab-aws-cloudwatch');
  return readdirSync(dir).filter((f) => f.endsWith('.csv')).sort().map((f) => ({ dataset: 'nab', name: basename(f, '.csv'), series: readNab(resolve(dir, f)) }));
}

function synthetic(): NamedSeries[] {
  const cases: [string, Parameters<typeof syntheticSeries>[0]][] = [
    ['seasonal', { seed: 1 }],
    ['trend+shifts', { seed: 2, trendPerDay: 1, levelShifts: 3, levelShiftSize: 12 }],
    ['noisy', { seed: 3, noiseSd: 10, noiseAr: 0.3, dailyAmplitude: 10 }],
    ['spikes+gaps', { seed: 4, spikes: 40, missingFraction: 0.03 }],
    ['weekly-strong', { seed: 5, weekendDrop: 30, dailyAmplitude: 8, noiseSd: 2 }],
  ];
  return cases.map(([name, options]) => ({ dataset: 'synthetic', name, series: syntheticSeries(options).series }));
}

// --- run ------------------------------------------------------------------------------------

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const models = argument('models')?.split(',') ?? Object.keys(MODELS);
const datasets = new Set(argument('datasets')?.split(',') ?? ['alibaba', 'nab', 'synthetic']);
const all: NamedSeries[] = [
  ...(datasets.has('alibaba') ? readAlibaba() : []),
  ...(datasets.has('nab') ? nabSeries() : []),
  ...(datasets.has('synthetic') ? synthetic() : []),
];

interface Result {
  readonly item: NamedSeries;
  readonly rows: BacktestRow[];
  readonly backtestMs: number;
}

const results: Result[] = [];
for (const item of all) {
  for (const model of models) {
    const t0 = performance.now();
    const rows = backtest(item.series, { horizonsS: HORIZONS_S, labels: LABELS, models: [model] });
    const backtestMs = performance.now() - t0;
    results.push({ item, rows, backtestMs });
    progress(`${item.dataset}/${item.name} ${model}: ${rows.map((r) => `${r.horizon} mase ${r.mase.toFixed(3)} rel ${r.relMae.toFixed(3)} cov ${r.coverage.toFixed(2)}`).join('; ')} (${backtestMs.toFixed(0)} ms)`);
  }
}

// Timing: fit (24 h horizon) and forecast on each series of two weeks at 5 min (4032 points).
interface Timing {
  fitMs: number[];
  forecastMs: number[];
}
const timings = new Map<string, Timing>(models.map((m) => [m, { fitMs: [], forecastMs: [] }]));
const twoWeeks = all.filter((item) => item.series.values.length >= 4032).map((item) => ({ ...item.series, values: item.series.values.subarray(item.series.values.length - 4032) }));
for (const model of models) fitSeries(twoWeeks[0]!, { model, horizonS: 86_400 }); // warm-up (JIT, WASM init)
for (const series of twoWeeks) {
  for (const model of models) {
    const timing = timings.get(model)!;
    const t0 = performance.now();
    const fit = fitSeries(series, { model, horizonS: 86_400 });
    const t1 = performance.now();
    for (let r = 0; r < 10; r++) forecastSeries(fit);
    const t2 = performance.now();
    timing.fitMs.push(t1 - t0);
    timing.forecastMs.push((t2 - t1) / 10);
  }
}

// --- report ----------------------------------------------------------------------------------

const lines = reportHeader('Forecast accuracy (issue 10 §5)', 'node --import tsx bench/forecast-accuracy.ts', new Date().toISOString(), describeMachine());
lines.push(
  `- rolling origin every hour over the last third of each series; horizons ${LABELS.join(', ')}; default model \`${DEFAULT_MODEL}\``,
  '- MASE: geometric mean over the dataset\'s series; relMae: geometric mean; coverage: arithmetic mean of P10–P90 coverage',
  '- targets: MASE ≤ 0.8 at 1h/6h, < 1 at 24h; relMae < 1; coverage 75–85 %',
  '',
);

const datasetNames = [...new Set(all.map((item) => item.dataset))];
const met = (row: { mase: number; relMae: number; coverage: number; horizon: string }): boolean =>
  (row.horizon === '24h' ? row.mase < 1 : row.mase <= 0.8) && row.relMae < 1 && row.coverage >= 0.75 && row.coverage <= 0.85;

for (const dataset of datasetNames) {
  const series = all.filter((item) => item.dataset === dataset).length;
  lines.push(`## ${dataset} (${series} series)`, '');
  const table: string[][] = [];
  for (const model of models) {
    for (const label of LABELS) {
      const rows = results.filter((r) => r.item.dataset === dataset).flatMap((r) => r.rows).filter((row) => row.model === model && row.horizon === label);
      const mase = geometricMean(rows.map((r) => r.mase).filter((v) => v > 0 && Number.isFinite(v)));
      const rel = geometricMean(rows.map((r) => r.relMae).filter((v) => v > 0 && Number.isFinite(v)));
      const coverage = rows.reduce((s, r) => s + r.coverage, 0) / rows.length;
      const meanMase = rows.reduce((s, r) => s + r.mase, 0) / rows.length;
      const summary = { mase: mase ?? Number.NaN, relMae: rel ?? Number.NaN, coverage, horizon: label };
      const perSeriesMet = rows.filter((r) => met(r)).length;
      table.push([model, label, formatNumber(mase, 3), formatNumber(meanMase, 3), formatNumber(rel, 3), `${(100 * coverage).toFixed(1)}%`, met(summary) ? 'met' : 'missed', `${perSeriesMet}/${rows.length}`]);
    }
  }
  lines.push(...markdownTable(['model', 'horizon', 'MASE (geo)', 'MASE (mean)', 'relMae (geo)', 'coverage', 'targets (means)', 'series meeting all'], table, new Set([2, 3, 4, 5, 7])), '');
}

lines.push('## Per series, default model', '');
const perSeries: string[][] = [];
for (const r of results.filter((r) => r.rows[0]?.model === DEFAULT_MODEL)) {
  perSeries.push([
    `${r.item.dataset}/${r.item.name}`,
    String(r.item.series.values.length),
    ...r.rows.map((row) => `${formatNumber(row.mase, 3)} / ${formatNumber(row.relMae, 3)} / ${(100 * row.coverage).toFixed(0)}%`),
    formatMs(r.backtestMs),
  ]);
}
lines.push(...markdownTable(['series', 'points', ...LABELS.map((l) => `${l}: MASE / relMae / cov`), 'backtest ms'], perSeries, new Set([1, 5])), '');

lines.push(`## Fit and forecast time (${twoWeeks.length} series of 4032 points, 24 h horizon, median per series)`, '');
const naiveFit = median(timings.get('seasonal-naive-daily')?.fitMs ?? [Number.NaN]);
lines.push(
  ...markdownTable(
    ['model', 'fit ms (median)', 'fit ms (max)', 'fit / seasonal-naive fit', 'forecast ms (median)', 'fit ≤ 50 ms', 'forecast ≤ 5 ms'],
    models.map((model) => {
      const t = timings.get(model)!;
      const fit = median(t.fitMs);
      const forecast = median(t.forecastMs);
      return [model, formatMs(fit), formatMs(Math.max(...t.fitMs)), formatNumber(fit / naiveFit, 3), formatMs(forecast), fit <= 50 ? 'met' : 'missed', forecast <= 5 ? 'met' : 'missed'];
    }),
    new Set([1, 2, 3, 4]),
  ),
  '',
);

const report = lines.join('\n');
console.log(report);
writeResult('forecast-accuracy.md', `${report}\n`);
