import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LOG_LINES_PER_TICK, runProgressView } from '../../src/cli/run-progress.js';
import type { Io } from '../../src/cli/io.js';
import type { PoolSnapshot, RunSnapshot } from '../../src/dispatch/dispatcher.js';
import type { DecisionRow } from '../../src/history/journal.js';
import { REPO_ROOT } from '../helpers/problems.js';

const test = suite('cli/run-progress: the live view of a run on stderr');

function capturedIo(isTty: boolean): Io & { readonly err: string[]; readonly out: string[] } {
  const err: string[] = [];
  const out: string[] = [];
  return { err, out, isTty, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

/** A run that moves on by one commit each time it is looked at. */
function advancingRun(total = 10): { snapshot: () => RunSnapshot; calls: () => number } {
  let calls = 0;
  const snapshot = (): RunSnapshot => {
    calls++;
    const committed = Math.min(total, calls);
    const pools: PoolSnapshot[] = [
      { id: 'gpu', slots: 4, done: committed, running: 2, queued: 4, failed: 1, excluded: false },
      { id: 'spot-east', slots: 8, done: 0, running: 0, queued: 0, failed: 5, excluded: true },
    ];
    return { nowS: 1.5 * calls, plannedMakespanS: 100, committed, total, retries: 1, moves: 0, replans: 2, pools };
  };
  return { snapshot, calls: () => calls };
}

/** Waits (bounded) until `done()` holds. */
async function until(done: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const decision = (kind: DecisionRow['kind'], seq: number, extra: Partial<DecisionRow> = {}): DecisionRow => ({ seq, atS: 3.25, kind, subtaskId: 'n4', poolId: 'gpu', reason: `${kind} because of reasons`, ...extra });

/**
 * Just enough of a terminal to replay the view's output: \n, \r, ESC[nA (cursor up),
 * ESC[J (clear to the end of the screen), ESC[2K (clear the line). Returns the screen's lines.
 */
function replayTerminal(output: string): string[] {
  const screen: string[] = [''];
  let row = 0;
  let col = 0;
  for (let i = 0; i < output.length; i++) {
    const c = output[i]!;
    if (c === '\u001b') {
      const m = /^\u001b\[(\d*)([AJK])/.exec(output.slice(i));
      assert.ok(m !== null, `unknown escape sequence at ${JSON.stringify(output.slice(i, i + 8))}`);
      const n = m[1] === '' ? 1 : Number(m[1]);
      if (m[2] === 'A') row = Math.max(0, row - n);
      else if (m[2] === 'J') {
        screen[row] = screen[row]!.slice(0, col);
        screen.length = row + 1;
      } else screen[row] = '';
      i += m[0].length - 1;
    } else if (c === '\n') {
      row++;
      col = 0;
      if (screen.length <= row) screen.push('');
    } else if (c === '\r') col = 0;
    else {
      const line = screen[row]!.padEnd(col);
      screen[row] = line.slice(0, col) + c + line.slice(col + 1);
      col++;
    }
  }
  return screen[screen.length - 1] === '' ? screen.slice(0, -1) : screen;
}

test('not a terminal: plain progress lines, one line per retry/move/re-plan/exclude/give-up, a final line', async () => {
  const io = capturedIo(false);
  const run = advancingRun();
  const view = runProgressView(io, run.snapshot, { tty: false, everyMs: 10 });
  for (const [i, kind] of (['retry', 'move', 'replan', 'exclude-pool', 'give-up', 'stay', 'resume'] as const).entries()) view.decision(decision(kind, i));
  await until(() => io.err.filter((l) => l.includes('committed, ')).length >= 2, 'two progress lines');
  view.stop();
  const text = io.err.join('');
  assert.not.match(text, '\u001b', 'no escape sequences off a terminal');
  const lines = text.split('\n').filter((l) => l !== '');
  assert.match(lines.find((l) => l.includes('committed, '))!, /^run: \d+\/10 committed, 2 running, 1 retry, 0 moves, 2 re-plans, \d+\.\d s of 100 s planned$/);
  assert.ok(lines.includes('run: retry n4 on gpu at 3.3 s: retry because of reasons'), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('run: move n4 to gpu at')), 'a move names where it went');
  for (const kind of ['replan', 'exclude-pool', 'give-up']) assert.ok(lines.some((l) => l.startsWith(`run: ${kind} `)), kind);
  assert.not.ok(lines.some((l) => l.startsWith('run: stay ') || l.startsWith('run: resume ')), 'stay and resume are for --explain');
  assert.match(lines[lines.length - 1]!, /^run: ended at \d+\.\d s \(planned 100 s\): \d+\/10 committed, 1 retry, 0 moves, 2 re-plans$/);
  assert.is(io.out.length, 0, 'nothing on stdout');
  // Stopped means stopped: no more lines, and a second stop prints nothing.
  const count = io.err.length;
  view.stop();
  await new Promise((r) => setTimeout(r, 40));
  assert.is(io.err.length, count);
});

test('not a terminal: a run where only the clock moves does not print the same line every interval', async () => {
  const io = capturedIo(false);
  let calls = 0;
  const still = advancingRun(1).snapshot;
  const view = runProgressView(io, () => (calls++, { ...still(), nowS: calls }), { tty: false, everyMs: 5 });
  await until(() => calls >= 10, 'ten intervals');
  view.stop();
  const progress = io.err.filter((l) => l.includes('committed, '));
  assert.ok(progress.length >= 1 && progress.length < calls / 2, `${progress.length} lines in ${calls} intervals`);
});

test('a terminal: the view is redrawn in place under the decisions, and stop leaves the log and a final line', async () => {
  const io = capturedIo(true);
  const run = advancingRun();
  const view = runProgressView(io, run.snapshot, { tty: true, everyMs: 10 });
  await until(() => run.calls() >= 2, 'a first redraw');
  view.decision(decision('retry', 0, { reason: 'attempt 1 failed (exit code 3)' }));
  view.attempt({ subtask: 'n4', attempt: 1, pool: 'gpu', outcome: 'failed', startedS: 1, finishedS: 3, error: 'exit code 3' });
  const callsAtDecision = run.calls();
  await until(() => run.calls() >= callsAtDecision + 3, 'redraws after the decision');
  const live = replayTerminal(io.err.join(''));
  assert.match(io.err.join(''), /\u001b\[\d+A\r\u001b\[J/, 'cursor up and clear, to redraw in place');
  // On screen: the decision once, above exactly one copy of the view.
  assert.equal(live.filter((l) => l.startsWith('run: retry')).length, 1);
  assert.is(live.filter((l) => /^run  \[/.test(l)).length, 1, live.join('\n'));
  assert.ok(live.findIndex((l) => l.startsWith('run: retry')) < live.findIndex((l) => /^run  \[/.test(l)), 'log above the view');
  const gpu = live.find((l) => l.trimStart().startsWith('gpu'))!;
  assert.match(gpu, /gpu\s+\[#####\.{5}\]  done \d+  running 2  queued 4  failed 1$/);
  assert.match(live.find((l) => l.trimStart().startsWith('spot-east'))!, /done 0  running 0  queued 0  failed 5  \[excluded\]$/);
  assert.match(live.join('\n'), /\d+\/10 committed  \d+\.\d s of 100 s planned/);
  assert.match(live.join('\n'), /1 retry, 0 moves, 2 re-plans/);
  assert.match(live.join('\n'), /last failure: n4 attempt 1 on gpu failed: exit code 3/);
  assert.ok(live.every((l) => l.length < 80), 'no line wraps');
  view.stop();
  const after = replayTerminal(io.err.join(''));
  assert.not.ok(after.some((l) => /^run  \[/.test(l) || l.trimStart().startsWith('gpu ')), 'the live view is cleared');
  assert.is(after.filter((l) => l.startsWith('run: retry')).length, 1);
  assert.match(after[after.length - 1]!, /^run: ended at /);
});

test('a burst of decisions prints a bounded number of lines and counts the rest by kind', async () => {
  for (const tty of [false, true]) {
    const io = capturedIo(tty);
    const view = runProgressView(io, advancingRun().snapshot, { tty, everyMs: 60_000 });
    // Kinds are counted in the order they were first held back: the 21st decision is a move.
    for (let i = 0; i < 1000; i++) view.decision(decision(i % 4 === 0 ? 'move' : 'retry', i));
    view.stop();
    const screen = replayTerminal(io.err.join(''));
    assert.is(screen.filter((l) => /^run: (retry|move) n4/.test(l)).length, LOG_LINES_PER_TICK, `tty ${tty}`);
    const rest = 1000 - LOG_LINES_PER_TICK;
    const moves = 250 - Math.ceil(LOG_LINES_PER_TICK / 4);
    assert.ok(screen.includes(`run: … and ${rest} more decisions (${moves} move, ${rest - moves} retry; --explain lists them)`), screen.join('\n'));
  }
});

test('a snapshot that is not ready yet (the run is still planning) is not an error; the view starts when it is', async () => {
  const io = capturedIo(true);
  let ready = false;
  let tries = 0;
  const run = advancingRun();
  const view = runProgressView(
    io,
    () => {
      tries++;
      if (!ready) throw new TypeError("Cannot read properties of undefined (reading 'dispatch')");
      return run.snapshot();
    },
    { tty: true, everyMs: 5 },
  );
  await until(() => tries >= 3, 'a few tries');
  assert.is(io.err.join(''), '', 'nothing drawn before the run exists');
  ready = true;
  await until(() => io.err.join('').includes('committed'), 'the view once the run exists');
  view.stop();
  assert.match(replayTerminal(io.err.join('')).at(-1)!, /^run: ended at/);
});

test('text from the run cannot reach the terminal as escape sequences', async () => {
  const io = capturedIo(false);
  const view = runProgressView(io, advancingRun().snapshot, { tty: false, everyMs: 60_000 });
  view.decision(decision('give-up', 0, { reason: 'exit code 3: \u001b[2J\u001b[31mboom\nsecond line', subtaskId: 'n\u001b[1m4' }));
  view.stop();
  const text = io.err.join('');
  assert.not.match(text, '\u001b');
  assert.match(text, /run: give-up n\uFFFD\[1m4 on gpu at 3\.\d s: exit code 3: \uFFFD\[2J\uFFFD\[31mboom second line\n/);
});

test('the timer does not keep the process alive (unref)', () => {
  const script = `
    import { runProgressView } from ${JSON.stringify(join(REPO_ROOT, 'src/cli/run-progress.ts'))};
    const snap = { nowS: 1, plannedMakespanS: 2, committed: 0, total: 1, retries: 0, moves: 0, replans: 0, pools: [] };
    runProgressView({ stdout() {}, stderr() {}, isTty: true }, () => snap, { tty: true, everyMs: 20 });
    runProgressView({ stdout() {}, stderr() {}, isTty: false }, () => snap, { tty: false, everyMs: 20 });
    console.log('started, never stopped');
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, timeout: 15_000, encoding: 'utf8' });
  assert.is(child.signal, null, 'exited by itself, not killed at the timeout');
  assert.is(child.status, 0, child.stderr);
  assert.match(child.stdout, 'started, never stopped');
});

test.run();
