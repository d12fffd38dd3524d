/**
 * Interruption hazard by hour of week. The events are synthetic (src/forecast/synthetic-events.ts):
 * no public, licensed spot-interruption trace is small enough to ship (../shared/data/README.md).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fitHazardFromAvailability, fitHazardFromCounts, fitHazardFromEvents, hazardLogLikelihood, hazardPerSAt, hazardProfilePerS, hourOfWeek } from '../../src/forecast/hazard.js';
import { seasonalHourOfWeekRates, syntheticAvailability, syntheticEvents } from '../../src/forecast/synthetic-events.js';
import type { HazardFit } from '../../src/forecast/types.js';
import { InputError } from '../../src/model/issues.js';
import { MAX_INTERRUPTION_PER_HOUR } from '../../src/model/limits.js';

const WEEK_S = 7 * 24 * 3600;
/** 1970-01-05T00:00Z, a Monday. */
const MONDAY_S = 4 * 24 * 3600;

function meanRelativeError(fit: HazardFit, truth: readonly number[]): number {
  return fit.perSlotHour.reduce((sum, r, i) => sum + Math.abs(r - truth[i]!) / truth[i]!, 0) / truth.length;
}

function constantOf(fit: HazardFit): HazardFit {
  return { ...fit, perSlotHour: new Array<number>(168).fill(fit.meanPerSlotHour), method: 'constant' };
}

test('hour of week: epoch 0 is Thursday 00:00 UTC (hour 72), Monday 00:00 is 0', () => {
  assert.is(hourOfWeek(0), 72);
  assert.is(hourOfWeek(MONDAY_S), 0);
  assert.is(hourOfWeek(MONDAY_S - 1), 167);
  assert.is(hourOfWeek(Date.UTC(2024, 0, 1, 13, 30) / 1000), 13); // 2024-01-01 was a Monday
  assert.is(hourOfWeek(-3600), 71);
});

test('recovers a known hour-of-week rate, and the error shrinks with more data', () => {
  const truth = seasonalHourOfWeekRates(0.02, 1);
  const errorAt = (weeks: number): number => {
    let total = 0;
    for (const seed of [1, 2, 3]) {
      const { eventsS } = syntheticEvents({ seed, fromS: MONDAY_S, toS: MONDAY_S + weeks * WEEK_S, slots: 20, perSlotHour: truth });
      const fit = fitHazardFromEvents(eventsS, { fromS: MONDAY_S, toS: MONDAY_S + weeks * WEEK_S, slots: 20 });
      assert.is(fit.method, 'hour-of-week');
      total += meanRelativeError(fit, truth);
    }
    return total / 3;
  };
  const [e1, e4, e16] = [errorAt(1), errorAt(4), errorAt(16)];
  assert.ok(e4 < e1, `4 weeks ${e4} vs 1 week ${e1}`);
  assert.ok(e16 < e4, `16 weeks ${e16} vs 4 weeks ${e4}`);
  assert.ok(e16 < 0.2, `16 weeks: mean relative error ${e16}`);
  // The peak hour (16:00 on a weekday) is found where it is.
  const { eventsS } = syntheticEvents({ seed: 5, fromS: MONDAY_S, toS: MONDAY_S + 8 * WEEK_S, slots: 20, perSlotHour: truth });
  const fit = fitHazardFromEvents(eventsS, { fromS: MONDAY_S, toS: MONDAY_S + 8 * WEEK_S, slots: 20 });
  const peak = fit.perSlotHour.indexOf(Math.max(...fit.perSlotHour));
  assert.ok(peak < 120 && Math.abs((peak % 24) - 16) <= 2, `peak at hour of week ${peak}`);
  assert.ok(Math.abs(fit.meanPerSlotHour - 0.02) < 0.004, `mean ${fit.meanPerSlotHour}`);
});

test('too few events: the constant rate everywhere, with a warning', () => {
  const { eventsS } = syntheticEvents({ seed: 7, fromS: 0, toS: WEEK_S, slots: 2, perSlotHour: seasonalHourOfWeekRates(0.02, 1) });
  assert.ok(eventsS.length > 0 && eventsS.length < 20, `${eventsS.length} events`);
  const fit = fitHazardFromEvents(eventsS, { fromS: 0, toS: WEEK_S, slots: 2 });
  assert.is(fit.method, 'constant');
  assert.ok(Math.abs(fit.meanPerSlotHour - eventsS.length / (2 * 168)) < 1e-12);
  assert.ok(fit.perSlotHour.every((r) => r === fit.meanPerSlotHour));
  assert.ok(fit.warnings.some((w) => w.message.includes('constant rate')), JSON.stringify(fit.warnings));
});

test('zero events, zero exposure, events outside the window', () => {
  const none = fitHazardFromEvents([], { fromS: 0, toS: WEEK_S, slots: 10 });
  assert.is(none.method, 'constant');
  assert.is(none.meanPerSlotHour, 0);
  assert.is(none.exposureSlotHours, 10 * 168);

  const noExposure = fitHazardFromEvents([100], { fromS: 0, toS: WEEK_S, slots: 0 }, { fallbackPerSlotHour: 0.05 });
  assert.is(noExposure.method, 'constant');
  assert.is(noExposure.meanPerSlotHour, 0.05);
  assert.ok(noExposure.warnings.some((w) => w.message.includes('no exposure')));

  const outside = fitHazardFromEvents([-5, 10, WEEK_S, WEEK_S + 1], { fromS: 0, toS: WEEK_S, slots: 1 });
  assert.is(outside.events, 1);
  assert.ok(outside.warnings.some((w) => w.path === 'hazard.events' && w.message.includes('3 event(s) outside')), JSON.stringify(outside.warnings));

  const empty = fitHazardFromEvents([], { fromS: 5, toS: 5, slots: 3 });
  assert.is(empty.exposureSlotHours, 0);
  assert.is(empty.method, 'constant');
});

test('bad input is an InputError with a path', () => {
  const errorOf = (f: () => unknown): InputError => {
    try {
      f();
    } catch (e) {
      if (e instanceof InputError) return e;
      throw e;
    }
    throw new Error('no error');
  };
  const e = errorOf(() => fitHazardFromEvents([1, Number.NaN], { fromS: 0, toS: 10, slots: 1 }, { path: 'spot' }));
  assert.equal(e.issues[0]!.path, ['spot.events', 1]);
  assert.ok(errorOf(() => fitHazardFromEvents([], { fromS: 10, toS: 0, slots: 1 })).message.includes('toS'));
  assert.ok(errorOf(() => fitHazardFromEvents([], { fromS: 0, toS: 10, slots: -1 })).message.includes('slots'));
  assert.ok(errorOf(() => fitHazardFromAvailability({ startS: 0, stepS: 0, values: Float64Array.of(1) })).message.includes('stepS'));
  assert.ok(errorOf(() => hazardProfilePerS(constantOf(fitHazardFromEvents([], { fromS: 0, toS: 10, slots: 1 })), 0, 1e12, 1e-3)).message.includes('buckets'));
});

test('huge counts and extreme rates stay finite and are capped at the limit', () => {
  const counts = new Array<number>(168).fill(1e12);
  counts[3] = 1e15;
  const exposure = new Array<number>(168).fill(1e-6);
  const fit = fitHazardFromCounts(counts, exposure);
  assert.ok(fit.perSlotHour.every((r) => Number.isFinite(r) && r > 0 && r <= MAX_INTERRUPTION_PER_HOUR));
  assert.is(fit.perSlotHour[3], MAX_INTERRUPTION_PER_HOUR);
  assert.ok(fit.warnings.some((w) => w.message.includes('capped')));
  // Many events, a long window: still quick enough to be a unit test, and sane.
  const big = syntheticEvents({ seed: 11, fromS: 0, toS: 52 * WEEK_S, slots: 1000, perSlotHour: seasonalHourOfWeekRates(0.01, 0.5) });
  const bigFit = fitHazardFromEvents(big.eventsS, { fromS: 0, toS: 52 * WEEK_S, slots: 1000 });
  assert.ok(big.eventsS.length > 50_000);
  assert.ok(Math.abs(bigFit.meanPerSlotHour - 0.01) < 5e-4, `${bigFit.meanPerSlotHour}`);
});

test('hazard from availability matches the event fit on the same realisation', () => {
  const truth = seasonalHourOfWeekRates(0.02, 1);
  // Recovery long against the tick, so drops are rarely masked by a recovery in the same tick.
  const sim = syntheticAvailability({ seed: 21, fromS: MONDAY_S, toS: MONDAY_S + 6 * WEEK_S, slots: 30, perSlotHour: truth, recoveryS: 3 * 3600, stepS: 60 });
  const fromAvailability = fitHazardFromAvailability(sim.available);
  const fromEvents = fitHazardFromEvents(sim.eventsS, { fromS: MONDAY_S, toS: MONDAY_S + 6 * WEEK_S, slots: sim.available });
  assert.ok(Math.abs(fromAvailability.exposureSlotHours - fromEvents.exposureSlotHours) < 1e-6 * fromEvents.exposureSlotHours);
  assert.ok(fromAvailability.events <= fromEvents.events);
  assert.ok(fromAvailability.events >= 0.97 * fromEvents.events, `${fromAvailability.events} of ${fromEvents.events} seen`);
  assert.ok(Math.abs(fromAvailability.meanPerSlotHour - fromEvents.meanPerSlotHour) <= 0.03 * fromEvents.meanPerSlotHour);
  for (let w = 0; w < 168; w++) {
    const a = fromAvailability.perSlotHour[w]!;
    const b = fromEvents.perSlotHour[w]!;
    assert.ok(Math.abs(a - b) <= 0.15 * b, `hour ${w}: ${a} vs ${b}`);
  }
});

test('availability: outages count one interruption per slot lost, or none when asked; gaps are not counted', () => {
  const values = Float64Array.of(4, 4, 3, 3, 0, 0, 4, Number.NaN, 2, 2);
  const series = { startS: MONDAY_S, stepS: 600, values };
  const counted = fitHazardFromAvailability(series, { minEvents: 0 });
  assert.is(counted.events, 4); // 4→3, 3→0; the change across the gap is not counted
  assert.ok(Math.abs(counted.exposureSlotHours - (4 + 4 + 3 + 3 + 4 + 2 + 2) / 6) < 1e-12);
  assert.ok(counted.warnings.some((w) => w.message.includes('gap')));
  assert.ok(counted.warnings.some((w) => w.message.includes('outage')));
  const excluded = fitHazardFromAvailability(series, { minEvents: 0, countOutages: false });
  assert.is(excluded.events, 1);
});

test('held-out log-likelihood: above the constant model on seasonal data, not much below on constant data', () => {
  for (const [strength, check] of [
    [1, (gain: number) => gain > 0.05],
    [0.5, (gain: number) => gain > 0.01],
    [0, (gain: number) => gain > -0.01],
  ] as const) {
    const truth = seasonalHourOfWeekRates(0.02, strength);
    for (const seed of [1, 2, 3]) {
      const train = { fromS: MONDAY_S, toS: MONDAY_S + 4 * WEEK_S, slots: 20 };
      const test = { fromS: MONDAY_S + 10 * WEEK_S, toS: MONDAY_S + 14 * WEEK_S, slots: 20 };
      const fit = fitHazardFromEvents(syntheticEvents({ seed, ...train, perSlotHour: truth }).eventsS, train);
      const held = syntheticEvents({ seed: seed + 1000, ...test, perSlotHour: truth }).eventsS;
      const gain = (hazardLogLikelihood(fit, held, test) - hazardLogLikelihood(constantOf(fit), held, test)) / held.length;
      assert.ok(check(gain), `strength ${strength}, seed ${seed}: gain per held-out event ${gain}`);
    }
  }
});

test('hazardPerSAt and hazardProfilePerS agree with the hour-of-week rates', () => {
  const truth = seasonalHourOfWeekRates(0.05, 1);
  const { eventsS } = syntheticEvents({ seed: 3, fromS: MONDAY_S, toS: MONDAY_S + 4 * WEEK_S, slots: 20, perSlotHour: truth });
  const fit = fitHazardFromEvents(eventsS, { fromS: MONDAY_S, toS: MONDAY_S + 4 * WEEK_S, slots: 20 });
  assert.is(hazardPerSAt(fit, MONDAY_S + 16 * 3600 + 5), fit.perSlotHour[16]! / 3600);
  const hourly = hazardProfilePerS(fit, MONDAY_S, MONDAY_S + WEEK_S, 3600);
  assert.is(hourly.length, 168);
  hourly.forEach((v, w) => assert.ok(Math.abs(v - fit.perSlotHour[w]! / 3600) <= 1e-15 + 1e-12 * v));
  // A two-hour bucket from 15:30 holds half of 15h, all of 16h, half of 17h.
  const [mixed] = hazardProfilePerS(fit, MONDAY_S + 15.5 * 3600, MONDAY_S + 17.5 * 3600, 7200);
  const expected = (0.5 * fit.perSlotHour[15]! + fit.perSlotHour[16]! + 0.5 * fit.perSlotHour[17]!) / 2 / 3600;
  assert.ok(Math.abs(mixed! - expected) < 1e-12 * expected);
  // The last bucket is shorter; a bucket of several weeks holds the weekly mean.
  assert.is(hazardProfilePerS(fit, 0, 5000, 3600).length, 2);
  const [weeks] = hazardProfilePerS(fit, 123, 123 + 3 * WEEK_S, 3 * WEEK_S);
  const weekly = fit.perSlotHour.reduce((a, b) => a + b, 0) / 168 / 3600;
  assert.ok(Math.abs(weeks! - weekly) < 1e-12 * weekly);
});

test('synthetic events are seeded and follow the rate they were given', () => {
  const truth = seasonalHourOfWeekRates(0.02, 1);
  const options = { seed: 9, fromS: 0, toS: 2 * WEEK_S, slots: 10, perSlotHour: truth };
  assert.equal(syntheticEvents(options).eventsS, syntheticEvents(options).eventsS);
  const withExtras = syntheticEvents({ ...options, bursts: { count: 3, eventsPerBurst: 4, spreadS: 300 }, outages: { count: 1, durationS: 3600 } });
  assert.is(withExtras.burstEvents, 12);
  assert.is(withExtras.outageEvents, 10);
  const many = syntheticEvents({ ...options, toS: 200 * WEEK_S });
  const expected = truth.reduce((a, b) => a + b, 0) * 10 * 200;
  assert.ok(Math.abs(many.eventsS.length - expected) < 4 * Math.sqrt(expected), `${many.eventsS.length} vs ${expected}`);
  const sim = syntheticAvailability({ ...options, recoveryS: 1800, stepS: 300, outages: { count: 1, durationS: 7200 } });
  assert.ok(sim.available.values.every((v) => v >= 0 && v <= 10));
  assert.ok(sim.available.values.some((v) => v === 0), 'the outage shows');
});

test.run();
