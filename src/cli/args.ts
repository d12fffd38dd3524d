/** Argument parsing shared by the subcommands: usage errors with "did you mean" and number checks. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { nearestName } from '../model/issues.js';

/** A mistake on the command line: printed as one line and exit 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<T extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>>;

/** `parseArgs` in strict mode, its errors turned into UsageErrors that suggest the nearest option. */
export function parseCommandArgs<T extends Options>(args: readonly string[], options: T): Parsed<T> {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message);
    if (unknown) throw new UsageError(`unknown option ${unknown[1]}${suggest(unknown[1]!.replace(/^-+/, ''), Object.keys(options), '--')}`);
    throw new UsageError(message.split('\n')[0] ?? message);
  }
}

export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag}: expected one of ${allowed.join(', ')}, received "${value}"${suggest(value, allowed)}`);
}

export function nonNegative(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) throw new UsageError(`${flag}: expected a finite number >= 0, received "${value}"`);
  return number;
}

export function wholeAtLeastOne(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new UsageError(`${flag}: expected a whole number >= 1, received "${value}"`);
  return number;
}

export function suggest(word: string, candidates: readonly string[], prefix = ''): string {
  const near = nearestName(word, candidates);
  return near === undefined ? '' : ` (did you mean ${prefix}${near}?)`;
}
