/**
 * CPLEX LP text for a LinearModel, as HiGHS reads it.
 *
 * Variables are written as x0, x1, … and rows as c0, c1, … (model names may hold characters
 * the LP grammar rejects, and a name like `e1` would read as an exponent), so the backend
 * maps columns back by index. Expressions are wrapped every few terms: older HiGHS LP
 * readers capped lines at 255 characters (ERGO-Code/HiGHS#701), and a continuation line is
 * always accepted. The objective lists every variable (zero costs included) so each one is
 * declared even if no row mentions it.
 */
import type { LinearModel, LinearTerm } from './solver.js';

const TERMS_PER_LINE = 8;

/** Shortest round-tripping decimal; LP readers accept exponents such as 1e-7. */
function num(value: number): string {
  return Object.is(value, -0) ? '0' : String(value);
}

function expression(terms: readonly LinearTerm[], out: string[], head: string): void {
  let line = head;
  if (terms.length === 0) {
    out.push(`${line} 0 x0`);
    return;
  }
  terms.forEach((t, i) => {
    const sign = t.coefficient < 0 ? '-' : '+';
    const magnitude = num(Math.abs(t.coefficient));
    line += i === 0 && sign === '+' ? ` ${magnitude} x${t.variable}` : ` ${sign} ${magnitude} x${t.variable}`;
    if ((i + 1) % TERMS_PER_LINE === 0 && i + 1 < terms.length) {
      out.push(line);
      line = '   ';
    }
  });
  out.push(line);
}

export function toLpText(model: LinearModel): string {
  const out: string[] = ['Minimize'];
  expression(
    model.variables.map((v, j) => ({ variable: j, coefficient: v.cost })),
    out,
    ' obj:',
  );
  out.push('Subject To');
  model.constraints.forEach((row, i) => {
    const lines: string[] = [];
    expression(row.terms, lines, ` c${i}:`);
    lines[lines.length - 1] += ` ${row.sense} ${num(row.rhs)}`;
    out.push(...lines);
  });
  if (model.constraints.length === 0) out.push(' c_empty: 0 x0 >= 0');
  out.push('Bounds');
  model.variables.forEach((v, j) => {
    const lower = v.lower === Number.NEGATIVE_INFINITY ? '-inf' : num(v.lower);
    const upper = v.upper === Number.POSITIVE_INFINITY ? '+inf' : num(v.upper);
    if (lower === '-inf' && upper === '+inf') out.push(` x${j} free`);
    else out.push(` ${lower} <= x${j} <= ${upper}`);
  });
  const integers = model.variables.flatMap((v, j) => (v.integer ? [`x${j}`] : []));
  if (integers.length > 0) {
    out.push('Generals');
    for (let i = 0; i < integers.length; i += TERMS_PER_LINE * 2) out.push(` ${integers.slice(i, i + TERMS_PER_LINE * 2).join(' ')}`);
  }
  out.push('End', '');
  return out.join('\n');
}
