import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadResourceMap, loadTaskDefinition } from '../../src/load/files.js';
import { assembleProblem } from '../../src/model/problem.js';
import { planConstructive } from '../../src/plan/planner.js';
import type { Plan, PlanSubtask } from '../../src/plan/plan.js';
import { renderGanttSvg } from '../../src/render/svg.js';
import { REPO_ROOT } from '../helpers/problems.js';

const test = suite('render/svg: Gantt chart of a plan');

function heftPlan(): Plan {
  const task = loadTaskDefinition(join(REPO_ROOT, 'test/fixtures/heft-topcuoglu-2002.json'));
  const pools = loadResourceMap(join(REPO_ROOT, 'test/fixtures/heft-topcuoglu-2002.pools.json'));
  return planConstructive(assembleProblem(task, pools), { planner: 'heft' }).plan;
}

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (text: string): string => text.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => ENTITY[name]!);

/** Attributes of every `<tag ...>` start tag in document order, values entity-decoded. */
function elements(svg: string, tag: string): Record<string, string>[] {
  const found: Record<string, string>[] = [];
  for (const m of svg.matchAll(new RegExp(`<${tag}((?:\\s+[\\w.:-]+="[^"]*")*)\\s*/?>`, 'g'))) {
    const attrs: Record<string, string> = {};
    for (const a of m[1]!.matchAll(/([\w.:-]+)="([^"]*)"/g)) attrs[a[1]!] = decode(a[2]!);
    found.push(attrs);
  }
  return found;
}

const bars = (svg: string): Record<string, string>[] => elements(svg, 'rect').filter((a) => a.class === 'bar');
const num = (attrs: Record<string, string> | undefined, name: string): number => Number(attrs?.[name]);

/** A small well-formedness check: one root, balanced tags, quoted attributes, no stray `<` or `&`. */
function assertWellFormed(xml: string): void {
  const body = xml.replace(/^<\?xml [^?]*\?>/, '');
  const badText = /<|>|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+="[^"<]*")*)\s*(\/?)>/g;
  const stack: string[] = [];
  let roots = 0;
  let last = 0;
  for (const m of body.matchAll(tag)) {
    const text = body.slice(last, m.index);
    assert.not.ok(badText.test(text), `stray markup in text: ${JSON.stringify(text.slice(0, 80))}`);
    if (stack.length === 0) assert.is(text.trim(), '', 'text outside the root element');
    assert.not.ok(/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(m[3]!), `raw & in attributes of <${m[2]}>`);
    const [, closing, name, , selfClosing] = m;
    if (closing === '/') assert.is(stack.pop(), name, `</${name}> closes the wrong element`);
    else if (selfClosing !== '/') {
      if (stack.length === 0) roots++;
      stack.push(name!);
    } else if (stack.length === 0) roots++;
    last = m.index + m[0].length;
  }
  assert.is(body.slice(last).trim(), '', 'text after the root element');
  assert.is(stack.length, 0, `unclosed: ${stack.join(' ')}`);
  assert.is(roots, 1, 'exactly one root element');
}

test('one bar rect per sub-task, each naming its sub-task', () => {
  const plan = heftPlan();
  const found = bars(renderGanttSvg(plan));
  assert.is(found.length, plan.subtasks.length);
  assert.equal(found.map((b) => b['data-id']).sort(), plan.subtasks.map((t) => t.id).sort());
});

test('bar x and width follow start and finish on one linear time scale', () => {
  const plan = heftPlan();
  const svg = renderGanttSvg(plan);
  const byId = new Map(bars(svg).map((b) => [b['data-id']!, b]));
  const [a, b] = [...plan.subtasks].sort((p, q) => p.startS - q.startS).filter((_, i, all) => i === 0 || i === all.length - 1) as [PlanSubtask, PlanSubtask];
  // The scale recovered from two bars' left edges...
  const pxPerS = (num(byId.get(b.id), 'x') - num(byId.get(a.id), 'x')) / (b.startS - a.startS);
  const x0Px = num(byId.get(a.id), 'x') - a.startS * pxPerS;
  assert.ok(pxPerS > 0);
  const root = elements(svg, 'svg')[0];
  assert.ok(Math.abs(pxPerS - num(root, 'data-px-per-s')) < 1e-3, 'matches the scale the chart declares');
  assert.ok(Math.abs(x0Px - num(root, 'data-x0-px')) < 0.05, 'time 0 sits at the declared origin');
  // ...places every bar: left edge at its start, right edge at its finish.
  for (const t of plan.subtasks) {
    const bar = byId.get(t.id);
    assert.ok(Math.abs(num(bar, 'x') - (x0Px + t.startS * pxPerS)) < 0.02, `${t.id} x`);
    assert.ok(Math.abs(num(bar, 'width') - (t.finishS - t.startS) * pxPerS) < 0.02, `${t.id} width`);
  }
  // The makespan line sits at the makespan on the same scale.
  const makespan = elements(svg, 'line').find((l) => l.class === 'makespan');
  assert.ok(Math.abs(num(makespan, 'x1') - (x0Px + plan.summary.makespanS * pxPerS)) < 0.02);
});

test('rows follow pool order, then slot; a bar lies inside its row', () => {
  const plan = heftPlan();
  const svg = renderGanttSvg(plan);
  const yOf = new Map(bars(svg).map((b) => [b['data-id']!, num(b, 'y')]));
  const poolRank = new Map(plan.pools.map((p, i) => [p.id, i]));
  const sorted = [...plan.subtasks].sort((p, q) => poolRank.get(p.pool)! - poolRank.get(q.pool)! || p.slot - q.slot);
  for (let i = 1; i < sorted.length; i++) assert.ok(yOf.get(sorted[i - 1]!.id)! <= yOf.get(sorted[i]!.id)!, 'y never decreases along pool, slot order');
  const samePoolSlot = sorted.filter((t) => t.pool === sorted[0]!.pool && t.slot === sorted[0]!.slot);
  assert.ok(samePoolSlot.every((t) => yOf.get(t.id) === yOf.get(sorted[0]!.id)), 'one row per (pool, slot)');
});

test('XML special characters in names are escaped', () => {
  const plan = heftPlan();
  const first = plan.subtasks[0]!;
  const tricky: Plan = {
    ...plan,
    job: 'a<b&"c"',
    subtasks: [{ ...first, id: `x<&>'"`, op: 'op<&>' }, ...plan.subtasks.slice(1)],
  };
  const svg = renderGanttSvg(tricky);
  assertWellFormed(svg);
  assert.ok(svg.includes('a&lt;b&amp;&quot;c&quot;'), 'job name escaped in the heading');
  assert.not.ok(svg.includes('a<b'), 'no raw job name');
  assert.ok(bars(svg).some((b) => b['data-id'] === `x<&>'"`), 'sub-task id round-trips through the attribute');
  assert.ok(svg.includes('op&lt;&amp;&gt;'), 'op escaped in the legend');
  assert.ok(renderGanttSvg(plan, { title: 'T & <U>' }).includes('T &amp; &lt;U&gt;'), 'the title option is escaped too');
});

test('deadline line only when a deadline is set', () => {
  const plan = heftPlan();
  const deadlineLines = (p: Plan): Record<string, string>[] => elements(renderGanttSvg(p), 'line').filter((l) => l.class === 'deadline');
  assert.is(plan.constraints.deadlineS, undefined);
  assert.is(deadlineLines(plan).length, 0);
  assert.is(elements(renderGanttSvg(plan), 'line').filter((l) => l.class === 'makespan').length, 1);
  const withDeadline: Plan = { ...plan, constraints: { ...plan.constraints, deadlineS: 90 } };
  const lines = deadlineLines(withDeadline);
  assert.is(lines.length, 1);
  const svg = renderGanttSvg(withDeadline);
  const root = elements(svg, 'svg')[0];
  assert.ok(Math.abs(num(lines[0], 'x1') - (num(root, 'data-x0-px') + 90 * num(root, 'data-px-per-s'))) < 0.02, 'at the deadline');
  // A deadline far past the makespan is a note at the edge, not a line that squashes the bars.
  const far: Plan = { ...plan, constraints: { ...plan.constraints, deadlineS: 100 * plan.summary.makespanS } };
  assert.is(deadlineLines(far).length, 0);
  assert.match(renderGanttSvg(far), /class="deadline-note"[^>]*>deadline [^<]*beyond the axis/);
});

test('standalone, well-formed SVG with size and viewBox', () => {
  const svg = renderGanttSvg(heftPlan(), { widthPx: 900 });
  assertWellFormed(svg);
  const root = elements(svg, 'svg')[0]!;
  assert.is(root.xmlns, 'http://www.w3.org/2000/svg');
  assert.is(root.width, '900');
  assert.is(root.viewBox, `0 0 900 ${root.height}`);
  assert.ok(Number(root.height) > 0);
});

test('tooltips give id, pool/slot, start–finish, runtime and cost', () => {
  const plan = heftPlan();
  const t = plan.subtasks.find((s) => s.id === 'n2')!;
  const titles = [...renderGanttSvg(plan).matchAll(/<g class="subtask"><title>([^<]*)<\/title>/g)].map((m) => decode(m[1]!));
  assert.is(titles.length, plan.subtasks.length);
  const tip = titles.find((s) => s.startsWith('n2 '))!;
  assert.ok(tip.includes(`${t.pool} slot ${t.slot}`), tip);
  assert.ok(tip.includes(`${t.startS} s – ${t.finishS} s`), tip);
  assert.ok(/runtime /.test(tip) && /cost /.test(tip), tip);
});

test('interruption rework is hatched at the end of its bar', () => {
  const plan = heftPlan();
  const t = plan.subtasks.find((s) => s.id === 'n2')!;
  const reworked: PlanSubtask = { ...t, finishS: t.finishS + 5 };
  const svg = renderGanttSvg({ ...plan, subtasks: plan.subtasks.map((s) => (s.id === 'n2' ? reworked : s)) });
  const bar = bars(svg).find((b) => b['data-id'] === 'n2')!;
  const rework = elements(svg, 'rect').filter((r) => r.class === 'rework');
  assert.is(rework.length, 1);
  const root = elements(svg, 'svg')[0];
  const barEnd = num(bar, 'x') + num(bar, 'width');
  assert.ok(Math.abs(num(rework[0], 'x') + num(rework[0], 'width') - barEnd) < 0.02, 'ends with the bar');
  assert.ok(Math.abs(num(rework[0], 'width') - 5 * num(root, 'data-px-per-s')) < 0.02, '5 s of rework');
  assert.match(svg, />interruption rework</);
  assert.is(elements(renderGanttSvg(plan), 'rect').filter((r) => r.class === 'rework').length, 0, 'none without rework');
});

/** A plan with `slots` used slots in one pool and `ops` ops, every bar `durationS` long. */
function widePlan(slots: number, ops: number, durationS = 100): Plan {
  const plan = heftPlan();
  const subtasks: PlanSubtask[] = Array.from({ length: slots }, (_, i) => ({
    id: `t${i}`, op: `op${i % ops}`, pool: 'big', slot: i, startS: i, finishS: i + durationS, runtimeS: durationS, costUsd: 0, tasks: [`t${i}`], after: [], backups: [],
  }));
  const pools = [{ id: 'big', region: 'r', slots, subtasks: slots, busyS: slots * durationS, costUsd: 0 }];
  return { ...plan, pools, subtasks, summary: { ...plan.summary, makespanS: slots - 1 + durationS } };
}

test('many slots: rows shrink so 112 slots fit in 1400 px, never below 2 px', () => {
  const heightOf = (svg: string): number => num(elements(svg, 'svg')[0], 'height');
  const rowPx = (svg: string): number => num(bars(svg)[1], 'y') - num(bars(svg)[0], 'y');
  const medium = renderGanttSvg(widePlan(112, 3));
  assert.ok(heightOf(medium) <= 1400, `height ${heightOf(medium)}`);
  assert.ok(rowPx(medium) >= 8 && rowPx(medium) <= 14, `row ${rowPx(medium)} px`);
  const huge = renderGanttSvg(widePlan(2000, 3));
  assert.is(rowPx(huge), 2);
  assert.is(bars(huge).length, 2000);
});

test('bars narrower than half a pixel are drawn half a pixel wide', () => {
  const plan = widePlan(4, 1, 100);
  const tiny = { ...plan, subtasks: plan.subtasks.map((s, i) => (i === 0 ? { ...s, finishS: s.startS + 1e-4, runtimeS: 1e-4 } : s)) };
  assert.is(num(bars(renderGanttSvg(tiny))[0], 'width'), 0.5);
});

test('legend lists at most 12 ops, then "N more"', () => {
  const legendTexts = (svg: string): string[] => [...svg.matchAll(/<g class="legend">([\s\S]*?)<\/g>/g)].flatMap((m) => [...m[1]!.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => t[1]!));
  assert.equal(legendTexts(renderGanttSvg(widePlan(20, 3))), ['op0', 'op1', 'op2']);
  const many = legendTexts(renderGanttSvg(widePlan(20, 15)));
  assert.is(many.filter((t) => /^op\d+$/.test(t)).length, 12);
  assert.ok(many.includes('+3 more ops'), many.join(','));
});

test('time axis ticks are 1, 2 or 5 × 10^k of one unit', () => {
  const axisLabels = (svg: string): string[] => [...svg.matchAll(/<g class="axis"[^>]*>([\s\S]*?)<\/g>/g)].flatMap((m) => [...m[1]!.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => t[1]!));
  assert.equal(axisLabels(renderGanttSvg(heftPlan())), ['0', '10 s', '20 s', '30 s', '40 s', '50 s', '60 s', '70 s', '80 s', 'slot']);
  const minutes = axisLabels(renderGanttSvg(widePlan(3, 1, 1500))).filter((l) => l !== 'slot');
  assert.equal(minutes, ['0', '5 min', '10 min', '15 min', '20 min', '25 min', '30 min']);
});

test('a reservation is a dashed step line per pool: below the k-th row in each window, in the legend', () => {
  const plan = heftPlan();
  const pools = [...new Set(plan.subtasks.map((t) => t.pool))];
  const reservation = { format: 'apportion-reservation', version: 1, job: plan.job, windowS: 20, pools: [{ pool: pools[0]!, slots: [1, 0, 1] }], placement: {} } as const;
  const svg = renderGanttSvg(plan, { reservation });
  const lines = elements(svg, 'polyline').filter((e) => e.class === 'reservation');
  assert.is(lines.length, pools.length, 'one line per pool with rows, reserved or not');
  const line = lines.find((e) => e['data-pool'] === pools[0])!;
  const ys = line.points!.split(' ').map((point) => Number(point.split(',')[1]));
  assert.is(ys.length, 6, 'two points per window');
  const poolBars = bars(svg).filter((b) => plan.subtasks.find((t) => t.id === b['data-id'])?.pool === pools[0]);
  assert.ok(poolBars.length > 0);
  const top = Math.min(...poolBars.map((r) => Number(r.y)));
  assert.ok(ys[0]! > top && ys[2]! < ys[0]!, `window 0 (1 slot) below window 1 (0 slots): ${ys.join(' ')}`);
  assert.is(ys[0], ys[4], 'windows with the same slots sit at the same height');
  assert.match(svg, /reserved slots \(per 20(\.0)? s window\)/);
  assert.not.match(renderGanttSvg(plan), /class="reservation"|reserved slots/);
});

test.run();
