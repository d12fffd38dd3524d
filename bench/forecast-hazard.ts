/**
 * Interruption hazard by hour of week (issue 10, §5 "Hazard"), on SYNTHETIC events: there is
 * no public, licensed spot-interruption trace small enough to ship (../shared/data/README.md),
 * so events are drawn with a known hour-of-week rate (src/forecast/synthetic-events.ts).
 *
 * Per seasonality strength × training length (1–8 weeks) over seeds: the held-out
 * log-likelihood per event (4 fresh weeks of the same process) of the shrunk estimate and of
 * the raw per-hour MLE, each minus that of the constant-rate model fitted on the same data;
 * the mean relative error of the recovered 168 rates (shrunk, raw MLE, constant); how often
 * the estimator fell back to the constant rate; fit time (median, and as a ratio to the
 * constant fit measured in the same loop).
 *
 *   node --import tsx bench/forecast-hazard.ts [--seeds N] [--slots N] [--mean R]
 */
import { fitHazardFromEvents, hazardLogLikelihood } from '../src/forecast/hazard.js';
import { seasonalHourOfWeekRates, syntheticEvents } from '../src/forecast/synthetic-events.js';
import type { HazardFit } from '../src/forecast/types.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const SEEDS = arg('seeds', 20);
const SLOTS = arg('slots', 20);
const MEAN = arg('mean', 0.02); // interruptions per slot-hour: 0.4 per hour on the pool
const WEEK_S = 7 * 24 * 3600;
const MONDAY_S = 4 * 24 * 3600;

function withRates(fit: HazardFit, perSlotHour: number[]): HazardFit {
  return { ...fit, perSlotHour };
}

/** Raw MLE y_b / E_b per hour of week (what shrinkage improves on); 0 where nothing was seen. */
function rawMle(eventsS: readonly number[], weeks: number): number[] {
  const counts = new Array<number>(168).fill(0);
  for (const t of eventsS) counts[Math.floor(((t - MONDAY_S) % WEEK_S) / 3600)]!++;
  return counts.map((c) => c / (SLOTS * weeks));
}

function relError(rates: readonly number[], truth: readonly number[]): number {
  return rates.reduce((s, r, i) => s + Math.abs(r - truth[i]!) / truth[i]!, 0) / truth.length;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const f = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : x > 0 ? '∞' : '−∞');

console.log(`Hazard by hour of week on synthetic events (${SLOTS} slots, mean ${MEAN} per slot-hour, ${SEEDS} seeds; held out: 4 weeks of the same process)\n`);
console.log('| strength (peak/trough) | weeks | events (mean) | Δll/event shrunk | Δll/event raw MLE | rel. err shrunk | rel. err raw MLE | rel. err constant | fallbacks | fit ms (median) | fit / constant fit |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const strength of [0, 0.25, 0.5, 1]) {
  const truth = seasonalHourOfWeekRates(MEAN, strength);
  const ratio = Math.max(...truth) / Math.min(...truth);
  for (const weeks of [1, 2, 4, 8]) {
    const rows = { events: [] as number[], gain: [] as number[], gainRaw: [] as number[], err: [] as number[], errRaw: [] as number[], errConst: [] as number[], fallback: 0, ms: [] as number[], ratio: [] as number[] };
    for (let seed = 1; seed <= SEEDS; seed++) {
      const train = { fromS: MONDAY_S, toS: MONDAY_S + weeks * WEEK_S, slots: SLOTS };
      const test = { fromS: MONDAY_S + 20 * WEEK_S, toS: MONDAY_S + 24 * WEEK_S, slots: SLOTS };
      const { eventsS } = syntheticEvents({ seed, ...train, perSlotHour: truth });
      const held = syntheticEvents({ seed: 100_000 + seed, ...test, perSlotHour: truth }).eventsS;
      const t0 = performance.now();
      const fit = fitHazardFromEvents(eventsS, train);
      const t1 = performance.now();
      const constant = fitHazardFromEvents(eventsS, train, { minEvents: Number.POSITIVE_INFINITY });
      const t2 = performance.now();
      rows.ms.push(t1 - t0);
      rows.ratio.push((t1 - t0) / Math.max(t2 - t1, 1e-3));
      const raw = rawMle(eventsS, weeks);
      const llConst = hazardLogLikelihood(constant, held, test);
      rows.events.push(eventsS.length);
      rows.gain.push((hazardLogLikelihood(fit, held, test) - llConst) / held.length);
      rows.gainRaw.push((hazardLogLikelihood(withRates(fit, raw), held, test) - llConst) / held.length);
      rows.err.push(relError(fit.perSlotHour, truth));
      rows.errRaw.push(relError(raw, truth));
      rows.errConst.push(relError(constant.perSlotHour, truth));
      if (fit.method === 'constant') rows.fallback++;
    }
    console.log(`| ${strength} (${f(ratio, 1)}) | ${weeks} | ${f(mean(rows.events), 0)} | ${f(mean(rows.gain), 4)} | ${f(mean(rows.gainRaw), 4)} | ${f(mean(rows.err))} | ${f(mean(rows.errRaw))} | ${f(mean(rows.errConst))} | ${rows.fallback}/${SEEDS} | ${f(median(rows.ms), 2)} | ${f(median(rows.ratio), 1)}× |`);
  }
}

// Fallback: few events (a small pool or a quiet week).
console.log('\nFallback to the constant rate with few events (strength 1, 1 week):\n');
console.log('| slots | events (mean) | fallbacks | Δll/event (fit − constant) |');
console.log('|---|---|---|---|');
for (const slots of [1, 2, 5, 10]) {
  const truth = seasonalHourOfWeekRates(MEAN, 1);
  let fallback = 0;
  const events: number[] = [];
  const gains: number[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    const train = { fromS: MONDAY_S, toS: MONDAY_S + WEEK_S, slots };
    const test = { fromS: MONDAY_S + 20 * WEEK_S, toS: MONDAY_S + 24 * WEEK_S, slots };
    const { eventsS } = syntheticEvents({ seed, ...train, perSlotHour: truth });
    const held = syntheticEvents({ seed: 100_000 + seed, ...test, perSlotHour: truth }).eventsS;
    const fit = fitHazardFromEvents(eventsS, train);
    const constant = fitHazardFromEvents(eventsS, train, { minEvents: Number.POSITIVE_INFINITY });
    events.push(eventsS.length);
    if (fit.method === 'constant') fallback++;
    if (held.length > 0) gains.push((hazardLogLikelihood(fit, held, test) - hazardLogLikelihood(constant, held, test)) / held.length);
  }
  console.log(`| ${slots} | ${f(mean(events), 1)} | ${fallback}/${SEEDS} | ${f(mean(gains), 4)} |`);
}
