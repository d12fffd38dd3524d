/**
 * Task definition: untyped document → `TaskDefinition`, reporting every problem with its path.
 *
 * A stage is divisible when it gives `items` or `bytes`; otherwise it is atomic. Anything
 * the planner could estimate later (runtime, memory) may be missing: such a definition is
 * *partial* and still valid.
 */
import { buildCsr, findCycle } from './graph.js';
import { describeValue, InputError, type InputIssue } from './issues.js';
import { MAX_BUDGET_USD, MAX_BYTES, MAX_CHUNKS_PER_STAGE, MAX_CHUNKS_TOTAL, MAX_MEM_GB, MAX_SECONDS, MAX_UNITS, MAX_USD_PER_HOUR } from './limits.js';
import { FieldReader, type Path } from './read.js';
import type { AtomicStage, DataObject, DivisibleStage, Stage, StageRun, TaskDefinition } from './types.js';

const ROOT_FIELDS = ['$schema', 'name', 'stages', 'data', 'deadlineS', 'budgetUsd', 'objective'] as const;
const OBJECTIVE_FIELDS = ['usdPerHour'] as const;
const DATA_FIELDS = ['id', 'bytes', 'home'] as const;
const COMMON_STAGE_FIELDS = ['id', 'op', 'after', 'features', 'inputs', 'outputs', 'memGb', 'pools', 'overheadS', 'runtimeS', 'runtimeByPoolS', 'run'] as const;
const RUN_FIELDS = ['command', 'module', 'export', 'timeoutS', 'retries'] as const;
/** A stage's attempt may run for at most about 11.6 days; beyond that a limit means nothing. */
const MAX_RUN_TIMEOUT_S = 1e6;
const MAX_RUN_RETRIES = 100;
const ATOMIC_FIELDS = ['outputBytes'] as const;
const DIVISIBLE_FIELDS = ['items', 'bytes', 'bytesPerItem', 'minChunk', 'maxChunk', 'runtimePerItemS', 'outputBytesPerItem', 'outputBytes'] as const;
const STAGE_FIELDS: readonly string[] = [...new Set<string>([...COMMON_STAGE_FIELDS, ...ATOMIC_FIELDS, ...DIVISIBLE_FIELDS])];

// Upper limits keep every product the model forms finite (see limits.ts).
const SECONDS = { min: 0, limit: MAX_SECONDS } as const;
const BYTES = { min: 0, limit: MAX_BYTES } as const;

export function validateTaskDefinition(document: unknown, source = 'task definition'): TaskDefinition {
  const reader = new FieldReader();
  const root = reader.object(document, [], ROOT_FIELDS);
  if (root === undefined) throw new InputError(source, reader.issues);

  const name = reader.string(root, 'name', [], false) ?? source;
  const deadlineS = reader.number(root, 'deadlineS', [], { above: 0, limit: MAX_SECONDS });
  const budgetUsd = reader.number(root, 'budgetUsd', [], { min: 0, limit: MAX_BUDGET_USD });
  let usdPerHour: number | undefined;
  if (root.objective !== undefined) {
    const objective = reader.object(root.objective, ['objective'], OBJECTIVE_FIELDS);
    if (objective !== undefined) usdPerHour = reader.number(objective, 'usdPerHour', ['objective'], { min: 0, limit: MAX_USD_PER_HOUR });
  }

  const data = readData(reader, root);
  const stageList = reader.requireArray(root, 'stages', []);
  const stages: Stage[] = [];
  stageList?.forEach((raw, index) => {
    const stage = readStage(reader, raw, ['stages', index]);
    if (stage !== undefined) stages.push(stage);
    else stages.push(placeholderStage(raw, index));
  });
  if (stageList !== undefined && stageList.length === 0) {
    reader.report({ code: 'empty_graph', path: ['stages'], message: 'the task definition has no stages', expected: 'at least one stage', received: 'an empty array' });
  }
  checkReferences(reader, stages, data);
  checkChunkTotal(reader, stages);
  if (reader.issues.length > 0) throw new InputError(source, reader.issues);
  return { name, stages, data, deadlineS, budgetUsd, usdPerHour, origin: 'apportion' };
}

function readData(reader: FieldReader, root: Record<string, unknown>): DataObject[] {
  const out: DataObject[] = [];
  const seen = new Map<string, Path>();
  reader.optionalArray(root, 'data', []).forEach((raw, index) => {
    const path: Path = ['data', index];
    const record = reader.object(raw, path, DATA_FIELDS);
    if (record === undefined) return;
    const id = reader.string(record, 'id', path, true);
    const bytes = reader.number(record, 'bytes', path, BYTES, true);
    const home = reader.string(record, 'home', path, false);
    if (id === undefined) return;
    const first = seen.get(id);
    if (first !== undefined) reader.duplicate([...path, 'id'], id, first);
    else seen.set(id, [...path, 'id']);
    out.push({ id, bytes: bytes ?? 0, home });
  });
  return out;
}

function readStage(reader: FieldReader, raw: unknown, path: Path): Stage | undefined {
  const record = reader.object(raw, path, STAGE_FIELDS);
  if (record === undefined) return undefined;
  const id = reader.string(record, 'id', path, true);
  const op = reader.string(record, 'op', path, false) ?? id ?? `stage${String(path[1])}`;
  const after = reader.stringList(record, 'after', path);
  const inputs = reader.stringList(record, 'inputs', path);
  const outputs = reader.stringList(record, 'outputs', path);
  const pools = record.pools === undefined ? undefined : reader.stringList(record, 'pools', path);
  if (Array.isArray(record.pools) && record.pools.length === 0) {
    reader.report({
      code: 'invalid_value',
      path: [...path, 'pools'],
      message: 'a stage must be allowed on at least one pool (leave "pools" out to allow any pool)',
      expected: 'at least one pool id',
      received: 'an empty array',
    });
  }
  const memGb = reader.number(record, 'memGb', path, { above: 0, limit: MAX_MEM_GB });
  const overheadS = reader.number(record, 'overheadS', path, SECONDS) ?? 0;
  const runtimeByPoolS = reader.numberRecord(record, 'runtimeByPoolS', path, SECONDS);
  const features = readFeatures(reader, record, path);
  const runtimeS = reader.number(record, 'runtimeS', path, SECONDS);
  const run = record.run === undefined ? undefined : readRun(reader, record.run, [...path, 'run']);
  const base = { id: id ?? '', op, after, features, inputs, outputs, memGb, pools, overheadS, runtimeByPoolS, ...(run === undefined ? {} : { run }) };

  const divisible = record.items !== undefined || record.bytes !== undefined;
  if (!divisible) {
    for (const field of DIVISIBLE_FIELDS) {
      if (field !== 'outputBytes' && record[field] !== undefined) {
        reader.report({
          code: 'invalid_value',
          path: [...path, field],
          message: `"${field}" only applies to a divisible stage: give "items" or "bytes" too`,
          expected: 'items or bytes alongside',
          received: 'an atomic stage',
        });
      }
    }
    const outputBytes = reader.number(record, 'outputBytes', path, BYTES) ?? 0;
    const stage: AtomicStage = { ...base, kind: 'atomic', runtimeS, outputBytes };
    return id === undefined ? undefined : stage;
  }
  return readDivisible(reader, record, path, base, runtimeS, id);
}

function readDivisible(
  reader: FieldReader,
  record: Record<string, unknown>,
  path: Path,
  base: Omit<DivisibleStage, 'kind' | 'units' | 'unitName' | 'bytesPerUnit' | 'minChunk' | 'maxChunk' | 'runtimePerUnitS' | 'outputBytesPerUnit'>,
  runtimeS: number | undefined,
  id: string | undefined,
): DivisibleStage | undefined {
  const items = reader.number(record, 'items', path, { min: 1, limit: MAX_UNITS, integer: true });
  const bytes = reader.number(record, 'bytes', path, { min: 1, limit: record.items === undefined ? MAX_UNITS : MAX_BYTES, integer: true });
  const bytesPerItem = reader.number(record, 'bytesPerItem', path, BYTES);
  const runtimePerItemS = reader.number(record, 'runtimePerItemS', path, SECONDS);
  const outputBytesPerItem = reader.number(record, 'outputBytesPerItem', path, BYTES);
  const outputBytes = reader.number(record, 'outputBytes', path, BYTES);
  const units = items ?? bytes;
  if (units === undefined) return undefined;
  // Per-item quantities are limited as totals over the stage.
  checkTotal(reader, path, 'bytesPerItem', bytesPerItem, units, MAX_BYTES, 'bytes');
  checkTotal(reader, path, 'runtimePerItemS', runtimePerItemS, units, MAX_SECONDS, 's');
  checkTotal(reader, path, 'outputBytesPerItem', outputBytesPerItem, units, MAX_BYTES, 'bytes');
  const unitName = items !== undefined ? 'items' : 'bytes';
  const bytesPerUnit = items !== undefined ? bytesPerItem ?? (bytes !== undefined ? bytes / items : 0) : 1;
  if (runtimeS !== undefined && runtimePerItemS !== undefined) {
    reader.report({ code: 'invalid_value', path: [...path, 'runtimeS'], message: 'give either "runtimeS" (whole stage) or "runtimePerItemS", not both', expected: 'one runtime estimate', received: 'both' });
  }
  if (outputBytes !== undefined && outputBytesPerItem !== undefined) {
    reader.report({ code: 'invalid_value', path: [...path, 'outputBytes'], message: 'give either "outputBytes" (whole stage) or "outputBytesPerItem", not both', expected: 'one output size', received: 'both' });
  }
  const minChunk = reader.number(record, 'minChunk', path, { min: 1, integer: true }) ?? 1;
  const givenMaxChunk = reader.number(record, 'maxChunk', path, { min: 1, integer: true });
  const maxChunk = givenMaxChunk ?? units;
  // One problem per field: an explicit maxChunk is the tighter complaint; otherwise the stage size.
  if (givenMaxChunk !== undefined && minChunk > givenMaxChunk) {
    reader.report({ code: 'invalid_value', path: [...path, 'minChunk'], message: `minChunk ${minChunk} is larger than maxChunk ${givenMaxChunk}`, expected: `<= ${givenMaxChunk}`, received: String(minChunk) });
  } else if (minChunk > units) {
    reader.report({ code: 'invalid_value', path: [...path, 'minChunk'], message: `minChunk ${minChunk} is larger than the stage (${units} ${unitName})`, expected: `<= ${units}`, received: String(minChunk) });
  } else if (Math.ceil(units / maxChunk) > MAX_CHUNKS_PER_STAGE) {
    reader.report({
      code: 'invalid_value',
      path: [...path, 'maxChunk'],
      message: `${units} ${unitName} in chunks of at most ${maxChunk} needs ${Math.ceil(units / maxChunk)} chunks, more than the ${MAX_CHUNKS_PER_STAGE} a stage may be cut into`,
      expected: `>= ${Math.ceil(units / MAX_CHUNKS_PER_STAGE)}`,
      received: String(maxChunk),
    });
  } else if (Math.ceil(units / maxChunk) > Math.floor(units / minChunk)) {
    // k chunks can hold between k·minChunk and k·maxChunk units; no k fits this stage.
    reader.report({
      code: 'invalid_value',
      path: [...path, 'maxChunk'],
      message: `${units} ${unitName} cannot be cut into chunks of ${minChunk} to ${maxChunk} ${unitName}`,
      expected: `a maxChunk or minChunk that lets some number of chunks hold ${units}`,
      received: `${minChunk}..${maxChunk}`,
    });
  }
  const perUnit = runtimePerItemS ?? (runtimeS === undefined ? undefined : runtimeS / units);
  const outputPerUnit = outputBytesPerItem ?? (outputBytes === undefined ? 0 : outputBytes / units);
  if (id === undefined) return undefined;
  return {
    ...base,
    kind: 'divisible',
    units,
    unitName,
    bytesPerUnit,
    minChunk,
    maxChunk: Math.min(maxChunk, units),
    runtimePerUnitS: perUnit,
    outputBytesPerUnit: outputPerUnit,
  };
}

/** A per-item value whose total over the stage (value × units) must stay within `max`. */
function checkTotal(reader: FieldReader, path: Path, field: string, value: number | undefined, units: number, max: number, unit: string): void {
  if (value === undefined || value * units <= max) return;
  const short = (x: number): string => (x >= 1e6 ? x.toExponential(3).replace(/\.?0+e/, 'e').replace('e+', 'e') : String(Number(x.toPrecision(4))));
  reader.report({
    code: 'invalid_number',
    path: [...path, field],
    message: `${field} ${short(value)} × ${short(units)} units is ${short(value * units)} ${unit} for the stage, above the limit of ${short(max)} ${unit} that keeps results finite`,
    expected: `<= ${short(max / units)}`,
    received: String(value),
  });
}

/** The fewest chunks every divisible stage needs (its maxChunk) must fit the overall cap. */
function checkChunkTotal(reader: FieldReader, stages: readonly Stage[]): void {
  let total = 0;
  stages.forEach((stage, i) => {
    if (stage.kind !== 'divisible') return;
    // A stage above the per-stage cap is reported at its own maxChunk already.
    total += Math.min(MAX_CHUNKS_PER_STAGE, Math.ceil(stage.units / stage.maxChunk));
    if (total <= MAX_CHUNKS_TOTAL) return;
    reader.report({
      code: 'invalid_value',
      path: ['stages', i, 'maxChunk'],
      message: `the divisible stages up to "${stage.id}" need at least ${total} chunks by their maxChunk, more than the ${MAX_CHUNKS_TOTAL} a definition may be cut into`,
      expected: `at most ${MAX_CHUNKS_TOTAL} chunks in all`,
      received: `${total} chunks`,
    });
    total = Number.NEGATIVE_INFINITY; // one report is enough
  });
}

/**
 * `run`: what `apportion run` executes for the stage — a command (argv, placeholders kept as
 * written) or a JS handler (`module` kept relative: the dispatcher resolves it against the
 * definition's directory).
 */
function readRun(reader: FieldReader, raw: unknown, path: Path): StageRun | undefined {
  const record = reader.object(raw, path, RUN_FIELDS);
  if (record === undefined) return undefined;
  const timeoutS = reader.number(record, 'timeoutS', path, { above: 0, max: MAX_RUN_TIMEOUT_S });
  const retries = reader.number(record, 'retries', path, { min: 0, max: MAX_RUN_RETRIES, integer: true });
  const limits = { ...(timeoutS === undefined ? {} : { timeoutS }), ...(retries === undefined ? {} : { retries }) };
  const hasCommand = record.command !== undefined;
  const hasModule = record.module !== undefined;
  if (hasCommand === hasModule) {
    reader.report({
      code: hasCommand ? 'invalid_value' : 'missing_field',
      path,
      message: `expected exactly one of command, module${hasCommand ? ' (both given)' : ''}`,
      expected: 'command: [argv...] or module: "./file.js"',
      received: hasCommand ? 'both' : 'neither',
    });
    return undefined;
  }
  if (hasCommand) {
    if (record.export !== undefined) {
      reader.report({ code: 'invalid_value', path: [...path, 'export'], message: '"export" only applies to a module handler', expected: 'no "export" beside "command"', received: describeValue(record.export) });
    }
    const command = record.command;
    if (!Array.isArray(command) || command.length === 0 || !command.every((arg) => typeof arg === 'string') || command[0] === '') {
      const received = !Array.isArray(command) ? describeValue(command) : command.length === 0 ? 'an empty array' : command[0] === '' ? 'an empty program name' : 'an array with a non-string element';
      reader.report({ code: 'wrong_type', path: [...path, 'command'], message: `expected a non-empty array of strings (the program, then its arguments), received ${received}`, expected: 'array of strings', received });
      return undefined;
    }
    if (timeoutS === undefined && record.timeoutS !== undefined) return undefined;
    if (retries === undefined && record.retries !== undefined) return undefined;
    return { kind: 'command', command: [...(command as string[])], ...limits };
  }
  const module = reader.string(record, 'module', path, true);
  const exportName = reader.string(record, 'export', path, false) ?? 'default';
  if (module === undefined || (record.export !== undefined && typeof record.export !== 'string') || record.export === '') return undefined;
  if (timeoutS === undefined && record.timeoutS !== undefined) return undefined;
  if (retries === undefined && record.retries !== undefined) return undefined;
  return { kind: 'module', module, export: exportName, ...limits };
}

function readFeatures(reader: FieldReader, record: Record<string, unknown>, path: Path): Record<string, unknown> {
  if (record.features === undefined) return {};
  const features = reader.object(record.features, [...path, 'features'], Object.keys(record.features ?? {}));
  return features ?? {};
}

/** Keeps indices aligned when a stage is too broken to read; never reaches a valid definition. */
function placeholderStage(raw: unknown, index: number): Stage {
  const id = raw !== null && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : `#${index}`;
  return { kind: 'atomic', id, op: id, after: [], features: {}, inputs: [], outputs: [], memGb: undefined, pools: undefined, overheadS: 0, runtimeByPoolS: undefined, runtimeS: undefined, outputBytes: 0 };
}

function checkReferences(reader: FieldReader, stages: readonly Stage[], data: readonly DataObject[]): void {
  const index = new Map<string, number>();
  stages.forEach((stage, i) => {
    if (stage.id === '') return;
    const first = index.get(stage.id);
    if (first !== undefined) reader.duplicate(['stages', i, 'id'], stage.id, ['stages', first, 'id']);
    else index.set(stage.id, i);
  });
  const dataIds = new Set(data.map((d) => d.id));
  const from: number[] = [];
  const to: number[] = [];
  const producers = new Map<string, number>();
  stages.forEach((stage, i) => {
    stage.after.forEach((dependency, j) => {
      const u = index.get(dependency);
      if (u === undefined) reader.unknownReference(['stages', i, 'after', j], 'stage', dependency, index.keys());
      else if (u === i) {
        reader.report({
          code: 'cycle',
          path: ['stages', i, 'after', j],
          message: `dependency cycle: ${stage.id} → ${stage.id} (stage "${stage.id}" depends on itself)`,
          expected: 'an acyclic graph',
          received: 'a stage listed in its own "after"',
        });
      } else {
        from.push(u);
        to.push(i);
      }
    });
    stage.inputs.forEach((input, j) => {
      if (!dataIds.has(input)) reader.unknownReference(['stages', i, 'inputs', j], 'data object', input, dataIds);
    });
    stage.outputs.forEach((output, j) => {
      if (!dataIds.has(output)) reader.unknownReference(['stages', i, 'outputs', j], 'data object', output, dataIds);
      const producer = producers.get(output);
      if (producer !== undefined) {
        reader.report({ code: 'duplicate_id', path: ['stages', i, 'outputs', j], message: `data object "${output}" is already written by stage "${stages[producer]!.id}"`, expected: 'one writer per data object', received: 'a second writer' });
      } else producers.set(output, i);
    });
  });
  // Reading a data object another stage writes is a dependency too.
  stages.forEach((stage, i) => {
    for (const input of stage.inputs) {
      const producer = producers.get(input);
      if (producer !== undefined && producer !== i && !stage.after.includes(stages[producer]!.id)) {
        from.push(producer);
        to.push(i);
      }
    }
  });
  const cycle = findCycle(buildCsr(stages.length, from, to, new Float64Array(from.length)));
  if (cycle !== undefined) {
    const names = cycle.map((v) => stages[v]!.id);
    const last = cycle[cycle.length - 2]!;
    const closing = stages[cycle[0]!]!;
    // Point at the field that makes the closing edge: an `after` entry, else the input written by `last`.
    const afterIndex = closing.after.indexOf(stages[last]!.id);
    const inputIndex = closing.inputs.findIndex((input) => producers.get(input) === last);
    const issue: InputIssue = {
      code: 'cycle',
      path: afterIndex >= 0 ? ['stages', cycle[0]!, 'after', afterIndex] : inputIndex >= 0 ? ['stages', cycle[0]!, 'inputs', inputIndex] : ['stages', cycle[0]!],
      message: `dependency cycle: ${names.join(' → ')}`,
      expected: 'an acyclic graph',
      received: `a cycle of ${cycle.length - 1} stages`,
    };
    reader.report(issue);
  }
}
