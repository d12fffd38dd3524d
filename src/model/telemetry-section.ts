/**
 * The `telemetry` section: which series belongs to which pool and what it measures.
 *
 *     "telemetry": [
 *       { "pool": "spot", "file": "spot-util.csv", "column": "cpu_util_percent", "metric": "utilisation", "stepS": 300, "startAt": "2026-11-02T00:00:00Z" },
 *       { "pool": "spot", "file": "spot-events.csv", "metric": "interruptions" },
 *       { "pool": "od", "file": "prices.json", "metric": "price", "format": "prometheus", "select": { "instance": "a" } }
 *     ]
 *
 * It lives in the resource map (validated with it) or in a file of its own,
 * `{ "telemetry": [...] }`, checked against the resource map's pools. File paths are relative
 * to the file that names them. Only the entries are checked here (no I/O): what a file holds
 * (a time column, the column asked for, the series selected) is checked when it is read.
 */
import { describeValue, didYouMean, InputError } from './issues.js';
import { MAX_SECONDS } from './limits.js';
import { FieldReader, type Path } from './read.js';
import { describeTimeProblem, parseTimeS } from './time.js';

/**
 * What a series measures, and so how it maps to a pool's slots:
 *   utilisation            percent busy (0–100): free slots = slots × (1 − u/100)
 *   utilisation-fraction   busy share (0–1): free slots = slots × (1 − u)
 *   free-slots             slots free for us
 *   available-slots        slots the pool has at all (interruptions are derived from its drops)
 *   price                  USD per slot-hour
 *   interruptions          events: times at which the pool lost a slot
 */
export const TELEMETRY_METRICS = ['utilisation', 'utilisation-fraction', 'free-slots', 'available-slots', 'price', 'interruptions'] as const;
export type TelemetryMetric = (typeof TELEMETRY_METRICS)[number];

/** csv (with or without a time column), prometheus (query_range JSON), series ({ startS, stepS, values }), events (CSV or JSON times). */
export const TELEMETRY_FORMATS = ['csv', 'prometheus', 'series', 'events'] as const;
export type TelemetryFormat = (typeof TELEMETRY_FORMATS)[number];

export const TELEMETRY_ENTRY_FIELDS = ['pool', 'file', 'metric', 'format', 'column', 'timeColumn', 'stepS', 'startAt', 'select'] as const;
const DOCUMENT_FIELDS = ['$schema', 'telemetry'] as const;

export interface TelemetryEntry {
  /** Position in the section: errors about the entry's file print `telemetry[index].file`. */
  readonly index: number;
  readonly pool: string;
  /** As written (relative to the file that names it). */
  readonly file: string;
  readonly metric: TelemetryMetric;
  /** Undefined = inferred from the file's extension and content. */
  readonly format?: TelemetryFormat;
  /** CSV: the value column; default the only column besides the time column. */
  readonly column?: string;
  /** CSV: the time column; default a column named time, timestamp, time_s, … */
  readonly timeColumn?: string;
  /** The step between rows of a file without times, or the grid to regularise timed rows onto (default: their median spacing). */
  readonly stepS?: number;
  /** Epoch s of the first row of a file without times (given as ISO or epoch s); default 0. */
  readonly startAtS?: number;
  /** Prometheus: the labels the series must carry (each equal), when the result holds several. */
  readonly select?: Readonly<Record<string, string>>;
}

/** Reads `root.telemetry` of a resource map (or a telemetry file) into entries, reporting problems on `reader`. */
export function readTelemetrySection(reader: FieldReader, value: unknown, poolIds: ReadonlySet<string>): TelemetryEntry[] {
  const entries: TelemetryEntry[] = [];
  const list = reader.array(value, ['telemetry']);
  list?.forEach((raw, index) => {
    const entry = readEntry(reader, raw, ['telemetry', index], index, poolIds);
    if (entry !== undefined) entries.push(entry);
  });
  return entries;
}

/** A telemetry file `{ "telemetry": [...] }`, against the pools of the resource map. */
export function validateTelemetryDocument(document: unknown, source: string, poolIds: ReadonlySet<string>): TelemetryEntry[] {
  const reader = new FieldReader();
  const root = reader.object(document, [], DOCUMENT_FIELDS);
  if (root === undefined) throw new InputError(source, reader.issues);
  let entries: TelemetryEntry[] = [];
  if (root.telemetry === undefined) reader.missing([], 'telemetry', 'array of telemetry entries');
  else entries = readTelemetrySection(reader, root.telemetry, poolIds);
  if (reader.issues.length > 0) throw new InputError(source, reader.issues);
  return entries;
}

function readEntry(reader: FieldReader, raw: unknown, path: Path, index: number, poolIds: ReadonlySet<string>): TelemetryEntry | undefined {
  const record = reader.object(raw, path, TELEMETRY_ENTRY_FIELDS);
  if (record === undefined) return undefined;
  const pool = reader.string(record, 'pool', path, true);
  if (pool !== undefined && !poolIds.has(pool)) reader.unknownReference([...path, 'pool'], 'pool', pool, poolIds);
  const file = reader.string(record, 'file', path, true);
  const metric = oneOf(reader, record, 'metric', path, TELEMETRY_METRICS, true);
  const format = oneOf(reader, record, 'format', path, TELEMETRY_FORMATS, false);
  const column = reader.string(record, 'column', path, false);
  const timeColumn = reader.string(record, 'timeColumn', path, false);
  const stepS = reader.number(record, 'stepS', path, { above: 0, limit: MAX_SECONDS });
  const startAtS = readStartAt(reader, record, path);
  const select = readSelect(reader, record, path);
  const bad = (key: string, message: string, expected: string, received: string): void => {
    reader.report({ code: 'invalid_value', path: [...path, key], message, expected, received });
  };
  if (metric !== undefined) {
    const events = metric === 'interruptions';
    if (format !== undefined && events && (format === 'prometheus' || format === 'series')) {
      bad('format', `metric "interruptions" is a list of event times: format must be "events" or "csv", received "${format}" (for a series of available slots use metric "available-slots")`, 'events or csv', format);
    }
    if (format === 'events' && !events) bad('format', `format "events" holds interruption times: it needs metric "interruptions", received "${metric}"`, 'csv, prometheus or series', format);
    if (events && stepS !== undefined) bad('stepS', 'stepS does not apply to interruption events (each row is one time)', 'no stepS', String(stepS));
    if (events && startAtS !== undefined) bad('startAt', 'startAt does not apply to interruption events (each row is one time)', 'no startAt', String(record.startAt));
  }
  if (format !== undefined && format !== 'csv' && format !== 'events') {
    if (column !== undefined) bad('column', `column applies to CSV files; a ${format} file is chosen ${format === 'prometheus' ? 'by select' : 'whole'}`, 'no column', column);
    if (timeColumn !== undefined) bad('timeColumn', `timeColumn applies to CSV files, not to format "${format}"`, 'no timeColumn', timeColumn);
  }
  if (select !== undefined && format !== undefined && format !== 'prometheus') bad('select', `select picks a series of a Prometheus result, not of format "${format}"`, 'no select', 'an object');
  if (pool === undefined || !poolIds.has(pool) || file === undefined || metric === undefined) return undefined;
  return {
    index,
    pool,
    file,
    metric,
    ...(format === undefined ? {} : { format }),
    ...(column === undefined ? {} : { column }),
    ...(timeColumn === undefined ? {} : { timeColumn }),
    ...(stepS === undefined ? {} : { stepS }),
    ...(startAtS === undefined ? {} : { startAtS }),
    ...(select === undefined ? {} : { select }),
  };
}

function oneOf<T extends string>(reader: FieldReader, record: Record<string, unknown>, key: string, path: Path, allowed: readonly T[], required: boolean): T | undefined {
  const value = reader.string(record, key, path, required);
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  reader.report({
    code: 'invalid_value',
    path: [...path, key],
    message: `unknown ${key} "${value}"${didYouMean(value, allowed)}: expected one of ${allowed.join(', ')}`,
    expected: allowed.join(' | '),
    received: JSON.stringify(value),
  });
  return undefined;
}

function readStartAt(reader: FieldReader, record: Record<string, unknown>, path: Path): number | undefined {
  const value = record.startAt;
  if (value === undefined) return undefined;
  const at = [...path, 'startAt'];
  if (typeof value === 'number') return reader.checkNumber(value, at, { min: 0, limit: MAX_SECONDS });
  if (typeof value === 'string') {
    const timeS = parseTimeS(value);
    if (timeS !== undefined && timeS >= 0) return timeS;
    const why = timeS === undefined ? describeTimeProblem(value) : `${JSON.stringify(value)} is before 1970`;
    reader.report({ code: 'invalid_value', path: at, message: `startAt: ${why}`, expected: 'an ISO time or epoch seconds >= 0', received: JSON.stringify(value) });
    return undefined;
  }
  reader.report({ code: 'wrong_type', path: at, message: `expected an ISO time (string) or epoch seconds (number), received ${describeValue(value)}`, expected: 'string or number', received: describeValue(value) });
  return undefined;
}

function readSelect(reader: FieldReader, record: Record<string, unknown>, path: Path): Record<string, string> | undefined {
  const value = record.select;
  if (value === undefined) return undefined;
  const at = [...path, 'select'];
  const object = reader.object(value, at, Object.keys(value ?? {}));
  if (object === undefined) return undefined;
  const out: Record<string, string> = {};
  let ok = true;
  for (const [label, raw] of Object.entries(object)) {
    if (typeof raw === 'string') out[label] = raw;
    else {
      ok = false;
      reader.report({ code: 'wrong_type', path: [...at, label], message: `a label value is a string, received ${describeValue(raw)}`, expected: 'string', received: describeValue(raw) });
    }
  }
  if (ok && Object.keys(out).length === 0) {
    reader.report({ code: 'invalid_value', path: at, message: 'select is empty: name at least one label, e.g. { "instance": "a" }', expected: 'at least one label', received: '{}' });
    return undefined;
  }
  return ok ? out : undefined;
}
