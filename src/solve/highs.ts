/**
 * HiGHS backend (the `highs` package: HiGHS compiled to WASM).
 *
 * The model goes in as CPLEX LP text (`lp-format.ts`) through the persistent API
 * (`createModel({ format: 'lp' })`), which also reports the MIP dual bound that the one-shot
 * `solve()` does not. One runtime is loaded lazily and reused across calls; each call creates
 * and disposes its own native model (an undisposed model leaks WASM memory for the life of
 * the runtime). The compiled WebAssembly.Module is kept, so reloading costs an instantiate,
 * not a compile.
 *
 * Large models skip the text: measured here, HiGHS's LP reader in the WASM build took 5.8 s
 * to parse a 12 MB LP (160k columns), longer than any time limit the planner would set, so
 * above `lpTextMaxNonzeros` the same model goes in as CSR arrays (`createModel(ModelData)`), and
 * so does every pure LP whatever its size.
 *
 * Crash handling: a WASM abort (e.g. `RuntimeError: Aborted(...)` on input HiGHS cannot
 * read, or out-of-memory, cf. lovasoa/highs-js#9, #45) can leave the runtime's memory in an
 * unknown state. Any exception from the runtime therefore discards it; a crash is retried
 * once on a fresh runtime, and a second failure is reported as `state: 'error'`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Highs, InitOptions } from 'highs';
import { monotonicMs } from '../util/clock.js';
import { toLpText } from './lp-format.js';
import { classifyPoint, type LinearModel, type SolveOptions, type SolveResult, type Solver } from './solver.js';

type Loader = (options?: InitOptions) => Promise<Highs>;

/** HiGHS model status codes (highs.constants.modelStatus). */
const STATUS = { empty: 6, optimal: 7, infeasible: 8, unboundedOrInfeasible: 9, unbounded: 10, timeLimit: 13 } as const;
const PRIMAL_FEASIBLE = 2;

let compiledModule: WebAssembly.Module | undefined;

function wasmModule(): WebAssembly.Module {
  if (compiledModule === undefined) {
    const path = createRequire(import.meta.url).resolve('highs/runtime');
    compiledModule = new WebAssembly.Module(readFileSync(path));
  }
  return compiledModule;
}

/** The package's loader (its types describe the CommonJS shape; at run time the ESM default is the loader). */
export async function loadHighsRuntime(options?: InitOptions): Promise<Highs> {
  const loaded = (await import('highs')) as unknown as { default: Loader | { default: Loader } };
  const loader = typeof loaded.default === 'function' ? loaded.default : loaded.default.default;
  return loader(options);
}

export interface HighsSolverOptions {
  /** Injected in tests to simulate a crashing runtime. */
  readonly loader?: Loader;
  /** Above this many nonzeros the model is passed as arrays instead of LP text. Default 20 000. */
  readonly lpTextMaxNonzeros?: number;
}

type Input = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'arrays'; readonly integer: boolean };

function nonzeros(model: LinearModel): number {
  return model.constraints.reduce((n, row) => n + row.terms.length, 0);
}

function toModelData(highs: Highs, model: LinearModel, integer: boolean): Parameters<Highs['createModel']>[0] {
  const rows = model.constraints.length;
  const starts = new Int32Array(rows + 1);
  model.constraints.forEach((row, i) => {
    starts[i + 1] = starts[i]! + row.terms.length;
  });
  const indices = new Int32Array(starts[rows]!);
  const values = new Float64Array(starts[rows]!);
  const rowLower = new Float64Array(rows);
  const rowUpper = new Float64Array(rows);
  model.constraints.forEach((row, i) => {
    row.terms.forEach((t, k) => {
      indices[starts[i]! + k] = t.variable;
      values[starts[i]! + k] = t.coefficient;
    });
    rowLower[i] = row.sense === '<=' ? -highs.infinity : row.rhs;
    rowUpper[i] = row.sense === '>=' ? highs.infinity : row.rhs;
  });
  const cols = model.variables.length;
  return {
    numCols: cols,
    numRows: rows,
    colCost: Float64Array.from(model.variables, (v) => v.cost),
    colLower: Float64Array.from(model.variables, (v) => (v.lower === Number.NEGATIVE_INFINITY ? -highs.infinity : v.lower)),
    colUpper: Float64Array.from(model.variables, (v) => (v.upper === Number.POSITIVE_INFINITY ? highs.infinity : v.upper)),
    rowLower,
    rowUpper,
    matrix: { format: 'csr', numRows: rows, numCols: cols, starts, indices, values },
    integrality: Int32Array.from(model.variables, (v) => (integer && v.integer ? 1 : 0)),
  };
}

export class HighsSolver implements Solver {
  readonly id = 'highs' as const;
  /** Runtimes loaded so far (1 after first use; more after crashes). */
  loads = 0;
  private runtime: Promise<Highs> | undefined;
  private readonly loader: Loader;
  private readonly lpTextMaxNonzeros: number;

  constructor(options: HighsSolverOptions = {}) {
    this.loader = options.loader ?? loadHighsRuntime;
    this.lpTextMaxNonzeros = options.lpTextMaxNonzeros ?? 20_000;
  }

  close(): void {
    this.runtime = undefined;
  }

  async solve(model: LinearModel, options: SolveOptions): Promise<SolveResult> {
    const started = (options.clockMs ?? monotonicMs)();
    const relaxed: LinearModel = options.integer ? model : { ...model, variables: model.variables.map((v) => (v.integer ? { ...v, integer: false } : v)) };
    if (model.variables.length === 0) return classifyPoint(model, options, { backend: 'highs', values: new Float64Array(0), provenOptimal: true, timeMs: 0, timedOut: false });
    // An LP (what the bound solves, often several per plan) always goes in as arrays: the text
    // reader's cost is pure overhead there (measured: 5 ms vs 25–40 ms for a 481-column LP,
    // 131 ms vs 270 ms for 6k columns).
    if (!isMipRun(model, options) || nonzeros(model) > this.lpTextMaxNonzeros) return this.solveInput({ kind: 'arrays', integer: options.integer }, model, options, started);
    return this.solveInput({ kind: 'text', text: toLpText(relaxed) }, model, options, started);
  }

  /** Solves LP text whose columns are x0..x{n-1} of `model` (exposed for tests of crash recovery). */
  solveText(text: string, model: LinearModel, options: SolveOptions, started = (options.clockMs ?? monotonicMs)()): Promise<SolveResult> {
    return this.solveInput({ kind: 'text', text }, model, options, started);
  }

  private async solveInput(input: Input, model: LinearModel, options: SolveOptions, started: number): Promise<SolveResult> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 2; attempt++) {
      let highs: Highs;
      try {
        highs = await this.load();
      } catch (error) {
        this.runtime = undefined;
        return { state: 'error', backend: 'highs', timeMs: (options.clockMs ?? monotonicMs)() - started, message: `could not load HiGHS: ${messageOf(error)}` };
      }
      try {
        return this.run(highs, input, model, options, started);
      } catch (error) {
        // The runtime may be corrupted after any native failure: never reuse it.
        this.runtime = undefined;
        lastError = error;
        if (!isCrash(error)) break;
      }
    }
    return { state: 'error', backend: 'highs', timeMs: (options.clockMs ?? monotonicMs)() - started, message: messageOf(lastError) };
  }

  private load(): Promise<Highs> {
    if (this.runtime === undefined) {
      this.loads++;
      this.runtime = this.loader({ wasmModule: wasmModule() });
    }
    return this.runtime;
  }

  private run(highs: Highs, input: Input, model: LinearModel, options: SolveOptions, started: number): SolveResult {
    const native = highs.createModel(input.kind === 'text' ? { format: 'lp', data: input.text } : toModelData(highs, model, input.integer));
    const byName = input.kind === 'text';
    try {
      const remainingS = Math.max(0.001, (options.timeLimitMs - ((options.clockMs ?? monotonicMs)() - started)) / 1000);
      native.options.set({ output_flag: false, time_limit: remainingS, mip_rel_gap: options.relativeGap ?? 1e-4 });
      native.run();
      let status = native.getModelStatus();
      if (status === STATUS.unboundedOrInfeasible) {
        // Presolve could not tell which; the simplex without presolve can.
        native.options.set({ presolve: 'off', time_limit: Math.max(0.001, (options.timeLimitMs - ((options.clockMs ?? monotonicMs)() - started)) / 1000) });
        native.run();
        status = native.getModelStatus();
      }
      const timeMs = (options.clockMs ?? monotonicMs)() - started;
      if (status === STATUS.infeasible) return { state: 'infeasible', backend: 'highs', timeMs };
      if (status === STATUS.unbounded) return { state: 'unbounded', backend: 'highs', timeMs };
      if (status === STATUS.unboundedOrInfeasible) return { state: 'infeasible', backend: 'highs', timeMs, message: 'HiGHS: primal infeasible or unbounded' };
      const hasPoint = Number(native.info.get('primal_solution_status')) === PRIMAL_FEASIBLE;
      if (!hasPoint) {
        if (status === STATUS.timeLimit) return { state: 'timeout-no-solution', backend: 'highs', timeMs };
        return { state: 'error', backend: 'highs', timeMs, message: `HiGHS model status ${status}` };
      }
      const values = byName ? columnValues(native, model.variables.length) : Float64Array.from(native.getSolution().colValue);
      const rowDuals = !isMipRun(model, options) && provenOptimalStatus(status) ? (byName ? rowDualValues(native, model.constraints.length) : Float64Array.from(native.getSolution().rowDual)) : undefined;
      const isMip = isMipRun(model, options);
      const provenOptimal = provenOptimalStatus(status);
      let dualBound: number | undefined;
      if (isMip) {
        const bound = Number(native.info.get('mip_dual_bound'));
        if (Number.isFinite(bound)) dualBound = bound + model.objectiveOffset;
      } else if (provenOptimal) {
        dualBound = native.getObjectiveValue() + model.objectiveOffset;
      }
      return classifyPoint(model, options, { backend: 'highs', values, provenOptimal, timeMs, dualBound, rowDuals, timedOut: status === STATUS.timeLimit });
    } finally {
      native.dispose();
    }
  }
}

function isMipRun(model: LinearModel, options: SolveOptions): boolean {
  return options.integer && model.variables.some((v) => v.integer);
}

function provenOptimalStatus(status: number): boolean {
  return status === STATUS.optimal || status === STATUS.empty;
}

/** Row duals in model order (rows are named c0, c1, … in the LP text). */
function rowDualValues(native: ReturnType<Highs['createModel']>, count: number): Float64Array | undefined {
  const dual = native.getSolution().rowDual;
  const out = new Float64Array(count);
  const rows = native.getDimensions().numRows;
  for (let r = 0; r < rows; r++) {
    const name = native.getRowName(r);
    if (!name.startsWith('c') || name === 'c_empty') continue;
    const i = Number(name.slice(1));
    if (i >= 0 && i < count) out[i] = dual[r]!;
  }
  return out;
}

/** Column values in model order: HiGHS numbers columns by first appearance, so map by name. */
function columnValues(native: ReturnType<Highs['createModel']>, count: number): Float64Array {
  const solution = native.getSolution().colValue;
  const values = new Float64Array(count);
  const columns = native.getDimensions().numCols;
  for (let c = 0; c < columns; c++) {
    const name = native.getColName(c);
    if (name.startsWith('x')) {
      const j = Number(name.slice(1));
      if (j >= 0 && j < count) values[j] = solution[c]!;
    }
  }
  return values;
}

function isCrash(error: unknown): boolean {
  return error instanceof WebAssembly.RuntimeError || (error instanceof Error && /abort|out of memory|unreachable|memory access/i.test(error.message));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
