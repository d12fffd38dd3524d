/**
 * An availability series file: how many of a pool's slots are available over time.
 *
 *     time_s,available
 *     0,8
 *     3600,5
 *     5400,8
 *
 * The header is required; each row says that from `time_s` on (seconds, >= 0, strictly
 * increasing) `available` slots (an integer >= 0) can be used, until the next row. Blank lines
 * are ignored. The sim backend replays such a series per pool; the resource predictor and
 * `apportion evaluate` read the same format, so every reader shares this one parser and its
 * messages (`line 7: available: expected an integer >= 0, received "x"`).
 */
import { readFileSync } from 'node:fs';
import { InputError, type InputIssue } from '../../model/issues.js';
import { MAX_SECONDS, MAX_SLOTS } from '../../model/limits.js';

export interface AvailabilityPoint {
  readonly timeS: number;
  readonly available: number;
}

export const AVAILABILITY_CSV_HEADER = 'time_s,available';

/** Problems listed before the rest are summed up in one line: a wrong file can have a million bad rows. */
const MAX_ISSUES = 20;

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_NEGATIVE_INTEGER = /^\+?\d+$/;

/** Reads and checks an availability CSV file; every problem is reported at once (InputError, source = the file). */
export function readAvailabilityCsv(file: string): AvailabilityPoint[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error && error.code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error);
    throw new InputError(file, [{ code: 'invalid_value', path: [], message: `cannot read the availability series: ${reason}`, expected: 'a readable CSV file', received: reason }]);
  }
  return parseAvailabilityCsv(text, file);
}

/** Parses availability CSV text; `source` names it in errors (a file path). */
export function parseAvailabilityCsv(text: string, source: string): AvailabilityPoint[] {
  const issues: InputIssue[] = [];
  let dropped = 0;
  const report = (issue: InputIssue): void => {
    if (issues.length < MAX_ISSUES) issues.push(issue);
    else dropped++;
  };
  const points: AvailabilityPoint[] = [];
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n');
  let header = false;
  let lastTimeS = -Infinity;
  let lastTimeLine = 0;
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    const lineNo = index + 1;
    const where = `line ${lineNo}`;
    const cells = line.split(',').map((cell) => cell.trim());
    if (!header) {
      header = true;
      if (cells.join(',') !== AVAILABILITY_CSV_HEADER) {
        report({
          code: 'invalid_value',
          path: [where],
          message: `${where}: expected the header "${AVAILABILITY_CSV_HEADER}", received ${JSON.stringify(clip(line))}`,
          expected: AVAILABILITY_CSV_HEADER,
          received: clip(line),
        });
        // A file without its header is probably not this format at all: one problem says so.
        break;
      }
      continue;
    }
    if (cells.length !== 2) {
      report({ code: 'invalid_value', path: [where], message: `${where}: expected 2 values (time_s,available), received ${cells.length}`, expected: '2 values', received: String(cells.length) });
      continue;
    }
    const [timeCell, availableCell] = cells as [string, string];
    const timeS = DECIMAL.test(timeCell) ? Number(timeCell) : NaN;
    let timeOk = false;
    if (!(Number.isFinite(timeS) && timeS >= 0)) {
      report({ code: 'invalid_number', path: [where, 'time_s'], message: `${where}: time_s: expected a number >= 0, received ${JSON.stringify(clip(timeCell))}`, expected: 'a number >= 0', received: clip(timeCell) });
    } else if (timeS > MAX_SECONDS) {
      report({ code: 'invalid_number', path: [where, 'time_s'], message: `${where}: time_s: expected a number <= ${MAX_SECONDS}, received ${timeCell}`, expected: `a number <= ${MAX_SECONDS}`, received: timeCell });
    } else if (timeS === lastTimeS) {
      report({ code: 'duplicate_id', path: [where, 'time_s'], message: `${where}: time_s: ${timeCell} appears twice (first at line ${lastTimeLine}); each time gets one row`, expected: 'strictly increasing times', received: timeCell });
    } else if (timeS < lastTimeS) {
      report({ code: 'invalid_value', path: [where, 'time_s'], message: `${where}: time_s: expected a time after ${lastTimeS} (line ${lastTimeLine}), received ${timeCell}; rows go in time order`, expected: `a number > ${lastTimeS}`, received: timeCell });
    } else {
      timeOk = true;
      lastTimeS = timeS;
      lastTimeLine = lineNo;
    }
    const available = NON_NEGATIVE_INTEGER.test(availableCell) ? Number(availableCell) : NaN;
    let availableOk = false;
    if (!Number.isSafeInteger(available)) {
      report({ code: 'invalid_number', path: [where, 'available'], message: `${where}: available: expected an integer >= 0, received ${JSON.stringify(clip(availableCell))}`, expected: 'an integer >= 0', received: clip(availableCell) });
    } else if (available > MAX_SLOTS) {
      report({ code: 'invalid_number', path: [where, 'available'], message: `${where}: available: expected an integer <= ${MAX_SLOTS}, received ${availableCell}`, expected: `an integer <= ${MAX_SLOTS}`, received: availableCell });
    } else {
      availableOk = true;
    }
    if (timeOk && availableOk) points.push({ timeS, available });
  }
  if (!header) {
    report({ code: 'invalid_value', path: [], message: `empty file: expected the header "${AVAILABILITY_CSV_HEADER}" and at least one row`, expected: AVAILABILITY_CSV_HEADER, received: 'an empty file' });
  } else if (issues.length === 0 && points.length === 0) {
    report({ code: 'invalid_value', path: [], message: `no rows: expected at least one "${AVAILABILITY_CSV_HEADER}" row after the header`, expected: 'at least one row', received: 'only the header' });
  }
  if (dropped > 0) {
    issues.push({ code: 'invalid_value', path: [], message: `… and ${dropped} more problem${dropped === 1 ? '' : 's'} (the first ${MAX_ISSUES} are listed)` });
  }
  if (issues.length > 0) throw new InputError(source, issues);
  return points;
}

/** Writes a series in the same format (for tests, the predictor's output and `evaluate`'s inputs). */
export function formatAvailabilityCsv(points: readonly AvailabilityPoint[]): string {
  let out = `${AVAILABILITY_CSV_HEADER}\n`;
  for (const point of points) out += `${point.timeS},${point.available}\n`;
  return out;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
