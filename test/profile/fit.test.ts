/**
 * fitProfile: recovers a known law, falls back to a constant or proportional law with few
 * distinct sizes, reads the records once, counts only succeeded runs, calibrates P10/P90 on
 * fresh data from the same distribution, and shrinks a thin pool class toward its op.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunRecord } from '../../src/history/record.js';
import { evaluateProfile } from '../../src/profile/evaluate.js';
import { fitProfile } from '../../src/profile/fit.js';
import { predict } from '../../src/profile/predict.js';
import { conformalRank } from '../../src/profile/quantiles.js';
import { syntheticRecords } from '../../src/profile/synthetic.js';
import { lawRecords, record } from './helpers.js';

const FITTED_AT = '2026-01-01T00:00:00.000Z';
const test = suite('fitProfile');

function within(actual: number, expected: number, relative: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= relative * Math.abs(expected), `${what}: ${actual}, expected ${expected} ±${relative * 100}%`);
}

test('recovers 2 s + 0.001 s·n from lognormal noise (sigma 0.1)', () => {
  const seed = 11;
  console.log(`  [law recovery] seed ${seed}`);
  const records = lawRecords({ op: 'work', constant: 2, linear: 0.001, minItems: 10, maxItems: 200_000, sigma: 0.1, count: 4000, jobs: 8 }, seed);
  const profile = fitProfile(records, { fittedAt: FITTED_AT });
  const law = profile.ops.work!.metrics.runtimeS!.law;
  assert.is(law.sizeBy, 'items');
  within(law.constant, 2, 0.05, 'constant');
  within(law.linear, 0.001, 0.03, 'linear');
  // An n·log2 n term, if any, contributes under 3% at the largest size.
  assert.ok(law.nLogN * 200_000 * Math.log2(200_000) < 0.03 * 0.001 * 200_000, `nLogN ${law.nLogN}`);
  const p50 = predict(profile, 'runtimeS', { op: 'work', items: 50_000 }, 0.5).value;
  within(p50, 2 + 50, 0.03, 'P50 at 50,000 items');
});

test('sizes that do not vary give a constant; two distinct sizes at most one term', () => {
  const flat = lawRecords({ op: 'flat', constant: 5, linear: 0.01, minItems: 100, maxItems: 110, sigma: 0.05, count: 50 }, 3);
  const two = [...Array(40).keys()].map((i) => record({ op: 'two', stageId: `t${i}`, items: i % 2 === 0 ? 100 : 1000, runtimeS: (i % 2 === 0 ? 1 : 10) * (1 + 0.01 * (i % 5)) }));
  const noSize = [...Array(10).keys()].map((i) => record({ op: 'nosize', stageId: `n${i}`, runtimeS: 3 + i * 0.01 }));
  const profile = fitProfile([...flat, ...two, ...noSize], { fittedAt: FITTED_AT });
  assert.is(profile.ops.flat!.sizeBy, 'none', 'items spanning 10% are not a size');
  assert.is(profile.ops.flat!.metrics.runtimeS!.law.sizeBy, 'none');
  assert.equal(profile.ops.flat!.observedSize?.by, 'items', 'the observed range is kept for extrapolation');
  const twoLaw = profile.ops.two!.metrics.runtimeS!.law;
  assert.is(twoLaw.nLogN, 0, 'no n·log2 n term from two sizes');
  assert.ok(twoLaw.constant === 0 || twoLaw.linear === 0, `one term only: ${JSON.stringify(twoLaw)}`);
  within(twoLaw.linear, 0.01, 0.05, 'proportional: 1 s per 100 items');
  assert.is(profile.ops.nosize!.sizeBy, 'none');
  assert.is(profile.ops.nosize!.observedSize, null);
});

test('one pass over the records; failed attempts are counted, not fitted', () => {
  let passes = 0;
  const base = [
    ...lawRecords({ op: 'a', constant: 1, linear: 0, minItems: 1, maxItems: 1, sigma: 0.1, count: 20 }, 5),
    record({ op: 'a', runtimeS: 1000, outcome: 'failed' }),
    record({ op: 'b', runtimeS: 7, outcome: 'interrupted' }),
  ];
  const stream: Iterable<RunRecord> = {
    *[Symbol.iterator]() {
      passes++;
      yield* base;
    },
  };
  const profile = fitProfile(stream, { fittedAt: FITTED_AT });
  assert.is(passes, 1);
  assert.is(profile.records, 22);
  assert.is(profile.ops.a!.n, 20);
  assert.is(profile.ops.a!.failed, 1);
  assert.ok(predict(profile, 'runtimeS', { op: 'a' }, 0.9).value < 10, 'the failed 1000 s run is not in the law');
  assert.is(profile.ops.b!.n, 0);
  assert.is(profile.ops.b!.metrics.runtimeS, undefined);
  const onlyFailed = predict(profile, 'runtimeS', { op: 'b' }, 0.5);
  assert.is(onlyFailed.source, 'global', 'an op with no succeeded run answers from the global prior');
});

test('conformal rank: ceil((n+1)q) above the median, floor below, flagged when off the sample', () => {
  assert.equal(conformalRank(9, 0.9), { rank: 9, inRange: true });
  assert.equal(conformalRank(19, 0.9), { rank: 18, inRange: true });
  assert.equal(conformalRank(9, 0.1), { rank: 1, inRange: true });
  assert.equal(conformalRank(5, 0.9), { rank: 5, inRange: false });
  assert.equal(conformalRank(5, 0.1), { rank: 1, inRange: false });
});

test('P10 and P90 are calibrated on fresh runs from the same distribution', () => {
  const seed = 21;
  console.log(`  [calibration] seed ${seed}, fresh seed ${seed + 1}`);
  const train = syntheticRecords({ records: 30_000, ops: 20, classes: 3, jobs: 15, seed, opsSeed: seed });
  const fresh = syntheticRecords({ records: 20_000, ops: 20, classes: 3, jobs: 30, seed: seed + 1, opsSeed: seed });
  const profile = fitProfile(train, { fittedAt: FITTED_AT });
  const { overall } = evaluateProfile(profile, fresh, [0.1, 0.5, 0.9]);
  const [p10, p50, p90] = overall.coverage as [number, number, number];
  assert.ok(p90 >= 0.85 && p90 <= 0.95, `P90 coverage ${p90}`);
  assert.ok(p10 >= 0.05 && p10 <= 0.15, `P10 coverage ${p10}`);
  assert.ok(p50 >= 0.4 && p50 <= 0.6, `P50 coverage ${p50}`);
});

test('a pool class with one record lands between its record and the op estimate', () => {
  const many = lawRecords({ op: 'job', constant: 10, linear: 0, minItems: 1, maxItems: 1, sigma: 0.05, count: 60, jobs: 3, poolClass: 'big' }, 8);
  const one = record({ op: 'job', jobId: 'job-8-0', poolClass: 'small', runtimeS: 20 });
  const profile = fitProfile([...many, one], { fittedAt: FITTED_AT });
  const opLevel = predict(profile, 'runtimeS', { op: 'job' }, 0.5);
  const big = predict(profile, 'runtimeS', { op: 'job', poolClass: 'big' }, 0.5);
  const small = predict(profile, 'runtimeS', { op: 'job', poolClass: 'small' }, 0.5);
  assert.is(small.source, 'op-class');
  assert.is(small.n, 1);
  assert.ok(small.value > opLevel.value && small.value < 20, `small class P50 ${small.value} between op ${opLevel.value} and its record 20`);
  assert.ok(Math.abs(big.value - opLevel.value) < 0.05 * opLevel.value, 'the big class is the op');
  // k = 5: a single record moves the class 1/6 of the way in log space.
  const shift = profile.ops.job!.metrics.runtimeS!.classes.small!.logShift;
  assert.ok(shift > 0 && shift < Math.log(20 / 10) / 2, `log shift ${shift}`);
});

test('calibration split and settings are deterministic for a seed', () => {
  const records = syntheticRecords({ records: 3000, ops: 6, classes: 2, jobs: 5, seed: 4 });
  const a = JSON.stringify(fitProfile(records, { fittedAt: FITTED_AT, seed: 9 }));
  const b = JSON.stringify(fitProfile([...records], { fittedAt: FITTED_AT, seed: 9 }));
  assert.is(a, b);
  const split = fitProfile(records, { fittedAt: FITTED_AT, calibration: 'split', refit: false });
  assert.is(split.settings.calibration, 'split');
  assert.is(split.settings.refit, false);
  assert.throws(() => fitProfile(records, { calibrationShare: 1.5 }), /calibrationShare/);
});

test('an op seen in one job gets the between-job spread; an empty history still fits', () => {
  const single = lawRecords({ op: 'one', constant: 3, linear: 0, minItems: 1, maxItems: 1, sigma: 0.02, count: 40 }, 2);
  const profile = fitProfile(single, { fittedAt: FITTED_AT });
  assert.is(profile.calibration.jobShiftSource, 'default');
  const p90 = predict(profile, 'runtimeS', { op: 'one' }, 0.9).value;
  const p50 = predict(profile, 'runtimeS', { op: 'one' }, 0.5).value;
  // sigma 0.02 within the job, plus the default 0.3 between jobs: P90/P50 ≈ e^(1.28·0.3) ≈ 1.47.
  assert.ok(p90 / p50 > 1.3, `P90/P50 ${p90 / p50}`);
  const empty = fitProfile([], { fittedAt: FITTED_AT });
  assert.is(empty.records, 0);
  assert.equal(Object.keys(empty.ops), []);
});

test.run();
