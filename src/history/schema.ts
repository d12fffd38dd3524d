/**
 * The history store's SQLite schema: one `runs` row per attempt of a sub-task (a `RunRecord`
 * plus when it was recorded), versioned by `PRAGMA user_version` and marked as ours by `PRAGMA application_id`.
 *
 * Migrations are an ordered list; step k takes the file from user_version k-1 to k inside one
 * IMMEDIATE transaction, so a crash or a failing step leaves the previous version intact, and
 * two processes opening a new file at once migrate it once (the second sees the new version
 * after taking the write lock). Never edit a released step: append a new one.
 */
import type Database from 'better-sqlite3';
import type { Outcome, RunRecord } from './record.js';

/** 'APRT': lets `openHistory` tell its own files from another application's SQLite database. */
export const APPLICATION_ID = 0x41505254;

export interface Migration {
  /** The user_version the file has after this step. */
  readonly version: number;
  readonly why: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    why: 'run records, one row per attempt',
    // Measurements may be fractional (REAL); counts and epoch ms get INTEGER affinity, which
    // still keeps a fractional value as REAL, so every JS number reads back unchanged.
    // The unique index is the idempotency key of re-imports and, by its leftmost column, the
    // index for "records of a job"; (op, pool_class) is the profiler's grouping.
    sql: `
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        job_id TEXT NOT NULL CHECK (job_id <> ''),
        stage_id TEXT NOT NULL CHECK (stage_id <> ''),
        attempt INTEGER NOT NULL CHECK (attempt >= 1),
        op TEXT NOT NULL CHECK (op <> ''),
        features TEXT NOT NULL CHECK (json_valid(features)),
        pool_id TEXT NOT NULL CHECK (pool_id <> ''),
        pool_class TEXT NOT NULL CHECK (pool_class <> ''),
        speed REAL,
        items INTEGER,
        bytes_in INTEGER,
        bytes_out INTEGER,
        runtime_s REAL NOT NULL CHECK (runtime_s >= 0),
        cpu_s REAL,
        peak_mem_bytes INTEGER,
        read_bytes INTEGER,
        write_bytes INTEGER,
        outcome TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'interrupted')),
        started_at_ms INTEGER,
        finished_at_ms INTEGER,
        recorded_at_ms INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX runs_by_job_stage_attempt ON runs (job_id, stage_id, attempt);
      CREATE INDEX runs_by_op_pool_class ON runs (op, pool_class);
      PRAGMA application_id = ${APPLICATION_ID};
    `,
  },
  {
    version: 2,
    why: 'attempts keyed by sub-task: two chunks of one stage are two runs, not one and a duplicate',
    // SQLite cannot add a NOT NULL column without a constant default, nor change a table's
    // CHECKs, so the table is rebuilt (the documented 12-step way, inside this step's
    // transaction). A version-1 row is the run of a whole stage: its sub-task is the stage.
    // The unique index keeps job_id leftmost, so it still serves "records of a job".
    sql: `
      CREATE TABLE runs_v2 (
        id INTEGER PRIMARY KEY,
        job_id TEXT NOT NULL CHECK (job_id <> ''),
        stage_id TEXT NOT NULL CHECK (stage_id <> ''),
        subtask_id TEXT NOT NULL CHECK (subtask_id <> ''),
        plan_id TEXT CHECK (plan_id <> ''),
        attempt INTEGER NOT NULL CHECK (attempt >= 1),
        op TEXT NOT NULL CHECK (op <> ''),
        features TEXT NOT NULL CHECK (json_valid(features)),
        pool_id TEXT NOT NULL CHECK (pool_id <> ''),
        pool_class TEXT NOT NULL CHECK (pool_class <> ''),
        speed REAL,
        items INTEGER,
        bytes_in INTEGER,
        bytes_out INTEGER,
        runtime_s REAL NOT NULL CHECK (runtime_s >= 0),
        cpu_s REAL,
        peak_mem_bytes INTEGER,
        read_bytes INTEGER,
        write_bytes INTEGER,
        outcome TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'interrupted')),
        started_at_ms INTEGER,
        finished_at_ms INTEGER,
        recorded_at_ms INTEGER NOT NULL
      );
      INSERT INTO runs_v2 (id, job_id, stage_id, subtask_id, plan_id, attempt, op, features, pool_id, pool_class, speed, items,
          bytes_in, bytes_out, runtime_s, cpu_s, peak_mem_bytes, read_bytes, write_bytes, outcome, started_at_ms, finished_at_ms, recorded_at_ms)
        SELECT id, job_id, stage_id, stage_id, NULL, attempt, op, features, pool_id, pool_class, speed, items,
          bytes_in, bytes_out, runtime_s, cpu_s, peak_mem_bytes, read_bytes, write_bytes, outcome, started_at_ms, finished_at_ms, recorded_at_ms
        FROM runs;
      DROP TABLE runs;
      ALTER TABLE runs_v2 RENAME TO runs;
      CREATE UNIQUE INDEX runs_by_job_subtask_attempt ON runs (job_id, subtask_id, attempt);
      CREATE INDEX runs_by_op_pool_class ON runs (op, pool_class);
    `,
  },
  {
    version: 3,
    why: 'attempts the dispatcher ran: a cancelled outcome, the error and exit code, the worker; the run journal',
    // The outcome CHECK changes, so the table is rebuilt again (as in step 2). The journal
    // tables live in the same file so that an attempt's record and its commit are written in
    // one transaction: the history never says "succeeded" for an output that was not committed.
    sql: `
      CREATE TABLE runs_v3 (
        id INTEGER PRIMARY KEY,
        job_id TEXT NOT NULL CHECK (job_id <> ''),
        stage_id TEXT NOT NULL CHECK (stage_id <> ''),
        subtask_id TEXT NOT NULL CHECK (subtask_id <> ''),
        plan_id TEXT CHECK (plan_id <> ''),
        attempt INTEGER NOT NULL CHECK (attempt >= 1),
        op TEXT NOT NULL CHECK (op <> ''),
        features TEXT NOT NULL CHECK (json_valid(features)),
        pool_id TEXT NOT NULL CHECK (pool_id <> ''),
        pool_class TEXT NOT NULL CHECK (pool_class <> ''),
        speed REAL,
        items INTEGER,
        bytes_in INTEGER,
        bytes_out INTEGER,
        runtime_s REAL NOT NULL CHECK (runtime_s >= 0),
        cpu_s REAL,
        peak_mem_bytes INTEGER,
        read_bytes INTEGER,
        write_bytes INTEGER,
        outcome TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'interrupted', 'cancelled')),
        started_at_ms INTEGER,
        finished_at_ms INTEGER,
        error TEXT,
        exit_code INTEGER,
        worker TEXT,
        recorded_at_ms INTEGER NOT NULL
      );
      INSERT INTO runs_v3 (id, job_id, stage_id, subtask_id, plan_id, attempt, op, features, pool_id, pool_class, speed, items,
          bytes_in, bytes_out, runtime_s, cpu_s, peak_mem_bytes, read_bytes, write_bytes, outcome, started_at_ms, finished_at_ms, recorded_at_ms)
        SELECT id, job_id, stage_id, subtask_id, plan_id, attempt, op, features, pool_id, pool_class, speed, items,
          bytes_in, bytes_out, runtime_s, cpu_s, peak_mem_bytes, read_bytes, write_bytes, outcome, started_at_ms, finished_at_ms, recorded_at_ms
        FROM runs;
      DROP TABLE runs;
      ALTER TABLE runs_v3 RENAME TO runs;
      CREATE UNIQUE INDEX runs_by_job_subtask_attempt ON runs (job_id, subtask_id, attempt);
      CREATE INDEX runs_by_op_pool_class ON runs (op, pool_class);
      CREATE TABLE dispatch_runs (
        run_id TEXT PRIMARY KEY CHECK (run_id <> ''),
        job TEXT NOT NULL,
        definition_hash TEXT NOT NULL,
        backend TEXT NOT NULL,
        run_dir TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'stopped')),
        plan TEXT NOT NULL CHECK (json_valid(plan)),
        settings TEXT NOT NULL CHECK (json_valid(settings)),
        report TEXT CHECK (report IS NULL OR json_valid(report)),
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL
      );
      CREATE TABLE dispatch_commits (
        run_id TEXT NOT NULL REFERENCES dispatch_runs (run_id),
        subtask_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        pool_id TEXT NOT NULL,
        output_dir TEXT,
        value TEXT CHECK (value IS NULL OR json_valid(value)),
        started_s REAL NOT NULL,
        finished_s REAL NOT NULL,
        PRIMARY KEY (run_id, subtask_id)
      ) WITHOUT ROWID;
      CREATE TABLE dispatch_decisions (
        run_id TEXT NOT NULL REFERENCES dispatch_runs (run_id),
        seq INTEGER NOT NULL,
        at_s REAL NOT NULL,
        kind TEXT NOT NULL,
        subtask_id TEXT,
        pool_id TEXT,
        reason TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      ) WITHOUT ROWID;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the file up to the last step of `migrations` (versions 1, 2, ... in order).
 * Throws, without writing, on a file newer than the list.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): { fromVersion: number; toVersion: number } {
  migrations.forEach((step, index) => {
    if (step.version !== index + 1) throw new Error(`migration ${index} has version ${step.version}, expected ${index + 1}`);
  });
  const fromVersion = userVersion(db);
  if (fromVersion > migrations.length) throw new Error(`history schema version ${fromVersion} is newer than this apportion's (${migrations.length})`);
  for (const step of migrations) {
    // Versions only grow: a step the file had before we looked needs no write lock (a current
    // store opens while another process holds the lock).
    if (step.version <= fromVersion) continue;
    db.transaction(() => {
      // Re-read under the write lock: another process may have run this step meanwhile.
      const current = userVersion(db);
      if (current >= step.version) return;
      db.exec(step.sql);
      db.pragma(`user_version = ${step.version}`);
    }).immediate();
  }
  return { fromVersion, toVersion: userVersion(db) };
}

/** RunRecord field → column, in table order; `recorded_at_ms` is the store's own. */
export const COLUMNS = {
  jobId: 'job_id',
  stageId: 'stage_id',
  subtaskId: 'subtask_id',
  planId: 'plan_id',
  attempt: 'attempt',
  op: 'op',
  features: 'features',
  poolId: 'pool_id',
  poolClass: 'pool_class',
  speed: 'speed',
  items: 'items',
  bytesIn: 'bytes_in',
  bytesOut: 'bytes_out',
  runtimeS: 'runtime_s',
  cpuS: 'cpu_s',
  peakMemBytes: 'peak_mem_bytes',
  readBytes: 'read_bytes',
  writeBytes: 'write_bytes',
  outcome: 'outcome',
  startedAtMs: 'started_at_ms',
  finishedAtMs: 'finished_at_ms',
  error: 'error',
  exitCode: 'exit_code',
  worker: 'worker',
} as const satisfies { readonly [K in keyof RunRecord]-?: string };

type Field = keyof typeof COLUMNS;
const FIELDS = Object.keys(COLUMNS) as Field[];

/**
 * `ON CONFLICT (...) DO NOTHING` rather than `INSERT OR IGNORE`: OR IGNORE also swallows CHECK
 * and NOT NULL violations, which would count a bad row as "already present".
 */
export const INSERT_RUN_SQL = `INSERT INTO runs (${FIELDS.map((f) => COLUMNS[f]).join(', ')}, recorded_at_ms)
  VALUES (${FIELDS.map((f) => `@${f}`).join(', ')}, @recordedAtMs)
  ON CONFLICT (job_id, subtask_id, attempt) DO NOTHING`;

/** INSERT_RUN_SQL with positional parameters (binding by name costs a property lookup per column per row: the run journal writes 20,000 rows/s). */
export const INSERT_RUN_POSITIONAL_SQL = `INSERT INTO runs (${FIELDS.map((f) => COLUMNS[f]).join(', ')}, recorded_at_ms)
  VALUES (${FIELDS.map(() => '?').join(', ')}, ?)
  ON CONFLICT (job_id, subtask_id, attempt) DO NOTHING`;

/** Parameters for INSERT_RUN_POSITIONAL_SQL, in column order (as toRow, without the object). */
export function toValues(record: RunRecord, recordedAtMs: number): (string | number | null)[] {
  const values: (string | number | null)[] = new Array(FIELDS.length + 1);
  for (let i = 0; i < FIELDS.length; i++) {
    const field = FIELDS[i]!;
    const value = record[field];
    values[i] = field === 'features' ? (isEmptyObject(value) ? '{}' : JSON.stringify(value)) : (value as string | number | undefined) ?? null;
  }
  values[SUBTASK_COLUMN] = record.subtaskId ?? record.stageId;
  values[FIELDS.length] = recordedAtMs;
  return values;
}

const SUBTASK_COLUMN = FIELDS.indexOf('subtaskId');

function isEmptyObject(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  for (const _ in value) return false;
  return true;
}

/** Columns aliased to field names, for `SELECT ${SELECT_RUN_COLUMNS} FROM runs`. */
export const SELECT_RUN_COLUMNS = FIELDS.map((f) => `${COLUMNS[f]} AS ${f}`).join(', ');

/** Parameters for INSERT_RUN_SQL: better-sqlite3 refuses `undefined`, so unknowns become NULL; no subtaskId = the stage. */
export function toRow(record: RunRecord, recordedAtMs: number): Record<string, string | number | null> {
  const row: Record<string, string | number | null> = { recordedAtMs };
  for (const field of FIELDS) {
    const value = record[field];
    row[field] = field === 'features' ? JSON.stringify(value) : (value as string | number | undefined) ?? null;
  }
  row.subtaskId = record.subtaskId ?? record.stageId;
  return row;
}

/** `features` of most records: one shared, frozen empty object instead of a parse per row. */
const NO_FEATURES: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * A record from the values of one raw row (`.raw()`: an array in SELECT_RUN_COLUMNS order). Streaming a
 * fit over 10^5 records spends most of its time building row objects, so the store reads
 * arrays and builds each record once. NULL → undefined; a sub-task that is its whole stage (the
 * default) reads back without `subtaskId`, so a record reads back as it was written.
 */
export function fromValues(v: readonly unknown[]): RunRecord {
  const known = (value: unknown): number | undefined => (value === null ? undefined : (value as number));
  const stageId = v[1] as string;
  const subtaskId = v[2] as string;
  const planId = v[3] as string | null;
  const features = v[6] as string;
  return {
    jobId: v[0] as string,
    stageId,
    ...(subtaskId === stageId ? {} : { subtaskId }),
    ...(planId === null ? {} : { planId }),
    attempt: v[4] as number,
    op: v[5] as string,
    features: features === '{}' ? NO_FEATURES : (JSON.parse(features) as Record<string, unknown>),
    poolId: v[7] as string,
    poolClass: v[8] as string,
    speed: known(v[9]),
    items: known(v[10]),
    bytesIn: known(v[11]),
    bytesOut: known(v[12]),
    runtimeS: v[13] as number,
    cpuS: known(v[14]),
    peakMemBytes: known(v[15]),
    readBytes: known(v[16]),
    writeBytes: known(v[17]),
    outcome: v[18] as Outcome,
    startedAtMs: known(v[19]),
    finishedAtMs: known(v[20]),
    ...(v[21] === null ? {} : { error: v[21] as string }),
    ...(v[22] === null ? {} : { exitCode: v[22] as number }),
    ...(v[23] === null ? {} : { worker: v[23] as string }),
  };
}
