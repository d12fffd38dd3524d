/** Telemetry in (issue 10 §1): text → regular series and event times, per pool. Pure: files are read by load/telemetry.ts. */
export { parseTelemetryText, type ParsedTelemetry, type ParseTelemetryOptions } from './parse.js';
export { entryTelemetry, kindOfMetric, mergePoolTelemetry, type EntryTelemetry, type PoolTelemetry, type TelemetryKind } from './pool.js';
export { parseCsvSeries, parseCsvEvents, readCsvTable, splitCsvLine, AVAILABILITY_HEADER, type CsvSeries, type CsvSeriesOptions, type CsvTable } from './csv.js';
export { parsePrometheusRange, readPrometheusRange, formatLabels, type PrometheusOptions, type PrometheusSeries } from './prometheus.js';
export { readSeriesJson, type SeriesJsonOptions } from './series-json.js';
export { readEventsJson } from './events.js';
export { regularise, medianSpacingS, MAX_SERIES_STEPS, type TimedPoints } from './regularise.js';
export { valueRuleOf, type ValueRule } from './values.js';
export { Problems, type TelemetrySource } from './problems.js';
