import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { expm1 } from '../../src/cost/expm1.js';
import { seededRandom } from '../../src/synthetic/layered.js';

const test = suite('expm1 (the kernel\'s, in TypeScript)');

test('agrees with Math.expm1 to the last bits over every branch of the algorithm', () => {
  const random = seededRandom(3);
  const values = [0, -0, 1e-300, 1e-17, 0.1, 0.3465, 0.5, 1, 1.03, 2, 10, 20, 40, 56 * Math.LN2, 100, 700, -0.2, -0.3, -1, -5, -40, -800];
  for (let i = 0; i < 2000; i++) values.push((random() - 0.3) * 10 ** (random() * 6 - 4));
  for (const x of values) {
    const want = Math.expm1(x);
    const got = expm1(x);
    assert.ok(Object.is(got, want) || Math.abs(got - want) <= 4e-16 * Math.abs(want), `expm1(${x}): ${got} vs ${want}`);
  }
  assert.is(expm1(710), Number.POSITIVE_INFINITY);
  assert.ok(Number.isNaN(expm1(Number.NaN)));
  assert.is(expm1(-1000), -1);
});

test.run();
