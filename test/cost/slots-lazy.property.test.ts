import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SlotBook } from '../../src/cost/slots.js';
import { buildPoolTable } from '../../src/model/tables.js';
import { validateResourceMap } from '../../src/model/validate-pools.js';
import { propertySeed } from '../helpers/arbitraries.js';

const test = suite('slot book: state only for slots in use, same answers as looking at every slot');

interface Step {
  readonly atS: number;
  readonly slots: number;
}

/** Windows of slot k, straight from the capacity steps (independent of slots.ts). */
function windowsOf(steps: readonly Step[], startupS: number, k: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  steps.forEach((step, i) => {
    if (step.slots <= k) return;
    const from = Math.max(step.atS, startupS);
    const to = steps[i + 1]?.atS ?? Number.POSITIVE_INFINITY;
    if (from >= to) return;
    const last = out[out.length - 1];
    if (last !== undefined && last[1] === step.atS) last[1] = to;
    else out.push([from, to]);
  });
  return out;
}

/** Earliest start ≥ ready on any slot, appending after each slot's last sub-task. */
function earliestAppend(steps: readonly Step[], startupS: number, slots: number, lastEnd: readonly number[], ready: number, d: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let k = 0; k < slots; k++) {
    const t = Math.max(ready, lastEnd[k] ?? 0);
    for (const [from, to] of windowsOf(steps, startupS, k)) {
      const start = Math.max(t, from);
      if (start + d <= to) {
        best = Math.min(best, start);
        break;
      }
    }
  }
  return best;
}

const capacityArbitrary = fc.array(fc.record({ gapS: fc.integer({ min: 1, max: 30 }), slots: fc.integer({ min: 0, max: 6 }) }), { maxLength: 4 });

test('append mode: earliest start equals the scan over every slot, with or without capacity steps', () => {
  const seed = propertySeed('lazy slot book');
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 0, max: 10 }),
      capacityArbitrary,
      fc.array(fc.record({ readyS: fc.integer({ min: 0, max: 40 }), durationS: fc.integer({ min: 0, max: 15 }) }), { maxLength: 60 }),
      (slots, startupS, dips, requests) => {
        let at = 0;
        const capacity = dips.map((dip) => ({ atS: (at += dip.gapS), slots: dip.slots }));
        const resources = validateResourceMap({ pools: [{ id: 'p', region: 'A', slots, startupS, ...(capacity.length > 0 ? { capacity } : {}) }] });
        const pools = buildPoolTable(resources, new Map([['A', 0]]));
        const steps = resources.pools[0]!.capacity;
        const maxSlots = pools.maxSlots[0]!;
        for (const fast of [true, false]) {
          const book = new SlotBook(pools, false, 0, fast);
          const lastEnd: number[] = [];
          for (const { readyS, durationS } of requests) {
            const start = book.find(0, readyS, durationS);
            assert.is(start, earliestAppend(steps, startupS, maxSlots, lastEnd, readyS, durationS));
            if (!Number.isFinite(start)) continue;
            const slot = book.foundSlot;
            assert.ok(slot >= 0 && slot < maxSlots);
            assert.ok(windowsOf(steps, startupS, slot).some(([from, to]) => from <= start && start + durationS <= to), 'inside a window of its slot');
            book.reserve(0, slot, start, start + durationS);
            lastEnd[slot] = Math.max(lastEnd[slot] ?? 0, start + durationS);
          }
        }
      },
    ),
    { seed, numRuns: 300 },
  );
});

test('insertion mode: placements never overlap in a slot and fit its windows; 100,000 slots cost nothing up front', () => {
  const seed = propertySeed('lazy slot book, insertion');
  fc.assert(
    fc.property(
      fc.constantFrom(1, 3, 100_000),
      capacityArbitrary,
      fc.array(fc.record({ readyS: fc.integer({ min: 0, max: 40 }), durationS: fc.integer({ min: 1, max: 15 }) }), { maxLength: 60 }),
      (slots, dips, requests) => {
        let at = 0;
        const capacity = dips.map((dip) => ({ atS: (at += dip.gapS), slots: Math.min(dip.slots * (slots > 6 ? 20_000 : 1), slots) }));
        const resources = validateResourceMap({ pools: [{ id: 'p', region: 'A', slots, ...(capacity.length > 0 ? { capacity } : {}) }] });
        const pools = buildPoolTable(resources, new Map([['A', 0]]));
        const steps = resources.pools[0]!.capacity;
        const book = new SlotBook(pools, true);
        const busy = new Map<number, Array<[number, number]>>();
        for (const { readyS, durationS } of requests) {
          const start = book.find(0, readyS, durationS);
          if (!Number.isFinite(start)) continue;
          assert.ok(start >= readyS);
          const slot = book.foundSlot;
          const intervals = busy.get(slot) ?? [];
          assert.ok(intervals.every(([a, b]) => start + durationS <= a || b <= start), 'no overlap in the slot');
          assert.ok(windowsOf(steps, 0, slot).some(([from, to]) => from <= start && start + durationS <= to), 'inside a window of its slot');
          // With slots to spare, a sub-task starts when it is ready if the pool has a slot then.
          if (slots === 100_000 && capacity.length === 0) assert.is(start, readyS);
          intervals.push([start, start + durationS]);
          busy.set(slot, intervals);
          book.reserve(0, slot, start, start + durationS);
        }
      },
    ),
    { seed, numRuns: 200 },
  );
});

test.run();
