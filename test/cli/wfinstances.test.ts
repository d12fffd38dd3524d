import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadResourceMap, loadTaskDefinition } from '../../src/load/files.js';
import { assembleProblem } from '../../src/model/problem.js';
import { checkPlanValidity } from '../../src/plan/check.js';
import { planConstructive } from '../../src/plan/planner.js';
import type { Plan } from '../../src/plan/plan.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT, WFINSTANCES, wfInstanceFiles } from '../helpers/problems.js';

const test = suite('cli: every real WfFormat trace plans on the heterogeneous pools');
const HETERO = join(REPO_ROOT, 'examples/pools/hetero.json');

const files = wfInstanceFiles();

test('the traces are there', async () => {
  assert.ok(files.length >= 30, `found ${files.length} traces under ${WFINSTANCES}`);
});

for (const file of files) {
  const name = file.slice(WFINSTANCES.length + 1);
  test(`${name}: JSON plan names every task once; the plan is valid`, async () => {
    const run = await runCli(['plan', file, '--pools', HETERO, '--format', 'json']);
    assert.is(run.code, 0, run.stderr);
    const plan = JSON.parse(run.stdout) as Plan;
    const taskIds = (JSON.parse(readFileSync(file, 'utf8')) as { workflow: { specification: { tasks: Array<{ id: string }> } } }).workflow.specification.tasks.map((t) => t.id);
    const planned = plan.subtasks.flatMap((t) => t.tasks ?? []);
    assert.is(planned.length, taskIds.length);
    assert.equal(new Set(planned), new Set(taskIds));
    const problem = assembleProblem(loadTaskDefinition(file), loadResourceMap(HETERO));
    assert.equal(checkPlanValidity(problem, planConstructive(problem).scored), []);
  });
}

test.run();
