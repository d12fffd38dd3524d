/**
 * Input problems, reported all at once with the path of the offending field.
 *
 * Shape follows valibot/zod issues: each problem carries a stable `code`, the `path`
 * (printed as `stages[3].after[0]`), what was expected and what was received.
 */

export type IssueCode =
  | 'syntax'
  | 'unknown_field'
  | 'missing_field'
  | 'wrong_type'
  | 'invalid_number'
  | 'invalid_value'
  | 'duplicate_id'
  | 'unknown_reference'
  | 'cycle'
  | 'empty_graph'
  | 'infeasible';

export type PathSegment = string | number;

export interface InputIssue {
  readonly code: IssueCode;
  readonly path: readonly PathSegment[];
  readonly message: string;
  readonly expected?: string;
  readonly received?: string;
}

/** Thrown by the validators and caught by the CLI, which prints every issue and exits 2. */
export class InputError extends Error {
  readonly issues: readonly InputIssue[];
  readonly source: string;

  constructor(source: string, issues: readonly InputIssue[]) {
    super(`${source}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n${formatIssues(issues)}`);
    this.name = 'InputError';
    this.source = source;
    this.issues = issues;
  }
}

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(root)' : out;
}

export function formatIssues(issues: readonly InputIssue[]): string {
  return issues.map((issue) => `✖ ${issue.message}\n  → at ${formatPath(issue.path)}`).join('\n');
}

/** Describes a received value briefly, for "expected X, received Y" messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    return String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

/** Levenshtein distance, for "did you mean" suggestions on misspelt names. */
export function editDistance(a: string, b: string): number {
  const previous = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      const substitution = diagonal + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1);
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, substitution);
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/** The closest candidate within a third of the word's length, or undefined. */
export function nearestName(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.ceil(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

export function didYouMean(word: string, candidates: Iterable<string>): string {
  const near = nearestName(word, candidates);
  return near === undefined ? '' : ` (did you mean "${near}"?)`;
}
