/**
 * A run beside its plan, as one standalone SVG: the planned timeline above, the actual one
 * below, on one time axis, with the same pools and lanes in both panels.
 *
 * Two panels rather than a thin planned bar over each actual bar: a sub-task that moved pool
 * or slot is in a different lane in the run, so an overlay per lane would put its two bars in
 * different places anyway; and at 2–4 px per lane an overlay is unreadable where two stacked
 * panels still read like two plan charts, compared by looking straight down a lane. Makespans,
 * replans and pools taken out line up vertically on the shared axis.
 *
 * What the run changed is marked:
 * - a sub-task that committed on another pool than planned: its actual bar outlined in black,
 *   its planned bar outlined too, and a dotted line joins the two (while at most
 *   MAX_MOVE_LINKS moved);
 * - a sub-task that did not commit (given up, blocked, not run): its planned bar faded with a
 *   dashed red outline, and listed under the chart with its reason;
 * - decisions (retries, moves, re-plans, pools taken out, give-ups) as markers in a strip above
 *   the actual panel, one row per kind, with the reasons in a <title> tooltip; re-plans also as
 *   a dashed line down the actual panel; a pool taken out is shaded from then on.
 *
 * Size: up to MAX_LANE_BARS sub-tasks and MAX_LANES lanes, one bar per sub-task and panel (as
 * the plan Gantt draws). Past that — 10^4 and more sub-tasks — the plan Gantt would write one
 * bar each (it does not aggregate: ~0.2 kB per sub-task, 4.2 MB for 20,000), so this chart switches
 * to *load* mode: per pool a band with the busy slots over time stacked by op, a step path per
 * (pool, op, panel) over at most MAX_LOAD_STEPS time bins in all, moved-in load as an outline.
 * Decision markers are bucketed per few pixels, so a burst of 10^4 retries is a few markers
 * with a count. So the output is bounded by the picture, not the run.
 */
import type { RunReport, SubtaskOutcome } from '../dispatch/dispatcher.js';
import type { DecisionKind, DecisionRow } from '../history/journal.js';
import type { Plan, PlanSubtask } from '../plan/plan.js';
import { formatDurationS } from './format.js';
import { FONT, PALETTE, escapeXml, opColours, px, textColourOn, textWidthPx, timeAxis, truncate, truncateMiddle, wrapItems, type TimeAxis } from './svg.js';

export type RunGanttReport = Pick<RunReport, 'timeline' | 'makespanS' | 'plannedMakespanS' | 'status' | 'runId' | 'retries' | 'moves' | 'replans'>;

export interface RunGanttOptions {
  readonly widthPx?: number;
  /** Replaces "run <id> · <job>" in the heading. */
  readonly title?: string;
}

/** Beyond these, one bar per sub-task would be too many or too thin: load mode. */
export const MAX_LANE_BARS = 1500;
export const MAX_LANES = 200;
/** Time bins summed over every stacked layer of load mode (bounds the path data). */
export const MAX_LOAD_STEPS = 40_000;
/** Sub-tasks that did not commit, listed under the chart by name. */
export const NOT_COMMITTED_LISTED = 20;
/**
 * Dotted lines from planned to actual bar for moved sub-tasks, all or none: past this many
 * they hide the bars, and a subset would suggest the others did not move; the outlines remain.
 */
export const MAX_MOVE_LINKS = 100;
/** Decisions within this many pixels (same kind) share one marker. */
const MARKER_BUCKET_PX = 6;
const REASONS_PER_MARKER = 3;
const REASON_CHARS = 140;

const DEFAULT_WIDTH_PX = 1200;
const MIN_WIDTH_PX = 480;
const MAX_HEIGHT_PX = 1400;
const ROW_MAX_PX = 14;
const ROW_MIN_PX = 2;
const BAND_MAX_PX = 64;
const BAND_MIN_PX = 18;
const MARGIN_PX = 12;
const GUTTER_PX = 52;
const RIGHT_PAD_PX = 28;
const POOL_HEADER_PX = 18;
const POOL_GAP_PX = 6;
const PANEL_LABEL_PX = 18;
const PANEL_GAP_PX = 14;
const MARKER_ROW_PX = 11;
const MIN_BAR_PX = 0.5;
const LEGEND_MAX_OPS = 12;
const OTHER_OPS_COLOUR = '#BAB0AC';
const MOVED_STROKE = '#111111';
const NOT_COMMITTED_STROKE = '#B00020';

/** Marker rows of the decision strip, top to bottom; stay, resume and stop share the last. */
const MARKER_ROWS: readonly { readonly label: string; readonly kinds: readonly DecisionKind[]; readonly colour: string }[] = [
  { label: 'retry', kinds: ['retry'], colour: '#E08A00' },
  { label: 'move', kinds: ['move'], colour: '#1F5FA8' },
  { label: 're-plan', kinds: ['replan'], colour: '#7B3FA0' },
  { label: 'pool out', kinds: ['exclude-pool'], colour: '#B00020' },
  { label: 'give up', kinds: ['give-up'], colour: '#B00020' },
  { label: 'other', kinds: ['stay', 'resume', 'stop'], colour: '#555555' },
];

type Mode = 'lanes' | 'load';

interface PoolBlock {
  readonly id: string;
  readonly region: string;
  /** Lanes mode: the slots drawn, ascending (planned and actual ones). */
  readonly lanes: readonly number[];
  /** Load mode: the band's full scale in busy slots. */
  readonly scaleSlots: number;
  planned: number;
  committed: number;
  movedIn: number;
  excludedAtS?: number;
}

interface ActualBar {
  readonly outcome: SubtaskOutcome;
  readonly planned: PlanSubtask | undefined;
  readonly op: string;
  readonly slot: number;
  readonly startS: number;
  readonly finishS: number;
  readonly moved: boolean;
}

interface Placed {
  readonly block: PoolBlock;
  readonly headerTopPx: number;
  readonly bodyTopPx: number;
}

interface Geometry {
  readonly widthPx: number;
  readonly x0Px: number;
  readonly x1Px: number;
  readonly pxPerS: number;
  readonly axis: TimeAxis;
  readonly rowPx: number;
  readonly bandPx: number;
}

export function renderRunGanttSvg(plan: Plan, report: RunGanttReport, decisions: readonly DecisionRow[] = [], options: RunGanttOptions = {}): string {
  const widthPx = Math.max(MIN_WIDTH_PX, Math.round(options.widthPx ?? DEFAULT_WIDTH_PX));
  const plannedById = new Map(plan.subtasks.map((t) => [t.id, t]));
  const actual = actualBars(report.timeline, plannedById);
  const notCommitted = report.timeline.filter((t) => t.state !== 'committed');
  const outcomeById = new Map(report.timeline.map((t) => [t.id, t]));
  const blocks = poolBlocks(plan, report, actual, decisions);
  const laneCount = blocks.reduce((n, b) => n + b.lanes.length, 0);
  const mode: Mode = Math.max(plan.subtasks.length, actual.length) <= MAX_LANE_BARS && laneCount <= MAX_LANES ? 'lanes' : 'load';
  const colours = opColours(plan.subtasks);

  // Horizontal: one axis for both panels, long enough for whichever ran longer.
  const x0Px = MARGIN_PX + GUTTER_PX;
  const x1Px = widthPx - RIGHT_PAD_PX;
  const axis = timeAxis(spanS(plan, report, decisions), x1Px - x0Px);
  const pxPerS = (x1Px - x0Px) / axis.endS;

  // Vertical: heading, legend, then two panels of equal pool blocks.
  const heading = headingSvg(plan, report, notCommitted, options.title ?? `run ${report.runId} · ${plan.job}`, widthPx);
  const legend = legendSvg(plan, colours, mode, movesLinked(actual), decisions, widthPx, heading.bottomPx);
  const plotTopPx = legend.bottomPx + 22;
  const markerRows = MARKER_ROWS.filter((row) => decisions.some((d) => row.kinds.includes(d.kind)));
  const stripPx = markerRows.length === 0 ? 0 : markerRows.length * MARKER_ROW_PX + 4;
  const fixedPx = plotTopPx + 2 * PANEL_LABEL_PX + PANEL_GAP_PX + stripPx + 2 * blocks.length * (POOL_HEADER_PX + POOL_GAP_PX) + 40 + listHeightPx(notCommitted.length);
  const rowPx = laneCount === 0 ? ROW_MAX_PX : clamp(Math.floor((MAX_HEIGHT_PX - fixedPx) / (2 * laneCount)), ROW_MIN_PX, ROW_MAX_PX);
  const bandPx = blocks.length === 0 ? BAND_MAX_PX : clamp(Math.floor((MAX_HEIGHT_PX - fixedPx) / (2 * blocks.length)), BAND_MIN_PX, BAND_MAX_PX);
  const geometry: Geometry = { widthPx, x0Px, x1Px, pxPerS, axis, rowPx, bandPx };
  const bodyPx = (b: PoolBlock): number => (mode === 'lanes' ? b.lanes.length * rowPx : bandPx);

  const plannedLabelPx = plotTopPx + 4;
  const planned = placeBlocks(blocks, plannedLabelPx + PANEL_LABEL_PX, bodyPx);
  const actualLabelPx = planned.bottomPx + PANEL_GAP_PX;
  const stripTopPx = actualLabelPx + PANEL_LABEL_PX;
  const actualPanel = placeBlocks(blocks, stripTopPx + stripPx, bodyPx);
  const plotBottomPx = actualPanel.bottomPx;
  const list = notCommittedListSvg(notCommitted, plannedById, widthPx, plotBottomPx + 34);
  const heightPx = Math.ceil(list.bottomPx + MARGIN_PX);

  const xOf = (s: number): number => x0Px + s * pxPerS;
  const body: string[] = [
    ...heading.parts,
    ...legend.parts,
    ...gridSvg(geometry, plotTopPx, plotBottomPx),
    `<g class="panel" data-panel="planned">`,
    panelLabel('planned', plannedLabelPx, `makespan ${formatDurationS(report.plannedMakespanS)}`, geometry),
    ...planned.placed.flatMap((p) => poolHeaderSvg(p, 'planned', geometry, mode)),
    ...(mode === 'lanes'
      ? plan.subtasks.map((t) => plannedBarSvg(t, planned.placed, geometry, colours, outcomeById.get(t.id)))
      : loadSvg(planned.placed, geometry, plan.subtasks.map((t) => ({ pool: t.pool, op: t.op, startS: t.startS, finishS: t.finishS, moved: false })), colours, legendOpsOf(plan, colours))),
    makespanLine(xOf(report.plannedMakespanS), plannedLabelPx + PANEL_LABEL_PX - 4, planned.bottomPx, 'planned-makespan', '#111111', ''),
    '</g>',
    `<g class="panel" data-panel="actual">`,
    panelLabel('actual', actualLabelPx, `${report.status} · ${report.timeline.some((t) => t.state !== 'committed') ? 'last commit' : 'makespan'} ${formatDurationS(report.makespanS)} · planned makespan dashed`, geometry),
    ...excludedSvg(actualPanel.placed, geometry, mode),
    ...actualPanel.placed.flatMap((p) => poolHeaderSvg(p, 'actual', geometry, mode)),
    ...(mode === 'lanes'
      ? actual.map((bar) => actualBarSvg(bar, actualPanel.placed, geometry, colours))
      : loadSvg(actualPanel.placed, geometry, actual.map((b) => ({ pool: b.outcome.pool, op: b.op, startS: b.startS, finishS: b.finishS, moved: b.moved })), colours, legendOpsOf(plan, colours))),
    makespanLine(xOf(report.plannedMakespanS), stripTopPx, actualPanel.bottomPx, 'planned-makespan-ghost', '#888888', ' stroke-dasharray="4 3"'),
    ...(report.timeline.some((t) => t.state === 'committed') ? [makespanLine(xOf(report.makespanS), stripTopPx, actualPanel.bottomPx, 'actual-makespan', '#111111', '')] : []),
    ...decisionSvg(decisions, markerRows, geometry, stripTopPx, actualPanel.bottomPx),
    '</g>',
    ...(mode === 'lanes' ? moveLinksSvg(actual, planned.placed, actualPanel.placed, geometry) : []),
    ...bottomAxisSvg(geometry, plotBottomPx),
    ...list.parts,
  ];
  const title = options.title ?? `run ${report.runId} · ${plan.job}`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${heightPx}" viewBox="0 0 ${widthPx} ${heightPx}" font-family="${FONT}" role="img" data-mode="${mode}" data-x0-px="${px(x0Px)}" data-px-per-s="${pxPerS}">`,
    `<title>${escapeXml(`Run Gantt chart: ${title}`)}</title>`,
    `<rect width="${widthPx}" height="${heightPx}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

// ── data ────────────────────────────────────────────────────────────────────

function clamp(value: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, value));
}

/** Committed sub-tasks with a start and finish; those without a slot (a report rebuilt from the journal) packed into lanes per pool. */
function actualBars(timeline: readonly SubtaskOutcome[], plannedById: ReadonlyMap<string, PlanSubtask>): ActualBar[] {
  const bars: ActualBar[] = [];
  const unslotted = new Set<string>();
  for (const t of timeline) {
    const startS = t.startedS ?? NaN;
    const finishS = t.finishedS ?? NaN;
    if (t.state !== 'committed' || !Number.isFinite(startS) || !Number.isFinite(finishS)) continue;
    const planned = plannedById.get(t.id);
    const slot = Number.isInteger(t.slot) ? t.slot : -1;
    bars.push({ outcome: t, planned, op: planned?.op ?? '?', slot, startS, finishS: Math.max(startS, finishS), moved: planned !== undefined && planned.pool !== t.pool });
    if (slot < 0) unslotted.add(t.pool);
  }
  if (unslotted.size === 0) return bars;
  // Greedy interval packing (lowest free lane by start time): as many lanes as the run overlapped.
  const packed = new Map<ActualBar, number>();
  for (const pool of unslotted) {
    const mine = bars.filter((b) => b.outcome.pool === pool).sort((a, b) => a.startS - b.startS);
    const laneEndS: number[] = [];
    for (const bar of mine) {
      let lane = laneEndS.findIndex((endS) => endS <= bar.startS + 1e-9);
      if (lane < 0) lane = laneEndS.length;
      laneEndS[lane] = bar.finishS;
      packed.set(bar, lane);
    }
  }
  return bars.map((b) => (packed.has(b) ? { ...b, slot: packed.get(b)! } : b));
}

/** Pools in plan order (then any only the run names), with the union of their planned and actual lanes. */
function poolBlocks(plan: Plan, report: RunGanttReport, actual: readonly ActualBar[], decisions: readonly DecisionRow[]): PoolBlock[] {
  const lanes = new Map<string, Set<number>>();
  const region = new Map<string, string>();
  const declaredSlots = new Map<string, number>();
  const lanesOf = (pool: string): Set<number> => {
    let set = lanes.get(pool);
    if (set === undefined) lanes.set(pool, (set = new Set()));
    return set;
  };
  for (const p of plan.pools) {
    lanesOf(p.id);
    region.set(p.id, p.region);
    declaredSlots.set(p.id, p.slots);
  }
  for (const t of plan.subtasks) lanesOf(t.pool).add(t.slot);
  for (const b of actual) lanesOf(b.outcome.pool).add(b.slot);
  for (const t of report.timeline) lanesOf(t.pool);
  const blocks = new Map<string, PoolBlock>();
  for (const [id, set] of lanes) {
    const sorted = [...set].filter((s) => s >= 0).sort((a, b) => a - b);
    const scaleSlots = Math.max(1, declaredSlots.get(id) ?? 0, sorted.length);
    blocks.set(id, { id, region: region.get(id) ?? '?', lanes: sorted, scaleSlots, planned: 0, committed: 0, movedIn: 0 });
  }
  for (const t of plan.subtasks) blocks.get(t.pool)!.planned++;
  for (const b of actual) {
    const block = blocks.get(b.outcome.pool)!;
    block.committed++;
    if (b.moved) block.movedIn++;
  }
  for (const d of decisions) {
    const block = d.kind === 'exclude-pool' && d.poolId !== undefined ? blocks.get(d.poolId) : undefined;
    if (block !== undefined && block.excludedAtS === undefined) block.excludedAtS = d.atS;
  }
  return [...blocks.values()];
}

/** The latest time anything happened or was planned; one NaN or infinity in a journal must not collapse the axis. */
function spanS(plan: Plan, report: RunGanttReport, decisions: readonly DecisionRow[]): number {
  let end = 0;
  const see = (s: number | undefined): void => {
    if (s !== undefined && Number.isFinite(s) && s > end) end = s;
  };
  see(plan.summary.makespanS);
  see(report.plannedMakespanS);
  see(report.makespanS);
  for (const t of plan.subtasks) see(t.finishS);
  for (const t of report.timeline) {
    see(t.finishedS);
    see(t.startedS);
  }
  for (const d of decisions) see(d.atS);
  return end > 0 ? end : 1;
}

function placeBlocks(blocks: readonly PoolBlock[], topPx: number, bodyPx: (b: PoolBlock) => number): { placed: Placed[]; bottomPx: number } {
  const placed: Placed[] = [];
  let y = topPx;
  for (const block of blocks) {
    placed.push({ block, headerTopPx: y, bodyTopPx: y + POOL_HEADER_PX });
    y += POOL_HEADER_PX + bodyPx(block) + POOL_GAP_PX;
  }
  return { placed, bottomPx: y - POOL_GAP_PX + 2 };
}

function laneTopPx(placed: readonly Placed[], pool: string, slot: number, rowPx: number): number | undefined {
  const p = placed.find((q) => q.block.id === pool);
  if (p === undefined) return undefined;
  const i = p.block.lanes.indexOf(slot);
  return i < 0 ? undefined : p.bodyTopPx + i * rowPx;
}

function seconds(s: number): string {
  return `${Number(s.toFixed(1))} s`;
}

// ── heading and legend ──────────────────────────────────────────────────────

function headingSvg(plan: Plan, report: RunGanttReport, notCommitted: readonly SubtaskOutcome[], title: string, widthPx: number): { parts: string[]; bottomPx: number } {
  const charsAt = (fontPx: number): number => Math.floor((widthPx - 2 * MARGIN_PX) / (fontPx * 0.6));
  const committed = report.timeline.length - notCommitted.length;
  const planned = report.plannedMakespanS;
  const delta = planned > 0 && notCommitted.length === 0 ? ` (${report.makespanS >= planned ? '+' : ''}${(((report.makespanS - planned) / planned) * 100).toFixed(1)} %)` : '';
  const stats = [
    `status ${report.status}`,
    `${committed} of ${report.timeline.length} sub-tasks committed`,
    `planned makespan ${formatDurationS(planned)}`,
    `${notCommitted.length === 0 ? 'actual makespan' : 'last commit'} ${formatDurationS(report.makespanS)}${delta}`,
    `${report.retries} ${report.retries === 1 ? 'retry' : 'retries'}`,
    `${report.moves} move${report.moves === 1 ? '' : 's'}`,
    `${report.replans} re-plan${report.replans === 1 ? '' : 's'}`,
  ];
  const parts = [`<text class="title" x="${MARGIN_PX}" y="24" font-size="16" font-weight="bold">${escapeXml(truncate(title, charsAt(16)))}</text>`];
  let baseline = 43;
  for (const line of wrapItems(stats, charsAt(12))) {
    parts.push(`<text class="subtitle" x="${MARGIN_PX}" y="${baseline}" font-size="12" fill="#333">${escapeXml(line)}</text>`);
    baseline += 17;
  }
  if (notCommitted.length > 0) {
    const counts = new Map<string, number>();
    for (const t of notCommitted) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
    const text = `not committed: ${[...counts].map(([state, n]) => `${n} ${state.replace('-', ' ')}`).join(', ')} (listed below)`;
    parts.push(`<text class="not-committed-summary" x="${MARGIN_PX}" y="${baseline}" font-size="12" fill="${NOT_COMMITTED_STROKE}">${escapeXml(truncate(text, charsAt(12)))}</text>`);
    baseline += 17;
  }
  return { parts, bottomPx: baseline - 8 };
}

/** The ops with the most planned bar time keep their colour in load mode; the rest share grey. */
function legendOpsOf(plan: Plan, colours: ReadonlyMap<string, string>): ReadonlySet<string> {
  const busyS = new Map<string, number>();
  for (const t of plan.subtasks) busyS.set(t.op, (busyS.get(t.op) ?? 0) + t.finishS - t.startS);
  return new Set([...colours.keys()].sort((a, b) => (busyS.get(b) ?? 0) - (busyS.get(a) ?? 0)).slice(0, LEGEND_MAX_OPS));
}

function legendSvg(plan: Plan, colours: ReadonlyMap<string, string>, mode: Mode, linked: boolean, decisions: readonly DecisionRow[], widthPx: number, topPx: number): { parts: string[]; bottomPx: number } {
  const kept = legendOpsOf(plan, colours);
  const ops = [...colours.keys()].filter((op) => kept.has(op));
  const hidden = colours.size - ops.length;
  type Item = { readonly swatch: string; readonly label: string };
  const items: Item[] = ops.map((op) => ({ swatch: `<rect width="10" height="10" fill="${colours.get(op)}"/>`, label: truncateMiddle(op, 30) }));
  if (hidden > 0) items.push({ swatch: `<rect width="10" height="10" fill="${mode === 'load' ? OTHER_OPS_COLOUR : '#ffffff'}" stroke="#999" stroke-width="0.5"/>`, label: `+${hidden} more op${hidden === 1 ? '' : 's'}` });
  items.push({ swatch: `<rect x="0.75" y="0.75" width="8.5" height="8.5" fill="#cccccc" stroke="${MOVED_STROKE}" stroke-width="1.5"/>`, label: mode === 'load' ? 'moved-in load (outline)' : linked ? 'moved pool (outlined, dotted link)' : 'moved pool (outlined)' });
  items.push({ swatch: `<rect x="0.75" y="0.75" width="8.5" height="8.5" fill="#cccccc" fill-opacity="0.35" stroke="${NOT_COMMITTED_STROKE}" stroke-width="1.2" stroke-dasharray="2 1.5"/>`, label: mode === 'lanes' ? 'not committed (planned bar)' : 'not committed: listed below' });
  for (const row of MARKER_ROWS) if (decisions.some((d) => row.kinds.includes(d.kind))) items.push({ swatch: markerShape(row.label, 5, 5, row.colour), label: row.label });
  const fontPx = 11;
  const parts: string[] = ['<g class="legend">'];
  let x = MARGIN_PX;
  let baseline = topPx + 12;
  for (const item of items) {
    const itemPx = 14 + textWidthPx(item.label, fontPx) + 18;
    if (x > MARGIN_PX && x + itemPx > widthPx - MARGIN_PX) {
      x = MARGIN_PX;
      baseline += 16;
    }
    parts.push(`<g transform="translate(${px(x)},${px(baseline - 9)})">${item.swatch}</g>`);
    parts.push(`<text x="${px(x + 14)}" y="${px(baseline)}" font-size="${fontPx}">${escapeXml(item.label)}</text>`);
    x += itemPx;
  }
  parts.push('</g>');
  return { parts, bottomPx: baseline + 8 };
}

// ── axis, panels, pools ─────────────────────────────────────────────────────

function gridSvg(g: Geometry, topPx: number, bottomPx: number): string[] {
  const parts = ['<g class="axis" font-size="10" fill="#444" text-anchor="middle">'];
  for (const tS of g.axis.ticksS) {
    const x = px(g.x0Px + tS * g.pxPerS);
    parts.push(`<line x1="${x}" y1="${px(topPx)}" x2="${x}" y2="${px(bottomPx)}" stroke="#e2e2e2" stroke-width="1"/>`);
    parts.push(`<text x="${x}" y="${px(topPx - 8)}">${escapeXml(g.axis.label(tS))}</text>`);
  }
  parts.push(`<line x1="${px(g.x0Px)}" y1="${px(topPx)}" x2="${px(g.x1Px)}" y2="${px(topPx)}" stroke="#999" stroke-width="1"/>`);
  parts.push('</g>');
  return parts;
}

function bottomAxisSvg(g: Geometry, bottomPx: number): string[] {
  const parts = ['<g class="axis-bottom" font-size="10" fill="#444" text-anchor="middle">'];
  parts.push(`<line x1="${px(g.x0Px)}" y1="${px(bottomPx)}" x2="${px(g.x1Px)}" y2="${px(bottomPx)}" stroke="#999" stroke-width="1"/>`);
  for (const tS of g.axis.ticksS) parts.push(`<text x="${px(g.x0Px + tS * g.pxPerS)}" y="${px(bottomPx + 13)}">${escapeXml(g.axis.label(tS))}</text>`);
  parts.push('</g>');
  return parts;
}

function panelLabel(name: string, topPx: number, detail: string, g: Geometry): string {
  const baseline = px(topPx + 12);
  return `<text class="panel-label" x="${MARGIN_PX}" y="${baseline}" font-size="12.5" font-weight="bold">${escapeXml(name)}</text><text x="${px(MARGIN_PX + textWidthPx(name, 12.5) + 6)}" y="${baseline}" font-size="11" fill="#444">${escapeXml(truncate(detail, Math.floor((g.widthPx - 120) / 6.6)))}</text>`;
}

function poolHeaderSvg(placed: Placed, panel: 'planned' | 'actual', g: Geometry, mode: Mode): string[] {
  const { block, headerTopPx } = placed;
  const details =
    panel === 'planned'
      ? [`· region ${block.region}`, `${block.planned} sub-task${block.planned === 1 ? '' : 's'} planned`]
      : [`· ${block.committed} committed`, `${block.movedIn} moved in`, ...(block.excludedAtS === undefined ? [] : [`taken out of the run at ${seconds(block.excludedAtS)}`])];
  if (mode === 'load') details.push(`band height = ${block.scaleSlots} busy slot${block.scaleSlots === 1 ? '' : 's'}`);
  const detailsX = MARGIN_PX + 5 + block.id.length * 11.5 * 0.72 + 6;
  const chars = Math.floor((g.widthPx - MARGIN_PX - 4 - detailsX) / (11.5 * 0.6));
  const parts = [`<g class="pool" data-pool="${escapeXml(block.id)}">`];
  parts.push(`<rect x="${MARGIN_PX}" y="${px(headerTopPx)}" width="${px(g.widthPx - 2 * MARGIN_PX)}" height="${POOL_HEADER_PX - 3}" fill="${block.excludedAtS !== undefined && panel === 'actual' ? '#f6e3e6' : '#eceff3'}" rx="2"/>`);
  parts.push(`<text x="${MARGIN_PX + 5}" y="${px(headerTopPx + 11.5)}" font-size="11.5" font-weight="bold">${escapeXml(block.id)}</text>`);
  parts.push(`<text x="${px(detailsX)}" y="${px(headerTopPx + 11.5)}" font-size="11.5" fill="#444">${escapeXml(truncate(details.join(' · '), chars))}</text>`);
  if (mode === 'lanes' && g.rowPx >= 6) {
    block.lanes.forEach((slot, i) => {
      const top = placed.bodyTopPx + i * g.rowPx;
      if (i % 2 === 1) parts.push(`<rect x="${px(g.x0Px)}" y="${px(top)}" width="${px(g.x1Px - g.x0Px)}" height="${g.rowPx}" fill="#f5f6f8"/>`);
    });
  }
  if (mode === 'lanes') {
    const every = Math.ceil(11 / g.rowPx);
    const fontPx = Math.min(10, Math.max(8, g.rowPx - 1));
    block.lanes.forEach((slot, i) => {
      if (i % every !== 0) return;
      const baseline = placed.bodyTopPx + i * g.rowPx + g.rowPx / 2 + fontPx * 0.35;
      parts.push(`<text x="${px(g.x0Px - 5)}" y="${px(baseline)}" font-size="${fontPx}" fill="#666" text-anchor="end">${escapeXml(String(slot))}</text>`);
    });
  } else {
    parts.push(`<rect x="${px(g.x0Px)}" y="${px(placed.bodyTopPx)}" width="${px(g.x1Px - g.x0Px)}" height="${g.bandPx}" fill="#f5f6f8"/>`);
    parts.push(`<text x="${px(g.x0Px - 5)}" y="${px(placed.bodyTopPx + 9)}" font-size="9" fill="#666" text-anchor="end">${block.scaleSlots}</text>`);
    parts.push(`<text x="${px(g.x0Px - 5)}" y="${px(placed.bodyTopPx + g.bandPx - 1)}" font-size="9" fill="#666" text-anchor="end">0</text>`);
  }
  parts.push('</g>');
  return parts;
}

/** A pool taken out of the run is shaded in the actual panel from the decision on. */
function excludedSvg(placed: readonly Placed[], g: Geometry, mode: Mode): string[] {
  return placed.flatMap((p) => {
    if (p.block.excludedAtS === undefined) return [];
    const height = mode === 'lanes' ? p.block.lanes.length * g.rowPx : g.bandPx;
    const x = g.x0Px + p.block.excludedAtS * g.pxPerS;
    return [`<rect class="excluded" data-pool="${escapeXml(p.block.id)}" x="${px(x)}" y="${px(p.bodyTopPx)}" width="${px(Math.max(0, g.x1Px - x))}" height="${px(Math.max(height, 1))}" fill="#B00020" fill-opacity="0.08"><title>${escapeXml(`${p.block.id} taken out of the run at ${seconds(p.block.excludedAtS)}`)}</title></rect>`];
  });
}

function makespanLine(x: number, topPx: number, bottomPx: number, cls: string, colour: string, extra: string): string {
  return `<line class="${cls}" x1="${px(x)}" y1="${px(topPx)}" x2="${px(x)}" y2="${px(bottomPx)}" stroke="${colour}" stroke-width="1.5"${extra}/>`;
}

// ── bars (lanes mode) ───────────────────────────────────────────────────────

function barBox(g: Geometry, laneTop: number, startS: number, finishS: number): { x: number; y: number; w: number; h: number } {
  const padPx = g.rowPx >= 8 ? 1 : g.rowPx >= 4 ? 0.5 : 0;
  return { x: g.x0Px + startS * g.pxPerS, y: laneTop + padPx, w: Math.max(MIN_BAR_PX, (finishS - startS) * g.pxPerS), h: g.rowPx - 2 * padPx };
}

function barLabel(id: string, box: { x: number; y: number; w: number; h: number }, colour: string): string {
  const fontPx = Math.min(10, box.h - 2);
  if (box.h < 10 || textWidthPx(id, fontPx) > box.w - 6) return '';
  return `<text x="${px(box.x + 3)}" y="${px(box.y + box.h / 2 + fontPx * 0.35)}" font-size="${fontPx}" fill="${textColourOn(colour)}" pointer-events="none">${escapeXml(id)}</text>`;
}

function plannedBarSvg(t: PlanSubtask, placed: readonly Placed[], g: Geometry, colours: ReadonlyMap<string, string>, outcome: SubtaskOutcome | undefined): string {
  const top = laneTopPx(placed, t.pool, t.slot, g.rowPx);
  if (top === undefined) return '';
  const colour = colours.get(t.op) ?? PALETTE[0];
  const box = barBox(g, top, t.startS, t.finishS);
  const notCommitted = outcome !== undefined && outcome.state !== 'committed';
  const moved = outcome !== undefined && outcome.state === 'committed' && outcome.pool !== t.pool;
  const tip = [`${t.id} (${t.op})`, `planned on ${t.pool} slot ${t.slot}`, `${seconds(t.startS)} – ${seconds(t.finishS)} (${formatDurationS(t.finishS - t.startS)})`];
  if (outcome !== undefined && outcome.state !== 'committed') tip.push(`${outcome.state}: ${outcome.reason ?? ''}`.trim());
  if (moved) tip.push(`ran on ${outcome.pool} instead`);
  const cls = notCommitted ? 'bar not-committed' : moved ? 'bar moved' : 'bar';
  const style = notCommitted
    ? ` fill-opacity="0.35" stroke="${NOT_COMMITTED_STROKE}" stroke-width="1.2" stroke-dasharray="3 2"`
    : moved
      ? ` stroke="${MOVED_STROKE}" stroke-width="1.2" stroke-dasharray="2 1.5"`
      : box.w >= 3 && box.h >= 4 ? ' stroke="#ffffff" stroke-width="0.5"' : '';
  return `<g class="subtask"><title>${escapeXml(tip.join('\n'))}</title><rect class="${cls}" data-id="${escapeXml(t.id)}" x="${px(box.x)}" y="${px(box.y)}" width="${px(box.w)}" height="${px(box.h)}" fill="${colour}"${style}/>${barLabel(t.id, box, notCommitted ? '#dddddd' : colour)}</g>`;
}

function actualBarSvg(bar: ActualBar, placed: readonly Placed[], g: Geometry, colours: ReadonlyMap<string, string>): string {
  const t = bar.outcome;
  const top = laneTopPx(placed, t.pool, bar.slot, g.rowPx);
  if (top === undefined) return '';
  const colour = colours.get(bar.op) ?? PALETTE[0];
  const box = barBox(g, top, bar.startS, bar.finishS);
  const tip = [`${t.id} (${bar.op})`, `ran on ${t.pool} slot ${bar.slot}`, `${seconds(bar.startS)} – ${seconds(bar.finishS)} (${formatDurationS(bar.finishS - bar.startS)})`, `${t.attempts} attempt${t.attempts === 1 ? '' : 's'}`];
  if (bar.planned !== undefined) {
    const lateS = bar.finishS - bar.planned.finishS;
    tip.push(`planned on ${bar.planned.pool} slot ${bar.planned.slot}, ${seconds(bar.planned.startS)} – ${seconds(bar.planned.finishS)}; finished ${seconds(Math.abs(lateS))} ${lateS >= 0 ? 'later' : 'earlier'}`);
  }
  if (bar.moved) tip.push(`moved from ${bar.planned!.pool}`);
  const style = bar.moved ? ` stroke="${MOVED_STROKE}" stroke-width="1.5"` : box.w >= 3 && box.h >= 4 ? ' stroke="#ffffff" stroke-width="0.5"' : '';
  const movedAttr = bar.moved ? ` data-moved-from="${escapeXml(bar.planned!.pool)}"` : '';
  return `<g class="subtask"><title>${escapeXml(tip.join('\n'))}</title><rect class="${bar.moved ? 'bar moved' : 'bar'}" data-id="${escapeXml(t.id)}"${movedAttr} x="${px(box.x)}" y="${px(box.y)}" width="${px(box.w)}" height="${px(box.h)}" fill="${colour}"${style}/>${barLabel(t.id, box, colour)}</g>`;
}

/** A dotted line from each moved sub-task's planned bar to its actual bar (none past MAX_MOVE_LINKS moved). */
function moveLinksSvg(actual: readonly ActualBar[], planned: readonly Placed[], actualPlaced: readonly Placed[], g: Geometry): string[] {
  if (!movesLinked(actual)) return [];
  const parts: string[] = [];
  for (const bar of actual) {
    if (!bar.moved) continue;
    const from = laneTopPx(planned, bar.planned!.pool, bar.planned!.slot, g.rowPx);
    const to = laneTopPx(actualPlaced, bar.outcome.pool, bar.slot, g.rowPx);
    if (from === undefined || to === undefined) continue;
    const x1 = g.x0Px + ((bar.planned!.startS + bar.planned!.finishS) / 2) * g.pxPerS;
    const x2 = g.x0Px + ((bar.startS + bar.finishS) / 2) * g.pxPerS;
    parts.push(`<line class="move-link" data-id="${escapeXml(bar.outcome.id)}" x1="${px(x1)}" y1="${px(from + g.rowPx / 2)}" x2="${px(x2)}" y2="${px(to + g.rowPx / 2)}" stroke="${MOVED_STROKE}" stroke-width="1" stroke-dasharray="1.5 2" stroke-opacity="0.7"/>`);
  }
  return parts.length === 0 ? [] : ['<g class="move-links" pointer-events="none">', ...parts, '</g>'];
}

function movesLinked(actual: readonly ActualBar[]): boolean {
  let moved = 0;
  for (const bar of actual) if (bar.moved) moved++;
  return moved <= MAX_MOVE_LINKS;
}

// ── load (many sub-tasks) ───────────────────────────────────────────────────

interface Interval {
  readonly pool: string;
  readonly op: string;
  readonly startS: number;
  readonly finishS: number;
  readonly moved: boolean;
}

/**
 * Busy slots over time per pool, stacked by op: the average number of busy slots in each time
 * bin, as one step path per (pool, op). Bins are as fine as MAX_LOAD_STEPS allows (at most one
 * per 3 px), so the path data is bounded whatever the number of sub-tasks.
 */
function loadSvg(placed: readonly Placed[], g: Geometry, intervals: readonly Interval[], colours: ReadonlyMap<string, string>, kept: ReadonlySet<string>): string[] {
  const opKey = (op: string): string => (kept.has(op) ? op : '');
  const layersPerPool = new Map<string, Set<string>>();
  for (const t of intervals) {
    let set = layersPerPool.get(t.pool);
    if (set === undefined) layersPerPool.set(t.pool, (set = new Set()));
    set.add(opKey(t.op));
  }
  let layerCount = 1;
  for (const set of layersPerPool.values()) layerCount += set.size + 1;
  // Two panels share the budget.
  const bins = clamp(Math.floor(MAX_LOAD_STEPS / 2 / layerCount), 24, Math.max(24, Math.floor((g.x1Px - g.x0Px) / 3)));
  const binS = g.axis.endS / bins;
  const busy = new Map<string, Float64Array>();
  const moved = new Map<string, Float64Array>();
  const add = (map: Map<string, Float64Array>, key: string, t: Interval): void => {
    let arr = map.get(key);
    if (arr === undefined) map.set(key, (arr = new Float64Array(bins)));
    const first = Math.max(0, Math.floor(t.startS / binS));
    const last = Math.min(bins - 1, Math.floor(t.finishS / binS));
    for (let b = first; b <= last; b++) {
      const overlap = Math.min(t.finishS, (b + 1) * binS) - Math.max(t.startS, b * binS);
      if (overlap > 0) arr[b]! += overlap / binS;
    }
  };
  for (const t of intervals) {
    add(busy, `${t.pool}\u0000${opKey(t.op)}`, t);
    if (t.moved) add(moved, t.pool, t);
  }
  const xAt = (b: number): string => px(g.x0Px + b * binS * g.pxPerS);
  const parts: string[] = [];
  for (const p of placed) {
    const ops = [...(layersPerPool.get(p.block.id) ?? [])];
    // Stack in legend (colour) order, the grey "other ops" layer on top.
    ops.sort((a, b) => (a === '' ? 1 : b === '' ? -1 : [...colours.keys()].indexOf(a) - [...colours.keys()].indexOf(b)));
    const scale = p.block.scaleSlots;
    const yOf = (slots: number): string => px(p.bodyTopPx + g.bandPx - (Math.min(slots, scale) / scale) * g.bandPx);
    const lower = new Float64Array(bins);
    for (const op of ops) {
      const arr = busy.get(`${p.block.id}\u0000${op}`);
      if (arr === undefined) continue;
      const upper = Float64Array.from(lower, (v, b) => v + arr[b]!);
      const colour = op === '' ? OTHER_OPS_COLOUR : (colours.get(op) ?? PALETTE[0]);
      parts.push(`<path class="load" data-pool="${escapeXml(p.block.id)}" data-op="${escapeXml(op === '' ? 'other ops' : op)}" d="${stepArea(upper, lower, xAt, yOf)}" fill="${colour}"><title>${escapeXml(`${p.block.id}: ${op === '' ? 'other ops' : op}, busy slots over time (peak ${peak(arr).toFixed(1)})`)}</title></path>`);
      lower.set(upper);
    }
    const movedArr = moved.get(p.block.id);
    if (movedArr !== undefined) {
      parts.push(`<path class="moved-load" data-pool="${escapeXml(p.block.id)}" d="${stepLine(movedArr, xAt, yOf)}" fill="none" stroke="${MOVED_STROKE}" stroke-width="1.2"><title>${escapeXml(`${p.block.id}: busy slots of sub-tasks moved here from another pool (peak ${peak(movedArr).toFixed(1)})`)}</title></path>`);
    }
  }
  return parts;
}

function peak(arr: Float64Array): number {
  let m = 0;
  for (const v of arr) m = Math.max(m, v);
  return m;
}

/** The region between two step functions: top edge left to right, bottom edge back; H/V steps only where the value changes. */
function stepArea(upper: Float64Array, lower: Float64Array, xAt: (b: number) => string, yOf: (v: number) => string): string {
  const n = upper.length;
  let d = `M${xAt(0)},${yOf(upper[0]!)}`;
  let y = yOf(upper[0]!);
  for (let b = 1; b < n; b++) {
    const next = yOf(upper[b]!);
    if (next !== y) {
      d += `H${xAt(b)}V${next}`;
      y = next;
    }
  }
  d += `H${xAt(n)}`;
  y = yOf(lower[n - 1]!);
  d += `V${y}`;
  for (let b = n - 2; b >= 0; b--) {
    const next = yOf(lower[b]!);
    if (next !== y) {
      d += `H${xAt(b + 1)}V${next}`;
      y = next;
    }
  }
  return `${d}H${xAt(0)}Z`;
}

function stepLine(values: Float64Array, xAt: (b: number) => string, yOf: (v: number) => string): string {
  let y = yOf(values[0]!);
  let d = `M${xAt(0)},${y}`;
  for (let b = 1; b < values.length; b++) {
    const next = yOf(values[b]!);
    if (next !== y) {
      d += `H${xAt(b)}V${next}`;
      y = next;
    }
  }
  return `${d}H${xAt(values.length)}`;
}

// ── decisions ───────────────────────────────────────────────────────────────

function markerShape(label: string, cx: number, cy: number, colour: string): string {
  const r = 3.6;
  switch (label) {
    case 'retry':
      return `<circle cx="${px(cx)}" cy="${px(cy)}" r="${r}" fill="none" stroke="${colour}" stroke-width="1.6"/>`;
    case 'move':
      return `<path d="M${px(cx)},${px(cy - r - 0.6)}L${px(cx + r + 0.6)},${px(cy)}L${px(cx)},${px(cy + r + 0.6)}L${px(cx - r - 0.6)},${px(cy)}Z" fill="${colour}"/>`;
    case 're-plan':
      return `<path d="M${px(cx - r)},${px(cy - r)}L${px(cx + r)},${px(cy - r)}L${px(cx)},${px(cy + r)}Z" fill="${colour}"/>`;
    case 'pool out':
      return `<rect x="${px(cx - r)}" y="${px(cy - r)}" width="${px(2 * r)}" height="${px(2 * r)}" fill="${colour}"/>`;
    case 'give up':
      return `<path d="M${px(cx - r)},${px(cy - r)}L${px(cx + r)},${px(cy + r)}M${px(cx + r)},${px(cy - r)}L${px(cx - r)},${px(cy + r)}" stroke="${colour}" stroke-width="1.8"/>`;
    default:
      return `<rect x="${px(cx - 1)}" y="${px(cy - r)}" width="2" height="${px(2 * r)}" fill="${colour}"/>`;
  }
}

/** One marker per kind and few-pixel bucket; its tooltip gives the count, the time span and the first reasons. */
function decisionSvg(decisions: readonly DecisionRow[], rows: typeof MARKER_ROWS, g: Geometry, stripTopPx: number, panelBottomPx: number): string[] {
  if (rows.length === 0) return [];
  const parts = ['<g class="decisions">'];
  rows.forEach((row, r) => {
    const cy = stripTopPx + r * MARKER_ROW_PX + MARKER_ROW_PX / 2;
    parts.push(`<text x="${px(g.x0Px - 5)}" y="${px(cy + 3)}" font-size="8.5" fill="#555" text-anchor="end">${escapeXml(row.label)}</text>`);
    const buckets = new Map<number, DecisionRow[]>();
    for (const d of decisions) {
      if (!row.kinds.includes(d.kind) || !Number.isFinite(d.atS)) continue;
      const bucket = Math.floor((d.atS * g.pxPerS) / MARKER_BUCKET_PX);
      let list = buckets.get(bucket);
      if (list === undefined) buckets.set(bucket, (list = []));
      list.push(d);
    }
    for (const list of buckets.values()) {
      const firstS = list[0]!.atS;
      const lastS = list[list.length - 1]!.atS;
      const cx = g.x0Px + ((firstS + lastS) / 2) * g.pxPerS;
      const when = firstS === lastS ? `at ${seconds(firstS)}` : `${seconds(firstS)} – ${seconds(lastS)}`;
      const lines = [`${list.length} ${row.label}${list.length === 1 ? '' : ' decisions'} ${when}`];
      for (const d of list.slice(0, REASONS_PER_MARKER)) {
        const who = [d.subtaskId, d.poolId === undefined ? undefined : `on ${d.poolId}`].filter((w) => w !== undefined).join(' ');
        lines.push(`${d.kind}${who === '' ? '' : ` ${who}`}: ${truncate(d.reason, REASON_CHARS)}`);
      }
      if (list.length > REASONS_PER_MARKER) lines.push(`… and ${list.length - REASONS_PER_MARKER} more`);
      parts.push(`<g class="decision" data-kind="${row.kinds[0]}" data-count="${list.length}"><title>${escapeXml(lines.join('\n'))}</title>${markerShape(row.label, cx, cy, row.colour)}</g>`);
      if (row.label === 're-plan') {
        parts.push(`<line class="replan-line" x1="${px(cx)}" y1="${px(cy + 4)}" x2="${px(cx)}" y2="${px(panelBottomPx)}" stroke="${row.colour}" stroke-width="1" stroke-dasharray="3 3" stroke-opacity="0.8" pointer-events="none"/>`);
      }
    }
  });
  parts.push('</g>');
  return parts;
}

// ── not committed ───────────────────────────────────────────────────────────

function listHeightPx(count: number): number {
  if (count === 0) return 0;
  return 18 + 15 * (Math.min(count, NOT_COMMITTED_LISTED) + (count > NOT_COMMITTED_LISTED ? 1 : 0));
}

function notCommittedListSvg(notCommitted: readonly SubtaskOutcome[], plannedById: ReadonlyMap<string, PlanSubtask>, widthPx: number, topPx: number): { parts: string[]; bottomPx: number } {
  if (notCommitted.length === 0) return { parts: [], bottomPx: topPx - 16 };
  const chars = Math.floor((widthPx - 2 * MARGIN_PX - 10) / (11 * 0.6));
  const parts = ['<g class="not-committed">', `<text x="${MARGIN_PX}" y="${px(topPx)}" font-size="12" font-weight="bold" fill="${NOT_COMMITTED_STROKE}">${escapeXml(`not committed (${notCommitted.length})`)}</text>`];
  let baseline = topPx + 17;
  for (const t of notCommitted.slice(0, NOT_COMMITTED_LISTED)) {
    const planned = plannedById.get(t.id);
    const where = planned === undefined ? t.pool : `planned on ${planned.pool} at ${seconds(planned.startS)}`;
    const text = `${t.id} — ${t.state.replace('-', ' ')} (${t.attempts} attempt${t.attempts === 1 ? '' : 's'}, ${where}): ${t.reason ?? ''}`;
    parts.push(`<text class="not-committed-item" data-id="${escapeXml(t.id)}" data-state="${escapeXml(t.state)}" x="${MARGIN_PX + 10}" y="${px(baseline)}" font-size="11" fill="#333">${escapeXml(truncate(text, chars))}</text>`);
    baseline += 15;
  }
  if (notCommitted.length > NOT_COMMITTED_LISTED) {
    parts.push(`<text class="not-committed-more" x="${MARGIN_PX + 10}" y="${px(baseline)}" font-size="11" fill="#555">${escapeXml(`… and ${notCommitted.length - NOT_COMMITTED_LISTED} more (apportion run show --format json lists every one)`)}</text>`);
    baseline += 15;
  }
  parts.push('</g>');
  return { parts, bottomPx: baseline - 10 };
}
