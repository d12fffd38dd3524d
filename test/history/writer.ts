/**
 * Child process of concurrent.test.ts: opens (perhaps creating) the store, waits until every
 * peer has opened it too, then writes its records in small transactions and prints its counts.
 *
 *   node --import tsx test/history/writer.ts <store> <writer id> <records> <per transaction> <barrier dir> <peers>
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../src/history/record.js';
import { openHistory } from '../../src/history/store.js';
import { record } from '../helpers/records.js';

const [path, writer, recordsText, batchText, barrierDir, peersText] = process.argv.slice(2);
if (peersText === undefined) throw new Error('usage: writer.ts <store> <writer id> <records> <per transaction> <barrier dir> <peers>');
const recordCount = Number(recordsText);
const batch = Number(batchText);
const peers = Number(peersText);

const store = openHistory(path!);
// A barrier, so that the writers' transactions overlap instead of one finishing before the other starts.
writeFileSync(join(barrierDir!, `ready-${writer}`), '');
const pause = new Int32Array(new SharedArrayBuffer(4));
while (readdirSync(barrierDir!).filter((name) => name.startsWith('ready-')).length < peers) Atomics.wait(pause, 0, 0, 2);

let inserted = 0;
let alreadyPresent = 0;
for (let start = 0; start < recordCount; start += batch) {
  const records: RunRecord[] = [];
  for (let i = start; i < Math.min(start + batch, recordCount); i++) records.push(writerRecord(writer!, i));
  const result = store.insert(records);
  inserted += result.inserted;
  alreadyPresent += result.alreadyPresent;
}
store.close();
process.stdout.write(JSON.stringify({ inserted, alreadyPresent }));

export function writerRecord(writerId: string, i: number): RunRecord {
  return record({ jobId: `writer-${writerId}`, stageId: `stage-${i}`, op: `op${i % 3}`, features: { i }, poolId: `pool-${writerId}`, speed: 1, items: i, runtimeS: i / 10 });
}
