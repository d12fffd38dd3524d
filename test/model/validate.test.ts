import { stringify as stringifyYaml } from 'yaml';
/**
 * Input validation: every malformed input reports ALL its problems at once, each with the
 * path of the offending field, what was expected and what was received.
 *
 * Table-driven: each row is a malformed task definition (text or object) and/or resource map,
 * the exact set of `{ code, path }` expected (path as printed by formatPath) and substrings
 * the messages must contain.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseTaskDefinition } from '../../src/load/files.js';
import { checkAttainable } from '../../src/cost/bounds.js';
import { formatIssues, formatPath, InputError, type InputIssue, type IssueCode } from '../../src/model/issues.js';
import { parseDocument } from '../../src/model/parse.js';
import { assembleProblem } from '../../src/model/problem.js';
import type { ResourceMap, TaskDefinition } from '../../src/model/types.js';
import { validateResourceMap } from '../../src/model/validate-pools.js';
import { validateTaskDefinition } from '../../src/model/validate-task.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const readRepo = (path: string): string => readFileSync(resolve(ROOT, path), 'utf8');
const HETERO_TEXT = readRepo('examples/pools/hetero.json');
const HETERO = JSON.parse(HETERO_TEXT) as unknown;

interface Row {
  readonly name: string;
  /** Task definition: text (parsed by parseTaskDefinition under `source`) or a JS value (validateTaskDefinition). */
  readonly task?: string | unknown;
  readonly source?: string;
  /** Resource map: text (parsed as `pools.json`/`.yaml`) or a JS value; default examples/pools/hetero.json. */
  readonly pools?: string | unknown;
  readonly poolsSource?: string;
  readonly expect: ReadonlyArray<{ readonly code: IssueCode; readonly path: string }>;
  /** Substrings that must all appear in the messages. */
  readonly message: readonly string[];
}

const OK_TASK = { stages: [{ id: 'a', runtimeS: 10 }] };

/** Validates both files, then (if both are valid) assembles the problem and checks deadline/budget. */
function collect(row: Row): InputIssue[] {
  const issues: InputIssue[] = [];
  const attempt = <T>(run: () => T): T | undefined => {
    try {
      return run();
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      issues.push(...error.issues);
      return undefined;
    }
  };
  const task = row.task === undefined ? OK_TASK : row.task;
  const definition: TaskDefinition | undefined = attempt(() =>
    typeof task === 'string' ? parseTaskDefinition(task, row.source ?? 'task.json') : validateTaskDefinition(task, 'task'),
  );
  const pools = row.pools === undefined ? HETERO : row.pools;
  const poolsSource = row.poolsSource ?? 'pools.json';
  const resources: ResourceMap | undefined = attempt(() =>
    validateResourceMap(typeof pools === 'string' ? parseDocument(pools, poolsSource) : pools, poolsSource),
  );
  if (definition !== undefined && resources !== undefined) {
    attempt(() => checkAttainable(assembleProblem(definition, resources)));
  }
  return issues;
}

const key = (issue: { code: string; path: string }): string => `${issue.code} ${issue.path}`;

const rows: Row[] = [
  // ── syntax ──────────────────────────────────────────────────────────────────────────────
  {
    name: 'malformed JSON: trailing comma inside a stage',
    task: '{\n  "name": "x",\n  "stages": [\n    { "id": "a", }\n  ]\n}\n',
    expect: [{ code: 'syntax', path: '(root)' }],
    // line 4 is `    { "id": "a", }`: the `}` is the 18th character.
    message: ['malformed JSON at line 4, column 18'],
  },
  {
    name: 'malformed JSON: truncated file',
    task: '{\n  "stages": [\n    { "id": "a" }',
    expect: [{ code: 'syntax', path: '(root)' }],
    message: ['line 3, column 18', 'end of input'],
  },
  {
    name: 'malformed JSON: bare word instead of a value',
    task: '{\n  "stages": [{ "id": "a", "runtimeS": tru }]\n}',
    expect: [{ code: 'syntax', path: '(root)' }],
    // line 2 is `  "stages": [{ "id": "a", "runtimeS": tru }]`: `tru` starts at column 39.
    message: ['line 2, column 39'],
  },
  {
    name: 'malformed YAML: bad indentation (location given once)',
    task: 'stages:\n  - id: a\n   runtimeS: 5\n',
    source: 'task.yaml',
    expect: [{ code: 'syntax', path: '(root)' }],
    message: ['malformed YAML at line 3, column'],
  },
  {
    name: 'JSON cannot hold NaN',
    task: '{\n  "deadlineS": NaN,\n  "stages": [{ "id": "a" }]\n}',
    expect: [{ code: 'syntax', path: '(root)' }],
    message: ['line 2, column 16', 'JSON cannot hold NaN'],
  },
  {
    name: 'the same key twice in one JSON object (JSON.parse would keep the last silently)',
    task: '{\n  "stages": [\n    { "id": "a", "runtimeS": 5, "runtimeS": 50 }\n  ],\n  "stages": []\n}',
    expect: [
      { code: 'duplicate_id', path: 'stages[0].runtimeS' },
      { code: 'duplicate_id', path: 'stages' },
    ],
    message: ['duplicate key "runtimeS" at line 3, column 33 (first at line 3, column 18)', 'duplicate key "stages" at line 5, column 3'],
  },
  {
    name: 'root is not an object',
    task: '[{ "id": "a" }]',
    expect: [{ code: 'wrong_type', path: '(root)' }],
    message: ['expected an object, received an array'],
  },
  // ── unknown / missing fields ─────────────────────────────────────────────────────────────
  {
    name: 'misspelt root field, so stages is missing',
    task: { stagse: [{ id: 'a' }] },
    expect: [
      { code: 'unknown_field', path: 'stagse' },
      { code: 'missing_field', path: 'stages' },
    ],
    message: ['unknown field "stagse" (did you mean "stages"?)', 'missing required field "stages"'],
  },
  {
    name: 'misspelt stage and objective fields',
    task: {
      objective: { usdPerHr: 5 },
      stages: [{ id: 'a', runtimeS: 1 }, { id: 'b', afer: ['a'], runtimeS: 1 }],
    },
    expect: [
      { code: 'unknown_field', path: 'objective.usdPerHr' },
      { code: 'unknown_field', path: 'stages[1].afer' },
    ],
    message: ['did you mean "after"', 'did you mean "usdPerHour"'],
  },
  {
    name: 'stage is not an object; stage without an id',
    task: { stages: ['a', { op: 'x', runtimeS: 1 }] },
    expect: [
      { code: 'wrong_type', path: 'stages[0]' },
      { code: 'missing_field', path: 'stages[1].id' },
    ],
    message: ['expected an object, received "a"', 'missing required field "id"'],
  },
  // ── wrong types ─────────────────────────────────────────────────────────────────────────
  {
    name: 'wrong types: number id, string after, string deadline',
    task: { deadlineS: '1h', stages: [{ id: 42 }, { id: 'b', after: 'a', runtimeS: true }] },
    expect: [
      { code: 'wrong_type', path: 'deadlineS' },
      { code: 'wrong_type', path: 'stages[0].id' },
      { code: 'wrong_type', path: 'stages[1].after' },
      { code: 'wrong_type', path: 'stages[1].runtimeS' },
    ],
    message: ['expected a number, received "1h"', 'expected a non-empty string, received 42', 'expected an array, received "a"', 'expected a number, received true'],
  },
  {
    name: 'wrong types inside lists and records',
    task: {
      data: [{ id: 'd', bytes: '10 GB' }],
      stages: [{ id: 'a', after: [], inputs: [7], runtimeByPoolS: { spot: 'fast' }, features: [] }],
    },
    expect: [
      { code: 'wrong_type', path: 'data[0].bytes' },
      { code: 'wrong_type', path: 'stages[0].inputs[0]' },
      { code: 'wrong_type', path: 'stages[0].runtimeByPoolS.spot' },
      { code: 'wrong_type', path: 'stages[0].features' },
    ],
    message: ['received "10 GB"', 'received 7', 'received "fast"', 'expected an object, received an array'],
  },
  // ── bad numbers ─────────────────────────────────────────────────────────────────────────
  {
    name: 'negative numbers',
    task: { budgetUsd: -5, stages: [{ id: 'a', memGb: -4, runtimeS: -1 }] },
    expect: [
      { code: 'invalid_number', path: 'budgetUsd' },
      { code: 'invalid_number', path: 'stages[0].memGb' },
      { code: 'invalid_number', path: 'stages[0].runtimeS' },
    ],
    message: ['expected a finite number >= 0, received -5', 'expected a finite number > 0, received -4', 'received -1'],
  },
  {
    name: 'NaN and Infinity through the library API',
    task: { deadlineS: Number.NaN, stages: [{ id: 'a', runtimeS: Number.POSITIVE_INFINITY, overheadS: Number.NEGATIVE_INFINITY }] },
    expect: [
      { code: 'invalid_number', path: 'deadlineS' },
      { code: 'invalid_number', path: 'stages[0].runtimeS' },
      { code: 'invalid_number', path: 'stages[0].overheadS' },
    ],
    message: ['received NaN', 'received Infinity', 'received -Infinity'],
  },
  {
    name: 'YAML .nan / .inf / -.inf',
    task: 'deadlineS: .nan\nstages:\n  - id: a\n    runtimeS: .inf\n    memGb: -.inf\n',
    source: 'task.yaml',
    expect: [
      { code: 'invalid_number', path: 'deadlineS' },
      { code: 'invalid_number', path: 'stages[0].runtimeS' },
      { code: 'invalid_number', path: 'stages[0].memGb' },
    ],
    message: ['expected a finite number > 0, received NaN', 'received Infinity', 'received -Infinity'],
  },
  {
    name: 'JSON number too large (parses to Infinity)',
    task: '{ "budgetUsd": 1e999, "stages": [{ "id": "a", "runtimeS": 5 }] }',
    expect: [{ code: 'invalid_number', path: 'budgetUsd' }],
    message: ['received Infinity'],
  },
  {
    name: 'divisible stage: fractional items, two runtimes, two output sizes, bad chunk bounds',
    task: {
      stages: [
        { id: 'a', items: 2.5 },
        { id: 'b', items: 10, runtimeS: 5, runtimePerItemS: 1 },
        { id: 'c', items: 10, minChunk: 20 },
        { id: 'd', items: 10, minChunk: 4, maxChunk: 3, outputBytes: 5, outputBytesPerItem: 1 },
      ],
    },
    expect: [
      { code: 'invalid_number', path: 'stages[0].items' },
      { code: 'invalid_value', path: 'stages[1].runtimeS' },
      // One problem for minChunk, not also "larger than maxChunk 10" (maxChunk was never given).
      { code: 'invalid_value', path: 'stages[2].minChunk' },
      { code: 'invalid_value', path: 'stages[3].minChunk' },
      { code: 'invalid_value', path: 'stages[3].outputBytes' },
    ],
    message: ['received 2.5 (not a whole number)', 'not both', 'minChunk 20 is larger than the stage (10 items)', 'minChunk 4 is larger than maxChunk 3', '"outputBytes" (whole stage) or "outputBytesPerItem"'],
  },
  {
    name: 'divisible-only field on an atomic stage; empty pool list',
    task: { stages: [{ id: 'a', runtimeS: 1, minChunk: 5, pools: [] }] },
    expect: [
      { code: 'invalid_value', path: 'stages[0].minChunk' },
      { code: 'invalid_value', path: 'stages[0].pools' },
    ],
    message: ['"minChunk" only applies to a divisible stage', 'at least one pool'],
  },
  {
    name: 'chunk limits no number of chunks can satisfy',
    task: { stages: [{ id: 'a', items: 25, minChunk: 10, maxChunk: 12, runtimePerItemS: 1 }] },
    expect: [{ code: 'invalid_value', path: 'stages[0].maxChunk' }],
    message: ['25 items cannot be cut into chunks of 10 to 12 items'],
  },
  // ── duplicates ──────────────────────────────────────────────────────────────────────────
  {
    name: 'duplicate stage id',
    task: { stages: [{ id: 'a', runtimeS: 1 }, { id: 'b', runtimeS: 1 }, { id: 'a', runtimeS: 1 }] },
    expect: [{ code: 'duplicate_id', path: 'stages[2].id' }],
    message: ['duplicate id "a" (first used at stages[0].id)'],
  },
  {
    name: 'duplicate data id and a data object with two writers',
    task: {
      data: [{ id: 'x', bytes: 1 }, { id: 'x', bytes: 2 }],
      stages: [{ id: 'a', outputs: ['x'], runtimeS: 1 }, { id: 'b', outputs: ['x'], runtimeS: 1 }],
    },
    expect: [
      { code: 'duplicate_id', path: 'data[1].id' },
      { code: 'duplicate_id', path: 'stages[1].outputs[0]' },
    ],
    message: ['duplicate id "x" (first used at data[0].id)', 'data object "x" is already written by stage "a"'],
  },
  // ── references and cycles ───────────────────────────────────────────────────────────────
  {
    name: 'unknown stage reference (the issue example)',
    task: {
      stages: [
        { id: 'load', runtimeS: 1 },
        { id: 'left', after: ['load'], runtimeS: 1 },
        { id: 'merge', after: ['left'], runtimeS: 1 },
        { id: 'report', after: ['mrege'], runtimeS: 1 },
      ],
    },
    expect: [{ code: 'unknown_reference', path: 'stages[3].after[0]' }],
    message: ['unknown stage "mrege" (did you mean "merge"?)'],
  },
  {
    name: 'unknown data references, plus an unknown stage at the same time',
    task: {
      data: [{ id: 'raw-logs', bytes: 100 }],
      stages: [
        { id: 'a', inputs: ['raw-log'], outputs: ['parsed'], runtimeS: 1 },
        { id: 'b', after: ['z'], runtimeS: 1 },
      ],
    },
    expect: [
      { code: 'unknown_reference', path: 'stages[0].inputs[0]' },
      { code: 'unknown_reference', path: 'stages[0].outputs[0]' },
      { code: 'unknown_reference', path: 'stages[1].after[0]' },
    ],
    message: ['unknown data object "raw-log" (did you mean "raw-logs"?)', 'unknown data object "parsed"', 'unknown stage "z"'],
  },
  {
    name: 'dependency cycle a → b → c → a',
    task: {
      stages: [
        { id: 'a', after: ['c'], runtimeS: 1 },
        { id: 'b', after: ['a'], runtimeS: 1 },
        { id: 'c', after: ['b'], runtimeS: 1 },
      ],
    },
    expect: [{ code: 'cycle', path: 'stages[0].after[0]' }],
    message: ['dependency cycle: a → b → c → a'],
  },
  {
    name: 'stage that depends on itself',
    task: { stages: [{ id: 'a', runtimeS: 1 }, { id: 'b', after: ['a', 'b'], runtimeS: 1 }] },
    expect: [{ code: 'cycle', path: 'stages[1].after[1]' }],
    message: ['dependency cycle: b → b', 'depends on itself'],
  },
  {
    name: 'cycle through data objects (points at the input)',
    task: {
      data: [{ id: 'x', bytes: 1 }, { id: 'y', bytes: 1 }],
      stages: [
        { id: 'a', inputs: ['y'], outputs: ['x'], runtimeS: 1 },
        { id: 'b', inputs: ['x'], outputs: ['y'], runtimeS: 1 },
      ],
    },
    expect: [{ code: 'cycle', path: 'stages[0].inputs[0]' }],
    message: ['dependency cycle: a → b → a'],
  },
  {
    name: 'empty graph, with a misspelt field alongside',
    task: { name: 'nothing', stages: [], deadlinS: 10 },
    expect: [
      { code: 'unknown_field', path: 'deadlinS' },
      { code: 'empty_graph', path: 'stages' },
    ],
    message: ['has no stages', 'did you mean "deadlineS"'],
  },
  // ── resource map ────────────────────────────────────────────────────────────────────────
  {
    name: 'resource map: several pool problems at once',
    pools: {
      pools: [
        { id: 'a', region: 'A', slots: 0, speed: -1 },
        { id: 'b', slots: 4, memGBPerSlot: 8 },
        { id: 'a', region: 'A', slots: 2 },
      ],
    },
    expect: [
      { code: 'invalid_number', path: 'pools[0].slots' },
      { code: 'invalid_number', path: 'pools[0].speed' },
      { code: 'unknown_field', path: 'pools[1].memGBPerSlot' },
      { code: 'missing_field', path: 'pools[1].region' },
      { code: 'duplicate_id', path: 'pools[2].id' },
    ],
    message: ['expected a finite whole number >= 1, received 0', 'did you mean "memGbPerSlot"', 'missing required field "region"', 'duplicate id "a"'],
  },
  {
    name: 'resource map: regions without a link (one problem per pair), capacity out of order',
    pools: {
      pools: [
        { id: 'a', region: 'A', slots: 4, capacity: [{ atS: 100, slots: 2 }, { atS: 50, slots: 4 }] },
        { id: 'b', region: 'B', slots: 4 },
      ],
    },
    expect: [
      { code: 'invalid_value', path: 'pools[0].capacity[1].atS' },
      { code: 'unknown_reference', path: 'pools[1].region' },
    ],
    message: ['increasing time order', 'no network link between region "A" and region "B"'],
  },
  {
    name: 'resource map: a one-way link and a region with no link at all',
    pools: {
      pools: [
        { id: 'a', region: 'A', slots: 1 },
        { id: 'b', region: 'B', slots: 1 },
        { id: 'c', region: 'C', slots: 1 },
      ],
      network: { links: [{ from: 'A', to: 'B', bandwidthMBps: 10, oneWay: true }] },
    },
    expect: [
      { code: 'unknown_reference', path: 'pools[1].region' },
      { code: 'unknown_reference', path: 'pools[2].region' },
      { code: 'unknown_reference', path: 'pools[2].region' },
    ],
    message: ['no network link from region "B" to region "A" (the link from "A" is one-way)', 'between region "A" and region "C"', 'between region "B" and region "C"'],
  },
  {
    name: 'resource map: YAML with .nan bandwidth and an unknown link field',
    pools: 'pools:\n  - { id: a, region: A, slots: 2 }\n  - { id: b, region: B, slots: 2 }\nnetwork:\n  links:\n    - { from: A, to: B, bandwidthMBps: .nan, latncyMs: 3 }\n',
    poolsSource: 'pools.yaml',
    expect: [
      { code: 'unknown_field', path: 'network.links[0].latncyMs' },
      { code: 'invalid_number', path: 'network.links[0].bandwidthMBps' },
      // The broken link is not reported a second time as a missing link between A and B.
    ],
    message: ['did you mean "latencyMs"', 'received NaN'],
  },
  {
    name: 'task and resource map both bad: problems from both files',
    task: { stages: [{ id: 'a', runtimeS: -1 }] },
    pools: { pools: [] },
    expect: [
      { code: 'invalid_number', path: 'stages[0].runtimeS' },
      { code: 'empty_graph', path: 'pools' },
    ],
    message: ['has no pools'],
  },
  // ── cross-file (assembleProblem) ────────────────────────────────────────────────────────
  {
    name: 'memory that fits no pool (also when restricted to small pools)',
    task: {
      stages: [
        { id: 'big', memGb: 64, runtimeS: 1 },
        { id: 'mid', memGb: 12, pools: ['spot', 'ondemand'], runtimeS: 1 },
      ],
    },
    expect: [
      { code: 'infeasible', path: 'stages[0].memGb' },
      { code: 'infeasible', path: 'stages[1].memGb' },
    ],
    // hetero.json: onprem 16 GB slots, ondemand and spot 8 GB.
    message: ['stage "big" needs 64 GB per slot; the largest slot it may use has 16 GB', 'stage "mid" needs 12 GB per slot; the largest slot it may use has 8 GB'],
  },
  {
    name: 'unknown pool references and an unknown data home',
    task: {
      data: [{ id: 'd', bytes: 1, home: 'C' }],
      stages: [{ id: 'a', pools: ['spto'], runtimeByPoolS: { onprm: 5 }, inputs: ['d'], runtimeS: 1 }],
    },
    expect: [
      { code: 'unknown_reference', path: 'data[0].home' },
      { code: 'unknown_reference', path: 'stages[0].pools[0]' },
      { code: 'unknown_reference', path: 'stages[0].runtimeByPoolS.onprm' },
    ],
    message: ['unknown pool "spto" (did you mean "spot"?)', 'unknown pool "onprm" (did you mean "onprem"?)', 'unknown pool or region "C"'],
  },
  {
    name: 'network links naming a region no pool is in and no data object starts in (each end of a two-way link once)',
    pools: {
      pools: [
        { id: 'a', region: 'us-east-1', slots: 2 },
        { id: 'b', region: 'eu-west-1', slots: 2 },
      ],
      network: {
        links: [
          { from: 'us-east-1', to: 'eu-west-1', bandwidthMBps: 100 },
          { from: 'us-east-1', to: 'eu-west1', bandwidthMBps: 10 },
          { from: 'ap-south-1', to: 'us-east-1', bandwidthMBps: 10, oneWay: true },
        ],
      },
    },
    expect: [
      { code: 'unknown_reference', path: 'network.links[1].to' },
      { code: 'unknown_reference', path: 'network.links[2].from' },
    ],
    message: ['unknown region "eu-west1" (did you mean "eu-west-1"?): no pool is in it and no data object starts there', 'unknown region "ap-south-1": no pool'],
  },
  {
    name: 'a data home in a region without pools makes links to it legal; a misspelt one is still reported',
    task: { data: [{ id: 'raw', bytes: 1e9, home: 'archive' }], stages: [{ id: 'a', inputs: ['raw'], runtimeS: 10 }] },
    pools: {
      pools: [
        { id: 'a', region: 'A', slots: 2 },
        { id: 'b', region: 'B', slots: 2 },
      ],
      network: {
        links: [
          { from: 'A', to: 'B', bandwidthMBps: 100 },
          { from: 'archive', to: 'A', bandwidthMBps: 50, oneWay: true },
          { from: 'archive', to: 'B', bandwidthMBps: 50, oneWay: true },
          { from: 'archvie', to: 'B', bandwidthMBps: 50 },
        ],
      },
    },
    expect: [{ code: 'unknown_reference', path: 'network.links[3].from' }],
    message: ['unknown region "archvie" (did you mean "archive"?)'],
  },
  {
    name: 'deadline and budget no plan can meet, with the shortfall',
    // One 1000 s stage on spot only (speed 1.3, 0.015 USD per slot-hour; the earliest start-up
    // over all pools is onprem's 0 s): makespan >= 1000 / 1.3 = 769.23 s, 669.2 s over a
    // 100 s deadline; cost >= 769.23 s × 0.015 / 3600 = 0.003205 USD, 0.002205 over 0.001 USD.
    task: { deadlineS: 100, budgetUsd: 0.001, stages: [{ id: 'a', runtimeS: 1000, pools: ['spot'] }] },
    expect: [
      { code: 'infeasible', path: 'deadlineS' },
      { code: 'infeasible', path: 'budgetUsd' },
    ],
    message: ['at least 769.2 s', '669.2 s over', 'at least 0.003205 USD', '0.002205 USD over'],
  },
];

const table = suite('validate: malformed inputs (table)');

for (const row of rows) {
  table(row.name, () => {
    const issues = collect(row);
    const actual = issues.map((issue) => key({ code: issue.code, path: formatPath(issue.path) })).sort();
    const expected = row.expect.map(key).sort();
    assert.equal(actual, expected, `problems reported for "${row.name}":\n${formatIssues(issues)}`);
    const messages = issues.map((issue) => issue.message).join('\n');
    for (const fragment of row.message) {
      assert.ok(messages.includes(fragment), `expected a message containing ${JSON.stringify(fragment)}, got:\n${messages}`);
    }
    for (const issue of issues) {
      assert.ok(issue.message.length > 0, 'every problem has a message');
      assert.type(issue.expected, 'string', `problem at ${formatPath(issue.path)} says what was expected`);
      assert.type(issue.received, 'string', `problem at ${formatPath(issue.path)} says what was received`);
    }
  });
}

table('the table has at least 25 rows and some with several problems', () => {
  assert.ok(rows.length >= 25, `${rows.length} rows`);
  assert.ok(rows.filter((row) => row.expect.length >= 2).length >= 8);
  assert.ok(rows.some((row) => row.expect.length >= 3));
});

table.run();

const printing = suite('validate: printed output');

printing('formatIssues prints "✖ message" then "  → at path"', () => {
  const row = rows.find((r) => r.name.startsWith('unknown stage reference'))!;
  const issues = collect(row);
  assert.is(formatIssues(issues), '✖ unknown stage "mrege" (did you mean "merge"?)\n  → at stages[3].after[0]');
});

printing('every problem gets its own pair of lines, in order', () => {
  const row = rows.find((r) => r.name.startsWith('wrong types: number id'))!;
  const issues = collect(row);
  const lines = formatIssues(issues).split('\n');
  assert.is(lines.length, issues.length * 2);
  issues.forEach((issue, i) => {
    assert.is(lines[2 * i], `✖ ${issue.message}`);
    assert.is(lines[2 * i + 1], `  → at ${formatPath(issue.path)}`);
  });
  assert.equal(lines.filter((line) => line.startsWith('  → at ')).map((line) => line.slice(7)).sort(), ['deadlineS', 'stages[0].id', 'stages[1].after', 'stages[1].runtimeS']);
});

printing('InputError names the source and the count', () => {
  try {
    parseTaskDefinition('{ "stages": [] , "nmae": 1 }', 'jobs/empty.json');
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, InputError);
    const e = error as InputError;
    assert.is(e.source, 'jobs/empty.json');
    assert.ok(e.message.startsWith('jobs/empty.json: 2 problems\n✖ '), e.message);
    assert.ok(e.message.includes('  → at nmae'), e.message);
    assert.ok(e.message.includes('  → at stages'), e.message);
  }
});

printing('formatPath quotes keys that are not identifiers', () => {
  assert.is(formatPath([]), '(root)');
  assert.is(formatPath(['stages', 3, 'after', 0]), 'stages[3].after[0]');
  assert.is(formatPath(['stages', 0, 'runtimeByPoolS', 'on-demand']), 'stages[0].runtimeByPoolS["on-demand"]');
});

printing('a JSON file with a byte order mark parses', () => {
  const definition = parseTaskDefinition('\uFEFF{ "stages": [{ "id": "a", "runtimeS": 1 }] }', 'bom.json');
  assert.is(definition.stages.length, 1);
});

printing.run();

const valid = suite('validate: valid inputs round-trip');

valid('examples/log-analytics.json + examples/pools/hetero.json assemble', () => {
  const definition = parseTaskDefinition(readRepo('examples/log-analytics.json'), 'examples/log-analytics.json');
  const resources = validateResourceMap(parseDocument(HETERO_TEXT, 'examples/pools/hetero.json'), 'examples/pools/hetero.json');
  assert.is(definition.name, 'log-analytics');
  assert.equal(definition.stages.map((s) => s.id), ['parse', 'sessionize', 'report']);
  assert.equal(definition.stages.map((s) => s.kind), ['divisible', 'divisible', 'atomic']);
  const problem = assembleProblem(definition, resources);
  assert.is(problem.stages.nodeCount, 3);
  assert.is(problem.stages.edgeCount, 2);
  assert.equal(problem.provisional, []);
  const bounds = checkAttainable(problem);
  assert.ok(bounds.makespanS <= 14400);
});

valid('the same definition as YAML gives the same result', () => {
  const text = readRepo('examples/log-analytics.json');
  const json = parseTaskDefinition(text, 'a.json');
  const yaml = parseTaskDefinition(stringifyYaml(JSON.parse(text)), 'a.yaml');
  assert.equal(yaml, json);
});

valid('a partial definition (stage with no runtime) is accepted and listed as provisional', () => {
  const definition = validateTaskDefinition({
    stages: [
      { id: 'extract', runtimeS: 120 },
      { id: 'transform', after: ['extract'] },
      { id: 'load', after: ['transform'], runtimeS: 30, memGb: 4 },
    ],
  });
  const transform = definition.stages[1]!;
  assert.is(transform.kind, 'atomic');
  assert.is(transform.kind === 'atomic' ? transform.runtimeS : 0, undefined);
  const problem = assembleProblem(definition, validateResourceMap(HETERO));
  assert.equal(problem.provisional.map((p) => p.stage), ['transform']);
  assert.ok(problem.provisional[0]!.reason.includes('no runtime estimate'));
  assert.ok(problem.stageWorkS[1]! > 0);
});

valid('a link to a region without pools is legal when a data object starts there (home or --data-home)', () => {
  const resources = validateResourceMap({
    pools: [{ id: 'a', region: 'A', slots: 2 }],
    network: { links: [{ from: 'A', to: 'archive', bandwidthMBps: 50 }] },
  });
  const task = { data: [{ id: 'raw', bytes: 1e9 }], stages: [{ id: 'a', inputs: ['raw'], runtimeS: 10 }] };
  const viaHome = assembleProblem(validateTaskDefinition({ ...task, data: [{ id: 'raw', bytes: 1e9, home: 'archive' }] }), resources);
  const viaOption = assembleProblem(validateTaskDefinition(task), resources, { dataHome: 'archive' });
  for (const problem of [viaHome, viaOption]) {
    assert.equal([...problem.externalRegion].map((r) => problem.network.regionIds[r]), ['archive']);
  }
  // Without a data object there, the same link is a typo.
  try {
    assembleProblem(validateTaskDefinition(task), resources);
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, InputError);
    assert.equal((error as InputError).issues.map((issue) => formatPath(issue.path)), ['network.links[0].to']);
  }
});

valid.run();
