/**
 * Availability traces for `apportion evaluate`: generated ones (seeded), and the cuts a case
 * needs of any trace: what the sim replays from the job's start on, and what the policies may
 * see before it.
 *
 * A generated trace gives each interruptible pool a series of available slots over the
 * horizon: every slot up is interrupted at a seasonal hour-of-week rate (the pool's declared
 * rate × `rateScale` on average), goes down and comes back `recoveryS` later; bursts take a
 * cluster of slots at once, outages the whole pool for a while
 * (src/forecast/synthetic-events.ts, the same process the predictor is tested against).
 * Declared non-interruptible pools stay at their full slots.
 */
import { InputError, nearestName, type InputIssue } from '../model/issues.js';
import type { ResourceMap } from '../model/types.js';
import { seasonalHourOfWeekRates, syntheticAvailability } from '../forecast/synthetic-events.js';
import type { Series } from '../forecast/types.js';
import type { HistoryPoint } from './policy.js';
import type { AvailabilityTrace } from './types.js';

export type TracePoint = { readonly timeS: number; readonly available: number };

export interface GeneratedTraceOptions {
  readonly id?: string;
  readonly seed: number;
  /** Length of the trace (s). */
  readonly horizonS: number;
  /** Epoch s of the trace's time 0; default 0 (a Thursday, 00:00 UTC). */
  readonly startS?: number;
  /** Tick of the series (s); default 300. */
  readonly stepS?: number;
  /** Multiplies every pool's declared interruption rate; default 1. */
  readonly rateScale?: number;
  /** Seasonality of the hazard (0 = constant; 1 ≈ 20× peak to trough); default 0.8. */
  readonly strength?: number;
  /** How long an interrupted slot stays down (s); default 1800. */
  readonly recoveryS?: number;
  readonly bursts?: { readonly count: number; readonly eventsPerBurst: number; readonly spreadS: number };
  readonly outages?: { readonly count: number; readonly durationS: number };
}

/** A seeded trace for every pool of `resources` (non-interruptible pools at full slots throughout). */
export function generateTrace(resources: ResourceMap, options: GeneratedTraceOptions): AvailabilityTrace {
  const startS = options.startS ?? 0;
  const stepS = options.stepS ?? 300;
  const rateScale = options.rateScale ?? 1;
  const strength = options.strength ?? 0.8;
  const recoveryS = options.recoveryS ?? 1800;
  if (!(options.horizonS > 0 && Number.isFinite(options.horizonS))) throw new RangeError(`generateTrace: horizonS must be a finite number > 0, received ${options.horizonS}`);
  if (!(stepS > 0 && Number.isFinite(stepS))) throw new RangeError(`generateTrace: stepS must be a finite number > 0, received ${stepS}`);
  const pools = new Map<string, TracePoint[]>();
  resources.pools.forEach((pool, index) => {
    if (!(pool.interruptionPerHour > 0)) {
      pools.set(pool.id, [{ timeS: 0, available: pool.slots }]);
      return;
    }
    const generated = syntheticAvailability({
      // One stream per pool, so adding a pool does not change the others' traces.
      seed: (options.seed * 7919 + index * 104_729 + 1) >>> 0,
      fromS: startS,
      toS: startS + options.horizonS,
      slots: pool.slots,
      perSlotHour: seasonalHourOfWeekRates(pool.interruptionPerHour * rateScale, strength),
      recoveryS,
      stepS,
      ...(options.bursts === undefined ? {} : { bursts: options.bursts }),
      ...(options.outages === undefined ? {} : { outages: options.outages }),
    });
    pools.set(pool.id, pointsOfSeries(generated.available, startS));
  });
  const parts = [`seasonal hazard ×${rateScale} strength ${strength}`, `recovery ${recoveryS} s`];
  if (options.bursts !== undefined) parts.push(`${options.bursts.count} burst(s)`);
  if (options.outages !== undefined) parts.push(`${options.outages.count} outage(s) of ${options.outages.durationS} s`);
  return { id: options.id ?? `generated-${options.seed}`, pools, startS, source: `generated: ${parts.join(', ')}, seed ${options.seed}` };
}

/** A sampled series as change points (only where the level changes), in seconds from `originS`. */
export function pointsOfSeries(series: Series, originS: number): TracePoint[] {
  const points: TracePoint[] = [];
  for (let i = 0; i < series.values.length; i++) {
    const v = series.values[i]!;
    if (!Number.isFinite(v)) continue;
    const available = Math.max(0, Math.round(v));
    if (points.length > 0 && points[points.length - 1]!.available === available) continue;
    points.push({ timeS: series.startS + i * series.stepS - originS, available });
  }
  return points;
}

/** The level at `t` (the last point at or before t; the first point's level before it). */
export function levelAt(points: readonly TracePoint[], t: number): number | undefined {
  if (points.length === 0) return undefined;
  let lo = 0;
  let hi = points.length - 1;
  if (points[0]!.timeS > t) return points[0]!.available;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (points[mid]!.timeS <= t) lo = mid;
    else hi = mid - 1;
  }
  return points[lo]!.available;
}

/** What the sim replays: per pool, the trace from `offsetS` on, in seconds from the job's start (the first point at 0). */
export function traceFrom(trace: AvailabilityTrace, offsetS: number): Map<string, TracePoint[]> {
  const out = new Map<string, TracePoint[]>();
  for (const [pool, points] of trace.pools) {
    const first = levelAt(points, offsetS);
    if (first === undefined) continue;
    const shifted: TracePoint[] = [{ timeS: 0, available: first }];
    for (const point of points) if (point.timeS > offsetS && point.available !== shifted[shifted.length - 1]!.available) shifted.push({ timeS: point.timeS - offsetS, available: point.available });
    out.set(pool, shifted);
  }
  return out;
}

/** What a policy may see: per pool, the points before `offsetS`, in epoch s. */
export function traceBefore(trace: AvailabilityTrace, offsetS: number): { fromS: number; pools: Map<string, HistoryPoint[]> } {
  const startS = trace.startS ?? 0;
  const pools = new Map<string, HistoryPoint[]>();
  for (const [pool, points] of trace.pools) {
    const before = points.filter((p) => p.timeS < offsetS).map((p) => ({ timeS: startS + p.timeS, available: p.available }));
    if (before.length > 0) pools.set(pool, before);
  }
  return { fromS: startS, pools };
}

/** Change points as a regular series over [fromS, toS) at `stepS` (each tick the level at its start): the predictor's input. */
export function seriesOfPoints(points: readonly HistoryPoint[], fromS: number, toS: number, stepS: number): Series | undefined {
  const n = Math.floor((toS - fromS) / stepS);
  if (!(n >= 1) || points.length === 0) return undefined;
  const values = new Float64Array(n);
  let j = 0;
  let level = points[0]!.available;
  for (let i = 0; i < n; i++) {
    const t = fromS + i * stepS;
    while (j < points.length && points[j]!.timeS <= t) level = points[j++]!.available;
    values[i] = level;
  }
  return { startS: fromS, stepS, values };
}

/** Checks traces against the resource map: known pools, points ascending from 0, levels whole and ≥ 0. */
export function checkTraces(traces: readonly AvailabilityTrace[], resources: ResourceMap): void {
  const ids = resources.pools.map((p) => p.id);
  const issues: InputIssue[] = [];
  const seen = new Set<string>();
  traces.forEach((trace, t) => {
    if (seen.has(trace.id)) issues.push({ code: 'invalid_value', path: ['traces', t, 'id'], message: `trace id "${trace.id}" repeats`, expected: 'unique trace ids', received: trace.id });
    seen.add(trace.id);
    for (const [pool, points] of trace.pools) {
      if (!ids.includes(pool)) {
        const near = nearestName(pool, ids);
        issues.push({ code: 'invalid_value', path: ['traces', trace.id, pool], message: `unknown pool "${pool}"${near === undefined ? '' : ` (did you mean "${near}"?)`}; the resource map has ${ids.join(', ')}`, expected: 'a pool of the resource map', received: pool });
        continue;
      }
      for (let i = 0; i < points.length; i++) {
        const p = points[i]!;
        const prev = i > 0 ? points[i - 1]!.timeS : -Infinity;
        if (!(Number.isFinite(p.timeS) && p.timeS >= 0 && p.timeS > prev)) {
          issues.push({ code: 'invalid_value', path: ['traces', trace.id, pool, i, 'timeS'], message: `time ${p.timeS} is not after the previous point's (${prev}) or not a finite number ≥ 0`, expected: 'strictly increasing times ≥ 0', received: String(p.timeS) });
          break;
        }
        if (!(Number.isInteger(p.available) && p.available >= 0)) {
          issues.push({ code: 'invalid_value', path: ['traces', trace.id, pool, i, 'available'], message: `available ${p.available} is not a whole number ≥ 0`, expected: 'an integer ≥ 0', received: String(p.available) });
          break;
        }
      }
    }
  });
  if (issues.length > 0) throw new InputError('traces', issues);
}

/**
 * A pool's availability from interruption events (epoch s): from `slots` at `originS`, each
 * event takes one slot that is up away for `recoveryS` (a spot instance reclaimed, then
 * replaced); an event while no slot is up takes nothing. In seconds from `originS`, as trace
 * points. Events before `originS` are dropped.
 */
export function pointsOfEvents(eventsS: readonly number[], slots: number, recoveryS: number, originS: number): TracePoint[] {
  const events = eventsS.filter((e) => e >= originS).map((e) => e - originS).sort((a, b) => a - b);
  const returns: number[] = []; // ascending: events come in time order and recoveryS is fixed
  const points: TracePoint[] = [{ timeS: 0, available: slots }];
  let up = slots;
  const set = (t: number): void => {
    const last = points[points.length - 1]!;
    if (last.timeS === t) points[points.length - 1] = { timeS: t, available: up };
    else if (last.available !== up) points.push({ timeS: t, available: up });
  };
  let next = 0;
  for (const t of events) {
    while (next < returns.length && returns[next]! <= t) {
      up++;
      set(returns[next++]!);
    }
    if (up === 0) continue;
    up--;
    returns.push(t + recoveryS);
    set(t);
  }
  while (next < returns.length) {
    up++;
    set(returns[next++]!);
  }
  return points;
}
