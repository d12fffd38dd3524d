/**
 * Availability over time as an input of the reference cost model: declared default,
 * validation, and each term worked by hand (rework over a hazard step, price over a price
 * step, contention where free slots drop below use, the start rule on capacity windows).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateCandidate } from '../../src/cost/evaluate.js';
import { sweepContentionS } from '../../src/cost/contention.js';
import { expectedOverWindow } from '../../src/cost/rework.js';
import { integrateSegments } from '../../src/cost/segments.js';
import { declaredAvailability, type Availability } from '../../src/model/availability.js';
import { formatPath, InputError } from '../../src/model/issues.js';
import type { Problem, ProblemOptions } from '../../src/model/problem.js';
import { buildSubtaskGraph, expectedWithRework, PartitionBuilder } from '../../src/model/subtasks.js';
import { validateResourceMap } from '../../src/model/validate-pools.js';
import { problemOf } from '../helpers/problems.js';

const test = suite('availability in the reference cost model');

function scoreOn(problem: Problem, pools: number[], order?: number[]) {
  const builder = new PartitionBuilder();
  problem.definition.stages.forEach((_, v) => builder.addGroup([v]));
  const graph = buildSubtaskGraph(problem, builder.build());
  return evaluateCandidate(problem, { graph, allocation: Int32Array.from(pools), order: Int32Array.from(order ?? graph.order), variant: 'test' });
}

const near = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

const onePool = { pools: [{ id: 'p', region: 'A', slots: 1, priceUsdPerSlotHour: 3.6, interruptionPerHour: 0.36 }] };

function withAvailability(task: unknown, pools: unknown, availability: Availability, options: ProblemOptions = {}): Problem {
  return problemOf(task, pools, { ...options, availability });
}

test('declared availability is the resource map: capacity steps, constant hazard and price, free = slots', () => {
  const resources = validateResourceMap({ pools: [{ id: 'p', region: 'A', slots: 2, priceUsdPerSlotHour: 3.6, interruptionPerHour: 0.36, capacity: [{ atS: 30, slots: 1 }] }] });
  const declared = declaredAvailability(resources);
  assert.is(declared.source, 'declared');
  assert.equal(declared.pools[0], { atS: [0, 30], slots: [2, 1], freeSlots: [2, 1], hazardPerS: [0.36 / 3600, 0.36 / 3600], priceUsdPerSlotS: [3.6 / 3600, 3.6 / 3600] });
  const problem = problemOf({ stages: [{ id: 'x', runtimeS: 1 }] }, { pools: [{ id: 'p', region: 'A', slots: 2, capacity: [{ atS: 30, slots: 1 }] }] });
  assert.is(problem.availability.source, 'declared');
  assert.equal(Array.from(problem.availability.contended), [0]);
  assert.equal(Array.from(problem.pools.capAtS), [0, 30]);
});

test('an availability option is validated with paths under availability', () => {
  const pools = { pools: [{ id: 'a', region: 'A', slots: 1 }, { id: 'b', region: 'A', slots: 1 }, { id: 'c', region: 'A', slots: 1 }] };
  const ok = { atS: [0], slots: [1], hazardPerS: [0], priceUsdPerSlotS: [0] };
  const bad: Availability = {
    source: 'forecast-1',
    pools: [ok, { atS: [0, 50, 40], slots: [1, 1, 1], hazardPerS: [0, 0, 0], priceUsdPerSlotS: [0, 0, 0] }, { atS: [0, 1, 2, 3], slots: [1, 1.5, 1, 1], freeSlots: [1, 1, 1], hazardPerS: [0, 0, 0, -1], priceUsdPerSlotS: [0, 0, 0, Number.NaN] }],
  };
  try {
    withAvailability({ stages: [{ id: 'x', runtimeS: 1 }] }, pools, bad);
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, InputError);
    const paths = (error as InputError).issues.map((issue) => formatPath(issue.path));
    assert.equal(paths, ['availability.pools[1].atS[2]', 'availability.pools[2].slots[1]', 'availability.pools[2].freeSlots', 'availability.pools[2].hazardPerS[3]', 'availability.pools[2].priceUsdPerSlotS[3]']);
  }
  assert.throws(() => withAvailability({ stages: [{ id: 'x', runtimeS: 1 }] }, pools, { source: 'f', pools: [ok] }), (e: unknown) => e instanceof InputError && formatPath(e.issues[0]!.path) === 'availability.pools');
  assert.throws(() => withAvailability({ stages: [{ id: 'x', runtimeS: 1 }] }, pools, { source: 'f', pools: [ok, ok, { ...ok, atS: [5] }] }), (e: unknown) => e instanceof InputError && formatPath(e.issues[0]!.path) === 'availability.pools[2].atS[0]');
  // Above the resource map's own limits (slots 1e6; hazard and price per hour): refused, so every result stays finite.
  const huge = { source: 'f', pools: [ok, { ...ok, slots: [5e9] }, { ...ok, hazardPerS: [1e300], priceUsdPerSlotS: [1e300] }] };
  try {
    withAvailability({ stages: [{ id: 'x', runtimeS: 1 }] }, pools, huge);
    assert.unreachable('accepted numbers beyond the limits');
  } catch (error) {
    assert.equal((error as InputError).issues.map((issue) => formatPath(issue.path)), ['availability.pools[1].slots[0]', 'availability.pools[2].hazardPerS[0]', 'availability.pools[2].priceUsdPerSlotS[0]']);
  }
});

test('a forecast equal to the declared numbers scores exactly like the declared map', () => {
  const task = { stages: [{ id: 'x', runtimeS: 700 }, { id: 'y', runtimeS: 300, after: ['x'] }, { id: 'z', runtimeS: 50 }] };
  const pools = { pools: [{ id: 'p', region: 'A', slots: 2, priceUsdPerSlotHour: 3.6, interruptionPerHour: 0.36, capacity: [{ atS: 100, slots: 1 }] }] };
  const declared = scoreOn(problemOf(task, pools), [0, 0, 0]);
  // Same values split at extra breakpoints: no pool takes the fast path for price, none for hazard.
  const forecast = withAvailability(task, pools, { source: 'same numbers', pools: [{ atS: [0, 100, 400], slots: [2, 1, 1], hazardPerS: [1e-4, 1e-4, 1e-4], priceUsdPerSlotS: [1e-3, 1e-3, 1e-3] }] });
  const scored = scoreOn(forecast, [0, 0, 0]);
  assert.equal(Array.from(scored.schedule.startS), Array.from(declared.schedule.startS));
  near(scored.terms.computeUsd, declared.terms.computeUsd, 'computeUsd');
  near(scored.terms.interruptionS, declared.terms.interruptionS, 'interruptionS');
  assert.is(scored.terms.contentionS, 0);
});

test('rework over a hazard step: the window-mean hazard of the sub-task\'s own window', () => {
  // 100 s from t = 0; hazard 0 until 50 s, then 0.01 per s: H = 0.5, λ̄ = 0.005.
  const availability: Availability = { source: 'f', pools: [{ atS: [0, 50], slots: [1, 1], hazardPerS: [0, 0.01], priceUsdPerSlotS: [0.001, 0.001] }] };
  const problem = withAvailability({ stages: [{ id: 'x', runtimeS: 100 }] }, onePool, availability);
  const scored = scoreOn(problem, [0]);
  const expected = (Math.exp(0.5) - 1) / 0.005;
  near(scored.terms.makespanS, expected, 'makespan');
  near(scored.terms.interruptionS, expected - 100, 'interruptionS');
  near(scored.terms.interruptionUsd, (expected - 100) * 0.001, 'interruptionUsd');
  near(scored.terms.computeUsd, expected * 0.001, 'computeUsd');
  // The same sub-task started after the step sees the whole hazard: (e^{1} − 1)/0.01.
  near(expectedOverWindow([0, 50], 0, [0, 0.01], 0, 0, 2, 60, 100), Math.expm1(1) / 0.01, 'after the step');
  near(expectedOverWindow([0, 50], 0, [0, 0.01], 0, 0, 2, 0, 50), 50, 'before the step: no rework');
  // A constant hazard reproduces the closed form the graph caches.
  near(expectedOverWindow([0], 0, [2e-3], 0, 0, 1, 123, 400), expectedWithRework(400, 2e-3), 'constant hazard');
});

test('price over a price step: slot-seconds × the price integrated over the window', () => {
  // 100 s straddling a step at 40 s from 1 to 3 mUSD per slot-second: 40 × 0.001 + 60 × 0.003.
  const availability: Availability = { source: 'f', pools: [{ atS: [0, 40], slots: [1, 1], hazardPerS: [0, 0], priceUsdPerSlotS: [0.001, 0.003] }] };
  const problem = withAvailability({ stages: [{ id: 'x', runtimeS: 100 }] }, onePool, availability);
  const scored = scoreOn(problem, [0]);
  near(scored.terms.computeUsd, 0.04 + 0.18, 'computeUsd');
  assert.is(scored.terms.interruptionS, 0);
  near(integrateSegments([0, 40], 0, [0.001, 0.003], 0, 0, 2, 50, 50), 0, 'empty window');
});

test('contention: free slots dropping below use for 100 s give 100 slot-s, charged like makespan', () => {
  const task = { objective: { usdPerHour: 36 }, stages: [{ id: 'a', runtimeS: 300 }, { id: 'b', runtimeS: 300 }] };
  const pools = { pools: [{ id: 'p', region: 'A', slots: 2, priceUsdPerSlotHour: 0 }] };
  const availability: Availability = { source: 'f', pools: [{ atS: [0, 100, 200], slots: [2, 2, 2], freeSlots: [2, 1, 2], hazardPerS: [0, 0, 0], priceUsdPerSlotS: [0, 0, 0] }] };
  const scored = scoreOn(withAvailability(task, pools, availability), [0, 0]);
  assert.equal(Array.from(scored.schedule.startS), [0, 0]);
  near(scored.terms.contentionS, 100, 'contentionS');
  near(scored.terms.objective, (36 * (300 + 100)) / 3600, 'weighted objective');
  const makespanOnly = scoreOn(withAvailability(task, pools, availability, { objective: 'makespan' }), [0, 0]);
  near(makespanOnly.terms.objective, 400, 'makespan objective');
  // Free slots 0.5 below a single use: half a slot in excess.
  near(sweepContentionS([0], 0, [10], 0, 1, [0], 0, [0.5], 0, 0, 1), 5, 'fractional free slots');
  // A slot freed and retaken at the same instant is never two uses.
  near(sweepContentionS([0, 10], 0, [10, 20], 0, 2, [0], 0, [1], 0, 0, 1), 0, 'back to back');
});

test('the start rule: a duration re-computed at the found start must still fit the slot\'s window', () => {
  // One slot with windows [0, 100) and [200, ∞). a holds it until 50. b (40 s nominal) is
  // ready at 0: D(0) = 40 fits at 50, but D(50) (hazard 0.02 over [50, 90]) = 61.3 s would
  // outlive the window; round 2 looks for 61.3 s, finds 200, where D(200) = 40 fits.
  const pools = { pools: [{ id: 'p', region: 'A', slots: 1, capacity: [{ atS: 100, slots: 0 }, { atS: 200, slots: 1 }] }] };
  const availability: Availability = { source: 'f', pools: [{ atS: [0, 50, 100, 150, 200], slots: [1, 1, 0, 0, 1], hazardPerS: [0, 0.02, 0.02, 0, 0], priceUsdPerSlotS: [0, 0, 0, 0, 0] }] };
  const problem = withAvailability({ stages: [{ id: 'a', runtimeS: 50 }, { id: 'b', runtimeS: 40 }] }, pools, availability);
  const scored = scoreOn(problem, [0, 0], [0, 1]);
  assert.equal(Array.from(scored.schedule.startS), [0, 200]);
  assert.equal(Array.from(scored.schedule.finishS), [50, 240]);
  assert.is(scored.terms.interruptionS, 0);
});

test('the graph\'s expectedS is only a cache: a graph built under another hazard is not trusted', () => {
  const task = { stages: [{ id: 'x', runtimeS: 1000 }] };
  const declared = problemOf(task, onePool);
  const builder = new PartitionBuilder();
  builder.addGroup([0]);
  const graph = buildSubtaskGraph(declared, builder.build());
  assert.equal(Array.from(graph.reworkHazardPerS), [0.36 / 3600]);
  // A forecast with another constant hazard: the cost model integrates it instead.
  const forecast = withAvailability(task, onePool, { source: 'f', pools: [{ atS: [0], slots: [1], hazardPerS: [1e-3], priceUsdPerSlotS: [0.001] }] });
  const scored = evaluateCandidate(forecast, { graph, allocation: Int32Array.from([0]), order: Int32Array.from([0]), variant: 'test' });
  near(scored.terms.makespanS, Math.expm1(1) / 1e-3, 'makespan under the forecast hazard');
});

test.run();
