/** Progress on stderr for work that may take a while (planning, fitting a large history). */
import type { Io } from './io.js';

/** Work longer than this prints progress on stderr (at most once per PROGRESS_EVERY_MS). */
const PROGRESS_AFTER_MS = 1000;
const PROGRESS_EVERY_MS = 1000;

/** `${what} (2.0 s): phase, detail` lines; `what` names the command's work ("planning", "fitting"). */
export function progressPrinter(io: Io, enabled: boolean, what = 'planning'): (phase: string, detail: string) => void {
  const started = performance.now();
  let lastMs = 0;
  let lastPhase = '';
  return (phase, detail) => {
    const elapsedMs = performance.now() - started;
    // A new phase is always worth a line once the work is slow enough to report at all.
    if (!enabled || elapsedMs < PROGRESS_AFTER_MS || (phase === lastPhase && elapsedMs - lastMs < PROGRESS_EVERY_MS)) return;
    lastMs = elapsedMs;
    lastPhase = phase;
    io.stderr(`${what} (${(elapsedMs / 1000).toFixed(1)} s): ${phase}, ${detail}\n`);
  };
}

