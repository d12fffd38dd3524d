import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/problems.js';

const test = suite('cli: numeric flags say plainly what is wrong');
const EXAMPLE = join(REPO_ROOT, 'examples/log-analytics.json');
const HETERO = join(REPO_ROOT, 'examples/pools/hetero.json');

const BAD: ReadonlyArray<readonly [string[], RegExp]> = [
  [['--budget-ms', '-5'], /^✖ --budget-ms: expected a whole number of milliseconds from 0 to 86,400,000, received "-5"/],
  [['--budget-ms', '1e12'], /^✖ --budget-ms: expected a whole number of milliseconds from 0 to 86,400,000, received "1e12"/],
  [['--budget-ms', '2.5'], /--budget-ms: expected a whole number/],
  [['--limit', '2.5'], /^✖ --limit: expected a whole number from 1 to 1,000,000, received "2.5"/],
  [['--limit', '0'], /--limit: expected a whole number from 1/],
  [['--seed', '-3'], /^✖ --seed: expected a whole number from 0 to 4,294,967,295, received "-3"/],
  [['--workers', '-1'], /^✖ --workers: expected a whole number from 1 to 256, received "-1"/],
  [['--workers', '1000'], /--workers: expected a whole number from 1 to 256/],
  [['--usd-per-hour', '-2'], /^✖ --usd-per-hour: expected a number from 0 to 1e\+9, received "-2"/],
  [['--usd-per-hour', 'Infinity'], /--usd-per-hour: expected a number from 0/],
];

for (const [flags, message] of BAD) {
  test(`plan ${flags.join(' ')} is refused with exit 2`, async () => {
    const run = await runCli(['plan', EXAMPLE, '--pools', HETERO, ...flags]);
    assert.is(run.code, 2, run.stderr);
    assert.match(run.stderr, message);
    assert.not.match(run.stderr, /ambiguous|internal error|\n\s+at /);
  });
}

test('good values are taken, a negative-looking value included where it is valid', async () => {
  const run = await runCli(['plan', EXAMPLE, '--pools', HETERO, '--limit', '2', '--seed', '0', '--usd-per-hour', '0.5', '--format', 'json']);
  assert.is(run.code, 0, run.stderr);
  const plan = JSON.parse(run.stdout) as { summary: { usdPerHour: number } };
  assert.is(plan.summary.usdPerHour, 0.5);
});

test.run();
