/**
 * Ready times and transfers: what crossing a link costs. Mirrors `transferS` in
 * src/model/tables.ts (latency + bytes / bandwidth; a free same-region link gives exactly
 * 0 because its latency is 0 and its bandwidth ∞) and the `move` rule of
 * src/cost/terms.ts (a skipped move costs exactly 0 by construction of the link record;
 * the `cross` factor selects the bytes transferBytes counts).
 */
import { PAIR_BYTES_PER_S, PAIR_CROSS, PAIR_EGRESS_USD_PER_BYTE, PAIR_LATENCY_S, PAIR_STRIDE } from './layout';

/** Record of the link from pool `from` to pool `to` in the [to][from] pool table. */
@inline
export function poolLink(poolPairs: usize, poolCount: i32, to: i32, from: i32): usize {
  return poolPairs + (<usize>(to * poolCount + from)) * PAIR_STRIDE;
}

/** Seconds to move `bytes` over a link: latency + bytes / bandwidth (same association as the reference). */
@inline
export function linkSeconds(link: usize, bytes: f64): f64 {
  return load<f64>(link, PAIR_LATENCY_S) + bytes / load<f64>(link, PAIR_BYTES_PER_S);
}

/** Egress USD of a move (0 on links the reference skips). */
@inline
export function egressUsd(link: usize, bytes: f64): f64 {
  return bytes * load<f64>(link, PAIR_EGRESS_USD_PER_BYTE);
}

/** Bytes the transferBytes term counts: only moves between different regions. */
@inline
export function crossBytes(link: usize, bytes: f64): f64 {
  return bytes * load<f64>(link, PAIR_CROSS);
}

/**
 * max(a, b) for times given as their IEEE-754 bits. Every time here is ≥ +0 (or ∞, never
 * NaN or -0), and for such doubles the bit patterns order like the values, so an integer
 * compare and select gives the exact float max without a branch (V8 compiles f64.max and
 * an f64 select to data-dependent jumps on x64, an i64 select to cmov).
 */
@inline
export function maxTimeBits(a: i64, b: i64): i64 {
  return select<i64>(a, b, a > b);
}
