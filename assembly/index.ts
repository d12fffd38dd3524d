/**
 * The apportion cost kernel (AssemblyScript → build/kernel.wasm).
 *
 * Compiled with `--runtime stub`, imports one shared memory (`env.memory`) laid out by the
 * host and never allocates. Exports: every layout constant (layout.ts) as a global the host
 * checks at load, and `evaluate(first, count, scratch)`.
 */
export * from './layout';
export { evaluate } from './evaluate';
