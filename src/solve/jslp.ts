/**
 * javascript-lp-solver backend: the second, pure-JS backend, kept for comparison in the
 * benchmarks (ARCHITECTURE.md, "Solvers": it finds no integer solution beyond small models).
 *
 * Its JSON model: `variables: { v: { row: coefficient, … } }`, `constraints: { row: { min |
 * max | equal } }`, `ints`, `unrestricted`; variables are ≥ 0 unless unrestricted, so other
 * bounds become rows. Its `timeout` option (ms) only stops branch-and-cut; the root LP runs
 * to the end. On time-out it returns whatever point the tableau holds, marked `feasible`
 * even when fractional: only `isIntegral: true` plus an integrality check of our own make an
 * integer solution (`mapJslpResult`).
 */
import jslpModule from 'javascript-lp-solver';
import { monotonicMs } from '../util/clock.js';
import { classifyPoint, isIntegerModel, type LinearModel, type SolveOptions, type SolveResult, type Solver } from './solver.js';

const OBJECTIVE = '__objective';

interface JslpApi {
  Solve(model: unknown): unknown;
}

// The package's types describe the CommonJS shape; at run time the ESM default is the solver.
const jslp: JslpApi = (jslpModule as unknown as { default?: JslpApi }).default ?? (jslpModule as unknown as JslpApi);

/** The subset of javascript-lp-solver's simplified result this backend reads. */
export interface JslpRawResult {
  readonly feasible: boolean;
  readonly result: number;
  readonly bounded?: boolean;
  readonly isIntegral?: boolean;
  readonly [variable: string]: number | boolean | undefined;
}

interface JslpModel {
  optimize: string;
  opType: 'min';
  constraints: Record<string, { min?: number; max?: number; equal?: number }>;
  variables: Record<string, Record<string, number>>;
  ints: Record<string, 1>;
  unrestricted: Record<string, 1>;
  options: { timeout?: number; tolerance: number };
}

export function toJslpModel(model: LinearModel, options: SolveOptions): JslpModel {
  const variables: JslpModel['variables'] = {};
  const constraints: JslpModel['constraints'] = {};
  const ints: JslpModel['ints'] = {};
  const unrestricted: JslpModel['unrestricted'] = {};
  model.variables.forEach((v, j) => {
    const column: Record<string, number> = { [OBJECTIVE]: v.cost };
    const name = `v${j}`;
    if (v.lower < 0) unrestricted[name] = 1;
    if (v.lower !== 0 && Number.isFinite(v.lower)) {
      constraints[`lb${j}`] = { min: v.lower };
      column[`lb${j}`] = 1;
    }
    if (Number.isFinite(v.upper)) {
      constraints[`ub${j}`] = { max: v.upper };
      column[`ub${j}`] = 1;
    }
    if (v.integer && options.integer) ints[name] = 1;
    variables[name] = column;
  });
  model.constraints.forEach((row, i) => {
    const key = `r${i}`;
    constraints[key] = row.sense === '<=' ? { max: row.rhs } : row.sense === '>=' ? { min: row.rhs } : { equal: row.rhs };
    for (const t of row.terms) {
      const column = variables[`v${t.variable}`]!;
      column[key] = (column[key] ?? 0) + t.coefficient;
    }
  });
  const timeout = Math.max(1, Math.floor(options.timeLimitMs));
  return { optimize: OBJECTIVE, opType: 'min', constraints, variables, ints, unrestricted, options: { timeout, tolerance: options.relativeGap ?? 0 } };
}

/**
 * javascript-lp-solver's answer → SolveResult. A fractional point for an integer model is
 * `timeout-no-solution` even though the library says `feasible: true`.
 */
export function mapJslpResult(model: LinearModel, options: SolveOptions, raw: JslpRawResult, timeMs: number): SolveResult {
  const integerRun = options.integer && isIntegerModel(model);
  const timedOut = integerRun && timeMs >= options.timeLimitMs;
  if (!raw.feasible) {
    if (timedOut) return { state: 'timeout-no-solution', backend: 'jslp', timeMs };
    return { state: 'infeasible', backend: 'jslp', timeMs };
  }
  if (raw.bounded === false) return { state: 'unbounded', backend: 'jslp', timeMs };
  if (integerRun && raw.isIntegral !== true) {
    return { state: 'timeout-no-solution', backend: 'jslp', timeMs, message: timedOut ? 'time limit reached with only a fractional point' : 'no integral point found' };
  }
  const values = new Float64Array(model.variables.length);
  for (let j = 0; j < values.length; j++) {
    const value = raw[`v${j}`];
    values[j] = typeof value === 'number' ? value : 0; // the library omits zero values
  }
  const provenOptimal = !timedOut;
  const dualBound = integerRun ? undefined : raw.result + model.objectiveOffset;
  return classifyPoint(model, options, { backend: 'jslp', values, provenOptimal, timeMs, dualBound, timedOut });
}

export class JslpSolver implements Solver {
  readonly id = 'jslp' as const;

  close(): void {}

  async solve(model: LinearModel, options: SolveOptions): Promise<SolveResult> {
    const clock = options.clockMs ?? monotonicMs;
    const started = clock();
    try {
      const raw = jslp.Solve(toJslpModel(model, options)) as JslpRawResult;
      return mapJslpResult(model, options, raw, clock() - started);
    } catch (error) {
      return { state: 'error', backend: 'jslp', timeMs: clock() - started, message: error instanceof Error ? error.message : String(error) };
    }
  }
}
