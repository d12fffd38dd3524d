/**
 * Child process of lock.test.ts: another writer. Takes the store's write lock (BEGIN
 * IMMEDIATE), prints "locked", and holds it until the file <release> exists (polled every
 * 5 ms), then commits and prints "released". No timing: the test decides when it lets go.
 *
 *   node --import tsx test/history/lock-holder.ts <store> <release>
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';

const [path, release] = process.argv.slice(2);
if (release === undefined) throw new Error('usage: lock-holder.ts <store> <release>');
const db = new Database(path!);
db.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\n');
const pause = new Int32Array(new SharedArrayBuffer(4));
while (!existsSync(release)) Atomics.wait(pause, 0, 0, 5);
db.exec('COMMIT');
db.close();
process.stdout.write('released\n');
