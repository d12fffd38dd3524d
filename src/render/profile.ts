/**
 * `apportion profile show`: one line per op with its record count, runtime law, P10/P50/P90 at
 * the op's median observed size, and pool classes; then how the profile was calibrated.
 *
 *   op        n    runtime law                      at size   P10     P50     P90     classes
 *   blastall  900  0.8 s + 2.1e-7 s/B·n             5.11 GB   9.1 s   9.6 s   10.2 s  unknown/24c (900)
 */
import { formatBytes, formatDurationS, table } from './format.js';
import { opSummaries, predict } from '../profile/predict.js';
import type { Profile, ScalingLaw, SizeBy } from '../profile/types.js';

export function renderProfile(profile: Profile): string {
  const summaries = opSummaries(profile);
  const header = ['op', 'n', 'failed', 'runtime law', 'at size', 'P10', 'P50', 'P90', 'peak mem P90', 'classes'];
  const memory = (op: string): string => {
    const p90 = predict(profile, 'peakMemBytes', { op }, 0.9);
    return p90.n === 0 || p90.source === 'global' ? '–' : formatBytes(p90.value);
  };
  const rows = summaries.map((op) => [
    op.op,
    String(op.n),
    String(op.failed),
    op.law === undefined ? '–' : formatLaw(op.law),
    op.typicalSize === null || op.law?.sizeBy === 'none' ? '–' : formatSize(op.typicalSize, op.sizeBy),
    formatOptional(op.p10),
    formatOptional(op.p50),
    formatOptional(op.p90),
    memory(op.op),
    op.classes.map((entry) => `${entry.poolClass} (${entry.n})`).join(', '),
  ]);
  const { calibration, settings } = profile;
  const lines = [
    `profile fitted ${profile.fittedAt} from ${profile.records} records, ${calibration.jobs} job(s), ${summaries.length} op(s)`,
    '',
    table([header, ...rows], [false, true, true, false, true, true, true, true, true, false]),
    '',
    `quantiles: ${settings.calibration}-conformal on held-out ${calibration.opsByJob > 0 ? 'jobs' : 'records'} (${calibration.residuals} runtime residuals; ${calibration.opsByJob} op(s) split by job, ${calibration.opsByRecord} by record, ${calibration.opsWithoutHoldout} too thin: global residuals)`,
    `shrinkage: pool class k = ${settings.classShrinkage}, residual quantiles k = ${settings.residualShrinkage}; laws ${settings.refit ? 'refitted on all records after calibration' : 'fitted on the training split only'}`,
  ];
  if (calibration.inSample) lines.push('warning: nothing could be held out, so the quantiles are in-sample (too narrow); record more runs');
  return `${lines.join('\n')}\n`;
}

/** "0.8 s + 2.1e-7 s/B·n + 3e-9 s/B·n·log2 n"; a law with no terms left is its constant. */
export function formatLaw(law: ScalingLaw): string {
  const unit = law.sizeBy === 'items' ? 'item' : 'B';
  const terms: string[] = [];
  if (law.constant > 0 || law.sizeBy === 'none') terms.push(`${significant(law.constant)} s`);
  if (law.sizeBy !== 'none') {
    if (law.linear > 0) terms.push(`${significant(law.linear)} s/${unit}·n`);
    if (law.nLogN > 0) terms.push(`${significant(law.nLogN)} s/${unit}·n·log2 n`);
  }
  return terms.length === 0 ? '0 s' : terms.join(' + ');
}

function formatSize(size: number, sizeBy: SizeBy): string {
  return sizeBy === 'items' ? `${significant(size)} items` : formatBytes(size);
}

/** formatDurationS, except below 10 s, which it rounds to 0.1 s: 0.052 s, 3.4 s. */
function formatOptional(seconds: number | undefined): string {
  if (seconds === undefined) return '–';
  return seconds < 10 ? `${Number(seconds.toPrecision(2))} s` : formatDurationS(seconds);
}

/** 2 significant digits, exponent form outside [0.01, 10000): 0.8, 2.1e-7, 1500. */
function significant(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs >= 0.01 && abs < 10000 ? String(Number(value.toPrecision(2))) : value.toExponential(1).replace('e+', 'e');
}
