/**
 * The apportion cost kernel (AssemblyScript → build/kernel.wasm).
 *
 * Compiled with `--runtime stub`, imports one shared memory (`env.memory`) laid out by the
 * host and never allocates. Exports: every layout constant (layout.ts) as a global the host
 * checks at load, `evaluate(first, count, scratch)`, and `floorScore(first, count, scratch)`
 * (the bare loop bench/kernel.ts measures the kernel against, assembly/floor.ts).
 */
export * from './layout';
export { evaluate } from './evaluate';
export { floorScore } from './floor';
