/**
 * `apportion forecast show` and `forecast eval` as text: the map per pool (what was learnt
 * and from what, free slots by hour of day, the hazard's busiest and calmest hours, price),
 * and the backtest table.
 */
import type { AvailabilityMap, PoolForecast } from '../forecast/map.js';
import type { BacktestRow, ForecastWarning } from '../forecast/types.js';
import { table } from './format.js';

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function iso(epochS: number): string {
  return new Date(epochS * 1000).toISOString().replace(':00.000Z', 'Z');
}

export function renderMapText(map: AvailabilityMap, options: { readonly pool?: string } = {}): string {
  const lines = [`availability map ${map.id} (version ${map.version})`, `from ${iso(map.startS)} for ${((map.buckets * map.bucketS) / 3600).toFixed(0)} h in ${map.bucketS / 60}-minute buckets`];
  for (const pool of map.pools) {
    if (options.pool !== undefined && pool.pool !== options.pool) continue;
    lines.push('', ...renderPool(map, pool));
  }
  if (map.warnings.length > 0) lines.push('', 'warnings:', ...renderWarnings(map.warnings));
  return `${lines.join('\n')}\n`;
}

function renderPool(map: AvailabilityMap, pool: PoolForecast): string[] {
  const lines = [`pool ${pool.pool}: ${pool.declaredSlots} slots declared, ${pool.declaredInterruptionPerHour}/h interruptions, ${pool.declaredPriceUsdPerSlotHour} USD per slot-hour`];
  if (pool.free !== undefined) {
    const f = pool.free;
    lines.push(`  free slots: model ${f.model}, fitted on ${f.data.points} points ${iso(f.data.fromS)} .. ${iso(f.data.toS)} (${f.data.sources.join(', ')})`);
    // Mean of each quantile by hour of day (UTC) over the map's horizon.
    const rows: string[][] = [['  hour (UTC)', 'P10', 'P50', 'P90']];
    const sums = Array.from({ length: 24 }, () => [0, 0, 0, 0]);
    for (let b = 0; b < map.buckets; b++) {
      const hour = Math.floor(((map.startS + b * map.bucketS) % 86_400) / 3600);
      const s = sums[(hour + 24) % 24]!;
      s[0]! += f.p10[b]!;
      s[1]! += f.p50[b]!;
      s[2]! += f.p90[b]!;
      s[3]!++;
    }
    for (let h = 0; h < 24; h += map.bucketS >= 7200 ? 2 : 3) {
      const s = sums[h]!;
      if (s[3] === 0) continue;
      rows.push([`  ${String(h).padStart(2, '0')}:00`, (s[0]! / s[3]!).toFixed(1), (s[1]! / s[3]!).toFixed(1), (s[2]! / s[3]!).toFixed(1)]);
    }
    lines.push(table(rows, [false, true, true, true]));
  }
  if (pool.hazard !== undefined) {
    const h = pool.hazard;
    const ranked = h.perSlotHour.map((rate, i) => ({ rate, i })).sort((a, b) => b.rate - a.rate);
    const at = (i: number): string => `${DAYS[Math.floor(i / 24)]} ${String(i % 24).padStart(2, '0')}:00`;
    lines.push(`  interruptions: ${h.method === 'constant' ? 'constant rate (too few events for an hour-of-week pattern)' : 'by hour of week, shrunk to the mean'}; ${h.events} events over ${h.exposureSlotHours.toFixed(0)} slot-hours (${h.sources.join(', ')})`);
    lines.push(`    mean ${h.meanPerSlotHour.toFixed(4)}/h per slot; highest ${ranked.slice(0, 3).map((r) => `${at(r.i)} ${r.rate.toFixed(4)}`).join(', ')}; lowest ${ranked.slice(-3).reverse().map((r) => `${at(r.i)} ${r.rate.toFixed(4)}`).join(', ')}`);
  }
  if (pool.price !== undefined) {
    const prices = pool.price.usdPerSlotHour;
    lines.push(`  price: model ${pool.price.model}; ${Math.min(...prices).toFixed(4)} .. ${Math.max(...prices).toFixed(4)} USD per slot-hour over the horizon`);
  }
  for (const a of pool.assumptions) lines.push(`  assumed: ${a}`);
  return lines;
}

export function renderWarnings(warnings: readonly ForecastWarning[]): string[] {
  return warnings.map((w) => `  ⚠ ${w.path}: ${w.message}`);
}

/** The backtest table of `forecast eval`: one row per model and horizon. */
export function renderBacktestText(rows: readonly BacktestRow[], source: string): string {
  const body = rows.map((r) => [
    `  ${r.model}`,
    r.horizon,
    fmt(r.mase),
    fmt(r.relMae),
    Number.isFinite(r.coverage) ? `${(r.coverage * 100).toFixed(1)} %` : '–',
    fmt(r.mae),
    fmt(r.maeSeasonalNaiveDaily),
    r.maeSeasonalNaiveWeekly === null ? '–' : fmt(r.maeSeasonalNaiveWeekly),
    String(r.origins),
  ]);
  return `${[
    `backtest of ${source}: rolling origin over the last third; MASE = MAE / in-sample MAE of the daily seasonal naive (Hyndman & Koehler 2006); relMae = MAE / the better seasonal naive (daily, weekly) on the same origins; coverage = share inside P10–P90 (target 80 %)`,
    table([['  model', 'horizon', 'MASE', 'relMae', 'P10–P90', 'MAE', 'MAE naive day', 'MAE naive week', 'origins'], ...body], [false, false, true, true, true, true, true, true, true]),
  ].join('\n')}\n`;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return '–';
  return Math.abs(v) >= 1000 ? v.toExponential(2) : v.toPrecision(3);
}
