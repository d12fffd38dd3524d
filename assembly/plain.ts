/**
 * The plain path of the evaluate loop: problems where every pool has constant capacity and
 * no availability over time, with no fixed sub-tasks and no external reads (the search's
 * usual case). Same semantics and the same operations in the same order as the general
 * loop (evaluate.ts), so the same bits; what differs is how the work is laid out:
 *
 *   - the work records the candidate needs are gathered in its order first (independent
 *     loads whose misses overlap), then read sequentially (H_SCRATCH_GATHER);
 *   - two candidates with the same order are scored in lock step (scorePlainPair; four:
 *     quad.ts): the order, the input lists and the placed/topological checks are shared,
 *     finish times and terms are f64x2 lanes (one per candidate), the slot searches are
 *     independent chains the CPU overlaps;
 *   - none of the general loop's branches for availability, fixed sub-tasks, window pools
 *     or external reads.
 *
 * Both functions return STATUS_OK after writing the output record(s), or -1 at the first
 * sign of anything else (an invalid candidate) without writing: the caller scores the
 * candidate with the general loop, which finds and writes the failure.
 *
 * Measured one change at a time, side by side, on bench/kernel.ts's workloads (issue 12):
 * without the general loop's branches 3–8 % less time; gathering 0 % at 1k sub-tasks,
 * 2–5 % at 10k, 6–28 % at 100k; pairs 19–29 % less when every candidate shares the order,
 * about 8 % on the search's kind of batch (two in three share the base order); quads a
 * further 8–15 % (quad.ts). Together 0.59–0.95× the time of the general loop. Tried and dropped: pairing candidates with
 * different orders (two scalar chains interleaved: no gain, the CPU already overlaps
 * consecutive sub-tasks; what pairs save is the shared work), and the reservation's first
 * two steps without branches (17 % less time on random allocations, 4 % more on the
 * search's batches, whose branches the predictor learns).
 */
import {
  EDGE_BYTES,
  EDGE_SOURCE,
  EDGE_STRIDE,
  HEADER_OFFSET,
  H_CANDIDATES,
  H_CANDIDATE_STRIDE,
  H_EDGES,
  H_EXTERNAL_COUNT,
  H_FIXED_COUNT,
  H_NODE_COUNT,
  H_NOW_S,
  H_OBJECTIVE_KIND,
  H_OBJECT_COUNT,
  H_OUTPUT,
  H_OUTPUT_STRIDE,
  H_POOLS,
  H_POOL_COUNT,
  H_POOL_PAIRS,
  H_PRED_START,
  H_REGION_COUNT,
  H_SCRATCH_FREE,
  H_SCRATCH_GATHER,
  H_SCRATCH_NODES,
  H_SCRATCH_LANES,
  H_SCRATCH_STAMPS,
  H_SLOT_COUNT,
  H_USD_PER_HOUR,
  H_WORK,
  MODE_CONSTANT,
  NODE_FINISH_S,
  NODE_POOL,
  NODE_STAMP,
  NODE_STRIDE,
  PAIR_BYTES_PER_S,
  PAIR_CROSS,
  PAIR_EGRESS_USD_PER_BYTE,
  PAIR_GATHER_STRIDE,
  PAIR_LATENCY_S,
  PAIR_NODE_FINISH_S,
  PAIR_NODE_POOL_A,
  PAIR_NODE_POOL_B,
  PAIR_NODE_STAMP,
  PAIR_NODE_STRIDE,
  QUAD_NODE_STRIDE,
  PAIR_STRIDE,
  POOL_AVAIL,
  POOL_MODE,
  POOL_OPEN_S,
  POOL_PRICE_USD_PER_S,
  POOL_SLOTS,
  POOL_SLOT_BASE,
  POOL_STRIDE,
  STATUS_OK,
  WORK_EXPECTED_S,
  WORK_RUNTIME_S,
  WORK_STRIDE,
} from './layout';
import { nextEpoch } from './epoch';
import { crossBytes, egressUsd, linkSeconds, maxTimeBits, poolLink } from './links';
import { findSlot, reserveSlot, searchSteps } from './slots';
import { writeTerms } from './terms';

/** Whether this problem takes the plain path (checked once per evaluate call). */
export function plainPath(): bool {
  const h = HEADER_OFFSET;
  if (load<i32>(h, H_FIXED_COUNT) != 0 || load<i32>(h, H_EXTERNAL_COUNT) != 0) return false;
  const pools = <usize>load<u32>(h, H_POOLS);
  const poolCount = load<i32>(h, H_POOL_COUNT);
  for (let p = 0; p < poolCount; p++) {
    const pool = pools + (<usize>p) * POOL_STRIDE;
    if (load<i32>(pool, POOL_AVAIL) != 0 || load<i32>(pool, POOL_MODE) != MODE_CONSTANT) return false;
  }
  return true;
}

@inline
export function allocationOf(c: i32): usize {
  return <usize>load<u32>(HEADER_OFFSET, H_CANDIDATES) + <usize>c * <usize>load<u32>(HEADER_OFFSET, H_CANDIDATE_STRIDE);
}

/** Whether candidates a and b list the same order. */
export function sameOrder(a: i32, b: i32): bool {
  const n = load<i32>(HEADER_OFFSET, H_NODE_COUNT);
  const orderA = allocationOf(a) + (<usize>n << 2);
  const orderB = allocationOf(b) + (<usize>n << 2);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    if (!i32x4.all_true(i32x4.eq(v128.load(orderA + (<usize>i << 2)), v128.load(orderB + (<usize>i << 2))))) return false;
  }
  for (; i < n; i++) if (load<i32>(orderA + (<usize>i << 2)) != load<i32>(orderB + (<usize>i << 2))) return false;
  return true;
}

/** Cell of (s, allocation[s]) in the work matrix; cell 0 for an out-of-range s or pool (checked when used). */
@inline
export function workCell(work: usize, allocation: usize, n: i32, poolCount: i32, s: i32): usize {
  const inRange = <u32>s < <u32>n;
  const p = load<i32>(allocation + (<usize>select<i32>(s, 0, inRange) << 2));
  return work + (<usize>select<i32>(s * poolCount + p, 0, inRange && <u32>p < <u32>poolCount)) * WORK_STRIDE;
}

export function scorePlain(c: i32, block: usize): i32 {
  const h = HEADER_OFFSET;
  const n = load<i32>(h, H_NODE_COUNT);
  const poolCount = load<i32>(h, H_POOL_COUNT);
  const pools = <usize>load<u32>(h, H_POOLS);
  const poolPairs = <usize>load<u32>(h, H_POOL_PAIRS);
  const predStart = <usize>load<u32>(h, H_PRED_START);
  const edges = <usize>load<u32>(h, H_EDGES);
  const work = <usize>load<u32>(h, H_WORK);
  const allocation = allocationOf(c);
  const order = allocation + (<usize>n << 2);
  const nodes = block + <usize>load<u32>(h, H_SCRATCH_NODES);
  const free = block + <usize>load<u32>(h, H_SCRATCH_FREE);
  const gathered = block + <usize>load<u32>(h, H_SCRATCH_GATHER);
  const epoch = nextEpoch(block, block + <usize>load<u32>(h, H_SCRATCH_STAMPS), load<i32>(h, H_OBJECT_COUNT) * load<i32>(h, H_REGION_COUNT));
  const nowBits = load<i64>(h, H_NOW_S);
  const steps = searchSteps;
  memory.fill(free, 0, <usize>load<i32>(h, H_SLOT_COUNT) << 3);
  for (let i = 0; i < n; i++) {
    const cell = workCell(work, allocation, n, poolCount, load<i32>(order + (<usize>i << 2)));
    const to = gathered + (<usize>i << 4);
    store<f64>(to, load<f64>(cell, WORK_EXPECTED_S), WORK_EXPECTED_S);
    store<f64>(to, load<f64>(cell, WORK_RUNTIME_S), WORK_RUNTIME_S);
  }

  let makespanBits: i64 = 0;
  let computeUsd = 0.0;
  let egress = 0.0;
  let transferS = 0.0;
  let transferBytes = 0.0;
  let interruptionS = 0.0;
  let interruptionUsd = 0.0;
  // The reservation of the previous sub-task, written after the next search (evaluate.ts).
  let deferredPool = -1;
  let deferredAt: usize = 0;
  let deferredLast: usize = 0;
  let deferredEnd: i64 = 0;
  for (let i = 0; i < n; i++) {
    const s = load<i32>(order + (<usize>i << 2));
    if (<u32>s >= <u32>n) return -1;
    const node = nodes + (<usize>s) * NODE_STRIDE;
    if (load<i32>(node, NODE_STAMP) == epoch) return -1;
    const p = load<i32>(allocation + (<usize>s << 2));
    if (<u32>p >= <u32>poolCount) return -1;
    const cell = gathered + (<usize>i << 4);
    const durationS = load<f64>(cell, WORK_EXPECTED_S);
    if (!isFinite<f64>(durationS)) return -1;
    let readyBits: i64 = nowBits;
    const links = poolLink(poolPairs, poolCount, p, 0);
    const edgeEnd = load<i32>(predStart + (<usize>(s + 1) << 2));
    for (let e = load<i32>(predStart + (<usize>s << 2)); e < edgeEnd; e++) {
      const edge = edges + (<usize>e) * EDGE_STRIDE;
      const q = nodes + (<usize>load<i32>(edge, EDGE_SOURCE)) * NODE_STRIDE;
      if (load<i32>(q, NODE_STAMP) != epoch) return -1;
      const link = links + (<usize>load<i32>(q, NODE_POOL)) * PAIR_STRIDE;
      const bytes = load<f64>(edge, EDGE_BYTES);
      const moveS = linkSeconds(link, bytes);
      readyBits = maxTimeBits(reinterpret<i64>(load<f64>(q, NODE_FINISH_S) + moveS), readyBits);
      transferS += moveS;
      egress += egressUsd(link, bytes);
      transferBytes += crossBytes(link, bytes);
    }
    const pool = pools + (<usize>p) * POOL_STRIDE;
    const slots = load<i32>(pool, POOL_SLOTS);
    const poolFree = free + (<usize>load<i32>(pool, POOL_SLOT_BASE) << 3);
    if (deferredPool == p) {
      reserveSlot(deferredAt, deferredLast, deferredEnd);
      deferredPool = -1;
    }
    const r = maxTimeBits(readyBits, load<i64>(pool, POOL_OPEN_S));
    const at = findSlot(poolFree, slots, r, steps);
    const old = load<i64>(at);
    const startS = reinterpret<f64>(maxTimeBits(r, old));
    if (deferredPool >= 0) reserveSlot(deferredAt, deferredLast, deferredEnd);
    const finishS = startS + durationS;
    deferredPool = p;
    deferredAt = at;
    deferredLast = poolFree + (<usize>(slots - 1) << 3);
    deferredEnd = maxTimeBits(old, reinterpret<i64>(finishS));
    store<f64>(node, finishS, NODE_FINISH_S);
    store<i32>(node, epoch, NODE_STAMP);
    store<i32>(node, p, NODE_POOL);

    makespanBits = maxTimeBits(reinterpret<i64>(finishS), makespanBits);
    const reworkS = durationS - load<f64>(cell, WORK_RUNTIME_S);
    interruptionS += reworkS;
    const price = load<f64>(pool, POOL_PRICE_USD_PER_S);
    computeUsd += (finishS - startS) * price;
    interruptionUsd += reworkS * price;
  }
  const out = <usize>load<u32>(h, H_OUTPUT) + <usize>c * <usize>load<u32>(h, H_OUTPUT_STRIDE);
  writeTerms(out, load<i32>(h, H_OBJECTIVE_KIND), load<f64>(h, H_USD_PER_HOUR), reinterpret<f64>(makespanBits), computeUsd, egress, transferS, transferBytes, 0.0, interruptionS, interruptionUsd);
  return STATUS_OK;
}

/** f64x2 of a value loaded from each of two records. */
@inline
export function pairOf(a: usize, b: usize, offset: usize): v128 {
  return f64x2.replace_lane(f64x2.splat(load<f64>(a + offset)), 1, load<f64>(b + offset));
}

/** max of times as bits, per lane (maxTimeBits). */
@inline
export function maxTimeBitsX2(a: v128, b: v128): v128 {
  return v128.bitselect(a, b, i64x2.gt_s(a, b));
}

/** Candidates a and b (the same order) in lock step: lane 0 is a, lane 1 is b. */
export function scorePlainPair(a: i32, b: i32, block: usize): i32 {
  const h = HEADER_OFFSET;
  const n = load<i32>(h, H_NODE_COUNT);
  const poolCount = load<i32>(h, H_POOL_COUNT);
  const pools = <usize>load<u32>(h, H_POOLS);
  const poolPairs = <usize>load<u32>(h, H_POOL_PAIRS);
  const predStart = <usize>load<u32>(h, H_PRED_START);
  const edges = <usize>load<u32>(h, H_EDGES);
  const work = <usize>load<u32>(h, H_WORK);
  const allocationA = allocationOf(a);
  const allocationB = allocationOf(b);
  const order = allocationA + (<usize>n << 2);
  const nodes = block + <usize>load<u32>(h, H_SCRATCH_LANES);
  const freeA = block + <usize>load<u32>(h, H_SCRATCH_FREE);
  const freeB = nodes + (<usize>n) * QUAD_NODE_STRIDE;
  const gathered = block + <usize>load<u32>(h, H_SCRATCH_GATHER);
  const epoch = nextEpoch(block, block + <usize>load<u32>(h, H_SCRATCH_STAMPS), load<i32>(h, H_OBJECT_COUNT) * load<i32>(h, H_REGION_COUNT));
  const slotBytes = <usize>load<i32>(h, H_SLOT_COUNT) << 3;
  memory.fill(freeA, 0, slotBytes);
  memory.fill(freeB, 0, slotBytes);
  for (let i = 0; i < n; i++) {
    const s = load<i32>(order + (<usize>i << 2));
    const cellA = workCell(work, allocationA, n, poolCount, s);
    const cellB = workCell(work, allocationB, n, poolCount, s);
    const to = gathered + (<usize>i) * PAIR_GATHER_STRIDE;
    store<f64>(to, load<f64>(cellA, WORK_EXPECTED_S), 0);
    store<f64>(to, load<f64>(cellB, WORK_EXPECTED_S), 8);
    store<f64>(to, load<f64>(cellA, WORK_RUNTIME_S), 16);
    store<f64>(to, load<f64>(cellB, WORK_RUNTIME_S), 24);
  }

  const zero = f64x2.splat(0);
  let makespanBits = zero;
  let computeUsd = zero;
  let egress = zero;
  let transferS = zero;
  let transferBytes = zero;
  let interruptionS = zero;
  let interruptionUsd = zero;
  const nowBits = i64x2.splat(load<i64>(h, H_NOW_S));
  const steps = searchSteps;
  let deferredPoolA = -1;
  let deferredAtA: usize = 0;
  let deferredLastA: usize = 0;
  let deferredEndA: i64 = 0;
  let deferredPoolB = -1;
  let deferredAtB: usize = 0;
  let deferredLastB: usize = 0;
  let deferredEndB: i64 = 0;
  for (let i = 0; i < n; i++) {
    const s = load<i32>(order + (<usize>i << 2));
    if (<u32>s >= <u32>n) return -1;
    const node = nodes + (<usize>s) * PAIR_NODE_STRIDE;
    if (load<i32>(node, PAIR_NODE_STAMP) == epoch) return -1;
    const pA = load<i32>(allocationA + (<usize>s << 2));
    const pB = load<i32>(allocationB + (<usize>s << 2));
    if (<u32>pA >= <u32>poolCount || <u32>pB >= <u32>poolCount) return -1;
    const cell = gathered + (<usize>i) * PAIR_GATHER_STRIDE;
    const durationS = v128.load(cell);
    if (!isFinite<f64>(f64x2.extract_lane(durationS, 0)) || !isFinite<f64>(f64x2.extract_lane(durationS, 1))) return -1;

    let readyBits = nowBits;
    const linksA = poolLink(poolPairs, poolCount, pA, 0);
    const linksB = poolLink(poolPairs, poolCount, pB, 0);
    const edgeEnd = load<i32>(predStart + (<usize>(s + 1) << 2));
    for (let e = load<i32>(predStart + (<usize>s << 2)); e < edgeEnd; e++) {
      const edge = edges + (<usize>e) * EDGE_STRIDE;
      const q = nodes + (<usize>load<i32>(edge, EDGE_SOURCE)) * PAIR_NODE_STRIDE;
      if (load<i32>(q, PAIR_NODE_STAMP) != epoch) return -1;
      const linkA = linksA + (<usize>load<i32>(q, PAIR_NODE_POOL_A)) * PAIR_STRIDE;
      const linkB = linksB + (<usize>load<i32>(q, PAIR_NODE_POOL_B)) * PAIR_STRIDE;
      const bytes = f64x2.splat(load<f64>(edge, EDGE_BYTES));
      // linkSeconds, egressUsd and crossBytes per lane, the same operations in the same order.
      const moveS = f64x2.add(pairOf(linkA, linkB, PAIR_LATENCY_S), f64x2.div(bytes, pairOf(linkA, linkB, PAIR_BYTES_PER_S)));
      readyBits = maxTimeBitsX2(f64x2.add(v128.load(q, PAIR_NODE_FINISH_S), moveS), readyBits);
      transferS = f64x2.add(transferS, moveS);
      egress = f64x2.add(egress, f64x2.mul(bytes, pairOf(linkA, linkB, PAIR_EGRESS_USD_PER_BYTE)));
      transferBytes = f64x2.add(transferBytes, f64x2.mul(bytes, pairOf(linkA, linkB, PAIR_CROSS)));
    }

    // The slot searches, one per candidate (two independent chains).
    const poolA = pools + (<usize>pA) * POOL_STRIDE;
    const poolB = pools + (<usize>pB) * POOL_STRIDE;
    const slotsA = load<i32>(poolA, POOL_SLOTS);
    const slotsB = load<i32>(poolB, POOL_SLOTS);
    const poolFreeA = freeA + (<usize>load<i32>(poolA, POOL_SLOT_BASE) << 3);
    const poolFreeB = freeB + (<usize>load<i32>(poolB, POOL_SLOT_BASE) << 3);
    if (deferredPoolA == pA) {
      reserveSlot(deferredAtA, deferredLastA, deferredEndA);
      deferredPoolA = -1;
    }
    if (deferredPoolB == pB) {
      reserveSlot(deferredAtB, deferredLastB, deferredEndB);
      deferredPoolB = -1;
    }
    const rA = maxTimeBits(i64x2.extract_lane(readyBits, 0), load<i64>(poolA, POOL_OPEN_S));
    const rB = maxTimeBits(i64x2.extract_lane(readyBits, 1), load<i64>(poolB, POOL_OPEN_S));
    const atA = findSlot(poolFreeA, slotsA, rA, steps);
    const atB = findSlot(poolFreeB, slotsB, rB, steps);
    const oldA = load<i64>(atA);
    const oldB = load<i64>(atB);
    const startS = i64x2.replace_lane(i64x2.splat(maxTimeBits(rA, oldA)), 1, maxTimeBits(rB, oldB));
    if (deferredPoolA >= 0) reserveSlot(deferredAtA, deferredLastA, deferredEndA);
    if (deferredPoolB >= 0) reserveSlot(deferredAtB, deferredLastB, deferredEndB);
    const finishS = f64x2.add(startS, durationS);
    deferredPoolA = pA;
    deferredAtA = atA;
    deferredLastA = poolFreeA + (<usize>(slotsA - 1) << 3);
    deferredEndA = maxTimeBits(oldA, i64x2.extract_lane(finishS, 0));
    deferredPoolB = pB;
    deferredAtB = atB;
    deferredLastB = poolFreeB + (<usize>(slotsB - 1) << 3);
    deferredEndB = maxTimeBits(oldB, i64x2.extract_lane(finishS, 1));
    v128.store(node, finishS, PAIR_NODE_FINISH_S);
    store<i32>(node, epoch, PAIR_NODE_STAMP);
    store<i32>(node, pA, PAIR_NODE_POOL_A);
    store<i32>(node, pB, PAIR_NODE_POOL_B);

    makespanBits = maxTimeBitsX2(finishS, makespanBits);
    const reworkS = f64x2.sub(durationS, v128.load(cell, 16));
    interruptionS = f64x2.add(interruptionS, reworkS);
    const price = pairOf(poolA, poolB, POOL_PRICE_USD_PER_S);
    computeUsd = f64x2.add(computeUsd, f64x2.mul(f64x2.sub(finishS, startS), price));
    interruptionUsd = f64x2.add(interruptionUsd, f64x2.mul(reworkS, price));
  }
  const outA = <usize>load<u32>(h, H_OUTPUT) + <usize>a * <usize>load<u32>(h, H_OUTPUT_STRIDE);
  const outB = <usize>load<u32>(h, H_OUTPUT) + <usize>b * <usize>load<u32>(h, H_OUTPUT_STRIDE);
  const kind = load<i32>(h, H_OBJECTIVE_KIND);
  const usdPerHour = load<f64>(h, H_USD_PER_HOUR);
  writeTerms(outA, kind, usdPerHour, f64x2.extract_lane(makespanBits, 0), f64x2.extract_lane(computeUsd, 0), f64x2.extract_lane(egress, 0), f64x2.extract_lane(transferS, 0), f64x2.extract_lane(transferBytes, 0), 0.0, f64x2.extract_lane(interruptionS, 0), f64x2.extract_lane(interruptionUsd, 0));
  writeTerms(outB, kind, usdPerHour, f64x2.extract_lane(makespanBits, 1), f64x2.extract_lane(computeUsd, 1), f64x2.extract_lane(egress, 1), f64x2.extract_lane(transferS, 1), f64x2.extract_lane(transferBytes, 1), 0.0, f64x2.extract_lane(interruptionS, 1), f64x2.extract_lane(interruptionUsd, 1));
  return STATUS_OK;
}
