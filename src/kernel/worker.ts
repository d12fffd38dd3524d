/**
 * Piscina worker: scores one slice of a batch in place. The task carries the problem's
 * shared memory (posting a shared WebAssembly.Memory passes a handle, not the bytes) and the
 * slice bounds; the result is only the number of feasible candidates.
 *
 * Each posted Memory arrives as a new JS object over the same backing store, so instances
 * are cached by the memory's id, not by object identity. The module is compiled once per
 * thread (loader cache); a few memories are kept so a pool shared by several planners does
 * not re-instantiate on every batch.
 */
import { instantiateKernel, type KernelExports } from './loader.js';

export interface KernelTask {
  /** Unique per memory (per KernelArena). */
  readonly memoryId: string;
  readonly memory: WebAssembly.Memory;
  readonly first: number;
  readonly count: number;
  /** Scratch block this slice may use; no other slice in flight uses it. */
  readonly scratch: number;
}

const KEEP_INSTANCES = 4;
const instances = new Map<string, KernelExports>();

function instanceFor(task: KernelTask): KernelExports {
  let kernel = instances.get(task.memoryId);
  if (kernel !== undefined) {
    // Most recently used last.
    instances.delete(task.memoryId);
    instances.set(task.memoryId, kernel);
    return kernel;
  }
  kernel = instantiateKernel(task.memory);
  instances.set(task.memoryId, kernel);
  if (instances.size > KEEP_INSTANCES) instances.delete(instances.keys().next().value!);
  return kernel;
}

export default function scoreSlice(task: KernelTask): number {
  const feasible = instanceFor(task).evaluate(task.first, task.count, task.scratch);
  if (feasible < 0) throw new RangeError(`kernel refused slice [${task.first}, ${task.first + task.count}) scratch ${task.scratch}: code ${feasible}`);
  return feasible;
}
