import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../src/model/issues.js';
import { validateResourceMap } from '../../src/model/validate-pools.js';
import { validateTaskDefinition } from '../../src/model/validate-task.js';
import { assembleProblem } from '../../src/model/problem.js';
import { planConstructive } from '../../src/plan/planner.js';
import type { Plan } from '../../src/plan/plan.js';
import { checkReservationFits, countMoves, defaultWindowS, keepPlacement, readReservation, reservationFromPlan, withinReservation } from '../../src/plan/reservation.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateCandidate } from '../../src/cost/evaluate.js';
import { buildSubtaskGraph } from '../../src/model/subtasks.js';
import { importWfFormat } from '../../src/model/wfformat.js';
import { readJson, WFINSTANCES } from '../helpers/problems.js';

const test = suite('plan: reservations');
const pools = validateResourceMap(readJson('examples/pools/hetero.json'));
const definition = validateTaskDefinition(readJson('examples/log-analytics.json'));

function plan(def = definition, resources = pools): Plan {
  return planConstructive(assembleProblem(def, resources)).plan;
}

/** Sub-tasks of `plan` on `pool` running at instant t (start <= t < finish). */
function runningAt(plan: Plan, pool: string, t: number): number {
  return plan.subtasks.filter((s) => s.pool === pool && s.startS <= t && t < s.finishS).length;
}

test('reserved slots cover every instant of the plan and never exceed the pool', () => {
  const made = plan();
  const reservation = reservationFromPlan(made, { windowS: 60 });
  assert.ok(reservation.pools.length > 0);
  for (const entry of reservation.pools) {
    const declared = pools.pools.find((p) => p.id === entry.pool)!.slots;
    entry.slots.forEach((slots, w) => {
      assert.ok(slots <= declared, `${entry.pool} window ${w}: ${slots} > ${declared}`);
      // Sample instants across the window: the reservation holds what runs there.
      for (let k = 0; k < 12; k++) {
        const t = w * 60 + (k * 60) / 12;
        assert.ok(runningAt(made, entry.pool, t) <= slots, `${entry.pool} at ${t}s runs ${runningAt(made, entry.pool, t)} > reserved ${slots}`);
      }
    });
  }
  const lastWindowEnd = Math.max(...reservation.pools.map((p) => p.slots.length)) * 60;
  assert.ok(lastWindowEnd >= made.summary.makespanS);
});

test('without slack, the peak of a window is reached: some instant uses every reserved slot', () => {
  const made = plan();
  const reservation = reservationFromPlan(made, { windowS: 60, slackWindows: 0 });
  const busiest = [...reservation.pools].sort((a, b) => Math.max(...b.slots) - Math.max(...a.slots))[0]!;
  const w = busiest.slots.indexOf(Math.max(...busiest.slots));
  const instants = made.subtasks.filter((s) => s.pool === busiest.pool).map((s) => s.startS).filter((t) => t >= w * 60 && t < (w + 1) * 60);
  const peak = Math.max(runningAt(made, busiest.pool, w * 60), ...instants.map((t) => runningAt(made, busiest.pool, t)));
  assert.is(peak, busiest.slots[w]);
});

test('slack: each window reserves the largest peak of its neighbours, one window longer', () => {
  const made = plan();
  const exact = reservationFromPlan(made, { windowS: 60, slackWindows: 0 });
  const slack = reservationFromPlan(made, { windowS: 60, slackWindows: 1 });
  for (const entry of slack.pools) {
    const peaks = exact.pools.find((p) => p.pool === entry.pool)!.slots;
    assert.is(entry.slots.length, peaks.length + 1);
    entry.slots.forEach((slots, w) => assert.is(slots, Math.max(peaks[w - 1] ?? 0, peaks[w] ?? 0, peaks[w + 1] ?? 0), `${entry.pool} window ${w}`));
  }
});

test('placement lists every stage; replanning the same job within its reservation moves nothing', () => {
  const made = plan();
  const reservation = reservationFromPlan(made);
  for (const stage of definition.stages) assert.ok(reservation.placement[stage.id]?.length, `no placement for ${stage.id}`);
  const again = plan(keepPlacement(definition, reservation), withinReservation(pools, reservation));
  const moves = countMoves(again, reservation);
  assert.is(moves.added, 0);
  assert.is(moves.moved, 0);
  assert.is(moves.kept, again.subtasks.length);
});

test('countMoves: a sub-task on another pool than its reserved one counts as moved, a new stage as added', () => {
  const made = plan();
  const reservation = reservationFromPlan(made);
  const first = made.subtasks[0]!;
  const other = pools.pools.find((p) => p.id !== first.pool)!.id;
  const { stage: _stage, items: _items, ...whole } = first;
  const shifted: Plan = { ...made, subtasks: [{ ...first, pool: other }, ...made.subtasks.slice(1), { ...whole, id: 'extra', tasks: ['brand-new'] }] };
  const moves = countMoves(shifted, reservation);
  assert.is(moves.moved, 1);
  assert.is(moves.added, 1);
  assert.is(moves.kept, made.subtasks.length - 1);
});

test('withinReservation caps capacity per window and restores the declared capacity after it', () => {
  const reservation = { format: 'apportion-reservation', version: 1, job: 'x', windowS: 100, pools: [{ pool: 'onprem', slots: [4, 0, 2] }], placement: {} } as const;
  const capped = withinReservation(pools, reservation);
  const onprem = capped.pools.find((p) => p.id === 'onprem')!;
  assert.equal(onprem.capacity, [{ atS: 0, slots: 4 }, { atS: 100, slots: 0 }, { atS: 200, slots: 2 }, { atS: 300, slots: 16 }]);
  const spot = capped.pools.find((p) => p.id === 'spot')!;
  assert.equal(spot.capacity, [{ atS: 0, slots: 0 }, { atS: 300, slots: 64 }]);
});

test('a plan within a reservation uses no more slots than reserved inside it', () => {
  const reservation = reservationFromPlan(plan(), { windowS: 60 });
  const tight = { ...reservation, pools: reservation.pools.map((p) => ({ ...p, slots: p.slots.map((s) => Math.max(1, Math.floor(s / 2))) })) };
  const within = plan(definition, withinReservation(pools, tight));
  for (const entry of tight.pools) {
    entry.slots.forEach((slots, w) => {
      for (let k = 0; k < 6; k++) assert.ok(runningAt(within, entry.pool, w * 60 + k * 10) <= slots);
    });
  }
});

test('defaultWindowS rounds makespan/20 to 1, 2 or 5 × 10^k', () => {
  assert.is(defaultWindowS(3600), 200);
  assert.is(defaultWindowS(100), 5);
  assert.is(defaultWindowS(10), 1);
  assert.is(defaultWindowS(21000), 2000);
});

test('readReservation: round trip, and bad fields named by path', () => {
  const reservation = reservationFromPlan(plan(), { quantile: 0.9 });
  assert.equal(readReservation(JSON.parse(JSON.stringify(reservation)), 'r.json', pools), reservation);
  try {
    readReservation({ ...reservation, pools: [{ pool: 'spott', slots: [1, -2] }] }, 'r.json', pools);
    assert.unreachable('accepted a bad reservation');
  } catch (error) {
    assert.instance(error, InputError);
    const paths = (error as InputError).issues.map((issue) => issue.path.join('.'));
    assert.ok(paths.includes('pools.0.pool'), paths.join(', '));
    assert.ok(paths.includes('pools.0.slots.1'), paths.join(', '));
    assert.match((error as InputError).issues[0]!.message, /spot/);
  }
  assert.throws(() => readReservation({ format: 'something-else' }, 'r.json', pools), (e: unknown) => e instanceof InputError && /not an apportion reservation/.test(e.issues[0]!.message));
});

test('a plan replays unchanged within its own reservation (slot indices, not only concurrency)', () => {
  const trace = importWfFormat(JSON.parse(readFileSync(join(WFINSTANCES, 'pegasus/montage/montage-chameleon-dss-10d-001.json'), 'utf8')));
  const outcome = planConstructive(assembleProblem(trace, pools));
  for (const slackWindows of [0, 1]) {
    const reservation = reservationFromPlan(outcome.plan, { slackWindows });
    const within = assembleProblem(trace, withinReservation(pools, reservation));
    const { graph, allocation, order } = outcome.scored;
    const replayed = evaluateCandidate(within, { graph: buildSubtaskGraph(within, graph.partition), allocation, order, variant: 'replay' });
    assert.ok(Math.abs(replayed.terms.makespanS - outcome.plan.summary.makespanS) < 1e-6, `slack ${slackWindows}: ${replayed.terms.makespanS} vs ${outcome.plan.summary.makespanS}`);
  }
});

test('withinReservation keeps declared capacity changes inside a window (pointwise minimum)', () => {
  const dropping = validateResourceMap({ pools: [{ id: 'p', region: 'r', slots: 4, capacity: [{ atS: 150, slots: 1 }] }] });
  const reservation = { format: 'apportion-reservation', version: 1, job: 'x', windowS: 100, pools: [{ pool: 'p', slots: [4, 3, 4] }], placement: {} } as const;
  assert.equal(withinReservation(dropping, reservation).pools[0]!.capacity, [{ atS: 0, slots: 4 }, { atS: 100, slots: 3 }, { atS: 150, slots: 1 }]);
});

test('a reservation made for another job is refused; a null placement is a field error', () => {
  const reservation = reservationFromPlan(plan());
  const other = validateTaskDefinition({ name: 'other', stages: [{ id: 'unrelated', runtimeS: 10 }] });
  assert.throws(() => checkReservationFits(reservation, other, 'r.json'), (e: unknown) => e instanceof InputError && /made for job "log-analytics": none of its 3 placed stages is in job "other"/.test(e.issues[0]!.message));
  checkReservationFits(reservation, definition, 'r.json'); // its own job: accepted
  assert.throws(() => readReservation({ ...reservation, placement: null }, 'r.json', pools), (e: unknown) => e instanceof InputError && e.issues[0]!.path.join('.') === 'placement');
});

test.run();
