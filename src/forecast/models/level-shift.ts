/**
 * Level-shift (change-point) detection on a deseasonalised window, so a forecast can re-base
 * the history before a shift to the level after it instead of averaging the two levels into
 * its seasonal terms (a weekly term fitted across a shift reproduces the old level a week
 * later; an anchor over the last day lags a shift by half a day).
 *
 * The test (causal: only the window it is given, which ends at the origin):
 * - d: the window with the daily profile removed (z), or, when a week of history precedes
 *   the part searched, the change against one week earlier (z[k] − z[k − W]), so the edges of
 *   a weekly pattern (a weekend) are not taken for shifts;
 * - σ: robust noise scale of d (MAD of its one-hour differences over the last two days);
 * - a CUSUM-style mean-difference statistic over candidate change points, computed with
 *   prefix sums of d winsorised at ±CLIP σ around its median (a spike moves a segment mean by
 *   at most CLIP σ / its length; a real shift moves every value);
 * - the most recent run of candidates above the threshold, its strongest point as the change;
 * - accepted when the shift is large against the noise (|Δ| ≥ MIN_SHIFT_SIGMAS σ, Δ a
 *   difference of medians), has lasted at least `minAfter` steps, and (weekly form) the part
 *   before it matched the week before (else the change is a return from an excursion, whose
 *   re-basing would lift the whole history);
 * - weekly form, two more cases: d returning to 0 is a shift a week earlier only if z itself
 *   changed by as much there (else: the end of an excursion, ignored); d off 0 with no change
 *   at all means a shift in the first week, searched in z between n − W and W and confirmed
 *   the same way;
 * - plain form (no week before): up to three changes, latest first, each re-basing what lies
 *   before it, so an excursion that ended is levelled rather than the history lifted.
 *
 * Known limits: with one week of history a one-off excursion and a weekly pattern look the
 * same; a second shift within a week in the weekly form is not re-based (d mixes changes now
 * and a week ago).
 *
 * Cost: O(window) with a few sorts of at most a day of values.
 */
import { medianOf } from './robust.js';

export interface LevelShift {
  /** Index into the window of the first value at the new level. */
  readonly at: number;
  /** New level − old level (robust: a difference of medians). */
  readonly delta: number;
  /** Noise scale the shift was judged against. */
  readonly sigma: number;
}

export interface LevelShiftOptions {
  /** Steps per hour (the differencing lag of σ and the default shortest run). */
  readonly hourSteps: number;
  /** Fewest steps at the new level before a shift is believed. */
  readonly minAfter: number;
  /** Weekly period in steps (0: none); the weekly difference is used when a week precedes. */
  readonly weeklyPeriod: number;
  /** Search change points at most this many steps back (default: the whole window). */
  readonly searchSteps?: number;
}

const CLIP = 4;
/** Z-score of the mean difference a candidate needs (a shift lasting an hour at 4 σ reaches ~14). */
const THRESHOLD_Z = 8;
const MIN_SHIFT_SIGMAS = 4;

interface Change {
  readonly cp: number;
  readonly beforeMedian: number;
  readonly afterMedian: number;
}

/** Noise scale (σ) and centre of a series from its last two days (every other step: medians are the cost). */
export function noiseAndCentre(d: Float64Array, hourSteps: number): { sigma: number; centre: number } {
  const m = d.length;
  const lag = Math.max(1, hourSteps);
  const tail = Math.min(m - lag, 48 * hourSteps);
  if (tail <= 0) return { sigma: 0, centre: 0 };
  const samples = new Float64Array(Math.ceil(tail / 2));
  for (let i = 0, k = 0; i < tail; i += 2, k++) samples[k] = Math.abs(d[m - 1 - i]! - d[m - 1 - i - lag]!);
  const sigma = (1.4826 * medianOf(samples)) / Math.SQRT2;
  for (let i = 0, k = 0; i < tail; i += 2, k++) samples[k] = d[m - 1 - i]!;
  return { sigma, centre: medianOf(samples) };
}

/**
 * The change point of d in [lowest, highest] (CUSUM-style mean difference, winsorised):
 * `mostRecent` takes the strongest point of the latest run above the threshold, otherwise the
 * strongest overall. Medians over at most a day on each side describe it.
 */
function findChange(d: Float64Array, sigma: number, centre: number, lowest: number, highest: number, hourSteps: number, mostRecent: boolean): Change | null {
  const m = d.length;
  const day = 24 * hourSteps;
  const prefix = new Float64Array(m + 1);
  for (let k = 0; k < m; k++) prefix[k + 1] = prefix[k]! + Math.max(-CLIP, Math.min(CLIP, (d[k]! - centre) / sigma));
  let best = -1;
  let bestZ = 0;
  for (let cp = highest; cp >= lowest; cp--) {
    const after = m - cp;
    // As much before as after (at least a day, at most what there is).
    const before = Math.min(cp, Math.max(after, day));
    const diff = (prefix[m]! - prefix[cp]!) / after - (prefix[cp]! - prefix[cp - before]!) / before;
    const zScore = Math.abs(diff) / Math.sqrt(1 / after + 1 / before);
    if (zScore >= THRESHOLD_Z) {
      if (zScore > bestZ) {
        bestZ = zScore;
        best = cp;
      }
    } else if (best >= 0 && mostRecent) break;
  }
  if (best < 0) return null;
  return { cp: best, afterMedian: medianOf(d, best, Math.min(m, best + day)), beforeMedian: medianOf(d, best - Math.min(best, day), best) };
}

/** Most changes re-based in the plain form (the latest first). */
const MAX_SEGMENTS_BACK = 3;

/**
 * The level shifts to re-base for, latest first: the window before shift i is moved by the
 * sum of the deltas of shifts 0..i, so every segment is brought to the level after the last
 * shift. The plain form (no week before) flattens up to MAX_SEGMENTS_BACK segments: an
 * excursion that ended (a dip, or a weekend in a first week) is levelled with what came after
 * it, not the whole history lifted by its edge. The weekly form returns at most one shift.
 */
export function detectLevelShifts(z: Float64Array, options: LevelShiftOptions): LevelShift[] {
  const n = z.length;
  const { hourSteps, minAfter, weeklyPeriod: W } = options;
  const minRun = Math.max(minAfter, hourSteps);
  const weekly = W > 0 && n >= W + 2 * minRun;
  if (weekly) {
    const found = weeklyShift(z, W, hourSteps, minRun, minAfter);
    return found === null ? [] : [found];
  }
  if (n < 2 * minRun + 2) return [];
  const { sigma, centre } = noiseAndCentre(z, hourSteps);
  if (!(sigma > 0)) {
    const flat = flatShift(z, 0, minAfter, false);
    return flat === null ? [] : [flat];
  }
  const shifts: LevelShift[] = [];
  let end = n;
  let after = minAfter;
  const lowest = Math.max(minRun, n - (options.searchSteps ?? n));
  for (let s = 0; s < MAX_SEGMENTS_BACK; s++) {
    if (end - after < lowest || end < 2 * minRun + 2) break;
    const part = z.subarray(0, end);
    const change = findChange(part, sigma, centre, lowest, end - after, hourSteps, true);
    if (change === null) break;
    const delta = change.afterMedian - change.beforeMedian;
    if (Math.abs(delta) < MIN_SHIFT_SIGMAS * sigma) break;
    shifts.push({ at: change.cp, delta, sigma });
    end = change.cp;
    after = minRun;
  }
  return shifts;
}

/** The latest shift only (see detectLevelShifts). */
export function detectLevelShift(z: Float64Array, options: LevelShiftOptions): LevelShift | null {
  return detectLevelShifts(z, options)[0] ?? null;
}

function weeklyShift(z: Float64Array, W: number, hourSteps: number, minRun: number, minAfter: number): LevelShift | null {
  const n = z.length;
  // Weekly form: d = change against one week earlier, over the part of the window that has one.
  const m = n - W;
  const d = new Float64Array(m);
  for (let k = 0; k < m; k++) d[k] = z[W + k]! - z[k]!;
  const { sigma, centre } = noiseAndCentre(d, hourSteps);
  if (!(sigma > 0)) return flatShift(d, W, minAfter, true);
  const small = (MIN_SHIFT_SIGMAS / 2) * sigma;
  const large = MIN_SHIFT_SIGMAS * sigma;
  const change = m >= 2 * minRun + 2 ? findChange(d, sigma, centre, minRun, m - minAfter, hourSteps, true) : null;
  if (change !== null) {
    // New shift: the part before matched last week, the part after does not.
    if (Math.abs(change.beforeMedian) <= small && Math.abs(change.afterMedian) >= large) return { at: W + change.cp, delta: change.afterMedian, sigma };
    // The change back to last week's values a week after a shift (at cp in z), or the end of
    // an excursion (no change in z a week earlier): z itself tells them apart.
    if (Math.abs(change.afterMedian) <= small && Math.abs(change.beforeMedian) >= large) return confirmInZ(z, change.cp, change.beforeMedian, hourSteps, sigma);
    return null;
  }
  // No change against last week, but not last week's level either: the shift lies in the
  // first week, where d cannot see it, between n − W and W.
  if (Math.abs(centre) < large) return null;
  const zs = noiseAndCentre(z, hourSteps);
  if (!(zs.sigma > 0)) return null;
  const found = findChange(z.subarray(0, W), zs.sigma, zs.centre, Math.max(minRun, m), W - minRun, hourSteps, false);
  if (found === null) return null;
  return confirmInZ(z, found.cp, centre, hourSteps, sigma);
}

/** A shift of `delta` at window index `at` if z changes by about that much there (within a half). */
function confirmInZ(z: Float64Array, at: number, delta: number, hourSteps: number, sigma = 0): LevelShift | null {
  const day = 24 * hourSteps;
  if (at < hourSteps || at > z.length - hourSteps) return null;
  const change = medianOf(z, at, Math.min(z.length, at + day)) - medianOf(z, Math.max(0, at - day), at);
  return Math.abs(change - delta) <= 0.5 * Math.abs(delta) ? { at, delta, sigma } : null;
}

/** Noise-free (σ = 0) windows: a shift is any change of the value held since the change. */
function flatShift(d: Float64Array, from: number, minAfter: number, weekly: boolean): LevelShift | null {
  const m = d.length;
  const last = d[m - 1]!;
  let cp = m - 1;
  while (cp > 0 && d[cp - 1] === last) cp--;
  if (cp === 0 || m - cp < minAfter) return null;
  const delta = weekly ? last : last - d[cp - 1]!;
  if (delta === 0 || (weekly && d[cp - 1] !== 0)) return null;
  return { at: from + cp, delta, sigma: 0 };
}
