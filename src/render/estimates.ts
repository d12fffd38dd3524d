/** `--explain` with a profile: what each stage planned on, where it came from, and the spread around it. */
import type { AppliedProfile } from '../profile/apply.js';
import { quantileName } from '../profile/apply.js';
import { formatLaw } from './profile.js';
import { formatDurationS, table } from './format.js';

/** Stages listed before "… N more": the provisional ones first, then the longest. */
const MAX_ROWS = 20;

export function renderEstimates(applied: AppliedProfile): string {
  const level = quantileName(applied.quantile);
  const rows = [...applied.estimates].sort((a, b) => Number(b.provisional) - Number(a.provisional) || b.plannedS - a.plannedS);
  const shown = rows.slice(0, MAX_ROWS);
  const duration = (s: number | undefined): string => (s === undefined || Number.isNaN(s) ? '–' : formatDurationS(s));
  const header = ['stage', 'op', 'from', 'n', `planned (${level})`, 'P10', 'P50', 'P90', 'law'];
  const body = shown.map((e) => [
    e.stage,
    e.op,
    e.source === 'definition' ? 'definition' : `${e.source}${e.provisional ? ' (prior)' : ''}`,
    e.source === 'definition' ? '–' : String(e.n),
    duration(e.plannedS),
    duration(e.p10S),
    duration(e.p50S),
    duration(e.p90S),
    e.law === undefined ? '' : `${formatLaw(e.law)} per chunk`,
  ]);
  const more = rows.length > shown.length ? `\n  … ${rows.length - shown.length} more stages` : '';
  return `estimates (whole stage at speed 1; planned at ${level} of the history):\n${indent(table([header, ...body], [false, false, false, true, true, true, true, true, false]))}${more}\n`;
}

function indent(text: string): string {
  return text.split('\n').map((line) => `  ${line}`).join('\n');
}
