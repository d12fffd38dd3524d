/**
 * Planning time of each published list scheduler (src/planners/published/) on one synthetic
 * problem: a layered DAG of 1,000 atomic tasks on 16 pools (default partition), every rule
 * with its paper's slot policy, after warm-up; median of the timed runs. The graph is built
 * once outside the timing, so this is the rule's own cost (not scoring by the cost model).
 *
 *   npm run bench:published -- [--tasks 1000] [--pools 16] [--runs 200]   (node --import tsx bench/published.ts)
 *
 * Rules are timed interleaved (one run of each per round) so machine load affects all alike.
 */
import { parseArgs } from 'node:util';
import { assembleProblem } from '../src/model/problem.js';
import { buildSubtaskGraph } from '../src/model/subtasks.js';
import { defaultPartition } from '../src/planners/partition.js';
import { PUBLISHED, PUBLISHED_IDS } from '../src/planners/published/index.js';
import { layeredDag, syntheticPools } from '../src/synthetic/layered.js';
import { markdownTable, median } from './common.js';

const { values } = parseArgs({ args: process.argv.slice(2), options: { tasks: { type: 'string' }, pools: { type: 'string' }, runs: { type: 'string' } } });
const tasks = Number(values.tasks ?? 1000);
const pools = Number(values.pools ?? 16);
const runs = Number(values.runs ?? 200);
const WARMUP_RUNS = 20;

const problem = assembleProblem(layeredDag({ tasks, seed: 1 }), syntheticPools({ pools, seed: 2 }));
const graph = buildSubtaskGraph(problem, defaultPartition(problem));
const times = new Map<string, number[]>(PUBLISHED_IDS.map((id) => [id, []]));
let sink = 0;
for (let round = 0; round < WARMUP_RUNS + runs; round++) {
  for (const id of PUBLISHED_IDS) {
    const rule = PUBLISHED[id];
    const startMs = performance.now();
    const schedule = rule.schedule(problem, graph, { insertion: rule.insertion });
    const ms = performance.now() - startMs;
    sink += schedule.finishS[0]!;
    if (round >= WARMUP_RUNS) times.get(id)!.push(ms);
  }
}
const rows = PUBLISHED_IDS.map((id) => {
  const t = times.get(id)!;
  return [PUBLISHED[id].name, PUBLISHED[id].insertion ? 'insertion' : 'append', median(t).toFixed(3), Math.min(...t).toFixed(3)];
});
process.stdout.write(
  [
    `# published rules: planning time, layered DAG ${tasks} tasks × ${pools} pools (${graph.nodeCount} sub-tasks), median of ${runs} after ${WARMUP_RUNS} warm-up`,
    '',
    ...markdownTable(['rule', 'slots', 'median ms', 'min ms'], rows, new Set([2, 3])),
    '',
    `(checksum ${sink.toFixed(0)})`,
    '',
  ].join('\n'),
);
