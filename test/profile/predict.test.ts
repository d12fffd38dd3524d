/**
 * predict / chunkLaw / opSummaries: partial queries get provisional, wider answers (never NaN
 * or 0), quantiles are monotone in q, chunkLaw agrees with predict, a profile survives a JSON
 * round trip, and queries beyond the observed sizes get wider intervals around the same median.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { wfformatRecords } from '../../src/history/wfformat-records.js';
import { fitProfile } from '../../src/profile/fit.js';
import { lawValue } from '../../src/profile/law.js';
import { chunkLaw, hasMetric, opSummaries, predict } from '../../src/profile/predict.js';
import { readProfile } from '../../src/profile/read.js';
import { EXTRAPOLATION_EXPONENT_SPREAD, type Metric, type Profile, type ProfileQuery } from '../../src/profile/types.js';
import { lawRecords, record } from './helpers.js';

const FITTED_AT = '2026-01-01T00:00:00.000Z';
const INSTANCES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/wfinstances');
const test = suite('predict');

function profileOf(): Profile {
  const sized = lawRecords({ op: 'sized', constant: 1, linear: 0.01, minItems: 10, maxItems: 10_000, sigma: 0.15, count: 600, jobs: 4 }, 31);
  const flat = lawRecords({ op: 'flat', constant: 4, linear: 0, minItems: 50, maxItems: 50, sigma: 0.1, count: 80, jobs: 4 }, 32);
  const classed = lawRecords({ op: 'sized', constant: 1, linear: 0.01, minItems: 10, maxItems: 10_000, sigma: 0.15, count: 60, jobs: 4, poolClass: 'class-b' }, 33).map((r) => ({ ...r, runtimeS: r.runtimeS * 2 }));
  return fitProfile([...sized, ...flat, ...classed, record({ op: 'once', runtimeS: 0 })], { fittedAt: FITTED_AT });
}

const profile = profileOf();
const QUERIES: readonly ProfileQuery[] = [
  { op: 'sized', items: 500 },
  { op: 'sized', items: 500, poolClass: 'class-b' },
  { op: 'sized', items: 500, poolClass: 'never-seen' },
  { op: 'sized', items: 0 },
  { op: 'sized', items: 1e7 },
  { op: 'sized' },
  { op: 'sized', bytesIn: 500 },
  { op: 'flat' },
  { op: 'once' },
  { op: 'unknown-op', items: 3 },
];

function ratio(query: ProfileQuery): number {
  return predict(profile, 'runtimeS', query, 0.9).value / predict(profile, 'runtimeS', query, 0.1).value;
}

test('a sized query answers from the law; a seen class from (op, class)', () => {
  const plain = predict(profile, 'runtimeS', { op: 'sized', items: 500 }, 0.5);
  assert.equal([plain.source, plain.provisional], ['op', false]);
  assert.ok(Math.abs(plain.value - 6) < 0.6, `P50 ${plain.value}, law 1 + 0.01·500 = 6`);
  const classed = predict(profile, 'runtimeS', { op: 'sized', items: 500, poolClass: 'class-b' }, 0.5);
  assert.equal([classed.source, classed.n, classed.provisional], ['op-class', 60, false]);
  assert.ok(classed.value > plain.value * 1.3, `class-b runs twice as long: ${classed.value} vs ${plain.value}`);
  const unseen = predict(profile, 'runtimeS', { op: 'sized', items: 500, poolClass: 'never-seen' }, 0.5);
  assert.equal([unseen.source, unseen.provisional], ['op', false]);
});

test('missing size → op prior, provisional, wider; unknown op → global, provisional, wider still', () => {
  const missing = predict(profile, 'runtimeS', { op: 'sized' }, 0.5);
  assert.equal([missing.source, missing.provisional, missing.n], ['op', true, 660]);
  assert.ok(ratio({ op: 'sized' }) > ratio({ op: 'sized', items: 500 }), 'the prior is wider than the law');
  assert.ok(predict(profile, 'runtimeS', { op: 'sized', bytesIn: 500 }, 0.5).provisional, 'bytes do not stand in for items');
  const unknown = predict(profile, 'runtimeS', { op: 'unknown-op', items: 3 }, 0.5);
  assert.equal([unknown.source, unknown.provisional], ['global', true]);
  assert.ok(ratio({ op: 'unknown-op' }) > ratio({ op: 'flat' }), 'the global prior is wider than an op');
  // The law needs no size: not provisional without one.
  assert.is(predict(profile, 'runtimeS', { op: 'flat' }, 0.5).provisional, false);
});

test('never NaN, never zero, monotone in q, for every kind of query and metric', () => {
  const levels = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.37, 0.5, 0.63, 0.8, 0.9, 0.95, 0.99, 0.999];
  const metrics: Metric[] = ['runtimeS', 'cpuS', 'peakMemBytes'];
  for (const metric of metrics) {
    for (const query of QUERIES) {
      let previous = 0;
      for (const q of levels) {
        const { value, n } = predict(profile, metric, query, q);
        const where = `${metric} ${JSON.stringify(query)} q=${q}`;
        assert.ok(Number.isFinite(value) && value > 0, `${where}: ${value}`);
        assert.ok(value >= previous, `${where}: ${value} < ${previous}`);
        assert.ok(Number.isInteger(n) && n >= 0, `${where}: n ${n}`);
        previous = value;
      }
    }
  }
  assert.is(hasMetric(profile, 'peakMemBytes'), false);
  assert.equal(predict(profile, 'peakMemBytes', { op: 'sized', items: 5 }, 0.9), { value: 1, source: 'global', n: 0, provisional: true }, 'no data: the floor, n = 0, flagged');
  assert.throws(() => predict(profile, 'runtimeS', { op: 'sized' }, 1), RangeError);
  assert.throws(() => predict(profile, 'runtimeS', { op: 'sized' }, Number.NaN), RangeError);
});

test('beyond the observed sizes: same median; wider only when the profile asks for it', () => {
  const records = lawRecords({ op: 'sized', constant: 1, linear: 0.01, minItems: 10, maxItems: 10_000, sigma: 0.15, count: 200, jobs: 4 }, 34);
  const plain = fitProfile(records, { fittedAt: FITTED_AT });
  const widened = fitProfile(records, { fittedAt: FITTED_AT, extrapolationExponentSpread: EXTRAPOLATION_EXPONENT_SPREAD });
  const at = (p: Profile, items: number, q: number): number => predict(p, 'runtimeS', { op: 'sized', items }, q).value;
  const law = widened.ops.sized!.metrics.runtimeS!.law;
  assert.ok(Math.abs(at(widened, 1_000_000, 0.5) / at(widened, 10_000, 0.5) - lawValue(law, 1_000_000) / lawValue(law, 10_000)) < 1e-9, 'the median follows the law');
  const spread = (p: Profile, items: number): number => at(p, items, 0.9) / at(p, items, 0.1);
  assert.ok(spread(widened, 1_000_000) > spread(widened, 10_000) * 2, `P90/P10 ${spread(widened, 1_000_000)} vs ${spread(widened, 10_000)}`);
  assert.ok(Math.abs(spread(plain, 1_000_000) - spread(plain, 10_000)) < 1e-9, 'the default does not widen');
  assert.is(at(widened, 5000, 0.9), at(plain, 5000, 0.9), 'inside the range the setting changes nothing');
});

test('chunkLaw: factor · law(k) is predict at k, for any chunk inside the observed sizes', () => {
  for (const q of [0.1, 0.5, 0.9]) {
    for (const poolClass of [undefined, 'class-b']) {
      const chunk = chunkLaw(profile, 'sized', q, poolClass);
      assert.equal([chunk.provisional, chunk.observedSize?.by], [false, 'items']);
      for (const k of [10, 333, 9000]) {
        const expected = predict(profile, 'runtimeS', { op: 'sized', items: k, poolClass }, q).value;
        const actual = chunk.factor * (chunk.law.constant + chunk.law.linear * k + chunk.law.nLogN * k * Math.log2(k));
        assert.ok(Math.abs(actual - expected) <= 1e-9 * expected, `q=${q} class=${poolClass} k=${k}: ${actual} vs ${expected}`);
      }
    }
  }
  const unknown = chunkLaw(profile, 'nope', 0.9);
  assert.equal([unknown.source, unknown.provisional, unknown.law.sizeBy], ['global', true, 'none']);
  assert.ok(unknown.factor > 1 && Number.isFinite(unknown.law.constant) && unknown.law.constant > 0);
  assert.ok(chunkLaw(profile, 'flat', 0.5).law.sizeBy === 'none');
});

test('JSON round trip: the same answers after JSON.parse(JSON.stringify(profile)) and readProfile', () => {
  const copy = JSON.parse(JSON.stringify(profile)) as Profile;
  const read = readProfile(JSON.parse(JSON.stringify(profile)) as unknown, 'profile.json');
  assert.equal(JSON.parse(JSON.stringify(read)), copy);
  for (const query of QUERIES) {
    for (const q of [0.05, 0.1, 0.5, 0.77, 0.9, 0.99]) {
      const original = predict(profile, 'runtimeS', query, q);
      assert.equal(predict(copy, 'runtimeS', query, q), original, `${JSON.stringify(query)} q=${q}`);
      assert.equal(predict(read, 'runtimeS', query, q), original);
    }
  }
});

test('opSummaries: per op, P10 <= P50 <= P90 at the typical size', () => {
  const summaries = opSummaries(profile);
  assert.equal(summaries.map((s) => s.op), ['flat', 'once', 'sized']);
  const sized = summaries.find((s) => s.op === 'sized')!;
  assert.is(sized.n, 660);
  assert.equal(sized.classes.map((c) => c.poolClass), ['class-a', 'class-b']);
  assert.ok(sized.typicalSize !== null && sized.typicalSize > 10 && sized.typicalSize < 10_000);
  for (const s of summaries) assert.ok(s.p10! <= s.p50! && s.p50! <= s.p90!, `${s.op}: ${s.p10} ${s.p50} ${s.p90}`);
});

test('a real trace: blast small runs 001–003 predict run 004 without a crash', () => {
  const runs = ['001', '002', '003', '004'].map((run) => {
    const path = resolve(INSTANCES, `makeflow/blast/blast-chameleon-small-${run}.json`);
    return wfformatRecords(JSON.parse(readFileSync(path, 'utf8')) as unknown, path);
  });
  const fitted = fitProfile(runs.slice(0, 3).flat(), { fittedAt: FITTED_AT });
  assert.is(fitted.calibration.opsByJob, 4);
  for (const r of runs[3]!) {
    const p = predict(fitted, 'runtimeS', { op: r.op, poolClass: r.poolClass, bytesIn: r.bytesIn }, 0.9);
    assert.ok(Number.isFinite(p.value) && p.value > 0);
  }
  for (const metric of ['cpuS', 'peakMemBytes', 'readBytes'] as const) assert.ok(hasMetric(fitted, metric), metric);
});

test.run();
