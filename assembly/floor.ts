/**
 * The kernel's floor: the speed of light of the evaluate loop over this memory layout.
 *
 * Walks candidates [first, first + count) exactly as evaluate does (sub-tasks in the
 * candidate's order, the same allocation, order, work-matrix, predecessor-CSR, link and
 * node-state records) and does only the loads and the dependent max chain every scoring
 * must do:
 *
 *   finish[s] = max over inputs q (finish[q] + latency + bytes / bandwidth of q's pool → s's pool) + expectedS[s × P + p]
 *
 * and nothing else: no slots, no checks, no terms, no availability. It assumes a valid
 * candidate (the bench only runs it on feasible ones). Returns Σ over candidates of the
 * largest finish (a checksum, so the loop cannot be dropped). bench/kernel.ts times it
 * side by side with evaluate: kernel time / floor time is what the kernel's own work costs.
 */
import {
  EDGE_BYTES,
  EDGE_SOURCE,
  EDGE_STRIDE,
  HEADER_OFFSET,
  H_BATCH_CAPACITY,
  H_CANDIDATES,
  H_CANDIDATE_STRIDE,
  H_EDGES,
  H_NODE_COUNT,
  H_POOL_COUNT,
  H_POOL_PAIRS,
  H_PRED_START,
  H_SCRATCH,
  H_SCRATCH_COUNT,
  H_SCRATCH_NODES,
  H_SCRATCH_STRIDE,
  H_VERSION,
  H_WORK,
  LAYOUT_VERSION,
  NODE_FINISH_S,
  NODE_POOL,
  NODE_STRIDE,
  PAIR_STRIDE,
  WORK_EXPECTED_S,
  WORK_STRIDE,
} from './layout';
import { linkSeconds, maxTimeBits, poolLink } from './links';

/** NaN when the call is refused (version or range), like evaluate's negative codes. */
export function floorScore(first: i32, count: i32, scratch: i32): f64 {
  const h = HEADER_OFFSET;
  if (load<i32>(h, H_VERSION) != LAYOUT_VERSION) return NaN;
  const capacity = load<i32>(h, H_BATCH_CAPACITY);
  if (first < 0 || count < 0 || first > capacity - count) return NaN;
  if (scratch < 0 || scratch >= load<i32>(h, H_SCRATCH_COUNT)) return NaN;
  const block = <usize>load<u32>(h, H_SCRATCH) + <usize>scratch * <usize>load<u32>(h, H_SCRATCH_STRIDE);
  const nodes = block + <usize>load<u32>(h, H_SCRATCH_NODES);
  const n = load<i32>(h, H_NODE_COUNT);
  const poolCount = load<i32>(h, H_POOL_COUNT);
  const poolPairs = <usize>load<u32>(h, H_POOL_PAIRS);
  const predStart = <usize>load<u32>(h, H_PRED_START);
  const edges = <usize>load<u32>(h, H_EDGES);
  const work = <usize>load<u32>(h, H_WORK);
  let checksum = 0.0;
  for (let c = first; c < first + count; c++) {
    const allocation = <usize>load<u32>(h, H_CANDIDATES) + <usize>c * <usize>load<u32>(h, H_CANDIDATE_STRIDE);
    const order = allocation + (<usize>n << 2);
    let makespanBits: i64 = 0;
    for (let i = 0; i < n; i++) {
      const s = load<i32>(order + (<usize>i << 2));
      const p = load<i32>(allocation + (<usize>s << 2));
      const durationS = load<f64>(work + (<usize>(s * poolCount + p)) * WORK_STRIDE, WORK_EXPECTED_S);
      const links = poolLink(poolPairs, poolCount, p, 0);
      let readyBits: i64 = 0;
      const edgeEnd = load<i32>(predStart + (<usize>(s + 1) << 2));
      for (let e = load<i32>(predStart + (<usize>s << 2)); e < edgeEnd; e++) {
        const edge = edges + (<usize>e) * EDGE_STRIDE;
        const q = nodes + (<usize>load<i32>(edge, EDGE_SOURCE)) * NODE_STRIDE;
        const moveS = linkSeconds(links + (<usize>load<i32>(q, NODE_POOL)) * PAIR_STRIDE, load<f64>(edge, EDGE_BYTES));
        readyBits = maxTimeBits(reinterpret<i64>(load<f64>(q, NODE_FINISH_S) + moveS), readyBits);
      }
      const finishS = reinterpret<f64>(readyBits) + durationS;
      const node = nodes + (<usize>s) * NODE_STRIDE;
      store<f64>(node, finishS, NODE_FINISH_S);
      store<i32>(node, p, NODE_POOL);
      makespanBits = maxTimeBits(reinterpret<i64>(finishS), makespanBits);
    }
    checksum += reinterpret<f64>(makespanBits);
  }
  return checksum;
}
