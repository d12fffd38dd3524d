/**
 * LP/ILP behind one small interface (ARCHITECTURE.md, "Solvers"): minimise a linear objective
 * over bounded variables subject to linear rows, some variables integer. Two backends:
 * HiGHS compiled to WASM (`highs`, the default) and javascript-lp-solver (`jslp`).
 *
 * Results are a union on `state`. `optimal` and `feasible` always carry values that satisfy
 * every row and bound (within `FEASIBILITY_TOLERANCE`) and, when integers were asked for,
 * are integral: a backend that stops with a fractional point reports `timeout-no-solution`,
 * never `feasible` (javascript-lp-solver marks such points feasible on time-out).
 */
import type { ClockMs } from '../util/clock.js';

export type RowSense = '<=' | '>=' | '=';

export interface LinearTerm {
  readonly variable: number;
  readonly coefficient: number;
}

export interface LinearVariable {
  readonly name: string;
  /** -Infinity for no lower bound. */
  readonly lower: number;
  /** Infinity for no upper bound. */
  readonly upper: number;
  /** Objective coefficient (minimised). */
  readonly cost: number;
  readonly integer: boolean;
}

export interface LinearConstraint {
  readonly name: string;
  readonly terms: readonly LinearTerm[];
  readonly sense: RowSense;
  readonly rhs: number;
}

/** minimise offset + Σ cost_j x_j  s.t. rows, lower ≤ x ≤ upper, x_j integer where asked. */
export interface LinearModel {
  readonly variables: readonly LinearVariable[];
  readonly constraints: readonly LinearConstraint[];
  readonly objectiveOffset: number;
}

export interface SolveOptions {
  /** Wall-clock budget for the backend's search (model translation is not interruptible). */
  readonly timeLimitMs: number;
  /** false: drop integrality and solve the LP relaxation. */
  readonly integer: boolean;
  /** MIP: stop when (incumbent − dual bound) / |incumbent| ≤ this. Default 1e-4. */
  readonly relativeGap?: number;
  /** The clock `timeLimitMs` is measured on (default: monotonicMs). */
  readonly clockMs?: ClockMs;
}

export type BackendId = 'highs' | 'jslp';

interface Solved {
  readonly backend: BackendId;
  readonly objective: number;
  /** Value of each variable, in model order. */
  readonly values: Float64Array;
  /** Every integer variable holds an integer value (true for an LP: nothing to hold). */
  readonly integral: boolean;
  readonly timeMs: number;
  /** A proven lower bound on the optimum (MIP: the backend's dual bound; LP: the optimum). */
  readonly dualBound?: number;
  /**
   * LP only, where the backend reports them (HiGHS): row duals y with c − Aᵀy the reduced
   * costs, from which `lagrangianBound` derives a bound that does not lean on tolerances.
   */
  readonly rowDuals?: Float64Array;
}

export type SolveResult =
  | (Solved & { readonly state: 'optimal' })
  /** A solution satisfying every row, bound and integrality, not proven optimal (time limit). */
  | (Solved & { readonly state: 'feasible' })
  | { readonly state: 'infeasible' | 'unbounded' | 'timeout-no-solution'; readonly backend: BackendId; readonly timeMs: number; readonly message?: string }
  | { readonly state: 'error'; readonly backend: BackendId; readonly timeMs: number; readonly message: string };

export interface Solver {
  readonly id: BackendId;
  solve(model: LinearModel, options: SolveOptions): Promise<SolveResult>;
  /** Releases what the backend holds (the loaded WASM runtime); the solver reloads on next use. */
  close(): void;
}

/** Rows and bounds are checked to this absolute-plus-relative tolerance; integrality likewise. */
export const FEASIBILITY_TOLERANCE = 1e-6;

/** Builds a LinearModel incrementally; variables are referred to by the index `addVariable` returns. */
export class ModelBuilder {
  private readonly variables: LinearVariable[] = [];
  private readonly constraints: LinearConstraint[] = [];
  private offset = 0;

  get variableCount(): number {
    return this.variables.length;
  }

  get integerCount(): number {
    return this.variables.reduce((n, v) => n + (v.integer ? 1 : 0), 0);
  }

  addVariable(name: string, bounds: { lower?: number; upper?: number; cost?: number; integer?: boolean } = {}): number {
    this.variables.push({ name, lower: bounds.lower ?? 0, upper: bounds.upper ?? Number.POSITIVE_INFINITY, cost: bounds.cost ?? 0, integer: bounds.integer ?? false });
    return this.variables.length - 1;
  }

  /** Adds `coefficient` to the objective coefficient of a variable. */
  addCost(variable: number, coefficient: number): void {
    const v = this.variables[variable]!;
    this.variables[variable] = { ...v, cost: v.cost + coefficient };
  }

  addOffset(value: number): void {
    this.offset += value;
  }

  /** Terms on the same variable are merged; zero coefficients dropped. */
  addConstraint(name: string, terms: readonly LinearTerm[], sense: RowSense, rhs: number): void {
    const merged = new Map<number, number>();
    for (const t of terms) merged.set(t.variable, (merged.get(t.variable) ?? 0) + t.coefficient);
    const clean = [...merged].filter(([, c]) => c !== 0).map(([variable, coefficient]) => ({ variable, coefficient }));
    this.constraints.push({ name, terms: clean, sense, rhs });
  }

  build(): LinearModel {
    return { variables: [...this.variables], constraints: [...this.constraints], objectiveOffset: this.offset };
  }
}

export function isIntegerModel(model: LinearModel): boolean {
  return model.variables.some((v) => v.integer);
}

export function objectiveOf(model: LinearModel, values: ArrayLike<number>): number {
  let total = model.objectiveOffset;
  model.variables.forEach((v, j) => {
    total += v.cost * values[j]!;
  });
  return total;
}

function near(value: number, target: number): boolean {
  return Math.abs(value - target) <= FEASIBILITY_TOLERANCE * (1 + Math.abs(target));
}

/** Every integer variable within tolerance of an integer. */
export function allIntegral(model: LinearModel, values: ArrayLike<number>): boolean {
  return model.variables.every((v, j) => !v.integer || near(values[j]!, Math.round(values[j]!)));
}

/**
 * The first violated bound or row, or undefined when `values` satisfies the model (each
 * side scaled by 1 + the largest magnitude in the row, so long rows are not judged harsher).
 */
export function violation(model: LinearModel, values: ArrayLike<number>): string | undefined {
  for (let j = 0; j < model.variables.length; j++) {
    const v = model.variables[j]!;
    const x = values[j]!;
    if (!Number.isFinite(x)) return `${v.name} = ${x}`;
    if (x < v.lower && !near(x, v.lower)) return `${v.name} = ${x} < ${v.lower}`;
    if (x > v.upper && !near(x, v.upper)) return `${v.name} = ${x} > ${v.upper}`;
  }
  for (const row of model.constraints) {
    let activity = 0;
    let scale = Math.abs(row.rhs);
    for (const t of row.terms) {
      const term = t.coefficient * values[t.variable]!;
      activity += term;
      scale = Math.max(scale, Math.abs(term));
    }
    const slack = FEASIBILITY_TOLERANCE * (1 + scale);
    const bad = row.sense === '<=' ? activity > row.rhs + slack : row.sense === '>=' ? activity < row.rhs - slack : Math.abs(activity - row.rhs) > slack;
    if (bad) return `row ${row.name}: ${activity} ${row.sense} ${row.rhs}`;
  }
  return undefined;
}

/**
 * Maps a backend's point to a result honestly: a point that breaks a row or bound is an
 * error; a fractional point for an integer request is no integer solution.
 */
export function classifyPoint(
  model: LinearModel,
  options: SolveOptions,
  point: { backend: BackendId; values: Float64Array; provenOptimal: boolean; timeMs: number; dualBound?: number | undefined; rowDuals?: Float64Array | undefined; timedOut: boolean },
): SolveResult {
  const { backend, values, timeMs } = point;
  const problem = violation(model, values);
  if (problem !== undefined) return { state: 'error', backend, timeMs, message: `backend returned a point that violates the model: ${problem}` };
  const wantInteger = options.integer && isIntegerModel(model);
  const integral = allIntegral(model, values);
  if (wantInteger && !integral) {
    return { state: 'timeout-no-solution', backend, timeMs, message: point.timedOut ? 'time limit reached with only a fractional point' : 'backend returned a fractional point for an integer model' };
  }
  const solved = {
    backend,
    objective: objectiveOf(model, values),
    values,
    integral,
    timeMs,
    ...(point.dualBound !== undefined ? { dualBound: point.dualBound } : {}),
    ...(point.rowDuals !== undefined ? { rowDuals: point.rowDuals } : {}),
  };
  return point.provenOptimal ? { ...solved, state: 'optimal' } : { ...solved, state: 'feasible' };
}

/**
 * A lower bound on min { cᵀx : rows, lower ≤ x ≤ upper } from any row multipliers y, by
 * Lagrangian duality: for y_i ≥ 0 on ≥ rows, ≤ 0 on ≤ rows, free on = rows,
 *     cᵀx ≥ Σ_i y_i b_i + Σ_j (c_j − A_jᵀy) x_j ≥ Σ_i y_i b_i + Σ_j min over [lower_j, upper_j] of (c_j − A_jᵀy) x_j
 * for every feasible x. Multipliers of the wrong sign are set to 0 (still a valid bound), so
 * the result is exact arithmetic on whatever the solver returned, not a trust in its
 * tolerances; a variable unbounded on the side its reduced cost points to makes it −Infinity.
 * Rounding in this evaluation is covered by a relative 1e-12 of the summed magnitudes.
 */
export function lagrangianBound(model: LinearModel, rowDuals: ArrayLike<number>): number {
  const reduced = model.variables.map((v) => v.cost);
  const y = new Float64Array(model.constraints.length);
  let total = model.objectiveOffset;
  let magnitude = Math.abs(total);
  model.constraints.forEach((row, i) => {
    let yi = rowDuals[i] ?? 0;
    if ((row.sense === '>=' && yi < 0) || (row.sense === '<=' && yi > 0) || !Number.isFinite(yi)) yi = 0;
    y[i] = yi;
    total += yi * row.rhs;
    magnitude += Math.abs(yi * row.rhs);
    for (const t of row.terms) reduced[t.variable] = reduced[t.variable]! - yi * t.coefficient;
  });
  for (let j = 0; j < reduced.length; j++) {
    const r = reduced[j]!;
    if (r === 0) continue;
    const at = r > 0 ? model.variables[j]!.lower : model.variables[j]!.upper;
    if (!Number.isFinite(at)) return Number.NEGATIVE_INFINITY;
    total += r * at;
    magnitude += Math.abs(r * at);
  }
  return total - 1e-12 * magnitude;
}
