/**
 * What a run used, per pool (issue 11): slot-seconds held by every attempt from its start to its
 * end, the part held by attempts that did not commit, and that time priced at the pool's price
 * over each attempt's own window (the availability's price series where it varies). This is what
 * a policy comparison charges: a cancelled replica or an interrupted attempt costs what it held.
 */
import { slotPriceUsd } from '../cost/price.js';
import type { Problem } from '../model/problem.js';
import type { PoolUsage } from './recovery.js';

export class UsageMeter {
  private readonly busySlotS: Float64Array;
  private readonly wastedSlotS: Float64Array;
  private readonly computeUsd: Float64Array;

  constructor(private readonly problem: Problem) {
    const P = problem.pools.count;
    this.busySlotS = new Float64Array(P);
    this.wastedSlotS = new Float64Array(P);
    this.computeUsd = new Float64Array(P);
  }

  /** One attempt that held a slot of pool p over [startS, finishS] (plan seconds); `committed` when its result was the one kept. */
  add(p: number, startS: number, finishS: number, committed: boolean): void {
    const heldS = finishS - startS;
    if (!(heldS > 0)) return;
    this.busySlotS[p]! += heldS;
    if (!committed) this.wastedSlotS[p]! += heldS;
    this.computeUsd[p]! += slotPriceUsd(this.problem, p, startS, finishS);
  }

  report(): PoolUsage[] {
    return this.problem.pools.ids.map((pool, p) => ({ pool, busySlotS: this.busySlotS[p]!, wastedSlotS: this.wastedSlotS[p]!, computeUsd: this.computeUsd[p]! }));
  }
}
