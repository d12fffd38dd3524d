/**
 * Memory layout of the cost kernel: every offset, stride and code the kernel and the host
 * share, defined once here and exported as WebAssembly globals. The host
 * (src/kernel/layout.ts) keeps the same table and refuses to run when any value differs
 * (checkKernelLayout), so a stale build/kernel.wasm fails loudly instead of misreading memory.
 *
 * Bump LAYOUT_VERSION whenever any value below changes meaning.
 *
 * The kernel owns no memory: it imports one shared WebAssembly.Memory laid out by the host.
 * Addresses 0 .. HEADER_OFFSET are left unused (a stray write through a null pointer lands
 * there, not in the inputs). All regions start 8-byte aligned; candidate, scratch and output
 * strides are multiples of 64 bytes so two workers never write the same cache line.
 *
 *   HEADER_OFFSET ┌──────────────────────────────────────────────────────────────┐
 *                 │ header: counts, objective, byte offsets of every region (H_*)  │
 *                 ├──────────────────────────────────────────────────────────────┤ read-only,
 *   H_POOLS       │ pool records        P × POOL_STRIDE                            │ written once
 *   H_WINDOW_START│ window CSR          i32[slotCount + 1]  (per slot of any pool) │ per problem
 *   H_WINDOWS     │ windows             f64 pairs [from, to)                       │
 *   H_POOL_PAIRS  │ pool → pool links   P × P × PAIR_STRIDE  [to pool][from pool]  │
 *   H_EXTERNAL_.. │ region → pool links P × R × PAIR_STRIDE  [to pool][from region]│
 *   H_PRED_START  │ predecessor CSR     i32[n + 1]                                 │
 *   H_EDGES       │ predecessor edges   E × EDGE_STRIDE                            │
 *   H_EXTERNAL_ST.│ external-read CSR   i32[n + 1]                                 │
 *   H_EXTERNALS   │ external reads      X × EXTERNAL_STRIDE                        │
 *   H_WORK        │ per (sub-task, pool) n × P × WORK_STRIDE  (s × P + p)          │
 *   H_EXTERNAL_RE.│ external inputs ready f64[n × P]                               │
 *   H_SEGMENTS    │ availability: breakpoints │ free │ hazard │ price  f64[segments]│
 *   H_FIXED ..    │ fixed sub-tasks, fixed index i32[n], initial free f64[slots]   │
 *                 ├──────────────────────────────────────────────────────────────┤
 *   H_CANDIDATES  │ candidate i: allocation i32[n] │ order i32[n]  (× batchCapacity)│ host writes
 *                 ├──────────────────────────────────────────────────────────────┤
 *   H_SCRATCH     │ scratch j (one per worker): epoch │ node states │ slot free    │ kernel only
 *                 │ times │ (object, region) stamps │ starts │ sort (contention) │
 *                 │ fixed │ gathered work records │ pair node states, free times │
 *                 ├──────────────────────────────────────────────────────────────┤
 *   H_OUTPUT      │ output i: status, sub-task, terms          (× batchCapacity)  │ kernel writes
 *   H_END         └──────────────────────────────────────────────────────────────┘
 */

export const LAYOUT_VERSION: i32 = 5;

/** Where the header starts; the host lays everything else out behind it. */
export const HEADER_OFFSET: usize = 256;
export const HEADER_BYTES: usize = 192;

// ── Header fields (byte offsets from HEADER_OFFSET). Counts are i32, offsets are u32
//    absolute addresses, except H_SCRATCH_* which are relative to one scratch block.
export const H_VERSION: usize = 0;
export const H_NODE_COUNT: usize = 4;
export const H_POOL_COUNT: usize = 8;
export const H_REGION_COUNT: usize = 12;
export const H_EDGE_COUNT: usize = 16;
export const H_EXTERNAL_COUNT: usize = 20;
export const H_OBJECT_COUNT: usize = 24;
/** Σ over pools of the largest slot count the pool ever has. */
export const H_SLOT_COUNT: usize = 28;
export const H_BATCH_CAPACITY: usize = 32;
export const H_SCRATCH_COUNT: usize = 36;
export const H_OBJECTIVE_KIND: usize = 40;
/**
 * 0, or a power of two G: every G sub-tasks, touch the duration cells of the G after the
 * next G at once, so their cache misses overlap (for graphs whose matrices exceed the
 * caches; the host decides).
 */
export const H_PREFETCH_GROUP: usize = 44;
/** f64: USD one hour of makespan is worth (weighted objective). */
export const H_USD_PER_HOUR: usize = 48;
export const H_POOLS: usize = 56;
export const H_WINDOW_START: usize = 60;
export const H_WINDOWS: usize = 64;
export const H_POOL_PAIRS: usize = 68;
export const H_EXTERNAL_PAIRS: usize = 72;
export const H_PRED_START: usize = 76;
export const H_EDGES: usize = 80;
export const H_EXTERNAL_START: usize = 84;
export const H_EXTERNALS: usize = 88;
/** Work records per (sub-task, pool), WORK_STRIDE each. */
export const H_WORK: usize = 92;
/** f64[n × P]: when every external input of s has reached p's region (read only if s has some). */
export const H_EXTERNAL_READY: usize = 96;
export const H_CANDIDATES: usize = 100;
export const H_CANDIDATE_STRIDE: usize = 104;
export const H_SCRATCH: usize = 108;
export const H_SCRATCH_STRIDE: usize = 112;
export const H_SCRATCH_NODES: usize = 116;
export const H_SCRATCH_FREE: usize = 120;
export const H_SCRATCH_STAMPS: usize = 124;
export const H_OUTPUT: usize = 128;
export const H_OUTPUT_STRIDE: usize = 132;
export const H_END: usize = 136;
/** Σ over pools of the availability's segments. */
export const H_SEGMENT_COUNT: usize = 140;
/** Availability segments: SEGMENT_ARRAYS f64 arrays of H_SEGMENT_COUNT each (SEG_*). */
export const H_SEGMENTS: usize = 144;
/** f64[n]: start of each sub-task on a contended pool (0 bytes when no pool is contended). */
export const H_SCRATCH_STARTS: usize = 148;
/** f64[2n]: sorted starts, then sorted finishes, of one contended pool (0 bytes when none). */
export const H_SCRATCH_SORT: usize = 152;
/** Sub-tasks fixed by a partial schedule (re-planning a running job; 0 otherwise). */
export const H_FIXED_COUNT: usize = 156;
/** f64: nothing new starts before this time (the partial schedule's nowS; 0 otherwise). */
export const H_NOW_S: usize = 160;
/** Fixed records, FIXED_STRIDE each, H_FIXED_COUNT of them. */
export const H_FIXED: usize = 168;
/** i32[n]: index of sub-task s among the fixed records, -1 when it is not fixed. */
export const H_FIXED_INDEX: usize = 172;
/** f64[slotCount]: slot free times once the fixed sub-tasks hold their slots (sorted per constant-capacity pool). */
export const H_INITIAL_FREE: usize = 176;
/** i32[H_FIXED_COUNT] per scratch block: epoch at which the order listed fixed record i. */
export const H_SCRATCH_FIXED: usize = 180;
/**
 * Per scratch block, for the plain path (assembly/plain.ts): the work records of one
 * candidate, a pair or a quad gathered in order, QUAD_GATHER_STRIDE × n bytes.
 */
export const H_SCRATCH_GATHER: usize = 184;
/**
 * Per scratch block: node states of a pair or a quad of candidates scored in lock step,
 * QUAD_NODE_STRIDE × n, then the slot free times of lanes 1, 2, 3 (f64[slotCount] each;
 * lane 0 uses H_SCRATCH_FREE).
 */
export const H_SCRATCH_LANES: usize = 188;

// ── Pool record.
//   0        4        8           12       16          24          32      36          40        44     48
//   │ region │ slots  │ slot base │ mode   │ open (f64) │ price (f64) │ avail │ seg first │ seg end │ pad  │
export const POOL_STRIDE: usize = 48;
export const POOL_REGION: usize = 0;
/** Largest slot count the pool ever has (the reference's maxSlots). */
export const POOL_SLOTS: usize = 4;
/** Index of the pool's first slot among all slots (free times, window CSR). */
export const POOL_SLOT_BASE: usize = 8;
export const POOL_MODE: usize = 12;
/** MODE_CONSTANT only: when every slot opens (start-up; the window closes never). */
export const POOL_OPEN_S: usize = 16;
/** The constant price (or the price at 0 where it varies: then AVAIL_PRICE is set and it is not read). */
export const POOL_PRICE_USD_PER_S: usize = 24;
/** AVAIL_* flags: 0 = today's fast path (cached durations, constant price, no contention). */
export const POOL_AVAIL: usize = 32;
/** The pool's availability segments: indices [first, end) into each SEG_* array. */
export const POOL_SEG_FIRST: usize = 36;
export const POOL_SEG_END: usize = 40;

/** The hazard varies (or differs from the one the cached durations used): durations from the window (assembly/rework.ts). */
export const AVAIL_HAZARD: i32 = 1;
/** The price varies: compute price integrated over the window (assembly/price.ts). */
export const AVAIL_PRICE: i32 = 2;
/** Some segment has fewer free slots than slots: contention is swept (assembly/contention.ts). */
export const AVAIL_CONTENDED: i32 = 4;

// ── Availability segments (src/model/availability.ts): array k of the SEGMENT_ARRAYS starts
//    at H_SEGMENTS + k × 8 × H_SEGMENT_COUNT; element i belongs to segment i.
export const SEGMENT_ARRAYS: i32 = 4;
/** Breakpoints atS (ascending per pool, the first 0). */
export const SEG_AT: i32 = 0;
export const SEG_FREE: i32 = 1;
export const SEG_HAZARD: i32 = 2;
export const SEG_PRICE: i32 = 3;

/** Every slot has the one window [open, ∞): free times kept sorted, binary search. */
export const MODE_CONSTANT: i32 = 0;
/** Capacity varies: per-slot windows, scanned like the reference. */
export const MODE_WINDOWS: i32 = 1;

// ── Link record (pool → pool, and data home region → pool), indexed by the destination
//    pool first: a sub-task's row of sources is contiguous.
//   0             8               16                   24                32
//   │ latencyS    │ bytesPerS     │ egressUsdPerByte   │ cross (1 | 0)   │
//
//    Every move the reference skips (same pool; same region on the default free link) has
//    latency 0, bandwidth ∞ and egress 0 here (the same-pool diagonal is written so), so
//    latency + bytes / bandwidth is exactly 0 and the terms add exactly 0: no flag, no
//    branch. The host checks that no skipped link has a latency or an egress price.
//    cross is an f64 factor: transferBytes += bytes × cross (exact for 1 and 0).
export const PAIR_STRIDE: usize = 32;
export const PAIR_LATENCY_S: usize = 0;
export const PAIR_BYTES_PER_S: usize = 8;
export const PAIR_EGRESS_USD_PER_BYTE: usize = 16;
/** 1 where the regions differ (transferBytes counts the move), else 0. */
export const PAIR_CROSS: usize = 24;

// ── Predecessor edge: 0 source i32 │ 4 (pad) │ 8 bytes f64
export const EDGE_STRIDE: usize = 16;
export const EDGE_SOURCE: usize = 0;
export const EDGE_BYTES: usize = 8;

// ── External read: 0 home region i32 │ 4 object i32 (-1: a chunk's own share, never shared) │ 8 bytes f64
export const EXTERNAL_STRIDE: usize = 16;
export const EXTERNAL_REGION: usize = 0;
export const EXTERNAL_OBJECT: usize = 4;
export const EXTERNAL_BYTES: usize = 8;

// ── Work record at (s × P + p): 0 expectedS │ 8 runtimeS   (expectedS ∞ where forbidden)
//    The gather of this record is the kernel's main memory cost (one random record per
//    sub-task); 16 bytes: four to a cache line, none straddles two. When the external
//    inputs of s have reached p's region depends on s and p only: the host computes it
//    into its own matrix (H_EXTERNAL_READY, f64 at s × P + p), read only for sub-tasks
//    that have external inputs.
export const WORK_STRIDE: usize = 16;
export const WORK_EXPECTED_S: usize = 0;
export const WORK_RUNTIME_S: usize = 8;

// ── Fixed sub-task (a partial schedule; written once per graph, read by every candidate).
//   0 sub-task i32 │ 4 pool i32 │ 8 slot i32 │ 12 (pad) │ 16 startS f64 │ 24 finishS f64
export const FIXED_STRIDE: usize = 32;
export const FIXED_SUBTASK: usize = 0;
export const FIXED_POOL: usize = 4;
export const FIXED_SLOT: usize = 8;
export const FIXED_START_S: usize = 16;
export const FIXED_FINISH_S: usize = 24;

// ── Scratch block (one per worker; never cleared between candidates: epoch stamps).
//   0 epoch i32 │ 8 touched f64 │ … pad to SCRATCH_HEADER_BYTES │ node states │ free times │ stamps
//   │ starts │ sort   (the last two only when some pool is contended)
export const SCRATCH_HEADER_BYTES: usize = 64;
export const SCRATCH_EPOCH: usize = 0;
/** f64 sink of the prefetch loads (see H_PREFETCH_GROUP). */
export const SCRATCH_TOUCHED: usize = 8;
/** Node state: 0 finishS f64 │ 8 stamp i32 (= epoch once scheduled) │ 12 pool i32 */
export const NODE_STRIDE: usize = 16;
export const NODE_FINISH_S: usize = 0;
export const NODE_STAMP: usize = 8;
export const NODE_POOL: usize = 12;

// ── Plain path (assembly/plain.ts, quad.ts). Gathered work record at position i of the order:
//    one candidate: 0 expectedS │ 8 runtimeS; a pair (a, b): 0 expected a │ 8 expected b │ 16 runtime a │ 24 runtime b;
//    a quad (a, b, c, d): 0 expected a, b, c, d (f64 each) │ 32 runtime a, b, c, d
export const PAIR_GATHER_STRIDE: usize = 32;
export const QUAD_GATHER_STRIDE: usize = 64;
//    Pair node state: 0 finish a │ 8 finish b │ 16 stamp i32 │ 20 pool a i32 │ 24 pool b i32 │ 28 (pad)
export const PAIR_NODE_STRIDE: usize = 32;
export const PAIR_NODE_FINISH_S: usize = 0;
export const PAIR_NODE_STAMP: usize = 16;
export const PAIR_NODE_POOL_A: usize = 20;
export const PAIR_NODE_POOL_B: usize = 24;
//    Quad node state: 0 finish a, b, c, d (f64 each) │ 32 stamp i32 │ 36 pool a, b, c, d (i32 each) │ 52 (pad)
export const QUAD_NODE_STRIDE: usize = 64;
export const QUAD_NODE_FINISH_S: usize = 0;
export const QUAD_NODE_STAMP: usize = 32;
export const QUAD_NODE_POOLS: usize = 36;

// ── Output record.
//   0 status i32 │ 4 sub-task i32 │ 8 makespanS │ 16 computeUsd │ 24 egressUsd │ 32 costUsd
//   40 transferS │ 48 transferBytes │ 56 contentionS │ 64 interruptionS │ 72 interruptionUsd
//   80 objective │ 88 order index i32 │ 92 (pad) │ 96 (pad to a cache line) … 128
export const OUT_STRIDE: usize = 128;
export const OUT_STATUS: usize = 0;
export const OUT_SUBTASK: usize = 4;
export const OUT_MAKESPAN_S: usize = 8;
export const OUT_COMPUTE_USD: usize = 16;
export const OUT_EGRESS_USD: usize = 24;
export const OUT_COST_USD: usize = 32;
export const OUT_TRANSFER_S: usize = 40;
export const OUT_TRANSFER_BYTES: usize = 48;
export const OUT_CONTENTION_S: usize = 56;
export const OUT_INTERRUPTION_S: usize = 64;
export const OUT_INTERRUPTION_USD: usize = 72;
export const OUT_OBJECTIVE: usize = 80;
export const OUT_ORDER_INDEX: usize = 88;

// ── Status codes (OUT_STATUS). The reference throws a ScheduleError in the first three cases.
export const STATUS_OK: i32 = 0;
/** Allocation names no pool, or a pool where the sub-task's duration is ∞ (forbidden). */
export const STATUS_POOL_FORBIDDEN: i32 = 1;
/** A sub-task comes before one of its inputs in the order. */
export const STATUS_NOT_TOPOLOGICAL: i32 = 2;
/** The pool never has a slot window long enough for the sub-task. */
export const STATUS_NO_SLOT: i32 = 3;
/** The order lists a sub-task twice or names one that does not exist (the reference does not check). */
export const STATUS_NOT_PERMUTATION: i32 = 4;

// ── Objective kinds (H_OBJECTIVE_KIND), as in src/cost/objective.ts.
export const OBJECTIVE_WEIGHTED: i32 = 0;
export const OBJECTIVE_MAKESPAN: i32 = 1;
export const OBJECTIVE_COST: i32 = 2;

// ── evaluate() return codes below zero: the call was refused, nothing was written.
export const ERROR_RANGE: i32 = -1;
export const ERROR_VERSION: i32 = -2;
