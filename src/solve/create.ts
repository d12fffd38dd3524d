/** The solver backends behind one constructor (kept apart from solver.ts, which the backends import). */
import { HighsSolver } from './highs.js';
import { JslpSolver } from './jslp.js';
import type { BackendId, Solver } from './solver.js';

export function createSolver(id: BackendId = 'highs'): Solver {
  return id === 'highs' ? new HighsSolver() : new JslpSolver();
}
