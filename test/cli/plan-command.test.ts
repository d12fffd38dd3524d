import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Plan } from '../../src/plan/plan.js';
import { runCli } from '../helpers/cli.js';
import { readJson, REPO_ROOT } from '../helpers/problems.js';

const test = suite('cli: apportion plan');
const EXAMPLE = join(REPO_ROOT, 'examples/log-analytics.json');
const HETERO = join(REPO_ROOT, 'examples/pools/hetero.json');
const scratch = mkdtempSync(join(tmpdir(), 'apportion-cli-'));

test('text output: totals, a row per pool, a table per pool', async () => {
  const run = await runCli(['plan', EXAMPLE, '--pools', HETERO]);
  assert.is(run.code, 0, run.stderr);
  for (const pool of ['onprem', 'ondemand', 'spot']) assert.match(run.stdout, new RegExp(`^${pool}: \\d+ sub-tasks?$`, 'm'));
  assert.match(run.stdout, /^total\s+\d+/m);
  assert.match(run.stdout, /makespan\s+\d+m \d+s/);
});

test('--explain prints every term, the variants and a runner-up per stage', async () => {
  const run = await runCli(['plan', EXAMPLE, '--pools', HETERO, '--explain']);
  assert.is(run.code, 0, run.stderr);
  for (const term of ['makespan', 'compute price', 'egress', 'transfer', 'contention', 'interruption', 'objective']) assert.match(run.stdout, new RegExp(`^  ${term}\\s`, 'm'));
  for (const stage of ['parse', 'sessionize', 'report']) assert.match(run.stdout, new RegExp(`^  ${stage}\\s`, 'm'));
  assert.match(run.stdout, /runner-up \w+: objective [+-]/);
  assert.match(run.stdout, /← chosen/);
});

test('--format json writes a versioned plan whose chunks cover every item once', async () => {
  const out = join(scratch, 'plan.json');
  const run = await runCli(['plan', EXAMPLE, '--pools', HETERO, '--format', 'json', '--out', out]);
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stdout, '');
  const plan = JSON.parse(readFileSync(out, 'utf8')) as Plan;
  assert.is(plan.apportionPlan, 1);
  assert.is(plan.summary.planner, 'apportion');
  for (const key of ['makespanS', 'costUsd', 'objective'] as const) assert.ok(Number.isFinite(plan.summary[key]), key);
  const parse = plan.subtasks.filter((t) => t.stage === 'parse').map((t) => t.items!).sort((a, b) => a[0] - b[0]);
  let next = 0;
  for (const [start, end] of parse) {
    assert.is(start, next);
    next = end;
  }
  assert.is(next, (readJson('examples/log-analytics.json') as { stages: Array<{ items?: number }> }).stages[0]!.items);
  for (const t of plan.subtasks) assert.ok(t.finishS > t.startS && typeof t.pool === 'string', t.id);
});

test('--format svg writes a Gantt picture', async () => {
  const run = await runCli(['plan', EXAMPLE, '--pools', HETERO, '--format', 'svg']);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /^(<\?xml [^>]*>\s*)?<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(run.stdout, /<\/svg>\s*$/);
});

test('--planner selects a baseline', async () => {
  const out = join(scratch, 'heft.json');
  assert.is((await runCli(['plan', EXAMPLE, '--pools', HETERO, '--planner', 'heft', '--format', 'json', '--out', out])).code, 0);
  assert.is((JSON.parse(readFileSync(out, 'utf8')) as Plan).summary.planner, 'heft');
});

test('bad options: a clear message, exit 2', async () => {
  const misspelt = await runCli(['plan', EXAMPLE, '--pools', HETERO, '--fromat', 'json']);
  assert.is(misspelt.code, 2);
  assert.match(misspelt.stderr, 'unknown option --fromat (did you mean --format?)');
  const badValue = await runCli(['plan', EXAMPLE, '--pools', HETERO, '--planner', 'hefty']);
  assert.is(badValue.code, 2);
  assert.match(badValue.stderr, '--planner: expected one of apportion, heft, greedy, round-robin, cheapest, received "hefty" (did you mean heft?)');
  const noPools = await runCli(['plan', EXAMPLE]);
  assert.is(noPools.code, 2);
  assert.match(noPools.stderr, '--pools FILE');
  assert.is((await runCli(['frobnicate'])).code, 2);
});

test('bad input files: every problem with its path, exit 2', async () => {
  const task = join(scratch, 'bad.json');
  writeFileSync(task, JSON.stringify({ stages: [{ id: 'a', runtimeS: -1 }, { id: 'b', after: ['c'] }] }));
  const run = await runCli(['plan', task, '--pools', HETERO]);
  assert.is(run.code, 2);
  assert.match(run.stderr, '✖ expected a finite number >= 0, received -1\n  → at stages[0].runtimeS');
  assert.match(run.stderr, '→ at stages[1].after[0]');
  const missing = await runCli(['plan', join(scratch, 'nope.json'), '--pools', HETERO]);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, 'no such file');
});

test('a plan that misses its deadline is still written, and the exit code is 3', async () => {
  const task = join(scratch, 'tight.json');
  const definition = readJson('examples/log-analytics.json') as Record<string, unknown>;
  const outcome = JSON.parse((await runCli(['plan', EXAMPLE, '--pools', HETERO, '--format', 'json'])).stdout) as Plan;
  // Just above the lower bound (so no input error) but below what the planner achieves.
  const deadlineS = (outcome.bounds.makespanLowerBoundS + outcome.summary.makespanS) / 2;
  writeFileSync(task, JSON.stringify({ ...definition, deadlineS }));
  const run = await runCli(['plan', task, '--pools', HETERO]);
  assert.is(run.code, 3);
  assert.match(run.stderr, /the best plan found misses the deadline of [\d.]+ s by [\d.]+ s/);
  assert.match(run.stdout, /^apportion plan: log-analytics/);
});

test('the real binary: no stack trace on bad input', async () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/cli/bin.ts'), 'plan', join(scratch, 'nope.json'), '--pools', HETERO], { encoding: 'utf8' });
  assert.is(result.status, 2);
  assert.not.match(result.stderr, /\n\s+at /);
  assert.match(result.stderr, '✖ cannot read');
});

test.run();
