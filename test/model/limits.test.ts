import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError, formatPath } from '../../src/model/issues.js';
import { MAX_BYTES, MAX_CHUNKS_PER_STAGE, MAX_CHUNKS_TOTAL, MAX_SECONDS, MAX_SLOTS, MAX_UNITS } from '../../src/model/limits.js';
import { validateResourceMap } from '../../src/model/validate-pools.js';
import { validateTaskDefinition } from '../../src/model/validate-task.js';

const test = suite('validators: documented maxima keep every result finite');

function issuesOf(run: () => unknown): Array<{ path: string; message: string }> {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
    throw error;
  }
  return [];
}

const task = (stage: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown => ({ name: 't', stages: [{ id: 'a', ...stage }], ...extra });
const pool = (fields: Record<string, unknown>): unknown => ({ pools: [{ id: 'p', region: 'A', slots: 1, ...fields }] });

test('a runtime of 1e308 is refused at its field, with the limit', () => {
  const issues = issuesOf(() => validateTaskDefinition(task({ runtimeS: 1e308 })));
  assert.equal(issues.map((i) => i.path), ['stages[0].runtimeS']);
  assert.match(issues[0]!.message, 'expected a number <= 1e12, received 1e+308 (above the limit that keeps results finite)');
});

test('values at the maximum are valid', () => {
  const definition = validateTaskDefinition({
    name: 't',
    data: [{ id: 'd', bytes: MAX_BYTES }],
    deadlineS: MAX_SECONDS,
    stages: [
      { id: 'a', runtimeS: MAX_SECONDS, inputs: ['d'], outputBytes: MAX_BYTES },
      { id: 'b', items: MAX_UNITS, minChunk: 1, runtimePerItemS: MAX_SECONDS / MAX_UNITS },
    ],
  });
  assert.is(definition.stages.length, 2);
  const resources = validateResourceMap(pool({ slots: MAX_SLOTS, speed: 1e-6, capacity: [{ atS: MAX_SECONDS, slots: 0 }] }));
  assert.is(resources.pools[0]!.slots, MAX_SLOTS);
});

test('per-item quantities are limited as totals over the stage', () => {
  const issues = issuesOf(() => validateTaskDefinition(task({ items: 1e15, runtimePerItemS: 1, bytesPerItem: 1e4, outputBytesPerItem: 1e4 })));
  assert.equal(issues.map((i) => i.path).sort(), ['stages[0].bytesPerItem', 'stages[0].outputBytesPerItem', 'stages[0].runtimePerItemS']);
  assert.match(issues.find((i) => i.path.endsWith('runtimePerItemS'))!.message, 'runtimePerItemS 1 × 1e15 units is 1e15 s for the stage, above the limit of 1e12 s');
});

test('items above 1e15 (not exact as unit ranges) are refused', () => {
  const issues = issuesOf(() => validateTaskDefinition(task({ items: 1e16 })));
  assert.equal(issues.map((i) => i.path), ['stages[0].items']);
});

test(`a maxChunk that forces more than ${MAX_CHUNKS_PER_STAGE} chunks is refused at maxChunk`, () => {
  const issues = issuesOf(() => validateTaskDefinition(task({ items: 1_000_000, maxChunk: 10 })));
  assert.equal(issues.map((i) => i.path), ['stages[0].maxChunk']);
  assert.match(issues[0]!.message, `needs 100000 chunks, more than the ${MAX_CHUNKS_PER_STAGE} a stage may be cut into`);
});

test(`stages that together need more than ${MAX_CHUNKS_TOTAL} chunks are refused at the stage that crosses it`, () => {
  const stages = Array.from({ length: 5 }, (_, i) => ({ id: `s${i}`, items: 1000, maxChunk: 1 }));
  const issues = issuesOf(() => validateTaskDefinition({ name: 't', stages }));
  assert.equal(issues.map((i) => i.path), ['stages[4].maxChunk']);
  assert.match(issues[0]!.message, 'need at least 5000 chunks');
});

test('resource map limits: slots, speed, price, bandwidth, capacity steps', () => {
  const issues = issuesOf(() =>
    validateResourceMap({
      pools: [
        { id: 'p', region: 'A', slots: MAX_SLOTS + 1, speed: 1e-9, priceUsdPerSlotHour: 1e300, startupS: 1e200, capacity: [{ atS: 1e13, slots: 1 }] },
        { id: 'q', region: 'B', slots: 1 },
      ],
      network: { links: [{ from: 'A', to: 'B', bandwidthMBps: 1e-300 }] },
    }),
  );
  assert.equal(issues.map((i) => i.path), [
    'pools[0].slots',
    'pools[0].speed',
    'pools[0].priceUsdPerSlotHour',
    'pools[0].startupS',
    'pools[0].capacity[0].atS',
    'network.links[0].bandwidthMBps',
  ]);
  assert.match(issues[1]!.message, 'expected a finite number >= 1e-6, received 1e-9');
});

test.run();
