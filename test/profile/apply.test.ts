import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunRecord } from '../../src/history/record.js';
import { assembleProblem } from '../../src/model/problem.js';
import { buildSubtaskGraph, PartitionBuilder } from '../../src/model/subtasks.js';
import { validateResourceMap } from '../../src/model/validate-pools.js';
import { validateTaskDefinition } from '../../src/model/validate-task.js';
import { applyProfile, runtimeSpread } from '../../src/profile/apply.js';
import { fitProfile } from '../../src/profile/fit.js';
import { chunkLaw, predict } from '../../src/profile/predict.js';
import { seededRandom } from '../../src/util/random.js';
import { record } from '../helpers/records.js';

const test = suite('profile: planning on a fitted profile');

/** Runs of `op` whose runtime is law(items) × lognormal noise, over several jobs and sizes. */
function runs(op: string, law: (items: number) => number, count: number, seed: number, poolClass = 'c1'): RunRecord[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const items = Math.round(10 ** (1 + random() * 3));
    const noise = Math.exp(0.1 * (random() + random() + random() - 1.5));
    return record({ jobId: `job${i % 6}`, stageId: `${op}-${i}`, op, poolId: 'p', poolClass, speed: 1, items, runtimeS: law(items) * noise, peakMemBytes: 2e9 * noise });
  });
}

const history = [
  ...runs('sort', (n) => 2 + 0.001 * n * Math.log2(n), 240, 1),
  ...runs('scan', (n) => 0.5 + 0.01 * n, 240, 2),
];
const profile = fitProfile(history, { seed: 1 });
const pools = validateResourceMap({ pools: [{ id: 'a', region: 'r', slots: 4 }, { id: 'b', region: 'r', slots: 4, speed: 2 }] });
const definition = validateTaskDefinition({
  name: 'job',
  stages: [
    { id: 'sort', op: 'sort', items: 8000, minChunk: 100 },
    { id: 'scan', op: 'scan', items: 5000, minChunk: 50, after: ['sort'], runtimePerItemS: 99 },
    { id: 'new', op: 'never-seen', after: ['scan'] },
    { id: 'guessed', op: 'never-seen-either', after: ['scan'], runtimeS: 42 },
  ],
});

test('chunk runtimes follow the fitted law at every chunk size (n log n included)', () => {
  const applied = applyProfile(definition, profile, 0.5);
  const problem = assembleProblem(applied.definition, pools);
  const { law, factor } = chunkLaw(profile, 'sort', 0.5);
  assert.ok(law.nLogN > 0, 'the n log n term was fitted');
  const partition = new PartitionBuilder();
  for (const [start, count] of [[0, 100], [100, 900], [1000, 7000]] as const) partition.addChunk(0, start, count);
  const graph = buildSubtaskGraph(problem, partition.build());
  [100, 900, 7000].forEach((k, s) => {
    const expected = factor * (law.constant + law.linear * k + law.nLogN * k * Math.log2(k));
    assert.ok(Math.abs(graph.runtimeS[s * 2]! - expected) <= 1e-9 * expected, `chunk of ${k} on speed 1: ${graph.runtimeS[s * 2]} vs ${expected}`);
    assert.ok(Math.abs(graph.runtimeS[s * 2 + 1]! - expected / 2) <= 1e-9 * expected, `chunk of ${k} on speed 2`);
  });
});

test('the fitted law is close to the truth for the sizes seen', () => {
  for (const k of [50, 500, 5000]) {
    const truth = 2 + 0.001 * k * Math.log2(k);
    const predicted = predict(profile, 'runtimeS', { op: 'sort', items: k }, 0.5).value;
    assert.ok(Math.abs(predicted / truth - 1) < 0.1, `sort(${k}) = ${predicted} vs ${truth}`);
  }
});

test('history first: a known op replaces the declared estimate; an unknown op keeps it, or takes the prior as provisional', () => {
  const applied = applyProfile(definition, profile, 0.5);
  const scan = applied.definition.stages[1]!;
  assert.is(scan.kind, 'divisible');
  assert.ok(scan.kind === 'divisible' && scan.runtimePerUnitS! < 1, 'declared 99 s/item replaced by the history');
  const kept = applied.definition.stages[3]!;
  assert.is(kept.kind === 'atomic' ? kept.runtimeS : undefined, 42);
  const prior = applied.definition.stages[2]!;
  assert.ok(prior.kind === 'atomic' && prior.runtimeS! > 0 && Number.isFinite(prior.runtimeS!));
  assert.equal(applied.provisional.map((p) => p.stage), ['new']);
  assert.match(applied.provisional[0]!.reason, /no history for op "never-seen"/);
  assert.equal(applied.counts, { history: 2, definition: 1, prior: 1 });
  const problem = assembleProblem(applied.definition, pools, { provisional: applied.provisional, assumptions: applied.assumptions });
  assert.equal(problem.provisional.map((p) => p.stage), ['new']);
  assert.ok(problem.assumptions.some((a) => /runtimes at p50 of the history profile/.test(a)));
});

test('a higher quantile plans on longer runtimes, stage by stage', () => {
  const p50 = assembleProblem(applyProfile(definition, profile, 0.5).definition, pools);
  const p90 = assembleProblem(applyProfile(definition, profile, 0.9).definition, pools);
  for (let s = 0; s < 3; s++) assert.ok(p90.stageWorkS[s]! > p50.stageWorkS[s]!, `stage ${s}: ${p90.stageWorkS[s]} <= ${p50.stageWorkS[s]}`);
  assert.is(p90.stageWorkS[3], p50.stageWorkS[3], 'a declared estimate has no quantile');
});

test('memory: a stage without memGb gets the history\'s prediction; one with memGb keeps it', () => {
  const applied = applyProfile(definition, profile, 0.9);
  const sort = applied.definition.stages[0]!;
  assert.ok(sort.memGb !== undefined && sort.memGb > 1.5 && sort.memGb < 3, `memGb ${sort.memGb}`);
  assert.is(applied.definition.stages[2]!.memGb, undefined, 'no memory from the global prior');
});

test('pools that declare a class the op ran on get the (op, class) runtime', () => {
  const classed = fitProfile([...runs('io', () => 10, 120, 3, 'slow'), ...runs('io', () => 2, 120, 4, 'fast')], { seed: 2 });
  const resources = validateResourceMap({ pools: [{ id: 'a', region: 'r', slots: 1, class: 'slow' }, { id: 'b', region: 'r', slots: 1, class: 'fast' }, { id: 'c', region: 'r', slots: 1 }] });
  const applied = applyProfile(validateTaskDefinition({ name: 'x', stages: [{ id: 'io', op: 'io' }] }), classed, 0.5, resources);
  const stage = applied.definition.stages[0]!;
  const onSlow = stage.runtimeByPoolS?.get('a');
  const onFast = stage.runtimeByPoolS?.get('b');
  assert.ok(onSlow !== undefined && onFast !== undefined, 'both classed pools have a runtime');
  assert.ok(onSlow > 2.5 * onFast, `slow ${onSlow} vs fast ${onFast}`);
  assert.not.ok(stage.runtimeByPoolS?.has('c'), 'a pool without a class uses the op-level runtime');
});

test('estimates for --explain: planned value at the quantile, P10 <= P50 <= P90, sources as applied', () => {
  const applied = applyProfile(definition, profile, 0.9);
  const byStage = new Map(applied.estimates.map((e) => [e.stage, e]));
  assert.equal([...byStage.keys()].sort(), ['guessed', 'new', 'scan', 'sort']);
  for (const id of ['sort', 'scan', 'new']) {
    const e = byStage.get(id)!;
    assert.ok(e.p10S! < e.p50S! && e.p50S! < e.p90S!, `${id}: ${e.p10S} ${e.p50S} ${e.p90S}`);
    assert.ok(Math.abs(e.plannedS - e.p90S!) <= 1e-9 * e.plannedS, `${id}: planned at p90`);
  }
  assert.is(byStage.get('sort')!.source, 'op');
  assert.ok(byStage.get('sort')!.law !== undefined, 'a divisible stage shows its law');
  assert.is(byStage.get('new')!.source, 'global');
  assert.ok(byStage.get('new')!.provisional);
  const declared = byStage.get('guessed')!;
  assert.equal([declared.source, declared.plannedS, declared.p90S], ['definition', 42, undefined]);
  // The whole-stage runtime shown is what the model plans: the stage's work plus its fixed overhead.
  const problem = assembleProblem(applied.definition, pools);
  const sort = applied.definition.stages[0]!;
  assert.ok(Math.abs(byStage.get('sort')!.plannedS - (problem.stageWorkS[0]! + sort.overheadS + (sort.kind === 'divisible' ? sort.runtimeLogS! * 8000 * Math.log2(8000 / 100) : 0))) < 1e-6);
});

test('chunks of one size in the history: runtime scales in proportion to the stage, never one chunk spread over it', () => {
  // What a dispatcher records: 1,000-item chunks at 0.05 s per item (50 s each), over several runs.
  const history = Array.from({ length: 120 }, (_, i) => record({ jobId: `job${i % 4}`, stageId: `c${i}`, op: 'parse', items: 1000, runtimeS: 50 * Math.exp(0.05 * Math.sin(i)) }));
  const even = fitProfile(history, { seed: 3 });
  const stage = validateTaskDefinition({ name: 'x', stages: [{ id: 'parse', op: 'parse', items: 400000, minChunk: 500, maxChunk: 50000 }] });
  const applied = applyProfile(stage, even, 0.5);
  const problem = assembleProblem(applied.definition, pools);
  assert.ok(Math.abs(problem.stageWorkS[0]! / 20000 - 1) < 0.05, `whole stage ${problem.stageWorkS[0]} s, expected about 20,000 s`);
  assert.ok(applied.assumptions.some((a) => /in proportion to chunk size for parse/.test(a)), applied.assumptions.join('\n'));
  // The same history cannot price a stage counted in bytes: the definition's fallback stands, provisional.
  const bytesStage = validateTaskDefinition({ name: 'x', stages: [{ id: 'parse', op: 'parse', bytes: 4e9 }] });
  const kept = applyProfile(bytesStage, even, 0.5);
  assert.equal(kept.definition.stages[0], bytesStage.stages[0]);
  assert.equal(assembleProblem(kept.definition, pools, { provisional: kept.provisional }).provisional.map((p) => p.stage), ['parse']);
});

test('an empty history changes nothing: every stage keeps the definition\'s estimate, and the plan says so', () => {
  const empty = fitProfile([], { seed: 1 });
  const applied = applyProfile(definition, empty, 0.9);
  assert.equal(applied.definition.stages, definition.stages);
  assert.equal(applied.counts, { history: 0, definition: 4, prior: 0 });
  assert.ok(applied.assumptions.some((a) => /the history holds no runs/.test(a)));
  const problem = assembleProblem(applied.definition, pools);
  assert.ok(problem.stageWorkS[2]! >= 1, 'the definition\'s fallback (not a 1 ms floor) for a stage with no estimate');
});

test('listed inputs of 0 bytes are a size; no inputs listed is an unknown size', () => {
  const zero = fitProfile(Array.from({ length: 40 }, (_, i) => record({ jobId: `j${i % 4}`, stageId: `s${i}`, op: 'cat', bytesIn: i % 2 === 0 ? 0 : 10 ** (3 + (i % 5)), runtimeS: 0.1 + 1e-6 * (i % 2 === 0 ? 0 : 10 ** (3 + (i % 5))) })), { seed: 1 });
  const job = validateTaskDefinition({ name: 'x', data: [{ id: 'empty', bytes: 0 }], stages: [{ id: 'a', op: 'cat', inputs: ['empty'] }, { id: 'b', op: 'cat' }] });
  const applied = applyProfile(job, zero, 0.5);
  assert.equal(applied.provisional.map((p) => p.stage), ['b']);
});

test('runtimeSpread: learned stages share their op\'s run shift; a prior is shared whole; the definition\'s estimate has no spread', () => {
  const spread = runtimeSpread(definition, profile, 0.5);
  const L = spread.logRatio.length / 4;
  const row = (s: number): number[] => Array.from(spread.logRatio.subarray(s * L, (s + 1) * L));
  assert.ok(row(0)[0]! < 0 && row(0)[L - 1]! > 0, 'sort: below and above the median');
  assert.equal(spread.jobShiftSigma[0], profile.ops.sort!.metrics.runtimeS!.jobShiftSigma);
  assert.is(spread.jobShiftSigma[2], Number.POSITIVE_INFINITY, 'the unknown op "new" planned on the global prior');
  assert.ok(row(3).every((x) => x === 0), 'the declared "guessed" stage');
});

test.run();
