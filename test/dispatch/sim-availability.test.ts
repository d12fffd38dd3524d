/**
 * The availability series CSV (`time_s,available`): what is read, and what is refused with
 * which message at which line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../src/model/issues.js';
import { formatAvailabilityCsv, parseAvailabilityCsv, readAvailabilityCsv } from '../../src/dispatch/sim/index.js';
import { finishedByKey, openSim, simJob } from './sim-helpers.js';

const test = suite('availability series CSV');

function problems(text: string): string[] {
  try {
    parseAvailabilityCsv(text, 'avail.csv');
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    assert.is(error.source, 'avail.csv');
    return error.issues.map((issue) => issue.message);
  }
  assert.unreachable('expected an InputError');
  return [];
}

test('reads rows in order; blank lines, CRLF, a BOM and spaces around values are fine', () => {
  const text = '\ufefftime_s,available\r\n0,8\r\n\r\n  3600 , 5\n5400.5,8\n\n';
  assert.equal(parseAvailabilityCsv(text, 'a.csv'), [
    { timeS: 0, available: 8 },
    { timeS: 3600, available: 5 },
    { timeS: 5400.5, available: 8 },
  ]);
  assert.equal(parseAvailabilityCsv('time_s,available\n1e3,0\n', 'a.csv'), [{ timeS: 1000, available: 0 }]);
});

test('formatAvailabilityCsv writes what parseAvailabilityCsv reads', () => {
  const points = [
    { timeS: 0, available: 3 },
    { timeS: 12.25, available: 0 },
    { timeS: 86_400, available: 7 },
  ];
  assert.equal(parseAvailabilityCsv(formatAvailabilityCsv(points), 'x.csv'), points);
});

test('a bad available value names its line and column', () => {
  const rows = ['time_s,available', '0,4', '10,4', '20,4', '30,4', '40,4', '50,x'];
  assert.equal(problems(rows.join('\n')), ['line 7: available: expected an integer >= 0, received "x"']);
  assert.equal(problems('time_s,available\n0,-1\n'), ['line 2: available: expected an integer >= 0, received "-1"']);
  assert.equal(problems('time_s,available\n0,2.5\n'), ['line 2: available: expected an integer >= 0, received "2.5"']);
  assert.equal(problems('time_s,available\n0,\n'), ['line 2: available: expected an integer >= 0, received ""']);
  assert.equal(problems('time_s,available\n0,2000000\n'), ['line 2: available: expected an integer <= 1000000, received 2000000']);
});

test('a bad time: NaN, negative, empty, not a number, above the limit', () => {
  assert.equal(problems('time_s,available\nNaN,1\n'), ['line 2: time_s: expected a number >= 0, received "NaN"']);
  assert.equal(problems('time_s,available\n-5,1\n'), ['line 2: time_s: expected a number >= 0, received "-5"']);
  assert.equal(problems('time_s,available\n,1\n'), ['line 2: time_s: expected a number >= 0, received ""']);
  assert.equal(problems('time_s,available\n1h,1\n'), ['line 2: time_s: expected a number >= 0, received "1h"']);
  assert.equal(problems('time_s,available\nInfinity,1\n'), ['line 2: time_s: expected a number >= 0, received "Infinity"']);
  assert.equal(problems('time_s,available\n1e13,1\n'), ['line 2: time_s: expected a number <= 1000000000000, received 1e13']);
});

test('times must strictly increase: a duplicate and a step back are refused at their line', () => {
  assert.equal(problems('time_s,available\n0,1\n60,2\n60,3\n'), ['line 4: time_s: 60 appears twice (first at line 3); each time gets one row']);
  assert.equal(problems('time_s,available\n0,1\n\n60,2\n30,3\n'), ['line 5: time_s: expected a time after 60 (line 4), received 30; rows go in time order']);
});

test('the header is required; an empty file and a header alone are refused', () => {
  assert.equal(problems('0,1\n10,2\n'), ['line 1: expected the header "time_s,available", received "0,1"']);
  assert.equal(problems('time,slots\n0,1\n'), ['line 1: expected the header "time_s,available", received "time,slots"']);
  assert.equal(problems(''), ['empty file: expected the header "time_s,available" and at least one row']);
  assert.equal(problems('\n  \n\n'), ['empty file: expected the header "time_s,available" and at least one row']);
  assert.equal(problems('time_s,available\n\n'), ['no rows: expected at least one "time_s,available" row after the header']);
});

test('a row with the wrong number of values', () => {
  assert.equal(problems('time_s,available\n0,1,2\n5\n'), ['line 2: expected 2 values (time_s,available), received 3', 'line 3: expected 2 values (time_s,available), received 1']);
});

test('every problem is reported at once, with the issue path; a flood is cut at 20 with a count', () => {
  const error = (() => {
    try {
      parseAvailabilityCsv('time_s,available\nx,1\n5,y\n', 'f.csv');
    } catch (caught) {
      return caught as InputError;
    }
    return undefined;
  })();
  assert.ok(error instanceof InputError);
  assert.equal(error.issues.map((issue) => [issue.code, issue.path]), [
    ['invalid_number', ['line 2', 'time_s']],
    ['invalid_number', ['line 3', 'available']],
  ]);
  assert.match(error.message, 'f.csv: 2 problems');
  const flood = ['time_s,available', ...Array.from({ length: 100 }, (_, i) => `${i},bad`)].join('\n');
  const messages = problems(flood);
  assert.is(messages.length, 21);
  assert.is(messages[20], '… and 80 more problems (the first 20 are listed)');
});

test('readAvailabilityCsv reads a file; a missing file is an InputError naming it; the series drives the sim backend', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apportion-availability-'));
  try {
    const file = join(dir, 'pool-p.csv');
    writeFileSync(file, 'time_s,available\n0,1\n100,2\n');
    const series = readAvailabilityCsv(file);
    assert.equal(series, [
      { timeS: 0, available: 1 },
      { timeS: 100, available: 2 },
    ]);
    try {
      readAvailabilityCsv(join(dir, 'absent.csv'));
      assert.unreachable('a missing file is refused');
    } catch (error) {
      assert.ok(error instanceof InputError);
      assert.is(error.source, join(dir, 'absent.csv'));
      assert.match(error.issues[0]!.message, 'no such file');
    }
    // One slot until 100 s, then two: three 60 s jobs end at 60, 120 and 160.
    const { backend, events } = await openSim([{ id: 'p', slots: 2 }], { availability: new Map([['p', series]]) });
    for (let i = 0; i < 3; i++) backend.submit(simJob(`j${i}`, 'p', 60));
    await backend.idle();
    assert.equal([...finishedByKey(events).values()].map((e) => e.result.finishedS), [60, 120, 160]);
    await backend.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
