import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assembleProblem } from '../../src/model/problem.js';
import { buildSubtaskGraph } from '../../src/model/subtasks.js';
import { defaultPartition } from '../../src/planners/partition.js';
import { MoveGenerator } from '../../src/search/moves.js';
import { fanWorkflow, sixPoolMap } from '../../src/synthetic/families.js';
import { seededRandom } from '../../src/util/random.js';

const test = suite('search moves: whole ops and levels move at once');

function setUp() {
  const definition = fanWorkflow({ width: 30, rounds: 2, inputHome: 'onprem', seed: 4 });
  // The merges may run only on-prem: a group move must keep them there.
  const stages = definition.stages.map((stage) => (stage.op === 'merge' ? { ...stage, pools: ['onprem'] } : stage));
  const problem = assembleProblem({ ...definition, stages }, sixPoolMap());
  const graph = buildSubtaskGraph(problem, defaultPartition(problem));
  return { problem, graph };
}

test('every move keeps pools allowed and the order topological; some move a whole op or level', () => {
  const { problem, graph } = setUp();
  const P = problem.pools.count;
  const moves = new MoveGenerator(graph, (v) => problem.definition.stages[v]!.op);
  const random = seededRandom(9);
  const base = new Int32Array(graph.nodeCount).fill(0);
  let wholeGroups = 0;
  for (let trial = 0; trial < 400; trial++) {
    const allocation = Int32Array.from(base);
    const order = Int32Array.from(graph.order);
    moves.apply(allocation, order, 1, random);
    for (let s = 0; s < graph.nodeCount; s++) assert.ok(Number.isFinite(graph.expectedS[s * P + allocation[s]!]!), `sub-task ${s} on a pool it may not use`);
    const position = new Int32Array(graph.nodeCount);
    order.forEach((s, i) => (position[s] = i));
    for (let s = 0; s < graph.nodeCount; s++) {
      for (let e = graph.predStart[s]!; e < graph.predStart[s + 1]!; e++) assert.ok(position[graph.predIndex[e]!]! < position[s]!, 'order stays topological');
    }
    // A mapper op (30 sub-tasks, one stage each) all moved together to one other pool.
    const map1 = Array.from({ length: 30 }, (_, i) => problem.definition.stages.findIndex((stage) => stage.id === `map1_${i}`));
    if (map1.every((s) => allocation[s] === allocation[map1[0]!]) && allocation[map1[0]!] !== 0) wholeGroups++;
  }
  assert.ok(wholeGroups > 0, 'a whole op (or its level) moved to one pool');
});

test('fixed sub-tasks are not moved by group moves', () => {
  const { problem, graph } = setUp();
  const moves = new MoveGenerator(graph, (v) => problem.definition.stages[v]!.op);
  const fixed = new Set(Array.from({ length: 15 }, (_, i) => problem.definition.stages.findIndex((stage) => stage.id === `map0_${i}`)));
  moves.setMovable(Int32Array.from(graph.order).filter((s) => !fixed.has(s)));
  const random = seededRandom(3);
  for (let trial = 0; trial < 400; trial++) {
    const allocation = new Int32Array(graph.nodeCount).fill(0);
    moves.apply(allocation, Int32Array.from(graph.order), 2, random);
    for (const s of fixed) assert.is(allocation[s], 0, `fixed sub-task ${s} moved`);
  }
});

test.run();
