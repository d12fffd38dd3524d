/**
 * Problem assembly: a validated task definition + resource map → the dense structures every
 * planner and the cost model read (stage DAG in CSR, pool and network tables, per stage ×
 * pool feasibility and known runtimes). Cross-file references are checked here, with paths.
 *
 * Pure: no I/O. Unknown runtimes get a provisional estimate and are listed, never zeroed.
 */
import { DEFAULT_USD_PER_HOUR, type Objective, type ObjectiveKind } from './objective.js';
import { buildAvailabilityTable, checkAvailability, declaredAvailability, withAvailability, type Availability, type AvailabilityTable } from './availability.js';
import { buildBagTables, type BagTables } from './bags.js';
import { buildDag, findCycle, buildCsr, type Dag } from './graph.js';
import { didYouMean, InputError, type PathSegment } from './issues.js';
import { FieldReader } from './read.js';
import { buildNetworkTable, buildPoolTable, type NetworkTable, type PoolTable } from './tables.js';
import type { ResourceMap, Stage, TaskDefinition } from './types.js';

/** Runtime of a stage with no estimate and no similar stage to borrow from. */
export const FALLBACK_STAGE_RUNTIME_S = 60;

export interface ProblemOptions {
  readonly objective?: ObjectiveKind;
  /** Overrides the definition's exchange rate. */
  readonly usdPerHour?: number;
  /** Where data objects without a home live: a pool or region id. Default: the first pool's region. */
  readonly dataHome?: string;
  /** Stages whose estimates were filled in before assembly (by a profile's prior), listed as provisional. */
  readonly provisional?: readonly Provisional[];
  /** Assumptions made before assembly, reported with the plan. */
  readonly assumptions?: readonly string[];
  /** Availability of each pool over time (a forecast). Default: declaredAvailability(resources). */
  readonly availability?: Availability;
  /** Id of the fitted profile the estimates came from (reported in the plan's basis). */
  readonly profileId?: string;
}

/** What a plan was made with, so a re-plan or a run can tell whether its inputs changed. */
export interface PlanBasis {
  /** The fitted profile's id, or null when the definition's own estimates were used. */
  readonly profile: string | null;
  /** Where each pool's availability came from: 'declared' (the resource map) or a forecast's id. */
  readonly availability: string;
}

export interface Provisional {
  readonly stage: string;
  readonly reason: string;
}

export interface Problem {
  readonly definition: TaskDefinition;
  readonly resources: ResourceMap;
  /** Pool table; capacity steps, hazard and price as the availability gives them (withAvailability). */
  readonly pools: PoolTable;
  /** Availability of each pool over time, dense; `availability.source` says where it came from. */
  readonly availability: AvailabilityTable;
  readonly network: NetworkTable;
  /** Stage-level DAG; edge weights are bytes sent from stage to stage. */
  readonly stages: Dag;
  readonly stageIndex: ReadonlyMap<string, number>;
  /** Whole-stage runtime at speed 1, excluding per-sub-task overheads. */
  readonly stageWorkS: Float64Array;
  /** Whole-stage runtime on pool p given explicitly (S × P, NaN = not given). */
  readonly stageKnownRuntimeS: Float64Array;
  /** Speed of pool p for stage s's op (the pool's per-op speed, else its speed). S × P. */
  readonly stageSpeed: Float64Array;
  /** 1 where stage s may run on pool p (memory fits a slot, pool allowed). S × P. */
  readonly stageFeasible: Uint8Array;
  /** Data objects the stage reads from outside the job, CSR by stage: object index, home region, bytes. */
  readonly externalStart: Int32Array;
  readonly externalObject: Int32Array;
  readonly externalRegion: Int32Array;
  readonly externalBytes: Float64Array;
  /** Per stage, a bag's per-task tables (model/bags.ts); absent when the definition has no bag. */
  readonly bags?: readonly (BagTables | undefined)[];
  readonly objective: Objective;
  readonly deadlineS: number | undefined;
  readonly budgetUsd: number | undefined;
  readonly provisional: readonly Provisional[];
  readonly assumptions: readonly string[];
  readonly basis: PlanBasis;
}

export function stagePath(definition: TaskDefinition, stage: number): PathSegment[] {
  return definition.origin === 'wfformat' ? ['workflow', 'specification', 'tasks', definition.sourceIndex?.[stage] ?? stage] : ['stages', stage];
}

export function assembleProblem(definition: TaskDefinition, resources: ResourceMap, options: ProblemOptions = {}): Problem {
  const reader = new FieldReader();
  const { table: network, regionIndex } = buildNetworkTable(resources);
  const declaredPools = buildPoolTable(resources, regionIndex);
  if (options.availability !== undefined) checkAvailability(options.availability, declaredPools.ids);
  const availability = buildAvailabilityTable(options.availability ?? declaredAvailability(resources));
  const pools = withAvailability(declaredPools, availability);
  const poolIndex = new Map(pools.ids.map((id, p) => [id, p]));
  const S = definition.stages.length;
  const P = pools.count;
  const stageIndex = new Map<string, number>();
  for (let i = 0; i < S; i++) stageIndex.set(definition.stages[i]!.id, i);
  const assumptions: string[] = [...(options.assumptions ?? [])];

  const home = resolveDefaultHome(reader, options.dataHome, resources, poolIndex, regionIndex);
  if (options.dataHome === undefined && definition.data.some((d) => d.home === undefined)) {
    assumptions.push(`data objects without a home start in region "${network.regionIds[home]}" (the first pool's region; set with --data-home)`);
  }
  const dataRegion = new Map<string, number>();
  definition.data.forEach((object, i) => {
    if (object.home === undefined) dataRegion.set(object.id, home);
    else {
      const region = resolveHome(object.home, poolIndex, regionIndex, pools);
      if (region === undefined) reader.unknownReference(['data', i, 'home'], 'pool or region', object.home, [...poolIndex.keys(), ...regionIndex.keys()]);
      else dataRegion.set(object.id, region);
    }
  });

  checkLinkRegions(reader, definition, resources, options.dataHome, poolIndex);

  const stageFeasible = new Uint8Array(S * P);
  const stageKnownRuntimeS = new Float64Array(S * P).fill(Number.NaN);
  definition.stages.forEach((stage, s) => checkStagePools(reader, definition, stage, s, pools, poolIndex, stageFeasible, stageKnownRuntimeS));

  const dag = buildStageDag(reader, definition, stageIndex);
  const external = buildExternalInputs(definition, dataRegion);
  if (reader.issues.length > 0) throw new InputError('plan inputs', reader.issues);

  const bags = buildBagTables(definition, stageIndex, external.externalStart, external.externalObject);
  const estimated = estimateStageWork(definition);
  const workS = estimated.workS;
  const provisional = [...(options.provisional ?? []), ...estimated.provisional];
  const objective: Objective = {
    kind: options.objective ?? 'weighted',
    usdPerHour: options.usdPerHour ?? definition.usdPerHour ?? DEFAULT_USD_PER_HOUR,
  };
  if (options.usdPerHour === undefined && definition.usdPerHour === undefined && objective.kind === 'weighted') {
    assumptions.push(`exchange rate ${DEFAULT_USD_PER_HOUR} USD per hour of makespan (default; set objective.usdPerHour or --usd-per-hour)`);
  }
  if (provisional.length > 0) assumptions.push(`${provisional.length} stage(s) plan on provisional estimates (listed under provisional)`);
  return {
    definition,
    resources,
    pools,
    availability,
    network,
    stages: dag!,
    stageIndex,
    stageWorkS: workS,
    stageKnownRuntimeS,
    stageSpeed: buildStageSpeed(definition, resources),
    stageFeasible,
    ...external,
    ...(bags === undefined ? {} : { bags }),
    objective,
    deadlineS: definition.deadlineS,
    budgetUsd: definition.budgetUsd,
    provisional,
    assumptions,
    basis: { profile: options.profileId ?? null, availability: availability.source },
  };
}

/** One row of speeds per distinct op, shared by the stages of that op. */
function buildStageSpeed(definition: TaskDefinition, resources: ResourceMap): Float64Array {
  const P = resources.pools.length;
  const out = new Float64Array(definition.stages.length * P);
  const rows = new Map<string, Float64Array>();
  definition.stages.forEach((stage, s) => {
    let row = rows.get(stage.op);
    if (row === undefined) {
      row = Float64Array.from(resources.pools, (pool) => pool.speedByOp.get(stage.op) ?? pool.speed);
      rows.set(stage.op, row);
    }
    out.set(row, s * P);
  });
  return out;
}

function resolveHome(name: string, poolIndex: ReadonlyMap<string, number>, regionIndex: ReadonlyMap<string, number>, pools: PoolTable): number | undefined {
  const pool = poolIndex.get(name);
  if (pool !== undefined) return pools.regionIndex[pool];
  return regionIndex.get(name);
}

function resolveDefaultHome(
  reader: FieldReader,
  dataHome: string | undefined,
  resources: ResourceMap,
  poolIndex: ReadonlyMap<string, number>,
  regionIndex: ReadonlyMap<string, number>,
): number {
  const first = regionIndex.get(resources.pools[0]!.region)!;
  if (dataHome === undefined) return first;
  const pool = poolIndex.get(dataHome);
  if (pool !== undefined) return regionIndex.get(resources.pools[pool]!.region)!;
  const region = regionIndex.get(dataHome);
  if (region !== undefined) return region;
  reader.unknownReference(['options', 'dataHome'], 'pool or region', dataHome, [...poolIndex.keys(), ...regionIndex.keys()]);
  return first;
}

/**
 * A link may only name a region some pool is in or some data object starts in (its `home`, or
 * --data-home): any other region is out of reach of every sub-task and every input, so the
 * link is almost always a typo for one of those (a region "B " or "us-east1" beside "us-east-1").
 * Checked here because data homes are in the task definition, not the resource map.
 */
function checkLinkRegions(reader: FieldReader, definition: TaskDefinition, resources: ResourceMap, dataHome: string | undefined, poolIndex: ReadonlyMap<string, number>): void {
  const known = new Set(resources.pools.map((pool) => pool.region));
  // A home naming a pool is in that pool's region, already known; any other home names a region.
  for (const home of [...definition.data.map((object) => object.home), dataHome]) {
    if (home !== undefined && !poolIndex.has(home)) known.add(home);
  }
  resources.links.forEach((link, k) => {
    if (link.declared?.reversed === true) return; // the way back of a two-way link: reported at its declaration
    const index = link.declared?.index ?? k;
    for (const end of ['from', 'to'] as const) {
      const region = link[end];
      if (known.has(region)) continue;
      reader.report({
        code: 'unknown_reference',
        path: ['network', 'links', index, end],
        message: `unknown region "${region}"${didYouMean(region, known)}: no pool is in it and no data object starts there`,
        expected: 'the region of a pool or of a data home',
        received: JSON.stringify(region),
      });
    }
  });
}

function checkStagePools(
  reader: FieldReader,
  definition: TaskDefinition,
  stage: Stage,
  s: number,
  pools: PoolTable,
  poolIndex: ReadonlyMap<string, number>,
  feasible: Uint8Array,
  known: Float64Array,
): void {
  const P = pools.count;
  const path = (): PathSegment[] => stagePath(definition, s);
  let allowed: Set<number> | undefined;
  if (stage.pools !== undefined) {
    allowed = new Set();
    stage.pools.forEach((id, j) => {
      const p = poolIndex.get(id);
      if (p === undefined) reader.unknownReference([...path(), 'pools', j], 'pool', id, poolIndex.keys());
      else allowed!.add(p);
    });
  }
  stage.runtimeByPoolS?.forEach((runtime, id) => {
    const p = poolIndex.get(id);
    if (p === undefined) reader.unknownReference([...path(), 'runtimeByPoolS', id], 'pool', id, poolIndex.keys());
    else known[s * P + p] = runtime;
  });
  let largestSlotGb = 0;
  let any = false;
  for (let p = 0; p < P; p++) {
    if (allowed !== undefined && !allowed.has(p)) continue;
    largestSlotGb = Math.max(largestSlotGb, pools.memGbPerSlot[p]!);
    if (stage.memGb !== undefined && stage.memGb > pools.memGbPerSlot[p]!) continue;
    feasible[s * P + p] = 1;
    any = true;
  }
  if (any) return;
  if (allowed !== undefined && allowed.size === 0) {
    if (stage.pools?.length === 0) reader.report({ code: 'invalid_value', path: [...path(), 'pools'], message: `stage "${stage.id}" allows no pool`, expected: 'at least one pool id', received: 'an empty list' });
    return; // otherwise every listed pool was reported as unknown
  }
  reader.report({
    code: 'infeasible',
    path: definition.origin === 'wfformat' ? path() : [...path(), 'memGb'],
    message: `stage "${stage.id}" needs ${formatGb(stage.memGb ?? 0)} per slot; the largest slot it may use has ${formatGb(largestSlotGb)}`,
    expected: `<= ${formatGb(largestSlotGb)}`,
    received: formatGb(stage.memGb ?? 0),
  });
}

function formatGb(gb: number): string {
  return `${Number(gb.toPrecision(3))} GB`;
}

/**
 * Stage edges: `after` plus writer → reader of data objects, bytes summed per stage pair.
 * Built in one pass into typed arrays; a per-producer stamp merges the pair (u, v) when
 * both `after` and a data object link them (no map keyed by pairs).
 */
function buildStageDag(reader: FieldReader, definition: TaskDefinition, stageIndex: ReadonlyMap<string, number>): Dag | undefined {
  const stages = definition.stages;
  const S = stages.length;
  const producer = new Map<string, number>();
  let upper = 0;
  for (let v = 0; v < S; v++) {
    const stage = stages[v]!;
    for (const id of stage.outputs) producer.set(id, v);
    upper += stage.after.length + (stage.kind === 'divisible' && stage.bag !== undefined ? stage.bag.inputs.reduce((n, list) => n + list.length, 0) : stage.inputs.length);
  }
  const bytesOf = new Map(definition.data.map((d) => [d.id, d.bytes]));
  const from = new Int32Array(upper);
  const to = new Int32Array(upper);
  const bytes = new Float64Array(upper);
  const stamp = new Int32Array(S).fill(-1);
  const edgeOf = new Int32Array(S);
  let edges = 0;
  const add = (u: number, v: number, b: number): void => {
    if (stamp[u] === v) {
      bytes[edgeOf[u]!]! += b;
      return;
    }
    stamp[u] = v;
    edgeOf[u] = edges;
    from[edges] = u;
    to[edges] = v;
    bytes[edges] = b;
    edges++;
  };
  for (let v = 0; v < S; v++) {
    const stage = stages[v]!;
    for (const dependency of stage.after) {
      const u = stageIndex.get(dependency)!;
      add(u, v, flowBytes(stages[u]!));
    }
    // A bag's tasks each read their own inputs (a file two of them read counts twice, as for two atomic stages).
    const reads = stage.kind === 'divisible' && stage.bag !== undefined ? stage.bag.inputs : [stage.inputs];
    for (const list of reads) {
      for (const input of list) {
        const u = producer.get(input);
        if (u !== undefined && u !== v) add(u, v, bytesOf.get(input) ?? 0);
      }
    }
  }
  const dag = buildDag(S, from.subarray(0, edges), to.subarray(0, edges), bytes.subarray(0, edges));
  if (dag === undefined) {
    const cycle = findCycle(buildCsr(S, from.subarray(0, edges), to.subarray(0, edges), bytes.subarray(0, edges)))!;
    reader.report({ code: 'cycle', path: stagePath(definition, cycle[0]!), message: `dependency cycle: ${cycle.map((v) => stages[v]!.id).join(' → ')}`, expected: 'an acyclic graph', received: `a cycle of ${cycle.length - 1} stages` });
  }
  return dag;
}

/** Bytes a stage sends to each dependant besides named data objects. */
function flowBytes(stage: Stage): number {
  return stage.kind === 'atomic' ? stage.outputBytes : stage.outputBytesPerUnit * stage.units;
}

function buildExternalInputs(definition: TaskDefinition, dataRegion: ReadonlyMap<string, number>): Pick<Problem, 'externalStart' | 'externalObject' | 'externalRegion' | 'externalBytes'> {
  const produced = new Set<string>();
  for (const stage of definition.stages) for (const id of stage.outputs) produced.add(id);
  const objectIndex = new Map(definition.data.map((d, i) => [d.id, i]));
  const externalStart = new Int32Array(definition.stages.length + 1);
  const objects: number[] = [];
  const regions: number[] = [];
  const bytes: number[] = [];
  definition.stages.forEach((stage, s) => {
    const inputs = stage.inputs.length > 1 ? new Set(stage.inputs) : stage.inputs;
    for (const input of inputs) {
      const region = dataRegion.get(input);
      if (produced.has(input) || region === undefined) continue;
      const object = objectIndex.get(input)!;
      objects.push(object);
      regions.push(region);
      bytes.push(definition.data[object]!.bytes);
    }
    externalStart[s + 1] = regions.length;
  });
  return { externalStart, externalObject: Int32Array.from(objects), externalRegion: Int32Array.from(regions), externalBytes: Float64Array.from(bytes) };
}

/**
 * Whole-stage work at speed 1. A stage without an estimate borrows the median of stages with
 * the same op (per unit for divisible stages), else of all stages, else a fixed fallback,
 * and is listed as provisional.
 */
function estimateStageWork(definition: TaskDefinition): { workS: Float64Array; provisional: Provisional[] } {
  const stages = definition.stages;
  const workS = new Float64Array(stages.length);
  const atomicByOp = new Map<string, number[]>();
  const perUnitByOp = new Map<string, number[]>();
  const push = (map: Map<string, number[]>, key: string, value: number): void => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [value]);
    else list.push(value);
  };
  for (const stage of stages) {
    if (stage.kind === 'atomic' && stage.runtimeS !== undefined) push(atomicByOp, stage.op, stage.runtimeS);
    // A bag's tasks were atomic stages: an unknown task of their op borrows from them as before.
    if (stage.kind === 'divisible' && stage.bag !== undefined) for (const runtime of stage.bag.runtimeS) push(atomicByOp, stage.op, runtime);
    if (stage.kind === 'divisible' && stage.runtimePerUnitS !== undefined) push(perUnitByOp, stage.op, stage.runtimePerUnitS);
  }
  const allAtomic = [...atomicByOp.values()].flat();
  const provisional: Provisional[] = [];
  stages.forEach((stage, s) => {
    const perPool = stage.runtimeByPoolS === undefined || stage.runtimeByPoolS.size === 0 ? undefined : [...stage.runtimeByPoolS.values()];
    if (perPool !== undefined && (stage.kind === 'atomic' ? stage.runtimeS === undefined : stage.runtimePerUnitS === undefined)) {
      // Runtimes given per pool: pools not named run the mean of the named ones, speed-scaled.
      workS[s] = perPool.reduce((a, b) => a + b, 0) / perPool.length;
      return;
    }
    if (stage.kind === 'atomic') {
      if (stage.runtimeS !== undefined) workS[s] = stage.runtimeS;
      else {
        const sameOp = atomicByOp.get(stage.op);
        const borrowed = median(sameOp ?? allAtomic);
        workS[s] = borrowed ?? FALLBACK_STAGE_RUNTIME_S;
        provisional.push({ stage: stage.id, reason: borrowed === undefined ? `no runtime estimate: assumed ${FALLBACK_STAGE_RUNTIME_S} s` : `no runtime estimate: median of ${sameOp ? `op "${stage.op}"` : 'all stages'} (${round(borrowed)} s)` });
      }
    } else if (stage.runtimePerUnitS !== undefined) workS[s] = stage.runtimePerUnitS * stage.units;
    else {
      const borrowed = median(perUnitByOp.get(stage.op) ?? []);
      workS[s] = borrowed === undefined ? FALLBACK_STAGE_RUNTIME_S : borrowed * stage.units;
      provisional.push({ stage: stage.id, reason: borrowed === undefined ? `no runtime estimate: assumed ${FALLBACK_STAGE_RUNTIME_S} s for the whole stage` : `no runtime estimate: median per ${stage.unitName === 'items' ? 'item' : 'byte'} of op "${stage.op}"` });
    }
  });
  return { workS, provisional };
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function round(value: number): number {
  return Number(value.toPrecision(3));
}
