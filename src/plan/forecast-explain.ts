/**
 * `--explain` under a forecast: which part of the availability map drove which placement.
 * Read off the plan itself, per pool, over the plan's span:
 *   - hazard windows: where the pool's hazard is at least twice its lowest in the span, its use
 *     (slots busy per second) inside against outside — "spot avoided Tue 14:00–18:00: hazard
 *     0.60/h against 0.05/h (Tue 02:00–08:00)";
 *   - capacity windows: where the forecast leaves at most half the declared slots;
 *   - contention: the expected extra wait the plan accepts on the pool, and where.
 * Times are wall clock (UTC) from the plan's start (`startAtS`).
 */
import { sweepContentionS } from '../cost/contention.js';
import type { Problem } from '../model/problem.js';
import type { Plan } from './plan.js';

/** A window whose hazard is this many times the lowest of the span counts as high. */
const HIGH_HAZARD_RATIO = 2;
/** Use inside a window below this share of the use outside it reads as "avoided". */
const AVOIDED_SHARE = 0.5;

interface Window {
  readonly fromS: number;
  readonly toS: number;
  readonly value: number;
}

export function explainForecast(plan: Plan, problem: Problem, startAtS: number): string[] {
  const table = problem.availability;
  const spanS = plan.summary.makespanS;
  if (!(spanS > 0) || table.source === 'declared') return [];
  const notes: string[] = [];
  const label = (fromS: number, toS: number): string => `${clock(startAtS + fromS, spanS)}–${clock(startAtS + toS, spanS)}`;
  for (let p = 0; p < problem.pools.count; p++) {
    const id = problem.pools.ids[p]!;
    const segments = segmentsIn(table.atS, table.segStart[p]!, table.segStart[p + 1]!, spanS);
    const on = plan.subtasks.filter((s) => s.pool === id);
    const useIn = (fromS: number, toS: number): number => {
      let busy = 0;
      for (const s of on) busy += Math.max(0, Math.min(toS, s.finishS) - Math.max(fromS, s.startS));
      return busy / Math.max(1e-9, toS - fromS);
    };
    // Hazard.
    const hazard = windows(segments, (i) => table.hazardPerS[i]! * 3600);
    const declaredPerHour = problem.resources.pools[p]!.interruptionPerHour;
    const meanPerHour = hazard.reduce((sum, w) => sum + w.value * (w.toS - w.fromS), 0) / spanS;
    if (on.length > 0 && (meanPerHour > 2 * declaredPerHour + 0.005 || meanPerHour < declaredPerHour / 2 - 0.005)) {
      notes.push(`${id}: hazard ${meanPerHour.toFixed(2)}/h over this plan's span against ${declaredPerHour.toFixed(2)}/h declared: chunk sizes and rework priced on the forecast`);
    }
    const lowest = hazard.reduce((best, w) => (w.value < best.value ? w : best), hazard[0]!);
    if (hazard.length > 1) {
      for (const w of merge(hazard.filter((w) => w.value >= HIGH_HAZARD_RATIO * lowest.value && w.value - lowest.value >= 0.01))) {
        const inside = useIn(w.fromS, w.toS);
        const outsideS = spanS - (w.toS - w.fromS);
        const outside = outsideS > 0 ? (useIn(0, spanS) * spanS - inside * (w.toS - w.fromS)) / outsideS : 0;
        const against = `hazard ${w.value.toFixed(2)}/h against ${lowest.value.toFixed(2)}/h (${label(lowest.fromS, lowest.toS)})`;
        if (outside > 0 && inside < AVOIDED_SHARE * outside) notes.push(`${id} avoided ${label(w.fromS, w.toS)}: ${against}; ${inside.toFixed(1)} slots busy there against ${outside.toFixed(1)} outside`);
        else if (inside > 0) notes.push(`${id} used ${label(w.fromS, w.toS)} despite ${against}: ${inside.toFixed(1)} slots busy (the rework is priced in each sub-task's duration)`);
      }
    }
    // Capacity.
    const declared = problem.resources.pools[p]!.slots;
    for (const w of merge(windows(segments, (i) => table.slots[i]!).filter((w) => w.value <= declared / 2))) {
      notes.push(`${id}: the forecast leaves ${w.value} of ${declared} slots ${label(w.fromS, w.toS)}; ${useIn(w.fromS, w.toS).toFixed(1)} busy there on average`);
    }
    // Contention.
    if (table.contended[p] === 1 && on.length > 0) {
      const starts = Float64Array.from(on, (s) => s.startS).sort();
      const finishes = Float64Array.from(on, (s) => s.finishS).sort();
      const waitS = sweepContentionS(starts, 0, finishes, 0, on.length, table.atS, 0, table.freeSlots, 0, table.segStart[p]!, table.segStart[p + 1]!);
      if (waitS > 0.05) notes.push(`${id}: contention ${waitS.toFixed(1)} s of expected extra wait, where the plan fills slots the forecast may not leave free`);
    }
  }
  return notes;
}

/** Segment indices of one pool overlapping [0, spanS), with their clipped bounds. */
function segmentsIn(atS: Float64Array, first: number, end: number, spanS: number): Array<{ i: number; fromS: number; toS: number }> {
  const out: Array<{ i: number; fromS: number; toS: number }> = [];
  for (let i = first; i < end; i++) {
    const fromS = atS[i]!;
    const toS = Math.min(spanS, i + 1 < end ? atS[i + 1]! : Number.POSITIVE_INFINITY);
    if (fromS >= spanS) break;
    if (toS > fromS) out.push({ i, fromS, toS });
  }
  return out;
}

function windows(segments: ReadonlyArray<{ i: number; fromS: number; toS: number }>, value: (i: number) => number): Window[] {
  return merge(segments.map((s) => ({ fromS: s.fromS, toS: s.toS, value: value(s.i) })), true);
}

/** Adjacent windows joined (`sameValue`: only those of equal value). */
function merge(list: readonly Window[], sameValue = false): Window[] {
  const out: Window[] = [];
  for (const w of list) {
    const last = out[out.length - 1];
    if (last !== undefined && last.toS === w.fromS && (!sameValue || last.value === w.value)) out[out.length - 1] = { fromS: last.fromS, toS: w.toS, value: sameValue ? last.value : Math.max(last.value, w.value) };
    else out.push(w);
  }
  return out;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** "14:00" within a day's span, "Tue 14:00" over longer spans (UTC). */
function clock(epochS: number, spanS: number): string {
  const d = new Date(Math.round(epochS) * 1000);
  const hm = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  return spanS > 20 * 3600 ? `${DAYS[d.getUTCDay()]} ${hm}` : hm;
}
