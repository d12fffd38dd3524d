import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateCandidate } from '../../src/cost/evaluate.js';
import type { PartialSchedule } from '../../src/cost/simulate.js';
import type { Problem } from '../../src/model/problem.js';
import { buildSubtaskGraph, type SubtaskGraph } from '../../src/model/subtasks.js';
import { checkPlanValidity } from '../../src/plan/check.js';
import { defaultPartition } from '../../src/planners/partition.js';
import {
  bestImaginaryLevel,
  criticalPath,
  octRank,
  optimisticCostTable,
  PUBLISHED,
  PUBLISHED_IDS,
  publishedCandidate,
  readyListOrder,
  staticLevel,
} from '../../src/planners/published/index.js';
import { assembleProblem } from '../../src/model/problem.js';
import { layeredDag, syntheticPools } from '../../src/synthetic/layered.js';
import { heftClassicProblem, problemOf } from '../helpers/problems.js';

const test = suite('published list schedulers (src/planners/published)');

interface TinyStage {
  readonly id: string;
  /** Runtime per pool id. */
  readonly s: Record<string, number>;
  readonly after?: readonly string[];
  /** Bytes sent to each dependant (named output objects). */
  readonly out?: Record<string, number>;
  readonly pools?: readonly string[];
}

/**
 * Atomic stages with known runtimes per pool; pools of one slot each, in regions given per
 * pool, linked at 1 byte/s and no latency (so bytes read as seconds, as in the HEFT paper).
 */
function tiny(stages: readonly TinyStage[], pools: Record<string, string>, objective: 'makespan' | 'weighted' = 'makespan'): Problem {
  const data: Array<{ id: string; bytes: number }> = [];
  const inputs = new Map<string, string[]>();
  for (const stage of stages) {
    for (const [to, bytes] of Object.entries(stage.out ?? {})) {
      const id = `${stage.id}_${to}`;
      data.push({ id, bytes });
      inputs.set(to, [...(inputs.get(to) ?? []), id]);
    }
  }
  const task = {
    name: 'tiny',
    data,
    stages: stages.map((stage) => ({
      id: stage.id,
      op: stage.id,
      runtimeByPoolS: stage.s,
      after: stage.after ?? [],
      inputs: inputs.get(stage.id) ?? [],
      outputs: Object.keys(stage.out ?? {}).map((to) => `${stage.id}_${to}`),
      ...(stage.pools === undefined ? {} : { pools: stage.pools }),
    })),
  };
  const regions = [...new Set(Object.values(pools))];
  const links = regions.flatMap((a, i) => regions.slice(i + 1).map((b) => ({ from: a, to: b, latencyMs: 0, bandwidthMBps: 1e-6 })));
  const resources = { pools: Object.entries(pools).map(([id, region]) => ({ id, region, slots: 1 })), network: { links } };
  return problemOf(task, resources, { objective });
}

function graphOf(problem: Problem): SubtaskGraph {
  return buildSubtaskGraph(problem, defaultPartition(problem));
}

/** Sub-task of stage `id` in the default partition (one sub-task per atomic stage). */
function subtask(problem: Problem, graph: SubtaskGraph, id: string): number {
  const v = problem.stageIndex.get(id)!;
  return graph.stageSubtasks[graph.stageSubtaskStart[v]!]!;
}

function scheduleOf(problem: Problem, id: (typeof PUBLISHED_IDS)[number], insertion?: boolean) {
  const graph = graphOf(problem);
  const rule = PUBLISHED[id];
  const result = rule.schedule(problem, graph, { insertion: insertion ?? rule.insertion });
  const at = (stage: string) => {
    const s = subtask(problem, graph, stage);
    return { pool: problem.pools.ids[result.allocation[s]!], startS: result.startS[s]!, finishS: result.finishS[s]! };
  };
  return { graph, result, at, makespanS: Math.max(...result.finishS) };
}

test('CPoP on the HEFT paper graph: critical path n1 n2 n9 n10 all on p2, makespan 86 as in the paper', () => {
  // Topcuoglu et al. 2002: |CP| = rank_u(n1) = 108 along n1 → n2 → n9 → n10; the path's
  // costs are 14+13+18+21 = 66 on p1, 16+19+12+7 = 54 on p2, 9+18+20+16 = 63 on p3: p2.
  // The paper's Fig. 4(b) schedule has makespan 86.
  const problem = heftClassicProblem();
  const graph = graphOf(problem);
  const cp = criticalPath(problem, graph);
  const name = (s: number) => problem.definition.stages[graph.partition.members[graph.partition.memberStart[s]!]!]!.id;
  assert.equal(Array.from(cp.path, name), ['n1', 'n2', 'n9', 'n10']);
  assert.is(problem.pools.ids[cp.pool], 'p2');
  assert.ok(Math.abs(cp.priority[subtask(problem, graph, 'n1')]! - 108) < 1e-9);
  const { at } = scheduleOf(problem, 'cpop');
  for (const stage of ['n1', 'n2', 'n9', 'n10']) assert.is(at(stage).pool, 'p2', stage);
  const scored = evaluateCandidate(problem, publishedCandidate(problem, 'cpop'));
  assert.is(scored.terms.makespanS, 86);
  assert.equal(checkPlanValidity(problem, scored), []);
});

test('HEFT through the published interface reproduces the paper (makespan 80)', () => {
  const problem = heftClassicProblem();
  assert.is(evaluateCandidate(problem, publishedCandidate(problem, 'heft')).terms.makespanS, 80);
});

/**
 * a → b (6 bytes), a → c (1 byte); pools p1 (region A), p2 (region B), one slot each.
 * Runtimes: a 2 | 3, b 4 | 1, c 3 | 2 (p1 | p2). Two pools in two regions: c̄ = bytes.
 */
function peftExample(): Problem {
  return tiny(
    [
      { id: 'a', s: { p1: 2, p2: 3 }, out: { b: 6, c: 1 } },
      { id: 'b', s: { p1: 4, p2: 1 }, after: ['a'] },
      { id: 'c', s: { p1: 3, p2: 2 }, after: ['a'] },
    ],
    { p1: 'A', p2: 'B' },
  );
}

test('PEFT: the optimistic cost table of a 3-task example, derived by hand', () => {
  // OCT(b, ·) = OCT(c, ·) = 0 (exits).
  // OCT(a, p1) = max( b: min(0+4, 0+1+6) = 4,  c: min(0+3, 0+2+1) = 3 ) = 4
  // OCT(a, p2) = max( b: min(0+4+6, 0+1) = 1,  c: min(0+3+1, 0+2) = 2 ) = 2
  // rank_oct(a) = (4 + 2) / 2 = 3.
  const problem = peftExample();
  const graph = graphOf(problem);
  const oct = optimisticCostTable(problem, graph);
  const a = subtask(problem, graph, 'a');
  const P = graph.poolCount;
  assert.equal([oct[a * P]!, oct[a * P + 1]!], [4, 2]);
  for (const exit of ['b', 'c']) {
    const s = subtask(problem, graph, exit);
    assert.equal([oct[s * P]!, oct[s * P + 1]!], [0, 0]);
  }
  assert.is(octRank(graph, oct)[a], 3);
});

test('PEFT looks ahead where HEFT does not: a goes to p2 (EFT 3 + OCT 2 = 5 < 2 + 4 = 6)', () => {
  // HEFT puts a on p1 (finish 2 < 3). PEFT: b then c on p2 after a: b [3, 4], c [4, 6].
  const problem = peftExample();
  const heft = scheduleOf(problem, 'heft');
  assert.is(heft.at('a').pool, 'p1');
  const peft = scheduleOf(problem, 'peft');
  assert.is(peft.at('a').pool, 'p2');
  assert.equal(peft.at('b'), { pool: 'p2', startS: 3, finishS: 4 });
  assert.equal(peft.at('c'), { pool: 'p2', startS: 4, finishS: 6 });
  assert.is(evaluateCandidate(problem, publishedCandidate(problem, 'peft')).terms.makespanS, 6);
});

test('BIL: the best imaginary levels of the 3-task example, and its schedule, derived by hand', () => {
  // Exits: BIL(b) = (4, 1), BIL(c) = (3, 2) on (p1, p2).
  // BIL(a, p1) = 2 + max( b: min(4, 1 + 6) = 4,  c: min(3, 2 + 1) = 3 ) = 6
  // BIL(a, p2) = 3 + max( b: min(1, 4 + 6) = 1,  c: min(2, 3 + 1) = 2 ) = 5
  // Step 1, k = 1: BIM(a) = (6, 5) → a on p2 [0, 3] (2 slots: no BIM* stretch while k ≤ 2).
  // Step 2, k = 2: BIM(b) = (3+6+4, 3+1) = (13, 4), BIM(c) = (3+1+3, 3+2) = (7, 5); the 2nd
  // smallest is 13 for b, 7 for c → b first, on p2 [3, 4]. Step 3: BIM(c) = (4+3, 4+2) → p2 [4, 6].
  const problem = peftExample();
  const graph = graphOf(problem);
  const bil = bestImaginaryLevel(problem, graph);
  const P = graph.poolCount;
  const row = (id: string) => [bil[subtask(problem, graph, id) * P]!, bil[subtask(problem, graph, id) * P + 1]!];
  assert.equal(row('a'), [6, 5]);
  assert.equal(row('b'), [4, 1]);
  assert.equal(row('c'), [3, 2]);
  const { at } = scheduleOf(problem, 'bil');
  assert.equal(at('a'), { pool: 'p2', startS: 0, finishS: 3 });
  assert.equal(at('b'), { pool: 'p2', startS: 3, finishS: 4 });
  assert.equal(at('c'), { pool: 'p2', startS: 4, finishS: 6 });
});

/** Independent tasks of 10, 6 and 3 s on two identical pools (one region, one slot each). */
function threeIndependent(): Problem {
  return tiny(
    [
      { id: 't10', s: { p0: 10, p1: 10 } },
      { id: 't6', s: { p0: 6, p1: 6 } },
      { id: 't3', s: { p0: 3, p1: 3 } },
    ],
    { p0: 'A', p1: 'A' },
  );
}

test('MaxMin schedules the longest ready task first; MinMin the shortest; Duplex keeps the better', () => {
  // MaxMin: t10 → p0 [0, 10]; t6 → p1 [0, 6]; t3: p0 13 vs p1 9 → p1 [6, 9]. Makespan 10.
  // MinMin: t3 → p0 [0, 3]; t6: p1 6 < p0 9 → p1 [0, 6]; t10: p0 13 < p1 16 → p0 [3, 13]. Makespan 13.
  const problem = threeIndependent();
  const max = scheduleOf(problem, 'maxmin');
  assert.equal(max.at('t10'), { pool: 'p0', startS: 0, finishS: 10 });
  assert.equal(max.at('t6'), { pool: 'p1', startS: 0, finishS: 6 });
  assert.equal(max.at('t3'), { pool: 'p1', startS: 6, finishS: 9 });
  const min = scheduleOf(problem, 'minmin');
  assert.equal(min.at('t3'), { pool: 'p0', startS: 0, finishS: 3 });
  assert.equal(min.at('t6'), { pool: 'p1', startS: 0, finishS: 6 });
  assert.equal(min.at('t10'), { pool: 'p0', startS: 3, finishS: 13 });
  assert.is(scheduleOf(problem, 'duplex').makespanS, 10);
  assert.is(evaluateCandidate(problem, publishedCandidate(problem, 'duplex')).terms.makespanS, 10);
});

test('Sufferage picks the task that suffers most from losing its best pool', () => {
  // u: 2 s on p0, 10 s on p1 (suffers 8); v: 5 s on p0, 6 s on p1 (suffers 1).
  // Sufferage: u → p0 [0, 2], then v: p1 6 < p0 7 → p1 [0, 6]. Makespan 6.
  // MaxMin takes v first (MCT 5 > 2): v → p0 [0, 5], u → p0 [5, 7] (7 < 10). Makespan 7.
  const problem = tiny(
    [
      { id: 'u', s: { p0: 2, p1: 10 } },
      { id: 'v', s: { p0: 5, p1: 6 } },
    ],
    { p0: 'A', p1: 'A' },
  );
  const sufferage = scheduleOf(problem, 'sufferage');
  assert.equal(sufferage.at('u'), { pool: 'p0', startS: 0, finishS: 2 });
  assert.equal(sufferage.at('v'), { pool: 'p1', startS: 0, finishS: 6 });
  const max = scheduleOf(problem, 'maxmin');
  assert.equal(max.at('v'), { pool: 'p0', startS: 0, finishS: 5 });
  assert.equal(max.at('u'), { pool: 'p0', startS: 5, finishS: 7 });
});

test('ETF: equal earliest starts go to the larger static level', () => {
  // One pool, one slot: a (5 s); b (1 s) → c (10 s). Static levels a 5, b 11, c 10.
  // ETF: a and b both start at 0 → b (level 11) [0, 1]; then a and c both at 1 → c (10) [1, 11]; a [11, 16].
  // MinMin instead takes b (1), then a (MCT 6 < 11) [1, 6], then c [6, 16].
  const problem = tiny(
    [
      { id: 'a', s: { p: 5 } },
      { id: 'b', s: { p: 1 }, out: { c: 1 } },
      { id: 'c', s: { p: 10 }, after: ['b'] },
    ],
    { p: 'A' },
  );
  const graph = graphOf(problem);
  const level = staticLevel(graph);
  assert.equal(['a', 'b', 'c'].map((id) => level[subtask(problem, graph, id)]), [5, 11, 10]);
  const etf = scheduleOf(problem, 'etf');
  assert.equal([etf.at('b').startS, etf.at('c').startS, etf.at('a').startS], [0, 1, 11]);
  const min = scheduleOf(problem, 'minmin');
  assert.equal([min.at('b').startS, min.at('a').startS, min.at('c').startS], [0, 1, 6]);
});

test('MET ignores availability, MST runtime, FastestNode uses one pool', () => {
  // Three independent tasks, fast pool f (1 s each) and slow pool s (4 s each).
  // MET: all on f, back to back (finish 3). MST: t1 → f at 0 (tie: earlier finish), t2 → s at 0, t3 → f at 1.
  // FastestNode: all on f.
  const problem = tiny(
    [
      { id: 't1', s: { f: 1, s: 4 } },
      { id: 't2', s: { f: 1, s: 4 } },
      { id: 't3', s: { f: 1, s: 4 } },
    ],
    { f: 'A', s: 'A' },
  );
  const met = scheduleOf(problem, 'met');
  assert.equal(['t1', 't2', 't3'].map((id) => met.at(id).pool), ['f', 'f', 'f']);
  assert.is(met.makespanS, 3);
  const mst = scheduleOf(problem, 'mst');
  assert.equal(['t1', 't2', 't3'].map((id) => [mst.at(id).pool, mst.at(id).startS]), [['f', 0], ['s', 0], ['f', 1]]);
  const fastest = scheduleOf(problem, 'fastest-node');
  assert.equal(['t1', 't2', 't3'].map((id) => fastest.at(id).pool), ['f', 'f', 'f']);
});

test('OLB takes the pool that is free first, where the inputs are or not; MST waits for where they are', () => {
  // a (1 s on either) → b (10 bytes = 10 s across regions A/B). a → f [0, 1] (both free, tie: lower index).
  // OLB: b → s (free at 0, f only at 1), starting when the input arrives: 1 + 10 = 11.
  // MST: b → f at 1 (on s it could start at 11).
  const problem = tiny(
    [
      { id: 'a', s: { f: 1, s: 1 }, out: { b: 10 } },
      { id: 'b', s: { f: 1, s: 1 }, after: ['a'] },
    ],
    { f: 'A', s: 'B' },
  );
  const olb = scheduleOf(problem, 'olb');
  assert.equal(olb.at('a'), { pool: 'f', startS: 0, finishS: 1 });
  assert.equal(olb.at('b'), { pool: 's', startS: 11, finishS: 12 });
  const mst = scheduleOf(problem, 'mst');
  assert.equal(mst.at('b'), { pool: 'f', startS: 1, finishS: 2 });
});

test('DLS: the pair of largest dynamic level SL* − EST + (w* − w) goes next', () => {
  // Pools f, s; independent x (2 | 6 s: median 4), y (3 | 3: median 3), z (1 | 1: median 1).
  // Step 1 (all EST 0): DL(x,f) = 4 + 2 = 6, DL(x,s) = 4 − 2 = 2, DL(y,·) = 3, DL(z,·) = 1 → x on f [0, 2].
  // Step 2: DL(y,f) = 3 − 2 = 1, DL(y,s) = 3, DL(z,f) = −1, DL(z,s) = 1 → y on s [0, 3].
  // Step 3: DL(z,f) = 1 − 2 = −1, DL(z,s) = 1 − 3 = −2 → z on f [2, 3].
  const problem = tiny(
    [
      { id: 'x', s: { f: 2, s: 6 } },
      { id: 'y', s: { f: 3, s: 3 } },
      { id: 'z', s: { f: 1, s: 1 } },
    ],
    { f: 'A', s: 'A' },
  );
  const dls = scheduleOf(problem, 'dls');
  assert.equal(dls.at('x'), { pool: 'f', startS: 0, finishS: 2 });
  assert.equal(dls.at('y'), { pool: 's', startS: 0, finishS: 3 });
  assert.equal(dls.at('z'), { pool: 'f', startS: 2, finishS: 3 });
});

test('readyListOrder takes the ready sub-task of highest priority, not the global sort', () => {
  // x → y; z alone. Priorities x 1, y 9, z 5: the global sort y z x is not topological;
  // the ready list gives z (5 > 1), then x, then y.
  const problem = tiny(
    [
      { id: 'x', s: { p: 1 }, out: { y: 1 } },
      { id: 'y', s: { p: 1 }, after: ['x'] },
      { id: 'z', s: { p: 1 } },
    ],
    { p: 'A' },
  );
  const graph = graphOf(problem);
  const priority = new Float64Array(graph.nodeCount);
  priority[subtask(problem, graph, 'x')] = 1;
  priority[subtask(problem, graph, 'y')] = 9;
  priority[subtask(problem, graph, 'z')] = 5;
  const order = Array.from(readyListOrder(graph, priority));
  assert.equal(order, ['z', 'x', 'y'].map((id) => subtask(problem, graph, id)));
});

// ---------------------------------------------------------------------------------------------
// Every rule on harder inputs: valid, forbidden pools and capacity respected, deterministic.

/** Divisible and atomic stages, a pool filter, a spot pool whose capacity ends, two regions. */
function mixedProblem(objective: 'makespan' | 'weighted'): Problem {
  const task = {
    name: 'mixed',
    data: [{ id: 'raw', bytes: 2e9, home: 'A' }],
    stages: [
      { id: 'parse', items: 4000, runtimePerItemS: 0.5, minChunk: 50, outputBytesPerItem: 1e5, inputs: ['raw'] },
      { id: 'gpu', after: ['parse'], runtimeS: 300, pools: ['od'] },
      { id: 'mid', after: ['parse'], items: 200, runtimePerItemS: 6, minChunk: 20 },
      { id: 'a', after: ['mid'], runtimeS: 120 },
      { id: 'b', after: ['mid'], runtimeS: 40 },
      { id: 'report', after: ['gpu', 'a', 'b'], runtimeS: 60 },
    ],
  };
  const pools = {
    pools: [
      { id: 'onprem', region: 'A', slots: 4, priceUsdPerSlotHour: 0 },
      { id: 'spot', region: 'B', slots: 16, speed: 1.5, priceUsdPerSlotHour: 0.02, capacity: [{ atS: 900, slots: 0 }] },
      { id: 'od', region: 'B', slots: 3, speed: 1.2, priceUsdPerSlotHour: 0.1, startupS: 30 },
    ],
    network: { links: [{ from: 'A', to: 'B', latencyMs: 20, bandwidthMBps: 100, egressUsdPerGb: 0.09 }] },
  };
  return problemOf(task, pools, { objective });
}

test('every rule, both slot policies: valid plans, forbidden pools never used, capacity respected, deterministic', () => {
  for (const objective of ['makespan', 'weighted'] as const) {
    const problem = mixedProblem(objective);
    const graph = graphOf(problem);
    const P = graph.poolCount;
    for (const id of PUBLISHED_IDS) {
      for (const insertion of [false, true]) {
        const label = `${id}, ${insertion ? 'insertion' : 'append'}, ${objective}`;
        const candidate = publishedCandidate(problem, id, graph, { insertion });
        for (let s = 0; s < graph.nodeCount; s++) assert.ok(Number.isFinite(graph.expectedS[s * P + candidate.allocation[s]!]!), `${label}: sub-task ${s} on a forbidden pool`);
        const gpu = subtask(problem, graph, 'gpu');
        assert.is(problem.pools.ids[candidate.allocation[gpu]!], 'od', label);
        const scored = evaluateCandidate(problem, candidate);
        assert.equal(checkPlanValidity(problem, scored), [], label);
        // The spot pool's slots are gone at 900 s: nothing placed there may run past it.
        const spot = problem.pools.ids.indexOf('spot');
        for (let s = 0; s < graph.nodeCount; s++) if (scored.schedule.pool[s] === spot) assert.ok(scored.schedule.finishS[s]! <= 900 + 1e-9, `${label}: sub-task ${s} on spot past 900 s`);
        const again = publishedCandidate(problem, id, graph, { insertion });
        assert.equal(Array.from(again.allocation), Array.from(candidate.allocation), `${label}: deterministic`);
        assert.equal(Array.from(again.order), Array.from(candidate.order), `${label}: deterministic order`);
      }
    }
  }
});

test('every rule keeps the caller\'s pins (DLT chunks) and schedules around a partial schedule', () => {
  const problem = mixedProblem('weighted');
  const graph = graphOf(problem);
  const P = graph.poolCount;
  const onprem = problem.pools.ids.indexOf('onprem');
  const parse = problem.stageIndex.get('parse')!;
  // Pin every parse chunk to onprem.
  const pinned = new Int32Array(graph.nodeCount).fill(-1);
  for (let k = graph.stageSubtaskStart[parse]!; k < graph.stageSubtaskStart[parse + 1]!; k++) pinned[graph.stageSubtasks[k]!] = onprem;
  // A stale pin to a pool the stage may not use is ignored: gpu still goes to od.
  const gpu = subtask(problem, graph, 'gpu');
  pinned[gpu] = onprem;
  // A partial schedule: the first HEFT sub-tasks, as the reference model placed them, fixed at 200 s.
  const heft = evaluateCandidate(problem, publishedCandidate(problem, 'heft', graph));
  const nowS = 200;
  const fixed = new Map<number, { pool: number; slot: number; startS: number; finishS: number }>();
  for (let s = 0; s < graph.nodeCount; s++) {
    if (heft.schedule.startS[s]! < nowS) fixed.set(s, { pool: heft.schedule.pool[s]!, slot: heft.schedule.slot[s]!, startS: heft.schedule.startS[s]!, finishS: heft.schedule.finishS[s]! });
  }
  assert.ok(fixed.size > 0 && fixed.size < graph.nodeCount, 'some but not all sub-tasks fixed');
  const partial: PartialSchedule = { nowS, fixed };
  for (const id of PUBLISHED_IDS) {
    const pinnedRun = publishedCandidate(problem, id, graph, { pinned });
    for (let s = 0; s < graph.nodeCount; s++) if (pinned[s]! >= 0 && s !== gpu) assert.is(pinnedRun.allocation[s], onprem, `${id}: pinned chunk ${s}`);
    assert.is(problem.pools.ids[pinnedRun.allocation[gpu]!], 'od', `${id}: stale pin ignored`);
    assert.equal(checkPlanValidity(problem, evaluateCandidate(problem, pinnedRun)), [], `${id} pinned`);
    const extended = PUBLISHED[id].schedule(problem, graph, { insertion: PUBLISHED[id].insertion, partial });
    for (const [s, placed] of fixed) {
      assert.is(extended.allocation[s], placed.pool, `${id}: fixed ${s} keeps its pool`);
      assert.is(extended.startS[s], placed.startS, `${id}: fixed ${s} keeps its start`);
    }
    for (let s = 0; s < graph.nodeCount; s++) {
      if (fixed.has(s)) continue;
      assert.ok(extended.startS[s]! >= nowS, `${id}: sub-task ${s} starts before now`);
      assert.ok(Number.isFinite(graph.expectedS[s * P + extended.allocation[s]!]!), `${id}: forbidden pool`);
    }
    const scored = evaluateCandidate(problem, publishedCandidate(problem, id, graph, { partial }), partial);
    assert.equal(checkPlanValidity(problem, scored), [], `${id} extended`);
  }
});

test('a score override replaces the pool choice (here: cheapest pool), for static and ready-set rules', () => {
  // Everything is allowed on the free onprem pool, so a price-only score puts every
  // unfiltered sub-task there; the filtered gpu stage still goes to od. CPoP's critical
  // path keeps its own pool (the score chooses for the other sub-tasks).
  const problem = mixedProblem('weighted');
  const graph = graphOf(problem);
  const price = (_s: number, p: number) => problem.pools.priceUsdPerSlotS[p]!;
  const onprem = problem.pools.ids.indexOf('onprem');
  const od = problem.pools.ids.indexOf('od');
  const gpu = subtask(problem, graph, 'gpu');
  const cp = criticalPath(problem, graph);
  assert.ok(cp.pool !== onprem, 'the critical path pool is not the free one, so the test tells them apart');
  for (const id of ['heft', 'cpop', 'peft', 'minmin', 'sufferage', 'etf', 'dls', 'bil', 'mst', 'olb'] as const) {
    const candidate = publishedCandidate(problem, id, graph, { score: price });
    for (let s = 0; s < graph.nodeCount; s++) {
      const onPath = id === 'cpop' && cp.path.includes(s) && Number.isFinite(graph.expectedS[s * graph.poolCount + cp.pool]!);
      assert.is(candidate.allocation[s], s === gpu ? od : onPath ? cp.pool : onprem, `${id}: sub-task ${s}`);
    }
    assert.equal(checkPlanValidity(problem, evaluateCandidate(problem, candidate)), [], id);
  }
});

test('ready-set rules: rescoring every step gives the incremental result when the score keeps no state', () => {
  const problem = mixedProblem('makespan');
  const graph = graphOf(problem);
  for (const id of ['minmin', 'maxmin', 'sufferage', 'etf', 'dls', 'bil'] as const) {
    for (const insertion of [false, true]) {
      const a = PUBLISHED[id].schedule(problem, graph, { insertion });
      const b = PUBLISHED[id].schedule(problem, graph, { insertion, rescoreEachStep: true });
      assert.equal(Array.from(a.allocation), Array.from(b.allocation), `${id} ${insertion}`);
      assert.equal(Array.from(a.startS), Array.from(b.startS), `${id} ${insertion}`);
    }
  }
});

test('synthetic layered DAGs (regions, start-ups, interruptions): every rule valid; incremental ready sets equal rescoring', () => {
  for (const seed of [1, 2, 3]) {
    const problem = assembleProblem(layeredDag({ tasks: 150, seed }), syntheticPools({ pools: 5, regions: 3, seed: seed + 10 }), { objective: seed === 2 ? 'makespan' : 'weighted' });
    const graph = graphOf(problem);
    for (const id of PUBLISHED_IDS) {
      const rule = PUBLISHED[id];
      for (const insertion of [false, true]) {
        const result = rule.schedule(problem, graph, { insertion });
        const scored = evaluateCandidate(problem, publishedCandidate(problem, id, graph, { insertion }));
        assert.equal(checkPlanValidity(problem, scored), [], `${id} seed ${seed} ${insertion}`);
        if (!['minmin', 'maxmin', 'sufferage', 'etf', 'dls', 'bil'].includes(id)) continue;
        const rescored = rule.schedule(problem, graph, { insertion, rescoreEachStep: true });
        assert.equal(Array.from(result.allocation), Array.from(rescored.allocation), `${id} seed ${seed} ${insertion}: allocation`);
        assert.equal(Array.from(result.startS), Array.from(rescored.startS), `${id} seed ${seed} ${insertion}: starts`);
      }
    }
  }
});

test.run();
