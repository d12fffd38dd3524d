/**
 * Divisible stages: how many units each pool takes, and how big its chunks are.
 *
 * Divisible-load theory (Bharadwaj, Ghose & Robertazzi 1996): with pool p processing
 * thr_p units/s after a start offset a_p, all pools finish together at
 *
 *   T = (N + Σ thr_p a_p) / Σ thr_p,   units_p = thr_p (T − a_p).
 *
 * Which pools to use is an objective question: each pool also costs c_p USD per unit.
 * We try prefixes of the pools sorted by cost per unit and by throughput and keep the set
 * with the least usdPerS × T + Σ units_p c_p.
 *
 * Chunk size trades per-chunk overhead o against interruption rework: a chunk of work d
 * under hazard λ takes (e^{λ(d+o)} − 1)/λ in expectation, so the time per unit of work is
 * g(d) = (e^{λ(d+o)} − 1)/(λ d), minimised numerically (near √(2o/λ) for small λ, as in
 * Young's checkpoint interval). Without hazard, one chunk per slot is best.
 */
import { usdPerSecond } from '../model/objective.js';
import type { Problem } from '../model/problem.js';
import { expectedWithRework, speedOf } from '../model/subtasks.js';
import type { DivisibleStage } from '../model/types.js';
import { transferS } from '../model/tables.js';
import { clampChunkCount } from './partition.js';

export interface PoolShare {
  readonly pool: number;
  readonly units: number;
  readonly chunks: number;
}

interface PoolRate {
  readonly pool: number;
  /** Units per second over all slots of the pool, chunk overhead and rework included. */
  readonly unitsPerS: number;
  readonly offsetS: number;
  readonly usdPerUnit: number;
  /** Best chunk duration (work seconds), Infinity = one chunk per slot. */
  readonly chunkWorkS: number;
}

/** Work seconds per chunk minimising expected time per unit of work (golden-section on log d). */
export function bestChunkWorkS(overheadS: number, hazardPerS: number): number {
  if (hazardPerS <= 0) return Number.POSITIVE_INFINITY;
  const g = (logD: number): number => {
    const d = Math.exp(logD);
    return expectedWithRework(d + overheadS, hazardPerS) / d;
  };
  let lo = Math.log(1e-3);
  let hi = Math.log(100 / hazardPerS);
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 80; i++) {
    const a = hi - phi * (hi - lo);
    const b = lo + phi * (hi - lo);
    if (g(a) < g(b)) hi = b;
    else lo = a;
  }
  return Math.exp((lo + hi) / 2);
}

function poolRate(problem: Problem, v: number, stage: DivisibleStage, p: number, stageStartS: number): PoolRate | undefined {
  const P = problem.pools.count;
  if (problem.stageFeasible[v * P + p] === 0) return undefined;
  const pools = problem.pools;
  const known = problem.stageKnownRuntimeS[v * P + p]!;
  const perUnitS = Number.isNaN(known) ? problem.stageWorkS[v]! / stage.units / speedOf(problem, v, p) : known / stage.units;
  const overheadS = pools.dispatchOverheadS[p]! + stage.overheadS / speedOf(problem, v, p);
  const hazard = pools.hazardPerS[p]!;
  const chunkWorkS = bestChunkWorkS(overheadS, hazard);
  // Inputs from outside the job: per-unit transfer time and egress, per-chunk latency.
  let transferPerUnitS = 0;
  let egressPerUnit = 0;
  let latencyS = 0;
  const region = pools.regionIndex[p]!;
  const R = problem.network.regionCount;
  for (let k = problem.externalStart[v]!; k < problem.externalStart[v + 1]!; k++) {
    const from = problem.externalRegion[k]!;
    const bytesPerUnit = problem.externalBytes[k]! / stage.units;
    const full = transferS(problem.network, from, region, bytesPerUnit);
    const latency = problem.network.latencyS[from * R + region]!;
    transferPerUnitS += full - latency;
    latencyS = Math.max(latencyS, latency);
    egressPerUnit += bytesPerUnit * problem.network.egressUsdPerByte[from * R + region]!;
  }
  const chunkUnits = Number.isFinite(chunkWorkS) ? Math.max(1, chunkWorkS / Math.max(perUnitS, 1e-12)) : stage.units;
  const chunkS = expectedWithRework(chunkUnits * perUnitS + overheadS, hazard);
  const perUnitExpectedS = chunkS / chunkUnits;
  const slots = pools.slots[p]!;
  return {
    pool: p,
    unitsPerS: slots / (perUnitExpectedS + transferPerUnitS),
    // Start-up only delays a pool if it is not up yet when the stage can start.
    offsetS: Math.max(0, pools.startupS[p]! - stageStartS) + latencyS + (Number.isFinite(chunkWorkS) ? 0 : overheadS),
    usdPerUnit: perUnitExpectedS * pools.priceUsdPerSlotS[p]! + egressPerUnit,
    chunkWorkS,
  };
}

/** Equal-finish split over a pool set; undefined if some pool would get nothing. */
function equalFinish(rates: readonly PoolRate[], units: number): { finishS: number; shares: number[] } | undefined {
  let throughput = 0;
  let weighted = 0;
  for (const r of rates) {
    throughput += r.unitsPerS;
    weighted += r.unitsPerS * r.offsetS;
  }
  const finishS = (units + weighted) / throughput;
  const shares = rates.map((r) => r.unitsPerS * (finishS - r.offsetS));
  return shares.every((x) => x > 0) ? { finishS, shares } : undefined;
}

/**
 * Units and chunks per pool for divisible stage v, which can start at about `stageStartS`
 * (when its inputs are expected); `durationS` is the predicted time from then to its end.
 */
export function splitDivisible(problem: Problem, v: number, stageStartS = 0): { shares: PoolShare[]; durationS: number } {
  const stage = problem.definition.stages[v]! as DivisibleStage;
  const rates: PoolRate[] = [];
  for (let p = 0; p < problem.pools.count; p++) {
    const rate = poolRate(problem, v, stage, p, stageStartS);
    if (rate !== undefined) rates.push(rate);
  }
  const usdPerS = usdPerSecond(problem.objective);
  const orders = [
    [...rates].sort((a, b) => a.usdPerUnit - b.usdPerUnit || b.unitsPerS - a.unitsPerS),
    [...rates].sort((a, b) => b.unitsPerS - a.unitsPerS || a.usdPerUnit - b.usdPerUnit),
  ];
  let best: { score: number; tie: number; rates: PoolRate[]; shares: number[]; finishS: number } | undefined;
  for (const sorted of orders) {
    for (let k = 1; k <= sorted.length; k++) {
      const subset = sorted.slice(0, k);
      const split = equalFinish(subset, stage.units);
      if (split === undefined) continue;
      const usd = split.shares.reduce((sum, x, i) => sum + x * subset[i]!.usdPerUnit, 0);
      const score = Number.isFinite(usdPerS) ? usdPerS * split.finishS + usd : split.finishS;
      const tie = Number.isFinite(usdPerS) ? split.finishS : usd;
      if (best === undefined || score < best.score || (score === best.score && tie < best.tie)) best = { score, tie, rates: subset, shares: split.shares, finishS: split.finishS };
    }
  }
  if (best === undefined) return { shares: [], durationS: 0 };
  return { shares: toChunks(problem, stage, best.rates, roundShares(best.shares, stage.units, stage.minChunk)), durationS: best.finishS };
}

/** Integer unit counts summing to `units` (largest remainder), dropping shares below minChunk. */
function roundShares(shares: readonly number[], units: number, minChunk: number): number[] {
  const kept: number[] = shares.map((x) => (x >= minChunk ? x : 0));
  if (!kept.some((x) => x > 0)) {
    // Too small to split at all: the pool with the largest share takes everything.
    const largest = shares.indexOf(Math.max(...shares));
    kept[largest] = 1;
  }
  const total = kept.reduce((a, b) => a + b, 0);
  const scaled = kept.map((x) => (x / total) * units);
  const out = scaled.map(Math.floor);
  let missing = units - out.reduce((a, b) => a + b, 0);
  const byRemainder = scaled.map((x, i) => [x - Math.floor(x), i] as const).filter(([, i]) => kept[i]! > 0).sort((a, b) => b[0] - a[0]);
  for (let j = 0; missing > 0; j = (j + 1) % byRemainder.length, missing--) out[byRemainder[j]![1]]!++;
  return out;
}

function toChunks(problem: Problem, stage: DivisibleStage, rates: readonly PoolRate[], units: readonly number[]): PoolShare[] {
  const out: PoolShare[] = [];
  rates.forEach((rate, i) => {
    const share = units[i]!;
    if (share === 0) return;
    const slots = problem.pools.slots[rate.pool]!;
    const perUnitS = 1 / (rate.unitsPerS / slots);
    const perSlotS = (share / slots) * perUnitS;
    const wavesPerSlot = Number.isFinite(rate.chunkWorkS) ? Math.max(1, Math.round(perSlotS / rate.chunkWorkS)) : 1;
    const chunks = clampChunkCount(share, stage.minChunk, stage.maxChunk, Math.min(share, slots * wavesPerSlot));
    out.push({ pool: rate.pool, units: share, chunks });
  });
  return out;
}
