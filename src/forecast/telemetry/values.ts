/**
 * One value of a series: its text → a number or "missing", and the range its metric allows.
 */
import type { TelemetryMetric } from '../../model/telemetry-section.js';

export interface ValueRule {
  readonly min: number;
  readonly max: number;
  /** What a value is, for messages: "a percentage", "slots". */
  readonly what: string;
}

/** The values each metric can take; anything outside is an error (a wrong column, a unit mistake), not noise. */
export function valueRuleOf(metric: TelemetryMetric): ValueRule {
  switch (metric) {
    case 'utilisation':
      return { min: 0, max: 100, what: 'a percentage (0–100)' };
    case 'utilisation-fraction':
      return { min: 0, max: 1, what: 'a fraction (0–1)' };
    case 'free-slots':
    case 'available-slots':
      return { min: 0, max: Number.POSITIVE_INFINITY, what: 'a slot count (>= 0)' };
    case 'price':
      return { min: 0, max: Number.POSITIVE_INFINITY, what: 'a price in USD per slot-hour (>= 0)' };
    case 'interruptions':
      return { min: Number.NEGATIVE_INFINITY, max: Number.POSITIVE_INFINITY, what: 'an event time' };
  }
}

/** Why `value` breaks `rule`, or undefined when it is within it. */
export function outOfRange(value: number, rule: ValueRule): string | undefined {
  if (value < rule.min) return `${value} is below ${rule.min}: expected ${rule.what}`;
  if (value > rule.max) return `${value} is above ${rule.max}: expected ${rule.what}`;
  return undefined;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** What exporters write for "no value": empty, NaN (Prometheus, pandas), NA (R), null/None (JSON, Python), ±Inf (a division by zero). */
const MISSING = /^(?:|nan|na|n\/a|null|none|[+-]?inf(?:inity)?)$/i;

export type ValueCell = { readonly kind: 'number'; readonly value: number } | { readonly kind: 'missing'; readonly infinite: boolean } | { readonly kind: 'bad' };

export function readValueCell(cell: string): ValueCell {
  const text = cell.trim();
  if (DECIMAL.test(text)) {
    const value = Number(text);
    if (Number.isFinite(value)) return { kind: 'number', value };
    return { kind: 'missing', infinite: true };
  }
  if (MISSING.test(text)) return { kind: 'missing', infinite: /inf/i.test(text) };
  return { kind: 'bad' };
}
