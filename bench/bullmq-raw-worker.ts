/**
 * The baseline's worker process: a bare BullMQ Worker whose processor does nothing.
 * `node --import tsx bench/bullmq-raw-worker.ts <redisUrl> <prefix> <queue> <concurrency>`; prints "ready" and
 * closes on SIGTERM.
 */
import { Worker } from 'bullmq';

const [url = 'redis://127.0.0.1:6379', prefix = 'bench', queue = 'raw', concurrency = '50'] = process.argv.slice(2);
const worker = new Worker(queue, async () => {}, { connection: { url, maxRetriesPerRequest: null } as never, prefix, concurrency: Number(concurrency) });
worker.on('error', (error) => process.stderr.write(`${error.message}\n`));
await worker.waitUntilReady();
process.stdout.write('ready\n');
process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
