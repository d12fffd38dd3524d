/**
 * One large planning run in its own process (spawned by bench/latency.ts): generate a layered
 * DAG of N tasks × 16 pools, then time a complete plan through the public API (constructive,
 * budget 0). Prints one JSON line: seconds, peak RSS, phases.
 */
import { assembleProblem, createPlanner, layeredDag, syntheticPools } from '../dist/index.js';

const tasks = Number(process.argv[2]);
const definition = layeredDag({ tasks, seed: 1 });
const resources = syntheticPools({ pools: 16, seed: 2 });
const started = performance.now();
const problem = assembleProblem(definition, resources);
const assembledMs = performance.now() - started;
const planner = await createPlanner({ solver: 'none', scorer: 'reference', workers: 1 });
// The first constructive variant: what the old engine planned at budget 0 (the full portfolio at 10^6 nodes takes ~3× longer).
const outcome = await planner.plan(problem, { timeBudgetMs: 0, constructiveVariants: 1 });
await planner.close();
const seconds = (performance.now() - started) / 1000;
const peakRssMb = process.resourceUsage().maxRSS / 1024;
const phases = `assemble ${(assembledMs / 1000).toFixed(1)} s, plan ${(seconds - assembledMs / 1000).toFixed(1)} s (${outcome.plan.summary.variant})`;
console.log(JSON.stringify({ seconds, peakRssMb, subtasks: outcome.plan.subtasks.length, phases }));
