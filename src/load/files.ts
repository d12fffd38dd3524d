/**
 * Reading input files (the only I/O before planning; the library's loaders, used by the CLI): a task definition in apportion's
 * format or WfFormat (detected by `schemaVersion`), and a resource map.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { InputError } from '../model/issues.js';
import { parseDocument } from '../model/parse.js';
import type { ResourceMap, TaskDefinition } from '../model/types.js';
import { validateResourceMap } from '../model/validate-pools.js';
import { validateTaskDefinition } from '../model/validate-task.js';
import { importWfFormat, isWfFormat } from '../model/wfformat.js';
import { openHistory } from '../history/store.js';
import { fitProfile, type Profile } from '../profile/fit.js';
import { readProfile } from '../profile/read.js';

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = fileErrorReason(error, 'no such file');
    throw new InputError(path, [{ code: 'invalid_value', path: [], message: `cannot read ${path}: ${reason}`, expected: 'a readable file', received: reason }]);
  }
}

/** Writes an output file; a path that cannot be written is bad input (exit 2) with the reason, not an internal error. */
export function writeText(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    const reason = fileErrorReason(error, 'its folder does not exist');
    throw new InputError(path, [{ code: 'invalid_value', path: [], message: `cannot write ${path}: ${reason}`, expected: 'a writable file path', received: reason }]);
  }
}

/** A file system error in words; `missing` says what ENOENT means for this operation. */
function fileErrorReason(error: unknown, missing: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? missing : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String((error as Error).message);
}

export interface TaskLoadOptions {
  /** WfFormat: plan bags of same-op tasks as divisible stages (default true; `--no-bags` = false). */
  readonly bags?: boolean;
}

export function parseTaskDefinition(text: string, source: string, options: TaskLoadOptions = {}): TaskDefinition {
  const document = parseDocument(text, source, { trustKeys: isWfFormat });
  return isWfFormat(document) ? importWfFormat(document, source, { bags: options.bags ?? true }) : validateTaskDefinition(document, source);
}

export function loadTaskDefinition(path: string, options: TaskLoadOptions = {}): TaskDefinition {
  return parseTaskDefinition(readText(path), path, options);
}

export function loadResourceMap(path: string): ResourceMap {
  return validateResourceMap(parseDocument(readText(path), path), path);
}

/** A JSON or YAML document (reservations, profiles), parsed with positions for errors. */
export function loadJsonDocument(path: string): unknown {
  return parseDocument(readText(path), path);
}

/** The profile to plan with: a fitted profile file, or one fitted now from a history store; none without either. */
export function loadProfile(profilePath: string | undefined, historyPath: string | undefined, onProgress?: (recordsRead: number, done: boolean) => void): Profile | undefined {
  if (profilePath !== undefined) return readProfile(loadJsonDocument(profilePath), profilePath);
  if (historyPath === undefined) return undefined;
  const store = openHistory(historyPath, { readonly: true });
  try {
    return fitProfile(onProgress === undefined ? store.records() : counted(store.records(), onProgress));
  } finally {
    store.close();
  }
}

/** Passes records through, reporting how many were read every PROGRESS_EVERY records, and once more at the end (the fit goes on after the last record). */
function* counted<T>(items: Iterable<T>, onProgress: (count: number, done: boolean) => void): Generator<T> {
  const PROGRESS_EVERY = 8192;
  let count = 0;
  for (const item of items) {
    yield item;
    if (++count % PROGRESS_EVERY === 0) onProgress(count, false);
  }
  onProgress(count, true);
}
