/**
 * fitSeries / forecastSeries: conformal P10–P90 covers about 80 % on synthetic noise, bands
 * are monotone in the horizon, gaps / constants / short series give warnings (never a crash),
 * bad input is an InputError with its path.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_MODEL, MODELS, fitSeries, forecastSeries } from '../../src/forecast/fit.js';
import { syntheticSeries } from '../../src/forecast/synthetic-series.js';
import type { Series } from '../../src/forecast/types.js';
import { InputError } from '../../src/model/issues.js';
import { seededRandom } from '../../src/util/random.js';

const STEP_S = 300;
const DAY = 288;

function noise(n: number, seed: number, sd = 5, level = 100): Series {
  const random = seededRandom(seed);
  const values = Float64Array.from({ length: n }, () => level + sd * Math.sqrt(-2 * Math.log(Math.max(random(), 1e-12))) * Math.cos(2 * Math.PI * random()));
  return { startS: 0, stepS: STEP_S, values };
}

test('the registry offers the default model and every model fits a two-week series', () => {
  assert.ok(DEFAULT_MODEL in MODELS);
  const { series } = syntheticSeries({ seed: 11, days: 14 });
  for (const model of Object.keys(MODELS)) {
    const fit = fitSeries(series, { model, horizonS: 6 * 3600 });
    assert.is(fit.model, model);
    assert.is(fit.point.length, 72);
    assert.ok(fit.point.every(Number.isFinite), model);
    assert.is(fit.startS, series.startS + series.values.length * STEP_S);
  }
});

test('P10–P90 covers about 80 % of fresh synthetic noise, and the band widens with the horizon', () => {
  let inside = 0;
  let total = 0;
  for (const seed of [1, 2, 3, 4]) {
    const series = noise(8 * DAY, seed);
    const history: Series = { ...series, values: series.values.subarray(0, 7 * DAY) };
    const forecast = forecastSeries(fitSeries(history, { model: 'seasonal-profile', horizonS: 86_400 }));
    for (let h = 0; h < DAY; h++) {
      const actual = series.values[7 * DAY + h]!;
      if (actual >= forecast.p10[h]! && actual <= forecast.p90[h]!) inside++;
      total++;
    }
    for (let h = 1; h < DAY; h++) {
      assert.ok(forecast.p90[h]! - forecast.p50[h]! >= forecast.p90[h - 1]! - forecast.p50[h - 1]! - 1e-9);
      assert.ok(forecast.p50[h]! - forecast.p10[h]! >= forecast.p50[h - 1]! - forecast.p10[h - 1]! - 1e-9);
    }
  }
  const coverage = inside / total;
  assert.ok(coverage > 0.72 && coverage < 0.88, `coverage ${coverage}`);
});

test('the ensemble forecasts a pure daily sine nearly exactly (its weights pick the seasonal candidates)', () => {
  const values = Float64Array.from({ length: 15 * DAY }, (_, i) => 50 + 10 * Math.sin((2 * Math.PI * i) / DAY));
  const fit = fitSeries({ startS: 0, stepS: STEP_S, values: values.subarray(0, 14 * DAY) }, { horizonS: 86_400 });
  assert.is(fit.model, DEFAULT_MODEL);
  let worst = 0;
  for (let h = 0; h < DAY; h++) worst = Math.max(worst, Math.abs(fit.point[h]! - values[14 * DAY + h]!));
  assert.ok(worst < 0.3, `worst error ${worst}`);
});

test('quantiles are ordered p10 ≤ p50 ≤ p90 and JSON round-trips the fit', () => {
  const { series } = syntheticSeries({ seed: 3, days: 10, levelShifts: 2, spikes: 10 });
  const fit = fitSeries(series, { horizonS: 86_400 });
  const again = forecastSeries(JSON.parse(JSON.stringify(fit)));
  const forecast = forecastSeries(fit);
  for (let h = 0; h < DAY; h++) {
    assert.ok(forecast.p10[h]! <= forecast.p50[h]! && forecast.p50[h]! <= forecast.p90[h]!);
    assert.is(again.p90[h], forecast.p90[h]);
  }
});

test('NaN gaps are filled with a warning; the forecast stays finite', () => {
  const { series } = syntheticSeries({ seed: 4, days: 9, missingFraction: 0.05 });
  const values = series.values.slice();
  values.fill(Number.NaN, values.length - 30); // the very end missing too
  const fit = fitSeries({ ...series, values }, { horizonS: 6 * 3600, path: 'spot.free' });
  assert.ok(fit.point.every(Number.isFinite));
  const gap = fit.warnings.find((w) => w.message.includes('missing value'));
  assert.ok(gap, JSON.stringify(fit.warnings));
  assert.is(gap.path, 'spot.free');
});

test('a constant series gives a flat forecast with a zero-width band', () => {
  const values = new Float64Array(10 * DAY).fill(8);
  for (const model of Object.keys(MODELS).filter((m) => m !== 'augurs-mstl')) {
    const forecast = forecastSeries(fitSeries({ startS: 0, stepS: STEP_S, values }, { model, horizonS: 3 * 3600 }));
    assert.ok(forecast.p50.every((v) => Math.abs(v - 8) < 1e-9), model);
    assert.ok(forecast.p90.every((v) => Math.abs(v - 8) < 1e-9) && forecast.p10.every((v) => Math.abs(v - 8) < 1e-9), model);
  }
});

test('shorter than a week: daily season only, with a warning naming the fallback', () => {
  const { series } = syntheticSeries({ seed: 5, days: 3 });
  const fit = fitSeries(series, { model: 'seasonal-profile', horizonS: 3600, path: 'telemetry[0].file' });
  assert.ok(fit.warnings.some((w) => w.path === 'telemetry[0].file' && w.message.includes('daily season only')), JSON.stringify(fit.warnings));
});

test('shorter than a day: level only, a warning naming it, and a band from the history spread when nothing can be calibrated', () => {
  const { series } = syntheticSeries({ seed: 6, days: 0.25 });
  for (const model of Object.keys(MODELS).filter((m) => m !== 'augurs-mstl')) {
    const fit = fitSeries(series, { model, horizonS: 3600 });
    assert.ok(fit.point.every(Number.isFinite), model);
    if (model !== 'decaying-histogram') assert.ok(fit.warnings.some((w) => w.message.includes('level only')), `${model}: ${JSON.stringify(fit.warnings)}`);
  }
  const tiny = fitSeries({ startS: 0, stepS: STEP_S, values: Float64Array.from([3, 4, 5]) }, { horizonS: 3600 });
  assert.ok(tiny.warnings.some((w) => w.message.includes('too short to calibrate')));
  assert.ok(tiny.point.every(Number.isFinite) && tiny.upperOffset.every((v) => v >= 0));
});

test('a long horizon on a short history carries the calibrated band and says so', () => {
  const { series } = syntheticSeries({ seed: 7, days: 2 });
  const fit = fitSeries(series, { model: 'seasonal-profile', horizonS: 2 * 86_400 });
  assert.is(fit.point.length, 2 * DAY);
  assert.ok(fit.warnings.some((w) => w.message.includes('carried flat beyond')), JSON.stringify(fit.warnings));
});

test('bad input is an InputError naming the path', () => {
  const good = noise(DAY, 1);
  const cases: [Series, number, string | undefined, string][] = [
    [{ ...good, values: new Float64Array(0) }, 3600, undefined, 'empty'],
    [{ ...good, values: new Float64Array(5).fill(Number.NaN) }, 3600, undefined, 'no finite value'],
    [{ ...good, stepS: 0 }, 3600, undefined, 'step'],
    [good, -5, undefined, 'horizon'],
    [good, 1e12, undefined, 'exceeds'],
    [good, 3600, 'prophet-ish', 'unknown forecast model'],
  ];
  for (const [series, horizonS, model, text] of cases) {
    try {
      fitSeries(series, { horizonS, path: 'pools.spot', ...(model === undefined ? {} : { model }) });
      assert.unreachable(text);
    } catch (error) {
      assert.instance(error, InputError);
      assert.ok((error as InputError).message.includes(text), (error as InputError).message);
      assert.is((error as InputError).issues[0]!.path[0], 'pools.spot');
    }
  }
});

test('infinite values and spikes do not blow up the forecast', () => {
  const { series } = syntheticSeries({ seed: 8, days: 8, spikes: 30, spikeSize: 50 });
  const values = series.values.slice();
  values[500] = Infinity;
  values[900] = -Infinity;
  const fit = fitSeries({ ...series, values }, { horizonS: 86_400 });
  assert.ok(fit.point.every((v) => Number.isFinite(v) && Math.abs(v) < 1e4));
  assert.ok(fit.warnings.some((w) => w.message.includes('infinite')));
});

test.run();
