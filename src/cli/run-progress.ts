/**
 * The live view of `apportion run` on stderr (stdout is the report's).
 *
 * On a terminal: a few lines redrawn in place every ~200 ms — the run's committed share,
 * elapsed against the planned makespan, retries/moves/re-plans, then per pool
 * `done  running  queued  failed  [excluded]` with a bar of its busy slots. Retries, moves,
 * re-plans, pools taken out and give-ups are printed above the view as they happen, so they
 * scroll away like a log while the view stays at the bottom. Every view line is kept under 80
 * columns: a wrapped line would make "cursor up N" land in the wrong place.
 *
 * Elsewhere (CI, a pipe): one plain line at most every 2 s, skipped while nothing but the clock
 * moved (a heartbeat every ~30 s still shows it is alive), and one line per decision of those
 * kinds.
 *
 * A burst of decisions (10^4 sub-tasks failing on a pool that went bad) prints at most
 * LOG_LINES_PER_TICK of them per interval, then one line counting the rest by kind.
 * The timer is unref'd: a view never keeps the process alive.
 */
import type { AttemptView, RunSnapshot } from '../dispatch/dispatcher.js';
import type { DecisionRow } from '../history/journal.js';
import { oneLine } from '../render/run-text.js';
import type { Io } from './io.js';

export interface RunProgressOptions {
  /** Live view redrawn in place (a terminal), else plain lines. */
  readonly tty: boolean;
  /** Default 200 ms on a terminal, 2000 ms otherwise. */
  readonly everyMs?: number;
}

export interface RunProgressView {
  decision(decision: DecisionRow): void;
  attempt(attempt: AttemptView): void;
  /** Stops the timer, prints what is pending and a final line; idempotent. */
  stop(): void;
}

export const TTY_EVERY_MS = 200;
export const PLAIN_EVERY_MS = 2000;
/** Decisions printed per interval; the rest are counted by kind. */
export const LOG_LINES_PER_TICK = 20;
/** Plain mode prints an unchanged line again after this many intervals. */
const HEARTBEAT_TICKS = 15;
const VIEW_COLUMNS = 79;
const POOL_ID_COLUMNS = 12;
const BAR_CELLS = 10;

/** The decisions worth a line while the run goes on; stay, resume and stop are for --explain. */
const LOGGED: ReadonlySet<DecisionRow['kind']> = new Set(['retry', 'move', 'replan', 'exclude-pool', 'give-up']);

const ESC = '\u001b[';

export function runProgressView(io: Io, snapshot: () => RunSnapshot, options: RunProgressOptions): RunProgressView {
  const tty = options.tty;
  const everyMs = Math.max(1, options.everyMs ?? (tty ? TTY_EVERY_MS : PLAIN_EVERY_MS));
  let budget = LOG_LINES_PER_TICK;
  const suppressed = new Map<string, number>();
  let pending: string[] = [];
  let drawnLines = 0;
  let attempts = 0;
  let lastFailure: string | undefined;
  let lastPlainKey = '';
  let ticksSincePlain = 0;
  let last: RunSnapshot | undefined;
  let stopped = false;

  // The run may not have started yet (still planning), or the snapshot may fail: the view then
  // shows the last one it had, never an error of its own.
  const read = (): RunSnapshot | undefined => {
    try {
      last = snapshot();
    } catch {
      // keep the last good one
    }
    return last;
  };

  const suppressedLine = (): string[] => {
    if (suppressed.size === 0) return [];
    let total = 0;
    for (const n of suppressed.values()) total += n;
    const line = `run: … and ${total} more decision${total === 1 ? '' : 's'} (${[...suppressed].map(([kind, n]) => `${n} ${kind}`).join(', ')}; --explain lists them)`;
    suppressed.clear();
    return [line];
  };

  const eraseView = (): string => (drawnLines > 0 ? `${ESC}${drawnLines}A\r${ESC}J` : '');

  const tick = (): void => {
    if (stopped) return;
    const snap = read();
    const log = [...pending, ...suppressedLine()];
    pending = [];
    budget = LOG_LINES_PER_TICK;
    if (tty) {
      const view = snap === undefined ? [] : viewLines(snap, attempts, lastFailure);
      if (log.length === 0 && view.length === 0 && drawnLines === 0) return;
      io.stderr(eraseView() + log.map((l) => `${l}\n`).join('') + view.map((l) => `${l}\n`).join(''));
      drawnLines = view.length;
      return;
    }
    for (const line of log) io.stderr(`${line}\n`);
    if (snap === undefined) return;
    const key = progressKey(snap);
    ticksSincePlain++;
    if (key === lastPlainKey && ticksSincePlain < HEARTBEAT_TICKS) return;
    lastPlainKey = key;
    ticksSincePlain = 0;
    io.stderr(`${progressLine(snap)}\n`);
  };

  const timer = setInterval(tick, everyMs);
  timer.unref();

  return {
    decision(d) {
      if (stopped || !LOGGED.has(d.kind)) return;
      if (budget <= 0) {
        suppressed.set(d.kind, (suppressed.get(d.kind) ?? 0) + 1);
        return;
      }
      budget--;
      const line = decisionLine(d);
      // On a terminal the line waits for the next redraw, which prints it above the view.
      if (tty) pending.push(line);
      else io.stderr(`${line}\n`);
    },
    attempt(a) {
      if (stopped) return;
      attempts++;
      if (a.outcome !== 'succeeded') lastFailure = `${a.subtask} attempt ${a.attempt} on ${a.pool} ${a.outcome}${a.error === undefined ? '' : `: ${a.error}`}`;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      const snap = read();
      const out = [...pending, ...suppressedLine(), ...(snap === undefined ? [] : [finalLine(snap)])];
      pending = [];
      const text = (tty ? eraseView() : '') + out.map((l) => `${l}\n`).join('');
      drawnLines = 0;
      if (text !== '') io.stderr(text);
    },
  };
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function secondsText(s: number): string {
  return `${Number.isFinite(s) ? s.toFixed(1) : '?'} s`;
}

function running(snap: RunSnapshot): number {
  return snap.pools.reduce((n, p) => n + p.running, 0);
}

function counts(snap: RunSnapshot): string {
  return `${plural(snap.retries, 'retry', 'retries')}, ${plural(snap.moves, 'move', 'moves')}, ${plural(snap.replans, 're-plan', 're-plans')}`;
}

/** `run: 120/225 committed, 4 running, 2 retries, 1 move, 0 re-plans, 12.3 s of 545 s planned` */
export function progressLine(snap: RunSnapshot): string {
  return `run: ${snap.committed}/${snap.total} committed, ${running(snap)} running, ${counts(snap)}, ${secondsText(snap.nowS)} of ${Number(snap.plannedMakespanS.toFixed(1))} s planned`;
}

function finalLine(snap: RunSnapshot): string {
  return `run: ended at ${secondsText(snap.nowS)} (planned ${Number(snap.plannedMakespanS.toFixed(1))} s): ${snap.committed}/${snap.total} committed, ${counts(snap)}`;
}

/** What plain mode compares to skip a line where only the clock moved. */
function progressKey(snap: RunSnapshot): string {
  return `${snap.committed} ${running(snap)} ${snap.retries} ${snap.moves} ${snap.replans} ${snap.pools.map((p) => `${p.queued}/${p.failed}/${p.excluded ? 1 : 0}`).join(' ')}`;
}

export function decisionLine(d: DecisionRow): string {
  const who = d.subtaskId === undefined ? '' : ` ${oneLine(d.subtaskId)}`;
  const where = d.poolId === undefined ? '' : ` ${d.kind === 'move' ? 'to' : 'on'} ${oneLine(d.poolId)}`;
  return `run: ${d.kind}${who}${where} at ${secondsText(d.atS)}: ${oneLine(d.reason)}`;
}

function bar(fraction: number, cells: number): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const full = Math.round(f * cells);
  return `[${'#'.repeat(full)}${'.'.repeat(cells - full)}]`;
}

function fit(text: string, columns: number): string {
  return text.length <= columns ? text : `${text.slice(0, columns - 1)}…`;
}

/** The lines of the live view, each under 80 columns. */
export function viewLines(snap: RunSnapshot, attempts: number, lastFailure: string | undefined): string[] {
  const lines = [
    `run  ${bar(snap.total === 0 ? 1 : snap.committed / snap.total, 20)}  ${snap.committed}/${snap.total} committed  ${secondsText(snap.nowS)} of ${Number(snap.plannedMakespanS.toFixed(1))} s planned`,
    `     ${attempts} attempts ended  ${counts(snap)}`,
  ];
  const idWidth = Math.min(POOL_ID_COLUMNS, Math.max(4, ...snap.pools.map((p) => p.id.length)));
  for (const p of snap.pools) {
    const id = fit(oneLine(p.id), idWidth).padEnd(idWidth);
    const busy = p.slots > 0 ? p.running / p.slots : p.running > 0 ? 1 : 0;
    const tally = `done ${p.done}  running ${p.running}  queued ${p.queued}  failed ${p.failed}${p.excluded ? '  [excluded]' : ''}`;
    const withBar = `  ${id}  ${bar(busy, BAR_CELLS)}  ${tally}`;
    // The counts and the excluded flag matter more than the bar when columns run out.
    lines.push(withBar.length <= VIEW_COLUMNS ? withBar : `  ${id}  ${tally}`);
  }
  if (lastFailure !== undefined) lines.push(`  last failure: ${oneLine(lastFailure)}`);
  return lines.map((line) => fit(line, VIEW_COLUMNS));
}
