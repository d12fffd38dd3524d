/** Run records for the profiler tests: a builder with defaults and a seeded lognormal law sampler. */
import type { RunRecord } from '../../src/history/record.js';
import { record } from '../helpers/records.js';
import { gaussianFrom } from '../../src/profile/synthetic.js';
import { seededRandom } from '../../src/util/random.js';

export { record } from '../helpers/records.js';

export interface LawSpec {
  readonly op: string;
  readonly constant: number;
  readonly linear: number;
  /** Items are drawn log-uniformly in [minItems, maxItems]. */
  readonly minItems: number;
  readonly maxItems: number;
  readonly sigma: number;
  readonly count: number;
  readonly jobs?: number;
  readonly poolClass?: string;
}

/** `count` records of runtime = (constant + linear·items)·exp(sigma·N(0,1)), items log-uniform, spread over `jobs` jobs. */
export function lawRecords(spec: LawSpec, seed: number): RunRecord[] {
  const random = seededRandom(seed);
  const gaussian = gaussianFrom(random);
  const jobs = spec.jobs ?? 1;
  return Array.from({ length: spec.count }, (_, i) => {
    const items = Math.round(spec.minItems * (spec.maxItems / spec.minItems) ** random());
    return record({
      op: spec.op,
      jobId: `job-${seed}-${i % jobs}`,
      stageId: `s${i}`,
      poolClass: spec.poolClass ?? 'class-a',
      items,
      runtimeS: (spec.constant + spec.linear * items) * Math.exp(spec.sigma * gaussian()),
    });
  });
}
