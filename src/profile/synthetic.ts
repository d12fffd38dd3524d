/**
 * Synthetic run records with known laws, for the profiler's tests and its timing benchmark.
 * Each op has a true law (constant + linear·n + nLogN·n·log2 n, some terms zero), a size
 * basis (items, bytes, or none), a lognormal noise sigma, and every pool class a speed
 * factor; each job multiplies everything by its own lognormal factor (run-to-run drift).
 */
import type { RunRecord } from '../history/record.js';
import { seededRandom } from '../util/random.js';
import type { ScalingLaw, SizeBy } from './types.js';

export interface SyntheticOptions {
  readonly records: number;
  readonly ops?: number;
  readonly classes?: number;
  readonly jobs?: number;
  readonly seed?: number;
  /** Seed of the ops (their laws, noise and class factors); default `seed`. Same opsSeed, other seed: fresh runs of the same ops. */
  readonly opsSeed?: number;
  /** Failed attempts per succeeded one. Default 0.02. */
  readonly failureRate?: number;
}

export interface SyntheticOp {
  readonly op: string;
  readonly law: ScalingLaw;
  /** Sizes are drawn log-uniformly in [minSize, minSize·1000]. */
  readonly minSize: number;
  readonly sigma: number;
  /** log speed factor per class index. */
  readonly classLogFactor: readonly number[];
}

/** The ops a seed generates (exported so tests can compare fitted laws with the truth). */
export function syntheticOps(options: Pick<SyntheticOptions, 'ops' | 'classes' | 'seed' | 'opsSeed'>): SyntheticOp[] {
  const random = seededRandom((options.opsSeed ?? options.seed ?? 1) * 7919 + 17);
  const gaussian = gaussianFrom(random);
  const classes = options.classes ?? 4;
  return Array.from({ length: options.ops ?? 50 }, (_, i) => {
    const kind = random();
    const sizeBy: SizeBy = kind < 0.4 ? 'items' : kind < 0.85 ? 'bytesIn' : 'none';
    const minSize = sizeBy === 'items' ? 1 + Math.floor(random() * 100) : 1e4 * 10 ** (random() * 4);
    const constant = 10 ** (-1.3 + random() * 3); // 0.05 s .. 50 s
    const shape = random();
    // Scaled so the size terms at the median size are 0.3×–30× the constant: runtimes up to hours.
    const typical = minSize * Math.sqrt(1000);
    const sizeShare = 10 ** (-0.5 + random() * 2);
    const linear = sizeBy === 'none' || shape < 0.15 ? 0 : (constant * sizeShare) / typical;
    const nLogN = sizeBy === 'none' || shape < 0.7 ? 0 : (constant * sizeShare * (shape < 0.85 ? 0.5 : 1)) / (typical * Math.log2(typical));
    return {
      op: `op${String(i).padStart(2, '0')}`,
      law: { sizeBy, constant: shape < 0.15 && sizeBy !== 'none' ? 0 : constant, linear: shape < 0.15 && sizeBy !== 'none' ? (constant * sizeShare) / typical : linear, nLogN },
      minSize,
      sigma: 0.08 + random() * 0.3,
      classLogFactor: Array.from({ length: classes }, () => 0.25 * gaussian()),
    };
  });
}

/** Records in job order (job 0's records first), like a history store would stream them. */
export function syntheticRecords(options: SyntheticOptions): RunRecord[] {
  const random = seededRandom(options.seed ?? 1);
  const gaussian = gaussianFrom(random);
  const ops = syntheticOps(options);
  const classes = options.classes ?? 4;
  const jobs = options.jobs ?? 20;
  const failureRate = options.failureRate ?? 0.02;
  const jobLogFactor = Array.from({ length: jobs }, () => 0.1 * gaussian());
  const perJob = Math.ceil(options.records / jobs);
  const records: RunRecord[] = [];
  for (let i = 0; i < options.records; i++) {
    const job = Math.min(jobs - 1, Math.floor(i / perJob));
    const spec = ops[Math.floor(random() * ops.length)]!;
    const cls = Math.floor(random() * classes);
    const size = spec.minSize * 10 ** (random() * 3);
    const n = spec.law.sizeBy === 'items' ? Math.round(size) : size;
    const truth = spec.law.constant + spec.law.linear * n + (n > 1 ? spec.law.nLogN * n * Math.log2(n) : 0);
    const runtimeS = truth * Math.exp(spec.classLogFactor[cls]! + jobLogFactor[job]! + spec.sigma * gaussian());
    const failed = random() < failureRate;
    records.push({
      jobId: `job-${options.seed ?? 1}-${String(job).padStart(3, '0')}`,
      stageId: `s${i}`,
      attempt: 1,
      op: spec.op,
      features: {},
      poolId: `pool-${cls}`,
      poolClass: `class-${cls}`,
      speed: 2 + cls * 0.3,
      items: spec.law.sizeBy === 'items' ? n : undefined,
      bytesIn: spec.law.sizeBy === 'bytesIn' ? n : spec.law.sizeBy === 'none' ? 1e6 : n * 1000,
      bytesOut: undefined,
      runtimeS: failed ? runtimeS * random() : runtimeS,
      cpuS: runtimeS * (0.5 + 0.5 * random()),
      peakMemBytes: 5e7 * Math.exp(0.2 * gaussian()) + (spec.law.sizeBy === 'none' ? 0 : 100 * n),
      readBytes: spec.law.sizeBy === 'bytesIn' ? n * Math.exp(0.05 * gaussian()) : undefined,
      writeBytes: undefined,
      outcome: failed ? 'failed' : 'succeeded',
      startedAtMs: undefined,
      finishedAtMs: undefined,
    });
  }
  return records;
}

/** Standard normal draws by Box–Muller from a uniform source. */
export function gaussianFrom(random: () => number): () => number {
  return () => {
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}
