/**
 * What every command writes to, and the exit codes they return: 0 ok, 1 internal error, 2 bad
 * input (every problem printed with its path), 3 the plan was made but misses its deadline or
 * budget, 130 interrupted (Ctrl-C; what was found so far is still written).
 */

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_INPUT = 2;
export const EXIT_CONSTRAINT = 3;
export const EXIT_INTERRUPTED = 130;

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly isTty: boolean;
  /** Aborted on Ctrl-C (SIGINT) while a command runs; absent in tests that do not need it. */
  readonly interrupt?: AbortSignal;
}

export const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTty: process.stderr.isTTY === true,
};
