import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mergePoolTelemetry, parseTelemetryText, type ParsedTelemetry } from '../../src/forecast/telemetry/index.js';
import { assertIssue, entry, FIXTURES, issuesOf, nanCount, readData } from './telemetry-helpers.js';

const PROM = `${FIXTURES}/prometheus-cpu-two-instances.json`;
const PROM_ERROR = `${FIXTURES}/prometheus-error.json`;

const series = (parsed: ParsedTelemetry) => {
  if (parsed.kind !== 'series') throw new Error('expected a series');
  return parsed;
};

test('Prometheus query_range: the series picked by select; string values, NaN and an absent stretch become missing steps', () => {
  const parsed = series(parseTelemetryText(entry({ metric: 'utilisation-fraction', file: 'cpu.json', select: { instance: '10.0.0.1:9100' } }), readData(PROM), { source: PROM }));
  assert.is(parsed.format, 'prometheus');
  assert.is(parsed.label, 'instance:node_cpu_utilisation:rate5m{instance="10.0.0.1:9100", job="node", pool="spot"}');
  assert.is(parsed.points, 117);
  assert.is(parsed.series.stepS, 60);
  assert.is(parsed.series.startS, 1712345678.123);
  assert.is(parsed.series.values.length, 120);
  assert.is(parsed.series.values[1], 0.363084);
  // Sample 7 is "NaN"; samples 40–42 are absent (the target was down): 40 min after the first, 19:34:38.123 UTC.
  assert.is(nanCount(parsed.series.values), 4);
  assert.ok(Number.isNaN(parsed.series.values[7]!) && Number.isNaN(parsed.series.values[41]!));
  const messages = parsed.warnings.map((w) => `${w.path}: ${w.message}`);
  assertIssue(messages, 'telemetry[0].file: 1 of 117 samples are NaN or ±Inf', 'data.result[0].values[i] for i = 7');
  assertIssue(messages, '3 steps of 60 s have no data, in 1 gap: 3 steps from 2024-04-05 20:14:38.123');
});

test('Prometheus: "+Inf" is missing too; the format is inferred from the content', () => {
  const parsed = series(parseTelemetryText(entry({ metric: 'utilisation-fraction', file: 'cpu.json', select: { instance: '10.0.0.2:9100' } }), readData(PROM), { source: PROM }));
  assert.is(parsed.series.values.length, 120);
  assert.is(nanCount(parsed.series.values), 1);
  assert.ok(Number.isNaN(parsed.series.values[9]!));
});

test('Prometheus: several series and no select → an error listing the label sets and suggesting a selector', () => {
  const issues = issuesOf(() => parseTelemetryText(entry({ index: 2, metric: 'utilisation-fraction', file: 'cpu.json', format: 'prometheus' }), readData(PROM), { source: PROM }));
  assertIssue(issues, 'telemetry[2].select: the response holds 2 series', '"select": {"instance":"10.0.0.1:9100"}', '{instance="10.0.0.1:9100", job="node", pool="spot"}', '{instance="10.0.0.2:9100"');
});

test('Prometheus: a select that matches none, or several', () => {
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation-fraction', select: { instance: 'c' } }), readData(PROM), { source: PROM })), 'telemetry[0].select: no series has the labels {instance="c"}');
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation-fraction', select: { job: 'node' } }), readData(PROM), { source: PROM })), 'telemetry[0].select: 2 series have the labels {job="node"}', 'add a label');
});

test('Prometheus: status "error" is reported with its errorType and error', () => {
  const issues = issuesOf(() => parseTelemetryText(entry({ index: 1, metric: 'price', file: 'p.json' }), readData(PROM_ERROR), { source: PROM_ERROR }));
  assert.equal(issues, ['telemetry[1].file: the Prometheus query failed: bad_data: invalid parameter "query": 1:10: parse error: unexpected right parenthesis \')\'']);
});

test('Prometheus: an instant query, a value above the metric range, samples out of order, malformed JSON', () => {
  const vector = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, '0.5'] }] } });
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation', format: 'prometheus' }), vector, { source: 'q.json' })), 'data.resultType: expected "matrix", received "vector"', '/api/v1/query_range');
  const doc = (values: unknown[]) => JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { __name__: 'cpu' }, values }] } });
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation' }), doc([[1712345600, '50'], [1712345660, '104.2']]), { source: 'q.json' })), 'telemetry[0].file: data.result[0].values[1]: 104.2 is above 100');
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation' }), doc([[1712345660, '50'], [1712345600, '40']]), { source: 'q.json' })), 'data.result[0].values[1]: timestamp 2024-04-05 19:33:20 is before [0]');
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation' }), doc([[1712345660, '50'], [1712345660, '40']]), { source: 'q.json' })), 'data.result[0].values[1]: timestamp 2024-04-05 19:34:20 repeats [0]');
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation' }), doc([[1712345660, 'abc']]), { source: 'q.json' })), 'values[0]: expected a value such as "0.5"');
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation' }), '{"status": "success", "data": {', { source: 'q.json' })), 'telemetry[0].file: malformed JSON at line 1');
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation' }), JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }), { source: 'q.json' })), 'data.result is empty');
});

test('a regular series JSON: start as ISO or startS, null = missing', () => {
  const parsed = series(parseTelemetryText(entry({ metric: 'price', file: 'p.json' }), '{ "start": "2026-11-02T00:00:00Z", "stepS": 3600, "values": [0.1, null, 0.12] }', { source: 'p.json' }));
  assert.is(parsed.format, 'series');
  assert.is(parsed.series.startS, Date.UTC(2026, 10, 2) / 1000);
  assert.is(parsed.series.stepS, 3600);
  assert.is(parsed.series.values.length, 3);
  assert.ok(Number.isNaN(parsed.series.values[1]!));
  assert.equal(parsed.warnings, [{ path: 'telemetry[0].file', message: '1 of 3 values are null (values[i] for i = 1): left missing' }]);
  const bySeconds = series(parseTelemetryText(entry({ metric: 'free-slots', format: 'series' }), '{ "startS": 600, "stepS": 60, "values": [1, 2] }', { source: 'f.json' }));
  assert.is(bySeconds.series.startS, 600);
});

test('a regular series JSON: unknown fields, a missing step, bad values, out-of-range values', () => {
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'price' }), '{ "startS": 0, "step": 60, "values": [1] }', { source: 'p.json' })), 'telemetry[0].file: unknown field "step" (did you mean "stepS"?)');
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'price' }), '{ "startS": 0, "values": [1] }', { source: 'p.json' })), 'missing "stepS"');
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'price' }), '{ "startS": 0, "stepS": 60, "values": [1, "2"] }', { source: 'p.json' })), 'values[1]: expected a number or null, received "2"');
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation' }), '{ "startS": 0, "stepS": 60, "values": [1, 250] }', { source: 'p.json' })), 'values[1]: 250 is above 100');
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation', stepS: 30 }), '{ "startS": 0, "stepS": 60, "values": [1] }', { source: 'p.json' })), 'telemetry[0].stepS: stepS 30 disagrees');
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation' }), '{ "startS": 0, "stepS": 60, "values": [] }', { source: 'p.json' })), 'values is empty');
});

test('interruption events: CSV with a time column, JSON arrays, { events }, EventBridge notices → sorted epoch seconds', () => {
  const csv = parseTelemetryText(entry({ metric: 'interruptions', file: 'e.csv' }), 'time,reason\n2026-11-02T14:03:00Z,reclaimed\n2026-11-02T02:00:00Z,reclaimed\n2026-11-02T02:00:00Z,reclaimed\n', { source: 'e.csv' });
  assert.is(csv.kind, 'events');
  const t = (iso: string) => Date.parse(iso) / 1000;
  if (csv.kind !== 'events') return;
  // Sorted; the same time twice is two slots lost at once.
  assert.equal(csv.eventsS, [t('2026-11-02T02:00:00Z'), t('2026-11-02T02:00:00Z'), t('2026-11-02T14:03:00Z')]);
  const json = parseTelemetryText(entry({ metric: 'interruptions', file: 'e.json' }), '[1793628000, "2026-11-02T00:00:00Z"]', { source: 'e.json' });
  assert.equal(json.kind === 'events' ? json.eventsS : [], [t('2026-11-02T00:00:00Z'), 1793628000]);
  const wrapped = parseTelemetryText(entry({ metric: 'interruptions', file: 'e.json' }), '{ "events": [{ "time": "2026-11-02T03:00:00Z", "detail": { "instance-action": "terminate" } }] }', { source: 'e.json' });
  assert.equal(wrapped.kind === 'events' ? wrapped.eventsS : [], [t('2026-11-02T03:00:00Z')]);
  const single = parseTelemetryText(entry({ metric: 'interruptions' }), 'lost_at\n1793628000\n', { source: 'e.csv' });
  assert.equal(single.kind === 'events' ? single.eventsS : [], [1793628000]);
});

test('interruption events: bad times, no time column, an empty file', () => {
  assertIssue(issuesOf(() => parseTelemetryText(entry({ index: 4, metric: 'interruptions' }), 'time\n2026-11-02T14:03:00Z\nyesterday\n', { source: 'e.csv' })), 'telemetry[4].file: row 3: "yesterday" is not a time');
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'interruptions' }), 'pool,count\nspot,3\n', { source: 'e.csv' })), 'telemetry[0].timeColumn: interruption events need a time column');
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'interruptions' }), '', { source: 'e.csv' })), 'the file is empty');
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'interruptions' }), '[true]', { source: 'e.json' })), '[0]: expected a time');
});

test('per pool: utilisation → free slots = slots × (1 − u/100); entries for one pool merge; two of one kind is an error', () => {
  const util = parseTelemetryText(entry({ index: 0, pool: 'spot', metric: 'utilisation', stepS: 300 }), 'cpu\n25\n50\nNaN\n', { source: 'u.csv' });
  const frac = parseTelemetryText(entry({ index: 1, pool: 'od', metric: 'utilisation-fraction', stepS: 300 }), 'u\n0.5\n', { source: 'f.csv' });
  const events = parseTelemetryText(entry({ index: 2, pool: 'spot', metric: 'interruptions' }), '[100, 50]', { source: 'e.json' });
  const price = parseTelemetryText(entry({ index: 3, pool: 'spot', metric: 'price', stepS: 3600 }), 'usd\n0.03\n', { source: 'p.csv' });
  const slots = new Map([['spot', 8], ['od', 4]]);
  const { pools } = mergePoolTelemetry([util, frac, events, price], slots, 'pools.json');
  assert.equal(pools.map((p) => p.pool), ['spot', 'od']);
  const spot = pools[0]!;
  assert.equal([...spot.free!.values].slice(0, 2), [6, 4]);
  assert.ok(Number.isNaN(spot.free!.values[2]!));
  assert.equal(spot.eventsS, [50, 100]);
  assert.equal([...spot.price!.values], [0.03]);
  assert.is(spot.sources.length, 3);
  assert.match(spot.sources[0]!, /^telemetry\[0\] data\.csv: cpu \(utilisation\), 3 steps of 300 s from 1970-01-01 00:00:00$/);
  assert.equal([...pools[1]!.free!.values], [2]);
  const free = parseTelemetryText(entry({ index: 4, pool: 'spot', file: 'free.csv', metric: 'free-slots', stepS: 300 }), 'free\n3\n', { source: 'free.csv' });
  const issues = issuesOf(() => mergePoolTelemetry([util, free], slots, 'pools.json'));
  assert.equal(issues, ['telemetry[4].metric: pool "spot" already has free slots from telemetry[0] (data.csv, metric "utilisation"): give one source per kind and pool']);
});

test('per pool: free slots above the declared count are kept with a warning', () => {
  const free = parseTelemetryText(entry({ pool: 'spot', metric: 'free-slots', stepS: 60 }), 'free\n3\n12\n', { source: 'free.csv' });
  const { pools, warnings } = mergePoolTelemetry([free], new Map([['spot', 8]]), 'pools.json');
  assert.equal([...pools[0]!.free!.values], [3, 12]);
  assertIssue(warnings.map((w) => `${w.path}: ${w.message}`), "telemetry[0].file: 1 value is above the pool's 8 declared slots (up to 12)");
});

test.run();
