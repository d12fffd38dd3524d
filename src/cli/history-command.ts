/**
 * `apportion history`: record runs into the history store and look at what it holds.
 *
 *   import <wfformat.json>...   every executed task of each trace becomes one run record;
 *                               each file is one transaction, so a bad file stops the import
 *                               with the files before it kept, and re-importing adds nothing;
 *                               a task without a usable runtime is skipped with a warning
 *   show (or stats)             records, jobs, ops and outcomes in the store, and its path
 */
import { existsSync, statSync } from 'node:fs';
import { wfformatRuns, type WfFormatRuns } from '../history/wfformat-records.js';
import type { RunRecord } from '../history/record.js';
import { defaultHistoryPath, LOCK_NOTE_AFTER_MS, LOCK_TIMEOUT_MS, openHistory, type OpenHistoryOptions } from '../history/store.js';
import { formatPath, InputError, type InputIssue } from '../model/issues.js';
import { parseDocument } from '../model/parse.js';
import { isWfFormat } from '../model/wfformat.js';
import { LOCK_TIMEOUT_RULE, numberFlag, parseCommandArgs, suggest, UsageError } from './args.js';
import { readText } from '../load/files.js';
import { EXIT_INPUT, EXIT_OK, type Io } from './io.js';

const HISTORY_OPTIONS = {
  history: { type: 'string' },
  'lock-timeout': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SUBCOMMANDS = ['import', 'show', 'stats'] as const;

export const HISTORY_USAGE = `apportion history: the run records the task profiler learns from

usage:
  apportion history import <wfformat.json>... [--history FILE] [--lock-timeout S]
  apportion history show [--history FILE]        (also: stats)

options:
      --history FILE      the history store, a SQLite file created on first import (default:
                          $APPORTION_HISTORY, else $XDG_DATA_HOME/apportion/history.sqlite,
                          else ~/.local/share/apportion/history.sqlite)
      --lock-timeout S    import: seconds to wait while another process writes to the store,
                          then exit 2 (default ${LOCK_TIMEOUT_MS / 1000}; a note on stderr after ${LOCK_NOTE_AFTER_MS / 1000} s, or S/2)
  -h, --help              this help

import is idempotent: a run already in the store (same job, sub-task and attempt) is skipped.
exit codes: 0 ok, 2 bad input (an unreadable trace, a history file that is not a store, or one
another process kept busy past --lock-timeout), 1 internal error`;

export async function runHistoryCommand(args: readonly string[], io: Io): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h' || subcommand === 'help') {
    io.stdout(`${HISTORY_USAGE}\n`);
    return subcommand === undefined ? EXIT_INPUT : EXIT_OK;
  }
  if (!(SUBCOMMANDS as readonly string[]).includes(subcommand)) {
    throw new UsageError(`unknown history command "${subcommand}"${suggest(subcommand, SUBCOMMANDS)}`);
  }
  const { values, positionals } = parseCommandArgs(rest, HISTORY_OPTIONS, { history: 'a file path' });
  if (values.help === true) {
    io.stdout(`${HISTORY_USAGE}\n`);
    return EXIT_OK;
  }
  const historyPath = values.history ?? defaultHistoryPath();
  const lockTimeoutS = numberFlag('--lock-timeout', values['lock-timeout'], LOCK_TIMEOUT_RULE);
  if (subcommand === 'import') {
    const lock: OpenHistoryOptions = {
      ...(lockTimeoutS === undefined ? {} : { lockTimeoutMs: lockTimeoutS * 1000 }),
      onLockWait: (message) => io.stderr(`${message}\n`),
    };
    return importTraces(positionals, historyPath, lock, io);
  }
  if (lockTimeoutS !== undefined) throw new UsageError(`--lock-timeout is for history import (history ${subcommand} only reads, and readers do not wait for writers)`);
  if (positionals.length > 0) throw new UsageError(`history ${subcommand} takes no files, received: ${positionals.join(' ')}`);
  return showHistory(historyPath, io);
}

function importTraces(files: readonly string[], historyPath: string, lock: OpenHistoryOptions, io: Io): number {
  if (files.length === 0) throw new UsageError('history import needs at least one WfFormat trace file');
  const store = openHistory(historyPath, lock);
  let inserted = 0;
  let alreadyPresent = 0;
  let skipped = 0;
  try {
    for (const [index, file] of files.entries()) {
      try {
        const runs = traceRuns(file);
        const result = store.insert(runs.records);
        inserted += result.inserted;
        alreadyPresent += result.alreadyPresent;
        skipped += runs.skipped.length;
        if (runs.skipped.length > 0) {
          io.stderr(`${skipWarning(file, runs.skipped)}\n`);
          io.stdout(`imported ${runs.records.length} of ${plural(runs.tasks, 'task')} (${plural(result.inserted, 'new record')}, ${result.alreadyPresent} already present; ${runs.skipped.length} skipped) from ${file}\n`);
          continue;
        }
        const none = runs.tasks === 0 ? ' (the trace has no executed tasks)' : '';
        io.stdout(`imported ${plural(result.inserted, 'record')} (${result.alreadyPresent} already present) from ${file}${none}\n`);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        // InputError's message is what main() prints; the note after it says what was kept.
        io.stderr(`${error.message}\n`);
        if (files.length > 1) io.stderr(`${stoppedNote(files, index, inserted)}\n`);
        return EXIT_INPUT;
      }
    }
  } finally {
    store.close();
  }
  const skips = skipped === 0 ? '' : `; ${plural(skipped, 'task')} skipped`;
  io.stdout(`total: ${plural(inserted, 'record')} imported (${alreadyPresent} already present${skips}) from ${plural(files.length, 'file')} into ${historyPath}\n`);
  return EXIT_OK;
}

/** Past this many, skipped tasks are counted, not listed: a trace without runtimes would list every task. */
const MAX_SKIPS_LISTED = 10;

/** `⚠ FILE: skipped 1 task: workflow.execution.tasks[3].runtimeInSeconds: expected ..., received -5`; several get a line each. */
function skipWarning(file: string, skipped: readonly InputIssue[]): string {
  const lines = skipped.slice(0, MAX_SKIPS_LISTED).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  if (skipped.length > MAX_SKIPS_LISTED) lines.push(`and ${skipped.length - MAX_SKIPS_LISTED} more`);
  const head = `⚠ ${file}: skipped ${plural(skipped.length, 'task')} (no run record made for ${skipped.length === 1 ? 'it' : 'them'}):`;
  return skipped.length === 1 ? `${head} ${lines[0]}` : [head, ...lines.map((line) => `  ${line}`)].join('\n');
}

function stoppedNote(files: readonly string[], failedIndex: number, insertedBefore: number): string {
  const file = files[failedIndex]!;
  const before = failedIndex === 1 ? 'the file before it stays' : `the ${failedIndex} files before it stay`;
  const kept = failedIndex === 0 ? 'nothing was imported' : `${before} imported (${plural(insertedBefore, 'new record')})`;
  const after = files.length - failedIndex - 1;
  const skipped = after === 0 ? `${file} was not imported` : `${file} and ${after === 1 ? 'the file' : `the ${after} files`} after it were not imported`;
  return `✖ import stopped at ${file}: ${kept}; ${skipped}`;
}

/** A WfFormat trace file as run records (shared with `apportion profile eval`); tasks without a usable runtime are left out. */
export function traceRecords(file: string): RunRecord[] {
  return traceRuns(file).records;
}

/** A WfFormat trace file as run records, with the tasks that could not be records and why. */
export function traceRuns(file: string): WfFormatRuns {
  const document = parseDocument(readText(file), file, { trustKeys: isWfFormat });
  if (!isWfFormat(document)) {
    throw new InputError(file, [{
      code: 'invalid_value',
      path: [],
      message: 'not a WfFormat trace: history import reads measured runs (workflow.execution); an apportion task definition holds none',
      expected: 'a WfFormat trace',
      received: 'another JSON document',
    }]);
  }
  return wfformatRuns(document, file);
}

function showHistory(historyPath: string, io: Io): number {
  if (!existsSync(historyPath) || statSync(historyPath).size === 0) {
    io.stdout(`history store: ${historyPath} (not created yet: "apportion history import" creates it)\nrecords: 0\n`);
    return EXIT_OK;
  }
  const store = openHistory(historyPath, { readonly: true });
  try {
    const { records, jobs, ops, byOutcome } = store.summary();
    const outcomes = Object.entries(byOutcome).map(([outcome, n]) => `${outcome} ${n}`).join(', ');
    io.stdout(`history store: ${historyPath}\nrecords: ${records} (${outcomes})\njobs: ${jobs}\nops: ${ops}\n`);
  } finally {
    store.close();
  }
  return EXIT_OK;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
