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
    return parseArgs({ args: attachNegativeValues(args, options), options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message);
    if (unknown) throw new UsageError(`unknown option ${unknown[1]}${suggest(unknown[1]!.replace(/^-+/, ''), Object.keys(options), '--')}`);
    throw new UsageError(message.split('\n')[0] ?? message);
  }
}

/**
 * `--seed -3` → `--seed=-3`: parseArgs reads a value starting with "-" as an option and says
 * "argument is ambiguous"; a negative number after an option that takes a value is its value
 * (then checked, and refused or taken, by the option's own rule).
 */
function attachNegativeValues(args: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : Object.keys(options).find((key) => arg.length === 2 && options[key]!.short === arg.slice(1));
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      out.push(`${arg.startsWith('--') ? arg : `--${name}`}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** A whole number in [min, max]; the message says the range and the unit. */
export function wholeInRange(flag: string, value: string | undefined, min: number, max: number, unit = ''): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isInteger(number) || number < min || number > max) {
    throw new UsageError(`${flag}: expected a whole number${unit === '' ? '' : ` of ${unit}`} from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}, received "${value}"`);
  }
  return number;
}

/** A finite number in [min, max]. */
export function numberInRange(flag: string, value: string | undefined, min: number, max: number, unit = ''): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < min || number > max) throw new UsageError(`${flag}: expected a number from ${min} to ${max < 1e7 ? max.toLocaleString('en') : max.toExponential(0)}${unit === '' ? '' : ` ${unit}`}, received "${value}"`);
  return number;
}

export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag}: expected one of ${allowed.join(', ')}, received "${value}"${suggest(value, allowed)}`);
}

export function suggest(word: string, candidates: readonly string[], prefix = ''): string {
  const near = nearestName(word, candidates);
  return near === undefined ? '' : ` (did you mean ${prefix}${near}?)`;
}
