/**
 * The reference cost model (written for clarity; the WASM kernel must match it).
 *
 * A candidate is an allocation (sub-task → pool) and a priority order (a topological order
 * of sub-tasks). Sub-tasks are dispatched in that order; each starts when all its inputs
 * have arrived and a slot of its pool is free (after the pool's start-up), on the slot
 * where it can start earliest; among slots free by then, the one freed latest (best fit),
 * then the lowest index. Inputs from a sub-task in another
 * region arrive latency + bytes / bandwidth after it finishes; external data likewise from
 * its home region at time 0. A sub-task occupies its slot for its expected duration,
 * interruption rework included, which depends on its start through the availability's
 * hazard (src/cost/rework.ts, "the start rule"); capacity windows are the availability's
 * slots (problem.pools carries them).
 */
import type { Problem } from '../model/problem.js';
import type { SubtaskGraph } from '../model/subtasks.js';
import { transferS } from '../model/tables.js';
import { Rework, START_ROUNDS } from './rework.js';
import { SlotBook } from './slots.js';

export interface Schedule {
  readonly pool: Int32Array;
  readonly slot: Int32Array;
  readonly startS: Float64Array;
  readonly finishS: Float64Array;
}

/** Sub-tasks already placed (running or done) when a plan is extended. */
export interface PartialSchedule {
  /** Nothing new starts before this time. */
  readonly nowS: number;
  readonly fixed: ReadonlyMap<number, { readonly pool: number; readonly slot: number; readonly startS: number; readonly finishS: number }>;
}

export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

/** Time at which every input of sub-task s has arrived if it runs on pool p. */
export function readyTimeS(problem: Problem, graph: SubtaskGraph, s: number, p: number, pool: ArrayLike<number>, finishS: ArrayLike<number>): number {
  const network = problem.network;
  const region = problem.pools.regionIndex[p]!;
  let ready = 0;
  for (let e = graph.predStart[s]!; e < graph.predStart[s + 1]!; e++) {
    const q = graph.predIndex[e]!;
    // Within one pool outputs are local; otherwise they cross the (region → region) link.
    const arrival = pool[q] === p ? finishS[q]! : finishS[q]! + transferS(network, problem.pools.regionIndex[pool[q]!]!, region, graph.predBytes[e]!);
    if (arrival > ready) ready = arrival;
  }
  for (let k = graph.externalStart[s]!; k < graph.externalStart[s + 1]!; k++) {
    const arrival = transferS(network, graph.externalRegion[k]!, region, graph.externalBytes[k]!);
    if (arrival > ready) ready = arrival;
  }
  return ready;
}

/**
 * Ready time of sub-task s in every region at once (`out[r]`), valid when moving data within
 * a region is free: then a pool's ready time depends only on its region, and list schedulers
 * need R computations per sub-task instead of one per pool.
 */
export function readyTimesByRegion(problem: Problem, graph: SubtaskGraph, s: number, pool: ArrayLike<number>, finishS: ArrayLike<number>, out: Float64Array): void {
  const network = problem.network;
  const R = network.regionCount;
  out.fill(0);
  for (let e = graph.predStart[s]!; e < graph.predStart[s + 1]!; e++) {
    const q = graph.predIndex[e]!;
    const from = problem.pools.regionIndex[pool[q]!]!;
    const done = finishS[q]!;
    for (let r = 0; r < R; r++) {
      const arrival = done + transferS(network, from, r, graph.predBytes[e]!);
      if (arrival > out[r]!) out[r] = arrival;
    }
  }
  for (let k = graph.externalStart[s]!; k < graph.externalStart[s + 1]!; k++) {
    for (let r = 0; r < R; r++) {
      const arrival = transferS(network, graph.externalRegion[k]!, r, graph.externalBytes[k]!);
      if (arrival > out[r]!) out[r] = arrival;
    }
  }
}

export function simulate(problem: Problem, graph: SubtaskGraph, allocation: ArrayLike<number>, order: ArrayLike<number>, partial?: PartialSchedule): Schedule {
  const n = graph.nodeCount;
  const P = problem.pools.count;
  if (order.length !== n) throw new ScheduleError(`order lists ${order.length} sub-tasks, the graph has ${n}`);
  const pool = new Int32Array(n).fill(-1);
  const slot = new Int32Array(n).fill(-1);
  const startS = new Float64Array(n);
  const finishS = new Float64Array(n).fill(Number.NaN);
  const book = new SlotBook(problem.pools, false, partial?.nowS ?? 0);
  const rework = new Rework(problem.availability, graph);
  if (partial !== undefined) {
    // Place fixed sub-tasks first so the others queue behind them.
    for (const [s, placed] of partial.fixed) {
      pool[s] = placed.pool;
      slot[s] = placed.slot;
      startS[s] = placed.startS;
      finishS[s] = placed.finishS;
      book.reserve(placed.pool, placed.slot, placed.startS, placed.finishS);
    }
  }
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const s = order[i]!;
    // The order must be a permutation: a repeated or missing sub-task would double-book a
    // slot or leave terms undefined.
    if (!(s >= 0 && s < n) || seen[s] === 1) throw new ScheduleError(`order is not a permutation: entry ${i} is ${s}`);
    seen[s] = 1;
    if (!Number.isNaN(finishS[s]!) && partial?.fixed.has(s) === true) continue;
    const p = allocation[s]!;
    if (!(p >= 0 && p < P) || !Number.isFinite(graph.expectedS[s * P + p]!)) throw new ScheduleError(`sub-task ${s} cannot run on pool ${p}`);
    for (let e = graph.predStart[s]!; e < graph.predStart[s + 1]!; e++) {
      if (Number.isNaN(finishS[graph.predIndex[e]!]!)) throw new ScheduleError(`order is not topological: sub-task ${s} comes before its input ${graph.predIndex[e]}`);
    }
    pool[s] = p;
    const ready = readyTimeS(problem, graph, s, p, pool, finishS);
    // The start rule (src/cost/rework.ts): try a duration, find a slot, recompute the
    // duration at the found start, keep it if it still fits the slot's window.
    let duration = rework.durationS(s, p, Math.max(ready, partial?.nowS ?? 0));
    let placed = false;
    for (let round = 0; round < START_ROUNDS && !placed; round++) {
      const start = book.find(p, ready, duration);
      if (!Number.isFinite(start)) break;
      const atStart = rework.durationS(s, p, start);
      if (start + atStart <= book.windowEndAt(p, book.foundSlot, start)) {
        slot[s] = book.foundSlot;
        startS[s] = start;
        finishS[s] = start + atStart;
        book.reserve(p, book.foundSlot, start, start + atStart);
        placed = true;
      }
      duration = atStart;
    }
    if (!placed) throw new ScheduleError(`pool ${problem.pools.ids[p]} never has a slot long enough for sub-task ${s} (${duration} s)`);
  }
  return { pool, slot, startS, finishS };
}

/** Sub-tasks ordered by start time (ties: topological position), the canonical priority of a schedule. */
export function orderByStart(graph: SubtaskGraph, startS: ArrayLike<number>): Int32Array {
  const position = new Int32Array(graph.nodeCount);
  graph.order.forEach((s, i) => {
    position[s] = i;
  });
  const order = Int32Array.from(graph.order);
  return order.sort((a, b) => startS[a]! - startS[b]! || position[a]! - position[b]!);
}
