import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Plan } from '../../src/plan/plan.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/problems.js';

const test = suite('cli: Ctrl-C and --explain in JSON');
const EXAMPLE = join(REPO_ROOT, 'examples/log-analytics.json');
const HETERO = join(REPO_ROOT, 'examples/pools/hetero.json');

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI in a child process and sends it SIGINT once it reports the search (or after 20 s, then SIGKILL). */
function planThenInterrupt(args: readonly string[]): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/cli/bin.ts'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const interrupt = (): void => {
      if (sent) return;
      sent = true;
      child.kill('SIGINT');
    };
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // Progress lines start after a second of planning: by then there is a best plan to keep.
      if (/planning \(\d/.test(stderr)) interrupt();
    });
    const fallback = setTimeout(interrupt, 20_000);
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(fallback);
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

test('Ctrl-C during plan --budget-ms writes the best plan found, says so and exits 130', async () => {
  const run = await planThenInterrupt(['plan', EXAMPLE, '--pools', HETERO, '--budget-ms', '120000', '--format', 'json', '--workers', '1']);
  assert.is(run.signal, null, `killed by ${run.signal}: ${run.stderr}`);
  assert.is(run.code, 130, run.stderr);
  assert.match(run.stderr, /interrupted: the best plan found before Ctrl-C was written/);
  const plan = JSON.parse(run.stdout) as Plan;
  assert.is(plan.apportionPlan, 1);
  assert.ok(Number.isFinite(plan.summary.objective) && plan.subtasks.length > 0);
  // It stopped long before its two minutes: the search honoured the signal.
  assert.ok(plan.summary.planningMs < 60_000, `planning took ${plan.summary.planningMs} ms`);
});

test('--explain with --format json puts the explanation in the document', async () => {
  const run = await runCli(['plan', EXAMPLE, '--pools', HETERO, '--format', 'json', '--explain']);
  assert.is(run.code, 0, run.stderr);
  const doc = JSON.parse(run.stdout) as Plan & { explain: { variantsTried: Array<{ variant: string; objective: number }>; stages: Array<{ name: string; pools: unknown[] }> } };
  assert.ok(doc.explain.variantsTried.length > 1);
  assert.ok(doc.explain.variantsTried.some((v) => v.variant === doc.summary.variant));
  assert.equal(doc.explain.stages.map((s) => s.name).sort(), ['parse', 'report', 'sessionize']);
  const plain = JSON.parse((await runCli(['plan', EXAMPLE, '--pools', HETERO, '--format', 'json'])).stdout) as Record<string, unknown>;
  assert.is(plain.explain, undefined);
});

test.run();
