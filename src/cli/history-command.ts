/** `apportion history`: not built yet (issue 4 in progress). */
import { UsageError } from './args.js';
import type { Io } from './main.js';

export async function runHistoryCommand(_args: readonly string[], _io: Io): Promise<number> {
  throw new UsageError('"apportion history" is not built yet');
}
