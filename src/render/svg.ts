/**
 * Gantt chart of a Plan as one standalone SVG string: a row per used (pool, slot) under a
 * header per pool, bars coloured by op, interruption rework hatched at the end of its bar.
 * Plain string building with no dependencies, so the CLI and the tests can both call it.
 *
 * Many slots: rows shrink from 14 px towards 2 px so the picture stays within ~1400 px;
 * only past ~600 used slots (2 px each) does it grow taller than that.
 */
import type { Plan, PlanPoolUsage, PlanSubtask } from '../plan/plan.js';
import type { Reservation } from '../plan/reservation.js';
import { formatDurationS, formatUsd } from './format.js';
import { formatObjective } from './text.js';

export interface GanttOptions {
  /** Width of the whole picture; the time axis gets what margins and slot labels leave. */
  readonly widthPx?: number;
  /** Replaces the job name in the heading. */
  readonly title?: string;
  /** Draws each pool's reserved slots per window as a dashed step line over its rows. */
  readonly reservation?: Reservation | undefined;
}

/** Tableau 10: built to stay distinguishable under common colour-vision deficiencies; cycles beyond 10 ops. */
export const PALETTE = ['#4E79A7', '#F28E2B', '#E15759', '#76B7B2', '#59A14F', '#EDC948', '#B07AA1', '#FF9DA7', '#9C755F', '#BAB0AC'] as const;
const DEFAULT_WIDTH_PX = 1200;
const MIN_WIDTH_PX = 480;
const MAX_HEIGHT_PX = 1400;
const ROW_MAX_PX = 14;
const ROW_MIN_PX = 2;
const LEGEND_MAX_OPS = 12;
const MARGIN_PX = 12;
/** Room left of the plot for slot numbers. */
const GUTTER_PX = 44;
/** Right of the plot, so the last tick label is not clipped. */
const RIGHT_PAD_PX = 28;
const POOL_HEADER_PX = 18;
const POOL_GAP_PX = 6;
const MIN_BAR_PX = 0.5;
/** Below this, a plot needs no repeated axis at the bottom. */
const BOTTOM_AXIS_MIN_PLOT_PX = 320;
/** Space under the plot: bottom tick labels, deadline label, margin. */
const BOTTOM_RESERVE_PX = 44;
/** A deadline further out than this multiple of the makespan would squash the bars; it becomes a note. */
const DEADLINE_ON_SCALE_FACTOR = 1.5;
export const FONT = 'system-ui, Segoe UI, Helvetica, Arial, sans-serif';
const REWORK_PATTERN_ID = 'apportion-gantt-rework';

export interface TimeAxis {
  readonly endS: number;
  readonly ticksS: readonly number[];
  readonly label: (s: number) => string;
}

interface PlacedPool {
  readonly pool: PlanPoolUsage;
  readonly headerTopPx: number;
  /** Used slots in ascending order, each with the top of its row. */
  readonly rows: readonly { readonly slot: number; readonly topPx: number }[];
}

/** The horizontal geometry, fixed by width and time span alone, so it is known before the rows. */
interface TimeScale {
  readonly widthPx: number;
  readonly x0Px: number;
  readonly x1Px: number;
  readonly pxPerS: number;
  readonly axis: TimeAxis;
  readonly deadlineOnScale: boolean;
}

interface Frame extends TimeScale {
  readonly heightPx: number;
  readonly rowPx: number;
  readonly markerBaselinePx: number;
  readonly plotTopPx: number;
  readonly plotBottomPx: number;
  readonly bottomAxis: boolean;
  readonly pools: readonly PlacedPool[];
  readonly rowTopPx: ReadonlyMap<string, number>;
}

export function renderGanttSvg(plan: Plan, options: GanttOptions = {}): string {
  const widthPx = Math.max(MIN_WIDTH_PX, Math.round(options.widthPx ?? DEFAULT_WIDTH_PX));
  const colours = opColours(plan.subtasks);
  const scale = timeScale(plan, widthPx);
  const heading = headingSvg(plan, options.title ?? plan.job, widthPx);
  const legend = legendSvg(plan, colours, scale, widthPx, heading.bottomPx, options.reservation);
  const frame = layoutFrame(plan, scale, legend.bottomPx);
  const body = [
    ...heading.parts,
    ...legend.parts,
    ...gridSvg(frame),
    ...frame.pools.flatMap((placed) => poolSvg(placed, frame)),
    ...plan.subtasks.map((subtask) => barSvg(subtask, frame, colours.get(subtask.op) ?? PALETTE[0])),
    ...(options.reservation === undefined ? [] : reservationSvg(options.reservation, frame)),
    ...markerSvg(plan, frame),
  ];
  return documentSvg(options.title ?? plan.job, frame, body);
}

// ── text helpers ────────────────────────────────────────────────────────────

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes markup characters; characters XML 1.0 forbids even escaped become U+FFFD so the document stays well-formed. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Rough width of sans-serif text; SVG has no text measuring without a renderer, so layout errs wide. */
export function textWidthPx(text: string, fontPx: number): number {
  return text.length * fontPx * 0.62;
}

export function truncate(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, Math.max(1, maxChars - 1))}…`;
}

/** Keeps both ends: op names often share a long prefix and differ only at the end. */
export function truncateMiddle(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const head = Math.ceil((maxChars - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (maxChars - 1 - head))}`;
}

/** Coordinates to 0.01 px keep the file small without visible error. */
export function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function seconds(s: number): string {
  return `${Number(s.toFixed(1))} s`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

// ── colours and legend ──────────────────────────────────────────────────────

/** First appearance follows the job's stage order, so one job keeps its colours across planners. */
export function opColours(subtasks: readonly PlanSubtask[]): Map<string, string> {
  const colours = new Map<string, string>();
  for (const subtask of subtasks) if (!colours.has(subtask.op)) colours.set(subtask.op, PALETTE[colours.size % PALETTE.length]!);
  return colours;
}

/** Dark text on light fills, white on dark ones (relative luminance of the sRGB colour). */
export function textColourOn(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5 ? '#1a1a1a' : '#ffffff';
}

/** The ops with the most bar time get the legend's places; they are shown in colour order. */
function legendOps(plan: Plan, colours: ReadonlyMap<string, string>): { shown: string[]; hidden: number } {
  const busyS = new Map<string, number>();
  for (const t of plan.subtasks) busyS.set(t.op, (busyS.get(t.op) ?? 0) + t.finishS - t.startS);
  const ops = [...colours.keys()];
  const kept = new Set([...ops].sort((a, b) => busyS.get(b)! - busyS.get(a)!).slice(0, LEGEND_MAX_OPS));
  return { shown: ops.filter((op) => kept.has(op)), hidden: ops.length - kept.size };
}

function legendSvg(plan: Plan, colours: ReadonlyMap<string, string>, scale: TimeScale, widthPx: number, topPx: number, reservation: Reservation | undefined): { parts: string[]; bottomPx: number } {
  const { shown, hidden } = legendOps(plan, colours);
  const items = shown.map((op) => ({ fill: colours.get(op)!, label: truncateMiddle(op, 30), hatch: false, dashed: false }));
  // Rework too short to draw would make this entry point at nothing.
  if (plan.subtasks.some((t) => reworkS(t) * scale.pxPerS >= MIN_BAR_PX)) items.push({ fill: '#888888', label: 'interruption rework', hatch: true, dashed: false });
  if (reservation !== undefined) items.push({ fill: 'none', label: `reserved slots (per ${formatDurationS(reservation.windowS)} window)`, hatch: false, dashed: true });
  const fontPx = 11;
  const lineHeightPx = 16;
  const parts: string[] = ['<g class="legend">'];
  let x = MARGIN_PX;
  let baseline = topPx + 12;
  const place = (widthNeededPx: number): void => {
    if (x > MARGIN_PX && x + widthNeededPx > widthPx - MARGIN_PX) {
      x = MARGIN_PX;
      baseline += lineHeightPx;
    }
  };
  for (const item of items) {
    const itemPx = 14 + textWidthPx(item.label, fontPx) + 18;
    place(itemPx);
    if (item.dashed) parts.push(`<line x1="${px(x)}" y1="${px(baseline - 4)}" x2="${px(x + 10)}" y2="${px(baseline - 4)}" stroke="#222" stroke-width="1.5" stroke-dasharray="3 2"/>`);
    else parts.push(`<rect x="${px(x)}" y="${px(baseline - 9)}" width="10" height="10" fill="${item.fill}"/>`);
    if (item.hatch) parts.push(`<rect x="${px(x)}" y="${px(baseline - 9)}" width="10" height="10" fill="url(#${REWORK_PATTERN_ID})"/>`);
    parts.push(`<text x="${px(x + 14)}" y="${px(baseline)}" font-size="${fontPx}">${escapeXml(item.label)}</text>`);
    x += itemPx;
  }
  if (hidden > 0) {
    const more = `+${hidden} more op${hidden === 1 ? '' : 's'}`;
    place(textWidthPx(more, fontPx));
    parts.push(`<text x="${px(x)}" y="${px(baseline)}" font-size="${fontPx}" fill="#555">${escapeXml(more)}</text>`);
  }
  parts.push('</g>');
  return { parts, bottomPx: items.length + hidden > 0 ? baseline + 8 : topPx };
}

// ── heading ─────────────────────────────────────────────────────────────────

function headingStats(plan: Plan): string[] {
  const s = plan.summary;
  const stats = [
    `planner ${s.planner}${s.variant === '' ? '' : ` (${s.variant})`}`,
    `makespan ${formatDurationS(s.makespanS)}`,
    `cost ${formatUsd(s.costUsd)}`,
    `objective ${formatObjective(plan)} (${s.objectiveKind})`,
    plural(plan.subtasks.length, 'sub-task'),
  ];
  if (plan.constraints.deadlineS !== undefined) stats.push(`deadline ${formatDurationS(plan.constraints.deadlineS)}`);
  if (plan.constraints.budgetUsd !== undefined) stats.push(`budget ${formatUsd(plan.constraints.budgetUsd)}`);
  return stats;
}

/** Joins items with " · " into lines of at most maxChars, breaking only between items. */
export function wrapItems(items: readonly string[], maxChars: number): string[] {
  const lines: string[] = [];
  for (const item of items) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 3 + item.length <= maxChars) lines[lines.length - 1] = `${last} · ${item}`;
    else lines.push(truncate(item, maxChars));
  }
  return lines;
}

function headingSvg(plan: Plan, title: string, widthPx: number): { parts: string[]; bottomPx: number } {
  const usableCharsAt = (fontPx: number): number => Math.floor((widthPx - 2 * MARGIN_PX) / (fontPx * 0.6));
  const parts = [`<text class="title" x="${MARGIN_PX}" y="24" font-size="16" font-weight="bold">${escapeXml(truncate(title, usableCharsAt(16)))}</text>`];
  let baseline = 43;
  // Stats wrap rather than truncate: on a narrow picture cost and objective must still show.
  for (const line of wrapItems(headingStats(plan), usableCharsAt(12))) {
    parts.push(`<text class="subtitle" x="${MARGIN_PX}" y="${baseline}" font-size="12" fill="#333">${escapeXml(line)}</text>`);
    baseline += 17;
  }
  const violations = plan.constraints.violations;
  if (violations.length > 0) {
    // Infeasibility must not be missed, so it gets its own red line.
    const warning = `infeasible: this plan ${violations.join('; ')}`;
    parts.push(`<text class="violations" x="${MARGIN_PX}" y="${baseline}" font-size="12" fill="#B00020">${escapeXml(truncate(warning, usableCharsAt(12)))}</text>`);
    baseline += 17;
  }
  return { parts, bottomPx: baseline - 8 };
}

// ── layout ──────────────────────────────────────────────────────────────────

function rowKey(pool: string, slot: number): string {
  return `${pool}\u0000${slot}`;
}

/** Pools in plan order with their used slots; a pool only the sub-tasks name still gets a header. */
function usedSlots(plan: Plan): { pool: PlanPoolUsage; slots: number[] }[] {
  const used = new Map<string, Set<number>>();
  for (const t of plan.subtasks) used.set(t.pool, (used.get(t.pool) ?? new Set<number>()).add(t.slot));
  const pools: PlanPoolUsage[] = [...plan.pools];
  for (const [id, slots] of used) {
    if (!pools.some((p) => p.id === id)) pools.push({ id, region: '?', slots: slots.size, subtasks: 0, busyS: 0, costUsd: 0 });
  }
  return pools.map((pool) => ({ pool, slots: [...(used.get(pool.id) ?? [])].sort((a, b) => a - b) }));
}

/** Time span to draw: the whole plan, plus the deadline when it is near enough to share the scale. */
function timeSpan(plan: Plan): { spanS: number; deadlineOnScale: boolean } {
  const lastS = plan.subtasks.reduce((m, t) => Math.max(m, t.finishS), Math.max(0, plan.summary.makespanS));
  const deadlineS = plan.constraints.deadlineS;
  const deadlineOnScale = deadlineS !== undefined && (lastS === 0 || deadlineS <= DEADLINE_ON_SCALE_FACTOR * lastS);
  const spanS = Math.max(lastS, deadlineOnScale ? deadlineS : 0);
  return { spanS: spanS > 0 ? spanS : 1, deadlineOnScale };
}

function timeScale(plan: Plan, widthPx: number): TimeScale {
  const x0Px = MARGIN_PX + GUTTER_PX;
  const x1Px = widthPx - RIGHT_PAD_PX;
  const { spanS, deadlineOnScale } = timeSpan(plan);
  const axis = timeAxis(spanS, x1Px - x0Px);
  return { widthPx, x0Px, x1Px, pxPerS: (x1Px - x0Px) / axis.endS, axis, deadlineOnScale };
}

/** Rows get 2–14 px, as much as keeps the picture within MAX_HEIGHT_PX. */
function rowHeightPx(rowCount: number, fixedPx: number): number {
  if (rowCount === 0) return ROW_MAX_PX;
  return Math.min(ROW_MAX_PX, Math.max(ROW_MIN_PX, Math.floor((MAX_HEIGHT_PX - fixedPx) / rowCount)));
}

function layoutFrame(plan: Plan, scale: TimeScale, topPx: number): Frame {
  const markerBaselinePx = topPx + 12;
  const plotTopPx = topPx + 34;
  const pools = usedSlots(plan);
  const rowCount = pools.reduce((n, p) => n + p.slots.length, 0);
  const rowPx = rowHeightPx(rowCount, plotTopPx + pools.length * (POOL_HEADER_PX + POOL_GAP_PX) + BOTTOM_RESERVE_PX);
  const rowTopPx = new Map<string, number>();
  const placed: PlacedPool[] = [];
  let y = plotTopPx + 4;
  for (const { pool, slots } of pools) {
    const headerTopPx = y;
    y += POOL_HEADER_PX;
    const rows = slots.map((slot, i) => ({ slot, topPx: y + i * rowPx }));
    for (const row of rows) rowTopPx.set(rowKey(pool.id, row.slot), row.topPx);
    placed.push({ pool, headerTopPx, rows });
    y += slots.length * rowPx + POOL_GAP_PX;
  }
  const plotBottomPx = y - POOL_GAP_PX + 2;
  const bottomAxis = plotBottomPx - plotTopPx >= BOTTOM_AXIS_MIN_PLOT_PX;
  const heightPx = Math.ceil(plotBottomPx + (bottomAxis ? BOTTOM_RESERVE_PX : BOTTOM_RESERVE_PX - 16));
  return { ...scale, heightPx, rowPx, markerBaselinePx, plotTopPx, plotBottomPx, bottomAxis, pools: placed, rowTopPx };
}

// ── time axis ───────────────────────────────────────────────────────────────

/** Smallest 1, 2 or 5 × 10^k at least `rough`. */
function niceStep(rough: number): number {
  const pow = 10 ** Math.floor(Math.log10(rough));
  for (const m of [1, 2, 5]) if (m * pow >= rough * (1 - 1e-9)) return m * pow;
  return 10 * pow;
}

/** Past 50 s, 1/2/5 × 10^k seconds would give ticks like 200 s = 3.33 min; whole clock minutes read better. */
const CLOCK_STEPS_S = [60, 120, 300, 600, 900, 1800, 3600] as const;

/** 1/2/5 × 10^k s up to 50 s, then clock minutes up to an hour, then 1/2/5 × 10^k h. */
function niceStepS(roughS: number): number {
  if (roughS <= 50) return niceStep(roughS);
  if (roughS <= 3600) return CLOCK_STEPS_S.find((stepS) => stepS >= roughS) ?? 3600;
  return 3600 * niceStep(roughS / 3600);
}

/** Label unit from the step: s below a minute; h for long plans whose steps are whole half hours; else min. */
function axisUnit(stepS: number, spanS: number): { s: number; name: string } {
  if (stepS < 60) return { s: 1, name: 's' };
  return spanS > 3 * 3600 && stepS % 1800 === 0 ? { s: 3600, name: 'h' } : { s: 60, name: 'min' };
}

/** Fewest decimals (at most 3) that show every multiple of the step exactly. */
function stepDecimals(step: number): number {
  for (let d = 0; d < 3; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-6) return d;
  return 3;
}

/** About one tick per 90 px, on a nice step; the axis ends on a tick at or past the span. */
export function timeAxis(spanS: number, plotWidthPx: number): TimeAxis {
  const targetTicks = Math.max(2, Math.floor(plotWidthPx / 90));
  const stepS = niceStepS(spanS / targetTicks);
  const unit = axisUnit(stepS, spanS);
  const decimals = stepDecimals(stepS / unit.s);
  const count = Math.max(1, Math.ceil(spanS / stepS - 1e-9));
  const ticksS = Array.from({ length: count + 1 }, (_, i) => i * stepS);
  const label = (s: number): string => (s === 0 ? '0' : `${(s / unit.s).toFixed(decimals)} ${unit.name}`);
  return { endS: count * stepS, ticksS, label };
}

function xOf(frame: Frame, s: number): number {
  return frame.x0Px + s * frame.pxPerS;
}

function gridSvg(frame: Frame): string[] {
  const parts = ['<g class="axis" font-size="10" fill="#444" text-anchor="middle">'];
  const labelTopPx = frame.plotTopPx - 8;
  const labelBottomPx = frame.plotBottomPx + 13;
  for (const tS of frame.axis.ticksS) {
    const x = px(xOf(frame, tS));
    parts.push(`<line x1="${x}" y1="${px(frame.plotTopPx)}" x2="${x}" y2="${px(frame.plotBottomPx)}" stroke="#e2e2e2" stroke-width="1"/>`);
    parts.push(`<text x="${x}" y="${px(labelTopPx)}">${escapeXml(frame.axis.label(tS))}</text>`);
    if (frame.bottomAxis) parts.push(`<text x="${x}" y="${px(labelBottomPx)}">${escapeXml(frame.axis.label(tS))}</text>`);
  }
  parts.push(`<line x1="${px(frame.x0Px)}" y1="${px(frame.plotTopPx)}" x2="${px(frame.x1Px)}" y2="${px(frame.plotTopPx)}" stroke="#999" stroke-width="1"/>`);
  parts.push(`<text x="${MARGIN_PX}" y="${px(labelTopPx)}" text-anchor="start" fill="#777">slot</text>`);
  parts.push('</g>');
  return parts;
}

// ── pools and rows ──────────────────────────────────────────────────────────

function poolHeaderText(pool: PlanPoolUsage, usedSlotCount: number): string {
  if (usedSlotCount === 0) return `· region ${pool.region} · ${plural(pool.slots, 'slot')} · unused`;
  return [
    `· region ${pool.region}`,
    `${usedSlotCount} of ${plural(pool.slots, 'slot')} used`,
    plural(pool.subtasks, 'sub-task'),
    `busy ${formatDurationS(pool.busyS)} (slot time)`,
    formatUsd(pool.costUsd),
  ].join(' · ');
}

function poolSvg(placed: PlacedPool, frame: Frame): string[] {
  const { pool, headerTopPx, rows } = placed;
  const parts = [`<g class="pool" data-pool="${escapeXml(pool.id)}">`];
  parts.push(`<rect x="${MARGIN_PX}" y="${px(headerTopPx)}" width="${px(frame.widthPx - 2 * MARGIN_PX)}" height="${POOL_HEADER_PX - 3}" fill="#eceff3" rx="2"/>`);
  // Two texts, not tspans: some renderers advance a bold tspan by its regular width and overlap the next.
  const detailsX = MARGIN_PX + 5 + pool.id.length * 11.5 * 0.72 + 6;
  const detailsChars = Math.floor((frame.widthPx - MARGIN_PX - 4 - detailsX) / (11.5 * 0.6));
  parts.push(`<text x="${MARGIN_PX + 5}" y="${px(headerTopPx + 11.5)}" font-size="11.5" font-weight="bold">${escapeXml(pool.id)}</text>`);
  parts.push(`<text x="${px(detailsX)}" y="${px(headerTopPx + 11.5)}" font-size="11.5" fill="#444">${escapeXml(truncate(poolHeaderText(pool, rows.length), detailsChars))}</text>`);
  // Zebra stripes help the eye follow a row across, but are noise once rows are only a few pixels.
  if (frame.rowPx >= 6) {
    rows.forEach((row, i) => {
      if (i % 2 === 1) parts.push(`<rect x="${px(frame.x0Px)}" y="${px(row.topPx)}" width="${px(frame.x1Px - frame.x0Px)}" height="${frame.rowPx}" fill="#f5f6f8"/>`);
    });
  }
  parts.push(...slotLabels(rows, frame));
  parts.push('</g>');
  return parts;
}

/** Every k-th slot number, k chosen so labels sit at least 11 px apart and never overlap. */
function slotLabels(rows: PlacedPool['rows'], frame: Frame): string[] {
  const everyRows = Math.ceil(11 / frame.rowPx);
  const fontPx = Math.min(10, Math.max(8, frame.rowPx - 1));
  const labels: string[] = [];
  rows.forEach((row, i) => {
    if (i % everyRows !== 0) return;
    const baseline = row.topPx + frame.rowPx / 2 + fontPx * 0.35;
    labels.push(`<text x="${px(frame.x0Px - 5)}" y="${px(baseline)}" font-size="${fontPx}" fill="#666" text-anchor="end">${row.slot}</text>`);
  });
  return labels;
}

// ── reservation ─────────────────────────────────────────────────────────────

/**
 * A pool's reserved slots as a step line: in each window it sits below the k-th used row
 * (clamped to the pool's rows), so bars above the line fit the reservation. Rows are the
 * used slots in ascending order, and a plan within a reservation of k slots uses slots 0..k−1.
 */
function reservationSvg(reservation: Reservation, frame: Frame): string[] {
  const parts: string[] = [];
  for (const placed of frame.pools) {
    const entry = reservation.pools.find((p) => p.pool === placed.pool.id);
    if (placed.rows.length === 0) continue;
    const top = placed.rows[0]!.topPx;
    const slots = entry?.slots ?? [0];
    const points: string[] = [];
    slots.forEach((k, w) => {
      const y = px(top + Math.min(k, placed.rows.length) * frame.rowPx);
      const x0 = px(Math.min(frame.x1Px, xOf(frame, w * reservation.windowS)));
      const x1 = px(Math.min(frame.x1Px, xOf(frame, (w + 1) * reservation.windowS)));
      points.push(`${x0},${y}`, `${x1},${y}`);
    });
    const title = `${placed.pool.id}: reserved slots per ${formatDurationS(reservation.windowS)} window: ${slots.join(' ')}`;
    parts.push(`<polyline class="reservation" data-pool="${escapeXml(placed.pool.id)}" points="${points.join(' ')}" fill="none" stroke="#222" stroke-width="1.5" stroke-dasharray="5 3"><title>${escapeXml(title)}</title></polyline>`);
  }
  return parts;
}

// ── bars ────────────────────────────────────────────────────────────────────

/** Expected time lost to interruptions: the part of the bar beyond the runtime (below 1 µs it is float noise). */
function reworkS(t: PlanSubtask): number {
  const s = t.finishS - t.startS - t.runtimeS;
  return s > 1e-6 ? s : 0;
}

function describeWork(t: PlanSubtask): string {
  const tasks = t.tasks ?? [];
  if (t.items !== undefined) {
    const range = `stage ${t.stage ?? t.op}, ${t.unit ?? 'items'} ${t.items[0]}–${t.items[1]}`;
    // A chunk of a bag of tasks: its task ids.
    return tasks.length === 0 ? range : `${range}\n${tasks.length} task${tasks.length === 1 ? '' : 's'}: ${tasks.slice(0, 3).join(', ')}${tasks.length > 3 ? `, …, ${tasks[tasks.length - 1]!}` : ''}`;
  }
  // A lone task usually names the sub-task already.
  if (tasks.length <= 1) return tasks.length === 1 && tasks[0] !== t.id ? `task ${tasks[0]}` : '';
  return `${tasks.length} tasks: ${tasks.slice(0, 3).join(', ')}${tasks.length > 3 ? ', …' : ''}`;
}

function tooltip(t: PlanSubtask): string {
  const rework = reworkS(t);
  return [
    `${t.id} (${t.op})`,
    `${t.pool} slot ${t.slot}`,
    `${seconds(t.startS)} – ${seconds(t.finishS)} (${formatDurationS(t.finishS - t.startS)})`,
    `runtime ${formatDurationS(t.runtimeS)}${rework > 0 ? ` + ${formatDurationS(rework)} interruption rework` : ''}`,
    `cost ${formatUsd(t.costUsd)}`,
    describeWork(t),
    t.provisional === true ? 'provisional runtime estimate' : '',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

function barSvg(t: PlanSubtask, frame: Frame, colour: string): string {
  const rowTop = frame.rowTopPx.get(rowKey(t.pool, t.slot)) ?? frame.plotTopPx;
  // A pixel of padding separates rows while they are tall enough to spare it.
  const padPx = frame.rowPx >= 8 ? 1 : frame.rowPx >= 4 ? 0.5 : 0;
  const y = rowTop + padPx;
  const h = frame.rowPx - 2 * padPx;
  const x = xOf(frame, t.startS);
  const w = Math.max(MIN_BAR_PX, (t.finishS - t.startS) * frame.pxPerS);
  // A hairline white edge keeps back-to-back bars of one op apart; thin bars would vanish under it.
  const edge = w >= 3 && h >= 4 ? ' stroke="#ffffff" stroke-width="0.5"' : '';
  const parts = [
    `<g class="subtask"><title>${escapeXml(tooltip(t))}</title>`,
    `<rect class="bar" data-id="${escapeXml(t.id)}" x="${px(x)}" y="${px(y)}" width="${px(w)}" height="${px(h)}" fill="${colour}"${edge}/>`,
  ];
  const reworkPx = reworkS(t) * frame.pxPerS;
  if (reworkPx >= MIN_BAR_PX) {
    parts.push(`<rect class="rework" x="${px(x + w - reworkPx)}" y="${px(y)}" width="${px(reworkPx)}" height="${px(h)}" fill="url(#${REWORK_PATTERN_ID})"/>`);
  }
  parts.push(barLabel(t.id, x, y, w, h, colour), '</g>');
  return parts.join('');
}

/** The id inside the bar, only when it fits whole; clipped or tiny labels would just be clutter. */
function barLabel(id: string, x: number, y: number, w: number, h: number, colour: string): string {
  const fontPx = Math.min(10, h - 2);
  if (h < 10 || textWidthPx(id, fontPx) > w - 6) return '';
  return `<text x="${px(x + 3)}" y="${px(y + h / 2 + fontPx * 0.35)}" font-size="${fontPx}" fill="${textColourOn(colour)}" pointer-events="none">${escapeXml(id)}</text>`;
}

// ── makespan and deadline ───────────────────────────────────────────────────

/** A label beside its line: left of it when there is room (lines sit near the right end), else right. */
function lineLabel(frame: Frame, x: number, baseline: number, text: string, colour: string, cls: string): string {
  const leftFits = x - textWidthPx(text, 11) - 4 >= frame.x0Px;
  const anchor = leftFits ? `x="${px(x - 4)}" text-anchor="end"` : `x="${px(x + 4)}" text-anchor="start"`;
  return `<text class="${cls}" ${anchor} y="${px(baseline)}" font-size="11" font-weight="bold" fill="${colour}">${escapeXml(text)}</text>`;
}

function markerSvg(plan: Plan, frame: Frame): string[] {
  const top = px(frame.plotTopPx - 4);
  const bottom = px(frame.plotBottomPx + 2);
  const makespanX = xOf(frame, plan.summary.makespanS);
  // An empty plan's makespan line would only strike through the pool headers at x = 0.
  const parts = plan.subtasks.length === 0 ? [] : [
    `<line class="makespan" x1="${px(makespanX)}" y1="${top}" x2="${px(makespanX)}" y2="${bottom}" stroke="#111111" stroke-width="1.5"/>`,
    lineLabel(frame, makespanX, frame.markerBaselinePx, `makespan ${formatDurationS(plan.summary.makespanS)}`, '#111111', 'makespan-label'),
  ];
  const deadlineS = plan.constraints.deadlineS;
  if (deadlineS === undefined) return parts;
  // The deadline's label goes under the plot so it never collides with the makespan's.
  const baseline = frame.plotBottomPx + (frame.bottomAxis ? 28 : 14);
  const text = `deadline ${formatDurationS(deadlineS)}`;
  if (!frame.deadlineOnScale) {
    parts.push(`<text class="deadline-note" x="${px(frame.x1Px)}" y="${px(baseline)}" text-anchor="end" font-size="11" font-weight="bold" fill="#B00020">${escapeXml(`${text} (beyond the axis) →`)}</text>`);
    return parts;
  }
  const x = xOf(frame, deadlineS);
  parts.push(`<line class="deadline" x1="${px(x)}" y1="${top}" x2="${px(x)}" y2="${px(frame.plotBottomPx + 4)}" stroke="#B00020" stroke-width="1.5" stroke-dasharray="6 3"/>`);
  parts.push(lineLabel(frame, x, baseline, text, '#B00020', 'deadline-label'));
  return parts;
}

// ── document ────────────────────────────────────────────────────────────────

function documentSvg(title: string, frame: Frame, body: readonly string[]): string {
  const { widthPx, heightPx } = frame;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${heightPx}" viewBox="0 0 ${widthPx} ${heightPx}" font-family="${FONT}" role="img" data-x0-px="${px(frame.x0Px)}" data-px-per-s="${frame.pxPerS}">`,
    `<title>${escapeXml(`Gantt chart: ${title}`)}</title>`,
    '<defs>',
    // White stripes over the op's colour: still reads as that op, visibly lighter and hatched.
    `<pattern id="${REWORK_PATTERN_ID}" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="4" height="4" fill="#ffffff" fill-opacity="0.3"/><rect width="1.6" height="4" fill="#ffffff" fill-opacity="0.85"/></pattern>`,
    '</defs>',
    `<rect width="${widthPx}" height="${heightPx}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
