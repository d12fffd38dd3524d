import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../src/model/issues.js';
import { checkPlanValidity } from '../../src/plan/check.js';
import { planConstructive } from '../../src/plan/planner.js';
import { PLANNER_IDS } from '../../src/planners/planner.js';
import { runCli } from '../helpers/cli.js';
import { problemOf, readJson } from '../helpers/problems.js';

const test = suite('planners: pools whose capacity ends, and sub-tasks no pool can finish');
const example = readJson('examples/log-analytics.json');
const pool = (extra: object) => ({ id: 'spot', region: 'A', slots: 64, speed: 1.3, memGbPerSlot: 16, priceUsdPerSlotHour: 0.015, ...extra });

test('a spot pool withdrawn at 10 s while on-prem could take the work: every planner plans, nothing runs on spot past 10 s', () => {
  const problem = problemOf(example, { pools: [{ id: 'onprem', region: 'A', slots: 16, memGbPerSlot: 16 }, pool({ capacity: [{ atS: 10, slots: 0 }] })] });
  for (const planner of PLANNER_IDS) {
    const { plan, scored } = planConstructive(problem, { planner });
    assert.equal(checkPlanValidity(problem, scored), [], planner);
    for (const sub of plan.subtasks) if (sub.pool === 'spot') assert.ok(sub.finishS <= 10, `${planner}: ${sub.id} runs on spot until ${sub.finishS} s`);
  }
});

test('the only pool ends before any chunk can finish: bad input naming the stage and the pool, for every planner', () => {
  const problem = problemOf(example, { pools: [pool({ slots: 4, capacity: [{ atS: 10, slots: 0 }] })] });
  for (const planner of PLANNER_IDS) {
    try {
      planConstructive(problem, { planner });
      assert.unreachable(`${planner} planned what no pool can finish`);
    } catch (error) {
      assert.instance(error, InputError, planner);
      const issue = (error as InputError).issues[0]!;
      assert.equal(issue.path, ['stages', 0], planner);
      assert.match(issue.message, /no pool can finish .* stage "parse": pool "spot": never has a slot free for [\d,.]+ s \(4 from 0 s, 0 from 10 s\)/);
    }
  }
});

test('an absurd interruption rate: exit 2 with the reason, not an internal error', async () => {
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'apportion-hazard-'));
  writeFileSync(join(dir, 'pools.json'), JSON.stringify({ pools: [pool({ slots: 4, interruptionPerHour: 100_000 })] }));
  const run = await runCli(['plan', 'examples/log-analytics.json', '--pools', join(dir, 'pools.json')]);
  assert.is(run.code, 2, run.stderr);
  assert.match(run.stderr, /expected runtime with interruption rework is unbounded/);
  assert.not.match(run.stderr, /internal error/);
});

test.run();
