/**
 * The history store: run records in one SQLite file (better-sqlite3), created on first use.
 *
 * A file that is not ours is never modified. Before anything opens it read-write the file is
 * inspected: its first 16 bytes must be the SQLite magic, then a read-only connection reads
 * `application_id` and `user_version` and runs `PRAGMA quick_check` (~30 ms per 200k records).
 * Only an absent file, an empty one, or a sound store of a version this code knows is opened
 * read-write; anything else is an `InputError` that says the file was left untouched.
 * (Reading the header bytes ourselves is not enough for the ids: in WAL mode the newest
 * header may still sit in the -wal file, which only SQLite reads correctly.)
 *
 * Several processes may record at once: WAL mode lets readers run beside the one writer, the
 * busy timeout makes a writer wait for the lock instead of failing, and each insert is one
 * IMMEDIATE transaction (the write lock is taken up front, so two writers never deadlock
 * upgrading read locks). A writer that holds the lock for long (a big import, a stuck
 * process) is waited for up to `lockTimeoutMs`, with one `onLockWait` note once the wait is
 * noticeable; then the store is reported busy as an `InputError`, with nothing written.
 */
import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { InputError } from '../model/issues.js';
import { OUTCOMES, type Outcome, type RunRecord } from './record.js';
import { APPLICATION_ID, fromValues, INSERT_RUN_SQL, migrate, SCHEMA_VERSION, SELECT_RUN_COLUMNS, toRow, userVersion } from './schema.js';
import { validateRecords } from './validate.js';

/** How long a writer waits for another process's write lock before giving up (an import of a big trace holds it for seconds). */
export const LOCK_TIMEOUT_MS = 30_000;
/** After this long waiting for the lock, `onLockWait` says so: a silent pause reads as a hang. */
export const LOCK_NOTE_AFTER_MS = 3000;

/** `$APPORTION_HISTORY`, else `$XDG_DATA_HOME/apportion/history.sqlite`, else `~/.local/share/apportion/history.sqlite`. */
export function defaultHistoryPath(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.APPORTION_HISTORY;
  if (explicit !== undefined && explicit !== '') return explicit;
  // The XDG base directory spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  const dataHome = env.XDG_DATA_HOME;
  if (dataHome !== undefined && isAbsolute(dataHome)) return join(dataHome, 'apportion', 'history.sqlite');
  return join(env.HOME || homedir(), '.local', 'share', 'apportion', 'history.sqlite');
}

export interface OpenHistoryOptions {
  /** Never writes, never creates: the file must already be a store (at the current version). */
  readonly readonly?: boolean;
  /** Clock for `recorded_at_ms` (epoch ms); default `Date.now`. */
  readonly nowMs?: () => number;
  /** How long to wait for another process's write lock in all, before the store is reported busy; default LOCK_TIMEOUT_MS. */
  readonly lockTimeoutMs?: number;
  /** When the wait gets a note (at most once per wait); default LOCK_NOTE_AFTER_MS. */
  readonly lockNoteAfterMs?: number;
  /** Receives the note that the store is waiting for another writer's lock (the CLI: stderr). */
  readonly onLockWait?: (message: string) => void;
}

export interface InsertResult {
  readonly inserted: number;
  /** Records whose (jobId, subtaskId, attempt) was already stored (or repeated in the batch): skipped. */
  readonly alreadyPresent: number;
}

export interface RecordFilter {
  readonly op?: string;
  readonly outcomes?: readonly Outcome[];
}

export interface HistorySummary {
  readonly records: number;
  readonly jobs: number;
  readonly ops: number;
  readonly byOutcome: Record<Outcome, number>;
}

export interface HistoryStore {
  readonly path: string;
  /** Validates every record, then writes them all in one transaction, or none. */
  insert(records: Iterable<RunRecord>): InsertResult;
  /**
   * Streams records ordered by op, pool class, then insertion order. The connection is busy
   * until the iterator finishes (or is left with `break`): other calls on this store throw meanwhile.
   */
  records(filter?: RecordFilter): IterableIterator<RunRecord>;
  count(): number;
  summary(): HistorySummary;
  close(): void;
}

export function openHistory(path: string, options: OpenHistoryOptions = {}): HistoryStore {
  return openHistoryConnection(path, options).store;
}

/** A store and its connection, for the run journal (history/journal.ts), which writes its tables and the runs in one transaction. */
export interface HistoryConnection {
  readonly store: HistoryStore;
  readonly db: Database.Database;
  /** Runs a write, waiting for another process's lock as the store does (see lockWaiter). */
  underLock<T>(write: () => T): T;
  readonly nowMs: () => number;
}

export function openHistoryConnection(path: string, options: OpenHistoryOptions = {}): HistoryConnection {
  const readonly = options.readonly === true;
  const found = inspect(path);
  if (readonly && (found.state !== 'store' || found.version === 0)) {
    throw refused(path, 'no history store here yet (nothing has been recorded); import traces with "apportion history import", or pass --history to read another file', 'an apportion history store', found.state === 'absent' ? 'no file' : 'an empty file');
  }
  if (readonly && found.state === 'store' && found.version < SCHEMA_VERSION) {
    throw refused(path, `history schema version ${found.version} is older than this apportion's (${SCHEMA_VERSION}) and the store was opened read-only; left untouched — open it read-write once (e.g. "apportion history import") to migrate it`, `version ${SCHEMA_VERSION}`, `version ${found.version}`);
  }
  if (found.state === 'absent') makeParentDirectory(path);
  const lock = lockWaiter(path, options);
  // Readers never wait for the write lock in WAL mode; they get the whole timeout for the rare waits they have (WAL recovery).
  const db = openConnection(path, readonly, readonly ? lock.totalMs : lock.firstWaitMs);
  try {
    if (!readonly) {
      // Persistent: set once when the file is created, a no-op (no write) afterwards.
      lock.underLock(db, () => db.pragma('journal_mode = WAL'));
      lock.underLock(db, () => migrate(db));
    }
  } catch (error) {
    db.close();
    throw error;
  }
  const nowMs = options.nowMs ?? Date.now;
  return { store: storeOver(path, db, readonly, nowMs, lock), db, underLock: (write) => lock.underLock(db, write), nowMs };
}

interface LockWaiter {
  readonly totalMs: number;
  /** The connection's busy timeout: how long SQLite waits before `underLock` notes the wait. */
  readonly firstWaitMs: number;
  /** Runs `write` (a statement or IMMEDIATE transaction that failed at BEGIN leaves nothing to undo, so it is re-run). */
  underLock<T>(db: Database.Database, write: () => T): T;
}

/**
 * SQLite's busy handler waits silently, so the wait is split in two: up to `firstWaitMs` (the
 * note's delay, at most half the timeout so a short timeout still says what it waits for), then
 * the note, then the rest of `totalMs` in a second try.
 */
function lockWaiter(path: string, options: OpenHistoryOptions): LockWaiter {
  const totalMs = checkedMs('lockTimeoutMs', options.lockTimeoutMs ?? LOCK_TIMEOUT_MS);
  const firstWaitMs = Math.min(checkedMs('lockNoteAfterMs', options.lockNoteAfterMs ?? LOCK_NOTE_AFTER_MS), Math.round(totalMs / 2));
  return {
    totalMs,
    firstWaitMs,
    underLock(db, write) {
      try {
        return write();
      } catch (error) {
        if (!isBusy(error)) throw error;
      }
      if (totalMs === 0) throw busy(path, totalMs);
      options.onLockWait?.(`waiting for the lock on ${path}: another process is writing to the history store (giving up after ${seconds(totalMs)})`);
      db.pragma(`busy_timeout = ${totalMs - firstWaitMs}`);
      try {
        return write();
      } catch (error) {
        if (isBusy(error)) throw busy(path, totalMs);
        throw error;
      } finally {
        db.pragma(`busy_timeout = ${firstWaitMs}`);
      }
    },
  };
}

function checkedMs(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new Error(`openHistory: ${name} must be a finite number of ms >= 0, received ${value}`);
  return Math.round(value);
}

/** SQLITE_BUSY and its extended codes (SQLITE_BUSY_RECOVERY, _SNAPSHOT, _TIMEOUT). */
function isBusy(error: unknown): boolean {
  return error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY');
}

function busy(path: string, waitedMs: number): InputError {
  return refused(
    path,
    `the history store is busy: held by another writer (another process kept the write lock for the ${seconds(waitedMs)} this one waited, e.g. an import still running); nothing was written — try again when it has finished, or pass --history to use another file`,
    'a store no other process is writing to',
    `locked for ${seconds(waitedMs)}`,
  );
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** The SQL `records(filter)` runs; exported so a test can check it streams from the index without sorting. */
export function recordsQuery(filter: RecordFilter = {}): { sql: string; params: Record<string, string> } {
  const where: string[] = [];
  const params: Record<string, string> = {};
  if (filter.op !== undefined) {
    where.push('op = @op');
    params.op = filter.op;
  }
  if (filter.outcomes !== undefined) {
    // One JSON parameter instead of a placeholder per outcome.
    where.push('outcome IN (SELECT value FROM json_each(@outcomes))');
    params.outcomes = JSON.stringify(filter.outcomes);
  }
  // The (op, pool_class) index ends with the rowid, so this order is the index order: no sort
  // of the whole table before the first row streams out.
  const sql = `SELECT ${SELECT_RUN_COLUMNS} FROM runs${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY op, pool_class, id`;
  return { sql, params };
}

function storeOver(path: string, db: Database.Database, readonly: boolean, nowMs: () => number, lock: LockWaiter): HistoryStore {
  const insertRun = readonly ? undefined : db.prepare(INSERT_RUN_SQL);
  const insertRows = db.transaction((rows: readonly Record<string, string | number | null>[]): number => {
    let inserted = 0;
    for (const row of rows) inserted += insertRun!.run(row).changes;
    return inserted;
  });
  const countRuns = db.prepare<[], number>('SELECT count(*) FROM runs').pluck();
  const totals = db.prepare<[], { records: number; jobs: number; ops: number }>('SELECT count(*) AS records, count(DISTINCT job_id) AS jobs, count(DISTINCT op) AS ops FROM runs');
  const perOutcome = db.prepare<[], { outcome: Outcome; n: number }>('SELECT outcome, count(*) AS n FROM runs GROUP BY outcome');
  return {
    path,
    insert(records) {
      if (readonly) throw new Error(`${path}: the history store was opened read-only`);
      const list = [...records];
      validateRecords(list, path);
      const recordedAtMs = nowMs();
      const rows = list.map((record) => toRow(record, recordedAtMs));
      const inserted = lock.underLock(db, () => insertRows.immediate(rows));
      return { inserted, alreadyPresent: list.length - inserted };
    },
    *records(filter = {}) {
      const { sql, params } = recordsQuery(filter);
      for (const values of db.prepare<[Record<string, string>], unknown[]>(sql).raw().iterate(params)) yield fromValues(values);
    },
    count: () => countRuns.get()!,
    summary() {
      const byOutcome = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as Record<Outcome, number>;
      for (const { outcome, n } of perOutcome.all()) byOutcome[outcome] = n;
      return { ...totals.get()!, byOutcome };
    },
    close: () => db.close(),
  };
}

type Found = { readonly state: 'absent' } | { readonly state: 'empty' } | { readonly state: 'store'; readonly version: number };

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** What the file at `path` is, without writing to it; throws for anything that must be left alone. */
function inspect(path: string): Found {
  const sizeBytes = fileSize(path);
  if (sizeBytes === undefined) return { state: 'absent' };
  if (sizeBytes === 0) return { state: 'empty' };
  if (!readPrefix(path, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
    throw refused(path, 'not a SQLite database (corrupt, or another kind of file); left untouched — pass --history to use another file', 'a SQLite database', 'other bytes');
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const applicationId = db.pragma('application_id', { simple: true }) as number;
    const version = userVersion(db);
    if (applicationId !== APPLICATION_ID) {
      const objects = db.prepare<[], number>('SELECT count(*) FROM sqlite_schema').pluck().get()!;
      // A blank SQLite file (no schema, no ids) is as good as an empty one.
      if (applicationId === 0 && version === 0 && objects === 0) return { state: 'empty' };
      const whose = applicationId === 0 ? `no application_id, ${objects} schema object${objects === 1 ? '' : 's'}` : `application_id 0x${(applicationId >>> 0).toString(16)}`;
      throw refused(path, `not an apportion history store (a SQLite database of another application: ${whose}); left untouched — pass --history to use another file`, `application_id 0x${APPLICATION_ID.toString(16)}`, whose);
    }
    if (version > SCHEMA_VERSION) {
      throw refused(path, `written by a newer apportion (history schema version ${version}; this one knows up to ${SCHEMA_VERSION}); left untouched — upgrade apportion, or pass --history to use another file`, `version <= ${SCHEMA_VERSION}`, `version ${version}`);
    }
    const check = db.pragma('quick_check(1)', { simple: true }) as string;
    if (check !== 'ok') throw damaged(path, check);
    return { state: 'store', version };
  } catch (error) {
    if (error instanceof Database.SqliteError) throw damaged(path, error.message);
    throw error;
  } finally {
    db?.close();
  }
}

function openConnection(path: string, readonly: boolean, busyTimeoutMs: number): Database.Database {
  try {
    return new Database(path, { readonly, fileMustExist: readonly, timeout: busyTimeoutMs });
  } catch (error) {
    if (error instanceof Database.SqliteError) throw refused(path, `cannot open the history store: ${error.message}`, 'a readable and writable file', error.code);
    throw error;
  }
}

function damaged(path: string, finding: string): InputError {
  const firstLine = finding.split('\n').find((line) => !line.startsWith('***')) ?? finding;
  return refused(path, `a damaged SQLite database (SQLite: ${firstLine}); left untouched — restore it from a backup, or pass --history to use another file`, 'a sound SQLite database', firstLine);
}

function refused(path: string, message: string, expected: string, received: string): InputError {
  return new InputError(path, [{ code: 'invalid_value', path: [], message, expected, received }]);
}

function fileSize(path: string): number | undefined {
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw refused(path, 'is a directory, not a history store; pass --history FILE', 'a file', 'a directory');
    return stat.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw asInputError(path, error);
  }
}

function readPrefix(path: string, lengthBytes: number): Buffer {
  const buffer = Buffer.alloc(lengthBytes);
  try {
    const fd = openSync(path, 'r');
    try {
      return buffer.subarray(0, readSync(fd, buffer, 0, lengthBytes, 0));
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw asInputError(path, error);
  }
}

function makeParentDirectory(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    throw asInputError(path, error);
  }
}

function asInputError(path: string, error: unknown): unknown {
  if (error instanceof InputError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === undefined) return error;
  return refused(path, `cannot use the history store: ${(error as Error).message}`, 'a readable and writable file', code);
}
