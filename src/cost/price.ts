/**
 * Compute price of a sub-task: its slot-seconds × the price over its own window,
 * ∫_{start}^{finish} price_p(t) dt. Twin: assembly/price.ts.
 *
 * Fast path: a pool whose price never changes pays (finish − start) × price, today's
 * product. Interruption USD is the rework seconds × the window's mean price
 * (∫ price / (finish − start); the price at the start for a zero-length window).
 */
import type { Problem } from '../model/problem.js';
import { integrateSegments, segmentIndex } from './segments.js';

/** USD for holding a slot of pool p over [startS, finishS] under the problem's availability (the plan's per-sub-task cost). */
export function slotPriceUsd(problem: Problem, p: number, startS: number, finishS: number): number {
  const availability = problem.availability;
  if (availability.priceVaries[p] === 0) return (finishS - startS) * problem.pools.priceUsdPerSlotS[p]!;
  return windowPriceUsd(availability.atS, 0, availability.priceUsdPerSlotS, 0, availability.segStart[p]!, availability.segStart[p + 1]!, startS, finishS);
}

/** USD for holding one slot over [startS, finishS] (price per slot-second at price[priceBase + i]). */
export function windowPriceUsd(at: ArrayLike<number>, atBase: number, price: ArrayLike<number>, priceBase: number, first: number, end: number, startS: number, finishS: number): number {
  return integrateSegments(at, atBase, price, priceBase, first, end, startS, finishS);
}

/** Mean price per slot-second over [startS, finishS]: `usd` (the window's integral) / length, or the price at the start when the window is empty. */
export function meanPriceUsdPerS(at: ArrayLike<number>, atBase: number, price: ArrayLike<number>, priceBase: number, first: number, end: number, startS: number, finishS: number, usd: number): number {
  const busyS = finishS - startS;
  return busyS > 0 ? usd / busyS : price[priceBase + segmentIndex(at, atBase, first, end, startS)]!;
}
