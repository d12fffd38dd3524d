import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const MAP = 'test/fixtures/forecast/spot-busy-afternoons.map.json';
const TASK = 'examples/log-analytics.json';
const POOLS = 'examples/pools/hetero.json';

interface PlanJson {
  basis: { availability: string };
  terms: { contentionS: number };
  subtasks: Array<{ pool: string; stage?: string; items?: [number, number] }>;
  assumptions: string[];
  explain?: { forecast: string[] };
}

async function planAt(startAt: string, extra: string[] = []): Promise<PlanJson> {
  const run = await runCli(['plan', TASK, '--pools', POOLS, '--availability', MAP, '--start-at', startAt, '--format', 'json', ...extra]);
  assert.is(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as PlanJson;
}

const onSpot = (plan: PlanJson): number => plan.subtasks.filter((s) => s.pool === 'spot' && s.stage === 'parse').length;

test('the same job at a quiet and at a busy start: different pool splits, the forecast named in the basis', async () => {
  const quiet = await planAt('2026-12-01T02:00:00Z');
  const busy = await planAt('2026-12-01T13:58:00Z');
  assert.match(quiet.basis.availability, /^fc-/);
  assert.ok(onSpot(quiet) > onSpot(busy), `spot parse chunks quiet ${onSpot(quiet)} busy ${onSpot(busy)}`);
  assert.ok(busy.terms.contentionS > 0, 'contention is priced');
  assert.ok(quiet.assumptions.some((a) => a.includes('2026-12-01T02:00:00Z')));
});

test('--explain names the forecast windows that drove placement', async () => {
  const run = await runCli(['plan', TASK, '--pools', POOLS, '--availability', MAP, '--start-at', '2026-12-01T13:58:00Z', '--explain', '--limit', '1']);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /forecast fc-[0-9a-f]+ \(plan time 0 = 2026-12-01T13:58:00Z\)/);
  assert.match(run.stdout, /spot (used|avoided) 14:00–.*hazard 0\.60\/h against 0\.05\/h/);
  assert.match(run.stdout, /spot: the forecast leaves 12 of 64 slots 14:00/);
  assert.match(run.stdout, /h contention\)/);
  const json = await planAt('2026-12-01T13:58:00Z', ['--explain']);
  assert.ok(json.explain!.forecast.some((n) => n.includes('contention')));
});

test('a cautious capacity risk plans on fewer spot slots than a bold one', async () => {
  const cautious = await planAt('2026-12-01T02:00:00Z', ['--capacity-risk', 'p10']);
  const bold = await planAt('2026-12-01T02:00:00Z', ['--capacity-risk', '0.9']);
  assert.ok(onSpot(cautious) <= onSpot(bold), `cautious ${onSpot(cautious)} bold ${onSpot(bold)}`);
  assert.ok(cautious.terms.contentionS < bold.terms.contentionS, `contention cautious ${cautious.terms.contentionS} bold ${bold.terms.contentionS}`);
});

test('bad availability input: exit 2 with the path or the flag', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apportion-avail-'));
  const bad = JSON.parse(readFileSync(MAP, 'utf8'));
  bad.pools[2].free.p50[3] = 'many';
  writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
  const run = await runCli(['plan', TASK, '--pools', POOLS, '--availability', join(dir, 'bad.json')]);
  assert.is(run.code, 2);
  assert.match(run.stderr, /pools\[2\]\.free\.p50\[3\]/);
  const when = await runCli(['plan', TASK, '--pools', POOLS, '--availability', MAP, '--start-at', 'yesterday-ish']);
  assert.is(when.code, 2);
  assert.match(when.stderr, /--start-at: expected an ISO time/);
  const risk = await runCli(['plan', TASK, '--pools', POOLS, '--availability', MAP, '--capacity-risk', '1.5']);
  assert.is(risk.code, 2);
  assert.match(risk.stderr, /--capacity-risk/);
  const alone = await runCli(['plan', TASK, '--pools', POOLS, '--capacity-risk', 'p10']);
  assert.is(alone.code, 2);
  assert.match(alone.stderr, /price a forecast/);
  assert.not.match(run.stderr + when.stderr + risk.stderr + alone.stderr, /at .*\.ts:\d+/);
});

test.run();
