import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../src/model/issues.js';
import { checkTraces, generateTrace, levelAt, seriesOfPoints, traceBefore, traceFrom } from '../../src/evaluate/traces.js';
import { poolsOf } from './helpers.js';

const resources = poolsOf([
  { id: 'onprem', slots: 4, price: 0 },
  { id: 'spot', slots: 16, price: 0.03, hazard: 0.5 },
]);

test('generateTrace: seeded (same seed, same trace; another seed, another), non-interruptible pools at full slots', () => {
  const a = generateTrace(resources, { seed: 3, horizonS: 7 * 86_400 });
  const b = generateTrace(resources, { seed: 3, horizonS: 7 * 86_400 });
  const c = generateTrace(resources, { seed: 4, horizonS: 7 * 86_400 });
  assert.equal([...a.pools], [...b.pools]);
  assert.not.equal([...a.pools.get('spot')!], [...c.pools.get('spot')!]);
  assert.equal(a.pools.get('onprem'), [{ timeS: 0, available: 4 }]);
  const spot = a.pools.get('spot')!;
  // 0.5 per slot-hour on 16 slots for a week: hundreds of losses, so the level moves, within [0, 16].
  assert.ok(spot.length > 50, `${spot.length} change points`);
  assert.ok(spot.every((p) => p.available >= 0 && p.available <= 16));
  assert.ok(spot.some((p) => p.available < 16));
  assert.is(spot[0]!.timeS, 0);
});

test('generateTrace: an outage holds the pool at 0 for its length', () => {
  const trace = generateTrace(resources, { seed: 1, horizonS: 2 * 86_400, rateScale: 0, outages: { count: 1, durationS: 4 * 3600 } });
  const spot = trace.pools.get('spot')!;
  const zero = spot.findIndex((p) => p.available === 0);
  assert.ok(zero >= 0, 'the outage shows');
  const back = spot.slice(zero).find((p) => p.available > 0);
  // It lasts its 4 h (to a tick), or runs past the horizon.
  const endS = back?.timeS ?? 2 * 86_400;
  assert.ok(endS - spot[zero]!.timeS >= Math.min(4 * 3600 - 300, 2 * 86_400 - spot[zero]!.timeS), JSON.stringify(spot));
  if (back !== undefined) assert.ok(back.timeS - spot[zero]!.timeS <= 4 * 3600 + 1800 + 300, 'back after the outage and a recovery at most');
});

test('traceFrom shifts to the offset (the level there at 0); traceBefore keeps only what is before it, in epoch s', () => {
  const trace = { id: 't', pools: new Map([['spot', [{ timeS: 0, available: 16 }, { timeS: 1000, available: 10 }, { timeS: 3000, available: 16 }]]]), startS: 50_000, source: 'test' };
  assert.equal(traceFrom(trace, 2000).get('spot'), [{ timeS: 0, available: 10 }, { timeS: 1000, available: 16 }]);
  assert.equal(traceFrom(trace, 0).get('spot'), [{ timeS: 0, available: 16 }, { timeS: 1000, available: 10 }, { timeS: 3000, available: 16 }]);
  const before = traceBefore(trace, 2000);
  assert.is(before.fromS, 50_000);
  assert.equal(before.pools.get('spot'), [{ timeS: 50_000, available: 16 }, { timeS: 51_000, available: 10 }]);
  assert.is(levelAt(trace.pools.get('spot')!, 2999), 10);
  const series = seriesOfPoints(before.pools.get('spot')!, 50_000, 52_000, 500)!;
  assert.equal([...series.values], [16, 16, 10, 10]);
});

test('checkTraces: an unknown pool and times that go back are InputErrors with their paths', () => {
  const bad = { id: 'x', pools: new Map([['spto', [{ timeS: 0, available: 1 }]], ['spot', [{ timeS: 0, available: 1 }, { timeS: 0, available: 2 }]]]), source: 'test' };
  try {
    checkTraces([bad], resources);
    assert.unreachable('should throw');
  } catch (error) {
    assert.instance(error, InputError);
    const issues = (error as InputError).issues;
    assert.equal(issues[0]!.path, ['traces', 'x', 'spto']);
    assert.match(issues[0]!.message, /did you mean "spot"/);
    assert.equal(issues[1]!.path, ['traces', 'x', 'spot', 1, 'timeS']);
  }
});

test('pointsOfEvents: each event takes a slot for the recovery time, never below 0', async () => {
  const { pointsOfEvents } = await import('../../src/evaluate/traces.js');
  const points = pointsOfEvents([100, 150, 150, 5000, 50], 2, 1000, 100);
  // 50 is before the origin (dropped); at 0 (=100) one slot goes, at 50 the other, and the second
  // event at 50 finds no slot up (nothing taken); they come back at 1000 and 1050; 5000 → 4900.
  assert.equal(points, [
    { timeS: 0, available: 1 },
    { timeS: 50, available: 0 },
    { timeS: 1000, available: 1 },
    { timeS: 1050, available: 2 },
    { timeS: 4900, available: 1 },
    { timeS: 5900, available: 2 },
  ]);
});

test.run();
