/**
 * Task Profiler benchmark (issue 4): is the profiler better than the baselines on real traces,
 * is its P90 calibrated, and is it fast enough.
 *
 *   npm run bench:profiler            (node --import tsx bench/profiler.ts)
 *   npm run bench:profiler -- --dev   development splits only (fit 001–002, test 003; srasearch
 *                                     10a → 50a and blast small → medium across sizes): the
 *                                     cases the method's choices were tuned on, never the test ones
 *   npm run bench:profiler -- --calibration split --residual-shrinkage 10 --class-shrinkage 5 --seed 1
 *                                     fit options other than the defaults (FIT_DEFAULTS)
 *
 * Cases (WfInstances traces in ../shared/data/wfinstances):
 *   repeated runs: srasearch 10a, srasearch 50a, blast small, blast medium, bwa small:
 *                  fit on runs 001–003, test on run 004
 *   across sizes:  fit on the smaller instance of a family, test on the larger one
 *                  (1000genome 2ch → 8ch, epigenomics hep-1seq → ilmn-2seq,
 *                   montage 2mass-01d → dss-10d, seismology 100p → 1000p)
 * Per case: P50 median absolute percentage error (MdAPE) of the profiler and of the baselines
 * (per-op running mean, last value, and Dask's EWMA for reference), P10 / P90 coverage, and the
 * workflow's own run-to-run noise (repeated runs only): the MdAPE of predicting each task of the
 * test run by the same task's runtime in the previous run, and the median over ops of the
 * per-task coefficient of variation across all runs; for every case, a hindsight oracle (each
 * test record against its op's median in the test set) and how far op medians moved.
 * Then the same cases under other calibration settings (split conformal, no job-shift prior,
 * extrapolation widening), so each choice's effect is on record.
 *
 * Timing: fitProfile on 100,000 synthetic records (50 ops, 4 pool classes, 20 jobs, sizes over
 * 3 orders of magnitude, lognormal noise); predict over 1e6 varied queries after warm-up.
 *
 * Prints a report to stdout and writes bench/results/profiler.json.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RunRecord } from '../src/history/record.js';
import { openHistory } from '../src/history/store.js';
import { wfformatRecords } from '../src/history/wfformat-records.js';
import { baselines, evaluatePoint, evaluateProfile, medianOf, queryOf, type Evaluation } from '../src/profile/evaluate.js';
import { fitProfile, type FitOptions } from '../src/profile/fit.js';
import { predict } from '../src/profile/predict.js';
import { syntheticRecords } from '../src/profile/synthetic.js';
import { EXTRAPOLATION_EXPONENT_SPREAD, type Profile, type ProfileQuery } from '../src/profile/types.js';
import { RISK_QUANTILES, riskReplays, type Replay } from './profiler-risk.js';
import { describeMachine, geometricMean, markdownTable, progress, reportHeader, WFINSTANCES_DIR, writeResult } from './common.js';

const COMMAND = 'npm run bench:profiler  (node --import tsx bench/profiler.ts)';
const FITTED_AT = '2000-01-01T00:00:00.000Z';
const QUANTILES = [0.1, 0.5, 0.9] as const;

const TARGETS = {
  p90CoverageMin: 0.85,
  p90CoverageMax: 0.95,
  fitMs: 2000,
  predictNs: 2000,
};

interface CaseSpec {
  readonly id: string;
  readonly kind: 'runs' | 'sizes';
  readonly train: readonly string[];
  readonly test: readonly string[];
}

const RUN_FAMILIES: readonly (readonly [string, string])[] = [
  ['srasearch-10a', 'pegasus/srasearch/srasearch-chameleon-10a'],
  ['srasearch-50a', 'pegasus/srasearch/srasearch-chameleon-50a'],
  ['blast-small', 'makeflow/blast/blast-chameleon-small'],
  ['blast-medium', 'makeflow/blast/blast-chameleon-medium'],
  ['bwa-small', 'makeflow/bwa/bwa-chameleon-small'],
];

const SIZE_CASES: readonly CaseSpec[] = [
  sizes('1000genome 2ch→8ch', 'pegasus/1000genome/1000genome-chameleon-2ch-100k-001', 'pegasus/1000genome/1000genome-chameleon-8ch-100k-001'),
  sizes('epigenomics hep-1seq→ilmn-2seq', 'pegasus/epigenomics/epigenomics-chameleon-hep-1seq-100k-001', 'pegasus/epigenomics/epigenomics-chameleon-ilmn-2seq-100k-001'),
  sizes('montage 2mass-01d→dss-10d', 'pegasus/montage/montage-chameleon-2mass-01d-001', 'pegasus/montage/montage-chameleon-dss-10d-001'),
  sizes('seismology 100p→1000p', 'pegasus/seismology/seismology-chameleon-100p-001', 'pegasus/seismology/seismology-chameleon-1000p-001'),
];

const DEV_SIZE_CASES: readonly CaseSpec[] = [
  sizes('srasearch 10a→50a', 'pegasus/srasearch/srasearch-chameleon-10a-001', 'pegasus/srasearch/srasearch-chameleon-50a-001'),
  sizes('blast small→medium', 'makeflow/blast/blast-chameleon-small-001', 'makeflow/blast/blast-chameleon-medium-001'),
];

function sizes(id: string, train: string, test: string): CaseSpec {
  return { id, kind: 'sizes', train: [train], test: [test] };
}

function runCases(dev: boolean): CaseSpec[] {
  const trainRuns = dev ? ['001', '002'] : ['001', '002', '003'];
  const testRun = dev ? '003' : '004';
  return RUN_FAMILIES.map(([id, base]) => ({ id: `${id} runs ${trainRuns[0]}–${trainRuns[trainRuns.length - 1]}→${testRun}`, kind: 'runs', train: trainRuns.map((run) => `${base}-${run}`), test: [`${base}-${testRun}`] }));
}

const recordCache = new Map<string, RunRecord[]>();
function load(name: string): RunRecord[] {
  let records = recordCache.get(name);
  if (records === undefined) {
    const path = resolve(WFINSTANCES_DIR, `${name}.json`);
    records = wfformatRecords(JSON.parse(readFileSync(path, 'utf8')) as unknown, path);
    recordCache.set(name, records);
  }
  return records;
}

interface Hindsight {
  /** MdAPE of predicting each test record by the median of its op in the test set itself: a floor for any per-op constant. */
  readonly oracleMdape: number;
  /** Median over ops seen in both of |ln(test median / train median)|, as a factor: how far the typical op moved. */
  readonly opShiftFactor: number;
}

function hindsight(train: readonly RunRecord[], test: readonly RunRecord[]): Hindsight {
  const medians = (records: readonly RunRecord[]): Map<string, number> => {
    const byOp = new Map<string, number[]>();
    for (const r of records) {
      const list = byOp.get(r.op) ?? [];
      list.push(r.runtimeS);
      byOp.set(r.op, list);
    }
    return new Map([...byOp].map(([op, values]) => [op, medianOf(values)]));
  };
  const testMedians = medians(test);
  const trainMedians = medians(train);
  const errors = test.filter((r) => r.runtimeS > 0).map((r) => Math.abs(testMedians.get(r.op)! - r.runtimeS) / r.runtimeS);
  const shifts = [...testMedians].filter(([op]) => trainMedians.has(op)).map(([op, m]) => Math.abs(Math.log(Math.max(1e-3, m) / Math.max(1e-3, trainMedians.get(op)!))));
  return { oracleMdape: medianOf(errors), opShiftFactor: Math.exp(medianOf(shifts)) };
}

interface Noise {
  /** MdAPE of predicting each test task by the same task (stage id) in the last training run. */
  readonly previousRunMdape: number;
  /** Median over ops of the median per-task coefficient of variation across every run. */
  readonly medianOpCv: number;
}

interface CaseResult {
  readonly id: string;
  readonly kind: 'runs' | 'sizes';
  readonly trainRecords: number;
  readonly testRecords: number;
  readonly profiler: Evaluation;
  readonly runningMeanMdape: number;
  readonly lastValueMdape: number;
  readonly daskEwmaMdape: number;
  readonly unseenOps: readonly string[];
  readonly noise: Noise | undefined;
  readonly hindsight: Hindsight;
  readonly fitMs: number;
  readonly baselineOps: Readonly<Record<string, { mean: number; last: number }>>;
}

let fitOptions: FitOptions = { fittedAt: FITTED_AT };

/** Calibration alternatives re-run on the same cases, to show what the default buys. */
const VARIANTS: readonly { readonly id: string; readonly options: FitOptions }[] = [
  { id: 'split conformal, law refitted on all runs', options: { calibration: 'split', refit: true } },
  { id: 'split conformal, law from the training split', options: { calibration: 'split', refit: false } },
  { id: 'cross conformal, no job-shift prior (the method before the first test run)', options: { calibration: 'cross', defaultJobShiftSigma: 0 } },
  { id: 'cross conformal + extrapolation widening ±0.5 (off by default)', options: { calibration: 'cross', extrapolationExponentSpread: EXTRAPOLATION_EXPONENT_SPREAD } },
];

function runCase(spec: CaseSpec): CaseResult {
  const train = spec.train.flatMap(load);
  const test = spec.test.flatMap(load);
  const started = performance.now();
  const profile = fitProfile(train, fitOptions);
  const fitMs = performance.now() - started;
  const profiler = evaluateProfile(profile, test, QUANTILES);
  const base = baselines(train);
  const mean = evaluatePoint(base.runningMean, test);
  const last = evaluatePoint(base.lastValue, test);
  const ewma = evaluatePoint(base.daskEwma, test);
  const baselineOps: Record<string, { mean: number; last: number }> = {};
  for (const op of Object.keys(mean.ops)) baselineOps[op] = { mean: mean.ops[op]!.mdape, last: last.ops[op]!.mdape };
  return {
    id: spec.id,
    kind: spec.kind,
    trainRecords: train.length,
    testRecords: test.length,
    profiler,
    runningMeanMdape: mean.mdape,
    lastValueMdape: last.mdape,
    daskEwmaMdape: ewma.mdape,
    unseenOps: Object.entries(profiler.ops).filter(([, op]) => op.unseen).map(([name]) => name),
    noise: spec.kind === 'runs' ? runNoise(spec) : undefined,
    hindsight: hindsight(train, test),
    fitMs,
    baselineOps,
  };
}

function runNoise(spec: CaseSpec): Noise {
  const runs = [...spec.train, ...spec.test].map(load);
  const previous = new Map(runs[runs.length - 2]!.map((record) => [record.stageId, record.runtimeS]));
  const errors: number[] = [];
  for (const record of runs[runs.length - 1]!) {
    const before = previous.get(record.stageId);
    if (before !== undefined && record.runtimeS > 0) errors.push(Math.abs(before - record.runtimeS) / record.runtimeS);
  }
  const byTask = new Map<string, { op: string; values: number[] }>();
  for (const run of runs) {
    for (const record of run) {
      const entry = byTask.get(record.stageId) ?? { op: record.op, values: [] };
      entry.values.push(record.runtimeS);
      byTask.set(record.stageId, entry);
    }
  }
  const cvByOp = new Map<string, number[]>();
  for (const { op, values } of byTask.values()) {
    if (values.length < 2) continue;
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
    const list = cvByOp.get(op) ?? [];
    list.push(mean > 0 ? sd / mean : 0);
    cvByOp.set(op, list);
  }
  return { previousRunMdape: medianOf(errors), medianOpCv: medianOf([...cvByOp.values()].map(medianOf)) };
}

// ---------------------------------------------------------------------------------------------
// Timing

interface Timing {
  readonly fitRecords: number;
  readonly fitMs: readonly number[];
  readonly fitMedianMs: number;
  /** The same 100k records inserted into a SQLite history store, then fitted streaming from it (what `profile fit` does), three times. */
  readonly storeFitMs: readonly number[];
  readonly storeInsertMs: number;
  readonly predictCalls: number;
  readonly predictNsPerCall: number;
  /** Held-out synthetic check: fresh runs (new seed, same ops) scored against the 100k fit. */
  readonly synthetic: { readonly testRecords: number; readonly mdape: number; readonly p10Coverage: number; readonly p90Coverage: number };
}

function timing(): Timing {
  const fitRecords = 100_000;
  const records = syntheticRecords({ records: fitRecords, ops: 50, classes: 4, jobs: 20, seed: 1 });
  fitProfile(records.slice(0, 10_000), { fittedAt: FITTED_AT }); // warm-up (JIT)
  const fitMs: number[] = [];
  let profile: Profile | undefined;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    profile = fitProfile(records, { fittedAt: FITTED_AT });
    fitMs.push(performance.now() - started);
  }
  const { insertMs: storeInsertMs, fitMs: storeFitMs } = fitFromStore(records);
  const fresh = syntheticRecords({ records: 20_000, ops: 50, classes: 4, jobs: 20, seed: 2, opsSeed: 1 });
  const check = evaluateProfile(profile!, fresh, QUANTILES);
  const queries = predictQueries(records);
  const levels = [0.1, 0.5, 0.9, 0.95, 0.75, 0.3];
  let sink = 0;
  for (let i = 0; i < 200_000; i++) sink += predict(profile!, 'runtimeS', queries[i & 1023]!, levels[i % 6]!).value;
  const calls = 1_000_000;
  const started = performance.now();
  for (let i = 0; i < calls; i++) sink += predict(profile!, 'runtimeS', queries[i & 1023]!, levels[i % 6]!).value;
  const predictNsPerCall = ((performance.now() - started) * 1e6) / calls;
  if (!Number.isFinite(sink)) throw new Error('predict returned a non-finite value');
  return {
    fitRecords,
    fitMs,
    fitMedianMs: [...fitMs].sort((a, b) => a - b)[1]!,
    storeFitMs,
    storeInsertMs,
    predictCalls: calls,
    predictNsPerCall,
    synthetic: { testRecords: check.overall.n, mdape: check.overall.mdape, p10Coverage: check.overall.coverage[0]!, p90Coverage: check.overall.coverage[2]! },
  };
}

/**
 * Inserts the records into a fresh SQLite store in a temp folder, then fits streaming from it
 * three times: the first fit is what a fresh `apportion profile fit` process pays (cold JIT),
 * the median of the three what a long-lived embedder pays.
 */
function fitFromStore(records: readonly RunRecord[]): { insertMs: number; fitMs: number[] } {
  const folder = mkdtempSync(join(tmpdir(), 'apportion-bench-history-'));
  try {
    const store = openHistory(join(folder, 'history.sqlite'));
    const started = performance.now();
    store.insert(records);
    const insertMs = performance.now() - started;
    const fitMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const fitStarted = performance.now();
      fitProfile(store.records(), { fittedAt: FITTED_AT });
      fitMs.push(performance.now() - fitStarted);
    }
    store.close();
    return { insertMs, fitMs };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** 1024 queries: sized with a known class, sized without class, unknown class, missing size, unknown op. */
function predictQueries(records: readonly RunRecord[]): ProfileQuery[] {
  return Array.from({ length: 1024 }, (_, i) => {
    const query = queryOf(records[(i * 97) % records.length]!);
    switch (i % 8) {
      case 5:
        return { op: query.op, bytesIn: query.bytesIn, items: query.items };
      case 6:
        return { op: query.op, poolClass: 'class-unseen' };
      case 7:
        return { op: `unknown-${i}`, poolClass: query.poolClass, items: 10 };
      default:
        return query;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Report

function percent(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? '–' : `${(100 * value).toFixed(1)}%`;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      dev: { type: 'boolean', default: false },
      calibration: { type: 'string' },
      'residual-shrinkage': { type: 'string' },
      'class-shrinkage': { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const dev = values.dev === true;
  fitOptions = {
    fittedAt: FITTED_AT,
    ...(values.calibration === undefined ? {} : { calibration: values.calibration as 'cross' | 'split' }),
    ...(values['residual-shrinkage'] === undefined ? {} : { residualShrinkage: Number(values['residual-shrinkage']) }),
    ...(values['class-shrinkage'] === undefined ? {} : { classShrinkage: Number(values['class-shrinkage']) }),
    ...(values.seed === undefined ? {} : { seed: Number(values.seed) }),
  };
  const custom = Object.keys(fitOptions).length > 1;
  const wallStarted = performance.now();
  const machine = describeMachine();
  const date = new Date().toISOString();
  // Timing first, on a fresh heap, so what ran before cannot colour it.
  progress('profiler: timing');
  const times = timing();
  const specs = [...runCases(dev), ...(dev ? DEV_SIZE_CASES : SIZE_CASES)];
  const results: CaseResult[] = [];
  for (const spec of specs) {
    progress(`profiler: ${spec.id}`);
    results.push(runCase(spec));
  }
  const variants = VARIANTS.map((variant) => {
    progress(`profiler: variant ${variant.id}`);
    const saved = fitOptions;
    fitOptions = { ...fitOptions, ...variant.options };
    const variantResults = specs.map(runCase);
    fitOptions = saved;
    return {
      id: variant.id,
      geometricMeanMdape: geometricMean(variantResults.map((r) => r.profiler.overall.mdape).filter((v) => v > 0 && Number.isFinite(v))),
      pooled: pooledCoverage(variantResults),
      pooledRuns: pooledCoverage(variantResults.filter((r) => r.kind === 'runs')),
      pooledSizes: pooledCoverage(variantResults.filter((r) => r.kind === 'sizes')),
    };
  });
  progress('profiler: plans at P50 and P90 replayed on held-out runs');
  const replays = dev ? [] : riskReplays(fitOptions);

  const lines = reportHeader(`Task Profiler${dev ? ' (development splits)' : ''}`, `${COMMAND}${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`, date, machine);
  lines.push('', '## P50 error (MdAPE) and coverage per case', '');
  const header = ['case', 'train', 'test', 'profiler', 'running mean', 'last value', 'Dask EWMA', 'P10 cov', 'P90 cov', 'noise: prev run', 'noise: op CV', 'oracle', 'op shift', 'unseen ops'];
  const rows = results.map((r) => [
    r.id,
    String(r.trainRecords),
    String(r.testRecords),
    percent(r.profiler.overall.mdape),
    percent(r.runningMeanMdape),
    percent(r.lastValueMdape),
    percent(r.daskEwmaMdape),
    percent(r.profiler.overall.coverage[0]),
    percent(r.profiler.overall.coverage[2]),
    percent(r.noise?.previousRunMdape),
    percent(r.noise?.medianOpCv),
    percent(r.hindsight.oracleMdape),
    `×${r.hindsight.opShiftFactor.toFixed(2)}`,
    r.unseenOps.length === 0 ? '–' : r.unseenOps.join(', '),
  ]);
  lines.push(...markdownTable(header, rows, new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])));
  lines.push(
    '',
    'MdAPE columns: median |P50 − actual| / actual. P10/P90 cov: share of test records at or below the predicted quantile (calibrated: 10% / 90%).',
    'noise: prev run = MdAPE of predicting each task of the test run by the same task in the previous run; op CV = median over ops of the per-task coefficient of variation across all runs (repeated runs only).',
    'oracle = MdAPE of each test record against its op\'s median in the test set itself (hindsight, a floor for any per-op constant); op shift = median over ops of the factor between test and training medians.',
  );

  const gm = (pick: (r: CaseResult) => number): number | undefined => geometricMean(results.map(pick).filter((v) => v > 0 && Number.isFinite(v)));
  const summary = {
    geometricMeanMdape: {
      profiler: gm((r) => r.profiler.overall.mdape),
      runningMean: gm((r) => r.runningMeanMdape),
      lastValue: gm((r) => r.lastValueMdape),
      daskEwma: gm((r) => r.daskEwmaMdape),
    },
    pooled: pooledCoverage(results),
    pooledRuns: pooledCoverage(results.filter((r) => r.kind === 'runs')),
    pooledSizes: pooledCoverage(results.filter((r) => r.kind === 'sizes')),
    casesWithP90InTarget: results.filter((r) => inTarget(r.profiler.overall.coverage[2]!)).length,
  };
  lines.push('', '## Summary', '');
  lines.push(
    ...markdownTable(
      ['predictor', 'geometric mean MdAPE over cases'],
      [
        ['profiler (P50)', percent(summary.geometricMeanMdape.profiler)],
        ['running mean per op', percent(summary.geometricMeanMdape.runningMean)],
        ['last value per op', percent(summary.geometricMeanMdape.lastValue)],
        ['Dask EWMA (reference)', percent(summary.geometricMeanMdape.daskEwma)],
      ],
      new Set([1]),
    ),
  );
  lines.push(
    '',
    `P90 coverage pooled over all ${summary.pooled.n} test records: ${percent(summary.pooled.p90)} (P10: ${percent(summary.pooled.p10)}); repeated runs ${percent(summary.pooledRuns.p90)} (${summary.pooledRuns.n} records), across sizes ${percent(summary.pooledSizes.p90)} (${summary.pooledSizes.n} records)`,
    `P90 coverage per case within [85%, 95%]: ${summary.casesWithP90InTarget} of ${results.length} cases; mean over cases ${percent(results.reduce((s, r) => s + r.profiler.overall.coverage[2]!, 0) / results.length)}`,
  );
  lines.push('', '## Calibration variants (same cases)', '');
  const current = { id: `as run (${fitOptions.calibration ?? 'cross'})`, geometricMeanMdape: summary.geometricMeanMdape.profiler, pooled: summary.pooled, pooledRuns: summary.pooledRuns, pooledSizes: summary.pooledSizes };
  lines.push(
    ...markdownTable(
      ['variant', 'GM MdAPE', 'P90 cov pooled', 'P90 cov runs', 'P90 cov sizes', 'P10 cov pooled'],
      [current, ...variants].map((v) => [v.id, percent(v.geometricMeanMdape), percent(v.pooled.p90), percent(v.pooledRuns.p90), percent(v.pooledSizes.p90), percent(v.pooled.p10)]),
      new Set([1, 2, 3, 4, 5]),
    ),
  );
  lines.push('', '## Per op', '');
  const opRows: string[][] = [];
  for (const r of results) {
    for (const [op, e] of Object.entries(r.profiler.ops)) {
      const base = r.baselineOps[op];
      opRows.push([r.id, op + (e.unseen ? ' (unseen)' : ''), String(e.n), percent(e.mdape), percent(base?.mean), percent(base?.last), percent(e.coverage[0]), percent(e.coverage[2])]);
    }
  }
  lines.push(...markdownTable(['case', 'op', 'n', 'profiler', 'mean', 'last', 'P10 cov', 'P90 cov'], opRows, new Set([2, 3, 4, 5, 6, 7])));

  const targets = {
    p50BelowBaselines: (summary.geometricMeanMdape.profiler ?? Infinity) < Math.min(summary.geometricMeanMdape.runningMean ?? Infinity, summary.geometricMeanMdape.lastValue ?? Infinity),
    p90CoveragePooled: inTarget(summary.pooled.p90),
    fit: times.fitMedianMs <= TARGETS.fitMs && times.storeFitMs[0]! <= TARGETS.fitMs,
    predict: times.predictNsPerCall <= TARGETS.predictNs,
  };
  if (replays.length > 0) lines.push('', ...riskSection(replays));
  lines.push('', '## Timing', '');
  lines.push(
    `fitProfile on ${times.fitRecords} synthetic records: ${times.fitMs.map((ms) => ms.toFixed(0)).join(', ')} ms (median ${times.fitMedianMs.toFixed(0)} ms; target <= ${TARGETS.fitMs} ms)`,
    `fitProfile streamed from a SQLite history store of the same ${times.fitRecords} records: ${times.storeFitMs.map((ms) => ms.toFixed(0)).join(', ')} ms (first: a fresh process; inserting them: ${times.storeInsertMs.toFixed(0)} ms, one transaction)`,
    `predict: ${times.predictNsPerCall.toFixed(0)} ns per call over ${times.predictCalls} varied queries (target <= ${TARGETS.predictNs} ns)`,
    `synthetic held-out check (fresh jobs, same ops, ${times.synthetic.testRecords} records): MdAPE ${percent(times.synthetic.mdape)}, P10 coverage ${percent(times.synthetic.p10Coverage)}, P90 coverage ${percent(times.synthetic.p90Coverage)}`,
  );
  lines.push('', '## Targets', '');
  lines.push(
    `- P50 MdAPE below both baselines (geometric mean over cases): ${targets.p50BelowBaselines ? 'met' : 'NOT met'}`,
    `- P90 coverage in [85%, 95%] pooled over all test records: ${targets.p90CoveragePooled ? 'met' : 'NOT met'} (${percent(summary.pooled.p90)})`,
    `- fit 100k records <= 2 s: ${targets.fit ? 'met' : 'NOT met'} (${times.fitMedianMs.toFixed(0)} ms in memory, ${times.storeFitMs[0]!.toFixed(0)} ms streamed from SQLite in a fresh process)`,
    `- predict <= 2 µs: ${targets.predict ? 'met' : 'NOT met'} (${times.predictNsPerCall.toFixed(0)} ns)`,
  );
  const wallS = (performance.now() - wallStarted) / 1000;
  lines.push('', `bench wall time ${wallS.toFixed(1)} s`);
  process.stdout.write(`${lines.join('\n')}\n`);

  const raw = { command: COMMAND, dev, date, machine, wallS, fitOptions, targets: TARGETS, met: targets, summary, variants, replays, timing: times, cases: results };
  if (dev || custom) {
    progress(`profiler: ${results.length} cases in ${wallS.toFixed(1)} s (development or non-default options: not written)`);
    return;
  }
  const jsonPath = writeResult('profiler.json', `${JSON.stringify(raw, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1)}\n`);
  progress(`profiler: ${results.length} cases in ${wallS.toFixed(1)} s → ${jsonPath}`);
}

/** Per workflow and quantile: how many of the 4 leave-one-run-out plans held, and the median actual/planned makespan. */
function riskSection(replays: readonly Replay[]): string[] {
  const lines = ['## Plans at a quantile, replayed on the held-out run', ''];
  lines.push('Each run of each workflow is held out in turn; a profile fitted on the other three plans it (homogeneous pools, makespan objective) at P50 and at P90; the plan is replayed on the runtimes that run really had. Held = replayed makespan <= planned.', '');
  const workflows = [...new Set(replays.map((r) => r.workflow))];
  const rows = workflows.map((workflow) => [
    workflow,
    ...RISK_QUANTILES.flatMap((q) => {
      const mine = replays.filter((r) => r.workflow === workflow && r.quantile === q);
      const held = mine.filter((r) => r.actualMakespanS <= r.plannedMakespanS).length;
      return [`${held}/${mine.length}`, medianOf(mine.map((r) => r.actualMakespanS / r.plannedMakespanS)).toFixed(3)];
    }),
  ]);
  const total = RISK_QUANTILES.flatMap((q) => {
    const mine = replays.filter((r) => r.quantile === q);
    return [`${mine.filter((r) => r.actualMakespanS <= r.plannedMakespanS).length}/${mine.length}`, medianOf(mine.map((r) => r.actualMakespanS / r.plannedMakespanS)).toFixed(3)];
  });
  rows.push(['all', ...total]);
  lines.push(...markdownTable(['workflow', 'P50 plans held', 'P50 actual/planned', 'P90 plans held', 'P90 actual/planned'], rows, new Set([1, 2, 3, 4])));
  // The Monte Carlo makespan quantiles of the P50 plans, against the makespan each really had.
  const p50Plans = replays.filter((r) => r.quantile === 0.5);
  const covered = (pick: (r: Replay) => number): string => `${p50Plans.filter((r) => r.actualMakespanS <= pick(r)).length}/${p50Plans.length}`;
  lines.push('', 'Makespan quantiles of the P50 plans under the profile\'s spread (src/plan/risk.ts, 200 draws), against the replayed makespan:', '');
  const mcRows = workflows.map((workflow) => {
    const mine = p50Plans.filter((r) => r.workflow === workflow);
    return [workflow, `${mine.filter((r) => r.actualMakespanS <= r.simulatedP50S).length}/${mine.length}`, `${mine.filter((r) => r.actualMakespanS <= r.simulatedP90S).length}/${mine.length}`];
  });
  mcRows.push(['all', covered((r) => r.simulatedP50S), covered((r) => r.simulatedP90S)]);
  lines.push(...markdownTable(['workflow', 'actual <= simulated P50', 'actual <= simulated P90'], mcRows, new Set([1, 2])));
  return lines;
}

function inTarget(coverage: number): boolean {
  return coverage >= TARGETS.p90CoverageMin && coverage <= TARGETS.p90CoverageMax;
}

function pooledCoverage(results: readonly CaseResult[]): { n: number; p10: number; p90: number } {
  let n = 0;
  let p10 = 0;
  let p90 = 0;
  for (const r of results) {
    const cell = r.profiler.overall;
    n += cell.n;
    p10 += cell.coverage[0]! * cell.n;
    p90 += cell.coverage[2]! * cell.n;
  }
  return { n, p10: n === 0 ? NaN : p10 / n, p90: n === 0 ? NaN : p90 / n };
}

main();
