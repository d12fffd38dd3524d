import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatPath, InputError } from '../../src/model/issues.js';
import { validateTelemetryDocument } from '../../src/model/telemetry-section.js';
import { formatTimeS, parseTimeS } from '../../src/model/time.js';
import { validateResourceMap } from '../../src/model/validate-pools.js';

const POOLS = [
  { id: 'spot', region: 'A', slots: 8 },
  { id: 'od', region: 'A', slots: 4 },
];
const POOL_IDS = new Set(['spot', 'od']);

function issuesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
    throw error;
  }
  assert.unreachable('expected an InputError');
  return [];
}

test('times: ISO forms as UTC unless an offset is given, epoch seconds, invalid dates refused', () => {
  assert.is(parseTimeS('2014-02-14 14:27:00'), Date.UTC(2014, 1, 14, 14, 27) / 1000);
  assert.is(parseTimeS('2014-02-14T14:27:00Z'), Date.UTC(2014, 1, 14, 14, 27) / 1000);
  assert.is(parseTimeS('2014-02-14T15:27:00+01:00'), Date.UTC(2014, 1, 14, 14, 27) / 1000);
  assert.is(parseTimeS('2014-02-14T09:27:00.5-0500'), Date.UTC(2014, 1, 14, 14, 27) / 1000 + 0.5);
  assert.is(parseTimeS('2014-02-14'), Date.UTC(2014, 1, 14) / 1000);
  assert.is(parseTimeS('2013-12-31 24:00:00'), Date.UTC(2014, 0, 1) / 1000);
  assert.is(parseTimeS('2024-02-29 00:00'), Date.UTC(2024, 1, 29) / 1000);
  assert.is(parseTimeS('1712345678.123'), 1712345678.123);
  assert.is(parseTimeS('2014-02-30 00:00'), undefined);
  assert.is(parseTimeS('2023-02-29'), undefined);
  assert.is(parseTimeS('2014-13-01'), undefined);
  assert.is(parseTimeS('14/02/2014'), undefined);
  assert.is(parseTimeS('1712345678123'), undefined);
  assert.is(formatTimeS(Date.UTC(2014, 1, 14, 14, 27) / 1000), '2014-02-14 14:27:00');
});

test('the resource map accepts a telemetry section and keeps its entries', () => {
  const map = validateResourceMap({
    pools: POOLS,
    telemetry: [
      { pool: 'spot', file: 'spot-util.csv', column: 'cpu_util_percent', metric: 'utilisation', stepS: 300, startAt: '2026-11-02T00:00:00Z' },
      { pool: 'spot', file: 'spot-events.csv', metric: 'interruptions' },
      { pool: 'od', file: 'prices.json', metric: 'price', format: 'prometheus', select: { instance: 'a' } },
    ],
  });
  assert.is(map.telemetry?.length, 3);
  assert.equal(map.telemetry![0], { index: 0, pool: 'spot', file: 'spot-util.csv', metric: 'utilisation', column: 'cpu_util_percent', stepS: 300, startAtS: Date.UTC(2026, 10, 2) / 1000 });
  assert.equal(map.telemetry![2]!.select, { instance: 'a' });
});

test('a resource map without telemetry has no telemetry field (its existing users see no change)', () => {
  const map = validateResourceMap({ pools: POOLS });
  assert.not.ok('telemetry' in map);
});

test('unknown pool, unknown field, wrong types, unknown metric: errors with paths', () => {
  const issues = issuesOf(() =>
    validateResourceMap({
      pools: POOLS,
      telemetry: [
        { pool: 'spot', file: 'a.csv', metric: 'utilisation' },
        { pool: 'spto', file: 'a.csv', metric: 'utilisation' },
        { pool: 'spot', file: 'a.csv', metric: 'utilisation', colum: 'x' },
        { pool: 'spot', file: 7, metric: 'utilization', stepS: -5 },
        { pool: 'spot', metric: 'price', startAt: 'tomorrow', select: { instance: 3 } },
      ],
    }),
  );
  assert.equal(issues, [
    'telemetry[1].pool: unknown pool "spto" (did you mean "spot"?)',
    'telemetry[2].colum: unknown field "colum" (did you mean "column"?)',
    'telemetry[3].file: expected a non-empty string, received 7',
    'telemetry[3].metric: unknown metric "utilization" (did you mean "utilisation"?): expected one of utilisation, utilisation-fraction, free-slots, available-slots, price, interruptions',
    'telemetry[3].stepS: expected a finite number > 0, received -5',
    'telemetry[4].file: missing required field "file" (string)',
    'telemetry[4].startAt: startAt: "tomorrow" is not a time (expected epoch seconds or ISO 8601, e.g. 2014-02-14 14:27:00 or 2014-02-14T14:27:00Z)',
    'telemetry[4].select.instance: a label value is a string, received 3',
  ]);
});

test('formats that do not fit the metric, fields that do not fit the format', () => {
  const issues = issuesOf(() =>
    validateTelemetryDocument(
      {
        telemetry: [
          { pool: 'spot', file: 'e.json', metric: 'interruptions', format: 'prometheus' },
          { pool: 'spot', file: 'u.csv', metric: 'utilisation', format: 'events' },
          { pool: 'spot', file: 'e.csv', metric: 'interruptions', stepS: 60 },
          { pool: 'od', file: 'p.json', metric: 'price', format: 'prometheus', column: 'value' },
          { pool: 'od', file: 'p.csv', metric: 'price', format: 'csv', select: { instance: 'a' } },
          { pool: 'od', file: 'p.json', metric: 'price', format: 'series', select: {} },
        ],
      },
      'telemetry.json',
      POOL_IDS,
    ),
  );
  assert.equal(issues, [
    'telemetry[0].format: metric "interruptions" is a list of event times: format must be "events" or "csv", received "prometheus" (for a series of available slots use metric "available-slots")',
    'telemetry[1].format: format "events" holds interruption times: it needs metric "interruptions", received "utilisation"',
    'telemetry[2].stepS: stepS does not apply to interruption events (each row is one time)',
    'telemetry[3].column: column applies to CSV files; a prometheus file is chosen by select',
    'telemetry[4].select: select picks a series of a Prometheus result, not of format "csv"',
    'telemetry[5].select: select is empty: name at least one label, e.g. { "instance": "a" }',
  ]);
});

test('a telemetry file: { telemetry: [...] } only', () => {
  assert.equal(issuesOf(() => validateTelemetryDocument({ telemetery: [] }, 't.json', POOL_IDS)), ['telemetery: unknown field "telemetery" (did you mean "telemetry"?)', 'telemetry: missing required field "telemetry" (array of telemetry entries)']);
  assert.equal(issuesOf(() => validateTelemetryDocument({ telemetry: {} }, 't.json', POOL_IDS)), ['telemetry: expected an array, received an object']);
  const entries = validateTelemetryDocument({ telemetry: [{ pool: 'od', file: 'x.csv', metric: 'free-slots', startAt: 1793577600 }] }, 't.json', POOL_IDS);
  assert.equal(entries, [{ index: 0, pool: 'od', file: 'x.csv', metric: 'free-slots', startAtS: 1793577600 }]);
});

test.run();
