/**
 * NNLS (Lawson–Hanson on the normal equations): known solutions, a problem whose unconstrained
 * least squares is negative, badly scaled columns, and the KKT conditions on random problems.
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { nnls, nnlsNormal } from '../../src/profile/nnls.js';
import { propertySeed } from '../helpers/arbitraries.js';

const test = suite('nnls');

function close(actual: ArrayLike<number>, expected: readonly number[], tolerance: number, message: string): void {
  assert.is(actual.length, expected.length, message);
  expected.forEach((value, i) => {
    const error = Math.abs(actual[i]! - value);
    assert.ok(error <= tolerance * Math.max(1, Math.abs(value)), `${message}: x[${i}] = ${actual[i]}, expected ${value}`);
  });
}

test('an interior solution is the ordinary least-squares solution', () => {
  // A·(1, 2) = b exactly.
  close(nnls([[1, 0], [0, 1], [1, 1]], [1, 2, 3]).x, [1, 2], 1e-9, 'exact fit');
  // scipy.optimize.nnls documentation example: x = (1.5, 1).
  close(nnls([[1, 0], [1, 0], [0, 1]], [2, 1, 1]).x, [1.5, 1], 1e-9, 'scipy example');
});

test('a negative unconstrained coefficient is clamped to 0 and the rest refitted', () => {
  // Unconstrained: intercept 4, slope -1. With slope >= 0 the best is slope 0, intercept = mean(b) = 2.
  close(nnls([[1, 1], [1, 2], [1, 3]], [3, 2, 1]).x, [2, 0], 1e-9, 'decreasing data');
  // b entirely negative: x = 0.
  close(nnls([[1, 0], [1, 0], [0, 1]], [-1, -1, -1]).x, [0, 0], 0, 'negative data');
});

test('three terms where unconstrained least squares makes the middle one negative', () => {
  // y = 1 + 0.5·n·log2 n exactly at these n; the basis n is collinear enough that LS with noise
  // would trade it against n·log2 n. Here the exact answer has linear = 0.
  const ns = [2, 4, 8, 16, 32, 64];
  const rows = ns.map((n) => [1, n, n * Math.log2(n)]);
  const b = ns.map((n) => 1 + 0.5 * n * Math.log2(n) - 0.3 * n);
  // Unconstrained: (1, -0.3, 0.5). Constrained: linear must be 0.
  const { x } = nnls(rows, b);
  assert.ok(x[1] === 0, `linear term clamped, got ${x[1]}`);
  assert.ok(x[2]! > 0, 'the n·log2 n term carries the growth');
  // KKT (the problem is convex, so these certify the optimum): zero gradient on free terms, <= 0 on clamped ones.
  const residual = b.map((bi, r) => bi - rows[r]!.reduce((s, a, j) => s + a * x[j]!, 0));
  const gradient = [0, 1, 2].map((j) => rows.reduce((s, row, r) => s + row[j]! * residual[r]!, 0));
  gradient.forEach((g, j) => {
    if (x[j]! > 0) assert.ok(Math.abs(g) < 1e-6, `free term ${j} has gradient ${g}`);
    else assert.ok(g <= 1e-6, `clamped term ${j} has gradient ${g}`);
  });
});

test('columns on very different scales (a constant, bytes, bytes·log2 bytes)', () => {
  const ns = [1e6, 3e7, 2e8, 9e8, 4e9];
  const rows = ns.map((n) => [1, n, n * Math.log2(n)]);
  const truth = [0.8, 2.1e-7, 0];
  const b = rows.map((row) => row.reduce((s, a, j) => s + a * truth[j]!, 0));
  close(nnls(rows, b).x, truth, 1e-6, 'recovers 0.8 + 2.1e-7·n');
});

test('an all-zero column gets 0; weights act as row multiplicities', () => {
  close(nnls([[1, 0], [1, 0]], [2, 4]).x, [3, 0], 1e-9, 'zero column');
  close(nnls([[1], [1]], [2, 4], [3, 1]).x, [2.5], 1e-9, 'weighted mean');
  close(nnlsNormal([0, 0, 0, 0], [0, 0], 2).x, [0, 0], 0, 'empty problem');
});

test('random problems satisfy the KKT conditions', () => {
  const seed = propertySeed('nnls kkt');
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 4 }),
      fc.array(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 5, maxLength: 5 }), { minLength: 5, maxLength: 12 }),
      (p, data) => {
        const rows = data.map((row) => row.slice(0, p));
        const b = data.map((row) => row[4]!);
        const { x } = nnls(rows, b);
        const residual = b.map((bi, r) => bi - rows[r]!.reduce((s, a, j) => s + a * x[j]!, 0));
        const scale = 1 + Math.max(...b.map(Math.abs)) * Math.max(1, ...rows.flat().map(Math.abs)) * rows.length;
        for (let j = 0; j < p; j++) {
          const gradient = rows.reduce((s, row, r) => s + row[j]! * residual[r]!, 0);
          assert.ok(x[j]! >= 0, `x[${j}] = ${x[j]} < 0`);
          if (x[j]! > 0) assert.ok(Math.abs(gradient) <= 1e-7 * scale, `free x[${j}] has gradient ${gradient}`);
          else assert.ok(gradient <= 1e-7 * scale, `clamped x[${j}] has gradient ${gradient} > 0`);
        }
      },
    ),
    { seed, numRuns: 300 },
  );
});

test.run();
