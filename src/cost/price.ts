/**
 * Compute price of a sub-task: its slot-seconds × the price over its own window,
 * ∫_{start}^{finish} price_p(t) dt. Twin: assembly/price.ts.
 *
 * Fast path: a pool whose price never changes pays (finish − start) × price, today's
 * product. Interruption USD is the rework seconds × the window's mean price
 * (∫ price / (finish − start); the price at the start for a zero-length window).
 */
import { integrateSegments, segmentIndex } from './segments.js';

/** USD for holding one slot over [startS, finishS] (price per slot-second at price[priceBase + i]). */
export function windowPriceUsd(at: ArrayLike<number>, atBase: number, price: ArrayLike<number>, priceBase: number, first: number, end: number, startS: number, finishS: number): number {
  return integrateSegments(at, atBase, price, priceBase, first, end, startS, finishS);
}

/** Mean price per slot-second over [startS, finishS]: `usd` (the window's integral) / length, or the price at the start when the window is empty. */
export function meanPriceUsdPerS(at: ArrayLike<number>, atBase: number, price: ArrayLike<number>, priceBase: number, first: number, end: number, startS: number, finishS: number, usd: number): number {
  const busyS = finishS - startS;
  return busyS > 0 ? usd / busyS : price[priceBase + segmentIndex(at, atBase, first, end, startS)]!;
}
