/**
 * The sim backend built from a resource map (`apportion run --backend sim`): hazards and
 * capacity steps from the map, availability CSVs per pool, and the replay time scale applied to
 * all of them alike.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { BackendEvent } from '../../src/dispatch/backend.js';
import { simBackendFor } from '../../src/dispatch/sim/from-resources.js';
import { InputError } from '../../src/model/issues.js';
import { validateResourceMap } from '../../src/model/validate-pools.js';
import { simJob } from './sim-helpers.js';

const test = suite('sim backend from a resource map');

const resources = validateResourceMap({
  pools: [
    { id: 'spot', region: 'A', slots: 4, interruptionPerHour: 6, capacity: [{ atS: 0, slots: 4 }, { atS: 1800, slots: 2 }, { atS: 5400, slots: 4 }] },
    { id: 'steady', region: 'A', slots: 2 },
  ],
});

/** 40 jobs of 10 min (× scale) on both pools; the events with their times divided by the scale. */
async function run(timeScale: number, traces?: ReadonlyMap<string, string>): Promise<string[]> {
  const backend = simBackendFor({ resources, seed: 3, timeScale, ...(traces === undefined ? {} : { traces }) });
  const events: BackendEvent[] = [];
  await backend.open(resources.pools.map((p) => ({ id: p.id, slots: p.slots })), (event) => {
    events.push(event);
  });
  for (let i = 0; i < 40; i++) {
    const pool = i % 4 === 3 ? 'steady' : 'spot';
    backend.submit(simJob(`j${i}`, pool, 600, { steps: [{ stage: 's', run: { kind: 'replay', durationS: 600 * timeScale } }] }));
  }
  await backend.idle();
  await backend.close();
  const unscale = (t: number): string => (t / timeScale).toFixed(6);
  return events.map((e) => {
    if (e.type === 'capacity') return `capacity ${e.pool} ${e.slots} @${unscale(e.atS)}`;
    if (e.type === 'started') return `started ${e.key} @${unscale(e.atS)}`;
    if (e.type === 'finished') return `finished ${e.key} ${e.result.outcome} ${unscale(e.result.startedS)}–${unscale(e.result.finishedS)}`;
    return e.type;
  });
}

test('hazards and capacity steps come from the map; a time scale gives the same run in scaled seconds', async () => {
  const plain = await run(1);
  assert.ok(plain.some((line) => line.includes('interrupted')), 'the spot pool was interrupted');
  assert.ok(plain.includes('capacity spot 2 @1800.000000'), 'its capacity step at 1800 s');
  assert.ok(plain.includes('capacity spot 4 @5400.000000'));
  // A power of two: scaled times are exact, so even ties between events at one time order alike.
  assert.equal(await run(1 / 1024), plain);
});

test('--trace files replace a pool\'s capacity steps (scaled too); an unknown pool is refused with a suggestion', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apportion-sim-trace-'));
  try {
    const file = join(dir, 'spot.csv');
    writeFileSync(file, 'time_s,available\n0,4\n600,1\n');
    const traced = await run(0.5, new Map([['spot', file]]));
    assert.ok(traced.includes('capacity spot 1 @600.000000'), traced.filter((l) => l.startsWith('capacity')).join('\n'));
    assert.not.ok(traced.some((l) => l.startsWith('capacity spot 2')), 'the map\'s steps are not used for a traced pool');
    try {
      simBackendFor({ resources, traces: new Map([['sopt', file]]) });
      assert.unreachable('an unknown pool is refused');
    } catch (error) {
      assert.ok(error instanceof InputError);
      assert.match(error.issues[0]!.message, 'unknown pool "sopt" (did you mean "spot"?)');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
