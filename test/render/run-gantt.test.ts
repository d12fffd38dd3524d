import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SubtaskOutcome } from '../../src/dispatch/dispatcher.js';
import type { DecisionRow } from '../../src/history/journal.js';
import type { Plan, PlanSubtask } from '../../src/plan/plan.js';
import { MAX_LANE_BARS, MAX_MOVE_LINKS, NOT_COMMITTED_LISTED, renderRunGanttSvg, type RunGanttReport } from '../../src/render/run-gantt.js';
import { heftPlan, troubledRun, type ScriptedRun } from './run-fixture.js';
import { findAll, hasClass, parseXml, titleOf, type XmlElement } from './xml.js';

const test = suite('render/run-gantt: the run beside its plan');

/** n3 fails on its planned pool (moved after three failures); n8 fails everywhere (given up, n10 blocked). */
let run: ScriptedRun;
test.before(async () => {
  run = await troubledRun('n3', 'n8');
});

const panel = (root: XmlElement, name: string): XmlElement => {
  const found = findAll(root, (e) => e.name === 'g' && e.attrs['data-panel'] === name);
  assert.is(found.length, 1, `one ${name} panel`);
  return found[0]!;
};
const barsIn = (e: XmlElement): XmlElement[] => findAll(e, (r) => r.name === 'rect' && hasClass(r, 'bar'));
const num = (e: XmlElement | undefined, name: string): number => Number(e?.attrs[name]);

test('the run really had a move, a give-up, a block and re-plans (the fixture does what the tests assume)', () => {
  const byId = new Map(run.report.timeline.map((t) => [t.id, t]));
  const plannedN3 = run.plan.subtasks.find((t) => t.id === 'n3')!;
  assert.is(byId.get('n3')!.state, 'committed');
  assert.is.not(byId.get('n3')!.pool, plannedN3.pool);
  assert.is(byId.get('n8')!.state, 'given-up');
  assert.is(byId.get('n10')!.state, 'blocked');
  assert.ok(run.report.retries > 0 && run.report.moves > 0 && run.report.replans > 0);
});

test('well-formed, standalone SVG with the planned panel above the actual one', () => {
  const svg = renderRunGanttSvg(run.plan, run.report, run.decisions);
  const root = parseXml(svg);
  assert.is(root.name, 'svg');
  assert.is(root.attrs.xmlns, 'http://www.w3.org/2000/svg');
  assert.is(root.attrs.viewBox, `0 0 ${root.attrs.width} ${root.attrs.height}`);
  assert.is(root.attrs['data-mode'], 'lanes');
  const planned = panel(root, 'planned');
  const actual = panel(root, 'actual');
  const plannedBars = barsIn(planned);
  const actualBars = barsIn(actual);
  assert.equal(plannedBars.map((b) => b.attrs['data-id']).sort(), run.plan.subtasks.map((t) => t.id).sort(), 'every planned sub-task in the planned panel');
  const committed = run.report.timeline.filter((t) => t.state === 'committed').map((t) => t.id);
  assert.equal(actualBars.map((b) => b.attrs['data-id']).sort(), committed.sort(), 'every committed sub-task, and only those, in the actual panel');
  assert.ok(Math.max(...plannedBars.map((b) => num(b, 'y'))) < Math.min(...actualBars.map((b) => num(b, 'y'))), 'planned above actual');
});

test('both panels share one time axis: bars at x0 + t × px/s, planned by plan time, actual by run time', () => {
  const root = parseXml(renderRunGanttSvg(run.plan, run.report, run.decisions));
  const x0 = num(root, 'data-x0-px');
  const pxPerS = num(root, 'data-px-per-s');
  assert.ok(pxPerS > 0);
  const planned = new Map(barsIn(panel(root, 'planned')).map((b) => [b.attrs['data-id']!, b]));
  for (const t of run.plan.subtasks) {
    assert.ok(Math.abs(num(planned.get(t.id), 'x') - (x0 + t.startS * pxPerS)) < 0.02, `planned ${t.id} x`);
    assert.ok(Math.abs(num(planned.get(t.id), 'width') - Math.max(0.5, (t.finishS - t.startS) * pxPerS)) < 0.02, `planned ${t.id} width`);
  }
  const actual = new Map(barsIn(panel(root, 'actual')).map((b) => [b.attrs['data-id']!, b]));
  for (const t of run.report.timeline.filter((o) => o.state === 'committed')) {
    assert.ok(Math.abs(num(actual.get(t.id), 'x') - (x0 + t.startedS! * pxPerS)) < 0.02, `actual ${t.id} x`);
    assert.ok(Math.abs(num(actual.get(t.id), 'width') - (t.finishedS! - t.startedS!) * pxPerS) < 0.02, `actual ${t.id} width`);
  }
  // The axis reaches past the later of the two makespans.
  const ticks = findAll(root, (e) => e.name === 'g' && e.attrs.class === 'axis')[0]!.children.filter((e) => e.name === 'text');
  assert.ok(ticks.length >= 3);
  const lastTickX = num(ticks[ticks.length - 1], 'x');
  assert.ok(lastTickX >= x0 + Math.max(run.report.makespanS, run.report.plannedMakespanS) * pxPerS - 0.02);
  const actualLine = findAll(root, (e) => e.name === 'line' && e.attrs.class === 'actual-makespan')[0];
  assert.ok(Math.abs(num(actualLine, 'x1') - (x0 + run.report.makespanS * pxPerS)) < 0.02, 'actual makespan line');
});

test('a sub-task that moved pool: outlined in both panels, joined by a link, its tooltip naming both pools', () => {
  const root = parseXml(renderRunGanttSvg(run.plan, run.report, run.decisions));
  const plannedPool = run.plan.subtasks.find((t) => t.id === 'n3')!.pool;
  const actualPool = run.report.timeline.find((t) => t.id === 'n3')!.pool;
  const actualBar = barsIn(panel(root, 'actual')).find((b) => b.attrs['data-id'] === 'n3')!;
  assert.ok(hasClass(actualBar, 'moved'));
  assert.is(actualBar.attrs['data-moved-from'], plannedPool);
  assert.ok(actualBar.attrs.stroke !== undefined && actualBar.attrs.stroke !== '#ffffff', 'outlined');
  assert.ok(hasClass(barsIn(panel(root, 'planned')).find((b) => b.attrs['data-id'] === 'n3')!, 'moved'));
  const link = findAll(root, (e) => e.name === 'line' && hasClass(e, 'move-link') && e.attrs['data-id'] === 'n3');
  assert.is(link.length, 1);
  const group = findAll(panel(root, 'actual'), (e) => e.name === 'g' && e.children.includes(actualBar))[0]!;
  assert.match(titleOf(group)!, `ran on ${actualPool}`);
  assert.match(titleOf(group)!, `moved from ${plannedPool}`);
  // Sub-tasks that stayed on their pool are not marked.
  const stayed = run.report.timeline.filter((t) => t.state === 'committed' && t.pool === run.plan.subtasks.find((p) => p.id === t.id)!.pool).map((t) => t.id);
  assert.ok(stayed.length > 0);
  for (const bar of barsIn(panel(root, 'actual'))) assert.is(hasClass(bar, 'moved'), !stayed.includes(bar.attrs['data-id']!), bar.attrs['data-id']);
});

test('sub-tasks that did not commit are faded in the plan and listed with state and reason', () => {
  const root = parseXml(renderRunGanttSvg(run.plan, run.report, run.decisions));
  const planned = barsIn(panel(root, 'planned'));
  assert.equal(planned.filter((b) => hasClass(b, 'not-committed')).map((b) => b.attrs['data-id']).sort(), ['n10', 'n8']);
  const items = findAll(root, (e) => hasClass(e, 'not-committed-item'));
  assert.equal(items.map((e) => [e.attrs['data-id'], e.attrs['data-state']]), [['n8', 'given-up'], ['n10', 'blocked']]);
  assert.match(items[0]!.text, 'failed');
  assert.match(items[1]!.text, 'its input n8 could not run');
  const summary = findAll(root, (e) => hasClass(e, 'not-committed-summary'))[0]!;
  assert.match(summary.text, '1 given up');
  assert.match(summary.text, '1 blocked');
});

test('decisions are markers on the time axis with their reasons as tooltips; re-plans also as a line', () => {
  const root = parseXml(renderRunGanttSvg(run.plan, run.report, run.decisions));
  const x0 = num(root, 'data-x0-px');
  const pxPerS = num(root, 'data-px-per-s');
  const markers = findAll(root, (e) => e.name === 'g' && hasClass(e, 'decision'));
  const total = markers.reduce((n, m) => n + Number(m.attrs['data-count']), 0);
  assert.is(total, run.decisions.length, 'every decision counted in some marker');
  const kinds = new Set(markers.map((m) => m.attrs['data-kind']));
  for (const kind of ['retry', 'move', 'replan', 'exclude-pool', 'give-up']) assert.ok(kinds.has(kind), kind);
  const replan = run.decisions.find((d) => d.kind === 'replan')!;
  const tip = markers.filter((m) => m.attrs['data-kind'] === 'replan').map(titleOf).find((t) => t!.includes(replan.reason.slice(0, 40)));
  assert.ok(tip !== undefined, 'a re-plan marker holds its reason');
  const lines = findAll(root, (e) => e.name === 'line' && hasClass(e, 'replan-line'));
  assert.is(lines.length, markers.filter((m) => m.attrs['data-kind'] === 'replan').length);
  assert.ok(lines.some((l) => Math.abs(num(l, 'x1') - (x0 + replan.atS * pxPerS)) < 0.02), 'at the re-plan time');
  const giveUp = markers.find((m) => m.attrs['data-kind'] === 'give-up')!;
  assert.match(titleOf(giveUp)!, 'give-up n8');
});

test('the heading gives run id, status, planned vs actual makespan, retries, moves and re-plans', () => {
  const root = parseXml(renderRunGanttSvg(run.plan, run.report, run.decisions));
  const text = findAll(root, (e) => e.name === 'text' && (hasClass(e, 'title') || hasClass(e, 'subtitle'))).map((e) => e.text).join(' | ');
  assert.match(text, 'run run-1');
  assert.match(text, 'status failed');
  assert.match(text, 'planned makespan 1m 20s');
  assert.match(text, 'last commit');
  assert.match(text, `${run.report.retries} retries`);
  assert.match(text, `${run.report.moves} moves`);
  assert.match(text, `${run.report.replans} re-plans`);
  assert.match(text, '8 of 10 sub-tasks committed');
});

test('a pool taken out of the run is shaded from then on and says so', () => {
  const exclusion = run.decisions.find((d) => d.kind === 'exclude-pool')!;
  const root = parseXml(renderRunGanttSvg(run.plan, run.report, run.decisions));
  const shade = findAll(root, (e) => e.name === 'rect' && hasClass(e, 'excluded'));
  assert.equal(shade.map((e) => e.attrs['data-pool']), [exclusion.poolId]);
  assert.ok(Math.abs(num(shade[0], 'x') - (num(root, 'data-x0-px') + exclusion.atS * num(root, 'data-px-per-s'))) < 0.02);
});

test('all text is escaped: run id, job, sub-task ids, ops, pools and reasons', () => {
  const nasty = `<b>&"x'\u0001`;
  const plan: Plan = { ...run.plan, job: `job ${nasty}`, subtasks: run.plan.subtasks.map((t) => (t.id === 'n8' ? { ...t, op: `op${nasty}` } : t)) };
  const timeline = run.report.timeline.map((t) => (t.id === 'n8' ? { ...t, reason: `reason ${nasty}` } : t));
  const decisions = run.decisions.map((d) => ({ ...d, reason: `${nasty} ${d.reason}` }));
  const svg = renderRunGanttSvg(plan, { ...run.report, runId: `r${nasty}`, timeline }, decisions);
  const root = parseXml(svg);
  assert.not.ok(svg.includes('<b>'), 'no raw markup');
  assert.not.ok(svg.includes('\u0001'), 'no control characters (not even escaped: XML 1.0 forbids them)');
  const title = findAll(root, (e) => hasClass(e, 'title'))[0]!;
  assert.match(title.text, 'run r<b>&"x\'');
  assert.match(findAll(root, (e) => hasClass(e, 'not-committed-item'))[0]!.text, 'reason <b>&"x\'');
  assert.ok(findAll(root, (e) => e.name === 'g' && hasClass(e, 'decision')).every((m) => titleOf(m)!.includes('<b>&"x\'')));
});

test('a report rebuilt from the journal (no slots) packs committed sub-tasks into non-overlapping lanes', () => {
  const timeline = run.report.timeline.map((t) => ({ ...t, slot: -1 }));
  const root = parseXml(renderRunGanttSvg(run.plan, { ...run.report, timeline }, run.decisions));
  const bars = barsIn(panel(root, 'actual'));
  assert.is(bars.length, run.report.timeline.filter((t) => t.state === 'committed').length);
  for (const a of bars) {
    for (const b of bars) {
      if (a === b || a.attrs.y !== b.attrs.y) continue;
      const overlap = Math.min(num(a, 'x') + num(a, 'width'), num(b, 'x') + num(b, 'width')) - Math.max(num(a, 'x'), num(b, 'x'));
      assert.ok(overlap < 0.02, `${a.attrs['data-id']} and ${b.attrs['data-id']} share a lane and overlap`);
    }
  }
});

test('a run stopped before anything committed, and an empty plan: well-formed, nothing drawn that is not there', () => {
  const timeline = run.report.timeline.map((t): SubtaskOutcome => ({ id: t.id, state: 'not-run', pool: t.pool, slot: -1, attempts: 0, reason: 'not run: the run was stopped' }));
  const root = parseXml(renderRunGanttSvg(run.plan, { ...run.report, status: 'stopped', timeline, makespanS: 0, retries: 0, moves: 0, replans: 0 }, []));
  assert.is(barsIn(panel(root, 'actual')).length, 0);
  assert.is(barsIn(panel(root, 'planned')).filter((b) => hasClass(b, 'not-committed')).length, run.plan.subtasks.length);
  assert.is(findAll(root, (e) => hasClass(e, 'actual-makespan')).length, 0, 'no makespan line for a run that committed nothing');
  assert.is(findAll(root, (e) => hasClass(e, 'not-committed-item')).length, run.plan.subtasks.length);
  const empty: Plan = { ...run.plan, subtasks: [], summary: { ...run.plan.summary, makespanS: 0, subtaskCount: 0 } };
  const emptyRoot = parseXml(renderRunGanttSvg(empty, { ...run.report, timeline: [], makespanS: 0, plannedMakespanS: 0 }, []));
  assert.ok(Number(emptyRoot.attrs.height) > 0);
  assert.ok(Number.isFinite(Number(emptyRoot.attrs['data-px-per-s'])));
});

/** A hand-made run of `n` sub-tasks on three pools (64, 64, 32 slots): 5 % moved, 1 % given up, one retry decision per 10 sub-tasks. */
function bigRun(n: number): { plan: Plan; report: RunGanttReport; decisions: DecisionRow[] } {
  const base = heftPlan();
  const pools = [
    { id: 'a', region: 'r1', slots: 64 },
    { id: 'b', region: 'r2', slots: 64 },
    { id: 'c', region: 'r3', slots: 32 },
  ];
  const laneCount = 160;
  const lanes = pools.flatMap((p) => Array.from({ length: p.slots }, (_, slot) => ({ pool: p.id, slot })));
  const laneEnd = new Float64Array(laneCount);
  const subtasks: PlanSubtask[] = [];
  for (let i = 0; i < n; i++) {
    const lane = i % laneCount;
    const durationS = 5 + ((i * 7919) % 40);
    const startS = laneEnd[lane]!;
    laneEnd[lane] = startS + durationS;
    subtasks.push({ id: `s${i}`, op: `op${i % 7}`, pool: lanes[lane]!.pool, slot: lanes[lane]!.slot, startS, finishS: startS + durationS, runtimeS: durationS, costUsd: 0, tasks: [`s${i}`], after: [], backups: [] });
  }
  const makespanS = Math.max(...laneEnd);
  const plan: Plan = {
    ...base,
    job: 'big',
    pools: pools.map((p) => ({ ...p, subtasks: subtasks.filter((t) => t.pool === p.id).length, busyS: 0, costUsd: 0 })),
    subtasks,
    summary: { ...base.summary, makespanS, subtaskCount: n },
  };
  const timeline: SubtaskOutcome[] = subtasks.map((t, i) => {
    if (i % 100 === 99) return { id: t.id, state: 'given-up', pool: t.pool, slot: t.slot, attempts: 3, startedS: t.startS, reason: `failed 3 times (exit code ${i})` };
    const moved = i % 20 === 7;
    const pool = moved ? (t.pool === 'a' ? 'b' : 'a') : t.pool;
    return { id: t.id, state: 'committed', pool, slot: t.slot, attempts: moved ? 4 : 1, startedS: t.startS * 1.1, finishedS: t.finishS * 1.1 };
  });
  const decisions: DecisionRow[] = subtasks.filter((_, i) => i % 10 === 3).map((t, k) => ({ seq: k, atS: t.startS, kind: 'retry', subtaskId: t.id, poolId: t.pool, reason: `attempt 1 failed (exit code 3); retry 1 of 2 on ${t.pool} in 1 s` }));
  decisions.push({ seq: decisions.length, atS: makespanS / 2, kind: 'replan', reason: 'drift' });
  const report: RunGanttReport = { runId: 'big-1', status: 'failed', timeline, makespanS: makespanS * 1.1, plannedMakespanS: makespanS, retries: decisions.length - 1, moves: n / 20, replans: 1 };
  return { plan, report, decisions };
}

test('20,000 sub-tasks: load mode, well-formed, under 1 MB, both panels, moved load and the not-committed list bounded', () => {
  const { plan, report, decisions } = bigRun(20_000);
  const svg = renderRunGanttSvg(plan, report, decisions);
  assert.ok(svg.length < 1_000_000, `${svg.length} characters`);
  const root = parseXml(svg);
  assert.is(root.attrs['data-mode'], 'load');
  assert.ok(Number(root.attrs.height) <= 1600, `height ${root.attrs.height}`);
  for (const name of ['planned', 'actual']) {
    const loads = findAll(panel(root, name), (e) => e.name === 'path' && hasClass(e, 'load'));
    assert.equal([...new Set(loads.map((e) => e.attrs['data-pool']))].sort(), ['a', 'b', 'c'], `${name}: a load band per pool`);
  }
  assert.equal(findAll(root, (e) => hasClass(e, 'moved-load')).map((e) => e.attrs['data-pool']).sort(), ['a', 'b'], 'moved-in load outlined where sub-tasks moved to');
  assert.is(findAll(root, (e) => hasClass(e, 'not-committed-item')).length, NOT_COMMITTED_LISTED);
  assert.match(findAll(root, (e) => hasClass(e, 'not-committed-more'))[0]!.text, `and ${200 - NOT_COMMITTED_LISTED} more`);
  const markers = findAll(root, (e) => e.name === 'g' && hasClass(e, 'decision'));
  assert.ok(markers.length < 400, `${markers.length} markers for ${decisions.length} decisions`);
  assert.is(markers.reduce((n, m) => n + Number(m.attrs['data-count']), 0), decisions.length);
});

test('load mode stacks busy slots: a pool whose slots are all busy reaches the top of its band, never beyond', () => {
  const { plan, report, decisions } = bigRun(4000);
  const root = parseXml(renderRunGanttSvg(plan, report, decisions));
  assert.is(root.attrs['data-mode'], 'load');
  const pool = findAll(panel(root, 'planned'), (e) => e.name === 'g' && hasClass(e, 'pool') && e.attrs['data-pool'] === 'c')[0]!;
  const band = pool.children.filter((e) => e.name === 'rect')[1]!;
  const topPx = num(band, 'y');
  const ys = findAll(panel(root, 'planned'), (e) => e.name === 'path' && hasClass(e, 'load') && e.attrs['data-pool'] === 'c').flatMap((e) => [...e.attrs.d!.matchAll(/(?:,|V)([\d.]+)/g)].map((m) => Number(m[1])));
  assert.ok(ys.length > 0);
  // Its 32 lanes are all busy from time 0 until the first of them runs out of work.
  assert.ok(Math.abs(Math.min(...ys) - topPx) < 0.02, `top of the stack ${Math.min(...ys)} vs band top ${topPx}`);
  assert.ok(Math.max(...ys) <= topPx + num(band, 'height') + 0.02, 'within the band');
});

test(`up to ${MAX_LANE_BARS} sub-tasks stay in lanes mode, one bar each`, () => {
  const { plan, report, decisions } = bigRun(MAX_LANE_BARS);
  const root = parseXml(renderRunGanttSvg(plan, report, decisions));
  assert.is(root.attrs['data-mode'], 'lanes');
  assert.is(barsIn(panel(root, 'planned')).length, MAX_LANE_BARS);
  const moved = report.timeline.filter((t, i) => t.state === 'committed' && t.pool !== plan.subtasks[i]!.pool).length;
  assert.ok(moved > 0 && moved <= MAX_MOVE_LINKS);
  assert.is(findAll(root, (e) => hasClass(e, 'move-link')).length, moved, 'a link per moved sub-task');
  const many = { ...report, timeline: report.timeline.map((t) => (t.state === 'committed' ? { ...t, pool: t.pool === 'c' ? 'a' : 'c' } : t)) };
  assert.is(findAll(parseXml(renderRunGanttSvg(plan, many, decisions)), (e) => hasClass(e, 'move-link')).length, 0, 'past the limit no links at all, only outlines');
});

test.run();
