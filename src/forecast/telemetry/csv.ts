/**
 * CSV telemetry: a header row, then one row per sample.
 *
 * With a time column (epoch seconds or ISO times, UTC unless an offset is given) the rows are
 * binned onto a grid (regularise.ts). Without one, as published utilisation traces often come
 * (Alibaba 2018: `cpu_util_percent,mem_util_percent,...` every 300 s), row i is at
 * startAt + i·stepS, and stepS must be given. The dispatcher's availability files
 * (`time_s,available`, dispatch/sim/availability-csv.ts) are step functions — each row holds
 * until the next — and are sampled as such rather than binned.
 *
 * Rows are numbered as the file's lines (the header is row 1), so `row 17` is line 17 in an editor.
 */
import { didYouMean } from '../../model/issues.js';
import type { TelemetryMetric } from '../../model/telemetry-section.js';
import { describeTimeProblem, formatTimeS, parseIsoS, parseTimeS } from '../../model/time.js';
import type { ForecastWarning, Series } from '../types.js';
import { clip, listPlaces, Problems } from './problems.js';
import { MAX_SERIES_STEPS, regularise } from './regularise.js';
import { outOfRange, readValueCell, valueRuleOf } from './values.js';

export interface CsvRow {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly cells: readonly string[];
}

export interface CsvTable {
  readonly columns: readonly string[];
  readonly rows: readonly CsvRow[];
}

/** Column names read as the time column when the entry names none. */
const TIME_NAMES = new Set(['time', 'timestamp', 'time_s', 'times', 'ts', 'date', 'datetime', 'date_time', 'epoch', 'epoch_s', 'unix', 'unix_s', 't', 'time_utc', 'timestamp_utc', 'at', 'at_s', 'time_stamp']);

/** The sim backend's availability file header: a step function, each row holding until the next. */
export const AVAILABILITY_HEADER = ['time_s', 'available'] as const;

/** Splits a CSV file into its header and rows; empty files, header-only files and ragged rows are errors. */
export function readCsvTable(text: string, problems: Problems): CsvTable | undefined {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split('\n');
  let headerLine = -1;
  for (let i = 0; i < lines.length; i++) {
    if (stripCr(lines[i]!).trim() !== '') {
      headerLine = i;
      break;
    }
  }
  if (headerLine < 0) {
    problems.error('the file is empty: expected a header row naming the columns, then one row per sample', 'invalid_value', 'a header and rows', 'an empty file');
    return undefined;
  }
  const headerText = stripCr(lines[headerLine]!);
  const delimiter = pickDelimiter(headerText);
  const columns = splitCsvLine(headerText, delimiter).map((c) => c.trim());
  const rowNo = headerLine + 1;
  if (columns.every((c) => readValueCell(c).kind === 'number' || parseIsoS(c) !== undefined)) {
    problems.error(`row ${rowNo}: expected a header row naming the columns (e.g. timestamp,value), received ${JSON.stringify(clip(headerText))}`, 'invalid_value', 'a header row', clip(headerText));
    return undefined;
  }
  const seen = new Map<string, number>();
  columns.forEach((name, index) => {
    if (name === '') problems.error(`row ${rowNo}: column ${index + 1} has no name`, 'invalid_value', 'a column name', 'an empty cell');
    else if (seen.has(name)) problems.error(`row ${rowNo}: column "${name}" appears twice (columns ${seen.get(name)! + 1} and ${index + 1})`, 'duplicate_id', 'unique column names', name);
    else seen.set(name, index);
  });
  const rows: CsvRow[] = [];
  for (let i = headerLine + 1; i < lines.length; i++) {
    const line = stripCr(lines[i]!);
    if (line.trim() === '') continue;
    const cells = splitCsvLine(line, delimiter);
    if (cells.length !== columns.length) {
      problems.error(`row ${i + 1}: expected ${columns.length} value${columns.length === 1 ? '' : 's'} (${clip(columns.join(','))}), received ${cells.length}`, 'invalid_value', `${columns.length} values`, String(cells.length));
      continue;
    }
    rows.push({ line: i + 1, cells });
  }
  if (rows.length === 0 && problems.errorCount === 0) {
    problems.error(`the file has only a header (${clip(headerText)}): expected at least one row of data after it`, 'invalid_value', 'at least one data row', 'only the header');
    return undefined;
  }
  return { columns, rows };
}

export interface CsvSeriesOptions {
  readonly metric: TelemetryMetric;
  readonly column?: string;
  readonly timeColumn?: string;
  readonly stepS?: number;
  readonly startAtS?: number;
}

export interface CsvSeries {
  readonly series: Series;
  /** The value column read. */
  readonly column: string;
  /** Data rows read. */
  readonly rows: number;
  readonly warnings: ForecastWarning[];
}

/** A CSV file → a regular series of one value column (see the file comment); throws InputError. */
export function parseCsvSeries(text: string, options: CsvSeriesOptions, problems: Problems): CsvSeries {
  const table = readCsvTable(text, problems);
  problems.check();
  const { columns, rows } = table!;
  const timeIndex = findTimeColumn(table!, options.timeColumn, problems);
  const valueIndex = findValueColumn(columns, timeIndex, options.column, problems);
  problems.check();
  const column = columns[valueIndex]!;
  const values = readValues(rows, valueIndex, column, options.metric, problems);
  let series: Series | undefined;
  if (timeIndex === undefined) {
    if (options.stepS === undefined) {
      problems.fieldError('stepS', `missing stepS: ${describeColumns(columns)} and no time column, so the step between rows must be given (e.g. "stepS": 300)`, 'missing_field', 'stepS', 'nothing');
    }
    problems.check();
    series = { startS: options.startAtS ?? 0, stepS: options.stepS!, values };
    if (rows.length > MAX_SERIES_STEPS) problems.error(`the file has ${rows.length} rows: more than ${MAX_SERIES_STEPS.toLocaleString('en')}`, 'invalid_value');
  } else {
    const timesS = readTimes(rows, timeIndex, problems);
    const isAvailability = columns.length === 2 && columns[0] === AVAILABILITY_HEADER[0] && columns[1] === AVAILABILITY_HEADER[1];
    if (options.startAtS !== undefined && !isAvailability) problems.warn(`startAt is ignored: the file has a time column ("${columns[timeIndex]}")`, 'startAt');
    problems.check();
    series = isAvailability ? sampleSteps(shift(timesS, options.startAtS ?? 0), values, options.stepS, problems) : regularise({ timesS, values }, options.stepS, problems);
  }
  problems.check();
  warnMissing(rows, values, problems);
  return { series: series!, column, rows: rows.length, warnings: problems.warnings };
}

/** A CSV of event times (a time column; other columns ignored) → sorted epoch seconds. Repeats are kept: two slots can go at once. */
export function parseCsvEvents(text: string, timeColumn: string | undefined, problems: Problems): number[] {
  const table = readCsvTable(text, problems);
  problems.check();
  let timeIndex = findTimeColumn(table!, timeColumn, problems);
  if (timeIndex === undefined && table!.columns.length === 1 && timeColumn === undefined) timeIndex = 0;
  if (timeIndex === undefined) {
    problems.fieldError('timeColumn', `interruption events need a time column: ${describeColumns(table!.columns)}; name it with timeColumn`, 'missing_field', 'a time column', clip(table!.columns.join(',')));
  }
  problems.check();
  const times: number[] = [];
  for (const row of table!.rows) {
    const cell = row.cells[timeIndex!]!;
    const t = parseTimeS(cell);
    if (t === undefined) problems.error(`row ${row.line}: ${describeTimeProblem(cell)}`, 'invalid_value', 'a time', clip(cell));
    else times.push(t);
  }
  problems.check();
  return times.sort((a, b) => a - b);
}

/** The time column: the one named, one with a time-like name, or a first column of ISO times; undefined = none. */
function findTimeColumn(table: CsvTable, named: string | undefined, problems: Problems): number | undefined {
  const { columns, rows } = table;
  if (named !== undefined) {
    const index = columns.indexOf(named);
    if (index < 0) problems.fieldError('timeColumn', `unknown column "${named}"${didYouMean(named, columns)}: ${describeColumns(columns)}`, 'unknown_reference', 'a column of the file', named);
    return index < 0 ? undefined : index;
  }
  const byName = columns.findIndex((c) => TIME_NAMES.has(c.toLowerCase()));
  if (byName >= 0) return byName;
  const first = rows[0]?.cells[0];
  return first !== undefined && parseIsoS(first) !== undefined ? 0 : undefined;
}

function findValueColumn(columns: readonly string[], timeIndex: number | undefined, named: string | undefined, problems: Problems): number {
  const candidates = columns.filter((_, i) => i !== timeIndex);
  if (named !== undefined) {
    const index = columns.indexOf(named);
    if (index < 0 || index === timeIndex) {
      const why = index === timeIndex ? `"${named}" is the time column` : `unknown column "${named}"${didYouMean(named, candidates)}`;
      problems.fieldError('column', `${why}: the value columns are ${candidates.join(', ') || '(none)'}`, 'unknown_reference', 'a value column of the file', named);
    }
    return index;
  }
  if (candidates.length === 1) return columns.indexOf(candidates[0]!);
  if (candidates.length === 0) {
    problems.fieldError('column', `the file has no value column besides its time column "${columns[timeIndex!]}"`, 'missing_field', 'a value column', 'none');
  } else {
    problems.fieldError('column', `the file has ${candidates.length} value columns (${candidates.join(', ')}): say which one with "column"`, 'missing_field', `one of ${candidates.join(', ')}`, 'nothing');
  }
  return -1;
}

function readValues(rows: readonly CsvRow[], index: number, column: string, metric: TelemetryMetric, problems: Problems): Float64Array {
  const rule = valueRuleOf(metric);
  const values = new Float64Array(rows.length);
  rows.forEach((row, i) => {
    const cell = row.cells[index]!;
    const read = readValueCell(cell);
    if (read.kind === 'bad') {
      problems.error(`row ${row.line}: ${column}: expected a number, received ${JSON.stringify(clip(cell.trim()))}`, 'invalid_number', 'a number', clip(cell));
      values[i] = Number.NaN;
      return;
    }
    if (read.kind === 'missing') {
      values[i] = Number.NaN;
      return;
    }
    const why = outOfRange(read.value, rule);
    if (why !== undefined) problems.error(`row ${row.line}: ${column}: ${why} for metric "${metric}"`, 'invalid_number', rule.what, cell.trim());
    values[i] = read.value;
  });
  return values;
}

/** Times of the rows, checked to increase strictly: a repeat or a step back is an error naming both rows. */
function readTimes(rows: readonly CsvRow[], index: number, problems: Problems): Float64Array {
  const times = new Float64Array(rows.length);
  let last = Number.NEGATIVE_INFINITY;
  let lastRow: CsvRow | undefined;
  rows.forEach((row, i) => {
    const cell = row.cells[index]!.trim();
    const t = parseTimeS(cell);
    if (t === undefined) {
      problems.error(`row ${row.line}: ${describeTimeProblem(cell)}`, 'invalid_value', 'a time', clip(cell));
      times[i] = Number.NaN;
      return;
    }
    times[i] = t;
    if (lastRow !== undefined && t === last) {
      problems.error(`row ${row.line}: timestamp ${cell} repeats row ${lastRow.line}`, 'duplicate_id', 'one row per time', cell);
    } else if (lastRow !== undefined && t < last) {
      problems.error(`row ${row.line}: timestamp ${cell} is before row ${lastRow.line}'s (${lastRow.cells[index]!.trim()}): rows must be in time order`, 'invalid_value', `a time after ${formatTimeS(last)}`, cell);
    } else {
      last = t;
      lastRow = row;
    }
  });
  return times;
}

function warnMissing(rows: readonly CsvRow[], values: Float64Array, problems: Problems): void {
  const places: number[] = [];
  values.forEach((v, i) => {
    if (Number.isNaN(v)) places.push(rows[i]!.line);
  });
  if (places.length === 0) return;
  if (places.length === values.length) {
    problems.error('every value is missing (empty, NaN or ±Inf): is it the right column?', 'invalid_value', 'numbers', 'no values');
    problems.check();
  }
  problems.warn(`${places.length} of ${values.length} values are missing (empty, NaN or ±Inf) at ${listPlaces('row', places)}: left missing`);
}

/**
 * A step function (each row holds from its time until the next row's; the last for one step)
 * sampled onto a grid: each step gets the time-weighted mean level over it. The default step
 * is the largest that puts every change on a step boundary (the gcd of the spacings).
 */
function sampleSteps(timesS: Float64Array, values: Float64Array, stepS: number | undefined, problems: Problems): Series | undefined {
  const n = timesS.length;
  const step = stepS ?? gcdSpacingS(timesS);
  if (step === undefined) {
    problems.fieldError('stepS', 'the file holds a single row, so how long it holds is unknown: give stepS', 'missing_field', 'stepS', 'nothing');
    return undefined;
  }
  const t0 = timesS[0]!;
  const end = timesS[n - 1]! + step;
  const steps = Math.ceil((end - t0) / step - 1e-9);
  if (!(steps <= MAX_SERIES_STEPS)) {
    problems.fieldError('stepS', `sampling ${n} changes from ${formatTimeS(t0)} every ${step} s takes ${steps.toExponential(2)} steps, more than ${MAX_SERIES_STEPS.toLocaleString('en')}: give a larger stepS`, 'invalid_value');
    return undefined;
  }
  const out = new Float64Array(steps);
  let mixed = 0;
  let row = 0;
  for (let k = 0; k < steps; k++) {
    const from = t0 + k * step;
    const to = from + step;
    // The row in force at the step's start (t0 is the first row's time, so there always is one).
    while (row + 1 < n && timesS[row + 1]! <= from) row++;
    let weighted = 0;
    let differs = false;
    for (let r = row; r < n && (r === row || timesS[r]! < to); r++) {
      const segmentFrom = Math.max(from, timesS[r]!);
      const segmentTo = r + 1 < n ? Math.min(to, timesS[r + 1]!) : to;
      if (segmentTo <= segmentFrom) continue;
      weighted += values[r]! * (segmentTo - segmentFrom);
      if (values[r] !== values[row]) differs = true;
    }
    if (differs) mixed++;
    out[k] = weighted / step;
  }
  if (mixed > 0) problems.warn(`${mixed} step${mixed === 1 ? '' : 's'} of ${step} s hold${mixed === 1 ? 's' : ''} more than one availability level: the time-weighted mean is used`, 'stepS');
  return { startS: t0, stepS: step, values: out };
}

/** The gcd of the spacings (whole seconds, or milliseconds when the times are fractional); undefined for one row. */
function gcdSpacingS(timesS: Float64Array): number | undefined {
  if (timesS.length < 2) return undefined;
  const whole = timesS.every((t) => Number.isInteger(t));
  const scale = whole ? 1 : 1000;
  let g = 0;
  for (let i = 1; i < timesS.length; i++) g = gcd(g, Math.round((timesS[i]! - timesS[i - 1]!) * scale));
  return g > 0 ? g / scale : undefined;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function shift(timesS: Float64Array, byS: number): Float64Array {
  return byS === 0 ? timesS : timesS.map((t) => t + byS);
}

function describeColumns(columns: readonly string[]): string {
  return `the file's column${columns.length === 1 ? ' is' : 's are'} ${columns.join(', ')}`;
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Comma unless the header has more tabs or semicolons (European spreadsheets). */
function pickDelimiter(header: string): string {
  const unquoted = header.replace(/"[^"]*"/g, '');
  const count = (c: string): number => unquoted.split(c).length - 1;
  const comma = count(',');
  const tab = count('\t');
  const semicolon = count(';');
  if (tab > comma && tab >= semicolon) return '\t';
  if (semicolon > comma) return ';';
  return ',';
}

/** One line of CSV (RFC 4180 quoting within the line: "a,b" and "" for a quote). */
export function splitCsvLine(line: string, delimiter = ','): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

