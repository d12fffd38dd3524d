/**
 * The LP bound on real WfFormat traces as apportion imports them (bags of same-op tasks as
 * divisible stages with uneven task runtimes and bytes, pipelines that vertical clustering
 * merges), on maps with egress, dispatch overhead and an interruptible pool: never above a plan
 * of any partition the planner can make, nor any constructive planner's or published rule's.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateCandidate } from '../../src/cost/evaluate.js';
import { loadResourceMap, loadTaskDefinition } from '../../src/load/files.js';
import { assembleProblem } from '../../src/model/problem.js';
import { planConstructive } from '../../src/plan/planner.js';
import { scheduleVariant } from '../../src/planners/apportion.js';
import { verticalChains } from '../../src/planners/cluster.js';
import { PLANNER_IDS } from '../../src/planners/planner.js';
import { buildVariant } from '../../src/planners/variants.js';
import { lpBound } from '../../src/solve/bound.js';
import { createSolver } from '../../src/solve/create.js';
import { REPO_ROOT, WFINSTANCES } from '../helpers/problems.js';

const test = suite('LP bound on real traces with bags and chains');
const highs = createSolver('highs');

const TRACES = [
  'pegasus/1000genome/1000genome-chameleon-2ch-100k-001.json',
  'pegasus/1000genome/1000genome-chameleon-8ch-100k-001.json',
  'pegasus/epigenomics/epigenomics-chameleon-hep-1seq-100k-001.json',
  'pegasus/seismology/seismology-chameleon-100p-001.json',
  'makeflow/blast/blast-chameleon-small-001.json',
  'pegasus/montage/montage-chameleon-2mass-01d-001.json',
];

for (const trace of TRACES) {
  test(`${trace.split('/').pop()}: bound ≤ every plan (hetero with spot, six-pool; weighted and makespan)`, async () => {
    const definition = loadTaskDefinition(`${WFINSTANCES}/${trace}`);
    let bags = 0;
    let chains = 0;
    for (const map of ['hetero', 'six-pool']) {
      const resources = loadResourceMap(`${REPO_ROOT}/examples/pools/${map}.json`);
      for (const objective of ['weighted', 'makespan'] as const) {
        const problem = assembleProblem(definition, resources, { objective });
        bags += problem.bags?.filter((b) => b !== undefined).length ?? 0;
        chains += verticalChains(problem, 1e6).length;
        const bound = await lpBound(problem, highs, { timeLimitMs: 20_000 });
        assert.is(bound.state, 'lp', bound.notes.join('; '));
        const plans: Array<[string, number, number]> = [];
        for (const planner of PLANNER_IDS) {
          const { summary } = planConstructive(problem, { planner }).plan;
          plans.push([planner, summary.objective, summary.makespanS]);
        }
        for (const spec of [
          { split: 'even', cluster: false, chunkScale: 1, clusterScale: 1, bagTasks: true },
          { split: 'even', cluster: true, chunkScale: 1 / 4, clusterScale: 8, vertical: true },
          { split: 'dlt', cluster: true, chunkScale: 4, clusterScale: 1e6, vertical: true },
        ] as const) {
          for (const candidate of scheduleVariant(problem, buildVariant(problem, spec))) {
            const { terms } = evaluateCandidate(problem, candidate);
            plans.push([candidate.variant, terms.objective, terms.makespanS]);
          }
        }
        for (const [who, value, makespanS] of plans) {
          assert.ok(bound.objective <= value * (1 + 1e-9) + 1e-9, `${map}/${objective} ${who}: ${value} < bound ${bound.objective}`);
          assert.ok(bound.makespanS <= makespanS * (1 + 1e-9) + 1e-9, `${map}/${objective} ${who}: makespan ${makespanS} < bound ${bound.makespanS}`);
        }
      }
    }
    assert.ok(bags + chains > 0, 'the trace has bags or chains to test');
  });
}

test.run();
