/** Shared by the history tests: temp dirs, file digests, and run records with every kind of field. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/model/issues.js';
import type { Outcome, RunRecord } from '../../src/history/record.js';

/** Runs `body` in a fresh temp dir, removed afterwards even when the body throws. */
export async function inTempDir<T>(body: (dir: string) => T | Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'apportion-history-'));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

const OUTCOME_CYCLE: readonly Outcome[] = ['succeeded', 'succeeded', 'failed', 'interrupted'];

/**
 * Record `i` of job `jobId`: every optional field is unknown on some records, numbers include
 * fractions, zero and integers past 2^32, ids include non-ASCII text.
 */
export function sampleRecord(i: number, jobId = 'job-a'): RunRecord {
  const unknown = i % 3 === 0;
  return {
    jobId,
    stageId: `stage-${i}/ü✓`,
    attempt: 1 + (i % 2),
    op: `op${i % 4}`,
    features: unknown ? {} : { sample: `s${i}`, sizes: [i, i * 0.5], nested: { flag: i % 2 === 0, none: null } },
    poolId: `pool-${i % 5}`,
    poolClass: `class-${i % 3}`,
    speed: unknown ? undefined : 1 + i / 7,
    items: unknown ? undefined : i * 1000,
    bytesIn: unknown ? undefined : 2 ** 40 + i,
    bytesOut: i * 3,
    runtimeS: i === 0 ? 0 : i * 1.2345678901234567,
    cpuS: unknown ? undefined : i * 0.1 + 1e-9,
    peakMemBytes: unknown ? undefined : 2 ** 33 + i,
    readBytes: unknown ? undefined : i * 17,
    writeBytes: unknown ? undefined : i * 19.5,
    outcome: OUTCOME_CYCLE[i % OUTCOME_CYCLE.length]!,
    startedAtMs: unknown ? undefined : 1_586_751_402_000 + i * 1000,
    finishedAtMs: unknown ? undefined : 1_586_751_402_000 + i * 1000 + 500.25,
  };
}

/** The InputError `fn` throws (fails the test if it throws anything else, or nothing). */
export function inputErrorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw new Error(`expected an InputError, got ${String(error)}`);
  }
  throw new Error('expected an InputError, nothing was thrown');
}
