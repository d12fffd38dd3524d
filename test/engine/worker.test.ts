import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createPlannerWorker } from '../../src/plan/worker.js';
import { loadResourceMap, loadTaskDefinition } from '../../src/load/files.js';
import { REPO_ROOT } from '../helpers/problems.js';
import { join } from 'node:path';

const test = suite('engine: createPlannerWorker() (comlink, worker thread)');
const inputs = () => ({
  definition: loadTaskDefinition(join(REPO_ROOT, 'examples/log-analytics.json')),
  resources: loadResourceMap(join(REPO_ROOT, 'examples/pools/hetero.json')),
});

test('plans in a worker: the host loop keeps running and progress arrives', async () => {
  const worker = createPlannerWorker({ scorer: 'reference', solver: 'none', workers: 1 });
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const phases: string[] = [];
  try {
    const result = await worker.plan(inputs(), { timeBudgetMs: 60_000, maxBatches: 40, onProgress: (p) => phases.push(p.phase) });
    assert.is(result.plan.apportionPlan, 1);
    assert.ok(result.plan.subtasks.length > 0);
    assert.ok(phases.includes('search'), phases.join(','));
    // A blocked host loop would not have ticked while the worker planned.
    assert.ok(ticks >= 2, `host ticked ${ticks} times`);
  } finally {
    clearInterval(timer);
    await worker.close();
  }
});

test('an abort signal ends the worker\'s search early with its best plan', async () => {
  const worker = createPlannerWorker({ scorer: 'reference', solver: 'none', workers: 1 });
  try {
    const controller = new AbortController();
    let searching!: () => void;
    const searchStarted = new Promise<void>((resolve) => (searching = resolve));
    const pending = worker.plan(inputs(), { timeBudgetMs: 600_000, signal: controller.signal, onProgress: (p) => p.phase === 'search' && searching() });
    await searchStarted;
    controller.abort();
    // Without the abort this request would search for 10 minutes; fail instead of hanging.
    const guard = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('abort did not stop the search')), 30_000).unref());
    const result = await Promise.race([pending, guard]);
    assert.ok(result.plan.subtasks.length > 0);
    assert.match(result.notes.join('\n'), /search: \d+ batches/);
  } finally {
    await worker.close();
  }
});

test.run();
