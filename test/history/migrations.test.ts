/**
 * Schema versions: a new, empty or blank file becomes a store at the current version (WAL,
 * application_id set); re-opening changes nothing; each step is one transaction; a file newer
 * than the code is refused without a byte changed; a version-1 store (attempts keyed by stage)
 * becomes version 2 (keyed by sub-task) with every row kept.
 */
import Database from 'better-sqlite3';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunRecord } from '../../src/history/record.js';
import { APPLICATION_ID, migrate, MIGRATIONS, SCHEMA_VERSION, toRow, type Migration } from '../../src/history/schema.js';
import { openHistory } from '../../src/history/store.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT, WFINSTANCES } from '../helpers/problems.js';
import { inputErrorOf, inTempDir, sampleRecord, sha256 } from './helpers.js';

const test = suite('history: migrations');

interface FileFacts {
  applicationId: number;
  userVersion: number;
  journalMode: string;
  indexes: string[];
}

function facts(path: string): FileFacts {
  const db = new Database(path, { readonly: true });
  try {
    return {
      applicationId: db.pragma('application_id', { simple: true }) as number,
      userVersion: db.pragma('user_version', { simple: true }) as number,
      journalMode: db.pragma('journal_mode', { simple: true }) as string,
      indexes: db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'runs' ORDER BY name").pluck().all() as string[],
    };
  } finally {
    db.close();
  }
}

const CURRENT: FileFacts = {
  applicationId: APPLICATION_ID,
  userVersion: SCHEMA_VERSION,
  journalMode: 'wal',
  indexes: ['runs_by_job_subtask_attempt', 'runs_by_op_pool_class'],
};

test('a path that does not exist (nor its folders) becomes a store at the current version', () =>
  inTempDir((dir) => {
    const path = join(dir, 'a', 'b', 'history.sqlite');
    openHistory(path).close();
    assert.equal(facts(path), CURRENT);
    assert.is(SCHEMA_VERSION, MIGRATIONS.length);
    assert.ok(SCHEMA_VERSION >= 1);
  }));

test('an empty (0-byte) file and a blank SQLite file are adopted', () =>
  inTempDir((dir) => {
    const empty = join(dir, 'empty.sqlite');
    writeFileSync(empty, '');
    openHistory(empty).close();
    assert.equal(facts(empty), CURRENT);

    const blank = join(dir, 'blank.sqlite');
    const db = new Database(blank);
    db.exec('VACUUM'); // writes the 100-byte header and an empty schema page
    db.close();
    openHistory(blank).close();
    assert.equal(facts(blank), CURRENT);
  }));

test('re-opening a current store migrates nothing and keeps its records', () =>
  inTempDir((dir) => {
    const path = join(dir, 'history.sqlite');
    const first = openHistory(path);
    first.insert([sampleRecord(1), sampleRecord(2)]);
    first.close();
    const again = openHistory(path);
    assert.is(again.count(), 2);
    again.close();
    const db = new Database(path);
    assert.equal(migrate(db), { fromVersion: SCHEMA_VERSION, toVersion: SCHEMA_VERSION });
    db.close();
    assert.equal(facts(path), CURRENT);
  }));

const STEPS: readonly Migration[] = [
  { version: 1, why: 'a table', sql: 'CREATE TABLE t (a INTEGER);' },
  { version: 2, why: 'a column', sql: 'ALTER TABLE t ADD COLUMN b TEXT;' },
];

test('steps run in order, each once, and a failing step rolls back to the previous version', () => {
  const db = new Database(':memory:');
  assert.equal(migrate(db, STEPS.slice(0, 1)), { fromVersion: 0, toVersion: 1 });
  assert.equal(migrate(db, STEPS), { fromVersion: 1, toVersion: 2 });
  assert.equal(db.prepare("SELECT name FROM pragma_table_info('t') ORDER BY cid").pluck().all(), ['a', 'b']);
  const failing: Migration = { version: 3, why: 'breaks halfway', sql: 'CREATE TABLE u (x); INSERT INTO no_such_table VALUES (1);' };
  assert.throws(() => migrate(db, [...STEPS, failing]), /no such table: no_such_table/);
  assert.is(db.pragma('user_version', { simple: true }), 2);
  assert.is(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'u'").pluck().get(), 0);
  db.close();
});

test('migrate refuses a list out of order, and a file newer than its list, without writing', () => {
  const db = new Database(':memory:');
  assert.throws(() => migrate(db, [STEPS[1]!, STEPS[0]!]), /migration 0 has version 2, expected 1/);
  assert.is(db.pragma('user_version', { simple: true }), 0);
  migrate(db, STEPS);
  assert.throws(() => migrate(db, STEPS.slice(0, 1)), /version 2 is newer than this apportion's \(1\)/);
  assert.is(db.pragma('user_version', { simple: true }), 2);
  db.close();
});

test('a store written by a newer apportion is refused, read-write and read-only, and left byte for byte', () =>
  inTempDir((dir) => {
    const path = join(dir, 'history.sqlite');
    const store = openHistory(path);
    store.insert([sampleRecord(1)]);
    store.close();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    const before = sha256(path);
    for (const readonly of [false, true]) {
      const error = inputErrorOf(() => openHistory(path, { readonly }));
      assert.is(error.source, path);
      assert.match(error.message, new RegExp(`written by a newer apportion \\(history schema version ${SCHEMA_VERSION + 5}; this one knows up to ${SCHEMA_VERSION}\\); left untouched`));
      assert.is(sha256(path), before);
    }
  }));

// ── version 1 → 2: attempts keyed by sub-task ──────────────────────────────────────────────

/**
 * Made by `apportion history import` of SRASEARCH_001 (22 records) plus `openHistory().insert`
 * of sampleRecord(0..5) with the code at commit 95a5005 (schema version 1), then closed: the
 * bytes a user's store has today.
 */
const V1_FIXTURE = join(REPO_ROOT, 'test', 'history', 'fixtures', 'history-v1.sqlite');
const V1_FIXTURE_RECORDS = 28;
const SRASEARCH_001 = join(WFINSTANCES, 'pegasus', 'srasearch', 'srasearch-chameleon-10a-001.json');

/** Version 1's columns, frozen here: the code no longer writes this layout. */
const V1_COLUMNS = ['job_id', 'stage_id', 'attempt', 'op', 'features', 'pool_id', 'pool_class', 'speed', 'items', 'bytes_in', 'bytes_out', 'runtime_s', 'cpu_s', 'peak_mem_bytes', 'read_bytes', 'write_bytes', 'outcome', 'started_at_ms', 'finished_at_ms', 'recorded_at_ms'];

function rows(path: string, columns: readonly string[]): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(`SELECT id, ${columns.join(', ')} FROM runs ORDER BY id`).all();
  } finally {
    db.close();
  }
}

/** A version-1 store written the way version 1's code wrote it: its migration step, WAL, its insert. */
function v1Store(path: string, records: readonly RunRecord[]): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  assert.equal(migrate(db, MIGRATIONS.slice(0, 1)), { fromVersion: 0, toVersion: 1 });
  const fields = ['jobId', 'stageId', 'attempt', 'op', 'features', 'poolId', 'poolClass', 'speed', 'items', 'bytesIn', 'bytesOut', 'runtimeS', 'cpuS', 'peakMemBytes', 'readBytes', 'writeBytes', 'outcome', 'startedAtMs', 'finishedAtMs', 'recordedAtMs'];
  const insert = db.prepare(`INSERT INTO runs (${V1_COLUMNS.join(', ')}) VALUES (${fields.map((f) => `@${f}`).join(', ')}) ON CONFLICT (job_id, stage_id, attempt) DO NOTHING`);
  for (const record of records) {
    const { subtaskId: _subtask, planId: _plan, ...row } = toRow(record, 1_700_000_000_000);
    insert.run(row);
  }
  db.close();
}

/** Two chunks of one stage, same attempt: version 1 kept the first and dropped the second. */
function chunks(jobId: string, stageId: string): RunRecord[] {
  return [0, 1].map((k) => ({ ...sampleRecord(7, jobId), stageId, subtaskId: `${stageId}#${k}`, planId: 'plan-1', attempt: 1, items: 500, runtimeS: 10 + k }));
}

test('the version-1 file made by the current release: every row kept, sub-task = stage, re-import adds nothing, chunks both land', () =>
  inTempDir(async (dir) => {
    const path = join(dir, 'history.sqlite');
    copyFileSync(V1_FIXTURE, path);
    assert.equal(facts(path), { applicationId: APPLICATION_ID, userVersion: 1, journalMode: 'wal', indexes: ['runs_by_job_stage_attempt', 'runs_by_op_pool_class'] });
    const before = rows(path, V1_COLUMNS);
    assert.is(before.length, V1_FIXTURE_RECORDS);

    const store = openHistory(path);
    assert.is(store.count(), V1_FIXTURE_RECORDS);
    const migrated = [...store.records()];
    store.close();
    assert.equal(facts(path), CURRENT);
    assert.equal(rows(path, V1_COLUMNS), before, 'every version-1 column of every row, ids included, unchanged');
    assert.equal(rows(path, ['subtask_id = stage_id AS same', 'plan_id']).map((row) => ({ ...(row as object), id: 0 })), before.map(() => ({ id: 0, same: 1, plan_id: null })));
    assert.ok(migrated.every((r) => r.subtaskId === undefined && r.planId === undefined), 'a whole-stage run reads back without a subtaskId');

    // The trace's tasks get their task id as sub-task id, which is what the migration gave the old rows.
    const again = await runCli(['history', 'import', SRASEARCH_001, '--history', path]);
    assert.is(again.code, 0, again.stderr);
    assert.match(again.stdout, /^imported 0 records \(22 already present\)/);

    const reopened = openHistory(path);
    const jobId = migrated[0]!.jobId;
    assert.equal(reopened.insert(chunks(jobId, migrated[0]!.stageId)), { inserted: 2, alreadyPresent: 0 }, 'the chunks of a stage that already has a whole-stage row');
    assert.equal(reopened.insert(chunks(jobId, migrated[0]!.stageId)), { inserted: 0, alreadyPresent: 2 });
    assert.is(reopened.count(), V1_FIXTURE_RECORDS + 2);
    reopened.close();
  }));

test('a version-1 store written by version 1\'s statements migrates in one step; records read back as written', () =>
  inTempDir((dir) => {
    const path = join(dir, 'history.sqlite');
    const records = Array.from({ length: 12 }, (_, i) => sampleRecord(i));
    v1Store(path, [...records, ...chunks('job-a', 'split')]);
    assert.is(rows(path, ['stage_id']).length, 13, 'version 1 dropped the second chunk: the bug this migration fixes');
    const db = new Database(path);
    assert.equal(migrate(db), { fromVersion: 1, toVersion: SCHEMA_VERSION });
    db.close();

    const store = openHistory(path);
    const back = [...store.records()];
    const key = (r: RunRecord): string => `${r.jobId}|${r.stageId}|${r.attempt}`;
    const sampleKeys = new Set(records.map(key));
    assert.equal(back.filter((r) => sampleKeys.has(key(r))).sort((a, b) => (key(a) < key(b) ? -1 : 1)), [...records].sort((a, b) => (key(a) < key(b) ? -1 : 1)));
    // The chunk version 1 kept is now the whole stage's run; both chunks land beside it.
    assert.equal(store.insert(chunks('job-a', 'split')), { inserted: 2, alreadyPresent: 0 });
    assert.equal(store.insert(records), { inserted: 0, alreadyPresent: records.length });
    assert.is(store.count(), 15);
    store.close();
  }));

test('a version-1 store opened read-only is refused (it needs migrating) and left byte for byte', () =>
  inTempDir((dir) => {
    const path = join(dir, 'history.sqlite');
    copyFileSync(V1_FIXTURE, path);
    const before = sha256(path);
    const error = inputErrorOf(() => openHistory(path, { readonly: true }));
    assert.match(error.message, new RegExp(`history schema version 1 is older than this apportion's \\(${SCHEMA_VERSION}\\) and the store was opened read-only; left untouched`));
    assert.is(sha256(path), before);
  }));

test.run();
