/**
 * backtest: no peeking (data after an origin does not change that origin's forecast), the
 * seasonal-naive baselines score as their definitions say, parseHorizon reads what the CLI
 * is given and rejects the rest.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { calibrateAndForecast, prepareSeries } from '../../src/forecast/calibrate.js';
import { backtest, formatHorizon, parseHorizon } from '../../src/forecast/backtest.js';
import { fitSeries } from '../../src/forecast/fit.js';
import { seriesModel } from '../../src/forecast/models/index.js';
import { syntheticSeries } from '../../src/forecast/synthetic-series.js';
import { InputError } from '../../src/model/issues.js';

const HORIZONS_S = [3600, 6 * 3600, 86_400];

test('no peeking: a fit at an origin is the same whatever comes after it', () => {
  const { series } = syntheticSeries({ seed: 21, days: 10, levelShifts: 2, missingFraction: 0.02 });
  const origin = 8 * 288; // an hour boundary
  const altered = series.values.slice();
  for (let i = origin; i < altered.length; i++) altered[i] = i % 2 === 0 ? Number.NaN : 1e6 * Math.sin(i);
  for (const id of ['seasonal-ensemble', 'seasonal-profile', 'holt-winters', 'decaying-histogram']) {
    const model = seriesModel(id)!;
    const a = prepareSeries(series, 86_400, 's');
    const b = prepareSeries({ ...series, values: altered }, 86_400, 's');
    const fitA = calibrateAndForecast(a, origin, model, new Map(), 's');
    const fitB = calibrateAndForecast(b, origin, model, new Map(), 's');
    assert.equal(fitA.point, fitB.point, id);
    assert.equal(fitA.lowerOffset, fitB.lowerOffset, id);
    assert.equal(fitA.upperOffset, fitB.upperOffset, id);
    // And it is what fitSeries gives on the series cut at the origin (the backtest fits what a user would).
    const cut = fitSeries({ ...series, values: series.values.subarray(0, origin) }, { model: id, horizonS: 86_400 });
    assert.equal(cut.point, fitA.point, id);
    assert.equal(cut.upperOffset, fitA.upperOffset, id);
  }
});

test('rows per model × horizon; daily seasonal naive scores as its own baseline and MASE near 1 on a stationary seasonal series', () => {
  const { series } = syntheticSeries({ seed: 23, days: 14, weekendDrop: 0 });
  const rows = backtest(series, { horizonsS: HORIZONS_S, labels: ['1h', '6h', '24h'], models: ['seasonal-naive-daily', 'seasonal-profile'] });
  assert.is(rows.length, 6);
  assert.equal(rows.map((r) => r.horizon), ['1h', '6h', '24h', '1h', '6h', '24h']);
  for (const row of rows.filter((r) => r.model === 'seasonal-naive-daily')) {
    assert.ok(Math.abs(row.mae - row.maeSeasonalNaiveDaily) < 1e-9);
    assert.ok(Math.abs(row.relMae - row.mae / Math.min(row.maeSeasonalNaiveDaily, row.maeSeasonalNaiveWeekly!)) < 1e-12);
    assert.ok(row.mase > 0.8 && row.mase < 1.25, `mase ${row.mase}`);
    assert.ok(row.maeSeasonalNaiveWeekly !== null);
    assert.ok(row.origins > 50, `origins ${row.origins}`);
  }
  // The profile beats seasonal naive on noise around a fixed season (it averages the days).
  for (const row of rows.filter((r) => r.model === 'seasonal-profile')) assert.ok(row.relMae < 1, `${row.horizon}: ${row.relMae}`);
});

test('weekly seasonal naive is null when the origins have less than a week of history', () => {
  const { series } = syntheticSeries({ seed: 24, days: 8 });
  const rows = backtest(series, { horizonsS: [3600] });
  assert.is(rows[0]!.maeSeasonalNaiveWeekly, null);
  assert.ok(Number.isFinite(rows[0]!.mase) && Number.isFinite(rows[0]!.coverage));
});

test('parseHorizon reads units and plain seconds; formatHorizon prints them back', () => {
  assert.is(parseHorizon('1h'), 3600);
  assert.is(parseHorizon('90m'), 5400);
  assert.is(parseHorizon('2d'), 172_800);
  assert.is(parseHorizon('3600'), 3600);
  assert.is(parseHorizon(' 1.5h '), 5400);
  assert.is(parseHorizon('1w'), 604_800);
  assert.is(formatHorizon(86_400), '1d');
  assert.is(formatHorizon(5400), '90m');
  for (const bad of ['', 'h', '1y', '-1h', '0', 'abc', '1h30']) {
    try {
      parseHorizon(bad);
      assert.unreachable(bad);
    } catch (error) {
      assert.instance(error, InputError);
      assert.ok((error as InputError).message.includes('not a positive duration'));
    }
  }
});

test('bad options are InputErrors', () => {
  const { series } = syntheticSeries({ seed: 25, days: 3 });
  for (const options of [{ horizonsS: [] }, { horizonsS: [3600], models: ['nope'] }, { horizonsS: [3600], testFraction: 1.5 }]) {
    try {
      backtest(series, options);
      assert.unreachable(JSON.stringify(options));
    } catch (error) {
      assert.instance(error, InputError);
    }
  }
});

test.run();
