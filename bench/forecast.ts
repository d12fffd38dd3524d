/**
 * bench:forecast (issue 10): the Resource Predictor measured end to end, in one run.
 *
 *   1. accuracy: every model on the Alibaba columns, the NAB AWS series and synthetic series,
 *      rolling origin, MASE / relMae / P10–P90 coverage at 1 h, 6 h, 24 h; fit and forecast time
 *      (bench/forecast-accuracy.ts, its own report bench/results/forecast-accuracy.md);
 *   2. hazard: synthetic interruptions with a known hour-of-week rate, held-out log-likelihood
 *      against the constant rate, recovery error, fallback with few events (bench/forecast-hazard.ts);
 *   3. planning with a map against without, 1k × 16, interleaved (bench/forecast-plan.ts);
 *   4. end to end: plans with the map against plans on declared capacity, replayed on the
 *      realised availability over many start times (bench/forecast-e2e.ts).
 * Writes bench/results/forecast.md and prints it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, RESULTS_DIR, describeMachine, markdownTable, progress, reportHeader, writeResult } from './common.js';
import { endToEnd } from './forecast-e2e.js';
import { planningWithMap } from './forecast-plan.js';

function child(script: string, args: readonly string[] = []): string {
  progress(`… ${script}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench', script), ...args], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`${script} exited with ${run.status}`);
  return run.stdout;
}

const lines = reportHeader('bench:forecast — the Resource Predictor', 'npm run bench:forecast', new Date().toISOString(), describeMachine());
child('forecast-accuracy.ts');
lines.push('', '## 1. Accuracy (rolling origin over the last third; see forecast-accuracy.md for every series)', '', readFileSync(join(RESULTS_DIR, 'forecast-accuracy.md'), 'utf8').replace(/^# .*\n/, '').replace(/^- (command|date|machine):.*\n/gm, ''));
lines.push('', '## 2. Interruption hazard (synthetic events with a known hour-of-week rate)', '', child('forecast-hazard.ts'));
progress('… planning with a map against without (1k × 16)');
const planRows = await planningWithMap();
lines.push('', '## 3. Planning with a map against without (1,000 tasks × 16 pools, 168 hourly buckets per pool, interleaved)', '', ...markdownTable(['constructive', 'declared (ms, p50)', 'with map (ms, p50)', 'ratio (target ≤ 1.5)', 'segments'], planRows.map((r) => [r.variants, r.withoutMs.toFixed(2), r.withMs.toFixed(2), r.ratio.toFixed(2), String(r.segments)]), new Set([1, 2, 3, 4])));
progress('… end to end over start times');
const e2e = await endToEnd({ onStart: (i, n) => process.stderr.write(`\r  start ${i + 1}/${n}`) });
process.stderr.write('\n');
lines.push(
  '',
  '## 4. End to end: plans with the map against plans on declared capacity, replayed on what happened',
  '',
  'log-analytics × 40 items on examples/pools/hetero.json; spot (synthetic) loses most of its free slots on weekday afternoons and is interrupted most then; the predictor is fitted at each start on the telemetry before it only; each plan is scored by the reference cost model on the realised capacity and hazard of the 24 h after its start.',
  '',
  ...markdownTable(['plan made on', 'starts', 'realised objective (geo mean, USD)', 'vs declared', 'makespan (mean)', 'cost (mean, USD)', 'deadline met'], e2e.map((r) => [r.policy, String(r.starts), r.objectiveGeoMean.toFixed(3), r.vsDeclared.toFixed(3), `${(r.makespanMeanS / 3600).toFixed(2)} h`, r.costMeanUsd.toFixed(3), `${(r.deadlineMet * 100).toFixed(0)} %`]), new Set([1, 2, 3, 4, 5, 6])),
);
const report = `${lines.join('\n')}\n`;
writeResult('forecast.md', report);
process.stdout.write(report);
