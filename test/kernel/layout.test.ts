/**
 * The memory layout: the kernel's exported constants equal the host's, a mismatch is a
 * clear error, regions are aligned and disjoint, and the kernel refuses a header or a
 * range it was not built for.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelArena } from '../../src/kernel/arena.js';
import { checkKernelLayout, KernelLayoutError, LAYOUT, planKernelLayout } from '../../src/kernel/layout.js';
import { instantiateKernel, kernelModule, KERNEL_WASM_PATH, KernelLoadError } from '../../src/kernel/loader.js';
import { TightKernel } from '../../src/kernel/tight.js';
import { buildSubtaskGraph } from '../../src/model/subtasks.js';
import { defaultPartition } from '../../src/planners/partition.js';
import { problemOf } from '../helpers/problems.js';

const test = suite('kernel memory layout');

test('declared availability keeps every pool on the fast path; a forecast flags what varies', () => {
  const flags = (arena: KernelArena): number[] => Array.from({ length: arena.layout.poolCount }, (_, p) => arena.views.i32[(arena.layout.pools + p * LAYOUT.POOL_STRIDE + LAYOUT.POOL_AVAIL) >> 2]!);
  assert.equal(flags(new KernelArena(problem, graph, { batchCapacity: 1, scratchCount: 1 })), [0, 0]);
  const forecast = problemOf(task, {
    pools: [{ id: 'a', region: 'A', slots: 3 }, { id: 'b', region: 'B', slots: 2 }],
    network: { links: [{ from: 'A', to: 'B', latencyMs: 20, bandwidthMBps: 100, egressUsdPerGb: 0.09 }] },
  }, {
    availability: {
      source: 'test',
      pools: [
        { atS: [0, 10], slots: [3, 3], hazardPerS: [0, 1e-3], priceUsdPerSlotS: [1, 2] },
        { atS: [0, 10], slots: [2, 2], freeSlots: [2, 1.5], hazardPerS: [0, 0], priceUsdPerSlotS: [0, 0] },
      ],
    },
  });
  const arena = new KernelArena(forecast, buildSubtaskGraph(forecast, defaultPartition(forecast)), { batchCapacity: 1, scratchCount: 1 });
  assert.equal(flags(arena), [LAYOUT.AVAIL_HAZARD | LAYOUT.AVAIL_PRICE, LAYOUT.AVAIL_CONTENDED]);
  assert.is(arena.layout.segmentCount, 4);
  // Contention scratch (starts, sorted starts and finishes) only when some pool is contended.
  assert.is(arena.layout.scratchSort - arena.layout.scratchStarts, 8 * arena.layout.nodeCount);
  const plain = new KernelArena(problem, graph, { batchCapacity: 1, scratchCount: 1 });
  assert.is(plain.layout.scratchSort, plain.layout.scratchStarts);
});

const task = { data: [{ id: 'db', bytes: 1e9, home: 'A' }], stages: [{ id: 'x', runtimeS: 10, outputBytes: 1e8, inputs: ['db'] }, { id: 'y', after: ['x'], items: 12, runtimePerItemS: 1 }] };
const problem = problemOf(
  task,
  {
    pools: [
      { id: 'a', region: 'A', slots: 3 },
      { id: 'b', region: 'B', slots: 2, capacity: [{ atS: 50, slots: 1 }] },
    ],
    network: { links: [{ from: 'A', to: 'B', latencyMs: 20, bandwidthMBps: 100, egressUsdPerGb: 0.09 }] },
  },
);
const graph = buildSubtaskGraph(problem, defaultPartition(problem));

/** The kernel's exports as plain numbers. */
function exportedConstants(): Record<string, number> {
  const arena = new KernelArena(problem, graph, { batchCapacity: 1, scratchCount: 1 });
  const exports = instantiateKernel(arena.memory) as unknown as Record<string, unknown>;
  return Object.fromEntries(Object.entries(exports).flatMap(([name, value]) => (value instanceof WebAssembly.Global ? [[name, Number(value.value)]] : [])));
}

test('the kernel exports every host constant, with the same value', () => {
  const exported = exportedConstants();
  for (const [name, value] of Object.entries(LAYOUT)) assert.is(exported[name], value, name);
  assert.is(Object.keys(exported).length, Object.keys(LAYOUT).length, 'no constant the host does not know');
});

test('a different layout version is a clear error that says how to fix it', () => {
  const exported = exportedConstants();
  assert.throws(() => checkKernelLayout({ ...exported, LAYOUT_VERSION: LAYOUT.LAYOUT_VERSION + 1 }), (error: unknown) => {
    const expected = `layout version ${LAYOUT.LAYOUT_VERSION + 1}, the host expects ${LAYOUT.LAYOUT_VERSION}`;
    return error instanceof KernelLayoutError && error.message.includes(expected) && /npm run build:wasm/.test(error.message);
  });
  assert.throws(() => checkKernelLayout({ ...exported, LAYOUT_VERSION: undefined }), /layout version \(none\)/);
});

test('one constant that differs is named, with both values', () => {
  const exported = exportedConstants();
  assert.throws(() => checkKernelLayout({ ...exported, OUT_STRIDE: 64, H_WORK: 4 }), (error: unknown) => {
    return error instanceof KernelLayoutError && error.message.includes('OUT_STRIDE: kernel 64, host 128') && error.message.includes('H_WORK: kernel 4, host 92') && error.message.includes('2 constant(s)');
  });
});

test('the kernel refuses a header written for another layout version, and ranges outside the batch', () => {
  const arena = new KernelArena(problem, graph, { batchCapacity: 2, scratchCount: 1 });
  const kernel = instantiateKernel(arena.memory);
  const tight = new TightKernel(arena.memory);
  for (const loop of [kernel, tight]) {
    assert.is(loop.evaluate(0, 3, 0), LAYOUT.ERROR_RANGE);
    assert.is(loop.evaluate(-1, 1, 0), LAYOUT.ERROR_RANGE);
    assert.is(loop.evaluate(0, 1, 1), LAYOUT.ERROR_RANGE, 'scratch block out of range');
  }
  arena.views.i32[(LAYOUT.HEADER_OFFSET + LAYOUT.H_VERSION) >> 2] = 99;
  assert.is(kernel.evaluate(0, 1, 0), LAYOUT.ERROR_VERSION);
  assert.is(tight.evaluate(0, 1, 0), LAYOUT.ERROR_VERSION);
});

test('regions are 8-byte aligned, in order, disjoint; per-worker blocks are whole cache lines', () => {
  const layout = planKernelLayout(problem, graph, { batchCapacity: 5, scratchCount: 3 });
  const regions: [string, number, number][] = [
    ['pools', layout.pools, layout.poolCount * LAYOUT.POOL_STRIDE],
    ['windowStart', layout.windowStart, 4 * (layout.slotCount + 1)],
    ['windows', layout.windows, 16 * layout.windowCount],
    ['poolPairs', layout.poolPairs, layout.poolCount ** 2 * LAYOUT.PAIR_STRIDE],
    ['externalPairs', layout.externalPairs, layout.poolCount * layout.regionCount * LAYOUT.PAIR_STRIDE],
    ['predStart', layout.predStart, 4 * (layout.nodeCount + 1)],
    ['edges', layout.edges, layout.edgeCount * LAYOUT.EDGE_STRIDE],
    ['externalStart', layout.externalStart, 4 * (layout.nodeCount + 1)],
    ['externals', layout.externals, layout.externalCount * LAYOUT.EXTERNAL_STRIDE],
    ['work', layout.work, layout.nodeCount * layout.poolCount * LAYOUT.WORK_STRIDE],
    ['externalReady', layout.externalReady, layout.nodeCount * layout.poolCount * 8],
    ['segments', layout.segments, LAYOUT.SEGMENT_ARRAYS * 8 * layout.segmentCount],
    ['candidates', layout.candidates, 5 * layout.candidateStride],
    ['scratch', layout.scratch, 3 * layout.scratchStride],
    ['output', layout.output, 5 * layout.outputStride],
  ];
  let end = LAYOUT.HEADER_OFFSET + LAYOUT.HEADER_BYTES;
  for (const [name, at, bytes] of regions) {
    assert.is(at % 8, 0, `${name} aligned`);
    assert.ok(at >= end, `${name} starts after the previous region`);
    end = at + bytes;
  }
  assert.ok(layout.end >= end && layout.pages * 65536 >= layout.end);
  for (const stride of [layout.candidateStride, layout.scratchStride, layout.outputStride]) assert.is(stride % 64, 0);
  assert.ok(layout.candidateStride >= 8 * layout.nodeCount);
  assert.ok(layout.scratchStamps + 4 * layout.objectCount * layout.regionCount <= layout.scratchStarts);
  assert.ok(layout.scratchSort <= layout.scratchStride);
  // The plain path's regions: gathered records, then node states and lanes 1–3's free times, inside the block.
  assert.ok(layout.scratchFixed + 4 * layout.fixedCount <= layout.scratchGather && layout.scratchGather % 64 === 0);
  assert.ok(layout.scratchGather + LAYOUT.QUAD_GATHER_STRIDE * layout.nodeCount <= layout.scratchLanes);
  assert.ok(layout.scratchLanes + LAYOUT.QUAD_NODE_STRIDE * layout.nodeCount + 3 * 8 * layout.slotCount <= layout.scratchStride);
  // The header's last field lies inside the header.
  assert.ok(LAYOUT.H_SCRATCH_LANES + 4 <= LAYOUT.HEADER_BYTES);
});

test('the module owns no memory and imports only env.memory; a missing build says how to make it', () => {
  const imports = WebAssembly.Module.imports(kernelModule());
  assert.equal(imports, [{ module: 'env', name: 'memory', kind: 'memory' }]);
  assert.ok(KERNEL_WASM_PATH.endsWith('build/kernel.wasm'));
  assert.throws(() => kernelModule('/nonexistent/kernel.wasm'), (error: unknown) => error instanceof KernelLoadError && /npm run build:wasm/.test(error.message));
});

test('bad options name the option', () => {
  assert.throws(() => planKernelLayout(problem, graph, { batchCapacity: 0, scratchCount: 1 }), /batchCapacity must be an integer ≥ 1 \(got 0\)/);
  assert.throws(() => planKernelLayout(problem, graph, { batchCapacity: 1, scratchCount: 1, prefetchGroup: 3 }), /prefetchGroup must be 0 or a power of two/);
});

test.run();
