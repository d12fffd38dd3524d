import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../helpers/cli.js';

const POOLS = 'examples/pools/hetero-telemetry.json';
const NAB = resolve('../shared/data/telemetry/nab-aws-cloudwatch/ec2_cpu_utilization_5f5533.csv');
const dir = mkdtempSync(join(tmpdir(), 'apportion-forecast-'));

test('forecast fit: the example telemetry becomes a map with free-slot quantiles and a hazard by hour of week', async () => {
  const out = join(dir, 'map.json');
  const run = await runCli(['forecast', 'fit', '--pools', POOLS, '-o', out]);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stderr, /fitting pool spot/);
  const map = JSON.parse(readFileSync(out, 'utf8'));
  assert.is(map.kind, 'apportion.availability-map');
  const spot = map.pools.find((p: { pool: string }) => p.pool === 'spot');
  assert.is(spot.free.p50.length, map.buckets);
  assert.is(spot.hazard.perSlotHour.length, 168);
  assert.is(spot.hazard.method, 'hour-of-week');
  // The synthetic spot pool is busy on weekday afternoons: fewer free slots at 16:00 than at 04:00 UTC.
  const at = (hour: number): number => spot.free.p50[(hour - new Date(map.startS * 1000).getUTCHours() + 24) % 24];
  assert.ok(at(16) < at(4) - 10, `free at 16:00 ${at(16)} against 04:00 ${at(4)}`);
  const ondemand = map.pools.find((p: { pool: string }) => p.pool === 'ondemand');
  assert.is(ondemand.free, undefined);
  assert.ok(ondemand.assumptions.some((a: string) => a.includes('no capacity telemetry')));

  const text = await runCli(['forecast', 'show', out]);
  assert.is(text.code, 0);
  assert.match(text.stdout, /pool spot: 64 slots declared/);
  assert.match(text.stdout, /interruptions: by hour of week/);
  const svg = await runCli(['forecast', 'show', out, '--format', 'svg', '--pool', 'spot']);
  assert.is(svg.code, 0);
  assert.match(svg.stdout, /^(<\?xml[^>]*>\s*)?<svg[\s\S]*<\/svg>\s*$/);
  const unknown = await runCli(['forecast', 'show', out, '--pool', 'spto']);
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, /did you mean spot/);
});

test('plan on a resource map with telemetry fits the forecast itself', async () => {
  const run = await runCli(['plan', 'examples/log-analytics.json', '--pools', POOLS, '--start-at', '2026-12-02T15:00:00Z', '--format', 'json']);
  assert.is(run.code, 0, run.stderr);
  const plan = JSON.parse(run.stdout);
  assert.match(plan.basis.availability, /^fc-/);
  assert.ok(plan.terms.contentionS > 0);
});

test('forecast eval on a user CSV: a row per horizon with MASE, relMae and coverage', async () => {
  const run = await runCli(['forecast', 'eval', NAB, '--horizon', '1h,6h', '--format', 'json']);
  assert.is(run.code, 0, run.stderr);
  const rows = JSON.parse(run.stdout) as Array<{ horizon: string; mase: number; relMae: number; coverage: number; origins: number }>;
  assert.equal(rows.map((r) => r.horizon), ['1h', '6h']);
  for (const r of rows) {
    assert.ok(Number.isFinite(r.mase) && r.mase > 0 && Number.isFinite(r.relMae) && r.coverage >= 0 && r.coverage <= 1 && r.origins > 10, JSON.stringify(r));
  }
  const text = await runCli(['forecast', 'eval', NAB, '--model', 'seasonal-naive-daily,seasonal-ensemble', '--horizon', '1h']);
  assert.is(text.code, 0, text.stderr);
  assert.match(text.stdout, /seasonal-naive-daily\s+1h/);
  assert.match(text.stdout, /seasonal-ensemble\s+1h/);
});

test('run on sim with the forecast: a drop below the band re-plans the remainder and the report says so', async () => {
  writeFileSync(join(dir, 'spot-drop.csv'), 'time_s,available\n0,64\n120,2\n');
  const run = await runCli(['run', 'examples/log-analytics.json', '--pools', POOLS, '--backend', 'sim', '--start-at', '2026-12-02T03:00:00Z', '--trace', `spot=${join(dir, 'spot-drop.csv')}`, '--history', join(dir, 'h.sqlite'), '--format', 'json', '--explain']);
  assert.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.is(report.committed, report.subtasks);
  const spot = report.forecast.pools.find((p: { pool: string }) => p.pool === 'spot');
  assert.is(spot.departures.length, 1);
  assert.ok(report.decisions.some((d: { kind: string; reason: string }) => d.kind === 'replan' && /spot has 2 slot\(s\) at 120\.0 s, below the forecast band/.test(d.reason)));
  const calm = await runCli(['run', 'examples/log-analytics.json', '--pools', POOLS, '--backend', 'sim', '--start-at', '2026-12-02T03:00:00Z', '--history', join(dir, 'h.sqlite'), '--format', 'json']);
  assert.is(calm.code, 0, calm.stderr);
  assert.equal(JSON.parse(calm.stdout).forecast.pools.flatMap((p: { departures: unknown[] }) => p.departures), []);
});

test('bad telemetry and bad flags: exit 2 with the path, never a stack trace', async () => {
  const pools = JSON.parse(readFileSync(POOLS, 'utf8'));
  pools.telemetry = [{ pool: 'spto', file: resolve('examples/telemetry/spot-free.csv'), metric: 'free-slots' }];
  writeFileSync(join(dir, 'unknown-pool.json'), JSON.stringify(pools));
  const unknownPool = await runCli(['forecast', 'fit', '--pools', join(dir, 'unknown-pool.json')]);
  assert.is(unknownPool.code, 2);
  assert.match(unknownPool.stderr, /telemetry\[0\]\.pool/);

  writeFileSync(join(dir, 'empty.csv'), '');
  pools.telemetry = [{ pool: 'spot', file: 'empty.csv', metric: 'free-slots' }];
  writeFileSync(join(dir, 'empty-telemetry.json'), JSON.stringify(pools));
  const empty = await runCli(['forecast', 'fit', '--pools', join(dir, 'empty-telemetry.json')]);
  assert.is(empty.code, 2);
  assert.match(empty.stderr, /empty/i);

  writeFileSync(join(dir, 'backwards.csv'), 'timestamp,value\n2026-01-01 00:10:00,1\n2026-01-01 00:05:00,2\n2026-01-01 00:15:00,3\n');
  const backwards = await runCli(['forecast', 'eval', join(dir, 'backwards.csv')]);
  assert.is(backwards.code, 2);
  assert.match(backwards.stderr, /row 3/);

  writeFileSync(join(dir, 'percent.csv'), 'time_s,util\n0,50\n300,140\n600,20\n');
  const percent = await runCli(['forecast', 'eval', join(dir, 'percent.csv'), '--metric', 'utilisation']);
  assert.is(percent.code, 2);
  assert.match(percent.stderr, /140/);

  const horizon = await runCli(['forecast', 'eval', NAB, '--horizon', 'soon']);
  assert.is(horizon.code, 2);
  assert.match(horizon.stderr, /--horizon/);
  const missing = await runCli(['forecast', 'eval', join(dir, 'nope.csv')]);
  assert.is(missing.code, 2);
  const none = await runCli(['forecast', 'fit', '--pools', 'examples/pools/hetero.json']);
  assert.is(none.code, 2);
  assert.match(none.stderr, /no telemetry/);
  for (const r of [unknownPool, empty, backwards, percent, horizon, missing, none]) assert.not.match(r.stderr, /\n\s+at .*:\d+:\d+/);
});

test.run();
