/**
 * A small field reader for validating untyped JSON/YAML input.
 *
 * Each accessor records problems in a shared list instead of throwing, so one pass reports
 * every problem at once. Accessors return `undefined` for a missing or bad value; callers
 * carry on with what is valid so later checks (references, cycles) still run.
 */
import { describeValue, didYouMean, formatPath, type InputIssue, type PathSegment } from './issues.js';

export type Path = readonly PathSegment[];

export interface NumberRule {
  /** Smallest allowed value (inclusive). */
  readonly min?: number;
  /** Exclusive lower bound, for "must be positive". */
  readonly above?: number;
  readonly max?: number;
  /**
   * Largest value the model can take without results overflowing (see limits.ts). Unlike
   * `max` it is left out of the message for other problems and named on its own when exceeded.
   */
  readonly limit?: number;
  readonly integer?: boolean;
}

/**
 * The largest magnitude of any number in a task definition, resource map or reservation.
 * 1e18 covers an exabyte, 10^18 items and 3·10^10 years; products of a few such numbers (the
 * cost model forms at most about five: items × runtime per item × price × …) stay far below
 * the float range (1e308), so every term and objective of a plan is finite.
 */
export const MAX_INPUT_MAGNITUDE = 1e18;

export class FieldReader {
  readonly issues: InputIssue[] = [];

  report(issue: InputIssue): void {
    this.issues.push(issue);
  }

  /** Checks `value` is a plain object with only `allowed` keys; reports unknown keys with a suggestion. */
  object(value: unknown, path: Path, allowed: readonly string[]): Record<string, unknown> | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.report({ code: 'wrong_type', path, message: `expected an object, received ${describeValue(value)}`, expected: 'object', received: describeValue(value) });
      return undefined;
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!allowed.includes(key)) {
        this.report({
          code: 'unknown_field',
          path: [...path, key],
          message: `unknown field "${key}"${didYouMean(key, allowed)}`,
          expected: `one of ${allowed.join(', ')}`,
          received: JSON.stringify(key),
        });
      }
    }
    return record;
  }

  array(value: unknown, path: Path): readonly unknown[] | undefined {
    if (!Array.isArray(value)) {
      this.report({ code: 'wrong_type', path, message: `expected an array, received ${describeValue(value)}`, expected: 'array', received: describeValue(value) });
      return undefined;
    }
    return value;
  }

  /** Reads `record[key]` as an array if present; missing gives an empty array unless `required`. */
  optionalArray(record: Record<string, unknown>, key: string, path: Path): readonly unknown[] {
    if (record[key] === undefined) return [];
    return this.array(record[key], [...path, key]) ?? [];
  }

  requireArray(record: Record<string, unknown>, key: string, path: Path): readonly unknown[] | undefined {
    if (record[key] === undefined) {
      this.missing(path, key, 'array');
      return undefined;
    }
    return this.array(record[key], [...path, key]);
  }

  missing(path: Path, key: string, expected: string): void {
    this.report({ code: 'missing_field', path: [...path, key], message: `missing required field "${key}" (${expected})`, expected, received: 'nothing' });
  }

  string(record: Record<string, unknown>, key: string, path: Path, required: boolean): string | undefined {
    const value = record[key];
    if (value === undefined) {
      if (required) this.missing(path, key, 'string');
      return undefined;
    }
    if (typeof value !== 'string' || value.length === 0) {
      const received = describeValue(value);
      this.report({ code: 'wrong_type', path: [...path, key], message: `expected a non-empty string, received ${received}`, expected: 'string', received });
      return undefined;
    }
    return value;
  }

  number(record: Record<string, unknown>, key: string, path: Path, rule: NumberRule, required = false): number | undefined {
    const value = record[key];
    const at = [...path, key];
    if (value === undefined) {
      if (required) this.missing(path, key, 'number');
      return undefined;
    }
    return this.checkNumber(value, at, rule);
  }

  checkNumber(value: unknown, at: Path, rule: NumberRule): number | undefined {
    const received = describeValue(value);
    if (typeof value !== 'number') {
      this.report({ code: 'wrong_type', path: at, message: `expected a number, received ${received}`, expected: 'number', received });
      return undefined;
    }
    const expected = describeRule(rule);
    const bad = (why: string): undefined => {
      this.report({ code: 'invalid_number', path: at, message: `expected ${expected}, received ${received}${why}`, expected, received });
      return undefined;
    };
    if (!Number.isFinite(value)) return bad('');
    if (rule.integer === true && !Number.isInteger(value)) return bad(' (not a whole number)');
    if (rule.min !== undefined && value < rule.min) return bad('');
    if (rule.above !== undefined && value <= rule.above) return bad('');
    if (rule.max !== undefined && value > rule.max) return bad('');
    if (rule.limit !== undefined && value > rule.limit) {
      const limit = `a number <= ${formatLimit(rule.limit)}`;
      this.report({ code: 'invalid_number', path: at, message: `expected ${limit}, received ${received} (above the limit that keeps results finite)`, expected: limit, received });
      return undefined;
    }
    if (Math.abs(value) > MAX_INPUT_MAGNITUDE) return bad(` (above ${MAX_INPUT_MAGNITUDE.toExponential()}, the largest number an input may hold)`);
    return value;
  }

  boolean(record: Record<string, unknown>, key: string, path: Path): boolean | undefined {
    const value = record[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') {
      const received = describeValue(value);
      this.report({ code: 'wrong_type', path: [...path, key], message: `expected true or false, received ${received}`, expected: 'boolean', received });
      return undefined;
    }
    return value;
  }

  /** A list of strings (ids); non-strings are reported per element and dropped. */
  stringList(record: Record<string, unknown>, key: string, path: Path): string[] {
    const out: string[] = [];
    const items = this.optionalArray(record, key, path);
    items.forEach((item, index) => {
      if (typeof item === 'string' && item.length > 0) out.push(item);
      else {
        const received = describeValue(item);
        this.report({ code: 'wrong_type', path: [...path, key, index], message: `expected a non-empty string, received ${received}`, expected: 'string', received });
      }
    });
    return out;
  }

  /** A record of number values, such as `runtimeByPoolS: { spot: 12 }`. */
  numberRecord(record: Record<string, unknown>, key: string, path: Path, rule: NumberRule): Map<string, number> | undefined {
    const value = record[key];
    if (value === undefined) return undefined;
    const at = [...path, key];
    const object = this.object(value, at, Object.keys(value ?? {}));
    if (object === undefined) return undefined;
    const out = new Map<string, number>();
    for (const [name, raw] of Object.entries(object)) {
      const number = this.checkNumber(raw, [...at, name], rule);
      if (number !== undefined) out.set(name, number);
    }
    return out;
  }

  duplicate(path: Path, id: string, firstPath: Path): void {
    this.report({
      code: 'duplicate_id',
      path,
      message: `duplicate id "${id}" (first used at ${formatPath(firstPath)})`,
      expected: 'a unique id',
      received: JSON.stringify(id),
    });
  }

  unknownReference(path: Path, kind: string, name: string, known: Iterable<string>): void {
    this.report({
      code: 'unknown_reference',
      path,
      message: `unknown ${kind} "${name}"${didYouMean(name, known)}`,
      expected: `a ${kind} id`,
      received: JSON.stringify(name),
    });
  }
}

function describeRule(rule: NumberRule): string {
  const parts: string[] = [rule.integer === true ? 'a finite whole number' : 'a finite number'];
  if (rule.above !== undefined) parts.push(`> ${rule.above}`);
  if (rule.min !== undefined) parts.push(`>= ${formatLimit(rule.min)}`);
  if (rule.max !== undefined) parts.push(`<= ${rule.max}`);
  return parts.join(' ');
}

/** 1e12 rather than 1000000000000, 1e-6 rather than 0.000001; other numbers as they are. */
function formatLimit(value: number): string {
  return value !== 0 && (Math.abs(value) >= 1e6 || Math.abs(value) < 1e-3) ? value.toExponential().replace('e+', 'e') : String(value);
}
