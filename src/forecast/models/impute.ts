/**
 * Causal gap filling: a missing value is filled from the past only, so that imputing a whole
 * series once gives the same prefix as imputing any prefix (the backtest relies on this: no
 * value after an origin can leak into the history before it).
 *
 * A gap is filled with the last observed value carried forward plus the change the series
 * made over the same stretch one day earlier (seasonal difference), so a gap across the
 * morning ramp ramps; without a day of history it is the last value carried forward.
 */

export interface Imputed {
  readonly values: Float64Array;
  /** Non-finite entries filled. */
  readonly filled: number;
  /** Entries before the first finite value (filled with it). */
  readonly leading: number;
}

export function imputeCausal(values: Float64Array, dailyPeriod: number): Imputed {
  const n = values.length;
  const out = new Float64Array(n);
  let first = -1;
  for (let i = 0; i < n; i++) {
    if (Number.isFinite(values[i]!)) {
      first = i;
      break;
    }
  }
  if (first < 0) return { values: out, filled: n, leading: n };
  let filled = 0;
  for (let i = 0; i < first; i++) out[i] = values[first]!;
  filled += first;
  let lastObserved = first;
  for (let i = first; i < n; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      out[i] = v;
      lastObserved = i;
      continue;
    }
    filled++;
    const base = out[lastObserved]!;
    const d = dailyPeriod;
    if (d > 0 && lastObserved - d >= 0) {
      out[i] = base + (out[i - d]! - out[lastObserved - d]!);
    } else {
      out[i] = base;
    }
  }
  return { values: out, filled, leading: first };
}
