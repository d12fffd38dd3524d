/**
 * `apportion history`: record runs into the history store and look at what it holds.
 *
 *   import <wfformat.json>...   every executed task of each trace becomes one run record;
 *                               each file is one transaction, so a bad file stops the import
 *                               with the files before it kept, and re-importing adds nothing
 *   show (or stats)             records, jobs, ops and outcomes in the store, and its path
 */
import { existsSync, statSync } from 'node:fs';
import { wfformatRecords } from '../history/wfformat-records.js';
import type { RunRecord } from '../history/record.js';
import { defaultHistoryPath, openHistory } from '../history/store.js';
import { InputError } from '../model/issues.js';
import { parseDocument } from '../model/parse.js';
import { isWfFormat } from '../model/wfformat.js';
import { parseCommandArgs, suggest, UsageError } from './args.js';
import { readText } from './load.js';
import { EXIT_INPUT, EXIT_OK, type Io } from './main.js';

const HISTORY_OPTIONS = {
  history: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SUBCOMMANDS = ['import', 'show', 'stats'] as const;

export const HISTORY_USAGE = `apportion history: the run records the task profiler learns from

usage:
  apportion history import <wfformat.json>... [--history FILE]
  apportion history show [--history FILE]        (also: stats)

options:
      --history FILE      the history store, a SQLite file created on first import (default:
                          $APPORTION_HISTORY, else $XDG_DATA_HOME/apportion/history.sqlite,
                          else ~/.local/share/apportion/history.sqlite)
  -h, --help              this help

import is idempotent: a run already in the store (same job, stage and attempt) is skipped.
exit codes: 0 ok, 2 bad input (an unreadable trace, or a history file that is not a store), 1 internal error`;

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
  if (subcommand === 'import') return importTraces(positionals, historyPath, io);
  if (positionals.length > 0) throw new UsageError(`history ${subcommand} takes no files, received: ${positionals.join(' ')}`);
  return showHistory(historyPath, io);
}

function importTraces(files: readonly string[], historyPath: string, io: Io): number {
  if (files.length === 0) throw new UsageError('history import needs at least one WfFormat trace file');
  const store = openHistory(historyPath);
  let inserted = 0;
  let alreadyPresent = 0;
  try {
    for (const [index, file] of files.entries()) {
      try {
        const records = traceRecords(file);
        const result = store.insert(records);
        inserted += result.inserted;
        alreadyPresent += result.alreadyPresent;
        const none = records.length === 0 ? ' (the trace has no executed tasks)' : '';
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
  io.stdout(`total: ${plural(inserted, 'record')} imported (${alreadyPresent} already present) from ${plural(files.length, 'file')} into ${historyPath}\n`);
  return EXIT_OK;
}

function stoppedNote(files: readonly string[], failedIndex: number, insertedBefore: number): string {
  const file = files[failedIndex]!;
  const before = failedIndex === 1 ? 'the file before it stays' : `the ${failedIndex} files before it stay`;
  const kept = failedIndex === 0 ? 'nothing was imported' : `${before} imported (${plural(insertedBefore, 'new record')})`;
  const after = files.length - failedIndex - 1;
  const skipped = after === 0 ? `${file} was not imported` : `${file} and ${after === 1 ? 'the file' : `the ${after} files`} after it were not imported`;
  return `✖ import stopped at ${file}: ${kept}; ${skipped}`;
}

/** A WfFormat trace file as run records (shared with `apportion profile eval`). */
export function traceRecords(file: string): RunRecord[] {
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
  return wfformatRecords(document, file);
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
