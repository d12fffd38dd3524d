/** A run record with every optional measurement unknown, for tests that set only what they test. */
import type { RunRecord } from '../../src/history/record.js';

export function record(fields: Partial<RunRecord> & Pick<RunRecord, 'op' | 'runtimeS'>): RunRecord {
  return {
    jobId: 'job-1',
    stageId: 's',
    attempt: 1,
    features: {},
    poolId: 'pool',
    poolClass: 'class-a',
    speed: undefined,
    items: undefined,
    bytesIn: undefined,
    bytesOut: undefined,
    cpuS: undefined,
    peakMemBytes: undefined,
    readBytes: undefined,
    writeBytes: undefined,
    outcome: 'succeeded',
    startedAtMs: undefined,
    finishedAtMs: undefined,
    ...fields,
  };
}
