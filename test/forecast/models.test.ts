/**
 * Series models on hand-checkable cases: seasonal naive repeats the lagged values, a pure
 * daily sine is forecast nearly exactly, a constant stays constant, short histories fall back
 * with the phrase naming the fallback, causal imputation never reads ahead.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decayingPercentiles } from '../../src/forecast/models/decaying-histogram.js';
import { imputeCausal } from '../../src/forecast/models/impute.js';
import { SERIES_MODELS } from '../../src/forecast/models/index.js';
import { NO_DAILY, NO_WEEKLY, contextFor } from '../../src/forecast/models/model.js';
import { seasonalNaiveDaily, seasonalNaiveWeekly } from '../../src/forecast/models/seasonal-naive.js';
import { forecastSeasonalProfile } from '../../src/forecast/models/seasonal-profile.js';
import { isotonicIncreasing } from '../../src/forecast/conformal.js';

const STEP_S = 300;
const DAY = 288;

function sine(n: number, amplitude = 10, level = 50): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => level + amplitude * Math.sin((2 * Math.PI * i) / DAY));
}

test('seasonal naive daily repeats the value one day earlier', () => {
  const x = Float64Array.from({ length: 3 * DAY }, (_, i) => (i * 7919) % 101);
  const context = contextFor(STEP_S, 2 * DAY);
  const { point } = seasonalNaiveDaily.forecast(x, context);
  for (const h of [0, 1, 100, DAY - 1, DAY, DAY + 5, 2 * DAY - 1]) assert.is(point[h], x[x.length - DAY + (h % DAY)]);
});

test('seasonal naive weekly repeats the value one week earlier, and falls back to daily on less than a week', () => {
  const x = Float64Array.from({ length: 8 * DAY }, (_, i) => Math.sqrt(i) + (i % 13));
  const context = contextFor(STEP_S, DAY);
  const weekly = seasonalNaiveWeekly.forecast(x, context);
  assert.is(weekly.point[10], x[x.length - 7 * DAY + 10]);
  assert.equal(weekly.fallbacks, []);
  const short = seasonalNaiveWeekly.forecast(x.subarray(0, 3 * DAY), context);
  assert.is(short.point[10], x[3 * DAY - DAY + 10]);
  assert.ok(short.fallbacks[0]!.startsWith(NO_WEEKLY));
});

test('a pure daily sine is forecast nearly exactly by the seasonal models', () => {
  const x = sine(14 * DAY);
  const truth = sine(15 * DAY).subarray(14 * DAY);
  const context = contextFor(STEP_S, DAY);
  for (const model of SERIES_MODELS.filter((m) => ['seasonal-profile', 'holt-winters', 'seasonal-naive-daily'].includes(m.id))) {
    const { point } = model.forecast(x, context);
    let worst = 0;
    for (let h = 0; h < DAY; h++) worst = Math.max(worst, Math.abs(point[h]! - truth[h]!));
    // Amplitude 10: within 3 % of it (the profile is lightly smoothed across neighbouring steps).
    assert.ok(worst < 0.3, `${model.id}: worst error ${worst}`);
  }
});

test('a constant series is forecast as that constant by every model except the WASM one', () => {
  const x = new Float64Array(10 * DAY).fill(42);
  const context = contextFor(STEP_S, DAY);
  for (const model of SERIES_MODELS.filter((m) => m.id !== 'augurs-mstl')) {
    const { point } = model.forecast(x, context);
    assert.ok(point.every((v) => Math.abs(v - 42) < 1e-9), model.id);
  }
});

test('the seasonal profile follows a linear trend and keeps the season', () => {
  const slopePerStep = 0.01;
  const full = Float64Array.from(sine(15 * DAY), (v, i) => v + slopePerStep * i);
  const x = full.subarray(0, 14 * DAY);
  const { point } = forecastSeasonalProfile(x, contextFor(STEP_S, DAY));
  for (const h of [0, 72, 144, 287]) assert.ok(Math.abs(point[h]! - full[14 * DAY + h]!) < 0.5, `h=${h}: ${point[h]} vs ${full[14 * DAY + h]}`);
});

test('an anomaly on one day does not move the robust daily profile', () => {
  const x = sine(14 * DAY);
  for (let i = 10 * DAY + 100; i < 10 * DAY + 110; i++) x[i] = 500;
  const { point } = forecastSeasonalProfile(x, contextFor(STEP_S, DAY));
  const truth = sine(15 * DAY).subarray(14 * DAY);
  assert.ok(Math.abs(point[100]! - truth[100]!) < 0.5, `${point[100]} vs ${truth[100]}`);
});

test('short histories fall back and say so: daily only under a week, level only under a day', () => {
  const context = contextFor(STEP_S, 24);
  for (const model of SERIES_MODELS.filter((m) => m.id !== 'augurs-mstl')) {
    const underDay = model.forecast(sine(100), context);
    assert.ok(underDay.point.every(Number.isFinite), model.id);
    if (model.id !== 'decaying-histogram') assert.ok(underDay.fallbacks.some((f) => f.startsWith(NO_DAILY) || f.startsWith('level only')), `${model.id}: ${underDay.fallbacks}`);
    const underWeek = model.forecast(sine(3 * DAY), context);
    assert.ok(underWeek.point.every(Number.isFinite), model.id);
  }
  assert.ok(forecastSeasonalProfile(sine(3 * DAY), context).fallbacks.includes(NO_WEEKLY));
  for (const n of [0, 1, 2]) assert.ok(forecastSeasonalProfile(sine(n), context).point.every(Number.isFinite), `n=${n}`);
});

test('causal imputation: filling a prefix equals the prefix of filling the whole', () => {
  const x = sine(3 * DAY);
  for (const i of [0, 1, 2, 50, 51, 52, 53, 300, 301, 700]) x[i] = Number.NaN;
  const whole = imputeCausal(x, DAY);
  assert.is(whole.filled, 10);
  assert.ok(whole.values.every(Number.isFinite));
  for (const cut of [4, 52, 301, 500, 800]) {
    const prefix = imputeCausal(x.subarray(0, cut), DAY);
    assert.equal(Array.from(prefix.values), Array.from(whole.values.subarray(0, cut)), `cut ${cut}`);
  }
  // A gap a day after a known stretch follows that day's change: on a pure sine, exactly.
  assert.ok(Math.abs(whole.values[300]! - sine(301)[300]!) < 1e-9);
});

test('decaying percentiles weight recent samples more (VPA-style half-life)', () => {
  // Two days at 10 then one day at 20: with a 24 h half-life the recent day carries ~4/7 of the weight.
  const x = Float64Array.from({ length: 3 * DAY }, (_, i) => (i < 2 * DAY ? 10 : 20));
  const [p10, p50, p90] = decayingPercentiles(x, STEP_S, [0.1, 0.5, 0.9], { halfLifeS: 86_400 });
  assert.ok(p10! < 11 && p50! > 19 && p90! > 19, `${p10} ${p50} ${p90}`);
  const [flat] = decayingPercentiles(x, STEP_S, [0.5], { halfLifeS: 1e12 });
  assert.ok(flat! < 11, `no decay: median of two thirds at 10 → ${flat}`);
});

test('isotonic regression is non-decreasing and keeps the mean', () => {
  const out = isotonicIncreasing(Float64Array.from([1, 3, 2, 2, 5, 4]));
  for (let i = 1; i < out.length; i++) assert.ok(out[i]! >= out[i - 1]!);
  assert.ok(Math.abs(out.reduce((a, b) => a + b, 0) - 17) < 1e-9);
  assert.equal(Array.from(out), [1, 7 / 3, 7 / 3, 7 / 3, 4.5, 4.5]);
});

test.run();
