/**
 * Run records are checked before any is written (an insert is all or nothing), and every
 * problem is reported with its path (`records[3].runtimeS`), as the task validators do.
 * The records arrive from code (importers, the dispatcher), not from a person, but a NaN or
 * a negative runtime in the history would skew every profile fitted from it afterwards.
 */
import { describeValue, InputError, type InputIssue } from '../model/issues.js';
import { OUTCOMES, type RunRecord } from './record.js';

const IDS = ['jobId', 'stageId', 'op', 'poolId', 'poolClass'] as const;
/** Absent means the default: the whole stage is the sub-task; no plan. */
const OPTIONAL_IDS = ['subtaskId', 'planId'] as const;
const OPTIONAL_NUMBERS = ['speed', 'items', 'bytesIn', 'bytesOut', 'cpuS', 'peakMemBytes', 'readBytes', 'writeBytes', 'startedAtMs', 'finishedAtMs'] as const;

/** Past this many problems the rest are summarised: one bad importer repeats one mistake. */
const MAX_ISSUES = 20;

export function validateRecords(records: readonly RunRecord[], source: string): void {
  const issues: InputIssue[] = [];
  let more = 0;
  records.forEach((record, index) => {
    for (const issue of recordIssues(record, index)) {
      if (issues.length < MAX_ISSUES) issues.push(issue);
      else more++;
    }
  });
  if (more > 0) issues.push({ code: 'invalid_value', path: ['records'], message: `and ${more} more problem${more === 1 ? '' : 's'}; nothing was written` });
  if (issues.length > 0) throw new InputError(source, issues);
}

export function recordIssues(record: RunRecord, index: number): InputIssue[] {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return [invalid(['records', index], 'a run record (an object)', record)];
  }
  const issues: InputIssue[] = [];
  const at = (field: string): (string | number)[] => ['records', index, field];
  for (const field of IDS) {
    const value: unknown = record[field];
    if (typeof value !== 'string' || value === '') issues.push(invalid(at(field), 'a non-empty string', value));
  }
  for (const field of OPTIONAL_IDS) {
    const value: unknown = record[field];
    if (value !== undefined && (typeof value !== 'string' || value === '')) issues.push(invalid(at(field), 'a non-empty string (or undefined)', value));
  }
  if (!Number.isInteger(record.attempt) || record.attempt < 1) issues.push(invalid(at('attempt'), 'a whole number >= 1', record.attempt));
  if (!isNonNegative(record.runtimeS)) issues.push(invalid(at('runtimeS'), 'a finite number >= 0', record.runtimeS));
  for (const field of OPTIONAL_NUMBERS) {
    const value: unknown = record[field];
    if (value !== undefined && !isNonNegative(value)) issues.push(invalid(at(field), 'a finite number >= 0 (or undefined when unknown)', value));
  }
  for (const field of ['error', 'worker'] as const) {
    const value: unknown = record[field];
    if (value !== undefined && typeof value !== 'string') issues.push(invalid(at(field), 'a string (or undefined)', value));
  }
  if (record.exitCode !== undefined && !Number.isInteger(record.exitCode)) issues.push(invalid(at('exitCode'), 'a whole number (or undefined)', record.exitCode));
  if (!OUTCOMES.includes(record.outcome)) issues.push(invalid(at('outcome'), `one of ${OUTCOMES.join(', ')}`, record.outcome));
  const featuresIssue = checkFeatures(record.features);
  if (featuresIssue !== undefined) issues.push({ ...invalid(at('features'), 'a JSON object', record.features), message: featuresIssue });
  const { startedAtMs, finishedAtMs } = record;
  if (isNonNegative(startedAtMs) && isNonNegative(finishedAtMs) && finishedAtMs < startedAtMs) {
    issues.push({ code: 'invalid_value', path: at('finishedAtMs'), message: `finishedAtMs ${finishedAtMs} is before startedAtMs ${startedAtMs}`, expected: `>= ${startedAtMs}`, received: String(finishedAtMs) });
  }
  return issues;
}

function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** Features are stored as JSON text: a value JSON cannot hold (a cycle, a BigInt) would fail mid-transaction. */
function checkFeatures(features: unknown): string | undefined {
  if (features === null || typeof features !== 'object' || Array.isArray(features)) return `expected a JSON object, received ${describeValue(features)}`;
  try {
    JSON.stringify(features);
    return undefined;
  } catch (error) {
    return `expected a JSON object, received one JSON cannot hold (${(error as Error).message})`;
  }
}

function invalid(path: (string | number)[], expected: string, value: unknown): InputIssue {
  const received = describeValue(value);
  const code = value === undefined ? 'missing_field' : typeof value === 'number' ? 'invalid_number' : typeof value === 'string' ? 'invalid_value' : 'wrong_type';
  return { code, path, message: `expected ${expected}, received ${received}`, expected, received };
}
