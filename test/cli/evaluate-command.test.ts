import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const POOLS = 'examples/pools/evaluate.json';
const dir = mkdtempSync(join(tmpdir(), 'apportion-evaluate-'));
const small = ['--pools', POOLS, '--workloads', 'examples/log-analytics.json', '--seeds', '1', '--parallel', '1'];

test('evaluate on a user availability CSV: JSON with a summary per policy and the per-case rows', async () => {
  // spot-a loses all its slots from 1 h to 3 h into the trace.
  writeFileSync(join(dir, 'spot-a.csv'), 'time_s,available\n0,32\n3600,0\n10800,32\n');
  const run = await runCli(['evaluate', ...small, '--policies', 'apportion,spot-only,on-demand-only', '--traces', `spot-a=${join(dir, 'spot-a.csv')}`, '--offsets', '0,2h', '--format', 'json']);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stderr, /of 6 cases/);
  const result = JSON.parse(run.stdout);
  assert.equal(result.policies.map((p: { policy: string }) => p.policy), ['apportion', 'spot-only', 'on-demand-only']);
  for (const p of result.policies) for (const field of ['costUsd', 'makespanS', 'deadlineMet', 'slotHours']) assert.ok(Number.isFinite(p[field]), `${p.policy}.${field}`);
  assert.is(result.cases.length, 6);
  // On-demand costs more than spot on the same work: the comparison is not a constant.
  const cost = (id: string): number => result.policies.find((p: { policy: string }) => p.policy === id).costUsd;
  assert.ok(cost('on-demand-only') > cost('spot-only'));
});

test('evaluate on interruption events: each takes a slot away for the recovery time', async () => {
  // 32 spot-a slots; 40 interruptions within the job's first hour (epoch s, from 2026-11-02).
  const day = Date.UTC(2026, 10, 2) / 1000;
  const events = Array.from({ length: 40 }, (_, i) => new Date((day + 3600 + i * 60) * 1000).toISOString());
  writeFileSync(join(dir, 'spot-a-events.csv'), `time\n${events.join('\n')}\n`);
  const run = await runCli(['evaluate', ...small, '--policies', 'spot-only', '--events', `spot-a=${join(dir, 'spot-a-events.csv')}`, '--recovery', '2h', '--offsets', '1h', '--format', 'json']);
  assert.is(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.is(result.cases.length, 1);
  assert.is(result.cases[0].status, 'succeeded');
  const both = await runCli(['evaluate', ...small, '--events', `spot-a=${join(dir, 'spot-a-events.csv')}`, '--traces', `spot-a=${join(dir, 'spot-a.csv')}`]);
  assert.is(both.code, 2);
  assert.match(both.stderr, /both --traces and --events/);
});

test('evaluate --format html writes a self-contained report; text names every policy', async () => {
  const out = join(dir, 'report.html');
  const html = await runCli(['evaluate', ...small, '--policies', 'apportion,apportion-static', '--generate', '1', '--offsets', '1d', '--format', 'html', '-o', out]);
  assert.is(html.code, 0, html.stderr);
  const page = readFileSync(out, 'utf8');
  assert.match(page, /^<!doctype html>/);
  assert.is((page.match(/<svg /g) ?? []).length, 3);
  const text = await runCli(['evaluate', ...small, '--policies', 'apportion,apportion-static', '--generate', '1', '--offsets', '1d']);
  assert.is(text.code, 0, text.stderr);
  assert.match(text.stdout, /^apportion\s/m);
  assert.match(text.stdout, /^apportion-static\s/m);
});

test('evaluate --policy-module: a policy of the user\'s own runs beside the built-ins', async () => {
  const run = await runCli(['evaluate', ...small, '--policy-module', 'test/fixtures/evaluate/policy-module.mjs', '--policies', 'cheapest-retry,on-demand-only', '--generate', '1', '--offsets', '1d', '--format', 'json']);
  assert.is(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  const mine = result.policies.find((p: { policy: string }) => p.policy === 'cheapest-retry');
  const onDemand = result.policies.find((p: { policy: string }) => p.policy === 'on-demand-only');
  // The cheapest pool is the free on-prem one: it costs (almost) nothing, on-demand does not.
  assert.ok(mine.costUsd < onDemand.costUsd, `${mine.costUsd} against ${onDemand.costUsd}`);
  assert.ok(mine.makespanS > onDemand.makespanS, 'on 8 free slots it takes longer');
});

test('evaluate: bad input is exit 2 with the flag or path', async () => {
  const unknown = await runCli(['evaluate', ...small, '--policies', 'aportion']);
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, /unknown policy "aportion" \(did you mean apportion\?\)/);
  const pool = await runCli(['evaluate', ...small, '--traces', 'spto=x.csv']);
  assert.is(pool.code, 2);
  assert.match(pool.stderr, /unknown pool "spto"/);
  const offsets = await runCli(['evaluate', ...small, '--offsets', 'soon']);
  assert.is(offsets.code, 2);
  assert.match(offsets.stderr, /--offsets/);
  const none = await runCli(['evaluate', '--pools', POOLS]);
  assert.is(none.code, 2);
  assert.match(none.stderr, /--workloads/);
  const module = await runCli(['evaluate', ...small, '--policy-module', join(dir, 'missing.mjs')]);
  assert.is(module.code, 2);
  assert.match(module.stderr, /cannot load/);
});

test.run();
