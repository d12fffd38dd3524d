/**
 * What the bullmq backend and its workers agree on: how Redis is reached, how keys and BullMQ
 * names are spelt, and the registry of running dispatchers.
 *
 * Layout under one prefix (default `apportion`):
 *
 *   {prefix}:{queue}:…            BullMQ's own keys, one queue per pool (queue = safeName(pool))
 *   {prefix}::pools:{backend}     a set of the pool ids one open backend serves; it expires
 *                                 unless the backend refreshes it, so a crashed dispatcher's
 *                                 entry goes away by itself. Workers read these to refuse an
 *                                 unknown --pool.
 *   {prefix}::cancel              pub/sub channel: a BullMQ job id whose attempt must stop
 *   {prefix}::cancelled:{jobId}   the same request as a key, for a worker that picks the job
 *                                 up between the publish and its subscription seeing it
 *
 * `::` cannot clash with BullMQ's keys: a queue name is never empty.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { InputError } from '../../model/issues.js';

export const DEFAULT_PREFIX = 'apportion';

/**
 * BullMQ refuses ':' in job ids and queue names (it builds keys with it). Keys are
 * `run:subtask:attempt`, and pool ids are free text, so both are escaped reversibly and
 * deterministically: '%' → '%25', ':' → '%3A'. The same key always gives the same id, which
 * is what makes a re-submission a no-op in Redis too.
 */
export function safeName(text: string): string {
  return text.replace(/%/g, '%25').replace(/:/g, '%3A');
}

export function unsafeName(name: string): string {
  return name.replace(/%3A/g, ':').replace(/%25/g, '%');
}

export function poolsKey(prefix: string, backendId: string): string {
  return `${prefix}::pools:${backendId}`;
}
export function poolsPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, '\\$&')}::pools:*`;
}
export function cancelChannel(prefix: string): string {
  return `${prefix}::cancel`;
}
export function cancelledKey(prefix: string, jobId: string): string {
  return `${prefix}::cancelled:${jobId}`;
}

/** A registry entry lives this long without a refresh (the backend refreshes it every sweep). */
export const REGISTRY_TTL_MS = 60_000;
/** A cancel request outlives any plausible wait for the job to start. */
export const CANCEL_TTL_S = 24 * 3600;

/** The URL as printed: a password is never echoed to a terminal or a log. */
export function redactUrl(url: string): string {
  return url.replace(/^(\w+:\/\/)([^@/]*)@/, (_match, scheme: string, auth: string) => {
    const colon = auth.indexOf(':');
    return `${scheme}${colon < 0 ? '***' : `${auth.slice(0, colon)}:***`}@`;
  });
}

/** Errors after which retrying within the connect timeout is pointless. */
const DEFINITIVE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|NOAUTH|WRONGPASS|ERR invalid password|invalid URL/i;

export function unreachable(url: string, cause: string, path: string = 'redis'): InputError {
  return new InputError(redactUrl(url), [{
    code: 'invalid_value',
    path: [path],
    message: `Redis at ${redactUrl(url)} is not reachable (${cause})`,
    expected: 'a running Redis server (redis://host:port)',
    received: redactUrl(url),
  }]);
}

export interface ConnectOptions {
  readonly connectTimeoutMs: number;
  /** A name shown by CLIENT LIST (BullMQ finds its workers that way). */
  readonly connectionName?: string;
}

/**
 * Connects, or fails within `connectTimeoutMs` with an InputError naming the URL: at once on a
 * refused connection or bad credentials, else when the time is up. Once connected the client
 * reconnects forever (a Redis restart is survived, and noticed by the sweep) and commands wait
 * for it (`maxRetriesPerRequest: null`, which BullMQ requires of blocking connections). The
 * 'error' event always has a listener, so a Redis that goes away is not an unhandled error.
 */
export async function connectRedis(url: string, options: ConnectOptions): Promise<Redis> {
  let client: Redis;
  const redisOptions: RedisOptions = {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectTimeout: options.connectTimeoutMs,
    // Quick at first: a restarted Redis is back within a second or two and the sweep re-checks then.
    retryStrategy: (times) => Math.min(times * 100, 1000),
    ...(options.connectionName === undefined ? {} : { connectionName: options.connectionName }),
  };
  try {
    client = new Redis(url, redisOptions);
  } catch (error) {
    throw unreachable(url, `invalid URL: ${(error as Error).message}`);
  }
  let lastError = 'no answer';
  let failNow: ((error: Error) => void) | undefined;
  client.on('error', (error: Error) => {
    lastError = error.message;
    if (DEFINITIVE.test(error.message)) failNow?.(error);
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      failNow = reject;
      timer = setTimeout(() => reject(new Error(`no answer within ${options.connectTimeoutMs} ms${lastError === 'no answer' ? '' : `: ${lastError}`}`)), options.connectTimeoutMs);
      client.once('ready', () => resolve());
      client.connect().catch((error: Error) => {
        lastError = error.message;
        if (DEFINITIVE.test(error.message)) reject(error);
      });
    });
  } catch (error) {
    client.disconnect();
    throw unreachable(url, (error as Error).message);
  } finally {
    failNow = undefined;
    clearTimeout(timer);
  }
  return client;
}

/** The pool ids of every open backend under `prefix` (empty: no dispatcher registered). */
export async function registeredPools(client: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', poolsPattern(prefix), 'COUNT', 500);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  if (keys.length === 0) return [];
  const pools = await client.sunion(...keys);
  return pools.sort();
}
