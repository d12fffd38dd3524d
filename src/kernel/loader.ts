/**
 * Loads build/kernel.wasm: compiled once per thread (the WebAssembly.Module is cached),
 * instantiated on a given shared memory, its layout checked against the host's.
 *
 * The path is resolved from this module's own location, so it is the same file whether
 * this runs from src/kernel/loader.ts (tsx) or dist/kernel/loader.js.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkKernelLayout, type LayoutConstant } from './layout.js';

export const KERNEL_WASM_PATH = fileURLToPath(new URL('../../build/kernel.wasm', import.meta.url));

/** The kernel's exports: every layout constant as a global, and the evaluate loop. */
export type KernelExports = { readonly [K in LayoutConstant]: WebAssembly.Global } & {
  /**
   * Scores candidates [first, first + count) of the batch in place using scratch block
   * `scratch`. Returns the number of feasible candidates, or ERROR_RANGE (-1) /
   * ERROR_VERSION (-2) without writing anything.
   */
  evaluate(first: number, count: number, scratch: number): number;
  /**
   * The evaluate loop's floor (assembly/floor.ts): the same walk over the same memory doing
   * only the loads and the dependent max chain of finish times. Returns a checksum (Σ of the
   * candidates' largest finish), NaN when refused. For benchmarks; valid candidates only.
   */
  floorScore(first: number, count: number, scratch: number): number;
};

/** The function every implementation of the evaluate loop offers (the WASM kernel, the tight TypeScript twin). */
export interface EvaluateLoop {
  evaluate(first: number, count: number, scratch: number): number;
}

export class KernelLoadError extends Error {
  override name = 'KernelLoadError';
}

let cachedModule: WebAssembly.Module | undefined;

/** The compiled kernel, compiled on first use in this thread. */
export function kernelModule(path: string = KERNEL_WASM_PATH): WebAssembly.Module {
  if (path === KERNEL_WASM_PATH && cachedModule !== undefined) return cachedModule;
  if (!existsSync(path)) throw new KernelLoadError(`${path} not found: build the kernel with \`npm run build:wasm\` (or \`npm run build\`)`);
  const bytes = readFileSync(path);
  checkModuleShape(bytes, path);
  const module = new WebAssembly.Module(bytes);
  const imports = WebAssembly.Module.imports(module);
  if (imports.length !== 1 || imports[0]!.module !== 'env' || imports[0]!.name !== 'memory' || imports[0]!.kind !== 'memory') {
    throw new KernelLoadError(`${path} must import exactly env.memory; it imports ${imports.map((i) => `${i.module}.${i.name} (${i.kind})`).join(', ') || 'nothing'}`);
  }
  if (path === KERNEL_WASM_PATH) cachedModule = module;
  return module;
}

/** Instantiates the kernel on `memory` and checks its layout constants against the host's. */
export function instantiateKernel(memory: WebAssembly.Memory, module: WebAssembly.Module = kernelModule()): KernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const exports = instance.exports as unknown as KernelExports;
  checkKernelLayout(exports as unknown as Record<string, unknown>);
  return exports;
}

/**
 * The kernel must own no memory: no data segments (the host owns every byte of the shared
 * memory, and an active segment would be rewritten by every worker that instantiates it).
 * Walks the section headers: id (1 byte), size (LEB128), payload.
 */
function checkModuleShape(bytes: Uint8Array, path: string): void {
  if (bytes.length < 8 || bytes[0] !== 0x00 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new KernelLoadError(`${path} is not a WebAssembly module`);
  }
  let at = 8;
  const leb = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
      shift += 7;
    }
  };
  const DATA_SECTION = 11;
  while (at < bytes.length) {
    const id = bytes[at++]!;
    const size = leb();
    const payload = at;
    if (id === DATA_SECTION && leb() > 0) throw new KernelLoadError(`${path} has data segments; the kernel must not own memory (no static data, --runtime stub, nothing allocated)`);
    at = payload + size;
  }
}
