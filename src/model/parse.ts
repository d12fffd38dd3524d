/**
 * Text → untyped value, with syntax errors located by line and column.
 * JSON is the primary format; `.yaml`/`.yml` files go through the `yaml` package.
 */
import { createRequire } from 'node:module';

// `yaml` takes ~100 ms to load: only JSON users would pay it on every run, so load on demand.
type YamlModule = typeof import('yaml');
let yamlModule: YamlModule | undefined;
function yaml(): YamlModule {
  yamlModule ??= createRequire(import.meta.url)('yaml') as YamlModule;
  return yamlModule;
}
import { InputError, type PathSegment } from './issues.js';

export interface ParseOptions {
  /**
   * Skip the duplicate-key scan for documents this accepts (machine-written ones, such as
   * WfFormat traces: the scan costs ~150 ms on a 1.7 MB trace, a person's typo it exists for
   * cannot happen there).
   */
  readonly trustKeys?: (value: unknown) => boolean;
}

export function parseDocument(text: string, source: string, options: ParseOptions = {}): unknown {
  // Editors on Windows like to start UTF-8 files with a byte order mark; JSON.parse rejects it.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (/\.ya?ml$/i.test(source)) return parseYamlDocument(body, source);
  return parseJsonDocument(body, source, options);
}

export function parseJsonDocument(text: string, source: string, options: ParseOptions = {}): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // V8's messages do not always carry a position (Node 20: `Unexpected token '}', "..." is
    // not valid JSON`), so find the first fault ourselves and fall back to V8 only if needed.
    const fault = scanJson(text).fault ?? v8Fault(text, message);
    const { line, column } = lineAndColumn(text, fault.offset);
    throw new InputError(source, [{
      code: 'syntax',
      path: [],
      message: `malformed JSON at line ${line}, column ${column}: ${fault.reason}`,
      expected: 'valid JSON',
      received: lineExcerpt(text, line, column),
    }]);
  }
  // JSON.parse keeps the last of two equal keys without a word; YAML input reports them, so
  // JSON does too (every one, with its path), rather than silently dropping a value.
  if (options.trustKeys?.(value) === true) return value;
  const duplicates = scanJson(text).duplicates;
  if (duplicates.length > 0) {
    throw new InputError(source, duplicates.map((d) => {
      const at = lineAndColumn(text, d.offset);
      const first = lineAndColumn(text, d.firstOffset);
      return {
        code: 'duplicate_id' as const,
        path: d.path,
        message: `duplicate key "${d.key}" at line ${at.line}, column ${at.column} (first at line ${first.line}, column ${first.column}); JSON would silently keep only the last value`,
        expected: 'each key once per object',
        received: `"${d.key}" twice`,
      };
    }));
  }
  return value;
}

function parseYamlDocument(text: string, source: string): unknown {
  try {
    return yaml().parse(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const position = error instanceof yaml().YAMLParseError ? error.linePos?.[0] : undefined;
    const where = position === undefined ? '' : ` at line ${position.line}, column ${position.col}`;
    // With prettyErrors the first line already ends in " at line L, column C:"; say it once.
    const reason = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?\s*$/, '').replace(/[.:]\s*$/, '');
    throw new InputError(source, [{
      code: 'syntax',
      path: [],
      message: `malformed YAML${where}: ${reason}`,
      expected: 'valid YAML',
      received: position === undefined ? reason : lineExcerpt(text, position.line, position.col),
    }]);
  }
}

export interface JsonFault {
  /** UTF-16 offset of the first character that makes the text invalid (text.length = end of input). */
  readonly offset: number;
  readonly reason: string;
}

interface DuplicateKey {
  readonly path: PathSegment[];
  readonly key: string;
  readonly offset: number;
  readonly firstOffset: number;
}

class Fault extends Error {
  constructor(readonly offset: number, readonly reason: string) {
    super(reason);
  }
}

/** The first syntax error in `text`, if any (undefined also when too deeply nested to scan). */
export function findJsonFault(text: string): JsonFault | undefined {
  return scanJson(text).fault;
}

/**
 * A small JSON recogniser (RFC 8259) that names what was expected where the text goes wrong,
 * and lists keys given twice in one object with their paths.
 */
function scanJson(text: string): { fault: JsonFault | undefined; duplicates: DuplicateKey[] } {
  const n = text.length;
  const duplicates: DuplicateKey[] = [];
  const path: PathSegment[] = [];
  let i = 0;
  /** A run of string characters that need no checking. */
  const plain = /[^"\\\u0000-\u001f]*/y;
  const found = (at: number): string => {
    if (at >= n) return 'end of input';
    const word = /^[A-Za-z_$][\w$]*/.exec(text.slice(at, at + 40));
    return word ? JSON.stringify(word[0]) : JSON.stringify(text[at]);
  };
  const fail = (reason: string, at = i): never => {
    throw new Fault(at, reason);
  };
  const space = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      i++;
    }
  };
  /** Scans a string token; returns its raw text (quotes included). */
  const string = (): string => {
    const start = i;
    i++; // opening quote
    while (i < n) {
      plain.lastIndex = i;
      plain.test(text);
      i = plain.lastIndex;
      if (i >= n) break;
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return text.slice(start, i);
      }
      if (c === 0x5c) {
        const escape = text[i + 1];
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('invalid \\u escape in string (expected 4 hex digits)');
          i += 6;
        } else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) i += 2;
        else fail(`invalid escape "\\${escape ?? ''}" in string`);
      } else if (c < 0x20) {
        fail(c === 0x0a ? 'unterminated string (strings cannot span lines)' : 'unescaped control character in string (write it as \\t, \\n, ...)');
      } else i++;
    }
    return fail('unterminated string', start);
  };
  const number = (): void => {
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    match.lastIndex = i;
    const m = match.exec(text);
    if (m === null || m[0] === '-') return fail(`invalid number ${found(i)}`);
    i += m[0].length;
    if (i < n && /[.eE\d]/.test(text[i]!)) fail(`invalid number (unexpected ${found(i)})`);
  };
  const value = (depth: number): void => {
    if (depth > 5000) throw new RangeError('too deep');
    space();
    if (i >= n) fail('unexpected end of input, expected a value');
    const c = text[i]!;
    if (c === '{') return object(depth);
    if (c === '[') return array(depth);
    if (c === '"') {
      string();
      return;
    }
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    const token = found(i);
    if (token === '"NaN"' || token === '"Infinity"') fail(`JSON cannot hold ${JSON.parse(token) as string}: use a finite number (or YAML's .nan/.inf)`);
    if (c === "'") fail('strings must use double quotes');
    fail(`unexpected ${token}, expected a value (a string, number, object, array, true, false or null)`);
  };
  const object = (depth: number): void => {
    i++;
    space();
    if (text[i] === '}') {
      i++;
      return;
    }
    const seen = new Map<string, number>();
    for (;;) {
      space();
      if (text[i] !== '"') {
        if (text[i] === '}') fail('trailing comma before "}"');
        fail(`expected a double-quoted property name, found ${found(i)}`);
      }
      const keyOffset = i;
      const raw = string();
      const key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
      const first = seen.get(key);
      if (first !== undefined) duplicates.push({ path: [...path, key], key, offset: keyOffset, firstOffset: first });
      else seen.set(key, keyOffset);
      space();
      if (text[i] !== ':') fail(`expected ":" after the property name, found ${found(i)}`);
      i++;
      path.push(key);
      value(depth + 1);
      path.pop();
      space();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return;
      }
      fail(`expected "," or "}" after a property value, found ${found(i)}`);
    }
  };
  const array = (depth: number): void => {
    i++;
    space();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (let index = 0; ; index++) {
      space();
      if (text[i] === ']') fail('trailing comma before "]"');
      path.push(index);
      value(depth + 1);
      path.pop();
      space();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      fail(`expected "," or "]" after an array element, found ${found(i)}`);
    }
  };
  if (text.trim() === '') return { fault: { offset: n, reason: 'the file is empty, expected a JSON value' }, duplicates };
  try {
    value(0);
    space();
    if (i < n) fail(`unexpected ${found(i)} after the end of the JSON value`);
    return { fault: undefined, duplicates };
  } catch (error) {
    if (error instanceof Fault) return { fault: { offset: error.offset, reason: error.reason }, duplicates };
    if (error instanceof RangeError) return { fault: undefined, duplicates };
    throw error;
  }
}

/** V8 reports `... at position N` (and sometimes line/column); used when our scanner finds nothing. */
function v8Fault(text: string, message: string): JsonFault {
  const reason = message.replace(/ in JSON at position \d+.*$/s, '').replace(/^JSON\.parse: /, '').replace(/, ".*" is not valid JSON$/s, '');
  const explicit = /line (\d+) column (\d+)/.exec(message);
  if (explicit) {
    const lines = text.split('\n');
    let offset = 0;
    for (let l = 0; l < Number(explicit[1]) - 1 && l < lines.length; l++) offset += lines[l]!.length + 1;
    return { offset: offset + Number(explicit[2]) - 1, reason };
  }
  const match = /position (\d+)/.exec(message);
  return { offset: match ? Number(match[1]) : text.length, reason };
}

/** 1-based line and column of a UTF-16 offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** The offending line, cut to about 60 characters around the column. */
function lineExcerpt(text: string, line: number, column: number): string {
  const content = (text.split('\n')[line - 1] ?? '').replace(/\r$/, '');
  if (content.length <= 60) return content;
  const start = Math.max(0, Math.min(column - 30, content.length - 57));
  const cut = content.slice(start, start + 57);
  return `${start > 0 ? '...' : ''}${cut}${start + 57 < content.length ? '...' : ''}`;
}
