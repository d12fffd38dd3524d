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
import { MAX_EXPECTED_RUNTIME_S } from '../model/limits.js';
import type { Problem } from '../model/problem.js';
import { expectedWithRework, speedOf } from '../model/subtasks.js';
import type { DivisibleStage } from '../model/types.js';
import { transferS } from '../model/tables.js';
import { clampChunkCount, stageChunkCap } from './partition.js';

export interface PoolShare {
  readonly pool: number;
  readonly units: number;
  readonly chunks: number;
}

interface PoolRate {
  readonly pool: number;
  /** Slots the split counts on (see usableSlots). */
  readonly slots: number;
  /** Units per second over all slots of the pool, chunk overhead and rework included. */
  readonly unitsPerS: number;
  readonly offsetS: number;
  readonly usdPerUnit: number;
  /** Best chunk duration (work seconds), Infinity = one chunk per slot. */
  readonly chunkWorkS: number;
  /** Units the pool can finish before its capacity ends (Infinity if it never ends). */
  readonly maxUnits: number;
}

/**
 * Of the slot-seconds a pool offers after `fromS` until its capacity ends for good, the share
 * a split may plan on: chunks are whole and must fit inside a window, so the last part of
 * each window is partly lost.
 */
export const CAPACITY_USE = 0.8;

/** Slot-seconds pool p offers from `fromS` on (after start-up); Infinity if its capacity never ends. */
export function slotSecondsFrom(problem: Problem, p: number, fromS: number): number {
  const pools = problem.pools;
  const first = pools.capStart[p]!;
  const last = pools.capStart[p + 1]!;
  if (last === first || pools.capSlots[last - 1]! > 0) return Number.POSITIVE_INFINITY;
  const from = Math.max(fromS, pools.startupS[p]!);
  let total = 0;
  for (let i = first; i < last - 1; i++) {
    const start = Math.max(from, pools.capAtS[i]!);
    const end = pools.capAtS[i + 1]!;
    if (end > start) total += (end - start) * pools.capSlots[i]!;
  }
  return total;
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

/**
 * The slots and hazard a split of a stage starting at `atS` counts on. Under declared
 * availability, the pool table's (the first capacity step, the constant hazard: capacity
 * that ends is handled by maxUnits). Under a forecast, the pool as it will be then: the
 * capacity at that time, at most the expected free slots (the contention term's reference,
 * so a split does not plan on slots the forecast may not leave free), and the hazard then
 * (chunk sizes follow the hour's interruption rate: dynamic partitioning).
 */
function splitView(problem: Problem, p: number, atS: number): { slots: number; hazardPerS: number; waitS: number } {
  const pools = problem.pools;
  const table = problem.availability;
  if (table.source === 'declared') return { slots: pools.slots[p]!, hazardPerS: pools.hazardPerS[p]!, waitS: 0 };
  const end = table.segStart[p + 1]!;
  let i = table.segStart[p]!;
  while (i + 1 < end && table.atS[i + 1]! <= atS) i++;
  // No usable slot when the stage starts (the forecast's busy hours): the pool as it is when it
  // next has one, and the wait until then.
  let j = i;
  while (j + 1 < end && !(Math.min(table.slots[j]!, table.freeSlots[j]!) >= 1)) j++;
  if (!(Math.min(table.slots[j]!, table.freeSlots[j]!) >= 1)) j = i;
  return { slots: Math.min(table.slots[j]!, table.freeSlots[j]!), hazardPerS: table.hazardPerS[j]!, waitS: j === i ? 0 : table.atS[j]! - atS };
}

function poolRate(problem: Problem, v: number, stage: DivisibleStage, p: number, stageStartS: number): PoolRate | undefined {
  const P = problem.pools.count;
  if (problem.stageFeasible[v * P + p] === 0) return undefined;
  const pools = problem.pools;
  const known = problem.stageKnownRuntimeS[v * P + p]!;
  const perUnitS = Number.isNaN(known) ? problem.stageWorkS[v]! / stage.units / speedOf(problem, v, p) : known / stage.units;
  const overheadS = pools.dispatchOverheadS[p]! + stage.overheadS / speedOf(problem, v, p);
  const { slots, hazardPerS: hazard, waitS } = splitView(problem, p, Math.max(stageStartS, pools.startupS[p]!));
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
  // A chunk holds minChunk to maxChunk units, whatever size would be best.
  const chunkUnits = Number.isFinite(chunkWorkS) ? Math.min(stage.maxChunk, Math.max(stage.minChunk, chunkWorkS / Math.max(perUnitS, 1e-12))) : stage.units;
  const chunkS = expectedWithRework(chunkUnits * perUnitS + overheadS, hazard);
  const perUnitExpectedS = chunkS / chunkUnits;
  // Interruptions so frequent that even a best-sized chunk never finishes: the pool is no use here.
  if (!(chunkS <= MAX_EXPECTED_RUNTIME_S)) return undefined;
  // Free work (runtime 0) still takes a moment per unit: keeps every rate and product finite.
  const unitsPerSlotS = 1 / Math.max(perUnitExpectedS + transferPerUnitS, 1e-12);
  return {
    pool: p,
    slots,
    unitsPerS: slots * unitsPerSlotS,
    maxUnits: Math.floor(CAPACITY_USE * slotSecondsFrom(problem, p, stageStartS + latencyS) * unitsPerSlotS),
    // Start-up only delays a pool if it is not up yet when the stage can start.
    offsetS: Math.max(0, pools.startupS[p]! - stageStartS) + waitS + latencyS + (Number.isFinite(chunkWorkS) ? 0 : overheadS),
    usdPerUnit: perUnitExpectedS * pools.priceUsdPerSlotS[p]! + egressPerUnit,
    chunkWorkS,
  };
}

/** Equal-finish split over a pool set, ignoring capacity that ends; undefined if some pool would get nothing. */
function equalFinishUncapped(rates: readonly PoolRate[], units: number): { finishS: number; shares: number[] } | undefined {
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
 * Equal-finish split where no pool gets more than it can finish before its capacity ends:
 * a pool whose share exceeds that is held at it and the rest is split again over the others
 * (water filling). Undefined if some pool would get nothing or the capped pools cannot take it all.
 */
function equalFinish(rates: readonly PoolRate[], units: number): { finishS: number; shares: number[] } | undefined {
  const shares = new Array<number>(rates.length).fill(0);
  const open = rates.map((_, i) => i);
  let left = units;
  let finishS = 0;
  for (;;) {
    if (open.length === 0) return left <= 0 ? { finishS, shares } : undefined;
    const split = equalFinishUncapped(open.map((i) => rates[i]!), left);
    if (split === undefined) return undefined;
    const over = open.filter((i, j) => split.shares[j]! > rates[i]!.maxUnits);
    if (over.length === 0) {
      open.forEach((i, j) => (shares[i] = split.shares[j]!));
      // A capped pool finishes its share before the open ones (it is below their pace).
      return { finishS: Math.max(finishS, split.finishS), shares };
    }
    if (open.length === over.length && left - over.reduce((sum, i) => sum + rates[i]!.maxUnits, 0) > 0) return undefined;
    for (const i of over) {
      const rate = rates[i]!;
      if (rate.maxUnits <= 0) return undefined;
      shares[i] = rate.maxUnits;
      left -= rate.maxUnits;
      finishS = Math.max(finishS, rate.offsetS + rate.maxUnits / rate.unitsPerS);
      open.splice(open.indexOf(i), 1);
    }
    if (left <= 0) return { finishS, shares };
  }
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
  // Only if capacity ends too soon for every pool set: split as if it did not (list
  // scheduling then moves chunks that do not fit to pools that have slots).
  if (best === undefined && rates.length > 0) {
    const uncapped = rates.map((r) => ({ ...r, maxUnits: Number.POSITIVE_INFINITY }));
    const split = equalFinish(uncapped, stage.units);
    if (split !== undefined) best = { score: 0, tie: 0, rates: uncapped, shares: split.shares, finishS: split.finishS };
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
    const slots = rate.slots;
    const perUnitS = 1 / (rate.unitsPerS / slots);
    const perSlotS = (share / slots) * perUnitS;
    const wavesPerSlot = Number.isFinite(rate.chunkWorkS) ? Math.max(1, Math.round(perSlotS / rate.chunkWorkS)) : 1;
    // Capped per stage: addPinnedChunks shrinks the shares' counts together if their sum is above.
    const chunks = clampChunkCount(share, stage.minChunk, stage.maxChunk, Math.min(share, slots * wavesPerSlot), stageChunkCap(problem, problem.stageIndex.get(stage.id)!));
    out.push({ pool: rate.pool, units: share, chunks });
  });
  return out;
}
