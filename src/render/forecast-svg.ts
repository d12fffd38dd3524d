/**
 * The Resource Predictor's picture of a pool, as one standalone SVG string (issue 10 §4): the
 * free-slot history as a line, the forecast P50 as a line inside its shaded P10–P90 band, the
 * declared slots dashed, a plan's start marked, on a UTC time axis; under it the interruption
 * hazard by hour of week as 168 bars. `renderMapSvg` stacks one such figure per pool of an
 * AvailabilityMap (`apportion forecast show --format svg`).
 *
 * Size is bounded by the picture, not the data: a line of more than MAX_LINE_POINTS values is
 * drawn from per-bin first/min/max/last points (the M4 reduction: the same pixels as the full
 * line at this width), the band from per-bin min P10 / max P90, so a 10^6-point history is a
 * few thousand points. Missing values (NaN, ±Infinity) break the line; once downsampled, a
 * missing run shorter than half a bin (under a pixel) is below the resolution and not shown.
 *
 * Colours are told apart by lightness as well as hue (dark history, mid-blue P50, pale band,
 * dashed grey declared, dotted red start), so a greyscale print still reads.
 */
import type { AvailabilityMap, PoolForecast } from '../forecast/map.js';
import { hourOfWeek } from '../forecast/hazard.js';
import type { QuantileForecast, Series } from '../forecast/types.js';
import { formatDurationS } from './format.js';
import { FONT, escapeXml, px, textWidthPx, truncate, wrapItems } from './svg.js';

export interface ForecastFigureInput {
  readonly pool: string;
  /** What the top panel's values count, e.g. 'free slots'. */
  readonly unit: string;
  readonly declaredSlots?: number;
  /** The declared interruption rate, per slot-hour: named when no hazard is given, a dashed reference line when one is. */
  readonly declaredInterruptionPerHour?: number;
  readonly history?: Series;
  readonly forecast?: QuantileForecast;
  /** 168 rates, Monday 00:00 UTC first, interruptions per slot-hour. */
  readonly hazardPerSlotHour?: readonly number[];
  /** How the hazard was fitted ('hour-of-week', 'constant'). */
  readonly hazardMethod?: string;
  /** Epoch s of a plan's time 0, drawn as a marker. */
  readonly startAtS?: number;
  readonly title?: string;
  /** Lines said under the heading (a map's assumptions, the models used); at most MAX_NOTES shown. */
  readonly notes?: readonly string[];
  readonly widthPx?: number;
}

export interface MapSvgOptions {
  /** Telemetry per pool id, drawn as the history. */
  readonly history?: ReadonlyMap<string, Series>;
  readonly startAtS?: number;
  readonly widthPx?: number;
}

/** Points of one drawn line at most (history, P50), and of each band edge. */
export const MAX_LINE_POINTS = 4000;
/** Pools drawn by renderMapSvg; the others are named in a closing note. */
export const MAX_MAP_POOLS = 40;
export const HOURS_PER_WEEK = 168;
const MAX_NOTES = 4;

const DEFAULT_WIDTH_PX = 1000;
const MIN_WIDTH_PX = 480;
const MARGIN_PX = 12;
/** Room left of the plots for value labels such as "0.0025" or "1.5T". */
const GUTTER_PX = 58;
const RIGHT_PAD_PX = 28;
const TOP_PLOT_PX = 200;
/** With neither history nor forecast the top panel only carries the declared line and a note. */
const EMPTY_TOP_PLOT_PX = 70;
const LONE_POINT_PX = 3;
const HAZARD_PLOT_PX = 80;
/** Beyond this share of the data's span outside it, a plan start would squash the picture: it becomes a note. */
const START_ON_SCALE_FACTOR = 0.5;
/** Values beyond this magnitude are drawn at it, so axis arithmetic cannot overflow to Infinity. */
const MAX_ABS_VALUE = 1e300;
/** Date can show epoch seconds within ±8.64e12. */
const MAX_DATE_S = 8.64e12;

const HISTORY_COLOUR = '#222222';
const P50_COLOUR = '#1F5FA8';
const BAND_COLOUR = '#A9C4E4';
const DECLARED_COLOUR = '#555555';
const START_COLOUR = '#B00020';
const HAZARD_COLOUR = '#4E79A7';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

// ── public ──────────────────────────────────────────────────────────────────

export function renderForecastSvg(input: ForecastFigureInput): string {
  const widthPx = widthOf(input.widthPx);
  const figure = figureSvg(input, widthPx);
  return documentSvg(`Forecast: ${input.title ?? input.pool}`, widthPx, figure.heightPx, figure.parts);
}

export function renderMapSvg(map: AvailabilityMap, options: MapSvgOptions = {}): string {
  const widthPx = widthOf(options.widthPx);
  const parts: string[] = [];
  let topPx = 0;
  const pools = map.pools.slice(0, MAX_MAP_POOLS);
  pools.forEach((pool, i) => {
    if (i > 0) parts.push(`<line class="figure-rule" x1="${MARGIN_PX}" y1="${px(topPx)}" x2="${widthPx - MARGIN_PX}" y2="${px(topPx)}" stroke="#bbbbbb" stroke-width="1"/>`);
    const figure = figureSvg(mapFigureInput(map, pool, options, widthPx), widthPx);
    parts.push(`<g class="forecast-figure-slot" transform="translate(0 ${px(topPx)})">`, ...figure.parts, '</g>');
    topPx += figure.heightPx;
  });
  const hidden = map.pools.length - pools.length;
  if (hidden > 0) {
    const names = map.pools.slice(MAX_MAP_POOLS, MAX_MAP_POOLS + 5).map((p) => p.pool).join(', ');
    const text = `+${hidden} more pool${hidden === 1 ? '' : 's'} not drawn (${names}${hidden > 5 ? ', …' : ''}): the map holds them all`;
    parts.push(`<text class="more-pools" x="${MARGIN_PX}" y="${px(topPx + 18)}" font-size="12" fill="#444">${escapeXml(truncate(text, Math.floor((widthPx - 2 * MARGIN_PX) / 7.2)))}</text>`);
    topPx += 30;
  }
  if (pools.length === 0) {
    parts.push(`<text class="note" x="${MARGIN_PX}" y="24" font-size="12" fill="#444">the map lists no pool</text>`);
    topPx = 40;
  }
  return documentSvg(`Availability map ${map.id}`, widthPx, Math.ceil(topPx), parts);
}

/** A map entry as a figure: its buckets are the forecast, its assumptions and models the notes. */
function mapFigureInput(map: AvailabilityMap, pool: PoolForecast, options: MapSvgOptions, widthPx: number): ForecastFigureInput {
  const notes: string[] = [];
  if (pool.free !== undefined) notes.push(`free slots: model ${pool.free.model}, fitted on ${pool.free.data.points} point(s)${pool.free.data.sources.length === 0 ? '' : ` from ${pool.free.data.sources.join(', ')}`}`);
  if (pool.hazard !== undefined) notes.push(`hazard: ${pool.hazard.events} interruption(s) over ${formatQuantity(pool.hazard.exposureSlotHours)} slot-hours, mean ${formatQuantity(pool.hazard.meanPerSlotHour)} per slot-hour`);
  if (pool.price !== undefined) notes.push(`price: model ${pool.price.model}`);
  notes.push(...pool.assumptions);
  const history = options.history?.get(pool.pool);
  const free = pool.free;
  return {
    pool: pool.pool,
    unit: 'free slots',
    declaredSlots: pool.declaredSlots,
    declaredInterruptionPerHour: pool.declaredInterruptionPerHour,
    ...(history === undefined ? {} : { history }),
    ...(free === undefined ? {} : { forecast: { startS: map.startS, stepS: map.bucketS, p10: Float64Array.from(free.p10), p50: Float64Array.from(free.p50), p90: Float64Array.from(free.p90) } }),
    ...(pool.hazard === undefined ? {} : { hazardPerSlotHour: pool.hazard.perSlotHour, hazardMethod: pool.hazard.method }),
    ...(options.startAtS === undefined ? {} : { startAtS: options.startAtS }),
    title: `${pool.pool} · forecast ${map.id}`,
    notes,
    widthPx,
  };
}

function widthOf(widthPx: number | undefined): number {
  return Math.max(MIN_WIDTH_PX, Math.round(Number.isFinite(widthPx) ? widthPx! : DEFAULT_WIDTH_PX));
}

// ── numbers and times ───────────────────────────────────────────────────────

function clamp(value: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, value));
}

/** Smallest 1, 2 or 5 × 10^k at least `rough` (rough > 0, finite). */
function niceStep(rough: number): number {
  const pow = 10 ** Math.floor(Math.log10(rough));
  for (const m of [1, 2, 5]) if (m * pow >= rough * (1 - 1e-9)) return m * pow;
  return 10 * pow;
}

const SI = ['', 'k', 'M', 'G', 'T', 'P', 'E'] as const;

/** A tick label: all ticks of one axis share the unit of its largest tick and the step's decimals ("0.0025", "40", "1.5T"). */
function formatTick(value: number, stepValue: number, maxAbs: number): string {
  if (value === 0) return '0';
  const step = Math.abs(stepValue);
  if (step < 1e-6 || maxAbs >= 1e21) return value.toExponential(Math.max(0, Math.min(6, Math.round(Math.log10(Math.abs(value) / step)))));
  if (maxAbs >= 10_000) {
    const tier = Math.min(SI.length - 1, Math.floor(Math.log10(maxAbs) / 3));
    const scaled = value / 10 ** (3 * tier);
    return `${Number(scaled.toFixed(decimalsFor(step / 10 ** (3 * tier))))}${SI[tier]}`;
  }
  return value.toFixed(decimalsFor(step));
}

/** Fewest decimals (at most 8) that show every multiple of the step exactly. */
function decimalsFor(step: number): number {
  for (let d = 0; d < 8; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-6 * 10 ** d * step) return d;
  return 8;
}

/** A value in running text: 4 significant digits, exponent form when huge or tiny. */
export function formatQuantity(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const a = Math.abs(value);
  if (a !== 0 && (a >= 1e7 || a < 1e-4)) return value.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(value.toPrecision(4)));
}

function isoOf(s: number): string | undefined {
  return Math.abs(s) <= MAX_DATE_S ? new Date(Math.round(s * 1000)).toISOString() : undefined;
}

/** "2014-02-14 14:30 UTC" (seconds when not whole minutes); raw epoch seconds beyond what a Date holds. */
export function formatUtc(s: number): string {
  const iso = isoOf(s);
  if (iso === undefined) return `epoch ${formatQuantity(s)} s`;
  const [date, time = ''] = iso.split('T');
  const clock = time.slice(0, 8).endsWith(':00') ? time.slice(0, 5) : time.slice(0, 8);
  return `${date} ${clock} UTC`;
}

function weekdayOf(s: number): string {
  return WEEKDAYS[(((Math.floor(s / 86_400) + 3) % 7) + 7) % 7]!;
}

// ── series reduction ────────────────────────────────────────────────────────

/** Consecutive indices drawn as one point group: [first, last], missing values inside skipped. */
interface Group {
  readonly first: number;
  readonly last: number;
}

/**
 * The present values of `n` as segments (a missing run long enough breaks the line) of groups:
 * one index per group while n ≤ maxGroups, else about n / maxGroups consecutive indices each.
 */
function segmentGroups(n: number, present: (i: number) => boolean, maxGroups: number): Group[][] {
  const downsampled = n > maxGroups;
  const bins = downsampled ? Math.max(1, maxGroups) : n;
  const minGap = downsampled ? Math.max(1, Math.ceil(n / bins / 2)) : 1;
  const segments: Group[][] = [];
  let segment: Group[] = [];
  let groupBin = -1;
  let first = -1;
  let last = -1;
  let missing = 0;
  const close = (): void => {
    if (first >= 0) segment.push({ first, last });
    first = -1;
  };
  for (let i = 0; i < n; i++) {
    if (!present(i)) {
      missing++;
      continue;
    }
    if (missing >= minGap) {
      close();
      if (segment.length > 0) segments.push(segment);
      segment = [];
    }
    missing = 0;
    const bin = downsampled ? Math.floor((i * bins) / n) : i;
    if (first >= 0 && bin !== groupBin) close();
    if (first < 0) {
      first = i;
      groupBin = bin;
    }
    last = i;
  }
  close();
  if (segment.length > 0) segments.push(segment);
  return segments;
}

/** A group's first, min, max and last indices in order (M4): the pixels the full line would light. */
function m4(values: ArrayLike<number>, g: Group): number[] {
  if (g.first === g.last) return [g.first];
  let lo = g.first;
  let hi = g.first;
  for (let i = g.first + 1; i <= g.last; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < values[lo]!) lo = i;
    if (v > values[hi]!) hi = i;
  }
  return [...new Set([g.first, lo, hi, g.last])].sort((a, b) => a - b);
}

interface Grid {
  readonly startS: number;
  readonly stepS: number;
}

/** Values are over [start + i·step, start + (i+1)·step): drawn at the middle of their interval. */
function timeOf(grid: Grid, i: number): number {
  return grid.startS + (i + 0.5) * grid.stepS;
}

function validGrid(grid: Grid): boolean {
  return Number.isFinite(grid.startS) && Number.isFinite(grid.stepS) && grid.stepS > 0 && Number.isFinite(grid.startS + grid.stepS);
}

interface Extent {
  min: number;
  max: number;
  present: number;
  missing: number;
}

function extentOf(values: ArrayLike<number>): Extent {
  const e: Extent = { min: Infinity, max: -Infinity, present: 0, missing: 0 };
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      e.missing++;
      continue;
    }
    e.present++;
    const c = clamp(v, -MAX_ABS_VALUE, MAX_ABS_VALUE);
    if (c < e.min) e.min = c;
    if (c > e.max) e.max = c;
  }
  return e;
}

// ── scales ──────────────────────────────────────────────────────────────────

interface ValueScale {
  readonly lo: number;
  readonly hi: number;
  readonly step: number;
  readonly ticks: readonly number[];
  readonly topPx: number;
  readonly bottomPx: number;
}

/** An axis from ≤ min(0, lo) to ≥ hi on a nice step; a flat or empty range still gets a height. */
function valueScale(dataLo: number, dataHi: number, topPx: number, bottomPx: number, targetTicks: number): ValueScale {
  let lo = Math.min(0, Number.isFinite(dataLo) ? dataLo : 0);
  let hi = Math.max(0, Number.isFinite(dataHi) ? dataHi : 0);
  if (hi === lo) hi = lo === 0 ? 1 : lo + Math.abs(lo);
  const step = niceStep((hi - lo) / targetTicks);
  lo = Math.floor(lo / step) * step;
  hi = Math.max(lo + step, Math.ceil(hi / step - 1e-9) * step);
  const ticks: number[] = [];
  for (let k = 0; k <= 2 * targetTicks + 2 && lo + k * step <= hi + step * 1e-6; k++) ticks.push(lo + k * step);
  return { lo, hi, step, ticks, topPx, bottomPx };
}

function yOf(scale: ValueScale, v: number): number {
  const c = clamp(v, scale.lo, scale.hi);
  return scale.bottomPx - ((c - scale.lo) / (scale.hi - scale.lo)) * (scale.bottomPx - scale.topPx);
}

interface TimeScale {
  readonly t0S: number;
  readonly t1S: number;
  readonly x0Px: number;
  readonly x1Px: number;
  readonly pxPerS: number;
  readonly stepS: number;
  /** Set when the ticks are calendar months (spans of months and years): months per tick. */
  readonly months?: number;
  readonly ticksS: readonly number[];
}

/** Clock-friendly tick steps: seconds, minutes, hours, days, a week, two weeks. */
const TIME_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800, 1_209_600] as const;
/** Epoch s of Monday 1970-01-05 00:00 UTC: weekly ticks fall on Mondays. */
const FIRST_MONDAY_S = 4 * 86_400;
const MAX_TIME_TICKS = 40;

function timeScale(t0S: number, t1S: number, x0Px: number, x1Px: number): TimeScale {
  const spanS = t1S - t0S;
  const targetTicks = Math.max(2, Math.floor((x1Px - x0Px) / 110));
  const rough = spanS / targetTicks;
  const clockStepS = TIME_STEPS_S.find((s) => s >= rough);
  const pxPerS = (x1Px - x0Px) / spanS;
  if (clockStepS === undefined && Math.abs(t0S) <= MAX_DATE_S && Math.abs(t1S) <= MAX_DATE_S) {
    const months = monthStep(rough);
    return { t0S, t1S, x0Px, x1Px, pxPerS, stepS: months * MONTH_S, months, ticksS: monthTicks(t0S, t1S, months) };
  }
  const stepS = rough < 1 ? niceStep(rough) : (clockStepS ?? 86_400 * niceStep(rough / 86_400));
  const origin = stepS % 604_800 === 0 ? FIRST_MONDAY_S : 0;
  const ticksS: number[] = [];
  const firstK = Math.ceil((t0S - origin) / stepS - 1e-9);
  for (let k = firstK; ticksS.length < MAX_TIME_TICKS; k++) {
    const t = origin + k * stepS;
    if (t > t1S + stepS * 1e-9) break;
    ticksS.push(t);
  }
  return { t0S, t1S, x0Px, x1Px, pxPerS, stepS, ticksS };
}

/** A mean Gregorian month. */
const MONTH_S = 30.436875 * 86_400;
const MONTH_STEPS = [1, 2, 3, 6, 12] as const;

function monthStep(roughS: number): number {
  return MONTH_STEPS.find((m) => m * MONTH_S >= roughS) ?? 12 * Math.max(1, niceStep(roughS / (12 * MONTH_S)));
}

/** First days of months (months apart, aligned to the calendar: quarters on Jan/Apr/Jul/Oct) within [t0, t1]. */
function monthTicks(t0S: number, t1S: number, months: number): number[] {
  const start = new Date(t0S * 1000);
  let index = start.getUTCFullYear() * 12 + start.getUTCMonth();
  index = Math.ceil(index / months) * months;
  const ticks: number[] = [];
  while (ticks.length < MAX_TIME_TICKS) {
    // setUTCFullYear, not Date.UTC: that one reads years 0–99 as 1900–1999.
    const t = new Date(0).setUTCFullYear(Math.floor(index / 12), ((index % 12) + 12) % 12, 1) / 1000;
    if (!Number.isFinite(t) || t > t1S) break;
    if (t >= t0S) ticks.push(t);
    index += months;
  }
  return ticks;
}

function xOf(scale: TimeScale, s: number): number {
  return scale.x0Px + (s - scale.t0S) * scale.pxPerS;
}

/** Two lines per tick: the clock (or the date for day steps), then the date where it changes (or the weekday). */
function tickLabels(scale: TimeScale): [string, string][] {
  let previousDate = '';
  return scale.ticksS.map((t) => {
    const iso = isoOf(t);
    if (iso === undefined) return [formatQuantity(t), ''];
    const [date = '', time = ''] = iso.split('T');
    if (scale.months !== undefined) return [scale.months % 12 === 0 ? date.slice(0, date.lastIndexOf('-', date.lastIndexOf('-') - 1)) : date.slice(0, date.lastIndexOf('-')), ''];
    if (scale.stepS >= 86_400) return [date, scale.stepS <= 604_800 ? weekdayOf(t) : ''];
    const clock = scale.stepS < 60 ? time.slice(0, 8) : time.slice(0, 5);
    const second = date !== previousDate ? `${weekdayOf(t)} ${date}` : '';
    previousDate = date;
    return [clock, second];
  });
}

// ── the figure ──────────────────────────────────────────────────────────────

interface Figure {
  readonly parts: string[];
  readonly heightPx: number;
}

interface LegendItem {
  readonly kind: 'line' | 'dashed' | 'dotted' | 'area';
  readonly colour: string;
  readonly label: string;
}

function figureSvg(input: ForecastFigureInput, widthPx: number): Figure {
  const history = input.history !== undefined && validGrid(input.history) && input.history.values.length > 0 ? input.history : undefined;
  const forecast = input.forecast !== undefined && validGrid(input.forecast) && forecastLength(input.forecast) > 0 ? input.forecast : undefined;
  const declared = input.declaredSlots !== undefined && Number.isFinite(input.declaredSlots) ? input.declaredSlots : undefined;
  const notes: string[] = [];
  if (input.history !== undefined && history === undefined) notes.push(input.history.values.length === 0 ? 'history: no points' : 'history: not drawn (its time grid is not finite and increasing)');
  if (input.forecast !== undefined && forecast === undefined) notes.push(forecastLength(input.forecast) === 0 ? 'forecast: no steps' : 'forecast: not drawn (its time grid is not finite and increasing)');

  // Time domain: the data's intervals, and the plan start when near enough to share the scale.
  let t0S = Infinity;
  let t1S = -Infinity;
  if (history !== undefined) {
    t0S = Math.min(t0S, history.startS);
    t1S = Math.max(t1S, history.startS + history.values.length * history.stepS);
  }
  if (forecast !== undefined) {
    t0S = Math.min(t0S, forecast.startS);
    t1S = Math.max(t1S, forecast.startS + forecastLength(forecast) * forecast.stepS);
  }
  const startAtS = input.startAtS !== undefined && Number.isFinite(input.startAtS) ? input.startAtS : undefined;
  let startOnScale = false;
  if (startAtS !== undefined) {
    if (!Number.isFinite(t0S)) {
      t0S = startAtS;
      t1S = startAtS + 86_400;
      startOnScale = true;
    } else {
      const slackS = START_ON_SCALE_FACTOR * (t1S - t0S);
      startOnScale = startAtS >= t0S - slackS && startAtS <= t1S + slackS;
      if (startOnScale) {
        t0S = Math.min(t0S, startAtS);
        t1S = Math.max(t1S, startAtS);
      } else notes.push(`plan start ${formatUtc(startAtS)} is ${startAtS < t0S ? 'before' : 'after'} the drawn span (not marked)`);
    }
  }
  if (!Number.isFinite(t0S)) {
    t0S = 0;
    t1S = 86_400;
  }
  if (!(t1S > t0S) || !Number.isFinite(t1S - t0S)) t1S = t0S + Math.max(1, Math.abs(t0S) * 1e-9);

  const historyExtent = history === undefined ? undefined : extentOf(history.values);
  const bandExtent = forecast === undefined ? undefined : [extentOf(forecast.p10), extentOf(forecast.p50), extentOf(forecast.p90)];
  const dataLo = Math.min(historyExtent?.min ?? Infinity, ...(bandExtent?.map((e) => e.min) ?? []), declared ?? Infinity);
  const dataHi = Math.max(historyExtent?.max ?? -Infinity, ...(bandExtent?.map((e) => e.max) ?? []), declared ?? -Infinity);

  // Vertical layout, top down.
  const heading = headingSvg(input, history, historyExtent, forecast, declared, [...notes, ...(input.notes ?? [])], widthPx);
  const legendItems: LegendItem[] = [];
  if (history !== undefined) legendItems.push({ kind: 'line', colour: HISTORY_COLOUR, label: 'history' });
  if (forecast !== undefined) legendItems.push({ kind: 'line', colour: P50_COLOUR, label: 'forecast P50' }, { kind: 'area', colour: BAND_COLOUR, label: 'P10–P90' });
  if (declared !== undefined) legendItems.push({ kind: 'dashed', colour: DECLARED_COLOUR, label: `declared ${formatQuantity(declared)} slot${declared === 1 ? '' : 's'}` });
  if (startAtS !== undefined && startOnScale) legendItems.push({ kind: 'dotted', colour: START_COLOUR, label: 'plan start' });
  const legend = legendSvg(legendItems, widthPx, heading.bottomPx);
  const x0Px = MARGIN_PX + GUTTER_PX;
  const x1Px = widthPx - RIGHT_PAD_PX;
  const plotTopPx = legend.bottomPx + 22;
  const plotBottomPx = plotTopPx + (history === undefined && forecast === undefined ? EMPTY_TOP_PLOT_PX : TOP_PLOT_PX);
  const time = timeScale(t0S, t1S, x0Px, x1Px);
  const values = valueScale(dataLo, dataHi, plotTopPx, plotBottomPx, 5);

  const parts: string[] = [
    `<g class="forecast-figure" data-pool="${escapeXml(input.pool)}" data-t0-s="${time.t0S}" data-x0-px="${px(x0Px)}" data-px-per-s="${time.pxPerS}" data-y-lo="${values.lo}" data-y-hi="${values.hi}" data-y-top-px="${px(plotTopPx)}" data-y-bottom-px="${px(plotBottomPx)}">`,
    ...heading.parts,
    ...legend.parts,
    ...valueGridSvg('value-axis', values, x0Px, x1Px, input.unit),
    ...timeGridSvg(time, plotTopPx, plotBottomPx),
  ];
  if (forecast !== undefined) parts.push(...bandSvg(forecast, time, values), forecastStartSvg(forecast.startS, time, plotTopPx, plotBottomPx));
  if (declared !== undefined) {
    const y = px(yOf(values, declared));
    parts.push(`<line class="declared" x1="${px(x0Px)}" y1="${y}" x2="${px(x1Px)}" y2="${y}" stroke="${DECLARED_COLOUR}" stroke-width="1.5" stroke-dasharray="6 4"><title>${escapeXml(`declared ${formatQuantity(declared)} slot(s)`)}</title></line>`);
  }
  if (history !== undefined) parts.push(lineSvg('history', history, history.values, time, values, HISTORY_COLOUR, 1.5, `history: ${historyExtent!.present} point(s) from ${formatUtc(history.startS)}, ${formatQuantity(historyExtent!.min)} – ${formatQuantity(historyExtent!.max)} ${input.unit}`));
  if (forecast !== undefined) parts.push(lineSvg('p50', forecast, forecast.p50, time, values, P50_COLOUR, 2, `forecast P50: ${forecastLength(forecast)} step(s) of ${formatDurationS(forecast.stepS)} from ${formatUtc(forecast.startS)}`));
  if (history === undefined && forecast === undefined) {
    parts.push(`<text class="note" x="${px((x0Px + x1Px) / 2)}" y="${px((plotTopPx + plotBottomPx) / 2)}" text-anchor="middle" font-size="12" fill="#555">no ${escapeXml(input.unit)} data${declared === undefined ? '' : ': the declared slots are assumed'}</text>`);
  }
  if (startAtS !== undefined && startOnScale) parts.push(...startMarkerSvg(startAtS, time, plotTopPx, plotBottomPx));

  const hazard = hazardSvg(input, time, startOnScale ? startAtS : undefined, plotBottomPx + 40);
  parts.push(...hazard.parts, '</g>');
  return { parts, heightPx: Math.ceil(hazard.bottomPx + MARGIN_PX) };
}

function forecastLength(f: QuantileForecast): number {
  return Math.min(f.p10.length, f.p50.length, f.p90.length);
}

// ── heading and legend ──────────────────────────────────────────────────────

function headingSvg(input: ForecastFigureInput, history: Series | undefined, historyExtent: Extent | undefined, forecast: QuantileForecast | undefined, declared: number | undefined, notes: readonly string[], widthPx: number): { parts: string[]; bottomPx: number } {
  const charsAt = (fontPx: number): number => Math.floor((widthPx - 2 * MARGIN_PX) / (fontPx * 0.6));
  const title = input.title ?? `${input.pool} · ${input.unit}`;
  const parts = [`<text class="title" x="${MARGIN_PX}" y="24" font-size="15" font-weight="bold">${escapeXml(truncate(title, charsAt(15)))}</text>`];
  const stats: string[] = [];
  if (history !== undefined && historyExtent !== undefined) {
    const missing = historyExtent.missing > 0 ? `, ${historyExtent.missing} missing` : '';
    stats.push(`history ${history.values.length} point(s) every ${formatDurationS(history.stepS)}${missing}, ${formatUtc(history.startS)} – ${formatUtc(history.startS + history.values.length * history.stepS)}`);
  } else stats.push('no history');
  if (forecast !== undefined) stats.push(`forecast ${forecastLength(forecast)} step(s) of ${formatDurationS(forecast.stepS)} from ${formatUtc(forecast.startS)}`);
  else stats.push('no forecast');
  if (declared !== undefined) stats.push(`declared ${formatQuantity(declared)} slot(s)`);
  let baseline = 42;
  for (const line of wrapItems(stats, charsAt(12)).slice(0, 3)) {
    parts.push(`<text class="subtitle" x="${MARGIN_PX}" y="${baseline}" font-size="12" fill="#333">${escapeXml(line)}</text>`);
    baseline += 16;
  }
  const shown = notes.slice(0, MAX_NOTES);
  if (notes.length > MAX_NOTES) shown[MAX_NOTES - 1] = `… and ${notes.length - MAX_NOTES + 1} more note(s)`;
  for (const note of shown) {
    parts.push(`<text class="figure-note" x="${MARGIN_PX}" y="${baseline}" font-size="11" fill="#555">${escapeXml(truncate(note, charsAt(11)))}</text>`);
    baseline += 15;
  }
  return { parts, bottomPx: baseline - 8 };
}

function legendSvg(items: readonly LegendItem[], widthPx: number, topPx: number): { parts: string[]; bottomPx: number } {
  if (items.length === 0) return { parts: [], bottomPx: topPx };
  const fontPx = 11;
  const parts: string[] = ['<g class="legend">'];
  let x = MARGIN_PX;
  let baseline = topPx + 14;
  for (const item of items) {
    const itemPx = 22 + textWidthPx(item.label, fontPx) + 16;
    if (x > MARGIN_PX && x + itemPx > widthPx - MARGIN_PX) {
      x = MARGIN_PX;
      baseline += 16;
    }
    const y = px(baseline - 4);
    if (item.kind === 'area') parts.push(`<rect x="${px(x)}" y="${px(baseline - 10)}" width="18" height="10" fill="${item.colour}" stroke="#7f9cc0" stroke-width="0.5"/>`);
    else {
      const dash = item.kind === 'dashed' ? ' stroke-dasharray="6 4"' : item.kind === 'dotted' ? ' stroke-dasharray="2 2"' : '';
      parts.push(`<line x1="${px(x)}" y1="${y}" x2="${px(x + 18)}" y2="${y}" stroke="${item.colour}" stroke-width="2"${dash}/>`);
    }
    parts.push(`<text x="${px(x + 22)}" y="${px(baseline)}" font-size="${fontPx}">${escapeXml(item.label)}</text>`);
    x += itemPx;
  }
  parts.push('</g>');
  return { parts, bottomPx: baseline + 4 };
}

// ── axes ────────────────────────────────────────────────────────────────────

function valueGridSvg(cls: string, scale: ValueScale, x0Px: number, x1Px: number, unit: string | undefined): string[] {
  const parts = [`<g class="${cls}" font-size="10" fill="#444" text-anchor="end">`];
  for (const v of scale.ticks) {
    const y = px(yOf(scale, v));
    parts.push(`<line x1="${px(x0Px)}" y1="${y}" x2="${px(x1Px)}" y2="${y}" stroke="${v === 0 ? '#999999' : '#e6e6e6'}" stroke-width="1"/>`);
    parts.push(`<text x="${px(x0Px - 5)}" y="${px(yOf(scale, v) + 3.5)}">${escapeXml(formatTick(v, scale.step, Math.max(Math.abs(scale.lo), Math.abs(scale.hi))))}</text>`);
  }
  if (unit !== undefined) parts.push(`<text class="unit" x="${MARGIN_PX}" y="${px(scale.topPx - 8)}" text-anchor="start" fill="#555">${escapeXml(truncate(unit, 40))}</text>`);
  parts.push('</g>');
  return parts;
}

function timeGridSvg(scale: TimeScale, topPx: number, bottomPx: number): string[] {
  const parts = ['<g class="time-axis" font-size="10" fill="#444" text-anchor="middle">'];
  const labels = tickLabels(scale);
  scale.ticksS.forEach((t, i) => {
    const x = px(xOf(scale, t));
    const [first, second] = labels[i]!;
    parts.push(`<line x1="${x}" y1="${px(topPx)}" x2="${x}" y2="${px(bottomPx + 3)}" stroke="#e6e6e6" stroke-width="1"/>`);
    parts.push(`<text x="${x}" y="${px(bottomPx + 14)}">${escapeXml(first)}</text>`);
    if (second !== '') parts.push(`<text x="${x}" y="${px(bottomPx + 26)}" fill="#666">${escapeXml(second)}</text>`);
  });
  parts.push(`<line x1="${px(scale.x0Px)}" y1="${px(bottomPx)}" x2="${px(scale.x1Px)}" y2="${px(bottomPx)}" stroke="#999999" stroke-width="1"/>`);
  parts.push(`<text x="${MARGIN_PX}" y="${px(bottomPx + 14)}" text-anchor="start" fill="#555">UTC</text>`);
  parts.push('</g>');
  return parts;
}

// ── series ──────────────────────────────────────────────────────────────────

/** One path, a subpath per unbroken run; a lone value is a dash over its own interval (at least LONE_POINT_PX wide), since a point alone draws nothing. */
function lineSvg(cls: string, grid: Grid, values: ArrayLike<number>, time: TimeScale, scale: ValueScale, colour: string, widthPx: number, title: string): string {
  // Up to MAX_LINE_POINTS every value is drawn; beyond, a quarter as many groups of up to 4 points each.
  const downsampled = values.length > MAX_LINE_POINTS;
  const segments = segmentGroups(values.length, (i) => Number.isFinite(values[i]!), downsampled ? Math.floor(MAX_LINE_POINTS / 4) : values.length);
  let d = '';
  for (const segment of segments) {
    const indices = downsampled ? segment.flatMap((g) => m4(values, g)) : segment.map((g) => g.first);
    if (indices.length === 1) {
      const i = indices[0]!;
      const dashPx = Math.max(LONE_POINT_PX, grid.stepS * time.pxPerS);
      d += `M${px(xOf(time, timeOf(grid, i)) - dashPx / 2)},${px(yOf(scale, values[i]!))}h${px(dashPx)}`;
      continue;
    }
    indices.forEach((i, k) => {
      d += `${k === 0 ? 'M' : 'L'}${px(xOf(time, timeOf(grid, i)))},${px(yOf(scale, values[i]!))}`;
    });
  }
  if (d === '') return '';
  return `<path class="${cls}" d="${d}" fill="none" stroke="${colour}" stroke-width="${widthPx}" stroke-linejoin="round" stroke-linecap="round" data-segments="${segments.length}"><title>${escapeXml(title)}</title></path>`;
}

/** The P10–P90 band: a polygon per unbroken run, upper edge left to right then lower edge back. */
function bandSvg(forecast: QuantileForecast, time: TimeScale, scale: ValueScale): string[] {
  const n = forecastLength(forecast);
  const { p10, p90 } = forecast;
  const segments = segmentGroups(n, (i) => Number.isFinite(p10[i]!) && Number.isFinite(p90[i]!), Math.floor(MAX_LINE_POINTS / 2));
  const parts: string[] = ['<g class="band-group"><title>forecast P10–P90: 8 in 10 outcomes inside</title>'];
  for (const segment of segments) {
    const upper: string[] = [];
    const lower: string[] = [];
    for (const g of segment) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = g.first; i <= g.last; i++) {
        if (!Number.isFinite(p10[i]!) || !Number.isFinite(p90[i]!)) continue;
        lo = Math.min(lo, p10[i]!, p90[i]!);
        hi = Math.max(hi, p10[i]!, p90[i]!);
      }
      // A group spans its intervals' full width, so a one-step band is still a visible box.
      const xs = segment.length === 1 ? [forecast.startS + g.first * forecast.stepS, forecast.startS + (g.last + 1) * forecast.stepS] : [(timeOf(forecast, g.first) + timeOf(forecast, g.last)) / 2];
      for (const t of xs) {
        const x = px(xOf(time, t));
        upper.push(`${x},${px(yOf(scale, hi))}`);
        lower.push(`${x},${px(yOf(scale, lo))}`);
      }
    }
    parts.push(`<polygon class="band" points="${[...upper, ...lower.reverse()].join(' ')}" fill="${BAND_COLOUR}" fill-opacity="0.75" stroke="#7f9cc0" stroke-width="0.5"/>`);
  }
  parts.push('</g>');
  return parts;
}

function forecastStartSvg(startS: number, time: TimeScale, topPx: number, bottomPx: number): string {
  const x = px(xOf(time, startS));
  return `<line class="forecast-start" x1="${x}" y1="${px(topPx)}" x2="${x}" y2="${px(bottomPx)}" stroke="#888888" stroke-width="1"><title>${escapeXml(`forecast from ${formatUtc(startS)}`)}</title></line>`;
}

function startMarkerSvg(startAtS: number, time: TimeScale, topPx: number, bottomPx: number): string[] {
  const x = xOf(time, startAtS);
  const text = `plan start ${formatUtc(startAtS)}`;
  const leftFits = x - textWidthPx(text, 10.5) - 4 >= time.x0Px;
  const anchor = leftFits ? `x="${px(x - 4)}" text-anchor="end"` : `x="${px(x + 4)}" text-anchor="start"`;
  return [
    `<line class="plan-start" x1="${px(x)}" y1="${px(topPx - 4)}" x2="${px(x)}" y2="${px(bottomPx)}" stroke="${START_COLOUR}" stroke-width="1.5" stroke-dasharray="2 2"/>`,
    `<text class="plan-start-label" ${anchor} y="${px(topPx + 11)}" font-size="10.5" font-weight="bold" fill="${START_COLOUR}">${escapeXml(text)}</text>`,
  ];
}

// ── hazard ──────────────────────────────────────────────────────────────────

function hazardTitle(input: ForecastFigureInput): string {
  const method = input.hazardMethod === 'constant' ? 'constant (too few interruptions for hour of week)' : input.hazardMethod;
  return `interruption hazard by hour of week (UTC), per slot-hour${method === undefined ? '' : ` · ${method}`}`;
}

function hazardSvg(input: ForecastFigureInput, time: TimeScale, startAtS: number | undefined, topPx: number): { parts: string[]; bottomPx: number } {
  const { x0Px, x1Px } = time;
  const widthPx = x1Px + RIGHT_PAD_PX;
  const declared = input.declaredInterruptionPerHour !== undefined && Number.isFinite(input.declaredInterruptionPerHour) ? input.declaredInterruptionPerHour : undefined;
  const charsAt = (fontPx: number): number => Math.floor((widthPx - 2 * MARGIN_PX) / (fontPx * 0.6));
  const rates = input.hazardPerSlotHour;
  const parts: string[] = ['<g class="hazard">'];
  if (rates === undefined || rates.length === 0) {
    const text = `no interruption data: declared rate${declared === undefined ? '' : ` ${formatQuantity(declared)} per slot-hour at every hour`}`;
    parts.push(`<text class="hazard-note" x="${MARGIN_PX}" y="${px(topPx + 12)}" font-size="12" fill="#444">${escapeXml(truncate(text, charsAt(12)))}</text>`, '</g>');
    return { parts, bottomPx: topPx + 18 };
  }
  const plotTopPx = topPx + 16;
  const plotBottomPx = plotTopPx + HAZARD_PLOT_PX;
  parts.push(`<text class="hazard-title" x="${MARGIN_PX}" y="${px(topPx + 4)}" font-size="11.5" font-weight="bold" fill="#222">${escapeXml(truncate(hazardTitle(input), charsAt(11.5)))}</text>`);
  const extent = extentOf(rates.slice(0, HOURS_PER_WEEK));
  const scale = valueScale(0, Math.max(extent.max, declared ?? 0, 0), plotTopPx, plotBottomPx, 2);
  // The panel's title names the unit; a label above the axis would collide with it.
  parts.push(...valueGridSvg('hazard-axis', scale, x0Px, x1Px, undefined));
  const barPx = (x1Px - x0Px) / HOURS_PER_WEEK;
  const gapPx = barPx >= 4 ? 1 : 0;
  for (let h = 0; h < HOURS_PER_WEEK; h++) {
    const rate = rates[h];
    const known = rate !== undefined && Number.isFinite(rate);
    const y = known ? yOf(scale, rate) : plotBottomPx;
    const hour = String(h % 24).padStart(2, '0');
    const title = `${WEEKDAYS[Math.floor(h / 24)]} ${hour}:00–${String((h % 24) + 1).padStart(2, '0')}:00 UTC: ${known ? `${formatQuantity(rate)} interruptions per slot-hour` : 'no value'}`;
    parts.push(`<rect class="hazard-bar" x="${px(x0Px + h * barPx)}" y="${px(y)}" width="${px(Math.max(0.5, barPx - gapPx))}" height="${px(plotBottomPx - y)}" fill="${HAZARD_COLOUR}"><title>${escapeXml(title)}</title></rect>`);
  }
  if (rates.length !== HOURS_PER_WEEK) parts.push(`<text class="hazard-note" x="${px(x1Px)}" y="${px(topPx + 4)}" text-anchor="end" font-size="10.5" fill="#B00020">${escapeXml(`${rates.length} rate(s) given, ${HOURS_PER_WEEK} expected: ${rates.length < HOURS_PER_WEEK ? 'the missing hours are empty' : 'the extra ones are not drawn'}`)}</text>`);
  if (declared !== undefined) {
    const y = px(yOf(scale, declared));
    parts.push(`<line class="declared-hazard" x1="${px(x0Px)}" y1="${y}" x2="${px(x1Px)}" y2="${y}" stroke="${DECLARED_COLOUR}" stroke-width="1.5" stroke-dasharray="6 4"><title>${escapeXml(`declared ${formatQuantity(declared)} per slot-hour`)}</title></line>`);
  }
  // Day boundaries and names; a tick every 6 hours.
  parts.push('<g class="week-axis" font-size="10" fill="#444" text-anchor="middle">');
  for (let day = 0; day < 7; day++) {
    const x = x0Px + day * 24 * barPx;
    if (day > 0) parts.push(`<line x1="${px(x)}" y1="${px(plotTopPx)}" x2="${px(x)}" y2="${px(plotBottomPx + 4)}" stroke="#999999" stroke-width="1"/>`);
    for (const q of [6, 12, 18]) parts.push(`<line x1="${px(x + q * barPx)}" y1="${px(plotBottomPx)}" x2="${px(x + q * barPx)}" y2="${px(plotBottomPx + 3)}" stroke="#999999" stroke-width="1"/>`);
    parts.push(`<text x="${px(x + 12 * barPx)}" y="${px(plotBottomPx + 14)}">${WEEKDAYS[day]}</text>`);
  }
  parts.push(`<line x1="${px(x0Px)}" y1="${px(plotBottomPx)}" x2="${px(x1Px)}" y2="${px(plotBottomPx)}" stroke="#999999" stroke-width="1"/>`, '</g>');
  if (startAtS !== undefined) {
    const x = px(x0Px + (hourOfWeek(startAtS) + 0.5) * barPx);
    parts.push(`<line class="plan-start-hour" x1="${x}" y1="${px(plotTopPx - 2)}" x2="${x}" y2="${px(plotBottomPx)}" stroke="${START_COLOUR}" stroke-width="1.5" stroke-dasharray="2 2"><title>${escapeXml(`plan start: ${weekdayOf(startAtS)} ${formatUtc(startAtS)}`)}</title></line>`);
  }
  parts.push('</g>');
  return { parts, bottomPx: plotBottomPx + 18 };
}

// ── document ────────────────────────────────────────────────────────────────

function documentSvg(title: string, widthPx: number, heightPx: number, body: readonly string[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${heightPx}" viewBox="0 0 ${widthPx} ${heightPx}" font-family="${FONT}" role="img">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${widthPx}" height="${heightPx}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
