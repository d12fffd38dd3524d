/**
 * Compute price over a sub-task's window on pools flagged AVAIL_PRICE. Twin: src/cost/price.ts.
 */
import { integrateSegments, segmentIndex } from './segments';

/** USD for holding one slot over [startS, finishS]. */
@inline
export function windowPriceUsd(at: usize, price: usize, first: i32, end: i32, startS: f64, finishS: f64): f64 {
  return integrateSegments(at, price, first, end, startS, finishS);
}

/** Mean price per slot-second of the window (`usd` its integral); the price at the start for an empty window. */
export function meanPriceUsdPerS(at: usize, price: usize, first: i32, end: i32, startS: f64, finishS: f64, usd: f64): f64 {
  const busyS = finishS - startS;
  return busyS > 0 ? usd / busyS : load<f64>(price + (<usize>segmentIndex(at, first, end, startS) << 3));
}
