/**
 * How long an attempt runs on the sim backend's virtual clock.
 *
 * A duration function sees the job and the backend's seeded random source; it is called once,
 * when the attempt starts, so a run's durations follow from its seed and the order attempts
 * start in (itself deterministic). Functions that draw must draw a fixed number of values per
 * call, so one job's draw never shifts the stream for the next.
 */
import type { DispatchJob } from '../backend.js';

/** Uniform in [0, 1): the backend's mulberry32 stream. */
export type SimRandom = () => number;

/** Seconds the attempt would take if nothing stopped it (finite, >= 0). */
export type SimDurationFn = (job: DispatchJob, random: SimRandom) => number;

/** The sum of the job's replay steps' `durationS`, or undefined when it has none. */
export function replayStepsS(job: DispatchJob): number | undefined {
  let totalS = 0;
  let any = false;
  for (const step of job.steps) {
    if (step.run.kind === 'replay') {
      totalS += step.run.durationS;
      any = true;
    }
  }
  return any ? totalS : undefined;
}

/** The plan's runtime (`expectedS`); replay steps' sum when the job has no usable expectedS; else 0. */
export const planDurations: SimDurationFn = (job) => {
  const expectedS = job.expectedS;
  if (Number.isFinite(expectedS) && expectedS > 0) return expectedS;
  return replayStepsS(job) ?? (Number.isFinite(expectedS) && expectedS >= 0 ? expectedS : 0);
};

/** The replay steps' sum (what a real backend would wait); the plan's runtime when there are none. */
export const replayDurations: SimDurationFn = (job, random) => replayStepsS(job) ?? planDurations(job, random);

/** A standard normal draw (Box–Muller; always two uniforms, so the stream advances evenly). */
export function standardNormal(random: SimRandom): number {
  const u = 1 - random(); // (0, 1]: log stays finite
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * `base` × a lognormal factor with median 1 and log-spread `spreadSigma`: runtimes scatter
 * around the plan the way measured runtimes do (right-skewed, never negative).
 */
export function lognormalDurations(spreadSigma: number, base: SimDurationFn = planDurations): SimDurationFn {
  if (!(Number.isFinite(spreadSigma) && spreadSigma >= 0)) throw new RangeError(`lognormalDurations: spreadSigma must be a finite number >= 0, received ${spreadSigma}`);
  return (job, random) => {
    const z = standardNormal(random);
    return base(job, random) * Math.exp(spreadSigma * z);
  };
}

/**
 * Recorded runtimes per sub-task id (a previous run's, or the history store's); sub-tasks
 * without a record take `fallback` (default: the plan's runtime).
 */
export function recordedDurations(
  recordedS: ReadonlyMap<string, number> | Readonly<Record<string, number>>,
  fallback: SimDurationFn = planDurations,
): SimDurationFn {
  const table = recordedS instanceof Map ? (recordedS as ReadonlyMap<string, number>) : new Map(Object.entries(recordedS));
  return (job, random) => table.get(job.subtask) ?? fallback(job, random);
}
