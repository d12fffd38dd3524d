/**
 * Interruption rework over a sub-task's own window. Twin: assembly/rework.ts.
 *
 * A sub-task of nominal runtime d started at t0 on pool p, restarting from scratch on an
 * interruption, takes in expectation (e^{λ̄d} − 1)/λ̄ with the window-mean hazard
 * λ̄ = (1/d) ∫_{t0}^{t0+d} λ_p(t) dt (d when λ̄ = 0). With H = λ̄d = ∫ λ_p it is
 * d × expm1(H) / H, computed as (expm1(H) / H) × d, with the kernel's own expm1
 * (src/cost/expm1.ts) so both sides give the same bits.
 *
 * Fast path: a pool whose hazard never changes uses the sub-task graph's `expectedS`, the
 * cache of exactly this number for a constant λ (expectedWithRework), when the cache was
 * computed with that λ (`graph.reworkHazardPerS`).
 *
 * THE START RULE (reference `simulate` and kernel alike). The duration depends on the start,
 * the start (through the capacity windows) on the duration; with r the ready time:
 *
 *   D ← D(r)                                          duration if it started when ready
 *   round 1 .. START_ROUNDS:
 *     (t, k) ← earliest start ≥ r and slot for a sub-task of duration D (the slot book's rule)
 *     none → the sub-task has no slot
 *     D' ← D(t)                                       duration at the found start
 *     if [t, t + D') lies in the window of slot k that holds t → place it: start t, slot k, D'
 *     D ← D'
 *   no round accepted → the sub-task has no slot (as when no window is long enough)
 *
 * On a pool whose capacity never changes every window is endless, so round 1 always accepts
 * (and the start does not depend on D at all: the kernel skips D(r) there).
 */
import type { AvailabilityTable } from '../model/availability.js';
import { expm1 } from './expm1.js';
import { integrateSegments } from './segments.js';

/** Rounds of the start rule before a sub-task is declared to have no slot. */
export const START_ROUNDS = 4;

/** Expected duration of nominal runtime `runtimeS` started at `startS` under the hazard schedule (values at at[atBase + i], hazard[hazardBase + i]). */
export function expectedOverWindow(at: ArrayLike<number>, atBase: number, hazard: ArrayLike<number>, hazardBase: number, first: number, end: number, startS: number, runtimeS: number): number {
  if (!(runtimeS > 0) || !Number.isFinite(runtimeS)) return runtimeS;
  const h = integrateSegments(at, atBase, hazard, hazardBase, first, end, startS, startS + runtimeS);
  return h === 0 ? runtimeS : (expm1(h) / h) * runtimeS;
}

/**
 * Cost model's view of rework on each pool: the cached expected durations where the hazard
 * is constant (and the cache used it), the window integral elsewhere.
 */
export class Rework {
  private readonly table: AvailabilityTable;
  private readonly expectedS: Float64Array;
  private readonly runtimeS: Float64Array;
  private readonly P: number;
  /** 1 where the pool takes the fast path. */
  readonly cached: Uint8Array;

  constructor(table: AvailabilityTable, graph: { readonly expectedS: Float64Array; readonly runtimeS: Float64Array; readonly poolCount: number; readonly reworkHazardPerS: Float64Array }) {
    this.table = table;
    this.expectedS = graph.expectedS;
    this.runtimeS = graph.runtimeS;
    this.P = graph.poolCount;
    this.cached = Uint8Array.from({ length: this.P }, (_, p) => (table.hazardVaries[p] === 0 && table.hazardPerS[table.segStart[p]!] === graph.reworkHazardPerS[p] ? 1 : 0));
  }

  /** Expected duration of sub-task s on pool p started at `startS`. */
  durationS(s: number, p: number, startS: number): number {
    const k = s * this.P + p;
    if (this.cached[p] === 1) return this.expectedS[k]!;
    const t = this.table;
    return expectedOverWindow(t.atS, 0, t.hazardPerS, 0, t.segStart[p]!, t.segStart[p + 1]!, startS, this.runtimeS[k]!);
  }
}
