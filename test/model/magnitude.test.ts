import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../src/model/issues.js';
import { MAX_INPUT_MAGNITUDE } from '../../src/model/read.js';
import { validateTaskDefinition } from '../../src/model/validate-task.js';
import { planConstructive } from '../../src/plan/planner.js';
import { problemOf, readJson } from '../helpers/problems.js';

const test = suite('model: numbers whose results would overflow are refused at their field');

test('runtimeS 1e308 (objective Infinity before) is refused with its path', () => {
  try {
    validateTaskDefinition({ name: 'x', stages: [{ id: 'a', runtimeS: 1e308 }] }, 'task.json');
    assert.unreachable('accepted 1e308');
  } catch (error) {
    assert.instance(error, InputError);
    assert.equal((error as InputError).issues.map((i) => i.path), [['stages', 0, 'runtimeS']]);
    assert.match((error as InputError).issues[0]!.message, 'the largest number an input may hold');
  }
});

test('the largest accepted numbers plan in finite terms', () => {
  const definition = { name: 'big', stages: [{ id: 'a', runtimeS: MAX_INPUT_MAGNITUDE, outputBytes: MAX_INPUT_MAGNITUDE }, { id: 'b', after: ['a'], runtimeS: MAX_INPUT_MAGNITUDE }] };
  const pools = readJson('examples/pools/hetero.json');
  const { plan } = planConstructive(problemOf(definition, pools));
  for (const value of [plan.summary.objective, plan.summary.makespanS, plan.summary.costUsd, ...Object.values(plan.terms)]) assert.ok(Number.isFinite(value), `not finite: ${value}`);
});

test.run();
