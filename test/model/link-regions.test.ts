import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../src/model/issues.js';
import { assembleProblem } from '../../src/model/problem.js';
import { validateResourceMap } from '../../src/model/validate-pools.js';
import { validateTaskDefinition } from '../../src/model/validate-task.js';

const test = suite('model: a network link must join regions that exist');

const task = (home?: string) =>
  validateTaskDefinition({ name: 'j', data: [{ id: 'in', bytes: 1e9, ...(home === undefined ? {} : { home }) }], stages: [{ id: 'a', runtimeS: 10, inputs: ['in'] }] }, 'task.json');
const pools = (links: object[]) =>
  validateResourceMap(
    { pools: [{ id: 'p1', region: 'us-east-1', slots: 2 }, { id: 'p2', region: 'eu-west-1', slots: 2 }], network: { links: [{ from: 'us-east-1', to: 'eu-west-1', bandwidthMBps: 100 }, ...links] } },
    'pools.json',
  );

test('a link to a region no pool and no data object has: error at network.links[i].to with the near name', () => {
  try {
    assembleProblem(task(), pools([{ from: 'us-east-1', to: 'us-eats-1', bandwidthMBps: 10 }]));
    assert.unreachable('accepted a link to a region that is not there');
  } catch (error) {
    assert.instance(error, InputError);
    const issues = (error as InputError).issues;
    assert.equal(issues.map((i) => i.path), [['network', 'links', 1, 'to']]);
    assert.match(issues[0]!.message, 'unknown region (of a pool or a data object) "us-eats-1" (did you mean "us-east-1"?)');
  }
});

test('the from end is checked too, and a one-way link is reported once', () => {
  try {
    assembleProblem(task(), pools([{ from: 'eu-wset-1', to: 'us-east-1', bandwidthMBps: 10, oneWay: true }]));
    assert.unreachable('accepted');
  } catch (error) {
    assert.equal((error as InputError).issues.map((i) => i.path), [['network', 'links', 1, 'from']]);
  }
});

test('a region where only data lives is a legal end of a link', () => {
  const problem = assembleProblem(task('archive'), pools([{ from: 'archive', to: 'us-east-1', bandwidthMBps: 10 }, { from: 'archive', to: 'eu-west-1', bandwidthMBps: 10 }]));
  assert.ok(problem.network.regionIds.includes('archive'));
});

test.run();
