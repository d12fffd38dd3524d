import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assembleProblem } from '../../src/model/problem.js';
import { validateResourceMap } from '../../src/model/validate-pools.js';
import { validateTaskDefinition } from '../../src/model/validate-task.js';
import { planConstructive } from '../../src/plan/planner.js';
import { buildSubtaskGraph, PartitionBuilder } from '../../src/model/subtasks.js';
import { makespanRisk, normalCdf } from '../../src/plan/risk.js';
import { RISK_LEVELS, type RuntimeSpread } from '../../src/profile/spread.js';
import { normalQuantile } from '../../src/profile/quantiles.js';

const test = suite('plan/risk: the makespan under the history\'s spread');

/** A fan: one source, `width` parallel 10 s tasks of one op, one sink; as many slots as tasks. */
function fan(width: number, deadlineS?: number) {
  const stages = [
    { id: 'src', op: 'src', runtimeS: 1 },
    ...Array.from({ length: width }, (_, i) => ({ id: `t${i}`, op: 'work', runtimeS: 10, after: ['src'] })),
    { id: 'sink', op: 'sink', runtimeS: 1, after: Array.from({ length: width }, (_, i) => `t${i}`) },
  ];
  const problem = assembleProblem(validateTaskDefinition({ name: 'fan', stages, ...(deadlineS === undefined ? {} : { deadlineS }) }), validateResourceMap({ pools: [{ id: 'p', region: 'r', slots: width }] }), { objective: 'makespan' });
  return { problem, outcome: planConstructive(problem, { planner: 'heft' }) };
}

/** Lognormal spread of log sigma `sigma` around the planned runtime for the stages of op 'work' (index 1..width). */
function spreadOf(stageCount: number, sigma: number, jobShiftSigma: number): RuntimeSpread {
  const L = RISK_LEVELS.length;
  const logRatio = new Float64Array(stageCount * L);
  const job = new Float64Array(stageCount);
  for (let v = 1; v < stageCount - 1; v++) {
    for (let k = 0; k < L; k++) logRatio[v * L + k] = sigma * normalQuantile(RISK_LEVELS[k]!);
    job[v] = jobShiftSigma;
  }
  return { logRatio, jobShiftSigma: job };
}

test('normalCdf matches known values', () => {
  for (const [z, p] of [[0, 0.5], [1, 0.841344746], [-1, 0.158655254], [1.959964, 0.975], [-2.326348, 0.01]] as const) {
    assert.ok(Math.abs(normalCdf(z) - p) < 2e-7, `Φ(${z}) = ${normalCdf(z)}`);
  }
});

test('no spread: every draw is the plan itself', () => {
  const { problem, outcome } = fan(8);
  const risk = makespanRisk(problem, outcome.scored, spreadOf(10, 0, 0), { samples: 50 });
  const planned = outcome.plan.summary.makespanS;
  for (const q of [risk.makespanS.p10, risk.makespanS.p50, risk.makespanS.p90]) assert.ok(Math.abs(q - planned) < 1e-9, `${q} vs ${planned}`);
});

test('independent spread: the slowest of 40 parallel tasks pushes the median makespan past the planned one', () => {
  const { problem, outcome } = fan(40);
  const sigma = 0.2;
  const risk = makespanRisk(problem, outcome.scored, spreadOf(42, sigma, 0), { samples: 400, seed: 3 });
  const planned = outcome.plan.summary.makespanS; // 1 + 10 + 1
  assert.ok(risk.makespanS.p10 <= risk.makespanS.p50 && risk.makespanS.p50 <= risk.makespanS.p90);
  // The median of the max of 40 lognormals is about exp(σ·Φ⁻¹(0.5^(1/40))) ≈ exp(0.2·2.04) ≈ 1.50 × 10 s.
  const expected = 2 + 10 * Math.exp(sigma * normalQuantile(0.5 ** (1 / 40)));
  assert.ok(Math.abs(risk.makespanS.p50 - expected) / expected < 0.05, `P50 ${risk.makespanS.p50} vs ${expected}`);
  assert.ok(risk.makespanS.p10 > planned, 'even P10 of the max is above every task at its median');
});

test('a shared run shift (ρ = 1): the makespan follows one draw, so its median is the planned one', () => {
  const { problem, outcome } = fan(40);
  const risk = makespanRisk(problem, outcome.scored, spreadOf(42, 0.2, 0.2), { samples: 400, seed: 3 });
  const planned = outcome.plan.summary.makespanS;
  assert.ok(Math.abs(risk.makespanS.p50 - planned) / planned < 0.05, `P50 ${risk.makespanS.p50} vs ${planned}`);
  // P90 of one lognormal factor: 2 + 10·exp(0.2·1.2816).
  const p90 = 2 + 10 * Math.exp(0.2 * 1.2816);
  assert.ok(Math.abs(risk.makespanS.p90 - p90) / p90 < 0.05, `P90 ${risk.makespanS.p90} vs ${p90}`);
});

test('deadline share: the fraction of draws at or under the deadline', () => {
  const { problem, outcome } = fan(8, 13);
  const risk = makespanRisk(problem, outcome.scored, spreadOf(10, 0.2, 0.2), { samples: 1000, seed: 5 });
  // ρ = 1: one factor f, makespan 2 + 10 f <= 13 ⇔ f <= 1.1 ⇔ z <= ln(1.1)/0.2.
  const expected = normalCdf(Math.log(1.1) / 0.2);
  assert.ok(risk.deadlineMetShare !== undefined && Math.abs(risk.deadlineMetShare - expected) < 0.04, `${risk.deadlineMetShare} vs ${expected}`);
  assert.is(makespanRisk(fan(8).problem, fan(8).outcome.scored, spreadOf(10, 0.2, 0.2), { samples: 10 }).deadlineMetShare, undefined);
});

test('same seed, same answer', () => {
  const { problem, outcome } = fan(12);
  const a = makespanRisk(problem, outcome.scored, spreadOf(14, 0.3, 0.1), { samples: 60, seed: 9 });
  const b = makespanRisk(problem, outcome.scored, spreadOf(14, 0.3, 0.1), { samples: 60, seed: 9 });
  assert.equal(a, b);
});

test('a cluster draws each member: ten independent 10 s tasks in one sub-task spread like their mean, not like one task', () => {
  const stages = Array.from({ length: 10 }, (_, i) => ({ id: `t${i}`, op: 'work', runtimeS: 10 }));
  const problem = assembleProblem(validateTaskDefinition({ name: 'cluster', stages }), validateResourceMap({ pools: [{ id: 'p', region: 'r', slots: 1 }] }), { objective: 'makespan' });
  const builder = new PartitionBuilder();
  builder.addGroup(Int32Array.from({ length: 10 }, (_, i) => i));
  const graph = buildSubtaskGraph(problem, builder.build());
  const candidate = { graph, allocation: Int32Array.of(0), order: Int32Array.of(0), variant: 'one cluster' };
  const L = RISK_LEVELS.length;
  const logRatio = new Float64Array(10 * L);
  for (let v = 0; v < 10; v++) for (let k = 0; k < L; k++) logRatio[v * L + k] = 0.5 * normalQuantile(RISK_LEVELS[k]!);
  const risk = makespanRisk(problem, candidate, { logRatio, jobShiftSigma: new Float64Array(10) }, { samples: 400, seed: 2 });
  const ratio = risk.makespanS.p90 / risk.makespanS.p50;
  // One shared draw would give exp(1.2816 · 0.5) ≈ 1.90; the mean of ten independent ones about 1.2.
  assert.ok(ratio < 1.35, `P90/P50 ${ratio}`);
  assert.ok(ratio > 1.05, `P90/P50 ${ratio}: the members still vary`);
});

test('draws that outlast a pool\'s capacity are counted as unfinished, not thrown', () => {
  const problem = assembleProblem(
    validateTaskDefinition({ name: 'closing', stages: [{ id: 'a', op: 'work', runtimeS: 10 }, { id: 'b', op: 'work', runtimeS: 10, after: ['a'] }] }),
    validateResourceMap({ pools: [{ id: 'p', region: 'r', slots: 1, capacity: [{ atS: 25, slots: 0 }] }] }),
    { objective: 'makespan' },
  );
  const { scored, plan } = planConstructive(problem, { planner: 'heft' });
  assert.is(plan.summary.makespanS, 20);
  const L = RISK_LEVELS.length;
  const logRatio = new Float64Array(2 * L);
  for (let v = 0; v < 2; v++) for (let k = 0; k < L; k++) logRatio[v * L + k] = 0.4 * normalQuantile(RISK_LEVELS[k]!);
  const risk = makespanRisk(problem, scored, { logRatio, jobShiftSigma: new Float64Array(2) }, { samples: 300, seed: 4 });
  assert.ok(risk.unfinishedShare > 0.05 && risk.unfinishedShare < 0.6, `unfinished ${risk.unfinishedShare}`);
  assert.is(risk.makespanS.p90, Number.POSITIVE_INFINITY);
  assert.ok(Number.isFinite(risk.makespanS.p10) && risk.makespanS.p10 < 25);
});

test.run();
