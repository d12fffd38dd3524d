/**
 * Bags of tasks (issue 12): an independent set of same-op tasks with the same parents and the
 * same children, planned as one divisible stage so that chunk sizing and the divisible-load
 * split apply to real workflows.
 *
 * - `bagTasks` turns a definition of atomic stages (a WfFormat import) into one where each bag
 *   of at least `minTasks` tasks is a divisible stage: unit i is task i, in a balanced order
 *   (`balancedOrder`): every prefix of k units holds about k × the mean runtime. The planners
 *   cut contiguous unit ranges by count (even chunks) or by the mean per-unit rate (the DLT
 *   split); in the trace's order a range of 21 seismology tasks held 9.9 s to 16 s of work, in
 *   the balanced order each range holds close to its count × the mean, so a cut by count is a
 *   cut by work. Longest-first would be the worst order for them (the first range the heaviest).
 * - `buildBagTables` (by assembleProblem) lays out what a chunk [start, start + count) costs
 *   exactly: prefix sums of its tasks' runtimes (as weights of the stage's work), of the bytes
 *   each task reads from each producer and writes for each consumer, and the external objects
 *   each task reads. A chunk costs the sum of its tasks, never units × the mean; a chunk of one
 *   task costs what the task costs as an atomic stage.
 *
 * Two bags are never neighbours (the larger is kept, the smaller stays atomic): bytes between
 * two chunked stages would need a task × task table, and no WfInstances trace has such a pair.
 * A task without a recorded runtime is not bagged (it keeps the atomic estimate rules).
 */
import type { AtomicStage, DivisibleStage, Stage, TaskDefinition } from './types.js';

/** Fewest tasks a bag holds: two is the least that a chunk can cut, and a bag of two still frees the planner from one stage per task. */
export const MIN_BAG_TASKS = 2;

export interface BagTables {
  /** Prefix sums of the tasks' runtime weights (recorded runtimes at speed 1), units + 1 long. */
  readonly workPrefix: Float64Array;
  /** By producer stage: prefix sums over the bag's tasks of the bytes each reads from it. */
  readonly inBytes: ReadonlyMap<number, Float64Array>;
  /** By consumer stage: prefix sums over the bag's tasks of the bytes each writes that the consumer reads. */
  readonly outBytes: ReadonlyMap<number, Float64Array>;
  /** External reads per task, CSR over units: entries index the problem's external list (externalStart[v] + j). */
  readonly externalStart: Int32Array;
  readonly externalEntry: Int32Array;
}

/** A stage that may join a bag: atomic, a recorded runtime, nothing per pool or per stage that a bag would have to merge. */
function baggable(stage: Stage): stage is AtomicStage {
  return (
    stage.kind === 'atomic' &&
    stage.runtimeS !== undefined &&
    stage.runtimeByPoolS === undefined &&
    stage.run === undefined &&
    stage.pools === undefined &&
    stage.overheadS === 0 &&
    stage.outputBytes === 0 &&
    Object.keys(stage.features).length === 0
  );
}

/** The definition with each bag of >= minTasks tasks as one divisible stage; unchanged when there is none. */
export function bagTasks(definition: TaskDefinition, minTasks: number = MIN_BAG_TASKS): TaskDefinition {
  const stages = definition.stages;
  const S = stages.length;
  const index = new Map(stages.map((stage, k) => [stage.id, k]));
  const producer = new Map<string, number>();
  stages.forEach((stage, k) => stage.outputs.forEach((id) => producer.set(id, k)));
  // Dependencies as assembleProblem links them: `after`, and writer → reader of data objects.
  const preds: Set<number>[] = stages.map((stage, k) => {
    const set = new Set<number>();
    for (const id of stage.after) set.add(index.get(id)!);
    for (const input of stage.inputs) {
      const u = producer.get(input);
      if (u !== undefined && u !== k) set.add(u);
    }
    return set;
  });
  const succs: number[][] = stages.map(() => []);
  preds.forEach((set, k) => set.forEach((u) => succs[u]!.push(k)));
  const groups = new Map<string, number[]>();
  stages.forEach((stage, k) => {
    if (!baggable(stage)) return;
    const key = `${stage.op}\u0000${[...preds[k]!].sort((a, b) => a - b).join(',')}\u0000${[...succs[k]!].sort((a, b) => a - b).join(',')}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [k]);
    else group.push(k);
  });
  const candidates = [...groups.values()].filter((group) => group.length >= Math.max(2, minTasks)).sort((a, b) => b.length - a.length || a[0]! - b[0]!);
  const bagOf = new Int32Array(S).fill(-1);
  const bags: number[][] = [];
  for (const group of candidates) {
    const first = group[0]!;
    const touches = [...preds[first]!, ...succs[first]!].some((w) => bagOf[w]! >= 0);
    if (touches) continue;
    for (const k of group) bagOf[k] = bags.length;
    bags.push(group);
  }
  if (bags.length === 0) return definition;
  const bytesOf = new Map(definition.data.map((object) => [object.id, object.bytes]));

  const taken = new Set(stages.map((stage) => stage.id));
  const perOp = new Map<string, number>();
  const bagIds = bags.map((group) => {
    const op = stages[group[0]!]!.op;
    let k = perOp.get(op) ?? 0;
    let id = `${op}.bag${k}`;
    while (taken.has(id)) id = `${op}.bag${++k}`;
    perOp.set(op, k + 1);
    taken.add(id);
    return id;
  });
  const stageIdOf = (id: string): string => {
    const k = index.get(id);
    return k !== undefined && bagOf[k]! >= 0 ? bagIds[bagOf[k]!]! : id;
  };
  const mapAfter = (after: Iterable<string>): string[] => [...new Set([...after].map(stageIdOf))];
  const out: Stage[] = [];
  const sourceIndex: number[] = [];
  stages.forEach((stage, k) => {
    const b = bagOf[k]!;
    if (b < 0) {
      out.push(stage.after.some((id) => bagOf[index.get(id)!]! >= 0) ? { ...stage, after: mapAfter(stage.after) } : stage);
      sourceIndex.push(definition.sourceIndex?.[k] ?? k);
      return;
    }
    if (bags[b]![0] !== k) return;
    out.push(bagStage(bagIds[b]!, bags[b]!.map((m) => stages[m] as AtomicStage), mapAfter, bytesOf));
    sourceIndex.push(definition.sourceIndex?.[k] ?? k);
  });
  return { ...definition, stages: out, sourceIndex };
}

/**
 * Order of tasks (by runtime) in which every prefix of k tasks holds about k × the mean: each
 * next task is the one nearest to what brings the prefix back to its share (ties: the earlier
 * task in the trace). Deterministic; O(n log n) with "next left / right still free" links.
 */
export function balancedOrder(runtimeS: ArrayLike<number>): number[] {
  const n = runtimeS.length;
  if (n === 0) return [];
  const sorted = Array.from({ length: n }, (_, i) => i).sort((a, b) => runtimeS[a]! - runtimeS[b]! || a - b);
  const value = (k: number): number => runtimeS[sorted[k]!]!;
  let total = 0;
  for (let i = 0; i < n; i++) total += runtimeS[i]!;
  const mean = total / n;
  // right[k]: the first free position >= k (n = none); left[k + 1]: the last free position <= k, as k + 1 (0 = none).
  const right = Int32Array.from({ length: n + 1 }, (_, k) => k);
  const left = Int32Array.from({ length: n + 1 }, (_, k) => k);
  const find = (links: Int32Array, k: number): number => {
    let root = k;
    while (links[root] !== root) root = links[root]!;
    while (links[k] !== root) {
      const next = links[k]!;
      links[k] = root;
      k = next;
    }
    return root;
  };
  const out: number[] = [];
  let prefix = 0;
  for (let i = 0; i < n; i++) {
    const target = (i + 1) * mean - prefix;
    // First position whose runtime is >= target, then the nearer of it and the free one before it.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (value(mid) < target) lo = mid + 1;
      else hi = mid;
    }
    const up = find(right, lo);
    const down = find(left, lo) - 1;
    const k = up === n ? down : down < 0 ? up : target - value(down) <= value(up) - target ? down : up;
    right[k] = k + 1;
    left[k + 1] = k;
    out.push(sorted[k]!);
    prefix += value(k);
  }
  return out;
}

function bagStage(id: string, unordered: readonly AtomicStage[], mapAfter: (after: Iterable<string>) => string[], bytesOf: ReadonlyMap<string, number>): DivisibleStage {
  const tasks = balancedOrder(unordered.map((task) => task.runtimeS!)).map((i) => unordered[i]!);
  const n = tasks.length;
  let bytesIn = 0;
  for (const task of tasks) for (const input of task.inputs) bytesIn += bytesOf.get(input) ?? 0;
  const runtimeS = Float64Array.from(tasks, (task) => task.runtimeS!);
  let total = 0;
  for (let i = 0; i < n; i++) total += runtimeS[i]!;
  let memGb: number | undefined;
  for (const task of tasks) if (task.memGb !== undefined) memGb = Math.max(memGb ?? 0, task.memGb);
  const union = (lists: readonly (readonly string[])[]): string[] => [...new Set(lists.flat())];
  return {
    kind: 'divisible',
    id,
    op: tasks[0]!.op,
    after: mapAfter(tasks.flatMap((task) => task.after)),
    features: {},
    inputs: union(tasks.map((task) => task.inputs)),
    outputs: union(tasks.map((task) => task.outputs)),
    // A chunk runs its tasks one after another in one slot: it needs the largest of them.
    memGb,
    pools: undefined,
    overheadS: 0,
    runtimeByPoolS: undefined,
    units: n,
    unitName: 'items',
    // The mean bytes a task reads: what a profile's law in bytes read scales with.
    bytesPerUnit: bytesIn / n,
    minChunk: 1,
    maxChunk: n,
    runtimePerUnitS: total / n,
    outputBytesPerUnit: 0,
    bag: { taskIds: tasks.map((task) => task.id), runtimeS, inputs: tasks.map((task) => task.inputs), outputs: tasks.map((task) => task.outputs) },
  };
}

/**
 * Per-task tables of every bag stage (undefined for other stages). The bytes loops mirror
 * buildStageDag's, so a bag's tables sum to its stage edges' bytes.
 */
export function buildBagTables(
  definition: TaskDefinition,
  stageIndex: ReadonlyMap<string, number>,
  externalStart: Int32Array,
  externalObject: Int32Array,
): (BagTables | undefined)[] | undefined {
  const stages = definition.stages;
  if (!stages.some((stage) => stage.kind === 'divisible' && stage.bag !== undefined)) return undefined;
  const producer = new Map<string, { stage: number; unit: number }>();
  stages.forEach((stage, v) => {
    if (stage.kind === 'divisible' && stage.bag !== undefined) stage.bag.outputs.forEach((list, i) => list.forEach((id) => producer.set(id, { stage: v, unit: i })));
    else stage.outputs.forEach((id) => producer.set(id, { stage: v, unit: -1 }));
  });
  const bytesOf = new Map(definition.data.map((d) => [d.id, d.bytes]));
  const objectIndex = new Map(definition.data.map((d, i) => [d.id, i]));
  const perUnit = new Map<number, { inBytes: Map<number, Float64Array>; outBytes: Map<number, Float64Array> }>();
  const tablesOf = (v: number): { inBytes: Map<number, Float64Array>; outBytes: Map<number, Float64Array> } => {
    let t = perUnit.get(v);
    if (t === undefined) perUnit.set(v, (t = { inBytes: new Map(), outBytes: new Map() }));
    return t;
  };
  const row = (map: Map<number, Float64Array>, key: number, units: number): Float64Array => {
    let r = map.get(key);
    if (r === undefined) map.set(key, (r = new Float64Array(units + 1)));
    return r;
  };
  stages.forEach((stage, v) => {
    const bag = stage.kind === 'divisible' ? stage.bag : undefined;
    const reads = bag === undefined ? [stage.inputs] : bag.inputs;
    reads.forEach((list, reader) => {
      for (const input of list) {
        const from = producer.get(input);
        if (from === undefined || from.stage === v) continue;
        const bytes = bytesOf.get(input) ?? 0;
        const u = from.stage;
        const producerStage = stages[u]!;
        const producerBag = producerStage.kind === 'divisible' ? producerStage.bag : undefined;
        // Two neighbouring bags (bagTasks never makes them): the stage edge's fraction product applies.
        if (bag !== undefined && producerBag !== undefined) continue;
        // Per-unit values at i + 1; turned into prefix sums below.
        if (bag !== undefined) row(tablesOf(v).inBytes, u, bag.taskIds.length)[reader + 1]! += bytes;
        if (producerBag !== undefined) row(tablesOf(u).outBytes, v, producerBag.taskIds.length)[from.unit + 1]! += bytes;
      }
    });
  });
  const prefix = (values: Float64Array): Float64Array => {
    for (let i = 1; i < values.length; i++) values[i]! += values[i - 1]!;
    return values;
  };
  return stages.map((stage, v) => {
    if (stage.kind !== 'divisible' || stage.bag === undefined) return undefined;
    const bag = stage.bag;
    const workPrefix = new Float64Array(stage.units + 1);
    for (let i = 0; i < stage.units; i++) workPrefix[i + 1] = workPrefix[i]! + bag.runtimeS[i]!;
    const tables = perUnit.get(v);
    tables?.inBytes.forEach(prefix);
    tables?.outBytes.forEach(prefix);
    const entryOf = new Map<number, number>();
    for (let k = externalStart[v]!; k < externalStart[v + 1]!; k++) entryOf.set(externalObject[k]!, k);
    const start = new Int32Array(stage.units + 1);
    const entries: number[] = [];
    bag.inputs.forEach((list, i) => {
      const seen = new Set<number>();
      for (const id of list) {
        const k = entryOf.get(objectIndex.get(id) ?? -1);
        if (k !== undefined && !seen.has(k)) {
          seen.add(k);
          entries.push(k);
        }
      }
      start[i + 1] = entries.length;
    });
    return { workPrefix, inBytes: tables?.inBytes ?? new Map(), outBytes: tables?.outBytes ?? new Map(), externalStart: start, externalEntry: Int32Array.from(entries) };
  });
}

/** Units [start, start + count) of a stage; count 0 = the whole stage. */
function rangeOf(units: number, start: number, count: number): [number, number] {
  return count === 0 ? [0, units] : [start, start + count];
}

/**
 * Share of a bag's work that its units [start, start + count) hold: their tasks' runtimes over
 * the bag's (count / units when every task recorded 0 s). Equals count / units for other stages.
 */
export function chunkShare(stage: Stage, tables: BagTables | undefined, start: number, count: number): number {
  if (stage.kind !== 'divisible') return 1;
  if (count === 0) return 1;
  if (tables === undefined) return count / stage.units;
  const total = tables.workPrefix[stage.units]!;
  if (!(total > 0)) return count / stage.units;
  const [a, b] = rangeOf(stage.units, start, count);
  return (tables.workPrefix[b]! - tables.workPrefix[a]!) / total;
}

/** Bytes units [start, start + count) of bag `tables` read from (inBytes) or write for (outBytes) stage `other`; undefined when the tables have no such edge. */
export function chunkEdgeBytes(table: Float64Array | undefined, units: number, start: number, count: number): number | undefined {
  if (table === undefined) return undefined;
  const [a, b] = rangeOf(units, start, count);
  return table[b]! - table[a]!;
}
