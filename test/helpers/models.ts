/** Linear models shared by the solver tests and bench:solver. */
import { ModelBuilder, type LinearModel } from '../../src/solve/solver.js';

/**
 * P||Cmax: jobs × machines binary assignment minimising the makespan. Many near-equivalent
 * optima make it slow to prove optimal, which is what the time-limit checks need.
 */
export function assignmentModel(jobs: number, machines: number): LinearModel {
  const b = new ModelBuilder();
  const T = b.addVariable('T', { cost: 1 });
  const x: number[][] = [];
  for (let j = 0; j < jobs; j++) {
    x.push(Array.from({ length: machines }, (_, m) => b.addVariable(`x${j}_${m}`, { integer: true, upper: 1 })));
    b.addConstraint(`job${j}`, x[j]!.map((v) => ({ variable: v, coefficient: 1 })), '=', 1);
  }
  for (let m = 0; m < machines; m++) {
    const terms = x.map((row, j) => ({ variable: row[m]!, coefficient: 10 + ((j * 37 + m * 11) % 97) + (m + 1) * 0.01 * j }));
    b.addConstraint(`machine${m}`, [...terms, { variable: T, coefficient: -1 }], '<=', 0);
  }
  return b.build();
}
