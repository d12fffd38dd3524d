/** The synthetic generator: seeded, the structure it promises (season, weekend, trend, gaps). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { forecastAugursMstl } from '../../src/forecast/models/augurs-mstl.js';
import { contextFor } from '../../src/forecast/models/model.js';
import { syntheticSeries } from '../../src/forecast/synthetic-series.js';

test('same seed, same series; another seed, another noise', () => {
  const a = syntheticSeries({ seed: 9, days: 2 }).series.values;
  const b = syntheticSeries({ seed: 9, days: 2 }).series.values;
  const c = syntheticSeries({ seed: 10, days: 2 }).series.values;
  assert.equal(Array.from(a), Array.from(b));
  assert.not.equal(Array.from(a), Array.from(c));
});

test('truth carries the daily shape, quieter weekends and the trend; noise and gaps on top', () => {
  const { series, truth } = syntheticSeries({ seed: 1, days: 14, noiseSd: 0, trendPerDay: 2, weekendDrop: 10, missingFraction: 0.02 });
  const day = 288;
  // Same time of day, one weekday apart: the trend only.
  assert.ok(Math.abs(truth[day + 100]! - truth[100]! - 2) < 1e-9);
  // Saturday (day 5, the start is a Monday) against Friday: −10 + trend.
  assert.ok(Math.abs(truth[5 * day + 100]! - truth[4 * day + 100]! - (2 - 10)) < 1e-9);
  const missing = series.values.filter(Number.isNaN).length;
  assert.is(missing, Math.round(0.02 * 14 * day));
});

test('the augurs MSTL adapter forecasts a seasonal series close to its truth', () => {
  const { series, truth } = syntheticSeries({ seed: 2, days: 15, noiseSd: 1 });
  const n = 14 * 288;
  const { point } = forecastAugursMstl(series.values.subarray(0, n), contextFor(300, 288));
  let sum = 0;
  for (let h = 0; h < 288; h++) sum += Math.abs(point[h]! - truth[n + h]!);
  assert.ok(sum / 288 < 4, `MAE ${sum / 288} against a daily amplitude of 20`);
});

test.run();
