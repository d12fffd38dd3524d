/**
 * bench:forecast, part "end to end": plans made with the predictor's map against plans on
 * declared capacity, both replayed on what really happened (the reference cost model with the
 * realised capacity and hazard), over many start times.
 *
 * The world (synthetic, said so: no public licensed spot trace is small enough to ship):
 *   - examples/pools/hetero.json: onprem (16 free slots, region A, where the data is),
 *     ondemand (32, B) and spot (64, B, cheapest, interruptible);
 *   - spot's free slots follow a daily cycle (busy weekday afternoons leave few free) with
 *     noise, and its interruptions a known hour-of-week rate (high in the afternoon);
 *   - the job: examples/log-analytics.json with 40× the items (a few hours of work), its
 *     4-hour deadline.
 * For each start (every 2 h over the third week) the predictor is fitted on the two weeks and
 * more before it (no peeking: only telemetry and interruptions before the start), and both
 * plans are scored on the realised availability of the 24 h after the start.
 */
import { readFileSync } from 'node:fs';
import { hourOfWeek } from '../src/forecast/hazard.js';
import { predictAvailability } from '../src/forecast/predict.js';
import { priceMap } from '../src/forecast/priced.js';
import { seasonalHourOfWeekRates, syntheticEvents } from '../src/forecast/synthetic-events.js';
import type { Series } from '../src/forecast/types.js';
import type { Availability } from '../src/model/availability.js';
import { evaluateCandidate } from '../src/cost/evaluate.js';
import { parseDocument } from '../src/model/parse.js';
import { assembleProblem, type Problem } from '../src/model/problem.js';
import { validateResourceMap } from '../src/model/validate-pools.js';
import { validateTaskDefinition } from '../src/model/validate-task.js';
import { createPlanner } from '../src/plan/planner.js';
import { seededRandom } from '../src/util/random.js';
import { geometricMean } from './common.js';

const MONDAY_S = Date.UTC(2026, 10, 2) / 1000; // Monday 2026-11-02 00:00 UTC
const STEP_S = 300;
const WEEK_S = 7 * 86_400;
const SPOT_SLOTS = 64;

export interface EndToEndRow {
  readonly policy: string;
  readonly starts: number;
  readonly objectiveGeoMean: number;
  readonly vsDeclared: number;
  readonly makespanMeanS: number;
  readonly costMeanUsd: number;
  readonly deadlineMet: number;
}

/** Spot's realised free slots over three weeks: busy weekday afternoons, quieter weekends, noise. */
function spotFreeSeries(seed: number): Series {
  const random = seededRandom(seed);
  const n = (3 * WEEK_S) / STEP_S;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = MONDAY_S + i * STEP_S;
    const hour = ((t % 86_400) / 3600);
    const day = Math.floor((t - MONDAY_S) / 86_400) % 7;
    const busy = Math.exp(-(((hour - 16) / 2.5) ** 2)) * (day < 5 ? 1 : 0.4);
    values[i] = Math.max(0, Math.min(SPOT_SLOTS, SPOT_SLOTS * (0.92 - 0.8 * busy) + (random() - 0.5) * 8));
  }
  return { startS: MONDAY_S, stepS: STEP_S, values };
}

/** The realised availability from `startS` for `hours`: spot's free slots per step, its true hazard per hour; the rest declared. */
function realised(problem: Problem, free: Series, truePerSlotHour: readonly number[], startS: number, hours: number): Availability {
  const spot = problem.resources.pools.findIndex((p) => p.id === 'spot');
  const pools = problem.resources.pools.map((pool, p) => {
    if (p !== spot) return { atS: [0], slots: [pool.slots], hazardPerS: [pool.interruptionPerHour / 3600], priceUsdPerSlotS: [pool.priceUsdPerSlotHour / 3600] };
    const atS: number[] = [];
    const slots: number[] = [];
    const hazardPerS: number[] = [];
    const priceUsdPerSlotS: number[] = [];
    for (let k = 0; k < (hours * 3600) / STEP_S; k++) {
      const t = startS + k * STEP_S;
      const i = Math.floor((t - free.startS) / STEP_S);
      atS.push(k * STEP_S);
      slots.push(Math.floor(free.values[Math.min(free.values.length - 1, i)]!));
      hazardPerS.push(truePerSlotHour[hourOfWeek(t)]! / 3600);
      priceUsdPerSlotS.push(pool.priceUsdPerSlotHour / 3600);
    }
    return { atS, slots, hazardPerS, priceUsdPerSlotS };
  });
  return { source: 'realised', pools };
}

export async function endToEnd(options: { readonly everyH?: number; readonly seed?: number; readonly onStart?: (done: number, total: number) => void } = {}): Promise<EndToEndRow[]> {
  const task = JSON.parse(readFileSync(new URL('../examples/log-analytics.json', import.meta.url), 'utf8')) as { stages: Array<{ items?: number }> };
  for (const stage of task.stages) if (stage.items !== undefined) stage.items *= 40;
  const definition = validateTaskDefinition(task, 'log-analytics×40');
  const resources = validateResourceMap(parseDocument(readFileSync(new URL('../examples/pools/hetero.json', import.meta.url), 'utf8'), 'hetero.json'), 'hetero.json');
  const free = spotFreeSeries(options.seed ?? 7);
  const truePerSlotHour = seasonalHourOfWeekRates(0.15, 1.2);
  const events = syntheticEvents({ seed: (options.seed ?? 7) + 1, fromS: MONDAY_S, toS: MONDAY_S + 3 * WEEK_S, slots: SPOT_SLOTS, perSlotHour: truePerSlotHour }).eventsS;
  const declared = assembleProblem(definition, resources);
  const pools = resources.pools.map((p) => ({ id: p.id, slots: p.slots, interruptionPerHour: p.interruptionPerHour, priceUsdPerSlotHour: p.priceUsdPerSlotHour }));
  const planner = await createPlanner({ solver: 'none' });
  const outcomes = new Map<string, Array<{ objective: number; makespanS: number; costUsd: number; met: boolean }>>();
  const starts: number[] = [];
  for (let t = MONDAY_S + 2 * WEEK_S; t < MONDAY_S + 3 * WEEK_S - 86_400; t += (options.everyH ?? 2) * 3600) starts.push(t);
  try {
    for (const [index, startS] of starts.entries()) {
      options.onStart?.(index, starts.length);
      const seen = Math.floor((startS - MONDAY_S) / STEP_S);
      const history: Series = { startS: MONDAY_S, stepS: STEP_S, values: free.values.slice(0, seen) };
      const map = predictAvailability(pools, [{ pool: 'spot', free: history, eventsS: events.filter((e) => e < startS), sources: ['synthetic spot telemetry'] }], { horizonS: 2 * 86_400 });
      const truth = assembleProblem(definition, resources, { availability: realised(declared, free, truePerSlotHour, startS, 24) });
      const policies: Array<[string, Problem]> = [['declared capacity', declared]];
      for (const risk of [0.5, 0.1]) policies.push([`forecast, capacity at P${risk * 100}`, assembleProblem(definition, resources, { availability: priceMap(map, resources, { startAtS: startS, capacityRisk: risk }).availability })]);
      for (const [name, problem] of policies) {
        const { scored } = await planner.plan(problem, { timeBudgetMs: 0 });
        const replayed = evaluateCandidate(truth, { graph: scored.graph, allocation: scored.allocation, order: scored.order, variant: name });
        const list = outcomes.get(name) ?? [];
        list.push({ objective: replayed.terms.objective, makespanS: replayed.terms.makespanS, costUsd: replayed.terms.costUsd, met: replayed.violations.every((v) => v.constraint !== 'deadline') });
        outcomes.set(name, list);
      }
    }
  } finally {
    await planner.close();
  }
  const base = outcomes.get('declared capacity')!;
  return [...outcomes].map(([policy, list]) => ({
    policy,
    starts: list.length,
    objectiveGeoMean: geometricMean(list.map((o) => o.objective)) ?? Number.NaN,
    vsDeclared: geometricMean(list.map((o, i) => o.objective / base[i]!.objective)) ?? Number.NaN,
    makespanMeanS: list.reduce((a, o) => a + o.makespanS, 0) / list.length,
    costMeanUsd: list.reduce((a, o) => a + o.costUsd, 0) / list.length,
    deadlineMet: list.filter((o) => o.met).length / list.length,
  }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await endToEnd({ onStart: (i, n) => process.stderr.write(`\r${i + 1}/${n}`) })) console.log(JSON.stringify(row));
}
