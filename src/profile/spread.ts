/**
 * The runtime spread a profile gives a plan: what `runtimeSpread` (apply.ts) produces and the
 * makespan-risk replay (plan/risk.ts) draws from.
 */

/** Levels the spread is tabulated at: (k + 0.5) / RISK_LEVELS.length. */
export const RISK_LEVELS: readonly number[] = Array.from({ length: 50 }, (_, k) => (k + 0.5) / 50);

/** Per stage: log runtime ratios at RISK_LEVELS relative to the planned runtime (S × levels), and the op's run-to-run log sigma. */
export interface RuntimeSpread {
  readonly logRatio: Float64Array;
  readonly jobShiftSigma: Float64Array;
}
