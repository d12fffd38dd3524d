/**
 * Epochs of a scratch block: "placed in this candidate" and "object already in this region"
 * are stamps equal to the block's current epoch, so nothing is cleared between candidates.
 */
import {
  HEADER_OFFSET,
  H_FIXED_COUNT,
  H_NODE_COUNT,
  H_SCRATCH_FIXED,
  H_SCRATCH_NODES,
  H_SCRATCH_LANES,
  NODE_STAMP,
  NODE_STRIDE,
  QUAD_NODE_STRIDE,
  SCRATCH_EPOCH,
} from './layout';

/** Next epoch of a scratch block; on wrap-around every stamp (single, pair and quad node states, objects, fixed) is cleared once. */
export function nextEpoch(block: usize, stamps: usize, stampCount: i32): i32 {
  let epoch = load<i32>(block, SCRATCH_EPOCH) + 1;
  if (epoch == i32.MAX_VALUE) {
    const h = HEADER_OFFSET;
    const n = load<i32>(h, H_NODE_COUNT);
    const nodes = block + <usize>load<u32>(h, H_SCRATCH_NODES);
    for (let s = 0; s < n; s++) store<i32>(nodes + (<usize>s) * NODE_STRIDE, 0, NODE_STAMP);
    // Pair and quad node states share the region (strides 32 and 64): cleared whole.
    memory.fill(block + <usize>load<u32>(h, H_SCRATCH_LANES), 0, (<usize>n) * QUAD_NODE_STRIDE);
    memory.fill(stamps, 0, <usize>stampCount << 2);
    memory.fill(block + <usize>load<u32>(h, H_SCRATCH_FIXED), 0, <usize>load<i32>(h, H_FIXED_COUNT) << 2);
    epoch = 1;
  }
  store<i32>(block, epoch, SCRATCH_EPOCH);
  return epoch;
}
