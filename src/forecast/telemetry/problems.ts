/**
 * Problems found while reading one telemetry file: errors (collected, so one read reports
 * them all, and thrown together as an InputError) and warnings (returned with the data).
 *
 * Errors about the file's content sit at `telemetry[i].file` with the place in the file in
 * the message (`row 17: …`, `data.result[0].values[3]: …`); errors about the entry's own
 * fields (an unknown column, a missing stepS) sit at that field, `telemetry[i].column`.
 */
import { formatPath, InputError, type InputIssue, type IssueCode, type PathSegment } from '../../model/issues.js';
import type { ForecastWarning } from '../types.js';

/** A wrong file can have a million bad rows: the first ones are listed, the rest counted. */
const MAX_ERRORS = 20;

export interface TelemetrySource {
  /** The file, as the InputError names it (a path). */
  readonly source: string;
  /** The entry's path: `['telemetry', 2]`. */
  readonly entryPath: readonly PathSegment[];
}

export class Problems {
  readonly warnings: ForecastWarning[] = [];
  private readonly issues: InputIssue[] = [];
  private dropped = 0;

  constructor(readonly where: TelemetrySource) {}

  get filePath(): readonly PathSegment[] {
    return [...this.where.entryPath, 'file'];
  }

  get errorCount(): number {
    return this.issues.length + this.dropped;
  }

  /** An error about the file's content (at `telemetry[i].file`). */
  error(message: string, code: IssueCode = 'invalid_value', expected?: string, received?: string): void {
    this.add({ code, path: this.filePath, message, ...(expected === undefined ? {} : { expected }), ...(received === undefined ? {} : { received }) });
  }

  /** An error about one of the entry's fields (at `telemetry[i].<field>`). */
  fieldError(field: string, message: string, code: IssueCode = 'invalid_value', expected?: string, received?: string): void {
    this.add({ code, path: [...this.where.entryPath, field], message, ...(expected === undefined ? {} : { expected }), ...(received === undefined ? {} : { received }) });
  }

  warn(message: string, field = 'file'): void {
    this.warnings.push({ path: formatPath([...this.where.entryPath, field]), message });
  }

  /** Re-homes issues thrown by a lower reader (the JSON parser: path = the document root) under the file's path. */
  adopt(error: InputError): void {
    for (const issue of error.issues) {
      const inner = issue.path.length === 0 ? '' : `${formatPath(issue.path)}: `;
      this.add({ ...issue, path: this.filePath, message: `${inner}${issue.message}` });
    }
  }

  /** Throws everything collected, if anything. */
  check(): void {
    if (this.errorCount === 0) return;
    const issues = [...this.issues];
    if (this.dropped > 0) issues.push({ code: 'invalid_value', path: this.filePath, message: `… and ${this.dropped} more problem${this.dropped === 1 ? '' : 's'} (the first ${MAX_ERRORS} are listed)` });
    throw new InputError(this.where.source, issues);
  }

  private add(issue: InputIssue): void {
    if (this.issues.length < MAX_ERRORS) this.issues.push(issue);
    else this.dropped++;
  }
}

/** "rows 5, 9, 13 and 4 more": the first few places of a repeated warning. */
export function listPlaces(label: string, places: readonly (string | number)[], shown = 5): string {
  if (places.length === 0) return '';
  return `${label}${places.length === 1 ? '' : 's'} ${listFirst(places, shown)}`;
}

/** "5, 9, 13 and 4 more". */
export function listFirst(items: readonly (string | number)[], shown = 5): string {
  const head = items.slice(0, shown).join(', ');
  return items.length > shown ? `${head} and ${items.length - shown} more` : head;
}

export function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
