import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunReport, SubtaskOutcome } from '../../src/dispatch/dispatcher.js';
import type { DecisionRow, RunSummaryRow } from '../../src/history/journal.js';
import { DECISIONS_SHOWN, NOT_COMMITTED_SHOWN, renderRunReport, renderRunsList } from '../../src/render/run-text.js';
import { scriptedRun, troubledRun, type ScriptedRun } from './run-fixture.js';

const test = suite('render/run-text: the text result of apportion run, and apportion runs');

let troubled: ScriptedRun;
let clean: ScriptedRun;
test.before(async () => {
  troubled = await troubledRun('n3', 'n8');
  clean = await scriptedRun(() => 'succeeded', 'run-clean');
});

const lineStarting = (text: string, prefix: string): string => {
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  assert.ok(line !== undefined, `a line starting "${prefix}" in\n${text}`);
  return line;
};

test('a failed run: status, committed of total with why, attempts, retries, moves, re-plans, excluded pools, makespans', () => {
  const { report, plan } = troubled;
  const text = renderRunReport(report, plan);
  assert.is(text.split('\n')[0], 'apportion run run-1: failed');
  assert.is(lineStarting(text, 'sub-tasks'), 'sub-tasks   8 of 10 committed (1 given up, 1 blocked)');
  assert.is(lineStarting(text, 'attempts'), `attempts    ${report.attempts}   retries ${report.retries}   moves ${report.moves}   re-plans ${report.replans}`);
  assert.is(lineStarting(text, 'excluded'), `excluded    ${report.excludedPools.join(', ')}`);
  assert.ok(report.excludedPools.length > 0);
  // Not every sub-task committed: the run's last commit, not a makespan.
  assert.match(lineStarting(text, 'makespan'), /^makespan    last commit at \d+m \d\ds vs 1m 20s planned$/);
  assert.ok(text.endsWith('\n'));
});

test('per pool: planned and committed sub-tasks, moved in, busy and end planned vs actual, excluded', () => {
  const { report, plan } = troubled;
  const text = renderRunReport(report, plan);
  const header = lineStarting(text, 'pool ');
  assert.match(header, /pool\s+planned\s+committed\s+moved in\s+busy planned\s+busy actual\s+end planned\s+end actual/);
  for (const pool of plan.pools) {
    const row = lineStarting(text, `${pool.id} `).trim().split(/\s{2,}/);
    const committed = report.timeline.filter((t) => t.state === 'committed' && t.pool === pool.id);
    const movedIn = committed.filter((t) => plan.subtasks.find((p) => p.id === t.id)!.pool !== pool.id);
    assert.is(row[1], String(plan.subtasks.filter((t) => t.pool === pool.id).length), `${pool.id} planned`);
    assert.is(row[2], String(committed.length), `${pool.id} committed`);
    assert.is(row[3], String(movedIn.length), `${pool.id} moved in`);
    assert.is(row[row.length - 1] === 'excluded', report.excludedPools.includes(pool.id), `${pool.id} excluded flag`);
  }
  // The sub-task moved off its pool shows up as moved in where it committed.
  const n3 = report.timeline.find((t) => t.id === 'n3')!;
  assert.ok(Number(lineStarting(text, `${n3.pool} `).trim().split(/\s{2,}/)[3]) >= 1);
});

test('the sub-tasks that did not commit, with state, pool, attempts and reason', () => {
  const text = renderRunReport(troubled.report, troubled.plan);
  assert.ok(text.includes('\nnot committed (2):\n'));
  assert.match(lineStarting(text, '  n8 '), /^  n8\s+given-up\s+p\d\s+\d+\s+failed \d times on p\d \(last: exit code 3\), after its retries on p\d(, p\d)*; no other pool can run it now$/);
  assert.match(lineStarting(text, '  n10 '), /^  n10\s+blocked\s+p\d\s+0\s+its input n8 could not run$/);
});

test('a run that succeeded: actual vs planned makespan with the difference, no not-committed list', () => {
  const { report, plan } = clean;
  assert.is(report.status, 'succeeded');
  const text = renderRunReport(report, plan);
  assert.is(text.split('\n')[0], 'apportion run run-clean: succeeded');
  assert.is(lineStarting(text, 'sub-tasks'), 'sub-tasks   10 of 10 committed');
  assert.is(lineStarting(text, 'excluded'), 'excluded    no pools');
  const pct = ((report.makespanS - report.plannedMakespanS) / report.plannedMakespanS) * 100;
  assert.match(lineStarting(text, 'makespan'), new RegExp(` actual vs 1m 20s planned \\(${pct >= 0 ? '\\+' : ''}${pct.toFixed(1).replace('.', '\\.')} %\\)$`));
  assert.not.match(text, 'not committed');
});

test('--explain: every decision with time, kind, sub-task, pool and reason', () => {
  const { report, plan, decisions } = troubled;
  const text = renderRunReport(report, plan, { explain: true, decisions });
  assert.ok(text.includes(`\ndecisions (${decisions.length}):\n`));
  for (const d of decisions) {
    const line = text.split('\n').find((l) => l.endsWith(d.reason) && l.includes(` ${d.kind} `));
    assert.ok(line !== undefined, `decision ${d.seq} (${d.kind})`);
    if (d.subtaskId !== undefined) assert.ok(line.includes(` ${d.subtaskId} `), line);
    if (d.poolId !== undefined) assert.ok(line.includes(` ${d.poolId} `), line);
  }
  assert.not.match(renderRunReport(report, plan, { decisions }), 'decisions (', 'only with explain');
  assert.match(renderRunReport(clean.report, clean.plan, { explain: true, decisions: [] }), 'decisions: none');
});

/** The troubled run with `n` sub-tasks not committed and `d` decisions, for the bounds. */
function bloated(n: number, d: number): { report: RunReport; decisions: DecisionRow[] } {
  const notCommitted: SubtaskOutcome[] = Array.from({ length: n }, (_, i) => ({ id: `x${i}`, state: i % 2 === 0 ? 'given-up' : 'not-run', pool: 'p1', slot: -1, attempts: 1, reason: `reason ${i}` }));
  const decisions: DecisionRow[] = Array.from({ length: d }, (_, i) => ({ seq: i, atS: i, kind: i % 3 === 0 ? 'move' : 'retry', subtaskId: `x${i}`, reason: `why ${i}` }));
  return { report: { ...troubled.report, notCommitted, subtasks: troubled.report.subtasks + n }, decisions };
}

test(`long lists are bounded: the first ${NOT_COMMITTED_SHOWN} not committed, the first ${DECISIONS_SHOWN} decisions, then counts`, () => {
  const { report, decisions } = bloated(75, 1000);
  const text = renderRunReport(report, troubled.plan, { explain: true, decisions });
  const listed = text.split('\n').filter((l) => /^  x\d+ /.test(l));
  assert.is(listed.length, NOT_COMMITTED_SHOWN);
  assert.ok(text.includes(`\n  … and ${75 - NOT_COMMITTED_SHOWN} more (--format json lists every one)\n`));
  assert.match(lineStarting(text, 'sub-tasks'), '(38 given up, 37 not run)');
  const decisionLines = text.split('\n').filter((l) => / (move|retry) {2,}x\d+ /.test(l));
  assert.is(decisionLines.length, DECISIONS_SHOWN);
  const rest = decisions.slice(DECISIONS_SHOWN);
  const moves = rest.filter((r) => r.kind === 'move').length;
  assert.ok(text.includes(`  … and ${rest.length} more: ${rest.length - moves} retry, ${moves} move (--format json lists every one)`), text.slice(-300));
  assert.ok(text.split('\n').length < NOT_COMMITTED_SHOWN + DECISIONS_SHOWN + 40, 'a page, not a dump');
});

test('text from commands stays on its line and carries no escape sequences', () => {
  const evil = 'exit code 3\n\u001b[2J\u001b[31mred\ttab\r';
  const report: RunReport = { ...troubled.report, runId: 'r\u001b[1m', notCommitted: [{ ...troubled.report.notCommitted[0]!, reason: evil }] };
  const decisions: DecisionRow[] = [{ seq: 0, atS: 1, kind: 'give-up', subtaskId: 'n8', reason: evil }];
  const text = renderRunReport(report, troubled.plan, { explain: true, decisions });
  assert.not.match(text, '\u001b');
  assert.not.match(text, '\r');
  assert.not.match(text, '\t');
  assert.is(text.split('\n').filter((l) => l.includes('\uFFFD[31mred tab')).length, 2, 'the reason on one line in the list and in the decisions');
});

test('apportion runs: a table of run id, job, backend, status, committed, attempts, created at (ISO)', () => {
  const rows: RunSummaryRow[] = [
    { runId: 'r-20261202-1', job: 'montage', backend: 'local', status: 'succeeded', createdAtMs: Date.UTC(2026, 11, 2, 18, 0, 5, 120), updatedAtMs: 0, committed: 225, attempts: 231 },
    { runId: 'r-20261202-2', job: 'genome (big)', backend: 'bullmq', status: 'running', createdAtMs: Date.UTC(2026, 11, 2, 19, 30), updatedAtMs: 0, committed: 7, attempts: 12 },
  ];
  const lines = renderRunsList(rows).split('\n');
  assert.is(lines.length, 4, 'header, two rows, final newline');
  assert.is(lines[3], '');
  assert.match(lines[0]!, /^run\s+job\s+backend\s+status\s+committed\s+attempts\s+created$/);
  assert.match(lines[1]!, /^r-20261202-1\s+montage\s+local\s+succeeded\s+225\s+231\s+2026-12-02T18:00:05\.120Z$/);
  assert.match(lines[2]!, /^r-20261202-2\s+genome \(big\)\s+bullmq\s+running\s+7\s+12\s+2026-12-02T19:30:00\.000Z$/);
  // Numbers right-aligned: their last digits share a column.
  assert.is(lines[1]!.indexOf('225') + 3, lines[2]!.indexOf(' 7 ') + 2);
  assert.is(renderRunsList([]), 'no runs in the history store\n');
});

test.run();
