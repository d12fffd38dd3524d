import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildAvailabilityMap } from '../../src/forecast/map.js';
import { hourOfWeek } from '../../src/forecast/hazard.js';
import type { QuantileForecast, Series } from '../../src/forecast/types.js';
import { MAX_LINE_POINTS, MAX_MAP_POOLS, renderForecastSvg, renderMapSvg, type ForecastFigureInput } from '../../src/render/forecast-svg.js';
import { REPO_ROOT } from '../helpers/problems.js';
import { findAll, hasClass, parseXml, titleOf, type XmlElement } from './xml.js';

const test = suite('render/forecast-svg: a pool forecast picture');

const JAN_1_2018_S = Date.UTC(2018, 0, 1) / 1000; // a Monday
const SLOTS = 64;

/** Free slots from the Alibaba 2018 machine trace (8 days at 300 s): SLOTS × (1 − CPU share). */
function alibabaHistory(): Series {
  const rows = readFileSync(join(REPO_ROOT, '../shared/data/telemetry/alibaba2018-days1-8-300s.csv'), 'utf8').trim().split('\n').slice(1);
  return { startS: JAN_1_2018_S, stepS: 300, values: Float64Array.from(rows.map((r) => SLOTS * (1 - Number(r.split(',')[0]) / 100))) };
}

/** Seasonal-naive forecast of a day from the history's last day, the band widening with the horizon. */
function naiveForecast(history: Series, steps = 288): QuantileForecast {
  const n = history.values.length;
  const p10 = new Float64Array(steps);
  const p50 = new Float64Array(steps);
  const p90 = new Float64Array(steps);
  for (let i = 0; i < steps; i++) {
    const v = history.values[n - 288 + (i % 288)]!;
    p50[i] = v;
    p10[i] = Math.max(0, v - 4 - i / 50);
    p90[i] = Math.min(SLOTS, v + 4 + i / 50);
  }
  return { startS: history.startS + n * history.stepS, stepS: history.stepS, p10, p50, p90 };
}

const hazard = Array.from({ length: 168 }, (_, h) => 0.001 * (1 + (h % 24)) + (h >= 120 ? 0.01 : 0));

function full(extra: Partial<ForecastFigureInput> = {}): ForecastFigureInput {
  const history = alibabaHistory();
  return { pool: 'spot-east', unit: 'free slots', declaredSlots: SLOTS, history, forecast: naiveForecast(history), hazardPerSlotHour: hazard, hazardMethod: 'hour-of-week', ...extra };
}

const byClass = (root: XmlElement, name: string, cls: string): XmlElement[] => findAll(root, (e) => e.name === name && hasClass(e, cls));
const one = (root: XmlElement, name: string, cls: string): XmlElement => {
  const found = byClass(root, name, cls);
  assert.is(found.length, 1, `one <${name} class="${cls}">`);
  return found[0]!;
};
const num = (e: XmlElement, name: string): number => Number(e.attrs[name]);

/** The subpaths of a path's d: each a list of [x, y] (a lone value is one point and a horizontal dash). */
function subpaths(d: string): [number, number][][] {
  return d
    .split('M')
    .filter((s) => s !== '')
    .map((s) => s.replace(/h[\d.]+$/, '').split('L').map((p) => p.split(',').map(Number) as [number, number]));
}

/** The figure's declared scales: x of an epoch second, y of a value. */
function scales(root: XmlElement): { x: (s: number) => number; y: (v: number) => number } {
  const g = one(root, 'g', 'forecast-figure');
  const [t0, x0, pxPerS, lo, hi, top, bottom] = ['data-t0-s', 'data-x0-px', 'data-px-per-s', 'data-y-lo', 'data-y-hi', 'data-y-top-px', 'data-y-bottom-px'].map((a) => num(g, a)) as [number, number, number, number, number, number, number];
  return { x: (s) => x0 + (s - t0) * pxPerS, y: (v) => bottom - ((v - lo) / (hi - lo)) * (bottom - top) };
}

const close = (a: number, b: number, tolerance = 0.02): boolean => Math.abs(a - b) <= tolerance;

test('well-formed standalone SVG with history, P50, band, declared line and 168 hazard bars', () => {
  const svg = renderForecastSvg(full({ startAtS: JAN_1_2018_S + 8 * 86_400 }));
  const root = parseXml(svg);
  assert.is(root.name, 'svg');
  assert.is(root.attrs.xmlns, 'http://www.w3.org/2000/svg');
  one(root, 'path', 'history');
  one(root, 'path', 'p50');
  one(root, 'line', 'declared');
  one(root, 'line', 'plan-start');
  assert.ok(byClass(root, 'polygon', 'band').length >= 1);
  assert.is(byClass(root, 'rect', 'hazard-bar').length, 168);
  assert.not.match(svg, /NaN|Infinity|undefined/);
  const legend = one(root, 'g', 'legend');
  const labels = findAll(legend, (e) => e.name === 'text').map((e) => e.text);
  assert.equal(labels, ['history', 'forecast P50', 'P10–P90', 'declared 64 slots', 'plan start']);
});

test('history points sit where their time and value say, on the declared scales (real telemetry, not downsampled)', () => {
  const input = full();
  const root = parseXml(renderForecastSvg(input));
  const { x, y } = scales(root);
  const segments = subpaths(one(root, 'path', 'history').attrs.d!);
  assert.is(segments.length, 1);
  const points = segments[0]!;
  const values = input.history!.values;
  assert.is(points.length, values.length, 'every value drawn while under MAX_LINE_POINTS');
  for (const i of [0, 1, 1000, values.length - 1]) {
    assert.ok(close(points[i]![0], x(JAN_1_2018_S + (i + 0.5) * 300)), `x of point ${i}`);
    assert.ok(close(points[i]![1], y(values[i]!)), `y of point ${i}`);
  }
  // The declared line sits at 64 slots, inside the value axis.
  const declared = one(root, 'line', 'declared');
  assert.ok(close(num(declared, 'y1'), y(SLOTS)));
  assert.ok(num(one(root, 'g', 'forecast-figure'), 'data-y-hi') >= SLOTS);
});

test('the band spans P10 to P90: its polygon reaches the extreme quantiles and lies around the P50 line', () => {
  const input = full();
  const root = parseXml(renderForecastSvg(input));
  const { y } = scales(root);
  const band = one(root, 'polygon', 'band');
  const ys = band.attrs.points!.split(' ').map((p) => Number(p.split(',')[1]));
  const f = input.forecast!;
  assert.is(ys.length, 2 * f.p50.length, 'an upper and a lower vertex per step');
  assert.ok(close(Math.min(...ys), y(Math.max(...f.p90))), 'top of the band = highest P90');
  assert.ok(close(Math.max(...ys), y(Math.min(...f.p10))), 'bottom of the band = lowest P10');
  const p50 = subpaths(one(root, 'path', 'p50').attrs.d!)[0]!;
  const upper = ys.slice(0, f.p50.length);
  const lower = ys.slice(f.p50.length).reverse();
  p50.forEach(([, py], i) => assert.ok(upper[i]! <= py + 0.02 && py <= lower[i]! + 0.02, `P50 inside the band at step ${i}`));
});

test('no forecast: no band, no P50, the legend says only what is drawn', () => {
  const svg = renderForecastSvg(full({ forecast: undefined as unknown as QuantileForecast }));
  const { forecast: _dropped, ...rest } = full();
  for (const s of [svg, renderForecastSvg(rest)]) {
    const root = parseXml(s);
    assert.is(byClass(root, 'polygon', 'band').length, 0);
    assert.is(byClass(root, 'path', 'p50').length, 0);
    one(root, 'path', 'history');
    assert.not.ok(s.includes('P10–P90'));
  }
});

test('168 hazard bars, Monday 00:00 first, heights proportional to the rates, days labelled', () => {
  const root = parseXml(renderForecastSvg(full()));
  const bars = byClass(root, 'rect', 'hazard-bar');
  assert.is(bars.length, 168);
  const xs = bars.map((b) => num(b, 'x'));
  assert.equal(xs, [...xs].sort((a, b) => a - b), 'left to right in hour-of-week order');
  assert.match(titleOf(bars[0]!)!, /^Mon 00:00–01:00 UTC: 0.001 interruptions per slot-hour$/);
  assert.match(titleOf(bars[167]!)!, /^Sun 23:00–24:00 UTC/);
  const heights = bars.map((b) => num(b, 'height'));
  const tallest = heights.indexOf(Math.max(...heights));
  assert.is(hazard[tallest], Math.max(...hazard));
  for (const h of [0, 5, 23, 130]) assert.ok(Math.abs(heights[h]! / heights[tallest]! - hazard[h]! / hazard[tallest]!) < 0.01, `bar ${h} to scale`);
  const week = one(root, 'g', 'week-axis');
  assert.equal(findAll(week, (e) => e.name === 'text').map((e) => e.text), ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
  assert.match(one(root, 'text', 'hazard-title').text, /hour-of-week/);
});

test('no hazard: no bars, the note says the declared rate is used', () => {
  const { hazardPerSlotHour: _h, ...rest } = full();
  const root = parseXml(renderForecastSvg({ ...rest, declaredInterruptionPerHour: 0.05 }));
  assert.is(byClass(root, 'rect', 'hazard-bar').length, 0);
  assert.match(one(root, 'text', 'hazard-note').text, /^no interruption data: declared rate 0.05 per slot-hour/);
  assert.match(one(parseXml(renderForecastSvg(rest)), 'text', 'hazard-note').text, /^no interruption data: declared rate$/);
});

test('the plan start is marked in both panels at its time and hour of week', () => {
  const startAtS = JAN_1_2018_S + 8 * 86_400 + 5 * 3600; // Tuesday 2018-01-09 05:00 UTC
  const root = parseXml(renderForecastSvg(full({ startAtS })));
  const { x } = scales(root);
  assert.ok(close(num(one(root, 'line', 'plan-start'), 'x1'), x(startAtS)));
  assert.match(one(root, 'text', 'plan-start-label').text, /2018-01-09 05:00 UTC/);
  const bars = byClass(root, 'rect', 'hazard-bar');
  const hour = num(one(root, 'line', 'plan-start-hour'), 'x1');
  const bar = bars[hourOfWeek(startAtS)]!;
  assert.is(hourOfWeek(startAtS), 24 + 5);
  assert.ok(num(bar, 'x') <= hour && hour <= num(bar, 'x') + num(bar, 'width') + 1);
  // Years away it would squash the picture: a note instead of a marker.
  const far = renderForecastSvg(full({ startAtS: JAN_1_2018_S + 400 * 86_400 }));
  const farRoot = parseXml(far);
  assert.is(byClass(farRoot, 'line', 'plan-start').length, 0);
  assert.ok(byClass(farRoot, 'text', 'figure-note').some((e) => /plan start 2019-02-05 00:00 UTC is after the drawn span/.test(e.text)));
});

test('the time axis is in UTC dates and hours', () => {
  const days = renderForecastSvg(full());
  const axis = one(parseXml(days), 'g', 'time-axis');
  const texts = findAll(axis, (e) => e.name === 'text').map((e) => e.text);
  assert.ok(texts.includes('2018-01-03') && texts.includes('Wed'), texts.join('|'));
  assert.ok(texts.includes('UTC'));
  // A 12-hour series: clock ticks, the date where it starts.
  const values = Float64Array.from({ length: 144 }, (_, i) => 10 + (i % 7));
  const hours = one(parseXml(renderForecastSvg({ pool: 'p', unit: 'free slots', history: { startS: JAN_1_2018_S + 6 * 3600, stepS: 300, values } })), 'g', 'time-axis');
  const hourTexts = findAll(hours, (e) => e.name === 'text').map((e) => e.text);
  assert.ok(hourTexts.includes('08:00') && hourTexts.includes('Mon 2018-01-01'), hourTexts.join('|'));
});

test('missing values break the line: one subpath per unbroken run, a lone value drawn as a dash over its interval', () => {
  const values = Float64Array.from([1, 2, NaN, 4, 5, NaN, NaN, 7, Infinity, 9, 10]);
  const root = parseXml(renderForecastSvg({ pool: 'p', unit: 'free slots', history: { startS: 0, stepS: 60, values } }));
  const path = one(root, 'path', 'history');
  const runs = subpaths(path.attrs.d!);
  assert.equal(runs.map((r) => r.length), [2, 2, 1, 2]);
  const lone = /M([\d.]+),([\d.]+)h([\d.]+)M/.exec(path.attrs.d!);
  assert.ok(lone !== null, 'the lone 7 is a horizontal dash');
  assert.is(path.attrs['data-segments'], '4');
  const { x, y } = scales(root);
  assert.ok(close(Number(lone[2]), y(7)));
  assert.ok(close(Number(lone[1]), x(7 * 60)), 'from the start of its minute');
  assert.ok(close(Number(lone[1]) + Number(lone[3]), x(8 * 60)), 'to its end');
  assert.match(one(root, 'text', 'subtitle').text, /11 point\(s\) every 1m 00s, 4 missing/);
});

test('gaps in the forecast split the band into separate polygons', () => {
  const n = 48;
  const p50 = Float64Array.from({ length: n }, (_, i) => 10 + (i % 5));
  const p10 = p50.map((v) => v - 2);
  const p90 = p50.map((v) => v + 2);
  p10[20] = NaN;
  p90[21] = NaN;
  p50[20] = NaN;
  const root = parseXml(renderForecastSvg({ pool: 'p', unit: 'free slots', forecast: { startS: 0, stepS: 3600, p10, p50, p90 } }));
  assert.is(byClass(root, 'polygon', 'band').length, 2);
  assert.is(subpaths(one(root, 'path', 'p50').attrs.d!).length, 2);
});

test('a 10^6-point history stays a few thousand points, keeps its extremes and its long gap', () => {
  const n = 1_000_000;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = 1e12 * (1 + Math.sin(i / 5000));
  values[777_777] = 3e12; // one spike, a fraction of a pixel wide
  for (let i = 300_000; i < 320_000; i++) values[i] = NaN;
  values[600_001] = NaN; // a single missing point: below the resolution
  const svg = renderForecastSvg({ pool: 'huge', unit: 'free slots', history: { startS: JAN_1_2018_S, stepS: 60, values }, hazardPerSlotHour: hazard });
  assert.ok(svg.length < 150_000, `${svg.length} bytes`);
  const root = parseXml(svg);
  const runs = subpaths(one(root, 'path', 'history').attrs.d!);
  const points = runs.reduce((k, r) => k + r.length, 0);
  assert.ok(points <= MAX_LINE_POINTS, `${points} points`);
  assert.is(runs.length, 2, 'the 20,000-point gap breaks the line, the single missing point does not');
  const { x, y } = scales(root);
  const ys = runs.flat().map(([, py]) => py);
  assert.ok(close(Math.min(...ys), y(3e12)), 'the spike is drawn');
  assert.ok(close(Math.max(...ys), y(0), 0.05), 'the troughs are drawn');
  assert.ok(close(runs[0]!.at(-1)![0], x(JAN_1_2018_S + 299_999.5 * 60), 1), 'the first run ends where the gap starts');
  const labels = findAll(one(root, 'g', 'value-axis'), (e) => e.name === 'text').map((e) => e.text);
  assert.ok(labels.includes('3T') && labels.includes('0'), labels.join('|'));
});

test('degenerate inputs: one point, constant, all missing, empty, nothing at all — well-formed, no NaN, a real y range', () => {
  const cases: ForecastFigureInput[] = [
    { pool: 'one', unit: 'free slots', history: { startS: 0, stepS: 300, values: Float64Array.of(5) } },
    { pool: 'flat', unit: 'free slots', history: { startS: 0, stepS: 300, values: new Float64Array(500).fill(7) } },
    { pool: 'zero', unit: 'free slots', history: { startS: 0, stepS: 300, values: new Float64Array(500) } },
    { pool: 'missing', unit: 'free slots', history: { startS: 0, stepS: 300, values: new Float64Array(50).fill(NaN) } },
    { pool: 'empty', unit: 'free slots', history: { startS: 0, stepS: 300, values: new Float64Array(0) }, forecast: { startS: 0, stepS: 300, p10: new Float64Array(0), p50: new Float64Array(0), p90: new Float64Array(0) } },
    { pool: 'nothing', unit: 'free slots' },
    { pool: 'start-only', unit: 'free slots', startAtS: JAN_1_2018_S },
    { pool: 'bad-grid', unit: 'free slots', history: { startS: NaN, stepS: 0, values: Float64Array.of(1, 2) } },
    { pool: 'one-step', unit: 'free slots', forecast: { startS: 0, stepS: 3600, p10: Float64Array.of(1), p50: Float64Array.of(2), p90: Float64Array.of(3) }, hazardPerSlotHour: new Array(168).fill(0) },
    { pool: 'huge', unit: 'free slots', declaredSlots: 1e12, history: { startS: 1e12, stepS: 1e9, values: Float64Array.of(1e12, 1e300, 1e308, -5) } },
    { pool: 'short-hazard', unit: 'free slots', hazardPerSlotHour: [0.1, NaN, 0.3] },
  ];
  for (const input of cases) {
    const svg = renderForecastSvg(input);
    const root = parseXml(svg);
    assert.not.match(svg, /NaN|Infinity|undefined/, input.pool);
    const g = one(root, 'g', 'forecast-figure');
    assert.ok(num(g, 'data-y-hi') > num(g, 'data-y-lo'), `${input.pool}: a y range`);
    assert.ok(num(g, 'data-px-per-s') > 0, `${input.pool}: a time scale`);
  }
  const onePoint = parseXml(renderForecastSvg(cases[0]!));
  assert.match(one(onePoint, 'path', 'history').attrs.d!, /^M[\d.]+,[\d.]+h[\d.]+$/);
  const flat = parseXml(renderForecastSvg(cases[1]!));
  assert.ok(num(one(flat, 'g', 'forecast-figure'), 'data-y-hi') > 7);
  assert.is(byClass(parseXml(renderForecastSvg(cases[3]!)), 'path', 'history').length, 0);
  const nothing = parseXml(renderForecastSvg(cases[5]!));
  assert.match(one(nothing, 'text', 'note').text, /^no free slots data/);
  assert.is(byClass(parseXml(renderForecastSvg(cases[8]!)), 'polygon', 'band').length, 1, 'a one-step forecast is a band box');
  const short = parseXml(renderForecastSvg(cases[10]!));
  assert.is(byClass(short, 'rect', 'hazard-bar').length, 168);
  assert.match(one(short, 'text', 'hazard-note').text, /3 rate\(s\) given, 168 expected/);
});

test('text is escaped: a pool id with markup characters survives as text', () => {
  const pool = 'a<b>&c"d\'e\u0001';
  const svg = renderForecastSvg(full({ pool, title: undefined as unknown as string }));
  assert.not.ok(svg.includes('a<b>'));
  const root = parseXml(svg);
  assert.is(one(root, 'g', 'forecast-figure').attrs['data-pool'], 'a<b>&c"d\'e\uFFFD');
  assert.ok(findAll(root, (e) => e.name === 'text' && hasClass(e, 'title')).some((e) => e.text.startsWith('a<b>&c"d\'e')));
  const map = buildAvailabilityMap([{ id: '<&>', slots: 4, interruptionPerHour: 0.1, priceUsdPerSlotHour: 1 }], [], { startS: JAN_1_2018_S, horizonS: 86_400 });
  const mapRoot = parseXml(renderMapSvg(map));
  assert.is(one(mapRoot, 'g', 'forecast-figure').attrs['data-pool'], '<&>');
});

test('renderMapSvg: one figure per pool from the map buckets, history by pool id, the assumptions said', () => {
  const history = alibabaHistory();
  const endS = history.startS + history.values.length * history.stepS;
  const forecast = naiveForecast(history, 288 * 2);
  const map = buildAvailabilityMap(
    [
      { id: 'spot', slots: SLOTS, interruptionPerHour: 0.02, priceUsdPerSlotHour: 0.3 },
      { id: 'ondemand', slots: 8, interruptionPerHour: 0, priceUsdPerSlotHour: 1 },
    ],
    [{ pool: 'spot', free: { model: 'seasonal-naive', forecast, data: { sources: ['alibaba.csv'], points: 2243, fromS: history.startS, toS: endS } }, hazard: { fit: { perSlotHour: hazard, meanPerSlotHour: 0.02, method: 'hour-of-week', events: 40, exposureSlotHours: 2000, warnings: [] }, sources: ['events.csv'] } }],
    { startS: endS, horizonS: 86_400 },
  );
  const svg = renderMapSvg(map, { history: new Map([['spot', history]]), startAtS: endS + 3600 });
  const root = parseXml(svg);
  const figures = byClass(root, 'g', 'forecast-figure');
  assert.equal(figures.map((f) => f.attrs['data-pool']), ['spot', 'ondemand']);
  const [spot, ondemand] = figures as [XmlElement, XmlElement];
  assert.ok(byClass(spot, 'polygon', 'band').length >= 1);
  assert.is(byClass(spot, 'path', 'history').length, 1);
  assert.is(byClass(spot, 'rect', 'hazard-bar').length, 168);
  assert.is(byClass(ondemand, 'polygon', 'band').length, 0);
  assert.is(byClass(ondemand, 'rect', 'hazard-bar').length, 0);
  assert.ok(byClass(ondemand, 'text', 'figure-note').some((e) => /no capacity telemetry: the declared 8 slot\(s\) are assumed free/.test(e.text)));
  assert.match(one(ondemand, 'text', 'hazard-note').text, /declared rate 0 per slot-hour/);
  // The band's vertices are the map's bucket quantiles (24 hourly buckets), on the figure's scale.
  const spotPool = map.pools[0]!;
  const { y } = scales({ ...root, children: [spot] });
  const ys = one(spot, 'polygon', 'band').attrs.points!.split(' ').map((p) => Number(p.split(',')[1]));
  assert.is(ys.length, 2 * map.buckets);
  ys.slice(0, map.buckets).forEach((py, b) => assert.ok(close(py, y(spotPool.free!.p90[b]!)), `P90 of bucket ${b}`));
  // Stacked: the second figure is translated below the first.
  const slots = findAll(root, (e) => e.name === 'g' && hasClass(e, 'forecast-figure-slot'));
  assert.match(slots[1]!.attrs.transform!, /^translate\(0 [1-9]/);
});

test('renderMapSvg: past MAX_MAP_POOLS pools the rest are named, not drawn', () => {
  const pools = Array.from({ length: MAX_MAP_POOLS + 3 }, (_, i) => ({ id: `pool-${i}`, slots: 2, interruptionPerHour: 0.1, priceUsdPerSlotHour: 1 }));
  const root = parseXml(renderMapSvg(buildAvailabilityMap(pools, [], { startS: 0, horizonS: 3600 })));
  assert.is(byClass(root, 'g', 'forecast-figure').length, MAX_MAP_POOLS);
  assert.match(one(root, 'text', 'more-pools').text, new RegExp(`^\\+3 more pools not drawn \\(pool-${MAX_MAP_POOLS}, `));
});

test.run();
