/**
 * The forecast updated online (src/dispatch/online.ts): the band test on observed capacity,
 * the Gamma–Poisson hazard update and its interval test, and the availability the remainder
 * is re-planned on.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createOnlineForecast, poissonQuantile } from '../../src/dispatch/online.js';
import type { FreeBand } from '../../src/forecast/priced.js';
import type { Availability } from '../../src/model/availability.js';
import { assembleProblem, type Problem } from '../../src/model/problem.js';
import { validateResourceMap } from '../../src/model/validate-pools.js';
import { validateTaskDefinition } from '../../src/model/validate-task.js';
import { onePool } from './helpers.js';

const HOUR = 3600;

/** Two pools of 8 slots: "spot" forecast (7 slots planned, band 6–8, then 3 slots from 2 h, band 2–4; hazard 0.5/slot-hour), "od" without a band. */
function problemWithForecast(): { problem: Problem; bands: Array<FreeBand | undefined> } {
  const availability: Availability = {
    source: 'fc-test',
    pools: [
      { atS: [0, 2 * HOUR], slots: [7, 3], freeSlots: [6.5, 2.5], hazardPerS: [0.5 / HOUR, 0.5 / HOUR], priceUsdPerSlotS: [0.1 / HOUR, 0.1 / HOUR] },
      { atS: [0], slots: [8], hazardPerS: [0], priceUsdPerSlotS: [1 / HOUR] },
    ],
  };
  const task = validateTaskDefinition({ name: 'j', stages: [{ id: 'a', runtimeS: 60 }] });
  const pools = validateResourceMap({ pools: [onePool('spot', 8), onePool('od', 8, { priceUsdPerSlotHour: 1 })] });
  const problem = assembleProblem(task, pools, { availability });
  const bands: Array<FreeBand | undefined> = [{ atS: [0, 2 * HOUR], p10: [6.2, 2], p90: [8, 4] }, undefined];
  return { problem, bands };
}

test('poissonQuantile: the central 80 % interval of small and large means', () => {
  assert.is(poissonQuantile(0, 0.9), 0);
  assert.is(poissonQuantile(1, 0.1), 0);
  assert.is(poissonQuantile(1, 0.9), 2); // P(N ≤ 1) = 0.736, P(N ≤ 2) = 0.920
  assert.is(poissonQuantile(3, 0.1), 1); // P(N = 0) = 0.050, P(N ≤ 1) = 0.199
  assert.is(poissonQuantile(10, 0.9), 14); // P(N ≤ 13) = 0.864, P(N ≤ 14) = 0.917
  // Large means: the normal approximation, within a slot of mean ± 1.28 √mean.
  const q = poissonQuantile(10_000, 0.9);
  assert.ok(Math.abs(q - (10_000 + 128.2)) <= 1, String(q));
});

test('capacity: a drop inside the band is not a departure; below floor(P10) it is, naming the pool, the slots and the band', () => {
  const { problem, bands } = problemWithForecast();
  const online = createOnlineForecast(problem, bands);
  assert.is(online.observeCapacity(0, 100, 6), undefined, 'floor(6.2) = 6 is inside the band');
  assert.is(online.observeCapacity(0, 200, 8), undefined);
  const why = online.observeCapacity(0, 300, 5);
  assert.type(why, 'string');
  assert.match(why!, /pool spot has 5 slot\(s\) at 300\.0 s, below the forecast band of 6–8 free slot\(s\) \(P10 6\.20, P90 8\)/);
  // The same level again is the same departure: not signalled twice; a further drop is.
  assert.is(online.observeCapacity(0, 400, 5), undefined);
  assert.match(online.observeCapacity(0, 500, 3) ?? '', /3 slot\(s\)/);
  // Later the band moves (2–4 from 2 h): 3 slots is inside it.
  assert.is(online.observeCapacity(0, 2 * HOUR + 10, 3), undefined);
  assert.match(online.observeCapacity(0, 2 * HOUR + 20, 6) ?? '', /above the forecast band of 2–4/);
  // A pool without a band never departs.
  assert.is(online.observeCapacity(1, 100, 0), undefined);
  const summary = online.summary();
  assert.is(summary.pools[0]!.capacityObservations, 7);
  assert.is(summary.pools[0]!.departures.length, 3);
  assert.ok(summary.pools[0]!.departures.every((d) => d.kind === 'capacity'));
  assert.equal(summary.pools[1]!.lastObserved, { atS: 100, slots: 0 });
  assert.is(summary.pools[1]!.band, false);
});

test('capacity: the band is capped at the slots the run fills (a reservation below P10 is not a departure)', () => {
  const { problem, bands } = problemWithForecast();
  const online = createOnlineForecast(problem, bands, { capSlots: [4, 8] });
  assert.is(online.observeCapacity(0, 100, 4), undefined);
  assert.match(online.observeCapacity(0, 200, 3) ?? '', /below the forecast band of 4–8 .*capped at the run's 4 slot\(s\)/);
});

test('interruptions far above the forecast hazard: a departure, and the posterior hazard rises', () => {
  const { problem, bands } = problemWithForecast();
  const online = createOnlineForecast(problem, bands);
  // 8 attempts of 6 minutes each, all interrupted: 0.8 slot-hours, the forecast expects 0.4.
  const reasons: string[] = [];
  for (let k = 0; k < 8; k++) {
    const from = k * 360;
    const a = online.observeExposure(0, from, from + 360);
    const b = online.observeInterruption(0, from + 360);
    if (a !== undefined) reasons.push(a);
    if (b !== undefined) reasons.push(b);
  }
  assert.is(reasons.length, 1, `signalled once per episode: ${JSON.stringify(reasons)}`);
  assert.match(reasons[0]!, /^pool spot: 3 interruption\(s\) in 0\.30 slot-hour\(s\), where the forecast expected 0\.15 \(80 % interval 0–1\), above the forecast's band/);
  const pool = online.summary().pools[0]!;
  assert.is(pool.interruptions, 8);
  assert.ok(Math.abs(pool.expectedInterruptions - 0.4) < 1e-9);
  assert.ok(Math.abs(pool.forecastHazardPerSlotHour - 0.5) < 1e-9);
  // Gamma(2, 4 slot-hours) prior, 8 events in 0.8 slot-hours: (2 + 8) / (4 + 0.8) = 2.083/slot-hour.
  assert.ok(Math.abs(pool.posteriorHazardPerSlotHour - 10 / 4.8) < 1e-9, String(pool.posteriorHazardPerSlotHour));
  assert.is(pool.departures[0]!.kind, 'interruptions');
  // The updated availability carries the posterior from now on, the past as forecast.
  const updated = online.availabilityNow(3000)!;
  const spot = updated.pools[0]!;
  assert.equal(spot.atS, [0, 3000, 2 * HOUR]);
  assert.ok(Math.abs(spot.hazardPerS[0]! - 0.5 / HOUR) < 1e-15);
  assert.ok(Math.abs(spot.hazardPerS[1]! * HOUR - 10 / 4.8) < 1e-9);
  assert.ok(Math.abs(spot.hazardPerS[2]! * HOUR - 10 / 4.8) < 1e-9);
  assert.equal(spot.slots, [7, 7, 3], 'no capacity observed: the forecast slots');
  assert.equal(updated.pools[1], { atS: [0], slots: [8], freeSlots: [8], hazardPerS: [0], priceUsdPerSlotS: [1 / HOUR] });
});

test('interruptions at the forecast rate: never a departure, and the posterior stays at the forecast', () => {
  const { problem, bands } = problemWithForecast();
  const online = createOnlineForecast(problem, bands);
  // 4 slots running for 2 h at 0.5/slot-hour: one interruption every 30 minutes of the pool's 4 slots, as forecast.
  for (let k = 0; k < 8; k++) {
    const from = k * 900;
    for (let slot = 0; slot < 4; slot++) assert.is(online.observeExposure(0, from, from + 900), undefined, `exposure ${k}.${slot}`);
    if (k % 2 === 1) assert.is(online.observeInterruption(0, from + 900), undefined, `interruption after ${k}`);
  }
  const pool = online.summary().pools[0]!;
  assert.is(pool.interruptions, 4);
  assert.ok(Math.abs(pool.expectedInterruptions - 4) < 1e-9);
  assert.ok(Math.abs(pool.posteriorHazardPerSlotHour - 0.5) < 1e-9, String(pool.posteriorHazardPerSlotHour));
  assert.is(pool.departures.length, 0);
  assert.is(online.availabilityNow(2 * HOUR), undefined, 'nothing changed');
});

test('no interruptions where many were forecast: a departure below the band once enough exposure was seen', () => {
  const { problem, bands } = problemWithForecast();
  const online = createOnlineForecast(problem, bands);
  // 2 slot-hours expect 1 interruption (below the 80 % interval only once P(N = 0) < 0.1, E > 2.3).
  for (let k = 0; k < 4; k++) assert.is(online.observeExposure(0, 0, HOUR), undefined);
  const why = online.observeExposure(0, 0, HOUR);
  assert.match(why ?? '', /pool spot: 0 interruption\(s\) in 5\.00 slot-hour\(s\), where the forecast expected 2\.50 \(80 % interval 1–5\), below the forecast's band/);
  assert.ok(online.summary().pools[0]!.posteriorHazardPerSlotHour < 0.5);
});

test('a pool forecast never to be interrupted: 3 interruptions are enough to say it departed; its hazard becomes the posterior', () => {
  const { problem, bands } = problemWithForecast();
  const online = createOnlineForecast(problem, bands);
  assert.is(online.observeExposure(1, 0, 600), undefined);
  assert.is(online.observeInterruption(1, 600), undefined, 'one is not enough');
  assert.is(online.observeInterruption(1, 600), undefined);
  assert.match(online.observeInterruption(1, 600) ?? '', /pool od: 3 interruption\(s\)/);
  const od = online.availabilityNow(600)!.pools[1]!;
  // Prior exposure capped at 100 slot-hours: 3 / (100 + 1/6) per slot-hour from now on.
  assert.equal(od.atS, [0, 600]);
  assert.is(od.hazardPerS[0], 0);
  assert.ok(Math.abs(od.hazardPerS[1]! * HOUR - 3 / (100 + 1 / 6)) < 1e-9);
});

test('interruptions caused by a drop outside the band are the drop\'s, not the hazard\'s; those of a drop inside the band count', () => {
  const { problem, bands } = problemWithForecast();
  const online = createOnlineForecast(problem, bands);
  online.observeExposure(0, 0, 100, 8);
  online.observeCapacity(0, 100, 7); // inside the band: its interruption is the hazard's
  assert.is(online.observeInterruption(0, 100), undefined);
  assert.match(online.observeCapacity(0, 200, 4) ?? '', /below the forecast band/); // took 3 slots
  for (let k = 0; k < 4; k++) assert.is(online.observeInterruption(0, 200), undefined);
  const pool = online.summary().pools[0]!;
  assert.is(pool.capacityInterruptions, 3);
  assert.is(pool.interruptions, 2, 'the one inside the band and the fourth at the drop');
});

test('availabilityNow: a drop below the band holds until the forecast moves, then decays back with a half-life of one bucket', () => {
  const { problem, bands } = problemWithForecast();
  const online = createOnlineForecast(problem, bands, { bucketS: 1200 });
  online.observeCapacity(0, 100, 1);
  const spot = online.availabilityNow(600)!.pools[0]!;
  // Hold: 1 slot from 600 s for one bucket (1200 s); then the departure of −6 halves every bucket:
  // 7 − 3 = 4, 7 − 1.5 → 6 (halves toward the forecast), 7 − 0.75 → 6, 7 − 0.375 → 7: the forecast
  // again, then its own step to 3 at 2 h. Free slots shift with the slots.
  assert.equal(spot.atS, [0, 600, 1800, 3000, 5400, 7200]);
  assert.equal(spot.slots, [7, 1, 4, 6, 7, 3]);
  assert.equal(spot.freeSlots, [6.5, 1, 3.5, 5.5, 6.5, 2.5]);
  assert.is(online.summary().bucketS, 1200);
});

test('availabilityNow: the hold ends where the forecast next moves; a level inside the band holds only until then', () => {
  const { problem, bands } = problemWithForecast();
  const online = createOnlineForecast(problem, bands);
  online.observeCapacity(0, 6000, 6);
  const spot = online.availabilityNow(6000)!.pools[0]!;
  assert.equal(spot.atS, [0, 6000, 7200]);
  assert.equal(spot.slots, [7, 6, 3]);
  // A pool without a band: the observed slots hold for the rest of the run (the rule of runs without a forecast).
  online.observeCapacity(1, 6000, 2);
  const od = online.availabilityNow(6000)!.pools[1]!;
  assert.equal(od.atS, [0, 6000]);
  assert.equal(od.slots, [8, 2]);
});

test('availabilityNow: undefined when nothing was observed, or only what the plan already has', () => {
  const { problem, bands } = problemWithForecast();
  const online = createOnlineForecast(problem, bands);
  assert.is(online.availabilityNow(0), undefined);
  online.observeCapacity(0, 50, 7);
  assert.is(online.availabilityNow(100), undefined);
});

test('bad numbers are ignored, never a throw or a NaN', () => {
  const { problem, bands } = problemWithForecast();
  const online = createOnlineForecast(problem, bands, { bucketS: Number.NaN });
  assert.is(online.observeCapacity(7, 0, 1), undefined);
  assert.is(online.observeCapacity(0, Number.NaN, 1), undefined);
  assert.is(online.observeExposure(0, 10, 5), undefined);
  assert.is(online.observeExposure(0, 0, Number.POSITIVE_INFINITY), undefined);
  assert.is(online.observeInterruption(-1, 0), undefined);
  assert.is(online.availabilityNow(Number.NaN), undefined);
  const s = online.summary();
  assert.is(s.bucketS, 3600);
  assert.ok(s.pools.every((p) => Number.isFinite(p.posteriorHazardPerSlotHour) && p.capacityObservations === 0 && p.interruptions === 0));
});

test.run();
