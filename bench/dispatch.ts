/**
 * `npm run bench:dispatch`: the sub-task scheduler's throughput and recovery, as ratios measured
 * side by side in one run (absolute times drift between runs on this machine).
 *
 *   local-noop    no-op JS handlers through the dispatcher with the journal on (target ≥ 20,000/s)
 *   local-shell   `true` as a command per sub-task against `xargs -P SLOTS` (target within 1.3×)
 *   sim           100k sub-tasks with ~1,000 interruptions on the virtual clock (target ≤ 5 s)
 *   replan        re-planning the remainder of a half-done run, 1k and 100k sub-tasks
 *   bullmq        see bench/dispatch-bullmq.ts (needs Redis), run last when Redis answers
 *
 * Usage: npm run bench:dispatch [-- only=local-noop,sim]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend } from '../dist/dispatch/backend.js';
import { replanRemainder } from '../dist/dispatch/replan.js';
import { startRun } from '../dist/dispatch/run.js';
import { createLocalBackend } from '../dist/dispatch/local/local-backend.js';
import { openRunJournal } from '../dist/history/journal.js';
import { assembleProblem, type Problem } from '../dist/model/problem.js';
import { validateResourceMap } from '../dist/model/validate-pools.js';
import { validateTaskDefinition } from '../dist/model/validate-task.js';
import { planConstructive, type PlanOutcome } from '../dist/plan/planner.js';

const NOOP = fileURLToPath(new URL('./fixtures/noop.mjs', import.meta.url));
const SHELL_RUN = fileURLToPath(new URL('./fixtures/shell-run.mjs', import.meta.url));
const only = (process.argv.find((a) => a.startsWith('only='))?.slice(5).split(',') ?? []).filter((s) => s !== '');
const wanted = (name: string): boolean => only.length === 0 || only.includes(name);

function pools(slots: number, count = 1, extra: Record<string, unknown> = {}): unknown {
  return {
    pools: Array.from({ length: count }, (_, i) => ({ id: `p${i}`, region: 'A', slots, speed: 1, memGbPerSlot: 4, priceUsdPerSlotHour: 0.01 * (i + 1), startupS: 0, interruptionPerHour: 0, dispatchOverheadS: 0, ...extra })),
  };
}

function independent(n: number, run: unknown, runtimeS = 1): unknown {
  return { name: `bench-${n}`, stages: Array.from({ length: n }, (_, i) => ({ id: `t${i}`, op: 'noop', runtimeS, run })) };
}

function planned(task: unknown, resources: unknown): { problem: Problem; outcome: PlanOutcome } {
  const problem = assembleProblem(validateTaskDefinition(task), validateResourceMap(resources));
  return { problem, outcome: planConstructive(problem, { constructiveVariants: 1 }) };
}

/** Wall seconds of one run through the dispatcher, journal on, planning excluded. */
async function timedRun(backend: Backend, problem: Problem, outcome: PlanOutcome, replay?: number): Promise<{ seconds: number; committed: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'apportion-bench-'));
  const journal = openRunJournal(join(dir, 'history.sqlite'));
  try {
    const t0 = performance.now();
    const run = await startRun({
      problem,
      plan: outcome.plan,
      scored: outcome.scored,
      backend,
      journal,
      runDir: join(dir, 'run'),
      runId: 'bench',
      definitionHash: 'bench',
      settings: { backend: backend.name, definitionPath: 'bench', poolsPath: 'bench', definitionDir: dir, ...(replay === undefined ? {} : { replay: { timeScale: replay } }) },
      replan: false,
    });
    const report = await run.done;
    return { seconds: (performance.now() - t0) / 1000, committed: report.committed };
  } finally {
    journal.close();
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const lines: string[] = [];
const say = (line: string): void => {
  lines.push(line);
  console.log(line);
};

say(`# bench:dispatch — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);

if (wanted('local-noop')) {
  const n = 20_000;
  const { problem, outcome } = planned(independent(n, { module: NOOP, export: 'noop' }), pools(256));
  // One warm-up run (thread start, module load), then three measured.
  await timedRun(createLocalBackend(), problem, outcome);
  const rates: number[] = [];
  for (let i = 0; i < 3; i++) {
    const { seconds, committed } = await timedRun(createLocalBackend(), problem, outcome);
    if (committed !== n) throw new Error(`local-noop committed ${committed} of ${n}`);
    rates.push(n / seconds);
  }
  rates.sort((a, b) => a - b);
  say(`local-noop: ${n} no-op JS handlers, 256 slots, journal on: median ${Math.round(rates[1]!)} sub-tasks/s (runs ${rates.map((r) => Math.round(r)).join(', ')}); target ≥ 20000`);
}

if (wanted('local-shell')) {
  const n = 2000;
  const slots = 4;
  const timed = (command: string, args: string[]): number => {
    const t0 = performance.now();
    const result = spawnSync(command, args, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
    return (performance.now() - t0) / 1000;
  };
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < 3; i++) {
    theirs.push(timed('sh', ['-c', `seq ${n} | xargs -P ${slots} -n 1 true`]));
    // In a plain node process from dist/ (see the fixture): tsx's loader here would slow every spawn.
    const out = spawnSync(process.execPath, [SHELL_RUN, String(n), String(slots)], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`shell-run failed: ${out.stderr}`);
    ours.push(Number(out.stdout.trim()));
  }
  ours.sort((a, b) => a - b);
  theirs.sort((a, b) => a - b);
  say(`local-shell: ${n} × \`true\` on ${slots} slots, dispatcher + journal + local backend: ${ours[1]!.toFixed(2)} s, xargs -P ${slots}: ${theirs[1]!.toFixed(2)} s → ratio ${(ours[1]! / theirs[1]!).toFixed(2)}× (target ≤ 1.3×)`);
}

if (wanted('replan')) {
  for (const n of [1000, 100_000]) {
    const { problem, outcome } = planned(independent(n, undefined, 10), pools(64, 4));
    const { schedule } = outcome.scored;
    // Half-way: what finished by the planned midpoint is committed, what runs then is running.
    const nowS = outcome.plan.summary.makespanS / 2;
    const committed = [];
    const running = [];
    for (let s = 0; s < n; s++) {
      const entry = { id: outcome.plan.subtasks[s]!.id, pool: outcome.plan.subtasks[s]!.pool, slot: schedule.slot[s]!, startS: schedule.startS[s]! };
      if (schedule.finishS[s]! <= nowS) committed.push({ ...entry, finishS: schedule.finishS[s]! });
      else if (schedule.startS[s]! <= nowS) running.push(entry);
    }
    const excluded = new Uint8Array(4);
    excluded[0] = 1; // a pool lost: the remainder must move
    const slotsNow = Int32Array.from([0, 64, 64, 64]);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) times.push(replanRemainder(problem, outcome.scored, { nowS, committed, running }, excluded, slotsNow).planningMs);
    times.sort((a, b) => a - b);
    say(`replan: ${n} sub-tasks, ${committed.length} committed, ${running.length} running, one of 4 pools lost: median ${times[1]!.toFixed(1)} ms`);
  }
}

if (wanted('sim')) {
  try {
    const { benchSim } = await import('./dispatch-sim-run.js');
    say(await benchSim());
  } catch (error) {
    say(`sim: not run (${error instanceof Error ? error.message : String(error)})`);
  }
}


