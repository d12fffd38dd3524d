/**
 * The run journal: what the dispatcher knows about a run, in the history store's file — the
 * source of truth after a crash (of the dispatcher, of Redis), not the queue.
 *
 *   dispatch_runs       one row per run: its plan, the definition's hash, settings, status, report
 *   dispatch_commits    one row per committed sub-task (primary key: committed once)
 *   dispatch_decisions  every retry, move, re-plan and give-up, with its reason (`--explain`)
 *   runs                every attempt, as a RunRecord the profiler reads (job_id = the run id)
 *
 * Writes are buffered and flushed in one IMMEDIATE transaction (`flush`): 20,000 sub-tasks/s
 * cannot afford a transaction each. Flushes keep the order of the calls, so a dependant's
 * commit is never durable before the commit of an input it read; after a crash, at most the
 * last unflushed batch is lost, and those sub-tasks simply run again (their output dirs, if
 * renamed already, are found on resume: see dispatch/resume.ts).
 */
import type Database from 'better-sqlite3';
import { InputError } from '../model/issues.js';
import type { RunRecord } from './record.js';
import { INSERT_RUN_POSITIONAL_SQL, SELECT_RUN_COLUMNS, fromValues, toValues } from './schema.js';
import { openHistoryConnection, type HistoryStore, type OpenHistoryOptions } from './store.js';
import { validateRecords } from './validate.js';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'stopped';

export interface RunRow {
  readonly runId: string;
  readonly job: string;
  readonly definitionHash: string;
  readonly backend: string;
  readonly runDir: string;
  readonly status: RunStatus;
  readonly plan: unknown;
  readonly settings: unknown;
  readonly report?: unknown;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

export interface CommitRow {
  readonly subtaskId: string;
  readonly attempt: number;
  readonly poolId: string;
  /** The committed output directory, when the attempt wrote files. */
  readonly outputDir?: string;
  /** A handler's small JSON result. */
  readonly value?: unknown;
  /** Run time (s since the run's start) the committed attempt started and finished. */
  readonly startedS: number;
  readonly finishedS: number;
}

export type DecisionKind = 'retry' | 'move' | 'stay' | 'wait' | 'replan' | 'exclude-pool' | 'give-up' | 'resume' | 'stop';

export interface DecisionRow {
  readonly seq: number;
  readonly atS: number;
  readonly kind: DecisionKind;
  readonly subtaskId?: string;
  readonly poolId?: string;
  readonly reason: string;
}

export interface RunSummaryRow {
  readonly runId: string;
  readonly job: string;
  readonly backend: string;
  readonly status: RunStatus;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  readonly committed: number;
  readonly attempts: number;
}

export interface RunJournal {
  readonly path: string;
  readonly history: HistoryStore;
  /** Registers a new run; an id already used is an InputError. Written at once (not buffered). */
  createRun(row: Omit<RunRow, 'createdAtMs' | 'updatedAtMs' | 'status'>): void;
  findRun(runId: string): RunRow | undefined;
  listRuns(): RunSummaryRow[];
  /** Flushes, then sets the status (and report). */
  setStatus(runId: string, status: RunStatus, report?: unknown): void;
  recordAttempt(record: RunRecord): void;
  recordCommit(runId: string, commit: CommitRow): void;
  recordDecision(runId: string, decision: DecisionRow): void;
  /** Buffered writes not flushed yet. */
  readonly pending: number;
  /** Writes everything buffered in one transaction. */
  flush(): void;
  commits(runId: string): CommitRow[];
  decisions(runId: string): DecisionRow[];
  /** Every attempt of a run, in the order they were recorded. */
  attempts(runId: string): RunRecord[];
  close(): void;
}

export function openRunJournal(path: string, options: OpenHistoryOptions = {}): RunJournal {
  const connection = openHistoryConnection(path, options);
  const { db, store } = connection;
  // WAL with synchronous=NORMAL: a crash of the process loses nothing, a power cut at most the
  // last flushes (their sub-tasks run again; outputs renamed into place are found on resume).
  // FULL would fsync every flush, 50 times a second.
  if (options.readonly !== true) db.pragma('synchronous = NORMAL');
  return journalOver(path, db, store, connection.underLock, connection.nowMs);
}

interface PendingWrite {
  readonly kind: 'attempt' | 'commit' | 'decision';
  /** Positional parameters of the kind's INSERT. */
  readonly row: readonly (string | number | null)[];
  readonly record?: RunRecord;
}

function journalOver(path: string, db: Database.Database, history: HistoryStore, underLock: <T>(write: () => T) => T, nowMs: () => number): RunJournal {
  const insertRun = db.prepare(INSERT_RUN_POSITIONAL_SQL);
  const insertCommit = db.prepare(`INSERT INTO dispatch_commits (run_id, subtask_id, attempt, pool_id, output_dir, value, started_s, finished_s)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, subtask_id) DO NOTHING`);
  const insertDecision = db.prepare(`INSERT INTO dispatch_decisions (run_id, seq, at_s, kind, subtask_id, pool_id, reason)
    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, seq) DO NOTHING`);
  const insertRunRow = db.prepare(`INSERT INTO dispatch_runs (run_id, job, definition_hash, backend, run_dir, status, plan, settings, report, created_at_ms, updated_at_ms)
    VALUES (@runId, @job, @definitionHash, @backend, @runDir, 'running', @plan, @settings, NULL, @now, @now)`);
  const selectRun = db.prepare<[string], Record<string, string | number | null>>('SELECT * FROM dispatch_runs WHERE run_id = ?');
  const updateStatus = db.prepare('UPDATE dispatch_runs SET status = @status, report = @report, updated_at_ms = @now WHERE run_id = @runId');
  const touch = db.prepare('UPDATE dispatch_runs SET updated_at_ms = @now WHERE run_id = @runId');
  let buffer: PendingWrite[] = [];
  const touched = new Set<string>();
  const write = db.transaction((writes: readonly PendingWrite[]) => {
    for (const w of writes) {
      if (w.kind === 'attempt') insertRun.run(...w.row);
      else if (w.kind === 'commit') insertCommit.run(...w.row);
      else insertDecision.run(...w.row);
    }
    const now = nowMs();
    for (const runId of touched) touch.run({ runId, now });
  });
  const flush = (): void => {
    if (buffer.length === 0) return;
    const writes = buffer;
    // Validated as the history store validates every record (a NaN runtime would skew every later profile).
    validateRecords(writes.flatMap((w) => (w.record === undefined ? [] : [w.record])), path);
    underLock(() => write.immediate(writes));
    buffer = [];
    touched.clear();
  };
  const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));
  return {
    path,
    history,
    createRun(row) {
      flush();
      if (selectRun.get(row.runId) !== undefined) {
        throw new InputError(path, [{ code: 'invalid_value', path: ['runId'], message: `run "${row.runId}" already exists in the history store`, expected: 'a new run id', received: row.runId }]);
      }
      underLock(() =>
        insertRunRow.run({ runId: row.runId, job: row.job, definitionHash: row.definitionHash, backend: row.backend, runDir: row.runDir, plan: JSON.stringify(row.plan), settings: JSON.stringify(row.settings), now: nowMs() }),
      );
    },
    findRun(runId) {
      const raw = selectRun.get(runId);
      if (raw === undefined) return undefined;
      return {
        runId: raw.run_id as string,
        job: raw.job as string,
        definitionHash: raw.definition_hash as string,
        backend: raw.backend as string,
        runDir: raw.run_dir as string,
        status: raw.status as RunStatus,
        plan: JSON.parse(raw.plan as string) as unknown,
        settings: JSON.parse(raw.settings as string) as unknown,
        ...(raw.report === null ? {} : { report: JSON.parse(raw.report as string) as unknown }),
        createdAtMs: raw.created_at_ms as number,
        updatedAtMs: raw.updated_at_ms as number,
      };
    },
    listRuns() {
      return db
        .prepare<[], Record<string, string | number>>(
          `SELECT r.run_id, r.job, r.backend, r.status, r.created_at_ms, r.updated_at_ms,
             (SELECT count(*) FROM dispatch_commits c WHERE c.run_id = r.run_id) AS committed,
             (SELECT count(*) FROM runs a WHERE a.job_id = r.run_id) AS attempts
           FROM dispatch_runs r ORDER BY r.created_at_ms, r.run_id`,
        )
        .all()
        .map((raw) => ({
          runId: raw.run_id as string,
          job: raw.job as string,
          backend: raw.backend as string,
          status: raw.status as RunStatus,
          createdAtMs: raw.created_at_ms as number,
          updatedAtMs: raw.updated_at_ms as number,
          committed: raw.committed as number,
          attempts: raw.attempts as number,
        }));
    },
    setStatus(runId, status, report) {
      flush();
      underLock(() => updateStatus.run({ runId, status, report: json(report), now: nowMs() }));
    },
    recordAttempt(record) {
      buffer.push({ kind: 'attempt', row: toValues(record, nowMs()), record });
      touched.add(record.jobId);
    },
    recordCommit(runId, commit) {
      buffer.push({
        kind: 'commit',
        row: [runId, commit.subtaskId, commit.attempt, commit.poolId, commit.outputDir ?? null, json(commit.value), commit.startedS, commit.finishedS],
      });
    },
    recordDecision(runId, decision) {
      buffer.push({ kind: 'decision', row: [runId, decision.seq, decision.atS, decision.kind, decision.subtaskId ?? null, decision.poolId ?? null, decision.reason] });
    },
    get pending() {
      return buffer.length;
    },
    flush,
    commits(runId) {
      return db
        .prepare<[string], Record<string, string | number | null>>('SELECT * FROM dispatch_commits WHERE run_id = ?')
        .all(runId)
        .map((raw) => ({
          subtaskId: raw.subtask_id as string,
          attempt: raw.attempt as number,
          poolId: raw.pool_id as string,
          ...(raw.output_dir === null ? {} : { outputDir: raw.output_dir as string }),
          ...(raw.value === null ? {} : { value: JSON.parse(raw.value as string) as unknown }),
          startedS: raw.started_s as number,
          finishedS: raw.finished_s as number,
        }));
    },
    decisions(runId) {
      return db
        .prepare<[string], Record<string, string | number | null>>('SELECT * FROM dispatch_decisions WHERE run_id = ? ORDER BY seq')
        .all(runId)
        .map((raw) => ({
          seq: raw.seq as number,
          atS: raw.at_s as number,
          kind: raw.kind as DecisionKind,
          ...(raw.subtask_id === null ? {} : { subtaskId: raw.subtask_id as string }),
          ...(raw.pool_id === null ? {} : { poolId: raw.pool_id as string }),
          reason: raw.reason as string,
        }));
    },
    attempts(runId) {
      return db.prepare<[string], unknown[]>(`SELECT ${SELECT_RUN_COLUMNS} FROM runs WHERE job_id = ? ORDER BY id`).raw().all(runId).map(fromValues);
    },
    close() {
      try {
        flush();
      } finally {
        db.close();
      }
    },
  };
}
