/**
 * Planning latency, two builds side by side in one process (plans alternate, so both see the
 * same machine at the same time):
 *
 *   git worktree add /tmp/old <commit> && (cd /tmp/old && npm ci && npm run build)
 *   npm run build && node bench/latency-ab.mjs /tmp/old .
 *
 * 1,000 sub-tasks × 16 pools: the first constructive variant's p50 / p99 (500 samples each after
 * 300 warm-up plans), the constructive objective, and the objective after 10, 100 and 1000 ms.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [oldDir, newDir] = process.argv.slice(2);
if (oldDir === undefined || newDir === undefined) {
  process.stderr.write('usage: node bench/latency-ab.mjs OLD_TREE NEW_TREE (each built: dist/index.js)\n');
  process.exit(2);
}
const load = (dir) => import(pathToFileURL(resolve(dir, 'dist/index.js')).href);
const trees = { old: await load(oldDir), new: await load(newDir) };
const WARM_UP = 300;
const SAMPLES = 500;
const runs = {};
for (const [name, m] of Object.entries(trees)) {
  const problem = m.assembleProblem(m.layeredDag({ tasks: 1000, seed: 1 }), m.syntheticPools({ pools: 16, seed: 2 }));
  runs[name] = { problem, planner: await m.createPlanner({ solver: 'highs' }), firstMs: [] };
}
for (let i = 0; i < 2 * (WARM_UP + SAMPLES); i++) {
  const run = runs[i % 2 === 0 ? 'new' : 'old'];
  const startedMs = performance.now();
  await run.planner.plan(run.problem, { timeBudgetMs: 0, constructiveVariants: 1 });
  if (i >= 2 * WARM_UP) run.firstMs.push(performance.now() - startedMs);
}
for (const [name, run] of Object.entries(runs)) {
  run.firstMs.sort((a, b) => a - b);
  const constructive = (await run.planner.plan(run.problem, { timeBudgetMs: 0 })).plan.summary.objective;
  const anytime = [];
  for (const budgetMs of [10, 100, 1000]) anytime.push(`${budgetMs} ms ${(await run.planner.plan(run.problem, { timeBudgetMs: budgetMs, seed: 1 })).plan.summary.objective.toFixed(4)}`);
  const p = (q) => run.firstMs[Math.min(run.firstMs.length - 1, Math.floor(q * run.firstMs.length))].toFixed(2);
  process.stdout.write(`${name}: first variant p50 ${p(0.5)} ms, p99 ${p(0.99)} ms; constructive ${constructive.toFixed(4)}; ${anytime.join(', ')}\n`);
  await run.planner.close();
}
