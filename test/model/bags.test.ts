/**
 * Bags of WfFormat tasks (issue 12): same-op tasks with the same parents and children imported
 * as one divisible stage. The import partitions the trace's task ids, keeps the total work,
 * and a chunk costs exactly its own tasks: a plan whose chunks are single tasks scores what the
 * atomic import scores for the same placement.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateCandidate } from '../../src/cost/evaluate.js';
import { parseTaskDefinition } from '../../src/load/files.js';
import { bagTasks, balancedOrder } from '../../src/model/bags.js';
import { assembleProblem, type Problem } from '../../src/model/problem.js';
import { buildSubtaskGraph, chunkWorkS, PartitionBuilder, unitsForWorkS, type SubtaskGraph } from '../../src/model/subtasks.js';
import type { AtomicStage, DivisibleStage, ResourceMap, TaskDefinition } from '../../src/model/types.js';
import { validateResourceMap } from '../../src/model/validate-pools.js';
import { checkPlanValidity } from '../../src/plan/check.js';
import { planConstructive } from '../../src/plan/planner.js';
import { predict } from '../../src/profile/predict.js';
import { readProfile } from '../../src/profile/read.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT, WFINSTANCES, wfInstanceFiles } from '../helpers/problems.js';

const HETERO_PATH = join(REPO_ROOT, 'examples/pools/hetero.json');
const HETERO = validateResourceMap(JSON.parse(readFileSync(HETERO_PATH, 'utf8')) as unknown);
/** Memory no trace task exceeds, so that feasibility is the same for a task and its bag. */
const ROOMY: ResourceMap = { ...HETERO, pools: HETERO.pools.map((pool) => ({ ...pool, memGbPerSlot: 1024 })) };
const GENOME = join(WFINSTANCES, 'pegasus/1000genome/1000genome-chameleon-2ch-100k-001.json');
const SEISMOLOGY = join(WFINSTANCES, 'pegasus/seismology/seismology-chameleon-1000p-001.json');
const BLAST_SMALL = join(WFINSTANCES, 'makeflow/blast/blast-chameleon-small-001.json');

const load = (path: string, bags: boolean): TaskDefinition => parseTaskDefinition(readFileSync(path, 'utf8'), path, { bags });
const bagsOf = (definition: TaskDefinition): DivisibleStage[] => definition.stages.filter((s): s is DivisibleStage => s.kind === 'divisible' && s.bag !== undefined);
const close = (a: number, b: number, what: string, rel = 1e-9): void => assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b)), `${what}: ${a} vs ${b}`);
const sum = (values: ArrayLike<number>): number => Array.from(values).reduce((x, y) => x + y, 0);

/** Every stage whole, and each bag cut into chunks of `chunk` tasks. */
function cut(problem: Problem, chunk: number): SubtaskGraph {
  const builder = new PartitionBuilder();
  problem.definition.stages.forEach((stage, v) => {
    if (stage.kind !== 'divisible') builder.addGroup([v]);
    else for (let start = 0; start < stage.units; start += chunk) builder.addChunk(v, start, Math.min(chunk, stage.units - start));
  });
  return buildSubtaskGraph(problem, builder.build());
}

/** The WfFormat task ids of each sub-task of a graph. */
function taskIdsOf(problem: Problem, graph: SubtaskGraph): string[][] {
  const { partition } = graph;
  return Array.from({ length: graph.nodeCount }, (_, s) => {
    const v = partition.members[partition.memberStart[s]!]!;
    const stage = problem.definition.stages[v]!;
    if (stage.kind === 'divisible' && stage.bag !== undefined) return stage.bag.taskIds.slice(partition.unitStart[s]!, partition.unitStart[s]! + partition.unitCount[s]!);
    return [stage.id];
  });
}

const imports = suite('bags: import of the WfInstances traces');

for (const path of wfInstanceFiles()) {
  imports(relative(WFINSTANCES, path), () => {
    const atomic = load(path, false);
    const bagged = load(path, true);
    const ids = bagged.stages.flatMap((stage) => (stage.kind === 'divisible' && stage.bag !== undefined ? stage.bag.taskIds : [stage.id]));
    assert.equal([...ids].sort(), atomic.stages.map((stage) => stage.id).sort(), 'the bags and the atomic stages hold every task id once');
    const bags = bagsOf(bagged);
    assert.is(bagged.stages.length, atomic.stages.length - bags.reduce((n, bag) => n + bag.units - 1, 0));
    const byId = new Map(atomic.stages.map((stage) => [stage.id, stage as AtomicStage]));
    for (const bag of bags) {
      assert.ok(bag.units >= 2 && bag.minChunk === 1 && bag.maxChunk === bag.units && bag.unitName === 'items');
      const members = bag.bag!.taskIds.map((id) => byId.get(id)!);
      assert.ok(members.every((task) => task.op === bag.op), `one op in ${bag.id}`);
      members.forEach((task, i) => assert.is(bag.bag!.runtimeS[i], task.runtimeS));
    }
    const a = assembleProblem(atomic, ROOMY);
    const b = assembleProblem(bagged, ROOMY);
    close(sum(b.stageWorkS), sum(a.stageWorkS), 'total work');
    close(sum(b.stages.succBytes), sum(a.stages.succBytes), 'total bytes between stages');
  });
}

imports('real traces have bags: stage counts drop', () => {
  const genome = load(GENOME, true);
  assert.ok(bagsOf(genome).length >= 2);
  assert.ok(genome.stages.length < load(GENOME, false).stages.length / 2, `${genome.stages.length} stages`);
  const seismology = load(SEISMOLOGY, true);
  assert.is(bagsOf(seismology).length, 1);
  assert.is(bagsOf(seismology)[0]!.units, 1000);
  assert.is(seismology.stages.length, 2);
});

imports('a bag\'s tasks are in a balanced order: every prefix of k tasks is near k × the mean (a cut by count is a cut by work)', () => {
  const atomic = load(SEISMOLOGY, false);
  const bag = bagsOf(load(SEISMOLOGY, true))[0]!;
  const traceOrder = bag.bag!.taskIds.map((id) => (atomic.stages.find((stage) => stage.id === id) as AtomicStage).runtimeS!);
  const inTrace = atomic.stages.filter((stage) => bag.bag!.taskIds.includes(stage.id)).map((stage) => (stage as AtomicStage).runtimeS!);
  const deviation = (runtimes: readonly number[]): number => {
    const mean = sum(runtimes) / runtimes.length;
    let prefix = 0;
    let worst = 0;
    runtimes.forEach((x, i) => {
      prefix += x;
      worst = Math.max(worst, Math.abs(prefix - (i + 1) * mean));
    });
    return worst;
  };
  assert.equal([...traceOrder].sort((a, b) => a - b), [...inTrace].sort((a, b) => a - b), 'the same tasks');
  assert.ok(deviation(traceOrder) <= Math.max(...inTrace), `balanced: ${deviation(traceOrder)} s off at worst`);
  assert.ok(deviation(traceOrder) < deviation(inTrace) / 4, `${deviation(traceOrder)} vs ${deviation(inTrace)} in the trace's order`);
  assert.equal(balancedOrder([5, 1, 3]).sort(), [0, 1, 2], 'a permutation');
  assert.equal(balancedOrder([]), []);
});

imports.run();

const chunks = suite('bags: a chunk costs the sum of its tasks');

chunks('runtime of a chunk = its tasks\' runtimes over the speed + the dispatch overhead; external reads are its tasks\' objects', () => {
  for (const path of [GENOME, SEISMOLOGY, BLAST_SMALL]) {
    const problem = assembleProblem(load(path, true), ROOMY);
    const P = problem.pools.count;
    for (const size of [1, 3, 7]) {
      const graph = cut(problem, size);
      const { partition } = graph;
      for (let s = 0; s < graph.nodeCount; s++) {
        if (partition.unitCount[s] === 0) continue;
        const v = partition.members[partition.memberStart[s]!]!;
        const stage = problem.definition.stages[v] as DivisibleStage;
        const start = partition.unitStart[s]!;
        const count = partition.unitCount[s]!;
        const tasksS = sum(stage.bag!.runtimeS.subarray(start, start + count));
        close(chunkWorkS(problem, v, start, count), tasksS, `work of ${stage.id} ${start}+${count}`);
        for (let p = 0; p < P; p++) close(graph.runtimeS[s * P + p]!, problem.pools.dispatchOverheadS[p]! + tasksS / problem.stageSpeed[v * P + p]!, `runtime of ${stage.id} ${start}+${count} on pool ${p}`);
        const read = new Set(stage.bag!.inputs.slice(start, start + count).flat().filter((id) => !problem.definition.stages.some((other) => other.outputs.includes(id))));
        const objects = Array.from(graph.externalObject.subarray(graph.externalStart[s]!, graph.externalStart[s + 1]!), (k) => problem.definition.data[k]!.id);
        assert.equal(objects.sort(), [...read].sort(), `external reads of ${stage.id} ${start}+${count}`);
      }
    }
  }
});

chunks('a plan of one-task chunks scores what the atomic import scores for the same placement (differential)', () => {
  for (const path of [GENOME, BLAST_SMALL, join(WFINSTANCES, 'nextflow/atacseq-dirt02-001.json')]) {
    const atomicProblem = assembleProblem(load(path, false), ROOMY);
    const baggedProblem = assembleProblem(load(path, true), ROOMY);
    const atomicGraph = cut(atomicProblem, 1);
    const baggedGraph = cut(baggedProblem, 1);
    assert.is(baggedGraph.nodeCount, atomicGraph.nodeCount);
    const atomicIndex = new Map(taskIdsOf(atomicProblem, atomicGraph).map(([id], s) => [id!, s]));
    const counterpart = taskIdsOf(baggedProblem, baggedGraph).map(([id]) => atomicIndex.get(id!)!);
    const P = atomicProblem.pools.count;
    // Pools spread over the tasks by a hash of their index; the same order by task.
    const atomicAllocation = Int32Array.from({ length: atomicGraph.nodeCount }, (_, s) => (s * 7 + 3) % P);
    const atomicOrder = Int32Array.from(atomicProblem.stages.order);
    const position = new Int32Array(atomicGraph.nodeCount);
    atomicOrder.forEach((s, k) => (position[s] = k));
    const baggedAllocation = Int32Array.from(counterpart, (s) => atomicAllocation[s]!);
    const baggedOrder = Int32Array.from({ length: baggedGraph.nodeCount }, (_, s) => s).sort((x, y) => position[counterpart[x]!]! - position[counterpart[y]!]!);
    const a = evaluateCandidate(atomicProblem, { graph: atomicGraph, allocation: atomicAllocation, order: atomicOrder, variant: 'test' });
    const b = evaluateCandidate(baggedProblem, { graph: baggedGraph, allocation: baggedAllocation, order: baggedOrder, variant: 'test' });
    for (const term of ['objective', 'makespanS', 'computeUsd', 'egressUsd', 'transferS', 'transferBytes', 'interruptionS'] as const) close(b.terms[term], a.terms[term], `${relative(WFINSTANCES, path)} ${term}`);
    baggedGraph.partition.unitCount.forEach((_, s) => close(b.schedule.finishS[s]!, a.schedule.finishS[counterpart[s]!]!, `finish of sub-task ${s}`));
  }
});

chunks('unitsForWorkS: the unit range of a bag whose work is nearest to a share', () => {
  const problem = assembleProblem(load(SEISMOLOGY, true), ROOMY);
  const v = problem.definition.stages.findIndex((stage) => stage.kind === 'divisible');
  const stage = problem.definition.stages[v] as DivisibleStage;
  let start = 0;
  for (const share of [0.1, 0.25, 0.4]) {
    const workS = share * problem.stageWorkS[v]!;
    const count = unitsForWorkS(problem, v, start, workS);
    const got = chunkWorkS(problem, v, start, count);
    // No other count is nearer to the share.
    for (const other of [count - 1, count + 1]) if (other >= 1 && start + other <= stage.units) assert.ok(Math.abs(chunkWorkS(problem, v, start, other) - workS) >= Math.abs(got - workS) - 1e-9);
    start += count;
  }
  assert.is(unitsForWorkS(problem, v, 0, 10 * problem.stageWorkS[v]!), stage.units, 'at most what is left');
  assert.is(unitsForWorkS(problem, v, 0, 0), 1, 'at least one unit');
});

chunks.run();

const planning = suite('bags: planning and running a bagged trace');

planning('a plan of a bagged trace is valid and lists every task id exactly once', () => {
  for (const path of [GENOME, SEISMOLOGY, BLAST_SMALL]) {
    const definition = load(path, true);
    const problem = assembleProblem(definition, HETERO);
    const outcome = planConstructive(problem);
    assert.equal(checkPlanValidity(problem, outcome.scored), []);
    const listed = outcome.plan.subtasks.flatMap((subtask) => subtask.tasks ?? []);
    assert.equal([...listed].sort(), load(path, false).stages.map((stage) => stage.id).sort());
    const chunk = outcome.plan.subtasks.find((subtask) => subtask.items !== undefined)!;
    assert.ok(chunk !== undefined, 'some bag is cut into chunks');
    assert.is(chunk.tasks!.length, chunk.items![1] - chunk.items![0]);
  }
});

planning('two bags that would be neighbours: the larger is a bag, the smaller stays atomic; a task without a runtime is not bagged', () => {
  const task = (id: string, op: string, after: string[], runtimeS: number | undefined): AtomicStage => ({
    kind: 'atomic', id, op, after, features: {}, inputs: [], outputs: [], memGb: undefined, pools: undefined, overheadS: 0, runtimeByPoolS: undefined, runtimeS, outputBytes: 0,
  });
  const wide = ['a0', 'a1', 'a2', 'a3'].map((id) => task(id, 'a', [], 10));
  const narrow = ['b0', 'b1', 'b2'].map((id) => task(id, 'b', ['a0', 'a1', 'a2', 'a3'], 5));
  const unknown = task('b3', 'b', ['a0', 'a1', 'a2', 'a3'], undefined);
  const definition: TaskDefinition = { name: 't', stages: [...wide, ...narrow, unknown], data: [], deadlineS: undefined, budgetUsd: undefined, usdPerHour: undefined, origin: 'wfformat' };
  const bagged = bagTasks(definition);
  assert.equal(bagsOf(bagged).map((bag) => bag.bag!.taskIds), [['a0', 'a1', 'a2', 'a3']]);
  assert.equal(bagged.stages.map((stage) => stage.id), ['a.bag0', 'b0', 'b1', 'b2', 'b3']);
  assert.equal(bagged.stages[1]!.after, ['a.bag0']);
  // b's tasks once more, with a an atomic pair: b0..b2 are a bag, b3 (no runtime) is not.
  const bagB = bagTasks({ ...definition, stages: [task('a0', 'a', [], 1), task('x', 'x', [], 1), ...narrow.map((t) => ({ ...t, after: ['a0', 'x'] })), { ...unknown, after: ['a0', 'x'] }] });
  assert.equal(bagsOf(bagB).map((bag) => bag.bag!.taskIds), [['b0', 'b1', 'b2']]);
  assert.ok(bagB.stages.some((stage) => stage.id === 'b3' && stage.kind === 'atomic'));
});

planning('run --replay of a bagged trace: every chunk waits its tasks\' runtimes, the attempts record their task counts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apportion-bags-'));
  try {
    const history = join(dir, 'h.sqlite');
    const planOut = join(dir, 'plan.json');
    const planned = await runCli(['plan', BLAST_SMALL, '--pools', HETERO_PATH, '--format', 'json', '--out', planOut]);
    assert.is(planned.code, 0, planned.stderr);
    const plan = JSON.parse(readFileSync(planOut, 'utf8')) as { subtasks: { id: string; items?: [number, number]; tasks?: string[]; runtimeS: number }[] };
    assert.ok(plan.subtasks.some((s) => s.items !== undefined && (s.tasks?.length ?? 0) > 1), 'the plan cuts the blastall bag into chunks of tasks');
    const run = await runCli(['run', BLAST_SMALL, '--pools', HETERO_PATH, '--history', history, '--run-dir', join(dir, 'run'), '--replay', '--time-scale', '0.0001', '--backend', 'sim', '--format', 'json']);
    assert.is(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { status: string; committed: number; subtasks: number };
    assert.is(report.status, 'succeeded');
    assert.is(report.committed, report.subtasks);
    const fit = await runCli(['profile', 'fit', '--history', history, '--out', join(dir, 'profile.json')]);
    assert.is(fit.code, 0, fit.stderr);
    // Each chunk is recorded with its task count (items): the profiler learns the per-task runtime.
    const profile = readProfile(JSON.parse(readFileSync(join(dir, 'profile.json'), 'utf8')) as unknown, 'profile.json');
    const perTaskS = predict(profile, 'runtimeS', { op: 'blastall', items: 1 }, 0.5).value;
    const recorded = bagsOf(load(BLAST_SMALL, true))[0]!.runtimePerUnitS!;
    // Within the dispatch overhead (2 s per chunk on hetero's pools) spread over a chunk's tasks.
    assert.ok(perTaskS >= recorded * 0.95 && perTaskS <= recorded + 2, `per task ${perTaskS} s, recorded mean ${recorded} s`);
    // --no-bags: the atomic import, one sub-task per task.
    const atomic = await runCli(['plan', BLAST_SMALL, '--pools', HETERO_PATH, '--format', 'json', '--no-bags']);
    assert.is(atomic.code, 0, atomic.stderr);
    const atomicPlan = JSON.parse(atomic.stdout) as { subtasks: { items?: unknown }[] };
    assert.ok(atomicPlan.subtasks.every((s) => s.items === undefined));
    writeFileSync(join(dir, 'done'), '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

planning.run();
