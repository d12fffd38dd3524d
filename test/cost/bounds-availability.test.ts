/**
 * The quick bounds and the "no pool can finish" refusal under a time-varying availability:
 * they must use the hazard and price of the segments a sub-task can run in, not the first
 * segment's (which the pool table carries).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { costLowerBoundUsd, unfinishableStages, usableLeast } from '../../src/cost/bounds.js';
import type { Availability } from '../../src/model/availability.js';
import { planConstructive } from '../../src/plan/planner.js';
import { problemOf } from '../helpers/problems.js';

const test = suite('bounds under time-varying availability');

const task = { name: 't', stages: [{ id: 'a', op: 'x', runtimeS: 3600 }], data: [] };
const pools = { pools: [{ id: 'p', region: 'A', slots: 1, priceUsdPerSlotHour: 1, interruptionPerHour: 0 }] };
const onePool = (atS: number[], slots: number[], perHour: number[], usdPerHour: number[]): Availability => ({
  source: 'test',
  pools: [{ atS, slots, hazardPerS: perHour.map((h) => h / 3600), priceUsdPerSlotS: usdPerHour.map((u) => u / 3600) }],
});

test('least hazard and price come from segments with a slot, after start-up', () => {
  const problem = problemOf(task, { pools: [{ ...pools.pools[0]!, startupS: 50 }] }, { availability: onePool([0, 10, 100, 200], [1, 1, 0, 1], [5, 9, 0.01, 2], [1, 0.5, 0.01, 0.8]) });
  const least = usableLeast(problem);
  // Segment [0, 10) ends before start-up; [100, 200) has no slot.
  assert.ok(Math.abs(least.hazardPerS[0]! - 2 / 3600) < 1e-15);
  assert.ok(Math.abs(least.priceUsdPerSlotS[0]! - 0.5 / 3600) < 1e-15);
});

test('quick cost bound: a price that drops later is not a bound at its first value', () => {
  const problem = problemOf(task, pools, { objective: 'cost', availability: onePool([0, 10], [1, 1], [0, 0], [1, 0.01]) });
  const plan = planConstructive(problem).plan.summary;
  const bound = costLowerBoundUsd(problem);
  assert.ok(bound <= plan.costUsd * (1 + 1e-9), `bound ${bound} vs plan ${plan.costUsd}`);
  assert.ok(bound >= 3600 * (0.01 / 3600) * (1 - 1e-9), `bound ${bound}`);
});

test('a hazard that is endless at first but 0 later: the stage is not refused', () => {
  const problem = problemOf(task, pools, { availability: onePool([0, 100], [1, 1], [1e9, 0], [1, 1]) });
  assert.equal(unfinishableStages(problem), []);
});

test('a low-hazard window after a gap in capacity keeps the stage; a short one does not', () => {
  // Window [0, 1000) at an endless hazard; window [2000, ∞) at none: runnable.
  const runnable = problemOf(task, pools, { availability: onePool([0, 1000, 2000], [1, 0, 1], [1e9, 0, 0], [1, 1, 1]) });
  assert.equal(unfinishableStages(runnable), []);
  // Window [0, 1000) at no hazard but too short; window [2000, ∞) at an endless hazard: refused.
  const refused = problemOf(task, pools, { availability: onePool([0, 1000, 2000], [1, 0, 1], [0, 0, 1e9], [1, 1, 1]) });
  const issues = unfinishableStages(refused);
  assert.is(issues.length, 1);
  assert.match(issues[0]!.message, 'no pool can finish "a"');
});

test.run();
