import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunRecord } from '../../src/history/record.js';
import { openHistory } from '../../src/history/store.js';
import { loadResourceMap } from '../../src/load/files.js';
import { loadResourceMapTelemetry, loadTelemetry, loadTelemetryFile, telemetryFromHistory } from '../../src/load/telemetry.js';
import { validateResourceMap } from '../../src/model/validate-pools.js';
import { ALIBABA, assertIssue, FIXTURES, issuesOf, NAB } from '../forecast/telemetry-helpers.js';

const POOLS = [
  { id: 'spot', region: 'A', slots: 8 },
  { id: 'od', region: 'A', slots: 4 },
];
const RESOURCES = validateResourceMap({ pools: POOLS });

function inTempDir(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'apportion-telemetry-'));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a resource map with a telemetry section: files relative to the map, one PoolTelemetry per pool', () => {
  inTempDir((dir) => {
    copyFileSync(ALIBABA, join(dir, 'alibaba.csv'));
    copyFileSync(`${FIXTURES}/prometheus-cpu-two-instances.json`, join(dir, 'od-cpu.json'));
    writeFileSync(join(dir, 'spot-events.csv'), 'time\n2026-11-02T14:03:00Z\n2026-11-03T02:00:00Z\n');
    const mapPath = join(dir, 'pools.json');
    writeFileSync(
      mapPath,
      JSON.stringify({
        pools: POOLS,
        telemetry: [
          { pool: 'spot', file: 'alibaba.csv', column: 'cpu_util_percent', metric: 'utilisation', stepS: 300, startAt: '2026-11-02T00:00:00Z' },
          { pool: 'spot', file: 'spot-events.csv', metric: 'interruptions' },
          { pool: 'od', file: 'od-cpu.json', metric: 'utilisation-fraction', select: { instance: '10.0.0.2:9100' } },
        ],
      }),
    );
    const resources = loadResourceMap(mapPath);
    const { pools, warnings } = loadResourceMapTelemetry(mapPath, resources);
    assert.equal(pools.map((p) => p.pool), ['spot', 'od']);
    const spot = pools[0]!;
    assert.is(spot.free!.values.length, 2243);
    assert.is(spot.free!.startS, Date.UTC(2026, 10, 2) / 1000);
    // free = 8 × (1 − cpu/100) for the first Alibaba row (16.126976521322472 %).
    assert.ok(Math.abs(spot.free!.values[0]! - 8 * (1 - 16.126976521322472 / 100)) < 1e-12);
    assert.equal(spot.eventsS, [Date.UTC(2026, 10, 2, 14, 3) / 1000, Date.UTC(2026, 10, 3, 2) / 1000]);
    assert.is(pools[1]!.free!.stepS, 60);
    assert.ok(pools[1]!.free!.values.every((v) => Number.isNaN(v) || (v >= 0 && v <= 4)));
    assertIssue(warnings.map((w) => `${w.path}: ${w.message}`), 'telemetry[2].file: 1 of 120 samples are NaN or ±Inf');
  });
});

test('a separate telemetry file: paths relative to it, not to the working directory', () => {
  inTempDir((dir) => {
    mkdirSync(join(dir, 'telemetry'));
    copyFileSync(`${NAB}/ec2_cpu_utilization_825cc2.csv`, join(dir, 'telemetry', 'cpu.csv'));
    writeFileSync(join(dir, 'telemetry', 'free.json'), '{ "startS": 1397088000, "stepS": 300, "values": [3, 4, null, 4] }');
    const file = join(dir, 'telemetry', 'telemetry.json');
    writeFileSync(file, JSON.stringify({ telemetry: [{ pool: 'spot', file: 'cpu.csv', metric: 'utilisation' }, { pool: 'od', file: 'free.json', metric: 'free-slots' }] }));
    const { pools, warnings } = loadTelemetryFile(file, RESOURCES);
    assert.is(pools.length, 2);
    assert.is(pools[0]!.free!.stepS, 300);
    assert.is(pools[0]!.free!.values.length, 4034);
    assert.equal([...pools[1]!.free!.values].map((v) => (Number.isNaN(v) ? null : v)), [3, 4, null, 4]);
    assertIssue(warnings.map((w) => `${w.path}: ${w.message}`), 'telemetry[0].file: 2 steps of 300 s have no data, in 2 gaps');
  });
});

test('a missing file names the file at its entry; problems of every file are reported together', () => {
  inTempDir((dir) => {
    writeFileSync(join(dir, 'bad.csv'), 'timestamp,value\n2014-02-14 14:30:00,1\n2014-02-14 14:30:00,2\n');
    writeFileSync(join(dir, 'empty.csv'), '');
    const section = validateResourceMap({
      pools: POOLS,
      telemetry: [
        { pool: 'spot', file: 'nowhere.csv', metric: 'utilisation' },
        { pool: 'spot', file: 'bad.csv', metric: 'price' },
        { pool: 'od', file: 'empty.csv', metric: 'free-slots' },
      ],
    }).telemetry!;
    const issues = issuesOf(() => loadTelemetry(section, dir, RESOURCES, join(dir, 'pools.json')));
    assert.equal(issues, [
      `telemetry[0].file: cannot read nowhere.csv (${join(dir, 'nowhere.csv')}): no such file`,
      'telemetry[1].file: row 3: timestamp 2014-02-14 14:30:00 repeats row 2',
      'telemetry[2].file: the file is empty: expected a header row naming the columns, then one row per sample',
    ]);
  });
});

test('a telemetry file naming an unknown pool, and a missing telemetry file', () => {
  inTempDir((dir) => {
    const file = join(dir, 't.json');
    writeFileSync(file, JSON.stringify({ telemetry: [{ pool: 'spto', file: 'x.csv', metric: 'utilisation' }] }));
    assert.equal(issuesOf(() => loadTelemetryFile(file, RESOURCES)), ['telemetry[0].pool: unknown pool "spto" (did you mean "spot"?)']);
    assertIssue(issuesOf(() => loadTelemetryFile(join(dir, 'none.json'), RESOURCES)), 'cannot read the telemetry file', 'none.json: no such file');
  });
});

function attempt(i: number, poolId: string, outcome: RunRecord['outcome'], startedAtMs: number, runtimeS: number, jobId = 'run-1'): RunRecord {
  return {
    jobId,
    stageId: 'scan',
    subtaskId: `scan#${i}`,
    attempt: 1,
    op: 'scan',
    features: {},
    poolId,
    poolClass: poolId,
    speed: 1,
    items: 100,
    bytesIn: undefined,
    bytesOut: undefined,
    runtimeS,
    cpuS: undefined,
    peakMemBytes: undefined,
    readBytes: undefined,
    writeBytes: undefined,
    outcome,
    startedAtMs,
    finishedAtMs: startedAtMs + runtimeS * 1000,
  };
}

test("the journal's interruptions: each interrupted attempt is an event of its pool at its end; exposure is the busy slot-hours", () => {
  inTempDir((dir) => {
    const path = join(dir, 'history.sqlite');
    const t0 = Date.UTC(2026, 10, 2);
    const store = openHistory(path);
    store.insert([
      attempt(1, 'spot', 'succeeded', t0, 1800),
      attempt(2, 'spot', 'interrupted', t0 + 3_600_000, 900),
      attempt(3, 'spot', 'interrupted', t0, 600),
      attempt(4, 'od', 'succeeded', t0, 3600),
      attempt(5, 'od', 'cancelled', t0, 100),
      attempt(6, 'gone-pool', 'interrupted', t0, 60),
      attempt(7, 'spot', 'interrupted', t0, 60, 'run-2'),
    ]);
    store.close();
    const all = telemetryFromHistory(path, RESOURCES);
    assert.equal(all.pools.map((p) => p.pool), ['spot', 'od']);
    assert.equal(all.pools[0]!.eventsS, [t0 / 1000 + 60, t0 / 1000 + 600, t0 / 1000 + 3600 + 900]);
    assert.equal(all.pools[1]!.eventsS, []);
    assert.equal(all.observed[0], { pool: 'spot', attempts: 4, interrupted: 3, busySlotHours: (1800 + 900 + 600 + 60) / 3600, fromS: t0 / 1000, toS: t0 / 1000 + 4500 });
    assert.is(all.observed[1]!.attempts, 1);
    assertIssue(all.warnings.map((w) => w.message), 'pools the resource map does not declare were left out: gone-pool (1)');
    const one = telemetryFromHistory(path, RESOURCES, { runIds: ['run-2'] });
    assert.equal(one.pools.map((p) => [p.pool, p.eventsS]), [['spot', [t0 / 1000 + 60]]]);
    const window = telemetryFromHistory(path, RESOURCES, { fromS: t0 / 1000 + 1000 });
    assert.equal(window.pools[0]!.eventsS, [t0 / 1000 + 4500]);
  });
});

test('no history store at the path: a clear InputError', () => {
  inTempDir((dir) => {
    assertIssue(issuesOf(() => telemetryFromHistory(join(dir, 'none.sqlite'), RESOURCES)), 'no history store here yet');
  });
});

test.run();
