/**
 * Synthetic telemetry with known structure, for tests and the accuracy benchmark: a level,
 * a daily shape (a smooth double-hump working day), a weekly pattern (quieter weekends), a
 * linear trend, level shifts, AR(1) noise, spikes and missing values, all seeded.
 */
import { seededRandom } from '../util/random.js';
import type { Series } from './types.js';

export interface SyntheticSeriesOptions {
  readonly seed: number;
  readonly days?: number;
  readonly stepS?: number;
  /** Epoch s of the first value; default 1970-01-05T00:00Z (a Monday). */
  readonly startS?: number;
  readonly level?: number;
  /** Peak-to-mean amplitude of the daily shape. */
  readonly dailyAmplitude?: number;
  /** How much lower Saturday and Sunday are. */
  readonly weekendDrop?: number;
  readonly trendPerDay?: number;
  /** Standard deviation of the AR(1) noise and its coefficient per step. */
  readonly noiseSd?: number;
  readonly noiseAr?: number;
  /** Number of level shifts at random times (size ±levelShiftSize). */
  readonly levelShifts?: number;
  readonly levelShiftSize?: number;
  /** Number of one-step spikes (size spikeSize × noiseSd × random). */
  readonly spikes?: number;
  readonly spikeSize?: number;
  /** Share of values set to NaN, in gaps of up to an hour. */
  readonly missingFraction?: number;
}

export interface SyntheticSeries {
  readonly series: Series;
  /** The noise-free signal (level + seasons + trend + shifts). */
  readonly truth: Float64Array;
}

const DAY_S = 86_400;

/** A working-day shape in [-1, 1]-ish: low at night, morning and afternoon humps. */
export function dailyShape(secondOfDay: number): number {
  const x = (secondOfDay / DAY_S) * 2 * Math.PI;
  return -Math.cos(x) * 0.8 + 0.35 * Math.sin(2 * x - 0.5);
}

export function syntheticSeries(options: SyntheticSeriesOptions): SyntheticSeries {
  const random = seededRandom(options.seed);
  const gaussian = (): number => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const stepS = options.stepS ?? 300;
  const days = options.days ?? 14;
  const startS = options.startS ?? 4 * DAY_S;
  const n = Math.max(0, Math.round((days * DAY_S) / stepS));
  const level = options.level ?? 50;
  const dailyAmplitude = options.dailyAmplitude ?? 20;
  const weekendDrop = options.weekendDrop ?? 10;
  const trendPerDay = options.trendPerDay ?? 0;
  const noiseSd = options.noiseSd ?? 3;
  const noiseAr = options.noiseAr ?? 0.5;
  const shiftTimes = Array.from({ length: options.levelShifts ?? 0 }, () => Math.floor(random() * n)).sort((a, b) => a - b);
  const shiftSizes = shiftTimes.map(() => (random() < 0.5 ? -1 : 1) * (options.levelShiftSize ?? 10));
  const truth = new Float64Array(n);
  const values = new Float64Array(n);
  let noise = 0;
  const innovationSd = noiseSd * Math.sqrt(1 - noiseAr * noiseAr);
  let shift = 0;
  let nextShift = 0;
  for (let i = 0; i < n; i++) {
    while (nextShift < shiftTimes.length && shiftTimes[nextShift]! <= i) shift += shiftSizes[nextShift++]!;
    const t = startS + i * stepS;
    const dayOfWeek = (Math.floor(t / DAY_S) + 3) % 7; // 0 = Monday (1970-01-01 was a Thursday)
    const weekend = dayOfWeek >= 5 ? -weekendDrop : 0;
    truth[i] = level + dailyAmplitude * dailyShape(((t % DAY_S) + DAY_S) % DAY_S) + weekend + trendPerDay * ((i * stepS) / DAY_S) + shift;
    noise = noiseAr * noise + innovationSd * gaussian();
    values[i] = truth[i]! + noise;
  }
  for (let k = 0; k < (options.spikes ?? 0); k++) {
    const i = Math.floor(random() * n);
    values[i] = values[i]! + (options.spikeSize ?? 8) * noiseSd * (0.5 + random());
  }
  const missing = Math.round((options.missingFraction ?? 0) * n);
  let dropped = 0;
  while (dropped < missing) {
    const from = Math.floor(random() * n);
    const length = 1 + Math.floor(random() * Math.max(1, 3600 / stepS));
    for (let i = from; i < Math.min(n, from + length) && dropped < missing; i++) {
      if (!Number.isNaN(values[i]!)) {
        values[i] = Number.NaN;
        dropped++;
      }
    }
  }
  return { series: { startS, stepS, values }, truth };
}
