/**
 * Terms of a scored candidate written to its output record (src/cost/terms.ts and
 * src/cost/objective.ts). Contention is charged like makespan (see objective.ts).
 */
import {
  OBJECTIVE_COST,
  OBJECTIVE_MAKESPAN,
  OUT_COMPUTE_USD,
  OUT_CONTENTION_S,
  OUT_COST_USD,
  OUT_EGRESS_USD,
  OUT_INTERRUPTION_S,
  OUT_INTERRUPTION_USD,
  OUT_MAKESPAN_S,
  OUT_OBJECTIVE,
  OUT_ORDER_INDEX,
  OUT_STATUS,
  OUT_SUBTASK,
  OUT_TRANSFER_BYTES,
  OUT_TRANSFER_S,
  STATUS_OK,
} from './layout';

/** weighted: cost + usdPerHour × (makespan + contention) / 3600; makespan + contention; cost (same expression as objectiveValue). */
@inline
export function objectiveValue(kind: i32, usdPerHour: f64, makespanS: f64, costUsd: f64, contentionS: f64): f64 {
  if (kind == OBJECTIVE_MAKESPAN) return makespanS + contentionS;
  if (kind == OBJECTIVE_COST) return costUsd;
  return costUsd + (usdPerHour * (makespanS + contentionS)) / 3600;
}

export function writeTerms(
  out: usize,
  kind: i32,
  usdPerHour: f64,
  makespanS: f64,
  computeUsd: f64,
  egressUsd: f64,
  transferS: f64,
  transferBytes: f64,
  contentionS: f64,
  interruptionS: f64,
  interruptionUsd: f64,
): void {
  const costUsd = computeUsd + egressUsd;
  store<i32>(out, STATUS_OK, OUT_STATUS);
  store<i32>(out, -1, OUT_SUBTASK);
  store<i32>(out, -1, OUT_ORDER_INDEX);
  store<f64>(out, makespanS, OUT_MAKESPAN_S);
  store<f64>(out, computeUsd, OUT_COMPUTE_USD);
  store<f64>(out, egressUsd, OUT_EGRESS_USD);
  store<f64>(out, costUsd, OUT_COST_USD);
  store<f64>(out, transferS, OUT_TRANSFER_S);
  store<f64>(out, transferBytes, OUT_TRANSFER_BYTES);
  store<f64>(out, contentionS, OUT_CONTENTION_S);
  store<f64>(out, interruptionS, OUT_INTERRUPTION_S);
  store<f64>(out, interruptionUsd, OUT_INTERRUPTION_USD);
  store<f64>(out, objectiveValue(kind, usdPerHour, makespanS, costUsd, contentionS), OUT_OBJECTIVE);
}

/** An invalid candidate: its status, the sub-task and order position where scoring stopped; every term NaN. */
export function writeFailure(out: usize, status: i32, subtask: i32, orderIndex: i32): void {
  store<i32>(out, status, OUT_STATUS);
  store<i32>(out, subtask, OUT_SUBTASK);
  store<i32>(out, orderIndex, OUT_ORDER_INDEX);
  for (let at = OUT_MAKESPAN_S; at <= OUT_OBJECTIVE; at += 8) store<f64>(out + at, NaN);
}
