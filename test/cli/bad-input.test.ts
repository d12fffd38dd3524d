/**
 * The command line's flags: every bad value gets one plain line naming the flag, what it
 * expects and what it received, exit 2, nothing on stdout; good values, including the edges
 * of each range, still plan. Also a resource map whose link names an unknown region.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Plan } from '../../src/plan/plan.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/problems.js';

const EXAMPLE = join(REPO_ROOT, 'examples/log-analytics.json');
const HETERO = join(REPO_ROOT, 'examples/pools/hetero.json');
const PLAN = ['plan', EXAMPLE, '--pools', HETERO];
const scratch = mkdtempSync(join(tmpdir(), 'apportion-flags-'));

const BUDGET = 'expected a whole number of milliseconds from 0 to 86400000 (24 h)';
const LIMIT = 'expected a whole number of sub-tasks per pool from 1 to 1000000000';
const WORKERS = 'expected a whole number of worker threads from 1 to 256';
const SEED = 'expected a whole number from 0 to 4294967295 (the generator is 32-bit)';
const USD = 'expected a number of USD per hour of makespan from 0 to below 1e12';
const RISK = 'expected p50, p90 (any pNN) or a number in (0, 1)';

/** Arguments after `apportion`, and the first line printed on stderr (after "✖ "). */
const BAD: Array<[readonly string[], string]> = [
  // negative numbers, given apart from their flag or joined to it
  [[...PLAN, '--budget-ms', '-5'], `--budget-ms: ${BUDGET}, received "-5"`],
  [[...PLAN, '--budget-ms=-5'], `--budget-ms: ${BUDGET}, received "-5"`],
  [[...PLAN, '--seed', '-3'], `--seed: ${SEED}, received "-3"`],
  [[...PLAN, '--seed=-3'], `--seed: ${SEED}, received "-3"`],
  [[...PLAN, '--limit', '-1'], `--limit: ${LIMIT}, received "-1"`],
  [[...PLAN, '--workers', '-2'], `--workers: ${WORKERS}, received "-2"`],
  [[...PLAN, '--usd-per-hour', '-0.5'], `--usd-per-hour: ${USD}, received "-0.5"`],
  [[...PLAN, '--usd-per-hour', '-Infinity'], `--usd-per-hour: ${USD}, received "-Infinity"`],
  // fractions where a whole number is needed
  [[...PLAN, '--limit', '2.5'], `--limit: ${LIMIT}, received "2.5"`],
  [[...PLAN, '--budget-ms', '10.5'], `--budget-ms: ${BUDGET}, received "10.5"`],
  [[...PLAN, '--workers', '1.5'], `--workers: ${WORKERS}, received "1.5"`],
  [[...PLAN, '--seed', '0.5'], `--seed: ${SEED}, received "0.5"`],
  // out of range
  [[...PLAN, '--budget-ms', '1e12'], `--budget-ms: ${BUDGET}, received "1e12"`],
  [[...PLAN, '--budget-ms', '86400001'], `--budget-ms: ${BUDGET}, received "86400001"`],
  [[...PLAN, '--limit', '0'], `--limit: ${LIMIT}, received "0"`],
  [[...PLAN, '--limit', '1e20'], `--limit: ${LIMIT}, received "1e20"`],
  [[...PLAN, '--workers', '0'], `--workers: ${WORKERS}, received "0"`],
  [[...PLAN, '--workers', '257'], `--workers: ${WORKERS}, received "257"`],
  [[...PLAN, '--seed', '4294967296'], `--seed: ${SEED}, received "4294967296"`],
  [[...PLAN, '--usd-per-hour', '1e12'], `--usd-per-hour: ${USD}, received "1e12"`],
  [[...PLAN, '--usd-per-hour', '1e400'], `--usd-per-hour: ${USD}, received "1e400"`],
  // not a number at all, or not in plain decimal
  [[...PLAN, '--seed', 'abc'], `--seed: ${SEED}, received "abc"`],
  [[...PLAN, '--usd-per-hour', 'NaN'], `--usd-per-hour: ${USD}, received "NaN"`],
  [[...PLAN, '--usd-per-hour', 'Infinity'], `--usd-per-hour: ${USD}, received "Infinity"`],
  [[...PLAN, '--workers', '0x10'], `--workers: ${WORKERS}, received "0x10"`],
  [[...PLAN, '--limit', ' 3'], `--limit: ${LIMIT}, received " 3"`],
  [[...PLAN, '--risk', '-0.5', '--history', join(scratch, 'none.sqlite')], `--risk: ${RISK}, received "-0.5"`],
  [[...PLAN, '--risk', '1', '--history', join(scratch, 'none.sqlite')], `--risk: ${RISK}, received "1"`],
  [[...PLAN, '--risk', 'p0', '--history', join(scratch, 'none.sqlite')], `--risk: ${RISK}, received "p0"`],
  [[...PLAN, '--risk', '0x0.8', '--history', join(scratch, 'none.sqlite')], `--risk: ${RISK}, received "0x0.8"`],
  // values missing, empty, or an option where the value should be
  [[...PLAN, '--seed'], `--seed: ${SEED}, received nothing (it is the last argument)`],
  [[...PLAN, '--seed', '--limit', '3'], `--seed: ${SEED}, received the option --limit (if that is the value, write --seed=--limit)`],
  [['plan', EXAMPLE, '--pools'], '--pools: expected a file path, received nothing (it is the last argument)'],
  [['plan', EXAMPLE, '-p', '--limit', '3'], '--pools: expected a file path, received the option --limit (if that is the value, write --pools=--limit)'],
  [[...PLAN, '--out', ''], '--out: expected a file path, received ""'],
  [[...PLAN, '--budget-ms='], `--budget-ms: ${BUDGET}, received ""`],
  [[...PLAN, '--data-home', ''], '--data-home: expected a pool or region id, received ""'],
  [[...PLAN, '--format', ''], '--format: expected one of text, json, svg, received ""'],
  [[...PLAN, '--explain=yes'], '--explain is a switch and takes no value, received "yes"'],
  // the other subcommands' flags
  [['history', 'show', '--history'], '--history: expected a file path, received nothing (it is the last argument)'],
  [['history', 'show', '--history', ''], '--history: expected a file path, received ""'],
  [['history', 'import', '--history', '-x.sqlite'], '--history: expected a file path, received the option -x.sqlite (if that is the value, write --history=-x.sqlite)'],
  [['profile', 'fit', '-o', ''], '--out: expected a file path, received ""'],
  [['profile', 'show', '--profile='], '--profile: expected a file path, received ""'],
  [['profile', 'eval', 'trace.json', '--history'], '--history: expected a file path, received nothing (it is the last argument)'],
  [['profile', 'show', '--help=no'], '--help is a switch and takes no value, received "no"'],
  // an empty file argument (an unset shell variable) is not "cannot read ''"
  [['plan', '', '--pools', HETERO], 'file argument 1: expected a file path, received ""'],
  [['history', 'import', 'a.json', ''], 'file argument 2: expected a file path, received ""'],
  [['profile', 'eval', ''], 'file argument 1: expected a file path, received ""'],
];

const test = suite('cli: bad flag values');

for (const [args, message] of BAD) {
  test(`${args.slice(args[0] === 'plan' ? 4 : 0).join(' ')} → "${message}"`, async () => {
    const run = await runCli(args);
    assert.is(run.code, 2, run.stderr);
    assert.is(run.stdout, '');
    assert.is(run.stderr.split('\n')[0], `✖ ${message}`);
    assert.not.match(run.stderr, /ambiguous|\n\s+at /);
  });
}

test('good values still plan, at the edges of each range', async () => {
  const plan = async (...flags: string[]): Promise<Plan> => {
    const run = await runCli([...PLAN, '--format', 'json', ...flags]);
    assert.is(run.code, 0, `${flags.join(' ')}: ${run.stderr}`);
    return JSON.parse(run.stdout) as Plan;
  };
  assert.is((await plan('--usd-per-hour', '0')).summary.usdPerHour, 0);
  assert.is((await plan('--usd-per-hour=2.5')).summary.usdPerHour, 2.5);
  assert.is((await plan('--usd-per-hour', '999999999999')).summary.usdPerHour, 999999999999);
  // The seed only matters with a search budget; both ends of its range are accepted.
  for (const seed of ['0', '4294967295']) assert.ok((await plan('--budget-ms', '1', '--workers', '1', '--seed', seed)).subtasks.length > 0, seed);
  assert.ok((await plan('--budget-ms', '0', '--workers', '256')).subtasks.length > 0);
  // A negative number after a flag that takes text is its value, not an option: here a (wrong) region.
  const odd = await runCli([...PLAN, '--data-home', '-1']);
  assert.is(odd.code, 2);
  assert.match(odd.stderr, '✖ unknown pool or region "-1"');
});

test('--limit 1 lists one sub-task per pool and says how many more there are', async () => {
  const run = await runCli([...PLAN, '--limit', '1']);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /… \d+ more \(--limit N shows more/);
  const full = await runCli([...PLAN, '--limit', '1000000000']);
  assert.is(full.code, 0, full.stderr);
  assert.not.match(full.stdout, /… \d+ more/);
});

test('a value after -- is a positional, not a flag value', async () => {
  const run = await runCli(['plan', '--pools', HETERO, '--', EXAMPLE, '--seed', '-3']);
  assert.is(run.code, 2);
  assert.is(run.stderr.split('\n')[0], `✖ plan takes one task file, received 3: ${EXAMPLE} --seed -3`);
});

test.run();

const links = suite('cli: a network link naming an unknown region');

links('is an error at the link\'s field, with the nearest region', async () => {
  const pools = join(scratch, 'typo-link.json');
  writeFileSync(pools, JSON.stringify({
    pools: [
      { id: 'onprem', region: 'A', slots: 4 },
      { id: 'cloud', region: 'B', slots: 4, priceUsdPerSlotHour: 0.05 },
    ],
    network: { links: [{ from: 'A', to: 'B', bandwidthMBps: 100 }, { from: 'B', to: 'Bb', bandwidthMBps: 100 }] },
  }));
  const run = await runCli(['plan', EXAMPLE, '--pools', pools]);
  assert.is(run.code, 2);
  assert.is(run.stdout, '');
  assert.match(run.stderr, '✖ unknown region "Bb" (did you mean "B"?): no pool is in it and no data object starts there\n  → at network.links[1].to');
  assert.not.match(run.stderr, /\n\s+at /);
});

links.run();
