/**
 * Two processes writing one store at once lose nothing: each writes 2,000 records in 400
 * transactions of 5 (both also race to create the file), and afterwards every
 * (job, stage, attempt) is there exactly once.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openHistory } from '../../src/history/store.js';
import { REPO_ROOT } from '../helpers/problems.js';
import { inTempDir } from './helpers.js';

const test = suite('history: concurrent writers');

const WRITER = join(REPO_ROOT, 'test', 'history', 'writer.ts');
const RECORDS_PER_WRITER = 2000;
const PER_TRANSACTION = 5;

interface WriterRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runWriter(args: readonly string[]): Promise<WriterRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('two writer processes, 2,000 records each in small transactions: exactly 4,000 records, none missing', () =>
  inTempDir(async (dir) => {
    const path = join(dir, 'shared', 'history.sqlite');
    const writers = ['a', 'b'];
    const runs = await Promise.all(writers.map((id) => runWriter([path, id, String(RECORDS_PER_WRITER), String(PER_TRANSACTION), dir, String(writers.length)])));
    for (const run of runs) {
      assert.is(run.code, 0, run.stderr);
      assert.equal(JSON.parse(run.stdout), { inserted: RECORDS_PER_WRITER, alreadyPresent: 0 });
    }

    const store = openHistory(path, { readonly: true });
    assert.is(store.count(), writers.length * RECORDS_PER_WRITER);
    const keys = new Set([...store.records()].map((r) => `${r.jobId}|${r.stageId}|${r.attempt}`));
    store.close();
    for (const id of writers) {
      for (let i = 0; i < RECORDS_PER_WRITER; i++) assert.ok(keys.has(`writer-${id}|stage-${i}|1`), `writer-${id} stage-${i} is missing`);
    }

    // The test is only about concurrency if the transactions really interleaved.
    const db = new Database(path, { readonly: true });
    const order = db.prepare('SELECT job_id FROM runs ORDER BY id').pluck().all() as string[];
    db.close();
    const switches = order.filter((job, i) => i > 0 && job !== order[i - 1]).length;
    console.log(`history concurrent: the writers took turns ${switches} times`);
    assert.ok(switches >= 1, 'one writer finished before the other started');
  }));

test.run();
