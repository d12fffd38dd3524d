/**
 * The backends by name, for the CLI and embedders: each module is loaded only when asked for
 * (a local run never loads BullMQ or connects to anything).
 */
import type { ResourceMap } from '../model/types.js';
import type { Backend } from './backend.js';

export const BACKEND_NAMES = ['local', 'bullmq', 'sim'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendChoice {
  /** bullmq: the Redis to queue on. */
  readonly redisUrl?: string;
  /** bullmq: the key prefix workers serve (default "apportion"). */
  readonly prefix?: string;
  /** sim: the pools' hazards, and the seed of its draws. */
  readonly resources: ResourceMap;
  readonly seed?: number;
  /** sim: per pool, a CSV file of available slots over time. */
  readonly traces?: ReadonlyMap<string, string>;
  /** sim under --replay: durations are the job's own, scaled. */
  readonly timeScale?: number;
}

export async function createBackend(name: BackendName, choice: BackendChoice): Promise<Backend> {
  switch (name) {
    case 'local':
      return (await import('./local/local-backend.js')).createLocalBackend();
    case 'bullmq': {
      const { createBullmqBackend } = await import('./bullmq/backend.js');
      return createBullmqBackend({ redisUrl: choice.redisUrl ?? 'redis://127.0.0.1:6379', ...(choice.prefix === undefined ? {} : { prefix: choice.prefix }) });
    }
    case 'sim':
      return (await import('./sim/from-resources.js')).simBackendFor(choice);
  }
}
