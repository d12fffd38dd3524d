/**
 * The dispatcher on the sim backend, over random sub-task DAGs and random fault schedules:
 *   - every sub-task commits exactly once, or the report names it with why it did not run;
 *   - which ones do not run is exactly predictable: a sub-task whose every attempt fails (or is
 *     interrupted) is given up, its descendants are blocked, everything else commits (transient
 *     faults are retried, moved or re-allocated until they pass);
 *   - no attempt of a sub-task starts before all of its inputs committed.
 * The virtual clock makes each run a few milliseconds; runs replay the plan (durations are the
 * jobs' replay steps, backoffs are virtual timers).
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DispatchJob } from '../../src/dispatch/backend.js';
import type { AttemptView } from '../../src/dispatch/dispatcher.js';
import { createSimBackend, type SimFault } from '../../src/dispatch/sim/index.js';
import { propertySeed } from '../helpers/arbitraries.js';
import { onePool, runOn } from './helpers.js';

const test = suite('dispatcher × sim: random DAGs and fault schedules');

/** A stage's faults: none, transient (some early attempts), or on every attempt. */
type FaultPlan =
  | { readonly kind: 'none' }
  | { readonly kind: 'transient'; readonly failed: readonly number[]; readonly interrupted: readonly number[]; readonly atFraction: number }
  | { readonly kind: 'always'; readonly outcome: 'failed' | 'interrupted'; readonly atFraction: number };

const faultPlan: fc.Arbitrary<FaultPlan> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: 'none' } as const) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('transient' as const),
      // Failed attempts among the first two (the default allows two retries), interrupted ones
      // among the first five (interruptions are re-allocated, not counted against retries).
      failed: fc.uniqueArray(fc.integer({ min: 1, max: 2 }), { maxLength: 2 }),
      interrupted: fc.uniqueArray(fc.integer({ min: 1, max: 5 }), { maxLength: 3 }),
      atFraction: fc.double({ min: 0, max: 0.99, noNaN: true }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('always' as const), outcome: fc.constantFrom('failed' as const, 'interrupted' as const), atFraction: fc.double({ min: 0, max: 0.99, noNaN: true }) }) },
);

const caseArbitrary = fc.record({
  stages: fc.array(
    fc.record({
      runtimeS: fc.integer({ min: 1, max: 120 }),
      /** Inputs among the (up to five) previous stages: always a DAG. */
      after: fc.array(fc.boolean(), { maxLength: 5 }),
      faults: faultPlan,
    }),
    { minLength: 1, maxLength: 14 },
  ),
  pools: fc.array(fc.record({ slots: fc.integer({ min: 1, max: 3 }), speed: fc.constantFrom(0.5, 1, 2) }), { minLength: 1, maxLength: 3 }),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});

type Case = typeof caseArbitrary extends fc.Arbitrary<infer T> ? T : never;

function faultsFor(testCase: Case, stageOf: (job: DispatchJob) => number): (job: DispatchJob) => SimFault | undefined {
  return (job) => {
    const stage = testCase.stages[stageOf(job)]!;
    const plan = stage.faults;
    const afterS = (plan.kind === 'none' ? 0 : plan.atFraction) * job.expectedS;
    if (plan.kind === 'always') return { outcome: plan.outcome, afterS, error: `scripted ${plan.outcome}` };
    if (plan.kind === 'transient') {
      if (plan.failed.includes(job.attempt)) return { outcome: 'failed', afterS, error: `scripted failure of attempt ${job.attempt}` };
      if (plan.interrupted.includes(job.attempt)) return { outcome: 'interrupted', afterS };
    }
    return undefined;
  };
}

async function check(testCase: Case): Promise<void> {
  const task = {
    name: 'property',
    stages: testCase.stages.map((stage, i) => ({
      id: `s${i}`,
      op: 'op',
      runtimeS: stage.runtimeS,
      after: stage.after.map((on, k) => (on && i - 1 - k >= 0 ? `s${i - 1 - k}` : undefined)).filter((x): x is string => x !== undefined),
    })),
  };
  const pools = { pools: testCase.pools.map((pool, i) => onePool(`p${i}`, pool.slots, { speed: pool.speed })) };
  // A sub-task's faults are its first stage's (`job.stage`; a cluster of stages fails as one).
  const stageIndex = (stageId: string): number => Number(stageId.slice(1));
  const backend = createSimBackend({ seed: testCase.seed, durations: 'replay', faults: faultsFor(testCase, (job) => stageIndex(job.stage)) });
  const attempts: AttemptView[] = [];
  const run = await runOn(backend, task, pools, {
    settings: { replay: { timeScale: 1 } },
    request: {
      onAttempt: (attempt) => attempts.push(attempt),
      onDecision: () => {},
    },
  });
  try {
    const { plan, report } = run;
    const ids = plan.subtasks.map((s) => s.id);
    const subtaskById = new Map(plan.subtasks.map((s) => [s.id, s]));
    // Expected: always-faulty sub-tasks are given up, their descendants blocked, the rest committed.
    const firstStage = (id: string): number => {
      const subtask = subtaskById.get(id)!;
      return stageIndex(subtask.stage ?? subtask.tasks?.[0] ?? subtask.id);
    };
    // Expected, in input order: blocked if an input does not commit, else given up if every
    // attempt is scripted to fail, else committed.
    const expected = new Map<string, 'committed' | 'given-up' | 'blocked'>();
    const expectedOf = (id: string): 'committed' | 'given-up' | 'blocked' => {
      const known = expected.get(id);
      if (known !== undefined) return known;
      const inputs = subtaskById.get(id)!.after.map(expectedOf);
      const state = inputs.some((s) => s !== 'committed') ? 'blocked' : testCase.stages[firstStage(id)]!.faults.kind === 'always' ? 'given-up' : 'committed';
      expected.set(id, state);
      return state;
    };
    const expectedGivenUp = new Set(ids.filter((id) => expectedOf(id) === 'given-up'));
    const expectedBlocked = new Set(ids.filter((id) => expectedOf(id) === 'blocked'));
    const ancestorsOf = (id: string): Set<string> => {
      const seen = new Set<string>();
      const stack = [...subtaskById.get(id)!.after];
      while (stack.length > 0) {
        const next = stack.pop()!;
        if (seen.has(next)) continue;
        seen.add(next);
        stack.push(...subtaskById.get(next)!.after);
      }
      return seen;
    };
    const states = new Map(report.timeline.map((entry) => [entry.id, entry]));
    assert.is(report.timeline.length, ids.length);
    for (const id of ids) {
      const entry = states.get(id)!;
      assert.is(entry.state, expectedOf(id), `${id}: ${JSON.stringify(entry)}`);
    }
    assert.is(report.committed, ids.length - expectedGivenUp.size - expectedBlocked.size);
    assert.is(report.status, report.committed === ids.length ? 'succeeded' : 'failed');
    // The report names exactly the ones that did not commit, each with why.
    assert.equal(new Set(report.notCommitted.map((entry) => entry.id)), new Set([...expectedGivenUp, ...expectedBlocked]));
    for (const entry of report.notCommitted) {
      assert.ok(entry.reason !== undefined && entry.reason !== '', `${entry.id} has a reason`);
      if (entry.state === 'blocked') {
        // It names the given-up sub-task upstream that blocks it (an input, or an input's input).
        const cause = (/^its input (.+) could not run$/.exec(entry.reason!) ?? /^(.+), upstream of it, could not run$/.exec(entry.reason!))?.[1];
        assert.ok(cause !== undefined && states.get(cause)?.state === 'given-up' && ancestorsOf(entry.id).has(cause), `${entry.id}: ${entry.reason}`);
      } else {
        assert.match(entry.reason!, /scripted|attempts without success|failed/);
      }
    }
    // Committed exactly once, in the journal too.
    const commits = run.journal.commits('r1');
    assert.is(commits.length, report.committed, 'one commit row per committed sub-task');
    assert.is(new Set(commits.map((c) => c.subtaskId)).size, commits.length);
    const commitOf = new Map(commits.map((c) => [c.subtaskId, c]));
    const succeeded = attempts.filter((a) => a.outcome === 'succeeded');
    assert.is(new Set(succeeded.map((a) => a.subtask)).size, succeeded.length, 'at most one successful attempt per sub-task');
    // No attempt starts before every input committed.
    for (const attempt of attempts) {
      for (const input of subtaskById.get(attempt.subtask)!.after) {
        const commit = commitOf.get(input);
        assert.ok(commit !== undefined && commit.finishedS <= attempt.startedS + 1e-9, `${attempt.subtask} attempt ${attempt.attempt} started at ${attempt.startedS}, its input ${input} ${commit === undefined ? 'never committed' : `committed at ${commit.finishedS}`}`);
      }
    }
  } finally {
    run.cleanup();
  }
}

test('every sub-task commits once or is reported with why; never before its inputs', async () => {
  const seed = propertySeed('dispatcher × sim');
  const deadline = Date.now() + 5_000;
  let runs = 0;
  let lastFailure = '';
  await fc.assert(
    fc.asyncProperty(caseArbitrary, async (testCase) => {
      runs++;
      try {
        await check(testCase);
      } catch (error) {
        // fast-check reports the counterexample; this says which expectation it broke.
        lastFailure = error instanceof Error ? error.message : String(error);
        throw error;
      }
    }),
    // ~50 runs, stopped early past 5 s (a slow, shared machine) so the file stays bounded.
    { seed, numRuns: 50, interruptAfterTimeLimit: Math.max(1, deadline - Date.now()), markInterruptAsFailure: false },
  ).catch((error: unknown) => {
    throw new Error(`${lastFailure}\n${error instanceof Error ? error.message : String(error)}`);
  });
  console.log(`  [dispatcher × sim] ${runs} runs in ${(5_000 - (deadline - Date.now())).toFixed(0)} ms`);
  assert.ok(runs >= 5, `only ${runs} runs in the time limit`);
});

/** Random hazards, lost slots and availability series: no exact prediction, only the invariants. */
const noisyArbitrary = fc.record({
  base: caseArbitrary,
  hazards: fc.array(fc.record({ perHour: fc.constantFrom(0, 10, 60, 200), slotDownS: fc.constantFrom(0, 5, 60) }), { minLength: 3, maxLength: 3 }),
  series: fc.array(fc.array(fc.record({ gapS: fc.integer({ min: 1, max: 200 }), available: fc.integer({ min: 0, max: 3 }) }), { maxLength: 4 }), { minLength: 3, maxLength: 3 }),
});

async function checkInvariants(noisy: typeof noisyArbitrary extends fc.Arbitrary<infer T> ? T : never): Promise<void> {
  const testCase = noisy.base;
  const task = {
    name: 'noisy',
    stages: testCase.stages.map((stage, i) => ({
      id: `s${i}`,
      op: 'op',
      runtimeS: stage.runtimeS,
      after: stage.after.map((on, k) => (on && i - 1 - k >= 0 ? `s${i - 1 - k}` : undefined)).filter((x): x is string => x !== undefined),
    })),
  };
  const pools = { pools: testCase.pools.map((pool, i) => onePool(`p${i}`, pool.slots, { speed: pool.speed })) };
  const availability = new Map(
    testCase.pools.map((_, i) => {
      let timeS = 0;
      return [`p${i}`, noisy.series[i]!.map((point) => ({ timeS: (timeS += point.gapS), available: point.available }))] as const;
    }),
  );
  const backend = createSimBackend({
    seed: testCase.seed,
    durations: 'replay',
    faults: faultsFor(testCase, (job) => Number(job.stage.slice(1))),
    pools: testCase.pools.map((_, i) => ({ id: `p${i}`, interruptionPerHour: noisy.hazards[i]!.perHour, slotDownS: noisy.hazards[i]!.slotDownS })),
    availability,
  });
  const attempts: AttemptView[] = [];
  const run = await runOn(backend, task, pools, { settings: { replay: { timeScale: 1 } }, request: { onAttempt: (attempt) => attempts.push(attempt) } });
  try {
    const { plan, report } = run;
    const subtaskById = new Map(plan.subtasks.map((s) => [s.id, s]));
    assert.is(report.timeline.length, plan.subtasks.length);
    assert.is(report.committed + report.notCommitted.length, plan.subtasks.length);
    for (const entry of report.notCommitted) assert.ok(entry.reason !== undefined && entry.reason !== '', `${entry.id} (${entry.state}) has a reason`);
    assert.ok(report.notCommitted.every((entry) => entry.state === 'given-up' || entry.state === 'blocked'), 'a run that was not stopped leaves nothing "not run"');
    const commits = run.journal.commits('r1');
    assert.is(commits.length, report.committed);
    assert.is(new Set(commits.map((c) => c.subtaskId)).size, commits.length, 'each sub-task committed at most once');
    const commitOf = new Map(commits.map((c) => [c.subtaskId, c]));
    for (const attempt of attempts) {
      for (const input of subtaskById.get(attempt.subtask)!.after) {
        const commit = commitOf.get(input);
        assert.ok(commit !== undefined && commit.finishedS <= attempt.startedS + 1e-9, `${attempt.subtask} attempt ${attempt.attempt} started at ${attempt.startedS} before its input ${input} committed`);
      }
    }
    // Nothing is left running or queued on the backend once the run has settled.
    const stats = backend.stats();
    assert.is(stats.running, 0, 'nothing runs after the report');
  } finally {
    run.cleanup();
  }
}

test('with hazards, lost slots and availability series: commits once, reasons for the rest, never before the inputs', async () => {
  const seed = propertySeed('dispatcher × sim, noisy');
  const deadline = Date.now() + 4_000;
  let runs = 0;
  let lastFailure = '';
  await fc
    .assert(
      fc.asyncProperty(noisyArbitrary, async (noisy) => {
        runs++;
        try {
          await checkInvariants(noisy);
        } catch (error) {
          lastFailure = error instanceof Error ? error.message : String(error);
          throw error;
        }
      }),
      { seed, numRuns: 40, interruptAfterTimeLimit: Math.max(1, deadline - Date.now()), markInterruptAsFailure: false },
    )
    .catch((error: unknown) => {
      throw new Error(`${lastFailure}\n${error instanceof Error ? error.message : String(error)}`);
    });
  console.log(`  [dispatcher × sim, noisy] ${runs} runs`);
  assert.ok(runs >= 5, `only ${runs} runs in the time limit`);
});

test.run();
