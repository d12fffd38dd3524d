/**
 * bench:forecast, part "planning with a map": the same 1,000-task × 16-pool problem planned
 * on declared capacity and on an availability map (16 pools × 168 hourly buckets: free slots
 * with a daily cycle, hazard by hour of week on the interruptible pools, price by hour),
 * interleaved sample by sample in one process so the ratio holds on a drifting machine.
 * Target: with-map / without ≤ 1.5 (issue 10).
 */
import { buildAvailabilityMap, type PoolPrediction } from '../src/forecast/map.js';
import { priceMap } from '../src/forecast/priced.js';
import { assembleProblem } from '../src/model/problem.js';
import { createPlanner } from '../src/plan/planner.js';
import { layeredDag, syntheticPools } from '../src/synthetic/layered.js';
import { median } from './common.js';

const WEEK_S = 7 * 86_400;
const MONDAY_S = Date.UTC(2026, 10, 30) / 1000;

export interface PlanCostRow {
  readonly variants: string;
  readonly withoutMs: number;
  readonly withMs: number;
  readonly ratio: number;
  readonly segments: number;
}

export async function planningWithMap(samples = 200, warmUp = 100): Promise<PlanCostRow[]> {
  const definition = layeredDag({ tasks: 1000, seed: 1 });
  const resources = syntheticPools({ pools: 16, seed: 2 });
  const predictions: PoolPrediction[] = resources.pools.map((pool, p) => {
    const stepS = 300;
    const n = WEEK_S / stepS;
    const p50 = new Float64Array(n);
    for (let i = 0; i < n; i++) p50[i] = pool.slots * (0.7 + 0.3 * Math.sin((2 * Math.PI * (i * stepS + p * 3600)) / 86_400));
    const forecast = { startS: MONDAY_S, stepS, p10: p50.map((v) => v * 0.8), p50, p90: p50.map((v) => Math.min(pool.slots, v * 1.1)) };
    const data = { sources: ['synthetic'], points: n, fromS: MONDAY_S - WEEK_S, toS: MONDAY_S };
    const perSlotHour = Array.from({ length: 168 }, (_, h) => (pool.interruptionPerHour > 0 ? pool.interruptionPerHour * (h % 24 >= 12 && h % 24 < 20 ? 3 : 0.5) : 0));
    return {
      pool: pool.id,
      free: { model: 'synthetic', forecast, data },
      hazard: { fit: { perSlotHour, meanPerSlotHour: pool.interruptionPerHour, method: 'hour-of-week' as const, events: 100, exposureSlotHours: 1000, warnings: [] }, sources: ['synthetic'] },
      price: { model: 'synthetic', forecast: { ...forecast, p50: forecast.p50.map((_, i) => pool.priceUsdPerSlotHour * (1 + 0.2 * Math.sin((2 * Math.PI * i * stepS) / 86_400))) }, data },
    };
  });
  const map = buildAvailabilityMap(resources.pools.map((p) => ({ id: p.id, slots: p.slots, interruptionPerHour: p.interruptionPerHour, priceUsdPerSlotHour: p.priceUsdPerSlotHour })), predictions, { startS: MONDAY_S });
  const priced = priceMap(map, resources, { startAtS: MONDAY_S + 10 * 3600 });
  const declared = assembleProblem(definition, resources);
  const forecast = assembleProblem(definition, resources, { availability: priced.availability });
  const segments = priced.availability.pools.reduce((n, p) => n + p.atS.length, 0);
  const planner = await createPlanner({ solver: 'none' });
  const rows: PlanCostRow[] = [];
  try {
    for (const [label, variants] of [['first variant', 1], ['every constructive variant', undefined]] as const) {
      const without: number[] = [];
      const withMap: number[] = [];
      const count = variants === 1 ? samples : Math.max(20, samples / 5);
      for (let i = 0; i < (variants === 1 ? warmUp : 10) + count; i++) {
        for (const [problem, into] of [[declared, without], [forecast, withMap]] as const) {
          const started = performance.now();
          await planner.plan(problem, { timeBudgetMs: 0, ...(variants === undefined ? {} : { constructiveVariants: variants }) });
          if (i >= (variants === 1 ? warmUp : 10)) into.push(performance.now() - started);
        }
      }
      const a = median(without);
      const b = median(withMap);
      rows.push({ variants: label, withoutMs: a, withMs: b, ratio: b / a, segments });
    }
  } finally {
    await planner.close();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await planningWithMap()) console.log(`${row.variants}: without ${row.withoutMs.toFixed(2)} ms, with map ${row.withMs.toFixed(2)} ms, ratio ${row.ratio.toFixed(2)} (${row.segments} segments)`);
}
