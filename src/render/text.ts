/**
 * Plain-text plan: the totals, one row per pool, then a table per pool of its sub-tasks
 * (the first `limit` by start time).
 */
import { describeObjective } from '../model/objective.js';
import type { Plan, PlanSubtask } from '../plan/plan.js';
import { formatDurationS, formatUsd, table } from './format.js';

export function renderText(plan: Plan, options: { limit?: number } = {}): string {
  const limit = options.limit ?? 8;
  const s = plan.summary;
  const lines: string[] = [];
  lines.push(`apportion plan: ${plan.job}`);
  lines.push(`planner    ${s.planner} (${s.variant})`);
  lines.push(`objective  ${formatObjective(plan)}  [${describeObjective({ kind: s.objectiveKind, usdPerHour: s.usdPerHour })}]`);
  lines.push(`makespan   ${formatDurationS(s.makespanS)}   cost ${formatUsd(s.costUsd)}   sub-tasks ${s.subtaskCount}   planned in ${s.planningMs.toFixed(0)} ms`);
  if (plan.risk !== undefined) lines.push(riskLine(plan));
  for (const violation of plan.constraints.violations) lines.push(`✖ this plan ${violation}`);
  lines.push('');
  const rows = [['pool', 'region', 'slots', 'sub-tasks', 'busy', 'cost']];
  for (const pool of plan.pools) rows.push([pool.id, pool.region, String(pool.slots), String(pool.subtasks), formatDurationS(pool.busyS), formatUsd(pool.costUsd)]);
  rows.push(['total', '', '', String(s.subtaskCount), formatDurationS(plan.pools.reduce((a, p) => a + p.busyS, 0)), formatUsd(plan.terms.computeUsd)]);
  lines.push(table(rows, [false, false, true, true, true, true]));
  if (plan.terms.egressUsd > 0) lines.push(`egress ${formatUsd(plan.terms.egressUsd)} on top of compute`);
  for (const pool of plan.pools) {
    const mine = plan.subtasks.filter((t) => t.pool === pool.id).sort((a, b) => a.startS - b.startS);
    if (mine.length === 0) continue;
    lines.push('', `${pool.id}: ${mine.length} sub-task${mine.length === 1 ? '' : 's'}`);
    const subRows = [['sub-task', 'work', 'slot', 'start', 'finish', 'cost']];
    for (const task of mine.slice(0, limit)) subRows.push([task.id, describeWork(task), String(task.slot), formatDurationS(task.startS), formatDurationS(task.finishS), formatUsd(task.costUsd)]);
    lines.push(table(subRows, [false, false, true, true, true, true]));
    if (mine.length > limit) lines.push(`… ${mine.length - limit} more (--limit N shows more; --format json has all)`);
  }
  if (plan.provisional.length > 0) {
    lines.push('', `provisional (${plan.provisional.length} stage${plan.provisional.length === 1 ? '' : 's'} on provisional estimates):`);
    for (const p of plan.provisional.slice(0, limit)) lines.push(`  ${p.stage}: ${p.reason}`);
    if (plan.provisional.length > limit) lines.push(`  … ${plan.provisional.length - limit} more`);
  }
  if (plan.assumptions.length > 0) lines.push('', 'assumptions:', ...plan.assumptions.map((a) => `  - ${a}`));
  return lines.join('\n');
}

/** "risk       makespan P50 4m 10s · P90 5m 02s under the history's spread (200 draws); deadline met in 97 %" */
function riskLine(plan: Plan): string {
  const risk = plan.risk!;
  const { p10, p50, p90 } = risk.makespanS;
  const at = (s: number): string => (Number.isFinite(s) ? formatDurationS(s) : 'unfinished');
  const deadline = risk.deadlineMetShare === undefined ? '' : `; deadline met in ${(risk.deadlineMetShare * 100).toFixed(0)} %`;
  const unfinished = risk.unfinishedShare > 0 ? `; ${(risk.unfinishedShare * 100).toFixed(0)} % of draws outlast the pools' capacity windows` : '';
  return `risk       makespan P10 ${at(p10)} · P50 ${at(p50)} · P90 ${at(p90)} under the history's spread (${risk.samples} draws, this placement)${deadline}${unfinished}`;
}

export function formatObjective(plan: Plan): string {
  const s = plan.summary;
  return s.objectiveUnit === 's' ? formatDurationS(s.objective) : formatUsd(s.objective);
}

function describeWork(task: PlanSubtask): string {
  const tasks = task.tasks ?? [];
  if (task.items !== undefined) {
    const range = `${task.stage} ${task.unit ?? 'items'} ${task.items[0]}–${task.items[1]}`;
    // A chunk of a bag of tasks: which tasks (--format json lists every one).
    if (tasks.length === 0) return range;
    return `${range}: ${tasks.length === 1 ? tasks[0]! : `${tasks[0]!} … ${tasks[tasks.length - 1]!}`}`;
  }
  return tasks.length === 1 ? tasks[0]! : `${tasks.length} × ${task.op}`;
}
