/**
 * Prometheus range-query JSON (`GET /api/v1/query_range`), as it arrives:
 *
 *     { "status": "success",
 *       "data": { "resultType": "matrix",
 *                 "result": [ { "metric": { "__name__": "up", "instance": "a" },
 *                               "values": [ [1712345678.123, "0.5"], [1712345693.123, "NaN"], … ] } ] },
 *       "warnings": [ … ] }
 *
 * Values are strings and may be "NaN", "+Inf" or "-Inf" (a ratio over an empty range): those
 * are missing. Samples of a target that was down are absent, not null: the grid shows the
 * gap. Several series (one per label set) need a `select` naming the labels of one; a response
 * with `"status": "error"` is reported with its errorType and error. Thanos and
 * VictoriaMetrics answer in the same shape.
 */
import { InputError } from '../../model/issues.js';
import { parseJsonDocument } from '../../model/parse.js';
import type { TelemetryMetric } from '../../model/telemetry-section.js';
import { formatTimeS, MAX_EPOCH_S } from '../../model/time.js';
import type { Series } from '../types.js';
import { clip, listFirst, type Problems } from './problems.js';
import { regularise } from './regularise.js';
import { outOfRange, readValueCell, valueRuleOf } from './values.js';

export interface PrometheusOptions {
  readonly metric: TelemetryMetric;
  readonly select?: Readonly<Record<string, string>>;
  readonly stepS?: number;
}

export interface PrometheusSeries {
  readonly series: Series;
  /** The chosen series' labels. */
  readonly labels: Readonly<Record<string, string>>;
  readonly samples: number;
}

/** Parses the response text; throws InputError (via `problems`). */
export function parsePrometheusRange(text: string, options: PrometheusOptions, problems: Problems): PrometheusSeries {
  let document: unknown;
  try {
    // Machine-written: the duplicate-key scan (for people's typos) is skipped, it is slow on big responses.
    document = parseJsonDocument(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, problems.where.source, { trustKeys: () => true });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    problems.adopt(error);
    problems.check();
  }
  return readPrometheusRange(document, options, problems);
}

/** The same, from the parsed document. */
export function readPrometheusRange(document: unknown, options: PrometheusOptions, problems: Problems): PrometheusSeries {
  const root = asObject(document);
  if (root === undefined) fail(problems, `expected a Prometheus query_range response (an object with "status" and "data"), received ${kindOf(document)}`);
  if (root!.status === 'error') {
    const type = typeof root!.errorType === 'string' ? root!.errorType : 'unknown';
    const message = typeof root!.error === 'string' ? root!.error : '(no message)';
    fail(problems, `the Prometheus query failed: ${type}: ${message}`, 'a successful response', `status "error"`);
  }
  if (root!.status !== undefined && root!.status !== 'success') fail(problems, `status: expected "success" or "error", received ${JSON.stringify(root!.status)}`);
  // Accept the `data` object on its own too (a response piped through `jq .data`).
  const data = root!.data === undefined && root!.resultType !== undefined ? root! : asObject(root!.data);
  if (data === undefined) fail(problems, `data: expected an object with resultType and result, received ${kindOf(root!.data)}`);
  if (data!.resultType !== 'matrix') {
    const hint = data!.resultType === 'vector' || data!.resultType === 'scalar' ? ': that is an instant query (/api/v1/query); a series needs /api/v1/query_range' : '';
    fail(problems, `data.resultType: expected "matrix", received ${JSON.stringify(data!.resultType)}${hint}`, 'matrix', String(data!.resultType));
  }
  if (!Array.isArray(data!.result)) fail(problems, `data.result: expected an array of series, received ${kindOf(data!.result)}`);
  for (const warning of Array.isArray(root!.warnings) ? root!.warnings : []) problems.warn(`Prometheus warned: ${String(warning)}`);
  const result = data!.result as unknown[];
  if (result.length === 0) fail(problems, 'data.result is empty: the query matched no series over the range', 'one series', 'none');
  const index = pickSeries(result, options.select, problems);
  const entry = asObject(result[index])!;
  const labels = labelsOf(entry.metric);
  const values = entry.values;
  const at = `data.result[${index}].values`;
  if (!Array.isArray(values)) {
    const why = entry.histograms !== undefined ? ' (it holds native histograms, which are not a series of numbers: query a quantile or rate of them)' : '';
    fail(problems, `${at}: expected an array of [time, "value"] pairs, received ${kindOf(values)}${why}`);
  }
  const samples = values as unknown[];
  if (samples.length === 0) fail(problems, `${at} is empty`, 'samples', 'none');
  const rule = valueRuleOf(options.metric);
  const timesS = new Float64Array(samples.length);
  const out = new Float64Array(samples.length);
  const missing: number[] = [];
  let last = Number.NEGATIVE_INFINITY;
  let lastIndex = -1;
  samples.forEach((sample, i) => {
    const where = `${at}[${i}]`;
    if (!Array.isArray(sample) || sample.length !== 2) {
      problems.error(`${where}: expected a [time, "value"] pair, received ${kindOf(sample)}`, 'wrong_type');
      return;
    }
    const [time, raw] = sample as [unknown, unknown];
    if (typeof time !== 'number' || !Number.isFinite(time) || Math.abs(time) > MAX_EPOCH_S) {
      problems.error(`${where}: expected a time in epoch seconds, received ${clip(JSON.stringify(time) ?? String(time))}`, 'invalid_value');
      return;
    }
    if (time === last) problems.error(`${where}: timestamp ${formatTimeS(time)} repeats [${lastIndex}]`, 'duplicate_id');
    else if (time < last) problems.error(`${where}: timestamp ${formatTimeS(time)} is before [${lastIndex}]'s (${formatTimeS(last)}): samples must be in time order`);
    else {
      last = time;
      lastIndex = i;
    }
    timesS[i] = time;
    // Prometheus writes values as strings; a number is accepted too (hand-made fixtures).
    const read = typeof raw === 'number' ? readValueCell(String(raw)) : typeof raw === 'string' ? readValueCell(raw) : undefined;
    if (read === undefined || read.kind === 'bad') {
      problems.error(`${where}: expected a value such as "0.5" or "NaN", received ${clip(JSON.stringify(raw) ?? String(raw))}`, 'invalid_number');
      out[i] = Number.NaN;
    } else if (read.kind === 'missing') {
      out[i] = Number.NaN;
      missing.push(i);
    } else {
      const why = outOfRange(read.value, rule);
      if (why !== undefined) problems.error(`${where}: ${why} for metric "${options.metric}"`, 'invalid_number', rule.what, String(raw));
      out[i] = read.value;
    }
  });
  problems.check();
  if (missing.length === samples.length) fail(problems, `${at}: every value is NaN or ±Inf`, 'numbers', 'no values');
  const series = regularise({ timesS, values: out }, options.stepS, problems);
  problems.check();
  if (missing.length > 0) problems.warn(`${missing.length} of ${samples.length} samples are NaN or ±Inf (${at}[i] for i = ${listFirst(missing)}): left missing`);
  return { series: series!, labels, samples: samples.length };
}

/** The series the selector names, or the only one; otherwise an error listing the label sets. */
function pickSeries(result: readonly unknown[], select: Readonly<Record<string, string>> | undefined, problems: Problems): number {
  const labelSets = result.map((r) => labelsOf(asObject(r)?.metric));
  const listing = (indices: readonly number[]): string => {
    const shown = indices.slice(0, 8).map((i) => formatLabels(labelSets[i]!)).join(', ');
    return indices.length > 8 ? `${shown} and ${indices.length - 8} more` : shown;
  };
  const all = labelSets.map((_, i) => i);
  if (select === undefined) {
    if (result.length === 1) return 0;
    problems.fieldError('select', `the response holds ${result.length} series: pick one with select, e.g. "select": ${JSON.stringify(distinguishing(labelSets))}; the series are ${listing(all)}`, 'missing_field', 'a label selector', 'nothing');
    problems.check();
  }
  const matches = all.filter((i) => Object.entries(select!).every(([k, v]) => labelSets[i]![k] === v));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) problems.fieldError('select', `no series has the labels ${formatLabels(select!)}; the series are ${listing(all)}`, 'unknown_reference', 'labels of one series', formatLabels(select!));
  else problems.fieldError('select', `${matches.length} series have the labels ${formatLabels(select!)}: ${listing(matches)}; add a label that tells them apart`, 'invalid_value', 'labels of one series', formatLabels(select!));
  problems.check();
  return -1;
}

/** A selector for the first series using the first label whose values differ between series. */
function distinguishing(labelSets: readonly Record<string, string>[]): Record<string, string> {
  const keys = [...new Set(labelSets.flatMap((l) => Object.keys(l)))].filter((k) => k !== '__name__');
  const key = keys.find((k) => new Set(labelSets.map((l) => l[k])).size === labelSets.length) ?? keys[0];
  return key === undefined ? {} : { [key]: labelSets[0]![key] ?? '' };
}

function labelsOf(value: unknown): Record<string, string> {
  const object = asObject(value);
  const out: Record<string, string> = {};
  if (object === undefined) return out;
  for (const [k, v] of Object.entries(object)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** `{instance="a", job="node"}`, as PromQL writes a selector. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  const name = labels.__name__ ?? '';
  const rest = Object.entries(labels).filter(([k]) => k !== '__name__').map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${name}{${rest.join(', ')}}`;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return clip(JSON.stringify(value));
}

function fail(problems: Problems, message: string, expected?: string, received?: string): never {
  problems.error(message, 'invalid_value', expected, received);
  problems.check();
  throw new Error('unreachable');
}
