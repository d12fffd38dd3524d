/**
 * Conformal offsets with recency weights: equal weights give the plain conformal ranks; after a
 * change to a noisier regime the weighted band recovers coverage that the equal-weight band
 * does not; the short-lead spread ratio sees the change and stays at 1 without one.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conformalOffsets, recentSpreadRatio, weightedConformalPair } from '../../src/forecast/conformal.js';
import { seededRandom } from '../../src/util/random.js';

function gaussian(seed: number): () => number {
  const random = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(Math.max(random(), 1e-12))) * Math.cos(2 * Math.PI * random());
}

test('equal weights give the order statistics of the plain conformal ranks', () => {
  const g = gaussian(1);
  for (const m of [8, 19, 60]) {
    const list = Array.from({ length: m }, () => g());
    const plain = conformalOffsets([list], 1)!;
    const weighted = conformalOffsets([list], 1, { halfLife: 1e15 })!;
    assert.ok(Math.abs(plain.lower[0]! - weighted.lower[0]!) < 1e-12, `m=${m} lower ${plain.lower[0]} ${weighted.lower[0]}`);
    assert.ok(Math.abs(plain.upper[0]! - weighted.upper[0]!) < 1e-12, `m=${m} upper ${plain.upper[0]} ${weighted.upper[0]}`);
  }
  const pair = weightedConformalPair([3, 1, 2], Float64Array.from([1, 1, 1]), 0.1, 0.9, 1, new Int32Array(3));
  assert.equal(pair, { lower: 1, upper: 3 });
});

test('recency-weighted coverage recovers after a shift to a noisier regime', () => {
  const g = gaussian(2);
  let weightedCovered = 0;
  let plainCovered = 0;
  let total = 0;
  for (let trial = 0; trial < 40; trial++) {
    // Latest first: the last 24 origins in a regime three times as noisy as the 36 before.
    const list = [...Array.from({ length: 24 }, () => 3 * g()), ...Array.from({ length: 36 }, () => g())];
    const weighted = conformalOffsets([list], 1, { halfLife: 12 })!;
    const plain = conformalOffsets([list], 1)!;
    for (let k = 0; k < 50; k++) {
      const next = 3 * g();
      if (next >= weighted.lower[0]! && next <= weighted.upper[0]!) weightedCovered++;
      if (next >= plain.lower[0]! && next <= plain.upper[0]!) plainCovered++;
      total++;
    }
  }
  const w = weightedCovered / total;
  const p = plainCovered / total;
  assert.ok(w > 0.72, `weighted coverage ${w}`);
  assert.ok(w > p + 0.05, `weighted ${w} against equal weights ${p}`);
});

test('the short-lead spread ratio sees a noisier regime and is 1 in a steady one', () => {
  const g = gaussian(3);
  const steps = 12;
  const steady = Array.from({ length: steps }, () => Array.from({ length: 60 }, () => g()));
  assert.ok(recentSpreadRatio(steady, steps, 6) < 1.25, `steady ${recentSpreadRatio(steady, steps, 6)}`);
  const changed = Array.from({ length: steps }, () => Array.from({ length: 60 }, (_, i) => (i < 6 ? 3 : 1) * g()));
  assert.ok(recentSpreadRatio(changed, steps, 6) > 2, `changed ${recentSpreadRatio(changed, steps, 6)}`);
  assert.is(recentSpreadRatio([[1, 2]], 1, 6), 1);
});

test.run();
