/**
 * Shared by the kernel tests: the implementations under test behind one interface, random
 * candidates (valid and invalid), the reference's answer for a candidate, and the
 * comparison of terms.
 */
import { evaluateCandidate } from '../../src/cost/evaluate.js';
import { ScheduleError, simulate, type PartialSchedule } from '../../src/cost/simulate.js';
import type { Terms } from '../../src/cost/terms.js';
import { KernelArena, type KernelResult, type KernelStatus } from '../../src/kernel/arena.js';
import { KernelPool, KernelScorer } from '../../src/kernel/scorer.js';
import { TightKernel } from '../../src/kernel/tight.js';
import { declaredAvailability, type Availability } from '../../src/model/availability.js';
import type { Problem } from '../../src/model/problem.js';
import type { SubtaskGraph } from '../../src/model/subtasks.js';

/** One batch of candidates written, scored and read back by some implementation. */
export interface Session {
  write(i: number, allocation: ArrayLike<number>, order: ArrayLike<number>): void;
  score(count: number): Promise<void>;
  result(i: number): KernelResult;
  close(): Promise<void>;
}

export interface Implementation {
  readonly name: string;
  open(problem: Problem, graph: SubtaskGraph, batchCapacity: number, partial?: PartialSchedule): Session;
  /** Releases what the implementation shares between sessions (a worker pool). */
  dispose(): Promise<void>;
}

export function wasmInThread(): Implementation {
  return {
    name: 'WASM kernel, in thread',
    open(problem, graph, batchCapacity, partial) {
      const scorer = new KernelScorer(problem, graph, { batchCapacity, workers: 1, ...(partial === undefined ? {} : { partial }) });
      return {
        write: (i, allocation, order) => scorer.arena.setCandidate(i, allocation, order),
        score: async (count) => {
          scorer.scoreBatchSync(count);
        },
        result: (i) => scorer.result(i),
        close: () => scorer.close(),
      };
    },
    dispose: async () => {},
  };
}

/** Kernel slices in worker threads; one pool shared by every session (as a planner would). */
export function wasmWorkers(workers = 2): Implementation {
  const pool = new KernelPool({ workers });
  return {
    name: `WASM kernel, ${workers} Piscina workers`,
    open(problem, graph, batchCapacity, partial) {
      const scorer = new KernelScorer(problem, graph, { batchCapacity, pool, ...(partial === undefined ? {} : { partial }) });
      return {
        write: (i, allocation, order) => scorer.arena.setCandidate(i, allocation, order),
        score: async (count) => {
          await scorer.scoreBatch(count);
        },
        result: (i) => scorer.result(i),
        close: () => scorer.close(),
      };
    },
    dispose: () => pool.close(),
  };
}

export function tightTypeScript(): Implementation {
  return {
    name: 'tight TypeScript',
    open(problem, graph, batchCapacity, partial) {
      const arena = new KernelArena(problem, graph, { batchCapacity, scratchCount: 1, ...(partial === undefined ? {} : { partial }) });
      const tight = new TightKernel(arena.memory);
      return {
        write: (i, allocation, order) => arena.setCandidate(i, allocation, order),
        score: async (count) => {
          if (tight.evaluate(0, count, 0) < 0) throw new Error('tight kernel refused the batch');
        },
        result: (i) => arena.result(i),
        close: async () => {},
      };
    },
    dispose: async () => {},
  };
}

export type ReferenceAnswer = { readonly status: 'ok'; readonly terms: Terms } | { readonly status: Exclude<KernelStatus, 'ok' | 'not-permutation'>; readonly message: string };

/** The reference cost model's verdict on a candidate (its ScheduleError mapped to a status). */
export function referenceAnswer(problem: Problem, graph: SubtaskGraph, allocation: Int32Array, order: Int32Array, partial?: PartialSchedule): ReferenceAnswer {
  try {
    return { status: 'ok', terms: evaluateCandidate(problem, { graph, allocation, order, variant: 'test' }, partial).terms };
  } catch (error) {
    if (!(error instanceof ScheduleError)) throw error;
    const message = error.message;
    if (message.includes('cannot run on pool')) return { status: 'pool-forbidden', message };
    if (message.includes('not topological')) return { status: 'not-topological', message };
    if (message.includes('never has a slot')) return { status: 'no-slot', message };
    throw new Error(`unmapped ScheduleError: ${message}`);
  }
}

export const TERM_NAMES = ['makespanS', 'computeUsd', 'egressUsd', 'costUsd', 'transferS', 'transferBytes', 'contentionS', 'interruptionS', 'interruptionUsd', 'objective'] as const satisfies readonly (keyof Terms)[];

/** Within 1e-9 relative, or 1e-9 absolute near zero. */
export function close(a: number, b: number): boolean {
  if (Object.is(a, b)) return true;
  const scale = Math.max(Math.abs(a), Math.abs(b));
  return Math.abs(a - b) <= 1e-9 * Math.max(scale, 1);
}

/** Differences between a kernel result and the reference's answer; empty when they agree. */
export function differences(got: KernelResult, want: ReferenceAnswer): string[] {
  if (want.status !== 'ok') {
    return got.state === 'invalid' && got.status === want.status ? [] : [`status: got ${got.state === 'ok' ? 'ok' : got.status}, reference ${want.status} (${want.message})`];
  }
  if (got.state !== 'ok') return [`status: got ${got.status} (${got.message}), reference ok`];
  const wrong = TERM_NAMES.filter((name) => !close(got.terms[name], want.terms[name])).map((name) => `${name}: got ${got.terms[name]}, reference ${want.terms[name]}`);
  // Start and finish times are computed exactly as the reference does (only sums of terms
  // are taken in another order), so the makespan must be the same number.
  if (wrong.length === 0 && !Object.is(got.terms.makespanS, want.terms.makespanS)) wrong.push(`makespanS: got ${got.terms.makespanS}, reference ${want.terms.makespanS} (not bit for bit)`);
  return wrong;
}

/** Pools sub-task s may run on (finite expected duration). */
export function allowedPools(graph: SubtaskGraph, s: number): number[] {
  const P = graph.poolCount;
  const out: number[] = [];
  for (let p = 0; p < P; p++) if (Number.isFinite(graph.expectedS[s * P + p]!)) out.push(p);
  return out;
}

export function randomAllocation(graph: SubtaskGraph, random: () => number): Int32Array {
  return Int32Array.from({ length: graph.nodeCount }, (_, s) => {
    const pools = allowedPools(graph, s);
    return pools[Math.floor(random() * pools.length)] ?? 0;
  });
}

/** The order with one sub-task swapped with one of its inputs (undefined if there is no edge). */
export function breakTopology(graph: SubtaskGraph, order: Int32Array, random: () => number): Int32Array | undefined {
  const withInputs: number[] = [];
  for (let v = 0; v < graph.nodeCount; v++) if (graph.predStart[v + 1]! > graph.predStart[v]!) withInputs.push(v);
  if (withInputs.length === 0) return undefined;
  const v = withInputs[Math.floor(random() * withInputs.length)]!;
  const first = graph.predStart[v]!;
  const u = graph.predIndex[first + Math.floor(random() * (graph.predStart[v + 1]! - first))]!;
  const broken = Int32Array.from(order);
  const iu = broken.indexOf(u);
  const iv = broken.indexOf(v);
  broken[iu] = v;
  broken[iv] = u;
  return broken;
}

/** The allocation with one sub-task on a pool it may not use (a forbidden one, or no pool at all). */
export function forbidPool(graph: SubtaskGraph, allocation: Int32Array, random: () => number): Int32Array {
  const P = graph.poolCount;
  const bad = Int32Array.from(allocation);
  const s = Math.floor(random() * graph.nodeCount);
  const forbidden: number[] = [];
  for (let p = 0; p < P; p++) if (!Number.isFinite(graph.expectedS[s * P + p]!)) forbidden.push(p);
  bad[s] = forbidden.length > 0 && random() < 0.7 ? forbidden[Math.floor(random() * forbidden.length)]! : random() < 0.5 ? P : -1;
  return bad;
}

/**
 * A random forecast for the problem's pools: per pool, either the declared numbers (the
 * fast path) or 1-5 segments whose slots (dips to 0 allowed, never at the end), free slots
 * (fractional, sometimes below use), hazard (up to 2 per hour) and price change over the
 * first hour. Chosen so each kind of variation is exercised alone and together.
 */
export function randomAvailability(problem: Problem, random: () => number): Availability {
  const declared = declaredAvailability(problem.resources);
  return {
    source: 'random forecast',
    pools: declared.pools.map((pool, p) => {
      if (random() < 0.25) return pool;
      const topSlots = problem.pools.maxSlots[p]!;
      const count = 1 + Math.floor(random() * 5);
      const atS = [0];
      for (let i = 1; i < count; i++) atS.push(atS[i - 1]! + 1 + random() * 900);
      const vary = { slots: random() < 0.5, free: random() < 0.6, hazard: random() < 0.6, price: random() < 0.5 };
      const slots = atS.map((_, i) => (vary.slots && i < count - 1 ? Math.floor(random() * (topSlots + 1)) : topSlots));
      const hazard0 = pool.hazardPerS[0]!;
      const price0 = pool.priceUsdPerSlotS[0]!;
      return {
        atS,
        slots,
        freeSlots: slots.map((k) => (vary.free ? Math.max(0, k - random() * 2.5) : k)),
        hazardPerS: atS.map(() => (vary.hazard ? (random() < 0.3 ? 0 : (random() * 2) / 3600) : hazard0)),
        priceUsdPerSlotS: atS.map(() => (vary.price ? (random() * 0.5) / 3600 : price0)),
      };
    }),
  };
}

/**
 * A partial schedule as a running job leaves it: the reference schedule of one candidate cut
 * at `nowS` (a random time inside it); every sub-task started before then is fixed where it
 * ran. Undefined when the candidate has no valid schedule.
 */
export function partialOf(problem: Problem, graph: SubtaskGraph, allocation: Int32Array, order: Int32Array, random: () => number): PartialSchedule | undefined {
  let schedule;
  try {
    schedule = simulate(problem, graph, allocation, order);
  } catch (error) {
    if (error instanceof ScheduleError) return undefined;
    throw error;
  }
  const makespanS = Math.max(0, ...schedule.finishS);
  const nowS = random() * makespanS;
  const fixed = new Map<number, { pool: number; slot: number; startS: number; finishS: number }>();
  for (let s = 0; s < graph.nodeCount; s++) {
    if (schedule.startS[s]! < nowS) fixed.set(s, { pool: schedule.pool[s]!, slot: schedule.slot[s]!, startS: schedule.startS[s]!, finishS: schedule.finishS[s]! });
  }
  return { nowS, fixed };
}
