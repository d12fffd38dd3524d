/**
 * Interruption hazard λ(t) by hour of week (issue 10, §2): piecewise-constant Poisson rates,
 * per slot-hour, for the 168 hours of the week (0 = Monday 00:00–01:00 UTC; epoch 0 was a
 * Thursday, so epoch hour h is hour of week (h + 72) mod 168).
 *
 * Events are sparse (a pool sees a handful of interruptions a week), so the 168 raw rates
 * y_b / E_b (events over exposed slot-hours) are mostly 0 or noise. They are shrunk
 * hierarchically, hour of week → hour of day (× a day-of-week factor) → the pool's constant
 * rate, by Gamma–Poisson empirical Bayes:
 *
 *   level 1   λ_d ~ Gamma(shape α₁, mean λ₀)              d = hour of day (24 bins), λ₀ = N / E
 *   level 1b  f_k ~ Gamma(shape α_k, mean 1)               k = day of week (7 factors on λ̂_d,
 *                                                           exposure = events expected under λ̂_d)
 *   level 2   λ_w ~ Gamma(shape α₂, mean λ̂_d(w)·f̂_k(w))  w = hour of week (168 bins)
 *   y_b | λ_b ~ Poisson(λ_b · E_b)
 *
 * so each posterior mean is (y_b + α) / (E_b + α / m_b): the data's rate where exposure is
 * large against the prior's pseudo-exposure α / m_b slot-hours, the level above where it is
 * not. The prior strength α of each level is the one that maximises the marginal likelihood
 * of that level's counts (negative binomial, Σ_b log NB(y_b | α, m_b E_b)), searched on a log
 * grid and refined by golden section. A maximum at the grid's top means the data show no
 * heterogeneity at that level: it is pooled completely (α = ∞, reported as null). Marginal
 * likelihood rather than a fixed rule because the right strength depends on how seasonal the
 * pool is, which is exactly what is being estimated; it is the standard type-II ML choice
 * for this conjugate model (Clayton & Kaldor 1987 use it for sparse disease rates).
 *
 * Below `minEvents` events (default 20) nothing is said about the shape: the constant rate
 * N / E is used everywhere (method 'constant') with a warning. With zero exposure the rate is
 * unknown: `fallbackPerSlotHour` (default 0) is used, with a warning.
 *
 * Rates are capped at MAX_INTERRUPTION_PER_HOUR (the resource map's own limit), with a
 * warning. Pure: no I/O, no clock.
 */
import { InputError, type InputIssue } from '../model/issues.js';
import { MAX_INTERRUPTION_PER_HOUR } from '../model/limits.js';
import type { ForecastWarning, HazardFit, Series } from './types.js';

export const HOURS_PER_WEEK = 168;
const HOUR_S = 3600;
const WEEK_S = HOURS_PER_WEEK * HOUR_S;
/** Epoch 0 (Thursday 00:00 UTC) is hour 72 of the week that starts on Monday. */
const EPOCH_HOUR_OF_WEEK = 72;

/** Fewer events than this: the constant rate (a shape from fewer says nothing). */
export const DEFAULT_MIN_EVENTS = 20;

export interface HazardOptions {
  /** Below this many events in the window, the constant rate (default 20). */
  readonly minEvents?: number;
  /** Rate per slot-hour to use when there is no exposure at all (default 0), e.g. the declared one. */
  readonly fallbackPerSlotHour?: number;
  /** Where the data came from, for warnings and errors (default 'hazard'). */
  readonly path?: string;
}

export interface AvailabilityHazardOptions extends HazardOptions {
  /**
   * Whether a drop to 0 slots (a whole-pool outage) counts as one interruption per slot lost
   * (default true: every sub-task running there is lost, which is what rework prices). With
   * false such drops are left out of the counts (their exposure stays), for pools whose
   * outages are modelled apart.
   */
  readonly countOutages?: boolean;
}

export interface HazardExposure {
  readonly fromS: number;
  readonly toS: number;
  /** Slots exposed: a constant, or a series of slots per tick (NaN = unknown: no exposure). */
  readonly slots: number | Series;
}

/** Hour of week (0 = Monday 00:00 UTC) of an epoch second. */
export function hourOfWeek(epochS: number): number {
  const h = Math.floor(epochS / HOUR_S) + EPOCH_HOUR_OF_WEEK;
  return ((h % HOURS_PER_WEEK) + HOURS_PER_WEEK) % HOURS_PER_WEEK;
}

/** Adds weight × hours of [aS, bS) to the hour-of-week bins (whole weeks in one step). */
function addExposure(bins: Float64Array, aS: number, bS: number, weight: number): void {
  if (!(bS > aS) || !(weight > 0)) return;
  const weeks = Math.floor((bS - aS) / WEEK_S);
  if (weeks > 0) {
    for (let w = 0; w < HOURS_PER_WEEK; w++) bins[w]! += weight * weeks;
    aS += weeks * WEEK_S;
  }
  let t = aS;
  while (t < bS) {
    const next = Math.min(bS, (Math.floor(t / HOUR_S) + 1) * HOUR_S);
    bins[hourOfWeek(t)]! += (weight * (next - t)) / HOUR_S;
    if (!(next > t)) break; // t too large for the hour grid to advance: nothing more to add
    t = next;
  }
}

function inputError(path: string, message: string, received: string): InputError {
  const issue: InputIssue = { code: 'invalid_value', path: [path], message, received };
  return new InputError(path, [issue]);
}

/** Exposure in slot-hours per hour-of-week bin, with warnings for unknown ticks. */
function exposureBins(exposure: HazardExposure, path: string, warnings: ForecastWarning[]): Float64Array {
  const { fromS, toS, slots } = exposure;
  if (!Number.isFinite(fromS) || !Number.isFinite(toS) || !(toS >= fromS)) {
    throw inputError(`${path}.exposure`, `the exposure window must be finite with toS ≥ fromS (got ${fromS} .. ${toS})`, `${fromS} .. ${toS}`);
  }
  const bins = new Float64Array(HOURS_PER_WEEK);
  if (typeof slots === 'number') {
    if (!Number.isFinite(slots) || slots < 0) throw inputError(`${path}.exposure.slots`, 'slots must be a finite number ≥ 0', String(slots));
    addExposure(bins, fromS, toS, slots);
    return bins;
  }
  if (!(slots.stepS > 0) || !Number.isFinite(slots.stepS) || !Number.isFinite(slots.startS)) {
    throw inputError(`${path}.exposure.slots`, 'the slot series needs a finite startS and a stepS > 0', `startS ${slots.startS}, stepS ${slots.stepS}`);
  }
  let missing = 0;
  for (let i = 0; i < slots.values.length; i++) {
    const a = Math.max(fromS, slots.startS + i * slots.stepS);
    const b = Math.min(toS, slots.startS + (i + 1) * slots.stepS);
    if (!(b > a)) continue;
    const v = slots.values[i]!;
    if (Number.isNaN(v)) {
      missing++;
      continue;
    }
    if (!Number.isFinite(v) || v < 0) throw inputError(`${path}.exposure.slots`, `tick ${i}: slots must be finite and ≥ 0`, String(v));
    addExposure(bins, a, b, v);
  }
  if (missing > 0) warnings.push({ path: `${path}.exposure.slots`, message: `${missing} tick(s) without a value count as no exposure` });
  return bins;
}

/** The log-gamma function (Lanczos, g = 7, n = 9; ~1e-15 relative), for x > 0. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log Γ(α + y) − log Γ(α), exactly as a sum for small whole y (no cancellation at large α). */
function logGammaRatio(alpha: number, y: number): number {
  if (y === 0) return 0;
  if (Number.isInteger(y) && y <= 64) {
    let s = 0;
    for (let i = 0; i < y; i++) s += Math.log(alpha + i);
    return s;
  }
  return logGamma(alpha + y) - logGamma(alpha);
}

/**
 * Σ_b log NB(y_b | shape α, mean μ_b = m_b·E_b), up to terms free of α (the y! and y·log μ),
 *   log Γ(y+α) − log Γ(α) − α·log1p(μ/α) − y·log(α + μ),
 * written with log1p so that it tends to the Poisson's −μ − y·log α … smoothly as α grows.
 */
function logMarginal(alpha: number, y: Float64Array, mu: Float64Array): number {
  let s = 0;
  for (let b = 0; b < y.length; b++) {
    const m = mu[b]!;
    if (!(m > 0)) continue; // no exposure (then no events) or a zero prior mean: α-free
    s += logGammaRatio(alpha, y[b]!) - alpha * Math.log1p(m / alpha) - y[b]! * Math.log(alpha + m);
  }
  return s;
}

/** log α search range: below, the prior says nothing; above, the level is pooled completely. */
const LOG_ALPHA_MIN = Math.log(1e-3);
const LOG_ALPHA_MAX = Math.log(1e8);

/** Prior shape α maximising the marginal likelihood (Infinity: complete pooling). */
function chooseShape(y: Float64Array, mu: Float64Array): number {
  const f = (logAlpha: number): number => logMarginal(Math.exp(logAlpha), y, mu);
  const steps = 56;
  let best = 0;
  let bestValue = Number.NEGATIVE_INFINITY;
  const grid: number[] = [];
  for (let i = 0; i <= steps; i++) {
    const x = LOG_ALPHA_MIN + ((LOG_ALPHA_MAX - LOG_ALPHA_MIN) * i) / steps;
    const value = f(x);
    grid.push(x);
    if (value > bestValue) {
      bestValue = value;
      best = i;
    }
  }
  if (best === steps || !Number.isFinite(bestValue)) return Number.POSITIVE_INFINITY;
  // Golden section between the grid neighbours of the best point (the function is smooth).
  let a = grid[Math.max(0, best - 1)]!;
  let b = grid[Math.min(steps, best + 1)]!;
  const r = (Math.sqrt(5) - 1) / 2;
  let c = b - r * (b - a);
  let d = a + r * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < 40; i++) {
    if (fc > fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - r * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + r * (b - a);
      fd = f(d);
    }
  }
  return Math.exp((a + b) / 2);
}

/** Posterior means (y_b + α) / (E_b + α / m_b); m_b where α = ∞ or there is no exposure. */
function shrink(y: Float64Array, exposure: Float64Array, priorMean: Float64Array, alpha: number): Float64Array {
  const out = new Float64Array(y.length);
  for (let b = 0; b < y.length; b++) {
    const m = priorMean[b]!;
    const e = exposure[b]!;
    if (!Number.isFinite(alpha) || !(e > 0)) out[b] = m;
    else if (!(m > 0)) out[b] = y[b]! / e;
    else out[b] = (y[b]! + alpha) / (e + alpha / m);
  }
  return out;
}

/**
 * The fit from counts and exposure per hour-of-week bin (both 168 long). The core shared by
 * the event and the availability estimators.
 */
export function fitHazardFromCounts(counts: ArrayLike<number>, exposureSlotHours: ArrayLike<number>, options: HazardOptions = {}, warningsIn: readonly ForecastWarning[] = []): HazardFit {
  const path = options.path ?? 'hazard';
  const minEvents = options.minEvents ?? DEFAULT_MIN_EVENTS;
  const warnings = [...warningsIn];
  const y = Float64Array.from(counts);
  const E = Float64Array.from(exposureSlotHours);
  if (y.length !== HOURS_PER_WEEK || E.length !== HOURS_PER_WEEK) throw inputError(path, `counts and exposure need ${HOURS_PER_WEEK} bins each`, `${y.length} and ${E.length}`);
  let events = 0;
  let exposure = 0;
  for (let b = 0; b < HOURS_PER_WEEK; b++) {
    if (!(y[b]! >= 0) || !Number.isFinite(y[b]!)) throw inputError(path, `hour ${b}: the count must be finite and ≥ 0`, String(y[b]));
    if (!(E[b]! >= 0) || !Number.isFinite(E[b]!)) throw inputError(path, `hour ${b}: the exposure must be finite and ≥ 0`, String(E[b]));
    if (y[b]! > 0 && E[b] === 0) {
      warnings.push({ path, message: `hour of week ${b}: ${y[b]} event(s) with no exposure were left out` });
      y[b] = 0;
    }
    events += y[b]!;
    exposure += E[b]!;
  }
  const cap = (rates: Float64Array): Float64Array => {
    let capped = 0;
    for (let b = 0; b < rates.length; b++) {
      if (rates[b]! > MAX_INTERRUPTION_PER_HOUR) {
        rates[b] = MAX_INTERRUPTION_PER_HOUR;
        capped++;
      }
    }
    if (capped > 0) warnings.push({ path, message: `${capped} rate(s) above ${MAX_INTERRUPTION_PER_HOUR} per slot-hour were capped there (the resource map's limit)` });
    return rates;
  };
  const constant = (mean: number): HazardFit => {
    const [capped] = cap(Float64Array.of(mean));
    return { perSlotHour: new Array<number>(HOURS_PER_WEEK).fill(capped!), meanPerSlotHour: capped!, method: 'constant', events, exposureSlotHours: exposure, warnings, priorShape: { hourOfDay: null, dayOfWeek: null, hourOfWeek: null } };
  };
  if (!(exposure > 0)) {
    const fallback = options.fallbackPerSlotHour ?? 0;
    warnings.push({ path, message: `no exposure (no slot-hours observed): the hazard is unknown, ${fallback} per slot-hour assumed` });
    return constant(fallback);
  }
  const mean = events / exposure;
  if (events < minEvents) {
    warnings.push({ path, message: `only ${events} interruption(s) in ${fmt(exposure)} slot-hours (fewer than ${minEvents}): the constant rate ${fmt(mean)} per slot-hour is used for every hour` });
    return constant(mean);
  }
  // Level 1: hour of day, shrunk to the constant rate.
  const yDay = new Float64Array(24);
  const eDay = new Float64Array(24);
  for (let b = 0; b < HOURS_PER_WEEK; b++) {
    yDay[b % 24]! += y[b]!;
    eDay[b % 24]! += E[b]!;
  }
  const flat = new Float64Array(24).fill(mean);
  const alphaDay = chooseShape(yDay, times(flat, eDay));
  const day = shrink(yDay, eDay, flat, alphaDay);
  // Level 1b: a day-of-week factor on the hour-of-day rates (weekends differ), each day's
  // events against those expected under level 1, shrunk to 1 the same way.
  const yWeekday = new Float64Array(7);
  const expectedWeekday = new Float64Array(7);
  for (let b = 0; b < HOURS_PER_WEEK; b++) {
    yWeekday[Math.floor(b / 24)]! += y[b]!;
    expectedWeekday[Math.floor(b / 24)]! += E[b]! * day[b % 24]!;
  }
  const alphaWeekday = chooseShape(yWeekday, expectedWeekday);
  const weekday = shrink(yWeekday, expectedWeekday, new Float64Array(7).fill(1), alphaWeekday);
  // Level 2: hour of week, shrunk to its hour of day × its day's factor.
  const prior = Float64Array.from({ length: HOURS_PER_WEEK }, (_, b) => day[b % 24]! * weekday[Math.floor(b / 24)]!);
  const alphaWeek = chooseShape(y, times(prior, E));
  const week = cap(shrink(y, E, prior, alphaWeek));
  return {
    perSlotHour: Array.from(week),
    meanPerSlotHour: Math.min(mean, MAX_INTERRUPTION_PER_HOUR),
    method: 'hour-of-week',
    events,
    exposureSlotHours: exposure,
    warnings,
    priorShape: { hourOfDay: Number.isFinite(alphaDay) ? alphaDay : null, dayOfWeek: Number.isFinite(alphaWeekday) ? alphaWeekday : null, hourOfWeek: Number.isFinite(alphaWeek) ? alphaWeek : null },
    perHourOfDay: Array.from(day, (r) => Math.min(r, MAX_INTERRUPTION_PER_HOUR)),
  };
}

function times(a: Float64Array, b: Float64Array): Float64Array {
  return Float64Array.from(a, (x, i) => x * b[i]!);
}

function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}

/**
 * Hazard from interruption events (epoch s, one per slot lost) over an exposure window.
 * Events outside [fromS, toS) are left out with a warning; a non-finite event time is bad
 * input (InputError, path `events[i]`).
 */
export function fitHazardFromEvents(eventsS: readonly number[], exposure: HazardExposure, options: HazardOptions = {}): HazardFit {
  const path = options.path ?? 'hazard';
  const warnings: ForecastWarning[] = [];
  const E = exposureBins(exposure, path, warnings);
  const y = new Float64Array(HOURS_PER_WEEK);
  const bad: InputIssue[] = [];
  let outside = 0;
  eventsS.forEach((t, i) => {
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      if (bad.length < 20) bad.push({ code: 'invalid_number', path: [`${path}.events`, i], message: 'an event time must be a finite number of epoch seconds', received: String(t) });
      return;
    }
    if (t < exposure.fromS || t >= exposure.toS) outside++;
    else y[hourOfWeek(t)]! += 1;
  });
  if (bad.length > 0) throw new InputError(`${path}.events`, bad);
  if (outside > 0) warnings.push({ path: `${path}.events`, message: `${outside} event(s) outside the exposure window [${exposure.fromS}, ${exposure.toS}) s were left out` });
  return fitHazardFromCounts(y, E, options, warnings);
}

/**
 * Hazard from a series of available slots per tick. values[i] is read as the slots up at the
 * start of tick i, exposed over [t_i, t_{i+1}): a drop of k from tick i to i + 1 is k
 * interruptions of tick i's slots, placed at its midpoint; a rise (recovery) is no event and
 * the recovered slots add exposure from the tick they appear in. Only net changes are seen,
 * so a recovery and an interruption within one tick cancel (keep the step short against the
 * recovery time). A whole-pool outage (a drop to 0) counts one interruption per slot lost
 * unless `countOutages` is false; while the pool is at 0 nothing is exposed. A change across
 * a missing tick (NaN) is not counted (when it happened is unknown), with a warning.
 * Fractional slots (derived from utilisation) give fractional counts, which the model takes.
 */
export function fitHazardFromAvailability(available: Series, options: AvailabilityHazardOptions = {}): HazardFit {
  const path = options.path ?? 'hazard';
  const warnings: ForecastWarning[] = [];
  const n = available.values.length;
  const E = exposureBins({ fromS: available.startS, toS: available.startS + n * available.stepS, slots: available }, path, warnings);
  const y = new Float64Array(HOURS_PER_WEEK);
  let acrossGaps = 0;
  let outages = 0;
  for (let i = 0; i + 1 < n; i++) {
    const before = available.values[i]!;
    const after = available.values[i + 1]!;
    if (Number.isNaN(before) || Number.isNaN(after)) {
      if (!Number.isNaN(before) || !Number.isNaN(after)) acrossGaps++;
      continue;
    }
    const lost = before - after;
    if (!(lost > 0)) continue;
    if (after === 0) {
      outages++;
      if (options.countOutages === false) continue;
    }
    y[hourOfWeek(available.startS + (i + 0.5) * available.stepS)]! += lost;
  }
  if (acrossGaps > 0) warnings.push({ path, message: `${Math.ceil(acrossGaps / 2)} gap(s) in the availability series: changes across them were not counted` });
  if (outages > 0) warnings.push({ path, message: `${outages} drop(s) to 0 slots (whole-pool outages) ${options.countOutages === false ? 'left out of the counts' : 'counted as one interruption per slot lost'}` });
  return fitHazardFromCounts(y, E, options, warnings);
}

/** Hazard per slot per second at an epoch second. */
export function hazardPerSAt(fit: HazardFit, epochS: number): number {
  return (fit.perSlotHour[hourOfWeek(epochS)] ?? fit.meanPerSlotHour) / HOUR_S;
}

/** ∫_a^b λ(t) dt in per-slot-hour × hours (expected interruptions of one slot); whole weeks in one step. */
function integrateRatePerSlotHour(fit: HazardFit, aS: number, bS: number): number {
  let total = 0;
  const weeks = Math.floor((bS - aS) / WEEK_S);
  if (weeks > 0) {
    let weekly = 0;
    for (let w = 0; w < HOURS_PER_WEEK; w++) weekly += fit.perSlotHour[w]!;
    total += weekly * weeks;
    aS += weeks * WEEK_S;
  }
  let t = aS;
  while (t < bS) {
    const next = Math.min(bS, (Math.floor(t / HOUR_S) + 1) * HOUR_S);
    total += (fit.perSlotHour[hourOfWeek(t)]! * (next - t)) / HOUR_S;
    if (!(next > t)) break;
    t = next;
  }
  return total;
}

/** Most buckets `hazardProfilePerS` returns (a wrong unit, not a long horizon, goes past it). */
export const MAX_PROFILE_BUCKETS = 10_000_000;

/**
 * Mean hazard per slot per second over each bucket [fromS + i·bucketS, fromS + (i+1)·bucketS)
 * up to toS (the last bucket may be shorter): the value the availability map's hazard series
 * takes, so that its integral over any bucket equals the fit's.
 */
export function hazardProfilePerS(fit: HazardFit, fromS: number, toS: number, bucketS: number): number[] {
  if (!Number.isFinite(fromS) || !Number.isFinite(toS) || !(toS >= fromS)) throw inputError('hazard.profile', `the profile window must be finite with toS ≥ fromS (got ${fromS} .. ${toS})`, `${fromS} .. ${toS}`);
  if (!Number.isFinite(bucketS) || !(bucketS > 0)) throw inputError('hazard.profile', 'bucketS must be a finite number > 0', String(bucketS));
  const count = Math.ceil((toS - fromS) / bucketS);
  if (count > MAX_PROFILE_BUCKETS) throw inputError('hazard.profile', `${count} buckets asked for (at most ${MAX_PROFILE_BUCKETS}): is bucketS in seconds?`, String(bucketS));
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const a = fromS + i * bucketS;
    const b = Math.min(toS, a + bucketS);
    out[i] = b > a ? integrateRatePerSlotHour(fit, a, b) / (b - a) : hazardPerSAt(fit, a);
  }
  return out;
}

/**
 * Log-likelihood of events under a fit, Σ_events log λ(t_i) − ∫ λ(t)·slots(t) dt, with λ per
 * slot-hour and time in hours (the same constant offset for every fit, so differences
 * between fits compare them). −Infinity when an event falls where the fit's rate is 0.
 * Events outside the window are ignored.
 */
export function hazardLogLikelihood(fit: HazardFit, eventsS: readonly number[], exposure: HazardExposure): number {
  const E = exposureBins(exposure, 'hazard', []);
  let ll = 0;
  for (let w = 0; w < HOURS_PER_WEEK; w++) ll -= fit.perSlotHour[w]! * E[w]!;
  for (const t of eventsS) {
    if (!(t >= exposure.fromS && t < exposure.toS)) continue;
    ll += Math.log(fit.perSlotHour[hourOfWeek(t)]!);
  }
  return ll;
}
