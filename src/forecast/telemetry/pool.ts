/**
 * Parsed telemetry entries → what each pool's forecast is fitted on, in slots and USD.
 *
 *   utilisation (%)          free = slots × (1 − u/100)
 *   utilisation-fraction     free = slots × (1 − u)
 *   free-slots               free
 *   available-slots          available (the hazard estimator derives interruptions from its drops)
 *   price                    price (USD per slot-hour)
 *   interruptions            eventsS
 *
 * `slots` is the pool's declared slot count: a utilisation series says how busy the pool's
 * machines are, so the share left over is what a plan can count on. Several entries for one
 * pool merge; two giving the same kind (two sources of free slots) is an error, since which
 * one to believe is the user's call.
 */
import { formatPath, InputError, type InputIssue } from '../../model/issues.js';
import type { TelemetryEntry, TelemetryMetric } from '../../model/telemetry-section.js';
import { formatTimeS } from '../../model/time.js';
import type { ForecastWarning, Series } from '../types.js';
import type { ParsedTelemetry } from './parse.js';

export interface PoolTelemetry {
  readonly pool: string;
  /** Free slots per step. */
  readonly free?: Series;
  /** USD per slot-hour per step. */
  readonly price?: Series;
  /** Interruption times (epoch s, sorted). */
  readonly eventsS?: readonly number[];
  /** Slots the pool has per step. */
  readonly available?: Series;
  /** Where each part came from, for the map's provenance: `telemetry[0] spot-util.csv: cpu_util_percent, 2243 steps of 300 s from …`. */
  readonly sources: readonly string[];
}

export type TelemetryKind = 'free' | 'price' | 'eventsS' | 'available';

export function kindOfMetric(metric: TelemetryMetric): TelemetryKind {
  switch (metric) {
    case 'utilisation':
    case 'utilisation-fraction':
    case 'free-slots':
      return 'free';
    case 'available-slots':
      return 'available';
    case 'price':
      return 'price';
    case 'interruptions':
      return 'eventsS';
  }
}

const KIND_WORDS: Record<TelemetryKind, string> = { free: 'free slots', price: 'a price', eventsS: 'interruption events', available: 'available slots' };

export interface EntryTelemetry {
  readonly kind: TelemetryKind;
  readonly series?: Series;
  readonly eventsS?: readonly number[];
  readonly source: string;
  readonly warnings: readonly ForecastWarning[];
}

/** One parsed entry, in the pool's units (slots = the pool's declared slot count). */
export function entryTelemetry(parsed: ParsedTelemetry, slots: number, file = parsed.entry.file): EntryTelemetry {
  const { entry } = parsed;
  const kind = kindOfMetric(entry.metric);
  const at = `telemetry[${entry.index}]`;
  if (parsed.kind === 'events') {
    const span = parsed.eventsS.length === 0 ? '' : `, ${formatTimeS(parsed.eventsS[0]!)} to ${formatTimeS(parsed.eventsS[parsed.eventsS.length - 1]!)}`;
    return { kind, eventsS: parsed.eventsS, source: `${at} ${file}: ${parsed.eventsS.length} interruption${parsed.eventsS.length === 1 ? '' : 's'}${span}`, warnings: [] };
  }
  const { series } = parsed;
  const values = toSlots(entry.metric, series.values, slots);
  const warnings: ForecastWarning[] = [];
  if (kind === 'free' || kind === 'available') {
    let above = 0;
    let max = 0;
    for (const v of values) {
      if (v > slots) {
        above++;
        max = Math.max(max, v);
      }
    }
    if (above > 0) warnings.push({ path: formatPath(['telemetry', entry.index, 'file']), message: `${above} value${above === 1 ? ' is' : 's are'} above the pool's ${slots} declared slots (up to ${max}): kept (the pool grew, or its slots are declared low)` });
  }
  const n = series.values.length;
  const source = `${at} ${file}: ${parsed.label} (${entry.metric}), ${n} step${n === 1 ? '' : 's'} of ${series.stepS} s from ${formatTimeS(series.startS)}`;
  return { kind, series: { startS: series.startS, stepS: series.stepS, values }, source, warnings };
}

/** Merges every entry into one PoolTelemetry per pool (in order of first mention); two entries of one kind for a pool throw InputError. */
export function mergePoolTelemetry(parsed: readonly ParsedTelemetry[], slotsOf: ReadonlyMap<string, number>, source: string): { pools: PoolTelemetry[]; warnings: ForecastWarning[] } {
  const byPool = new Map<string, { pool: string; free?: Series; price?: Series; eventsS?: readonly number[]; available?: Series; sources: string[]; from: Partial<Record<TelemetryKind, TelemetryEntry>> }>();
  const issues: InputIssue[] = [];
  const warnings: ForecastWarning[] = [];
  for (const p of parsed) {
    warnings.push(...p.warnings);
    const slots = slotsOf.get(p.entry.pool);
    if (slots === undefined) {
      issues.push({ code: 'unknown_reference', path: ['telemetry', p.entry.index, 'pool'], message: `unknown pool "${p.entry.pool}"`, expected: 'a pool id', received: JSON.stringify(p.entry.pool) });
      continue;
    }
    const part = entryTelemetry(p, slots);
    warnings.push(...part.warnings);
    let pool = byPool.get(p.entry.pool);
    if (pool === undefined) {
      pool = { pool: p.entry.pool, sources: [], from: {} };
      byPool.set(p.entry.pool, pool);
    }
    const first = pool.from[part.kind];
    if (first !== undefined) {
      issues.push({
        code: 'duplicate_id',
        path: ['telemetry', p.entry.index, 'metric'],
        message: `pool "${p.entry.pool}" already has ${KIND_WORDS[part.kind]} from telemetry[${first.index}] (${first.file}, metric "${first.metric}"): give one source per kind and pool`,
        expected: `one source of ${KIND_WORDS[part.kind]}`,
        received: 'two',
      });
      continue;
    }
    pool.from[part.kind] = p.entry;
    if (part.kind === 'eventsS') pool.eventsS = part.eventsS!;
    else pool[part.kind] = part.series!;
    pool.sources.push(part.source);
  }
  if (issues.length > 0) throw new InputError(source, issues);
  const pools = [...byPool.values()].map(({ from: _from, ...rest }) => rest as PoolTelemetry);
  return { pools, warnings };
}

function toSlots(metric: TelemetryMetric, values: Float64Array, slots: number): Float64Array {
  switch (metric) {
    case 'utilisation':
      return values.map((u) => slots * (1 - u / 100));
    case 'utilisation-fraction':
      return values.map((u) => slots * (1 - u));
    default:
      return values;
  }
}
