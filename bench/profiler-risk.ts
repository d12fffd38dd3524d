/**
 * Do plans made at a quantile hold? For each workflow with four recorded runs, leave one run
 * out, fit a profile on the other three, plan the held-out run's definition on the profile's
 * P50 and P90 runtimes, then replay each plan (same sub-tasks, pools and order) on the runtimes
 * the held-out run really had. A plan "holds" when the replayed makespan is within the planned
 * one: what a deadline set from the plan would have needed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../src/history/record.js';
import { wfformatRecords } from '../src/history/wfformat-records.js';
import { evaluateCandidate } from '../src/cost/evaluate.js';
import { assembleProblem } from '../src/model/problem.js';
import { buildSubtaskGraph } from '../src/model/subtasks.js';
import type { Stage, TaskDefinition } from '../src/model/types.js';
import { validateResourceMap } from '../src/model/validate-pools.js';
import { importWfFormat } from '../src/model/wfformat.js';
import { planConstructive } from '../src/plan/planner.js';
import { applyProfile, runtimeSpread } from '../src/profile/apply.js';
import { makespanRisk } from '../src/plan/risk.js';
import { fitProfile, type FitOptions } from '../src/profile/fit.js';
import { REPO_ROOT, WFINSTANCES_DIR } from './common.js';

export const RISK_WORKFLOWS = [
  'pegasus/srasearch/srasearch-chameleon-10a',
  'pegasus/srasearch/srasearch-chameleon-50a',
  'makeflow/blast/blast-chameleon-small',
  'makeflow/blast/blast-chameleon-medium',
  'makeflow/bwa/bwa-chameleon-small',
] as const;
export const RISK_QUANTILES = [0.5, 0.9] as const;
/** Enough slots that each plan's makespan is its critical path under contention-free placement. */
const RISK_POOLS = 'examples/pools/homogeneous.json';

export interface Replay {
  readonly workflow: string;
  readonly heldOut: number;
  readonly quantile: number;
  readonly plannedMakespanS: number;
  readonly actualMakespanS: number;
  /** The plan's makespan quantiles under the profile's spread (src/plan/risk.ts). */
  readonly simulatedP50S: number;
  readonly simulatedP90S: number;
}

interface Run {
  readonly definition: TaskDefinition;
  readonly records: RunRecord[];
}

function loadRun(prefix: string, k: number): Run {
  const path = join(WFINSTANCES_DIR, `${prefix}-00${k}.json`);
  const document: unknown = JSON.parse(readFileSync(path, 'utf8'));
  return { definition: importWfFormat(document, path), records: wfformatRecords(document, path) };
}

/** The run's definition with every task's runtime as recorded (raw seconds, like the profile's). */
function asRecorded(run: Run): TaskDefinition {
  const runtime = new Map(run.records.map((r) => [r.stageId, r.runtimeS]));
  const stages = run.definition.stages.map((stage): Stage => (stage.kind === 'atomic' ? { ...stage, runtimeS: runtime.get(stage.id) ?? stage.runtimeS } : stage));
  return { ...run.definition, stages };
}

export function riskReplays(fitOptions: FitOptions): Replay[] {
  const resources = validateResourceMap(JSON.parse(readFileSync(join(REPO_ROOT, RISK_POOLS), 'utf8')));
  const replays: Replay[] = [];
  for (const workflow of RISK_WORKFLOWS) {
    const runs = [1, 2, 3, 4].map((k) => loadRun(workflow, k));
    for (let heldOut = 0; heldOut < runs.length; heldOut++) {
      const history = runs.filter((_, k) => k !== heldOut).flatMap((run) => run.records);
      const profile = fitProfile(history, fitOptions);
      const actual = assembleProblem(asRecorded(runs[heldOut]!), resources, { objective: 'makespan' });
      for (const quantile of RISK_QUANTILES) {
        const { definition } = applyProfile(runs[heldOut]!.definition, profile, quantile, resources);
        const problem = assembleProblem(definition, resources, { objective: 'makespan' });
        const planned = { problem, ...planConstructive(problem) };
        const { graph, allocation, order } = planned.scored;
        const replayed = evaluateCandidate(actual, { graph: buildSubtaskGraph(actual, graph.partition), allocation, order, variant: 'replay' });
        const risk = makespanRisk(planned.problem, planned.scored, runtimeSpread(runs[heldOut]!.definition, profile, quantile), { seed: heldOut + 1 });
        replays.push({
          workflow: workflow.split('/').pop()!,
          heldOut: heldOut + 1,
          quantile,
          plannedMakespanS: planned.plan.summary.makespanS,
          actualMakespanS: replayed.terms.makespanS,
          simulatedP50S: risk.makespanS.p50,
          simulatedP90S: risk.makespanS.p90,
        });
      }
    }
  }
  return replays;
}
