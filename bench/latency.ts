/**
 * bench:latency: planning latency for embedding and scaling (issue 3 targets).
 *
 *   1. 1,000 sub-tasks × 16 pools: constructive plan (budget 0) p50 / p99 in-process after warm-up
 *   2. the same problem: objective reached after 10 ms, 100 ms and 1 s of anytime planning
 *   3. 100,000 sub-tasks × 16 pools: time to a complete plan
 *   4. 1,000,000-node layered DAG: time to a complete plan and peak RSS, in a child process
 *   5. re-planning the remainder (extendPlan) at 1,000 and 100,000 sub-tasks
 *
 * Runs against the built package (dist/), as an embedding host would. Writes
 * bench/results/latency.md and prints it.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleProblem, createPlanner, extendPlan, layeredDag, syntheticPools, type ApportionPlanner, type PlanOutcome, type Problem, type RunState } from '../dist/index.js';
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
      await planner.plan(problem, { timeBudgetMs: 0, constructiveVariants: 1 });
      if (i >= WARM_UP_PLANS) samplesMs.push(performance.now() - started);
    }
    samplesMs.sort((a, b) => a - b);
    const portfolioMs: number[] = [];
    for (let i = 0; i < 60; i++) {
      const started = performance.now();
      await planner.plan(problem, { timeBudgetMs: 0 });
      portfolioMs.push(performance.now() - started);
    }
    portfolioMs.sort((a, b) => a - b);
    lines.push(
      `## 1. Constructive plan, 1,000 sub-tasks × 16 pools (in-process, after ${WARM_UP_PLANS} warm-up plans, ${SAMPLES} samples)`,
      '',
      `- first variant (\`constructiveVariants: 1\`): p50 **${percentile(samplesMs, 0.5).toFixed(2)} ms** (target ≤ 5 ms), p99 **${percentile(samplesMs, 0.99).toFixed(2)} ms** (target ≤ 15 ms), max ${samplesMs[samplesMs.length - 1]!.toFixed(2)} ms`,
      `- every constructive variant (budget 0, the default): p50 ${percentile(portfolioMs, 0.5).toFixed(2)} ms, p99 ${percentile(portfolioMs, 0.99).toFixed(2)} ms (60 samples)`,
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

/** The run state once 40 % of the plan's sub-tasks have finished, with two running ones failed (re-placed). */
function runStateOf(outcome: PlanOutcome): RunState {
  const subs = outcome.plan.subtasks;
  const nowS = subs.map((s) => s.finishS).sort((a, b) => a - b)[Math.floor(subs.length * 0.4)]! + 1e-6;
  const attempt = (s: (typeof subs)[number]) => ({ id: s.id, pool: s.pool, slot: s.slot, startS: s.startS, finishS: s.finishS });
  const running = subs.filter((s) => s.startS < nowS && s.finishS > nowS);
  return { nowS, committed: subs.filter((s) => s.finishS <= nowS).map(attempt), running: running.slice(1, -1).map(attempt) };
}

/** Re-plan latency of the remainder (constructive extension, budget 0), median of `samples`. */
async function replanMs(planner: ApportionPlanner, problem: Problem, samples: number): Promise<{ ms: number; fixed: number; total: number }> {
  const first = await planner.plan(problem, { timeBudgetMs: 0, constructiveVariants: 1 });
  const state = runStateOf(first);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await extendPlan(planner, problem, first.scored, state, { timeBudgetMs: 0, constructiveVariants: 1 });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { ms: percentile(times, 0.5), fixed: state.committed.length + state.running.length, total: first.plan.subtasks.length };
}

async function replanLatency(lines: string[]): Promise<void> {
  const planner = await createPlanner({ solver: 'none', scorer: 'reference', workers: 1 });
  try {
    lines.push('## 5. Re-planning the remainder of a running job (extendPlan, budget 0, first constructive variant on the kept partition)', '', 'State: 40 % of the sub-tasks finished (committed), the running ones kept but two that failed; everything else re-placed from now on.', '', '| sub-tasks | fixed | re-plan p50 | samples |', '| ---: | ---: | ---: | ---: |');
    for (const [tasks, samples] of [
      [1000, 50],
      [100_000, 3],
    ] as const) {
      progress(`re-plan: ${tasks} tasks`);
      const problem = assembleProblem(layeredDag({ tasks, seed: 1 }), syntheticPools({ pools: 16, seed: 2 }));
      const run = await replanMs(planner, problem, samples);
      lines.push(`| ${run.total.toLocaleString('en')} | ${run.fixed.toLocaleString('en')} | **${run.ms < 100 ? run.ms.toFixed(2) : run.ms.toFixed(0)} ms** | ${samples} |`);
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
  await replanLatency(lines);
  const text = lines.join('\n');
  writeResult('latency.md', text);
  process.stdout.write(`${text}\n`);
}

await main();
