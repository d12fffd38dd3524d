/**
 * The sim backend on its own: virtual time, slots and FIFO queues, hazards, availability
 * series, faults, cancels, determinism. Every test runs on the virtual clock; none waits.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { jobKey, type BackendEvent, type DispatchJob } from '../../src/dispatch/backend.js';
import { createSimBackend, lognormalDurations, planDurations, recordedDurations, replayDurations, type SimBackendOptions } from '../../src/dispatch/sim/index.js';
import { seededRandom } from '../../src/util/random.js';
import { finishedByKey, openSim, simJob } from './sim-helpers.js';

const test = suite('sim backend');

type Finished = Extract<BackendEvent, { type: 'finished' }>;
type Started = Extract<BackendEvent, { type: 'started' }>;

const startsOf = (events: readonly BackendEvent[]): Map<string, number> => new Map(events.filter((e): e is Started => e.type === 'started').map((e) => [e.key, e.atS]));

test('list scheduling on k slots: FIFO starts and the makespan in virtual time', async () => {
  const { backend, events } = await openSim([{ id: 'p', slots: 2 }]);
  const durations = [4, 3, 2, 5, 1];
  const jobs = durations.map((d, i) => simJob(`j${i}`, 'p', d));
  for (const job of jobs) backend.submit(job);
  assert.is(events.length, 0, 'nothing is delivered inside submit');
  assert.is(backend.nowS(), 0);
  await backend.idle();
  // Slot A: j0 0–4, j3 4–9. Slot B: j1 0–3, j2 3–5, j4 5–6.
  const starts = startsOf(events);
  assert.equal(jobs.map((job) => starts.get(jobKey(job))), [0, 0, 3, 4, 5]);
  const finished = finishedByKey(events);
  assert.equal(jobs.map((job) => finished.get(jobKey(job))!.result.finishedS), [4, 3, 5, 9, 6]);
  assert.ok([...finished.values()].every((e) => e.result.outcome === 'succeeded' && e.result.worker === 'sim:p'));
  assert.is(backend.nowS(), 9, 'the clock stopped at the last event: the makespan');
  await backend.close();
});

test('pools fill independently; a chain submitted from the listener starts when its parent ends', async () => {
  // 12 jobs of 10 s on 3 slots: 4 waves, makespan 40. On 'b', a chain of 5 × 7 s, each submitted on its parent's finish: 35.
  const chain = [0, 1, 2, 3, 4].map((i) => simJob(`c${i}`, 'b', 7));
  const { backend, events } = await openSim(
    [
      { id: 'a', slots: 3 },
      { id: 'b', slots: 4 },
    ],
    {},
    (event, sim) => {
      if (event.type !== 'finished') return;
      const index = chain.findIndex((job) => jobKey(job) === event.key);
      if (index >= 0 && index + 1 < chain.length) sim.submit(chain[index + 1]!);
    },
  );
  for (let i = 0; i < 12; i++) backend.submit(simJob(`a${i}`, 'a', 10));
  backend.submit(chain[0]!);
  await backend.idle();
  const finished = finishedByKey(events);
  const lastA = Math.max(...[...finished.values()].filter((e) => e.key.includes(':a')).map((e) => e.result.finishedS));
  assert.is(lastA, 40);
  const starts = startsOf(events);
  assert.equal(chain.map((job) => starts.get(jobKey(job))), [0, 7, 14, 21, 28]);
  assert.is(finished.get(jobKey(chain[4]!))!.result.finishedS, 35);
  let running = 0;
  let peak = 0;
  for (const event of events) {
    if (event.type === 'started' && event.key.includes(':a')) peak = Math.max(peak, ++running);
    if (event.type === 'finished' && event.key.includes(':a')) running--;
  }
  assert.is(peak, 3, 'pool a never ran more than its 3 slots');
  await backend.close();
});

test('durations: plan (expectedS, else the replay steps), replay, recorded with a fallback, lognormal around the plan', async () => {
  const random = seededRandom(3);
  const job = simJob('x', 'p', 10, { steps: [{ stage: 's', run: { kind: 'replay', durationS: 2 } }, { stage: 's', run: { kind: 'replay', durationS: 3 } }] });
  assert.is(planDurations(job, random), 10);
  assert.is(planDurations({ ...job, expectedS: Number.NaN }, random), 5, 'no usable expectedS: the replay steps');
  assert.is(planDurations({ ...job, expectedS: 0 }, random), 5);
  assert.is(planDurations({ ...job, expectedS: 0, steps: [] }, random), 0);
  assert.is(replayDurations(job, random), 5);
  assert.is(replayDurations({ ...job, steps: [] }, random), 10, 'no replay steps: the plan');
  const recorded = recordedDurations({ x: 42 });
  assert.is(recorded(job, random), 42);
  assert.is(recorded({ ...job, subtask: 'y' }, random), 10);
  assert.is(recordedDurations(new Map([['y', 1]]), () => 99)({ ...job, subtask: 'z' }, random), 99);
  // Lognormal with median 1: half the draws above the plan, half below; log-spread sigma.
  const spread = lognormalDurations(0.5);
  const draws = Array.from({ length: 4000 }, () => spread(job, random));
  const above = draws.filter((d) => d > 10).length;
  // Binomial(4000, 0.5): sd 31.6; 4 sd.
  assert.ok(Math.abs(above - 2000) < 127, `${above} of 4000 draws above the median`);
  const logs = draws.map((d) => Math.log(d / 10));
  const sd = Math.sqrt(logs.reduce((s, x) => s + x * x, 0) / logs.length);
  assert.ok(Math.abs(sd - 0.5) < 0.03, `log-spread ${sd}`);
  assert.throws(() => lognormalDurations(-1), /spreadSigma/);
  // The backend uses the function it is given.
  const { backend, events } = await openSim([{ id: 'p', slots: 1 }], { durations: recordedDurations({ a: 3 }, () => 1) });
  backend.submit(simJob('a', 'p', 100));
  backend.submit(simJob('b', 'p', 100));
  await backend.idle();
  assert.equal([...finishedByKey(events).values()].map((e) => e.result.finishedS), [3, 4]);
  await backend.close();
});

test('a duration that is not a finite number >= 0 fails the attempt, it does not break the loop', async () => {
  const { backend, events } = await openSim([{ id: 'p', slots: 1 }], { durations: (job) => (job.subtask === 'bad' ? Number.NaN : 1) });
  backend.submit(simJob('bad', 'p', 1));
  backend.submit(simJob('good', 'p', 1));
  await backend.idle();
  const finished = finishedByKey(events);
  assert.is(finished.get('r:bad:1')!.result.outcome, 'failed');
  assert.match(finished.get('r:bad:1')!.result.error!, 'not a finite number');
  assert.is(finished.get('r:good:1')!.result.outcome, 'succeeded');
  await backend.close();
});

test('timeoutS: an attempt longer than its timeout fails "timed out" at start + timeoutS', async () => {
  const { backend, events } = await openSim([{ id: 'p', slots: 1 }]);
  backend.submit(simJob('slow', 'p', 100, { timeoutS: 5 }));
  backend.submit(simJob('fast', 'p', 3, { timeoutS: 5 }));
  await backend.idle();
  const finished = finishedByKey(events);
  assert.equal(finished.get('r:slow:1')!.result, { outcome: 'failed', startedS: 0, finishedS: 5, error: 'timed out', worker: 'sim:p', files: false });
  assert.is(finished.get('r:fast:1')!.result.outcome, 'succeeded');
  assert.is(finished.get('r:fast:1')!.result.finishedS, 8);
  await backend.close();
});

test('cancel: a running attempt ends cancelled at the current virtual time; a queued one never starts; repeats and unknown keys are ignored', async () => {
  const long = simJob('long', 'p', 100);
  const queued = simJob('queued', 'p', 1);
  const ticker = simJob('tick', 'q', 30);
  const { backend, events } = await openSim(
    [
      { id: 'p', slots: 1 },
      { id: 'q', slots: 1 },
    ],
    {},
    (event, sim) => {
      // At t = 30 (the ticker's end), cancel both, twice.
      if (event.type === 'finished' && event.key === jobKey(ticker)) {
        sim.cancel(jobKey(queued), 'not needed');
        sim.cancel(jobKey(long), 'the user asked');
        sim.cancel(jobKey(long), 'again');
        sim.cancel('r:nothing:1', 'unknown');
      }
    },
  );
  backend.submit(long);
  backend.submit(queued);
  backend.submit(ticker);
  await backend.idle();
  const finished = finishedByKey(events);
  assert.equal(finished.get(jobKey(long))!.result, { outcome: 'cancelled', startedS: 0, finishedS: 30, error: 'the user asked', worker: 'sim:p', files: false });
  assert.equal(finished.get(jobKey(queued))!.result, { outcome: 'cancelled', startedS: 30, finishedS: 30, error: 'not needed', worker: 'sim:p', files: false });
  assert.not.ok(events.some((e) => e.type === 'started' && e.key === jobKey(queued)));
  assert.is(events.filter((e) => 'key' in e && e.key === jobKey(long)).length, 2, 'started, then one finished');
  assert.is(backend.nowS(), 30, 'the cancelled attempt\'s end never happened');
  await backend.close();
});

test('submitting a key again is a no-op (queued, running, ended); another attempt is another key', async () => {
  const job = simJob('once', 'p', 2);
  const { backend, events } = await openSim([{ id: 'p', slots: 1 }], {}, (event, sim) => {
    if ('key' in event && event.key === jobKey(job)) sim.submit({ ...job });
  });
  backend.submit(simJob('blocker', 'p', 5));
  backend.submit(job);
  backend.submit({ ...job });
  await backend.idle();
  backend.submit({ ...job });
  await backend.idle();
  assert.is(events.filter((e) => 'key' in e && e.key === jobKey(job)).length, 2);
  backend.submit({ ...job, attempt: 2 });
  await backend.idle();
  assert.is(finishedByKey(events).get('r:once:2')!.result.outcome, 'succeeded');
  await backend.close();
});

test('an unknown pool fails the attempt with the pools it knows', async () => {
  const { backend, events } = await openSim([{ id: 'p', slots: 1 }]);
  backend.submit(simJob('lost', 'nowhere', 1));
  await backend.idle();
  const result = finishedByKey(events).get('r:lost:1')!.result;
  assert.is(result.outcome, 'failed');
  assert.match(result.error!, 'unknown pool "nowhere"');
  assert.match(result.error!, '"p"');
  await backend.close();
});

test('fault schedule: failed and interrupted after afterS; a fault after the attempt ends never fires; the retry succeeds', async () => {
  const { backend, events } = await openSim(
    [{ id: 'p', slots: 4 }],
    {
      faults: (job) => {
        if (job.attempt > 1) return undefined;
        if (job.subtask === 'f') return { outcome: 'failed', afterS: 2, error: 'disk full' };
        if (job.subtask === 'i') return { outcome: 'interrupted', afterS: 3 };
        if (job.subtask === 'late') return { outcome: 'failed', afterS: 50 };
        return undefined;
      },
    },
    (event, sim) => {
      if (event.type === 'finished' && event.result.outcome !== 'succeeded') {
        const [, subtask, attempt] = event.key.split(':');
        sim.submit(simJob(subtask!, 'p', 10, { attempt: Number(attempt) + 1 }));
      }
    },
  );
  for (const name of ['f', 'i', 'late', 'ok']) backend.submit(simJob(name, 'p', 10));
  await backend.idle();
  const finished = finishedByKey(events);
  assert.equal(finished.get('r:f:1')!.result, { outcome: 'failed', startedS: 0, finishedS: 2, error: 'disk full', worker: 'sim:p', files: false });
  assert.is(finished.get('r:i:1')!.result.outcome, 'interrupted');
  assert.is(finished.get('r:i:1')!.result.finishedS, 3);
  assert.is(finished.get('r:late:1')!.result.outcome, 'succeeded');
  assert.is(finished.get('r:f:2')!.result.outcome, 'succeeded');
  assert.is(finished.get('r:f:2')!.result.finishedS, 12);
  assert.is(finished.get('r:i:2')!.result.finishedS, 13);
  assert.is(backend.stats().finished.failed, 1);
  assert.is(backend.stats().hazardInterruptions, 0, 'a scripted interruption is not a hazard one');
  await backend.close();
});

/** Runs `count` one-hour attempts on a hazardous pool; returns interruptions, attempts and exposure. */
async function hazardRun(seed: number, perHour: number, count: number): Promise<{ interrupted: number; exposureH: number; meanToInterruptH: number }> {
  const { backend, events } = await openSim([{ id: 'p', slots: 50 }], { seed, pools: [{ id: 'p', interruptionPerHour: perHour }] });
  for (let i = 0; i < count; i++) backend.submit(simJob(`h${i}`, 'p', 3600));
  await backend.idle();
  await backend.close();
  let interrupted = 0;
  let exposureS = 0;
  let toInterruptS = 0;
  for (const event of events) {
    if (event.type !== 'finished') continue;
    const ranS = event.result.finishedS - event.result.startedS;
    exposureS += ranS;
    if (event.result.outcome === 'interrupted') {
      interrupted++;
      toInterruptS += ranS;
      assert.is(event.result.error, 'interrupted (pool hazard)');
    } else assert.ok(Math.abs(ranS - 3600) < 1e-6, `ran ${ranS} s`);
  }
  return { interrupted, exposureH: exposureS / 3600, meanToInterruptH: toInterruptS / interrupted / 3600 };
}

test('hazard: interruptions arrive at the pool rate (binomial count and Poisson rate, within 4 sd of the run size)', async () => {
  const perHour = 0.25;
  const count = 4000;
  for (const seed of [1, 2, 3]) {
    const { interrupted, exposureH, meanToInterruptH } = await hazardRun(seed, perHour, count);
    // P(an exponential(λ) time to interruption < 1 h) = 1 − e^−λ; the count is binomial.
    const p = 1 - Math.exp(-perHour);
    const mean = count * p;
    const sd = Math.sqrt(count * p * (1 - p));
    assert.ok(Math.abs(interrupted - mean) <= 4 * sd, `seed ${seed}: ${interrupted} interruptions, expected ${mean.toFixed(0)} ± ${(4 * sd).toFixed(0)}`);
    // Interruptions per exposed slot-hour estimate λ; the sd of the estimate is √N / exposure.
    const rate = interrupted / exposureH;
    const rateSd = Math.sqrt(interrupted) / exposureH;
    assert.ok(Math.abs(rate - perHour) <= 4 * rateSd, `seed ${seed}: rate ${rate.toFixed(4)}/h, expected ${perHour} ± ${(4 * rateSd).toFixed(4)}`);
    // Given an interruption within the hour, its time is a truncated exponential: mean 1/λ − e^−λ/(1 − e^−λ) h.
    const truncatedMeanH = 1 / perHour - Math.exp(-perHour) / p;
    const truncatedSdH = 0.2887; // at most the sd of a uniform on [0, 1 h]
    assert.ok(Math.abs(meanToInterruptH - truncatedMeanH) <= (4 * truncatedSdH) / Math.sqrt(interrupted), `seed ${seed}: mean time to interruption ${meanToInterruptH.toFixed(3)} h, expected ${truncatedMeanH.toFixed(3)}`);
  }
  const none = await hazardRun(1, 0, 200);
  assert.is(none.interrupted, 0, 'no hazard, no interruption');
});

test('hazard with slotDownS: the slot is gone and comes back (capacity before the finished it causes); queued work waits for it', async () => {
  // One slot, a hazard so high the first attempt is interrupted almost at once.
  const { backend, events } = await openSim([{ id: 'p', slots: 1 }], { seed: 5, pools: [{ id: 'p', interruptionPerHour: 3600 * 1000, slotDownS: 60 }], faults: () => undefined });
  backend.submit(simJob('a', 'p', 10));
  backend.submit(simJob('b', 'p', 10));
  // Stop after the first interruption: nothing else can run without being interrupted.
  await new Promise<void>((resolve) => setImmediate(resolve));
  const firstFinished = events.findIndex((e) => e.type === 'finished');
  const capacityLost = events.findIndex((e) => e.type === 'capacity' && e.slots === 0);
  assert.ok(capacityLost >= 0 && capacityLost < firstFinished, JSON.stringify(events.slice(0, 5)));
  const lost = events[capacityLost] as Extract<BackendEvent, { type: 'capacity' }>;
  const interruptedAtS = (events[firstFinished] as Finished).result.finishedS;
  assert.is(lost.atS, interruptedAtS);
  assert.is((events[firstFinished] as Finished).result.outcome, 'interrupted');
  const back = events.find((e): e is Extract<BackendEvent, { type: 'capacity' }> => e.type === 'capacity' && e.slots === 1);
  assert.ok(back !== undefined, 'the slot came back');
  assert.is(back.atS, interruptedAtS + 60);
  const bStart = startsOf(events).get('r:b:1');
  assert.is(bStart, interruptedAtS + 60, 'the queued attempt started when the slot came back');
  await backend.close();
});

test('availability drop: the newest attempts are interrupted, capacity first; a rise starts queued work', async () => {
  // Pool p (4 slots) gets one 100 s attempt per second from t = 0 to 3 (a 1 s ticker on pool
  // q paces the submissions); a fifth is queued at t = 4. Availability: 2 from t = 10, 4 from t = 20.
  const { backend, events } = await openSim(
    [
      { id: 'p', slots: 4 },
      { id: 'clock', slots: 1 },
    ],
    { availability: new Map([['p', [{ timeS: 10, available: 2 }, { timeS: 20, available: 4 }]]]) },
    (event, sim) => {
      if (event.type !== 'finished' || !event.key.startsWith('r:tick')) return;
      const i = Number(event.key.split(':')[1]!.slice(4)) + 1;
      sim.submit(simJob(`w${i}`, 'p', 100));
      if (i < 4) sim.submit(simJob(`tick${i}`, 'clock', 1));
    },
  );
  backend.submit(simJob('w0', 'p', 100));
  backend.submit(simJob('tick0', 'clock', 1));
  await backend.idle();
  const starts = startsOf(events);
  assert.equal(['w0', 'w1', 'w2', 'w3'].map((w) => starts.get(`r:${w}:1`)), [0, 1, 2, 3]);
  const at10 = events.filter((e) => (e.type === 'capacity' && e.atS === 10) || (e.type === 'finished' && e.result.finishedS === 10));
  assert.equal(
    at10.map((e) => (e.type === 'capacity' ? `capacity ${e.slots}` : `${(e as Finished).key} ${(e as Finished).result.outcome} ${(e as Finished).result.error}`)),
    ['capacity 2', 'r:w3:1 interrupted pool capacity dropped', 'r:w2:1 interrupted pool capacity dropped'],
  );
  const finished = finishedByKey(events);
  assert.is(finished.get('r:w0:1')!.result.outcome, 'succeeded');
  assert.is(finished.get('r:w1:1')!.result.outcome, 'succeeded');
  assert.is(starts.get('r:w4:1'), 20, 'the queued attempt started when capacity rose');
  const rise = events.find((e) => e.type === 'capacity' && e.atS === 20);
  assert.equal(rise, { type: 'capacity', pool: 'p', atS: 20, slots: 4, reason: 'availability series' });
  assert.ok(events.indexOf(rise!) < events.findIndex((e) => e.type === 'started' && e.key === 'r:w4:1'));
  await backend.close();
});

test('availability at 0 below the dispatcher\'s slots is reported before the first start; a model pool\'s capacity steps are a series', async () => {
  const { backend, events } = await openSim([{ id: 'p', slots: 3 }], { availability: new Map([['p', [{ timeS: 0, available: 1 }]]]) });
  for (let i = 0; i < 3; i++) backend.submit(simJob(`j${i}`, 'p', 5));
  await backend.idle();
  assert.equal(events[0], { type: 'capacity', pool: 'p', atS: 0, slots: 1, reason: 'availability series' });
  assert.is(backend.nowS(), 15, 'one slot: 3 × 5 s');
  await backend.close();

  const stepped = await openSim([{ id: 'p', slots: 4 }], { pools: [{ id: 'p', capacity: [{ atS: 0, slots: 2 }, { atS: 10, slots: 8 }] }] });
  for (let i = 0; i < 6; i++) stepped.backend.submit(simJob(`j${i}`, 'p', 4));
  await stepped.backend.idle();
  // 2 slots until 10 (j0..j3 by 8, j4 j5 8–12), then min(8, the dispatcher's 4).
  assert.equal(stepped.events.filter((e) => e.type === 'capacity').map((e) => (e as { slots: number }).slots), [2, 4]);
  assert.is(stepped.backend.nowS(), 12);
  await stepped.backend.close();
});

test('nextCapacityChangeS: the next availability step or returning slot of a pool, undefined when none is left', async () => {
  const seen: string[] = [];
  const { backend } = await openSim(
    [
      { id: 'p', slots: 2 },
      { id: 'q', slots: 1 },
    ],
    {
      availability: new Map([['p', [{ timeS: 100, available: 0 }, { timeS: 600, available: 2 }]]]),
      pools: [{ id: 'q', slotDownS: 50 }],
      faults: (job) => (job.pool === 'q' && job.attempt === 1 ? { outcome: 'interrupted', afterS: 10 } : undefined),
    },
    (event, sim) => {
      if (event.type === 'capacity') seen.push(`${event.pool} ${event.slots} @${event.atS}: next p ${sim.nextCapacityChangeS('p')}, q ${sim.nextCapacityChangeS('q')}`);
    },
  );
  assert.is(backend.nextCapacityChangeS('p'), 100);
  assert.is(backend.nextCapacityChangeS('q'), undefined);
  assert.is(backend.nextCapacityChangeS('nowhere'), undefined);
  backend.submit(simJob('w', 'p', 30));
  backend.submit(simJob('x', 'q', 30));
  await backend.idle();
  // Scripted interruptions do not take the slot (only hazard ones do): q never changes here.
  assert.equal(seen, ['p 0 @100: next p 600, q undefined', 'p 2 @600: next p undefined, q undefined']);
  await backend.close();

  const lossy = await openSim([{ id: 'q', slots: 1 }], { seed: 2, pools: [{ id: 'q', interruptionPerHour: 3600 * 1000, slotDownS: 50 }] }, (event, sim) => {
    if (event.type === 'capacity' && event.slots === 0) seen.push(`lost @${event.atS}: back at ${sim.nextCapacityChangeS('q')}`);
  });
  lossy.backend.submit(simJob('y', 'q', 30));
  await new Promise<void>((resolve) => setImmediate(resolve));
  const line = seen.find((l) => l.startsWith('lost'))!;
  const [, lostAtS, backAtS] = /lost @(.+): back at (.+)/.exec(line)!;
  assert.is(Number(backAtS), Number(lostAtS) + 50);
  await lossy.backend.close();
});

test('a bad availability series is refused at open', async () => {
  const backend = createSimBackend({ availability: new Map([['p', [{ timeS: 5, available: 1 }, { timeS: 5, available: 2 }]]]) });
  try {
    await backend.open([{ id: 'p', slots: 1 }], () => {});
    assert.unreachable('open should refuse');
  } catch (error) {
    assert.match(String(error), 'strictly increasing');
  }
});

test('close() cancels what runs and what waits, drops the remaining availability steps, and goes quiet', async () => {
  const { backend, events } = await openSim([{ id: 'p', slots: 1 }], { availability: new Map([['p', [{ timeS: 1e6, available: 0 }]]]) }, (event, sim) => {
    if (event.type === 'started') void sim.close();
  });
  backend.submit(simJob('run', 'p', 100));
  backend.submit(simJob('wait', 'p', 100));
  await backend.idle(); // the listener closes it on the first start
  await backend.close();
  assert.equal(
    events.map((e) => (e.type === 'finished' ? `${e.key} ${e.result.outcome}` : e.type)),
    ['started', 'r:run:1 cancelled', 'r:wait:1 cancelled'],
  );
  assert.is(backend.nowS(), 0, 'the availability step at 1e6 s was dropped, not waited for');
  backend.submit(simJob('after', 'p', 1));
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.is(events.length, 3, 'nothing after close');

  // Closed before its loop ran: what was submitted ends cancelled without starting.
  const early = await openSim([{ id: 'p', slots: 1 }]);
  early.backend.submit(simJob('x', 'p', 1));
  await early.backend.close();
  assert.equal(early.events.map((e) => e.type === 'finished' && e.result.outcome), ['cancelled']);
});

test('when nothing runs, availability steps are still delivered (a dispatcher may be waiting for slots)', async () => {
  const { backend, events } = await openSim([{ id: 'p', slots: 2 }], { availability: new Map([['p', [{ timeS: 0, available: 0 }, { timeS: 500, available: 2 }]]]) }, (event, sim) => {
    // A dispatcher that holds its work until the pool has slots.
    if (event.type === 'capacity' && event.slots > 0) sim.submit(simJob('held', 'p', 5));
  });
  await backend.idle();
  assert.equal(finishedByKey(events).get('r:held:1')!.result, { outcome: 'succeeded', startedS: 500, finishedS: 505, worker: 'sim:p', files: false });
  await backend.close();
});

test('a listener that throws rejects idle() instead of being swallowed', async () => {
  const { backend } = await openSim([{ id: 'p', slots: 1 }], {}, (event) => {
    if (event.type === 'finished') throw new Error('dispatcher bug');
  });
  backend.submit(simJob('x', 'p', 1));
  try {
    await backend.idle();
    assert.unreachable('idle should reject');
  } catch (error) {
    assert.match(String(error), 'dispatcher bug');
  }
});

/** A run with everything random switched on; returns its event log as text. */
async function busyRun(seed: number): Promise<string[]> {
  const options: SimBackendOptions = {
    seed,
    durations: lognormalDurations(0.4),
    pools: [
      { id: 'a', interruptionPerHour: 2, slotDownS: 30 },
      { id: 'b', interruptionPerHour: 0.5 },
    ],
    availability: new Map([['b', [{ timeS: 200, available: 1 }, { timeS: 900, available: 3 }]]]),
    faults: (job) => (job.subtask.endsWith('7') && job.attempt === 1 ? { outcome: 'failed', afterS: 10 } : undefined),
  };
  const { backend, events } = await openSim(
    [
      { id: 'a', slots: 3 },
      { id: 'b', slots: 3 },
    ],
    options,
    (event, sim) => {
      if (event.type === 'finished' && event.result.outcome !== 'succeeded' && event.result.outcome !== 'cancelled') {
        const [, subtask, attempt] = event.key.split(':');
        sim.submit(simJob(subtask!, subtask!.startsWith('a') ? 'a' : 'b', 120, { attempt: Number(attempt) + 1 }));
      }
    },
  );
  for (let i = 0; i < 60; i++) backend.submit(simJob(`${i % 2 === 0 ? 'a' : 'b'}${i}`, i % 2 === 0 ? 'a' : 'b', 120));
  await backend.idle();
  await backend.close();
  return events.map((event) => JSON.stringify(event));
}

test('determinism: the same seed gives the same events in the same order at the same times; another seed does not', async () => {
  const first = await busyRun(11);
  const second = await busyRun(11);
  assert.ok(first.length > 120, `${first.length} events`);
  assert.ok(first.some((e) => e.includes('"interrupted"')), 'the run had interruptions');
  assert.ok(first.some((e) => e.includes('"capacity"')), 'and capacity changes');
  assert.equal(first, second);
  assert.not.equal(await busyRun(12), first);
});

test('20,000 jobs fed as slots free (the dispatcher\'s pattern) all succeed, with re-submitted interruptions', async () => {
  const pools = [
    { id: 'a', slots: 16 },
    { id: 'b', slots: 8 },
  ];
  const waiting: DispatchJob[] = [];
  for (let i = 0; i < 20_000; i++) waiting.push(simJob(`t${i}`, i % 3 === 0 ? 'b' : 'a', 30 + (i % 17)));
  let next = 0;
  let succeeded = 0;
  let interrupted = 0;
  const { backend } = await openSim(pools, { pools: [{ id: 'a', interruptionPerHour: 0.5, slotDownS: 10 }, { id: 'b', interruptionPerHour: 0.5 }] }, (event, sim) => {
    if (event.type !== 'finished') return;
    if (event.result.outcome === 'interrupted') {
      interrupted++;
      const [, subtask, attempt] = event.key.split(':');
      const index = Number(subtask!.slice(1));
      sim.submit({ ...waiting[index]!, attempt: Number(attempt) + 1 });
    } else if (event.result.outcome === 'succeeded') {
      succeeded++;
      if (next < waiting.length) sim.submit(waiting[next++]!);
    }
  });
  while (next < 24) backend.submit(waiting[next++]!);
  await backend.idle();
  assert.is(succeeded, 20_000);
  assert.ok(interrupted > 0, 'some were interrupted');
  const stats = backend.stats();
  assert.is(stats.running + stats.queued, 0);
  assert.is(stats.finished.interrupted, interrupted);
  await backend.close();
});

test.run();
