/**
 * Level shifts: the change-point test finds a shift where it is and not in noise, bursts or
 * a weekly pattern; a forecast re-based at a shift tracks the new level within hours (and
 * without re-basing it does not); the weekly term keeps a weekend seen once but not a burst;
 * the histogram median is not moved by one huge spike.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fitSeries } from '../../src/forecast/fit.js';
import { decayingPercentiles } from '../../src/forecast/models/decaying-histogram.js';
import { detectLevelShift, detectLevelShifts } from '../../src/forecast/models/level-shift.js';
import { contextFor } from '../../src/forecast/models/model.js';
import { DEFAULT_PROFILE_PARAMS, decompose, forecastSeasonalProfile, wienerWeekly } from '../../src/forecast/models/seasonal-profile.js';
import { dailyShape, syntheticSeries } from '../../src/forecast/synthetic-series.js';
import { seededRandom } from '../../src/util/random.js';

const STEP_S = 300;
const DAY = 288;
const HOUR = 12;
const WEEK = 7 * DAY;

function gaussian(seed: number): () => number {
  const random = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(Math.max(random(), 1e-12))) * Math.cos(2 * Math.PI * random());
}

function noise(n: number, seed: number, sd = 1): Float64Array {
  const g = gaussian(seed);
  return Float64Array.from({ length: n }, () => sd * g());
}

const PLAIN = { hourSteps: HOUR, minAfter: HOUR, weeklyPeriod: 0 };
const WEEKLY = { hourSteps: HOUR, minAfter: HOUR, weeklyPeriod: WEEK };

test('a shift of 10 σ is found within an hour of where it is, with its size', () => {
  for (const seed of [1, 2, 3]) {
    const z = noise(5 * DAY, seed);
    const at = 5 * DAY - 5 * HOUR;
    for (let k = at; k < z.length; k++) z[k] = z[k]! + 10;
    const found = detectLevelShift(z, PLAIN);
    assert.ok(found !== null, `seed ${seed}: not found`);
    assert.ok(Math.abs(found.at - at) <= HOUR, `seed ${seed}: at ${found.at}, shift at ${at}`);
    assert.ok(Math.abs(found.delta - 10) < 1.5, `seed ${seed}: delta ${found.delta}`);
  }
});

test('noise, a short burst and a shift shorter than minAfter are not shifts', () => {
  for (const seed of [4, 5, 6, 7]) assert.is(detectLevelShift(noise(5 * DAY, seed), PLAIN), null, `seed ${seed}`);
  const burst = noise(5 * DAY, 8);
  for (let k = 3 * DAY; k < 3 * DAY + 3; k++) burst[k] = burst[k]! + 50;
  assert.is(detectLevelShift(burst, PLAIN), null);
  const fresh = noise(5 * DAY, 9);
  for (let k = fresh.length - HOUR / 2; k < fresh.length; k++) fresh[k] = fresh[k]! + 10;
  assert.is(detectLevelShift(fresh, PLAIN), null);
});

test('weekly form: a weekend seen twice is no shift; a dip that ended lifts nothing', () => {
  const weekend = (k: number): number => (Math.floor(k / DAY) % 7 >= 5 ? -30 : 0);
  const z = Float64Array.from(noise(2 * WEEK, 10), (v, k) => v + weekend(k));
  assert.equal(detectLevelShifts(z, WEEKLY), []);
  // Ten hours at −40 in the last week, over for a day: an excursion, not a level to re-base to.
  const dip = noise(2 * WEEK, 11);
  const from = 2 * WEEK - 2 * DAY;
  for (let k = from; k < from + 10 * HOUR; k++) dip[k] = dip[k]! - 40;
  for (const shift of detectLevelShifts(dip, WEEKLY)) assert.ok(Math.abs(shift.delta) < 20 || shift.at >= from, `re-based the whole history by ${shift.delta} at ${shift.at}`);
});

test('weekly form: a shift in the last week is found against last week, and a shift in the first week too', () => {
  const z = noise(2 * WEEK, 12);
  const at = 2 * WEEK - DAY;
  for (let k = at; k < z.length; k++) z[k] = z[k]! + 8;
  const found = detectLevelShift(z, WEEKLY);
  assert.ok(found !== null && Math.abs(found.at - at) <= HOUR && Math.abs(found.delta - 8) < 1.5, JSON.stringify(found));
  // Ten days of history, shift at day 5: d (day 7 on) is offset all along; the shift is in z.
  const older = noise(10 * DAY, 13);
  for (let k = 5 * DAY; k < older.length; k++) older[k] = older[k]! + 8;
  const old = detectLevelShift(older, WEEKLY);
  assert.ok(old !== null && Math.abs(old.at - 5 * DAY) <= 2 * HOUR && Math.abs(old.delta - 8) < 2, JSON.stringify(old));
});

test('a level shift is tracked within three hours: the day-ahead level follows it, and without re-basing it does not', () => {
  const context = contextFor(STEP_S, DAY);
  const n = 10 * DAY;
  const g = gaussian(14);
  const shiftAt = n - 3 * HOUR;
  const level = (i: number): number => 50 + (i >= shiftAt ? 30 : 0);
  const x = Float64Array.from({ length: n + DAY }, (_, i) => level(i) + 15 * dailyShape(((i * STEP_S) % 86_400)) + g());
  const history = x.subarray(0, n);
  const meanError = (point: Float64Array): number => {
    let sum = 0;
    for (let h = 12 * HOUR; h < DAY; h++) sum += Math.abs(point[h]! - (x[n + h]! - 0));
    return sum / (DAY - 12 * HOUR);
  };
  const rebased = forecastSeasonalProfile(history, context).point;
  const plain = forecastSeasonalProfile(history, context, { ...DEFAULT_PROFILE_PARAMS, levelShifts: false }).point;
  assert.ok(decompose(history, context).shifts.length === 1);
  assert.ok(meanError(rebased) < 3, `re-based: mean error ${meanError(rebased)} on a shift of 30`);
  assert.ok(meanError(plain) > 6, `without re-basing: mean error ${meanError(plain)}`);
});

test('the default model forecasts a weekend seen once, and not a one-step burst a week ago', () => {
  // Monday start, twelve days: history ends Friday midnight, the next day is a Saturday.
  const { series, truth } = syntheticSeries({ seed: 15, days: 13, weekendDrop: 30, dailyAmplitude: 8, noiseSd: 2 });
  const n = 12 * DAY;
  const fit = fitSeries({ ...series, values: series.values.subarray(0, n) }, { horizonS: 86_400 });
  let error = 0;
  for (let h = 0; h < DAY; h++) error += Math.abs(fit.point[h]! - truth[n + h]!) / DAY;
  assert.ok(error < 6, `Saturday after one weekend seen: mean error ${error} (drop 30)`);
  const context = contextFor(STEP_S, DAY);
  const flat = noise(10 * DAY, 16).map((v) => 50 + v);
  flat[3 * DAY + 100] = 5000; // a burst exactly a week before step 100 of the forecast
  const point = forecastSeasonalProfile(flat, context).point;
  assert.ok(Math.abs(point[100]! - 50) < 3, `burst forecast again: ${point[100]}`);
});

test('per-phase Wiener shrinkage keeps a large effect and shrinks noise-sized ones', () => {
  const g = gaussian(17);
  const W = 700;
  const mean = Float64Array.from({ length: W }, (_, q) => g() + (q >= 500 ? -20 : 0));
  const count = new Float64Array(W).fill(1);
  const out = wienerWeekly(mean, count);
  let kept = 0;
  let small = 0;
  let smallIn = 0;
  for (let q = 0; q < W; q++) {
    if (q >= 500) kept += out[q]! / (mean[q]! - 0) / 200;
    else {
      small += Math.abs(out[q]!);
      smallIn += Math.abs(mean[q]!);
    }
  }
  assert.ok(kept > 0.9, `large effect kept ${kept}`);
  assert.ok(small < 0.6 * smallIn, `noise shrunk to ${small / smallIn}`);
});

test('one huge spike does not move the histogram median by a bin of the spike-wide range', () => {
  const x = Float64Array.from({ length: 2 * DAY }, (_, i) => 100 + (i % 101));
  x[DAY] = 1e9;
  const sorted = Float64Array.from(x).sort();
  const exact = sorted[sorted.length >> 1]!;
  const [median] = decayingPercentiles(x, STEP_S, [0.5], { halfLifeS: 1e12 });
  // Values are whole numbers: the interpolated histogram median is within one of the sample's.
  assert.ok(Math.abs(median! - exact) <= 1, `median ${median}, sample median ${exact}`);
});

test.run();
