/** Small builders shared by the sim backend's tests. */
import type { BackendEvent, BackendPool, DispatchJob, StepRun } from '../../src/dispatch/backend.js';
import { createSimBackend, type SimBackend, type SimBackendOptions } from '../../src/dispatch/sim/index.js';

export function simJob(subtask: string, pool: string, expectedS: number, extra: Partial<DispatchJob> = {}): DispatchJob {
  const steps: readonly { stage: string; run: StepRun }[] = [{ stage: 's', run: { kind: 'replay', durationS: expectedS } }];
  return { runId: 'r', subtask, attempt: 1, pool, op: 'op', stage: 's', steps, inputs: [], stagingDir: `/nonexistent/${subtask}`, expectedS, ...extra };
}

export interface Recorded {
  readonly backend: SimBackend;
  readonly events: BackendEvent[];
}

/** An opened sim backend recording every event; `react` runs inside the listener, as a dispatcher would. */
export async function openSim(pools: readonly BackendPool[], options: SimBackendOptions = {}, react?: (event: BackendEvent, backend: SimBackend) => void): Promise<Recorded> {
  const backend = createSimBackend(options);
  const events: BackendEvent[] = [];
  await backend.open(pools, (event) => {
    events.push(event);
    react?.(event, backend);
  });
  return { backend, events };
}

/** The `finished` events by key. */
export function finishedByKey(events: readonly BackendEvent[]): Map<string, Extract<BackendEvent, { type: 'finished' }>> {
  const out = new Map<string, Extract<BackendEvent, { type: 'finished' }>>();
  for (const event of events) if (event.type === 'finished') out.set(event.key, event);
  return out;
}
