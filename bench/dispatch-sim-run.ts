/**
 * The `sim` case of bench/dispatch.ts: 100,000 independent sub-tasks on 4 pools × 64 slots
 * through the dispatcher (journal on, re-planning off) on the sim backend, with pool hazards
 * set for about 1,000 interruptions. Target: well under 5 s of wall time (planning excluded).
 * Run twice: as `apportion run --backend sim` does (startRun, journal on), and the dispatcher
 * alone without a journal, which splits the wall time between the journal and the rest.
 *
 *   node --import tsx bench/dispatch-sim-run.ts      (or: npm run bench:dispatch -- only=sim)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dispatch, type AttemptView } from '../dist/dispatch/dispatcher.js';
import { buildJob } from '../dist/dispatch/jobs.js';
import { jobSettingsOf, startRun } from '../dist/dispatch/run.js';
import { createSimBackend } from '../dist/dispatch/sim/index.js';
import { openRunJournal } from '../dist/history/journal.js';
import { assembleProblem } from '../dist/model/problem.js';
import { validateResourceMap } from '../dist/model/validate-pools.js';
import { validateTaskDefinition } from '../dist/model/validate-task.js';
import { planConstructive } from '../dist/plan/planner.js';

const SUBTASKS = 100_000;
const POOLS = 4;
const SLOTS = 64;
const RUNTIME_S = 600;
/** 100k × 600 s is 16,667 slot-hours: 0.06 interruptions per slot-hour give ~1,000. */
const INTERRUPTION_PER_HOUR = 0.06;

export async function benchSim(subtasks = SUBTASKS): Promise<string> {
  const task = { name: `bench-sim-${subtasks}`, stages: Array.from({ length: subtasks }, (_, i) => ({ id: `t${i}`, op: 'work', runtimeS: RUNTIME_S })) };
  const pools = {
    pools: Array.from({ length: POOLS }, (_, i) => ({ id: `p${i}`, region: 'A', slots: SLOTS, speed: 1, memGbPerSlot: 4, priceUsdPerSlotHour: 0.01 * (i + 1), startupS: 0, interruptionPerHour: INTERRUPTION_PER_HOUR, dispatchOverheadS: 0 })),
  };
  const problem = assembleProblem(validateTaskDefinition(task), validateResourceMap(pools));
  const planStartMs = performance.now();
  const outcome = planConstructive(problem, { constructiveVariants: 1 });
  const planningMs = performance.now() - planStartMs;
  const backend = createSimBackend({ seed: 1, durations: 'replay', pools: problem.resources.pools });
  const dir = mkdtempSync(join(tmpdir(), 'apportion-bench-sim-'));
  const journal = openRunJournal(join(dir, 'history.sqlite'));
  let interrupted = 0;
  const onAttempt = (attempt: AttemptView): void => {
    if (attempt.outcome === 'interrupted') interrupted++;
  };
  try {
    const t0 = performance.now();
    const run = await startRun({
      problem,
      plan: outcome.plan,
      scored: outcome.scored,
      backend,
      journal,
      runDir: join(dir, 'run'),
      runId: 'bench-sim',
      definitionHash: 'bench',
      settings: { backend: 'sim', definitionPath: 'bench', poolsPath: 'bench', definitionDir: dir, replay: { timeScale: 1 } },
      replan: false,
      onAttempt,
    });
    const report = await run.done;
    const seconds = (performance.now() - t0) / 1000;
    if (report.committed !== subtasks) throw new Error(`sim committed ${report.committed} of ${subtasks}`);
    const stats = backend.stats();
    await backend.close();

    // The dispatcher alone: same plan, same seed, no journal.
    const bare = createSimBackend({ seed: 1, durations: 'replay', pools: problem.resources.pools });
    const runDir = join(dir, 'bare');
    const jobSettings = jobSettingsOf('bench-bare', runDir, { backend: 'sim', definitionPath: 'bench', poolsPath: 'bench', definitionDir: dir, replay: { timeScale: 1 } });
    const t1 = performance.now();
    const bareReport = await dispatch({
      runId: 'bench-bare',
      runDir,
      problem,
      plan: outcome.plan,
      scored: outcome.scored,
      backend: bare,
      jobs: (r) => buildJob(problem, jobSettings, { subtask: outcome.plan.subtasks[r.subtask]!, attempt: r.attempt, pool: r.pool, inputs: r.inputs, runtimeS: r.runtimeS }),
      replan: false,
      timeScale: 1,
    });
    const bareSeconds = (performance.now() - t1) / 1000;
    await bare.close();
    if (bareReport.committed !== subtasks) throw new Error(`sim (no journal) committed ${bareReport.committed} of ${subtasks}`);
    return (
      `sim: ${subtasks} sub-tasks on ${POOLS} × ${SLOTS} slots, ${interrupted} interruptions (${report.attempts} attempts, ${report.moves} moves): ` +
      `${seconds.toFixed(2)} s wall with the journal (${Math.round(subtasks / seconds)} sub-tasks/s), ${bareSeconds.toFixed(2)} s for the dispatcher alone without it; ` +
      `backend ${stats.heapEvents} heap events, ${stats.delivered} delivered; virtual makespan ${(report.makespanS / 3600).toFixed(1)} h (planned ${(report.plannedMakespanS / 3600).toFixed(1)} h); ` +
      `planning ${(planningMs / 1000).toFixed(1)} s not counted; target ≤ 5 s`
    );
  } finally {
    journal.close();
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) console.log(await benchSim());
