/**
 * Largest values the validators accept, per kind of quantity, and the sub-task caps.
 *
 * Chosen so that every product the model forms stays finite (doubles overflow near 1.8e308)
 * with room to spare, while no real job comes near them:
 *   runtime on a pool  ≤ MAX_SECONDS / MIN_SPEED                      = 1e18 s per stage
 *   transfer           ≤ MAX_BYTES / (MIN_BANDWIDTH_MBPS × 1e6 B/s)    = 1e18 s per edge
 *   cost               ≤ 1e18 s × MAX_PRICE_USD_PER_HOUR / 3600        ≈ 3e20 USD per sub-task
 *   objective          ≤ cost + MAX_USD_PER_HOUR × makespan / 3600
 * so even summed over 10^6 sub-tasks and edges the objective is below 1e40.
 *
 * Interruption rates are not capped: a sub-task whose expected runtime under rework,
 * (e^{λd} − 1)/λ, exceeds MAX_EXPECTED_RUNTIME_S cannot finish on that pool, and a stage
 * no pool can finish is refused as infeasible (`cost/bounds.ts`).
 */

/** Any duration or point in time given in seconds (runtimes, overheads, start-up, deadlines, capacity steps). */
export const MAX_SECONDS = 1e12;
/** Items or bytes of a divisible stage: below 2^53, so every unit range is an exact integer. */
export const MAX_UNITS = 1e15;
/** Bytes of a data object or of a stage's output (1 EB). */
export const MAX_BYTES = 1e18;
/** Slots of a pool, declared or in a capacity step. */
export const MAX_SLOTS = 1_000_000;
/** Pool speed and per-op speed. */
export const MIN_SPEED = 1e-6;
export const MAX_SPEED = 1e6;
/** Memory per slot or per sub-task. */
export const MAX_MEM_GB = 1e9;
/** Prices: per slot-hour, per GB of egress. */
export const MAX_PRICE_USD = 1e6;
/** The objective's exchange rate, USD per hour of makespan. */
export const MAX_USD_PER_HOUR = 1e9;
/** A budget. */
export const MAX_BUDGET_USD = 1e15;
/** Link bandwidth, MB/s. */
export const MIN_BANDWIDTH_MBPS = 1e-6;
export const MAX_BANDWIDTH_MBPS = 1e12;
/** Interruptions per hour: any finite rate; the effect is bounded by MAX_EXPECTED_RUNTIME_S. */
export const MAX_INTERRUPTION_PER_HOUR = 1e12;
/** A sub-task expected to take longer than this (about 3 × 10^12 years) never finishes on that pool. */
export const MAX_EXPECTED_RUNTIME_S = 1e20;

/**
 * Chunks one divisible stage is cut into, at most. A stage whose maxChunk forces more is
 * refused by the validator.
 */
export const MAX_CHUNKS_PER_STAGE = 1024;
/** Chunks over all divisible stages, at most (atomic stages add one sub-task each, or fewer). */
export const MAX_CHUNKS_TOTAL = 4096;
/**
 * Sub-task edges a divisible stage's chunks may have with its neighbours' sub-tasks. Chunks
 * join every sub-task of a neighbouring stage (a shuffle), so a stage with `a` atomic and `d`
 * divisible neighbours is cut into at most MAX_CHUNK_EDGES / (a + d × √MAX_CHUNK_EDGES)
 * chunks: two joined divisible stages get 256 chunks each at most (65,536 edges between them).
 */
export const MAX_CHUNK_EDGES = 65_536;
