/**
 * A regular series as JSON, the simplest exchange format (and what `apportion forecast` writes):
 *
 *     { "start": "2026-11-02T00:00:00Z", "stepS": 300, "values": [12.5, 13.1, null, 12.9] }
 *
 * `startS` (epoch s) or `start` (ISO time); without either the entry's startAt (default 0).
 * `stepS` from the file or the entry. `null` is a missing value.
 */
import { describeValue, didYouMean } from '../../model/issues.js';
import { MAX_SECONDS } from '../../model/limits.js';
import type { TelemetryMetric } from '../../model/telemetry-section.js';
import { describeTimeProblem, parseTimeS } from '../../model/time.js';
import type { Series } from '../types.js';
import { listFirst, type Problems } from './problems.js';
import { MAX_SERIES_STEPS } from './regularise.js';
import { outOfRange, valueRuleOf } from './values.js';

const FIELDS = ['startS', 'start', 'stepS', 'values'] as const;

export interface SeriesJsonOptions {
  readonly metric: TelemetryMetric;
  readonly stepS?: number;
  readonly startAtS?: number;
}

/** The parsed document → a series; problems via `problems` (throws InputError). */
export function readSeriesJson(document: unknown, options: SeriesJsonOptions, problems: Problems): Series {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    problems.error(`expected a series object { "startS" or "start", "stepS", "values" }, received ${describeValue(document)}`, 'wrong_type');
    problems.check();
  }
  const root = document as Record<string, unknown>;
  for (const key of Object.keys(root)) {
    if (!(FIELDS as readonly string[]).includes(key)) problems.error(`unknown field "${key}"${didYouMean(key, FIELDS)}: a series has ${FIELDS.join(', ')}`, 'unknown_field', FIELDS.join(', '), key);
  }
  let startS: number | undefined;
  if (root.startS !== undefined && root.start !== undefined) problems.error('give startS or start, not both', 'invalid_value');
  else if (root.startS !== undefined) {
    if (typeof root.startS === 'number' && Number.isFinite(root.startS) && root.startS >= 0 && root.startS <= MAX_SECONDS) startS = root.startS;
    else problems.error(`startS: expected epoch seconds >= 0, received ${describeValue(root.startS)}`, 'invalid_number');
  } else if (root.start !== undefined) {
    const parsed = typeof root.start === 'string' ? parseTimeS(root.start) : undefined;
    if (parsed !== undefined) startS = parsed;
    else problems.error(`start: ${typeof root.start === 'string' ? describeTimeProblem(root.start) : `expected an ISO time, received ${describeValue(root.start)}`}`, 'invalid_value');
  }
  if (startS !== undefined && options.startAtS !== undefined) problems.warn('startAt is ignored: the file gives its own start', 'startAt');
  let stepS: number | undefined;
  if (root.stepS !== undefined) {
    if (typeof root.stepS === 'number' && Number.isFinite(root.stepS) && root.stepS > 0 && root.stepS <= MAX_SECONDS) stepS = root.stepS;
    else problems.error(`stepS: expected a number of seconds > 0, received ${describeValue(root.stepS)}`, 'invalid_number');
    if (stepS !== undefined && options.stepS !== undefined && options.stepS !== stepS) {
      problems.fieldError('stepS', `stepS ${options.stepS} disagrees with the file's stepS ${stepS}: leave it out`, 'invalid_value', String(stepS), String(options.stepS));
    }
  } else if (options.stepS !== undefined) stepS = options.stepS;
  else problems.error('missing "stepS" (the seconds between values), in the file or the entry', 'missing_field', 'stepS', 'nothing');
  const raw = root.values;
  if (!Array.isArray(raw)) {
    problems.error(`values: expected an array of numbers (null = missing), received ${describeValue(raw)}`, raw === undefined ? 'missing_field' : 'wrong_type');
    problems.check();
  }
  const list = raw as unknown[];
  if (list.length === 0) problems.error('values is empty: expected at least one value', 'invalid_value', 'values', 'an empty array');
  if (list.length > MAX_SERIES_STEPS) problems.error(`values holds ${list.length} values: more than ${MAX_SERIES_STEPS.toLocaleString('en')}`, 'invalid_value');
  const rule = valueRuleOf(options.metric);
  const values = new Float64Array(list.length);
  const missing: number[] = [];
  list.forEach((v, i) => {
    if (v === null) {
      values[i] = Number.NaN;
      missing.push(i);
    } else if (typeof v !== 'number') {
      problems.error(`values[${i}]: expected a number or null, received ${describeValue(v)}`, 'wrong_type', 'number or null', describeValue(v));
    } else {
      const why = outOfRange(v, rule);
      if (why !== undefined) problems.error(`values[${i}]: ${why} for metric "${options.metric}"`, 'invalid_number', rule.what, String(v));
      values[i] = v;
    }
  });
  problems.check();
  if (missing.length === list.length) {
    problems.error('every value is null', 'invalid_value', 'numbers', 'no values');
    problems.check();
  }
  if (missing.length > 0) problems.warn(`${missing.length} of ${list.length} values are null (values[i] for i = ${listFirst(missing)}): left missing`);
  return { startS: startS ?? options.startAtS ?? 0, stepS: stepS!, values };
}
