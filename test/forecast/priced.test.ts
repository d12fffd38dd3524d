import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildAvailabilityMap, readAvailabilityMap, type DeclaredPool } from '../../src/forecast/map.js';
import { hourOfWeek } from '../../src/forecast/hazard.js';
import { expectedShortfall, freeQuantile, priceMap } from '../../src/forecast/priced.js';
import type { QuantileForecast } from '../../src/forecast/types.js';
import { InputError } from '../../src/model/issues.js';
import type { Pool, ResourceMap } from '../../src/model/types.js';

const MONDAY_S = Date.UTC(2026, 10, 30) / 1000; // Monday 2026-11-30 00:00 UTC

function pool(id: string, slots: number, extra: Partial<Pool> = {}): Pool {
  return { id, region: 'r', zone: undefined, class: undefined, slots, speed: 1, speedByOp: new Map(), memGbPerSlot: 8, priceUsdPerSlotHour: 1, startupS: 0, interruptionPerHour: 0.1, dispatchOverheadS: 0, capacity: [], ...extra };
}

function resources(...pools: Pool[]): ResourceMap {
  return { pools, links: [] } as unknown as ResourceMap;
}

function declared(p: Pool): DeclaredPool {
  return { id: p.id, slots: p.slots, interruptionPerHour: p.interruptionPerHour, priceUsdPerSlotHour: p.priceUsdPerSlotHour };
}

/** Free slots forecast at 5-min steps: `low` during 14:00–18:00 UTC each day, `high` otherwise, ±spread. */
function dailyForecast(startS: number, hours: number, low: number, high: number, spread: number): QuantileForecast {
  const stepS = 300;
  const n = (hours * 3600) / stepS;
  const p50 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const hour = Math.floor(((startS + i * stepS) % 86_400) / 3600);
    p50[i] = hour >= 14 && hour < 18 ? low : high;
  }
  return { startS, stepS, p10: p50.map((v) => v - spread), p50, p90: p50.map((v) => v + spread) };
}

test('hour of week: Monday 00:00 UTC is 0, epoch 0 (a Thursday) is 72', () => {
  assert.is(hourOfWeek(MONDAY_S), 0);
  assert.is(hourOfWeek(MONDAY_S + 3600 * 25), 25);
  assert.is(hourOfWeek(0), 72);
  assert.is(hourOfWeek(MONDAY_S - 3600), 167);
});

test('free quantile and expected shortfall follow the quantiles', () => {
  const q = { p10: 10, p50: 20, p90: 30 };
  assert.is(freeQuantile(q, 0.1, 64), 10);
  assert.is(freeQuantile(q, 0.5, 64), 20);
  assert.is(freeQuantile(q, 0.9, 64), 30);
  assert.ok(freeQuantile(q, 0.3, 64) > 10 && freeQuantile(q, 0.3, 64) < 20);
  assert.is(expectedShortfall(q, 0, 64), 0);
  // Planning on the lower tail's bottom loses nothing; on the top of the upper tail loses s − mean.
  assert.is(expectedShortfall(q, 5, 64), 0);
  const mean = 0.1 * 7.5 + 0.4 * 15 + 0.4 * 25 + 0.1 * 32.5;
  assert.ok(Math.abs(expectedShortfall(q, 40, 64) - (40 - mean)) < 1e-9);
  // Convex and increasing in between.
  const a = expectedShortfall(q, 15, 64);
  const b = expectedShortfall(q, 20, 64);
  const c = expectedShortfall(q, 25, 64);
  assert.ok(a < b && b < c && b - a < c - b);
});

test('pricing: capacity at the chosen quantile, contention reference below it, busy hours fewer slots', () => {
  const spot = pool('spot', 64);
  const map = buildAvailabilityMap([declared(spot)], [{ pool: 'spot', free: { model: 'test', forecast: dailyForecast(MONDAY_S, 48, 8, 56, 4), data: { sources: ['t'], points: 576, fromS: MONDAY_S - 86_400, toS: MONDAY_S } } }], { startS: MONDAY_S, horizonS: 48 * 3600 });
  const at = (risk: number, startAtS: number) => priceMap(map, resources(spot), { startAtS, capacityRisk: risk }).availability.pools[0]!;
  const night = at(0.5, MONDAY_S + 2 * 3600);
  assert.is(night.atS[0], 0);
  assert.is(night.slots[0], 56);
  // 12 h later (14:00) the busy window: 8 slots.
  const busyIndex = night.atS.findIndex((t) => t === 12 * 3600);
  assert.ok(busyIndex > 0, 'a breakpoint at 14:00');
  assert.is(night.slots[busyIndex], 8);
  assert.ok(night.freeSlots![0]! < 56 && night.freeSlots![0]! > 52, `free reference ${night.freeSlots![0]} below the planned 56`);
  // Cautious plans on fewer slots than bold ones.
  assert.ok(at(0.1, MONDAY_S).slots[0]! < at(0.9, MONDAY_S).slots[0]!);
  assert.ok(at(0.9, MONDAY_S).slots[0]! <= 64);
  // Equal buckets merge: the night and the busy window alternate, not 48 segments.
  assert.ok(night.atS.length <= 6, `${night.atS.length} segments`);
});

test('pricing: declared capacity steps cap the forecast, pools without telemetry stay declared and say so', () => {
  const spot = pool('spot', 64, { capacity: [{ atS: 0, slots: 64 }, { atS: 3600, slots: 10 }] });
  const od = pool('od', 4);
  const map = buildAvailabilityMap([declared(spot), declared(od)], [{ pool: 'spot', free: { model: 'test', forecast: dailyForecast(MONDAY_S, 48, 40, 40, 0), data: { sources: ['t'], points: 576, fromS: 0, toS: MONDAY_S } } }], { startS: MONDAY_S, horizonS: 48 * 3600 });
  const priced = priceMap(map, resources(spot, od), { startAtS: MONDAY_S });
  const s = priced.availability.pools[0]!;
  assert.is(s.slots[0], 40);
  assert.is(s.slots[s.atS.indexOf(3600)], 10);
  assert.equal(priced.availability.pools[1]!.slots, [4]);
  assert.ok(map.pools[1]!.assumptions.some((a) => a.includes('no capacity telemetry')));
  assert.is(priced.bands[1], undefined);
  assert.equal(priced.bands[0]!.p10[0], 40);
});

test('pricing: hazard by hour of week enters per bucket', () => {
  const spot = pool('spot', 8);
  const perSlotHour = Array.from({ length: 168 }, (_, h) => (h % 24 >= 14 && h % 24 < 18 ? 0.6 : 0.05));
  const map = buildAvailabilityMap([declared(spot)], [{ pool: 'spot', hazard: { fit: { perSlotHour, meanPerSlotHour: 0.15, method: 'hour-of-week', events: 100, exposureSlotHours: 1000, warnings: [] }, sources: ['e'] } }], { startS: MONDAY_S, horizonS: 48 * 3600 });
  const a = priceMap(map, resources(spot), { startAtS: MONDAY_S + 13 * 3600 }).availability.pools[0]!;
  assert.ok(Math.abs(a.hazardPerS[0]! * 3600 - 0.05) < 1e-12);
  assert.ok(Math.abs(a.hazardPerS[1]! * 3600 - 0.6) < 1e-12);
  assert.is(a.atS[1], 3600);
});

test('pricing: a start beyond the horizon repeats by week and says so', () => {
  const spot = pool('spot', 64);
  const map = buildAvailabilityMap([declared(spot)], [{ pool: 'spot', free: { model: 'test', forecast: dailyForecast(MONDAY_S, 168, 8, 56, 0), data: { sources: ['t'], points: 2016, fromS: 0, toS: MONDAY_S } } }], { startS: MONDAY_S });
  const later = priceMap(map, resources(spot), { startAtS: MONDAY_S + 3 * 7 * 86_400 + 15 * 3600 });
  assert.is(later.availability.pools[0]!.slots[0], 8, 'the busy window three weeks on');
  assert.ok(later.assumptions.some((a) => a.includes('repeats by week')));
});

test('map documents round-trip and bad ones name the field', () => {
  const spot = pool('spot', 64);
  const map = buildAvailabilityMap([declared(spot)], [{ pool: 'spot', free: { model: 'test', forecast: dailyForecast(MONDAY_S, 2, 8, 56, 1), data: { sources: ['t'], points: 24, fromS: 0, toS: MONDAY_S } } }], { startS: MONDAY_S, horizonS: 2 * 3600 });
  const again = readAvailabilityMap(JSON.parse(JSON.stringify(map)), 'map.json');
  assert.equal(again.pools[0]!.free!.p50, map.pools[0]!.free!.p50);
  const bad = JSON.parse(JSON.stringify(map));
  bad.pools[0].free.p10[1] = -3;
  bad.version = 9;
  try {
    readAvailabilityMap(bad, 'map.json');
    assert.unreachable('accepted a bad map');
  } catch (error) {
    assert.instance(error, InputError);
    const paths = (error as InputError).issues.map((i) => i.path.join('.'));
    assert.ok(paths.includes('pools.0.free.p10.1'), paths.join(' '));
    assert.ok(paths.includes('version'));
  }
});

test.run();
