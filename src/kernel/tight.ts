/**
 * The kernel's evaluate loop written as tight TypeScript over the same memory (not the
 * clarity-first reference in src/cost/): the same header, records, scratch and outputs,
 * the same operations in the same order, so its results equal the WASM kernel's bit for
 * bit. It exists to measure what WebAssembly buys over plain JIT-compiled TypeScript
 * (bench/kernel.ts) and as a third implementation under the shared test suite.
 *
 * Element indices: byte offset >> 2 into Int32Array, >> 3 into Float64Array (every record
 * is 8-byte aligned). A partial schedule is honoured as the kernel honours it (fixed
 * sub-tasks placed before the loop, skipped in the order, their terms added after it).
 *
 * Availability (pools with POOL_AVAIL flags): the reference's segment arithmetic
 * (src/cost/segments.ts, rework.ts, price.ts, contention.ts) applied to the kernel's
 * segment arrays in place, in the kernel's order (assembly/evaluate.ts placeOnAvailability).
 */
import { sweepContentionS } from '../cost/contention.js';
import { meanPriceUsdPerS, windowPriceUsd } from '../cost/price.js';
import { expectedOverWindow, START_ROUNDS } from '../cost/rework.js';
import { LAYOUT as L, memoryViews } from './layout.js';
import type { EvaluateLoop } from './loader.js';

export class TightKernel implements EvaluateLoop {
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;

  constructor(memory: WebAssembly.Memory) {
    const views = memoryViews(memory);
    this.i32 = views.i32;
    this.f64 = views.f64;
  }

  evaluate(first: number, count: number, scratch: number): number {
    const i32 = this.i32;
    const h = L.HEADER_OFFSET;
    if (i32[(h + L.H_VERSION) >> 2] !== L.LAYOUT_VERSION) return L.ERROR_VERSION;
    const capacity = i32[(h + L.H_BATCH_CAPACITY) >> 2]!;
    if (first < 0 || count < 0 || first > capacity - count) return L.ERROR_RANGE;
    if (scratch < 0 || scratch >= i32[(h + L.H_SCRATCH_COUNT) >> 2]!) return L.ERROR_RANGE;
    const block = (i32[(h + L.H_SCRATCH) >> 2]! >>> 0) + scratch * (i32[(h + L.H_SCRATCH_STRIDE) >> 2]! >>> 0);
    let feasible = 0;
    for (let c = first; c < first + count; c++) {
      if (this.scoreCandidate(c, block) === L.STATUS_OK) feasible++;
    }
    return feasible;
  }

  private nextEpoch(block: number, nodes: number, n: number, stamps: number, stampCount: number): number {
    const i32 = this.i32;
    let epoch = i32[(block + L.SCRATCH_EPOCH) >> 2]! + 1;
    if (epoch === 0x7fffffff) {
      for (let s = 0; s < n; s++) i32[(nodes + s * L.NODE_STRIDE + L.NODE_STAMP) >> 2] = 0;
      i32.fill(0, stamps >> 2, (stamps >> 2) + stampCount);
      const h = L.HEADER_OFFSET;
      const fixed = (block + (i32[(h + L.H_SCRATCH_FIXED) >> 2]! >>> 0)) >> 2;
      i32.fill(0, fixed, fixed + i32[(h + L.H_FIXED_COUNT) >> 2]!);
      epoch = 1;
    }
    i32[(block + L.SCRATCH_EPOCH) >> 2] = epoch;
    return epoch;
  }

  private scoreCandidate(c: number, block: number): number {
    const i32 = this.i32;
    const f64 = this.f64;
    const h = L.HEADER_OFFSET;
    const u32 = (field: number): number => i32[(h + field) >> 2]! >>> 0;
    const n = u32(L.H_NODE_COUNT);
    const poolCount = u32(L.H_POOL_COUNT);
    const regionCount = u32(L.H_REGION_COUNT);
    const prefetchGroup = u32(L.H_PREFETCH_GROUP);
    const pools = u32(L.H_POOLS);
    const poolPairs = u32(L.H_POOL_PAIRS);
    const predStartI = u32(L.H_PRED_START) >> 2;
    const edges = u32(L.H_EDGES);
    const externalStartI = u32(L.H_EXTERNAL_START) >> 2;
    const work = u32(L.H_WORK);
    const allocationI = (u32(L.H_CANDIDATES) + c * u32(L.H_CANDIDATE_STRIDE)) >> 2;
    const orderI = allocationI + n;
    const nodes = block + u32(L.H_SCRATCH_NODES);
    const freeF = (block + u32(L.H_SCRATCH_FREE)) >> 3;
    const stamps = block + u32(L.H_SCRATCH_STAMPS);

    const epoch = this.nextEpoch(block, nodes, n, stamps, u32(L.H_OBJECT_COUNT) * regionCount);
    const fixedCount = u32(L.H_FIXED_COUNT);
    const fixedIndexI = u32(L.H_FIXED_INDEX) >> 2;
    const fixedSeenI = (block + u32(L.H_SCRATCH_FIXED)) >> 2;
    const nowS = f64[(h + L.H_NOW_S) >> 3]!;
    if (fixedCount === 0) f64.fill(0, freeF, freeF + u32(L.H_SLOT_COUNT));
    else {
      const initial = u32(L.H_INITIAL_FREE) >> 3;
      f64.copyWithin(freeF, initial, initial + u32(L.H_SLOT_COUNT));
      const startsF = (block + u32(L.H_SCRATCH_STARTS)) >> 3;
      for (let f = 0; f < fixedCount; f++) {
        const record = u32(L.H_FIXED) + f * L.FIXED_STRIDE;
        const fs = i32[(record + L.FIXED_SUBTASK) >> 2]!;
        const fp = i32[(record + L.FIXED_POOL) >> 2]!;
        const node = nodes + fs * L.NODE_STRIDE;
        f64[(node + L.NODE_FINISH_S) >> 3] = f64[(record + L.FIXED_FINISH_S) >> 3]!;
        i32[(node + L.NODE_STAMP) >> 2] = epoch;
        i32[(node + L.NODE_POOL) >> 2] = fp;
        if ((i32[(pools + fp * L.POOL_STRIDE + L.POOL_AVAIL) >> 2]! & L.AVAIL_CONTENDED) !== 0) f64[startsF + fs] = f64[(record + L.FIXED_START_S) >> 3]!;
      }
    }

    let makespanS = 0;
    let computeUsd = 0;
    let egress = 0;
    let transferS = 0;
    let transferBytes = 0;
    let interruptionS = 0;
    let interruptionUsd = 0;
    let touched = 0;
    let status: number = L.STATUS_OK;
    let deferredPool = -1;
    let deferredAt = 0;
    let deferredLast = 0;
    let deferredEnd = 0;
    let i = 0;
    let s = -1;
    for (; i < n; i++) {
      if (prefetchGroup !== 0 && (i & (prefetchGroup - 1)) === 0) touched += this.touchAhead(orderI, allocationI, work, n, poolCount, i + prefetchGroup, Math.min(i + 2 * prefetchGroup, n));
      s = i32[orderI + i]!;
      if (s >>> 0 >= n) {
        status = L.STATUS_NOT_PERMUTATION;
        break;
      }
      const node = nodes + s * L.NODE_STRIDE;
      if (i32[(node + L.NODE_STAMP) >> 2] === epoch) {
        const f = fixedCount > 0 ? i32[fixedIndexI + s]! : -1;
        if (f < 0 || i32[fixedSeenI + f] === epoch) {
          status = L.STATUS_NOT_PERMUTATION;
          break;
        }
        i32[fixedSeenI + f] = epoch;
        continue;
      }
      const p = i32[allocationI + s]!;
      if (p >>> 0 >= poolCount) {
        status = L.STATUS_POOL_FORBIDDEN;
        break;
      }
      const at = s * poolCount + p;
      const cell = work + at * L.WORK_STRIDE;
      let durationS = f64[(cell + L.WORK_EXPECTED_S) >> 3]!;
      if (!Number.isFinite(durationS)) {
        status = L.STATUS_POOL_FORBIDDEN;
        break;
      }

      const readStart = i32[externalStartI + s]!;
      const readEnd = i32[externalStartI + s + 1]!;
      let readyS = readStart < readEnd ? Math.max(f64[(u32(L.H_EXTERNAL_READY) >> 3) + at]!, nowS) : nowS;
      const links = poolPairs + p * poolCount * L.PAIR_STRIDE;
      const edgeEnd = i32[predStartI + s + 1]!;
      for (let e = i32[predStartI + s]!; e < edgeEnd; e++) {
        const edge = edges + e * L.EDGE_STRIDE;
        const q = nodes + i32[(edge + L.EDGE_SOURCE) >> 2]! * L.NODE_STRIDE;
        if (i32[(q + L.NODE_STAMP) >> 2] !== epoch) {
          status = L.STATUS_NOT_TOPOLOGICAL;
          break;
        }
        const link = links + i32[(q + L.NODE_POOL) >> 2]! * L.PAIR_STRIDE;
        const bytes = f64[(edge + L.EDGE_BYTES) >> 3]!;
        const moveS = f64[(link + L.PAIR_LATENCY_S) >> 3]! + bytes / f64[(link + L.PAIR_BYTES_PER_S) >> 3]!;
        const arrivalS = f64[(q + L.NODE_FINISH_S) >> 3]! + moveS;
        if (arrivalS > readyS) readyS = arrivalS;
        transferS += moveS;
        egress += bytes * f64[(link + L.PAIR_EGRESS_USD_PER_BYTE) >> 3]!;
        transferBytes += bytes * f64[(link + L.PAIR_CROSS) >> 3]!;
      }
      if (status !== L.STATUS_OK) break;

      const pool = pools + p * L.POOL_STRIDE;
      const avail = i32[(pool + L.POOL_AVAIL) >> 2]!;
      let startS: number;
      if (avail !== 0) {
        if (deferredPool >= 0) {
          this.reserveSlot(deferredAt, deferredLast, deferredEnd);
          deferredPool = -1;
        }
        startS = this.placeOnAvailability(pool, freeF, readyS, f64[(cell + L.WORK_RUNTIME_S) >> 3]!, durationS);
        if (!Number.isFinite(startS)) {
          status = L.STATUS_NO_SLOT;
          break;
        }
        durationS = this.placedDurationS;
        if ((avail & L.AVAIL_CONTENDED) !== 0) f64[((block + u32(L.H_SCRATCH_STARTS)) >> 3) + s] = startS;
      } else {
        const slots = i32[(pool + L.POOL_SLOTS) >> 2]!;
        const slotBase = i32[(pool + L.POOL_SLOT_BASE) >> 2]!;
        if (i32[(pool + L.POOL_MODE) >> 2] === L.MODE_CONSTANT) {
          // As in the kernel: the previous reservation is written after this search.
          if (deferredPool === p) {
            this.reserveSlot(deferredAt, deferredLast, deferredEnd);
            deferredPool = -1;
          }
          const poolFree = freeF + slotBase;
          const r = Math.max(readyS, f64[(pool + L.POOL_OPEN_S) >> 3]!);
          const at = this.findSlot(poolFree, slots, r);
          const old = f64[at]!;
          startS = Math.max(r, old);
          if (deferredPool >= 0) this.reserveSlot(deferredAt, deferredLast, deferredEnd);
          deferredPool = p;
          deferredAt = at;
          deferredLast = poolFree + slots - 1;
          deferredEnd = Math.max(old, startS + durationS);
        } else {
          startS = this.startOnWindows(freeF + slotBase, slots, (u32(L.H_WINDOW_START) >> 2) + slotBase, u32(L.H_WINDOWS) >> 3, readyS, durationS);
          if (!Number.isFinite(startS)) {
            status = L.STATUS_NO_SLOT;
            break;
          }
        }
      }
      const finishS = startS + durationS;
      f64[(node + L.NODE_FINISH_S) >> 3] = finishS;
      i32[(node + L.NODE_STAMP) >> 2] = epoch;
      i32[(node + L.NODE_POOL) >> 2] = p;

      if (finishS > makespanS) makespanS = finishS;
      const reworkS = durationS - f64[(cell + L.WORK_RUNTIME_S) >> 3]!;
      interruptionS += reworkS;
      computeUsd += this.computeUsdOver(pool, avail, startS, finishS);
      interruptionUsd += reworkS * this.windowMeanPriceUsdPerS;

      if (readStart < readEnd) {
        const sums = this.addExternalReads(pool, p, readStart, readEnd, regionCount, stamps, epoch, transferS, egress, transferBytes);
        transferS = sums[0]!;
        egress = sums[1]!;
        transferBytes = sums[2]!;
      }
    }
    f64[(block + L.SCRATCH_TOUCHED) >> 3] = touched;
    const out = u32(L.H_OUTPUT) + c * u32(L.H_OUTPUT_STRIDE);
    if (status !== L.STATUS_OK) {
      i32[(out + L.OUT_STATUS) >> 2] = status;
      i32[(out + L.OUT_SUBTASK) >> 2] = status === L.STATUS_NOT_PERMUTATION ? -1 : s;
      i32[(out + L.OUT_ORDER_INDEX) >> 2] = i;
      f64.fill(Number.NaN, (out + L.OUT_MAKESPAN_S) >> 3, ((out + L.OUT_OBJECTIVE) >> 3) + 1);
      return status;
    }
    if (status === L.STATUS_OK && fixedCount > 0) {
      const fixed = this.scoreFixed(fixedCount, pools, poolCount, regionCount, nodes, stamps, epoch);
      if (fixed.makespanS > makespanS) makespanS = fixed.makespanS;
      computeUsd += fixed.computeUsd;
      egress += fixed.egressUsd;
      transferS += fixed.transferS;
      transferBytes += fixed.transferBytes;
      interruptionS += fixed.interruptionS;
      interruptionUsd += fixed.interruptionUsd;
    }
    const contentionS = u32(L.H_SCRATCH_SORT) > u32(L.H_SCRATCH_STARTS) ? this.contentionOf(pools, poolCount, nodes, n, block) : 0;
    const costUsd = computeUsd + egress;
    const kind = i32[(h + L.H_OBJECTIVE_KIND) >> 2];
    const usdPerHour = f64[(h + L.H_USD_PER_HOUR) >> 3]!;
    i32[(out + L.OUT_STATUS) >> 2] = L.STATUS_OK;
    i32[(out + L.OUT_SUBTASK) >> 2] = -1;
    i32[(out + L.OUT_ORDER_INDEX) >> 2] = -1;
    f64[(out + L.OUT_MAKESPAN_S) >> 3] = makespanS;
    f64[(out + L.OUT_COMPUTE_USD) >> 3] = computeUsd;
    f64[(out + L.OUT_EGRESS_USD) >> 3] = egress;
    f64[(out + L.OUT_COST_USD) >> 3] = costUsd;
    f64[(out + L.OUT_TRANSFER_S) >> 3] = transferS;
    f64[(out + L.OUT_TRANSFER_BYTES) >> 3] = transferBytes;
    f64[(out + L.OUT_CONTENTION_S) >> 3] = contentionS;
    f64[(out + L.OUT_INTERRUPTION_S) >> 3] = interruptionS;
    f64[(out + L.OUT_INTERRUPTION_USD) >> 3] = interruptionUsd;
    f64[(out + L.OUT_OBJECTIVE) >> 3] = kind === L.OBJECTIVE_MAKESPAN ? makespanS + contentionS : kind === L.OBJECTIVE_COST ? costUsd : costUsd + (usdPerHour * (makespanS + contentionS)) / 3600;
    return L.STATUS_OK;
  }

  /** assembly/evaluate.ts scoreFixed: the fixed sub-tasks' terms, once every sub-task is placed. */
  private scoreFixed(fixedCount: number, pools: number, poolCount: number, regionCount: number, nodes: number, stamps: number, epoch: number) {
    const i32 = this.i32;
    const f64 = this.f64;
    const h = L.HEADER_OFFSET;
    const u32 = (field: number): number => i32[(h + field) >> 2]! >>> 0;
    const poolPairs = u32(L.H_POOL_PAIRS);
    const predStartI = u32(L.H_PRED_START) >> 2;
    const edges = u32(L.H_EDGES);
    const externalStartI = u32(L.H_EXTERNAL_START) >> 2;
    const work = u32(L.H_WORK);
    const out = { makespanS: 0, computeUsd: 0, egressUsd: 0, transferS: 0, transferBytes: 0, interruptionS: 0, interruptionUsd: 0 };
    for (let f = 0; f < fixedCount; f++) {
      const record = u32(L.H_FIXED) + f * L.FIXED_STRIDE;
      const s = i32[(record + L.FIXED_SUBTASK) >> 2]!;
      const p = i32[(record + L.FIXED_POOL) >> 2]!;
      const startS = f64[(record + L.FIXED_START_S) >> 3]!;
      const finishS = f64[(record + L.FIXED_FINISH_S) >> 3]!;
      const pool = pools + p * L.POOL_STRIDE;
      const links = poolPairs + p * poolCount * L.PAIR_STRIDE;
      for (let e = i32[predStartI + s]!, edgeEnd = i32[predStartI + s + 1]!; e < edgeEnd; e++) {
        const edge = edges + e * L.EDGE_STRIDE;
        const q = nodes + i32[(edge + L.EDGE_SOURCE) >> 2]! * L.NODE_STRIDE;
        const link = links + i32[(q + L.NODE_POOL) >> 2]! * L.PAIR_STRIDE;
        const bytes = f64[(edge + L.EDGE_BYTES) >> 3]!;
        out.transferS += f64[(link + L.PAIR_LATENCY_S) >> 3]! + bytes / f64[(link + L.PAIR_BYTES_PER_S) >> 3]!;
        out.egressUsd += bytes * f64[(link + L.PAIR_EGRESS_USD_PER_BYTE) >> 3]!;
        out.transferBytes += bytes * f64[(link + L.PAIR_CROSS) >> 3]!;
      }
      if (finishS > out.makespanS) out.makespanS = finishS;
      const avail = i32[(pool + L.POOL_AVAIL) >> 2]!;
      const cell = work + (s * poolCount + p) * L.WORK_STRIDE;
      const runtimeS = f64[(cell + L.WORK_RUNTIME_S) >> 3]!;
      const first = i32[(pool + L.POOL_SEG_FIRST) >> 2]!;
      const end = i32[(pool + L.POOL_SEG_END) >> 2]!;
      const at = this.segmentArray(L.SEG_AT);
      const durationS = (avail & L.AVAIL_HAZARD) !== 0 ? expectedOverWindow(f64, at, f64, this.segmentArray(L.SEG_HAZARD), first, end, startS, runtimeS) : f64[(cell + L.WORK_EXPECTED_S) >> 3]!;
      const reworkS = durationS - runtimeS;
      out.interruptionS += reworkS;
      out.computeUsd += this.computeUsdOver(pool, avail, startS, finishS);
      out.interruptionUsd += reworkS * this.windowMeanPriceUsdPerS;
      const readStart = i32[externalStartI + s]!;
      const readEnd = i32[externalStartI + s + 1]!;
      if (readStart < readEnd) {
        const sums = this.addExternalReads(pool, p, readStart, readEnd, regionCount, stamps, epoch, out.transferS, out.egressUsd, out.transferBytes);
        out.transferS = sums[0]!;
        out.egressUsd = sums[1]!;
        out.transferBytes = sums[2]!;
      }
    }
    return out;
  }

  /** Price per slot-second of the last computeUsdOver call (for the rework). */
  private windowMeanPriceUsdPerS = 0;

  /**
   * Compute USD of a sub-task on `pool` over [startS, finishS], its price per slot-second
   * left in windowMeanPriceUsdPerS. Used by scoreCandidate's loop and scoreFixed.
   * Twin: the price block of assembly/evaluate.ts scoreCandidate (windowComputeUsd) and scoreFixed,
   * still written out twice there.
   */
  private computeUsdOver(pool: number, avail: number, startS: number, finishS: number): number {
    const f64 = this.f64;
    if ((avail & L.AVAIL_PRICE) === 0) {
      const price = f64[(pool + L.POOL_PRICE_USD_PER_S) >> 3]!;
      this.windowMeanPriceUsdPerS = price;
      return (finishS - startS) * price;
    }
    const first = this.i32[(pool + L.POOL_SEG_FIRST) >> 2]!;
    const end = this.i32[(pool + L.POOL_SEG_END) >> 2]!;
    const at = this.segmentArray(L.SEG_AT);
    const price = this.segmentArray(L.SEG_PRICE);
    const usd = windowPriceUsd(f64, at, f64, price, first, end, startS, finishS);
    this.windowMeanPriceUsdPerS = meanPriceUsdPerS(f64, at, f64, price, first, end, startS, finishS, usd);
    return usd;
  }

  /** Running sums [transferS, egressUsd, transferBytes] after addExternalReads. */
  private readonly readSums = new Float64Array(3);

  /**
   * External reads [readStart, readEnd) of a sub-task on pool `p` (rare): one whole object
   * moves to a region once per candidate (the stamps, at `epoch`). Adds their terms to the
   * running sums given, in order, and returns the sums. Used by scoreCandidate's loop and
   * scoreFixed. Twin: the external-reads loops of assembly/evaluate.ts scoreCandidate and
   * scoreFixed, still written out twice there.
   */
  private addExternalReads(pool: number, p: number, readStart: number, readEnd: number, regionCount: number, stamps: number, epoch: number, transferS: number, egress: number, transferBytes: number): Float64Array {
    const i32 = this.i32;
    const f64 = this.f64;
    const h = L.HEADER_OFFSET;
    const region = i32[(pool + L.POOL_REGION) >> 2]!;
    const externals = i32[(h + L.H_EXTERNALS) >> 2]! >>> 0;
    const homeLinks = (i32[(h + L.H_EXTERNAL_PAIRS) >> 2]! >>> 0) + p * regionCount * L.PAIR_STRIDE;
    for (let read = readStart; read < readEnd; read++) {
      const x = externals + read * L.EXTERNAL_STRIDE;
      const object = i32[(x + L.EXTERNAL_OBJECT) >> 2]!;
      if (object >= 0) {
        const stamp = (stamps >> 2) + object * regionCount + region;
        if (i32[stamp] === epoch) continue;
        i32[stamp] = epoch;
      }
      const link = homeLinks + i32[(x + L.EXTERNAL_REGION) >> 2]! * L.PAIR_STRIDE;
      const bytes = f64[(x + L.EXTERNAL_BYTES) >> 3]!;
      transferS += f64[(link + L.PAIR_LATENCY_S) >> 3]! + bytes / f64[(link + L.PAIR_BYTES_PER_S) >> 3]!;
      egress += bytes * f64[(link + L.PAIR_EGRESS_USD_PER_BYTE) >> 3]!;
      transferBytes += bytes * f64[(link + L.PAIR_CROSS) >> 3]!;
    }
    const sums = this.readSums;
    sums[0] = transferS;
    sums[1] = egress;
    sums[2] = transferBytes;
    return sums;
  }

  /** Duration of the sub-task placed by the last placeOnAvailability. */
  private placedDurationS = 0;

  /** f64 element index of SEG_* array k. */
  private segmentArray(k: number): number {
    const h = L.HEADER_OFFSET;
    return ((this.i32[(h + L.H_SEGMENTS) >> 2]! >>> 0) >> 3) + k * this.i32[(h + L.H_SEGMENT_COUNT) >> 2]!;
  }

  /** assembly/evaluate.ts placeOnAvailability; `freeF` is the f64 index of the free times. */
  private placeOnAvailability(pool: number, freeF: number, readyS: number, runtimeS: number, cachedS: number): number {
    const i32 = this.i32;
    const f64 = this.f64;
    const h = L.HEADER_OFFSET;
    const slots = i32[(pool + L.POOL_SLOTS) >> 2]!;
    const slotBase = i32[(pool + L.POOL_SLOT_BASE) >> 2]!;
    const poolFree = freeF + slotBase;
    const hazardVaries = (i32[(pool + L.POOL_AVAIL) >> 2]! & L.AVAIL_HAZARD) !== 0;
    const first = i32[(pool + L.POOL_SEG_FIRST) >> 2]!;
    const end = i32[(pool + L.POOL_SEG_END) >> 2]!;
    const at = this.segmentArray(L.SEG_AT);
    const hazard = this.segmentArray(L.SEG_HAZARD);
    const durationAt = (startS: number): number => (hazardVaries ? expectedOverWindow(f64, at, f64, hazard, first, end, startS, runtimeS) : cachedS);
    if (i32[(pool + L.POOL_MODE) >> 2] === L.MODE_CONSTANT) {
      const r = Math.max(readyS, f64[(pool + L.POOL_OPEN_S) >> 3]!);
      const slotAt = this.findSlot(poolFree, slots, r);
      const old = f64[slotAt]!;
      const startS = Math.max(r, old);
      const durationS = durationAt(startS);
      this.reserveSlot(slotAt, poolFree + slots - 1, Math.max(old, startS + durationS));
      this.placedDurationS = durationS;
      return startS;
    }
    const windowStart = ((i32[(h + L.H_WINDOW_START) >> 2]! >>> 0) >> 2) + slotBase;
    const windows = (i32[(h + L.H_WINDOWS) >> 2]! >>> 0) >> 3;
    let durationS = durationAt(readyS);
    for (let round = 0; round < START_ROUNDS; round++) {
      const startS = this.searchWindows(poolFree, slots, windowStart, windows, readyS, durationS);
      if (!Number.isFinite(startS)) return Number.POSITIVE_INFINITY;
      const k = this.searchedSlot;
      const atStart = durationAt(startS);
      if (startS + atStart <= this.windowEndAt(windowStart, windows, k, startS)) {
        const finishS = startS + atStart;
        if (finishS > f64[poolFree + k]!) f64[poolFree + k] = finishS;
        this.placedDurationS = atStart;
        return startS;
      }
      durationS = atStart;
    }
    return Number.POSITIVE_INFINITY;
  }

  private searchedSlot = -1;

  /** assembly/slots.ts searchWindows (element indices). */
  private searchWindows(free: number, slots: number, windowStart: number, windows: number, readyS: number, durationS: number): number {
    const f64 = this.f64;
    const i32 = this.i32;
    let best = Number.POSITIVE_INFINITY;
    let bestSlot = -1;
    for (let k = 0; k < slots; k++) {
      const lastEnd = f64[free + k]!;
      const t = Math.max(readyS, lastEnd);
      let start = Number.POSITIVE_INFINITY;
      for (let w = i32[windowStart + k]!, last = i32[windowStart + k + 1]!; w < last; w++) {
        const from = Math.max(t, f64[windows + 2 * w]!);
        if (from + durationS <= f64[windows + 2 * w + 1]!) {
          start = from;
          break;
        }
      }
      if (start < best || (start === best && bestSlot >= 0 && lastEnd > f64[free + bestSlot]!)) {
        best = start;
        bestSlot = k;
      }
    }
    this.searchedSlot = bestSlot;
    return best;
  }

  /** assembly/slots.ts windowEndAt (element indices). */
  private windowEndAt(windowStart: number, windows: number, k: number, t: number): number {
    const f64 = this.f64;
    for (let w = this.i32[windowStart + k]!, last = this.i32[windowStart + k + 1]!; w < last; w++) {
      if (f64[windows + 2 * w]! <= t && t <= f64[windows + 2 * w + 1]!) return f64[windows + 2 * w + 1]!;
    }
    return Number.NEGATIVE_INFINITY;
  }

  /** assembly/evaluate.ts contentionOf. */
  private contentionOf(pools: number, poolCount: number, nodes: number, n: number, block: number): number {
    const i32 = this.i32;
    const f64 = this.f64;
    const h = L.HEADER_OFFSET;
    const starts = (block + (i32[(h + L.H_SCRATCH_STARTS) >> 2]! >>> 0)) >> 3;
    const sortedStarts = (block + (i32[(h + L.H_SCRATCH_SORT) >> 2]! >>> 0)) >> 3;
    const sortedFinishes = sortedStarts + n;
    let total = 0;
    for (let p = 0; p < poolCount; p++) {
      const pool = pools + p * L.POOL_STRIDE;
      if ((i32[(pool + L.POOL_AVAIL) >> 2]! & L.AVAIL_CONTENDED) === 0) continue;
      let count = 0;
      for (let s = 0; s < n; s++) {
        const node = nodes + s * L.NODE_STRIDE;
        if (i32[(node + L.NODE_POOL) >> 2] !== p) continue;
        f64[sortedStarts + count] = f64[starts + s]!;
        f64[sortedFinishes + count] = f64[(node + L.NODE_FINISH_S) >> 3]!;
        count++;
      }
      f64.subarray(sortedStarts, sortedStarts + count).sort();
      f64.subarray(sortedFinishes, sortedFinishes + count).sort();
      total += sweepContentionS(f64, sortedStarts, f64, sortedFinishes, count, f64, this.segmentArray(L.SEG_AT), f64, this.segmentArray(L.SEG_FREE), i32[(pool + L.POOL_SEG_FIRST) >> 2]!, i32[(pool + L.POOL_SEG_END) >> 2]!);
    }
    return total;
  }

  /** assembly/evaluate.ts touchAhead: element indices; returns the sum of the touched cells. */
  private touchAhead(orderI: number, allocationI: number, work: number, n: number, poolCount: number, from: number, to: number): number {
    const i32 = this.i32;
    let sum = 0;
    for (let j = from; j < to; j++) {
      const s = i32[orderI + j]!;
      const safeS = s >>> 0 < n ? s : 0;
      const p = i32[allocationI + safeS]!;
      sum += this.f64[(work + (s >>> 0 < n && p >>> 0 < poolCount ? s * poolCount + p : 0) * L.WORK_STRIDE) >> 3]!;
    }
    return sum;
  }

  /** assembly/slots.ts findSlot; `free` is an f64 element index, so is the result. */
  private findSlot(free: number, slots: number, r: number): number {
    const f64 = this.f64;
    let at = free;
    let len = slots;
    while (len > 1) {
      const half = len >>> 1;
      const probe = at + half;
      at = f64[probe]! <= r ? probe : at;
      len -= half;
    }
    return at;
  }

  /** assembly/slots.ts reserveSlot (element indices). */
  private reserveSlot(at: number, last: number, end: number): void {
    const f64 = this.f64;
    while (at < last) {
      const next = f64[at + 1]!;
      if (next >= end) break;
      f64[at] = next;
      at++;
    }
    f64[at] = end;
  }

  /** assembly/slots.ts startOnWindows; `free`, `windowStart`, `windows` are element indices. */
  private startOnWindows(free: number, slots: number, windowStart: number, windows: number, readyS: number, durationS: number): number {
    const f64 = this.f64;
    const i32 = this.i32;
    let best = Number.POSITIVE_INFINITY;
    let bestAt = -1;
    for (let k = 0; k < slots; k++) {
      const lastEnd = f64[free + k]!;
      const t = Math.max(readyS, lastEnd);
      let start = Number.POSITIVE_INFINITY;
      for (let w = i32[windowStart + k]!, last = i32[windowStart + k + 1]!; w < last; w++) {
        const from = Math.max(t, f64[windows + 2 * w]!);
        if (from + durationS <= f64[windows + 2 * w + 1]!) {
          start = from;
          break;
        }
      }
      if (start < best || (start === best && bestAt >= 0 && lastEnd > f64[bestAt]!)) {
        best = start;
        bestAt = free + k;
      }
    }
    if (bestAt >= 0) {
      const end = best + durationS;
      if (end > f64[bestAt]!) f64[bestAt] = end;
    }
    return best;
  }
}
