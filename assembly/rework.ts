/**
 * Interruption rework over a sub-task's own window. Twin: src/cost/rework.ts, which also
 * states the start rule the evaluate loop follows on pools flagged AVAIL_HAZARD.
 *
 * Nominal runtime d from t0: H = ∫_{t0}^{t0+d} λ(t) dt, expected duration (expm1(H) / H) × d
 * (d when H = 0).
 */
import { integrateSegments } from './segments';

/** Rounds of the start rule before a sub-task has no slot (START_ROUNDS in src/cost/rework.ts). */
export const START_ROUNDS: i32 = 4;

export function expectedOverWindow(at: usize, hazard: usize, first: i32, end: i32, startS: f64, runtimeS: f64): f64 {
  if (!(runtimeS > 0) || !isFinite<f64>(runtimeS)) return runtimeS;
  const h = integrateSegments(at, hazard, first, end, startS, startS + runtimeS);
  return h == 0 ? runtimeS : (Math.expm1(h) / h) * runtimeS;
}
