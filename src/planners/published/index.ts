/**
 * Published DAG list schedulers, implemented from their papers, as reusable rules: each takes
 * a sub-task graph and `{ insertion, pinned?, partial?, score? }` and returns a ListSchedule,
 * so apportion's portfolio can run them on its own partitions and bench:quality runs them as
 * baselines on the default partition. `insertion` here is each paper's own slot policy.
 *
 * Not in PLANNER_IDS (the CLI's --planner list): `publishedCandidate` makes a candidate.
 */
import type { Candidate } from '../../cost/candidate.js';
import type { Problem } from '../../model/problem.js';
import { buildSubtaskGraph, type SubtaskGraph } from '../../model/subtasks.js';
import { defaultPartition } from '../partition.js';
import { bilSchedule } from './bil.js';
import { duplexSchedule, maxMinSchedule, minMinSchedule, sufferageSchedule } from './batch.js';
import { toCandidate, type PublishedOptions, type PublishedSchedule } from './common.js';
import { cpopSchedule } from './cpop.js';
import { dlsSchedule } from './dls.js';
import { etfSchedule } from './etf.js';
import { peftSchedule } from './peft.js';
import { fastestNodeSchedule, heftSchedule, mctSchedule, metSchedule, mstSchedule, olbSchedule } from './static.js';

export { bestImaginaryLevel, bilSchedule } from './bil.js';
export { duplexSchedule, maxMinSchedule, minMinSchedule, sufferageSchedule } from './batch.js';
export { readyListOrder, toCandidate, type PublishedOptions, type PublishedSchedule } from './common.js';
export { criticalPath, cpopSchedule } from './cpop.js';
export { dlsSchedule, medianRuntimeS } from './dls.js';
export { etfSchedule, staticLevel } from './etf.js';
export { octRank, optimisticCostTable, peftSchedule } from './peft.js';
export { readySetSchedule, type ReadySetRule } from './ready-set.js';
export { fastestNodeSchedule, fastestPool, heftSchedule, mctSchedule, metSchedule, mstSchedule, olbSchedule } from './static.js';

export const PUBLISHED_IDS = ['heft', 'cpop', 'peft', 'minmin', 'maxmin', 'sufferage', 'duplex', 'mct', 'met', 'mst', 'olb', 'etf', 'dls', 'bil', 'fastest-node'] as const;
export type PublishedId = (typeof PUBLISHED_IDS)[number];

export interface PublishedRule {
  readonly id: PublishedId;
  readonly name: string;
  readonly source: string;
  /** The paper's slot policy: insertion into idle gaps, or appending. */
  readonly insertion: boolean;
  readonly schedule: PublishedSchedule;
}

export const PUBLISHED: Readonly<Record<PublishedId, PublishedRule>> = {
  heft: { id: 'heft', name: 'HEFT', source: 'Topcuoglu, Hariri & Wu 2002', insertion: true, schedule: heftSchedule },
  cpop: { id: 'cpop', name: 'CPoP', source: 'Topcuoglu, Hariri & Wu 2002', insertion: true, schedule: cpopSchedule },
  peft: { id: 'peft', name: 'PEFT', source: 'Arabnejad & Barbosa 2014', insertion: true, schedule: peftSchedule },
  minmin: { id: 'minmin', name: 'MinMin', source: 'Ibarra & Kim 1977; Braun et al. 2001', insertion: false, schedule: minMinSchedule },
  maxmin: { id: 'maxmin', name: 'MaxMin', source: 'Ibarra & Kim 1977; Braun et al. 2001', insertion: false, schedule: maxMinSchedule },
  sufferage: { id: 'sufferage', name: 'Sufferage', source: 'Maheswaran et al. 1999', insertion: false, schedule: sufferageSchedule },
  duplex: { id: 'duplex', name: 'Duplex', source: 'Braun et al. 2001', insertion: false, schedule: duplexSchedule },
  mct: { id: 'mct', name: 'MCT', source: 'Armstrong et al. 1998; Braun et al. 2001', insertion: false, schedule: mctSchedule },
  met: { id: 'met', name: 'MET', source: 'Braun et al. 2001', insertion: false, schedule: metSchedule },
  mst: { id: 'mst', name: 'MST', source: 'minimum start time (SAGA)', insertion: false, schedule: mstSchedule },
  olb: { id: 'olb', name: 'OLB', source: 'Freund et al. 1998; Braun et al. 2001', insertion: false, schedule: olbSchedule },
  etf: { id: 'etf', name: 'ETF', source: 'Hwang, Chow, Anger & Lee 1989', insertion: false, schedule: etfSchedule },
  dls: { id: 'dls', name: 'DLS', source: 'Sih & Lee 1993', insertion: false, schedule: dlsSchedule },
  bil: { id: 'bil', name: 'BIL', source: 'Oh & Ha 1996', insertion: false, schedule: bilSchedule },
  'fastest-node': { id: 'fastest-node', name: 'FastestNode', source: 'serial baseline (SAGA)', insertion: false, schedule: fastestNodeSchedule },
};

/**
 * Rule `id` as a candidate for the reference cost model: on `graph` (default: the default
 * partition, as the baselines use) with the paper's slot policy unless `options` says otherwise.
 */
export function publishedCandidate(problem: Problem, id: PublishedId, graph?: SubtaskGraph, options?: Partial<PublishedOptions>): Candidate {
  const rule = PUBLISHED[id];
  const g = graph ?? buildSubtaskGraph(problem, defaultPartition(problem));
  const schedule = rule.schedule(problem, g, { ...options, insertion: options?.insertion ?? rule.insertion });
  return toCandidate(g, schedule, rule.name);
}
