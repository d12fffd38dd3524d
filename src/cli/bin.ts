#!/usr/bin/env node
import { processIo } from './io.js';
import { main } from './main.js';

// A closed pipe (`apportion plan ... | head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

// The first Ctrl-C asks the running command to stop and write what it has (a plan search
// returns its best plan so far); a second one ends the process at once, as usual.
const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());

process.exitCode = await main(process.argv.slice(2), { ...processIo, interrupt: interrupt.signal });
