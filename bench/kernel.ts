/**
 * Cost-kernel throughput: sub-task evaluations per second (candidates × sub-tasks scored
 * per second) of the WASM kernel against its own floor (assembly/floor.ts: the same walk
 * over the same memory doing only the loads and the dependent max chain of finish times),
 * timed batch against batch in one run; then the kernel and the tight TypeScript twin over
 * the same memory, at 1k, 10k and 100k sub-tasks × 16 pools; then Piscina scaling, 1 worker
 * vs 2 workers on one big batch. Writes bench/results/kernel.md and prints it.
 *
 *   npm run bench:kernel            (builds build/kernel.wasm first)
 *   KERNEL_BENCH_QUICK=1 ...        shorter runs, for a smoke test
 *   KERNEL_BENCH_FLOOR_ONLY=1 ...   section 0 only (kernel vs floor), printed, not written
 *
 * Micro benchmarks use benny (benchmark.js: warm-up cycle, samples until maxTime, mean and
 * relative margin of error). The machine may be shared: the load average is recorded at
 * start and end, and next to each benny mean the best single batch is reported (the batch
 * least disturbed by other work).
 */
import b from 'benny';
import os from 'node:os';
import { KernelArena } from '../src/kernel/arena.js';
import { instantiateKernel } from '../src/kernel/loader.js';
import { KernelPool, KernelScorer } from '../src/kernel/scorer.js';
import { TightKernel } from '../src/kernel/tight.js';
import { randomTopologicalOrder } from '../src/model/graph.js';
import { assembleProblem, type Problem } from '../src/model/problem.js';
import { buildSubtaskGraph, type SubtaskGraph } from '../src/model/subtasks.js';
import { defaultPartition } from '../src/planners/partition.js';
import { layeredDag, seededRandom, syntheticPools } from '../src/synthetic/layered.js';
import { describeMachine, formatNumber, markdownTable, median, progress, reportHeader, writeResult } from './common.js';

const QUICK = process.env.KERNEL_BENCH_QUICK === '1';
const FLOOR_ONLY = process.env.KERNEL_BENCH_FLOOR_ONLY === '1';
const POOLS = 16;
const MAX_TIME_S = QUICK ? 1 : 6;
/** Candidates per batch: about 1–2 M sub-task evaluations a batch. */
const BATCH: Readonly<Record<number, number>> = { 1_000: 64, 10_000: 64, 100_000: 16 };

interface Workload {
  readonly tasks: number;
  readonly problem: Problem;
  readonly graph: SubtaskGraph;
  readonly batch: number;
}

function workload(tasks: number): Workload {
  const problem = assembleProblem(layeredDag({ tasks, seed: 1 }), syntheticPools({ pools: POOLS, seed: 2 }));
  const graph = buildSubtaskGraph(problem, defaultPartition(problem));
  return { tasks, problem, graph, batch: BATCH[tasks] ?? 16 };
}

/** Random pools among the allowed ones; the order is the graph's topological order, or a random topological order. */
function fillCandidates(write: (i: number, allocation: Int32Array, order: Int32Array) => void, graph: SubtaskGraph, count: number, randomOrder: boolean, seed: number): void {
  const random = seededRandom(seed);
  const n = graph.nodeCount;
  const P = graph.poolCount;
  for (let i = 0; i < count; i++) {
    const allocation = new Int32Array(n);
    for (let s = 0; s < n; s++) {
      let p = Math.floor(random() * P);
      while (!Number.isFinite(graph.expectedS[s * P + p]!)) p = (p + 1) % P;
      allocation[s] = p;
    }
    write(i, allocation, randomOrder ? randomTopologicalOrder(graph, random) : Int32Array.from(graph.order));
  }
}

/**
 * Candidates like the search's (src/search/improve.ts): one base candidate (a random allowed
 * pool per sub-task, a random topological order), each candidate the base with 1–2 sub-tasks
 * moved to another allowed pool and, one time in three, two adjacent independent sub-tasks
 * exchanged in the order.
 */
function fillSearchCandidates(write: (i: number, allocation: Int32Array, order: Int32Array) => void, graph: SubtaskGraph, count: number, seed: number): void {
  const random = seededRandom(seed);
  const n = graph.nodeCount;
  const P = graph.poolCount;
  const allowed = (s: number, p: number): boolean => Number.isFinite(graph.expectedS[s * P + p]!);
  const base = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    let p = Math.floor(random() * P);
    while (!allowed(s, p)) p = (p + 1) % P;
    base[s] = p;
  }
  const baseOrder = randomTopologicalOrder(graph, random);
  const dependsOn = (s: number, q: number): boolean => {
    for (let e = graph.predStart[s]!; e < graph.predStart[s + 1]!; e++) if (graph.predIndex[e] === q) return true;
    return false;
  };
  for (let i = 0; i < count; i++) {
    const allocation = Int32Array.from(base);
    const order = Int32Array.from(baseOrder);
    for (let k = 1 + Math.floor(random() * 2); k > 0; k--) {
      const s = Math.floor(random() * n);
      let p = (allocation[s]! + 1 + Math.floor(random() * (P - 1))) % P;
      while (!allowed(s, p)) p = (p + 1) % P;
      allocation[s] = p;
    }
    if (random() < 1 / 3) {
      const at = Math.floor(random() * (n - 1));
      if (!dependsOn(order[at + 1]!, order[at]!)) {
        order[at] = baseOrder[at + 1]!;
        order[at + 1] = baseOrder[at]!;
      }
    }
    write(i, allocation, order);
  }
}

/** Times of one case's batches (ms), in round order. */
type Times = number[];

/**
 * Synchronous cases timed batch against batch: each round runs every case once, in an order
 * that alternates round by round, until `budgetS` has passed (at least `minRounds`); so the
 * cases see the same disturbances, and a ratio is taken within each round.
 */
function interleaved(cases: Readonly<Record<string, () => unknown>>, budgetS: number, minRounds: number): Record<string, Times> {
  const labels = Object.keys(cases);
  const times: Record<string, Times> = Object.fromEntries(labels.map((label) => [label, []]));
  const started = performance.now();
  for (let r = 0; r < minRounds || performance.now() - started < budgetS * 1000; r++) {
    const sequence = r % 2 === 0 ? labels : [...labels].reverse();
    for (const label of sequence) {
      const t0 = performance.now();
      cases[label]!();
      times[label]!.push(performance.now() - t0);
    }
  }
  return times;
}


interface FloorRow {
  readonly tasks: number;
  readonly candidates: string;
  readonly rounds: number;
  /** Sub-task evaluations per second: median batch, best batch. */
  readonly kernelMedian: number;
  readonly kernelBest: number;
  readonly floorMedian: number;
  readonly floorBest: number;
  /** Median over rounds of kernel time / floor time in the same round. */
  readonly ratio: number;
  readonly ratioBest: number;
}

/** Section 0: the kernel against its floor loop, per workload and kind of candidates. */
function measureFloor(sizes: readonly number[]): FloorRow[] {
  const rows: FloorRow[] = [];
  for (const tasks of sizes) {
    const w = workload(tasks);
    const n = w.graph.nodeCount;
    const kinds: { label: string; fill: (write: (i: number, a: Int32Array, o: Int32Array) => void) => void }[] = [
      { label: 'graph order', fill: (write) => fillCandidates(write, w.graph, w.batch, false, 7) },
      { label: 'random topological order', fill: (write) => fillCandidates(write, w.graph, w.batch, true, 7) },
      { label: "search's (base ± 1–2 moves)", fill: (write) => fillSearchCandidates(write, w.graph, w.batch, 11) },
    ];
    for (const kind of kinds) {
      const arena = new KernelArena(w.problem, w.graph, { batchCapacity: w.batch, scratchCount: 1 });
      kind.fill((i, a, o) => arena.setCandidate(i, a, o));
      const kernel = instantiateKernel(arena.memory);
      if (kernel.evaluate(0, w.batch, 0) !== w.batch) throw new Error(`${tasks} ${kind.label}: some candidate is infeasible`);
      // The floor's chain is the kernel's without slots: its makespans are a lower bound of the kernel's.
      const makespans = Array.from({ length: w.batch }, (_, i) => {
        const r = arena.result(i);
        return r.state === 'ok' ? r.terms.makespanS : Number.NaN;
      });
      const checksum = kernel.floorScore(0, w.batch, 0);
      if (!(checksum > 0) || checksum > makespans.reduce((a, x) => a + x, 0) * (1 + 1e-12)) throw new Error(`${tasks} ${kind.label}: floor checksum ${checksum} is not a lower bound of the kernel's makespans`);
      progress(`floor: ${tasks} sub-tasks, ${kind.label}, batch ${w.batch}`);
      for (let k = 0; k < 5; k++) {
        kernel.evaluate(0, w.batch, 0);
        kernel.floorScore(0, w.batch, 0);
      }
      // Batches at 100k take 30–100 ms and the floor is memory-bound: more rounds there.
      const times = interleaved({ kernel: () => kernel.evaluate(0, w.batch, 0), floor: () => kernel.floorScore(0, w.batch, 0) }, floorBudgetS(tasks), 30);
      const evals = w.batch * n;
      const k = times.kernel!;
      const f = times.floor!;
      rows.push({
        tasks,
        candidates: kind.label,
        rounds: k.length,
        kernelMedian: evals / (median(k) / 1000),
        kernelBest: evals / (Math.min(...k) / 1000),
        floorMedian: evals / (median(f) / 1000),
        floorBest: evals / (Math.min(...f) / 1000),
        ratio: median(k.map((t, r) => t / f[r]!)),
        ratioBest: Math.min(...k) / Math.min(...f),
      });
    }
  }
  return rows;
}

const FLOOR_TARGET: Readonly<Record<number, number>> = { 1_000: 1.5, 100_000: 2 };
const floorBudgetS = (tasks: number): number => (MAX_TIME_S / 2) * (tasks >= 100_000 ? 3 : 1);

function floorTable(rows: readonly FloorRow[]): string[] {
  return markdownTable(
    ['sub-tasks', 'candidates', 'rounds', 'kernel (median; best batch)', 'floor (median; best batch)', 'kernel / floor time (median of rounds; best batches)', 'target'],
    rows.map((r) => [
      r.tasks.toLocaleString('en-US'),
      r.candidates,
      String(r.rounds),
      `${fmtRate(r.kernelMedian)}; ${fmtRate(r.kernelBest)}`,
      `${fmtRate(r.floorMedian)}; ${fmtRate(r.floorBest)}`,
      `${fmtRatio(r.ratio)}; ${fmtRatio(r.ratioBest)}`,
      FLOOR_TARGET[r.tasks] === undefined ? '' : `≤ ${FLOOR_TARGET[r.tasks]}×: ${r.ratio <= FLOOR_TARGET[r.tasks]! ? 'met' : '**missed**'}`,
    ]),
    new Set([0, 2, 3, 4, 5]),
  );
}

/**
 * Async batches, measured by hand (benny calls an async case once more while it inspects
 * it, which would overlap two batches of one scorer): cases interleaved round by round, so
 * each sees the same disturbances; mean of the rates, its 95 % margin, and the best batch.
 */
async function measureAsync(evalsPerCall: number, cases: Readonly<Record<string, () => Promise<unknown>>>, rounds: number): Promise<Record<string, Rate>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((label) => [label, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [label, fn] of Object.entries(cases)) {
      const started = performance.now();
      await fn();
      samples[label]!.push(evalsPerCall / ((performance.now() - started) / 1000));
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([label, rates]) => {
      const mean = rates.reduce((a, x) => a + x, 0) / rates.length;
      const sd = Math.sqrt(rates.reduce((a, x) => a + (x - mean) ** 2, 0) / Math.max(1, rates.length - 1));
      return [label, { mean, marginPercent: (100 * 1.96 * sd) / Math.sqrt(rates.length) / mean, samples: rates.length, best: Math.max(...rates) }];
    }),
  );
}

interface Rate {
  /** benny: mean sub-task evaluations per second, and its relative margin of error (%). */
  readonly mean: number;
  readonly marginPercent: number;
  readonly samples: number;
  /** The fastest single batch seen (least disturbed by other work on the machine). */
  readonly best: number;
  /** Evaluations per second of CPU time this process used (time the core ran other work excluded). */
  readonly perCpuSecond?: number;
}

/** benny suite over named (synchronous) batch functions; rates in evaluations per second. */
async function measure(name: string, evalsPerCall: number, cases: Readonly<Record<string, () => number>>): Promise<Record<string, Rate>> {
  const best: Record<string, number> = {};
  const cpu: Record<string, { evals: number; micros: number }> = {};
  const timed = (label: string, fn: () => number) => () => {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const result = fn();
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpuBefore);
    best[label] = Math.max(best[label] ?? 0, evalsPerCall / (ms / 1000));
    const account = (cpu[label] ??= { evals: 0, micros: 0 });
    account.evals += evalsPerCall;
    account.micros += used.user + used.system;
    return result;
  };
  const summary = await b.suite(
    name,
    ...Object.entries(cases).map(([label, fn]) => b.add(label, timed(label, fn), { maxTime: MAX_TIME_S, minSamples: 10, initCount: 3 })),
    b.cycle(),
  );
  // benny's `ops` is rounded to an integer (2 ops/s for a 400 ms batch): use the mean time.
  return Object.fromEntries(
    summary.results.map((r) => {
      const account = cpu[r.name];
      const perCpuSecond = account === undefined ? Number.NaN : account.evals / (account.micros / 1e6);
      return [r.name, { mean: evalsPerCall / r.details.mean, marginPercent: r.details.relativeMarginOfError, samples: r.samples, best: best[r.name] ?? Number.NaN, perCpuSecond }];
    }),
  );
}

const fmtRate = (evalsPerS: number): string => `${formatNumber(evalsPerS / 1e6, 3)} M/s`;
const fmtRatio = (x: number): string => `${x.toFixed(2)}×`;

async function main(): Promise<void> {
  const machine = describeMachine();
  const startedAt = new Date().toISOString();
  const sizes = QUICK ? [1_000, 10_000] : [1_000, 10_000, 100_000];

  // ── 0. The kernel against its floor loop, batch against batch.
  const floorRows = measureFloor(FLOOR_ONLY ? (process.env.KERNEL_BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number) : sizes);
  if (FLOOR_ONLY) {
    process.stdout.write(`${floorTable(floorRows).join('\n')}\n`);
    return;
  }

  // ── 1. In-thread throughput: WASM kernel vs tight TypeScript over the same memory.
  const micro: string[][] = [];
  const ratios: number[] = [];
  const wasmRates: number[] = [];
  const wasmCpuRates: number[] = [];
  const wasmBest: number[] = [];
  for (const tasks of sizes) {
    const w = workload(tasks);
    const n = w.graph.nodeCount;
    // (The prefetch setting only matters to the general loop: these problems take the plain path, assembly/plain.ts.)
    const settings: { randomOrder: boolean; prefetchGroup?: number }[] = [{ randomOrder: false }, { randomOrder: true }];
    for (const { randomOrder, prefetchGroup } of settings) {
      const arena = new KernelArena(w.problem, w.graph, { batchCapacity: w.batch, scratchCount: 1, ...(prefetchGroup === undefined ? {} : { prefetchGroup }) });
      fillCandidates((i, a, o) => arena.setCandidate(i, a, o), w.graph, w.batch, randomOrder, 7);
      const kernel = instantiateKernel(arena.memory);
      const tight = new TightKernel(arena.memory);
      // Same memory, same candidates: both must find every candidate feasible, with equal objectives.
      const feasible = kernel.evaluate(0, w.batch, 0);
      const objectives = Array.from({ length: w.batch }, (_, i) => arena.objective(i));
      if (tight.evaluate(0, w.batch, 0) !== feasible || feasible !== w.batch || objectives.some((o, i) => !Object.is(o, arena.objective(i)))) {
        throw new Error(`${tasks}: the kernel and the tight TypeScript disagree (or a candidate is infeasible)`);
      }
      const orderLabel = randomOrder ? 'random topological order' : 'graph order';
      progress(`${tasks} sub-tasks × ${POOLS} pools, ${orderLabel}, batch ${w.batch}, prefetch group ${arena.layout.prefetchGroup}`);
      const rates = await measure(`kernel ${tasks} (${orderLabel}, prefetch ${arena.layout.prefetchGroup})`, w.batch * n, {
        'WASM kernel': () => kernel.evaluate(0, w.batch, 0),
        'tight TypeScript': () => tight.evaluate(0, w.batch, 0),
      });
      const wasm = rates['WASM kernel']!;
      const ts = rates['tight TypeScript']!;
      micro.push([
        tasks.toLocaleString('en-US'),
        orderLabel,
        String(w.batch),
        `${arena.layout.prefetchGroup === 0 ? 'off' : arena.layout.prefetchGroup}${prefetchGroup === undefined ? '' : ' (forced)'}`,
        `${fmtRate(wasm.mean)} ±${wasm.marginPercent.toFixed(1)}%`,
        fmtRate(wasm.perCpuSecond ?? Number.NaN),
        fmtRate(wasm.best),
        `${fmtRate(ts.mean)} ±${ts.marginPercent.toFixed(1)}%`,
        fmtRate(ts.perCpuSecond ?? Number.NaN),
        fmtRate(ts.best),
        fmtRatio(wasm.mean / ts.mean),
      ]);
      if (!randomOrder && prefetchGroup === undefined) {
        ratios.push(wasm.mean / ts.mean);
        wasmRates.push(wasm.mean);
        wasmCpuRates.push(wasm.perCpuSecond ?? Number.NaN);
        wasmBest.push(wasm.best);
      }
    }
  }

  // ── 2. Piscina scaling: one big batch, 1 worker vs 2 workers (and this thread).
  const big = workload(QUICK ? 10_000 : 10_000);
  const bigBatch = 256;
  const pools = [new KernelPool({ workers: 1 }), new KernelPool({ workers: 2 })];
  const scorers = pools.map((pool) => new KernelScorer(big.problem, big.graph, { batchCapacity: bigBatch, pool }));
  for (const scorer of scorers) fillCandidates((i, a, o) => scorer.arena.setCandidate(i, a, o), big.graph, bigBatch, false, 9);
  for (const scorer of scorers) for (let k = 0; k < 3; k++) await scorer.scoreBatch(bigBatch); // threads up, modules compiled
  progress(`Piscina: ${big.graph.nodeCount} sub-tasks × ${bigBatch} candidates`);
  const scaling = await measureAsync(
    bigBatch * big.graph.nodeCount,
    {
      'this thread (scoreBatchSync)': async () => scorers[0]!.scoreBatchSync(bigBatch),
      '1 worker': () => scorers[0]!.scoreBatch(bigBatch),
      '2 workers': () => scorers[1]!.scoreBatch(bigBatch),
    },
    QUICK ? 5 : 40,
  );
  for (const scorer of scorers) await scorer.close();
  for (const pool of pools) await pool.close();
  const one = scaling['1 worker']!;
  const two = scaling['2 workers']!;
  const thread = scaling['this thread (scoreBatchSync)']!;

  const endLoad = Math.round(os.loadavg()[0]! * 100) / 100;
  const minRatio = Math.min(...ratios);
  const minWasm = Math.min(...wasmRates);
  const scale = two.mean / one.mean;
  const verdict = (ok: boolean): string => (ok ? 'met' : '**missed**');
  const lines = [
    ...reportHeader('apportion cost kernel throughput', 'npm run bench:kernel', startedAt, machine),
    `- load average at end ${endLoad}; section 1: benny, maxTime ${MAX_TIME_S} s per case, at least 10 samples, after a warm-up cycle; section 2: ${QUICK ? 5 : 40} rounds, the three scorers interleaved in each round, after 3 warm-up batches each`,
    '- workload: `layeredDag({ tasks, seed: 1 })` (width √tasks, fan-in 1–3) + `syntheticPools({ pools: 16, seed: 2 })` (2 regions, 4–32 slots), default partition (one sub-task per task); candidates: a random allowed pool per sub-task',
    '- rate = candidates × sub-tasks scored per second of wall time (benny mean ± relative margin of error); "per CPU-s" = per second of CPU time the process used, so time the core spent on other work is left out; "best batch" = the fastest single batch (the least disturbed)',
    '',
    '## 0. One core: the kernel against its floor loop (same memory, same candidates, batch against batch)',
    '',
    '- floor = `floorScore` (assembly/floor.ts): the same walk over the same memory doing only the loads and the dependent max chain of finish times (inputs\' finish + link seconds, + expectedS), no slots, no checks, no terms',
    `- each round times one kernel batch and one floor batch (alternating which goes first), for ${floorBudgetS(1_000)} s (${floorBudgetS(100_000)} s at 100k; at least 30 rounds) after 5 warm-up rounds; ratio = median over rounds of kernel time / floor time in the same round; "best batches" = fastest kernel batch / fastest floor batch (the least disturbed; the floor at 100k is memory-bound and slows most when other work shares the machine)`,
    '- candidates: as in section 1 (a random allowed pool per sub-task; graph order or a random topological order), and the search\'s kind (src/search/improve.ts): one random base, each candidate the base with 1–2 sub-tasks moved to another pool and, one time in three, two adjacent independent sub-tasks exchanged',
    '',
    ...floorTable(floorRows),
    '',
    '## 1. One core: WASM kernel vs tight TypeScript (same memory, same candidates)',
    '',
    ...markdownTable(['sub-tasks', 'order', 'batch', 'prefetch', 'WASM (benny mean)', 'WASM per CPU-s', 'WASM best batch', 'tight TS (benny mean)', 'tight TS per CPU-s', 'tight TS best batch', 'WASM / TS (means)'], micro, new Set([0, 2, 3, 4, 5, 6, 7, 8, 9, 10])),
    '',
    '## 2. Piscina: one batch of ' + `${bigBatch} candidates × ${big.graph.nodeCount.toLocaleString('en-US')} sub-tasks`,
    '',
    ...markdownTable(
      ['scorer', 'rate (mean ± 95 %)', 'best batch'],
      [thread, one, two].map((r, i) => [['this thread (scoreBatchSync)', '1 worker', '2 workers'][i]!, `${fmtRate(r.mean)} ±${r.marginPercent.toFixed(1)}%`, fmtRate(r.best)]),
      new Set([1, 2]),
    ),
    '',
    `2 workers / 1 worker: **${fmtRatio(scale)}** (best batches: ${fmtRatio(two.best / one.best)})`,
    '',
    '## Targets',
    '',
    ...markdownTable(
      ['target', 'measured (graph order)', ''],
      [
        ['WASM ≥ 1.5× tight TypeScript', `${fmtRatio(minRatio)} (lowest of ${sizes.length} sizes)`, verdict(minRatio >= 1.5)],
        [
          '≥ 30 M sub-task evaluations / s per core',
          `benny means ${wasmRates.map(fmtRate).join(', ')}; per CPU-s ${wasmCpuRates.map(fmtRate).join(', ')}; best batches ${wasmBest.map(fmtRate).join(', ')} (${sizes.map((t) => t.toLocaleString('en-US')).join(', ')} sub-tasks)`,
          verdict(minWasm >= 30e6),
        ],
        ['2 workers ≥ 1.7× one worker', fmtRatio(scale), verdict(scale >= 1.7)],
        ...[1_000, 100_000]
          .filter((t) => sizes.includes(t))
          .map((t) => {
            const row = floorRows.find((r) => r.tasks === t && r.candidates === 'graph order')!;
            const all = floorRows.filter((r) => r.tasks === t);
            const worst = Math.max(...all.map((r) => r.ratio));
            return [
              `kernel ≤ ${FLOOR_TARGET[t]}× its floor loop at ${t.toLocaleString('en-US')} sub-tasks`,
              `${fmtRatio(row.ratio)} in graph order (kernel ${fmtRate(row.kernelMedian)}, floor ${fmtRate(row.floorMedian)}); ${all.map((r) => `${r.candidates} ${fmtRatio(r.ratio)}`).join(', ')}`,
              verdict(worst <= FLOOR_TARGET[t]!),
            ];
          }),
      ],
    ),
    '',
  ];
  const report = lines.join('\n');
  const path = writeResult('kernel.md', report);
  process.stdout.write(`${report}\n`);
  progress(`written to ${path}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
