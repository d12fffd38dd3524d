/**
 * Timed points → a regular series (the models work on a grid).
 *
 * Real telemetry is not quite regular: NAB's CloudWatch exports jitter by minutes and skip a
 * step now and then, Prometheus leaves out the steps where a target was down. Points are binned
 * onto a grid (step = the median spacing unless one is given; origin = the first point), several
 * points in one step are averaged, and steps without a point are missing (NaN), with warnings
 * that say how many and where. Rejecting such files would reject most real ones.
 */
import { formatTimeS } from '../../model/time.js';
import type { Series } from '../types.js';
import type { Problems } from './problems.js';

/** Points sorted by strictly increasing time (epoch s); a NaN value is a missing one. */
export interface TimedPoints {
  readonly timesS: Float64Array;
  readonly values: Float64Array;
}

/**
 * The longest grid built (a year at 5 s, 47 years at 5 minutes; 80 MB of values): a stray
 * timestamp decades off, or a step far finer than the data, fails with a message instead of
 * exhausting memory.
 */
export const MAX_SERIES_STEPS = 6_000_000;

/** How many gaps a warning lists before it counts the rest. */
const GAPS_LISTED = 5;

export function regularise(points: TimedPoints, stepS: number | undefined, problems: Problems): Series | undefined {
  const n = points.timesS.length;
  if (n === 0) return undefined;
  const medianS = medianSpacingS(points.timesS);
  if (stepS === undefined && medianS === undefined) {
    problems.fieldError('stepS', 'the file holds a single timestamp, so its step cannot be inferred: give stepS', 'missing_field', 'stepS', 'nothing');
    return undefined;
  }
  const step = stepS ?? medianS!;
  const t0 = gridOrigin(points.timesS, step);
  const spanSteps = Math.round((points.timesS[n - 1]! - t0) / step) + 1;
  if (!(spanSteps <= MAX_SERIES_STEPS)) {
    problems.error(
      `the series spans ${formatTimeS(t0)} to ${formatTimeS(points.timesS[n - 1]!)}, ${spanSteps.toExponential(2)} steps of ${step} s: more than ${MAX_SERIES_STEPS.toLocaleString('en')}; give a larger stepS (or check for a stray timestamp)`,
      'invalid_value',
      `at most ${MAX_SERIES_STEPS} steps`,
      String(spanSteps),
    );
    return undefined;
  }
  if (stepS !== undefined && medianS !== undefined && stepS < medianS / 1.5) {
    problems.warn(`stepS ${stepS} s is finer than the data's median spacing (${medianS} s): most steps will be missing`, 'stepS');
  }
  const sums = new Float64Array(spanSteps);
  const counts = new Uint32Array(spanSteps);
  const occupied = new Uint8Array(spanSteps);
  let offGrid = 0;
  let maxOffS = 0;
  for (let i = 0; i < n; i++) {
    const exact = (points.timesS[i]! - t0) / step;
    const k = Math.round(exact);
    const off = Math.abs(exact - k) * step;
    if (off > 1e-6 * step) {
      offGrid++;
      if (off > maxOffS) maxOffS = off;
    }
    // A bin with a point is not a gap even when the point's value is missing: that is reported as missing, once.
    occupied[k] = 1;
    const v = points.values[i]!;
    if (Number.isNaN(v)) continue;
    sums[k] = sums[k]! + v;
    counts[k] = counts[k]! + 1;
  }
  const values = new Float64Array(spanSteps);
  let shared = 0;
  for (let k = 0; k < spanSteps; k++) {
    values[k] = counts[k]! > 0 ? sums[k]! / counts[k]! : Number.NaN;
    if (counts[k]! > 1) shared += counts[k]! - 1;
  }
  if (offGrid > 0 && stepS === undefined) {
    problems.warn(`${offGrid} of ${n} timestamps are off the ${step} s grid (by up to ${roundS(maxOffS)} s): each was binned to the nearest step`);
  } else if (offGrid > 0) {
    problems.warn(`${offGrid} of ${n} timestamps are off the ${step} s grid of stepS (by up to ${roundS(maxOffS)} s): each was binned to the nearest step`);
  }
  if (shared > 0) problems.warn(`${shared} value${shared === 1 ? '' : 's'} shared a ${step} s step with another and ${shared === 1 ? 'was' : 'were'} averaged with it`);
  warnGaps(occupied, t0, step, problems);
  return { startS: t0, stepS: step, values };
}

/**
 * Where the grid starts: at the first point, moved by the median offset of all points from a
 * grid through the first one, so that one jittered first sample does not put every other
 * sample off the grid. Never after the first point's step: the first point lands in step 0.
 */
function gridOrigin(timesS: Float64Array, step: number): number {
  const first = timesS[0]!;
  const n = timesS.length;
  if (n < 3) return first;
  const residues = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const offset = timesS[i]! - first;
    residues[i] = offset - Math.round(offset / step) * step;
  }
  residues.sort();
  const shift = residues[n >> 1]!;
  // |shift| <= step / 2; keep the first point in step 0 (round half up would put it in step 1).
  return Math.abs(shift) < 1e-9 * step ? first : shift >= step / 2 ? first : first + shift;
}

/** The median of the spacings, rounded to a whole second from 10 s up (to 1 ms below): undefined for one point. */
export function medianSpacingS(timesS: Float64Array): number | undefined {
  const n = timesS.length;
  if (n < 2) return undefined;
  const spacings = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) spacings[i - 1] = timesS[i]! - timesS[i - 1]!;
  spacings.sort();
  const mid = (n - 1) >> 1;
  const median = (n - 1) % 2 === 1 ? spacings[mid]! : (spacings[mid - 1]! + spacings[mid]!) / 2;
  const rounded = median >= 10 ? Math.round(median) : Math.round(median * 1000) / 1000;
  return rounded > 0 ? rounded : median;
}

function warnGaps(occupied: Uint8Array, t0: number, step: number, problems: Problems): void {
  const gaps: { fromS: number; steps: number }[] = [];
  let missing = 0;
  for (let k = 0; k < occupied.length; ) {
    if (occupied[k] === 1) {
      k++;
      continue;
    }
    let end = k;
    while (end < occupied.length && occupied[end] === 0) end++;
    gaps.push({ fromS: t0 + k * step, steps: end - k });
    missing += end - k;
    k = end;
  }
  if (gaps.length === 0) return;
  const listed = gaps.slice(0, GAPS_LISTED).map((g) => `${g.steps} step${g.steps === 1 ? '' : 's'} from ${formatTimeS(g.fromS)}`).join(', ');
  const more = gaps.length > GAPS_LISTED ? ` and ${gaps.length - GAPS_LISTED} more` : '';
  problems.warn(`${missing} step${missing === 1 ? '' : 's'} of ${step} s ${missing === 1 ? 'has' : 'have'} no data, in ${gaps.length} gap${gaps.length === 1 ? '' : 's'}: ${listed}${more} (left missing)`);
}

function roundS(seconds: number): number {
  return seconds >= 10 ? Math.round(seconds) : Math.round(seconds * 1000) / 1000;
}
