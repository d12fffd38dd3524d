/**
 * Schema versions: a new, empty or blank file becomes a store at the current version (WAL,
 * application_id set); re-opening changes nothing; each step is one transaction; a file newer
 * than the code is refused without a byte changed.
 */
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { APPLICATION_ID, migrate, MIGRATIONS, SCHEMA_VERSION, type Migration } from '../../src/history/schema.js';
import { openHistory } from '../../src/history/store.js';
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
  indexes: ['runs_by_job_stage_attempt', 'runs_by_op_pool_class'],
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

test.run();
