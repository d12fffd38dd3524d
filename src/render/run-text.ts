/**
 * The text result of `apportion run` and `apportion run show` (stdout), and the table of
 * `apportion runs`. Long lists are bounded — the sub-tasks that did not commit (first 20) and,
 * with --explain, the decisions (first 200) — so a 10^5-sub-task run that fails everywhere
 * still prints a page, with a count of what was left out (--format json has everything).
 */
import type { RunReport, SubtaskOutcome } from '../dispatch/dispatcher.js';
import type { DecisionRow, RunSummaryRow } from '../history/journal.js';
import type { Plan } from '../plan/plan.js';
import { formatDurationS, table } from './format.js';

/** Sub-tasks that did not commit listed by name; the rest are counted. */
export const NOT_COMMITTED_SHOWN = 20;
/** Decisions listed with --explain; the rest are counted by kind. */
export const DECISIONS_SHOWN = 200;

export interface RunReportOptions {
  readonly explain?: boolean | undefined;
  readonly decisions?: readonly DecisionRow[] | undefined;
}

/**
 * Text from commands and handlers (error messages, ids) on one line, without control
 * characters: an escape sequence in a failing command's output must not reach the terminal.
 */
export function oneLine(text: string): string {
  return text.replace(/\r\n|[\r\n\t]/g, ' ').replace(/[\u0000-\u001F\u007F-\u009F]/g, '\uFFFD');
}

export function renderRunReport(report: RunReport, plan: Plan, options: RunReportOptions = {}): string {
  const lines: string[] = [];
  lines.push(`apportion run ${oneLine(report.runId)}: ${report.status}`);
  lines.push(`job         ${oneLine(plan.job)}`);
  lines.push(`sub-tasks   ${report.committed} of ${report.subtasks} committed${notCommittedBreakdown(report.notCommitted)}`);
  lines.push(`attempts    ${report.attempts}   retries ${report.retries}   moves ${report.moves}   re-plans ${report.replans}`);
  lines.push(`excluded    ${report.excludedPools.length === 0 ? 'no pools' : report.excludedPools.map(oneLine).join(', ')}`);
  lines.push(`makespan    ${makespanLine(report)}`);
  lines.push('', ...poolTable(report, plan));
  if (report.notCommitted.length > 0) lines.push('', ...notCommittedList(report.notCommitted));
  if (report.forecast !== undefined) lines.push('', ...forecastLines(report.forecast));
  if (options.explain === true) lines.push('', ...decisionList(options.decisions ?? []));
  return `${lines.join('\n')}\n`;
}

/** What the run saw of its forecast, per pool: capacity against the band, interruptions against the hazard. */
function forecastLines(forecast: NonNullable<RunReport['forecast']>): string[] {
  const lines = [`forecast, as the run saw it (${forecast.pools.reduce((n, p) => n + p.departures.length, 0)} departure(s) from it)`];
  for (const p of forecast.pools) {
    const capacity = p.band ? `${p.capacityObservations} capacity change(s)${p.lastObserved === undefined ? '' : `, last ${p.lastObserved.slots} slot(s) at ${formatDurationS(p.lastObserved.atS)}`}, ${p.departures.length} outside the P10–P90 band` : 'no band';
    const hazard = `${p.interruptions} interruption(s) over ${p.exposureSlotHours.toFixed(2)} slot-hours (${p.expectedInterruptions.toFixed(1)} expected${p.capacityInterruptions > 0 ? `; ${p.capacityInterruptions} more from capacity drops` : ''}): hazard ${p.forecastHazardPerSlotHour.toFixed(3)} → ${p.posteriorHazardPerSlotHour.toFixed(3)}/h`;
    lines.push(`  ${oneLine(p.pool)}: ${capacity}; ${hazard}`);
  }
  return lines;
}

function notCommittedBreakdown(notCommitted: readonly SubtaskOutcome[]): string {
  if (notCommitted.length === 0) return '';
  const counts = new Map<string, number>();
  for (const t of notCommitted) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  const words: Record<string, string> = { 'given-up': 'given up', blocked: 'blocked', 'not-run': 'not run' };
  return ` (${[...counts].map(([state, n]) => `${n} ${words[state] ?? state}`).join(', ')})`;
}

/** "9m 05s actual vs 8m 20s planned (+9.0 %)"; a run that did not finish says when its last commit was. */
function makespanLine(report: RunReport): string {
  const planned = report.plannedMakespanS;
  const delta = planned > 0 ? ` (${report.makespanS >= planned ? '+' : ''}${(((report.makespanS - planned) / planned) * 100).toFixed(1)} %)` : '';
  const actual = report.committed === report.subtasks ? `${formatDurationS(report.makespanS)} actual` : `last commit at ${formatDurationS(report.makespanS)}`;
  return `${actual} vs ${formatDurationS(planned)} planned${report.committed === report.subtasks ? delta : ''}`;
}

interface PoolTally {
  planned: number;
  plannedBusyS: number;
  plannedEndS: number;
  committed: number;
  movedIn: number;
  busyS: number;
  endS: number;
}

/** Per pool: what the plan gave it and what it committed — the sub-tasks, slot time and last finish of each. */
function poolTable(report: RunReport, plan: Plan): string[] {
  const tallies = new Map<string, PoolTally>();
  const tally = (pool: string): PoolTally => {
    let t = tallies.get(pool);
    if (t === undefined) tallies.set(pool, (t = { planned: 0, plannedBusyS: 0, plannedEndS: 0, committed: 0, movedIn: 0, busyS: 0, endS: 0 }));
    return t;
  };
  for (const pool of plan.pools) tally(pool.id);
  const plannedPool = new Map<string, string>();
  for (const t of plan.subtasks) {
    plannedPool.set(t.id, t.pool);
    const p = tally(t.pool);
    p.planned++;
    p.plannedBusyS += t.finishS - t.startS;
    p.plannedEndS = Math.max(p.plannedEndS, t.finishS);
  }
  for (const t of report.timeline) {
    if (t.state !== 'committed') continue;
    const p = tally(t.pool);
    p.committed++;
    if (plannedPool.get(t.id) !== t.pool) p.movedIn++;
    if (t.startedS !== undefined && t.finishedS !== undefined) {
      p.busyS += t.finishedS - t.startedS;
      p.endS = Math.max(p.endS, t.finishedS);
    }
  }
  const excluded = new Set(report.excludedPools);
  const rows = [['pool', 'planned', 'committed', 'moved in', 'busy planned', 'busy actual', 'end planned', 'end actual', '']];
  for (const [pool, t] of tallies) {
    const end = (s: number, n: number): string => (n === 0 ? '-' : formatDurationS(s));
    rows.push([oneLine(pool), String(t.planned), String(t.committed), String(t.movedIn), formatDurationS(t.plannedBusyS), formatDurationS(t.busyS), end(t.plannedEndS, t.planned), end(t.endS, t.committed), excluded.has(pool) ? 'excluded' : '']);
  }
  return table(rows, [false, true, true, true, true, true, true, true, false]).split('\n');
}

function notCommittedList(notCommitted: readonly SubtaskOutcome[]): string[] {
  const shown = notCommitted.slice(0, NOT_COMMITTED_SHOWN);
  const rows = [['  sub-task', 'state', 'pool', 'attempts', 'reason']];
  for (const t of shown) rows.push([`  ${oneLine(t.id)}`, t.state, oneLine(t.pool), String(t.attempts), oneLine(t.reason ?? '')]);
  const lines = [`not committed (${notCommitted.length}):`, ...table(rows, [false, false, false, true, false]).split('\n')];
  if (notCommitted.length > shown.length) lines.push(`  … and ${notCommitted.length - shown.length} more (--format json lists every one)`);
  return lines;
}

function decisionList(decisions: readonly DecisionRow[]): string[] {
  if (decisions.length === 0) return ['decisions: none (every attempt went as planned)'];
  const shown = decisions.slice(0, DECISIONS_SHOWN);
  const rows = [['  time', 'kind', 'sub-task', 'pool', 'reason']];
  for (const d of shown) rows.push([`  ${formatDurationS(d.atS)}`, d.kind, oneLine(d.subtaskId ?? '-'), oneLine(d.poolId ?? '-'), oneLine(d.reason)]);
  const lines = [`decisions (${decisions.length}):`, ...table(rows, [true, false, false, false, false]).split('\n')];
  const rest = decisions.slice(shown.length);
  if (rest.length > 0) {
    const byKind = new Map<string, number>();
    for (const d of rest) byKind.set(d.kind, (byKind.get(d.kind) ?? 0) + 1);
    lines.push(`  … and ${rest.length} more: ${[...byKind].map(([kind, n]) => `${n} ${kind}`).join(', ')} (--format json lists every one)`);
  }
  return lines;
}

/** `apportion runs`: one row per run, oldest first, as the journal lists them. */
export function renderRunsList(rows: readonly RunSummaryRow[]): string {
  if (rows.length === 0) return 'no runs in the history store\n';
  const cells = [['run', 'job', 'backend', 'status', 'committed', 'attempts', 'created']];
  for (const r of rows) cells.push([oneLine(r.runId), oneLine(r.job), oneLine(r.backend), r.status, String(r.committed), String(r.attempts), isoTime(r.createdAtMs)]);
  return `${table(cells, [false, false, false, false, true, true, false])}\n`;
}

function isoTime(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '-';
}
