/**
 * The forecast updated online during a run on the sim backend: a capacity drop below the
 * forecast band re-plans the remainder (on the availability as updated online), one inside it
 * does not, and interruptions far above the forecast hazard re-plan too. Without a forecast the
 * same drop re-plans nothing, as before.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DispatchForecast } from '../../src/dispatch/dispatcher.js';
import { createSimBackend, type SimBackendOptions } from '../../src/dispatch/sim/index.js';
import type { Availability } from '../../src/model/availability.js';
import { assembleProblem } from '../../src/model/problem.js';
import { validateResourceMap } from '../../src/model/validate-pools.js';
import { validateTaskDefinition } from '../../src/model/validate-task.js';
import { planConstructive } from '../../src/plan/planner.js';
import { onePool, runOn, type TestRun } from './helpers.js';

const HOUR = 3600;
const task = { name: 'online', stages: [{ id: 'work', items: 28, minChunk: 1, maxChunk: 1, runtimePerItemS: 100 }, { id: 'end', after: ['work'], runtimeS: 10 }] };
const pools = { pools: [onePool('spot', 8)] };
/** The forecast: 7 slots planned on (band of free slots 6–8), hazard 0.05 per slot-hour. */
const availability: Availability = { source: 'fc-test', pools: [{ atS: [0], slots: [7], freeSlots: [6.8], hazardPerS: [0.05 / HOUR], priceUsdPerSlotS: [0] }] };
const forecast: DispatchForecast = { bands: [{ atS: [0], p10: [6], p90: [8] }] };
/** Lateness alone never re-plans here (drift fraction 10): what re-plans is the forecast's. */
const replan = { driftFraction: 10, minIntervalFraction: 0.1 };

async function run(sim: SimBackendOptions, withForecast: boolean): Promise<TestRun> {
  const problem = assembleProblem(validateTaskDefinition(task), validateResourceMap(pools), { availability });
  const { plan, scored } = planConstructive(problem);
  const backend = createSimBackend({ durations: 'replay', ...sim });
  return runOn(backend, task, pools, { settings: { replay: { timeScale: 1 } }, request: { problem, plan, scored, replan, ...(withForecast ? { forecast } : {}) } });
}

const drop = (slots: number): SimBackendOptions => ({ availability: new Map([['spot', [{ timeS: 150, available: slots }]]]) });

test('a capacity drop below the forecast band re-plans the remainder on the forecast as updated online', async () => {
  const r = await run(drop(2), true);
  try {
    assert.is(r.report.status, 'succeeded', JSON.stringify(r.report.notCommitted));
    const replans = r.journal.decisions('r1').filter((d) => d.kind === 'replan');
    assert.is(replans.length, 1, JSON.stringify(replans));
    assert.match(replans[0]!.reason, /^pool spot has 2 slot\(s\) at 150\.0 s, below the forecast band of 6–8 free slot\(s\) \(P10 6, P90 8\): the remaining \d+ sub-tasks re-planned from 150\.0 s/);
    assert.match(replans[0]!.reason, /on the forecast as updated online \(spot: 2 slot\(s\) now until 3750 s \(planned 7\)/);
    assert.is(r.report.replans, 1);
    const spot = r.report.forecast!.pools[0]!;
    assert.is(spot.departures[0]!.kind, 'capacity');
    assert.equal(spot.lastObserved, { atS: 150, slots: 2 });
    // The 5 attempts the drop interrupted are the drop's, not the hazard's (else a second re-plan would charge them again).
    assert.ok(spot.exposureSlotHours > 0 && spot.capacityInterruptions === 5 && spot.interruptions === 0, JSON.stringify(spot));
  } finally {
    r.cleanup();
  }
});

test('a capacity drop inside the forecast band does not re-plan', async () => {
  const r = await run(drop(6), true);
  try {
    assert.is(r.report.status, 'succeeded', JSON.stringify(r.report.notCommitted));
    assert.is(r.journal.decisions('r1').filter((d) => d.kind === 'replan').length, 0);
    assert.is(r.report.replans, 0);
    const spot = r.report.forecast!.pools[0]!;
    assert.is(spot.departures.length, 0);
    assert.equal(spot.lastObserved, { atS: 150, slots: 6 });
  } finally {
    r.cleanup();
  }
});

test('without a forecast the same drop below the band re-plans nothing (as before), and the report has no forecast', async () => {
  const r = await run(drop(2), false);
  try {
    assert.is(r.report.status, 'succeeded', JSON.stringify(r.report.notCommitted));
    assert.is(r.report.replans, 0);
    assert.is(r.report.forecast, undefined);
  } finally {
    r.cleanup();
  }
});

test('interruptions far above the forecast hazard re-plan, with the posterior hazard in the reason and the report', async () => {
  // Every first attempt is interrupted after 30 s: 28 interruptions in about 0.25 slot-hours, where 0.05/slot-hour expects 0.01.
  const r = await run({ faults: (job) => (job.attempt === 1 ? { outcome: 'interrupted', afterS: 30 } : undefined) }, true);
  try {
    assert.is(r.report.status, 'succeeded', JSON.stringify(r.report.notCommitted));
    const replans = r.journal.decisions('r1').filter((d) => d.kind === 'replan');
    assert.ok(replans.length >= 1, 'a re-plan');
    assert.match(replans[0]!.reason, /^pool spot: 3 interruption\(s\) in 0\.03 slot-hour\(s\), where the forecast expected 0\.00 \(80 % interval 0–0\), above the forecast's band: posterior hazard [\d.]+\/slot-hour against the forecast's 0\.050/);
    assert.match(replans[0]!.reason, /on the forecast as updated online \(spot: hazard ×[\d.]+\)/);
    const spot = r.report.forecast!.pools[0]!;
    assert.ok(spot.interruptions >= 28);
    assert.ok(spot.posteriorHazardPerSlotHour > 10 * spot.forecastHazardPerSlotHour, JSON.stringify(spot));
  } finally {
    r.cleanup();
  }
});

test('interruptions at about the forecast rate do not re-plan', async () => {
  // One interruption in the whole run (28 + 1 attempts of ~100 s ≈ 0.8 slot-hours at 0.05/slot-hour expect 0.04; one is inside).
  let first = true;
  const r = await run({ faults: () => (first ? ((first = false), { outcome: 'interrupted', afterS: 30 }) : undefined) }, true);
  try {
    assert.is(r.report.status, 'succeeded', JSON.stringify(r.report.notCommitted));
    assert.is(r.report.replans, 0);
    const spot = r.report.forecast!.pools[0]!;
    assert.is(spot.interruptions, 1);
    assert.is(spot.departures.length, 0);
  } finally {
    r.cleanup();
  }
});

test.run();
