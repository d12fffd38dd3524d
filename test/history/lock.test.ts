/**
 * A store another writer holds: the writer here waits (a note once the wait is noticeable),
 * carries on when the lock is released, and past its timeout fails with an InputError saying
 * the store is busy (exit 2 through the CLI) with nothing written. The other writer is a real
 * process (lock-holder.ts) that lets go when the test says so, or a second connection.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openHistory } from '../../src/history/store.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT, WFINSTANCES } from '../helpers/problems.js';
import { inputErrorOf, inTempDir, sampleRecord } from './helpers.js';

const test = suite('history: a store held by another writer');

const HOLDER = join(REPO_ROOT, 'test', 'history', 'lock-holder.ts');
const V1_FIXTURE = join(REPO_ROOT, 'test', 'history', 'fixtures', 'history-v1.sqlite');
const SRASEARCH_001 = join(WFINSTANCES, 'pegasus', 'srasearch', 'srasearch-chameleon-10a-001.json');

interface Holder {
  readonly child: ChildProcess;
  /** Resolves with the exit code and everything printed. */
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts lock-holder.ts and resolves once it holds the write lock of `path`. */
function holdLock(path: string, release: string): Promise<Holder> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, path, release], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((settle) => child.on('close', (code) => settle({ code, stdout, stderr })));
    child.on('error', reject);
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (stdout.startsWith('locked\n')) resolve({ child, done });
    });
    void done.then(({ code }) => reject(new Error(`lock holder exited (${code}) before taking the lock: ${stderr}`)));
  });
}

function storeWith(path: string, count: number): void {
  const store = openHistory(path);
  store.insert(Array.from({ length: count }, (_, i) => sampleRecord(i)));
  store.close();
}

function countOf(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM runs').pluck().get() as number;
  } finally {
    db.close();
  }
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('another process holds the lock: opening a current store does not wait; the insert waits, notes it once, and lands when released', () =>
  inTempDir(async (dir) => {
    const path = join(dir, 'history.sqlite');
    const release = join(dir, 'release');
    storeWith(path, 2);
    const holder = await holdLock(path, release);
    const notes: string[] = [];
    let phase = 'open';
    const store = openHistory(path, {
      lockTimeoutMs: 120_000,
      lockNoteAfterMs: 20,
      onLockWait: (message) => {
        notes.push(`${phase}: ${message}`);
        writeFileSync(release, ''); // the holder lets go only once this process has said it waits
      },
    });
    phase = 'insert';
    assert.equal(store.insert([sampleRecord(2), sampleRecord(3)]), { inserted: 2, alreadyPresent: 0 });
    store.close();
    assert.equal(notes, [`insert: waiting for the lock on ${path}: another process is writing to the history store (giving up after 120 s)`]);
    const { code, stdout, stderr } = await holder.done;
    assert.is(code, 0, stderr);
    assert.is(stdout, 'locked\nreleased\n');
    assert.is(countOf(path), 4);
  }));

test('held past the timeout: an InputError naming the store as busy, after one note; nothing written', () =>
  inTempDir(async (dir) => {
    const path = join(dir, 'history.sqlite');
    const release = join(dir, 'release');
    storeWith(path, 2);
    const holder = await holdLock(path, release);
    const notes: string[] = [];
    const store = openHistory(path, { lockTimeoutMs: 300, onLockWait: (message) => notes.push(message) });
    try {
      const error = inputErrorOf(() => store.insert([sampleRecord(5)]));
      assert.is(error.source, path);
      assert.is(error.issues.length, 1);
      assert.match(error.issues[0]!.message, /^the history store is busy: held by another writer \(another process kept the write lock for the 0\.3 s this one waited, e\.g\. an import still running\); nothing was written/);
      assert.equal(notes, [`waiting for the lock on ${path}: another process is writing to the history store (giving up after 0.3 s)`], 'the note comes at half of a timeout shorter than the default delay');
    } finally {
      store.close();
      writeFileSync(release, '');
    }
    assert.is((await holder.done).code, 0);
    assert.is(countOf(path), 2);
  }));

test('a version-1 store held while it needs migrating: busy, and left at version 1', () =>
  inTempDir(async (dir) => {
    const path = join(dir, 'history.sqlite');
    const release = join(dir, 'release');
    copyFileSync(V1_FIXTURE, path);
    const holder = await holdLock(path, release);
    try {
      const error = inputErrorOf(() => openHistory(path, { lockTimeoutMs: 0 }));
      assert.match(error.message, /the history store is busy: held by another writer/);
    } finally {
      writeFileSync(release, '');
    }
    assert.is((await holder.done).code, 0);
    const db = new Database(path, { readonly: true });
    assert.is(db.pragma('user_version', { simple: true }), 1);
    db.close();
    const store = openHistory(path); // released: now it migrates
    assert.is(store.count(), 28);
    store.close();
  }));

test('history import while a second connection holds the lock: the note, then exit 2 with the store named busy; imports once released', () =>
  inTempDir(async (dir) => {
    const path = join(dir, 'history.sqlite');
    storeWith(path, 2);
    const holder = new Database(path);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const run = await runCli(['history', 'import', SRASEARCH_001, '--history', path, '--lock-timeout', '0.4']);
      assert.is(run.code, 2);
      assert.is(run.stdout, '');
      assert.match(run.stderr, new RegExp(`^waiting for the lock on ${escape(path)}: another process is writing to the history store \\(giving up after 0\\.4 s\\)\n${escape(path)}: 1 problem\n✖ the history store is busy: held by another writer .*; nothing was written — try again when it has finished, or pass --history to use another file\n  → at \\(root\\)\n$`));

      const noWait = await runCli(['history', 'import', SRASEARCH_001, '--history', path, '--lock-timeout', '0']);
      assert.is(noWait.code, 2);
      assert.ok(noWait.stderr.startsWith(`${path}: 1 problem\n✖ the history store is busy`), noWait.stderr);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    assert.is(countOf(path), 2);
    const after = await runCli(['history', 'import', SRASEARCH_001, '--history', path, '--lock-timeout', '0']);
    assert.is(after.code, 0, after.stderr);
    assert.is(after.stderr, '');
    assert.is(countOf(path), 2 + 22);
  }));

test('--lock-timeout: a number of seconds >= 0, for import only', async () => {
  for (const [args, message] of [
    [['history', 'import', SRASEARCH_001, '--lock-timeout=-1'], '--lock-timeout: expected a number of seconds from 0 to 86400, received "-1"'],
    [['history', 'show', '--lock-timeout', '5'], '--lock-timeout is for history import'],
  ] as const) {
    const run = await runCli(args);
    assert.is(run.code, 2, args.join(' '));
    assert.ok(run.stderr.startsWith(`✖ ${message}`), run.stderr);
  }
});

test.run();
