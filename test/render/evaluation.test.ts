import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CaseResult, EvaluationResult, PolicySummary } from '../../src/evaluate/types.js';
import { lossesOf, renderEvaluationHtml, renderEvaluationText } from '../../src/render/evaluation.js';
import { parseXml } from './xml.js';

function row(policy: string, offsetS: number, costUsd: number, makespanS: number, deadlineMet: boolean): CaseResult {
  return { policy, workload: 'w<&>', trace: 't', offsetS, seed: 1, status: 'succeeded', costUsd, makespanS, deadlineS: 3600, deadlineMet, slotHours: costUsd, wastedSlotHours: costUsd / 10, attempts: 10, replans: 0, moves: 0 };
}

function summary(policy: string, costUsd: number, makespanS: number): PolicySummary {
  return { policy, cases: 2, costUsd, makespanS, slotHours: costUsd, deadlineMet: 0.5, costUsdCi: [costUsd * 0.9, costUsd * 1.1], makespanSCi: [makespanS * 0.9, makespanS * 1.1], wastedSlotHours: costUsd / 10 };
}

const result: EvaluationResult = {
  kind: 'apportion.evaluation',
  version: 1,
  seed: 7,
  workloads: ['w<&>'],
  traces: [{ id: 't', source: 'generated' }],
  policies: [summary('apportion', 2, 3000), summary('replicas-2', 4, 2800), summary('retry-in-place', 3, 3500)],
  cases: [
    row('apportion', 0, 1, 3000, true),
    row('replicas-2', 0, 4, 2800, true),
    row('retry-in-place', 0, 3, 3500, true),
    // At offset 3600 apportion costs more than retry-in-place, which also met the deadline: a loss.
    row('apportion', 3600, 5, 3000, true),
    row('replicas-2', 3600, 4, 2800, true),
    row('retry-in-place', 3600, 2, 4000, false),
  ],
};

test('losses: only against rivals with an equal or better deadline result', () => {
  const losses = lossesOf(result);
  assert.is(losses.length, 1);
  assert.is(losses[0]!.subject.offsetS, 3600);
  // retry-in-place was cheaper (2) but missed the deadline: the loss is against replicas-2 (4).
  assert.is(losses[0]!.winner.policy, 'replicas-2');
});

test('text report: a row per policy and the loss named', () => {
  const text = renderEvaluationText(result);
  for (const p of ['apportion', 'replicas-2', 'retry-in-place']) assert.match(text, new RegExp(`^${p}\\s`, 'm'));
  assert.match(text, /where apportion lost/);
  assert.match(text, /against replicas-2/);
});

test('html report: well-formed, self-contained, three figures, text escaped', () => {
  const html = renderEvaluationHtml(result);
  assert.not.match(html, /<script|https?:\/\/(?!www\.w3\.org)/);
  const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
  assert.is(svgs.length, 3);
  for (const svg of svgs) parseXml(svg);
  assert.match(html, /w&lt;&amp;&gt;/);
  assert.not.match(html, /NaN|undefined|Infinity/);
  // One marker per policy in the cost/makespan figure.
  assert.is((svgs[0]!.match(/<circle /g) ?? []).length, 3);
});

test.run();
