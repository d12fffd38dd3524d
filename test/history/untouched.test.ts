/**
 * Files that are not a sound apportion store are refused with a message saying what they are,
 * and are never modified: each case compares the file's sha256 before and after, for
 * read-write and read-only opens.
 */
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openHistory } from '../../src/history/store.js';
import { seededRandom } from '../../src/util/random.js';
import { inputErrorOf, inTempDir, sampleRecord, sha256 } from './helpers.js';

const test = suite('history: foreign and corrupt files are left untouched');

const SEED = 20240611;
console.log(`history untouched: seed ${SEED}`);

function randomBytes(count: number, seed: number): Buffer {
  const next = seededRandom(seed);
  return Buffer.from(Array.from({ length: count }, () => Math.floor(next() * 256)));
}

/** A real store of `count` records, closed (so the WAL is checkpointed into the file). */
function storeFile(path: string, count: number): Buffer {
  const store = openHistory(path);
  store.insert(Array.from({ length: count }, (_, i) => sampleRecord(i)));
  store.close();
  return readFileSync(path);
}

function expectRefused(path: string, message: RegExp): void {
  const before = sha256(path);
  for (const readonly of [false, true]) {
    const error = inputErrorOf(() => openHistory(path, { readonly }));
    assert.is(error.source, path);
    assert.match(error.message, message);
    assert.match(error.message, /left untouched/);
    assert.is(sha256(path), before, `${path} changed (readonly: ${readonly})`);
  }
}

test('random bytes: not a SQLite database', () =>
  inTempDir((dir) => {
    const path = join(dir, 'history.sqlite');
    writeFileSync(path, randomBytes(64 * 1024, SEED));
    expectRefused(path, /not a SQLite database \(corrupt, or another kind of file\)/);
  }));

test('a text file: not a SQLite database', () =>
  inTempDir((dir) => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'SQLite is great\n');
    expectRefused(path, /not a SQLite database/);
  }));

test('a store truncated to 60% of its bytes: a damaged SQLite database', () =>
  inTempDir((dir) => {
    const path = join(dir, 'history.sqlite');
    const whole = storeFile(path, 2000);
    writeFileSync(path, whole.subarray(0, Math.floor(whole.length * 0.6)));
    expectRefused(path, /a damaged SQLite database \(SQLite: .+\)/);
  }));

test('a store cut to its first 100 bytes (the header alone): damaged', () =>
  inTempDir((dir) => {
    const path = join(dir, 'history.sqlite');
    writeFileSync(path, storeFile(path, 10).subarray(0, 100));
    expectRefused(path, /a damaged SQLite database/);
  }));

test('a store with one page overwritten by random bytes: damaged', () =>
  inTempDir((dir) => {
    const path = join(dir, 'history.sqlite');
    const garbled = Buffer.from(storeFile(path, 2000));
    const pageBytes = garbled.readUInt16BE(16);
    const page = Math.floor(garbled.length / pageBytes / 2);
    randomBytes(pageBytes, SEED + 1).copy(garbled, page * pageBytes);
    writeFileSync(path, garbled);
    expectRefused(path, /a damaged SQLite database/);
  }));

test('a SQLite database of another application (tables, no application_id)', () =>
  inTempDir((dir) => {
    const path = join(dir, 'history.sqlite');
    const db = new Database(path);
    db.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me');");
    db.close();
    expectRefused(path, /not an apportion history store \(a SQLite database of another application: no application_id, 1 schema object\); left untouched — pass --history to use another file/);
  }));

test('a SQLite database with another application_id, even without tables', () =>
  inTempDir((dir) => {
    const path = join(dir, 'other.db');
    const db = new Database(path);
    db.pragma('application_id = 305419896'); // 0x12345678
    db.close();
    expectRefused(path, /another application: application_id 0x12345678/);
  }));

test('a SQLite database in WAL mode of another application', () =>
  inTempDir((dir) => {
    const path = join(dir, 'wal.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1);');
    db.close();
    expectRefused(path, /another application/);
  }));

test('a directory is refused', () =>
  inTempDir((dir) => {
    const path = join(dir, 'history.sqlite');
    mkdirSync(path);
    const error = inputErrorOf(() => openHistory(path));
    assert.match(error.message, /is a directory, not a history store/);
  }));

test.run();
