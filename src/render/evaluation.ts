/**
 * `apportion evaluate`'s report: the policies side by side (text), and a self-contained HTML
 * page with SVG figures: cost against makespan per policy (geometric means with their 95 %
 * intervals), the CDF of deadline slack, wasted compute, the table, and where apportion lost.
 */
import type { CaseResult, EvaluationResult, PolicySummary } from '../evaluate/types.js';
import { escapeXml, FONT, PALETTE } from './svg.js';
import { formatDurationS, formatUsd, table } from './format.js';

/** The policy whose losses the report lists (its cases against the best other policy on the same case). */
const SUBJECT = 'apportion';

export function renderEvaluationText(result: EvaluationResult): string {
  const lines = [`apportion evaluate: ${result.cases.length} cases (${result.workloads.length} workload(s) × ${result.traces.length} trace(s) × offsets × seeds × ${result.policies.length} policies), seed ${result.seed}`, ''];
  lines.push(
    table(
      [
        ['policy', 'cost (geo mean)', '95 % CI', 'makespan (geo mean)', 'slot-hours', 'wasted', 'deadline met', 'cases'],
        ...result.policies.map((p) => [
          p.policy,
          formatUsd(p.costUsd),
          `${formatUsd(p.costUsdCi[0])} – ${formatUsd(p.costUsdCi[1])}`,
          formatDurationS(p.makespanS),
          p.slotHours.toFixed(2),
          `${p.wastedSlotHours.toFixed(2)} h`,
          `${(p.deadlineMet * 100).toFixed(0)} %`,
          String(p.cases),
        ]),
      ],
      [false, true, true, true, true, true, true, true],
    ),
  );
  const errors = result.cases.filter((c) => c.status === 'error');
  if (errors.length > 0) lines.push('', `${errors.length} case(s) could not run:`, ...errors.slice(0, 10).map((c) => `  ${caseName(c)}: ${c.error ?? 'error'}`));
  const losses = lossesOf(result);
  if (losses.length > 0) {
    lines.push('', `where ${SUBJECT} lost (its cost above the best other policy on the same case, at an equal or better deadline result):`);
    for (const l of losses.slice(0, 10)) lines.push(`  ${caseName(l.subject)}: ${formatUsd(l.subject.costUsd)} against ${l.winner.policy} ${formatUsd(l.winner.costUsd)} (${l.winner.costUsd > 0 ? `${((l.subject.costUsd / l.winner.costUsd - 1) * 100).toFixed(0)} % more` : 'the other ran for free'}; makespan ${formatDurationS(l.subject.makespanS)} against ${formatDurationS(l.winner.makespanS)}; ${l.subject.replans} re-plan(s), ${l.subject.moves} move(s))`);
    if (losses.length > 10) lines.push(`  … ${losses.length - 10} more (--format json has every case)`);
  }
  return `${lines.join('\n')}\n`;
}

function caseName(c: CaseResult): string {
  return `${c.workload} on ${c.trace} at +${formatDurationS(c.offsetS)} seed ${c.seed}`;
}

interface Loss {
  readonly subject: CaseResult;
  readonly winner: CaseResult;
}

/** Cases where the subject policy cost more than the cheapest other policy that met the deadline at least as well. */
export function lossesOf(result: EvaluationResult, subject = SUBJECT): Loss[] {
  const byCase = new Map<string, CaseResult[]>();
  for (const c of result.cases) {
    if (c.status === 'error') continue;
    const key = `${c.workload}\u0000${c.trace}\u0000${c.offsetS}\u0000${c.seed}`;
    const list = byCase.get(key) ?? [];
    list.push(c);
    byCase.set(key, list);
  }
  const losses: Loss[] = [];
  for (const list of byCase.values()) {
    const mine = list.find((c) => c.policy === subject);
    if (mine === undefined) continue;
    const rivals = list.filter((c) => c.policy !== subject && (c.deadlineMet === null || c.deadlineMet || mine.deadlineMet === false));
    const best = rivals.reduce<CaseResult | undefined>((b, c) => (b === undefined || c.costUsd < b.costUsd ? c : b), undefined);
    if (best !== undefined && mine.costUsd > best.costUsd * 1.001) losses.push({ subject: mine, winner: best });
  }
  return losses.sort((a, b) => b.subject.costUsd / b.winner.costUsd - a.subject.costUsd / a.winner.costUsd);
}

// ---- HTML ---------------------------------------------------------------------------------

const W = 640;
const H = 360;
const M = { left: 70, right: 20, top: 30, bottom: 50 };

export function renderEvaluationHtml(result: EvaluationResult): string {
  const colour = new Map(result.policies.map((p, i) => [p.policy, PALETTE[i % PALETTE.length]!]));
  const body = [
    `<h1>apportion evaluate</h1>`,
    `<p>${result.cases.length} cases: ${escapeXml(result.workloads.join(', '))} × ${escapeXml(result.traces.map((t) => t.id).join(', '))}; seed ${result.seed}. Geometric means with 95 % bootstrap intervals.</p>`,
    `<h2>Cost against makespan</h2>`,
    costMakespanSvg(result.policies, colour),
    `<h2>Deadline slack (CDF over cases; slack = (deadline − makespan) / deadline, right of 0 = met)</h2>`,
    slackCdfSvg(result, colour),
    `<h2>Wasted compute (slot-hours held by attempts that did not commit: cancelled replicas, rework)</h2>`,
    wastedSvg(result.policies, colour),
    `<h2>Table</h2>`,
    htmlTable(result.policies),
    lossesHtml(result),
  ];
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>apportion evaluate</title><style>body{font-family:${FONT};margin:2em;max-width:60em;color:#222}table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:left}svg{display:block;margin:1em 0}</style></head><body>\n${body.join('\n')}\n</body></html>\n`;
}

function scale(lo: number, hi: number, a: number, b: number): (v: number) => number {
  const span = hi - lo || 1;
  return (v) => a + ((v - lo) / span) * (b - a);
}

function svgOpen(title: string, height = H): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="${FONT}" font-size="12" role="img"><title>${escapeXml(title)}</title><rect width="${W}" height="${height}" fill="#fff"/>`;
}

function costMakespanSvg(policies: readonly PolicySummary[], colour: ReadonlyMap<string, string>): string {
  const ok = policies.filter((p) => Number.isFinite(p.costUsd) && Number.isFinite(p.makespanS));
  if (ok.length === 0) return '<p>No policy ran.</p>';
  const xs = ok.flatMap((p) => [p.makespanSCi[0], p.makespanSCi[1], p.makespanS]).filter(Number.isFinite);
  const ys = ok.flatMap((p) => [p.costUsdCi[0], p.costUsdCi[1], p.costUsd]).filter(Number.isFinite);
  const x = scale(Math.min(...xs) * 0.95, Math.max(...xs) * 1.05, M.left, W - M.right);
  const y = scale(Math.min(...ys) * 0.95, Math.max(...ys) * 1.05, H - M.bottom, M.top);
  const parts = [svgOpen('cost against makespan per policy')];
  parts.push(`<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#888"/><line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="#888"/>`);
  parts.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 12}" text-anchor="middle">makespan (geometric mean, h)</text><text x="16" y="${(M.top + H - M.bottom) / 2}" transform="rotate(-90 16 ${(M.top + H - M.bottom) / 2})" text-anchor="middle">cost (geometric mean, USD)</text>`);
  for (const t of ticks(Math.min(...xs) * 0.95, Math.max(...xs) * 1.05)) parts.push(`<text x="${x(t).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle" fill="#555">${(t / 3600).toPrecision(3)}</text>`);
  for (const t of ticks(Math.min(...ys) * 0.95, Math.max(...ys) * 1.05)) parts.push(`<text x="${M.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" fill="#555">${t.toPrecision(3)}</text>`);
  for (const p of ok) {
    const c = colour.get(p.policy)!;
    const cx = x(p.makespanS);
    const cy = y(p.costUsd);
    parts.push(`<line x1="${x(p.makespanSCi[0]).toFixed(1)}" y1="${cy.toFixed(1)}" x2="${x(p.makespanSCi[1]).toFixed(1)}" y2="${cy.toFixed(1)}" stroke="${c}"/><line x1="${cx.toFixed(1)}" y1="${y(p.costUsdCi[0]).toFixed(1)}" x2="${cx.toFixed(1)}" y2="${y(p.costUsdCi[1]).toFixed(1)}" stroke="${c}"/>`);
    parts.push(`<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="5" fill="${c}"><title>${escapeXml(`${p.policy}: ${formatUsd(p.costUsd)}, ${formatDurationS(p.makespanS)}`)}</title></circle><text x="${(cx + 8).toFixed(1)}" y="${(cy - 6).toFixed(1)}">${escapeXml(p.policy)}</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

function slackCdfSvg(result: EvaluationResult, colour: ReadonlyMap<string, string>): string {
  const series = result.policies.map((p) => ({
    policy: p.policy,
    slack: result.cases.filter((c) => c.policy === p.policy && c.status !== 'error' && c.deadlineS !== null && c.deadlineS > 0).map((c) => (c.deadlineS! - c.makespanS) / c.deadlineS!).sort((a, b) => a - b),
  })).filter((s) => s.slack.length > 0);
  if (series.length === 0) return '<p>No workload has a deadline.</p>';
  const all = series.flatMap((s) => s.slack);
  const lo = Math.max(-2, Math.min(...all));
  const hi = Math.min(1, Math.max(...all));
  const x = scale(lo, hi, M.left, W - M.right);
  const y = scale(0, 1, H - M.bottom, M.top);
  const parts = [svgOpen('deadline slack CDF')];
  parts.push(`<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#888"/><line x1="${x(0).toFixed(1)}" y1="${M.top}" x2="${x(0).toFixed(1)}" y2="${H - M.bottom}" stroke="#c00" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 12}" text-anchor="middle">deadline slack (share of the deadline)</text><text x="${M.left - 6}" y="${M.top + 4}" text-anchor="end">1</text><text x="${M.left - 6}" y="${H - M.bottom}" text-anchor="end">0</text>`);
  for (const t of ticks(lo, hi)) parts.push(`<text x="${x(t).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle" fill="#555">${t.toFixed(2)}</text>`);
  series.forEach((s, i) => {
    const c = colour.get(s.policy)!;
    const points = s.slack.map((v, k) => `${x(Math.max(lo, Math.min(hi, v))).toFixed(1)},${y((k + 1) / s.slack.length).toFixed(1)}`);
    parts.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${x(lo).toFixed(1)},${y(0).toFixed(1)} ${points.join(' ')}"/>`);
    parts.push(`<rect x="${W - M.right - 150}" y="${M.top + i * 16}" width="10" height="10" fill="${c}"/><text x="${W - M.right - 134}" y="${M.top + 9 + i * 16}">${escapeXml(s.policy)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

function wastedSvg(policies: readonly PolicySummary[], colour: ReadonlyMap<string, string>): string {
  const height = M.top + policies.length * 24 + 20;
  const most = Math.max(1e-9, ...policies.map((p) => (Number.isFinite(p.wastedSlotHours) ? p.wastedSlotHours : 0)));
  const x = scale(0, most, 170, W - M.right - 60);
  const parts = [svgOpen('wasted compute per policy', height)];
  policies.forEach((p, i) => {
    const top = M.top + i * 24;
    const v = Number.isFinite(p.wastedSlotHours) ? p.wastedSlotHours : 0;
    parts.push(`<text x="160" y="${top + 13}" text-anchor="end">${escapeXml(p.policy)}</text><rect x="170" y="${top}" width="${(x(v) - 170).toFixed(1)}" height="16" fill="${colour.get(p.policy)!}"/><text x="${(x(v) + 6).toFixed(1)}" y="${top + 13}">${v.toFixed(2)} h</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

function htmlTable(policies: readonly PolicySummary[]): string {
  const rows = policies.map((p) => `<tr><td>${escapeXml(p.policy)}</td><td>${formatUsd(p.costUsd)}</td><td>${formatUsd(p.costUsdCi[0])} – ${formatUsd(p.costUsdCi[1])}</td><td>${formatDurationS(p.makespanS)}</td><td>${p.slotHours.toFixed(2)}</td><td>${p.wastedSlotHours.toFixed(2)}</td><td>${(p.deadlineMet * 100).toFixed(0)} %</td><td>${p.cases}</td></tr>`);
  return `<table><tr><th>policy</th><th>cost</th><th>95 % CI</th><th>makespan</th><th>slot-hours</th><th>wasted</th><th>deadline met</th><th>cases</th></tr>${rows.join('')}</table>`;
}

function lossesHtml(result: EvaluationResult): string {
  const losses = lossesOf(result);
  if (losses.length === 0) return `<h2>Where ${SUBJECT} lost</h2><p>Nowhere: on every case it was the cheapest at an equal or better deadline result${result.policies.some((p) => p.policy === SUBJECT) ? '' : ' (it was not evaluated)'}.</p>`;
  const rows = losses.slice(0, 30).map((l) => `<tr><td>${escapeXml(caseName(l.subject))}</td><td>${formatUsd(l.subject.costUsd)}</td><td>${escapeXml(l.winner.policy)}</td><td>${formatUsd(l.winner.costUsd)}</td><td>${formatDurationS(l.subject.makespanS)} / ${formatDurationS(l.winner.makespanS)}</td></tr>`);
  return `<h2>Where ${SUBJECT} lost (${losses.length} case(s))</h2><table><tr><th>case</th><th>${SUBJECT}</th><th>cheapest other</th><th>its cost</th><th>makespans</th></tr>${rows.join('')}</table>`;
}

/** About five round ticks in [lo, hi]. */
function ticks(lo: number, hi: number): number[] {
  if (!(hi > lo)) return [lo];
  const step = 10 ** Math.floor(Math.log10((hi - lo) / 5));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (hi - lo) / s <= 6) ?? step * 10;
  const out: number[] = [];
  for (let t = Math.ceil(lo / nice) * nice; t <= hi + 1e-12; t += nice) out.push(Number(t.toPrecision(12)));
  return out;
}
