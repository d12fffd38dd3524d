/**
 * Reading input files (the only I/O before planning): a task definition in apportion's
 * format or WfFormat (detected by `schemaVersion`), and a resource map.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../model/issues.js';
import { parseDocument } from '../model/parse.js';
import type { ResourceMap, TaskDefinition } from '../model/types.js';
import { validateResourceMap } from '../model/validate-pools.js';
import { validateTaskDefinition } from '../model/validate-task.js';
import { importWfFormat, isWfFormat } from '../model/wfformat.js';

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String((error as Error).message);
    throw new InputError(path, [{ code: 'invalid_value', path: [], message: `cannot read ${path}: ${reason}`, expected: 'a readable file', received: reason }]);
  }
}

export function parseTaskDefinition(text: string, source: string): TaskDefinition {
  const document = parseDocument(text, source, { trustKeys: isWfFormat });
  return isWfFormat(document) ? importWfFormat(document, source) : validateTaskDefinition(document, source);
}

export function loadTaskDefinition(path: string): TaskDefinition {
  return parseTaskDefinition(readText(path), path);
}

export function loadResourceMap(path: string): ResourceMap {
  return validateResourceMap(parseDocument(readText(path), path), path);
}
