/**
 * Reading telemetry files (the I/O side of src/forecast/telemetry): the `telemetry` section of a
 * resource map or of its own file, and the run journal's observed interruptions.
 *
 * Every entry is read and checked before any error is thrown, so one run lists the problems of
 * all files (each at `telemetry[i].…`).
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { ForecastWarning } from '../forecast/types.js';
import { mergePoolTelemetry, parseTelemetryText, type ParsedTelemetry, type PoolTelemetry } from '../forecast/telemetry/index.js';
import { openHistory } from '../history/store.js';
import { InputError, type InputIssue } from '../model/issues.js';
import { parseDocument } from '../model/parse.js';
import { validateTelemetryDocument, type TelemetryEntry } from '../model/telemetry-section.js';
import { formatTimeS } from '../model/time.js';
import type { ResourceMap } from '../model/types.js';

export interface TelemetryLoad {
  readonly pools: PoolTelemetry[];
  readonly warnings: ForecastWarning[];
}

/**
 * Reads every entry's file (relative to `baseDir`) and maps it to its pool. `source` names the
 * file the section came from in errors (the resource map, or the telemetry file).
 */
export function loadTelemetry(section: readonly TelemetryEntry[], baseDir: string, resources: ResourceMap, source = 'telemetry'): TelemetryLoad {
  const issues: InputIssue[] = [];
  const parsed: ParsedTelemetry[] = [];
  for (const entry of section) {
    const file = resolve(baseDir, entry.file);
    const text = readEntryFile(entry, file, issues);
    if (text === undefined) continue;
    try {
      parsed.push(parseTelemetryText(entry, text, { source: file }));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      issues.push(...error.issues);
    }
  }
  if (issues.length > 0) throw new InputError(source, issues);
  const slotsOf = new Map(resources.pools.map((p) => [p.id, p.slots]));
  return mergePoolTelemetry(parsed, slotsOf, source);
}

/** A telemetry file `{ "telemetry": [...] }`; its entries' paths are relative to it. */
export function loadTelemetryFile(path: string, resources: ResourceMap): TelemetryLoad {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = readFailure(error);
    throw new InputError(path, [{ code: 'invalid_value', path: [], message: `cannot read the telemetry file ${path}: ${reason}`, expected: 'a readable file', received: reason }]);
  }
  const entries = validateTelemetryDocument(parseDocument(text, path), path, new Set(resources.pools.map((p) => p.id)));
  return loadTelemetry(entries, dirname(path), resources, path);
}

/** The resource map's own section (paths relative to the map); no section = no telemetry. */
export function loadResourceMapTelemetry(resourcesPath: string, resources: ResourceMap): TelemetryLoad {
  return loadTelemetry(resources.telemetry ?? [], dirname(resourcesPath), resources, resourcesPath);
}

function readEntryFile(entry: TelemetryEntry, file: string, issues: InputIssue[]): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const reason = readFailure(error);
    const shown = entry.file === file ? file : `${entry.file} (${file})`;
    issues.push({ code: 'invalid_value', path: ['telemetry', entry.index, 'file'], message: `cannot read ${shown}: ${reason}`, expected: 'a readable file', received: reason });
    return undefined;
  }
}

function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String((error as Error).message);
}

// ---- the run journal ----------------------------------------------------------------------

export interface HistoryTelemetryOptions {
  /** Only these runs (the journal's job id is the run id); default every record in the store. */
  readonly runIds?: readonly string[];
  /** Only attempts that finished in [fromS, toS) (epoch s). */
  readonly fromS?: number;
  readonly toS?: number;
}

/** What the journal saw of a pool: how long its slots were busy with our attempts, and how many of those were interrupted. */
export interface PoolObservation {
  readonly pool: string;
  readonly attempts: number;
  readonly interrupted: number;
  /** Slot-hours our attempts ran on the pool: the exposure the interruptions were observed over. */
  readonly busySlotHours: number;
  /** First start and last finish observed (epoch s). */
  readonly fromS: number;
  readonly toS: number;
}

export interface HistoryTelemetry extends TelemetryLoad {
  /** Per pool with attempts in the window (zero interruptions included: that is information too). */
  readonly observed: PoolObservation[];
}

/**
 * The run journal's own observations, from the history store at `historyPath`: every attempt
 * with outcome 'interrupted' (a spot reclaim, or an attempt lost with its worker, a stall, a
 * capacity drop) becomes an interruption event of its pool at the time it ended.
 *
 * Capacity is not recoverable: the dispatcher applies a backend's capacity events in memory
 * and journals only a 'move' decision when a pool drops to zero slots (no slot counts, no
 * recoveries), so no available-slots series is derived from the journal. What the journal does
 * give is exposure — the slot-hours our attempts were running — returned as `observed`, which
 * an interruption rate needs as its denominator.
 */
export function telemetryFromHistory(historyPath: string, resources: ResourceMap, options: HistoryTelemetryOptions = {}): HistoryTelemetry {
  const known = new Set(resources.pools.map((p) => p.id));
  const runs = options.runIds === undefined ? undefined : new Set(options.runIds);
  const stats = new Map<string, { attempts: number; busyS: number; fromS: number; toS: number; eventsS: number[] }>();
  const unknownPools = new Map<string, number>();
  let untimed = 0;
  const store = openHistory(historyPath, { readonly: true });
  try {
    for (const record of store.records()) {
      if (runs !== undefined && !runs.has(record.jobId)) continue;
      if (record.outcome === 'cancelled') continue;
      if (record.finishedAtMs === undefined) {
        if (record.outcome === 'interrupted' && known.has(record.poolId)) untimed++;
        continue;
      }
      const finishedS = record.finishedAtMs / 1000;
      if ((options.fromS !== undefined && finishedS < options.fromS) || (options.toS !== undefined && finishedS >= options.toS)) continue;
      if (!known.has(record.poolId)) {
        if (record.outcome === 'interrupted') unknownPools.set(record.poolId, (unknownPools.get(record.poolId) ?? 0) + 1);
        continue;
      }
      const startedS = record.startedAtMs === undefined ? finishedS - record.runtimeS : record.startedAtMs / 1000;
      let pool = stats.get(record.poolId);
      if (pool === undefined) {
        pool = { attempts: 0, busyS: 0, fromS: startedS, toS: finishedS, eventsS: [] };
        stats.set(record.poolId, pool);
      }
      pool.attempts++;
      pool.busyS += Math.max(0, finishedS - startedS);
      pool.fromS = Math.min(pool.fromS, startedS);
      pool.toS = Math.max(pool.toS, finishedS);
      if (record.outcome === 'interrupted') pool.eventsS.push(finishedS);
    }
  } finally {
    store.close();
  }
  const warnings: ForecastWarning[] = [];
  const shownPath = relative(process.cwd(), historyPath) || historyPath;
  if (untimed > 0) warnings.push({ path: shownPath, message: `${untimed} interrupted attempt${untimed === 1 ? ' has' : 's have'} no finish time: left out` });
  if (unknownPools.size > 0) {
    const listed = [...unknownPools].slice(0, 5).map(([pool, n]) => `${pool} (${n})`).join(', ');
    warnings.push({ path: shownPath, message: `interrupted attempts on pools the resource map does not declare were left out: ${listed}${unknownPools.size > 5 ? ` and ${unknownPools.size - 5} more` : ''}` });
  }
  const pools: PoolTelemetry[] = [];
  const observed: PoolObservation[] = [];
  // In the resource map's order, so output is stable whatever order the store streams in.
  for (const poolDef of resources.pools) {
    const s = stats.get(poolDef.id);
    if (s === undefined) continue;
    const eventsS = s.eventsS.sort((a, b) => a - b);
    const busySlotHours = s.busyS / 3600;
    pools.push({
      pool: poolDef.id,
      eventsS,
      sources: [`history ${shownPath}: ${eventsS.length} interrupted of ${s.attempts} attempt${s.attempts === 1 ? '' : 's'}, ${round(busySlotHours)} busy slot-hours, ${formatTimeS(s.fromS)} to ${formatTimeS(s.toS)}`],
    });
    observed.push({ pool: poolDef.id, attempts: s.attempts, interrupted: eventsS.length, busySlotHours, fromS: s.fromS, toS: s.toS });
  }
  return { pools, warnings, observed };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * All the telemetry a command was given: the resource map's own section and each
 * `--telemetry FILE`, merged per pool. One pool may take its free slots from one source and
 * its interruptions from another; the same kind twice for one pool is an error.
 */
export function gatherTelemetry(resourcesPath: string, resources: ResourceMap, files: readonly string[]): TelemetryLoad {
  const loads = [loadResourceMapTelemetry(resourcesPath, resources), ...files.map((f) => loadTelemetryFile(f, resources))];
  const byPool = new Map<string, PoolTelemetry>();
  const issues: InputIssue[] = [];
  for (const load of loads) {
    for (const pool of load.pools) {
      const before = byPool.get(pool.pool);
      if (before === undefined) {
        byPool.set(pool.pool, pool);
        continue;
      }
      for (const kind of ['free', 'available', 'price', 'eventsS'] as const) {
        if (before[kind] !== undefined && pool[kind] !== undefined) issues.push({ code: 'duplicate_id', path: ['telemetry'], message: `pool "${pool.pool}" has ${kind} telemetry from both ${before.sources.join(', ')} and ${pool.sources.join(', ')}`, expected: 'one source per pool and kind', received: 'two' });
      }
      byPool.set(pool.pool, { ...before, ...Object.fromEntries(Object.entries(pool).filter(([, v]) => v !== undefined)), sources: [...before.sources, ...pool.sources] } as PoolTelemetry);
    }
  }
  if (issues.length > 0) throw new InputError(files.join(', ') || resourcesPath, issues);
  return { pools: [...byPool.values()], warnings: loads.flatMap((l) => l.warnings) };
}
