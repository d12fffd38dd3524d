/** Shared by the telemetry tests: where the real data lives, entries, and reading an InputError's issues. */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import { formatPath, InputError } from '../../src/model/issues.js';
import type { TelemetryEntry } from '../../src/model/telemetry-section.js';

/** ../shared/data/telemetry, beside the repository (read-only). */
export const TELEMETRY_DATA = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/telemetry');
export const NAB = resolve(TELEMETRY_DATA, 'nab-aws-cloudwatch');
export const ALIBABA = resolve(TELEMETRY_DATA, 'alibaba2018-days1-8-300s.csv');
export const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/telemetry');

export function readData(path: string): string {
  return readFileSync(path, 'utf8');
}

export function entry(fields: Partial<TelemetryEntry> & Pick<TelemetryEntry, 'metric'>): TelemetryEntry {
  return { index: 0, pool: 'spot', file: 'data.csv', ...fields };
}

/** The issues `run` throws, as "path: message" lines; fails if it does not throw an InputError. */
export function issuesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
    throw error;
  }
  assert.unreachable('expected an InputError');
  return [];
}

/** Asserts some issue line contains every fragment. */
export function assertIssue(issues: readonly string[], ...fragments: string[]): void {
  const found = issues.some((line) => fragments.every((f) => line.includes(f)));
  assert.ok(found, `no issue with ${JSON.stringify(fragments)} among:\n${issues.join('\n')}`);
}

export function nanCount(values: Float64Array): number {
  let n = 0;
  for (const v of values) if (Number.isNaN(v)) n++;
  return n;
}
