/**
 * `--explain`: the per-term breakdown of the objective, the variants the planner tried,
 * and per stage why it went where it went and what the runner-up pool would have cost.
 */
import type { ScoredCandidate } from '../cost/evaluate.js';
import type { StageChoice } from '../plan/explain.js';
import type { Plan } from '../plan/plan.js';
import { formatBytes, formatDurationS, formatUsd, signed, table } from './format.js';
import { formatObjective } from './text.js';

export function renderExplain(plan: Plan, choices: readonly StageChoice[], omitted: number, tried: readonly ScoredCandidate[]): string {
  const t = plan.terms;
  const s = plan.summary;
  const lines: string[] = ['', 'cost breakdown (each term in its own unit)'];
  lines.push(table([
    ['  makespan', formatDurationS(t.makespanS), `lower bound ${formatDurationS(plan.bounds.makespanLowerBoundS)}`],
    ['  compute price', formatUsd(t.computeUsd), `slot-seconds × price; lower bound ${formatUsd(plan.bounds.costLowerBoundUsd)}`],
    ['  egress', formatUsd(t.egressUsd), `${formatBytes(t.transferBytes)} moved between regions`],
    ['  transfer', formatDurationS(t.transferS), 'summed over transfers (latency + bytes / bandwidth)'],
    ['  contention', formatDurationS(t.contentionS), plan.basis.availability === 'declared' ? 'no availability forecast: declared capacity assumed' : `planned use above the free slots of forecast ${plan.basis.availability}`],
    ['  interruption', `${formatDurationS(t.interruptionS)}, ${formatUsd(t.interruptionUsd)}`, 'expected rework, already inside makespan and compute'],
  ]));
  lines.push(`  objective      ${formatObjective(plan)} = ${objectiveFormula(plan)}`);
  lines.push(`  lower bound    ${formatBound(plan)}  gap ${formatGap(plan.bounds.gap)}  (${plan.bounds.source})`);
  if (tried.length > 1) {
    lines.push('', `variants tried (${tried.length}; the best by the cost model wins)`);
    const rows = tried.map((c) => ['  ' + c.variant, formatDurationS(c.terms.makespanS), formatUsd(c.terms.costUsd), c.terms.objective.toPrecision(5), c.variant === s.variant ? '← chosen' : '']);
    lines.push(table(rows, [false, true, true, true, false]));
  }
  lines.push('', 'why each stage went where it went (runner-up: all its sub-tasks moved to the next best pool)');
  const rows: string[][] = [];
  for (const choice of choices) {
    const where = choice.pools.map((p) => `${p.pool}×${p.subtasks}`).join(' ');
    rows.push(['  ' + choice.name, where, describeRunnerUp(plan, choice)]);
  }
  lines.push(table(rows));
  if (omitted > 0) lines.push(`  … ${omitted} smaller stage groups not re-scored`);
  return lines.join('\n');
}

function formatBound(plan: Plan): string {
  const value = plan.bounds.objectiveLowerBound;
  return plan.summary.objectiveUnit === 's' ? formatDurationS(value) : formatUsd(value);
}

/** "12.4 %" above the bound; "optimal" when the plan meets it. */
export function formatGap(gap: number): string {
  if (!Number.isFinite(gap)) return 'unbounded (the bound is 0)';
  return gap <= 1e-9 ? '0 % (proven optimal)' : `${(gap * 100).toFixed(1)} %`;
}

function objectiveFormula(plan: Plan): string {
  const s = plan.summary;
  if (s.objectiveKind === 'makespan') return 'makespan';
  if (s.objectiveKind === 'cost') return `${formatUsd(plan.terms.computeUsd)} compute + ${formatUsd(plan.terms.egressUsd)} egress`;
  const contentionS = plan.terms.contentionS;
  if (contentionS > 0) return `${formatUsd(plan.terms.costUsd)} cost + ${s.usdPerHour} USD/h × (${(s.makespanS / 3600).toFixed(3)} h makespan + ${(contentionS / 3600).toFixed(3)} h contention)`;
  return `${formatUsd(plan.terms.costUsd)} cost + ${s.usdPerHour} USD/h × ${(s.makespanS / 3600).toFixed(3)} h makespan`;
}

function describeRunnerUp(plan: Plan, choice: StageChoice): string {
  const r = choice.runnerUp;
  if (r === undefined) return 'no other pool may run it';
  const unit = plan.summary.objectiveUnit;
  const delta = unit === 's' ? formatDurationS(r.objectiveDelta) : formatUsd(r.objectiveDelta);
  const parts = [`makespan ${signed(formatDurationS(r.makespanDeltaS), r.makespanDeltaS)}`, `cost ${signed(formatUsd(r.costDeltaUsd), r.costDeltaUsd)}`];
  if (Math.abs(r.egressDeltaUsd) > 1e-9) parts.push(`of which egress ${signed(formatUsd(r.egressDeltaUsd), r.egressDeltaUsd)}`);
  const verdict = r.objectiveDelta >= 0 ? '' : '  (better: the constructive planner missed it)';
  return `runner-up ${r.pool}: objective ${signed(delta, r.objectiveDelta)} (${parts.join(', ')})${verdict}`;
}
