import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseTelemetryText } from '../../src/forecast/telemetry/index.js';
import { parseIsoS } from '../../src/model/time.js';
import { ALIBABA, assertIssue, entry, issuesOf, NAB, nanCount, readData } from './telemetry-helpers.js';

const series = (parsed: ReturnType<typeof parseTelemetryText>) => {
  if (parsed.kind !== 'series') throw new Error('expected a series');
  return parsed;
};

test('Alibaba 2018: no time column, stepS and startAt place the rows; the column is picked by name', () => {
  const text = readData(ALIBABA);
  const rows = text.trim().split('\n').length - 1;
  const parsed = series(parseTelemetryText(entry({ metric: 'utilisation', file: 'alibaba.csv', column: 'cpu_util_percent', stepS: 300, startAtS: parseIsoS('2026-11-02T00:00:00Z')! }), text, { source: ALIBABA }));
  assert.is(parsed.series.values.length, rows);
  assert.is(parsed.points, rows);
  assert.is(parsed.series.stepS, 300);
  assert.is(parsed.series.startS, Date.UTC(2026, 10, 2) / 1000);
  // Row 2 of the file is the first data row.
  assert.is(parsed.series.values[0], Number(text.split('\n')[1]!.split(',')[0]));
  assert.is(parsed.label, 'cpu_util_percent');
  assert.equal(parsed.warnings, []);
});

test('a file without times and without stepS: an error at telemetry[i].stepS listing the columns', () => {
  const issues = issuesOf(() => parseTelemetryText(entry({ index: 3, metric: 'utilisation', column: 'cpu_util_percent' }), readData(ALIBABA), { source: ALIBABA }));
  assertIssue(issues, 'telemetry[3].stepS: missing stepS', 'cpu_util_percent, mem_util_percent', 'no time column');
});

test('several value columns and no column named: an error listing them', () => {
  const issues = issuesOf(() => parseTelemetryText(entry({ index: 1, metric: 'utilisation', stepS: 300 }), readData(ALIBABA), { source: ALIBABA }));
  assertIssue(issues, 'telemetry[1].column', '5 value columns', 'cpu_util_percent, mem_util_percent, net_in, net_out, disk_io_percent');
});

test('an unknown column: an error with a suggestion and the columns', () => {
  const issues = issuesOf(() => parseTelemetryText(entry({ index: 2, metric: 'utilisation', column: 'cpu_util_pct', stepS: 300 }), readData(ALIBABA), { source: ALIBABA }));
  assertIssue(issues, 'telemetry[2].column: unknown column "cpu_util_pct"', 'did you mean "cpu_util_percent"', 'disk_io_percent');
});

test('NAB: ISO timestamps as UTC, the only value column, the median step; a real file with gaps is binned with a warning', () => {
  const file = `${NAB}/ec2_cpu_utilization_ac20cd.csv`;
  const text = readData(file);
  const parsed = series(parseTelemetryText(entry({ metric: 'utilisation' }), text, { source: file }));
  assert.is(parsed.series.stepS, 300);
  assert.is(parsed.series.startS, Date.UTC(2014, 3, 2, 14, 29) / 1000);
  assert.is(parsed.label, 'value');
  // 4032 rows; one 900 s and one 1200 s spacing leave 2 + 3 steps empty.
  assert.is(parsed.points, 4032);
  assert.is(parsed.series.values.length, 4032 + 5);
  assert.is(nanCount(parsed.series.values), 5);
  const gap = parsed.warnings.find((w) => w.message.includes('no data'));
  assert.ok(gap, JSON.stringify(parsed.warnings));
  assert.is(gap!.path, 'telemetry[0].file');
  assert.match(gap!.message, /^5 steps of 300 s have no data, in 2 gaps: /);
});

test('every NAB file reads with a 300 s step and values within 0–100 for CPU', () => {
  for (const name of ['ec2_cpu_utilization_24ae8d', 'ec2_cpu_utilization_5f5533', 'ec2_cpu_utilization_825cc2', 'rds_cpu_utilization_e47b3b']) {
    const file = `${NAB}/${name}.csv`;
    const parsed = series(parseTelemetryText(entry({ metric: 'utilisation' }), readData(file), { source: file }));
    assert.is(parsed.series.stepS, 300, name);
    assert.ok(parsed.series.values.length >= 4032, name);
  }
});

test('timestamps jittering by minutes and a skipped step are binned, not rejected', () => {
  const text = 'timestamp,value\n2014-02-14 14:27:00,10\n2014-02-14 14:32:00,11\n2014-02-14 14:38:00,12\n2014-02-14 14:41:00,13\n2014-02-14 14:52:00,15\n2014-02-14 14:57:00,16\n';
  const parsed = series(parseTelemetryText(entry({ metric: 'utilisation' }), text, { source: 'jitter.csv' }));
  assert.is(parsed.series.stepS, 300);
  assert.equal([...parsed.series.values].map((v) => (Number.isNaN(v) ? null : v)), [10, 11, 12, 13, null, 15, 16]);
  const messages = parsed.warnings.map((w) => w.message).join('\n');
  assert.match(messages, /2 of 6 timestamps are off the 300 s grid \(by up to 60 s\)/);
  assert.match(messages, /1 step of 300 s has no data, in 1 gap: 1 step from 2014-02-14 14:47:00/);
});

test('a late first sample does not shift the grid: the grid follows the majority of the timestamps', () => {
  const text = 'timestamp,value\n2014-02-14 14:27:00,1\n2014-02-14 14:35:00,2\n2014-02-14 14:40:00,3\n2014-02-14 14:45:00,4\n2014-02-14 14:50:00,5\n';
  const parsed = series(parseTelemetryText(entry({ metric: 'utilisation' }), text, { source: 'late.csv' }));
  assert.is(parsed.series.startS, Date.UTC(2014, 1, 14, 14, 25) / 1000);
  assert.equal([...parsed.series.values].map((v) => (Number.isNaN(v) ? null : v)), [1, null, 2, 3, 4, 5]);
  assert.match(parsed.warnings.map((w) => w.message).join('\n'), /^1 of 5 timestamps are off the 300 s grid \(by up to 120 s\)/);
});

test('a timestamp with an offset is converted; one without is UTC; epoch seconds work too', () => {
  const iso = series(parseTelemetryText(entry({ metric: 'free-slots' }), 'time,free\n2026-11-02T01:00:00+01:00,3\n2026-11-02T00:05:00Z,4\n', { source: 'a.csv' }));
  assert.is(iso.series.startS, Date.UTC(2026, 10, 2) / 1000);
  assert.is(iso.series.stepS, 300);
  const epoch = series(parseTelemetryText(entry({ metric: 'free-slots' }), 'time_s,free\n1793577600,3\n1793577900,4\n', { source: 'a.csv' }));
  assert.is(epoch.series.startS, 1793577600);
});

test('timestamps out of order: an error naming both rows', () => {
  const text = 'timestamp,value\n2014-02-14 14:30:00,1\n2014-02-14 14:35:00,2\n2014-02-14 14:25:00,3\n';
  const issues = issuesOf(() => parseTelemetryText(entry({ index: 2, metric: 'utilisation' }), text, { source: 'x.csv' }));
  assert.equal(issues, ["telemetry[2].file: row 4: timestamp 2014-02-14 14:25:00 is before row 3's (2014-02-14 14:35:00): rows must be in time order"]);
});

test('a repeated timestamp: an error as the issue prints it', () => {
  const lines = ['timestamp,value'];
  for (let i = 0; i < 15; i++) lines.push(`2014-02-14 ${String(13 + Math.floor((15 + i * 5) / 60)).padStart(2, '0')}:${String((15 + i * 5) % 60).padStart(2, '0')}:00,1`);
  lines.push(lines[lines.length - 1]!.replace(',1', ',2'));
  const issues = issuesOf(() => parseTelemetryText(entry({ index: 2, metric: 'utilisation' }), `${lines.join('\n')}\n`, { source: 'x.csv' }));
  assert.equal(issues, ['telemetry[2].file: row 17: timestamp 2014-02-14 14:25:00 repeats row 16']);
});

test('NaN, empty and Inf values: kept as missing with a warning naming the rows', () => {
  const text = 'timestamp,value\n2014-02-14 14:30:00,1\n2014-02-14 14:35:00,NaN\n2014-02-14 14:40:00,\n2014-02-14 14:45:00,+Inf\n2014-02-14 14:50:00,5\n';
  const parsed = series(parseTelemetryText(entry({ metric: 'utilisation' }), text, { source: 'x.csv' }));
  assert.is(parsed.series.values.length, 5);
  assert.is(nanCount(parsed.series.values), 3);
  assert.equal(parsed.warnings, [{ path: 'telemetry[0].file', message: '3 of 5 values are missing (empty, NaN or ±Inf) at rows 3, 4, 5: left missing' }]);
});

test('a percentage above 100 or below 0: an error per row', () => {
  const text = 'timestamp,cpu\n2014-02-14 14:30:00,99.5\n2014-02-14 14:35:00,104.2\n2014-02-14 14:40:00,-1\n';
  const issues = issuesOf(() => parseTelemetryText(entry({ index: 1, metric: 'utilisation' }), text, { source: 'x.csv' }));
  assert.equal(issues, [
    'telemetry[1].file: row 3: cpu: 104.2 is above 100: expected a percentage (0–100) for metric "utilisation"',
    'telemetry[1].file: row 4: cpu: -1 is below 0: expected a percentage (0–100) for metric "utilisation"',
  ]);
});

test('a fraction above 1, negative slots, a negative price: errors', () => {
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation-fraction', stepS: 60 }), 'u\n0.5\n1.5\n', { source: 'x.csv' })), 'row 3: u: 1.5 is above 1');
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'free-slots', stepS: 60 }), 'free\n2\n-3\n', { source: 'x.csv' })), 'row 3: free: -3 is below 0: expected a slot count');
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'price', stepS: 60 }), 'usd\n0.1\n-0.2\n', { source: 'x.csv' })), 'row 3: usd: -0.2 is below 0: expected a price');
});

test('an unparseable number or time: an error at its row', () => {
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation' }), 'timestamp,value\n2014-02-14 14:30:00,12%\n', { source: 'x.csv' })), 'telemetry[0].file: row 2: value: expected a number, received "12%"');
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation' }), 'timestamp,value\n2014-02-30 14:30:00,12\n', { source: 'x.csv' })), 'row 2: "2014-02-30 14:30:00" is not a valid date');
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation' }), 'timestamp,value\n1712345678123,12\n', { source: 'x.csv' })), 'row 2:', 'looks like epoch milliseconds');
});

test('an empty file and a header-only file: errors', () => {
  assert.equal(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation' }), '', { source: 'x.csv' })), ['telemetry[0].file: the file is empty: expected a header row naming the columns, then one row per sample']);
  assert.equal(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation' }), '\n \r\n', { source: 'x.csv' })).length, 1);
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation' }), 'timestamp,value\n', { source: 'x.csv' })), 'telemetry[0].file: the file has only a header (timestamp,value)');
});

test('a file without a header, a ragged row, every value missing: errors', () => {
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation', stepS: 60 }), '1.5,2\n3,4\n', { source: 'x.csv' })), 'row 1: expected a header row');
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation' }), 'timestamp,value\n2014-02-14 14:30:00,1,7\n', { source: 'x.csv' })), 'row 2: expected 2 values (timestamp,value), received 3');
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation', stepS: 60 }), 'v\nNaN\n\nnan\n', { source: 'x.csv' })), 'every value is missing');
});

test('a single timestamp without stepS: the step cannot be inferred', () => {
  assertIssue(issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation' }), 'timestamp,value\n2014-02-14 14:30:00,1\n', { source: 'x.csv' })), 'telemetry[0].stepS', 'single timestamp');
  const parsed = series(parseTelemetryText(entry({ metric: 'utilisation', stepS: 300 }), 'timestamp,value\n2014-02-14 14:30:00,1\n', { source: 'x.csv' }));
  assert.is(parsed.series.values.length, 1);
});

test('a stray timestamp decades off: an error, not a grid of millions of steps', () => {
  const issues = issuesOf(() => parseTelemetryText(entry({ metric: 'utilisation' }), 'time_s,value\n0,1\n1,2\n2,3\n3000000000,4\n', { source: 'x.csv' }));
  assertIssue(issues, 'telemetry[0].file: the series spans', 'give a larger stepS');
});

test('a given stepS coarser than the data averages the points of each step', () => {
  const parsed = series(parseTelemetryText(entry({ metric: 'free-slots', stepS: 600 }), 'time_s,free\n0,2\n300,4\n600,6\n900,8\n', { source: 'x.csv' }));
  // Bins by nearest step: 0 → 0, 300 → 1 (round half up), 600 → 1, 900 → 2.
  assert.is(parsed.series.stepS, 600);
  assert.equal([...parsed.series.values], [2, 5, 8]);
});

test("the dispatcher's availability file (time_s,available) is a step function, sampled at the gcd of its changes", () => {
  const text = 'time_s,available\n0,8\n3600,5\n5400,8\n';
  const parsed = series(parseTelemetryText(entry({ metric: 'available-slots' }), text, { source: 'avail.csv' }));
  assert.is(parsed.series.stepS, 1800);
  assert.equal([...parsed.series.values], [8, 8, 5, 8]);
  const coarse = series(parseTelemetryText(entry({ metric: 'available-slots', stepS: 3600, startAtS: 1000 }), text, { source: 'avail.csv' }));
  assert.is(coarse.series.startS, 1000);
  assert.equal([...coarse.series.values], [8, 6.5, 8]);
  assert.match(coarse.warnings.map((w) => w.message).join('\n'), /1 step of 3600 s holds more than one availability level/);
});

test('semicolon-separated and quoted CSV', () => {
  const parsed = series(parseTelemetryText(entry({ metric: 'price' }), 'time;"usd, per hour"\n2026-01-01T00:00Z;0.1\n2026-01-01T01:00Z;0.2\n', { source: 'p.csv' }));
  assert.equal([...parsed.series.values], [0.1, 0.2]);
  assert.is(parsed.series.stepS, 3600);
});

test.run();
