/**
 * A profile applied to a bag of WfFormat tasks (model/bags.ts): each task is predicted as the
 * atomic task it was, so the bag's work is the sum of the same predictions the atomic import
 * plans on, and a chunk's runtime is its own tasks' predictions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { wfformatRecords } from '../../src/history/wfformat-records.js';
import { parseTaskDefinition } from '../../src/load/files.js';
import { assembleProblem } from '../../src/model/problem.js';
import { chunkWorkS } from '../../src/model/subtasks.js';
import type { AtomicStage, DivisibleStage } from '../../src/model/types.js';
import { validateResourceMap } from '../../src/model/validate-pools.js';
import { applyProfile } from '../../src/profile/apply.js';
import { fitProfile } from '../../src/profile/fit.js';
import { REPO_ROOT, WFINSTANCES } from '../helpers/problems.js';

const test = suite('profile: bags of tasks');
const HETERO = validateResourceMap(JSON.parse(readFileSync(join(REPO_ROOT, 'examples/pools/hetero.json'), 'utf8')) as unknown);
const trace = (k: number): string => join(WFINSTANCES, `makeflow/blast/blast-chameleon-medium-00${k}.json`);

test('a bag under a profile: each task predicted as its atomic self; the bag sums them, a chunk sums its own', () => {
  const records = [2, 3, 4].flatMap((k) => wfformatRecords(JSON.parse(readFileSync(trace(k), 'utf8')) as unknown, trace(k)));
  const profile = fitProfile(records);
  const text = readFileSync(trace(1), 'utf8');
  for (const quantile of [0.5, 0.9]) {
    const atomic = applyProfile(parseTaskDefinition(text, trace(1), { bags: false }), profile, quantile).definition;
    const bagged = applyProfile(parseTaskDefinition(text, trace(1), { bags: true }), profile, quantile).definition;
    const predicted = new Map(atomic.stages.map((stage) => [stage.id, (stage as AtomicStage).runtimeS!]));
    const bag = bagged.stages.find((stage): stage is DivisibleStage => stage.kind === 'divisible' && stage.bag !== undefined)!;
    assert.ok(bag !== undefined && bag.units === 300);
    bag.bag!.taskIds.forEach((id, i) => assert.ok(Math.abs(bag.bag!.runtimeS[i]! - predicted.get(id)!) <= 1e-9 * predicted.get(id)!, `task ${id}`));
    // The profile's answer differs from the trace's own runtimes (else this test shows nothing).
    const recorded = (parseTaskDefinition(text, trace(1), { bags: false }).stages as AtomicStage[]).map((stage) => stage.runtimeS!);
    assert.ok(recorded.some((r, i) => Math.abs(r - predicted.get(atomic.stages[i]!.id)!) > 1e-6));
    const a = assembleProblem(atomic, HETERO);
    const b = assembleProblem(bagged, HETERO);
    const total = (xs: Float64Array): number => xs.reduce((x, y) => x + y, 0);
    assert.ok(Math.abs(total(b.stageWorkS) - total(a.stageWorkS)) <= 1e-9 * total(a.stageWorkS), `${total(b.stageWorkS)} vs ${total(a.stageWorkS)}`);
    const v = b.stageIndex.get(bag.id)!;
    const some = bag.bag!.taskIds.slice(10, 17).reduce((sum, id) => sum + predicted.get(id)!, 0);
    assert.ok(Math.abs(chunkWorkS(b, v, 10, 7) - some) <= 1e-9 * some);
  }
});

test.run();
