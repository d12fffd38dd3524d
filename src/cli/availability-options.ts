/**
 * The availability flags shared by `plan` and `run`: `--availability MAP` (a fitted map),
 * `--telemetry FILE` (fit one now; the resource map's own `telemetry` section does the same),
 * `--start-at TIME` (the wall-clock time of plan time 0) and `--capacity-risk R` (the
 * free-slot quantile planned on).
 */
import { readAvailabilityMap, type AvailabilityMap } from '../forecast/map.js';
import { DEFAULT_CAPACITY_RISK, priceMap, type Priced } from '../forecast/priced.js';
import type { ResourceMap } from '../model/types.js';
import { parseHorizon } from '../forecast/backtest.js';
import { predictAvailability, type PoolTelemetryInput } from '../forecast/predict.js';
import type { ForecastWarning } from '../forecast/types.js';
import { loadJsonDocument } from '../load/files.js';
import { gatherTelemetry, telemetryFromHistory, type TelemetryLoad } from '../load/telemetry.js';
import { describeTimeProblem, parseTimeS } from '../model/time.js';
import { UsageError, parseDecimal } from './args.js';
import type { Io } from './io.js';

export const AVAILABILITY_OPTIONS = {
  availability: { type: 'string' },
  telemetry: { type: 'string', multiple: true },
  'start-at': { type: 'string' },
  'capacity-risk': { type: 'string' },
} as const;

export const AVAILABILITY_EXPECTS = {
  availability: 'a file path (an availability map: apportion forecast fit)',
  telemetry: 'a file path (a telemetry section JSON)',
  'start-at': 'an ISO time (2026-12-03T14:00:00Z), epoch seconds or "now"',
  'capacity-risk': 'p10, p50, p90 (any pNN) or a number in (0, 1)',
} as const;

export const AVAILABILITY_USAGE = `      --availability FILE plan on an availability map (apportion forecast fit): free slots, hazard and price over time
      --telemetry FILE    fit the map now from a telemetry section (the resource map's own "telemetry" does the same); repeatable
      --start-at TIME     wall-clock time of plan time 0: ISO (2026-12-03T14:00:00Z), epoch seconds or now (default now)
      --capacity-risk R   free-slot quantile planned on: p10 cautious .. p90 bold, or a number in (0, 1) (default p50)`;

export interface AvailabilityFlags {
  readonly availabilityPath?: string | undefined;
  readonly telemetryPaths?: readonly string[] | undefined;
  /** Epoch s of plan time 0; undefined = now. */
  readonly startAtS?: number | undefined;
  readonly capacityRisk?: number | undefined;
}

export function availabilityFlags(values: { availability?: string | undefined; telemetry?: string[] | undefined; 'start-at'?: string | undefined; 'capacity-risk'?: string | undefined }): AvailabilityFlags {
  const telemetry = values.telemetry ?? [];
  if (values.availability !== undefined && telemetry.length > 0) throw new UsageError('give --availability MAP or --telemetry FILE, not both (a map is what telemetry is fitted into)');
  return {
    availabilityPath: values.availability,
    telemetryPaths: telemetry.length > 0 ? telemetry : undefined,
    startAtS: values['start-at'] === undefined ? undefined : parseStartAt(values['start-at']),
    capacityRisk: values['capacity-risk'] === undefined ? undefined : parseCapacityRisk(values['capacity-risk']),
  };
}

/** `2026-12-03T14:00:00Z`, `2026-12-03 14:00` (UTC), `1764770400` (epoch s) or `now`; impossible dates are refused. */
export function parseStartAt(text: string, flag = '--start-at'): number {
  if (text === 'now') return Math.floor(Date.now() / 1000);
  const seconds = parseTimeS(text);
  if (seconds === undefined) throw new UsageError(`${flag}: expected ${AVAILABILITY_EXPECTS['start-at']}, received "${text}": ${describeTimeProblem(text)}`);
  return seconds;
}

/** `1h`, `90m`, `7d`, `3600` → seconds; a usage error naming the flag otherwise. */
export function durationFlag(flag: string, text: string): number {
  try {
    return parseHorizon(text);
  } catch {
    throw new UsageError(`${flag}: expected a duration such as 1h, 90m, 7d or seconds, received "${text}"`);
  }
}

/** `p10` → 0.1, `0.25` → 0.25. */
export function parseCapacityRisk(text: string): number {
  const match = /^[pP](\d+(?:\.\d+)?)$/.exec(text);
  const risk = match ? Number(match[1]) / 100 : parseDecimal(text);
  if (risk === undefined || !(risk > 0) || !(risk < 1)) throw new UsageError(`--capacity-risk: expected ${AVAILABILITY_EXPECTS['capacity-risk']}, received "${text}"`);
  return risk;
}

export interface ResolvedAvailability {
  readonly map: AvailabilityMap;
  /** Priced against the resource map given. */
  readonly priced: Priced;
  /** The same map priced against another resource map (one capped by a reservation). */
  priceFor(resources: ResourceMap): Priced;
  readonly startAtS: number;
  readonly capacityRisk: number;
  /** Said with the plan: where the forecast came from and how it was priced. */
  readonly assumptions: readonly string[];
}

export interface FitSettings {
  /** A history store whose runs' interruptions (and the slot-hours they ran) are telemetry too. */
  readonly historyPath?: string | undefined;
  readonly model?: string | undefined;
  readonly horizonS?: number | undefined;
  readonly bucketS?: number | undefined;
}

/**
 * Fits a map from the resource map's telemetry section and `--telemetry` files; undefined when
 * there is none. Warnings and per-pool progress go to stderr.
 */
export function fitFromTelemetry(poolsPath: string, resources: ResourceMap, telemetryPaths: readonly string[], io: Io, settings: FitSettings = {}): AvailabilityMap | undefined {
  return fitWithTelemetry(poolsPath, resources, telemetryPaths, io, settings)?.map;
}

/** As fitFromTelemetry, with the telemetry it read (the picture draws its history). */
export function fitWithTelemetry(poolsPath: string, resources: ResourceMap, telemetryPaths: readonly string[], io: Io, settings: FitSettings = {}): { map: AvailabilityMap; telemetry: TelemetryLoad } | undefined {
  const gathered = gatherTelemetry(poolsPath, resources, telemetryPaths);
  const telemetry = settings.historyPath === undefined ? gathered : withJournal(gathered, settings.historyPath, resources);
  if (telemetry.pools.length === 0) return undefined;
  const started = Date.now();
  const map = predictAvailability(
    resources.pools.map((p) => ({ id: p.id, slots: p.slots, interruptionPerHour: p.interruptionPerHour, priceUsdPerSlotHour: p.priceUsdPerSlotHour })),
    telemetry.pools,
    {
      ...(settings.model === undefined ? {} : { model: settings.model }),
      ...(settings.horizonS === undefined ? {} : { horizonS: settings.horizonS }),
      ...(settings.bucketS === undefined ? {} : { bucketS: settings.bucketS }),
      onPool: (pool, index, count) => io.stderr(`… forecast: fitting pool ${pool} (${index + 1} of ${count})\n`),
    },
  );
  writeWarnings(io, [...telemetry.warnings, ...map.warnings]);
  io.stderr(`forecast ${map.id}: ${telemetry.pools.length} pool(s) fitted in ${Date.now() - started} ms\n`);
  return { map, telemetry };
}

/**
 * The run journal's interruptions join the telemetry of pools that have no interruption
 * telemetry of their own, with the slot-hours the runs held there as their exposure.
 */
function withJournal(telemetry: TelemetryLoad, historyPath: string, resources: ResourceMap): TelemetryLoad & { pools: PoolTelemetryInput[] } {
  const journal = telemetryFromHistory(historyPath, resources);
  const observed = new Map(journal.observed.map((o) => [o.pool, o]));
  const pools: PoolTelemetryInput[] = telemetry.pools.map((p) => ({ ...p }));
  for (const fromJournal of journal.pools) {
    const seen = observed.get(fromJournal.pool);
    if (fromJournal.eventsS === undefined || seen === undefined || seen.busySlotHours <= 0) continue;
    const exposure = { fromS: seen.fromS, toS: seen.toS, slotHours: seen.busySlotHours };
    const at = pools.findIndex((p) => p.pool === fromJournal.pool);
    if (at < 0) pools.push({ pool: fromJournal.pool, eventsS: fromJournal.eventsS, exposure, sources: fromJournal.sources });
    else if (pools[at]!.eventsS === undefined) pools[at] = { ...pools[at]!, eventsS: fromJournal.eventsS, exposure, sources: [...pools[at]!.sources, ...fromJournal.sources] };
  }
  return { pools: pools as TelemetryLoad['pools'], warnings: [...telemetry.warnings, ...journal.warnings] };
}

export function writeWarnings(io: Io, warnings: readonly ForecastWarning[]): void {
  const shown = warnings.slice(0, 20);
  for (const w of shown) io.stderr(`⚠ ${w.path}: ${w.message}\n`);
  if (warnings.length > shown.length) io.stderr(`⚠ … ${warnings.length - shown.length} more warnings\n`);
}

/**
 * The map from `--availability`, or fitted now from telemetry (the resource map's section,
 * `--telemetry`), priced for this plan's start; undefined with no forecast.
 */
export function resolveAvailability(flags: AvailabilityFlags, resources: ResourceMap, poolsPath: string, io: Io): ResolvedAvailability | undefined {
  const map = flags.availabilityPath !== undefined ? readAvailabilityMap(loadJsonDocument(flags.availabilityPath), flags.availabilityPath) : fitFromTelemetry(poolsPath, resources, flags.telemetryPaths ?? [], io);
  if (map === undefined) {
    if (flags.startAtS !== undefined || flags.capacityRisk !== undefined) throw new UsageError('--start-at and --capacity-risk price a forecast: give --availability MAP or --telemetry FILE (or a resource map with a "telemetry" section)');
    return undefined;
  }
  const startAtS = flags.startAtS ?? Math.floor(Date.now() / 1000);
  const capacityRisk = flags.capacityRisk ?? DEFAULT_CAPACITY_RISK;
  const priced = priceMap(map, resources, { startAtS, capacityRisk });
  const when = new Date(startAtS * 1000).toISOString().replace('.000Z', 'Z');
  const assumptions = [
    `availability: forecast ${map.id} from ${flags.startAtS === undefined ? `now (${when}; --start-at to choose)` : when}, capacity at P${Number((capacityRisk * 100).toPrecision(3))} of the free slots`,
    ...priced.assumptions,
    ...map.pools.flatMap((p) => p.assumptions.map((a) => `${p.pool}: ${a}`)),
  ];
  return { map, priced, startAtS, capacityRisk, assumptions, priceFor: (other) => (other === resources ? priced : priceMap(map, other, { startAtS, capacityRisk })) };
}
