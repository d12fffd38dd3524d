/**
 * Host side of the kernel's memory layout: the constants the kernel exports (checked at
 * load), where each region of one problem's memory goes, and the one-time write of the
 * read-only inputs.
 *
 * One shared WebAssembly.Memory per problem. The host writes the inputs once, candidates are
 * written straight into their slots, every worker scores a slice in place and writes its
 * outputs in place; nothing large is copied per batch.
 *
 *   0            HEADER_OFFSET                                                      end
 *   ├── unused ──┼ header ┼ pools ┼ windows ┼ links ┼ graph CSR ┼ externals ┼ n × P matrices ┼ segments ┼─▶
 *                  (read-only inputs, written once by writeKernelInputs)
 *
 *   ─▶ candidates[batchCapacity] ┼ scratch[scratchCount] ┼ outputs[batchCapacity] ┤
 *       allocation i32[n]         epoch, node states,       status, sub-task,
 *       order      i32[n]         free times, stamps        terms (f64)
 *       (host writes)             (kernel only)             (kernel writes)
 *
 * Field by field, the records are drawn in assembly/layout.ts; the constants below must
 * equal the kernel's exports, value for value (checkKernelLayout).
 */
import type { Problem } from '../model/problem.js';
import type { SubtaskGraph } from '../model/subtasks.js';
import { transferS, type PoolTable } from '../model/tables.js';
import { Rework } from '../cost/rework.js';
import type { PartialSchedule } from '../cost/simulate.js';

/** The host's copy of assembly/layout.ts. */
export const LAYOUT = Object.freeze({
  LAYOUT_VERSION: 5,
  HEADER_OFFSET: 256,
  HEADER_BYTES: 192,
  H_VERSION: 0,
  H_NODE_COUNT: 4,
  H_POOL_COUNT: 8,
  H_REGION_COUNT: 12,
  H_EDGE_COUNT: 16,
  H_EXTERNAL_COUNT: 20,
  H_OBJECT_COUNT: 24,
  H_SLOT_COUNT: 28,
  H_BATCH_CAPACITY: 32,
  H_SCRATCH_COUNT: 36,
  H_OBJECTIVE_KIND: 40,
  H_PREFETCH_GROUP: 44,
  H_USD_PER_HOUR: 48,
  H_POOLS: 56,
  H_WINDOW_START: 60,
  H_WINDOWS: 64,
  H_POOL_PAIRS: 68,
  H_EXTERNAL_PAIRS: 72,
  H_PRED_START: 76,
  H_EDGES: 80,
  H_EXTERNAL_START: 84,
  H_EXTERNALS: 88,
  H_WORK: 92,
  H_EXTERNAL_READY: 96,
  H_CANDIDATES: 100,
  H_CANDIDATE_STRIDE: 104,
  H_SCRATCH: 108,
  H_SCRATCH_STRIDE: 112,
  H_SCRATCH_NODES: 116,
  H_SCRATCH_FREE: 120,
  H_SCRATCH_STAMPS: 124,
  H_OUTPUT: 128,
  H_OUTPUT_STRIDE: 132,
  H_END: 136,
  H_SEGMENT_COUNT: 140,
  H_SEGMENTS: 144,
  H_SCRATCH_STARTS: 148,
  H_SCRATCH_SORT: 152,
  H_FIXED_COUNT: 156,
  H_NOW_S: 160,
  H_FIXED: 168,
  H_FIXED_INDEX: 172,
  H_INITIAL_FREE: 176,
  H_SCRATCH_FIXED: 180,
  H_SCRATCH_GATHER: 184,
  H_SCRATCH_LANES: 188,
  FIXED_STRIDE: 32,
  FIXED_SUBTASK: 0,
  FIXED_POOL: 4,
  FIXED_SLOT: 8,
  FIXED_START_S: 16,
  FIXED_FINISH_S: 24,
  POOL_STRIDE: 48,
  POOL_REGION: 0,
  POOL_SLOTS: 4,
  POOL_SLOT_BASE: 8,
  POOL_MODE: 12,
  POOL_OPEN_S: 16,
  POOL_PRICE_USD_PER_S: 24,
  POOL_AVAIL: 32,
  POOL_SEG_FIRST: 36,
  POOL_SEG_END: 40,
  AVAIL_HAZARD: 1,
  AVAIL_PRICE: 2,
  AVAIL_CONTENDED: 4,
  SEGMENT_ARRAYS: 4,
  SEG_AT: 0,
  SEG_FREE: 1,
  SEG_HAZARD: 2,
  SEG_PRICE: 3,
  MODE_CONSTANT: 0,
  MODE_WINDOWS: 1,
  PAIR_STRIDE: 32,
  PAIR_LATENCY_S: 0,
  PAIR_BYTES_PER_S: 8,
  PAIR_EGRESS_USD_PER_BYTE: 16,
  PAIR_CROSS: 24,
  EDGE_STRIDE: 16,
  EDGE_SOURCE: 0,
  EDGE_BYTES: 8,
  EXTERNAL_STRIDE: 16,
  EXTERNAL_REGION: 0,
  EXTERNAL_OBJECT: 4,
  EXTERNAL_BYTES: 8,
  WORK_STRIDE: 16,
  WORK_EXPECTED_S: 0,
  WORK_RUNTIME_S: 8,
  SCRATCH_HEADER_BYTES: 64,
  SCRATCH_EPOCH: 0,
  SCRATCH_TOUCHED: 8,
  NODE_STRIDE: 16,
  NODE_FINISH_S: 0,
  NODE_STAMP: 8,
  NODE_POOL: 12,
  PAIR_GATHER_STRIDE: 32,
  QUAD_GATHER_STRIDE: 64,
  PAIR_NODE_STRIDE: 32,
  PAIR_NODE_FINISH_S: 0,
  PAIR_NODE_STAMP: 16,
  PAIR_NODE_POOL_A: 20,
  PAIR_NODE_POOL_B: 24,
  QUAD_NODE_STRIDE: 64,
  QUAD_NODE_FINISH_S: 0,
  QUAD_NODE_STAMP: 32,
  QUAD_NODE_POOLS: 36,
  OUT_STRIDE: 128,
  OUT_STATUS: 0,
  OUT_SUBTASK: 4,
  OUT_MAKESPAN_S: 8,
  OUT_COMPUTE_USD: 16,
  OUT_EGRESS_USD: 24,
  OUT_COST_USD: 32,
  OUT_TRANSFER_S: 40,
  OUT_TRANSFER_BYTES: 48,
  OUT_CONTENTION_S: 56,
  OUT_INTERRUPTION_S: 64,
  OUT_INTERRUPTION_USD: 72,
  OUT_OBJECTIVE: 80,
  OUT_ORDER_INDEX: 88,
  STATUS_OK: 0,
  STATUS_POOL_FORBIDDEN: 1,
  STATUS_NOT_TOPOLOGICAL: 2,
  STATUS_NO_SLOT: 3,
  STATUS_NOT_PERMUTATION: 4,
  OBJECTIVE_WEIGHTED: 0,
  OBJECTIVE_MAKESPAN: 1,
  OBJECTIVE_COST: 2,
  ERROR_RANGE: -1,
  ERROR_VERSION: -2,
});

export type LayoutConstant = keyof typeof LAYOUT;

/** Candidate, scratch and output strides are multiples of a cache line: workers never share one. */
const CACHE_LINE_BYTES = 64;
const PAGE_BYTES = 65536;
/** wasm32: the kernel declares a maximum of 65536 pages (4 GiB). */
const MAX_PAGES = 65536;

export class KernelLayoutError extends Error {
  override name = 'KernelLayoutError';
}

/**
 * Throws unless every constant the kernel exports equals the host's. `exports` is the
 * instance's exports (each constant a WebAssembly.Global) or plain numbers.
 */
export function checkKernelLayout(exports: Readonly<Record<string, unknown>>, source = 'build/kernel.wasm'): void {
  const valueOf = (name: string): number | undefined => {
    const raw = exports[name];
    if (raw instanceof WebAssembly.Global) return Number(raw.value);
    return typeof raw === 'number' ? raw : undefined;
  };
  const version = valueOf('LAYOUT_VERSION');
  if (version !== LAYOUT.LAYOUT_VERSION) {
    throw new KernelLayoutError(
      `${source} has layout version ${version ?? '(none)'}, the host expects ${LAYOUT.LAYOUT_VERSION}: rebuild the kernel with \`npm run build:wasm\` (or bump LAYOUT_VERSION on both sides if the layout changed)`,
    );
  }
  const wrong: string[] = [];
  for (const name of Object.keys(LAYOUT) as LayoutConstant[]) {
    const value = valueOf(name);
    if (value !== LAYOUT[name]) wrong.push(`${name}: kernel ${value ?? '(missing)'}, host ${LAYOUT[name]}`);
  }
  if (wrong.length > 0) {
    throw new KernelLayoutError(`${source} (layout version ${version}) disagrees with the host on ${wrong.length} constant(s): ${wrong.join('; ')}. assembly/layout.ts and src/kernel/layout.ts must change together (and LAYOUT_VERSION with them)`);
  }
}

/** Byte offsets and sizes of one problem's memory. */
export interface KernelLayout {
  readonly nodeCount: number;
  readonly poolCount: number;
  readonly regionCount: number;
  readonly edgeCount: number;
  readonly externalCount: number;
  readonly objectCount: number;
  readonly slotCount: number;
  readonly windowCount: number;
  readonly batchCapacity: number;
  readonly scratchCount: number;
  readonly pools: number;
  readonly windowStart: number;
  readonly windows: number;
  readonly poolPairs: number;
  readonly externalPairs: number;
  readonly predStart: number;
  readonly edges: number;
  readonly externalStart: number;
  readonly externals: number;
  readonly work: number;
  readonly externalReady: number;
  readonly segmentCount: number;
  readonly segments: number;
  /** 0, or the group size of the kernel's prefetch loads (H_PREFETCH_GROUP). */
  readonly prefetchGroup: number;
  readonly candidates: number;
  readonly candidateStride: number;
  readonly scratch: number;
  readonly scratchStride: number;
  /** Within one scratch block. */
  readonly scratchNodes: number;
  readonly scratchFree: number;
  readonly scratchStamps: number;
  readonly scratchStarts: number;
  readonly scratchSort: number;
  readonly fixedCount: number;
  readonly fixed: number;
  readonly fixedIndex: number;
  readonly initialFree: number;
  /** Within one scratch block. */
  readonly scratchFixed: number;
  /** Within one scratch block: the plain path's gathered work records, then the node states and lanes 1–3's free times of a pair or quad. */
  readonly scratchGather: number;
  readonly scratchLanes: number;
  readonly output: number;
  readonly outputStride: number;
  readonly end: number;
  readonly pages: number;
}

export interface LayoutOptions {
  /** Candidates one batch holds. */
  readonly batchCapacity: number;
  /** Scratch blocks: one per caller that may score at the same time (workers). */
  readonly scratchCount: number;
  /**
   * Group size of the kernel's prefetch loads (a power of two), or 0 for none. Default:
   * DEFAULT_PREFETCH_GROUP when the expected-duration matrix exceeds PREFETCH_ABOVE_BYTES.
   */
  readonly prefetchGroup?: number;
  /**
   * Sub-tasks already placed when a plan is extended (as `simulate(..., partial)`): every
   * candidate is scored around them. Written once per graph.
   */
  readonly partial?: PartialSchedule;
}

/**
 * Grouped prefetch loads pay off once the work matrix (n × P × 16 bytes) is well past the
 * L2 cache. Measured on layered DAGs × 16 pools (AMD EPYC, 512 KiB L2 per core): at 100k
 * sub-tasks (25 MB) they doubled the rate; at 10k (2.5 MB) they raised it by about half
 * for orders that jump around the graph (random topological orders, orders shuffled within
 * levels) and cost 5-20 % in the graph's own order, which the hardware prefetcher follows;
 * at 1k (256 KB) they only cost.
 */
export const PREFETCH_ABOVE_BYTES = 2 ** 20;
export const DEFAULT_PREFETCH_GROUP = 16;

/** Windows [from, to, from, to, ...] in which slot k of pool p exists, opening after start-up (slotWindows in src/cost/slots.ts). */
export function slotWindows(pools: PoolTable, p: number, k: number): number[] {
  const out: number[] = [];
  const startup = pools.startupS[p]!;
  const push = (from: number, to: number): void => {
    const opened = Math.max(from, startup);
    if (opened < to) out.push(opened, to);
  };
  let open = -1;
  for (let i = pools.capStart[p]!; i < pools.capStart[p + 1]!; i++) {
    const at = pools.capAtS[i]!;
    const has = pools.capSlots[i]! > k;
    if (has && open < 0) open = at;
    if (!has && open >= 0) {
      push(open, at);
      open = -1;
    }
  }
  if (open >= 0) push(open, Number.POSITIVE_INFINITY);
  return out;
}

/** Per pool: the windows of each slot, and when every slot opens if the pool's capacity never changes. */
interface PoolWindows {
  readonly perSlot: number[][];
  /** Defined iff the pool has slots and every one has the single window [openS, ∞). */
  readonly openS: number | undefined;
}

function poolWindows(pools: PoolTable): PoolWindows[] {
  const out: PoolWindows[] = [];
  for (let p = 0; p < pools.count; p++) {
    const perSlot = Array.from({ length: pools.maxSlots[p]! }, (_, k) => slotWindows(pools, p, k));
    const first = perSlot[0];
    const constant = first !== undefined && first.length === 2 && first[1] === Number.POSITIVE_INFINITY && perSlot.every((w) => w.length === 2 && w[0] === first[0] && w[1] === first[1]);
    out.push({ perSlot, openS: constant ? first[0] : undefined });
  }
  return out;
}

const align = (bytes: number, to: number): number => Math.ceil(bytes / to) * to;

export function planKernelLayout(problem: Problem, graph: SubtaskGraph, options: LayoutOptions): KernelLayout {
  const { batchCapacity, scratchCount } = options;
  const group = options.prefetchGroup;
  if (group !== undefined && !(group === 0 || (Number.isInteger(group) && group > 0 && (group & (group - 1)) === 0 && group <= 1024))) {
    throw new RangeError(`prefetchGroup must be 0 or a power of two ≤ 1024 (got ${group})`);
  }
  if (!Number.isInteger(batchCapacity) || batchCapacity < 1) throw new RangeError(`batchCapacity must be an integer ≥ 1 (got ${batchCapacity})`);
  if (!Number.isInteger(scratchCount) || scratchCount < 1) throw new RangeError(`scratchCount must be an integer ≥ 1 (got ${scratchCount})`);
  const P = problem.pools.count;
  if (graph.poolCount !== P) throw new RangeError(`the sub-task graph was built for ${graph.poolCount} pools, the problem has ${P}`);
  const n = graph.nodeCount;
  const R = problem.network.regionCount;
  let slotCount = 0;
  let windowCount = 0;
  for (const pool of poolWindows(problem.pools)) {
    slotCount += pool.perSlot.length;
    for (const w of pool.perSlot) windowCount += w.length / 2;
  }
  const objectCount = problem.definition.data.length;
  let at = LAYOUT.HEADER_OFFSET + LAYOUT.HEADER_BYTES;
  const take = (bytes: number, alignment = 8): number => {
    const start = align(at, alignment);
    at = start + bytes;
    return start;
  };
  const pools = take(P * LAYOUT.POOL_STRIDE);
  const windowStart = take(4 * (slotCount + 1));
  const windows = take(16 * windowCount);
  const poolPairs = take(P * P * LAYOUT.PAIR_STRIDE);
  const externalPairs = take(P * R * LAYOUT.PAIR_STRIDE);
  const predStart = take(4 * (n + 1));
  const edges = take(graph.edgeCount * LAYOUT.EDGE_STRIDE);
  const externalStart = take(4 * (n + 1));
  const externals = take(graph.externalObject.length * LAYOUT.EXTERNAL_STRIDE);
  const work = take(n * P * LAYOUT.WORK_STRIDE);
  // Read only for sub-tasks with external inputs: none, no matrix.
  const externalReady = take(graph.externalObject.length > 0 ? n * P * 8 : 0);
  const availability = problem.availability;
  const segmentCount = availability.atS.length;
  const segments = take(LAYOUT.SEGMENT_ARRAYS * 8 * segmentCount);
  const contended = availability.contended.includes(1);
  const fixedCount = checkPartial(problem, graph, options.partial);
  const fixed = take(fixedCount * LAYOUT.FIXED_STRIDE);
  const fixedIndex = take(fixedCount > 0 ? 4 * n : 0);
  const initialFree = take(fixedCount > 0 ? 8 * slotCount : 0);
  const candidateStride = align(Math.max(8 * n, 8), CACHE_LINE_BYTES);
  const candidates = take(batchCapacity * candidateStride, CACHE_LINE_BYTES);
  const scratchNodes = LAYOUT.SCRATCH_HEADER_BYTES;
  const scratchFree = scratchNodes + n * LAYOUT.NODE_STRIDE;
  const scratchStamps = scratchFree + 8 * slotCount;
  const scratchStarts = align(scratchStamps + 4 * objectCount * R, 8);
  const scratchSort = scratchStarts + (contended ? 8 * n : 0);
  const scratchFixed = scratchSort + (contended ? 16 * n : 0);
  const scratchGather = align(scratchFixed + 4 * fixedCount, CACHE_LINE_BYTES);
  const scratchLanes = scratchGather + n * LAYOUT.QUAD_GATHER_STRIDE;
  const scratchStride = align(scratchLanes + n * LAYOUT.QUAD_NODE_STRIDE + 3 * 8 * slotCount, CACHE_LINE_BYTES);
  const scratch = take(scratchCount * scratchStride, CACHE_LINE_BYTES);
  const output = take(batchCapacity * LAYOUT.OUT_STRIDE, CACHE_LINE_BYTES);
  const end = at;
  const pages = Math.max(1, Math.ceil(end / PAGE_BYTES));
  if (pages > MAX_PAGES) {
    throw new RangeError(`the kernel's memory would need ${(end / 2 ** 30).toFixed(2)} GiB (${n} sub-tasks × ${P} pools, batchCapacity ${batchCapacity}, ${scratchCount} scratch blocks); wasm32 holds at most 4 GiB: lower batchCapacity`);
  }
  return {
    nodeCount: n,
    poolCount: P,
    regionCount: R,
    edgeCount: graph.edgeCount,
    externalCount: graph.externalObject.length,
    objectCount,
    slotCount,
    windowCount,
    batchCapacity,
    scratchCount,
    pools,
    windowStart,
    windows,
    poolPairs,
    externalPairs,
    predStart,
    edges,
    externalStart,
    externals,
    work,
    externalReady,
    segmentCount,
    segments,
    prefetchGroup: options.prefetchGroup ?? (n * P * LAYOUT.WORK_STRIDE > PREFETCH_ABOVE_BYTES ? DEFAULT_PREFETCH_GROUP : 0),
    candidates,
    candidateStride,
    scratch,
    scratchStride,
    scratchNodes,
    scratchFree,
    scratchStamps,
    scratchStarts,
    scratchSort,
    fixedCount,
    fixed,
    fixedIndex,
    initialFree,
    scratchFixed,
    scratchGather,
    scratchLanes,
    output,
    outputStride: LAYOUT.OUT_STRIDE,
    end,
    pages,
  };
}

/** Number of fixed sub-tasks; throws a RangeError naming the first one the kernel could not honour. */
function checkPartial(problem: Problem, graph: SubtaskGraph, partial: PartialSchedule | undefined): number {
  if (partial === undefined) return 0;
  if (!(Number.isFinite(partial.nowS) && partial.nowS >= 0)) throw new RangeError(`partial.nowS must be a finite time ≥ 0 (got ${partial.nowS})`);
  for (const [s, placed] of partial.fixed) {
    const where = `partial.fixed[${s}]`;
    if (!(Number.isInteger(s) && s >= 0 && s < graph.nodeCount)) throw new RangeError(`${where}: no such sub-task (the graph has ${graph.nodeCount})`);
    if (!(Number.isInteger(placed.pool) && placed.pool >= 0 && placed.pool < problem.pools.count)) throw new RangeError(`${where}.pool: ${placed.pool} is not a pool index`);
    if (!(Number.isInteger(placed.slot) && placed.slot >= 0 && placed.slot < problem.pools.maxSlots[placed.pool]!)) throw new RangeError(`${where}.slot: pool ${problem.pools.ids[placed.pool]} has no slot ${placed.slot}`);
    if (!(Number.isFinite(placed.startS) && placed.startS >= 0 && placed.finishS >= placed.startS && Number.isFinite(placed.finishS))) throw new RangeError(`${where}: start ${placed.startS} s and finish ${placed.finishS} s must be finite, ≥ 0, in order`);
  }
  return partial.fixed.size;
}

/** A shared memory exactly as large as the layout (it never grows, so views stay valid). */
export function createKernelMemory(layout: KernelLayout): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: layout.pages, maximum: layout.pages, shared: true });
}

/** Typed-array views over a whole memory; element index = byte offset >> 2 (i32) or >> 3 (f64). */
export interface MemoryViews {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
}

export function memoryViews(memory: WebAssembly.Memory): MemoryViews {
  return { i32: new Int32Array(memory.buffer), f64: new Float64Array(memory.buffer) };
}

const OBJECTIVE_KIND = { weighted: LAYOUT.OBJECTIVE_WEIGHTED, makespan: LAYOUT.OBJECTIVE_MAKESPAN, cost: LAYOUT.OBJECTIVE_COST } as const;

/** Writes the header and every read-only input. Called once per problem. */
export function writeKernelInputs(memory: WebAssembly.Memory, layout: KernelLayout, problem: Problem, graph: SubtaskGraph, partial?: PartialSchedule): void {
  if ((partial?.fixed.size ?? 0) !== layout.fixedCount) throw new RangeError(`the layout was planned for ${layout.fixedCount} fixed sub-task(s), the partial schedule has ${partial?.fixed.size ?? 0}`);
  const { i32, f64 } = memoryViews(memory);
  const L = LAYOUT;
  const n = layout.nodeCount;
  const P = layout.poolCount;
  const R = layout.regionCount;
  const pools = problem.pools;
  const network = problem.network;

  const h = L.HEADER_OFFSET;
  const header32 = (field: number, value: number): void => {
    i32[(h + field) >> 2] = value;
  };
  header32(L.H_VERSION, L.LAYOUT_VERSION);
  header32(L.H_NODE_COUNT, n);
  header32(L.H_POOL_COUNT, P);
  header32(L.H_REGION_COUNT, R);
  header32(L.H_EDGE_COUNT, layout.edgeCount);
  header32(L.H_EXTERNAL_COUNT, layout.externalCount);
  header32(L.H_OBJECT_COUNT, layout.objectCount);
  header32(L.H_SLOT_COUNT, layout.slotCount);
  header32(L.H_BATCH_CAPACITY, layout.batchCapacity);
  header32(L.H_SCRATCH_COUNT, layout.scratchCount);
  header32(L.H_OBJECTIVE_KIND, OBJECTIVE_KIND[problem.objective.kind]);
  header32(L.H_PREFETCH_GROUP, layout.prefetchGroup);
  header32(L.H_SEGMENT_COUNT, layout.segmentCount);
  header32(L.H_FIXED_COUNT, layout.fixedCount);
  f64[(h + L.H_NOW_S) >> 3] = partial?.nowS ?? 0;
  f64[(h + L.H_USD_PER_HOUR) >> 3] = problem.objective.usdPerHour;
  const offsets: [number, number][] = [
    [L.H_POOLS, layout.pools],
    [L.H_WINDOW_START, layout.windowStart],
    [L.H_WINDOWS, layout.windows],
    [L.H_POOL_PAIRS, layout.poolPairs],
    [L.H_EXTERNAL_PAIRS, layout.externalPairs],
    [L.H_PRED_START, layout.predStart],
    [L.H_EDGES, layout.edges],
    [L.H_EXTERNAL_START, layout.externalStart],
    [L.H_EXTERNALS, layout.externals],
    [L.H_WORK, layout.work],
    [L.H_EXTERNAL_READY, layout.externalReady],
    [L.H_CANDIDATES, layout.candidates],
    [L.H_CANDIDATE_STRIDE, layout.candidateStride],
    [L.H_SCRATCH, layout.scratch],
    [L.H_SCRATCH_STRIDE, layout.scratchStride],
    [L.H_SCRATCH_NODES, layout.scratchNodes],
    [L.H_SCRATCH_FREE, layout.scratchFree],
    [L.H_SCRATCH_STAMPS, layout.scratchStamps],
    [L.H_OUTPUT, layout.output],
    [L.H_OUTPUT_STRIDE, layout.outputStride],
    [L.H_END, layout.end],
    [L.H_SEGMENTS, layout.segments],
    [L.H_SCRATCH_STARTS, layout.scratchStarts],
    [L.H_SCRATCH_SORT, layout.scratchSort],
    [L.H_FIXED, layout.fixed],
    [L.H_FIXED_INDEX, layout.fixedIndex],
    [L.H_INITIAL_FREE, layout.initialFree],
    [L.H_SCRATCH_FIXED, layout.scratchFixed],
    [L.H_SCRATCH_GATHER, layout.scratchGather],
    [L.H_SCRATCH_LANES, layout.scratchLanes],
  ];
  // Offsets are u32 addresses; an Int32Array stores their bit pattern.
  for (const [field, value] of offsets) header32(field, value | 0);

  // Pools and their slot windows.
  let slotBase = 0;
  let window = 0;
  const windows = poolWindows(pools);
  const availability = problem.availability;
  const cached = new Rework(availability, graph).cached;
  for (let p = 0; p < P; p++) {
    const at = layout.pools + p * L.POOL_STRIDE;
    const { perSlot, openS } = windows[p]!;
    i32[(at + L.POOL_REGION) >> 2] = pools.regionIndex[p]!;
    i32[(at + L.POOL_SLOTS) >> 2] = perSlot.length;
    i32[(at + L.POOL_SLOT_BASE) >> 2] = slotBase;
    i32[(at + L.POOL_MODE) >> 2] = openS === undefined ? L.MODE_WINDOWS : L.MODE_CONSTANT;
    f64[(at + L.POOL_OPEN_S) >> 3] = openS ?? Number.NaN;
    f64[(at + L.POOL_PRICE_USD_PER_S) >> 3] = pools.priceUsdPerSlotS[p]!;
    const avail = (cached[p] === 1 ? 0 : L.AVAIL_HAZARD) | (availability.priceVaries[p] === 1 ? L.AVAIL_PRICE : 0) | (availability.contended[p] === 1 ? L.AVAIL_CONTENDED : 0);
    i32[(at + L.POOL_AVAIL) >> 2] = avail;
    i32[(at + L.POOL_SEG_FIRST) >> 2] = availability.segStart[p]!;
    i32[(at + L.POOL_SEG_END) >> 2] = availability.segStart[p + 1]!;
    for (const slotWindows of perSlot) {
      i32[(layout.windowStart >> 2) + slotBase] = window;
      for (let w = 0; w < slotWindows.length; w += 2) {
        f64[(layout.windows >> 3) + 2 * window] = slotWindows[w]!;
        f64[(layout.windows >> 3) + 2 * window + 1] = slotWindows[w + 1]!;
        window++;
      }
      slotBase++;
    }
  }
  i32[(layout.windowStart >> 2) + slotBase] = window;

  // Fixed sub-tasks and the slot free times they leave (SlotBook.reserve: a slot's free time
  // is the latest finish on it; kept sorted per constant-capacity pool, like the kernel's).
  if (partial !== undefined && layout.fixedCount > 0) {
    i32.fill(-1, layout.fixedIndex >> 2, (layout.fixedIndex >> 2) + n);
    const initial = new Float64Array(layout.slotCount);
    let f = 0;
    for (const [s, placed] of partial.fixed) {
      const at = layout.fixed + f * L.FIXED_STRIDE;
      i32[(at + L.FIXED_SUBTASK) >> 2] = s;
      i32[(at + L.FIXED_POOL) >> 2] = placed.pool;
      i32[(at + L.FIXED_SLOT) >> 2] = placed.slot;
      f64[(at + L.FIXED_START_S) >> 3] = placed.startS;
      f64[(at + L.FIXED_FINISH_S) >> 3] = placed.finishS;
      i32[(layout.fixedIndex >> 2) + s] = f;
      const k = i32[(layout.pools + placed.pool * L.POOL_STRIDE + L.POOL_SLOT_BASE) >> 2]! + placed.slot;
      if (placed.finishS > initial[k]!) initial[k] = placed.finishS;
      f++;
    }
    for (let p = 0; p < P; p++) {
      const at = layout.pools + p * L.POOL_STRIDE;
      if (i32[(at + L.POOL_MODE) >> 2] !== L.MODE_CONSTANT) continue;
      const base = i32[(at + L.POOL_SLOT_BASE) >> 2]!;
      initial.subarray(base, base + i32[(at + L.POOL_SLOTS) >> 2]!).sort();
    }
    f64.set(initial, layout.initialFree >> 3);
  }

  // Availability segments, one f64 array per SEG_* (src/model/availability.ts).
  const segmentArrays = [availability.atS, availability.freeSlots, availability.hazardPerS, availability.priceUsdPerSlotS];
  segmentArrays.forEach((values, k) => f64.set(values, (layout.segments >> 3) + k * layout.segmentCount));

  // Links, [to pool][from pool] and [to pool][from region].
  const writeLink = (at: number, fromRegion: number, toRegion: number, samePool: boolean): void => {
    const k = fromRegion * R + toRegion;
    const latencyS = samePool ? 0 : network.latencyS[k]!;
    const rate = samePool ? Number.POSITIVE_INFINITY : network.bytesPerS[k]!;
    const egress = samePool ? 0 : network.egressUsdPerByte[k]!;
    // terms.ts `move` skips a move within one pool, and within one region on an infinite
    // link; the kernel has no flag for that: such a link must cost exactly nothing.
    const skipped = samePool || (fromRegion === toRegion && rate === Number.POSITIVE_INFINITY);
    if (skipped && (latencyS !== 0 || egress !== 0)) {
      throw new KernelLayoutError(`region ${network.regionIds[fromRegion]} → ${network.regionIds[toRegion]} has infinite bandwidth but latency ${latencyS} s or egress ${egress} USD/byte; the kernel assumes such a link is free`);
    }
    f64[(at + L.PAIR_LATENCY_S) >> 3] = latencyS;
    f64[(at + L.PAIR_BYTES_PER_S) >> 3] = rate;
    f64[(at + L.PAIR_EGRESS_USD_PER_BYTE) >> 3] = egress;
    f64[(at + L.PAIR_CROSS) >> 3] = !samePool && fromRegion !== toRegion ? 1 : 0;
  };
  for (let to = 0; to < P; to++) {
    const toRegion = pools.regionIndex[to]!;
    for (let from = 0; from < P; from++) writeLink(layout.poolPairs + (to * P + from) * L.PAIR_STRIDE, pools.regionIndex[from]!, toRegion, from === to);
    for (let region = 0; region < R; region++) writeLink(layout.externalPairs + (to * R + region) * L.PAIR_STRIDE, region, toRegion, false);
  }

  // Graph CSR and external reads.
  i32.set(graph.predStart, layout.predStart >> 2);
  for (let e = 0; e < layout.edgeCount; e++) {
    const at = layout.edges + e * L.EDGE_STRIDE;
    i32[(at + L.EDGE_SOURCE) >> 2] = graph.predIndex[e]!;
    f64[(at + L.EDGE_BYTES) >> 3] = graph.predBytes[e]!;
  }
  i32.set(graph.externalStart, layout.externalStart >> 2);
  for (let k = 0; k < layout.externalCount; k++) {
    const at = layout.externals + k * L.EXTERNAL_STRIDE;
    i32[(at + L.EXTERNAL_REGION) >> 2] = graph.externalRegion[k]!;
    i32[(at + L.EXTERNAL_OBJECT) >> 2] = graph.externalWhole[k] === 1 ? graph.externalObject[k]! : -1;
    f64[(at + L.EXTERNAL_BYTES) >> 3] = graph.externalBytes[k]!;
  }

  // Per (sub-task, pool): expected duration and runtime; when external inputs have arrived
  // (readyTimeS's second loop, which depends on s and p only).
  for (let s = 0; s < n; s++) {
    const first = graph.externalStart[s]!;
    const last = graph.externalStart[s + 1]!;
    for (let p = 0; p < P; p++) {
      const at = layout.work + (s * P + p) * L.WORK_STRIDE;
      f64[(at + L.WORK_EXPECTED_S) >> 3] = graph.expectedS[s * P + p]!;
      f64[(at + L.WORK_RUNTIME_S) >> 3] = graph.runtimeS[s * P + p]!;
      if (first === last) continue;
      let readyS = 0;
      const region = pools.regionIndex[p]!;
      for (let k = first; k < last; k++) {
        const arrival = transferS(network, graph.externalRegion[k]!, region, graph.externalBytes[k]!);
        if (arrival > readyS) readyS = arrival;
      }
      f64[(layout.externalReady >> 3) + s * P + p] = readyS;
    }
  }
}
