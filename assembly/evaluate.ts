/**
 * The evaluate loop: scores candidates [first, first + count) of the batch in place.
 *
 * Same semantics as the reference (src/cost/simulate.ts + src/cost/terms.ts), in one pass
 * per candidate: sub-tasks are taken in the candidate's order; each starts when its inputs
 * have arrived and a slot of its pool is free; the terms are summed as each sub-task is
 * placed. Differences, none of which changes a value beyond rounding:
 *   - terms are summed in dispatch order, the reference sums in sub-task index order;
 *   - the ready time of external inputs comes precomputed per (sub-task, pool) (H_EXTERNAL_READY);
 *   - maxima of times are taken on their bit patterns (maxTimeBits), exact for times ≥ 0;
 *   - the order is also checked to be a permutation (STATUS_NOT_PERMUTATION);
 *   - a partial schedule (`simulate(..., partial)`: fixed sub-tasks, nothing new before nowS)
 *     is written once per graph (H_FIXED ..): every candidate starts from the slots the fixed
 *     sub-tasks hold (H_INITIAL_FREE), finds them already placed, skips them in its order
 *     (each must still be listed once) and adds their terms after the loop (scoreFixed).
 * Start and finish times are bit for bit the reference's; the terms agree to rounding.
 *
 * Availability (src/model/availability.ts): a pool whose POOL_AVAIL flags are 0 takes
 * today's path unchanged (cached expected durations, one price, no contention). Others go
 * through placeOnAvailability (the start rule of src/cost/rework.ts), price over the window
 * (price.ts) and, at the end, the contention sweep (contention.ts).
 *
 * Nothing is allocated and nothing is cleared per candidate except the slot free times
 * (Σ slots f64): "scheduled in this candidate" and "whole object already in this region"
 * are epoch stamps, so a node state or stamp left by an earlier candidate never matches.
 *
 * What made it fast (bench/kernel.ts, bench/results/kernel.md), measured one change at a time:
 *   - time maxima as integer compare + select (cmov) instead of f64.max / branches;
 *   - the slot reservation written one sub-task late (deferredPool): its store address is
 *     the result of the search, and stores with unknown addresses held the next searches'
 *     loads back, serialising sub-tasks;
 *   - link records with no flags (skipped moves cost exactly 0 by construction);
 *   - grouped prefetch loads when the work matrix is far larger than the caches;
 *   - the slot search with one step count for every pool (slots.ts, searchSteps).
 *   - the plain path (plain.ts: no availability, fixed sub-tasks or external reads): work
 *     records gathered in order before the loop, and four or two candidates with the same
 *     order scored in lock step in f64x2 lanes (issue 12: 0.59–0.95× the time of this loop).
 * Tried and dropped (slower or no gain): SIMD (i64x2) counting instead of the binary
 * search, a branchless full-pool shift, a fixed-step search, a software-pipelined loop
 * (front of sub-task i with back of i - 1), loading one sub-task ahead, separate
 * expected/runtime matrices.
 */
import {
  EDGE_BYTES,
  EDGE_SOURCE,
  EDGE_STRIDE,
  ERROR_RANGE,
  ERROR_VERSION,
  EXTERNAL_BYTES,
  EXTERNAL_OBJECT,
  EXTERNAL_REGION,
  EXTERNAL_STRIDE,
  HEADER_OFFSET,
  H_BATCH_CAPACITY,
  H_CANDIDATES,
  H_CANDIDATE_STRIDE,
  H_EDGES,
  H_EXTERNALS,
  H_EXTERNAL_PAIRS,
  H_EXTERNAL_READY,
  H_EXTERNAL_START,
  H_NODE_COUNT,
  H_OBJECTIVE_KIND,
  H_OBJECT_COUNT,
  H_OUTPUT,
  H_OUTPUT_STRIDE,
  H_POOLS,
  H_POOL_COUNT,
  H_POOL_PAIRS,
  H_PRED_START,
  H_PREFETCH_GROUP,
  H_REGION_COUNT,
  H_SCRATCH,
  H_SCRATCH_COUNT,
  H_SCRATCH_FREE,
  H_SCRATCH_NODES,
  H_SCRATCH_STAMPS,
  H_SCRATCH_STRIDE,
  H_SLOT_COUNT,
  H_USD_PER_HOUR,
  H_VERSION,
  H_WINDOWS,
  H_WINDOW_START,
  H_WORK,
  H_SEGMENTS,
  H_SEGMENT_COUNT,
  H_SCRATCH_STARTS,
  H_SCRATCH_SORT,
  H_FIXED,
  H_FIXED_COUNT,
  H_FIXED_INDEX,
  H_INITIAL_FREE,
  H_NOW_S,
  H_SCRATCH_FIXED,
  FIXED_FINISH_S,
  FIXED_POOL,
  FIXED_START_S,
  FIXED_STRIDE,
  FIXED_SUBTASK,
  AVAIL_CONTENDED,
  AVAIL_HAZARD,
  AVAIL_PRICE,
  POOL_AVAIL,
  POOL_SEG_END,
  POOL_SEG_FIRST,
  SEG_AT,
  SEG_FREE,
  SEG_HAZARD,
  SEG_PRICE,
  LAYOUT_VERSION,
  MODE_CONSTANT,
  NODE_FINISH_S,
  NODE_POOL,
  NODE_STAMP,
  NODE_STRIDE,
  PAIR_STRIDE,
  POOL_MODE,
  POOL_OPEN_S,
  POOL_PRICE_USD_PER_S,
  POOL_REGION,
  POOL_SLOTS,
  POOL_SLOT_BASE,
  POOL_STRIDE,
  SCRATCH_EPOCH,
  SCRATCH_TOUCHED,
  STATUS_NOT_PERMUTATION,
  STATUS_NOT_TOPOLOGICAL,
  STATUS_NO_SLOT,
  STATUS_OK,
  STATUS_POOL_FORBIDDEN,
  WORK_EXPECTED_S,
  WORK_RUNTIME_S,
  WORK_STRIDE,
} from './layout';
import { crossBytes, egressUsd, linkSeconds, maxTimeBits, poolLink } from './links';
import { findSlot, reserveSlot, searchedSlot, searchSteps, searchWindows, setSearchSteps, startOnWindows, windowEndAt } from './slots';
import { writeFailure, writeTerms } from './terms';
import { expectedOverWindow, START_ROUNDS } from './rework';
import { meanPriceUsdPerS, windowPriceUsd } from './price';
import { sortTimes, sweepContentionS } from './contention';
import { nextEpoch } from './epoch';
import { plainPath, scorePlain, scorePlainPair, sameOrder } from './plain';
import { scorePlainQuad } from './quad';

/** Mean price per slot-second of the window of the last windowComputeUsd call. */
let windowMeanPriceUsdPerS: f64 = 0;

/** Compute USD of [startS, finishS] on a pool flagged AVAIL_PRICE (its mean price left in windowMeanPriceUsdPerS). Kept out of the loop body. */
function windowComputeUsd(pool: usize, startS: f64, finishS: f64): f64 {
  const first = load<i32>(pool, POOL_SEG_FIRST);
  const end = load<i32>(pool, POOL_SEG_END);
  const at = segmentArray(SEG_AT);
  const price = segmentArray(SEG_PRICE);
  const usd = windowPriceUsd(at, price, first, end, startS, finishS);
  windowMeanPriceUsdPerS = meanPriceUsdPerS(at, price, first, end, startS, finishS, usd);
  return usd;
}

/** Duration of the sub-task placed by the last placeOnAvailability. */
let placedDurationS: f64 = 0;

/** Address of SEG_* array `k` of the segments region. */
@inline
function segmentArray(k: i32): usize {
  const h = HEADER_OFFSET;
  return <usize>load<u32>(h, H_SEGMENTS) + <usize>k * (<usize>load<i32>(h, H_SEGMENT_COUNT) << 3);
}

/**
 * Places a sub-task on a pool with POOL_AVAIL flags by the start rule (src/cost/rework.ts):
 * reserves its slot, returns its start (∞: no slot) and leaves its duration in
 * placedDurationS. `cachedS` is the cached expected duration (used when the hazard is
 * constant), `runtimeS` the nominal one.
 */
function placeOnAvailability(pool: usize, free: usize, readyBits: i64, runtimeS: f64, cachedS: f64): f64 {
  const h = HEADER_OFFSET;
  const slots = load<i32>(pool, POOL_SLOTS);
  const slotBase = <usize>load<i32>(pool, POOL_SLOT_BASE);
  const poolFree = free + (slotBase << 3);
  const hazardVaries = (load<i32>(pool, POOL_AVAIL) & AVAIL_HAZARD) != 0;
  const first = load<i32>(pool, POOL_SEG_FIRST);
  const end = load<i32>(pool, POOL_SEG_END);
  const at = segmentArray(SEG_AT);
  const hazard = segmentArray(SEG_HAZARD);
  if (load<i32>(pool, POOL_MODE) == MODE_CONSTANT) {
    // Endless windows: the start does not depend on the duration, round 1 accepts.
    const r = maxTimeBits(readyBits, load<i64>(pool, POOL_OPEN_S));
    const slotAt = findSlot(poolFree, slots, r, searchSteps);
    const old = load<i64>(slotAt);
    const startS = reinterpret<f64>(maxTimeBits(r, old));
    const durationS = hazardVaries ? expectedOverWindow(at, hazard, first, end, startS, runtimeS) : cachedS;
    reserveSlot(slotAt, poolFree + (<usize>(slots - 1) << 3), maxTimeBits(old, reinterpret<i64>(startS + durationS)));
    placedDurationS = durationS;
    return startS;
  }
  const readyS = reinterpret<f64>(readyBits);
  const windowStart = <usize>load<u32>(h, H_WINDOW_START) + (slotBase << 2);
  const windows = <usize>load<u32>(h, H_WINDOWS);
  let durationS = hazardVaries ? expectedOverWindow(at, hazard, first, end, readyS, runtimeS) : cachedS;
  for (let round = 0; round < START_ROUNDS; round++) {
    const startS = searchWindows(poolFree, slots, windowStart, windows, readyS, durationS);
    if (!isFinite<f64>(startS)) return Infinity;
    const k = searchedSlot;
    const atStart = hazardVaries ? expectedOverWindow(at, hazard, first, end, startS, runtimeS) : cachedS;
    if (startS + atStart <= windowEndAt(windowStart, windows, k, startS)) {
      const slotAt = poolFree + (<usize>k << 3);
      const finishS = startS + atStart;
      if (finishS > load<f64>(slotAt)) store<f64>(slotAt, finishS);
      placedDurationS = atStart;
      return startS;
    }
    durationS = atStart;
  }
  return Infinity;
}

// Terms of the fixed sub-tasks (scoreFixed), summed once per candidate.
let fixedMakespanBits: i64 = 0;
let fixedComputeUsd: f64 = 0;
let fixedEgressUsd: f64 = 0;
let fixedTransferS: f64 = 0;
let fixedTransferBytes: f64 = 0;
let fixedInterruptionS: f64 = 0;
let fixedInterruptionUsd: f64 = 0;

/**
 * computeTerms' loop body for each fixed sub-task, once every sub-task is placed (its inputs'
 * pools are known only then): inputs moved to it, external reads, compute price over its
 * window, rework at its start.
 */
function scoreFixed(fixedCount: i32, pools: usize, poolCount: i32, regionCount: i32, nodes: usize, stamps: usize, epoch: i32): void {
  const h = HEADER_OFFSET;
  const poolPairs = <usize>load<u32>(h, H_POOL_PAIRS);
  const predStart = <usize>load<u32>(h, H_PRED_START);
  const edges = <usize>load<u32>(h, H_EDGES);
  const externalStart = <usize>load<u32>(h, H_EXTERNAL_START);
  const work = <usize>load<u32>(h, H_WORK);
  let makespanBits: i64 = 0;
  let computeUsd = 0.0;
  let egress = 0.0;
  let transferS = 0.0;
  let transferBytes = 0.0;
  let interruptionS = 0.0;
  let interruptionUsd = 0.0;
  for (let f = 0; f < fixedCount; f++) {
    const record = <usize>load<u32>(h, H_FIXED) + (<usize>f) * FIXED_STRIDE;
    const s = load<i32>(record, FIXED_SUBTASK);
    const p = load<i32>(record, FIXED_POOL);
    const startS = load<f64>(record, FIXED_START_S);
    const finishS = load<f64>(record, FIXED_FINISH_S);
    const pool = pools + (<usize>p) * POOL_STRIDE;
    const links = poolLink(poolPairs, poolCount, p, 0);
    const edgeEnd = load<i32>(predStart + (<usize>(s + 1) << 2));
    for (let e = load<i32>(predStart + (<usize>s << 2)); e < edgeEnd; e++) {
      const edge = edges + (<usize>e) * EDGE_STRIDE;
      const q = nodes + (<usize>load<i32>(edge, EDGE_SOURCE)) * NODE_STRIDE;
      const link = links + (<usize>load<i32>(q, NODE_POOL)) * PAIR_STRIDE;
      const bytes = load<f64>(edge, EDGE_BYTES);
      transferS += linkSeconds(link, bytes);
      egress += egressUsd(link, bytes);
      transferBytes += crossBytes(link, bytes);
    }
    makespanBits = maxTimeBits(reinterpret<i64>(finishS), makespanBits);
    const avail = load<i32>(pool, POOL_AVAIL);
    const cell = work + (<usize>(s * poolCount + p)) * WORK_STRIDE;
    const runtimeS = load<f64>(cell, WORK_RUNTIME_S);
    const first = load<i32>(pool, POOL_SEG_FIRST);
    const end = load<i32>(pool, POOL_SEG_END);
    const at = segmentArray(SEG_AT);
    const durationS = (avail & AVAIL_HAZARD) != 0 ? expectedOverWindow(at, segmentArray(SEG_HAZARD), first, end, startS, runtimeS) : load<f64>(cell, WORK_EXPECTED_S);
    const reworkS = durationS - runtimeS;
    interruptionS += reworkS;
    if ((avail & AVAIL_PRICE) == 0) {
      const price = load<f64>(pool, POOL_PRICE_USD_PER_S);
      computeUsd += (finishS - startS) * price;
      interruptionUsd += reworkS * price;
    } else {
      const price = segmentArray(SEG_PRICE);
      const usd = windowPriceUsd(at, price, first, end, startS, finishS);
      computeUsd += usd;
      interruptionUsd += reworkS * meanPriceUsdPerS(at, price, first, end, startS, finishS, usd);
    }
    const readStart = load<i32>(externalStart + (<usize>s << 2));
    const readEnd = load<i32>(externalStart + (<usize>(s + 1) << 2));
    if (readStart < readEnd) {
      const region = load<i32>(pool, POOL_REGION);
      const externals = <usize>load<u32>(h, H_EXTERNALS);
      const homeLinks = <usize>load<u32>(h, H_EXTERNAL_PAIRS) + (<usize>(p * regionCount)) * PAIR_STRIDE;
      for (let read = readStart; read < readEnd; read++) {
        const x = externals + (<usize>read) * EXTERNAL_STRIDE;
        const object = load<i32>(x, EXTERNAL_OBJECT);
        if (object >= 0) {
          const stamp = stamps + (<usize>(object * regionCount + region) << 2);
          if (load<i32>(stamp) == epoch) continue;
          store<i32>(stamp, epoch);
        }
        const link = homeLinks + (<usize>load<i32>(x, EXTERNAL_REGION)) * PAIR_STRIDE;
        const bytes = load<f64>(x, EXTERNAL_BYTES);
        transferS += linkSeconds(link, bytes);
        egress += egressUsd(link, bytes);
        transferBytes += crossBytes(link, bytes);
      }
    }
  }
  fixedMakespanBits = makespanBits;
  fixedComputeUsd = computeUsd;
  fixedEgressUsd = egress;
  fixedTransferS = transferS;
  fixedTransferBytes = transferBytes;
  fixedInterruptionS = interruptionS;
  fixedInterruptionUsd = interruptionUsd;
}

/** Σ over pools flagged AVAIL_CONTENDED of ∫ max(0, used − free) dt for this candidate (status ok). */
function contentionOf(pools: usize, poolCount: i32, nodes: usize, n: i32, block: usize): f64 {
  const h = HEADER_OFFSET;
  const starts = block + <usize>load<u32>(h, H_SCRATCH_STARTS);
  const sortedStarts = block + <usize>load<u32>(h, H_SCRATCH_SORT);
  const sortedFinishes = sortedStarts + (<usize>n << 3);
  let total = 0.0;
  for (let p = 0; p < poolCount; p++) {
    const pool = pools + (<usize>p) * POOL_STRIDE;
    if ((load<i32>(pool, POOL_AVAIL) & AVAIL_CONTENDED) == 0) continue;
    let count = 0;
    for (let s = 0; s < n; s++) {
      const node = nodes + (<usize>s) * NODE_STRIDE;
      if (load<i32>(node, NODE_POOL) != p) continue;
      store<f64>(sortedStarts + (<usize>count << 3), load<f64>(starts + (<usize>s << 3)));
      store<f64>(sortedFinishes + (<usize>count << 3), load<f64>(node, NODE_FINISH_S));
      count++;
    }
    sortTimes(sortedStarts, count);
    sortTimes(sortedFinishes, count);
    total += sweepContentionS(sortedStarts, sortedFinishes, count, segmentArray(SEG_AT), segmentArray(SEG_FREE), load<i32>(pool, POOL_SEG_FIRST), load<i32>(pool, POOL_SEG_END));
  }
  return total;
}

/**
 * Scores candidates [first, first + count) using scratch block `scratch` (one per concurrent
 * caller). Returns how many were feasible (status 0), or ERROR_RANGE / ERROR_VERSION
 * without writing anything.
 */
export function evaluate(first: i32, count: i32, scratch: i32): i32 {
  const h = HEADER_OFFSET;
  if (load<i32>(h, H_VERSION) != LAYOUT_VERSION) return ERROR_VERSION;
  const capacity = load<i32>(h, H_BATCH_CAPACITY);
  if (first < 0 || count < 0 || first > capacity - count) return ERROR_RANGE;
  if (scratch < 0 || scratch >= load<i32>(h, H_SCRATCH_COUNT)) return ERROR_RANGE;
  const block = <usize>load<u32>(h, H_SCRATCH) + <usize>scratch * <usize>load<u32>(h, H_SCRATCH_STRIDE);
  setSearchSteps(<usize>load<u32>(h, H_POOLS), load<i32>(h, H_POOL_COUNT));
  if (!plainPath()) {
    let feasible = 0;
    for (let c = first; c < first + count; c++) {
      if (scoreCandidate(c, block) == STATUS_OK) feasible++;
    }
    return feasible;
  }
  // The plain path: candidates with the same order are scored four (or two) at a time. Up
  // to two groups of candidates with one order each wait for partners (the search's
  // batches mix a base order with a few changed ones): four make a quad; a group that has
  // to make room, or is left at the end, is scored as a pair (and one) or alone. Which are
  // grouped changes no result.
  let feasible = 0;
  let count0 = 0;
  let a0 = -1;
  let b0 = -1;
  let c0 = -1;
  let count1 = 0;
  let a1 = -1;
  let b1 = -1;
  let c1 = -1;
  for (let c = first; c < first + count; c++) {
    if (count0 > 0 && sameOrder(a0, c)) {
      if (count0 == 3) {
        feasible += scoreQuadOrEach(a0, b0, c0, c, block);
        count0 = count1;
        a0 = a1;
        b0 = b1;
        c0 = c1;
        count1 = 0;
      } else {
        if (count0 == 1) b0 = c;
        else c0 = c;
        count0++;
      }
    } else if (count1 > 0 && sameOrder(a1, c)) {
      if (count1 == 3) {
        feasible += scoreQuadOrEach(a1, b1, c1, c, block);
        count1 = 0;
      } else {
        if (count1 == 1) b1 = c;
        else c1 = c;
        count1++;
      }
    } else if (count1 > 0) {
      feasible += scoreGroup(count0, a0, b0, c0, block);
      count0 = count1;
      a0 = a1;
      b0 = b1;
      c0 = c1;
      count1 = 1;
      a1 = c;
    } else if (count0 > 0) {
      count1 = 1;
      a1 = c;
    } else {
      count0 = 1;
      a0 = c;
    }
  }
  return feasible + scoreGroup(count0, a0, b0, c0, block) + scoreGroup(count1, a1, b1, c1, block);
}

/** A waiting group of 0–3 candidates with the same order: a pair and one, a pair, or one. */
function scoreGroup(size: i32, a: i32, b: i32, c: i32, block: usize): i32 {
  if (size == 0) return 0;
  if (size == 1) return scoreOne(a, block);
  return scorePairOrEach(a, b, block) + (size == 3 ? scoreOne(c, block) : 0);
}

/** Four candidates with the same order in lock step; as two pairs if any fails. */
function scoreQuadOrEach(a: i32, b: i32, c: i32, d: i32, block: usize): i32 {
  if (scorePlainQuad(a, b, c, d, block) == STATUS_OK) return 4;
  return scorePairOrEach(a, b, block) + scorePairOrEach(c, d, block);
}

/** One candidate on the plain path; the general loop writes its failure (1 if feasible). */
function scoreOne(c: i32, block: usize): i32 {
  return scorePlain(c, block) == STATUS_OK || scoreCandidate(c, block) == STATUS_OK ? 1 : 0;
}

/** Two candidates with the same order in lock step; each alone if either fails (how many are feasible). */
function scorePairOrEach(a: i32, b: i32, block: usize): i32 {
  if (scorePlainPair(a, b, block) == STATUS_OK) return 2;
  return scoreOne(a, block) + scoreOne(b, block);
}

function scoreCandidate(c: i32, block: usize): i32 {
  const h = HEADER_OFFSET;
  const n = load<i32>(h, H_NODE_COUNT);
  const poolCount = load<i32>(h, H_POOL_COUNT);
  const regionCount = load<i32>(h, H_REGION_COUNT);
  const prefetchGroup = load<i32>(h, H_PREFETCH_GROUP);
  const pools = <usize>load<u32>(h, H_POOLS);
  const poolPairs = <usize>load<u32>(h, H_POOL_PAIRS);
  const predStart = <usize>load<u32>(h, H_PRED_START);
  const edges = <usize>load<u32>(h, H_EDGES);
  const externalStart = <usize>load<u32>(h, H_EXTERNAL_START);
  const work = <usize>load<u32>(h, H_WORK);
  const allocation = <usize>load<u32>(h, H_CANDIDATES) + <usize>c * <usize>load<u32>(h, H_CANDIDATE_STRIDE);
  const order = allocation + (<usize>n << 2);
  const nodes = block + <usize>load<u32>(h, H_SCRATCH_NODES);
  const free = block + <usize>load<u32>(h, H_SCRATCH_FREE);
  const stamps = block + <usize>load<u32>(h, H_SCRATCH_STAMPS);

  const epoch = nextEpoch(block, stamps, load<i32>(h, H_OBJECT_COUNT) * regionCount);
  const fixedCount = load<i32>(h, H_FIXED_COUNT);
  const nowBits = load<i64>(h, H_NOW_S);
  const steps = searchSteps;
  if (fixedCount == 0) memory.fill(free, 0, <usize>load<i32>(h, H_SLOT_COUNT) << 3);
  else {
    // The slots fixed sub-tasks hold, and the sub-tasks themselves, already placed.
    memory.copy(free, <usize>load<u32>(h, H_INITIAL_FREE), <usize>load<i32>(h, H_SLOT_COUNT) << 3);
    const starts = block + <usize>load<u32>(h, H_SCRATCH_STARTS);
    for (let f = 0; f < fixedCount; f++) {
      const record = <usize>load<u32>(h, H_FIXED) + (<usize>f) * FIXED_STRIDE;
      const fs = load<i32>(record, FIXED_SUBTASK);
      const fp = load<i32>(record, FIXED_POOL);
      const node = nodes + (<usize>fs) * NODE_STRIDE;
      store<f64>(node, load<f64>(record, FIXED_FINISH_S), NODE_FINISH_S);
      store<i32>(node, epoch, NODE_STAMP);
      store<i32>(node, fp, NODE_POOL);
      if ((load<i32>(pools + (<usize>fp) * POOL_STRIDE, POOL_AVAIL) & AVAIL_CONTENDED) != 0) store<f64>(starts + (<usize>fs << 3), load<f64>(record, FIXED_START_S));
    }
  }

  let makespanBits: i64 = 0; // +0.0
  let computeUsd = 0.0;
  let egress = 0.0;
  let transferS = 0.0;
  let transferBytes = 0.0;
  let interruptionS = 0.0;
  let interruptionUsd = 0.0;
  let touched = 0.0;
  let status = STATUS_OK;
  // The reservation of the previous sub-task on a constant-capacity pool, not yet written.
  let deferredPool = -1;
  let deferredAt: usize = 0;
  let deferredLast: usize = 0;
  let deferredEnd: i64 = 0;
  let i = 0;
  let s = -1;
  for (; i < n; i++) {
    if (prefetchGroup != 0 && (i & (prefetchGroup - 1)) == 0) touched += touchAhead(order, allocation, work, n, poolCount, i + prefetchGroup, min<i32>(i + 2 * prefetchGroup, n));
    s = load<i32>(order + (<usize>i << 2));
    if (<u32>s >= <u32>n) {
      status = STATUS_NOT_PERMUTATION;
      break;
    }
    const node = nodes + (<usize>s) * NODE_STRIDE;
    if (load<i32>(node, NODE_STAMP) == epoch) {
      // Listed twice, or fixed (placed before the loop): a fixed one is skipped, once.
      // (Addresses loaded here, off the hot path: fewer live values in the loop.)
      const f = fixedCount > 0 ? load<i32>(<usize>load<u32>(h, H_FIXED_INDEX) + (<usize>s << 2)) : -1;
      const seen = block + <usize>load<u32>(h, H_SCRATCH_FIXED) + (<usize>f << 2);
      if (f < 0 || load<i32>(seen) == epoch) {
        status = STATUS_NOT_PERMUTATION;
        break;
      }
      store<i32>(seen, epoch);
      continue;
    }
    const p = load<i32>(allocation + (<usize>s << 2));
    if (<u32>p >= <u32>poolCount) {
      status = STATUS_POOL_FORBIDDEN;
      break;
    }
    const at = <usize>(s * poolCount + p);
    const cell = work + at * WORK_STRIDE;
    let durationS = load<f64>(cell, WORK_EXPECTED_S);
    if (!isFinite<f64>(durationS)) {
      status = STATUS_POOL_FORBIDDEN;
      break;
    }

    // Ready time, as f64 bits (maxTimeBits): external inputs (precomputed), then each input.
    const readStart = load<i32>(externalStart + (<usize>s << 2));
    const readEnd = load<i32>(externalStart + (<usize>(s + 1) << 2));
    let readyBits: i64 = readStart < readEnd ? maxTimeBits(load<i64>(<usize>load<u32>(h, H_EXTERNAL_READY) + (at << 3)), nowBits) : nowBits;
    const links = poolLink(poolPairs, poolCount, p, 0);
    const edgeEnd = load<i32>(predStart + (<usize>(s + 1) << 2));
    for (let e = load<i32>(predStart + (<usize>s << 2)); e < edgeEnd; e++) {
      const edge = edges + (<usize>e) * EDGE_STRIDE;
      const q = nodes + (<usize>load<i32>(edge, EDGE_SOURCE)) * NODE_STRIDE;
      if (load<i32>(q, NODE_STAMP) != epoch) {
        status = STATUS_NOT_TOPOLOGICAL;
        break;
      }
      const link = links + (<usize>load<i32>(q, NODE_POOL)) * PAIR_STRIDE;
      const bytes = load<f64>(edge, EDGE_BYTES);
      const moveS = linkSeconds(link, bytes);
      readyBits = maxTimeBits(reinterpret<i64>(load<f64>(q, NODE_FINISH_S) + moveS), readyBits);
      transferS += moveS;
      egress += egressUsd(link, bytes);
      transferBytes += crossBytes(link, bytes);
    }
    if (status != STATUS_OK) break;

    const pool = pools + (<usize>p) * POOL_STRIDE;
    const avail = load<i32>(pool, POOL_AVAIL);
    let startS: f64;
    if (avail != 0) {
      // Availability over time (rare: forecasts): no deferred reservation across it.
      if (deferredPool >= 0) {
        reserveSlot(deferredAt, deferredLast, deferredEnd);
        deferredPool = -1;
      }
      startS = placeOnAvailability(pool, free, readyBits, load<f64>(cell, WORK_RUNTIME_S), durationS);
      if (!isFinite<f64>(startS)) {
        status = STATUS_NO_SLOT;
        break;
      }
      durationS = placedDurationS;
      if ((avail & AVAIL_CONTENDED) != 0) store<f64>(block + <usize>load<u32>(h, H_SCRATCH_STARTS) + (<usize>s << 3), startS);
    } else {
      const slots = load<i32>(pool, POOL_SLOTS);
      const slotBase = <usize>load<i32>(pool, POOL_SLOT_BASE);
      if (load<i32>(pool, POOL_MODE) == MODE_CONSTANT) {
        // The previous reservation is written after this search (first, if on the same pool):
        // its store address is known only at the end of its own search, and the CPU would
        // hold this search's loads back behind it, one sub-task after the other.
        if (deferredPool == p) {
          reserveSlot(deferredAt, deferredLast, deferredEnd);
          deferredPool = -1;
        }
        const poolFree = free + (slotBase << 3);
        const r = maxTimeBits(readyBits, load<i64>(pool, POOL_OPEN_S));
        const at = findSlot(poolFree, slots, r, steps);
        const old = load<i64>(at);
        startS = reinterpret<f64>(maxTimeBits(r, old));
        if (deferredPool >= 0) reserveSlot(deferredAt, deferredLast, deferredEnd);
        deferredPool = p;
        deferredAt = at;
        deferredLast = poolFree + (<usize>(slots - 1) << 3);
        // SlotBook.reserve never lowers a free time.
        deferredEnd = maxTimeBits(old, reinterpret<i64>(startS + durationS));
      } else {
        startS = startOnWindows(free + (slotBase << 3), slots, <usize>load<u32>(h, H_WINDOW_START) + (slotBase << 2), <usize>load<u32>(h, H_WINDOWS), reinterpret<f64>(readyBits), durationS);
        if (!isFinite<f64>(startS)) {
          status = STATUS_NO_SLOT;
          break;
        }
      }
    }
    const finishS = startS + durationS;
    store<f64>(node, finishS, NODE_FINISH_S);
    store<i32>(node, epoch, NODE_STAMP);
    store<i32>(node, p, NODE_POOL);

    // Terms of this sub-task (computeTerms' loop body).
    makespanBits = maxTimeBits(reinterpret<i64>(finishS), makespanBits);
    const reworkS = durationS - load<f64>(cell, WORK_RUNTIME_S);
    interruptionS += reworkS;
    if ((avail & AVAIL_PRICE) == 0) {
      const price = load<f64>(pool, POOL_PRICE_USD_PER_S);
      computeUsd += (finishS - startS) * price;
      interruptionUsd += reworkS * price;
    } else {
      computeUsd += windowComputeUsd(pool, startS, finishS);
      interruptionUsd += reworkS * windowMeanPriceUsdPerS;
    }

    if (readStart < readEnd) {
      // External reads (rare): one whole object moves to a region once per candidate.
      const region = load<i32>(pool, POOL_REGION);
      const externals = <usize>load<u32>(h, H_EXTERNALS);
      const homeLinks = <usize>load<u32>(h, H_EXTERNAL_PAIRS) + (<usize>(p * regionCount)) * PAIR_STRIDE;
      for (let read = readStart; read < readEnd; read++) {
        const x = externals + (<usize>read) * EXTERNAL_STRIDE;
        const object = load<i32>(x, EXTERNAL_OBJECT);
        if (object >= 0) {
          const stamp = stamps + (<usize>(object * regionCount + region) << 2);
          if (load<i32>(stamp) == epoch) continue;
          store<i32>(stamp, epoch);
        }
        const link = homeLinks + (<usize>load<i32>(x, EXTERNAL_REGION)) * PAIR_STRIDE;
        const bytes = load<f64>(x, EXTERNAL_BYTES);
        transferS += linkSeconds(link, bytes);
        egress += egressUsd(link, bytes);
        transferBytes += crossBytes(link, bytes);
      }
    }
  }
  // The touched values are not used; storing their sum keeps the loads from being dropped.
  store<f64>(block, touched, SCRATCH_TOUCHED);
  const out = <usize>load<u32>(h, H_OUTPUT) + <usize>c * <usize>load<u32>(h, H_OUTPUT_STRIDE);
  if (status != STATUS_OK) {
    writeFailure(out, status, status == STATUS_NOT_PERMUTATION ? -1 : s, i);
    return status;
  }
  if (fixedCount > 0) {
    scoreFixed(fixedCount, pools, poolCount, regionCount, nodes, stamps, epoch);
    makespanBits = maxTimeBits(fixedMakespanBits, makespanBits);
    computeUsd += fixedComputeUsd;
    egress += fixedEgressUsd;
    transferS += fixedTransferS;
    transferBytes += fixedTransferBytes;
    interruptionS += fixedInterruptionS;
    interruptionUsd += fixedInterruptionUsd;
  }
  const contentionS = load<u32>(h, H_SCRATCH_SORT) > load<u32>(h, H_SCRATCH_STARTS) ? contentionOf(pools, poolCount, nodes, n, block) : 0.0;
  writeTerms(out, load<i32>(h, H_OBJECTIVE_KIND), load<f64>(h, H_USD_PER_HOUR), reinterpret<f64>(makespanBits), computeUsd, egress, transferS, transferBytes, contentionS, interruptionS, interruptionUsd);
  return STATUS_OK;
}

/**
 * Loads the work records of order positions [from, to) together (indices
 * clamped in bounds, the candidate is checked later) and returns their sum. WebAssembly
 * has no prefetch instruction; independent loads issued back to back overlap their misses.
 */
function touchAhead(order: usize, allocation: usize, work: usize, n: i32, poolCount: i32, from: i32, to: i32): f64 {
  let sum = 0.0;
  for (let j = from; j < to; j++) {
    const s = load<i32>(order + (<usize>j << 2));
    const p = load<i32>(allocation + (<usize>select<i32>(s, 0, <u32>s < <u32>n) << 2));
    const at = select<i32>(s * poolCount + p, 0, <u32>s < <u32>n && <u32>p < <u32>poolCount);
    sum += load<f64>(work + (<usize>at) * WORK_STRIDE);
  }
  return sum;
}
