/** evaluateProfile, the baselines and renderProfile on small hand-checked inputs. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { baselines, evaluatePoint, evaluateProfile, medianOf } from '../../src/profile/evaluate.js';
import { fitProfile } from '../../src/profile/fit.js';
import { predict } from '../../src/profile/predict.js';
import { formatLaw, renderProfile } from '../../src/render/profile.js';
import { lawRecords, record } from './helpers.js';

const test = suite('evaluate and render');

test('baselines: running mean, last value and Dask EWMA per op, the overall mean for unseen ops', () => {
  const train = [
    record({ op: 'a', runtimeS: 1 }),
    record({ op: 'a', runtimeS: 3 }),
    record({ op: 'b', runtimeS: 10 }),
    record({ op: 'a', runtimeS: 8 }),
    record({ op: 'a', runtimeS: 100, outcome: 'failed' }),
  ];
  const base = baselines(train);
  const a = record({ op: 'a', runtimeS: 0 });
  assert.is(base.runningMean(a), 4);
  assert.is(base.lastValue(a), 8);
  assert.is(base.daskEwma(a), 0.5 * 8 + 0.5 * (0.5 * 3 + 0.5 * 1));
  assert.is(base.runningMean(record({ op: 'z', runtimeS: 0 })), 22 / 4, 'unseen op: mean of every succeeded record');
  const evaluation = evaluatePoint(base.runningMean, [record({ op: 'a', runtimeS: 5 }), record({ op: 'a', runtimeS: 2 }), record({ op: 'b', runtimeS: 20 })]);
  assert.is(evaluation.n, 3);
  assert.is(evaluation.mdape, 0.5, 'errors 0.2, 1.0, 0.5');
  assert.equal(evaluation.ops.a, { n: 2, mdape: 0.6 });
  assert.ok(Number.isNaN(medianOf([])), 'no records: NaN, not a perfect 0');
});

test('evaluateProfile: MdAPE of the P50 and coverage = share of actual <= the predicted quantile', () => {
  const train = lawRecords({ op: 'w', constant: 2, linear: 0, minItems: 1, maxItems: 1, sigma: 0.2, count: 200, jobs: 5 }, 51);
  const profile = fitProfile(train, { fittedAt: '2026-01-01T00:00:00.000Z' });
  const p10 = predict(profile, 'runtimeS', { op: 'w' }, 0.1).value;
  const p50 = predict(profile, 'runtimeS', { op: 'w' }, 0.5).value;
  const p90 = predict(profile, 'runtimeS', { op: 'w' }, 0.9).value;
  const test = [p10 * 0.5, p50 * 1.1, p90 * 2, p90 * 0.99].map((runtimeS, i) => record({ op: 'w', stageId: `t${i}`, runtimeS, items: 1 }));
  const unseen = record({ op: 'new', runtimeS: 1 });
  const evaluation = evaluateProfile(profile, [...test, unseen]);
  assert.equal(evaluation.quantiles, [0.1, 0.5, 0.9]);
  // 0.5·P10 is under all three; 1.1·P50 under P90 only; 2·P90 under none; 0.99·P90 under P90.
  assert.equal(evaluation.ops.w!.coverage, [0.25, 0.25, 0.75]);
  assert.is(evaluation.ops.w!.unseen, false);
  assert.is(evaluation.ops.new!.unseen, true);
  assert.is(evaluation.ops.new!.provisionalShare, 1);
  assert.is(evaluation.overall.n, 5);
  const errors = test.map((r) => Math.abs(p50 - r.runtimeS) / r.runtimeS).sort((x, y) => x - y);
  assert.ok(Math.abs(evaluation.ops.w!.mdape - (errors[1]! + errors[2]!) / 2) < 1e-12);
});

test('renderProfile: a line per op with its law, quantiles and classes', () => {
  assert.is(formatLaw({ sizeBy: 'bytesIn', constant: 0.8, linear: 2.1e-7, nLogN: 0 }), '0.8 s + 2.1e-7 s/B·n');
  assert.is(formatLaw({ sizeBy: 'items', constant: 0, linear: 0.01, nLogN: 3e-5 }), '0.01 s/item·n + 3.0e-5 s/item·n·log2 n');
  assert.is(formatLaw({ sizeBy: 'none', constant: 12, linear: 0, nLogN: 0 }), '12 s');
  const profile = fitProfile(lawRecords({ op: 'blastall', constant: 1, linear: 0.01, minItems: 10, maxItems: 5000, sigma: 0.1, count: 90, jobs: 3 }, 52), { fittedAt: '2026-01-01T00:00:00.000Z' });
  const text = renderProfile(profile);
  const line = text.split('\n').find((l) => l.startsWith('blastall'));
  assert.ok(line !== undefined, text);
  assert.match(line!, /blastall\s+90\s+0\s+1\.?\d* s \+ 0\.01 s\/item·n/);
  assert.match(line!, /class-a \(90\)$/);
  assert.match(text, /cross-conformal on held-out jobs/);
  assert.match(line!, /\s–\s+class-a/, 'no memory recorded: no memory column value');
});

test('renderProfile: peak memory P90 from the records that have it', () => {
  const records = Array.from({ length: 40 }, (_, i) => record({ op: 'sort', runtimeS: 5, jobId: `job${i % 4}`, stageId: `s${i}`, peakMemBytes: (1 + (i % 10) / 100) * 2e9 }));
  const line = renderProfile(fitProfile(records, { fittedAt: '2026-01-01T00:00:00.000Z' })).split('\n').find((l) => l.startsWith('sort'))!;
  const memory = /\s(2\.\d+) GB\s/.exec(line);
  assert.ok(memory !== null, line);
  assert.ok(Number(memory![1]) >= 2.0 && Number(memory![1]) <= 2.4, line);
});

test.run();
