/**
 * The history store: records read back exactly as written, filters and order, idempotent
 * inserts, all-or-nothing validation, the indexes the profiler's queries use, the default path.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatPath } from '../../src/model/issues.js';
import type { RunRecord } from '../../src/history/record.js';
import { INSERT_RUN_SQL, toRow } from '../../src/history/schema.js';
import { defaultHistoryPath, openHistory, recordsQuery } from '../../src/history/store.js';
import { inputErrorOf, inTempDir, sampleRecord } from './helpers.js';

const test = suite('history: store');

const byOpThenClass = (records: readonly RunRecord[]): RunRecord[] =>
  [...records].sort((a, b) => (a.op < b.op ? -1 : a.op > b.op ? 1 : a.poolClass < b.poolClass ? -1 : a.poolClass > b.poolClass ? 1 : 0));

test('every record reads back exactly as it went in (NULL ↔ undefined, features JSON), ordered by op, pool class, insertion', () =>
  inTempDir((dir) => {
    const records = Array.from({ length: 40 }, (_, i) => sampleRecord(i));
    const store = openHistory(join(dir, 'history.sqlite'));
    assert.equal(store.insert(records), { inserted: 40, alreadyPresent: 0 });
    const back = [...store.records()];
    store.close();
    assert.equal(back, byOpThenClass(records));
    // The sample really exercises unknowns and fractions, or the comparison above proves little.
    assert.ok(back.some((r) => r.speed === undefined && r.cpuS === undefined && r.startedAtMs === undefined));
    assert.ok(back.some((r) => r.writeBytes !== undefined && !Number.isInteger(r.writeBytes)));
  }));

test('records survive closing and re-opening, read-only included', () =>
  inTempDir((dir) => {
    const path = join(dir, 'history.sqlite');
    const records = Array.from({ length: 10 }, (_, i) => sampleRecord(i));
    const writer = openHistory(path);
    writer.insert(records);
    writer.close();
    const reader = openHistory(path, { readonly: true });
    assert.is(reader.count(), 10);
    assert.equal([...reader.records()], byOpThenClass(records));
    assert.throws(() => reader.insert([sampleRecord(99)]), /opened read-only/);
    reader.close();
  }));

test('filters: by op, by outcomes, both; an empty outcome list matches nothing', () =>
  inTempDir((dir) => {
    const records = Array.from({ length: 24 }, (_, i) => sampleRecord(i));
    const store = openHistory(join(dir, 'history.sqlite'));
    store.insert(records);
    const keys = (list: Iterable<RunRecord>): string[] => [...list].map((r) => `${r.stageId}#${r.attempt}`).sort();
    assert.equal(keys(store.records({ op: 'op1' })), keys(records.filter((r) => r.op === 'op1')));
    assert.equal(keys(store.records({ outcomes: ['failed', 'interrupted'] })), keys(records.filter((r) => r.outcome !== 'succeeded')));
    assert.equal(keys(store.records({ op: 'op2', outcomes: ['failed'] })), keys(records.filter((r) => r.op === 'op2' && r.outcome === 'failed')));
    assert.ok(keys(store.records({ op: 'op2', outcomes: ['failed'] })).length > 0);
    assert.equal(keys(store.records({ outcomes: [] })), []);
    assert.equal(keys(store.records({ op: 'no-such-op' })), []);
    store.close();
  }));

test('summary counts records, jobs, ops and every outcome (zero included)', () =>
  inTempDir((dir) => {
    const store = openHistory(join(dir, 'history.sqlite'));
    store.insert([sampleRecord(0, 'j1'), sampleRecord(1, 'j1'), sampleRecord(4, 'j2'), sampleRecord(5, 'j2')]);
    assert.equal(store.summary(), { records: 4, jobs: 2, ops: 2, byOutcome: { succeeded: 4, failed: 0, interrupted: 0, cancelled: 0 } });
    store.insert([sampleRecord(2, 'j3'), sampleRecord(3, 'j3')]);
    assert.equal(store.summary(), { records: 6, jobs: 3, ops: 4, byOutcome: { succeeded: 4, failed: 1, interrupted: 1, cancelled: 0 } });
    store.close();
  }));

test('re-inserting is idempotent: same (job, sub-task, attempt) counts as already present and keeps the first version', () =>
  inTempDir((dir) => {
    const store = openHistory(join(dir, 'history.sqlite'));
    const records = Array.from({ length: 6 }, (_, i) => sampleRecord(i));
    assert.equal(store.insert(records), { inserted: 6, alreadyPresent: 0 });
    assert.equal(store.insert(records), { inserted: 0, alreadyPresent: 6 });
    const changed = { ...records[2]!, runtimeS: 999 };
    const retry = { ...records[2]!, attempt: records[2]!.attempt + 1, runtimeS: 5 };
    assert.equal(store.insert([changed, retry, retry]), { inserted: 1, alreadyPresent: 2 });
    const stored = [...store.records()].filter((r) => r.stageId === records[2]!.stageId);
    assert.equal(stored.map((r) => [r.attempt, r.runtimeS]).sort(), [[records[2]!.attempt, records[2]!.runtimeS], [retry.attempt, 5]].sort());
    assert.is(store.count(), 7);
    store.close();
  }));

test('sub-tasks: two chunks of one stage with the same attempt are two records; subtaskId and planId read back; no subtaskId = the stage', () =>
  inTempDir((dir) => {
    const path = join(dir, 'history.sqlite');
    const store = openHistory(path);
    const chunk = (k: number, extra: Partial<RunRecord> = {}): RunRecord => ({ ...sampleRecord(4), subtaskId: `split/chunk-${k}`, attempt: 1, items: 250, runtimeS: 3 + k, ...extra });
    const chunks = [chunk(0, { planId: 'plan-2026-12-02' }), chunk(1), chunk(2, { attempt: 2 })];
    assert.equal(store.insert(chunks), { inserted: 3, alreadyPresent: 0 });
    assert.equal(store.insert([chunk(1, { runtimeS: 99 }), chunk(0)]), { inserted: 0, alreadyPresent: 2 }, 'the same chunk again is already present');
    // A record without subtaskId is the whole stage: the same key as one whose subtaskId is the stage id.
    const whole = sampleRecord(4);
    assert.equal(store.insert([whole, { ...whole, subtaskId: whole.stageId }]), { inserted: 1, alreadyPresent: 1 });
    assert.equal([...store.records()], [...chunks, whole]);
    store.close();
    const db = new Database(path, { readonly: true });
    assert.equal(db.prepare('SELECT subtask_id, plan_id FROM runs ORDER BY id').raw().all(), [['split/chunk-0', 'plan-2026-12-02'], ['split/chunk-1', null], ['split/chunk-2', null], [whole.stageId, null]]);
    db.close();
  }));

test('recorded_at_ms comes from the injected clock', () =>
  inTempDir((dir) => {
    const path = join(dir, 'history.sqlite');
    const store = openHistory(path, { nowMs: () => 1_700_000_000_123 });
    store.insert([sampleRecord(1), sampleRecord(2)]);
    store.close();
    const db = new Database(path, { readonly: true });
    assert.equal(db.prepare('SELECT DISTINCT recorded_at_ms FROM runs').pluck().all(), [1_700_000_000_123]);
    db.close();
  }));

test('a bad record is reported by index and field, and nothing of the batch is written', () =>
  inTempDir((dir) => {
    const path = join(dir, 'history.sqlite');
    const store = openHistory(path);
    const records = [sampleRecord(0), sampleRecord(1), sampleRecord(2), { ...sampleRecord(3), runtimeS: -1 }];
    const error = inputErrorOf(() => store.insert(records));
    assert.is(error.source, path);
    assert.is(error.issues.length, 1);
    assert.is(formatPath(error.issues[0]!.path), 'records[3].runtimeS');
    assert.is(error.issues[0]!.message, 'expected a finite number >= 0, received -1');
    assert.match(error.message, /✖ expected a finite number >= 0, received -1\n {2}→ at records\[3\]\.runtimeS/);
    assert.is(store.count(), 0);
    store.close();
  }));

test('every problem of every record is listed with its path', () =>
  inTempDir((dir) => {
    const store = openHistory(join(dir, 'history.sqlite'));
    const bad = {
      ...sampleRecord(1),
      jobId: '',
      attempt: 0,
      speed: Number.NaN,
      cpuS: Number.POSITIVE_INFINITY,
      outcome: 'exploded',
      features: [1, 2],
      startedAtMs: 2000,
      finishedAtMs: 1000,
      subtaskId: '',
      planId: 7,
    } as unknown as RunRecord;
    const error = inputErrorOf(() => store.insert([sampleRecord(0), bad, { ...sampleRecord(2), peakMemBytes: null } as unknown as RunRecord]));
    const found = error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    assert.equal(found, [
      'records[1].jobId: expected a non-empty string, received ""',
      'records[1].subtaskId: expected a non-empty string (or undefined), received ""',
      'records[1].planId: expected a non-empty string (or undefined), received 7',
      'records[1].attempt: expected a whole number >= 1, received 0',
      'records[1].speed: expected a finite number >= 0 (or undefined when unknown), received NaN',
      'records[1].cpuS: expected a finite number >= 0 (or undefined when unknown), received Infinity',
      'records[1].outcome: expected one of succeeded, failed, interrupted, cancelled, received "exploded"',
      'records[1].features: expected a JSON object, received an array',
      'records[1].finishedAtMs: finishedAtMs 1000 is before startedAtMs 2000',
      'records[2].peakMemBytes: expected a finite number >= 0 (or undefined when unknown), received null',
    ]);
    assert.is(store.count(), 0);
    store.close();
  }));

test('features JSON cannot hold (a cycle) are a validation error, not a half-written batch', () =>
  inTempDir((dir) => {
    const store = openHistory(join(dir, 'history.sqlite'));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const error = inputErrorOf(() => store.insert([sampleRecord(0), { ...sampleRecord(1), features: cyclic }]));
    assert.is(formatPath(error.issues[0]!.path), 'records[1].features');
    assert.match(error.issues[0]!.message, /JSON cannot hold/);
    assert.is(store.count(), 0);
    store.close();
  }));

test('many bad records: the first 20 problems, then a count of the rest', () =>
  inTempDir((dir) => {
    const store = openHistory(join(dir, 'history.sqlite'));
    const error = inputErrorOf(() => store.insert(Array.from({ length: 30 }, (_, i) => ({ ...sampleRecord(i), runtimeS: -1 }))));
    assert.is(error.issues.length, 21);
    assert.is(error.issues[20]!.message, 'and 10 more problems; nothing was written');
    store.close();
  }));

test('the insert statement lets CHECK constraints fail loudly (INSERT OR IGNORE would skip the row silently)', () =>
  inTempDir((dir) => {
    const path = join(dir, 'history.sqlite');
    openHistory(path).close();
    const db = new Database(path);
    const row = { ...toRow(sampleRecord(1), 0), outcome: 'exploded' };
    assert.throws(() => db.prepare(INSERT_RUN_SQL).run(row), /CHECK constraint failed/);
    const orIgnore = INSERT_RUN_SQL.replace('INSERT INTO', 'INSERT OR IGNORE INTO').replace(/ON CONFLICT[^)]*\) DO NOTHING/, '');
    assert.is(db.prepare(orIgnore).run(row).changes, 0);
    assert.is(db.prepare('SELECT count(*) FROM runs').pluck().get(), 0);
    db.close();
  }));

test('the profiler\'s queries read from the indexes: records() streams without sorting, a job\'s records by key', () =>
  inTempDir((dir) => {
    const path = join(dir, 'history.sqlite');
    const store = openHistory(path);
    store.insert(Array.from({ length: 50 }, (_, i) => sampleRecord(i)));
    store.close();
    const db = new Database(path, { readonly: true });
    const plan = (sql: string, params: Record<string, string> = {}): string =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((row) => row.detail).join('; ');
    for (const filter of [{}, { op: 'op1' }, { op: 'op1', outcomes: ['failed' as const] }]) {
      const { sql, params } = recordsQuery(filter);
      const detail = plan(sql, params);
      assert.match(detail, /runs_by_op_pool_class/, detail);
      assert.not.match(detail, /TEMP B-TREE/, detail);
    }
    assert.match(plan("SELECT * FROM runs WHERE job_id = 'job-a'"), /USING INDEX runs_by_job_subtask_attempt \(job_id=\?\)/);
    db.close();
  }));

test('a read-only open of a file that does not exist fails clearly and creates nothing', () =>
  inTempDir((dir) => {
    const path = join(dir, 'sub', 'history.sqlite');
    const error = inputErrorOf(() => openHistory(path, { readonly: true }));
    assert.is(error.source, path);
    assert.match(error.message, /no history store here yet/);
    assert.not.ok(existsSync(join(dir, 'sub')));
  }));

test('default path: $APPORTION_HISTORY, else an absolute $XDG_DATA_HOME, else ~/.local/share', () => {
  assert.is(defaultHistoryPath({ APPORTION_HISTORY: '/x/h.sqlite', XDG_DATA_HOME: '/data', HOME: '/home/u' }), '/x/h.sqlite');
  assert.is(defaultHistoryPath({ APPORTION_HISTORY: '', XDG_DATA_HOME: '/data', HOME: '/home/u' }), '/data/apportion/history.sqlite');
  assert.is(defaultHistoryPath({ XDG_DATA_HOME: 'relative/data', HOME: '/home/u' }), '/home/u/.local/share/apportion/history.sqlite');
  assert.is(defaultHistoryPath({ HOME: '/home/u' }), '/home/u/.local/share/apportion/history.sqlite');
});

test.run();
