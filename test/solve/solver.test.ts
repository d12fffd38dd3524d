import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HighsSolver, loadHighsRuntime } from '../../src/solve/highs.js';
import { mapJslpResult } from '../../src/solve/jslp.js';
import { toLpText } from '../../src/solve/lp-format.js';
import { createSolver } from '../../src/solve/create.js';
import { lagrangianBound, ModelBuilder, type BackendId, type LinearModel, type SolveResult } from '../../src/solve/solver.js';
import { assignmentModel } from '../helpers/models.js';

const BACKENDS: readonly BackendId[] = ['highs', 'jslp'];

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-6 * (1 + Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

function solved(result: SolveResult): Extract<SolveResult, { state: 'optimal' | 'feasible' }> {
  if (result.state !== 'optimal' && result.state !== 'feasible') throw new Error(`expected a solution, got ${result.state}${'message' in result ? `: ${result.message}` : ''}`);
  return result;
}

/** min x + 2y s.t. x + y ≥ 3, x ≤ 2, 0 ≤ x, y ≤ 10: x = 2, y = 1, objective 4. */
function smallLp(): LinearModel {
  const b = new ModelBuilder();
  const x = b.addVariable('x', { cost: 1, upper: 10 });
  const y = b.addVariable('y', { cost: 2, upper: 10 });
  b.addConstraint('cover', [{ variable: x, coefficient: 1 }, { variable: y, coefficient: 1 }], '>=', 3);
  b.addConstraint('cap', [{ variable: x, coefficient: 1 }], '<=', 2);
  return b.build();
}

/**
 * 0-1 knapsack, values 8 11 6 4, weights 5 7 4 3, capacity 14, as a minimisation of −value.
 * LP relaxation (by value/weight ratio): x = (1, 1, 0.5, 0) → −22; integer optimum x = (0, 1, 1, 1) → −21.
 */
function knapsack(): LinearModel {
  const b = new ModelBuilder();
  const values = [8, 11, 6, 4];
  const weights = [5, 7, 4, 3];
  const xs = values.map((v, i) => b.addVariable(`x${i}`, { cost: -v, upper: 1, integer: true }));
  b.addConstraint('weight', xs.map((x, i) => ({ variable: x, coefficient: weights[i]! })), '<=', 14);
  return b.build();
}

/** Free variables: min z s.t. z ≥ x − 4, z ≥ 2 − x: optimum at x = 3, z = −1; plus an equality and an offset. */
function freeModel(): LinearModel {
  const b = new ModelBuilder();
  const z = b.addVariable('z', { lower: Number.NEGATIVE_INFINITY, cost: 1 });
  const x = b.addVariable('x', { lower: Number.NEGATIVE_INFINITY });
  const w = b.addVariable('w', { lower: -5, upper: 5, cost: 0.5 });
  b.addConstraint('a', [{ variable: z, coefficient: 1 }, { variable: x, coefficient: -1 }], '>=', -4);
  b.addConstraint('b', [{ variable: z, coefficient: 1 }, { variable: x, coefficient: 1 }], '>=', 2);
  b.addConstraint('c', [{ variable: w, coefficient: 2 }], '=', 3);
  b.addOffset(10);
  return b.build();
}

const test = suite('solver backends (HiGHS, javascript-lp-solver)');

for (const id of BACKENDS) {
  test(`${id}: LP optimum 4 at (2, 1)`, async () => {
    const result = solved(await createSolver(id).solve(smallLp(), { timeLimitMs: 5000, integer: false }));
    assert.is(result.state, 'optimal');
    close(result.objective, 4, 'objective');
    close(result.values[0]!, 2, 'x');
    close(result.values[1]!, 1, 'y');
  });

  test(`${id}: knapsack ILP −21 (integral), its relaxation −22`, async () => {
    const solver = createSolver(id);
    const ilp = solved(await solver.solve(knapsack(), { timeLimitMs: 5000, integer: true, relativeGap: 0 }));
    assert.is(ilp.state, 'optimal');
    assert.ok(ilp.integral);
    close(ilp.objective, -21, 'ILP objective');
    assert.equal(Array.from(ilp.values, Math.round), [0, 1, 1, 1]);
    const lp = solved(await solver.solve(knapsack(), { timeLimitMs: 5000, integer: false }));
    close(lp.objective, -22, 'LP objective');
    assert.not.ok(lp.integral, 'the relaxation is fractional');
  });

  test(`${id}: free variables, equalities and the objective offset`, async () => {
    const result = solved(await createSolver(id).solve(freeModel(), { timeLimitMs: 5000, integer: false }));
    close(result.objective, 10 - 1 + 0.75, 'objective');
    close(result.values[0]!, -1, 'z');
    close(result.values[1]!, 3, 'x');
    close(result.values[2]!, 1.5, 'w');
  });

  test(`${id}: infeasible and unbounded models are named as such`, async () => {
    const solver = createSolver(id);
    const b = new ModelBuilder();
    const x = b.addVariable('x', { cost: 1, upper: 1 });
    b.addConstraint('too much', [{ variable: x, coefficient: 1 }], '>=', 2);
    assert.is((await solver.solve(b.build(), { timeLimitMs: 5000, integer: false })).state, 'infeasible');
    const u = new ModelBuilder();
    const y = u.addVariable('y', { cost: -1 });
    u.addConstraint('floor', [{ variable: y, coefficient: 1 }], '>=', 0);
    assert.is((await solver.solve(u.build(), { timeLimitMs: 5000, integer: false })).state, 'unbounded');
  });
}

test('both backends agree on a random feasible LP family', async () => {
  for (let seed = 1; seed <= 5; seed++) {
    const b = new ModelBuilder();
    const xs = Array.from({ length: 6 }, (_, j) => b.addVariable(`x${j}`, { cost: 1 + ((seed * 7 + j * 3) % 5), upper: 4 }));
    for (let i = 0; i < 4; i++) b.addConstraint(`r${i}`, xs.map((x, j) => ({ variable: x, coefficient: ((seed + i * 5 + j * 2) % 4) + 1 })), '>=', 3 + i + seed);
    const model = b.build();
    const [h, j] = await Promise.all(BACKENDS.map((id) => createSolver(id).solve(model, { timeLimitMs: 5000, integer: false })));
    close(solved(h!).objective, solved(j!).objective, `seed ${seed}`);
  }
});

test('jslp: a fractional answer marked feasible is never an integer solution', () => {
  const model = knapsack();
  const options = { timeLimitMs: 10, integer: true } as const;
  // What javascript-lp-solver returns when branch-and-cut times out on the root relaxation.
  const fractional = { feasible: true, result: -22, bounded: true, v0: 1, v1: 1, v2: 0.5 };
  const timedOut = mapJslpResult(model, options, fractional, 25);
  assert.is(timedOut.state, 'timeout-no-solution');
  // Marked integral but fractional (defensive): still not a solution.
  assert.is(mapJslpResult(model, options, { ...fractional, isIntegral: true }, 25).state, 'timeout-no-solution');
  // A real integral answer passes, with zero values the library omits filled in.
  const good = mapJslpResult(model, options, { feasible: true, result: -21, bounded: true, isIntegral: true, v1: 1, v2: 1, v3: 1 }, 3);
  assert.is(good.state, 'optimal');
  assert.equal(Array.from(solved(good).values), [0, 1, 1, 1]);
  // The same integral answer after the time limit is feasible, not proven optimal.
  assert.is(mapJslpResult(model, options, { feasible: true, result: -21, bounded: true, isIntegral: true, v1: 1, v2: 1, v3: 1 }, 30).state, 'feasible');
  // Not feasible after a time-out is no proof of infeasibility.
  assert.is(mapJslpResult(model, options, { feasible: false, result: 0 }, 30).state, 'timeout-no-solution');
  assert.is(mapJslpResult(model, options, { feasible: false, result: 0 }, 3).state, 'infeasible');
});

test('a point that breaks a row is reported as an error, not a solution', () => {
  const model = smallLp();
  const result = mapJslpResult(model, { timeLimitMs: 100, integer: false }, { feasible: true, result: 0, bounded: true, v0: 0, v1: 0 }, 1);
  assert.is(result.state, 'error');
});

test('lagrangianBound: exact duals give the optimum; any duals give a lower bound', () => {
  const model = smallLp();
  // HiGHS convention: reduced costs c − Aᵀy; optimal y = (2, −1).
  close(lagrangianBound(model, [2, -1]), 4, 'bound at the optimal duals');
  for (const y of [[0, 0], [1, 0], [3, -2], [-1, 1]]) assert.ok(lagrangianBound(model, y) <= 4 + 1e-12, `bound at ${y}`);
});

test('LP text wraps long rows and names columns by index', () => {
  const b = new ModelBuilder();
  const xs = Array.from({ length: 40 }, (_, j) => b.addVariable(`weird name ${j}: e1`, { cost: j % 3 === 0 ? -1e-7 : 2.5 }));
  b.addConstraint('long', xs.map((x) => ({ variable: x, coefficient: 1 })), '<=', 1);
  const text = toLpText(b.build());
  assert.ok(text.split('\n').every((line) => line.length < 255), 'no line reaches 255 characters');
  assert.ok(text.includes(' x39'));
  assert.not.ok(text.includes('weird'));
});

test('HiGHS: a crashed runtime is discarded and the solve retried on a fresh one', async () => {
  let created = 0;
  const solver = new HighsSolver({
    loader: async (options) => {
      const highs = await loadHighsRuntime(options);
      created++;
      if (created > 1) return highs;
      return {
        ...highs,
        createModel: () => {
          throw new WebAssembly.RuntimeError('Aborted(OOM)');
        },
      } as typeof highs;
    },
  });
  const result = solved(await solver.solve(smallLp(), { timeLimitMs: 5000, integer: false }));
  close(result.objective, 4, 'objective after recovery');
  assert.is(solver.loads, 2);
});

test('HiGHS: unreadable input is an error, and the next solve works on a reloaded runtime', async () => {
  const solver = new HighsSolver();
  const before = solver.loads;
  const bad = await solver.solveText('this is ::: not an LP file', smallLp(), { timeLimitMs: 2000, integer: false });
  assert.is(bad.state, 'error');
  const good = solved(await solver.solve(smallLp(), { timeLimitMs: 5000, integer: false }));
  close(good.objective, 4, 'objective');
  assert.ok(solver.loads > before, 'a fresh runtime was loaded after the failure');
});

test('time limits are respected and reported honestly', async () => {
  const model = assignmentModel(200, 10);
  const limitMs = 300;
  const started = performance.now();
  const result = await createSolver('highs').solve(model, { timeLimitMs: limitMs, integer: true, relativeGap: 0 });
  const elapsed = performance.now() - started;
  assert.ok(elapsed < limitMs + 2500, `HiGHS took ${elapsed} ms for a ${limitMs} ms limit`);
  assert.ok(['optimal', 'feasible', 'timeout-no-solution'].includes(result.state), result.state);
  if (result.state === 'feasible' || result.state === 'optimal') assert.ok(result.integral);
  if (result.state === 'feasible' && result.dualBound !== undefined) assert.ok(result.dualBound <= result.objective + 1e-6);

  const small = assignmentModel(30, 4);
  const jStarted = performance.now();
  const j = await createSolver('jslp').solve(small, { timeLimitMs: 50, integer: true });
  const jElapsed = performance.now() - jStarted;
  assert.ok(jElapsed < 50 + 5000, `jslp took ${jElapsed} ms`);
  if (j.state === 'optimal' || j.state === 'feasible') assert.ok(j.integral, 'jslp reported a fractional point as a solution');
  else assert.ok(['timeout-no-solution', 'error'].includes(j.state), j.state);
});

test.run();
