/**
 * bench:latency: planning latency for embedding and scaling (issue 3 targets).
 *
 *   1. 1,000 sub-tasks × 16 pools: constructive plan (budget 0) p50 / p99 in-process after warm-up
 *   2. the same problem: objective reached after 10 ms, 100 ms and 1 s of anytime planning
 *   3. 100,000 sub-tasks × 16 pools: time to a complete plan
 *   4. 1,000,000-node layered DAG: time to a complete plan and peak RSS, in a child process
 *
 * Runs against the built package (dist/), as an embedding host would. Writes
 * bench/results/latency.md and prints it.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleProblem, createPlanner, layeredDag, syntheticPools } from '../dist/index.js';
import { describeMachine, progress, reportHeader, writeResult } from './common.js';

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const here = dirname(fileURLToPath(import.meta.url));
const WARM_UP_PLANS = 300;
const SAMPLES = 500;
const root = join(here, '..');

async function constructiveLatency(lines: string[]): Promise<void> {
  const problem = assembleProblem(layeredDag({ tasks: 1000, seed: 1 }), syntheticPools({ pools: 16, seed: 2 }));
  const planner = await createPlanner({ solver: 'none' });
  try {
    const samplesMs: number[] = [];
    // V8 reaches its optimised code for these loops after a few hundred plans.
    for (let i = 0; i < WARM_UP_PLANS + SAMPLES; i++) {
      const started = performance.now();
      await planner.plan(problem, { timeBudgetMs: 0 });
      if (i >= WARM_UP_PLANS) samplesMs.push(performance.now() - started);
    }
    samplesMs.sort((a, b) => a - b);
    lines.push(
      `## 1. Constructive plan, 1,000 sub-tasks × 16 pools (in-process, after ${WARM_UP_PLANS} warm-up plans, ${SAMPLES} samples)`,
      '',
      `- p50 **${percentile(samplesMs, 0.5).toFixed(2)} ms** (target ≤ 5 ms), p99 **${percentile(samplesMs, 0.99).toFixed(2)} ms** (target ≤ 15 ms), max ${samplesMs[samplesMs.length - 1]!.toFixed(2)} ms`,
      '',
    );
    lines.push('## 2. Anytime: objective after a time budget (same problem, default planner options)', '', '| budget | objective (USD) | vs constructive | gap to bound | candidates scored |', '| ---: | ---: | ---: | ---: | ---: |');
    const constructive = (await planner.plan(problem, { timeBudgetMs: 0 })).plan.summary.objective;
    for (const budgetMs of [10, 100, 1000]) {
      const outcome = await planner.plan(problem, { timeBudgetMs: budgetMs, seed: 1 });
      const scored = /(\d+) candidates scored/.exec(outcome.notes.join(' '))?.[1] ?? '0';
      lines.push(`| ${budgetMs} ms | ${outcome.plan.summary.objective.toFixed(4)} | ${(outcome.plan.summary.objective / constructive).toFixed(4)} | ${(outcome.gap * 100).toFixed(1)} % | ${scored} |`);
    }
    lines.push('');
  } finally {
    await planner.close();
  }
}

/** Runs `bench/scale-child.ts` in a fresh process so peak RSS is the plan's alone. */
function scaleRun(tasks: number): { seconds: number; peakRssMb: number; subtasks: number; phases: string } {
  const result = spawnSync(process.execPath, ['--max-old-space-size=6000', '--max-semi-space-size=64', '--import', 'tsx', join(here, 'scale-child.ts'), String(tasks)], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`scale run of ${tasks} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as { seconds: number; peakRssMb: number; subtasks: number; phases: string };
}

async function main(): Promise<void> {
  const lines = [...reportHeader('apportion planning latency and scale', 'npm run bench:latency', new Date().toISOString(), describeMachine()), ''];
  await constructiveLatency(lines);
  lines.push('## 3–4. Complete plans of large layered DAGs × 16 pools (fresh process each; generation excluded)', '', '| tasks | time to a complete plan | target | peak RSS | target | phases |', '| ---: | ---: | ---: | ---: | ---: | --- |');
  for (const [tasks, targetS, targetRss] of [
    [100_000, 3, '—'],
    [1_000_000, 30, '4 GB'],
  ] as const) {
    progress(`scale run: ${tasks} tasks`);
    const run = scaleRun(tasks);
    lines.push(`| ${tasks.toLocaleString('en')} | **${run.seconds.toFixed(2)} s** | ≤ ${targetS} s | ${(run.peakRssMb / 1024).toFixed(2)} GB | ${targetRss} | ${run.phases} |`);
  }
  lines.push('');
  const text = lines.join('\n');
  writeResult('latency.md', text);
  process.stdout.write(`${text}\n`);
}

await main();
