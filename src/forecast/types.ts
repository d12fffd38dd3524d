/**
 * The Resource Predictor's plain data (ARCHITECTURE.md, "Prediction"): series in, fits and
 * forecasts out. Every function of src/forecast/ is pure over these values (no I/O, no
 * clock): files are read by the CLI / load layer and handed in as text.
 *
 * Time is in epoch seconds (UTC) throughout; a series without timestamps is placed at the
 * start the user gives (default 0 = 1970-01-01T00:00Z, a Thursday), and its step is `stepS`.
 */

/** A regular series: values[i] is the value over [startS + i·stepS, startS + (i+1)·stepS). NaN = missing. */
export interface Series {
  readonly startS: number;
  readonly stepS: number;
  readonly values: Float64Array;
}

/** A warning about input that was still used (a gap filled, a duplicate dropped, a fallback). */
export interface ForecastWarning {
  /** Where: `telemetry[2].file` or `spot.free`, as the issue paths print. */
  readonly path: string;
  readonly message: string;
}

/** Quantiles of a forecast over consecutive steps starting at `startS`. */
export interface QuantileForecast {
  readonly startS: number;
  readonly stepS: number;
  readonly p10: Float64Array;
  readonly p50: Float64Array;
  readonly p90: Float64Array;
}

/**
 * A fitted series model, as plain JSON-able data: the point forecast over the horizon it was
 * fitted for and the conformal offsets by horizon (rolling-origin residual quantiles), so
 * `forecastSeries` needs nothing else.
 */
export interface SeriesFit {
  /** The model that produced `point` ('seasonal-mean', 'holt-winters', 'augurs-mstl', …). */
  readonly model: string;
  readonly stepS: number;
  /** Epoch s where the forecast starts (end of the history). */
  readonly startS: number;
  /** Point forecast (P50) per step from startS. */
  readonly point: readonly number[];
  /** Residual quantiles (actual − point) per horizon step: P10 and P90 offsets. */
  readonly lowerOffset: readonly number[];
  readonly upperOffset: readonly number[];
  /** The history it was fitted on: points used, first and last epoch s. */
  readonly data: { readonly points: number; readonly fromS: number; readonly toS: number };
  /** What was assumed or fell back (a series too short for the weekly season, …). */
  readonly warnings: readonly ForecastWarning[];
}

/** Interruption hazard by hour of week (0 = Monday 00:00–01:00 UTC), per slot. */
export interface HazardFit {
  /** 168 rates, interruptions per slot-hour. */
  readonly perSlotHour: readonly number[];
  /** The pool's mean rate, interruptions per slot-hour. */
  readonly meanPerSlotHour: number;
  /** 'hour-of-week' (shrunk to the mean) or 'constant' (too few events: the mean everywhere). */
  readonly method: 'hour-of-week' | 'constant';
  readonly events: number;
  readonly exposureSlotHours: number;
  readonly warnings: readonly ForecastWarning[];
  /**
   * Optional (added by the hazard estimator, src/forecast/hazard.ts): the Gamma prior shapes
   * α chosen by marginal likelihood at each level of the shrinkage (prior pseudo-exposure
   * α / mean slot-hours; for the day-of-week factor, α expected events); null = pooled
   * completely into the level above.
   */
  readonly priorShape?: { readonly hourOfDay: number | null; readonly dayOfWeek: number | null; readonly hourOfWeek: number | null };
  /** Optional: the 24 hour-of-day rates (per slot-hour, 0 = 00:00 UTC) the hour-of-week rates were shrunk towards. */
  readonly perHourOfDay?: readonly number[];
}

/** One row of a rolling-origin backtest (`apportion forecast eval`). */
export interface BacktestRow {
  /** '1h', '6h', '24h' as given. */
  readonly horizon: string;
  readonly horizonS: number;
  readonly model: string;
  /** MAE at this horizon / in-sample MAE of the daily seasonal-naive one-season-ahead forecast (Hyndman & Koehler 2006). */
  readonly mase: number;
  /** MAE / MAE of the better of daily and weekly seasonal naive on the same origins. */
  readonly relMae: number;
  /** Share of actuals inside P10–P90. */
  readonly coverage: number;
  readonly mae: number;
  readonly maeSeasonalNaiveDaily: number;
  /** null where the history before the origins is shorter than a week. */
  readonly maeSeasonalNaiveWeekly: number | null;
  readonly origins: number;
}
