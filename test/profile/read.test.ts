/** readProfile: a valid profile reads back; every kind of bad input is an InputError with the field's path. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatPath, InputError } from '../../src/model/issues.js';
import { fitProfile } from '../../src/profile/fit.js';
import { predict } from '../../src/profile/predict.js';
import { readProfile } from '../../src/profile/read.js';
import { lawRecords } from './helpers.js';

const test = suite('readProfile');

const fitted = fitProfile(
  [
    ...lawRecords({ op: 'blastall', constant: 0.8, linear: 0.002, minItems: 100, maxItems: 10_000, sigma: 0.1, count: 100, jobs: 3 }, 41),
    ...lawRecords({ op: 'merge', constant: 0.1, linear: 0, minItems: 1, maxItems: 1, sigma: 0.1, count: 5 }, 42),
  ],
  { fittedAt: '2026-01-01T00:00:00.000Z' },
);

/** A deep copy to break: JSON, as a --profile file would arrive. */
function document(): Record<string, any> {
  return JSON.parse(JSON.stringify(fitted)) as Record<string, any>;
}

function problems(value: unknown): string[] {
  try {
    readProfile(value, 'profile.json');
  } catch (error) {
    assert.instance(error, InputError);
    return (error as InputError).issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  }
  assert.unreachable('expected an InputError');
  return [];
}

test('a fitted profile reads back unchanged', () => {
  const read = readProfile(document(), 'profile.json');
  assert.equal(JSON.parse(JSON.stringify(read)), document());
  assert.is(predict(read, 'runtimeS', { op: 'blastall', items: 500 }, 0.9).value, predict(fitted, 'runtimeS', { op: 'blastall', items: 500 }, 0.9).value);
});

test('not a profile, another format, a newer version', () => {
  assert.equal(problems([]), ['(root): expected an object, received an array']);
  const other = document();
  other.format = 'something-else';
  assert.equal(problems(other), ['format: not an apportion profile: expected format "apportion-profile", received "something-else"']);
  const newer = document();
  newer.version = 2;
  assert.match(problems(newer)[0]!, /^version: profile version 2 is newer than this apportion reads \(1\)/);
});

test('a negative law coefficient names its path', () => {
  const bad = document();
  bad.ops.blastall.metrics.runtimeS.law.linear = -2;
  assert.equal(problems(bad), ['ops.blastall.metrics.runtimeS.law.linear: expected a finite number >= 0, received -2']);
});

test('grids: wrong length, decreasing, not numbers', () => {
  const short = document();
  short.ops.merge.metrics.runtimeS.prior = [0, 1];
  assert.match(problems(short)[0]!, /^ops\.merge\.metrics\.runtimeS\.prior: expected 27 quantiles \(one per level\), received 2$/);
  const decreasing = document();
  decreasing.global.runtimeS.residuals[3] = 9;
  assert.match(problems(decreasing)[0]!, /^global\.runtimeS\.residuals\[4\]: quantiles must not decrease/);
  const huge = document();
  huge.ops.blastall.metrics.runtimeS.residuals[26] = 800;
  assert.match(problems(huge)[0]!, /^ops\.blastall\.metrics\.runtimeS\.residuals\[26\]: expected a finite number >= -50 <= 50, received 800/);
  const text = document();
  text.ops.blastall.metrics.runtimeS.residuals[0] = 'x';
  assert.equal(problems(text), ['ops.blastall.metrics.runtimeS.residuals[0]: expected a number, received "x"']);
});

test('every problem at once: missing, unknown (with a suggestion), wrong enum', () => {
  const bad = document();
  delete bad.ops.merge.n;
  bad.ops.merge.sizeBy = 'rows';
  bad.settings.calibrationShar = 0.2;
  bad.ops.blastall.metrics.runtimeS.classes['class-a'].logShift = null;
  assert.equal(problems(bad), [
    'settings.calibrationShar: unknown field "calibrationShar" (did you mean "calibrationShare"?)',
    'ops.blastall.metrics.runtimeS.classes["class-a"].logShift: expected a number, received null',
    'ops.merge.n: missing required field "n" (number)',
    'ops.merge.sizeBy: expected one of items, bytesIn, none, received "rows"',
  ]);
});

test('levels must increase and include the median', () => {
  const bad = document();
  bad.levels = [0.1, 0.9];
  const issues = problems(bad);
  assert.ok(issues.includes('levels: levels must include 0.5 (the median)'), issues.join('\n'));
});

test.run();
