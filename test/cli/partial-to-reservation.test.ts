/**
 * The path the README shows: record history, fit a profile, plan a partial definition at P90
 * with a reservation, then plan the completed definition within it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Plan } from '../../src/plan/plan.js';
import { countMoves, readReservation, type Reservation } from '../../src/plan/reservation.js';
import { validateResourceMap } from '../../src/model/validate-pools.js';
import { openHistory } from '../../src/history/store.js';
import { wfformatRecords } from '../../src/history/wfformat-records.js';
import { baselines, evaluatePoint, evaluateProfile } from '../../src/profile/evaluate.js';
import { fitProfile } from '../../src/profile/fit.js';
import { runCli } from '../helpers/cli.js';
import { readJson, REPO_ROOT, WFINSTANCES } from '../helpers/problems.js';

const test = suite('cli: history → profile → partial plan → reservation → completed plan');
const scratch = mkdtempSync(join(tmpdir(), 'apportion-reserve-'));
const history = join(scratch, 'history.sqlite');
const profile = join(scratch, 'profile.json');
const reservationPath = join(scratch, 'reservation.json');
const POOLS = join(REPO_ROOT, 'examples/pools/hetero.json');
const PARTIAL = join(REPO_ROOT, 'examples/genome/partial.json');
const COMPLETE = join(REPO_ROOT, 'examples/genome/complete.json');
const TRACES = ['1000genome-chameleon-2ch-100k-001.json', '1000genome-chameleon-8ch-100k-001.json'].map((f) => join(WFINSTANCES, 'pegasus/1000genome', f));

test.after(() => rmSync(scratch, { recursive: true, force: true }));

test('history import and profile fit write a profile of every op', async () => {
  const imported = await runCli(['history', 'import', ...TRACES, '--history', history]);
  assert.is(imported.code, 0, imported.stderr);
  const fitted = await runCli(['profile', 'fit', '--history', history, '-o', profile]);
  assert.is(fitted.code, 0, fitted.stderr);
  assert.match(fitted.stderr, /fitted 260 records, 5 op\(s\)/);
  const ops = Object.keys((JSON.parse(readFileSync(profile, 'utf8')) as { ops: object }).ops).sort();
  assert.equal(ops, ['frequency', 'individuals', 'individuals_merge', 'mutation_overlap', 'sifting']);
  const shown = await runCli(['profile', 'show', '--profile', profile]);
  assert.is(shown.code, 0, shown.stderr);
  for (const op of ops) assert.match(shown.stdout, new RegExp(`^${op}\\s+\\d+`, 'm'));
});

test('the partial definition plans at P90 with provisional stages and writes a reservation', async () => {
  const run = await runCli(['plan', PARTIAL, '--pools', POOLS, '--profile', profile, '--risk', 'p90', '--reservation-out', reservationPath]);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /sifting-2: no size for op "sifting"'s scaling law: the op's prior at p90/);
  assert.match(run.stdout, /plot: no history for op "plot": the global prior at p90/);
  assert.match(run.stdout, /^reservation: slots per pool in \d+ window\(s\) of/m);
  assert.match(run.stdout, /^risk       makespan P10 .+ · P50 .+ · P90 .+ under the history's spread \(200 draws, this placement\); deadline met in \d+ %$/m);
  const reservation = readReservation(JSON.parse(readFileSync(reservationPath, 'utf8')), reservationPath, validateResourceMap(readJson('examples/pools/hetero.json')));
  assert.is(reservation.quantile, 0.9);
  assert.is(Object.keys(reservation.placement).length, 17);
});

test('--explain with a profile lists each stage\'s estimate, provisional ones first', async () => {
  const run = await runCli(['plan', PARTIAL, '--pools', POOLS, '--profile', profile, '--risk', 'p90', '--explain']);
  assert.is(run.code, 0, run.stderr);
  const section = run.stdout.slice(run.stdout.indexOf('estimates (whole stage at speed 1; planned at p90 of the history):'));
  assert.ok(section.length > 0 && section.startsWith('estimates'), 'the estimates section is printed');
  const rows = section.split('\n').slice(2).filter((line) => line.trim() !== '');
  assert.is(rows.length, 17);
  assert.match(rows[0]!, /^\s+(plot|sifting-2)\s/);
  assert.match(rows[1]!, /^\s+(plot|sifting-2)\s/);
  assert.match(section, /plot\s+plot\s+global \(prior\)/);
});

test('the completed definition plans within the reservation, keeps the placement and says how much moved', async () => {
  const run = await runCli(['plan', COMPLETE, '--pools', POOLS, '--profile', profile, '--risk', 'p90', '--reservation', reservationPath, '--format', 'json']);
  assert.is(run.code, 0, run.stderr);
  const plan = JSON.parse(run.stdout) as Plan;
  const risk = plan.risk!;
  assert.ok(risk.samples === 200 && risk.makespanS.p10 <= risk.makespanS.p50 && risk.makespanS.p50 <= risk.makespanS.p90, JSON.stringify(risk));
  const reservation = JSON.parse(readFileSync(reservationPath, 'utf8')) as Reservation;
  const moves = countMoves(plan, reservation);
  assert.match(run.stderr, new RegExp(`${moves.moved} sub-task\\(s\\) moved, ${moves.kept} kept, ${moves.added} new`));
  assert.is(moves.kept + moves.moved + moves.added, plan.subtasks.length);
  assert.is(moves.moved, 0, 'nothing had to move: the completed job fits its reservation');
  // Inside the reservation no pool runs more sub-tasks at once than reserved.
  for (const entry of reservation.pools) {
    entry.slots.forEach((slots, w) => {
      for (const s of plan.subtasks) {
        if (s.pool !== entry.pool || s.startS < w * reservation.windowS || s.startS >= (w + 1) * reservation.windowS) continue;
        const running = plan.subtasks.filter((o) => o.pool === entry.pool && o.startS <= s.startS && s.startS < o.finishS).length;
        assert.ok(running <= slots, `${entry.pool} at ${s.startS}s: ${running} running, ${slots} reserved`);
      }
    });
  }
  // Pools with no reservation get no work while it lasts.
  const reservedPools = new Set(reservation.pools.map((p) => p.pool));
  const endS = Math.max(...reservation.pools.map((p) => p.slots.length)) * reservation.windowS;
  for (const s of plan.subtasks) if (!reservedPools.has(s.pool)) assert.ok(s.startS >= endS, `${s.id} on unreserved ${s.pool}`);
});

test('--risk p90 plans on longer runtimes than p50, and --history fits on the fly', async () => {
  const totalRuntimeS = async (risk: string): Promise<number> => {
    const run = await runCli(['plan', COMPLETE, '--pools', POOLS, '--history', history, '--risk', risk, '--format', 'json']);
    assert.is(run.code, 0, run.stderr);
    const plan = JSON.parse(run.stdout) as Plan;
    return plan.subtasks.reduce((sum, s) => sum + s.runtimeS, 0);
  };
  assert.ok((await totalRuntimeS('p90')) > (await totalRuntimeS('0.5')));
});

test('bad uses: --risk without a profile, an out-of-range quantile, a missing history, a broken reservation', async () => {
  const noProfile = await runCli(['plan', COMPLETE, '--pools', POOLS, '--risk', 'p90']);
  assert.is(noProfile.code, 2);
  assert.match(noProfile.stderr, /--risk needs runtimes with a spread: give --profile FILE or --history FILE/);
  const badRisk = await runCli(['plan', COMPLETE, '--pools', POOLS, '--profile', profile, '--risk', 'p100']);
  assert.is(badRisk.code, 2);
  assert.match(badRisk.stderr, /--risk: expected p50, p90/);
  const missing = join(scratch, 'nothing-here.sqlite');
  const noHistory = await runCli(['plan', COMPLETE, '--pools', POOLS, '--history', missing]);
  assert.is(noHistory.code, 2);
  assert.not.ok(existsSync(missing), 'planning never creates a history store');
  const both = await runCli(['plan', COMPLETE, '--pools', POOLS, '--profile', profile, '--history', history]);
  assert.is(both.code, 2);
  assert.match(both.stderr, /give --profile FILE or --history FILE, not both/);
  const broken = await runCli(['plan', COMPLETE, '--pools', POOLS, '--reservation', PARTIAL]);
  assert.is(broken.code, 2);
  assert.match(broken.stderr, /not an apportion reservation/);
  assert.not.match(broken.stderr, /\n\s+at /, 'no stack trace');
  const unwritable = await runCli(['plan', COMPLETE, '--pools', POOLS, '--reservation-out', join(scratch, 'no-such-folder', 'r.json')]);
  assert.is(unwritable.code, 2);
  assert.match(unwritable.stderr, /cannot write .*r\.json: its folder does not exist/);
});

test('an empty history: profile fit writes nothing (exit 2); plan keeps the definition\'s estimates and says so', async () => {
  const emptyHistory = join(scratch, 'empty.sqlite');
  openHistory(emptyHistory).close();
  const out = join(scratch, 'empty-profile.json');
  const fitted = await runCli(['profile', 'fit', '--history', emptyHistory, '-o', out]);
  assert.is(fitted.code, 2);
  assert.match(fitted.stderr, /holds no succeeded runs: nothing to fit, no profile written/);
  assert.not.ok(existsSync(out));
  const planned = await runCli(['plan', COMPLETE, '--pools', POOLS, '--history', emptyHistory, '--format', 'json']);
  assert.is(planned.code, 0, planned.stderr);
  const plan = JSON.parse(planned.stdout) as Plan;
  assert.ok(plan.assumptions.some((a) => /the history holds no runs/.test(a)), plan.assumptions.join('\n'));
  assert.ok(plan.summary.makespanS > 60, `definition fallbacks (60 s a stage), not 1 ms floors: ${plan.summary.makespanS}`);
});

test('profile eval scores held-out runs against the baselines', async () => {
  const heldOut = join(WFINSTANCES, 'pegasus/srasearch/srasearch-chameleon-10a-004.json');
  const train = join(scratch, 'sra.sqlite');
  const imported = await runCli(['history', 'import', ...[1, 2, 3].map((k) => join(WFINSTANCES, `pegasus/srasearch/srasearch-chameleon-10a-00${k}.json`)), '--history', train]);
  assert.is(imported.code, 0, imported.stderr);
  const run = await runCli(['profile', 'eval', heldOut, '--history', train]);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /^22 held-out runs/);
  assert.match(run.stdout, /running mean\s+last value/);
  // The printed "all" row is what the library computes from the same store and traces.
  const store = openHistory(train, { readonly: true });
  const trainRecords = [...store.records()];
  store.close();
  const testRecords = wfformatRecords(JSON.parse(readFileSync(heldOut, 'utf8')), heldOut);
  const evaluation = evaluateProfile(fitProfile(trainRecords), testRecords);
  const base = baselines(trainRecords);
  const expected = [evaluation.overall.mdape, evaluatePoint(base.runningMean, testRecords).mdape, evaluatePoint(base.lastValue, testRecords).mdape, ...evaluation.overall.coverage];
  const all = run.stdout.split('\n').find((line) => line.startsWith('all'))!;
  const printed = [...all.matchAll(/([\d.]+) %/g)].map((m) => Number(m[1]));
  assert.equal(printed, expected.map((x) => Number((x * 100).toFixed(1))), all);
  assert.ok(evaluation.overall.mdape < evaluatePoint(base.runningMean, testRecords).mdape, 'the profiler beats the running mean on srasearch 10a run 004');
  const inSample = await runCli(['profile', 'eval', join(WFINSTANCES, 'pegasus/srasearch/srasearch-chameleon-10a-001.json'), '--history', train]);
  assert.match(inSample.stderr, /1 job\(s\) of these traces are already in the history .*: their scores are in-sample/);
});

test.run();
