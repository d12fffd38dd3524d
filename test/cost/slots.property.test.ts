import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SlotBook } from '../../src/cost/slots.js';
import { buildPoolTable } from '../../src/model/tables.js';
import { validateResourceMap } from '../../src/model/validate-pools.js';
import { propertySeed } from '../helpers/arbitraries.js';

const test = suite('slot book: sorted best-fit fast path = the scan');

test('same start and slot for every find/reserve sequence', () => {
  const seed = propertySeed('slot book');
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 12 }),
      fc.double({ min: 0, max: 50, noNaN: true }),
      // Ready times and durations drawn from a small grid, so ties between slots are common.
      fc.array(fc.record({ readyS: fc.integer({ min: 0, max: 40 }), durationS: fc.integer({ min: 0, max: 15 }) }), { maxLength: 120 }),
      (slots, startupS, steps) => {
        const resources = validateResourceMap({ pools: [{ id: 'p', region: 'A', slots, startupS }] });
        const pools = buildPoolTable(resources, new Map([['A', 0]]));
        const fast = new SlotBook(pools, false, 0, true);
        const scan = new SlotBook(pools, false, 0, false);
        for (const { readyS, durationS } of steps) {
          const a = fast.find(0, readyS, durationS);
          const b = scan.find(0, readyS, durationS);
          assert.is(a, b);
          assert.is(fast.foundSlot, scan.foundSlot);
          fast.reserve(0, fast.foundSlot, a, a + durationS);
          scan.reserve(0, scan.foundSlot, b, b + durationS);
        }
      },
    ),
    { seed, numRuns: 300 },
  );
});

test.run();
