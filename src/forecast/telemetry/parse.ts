/**
 * One telemetry entry's file text → its data: a regular series or a list of event times.
 *
 * The format is the entry's, or inferred: metric "interruptions" is events (CSV or JSON by
 * content); a `.csv`/`.tsv`/`.txt` file is CSV; JSON with `status`/`data`/`resultType` is a
 * Prometheus response, JSON with `values` a regular series; other text is tried as CSV.
 */
import { InputError } from '../../model/issues.js';
import { parseJsonDocument } from '../../model/parse.js';
import type { TelemetryEntry, TelemetryFormat } from '../../model/telemetry-section.js';
import type { ForecastWarning, Series } from '../types.js';
import { parseCsvEvents, parseCsvSeries } from './csv.js';
import { readEventsJson } from './events.js';
import { Problems } from './problems.js';
import { formatLabels, readPrometheusRange } from './prometheus.js';
import { readSeriesJson } from './series-json.js';

export type ParsedTelemetry =
  | {
      readonly kind: 'series';
      readonly entry: TelemetryEntry;
      readonly format: Exclude<TelemetryFormat, 'events'>;
      readonly series: Series;
      /** What was read: `cpu_util_percent`, `up{instance="a"}`. */
      readonly label: string;
      /** Rows or samples in the file (the series' length is `series.values.length`, gaps included). */
      readonly points: number;
      readonly warnings: readonly ForecastWarning[];
    }
  | {
      readonly kind: 'events';
      readonly entry: TelemetryEntry;
      readonly format: 'events';
      /** Sorted epoch seconds. */
      readonly eventsS: readonly number[];
      readonly warnings: readonly ForecastWarning[];
    };

export interface ParseTelemetryOptions {
  /** The file, as errors name it (InputError source) and as its extension tells the format. */
  readonly source: string;
}

/** Parses one entry's file; throws InputError with paths under `telemetry[i]`. */
export function parseTelemetryText(entry: TelemetryEntry, text: string, options: ParseTelemetryOptions): ParsedTelemetry {
  const problems = new Problems({ source: options.source, entryPath: ['telemetry', entry.index] });
  const looksJson = /^\s*[[{]/.test(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const csvByName = /\.(csv|tsv|txt)$/i.test(options.source);
  if (entry.metric === 'interruptions') {
    const asJson = entry.format !== 'csv' && looksJson && !csvByName;
    const eventsS = asJson ? readEventsJson(parseJson(text, problems, () => false), problems) : parseCsvEvents(text, entry.timeColumn, problems);
    return { kind: 'events', entry, format: 'events', eventsS, warnings: problems.warnings };
  }
  let format = entry.format;
  let document: unknown;
  if (format === undefined) {
    if (csvByName || !looksJson) format = 'csv';
    else {
      document = parseJson(text, problems, isPrometheusShaped);
      format = isPrometheusShaped(document) ? 'prometheus' : 'series';
    }
  }
  const common = { entry, warnings: problems.warnings };
  switch (format) {
    case 'csv': {
      const csv = parseCsvSeries(text, { metric: entry.metric, ...optional('column', entry.column), ...optional('timeColumn', entry.timeColumn), ...optional('stepS', entry.stepS), ...optional('startAtS', entry.startAtS) }, problems);
      return { kind: 'series', format, series: csv.series, label: csv.column, points: csv.rows, ...common };
    }
    case 'prometheus': {
      if (entry.startAtS !== undefined) problems.warn('startAt is ignored: Prometheus samples carry their times', 'startAt');
      const parsed = readPrometheusRange(document ?? parseJson(text, problems, () => true), { metric: entry.metric, ...optional('select', entry.select), ...optional('stepS', entry.stepS) }, problems);
      return { kind: 'series', format, series: parsed.series, label: formatLabels(parsed.labels), points: parsed.samples, ...common };
    }
    case 'series': {
      const series = readSeriesJson(document ?? parseJson(text, problems, () => false), { metric: entry.metric, ...optional('stepS', entry.stepS), ...optional('startAtS', entry.startAtS) }, problems);
      return { kind: 'series', format, series, label: 'values', points: series.values.length, ...common };
    }
    case 'events':
      // The section's validation allows format "events" only with metric "interruptions", handled above.
      throw new Error('format "events" with a series metric');
  }
}

function isPrometheusShaped(document: unknown): boolean {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return false;
  const keys = Object.keys(document);
  return keys.includes('status') || keys.includes('data') || keys.includes('resultType');
}

/** `machineWritten` documents skip the duplicate-key scan (it is for people's typos and slow on a large Prometheus response). */
function parseJson(text: string, problems: Problems, machineWritten: (document: unknown) => boolean): unknown {
  try {
    return parseJsonDocument(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, problems.where.source, { trustKeys: machineWritten });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    problems.adopt(error);
    problems.check();
    throw error;
  }
}

/** `{ key: value }` when defined, else `{}` (exactOptionalPropertyTypes: no `key: undefined`). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
