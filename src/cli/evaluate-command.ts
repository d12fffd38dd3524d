/**
 * `apportion evaluate`: planning and recovery policies replayed on the sim backend under
 * availability traces, side by side (src/evaluate/). Traces come from `--traces POOL=CSV`
 * (one trace of the user's pools) or are generated (`--generate N`, seeded). Your own policy
 * joins with `--policy-module FILE` (a module exporting `policy` or `policies`: the `Policy`
 * type of src/evaluate/policy.ts; examples/evaluate/my-policy.mjs).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { evaluate, type EvaluationWorkload } from '../evaluate/evaluate.js';
import type { Policy } from '../evaluate/policy.js';
import { POLICY_IDS } from '../evaluate/policies.js';
import { generateTrace, pointsOfEvents } from '../evaluate/traces.js';
import { parseTelemetryText } from '../forecast/telemetry/index.js';
import type { AvailabilityTrace, EvaluationResult } from '../evaluate/types.js';
import { readAvailabilityCsv } from '../dispatch/sim/availability-csv.js';
import { InputError } from '../model/issues.js';
import { loadResourceMap, loadTaskDefinition, writeText } from '../load/files.js';
import { renderEvaluationHtml, renderEvaluationText } from '../render/evaluation.js';
import { numberFlag, oneOf, parseCommandArgs, suggest, UsageError, SEED_RULE, WORKERS_RULE, type NumberRule } from './args.js';
import { durationFlag, parseStartAt } from './availability-options.js';
import { EXIT_OK, type Io } from './io.js';

const EVALUATE_OPTIONS = {
  pools: { type: 'string', short: 'p' },
  workloads: { type: 'string', multiple: true },
  policies: { type: 'string' },
  'policy-module': { type: 'string', multiple: true },
  traces: { type: 'string', multiple: true },
  events: { type: 'string', multiple: true },
  recovery: { type: 'string' },
  'trace-start': { type: 'string' },
  generate: { type: 'string' },
  horizon: { type: 'string' },
  offsets: { type: 'string' },
  seeds: { type: 'string' },
  seed: { type: 'string' },
  parallel: { type: 'string' },
  spread: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const;

const FORMATS = ['text', 'json', 'html'] as const;
const GENERATE_RULE: NumberRule = { whole: true, min: 1, max: 100, expected: 'a whole number of generated traces from 1 to 100' };
const SEEDS_RULE: NumberRule = { whole: true, min: 1, max: 1000, expected: 'a whole number of seeds per case from 1 to 1000' };
const SPREAD_RULE: NumberRule = { whole: false, min: 0, max: 3, expected: 'a log-normal sigma of runtimes from 0 to 3' };
/** Generated traces start on a Monday 00:00 UTC, so hours of week are the calendar's. */
const GENERATED_START_S = Date.UTC(2026, 10, 2) / 1000;

export const EVALUATE_USAGE = `apportion evaluate: planning and recovery policies side by side, on the sim backend

usage:
  apportion evaluate --pools POOLS --workloads FILE [--workloads FILE]... [options]

options:
  -p, --pools FILE        the resource map every policy plans and runs on
      --workloads FILE    a task definition or WfFormat trace; repeatable (also as plain arguments)
      --policies LIST     comma-separated: ${POLICY_IDS.join(', ')} (default all)
      --policy-module F   a module exporting \`policy\` or \`policies\` (your own Policy objects); repeatable
      --traces POOL=CSV   the pool's available slots over time (CSV time_s,available, from that time
                          on); repeatable: together one trace; pools without one keep their slots
      --events POOL=FILE  the pool's interruption times instead (CSV with a time column, or JSON; epoch s or
                          ISO): each takes one slot away for --recovery (default 30m); repeatable
      --trace-start TIME  wall-clock time of the traces' time 0 (ISO or epoch s; default 1970-01-01;
                          with --events, default the first event's day)
      --generate N        without --traces: N generated traces (seasonal hazard from each pool's
                          declared rate, bursts, outages; seeded), default 2
      --horizon H         length of generated traces (default 7d)
      --offsets LIST      start offsets into each trace, e.g. 1d,2d,3d (default: a quarter, a half and
                          three quarters of the trace); forecast-aware policies see only what is before
      --seeds N           seeds per case (runtime draws; default 2)
      --seed N            seed of the generated traces and the bootstrap (default 1)
      --spread SIGMA      log-normal spread of runtimes around the plan's (default 0.2)
      --parallel N        worker threads (default: the cores available)
      --format FMT        text | json | html (default text)
  -o, --out FILE          write there instead of stdout
  -h, --help              this help

exit codes: 0 done, 2 bad input, 1 internal error`;

export async function runEvaluateCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, EVALUATE_OPTIONS, { pools: 'a file path', workloads: 'a file path', 'policy-module': 'a file path', traces: 'POOL=FILE (a CSV of time_s,available)', out: 'a file path' });
  if (values.help === true) {
    io.stdout(`${EVALUATE_USAGE}\n`);
    return EXIT_OK;
  }
  if (values.pools === undefined) throw new UsageError('evaluate needs --pools FILE (the resource map)');
  const workloadFiles = [...(values.workloads ?? []), ...positionals];
  if (workloadFiles.length === 0) throw new UsageError('evaluate needs at least one --workloads FILE (a task definition or a WfFormat trace)');
  const resources = loadResourceMap(values.pools);
  const format = oneOf('--format', values.format, FORMATS) ?? 'text';
  const seed = numberFlag('--seed', values.seed, SEED_RULE) ?? 1;
  const seeds = numberFlag('--seeds', values.seeds, SEEDS_RULE) ?? 2;
  const parallel = numberFlag('--parallel', values.parallel, WORKERS_RULE);
  const spreadSigma = numberFlag('--spread', values.spread, SPREAD_RULE) ?? 0.2;
  const custom: Policy[] = [];
  for (const file of values['policy-module'] ?? []) custom.push(...(await loadPolicies(file)));
  const policies = policyList(values.policies, custom);
  const workloads: EvaluationWorkload[] = workloadFiles.map((file, i) => ({ id: uniqueId(file, workloadFiles, i), definition: loadTaskDefinition(file) }));
  let traces: AvailabilityTrace[];
  let lengthS: number;
  if ((values.traces ?? []).length > 0 || (values.events ?? []).length > 0) {
    if (values.generate !== undefined) throw new UsageError('give --traces / --events or --generate N, not both');
    const events = readEvents(values.events ?? [], resources.pools.map((p) => p.id));
    const firstEventS = Math.min(...[...events.values()].flatMap((e) => (e.length > 0 ? [e[0]!] : [])));
    const startS = values['trace-start'] !== undefined ? parseStartAt(values['trace-start'], '--trace-start') : Number.isFinite(firstEventS) ? Math.floor(firstEventS / 86_400) * 86_400 : 0;
    const recoveryS = values.recovery === undefined ? 1800 : durationFlag('--recovery', values.recovery);
    const trace = userTrace(values.traces ?? [], resources.pools.map((p) => p.id), startS);
    for (const [pool, eventsS] of events) {
      if (trace.pools.has(pool)) throw new UsageError(`pool "${pool}" has both --traces and --events: give one`);
      (trace.pools as Map<string, ReadonlyArray<{ timeS: number; available: number }>>).set(pool, pointsOfEvents(eventsS, resources.pools.find((p) => p.id === pool)!.slots, recoveryS, startS));
    }
    traces = [trace];
    lengthS = Math.max(...[...trace.pools.values()].map((points) => points[points.length - 1]!.timeS));
  } else {
    const count = numberFlag('--generate', values.generate, GENERATE_RULE) ?? 2;
    lengthS = values.horizon === undefined ? 7 * 86_400 : durationFlag('--horizon', values.horizon);
    traces = Array.from({ length: count }, (_, i) => generateTrace(resources, { id: `generated-${i + 1}`, seed: seed * 1000 + i + 1, horizonS: lengthS, startS: GENERATED_START_S }));
  }
  const offsetsS = values.offsets === undefined ? [0.25, 0.5, 0.75].map((f) => Math.round((f * lengthS) / 3600) * 3600) : values.offsets.split(',').map((o) => (/^0+(\.0*)?[a-z]*$/.test(o.trim()) ? 0 : durationFlag('--offsets', o.trim())));
  const total = policies.length * workloads.length * traces.length * offsetsS.length * seeds;
  io.stderr(`… evaluating ${policies.length} policies × ${workloads.length} workload(s) × ${traces.length} trace(s) × ${offsetsS.length} offset(s) × ${seeds} seed(s) = ${total} cases\n`);
  let lastReportMs = Date.now();
  const startedMs = Date.now();
  const result: EvaluationResult = await evaluate({
    policies,
    workloads,
    resources,
    traces,
    offsetsS,
    seeds,
    seed,
    spreadSigma,
    ...(parallel === undefined ? {} : { parallel }),
    onProgress: (done, all) => {
      if (Date.now() - lastReportMs < 1000 && done < all) return;
      lastReportMs = Date.now();
      io.stderr(`… ${done} of ${all} cases (${((Date.now() - startedMs) / 1000).toFixed(0)} s)\n`);
    },
  });
  const output = format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : format === 'html' ? renderEvaluationHtml(result) : renderEvaluationText(result);
  if (values.out !== undefined) writeText(values.out, output);
  else io.stdout(output);
  return EXIT_OK;
}

/** `--policies a,b` (built-in ids and the ids of --policy-module's policies); default every built-in and custom one. */
function policyList(text: string | undefined, custom: readonly Policy[]): Array<string | Policy> {
  const known = [...POLICY_IDS, ...custom.map((p) => p.id)];
  if (text === undefined || text === 'all') return [...POLICY_IDS, ...custom];
  return text.split(',').map((raw) => {
    const id = raw.trim();
    const mine = custom.find((p) => p.id === id);
    if (mine !== undefined) return mine;
    if (!POLICY_IDS.includes(id)) throw new UsageError(`--policies: unknown policy "${id}"${suggest(id, known)}; known: ${known.join(', ')}`);
    return id;
  });
}

async function loadPolicies(file: string): Promise<Policy[]> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new InputError(file, [{ code: 'invalid_value', path: ['--policy-module'], message: `cannot load ${file}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` }]);
  }
  const found = [module['policy'], ...(Array.isArray(module['policies']) ? module['policies'] : [])].filter((p) => p !== undefined);
  const policies = found.filter((p): p is Policy => typeof p === 'object' && p !== null && typeof (p as Policy).id === 'string' && typeof (p as Policy).prepare === 'function');
  if (policies.length === 0 || policies.length !== found.length) {
    throw new InputError(file, [{ code: 'invalid_value', path: ['--policy-module'], message: `${file} must export \`policy\` (or \`policies\`, an array): objects with an id, a description and prepare(ctx)`, expected: 'a Policy', received: found.length === 0 ? 'no such export' : 'an object without id or prepare' }]);
  }
  return policies;
}

/** `POOL=FILE` of `flag`, the pool one of the resource map's. */
function poolFile(flag: string, spec: string, poolIds: readonly string[]): { pool: string; file: string } {
  const eq = spec.indexOf('=');
  if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`${flag}: expected POOL=FILE, received "${spec}"`);
  const pool = spec.slice(0, eq);
  if (!poolIds.includes(pool)) throw new InputError(flag, [{ code: 'unknown_reference', path: [flag, pool], message: `unknown pool "${pool}"${suggest(pool, poolIds)}; the resource map has ${poolIds.join(', ')}` }]);
  return { pool, file: spec.slice(eq + 1) };
}

/** The user's `--traces POOL=CSV` as one trace; pools without one stay at their slots. */
function userTrace(specs: readonly string[], poolIds: readonly string[], startS: number): AvailabilityTrace {
  const pools = new Map<string, Array<{ timeS: number; available: number }>>();
  const files: string[] = [];
  for (const spec of specs) {
    const { pool, file } = poolFile('--traces', spec, poolIds);
    if (pools.has(pool)) throw new UsageError(`--traces: pool "${pool}" is given twice`);
    pools.set(pool, readAvailabilityCsv(file).map((p) => ({ timeS: p.timeS, available: p.available })));
    files.push(`${pool}=${file}`);
  }
  return { id: 'traces', pools, startS, source: files.join(', ') || 'interruption events' };
}

/** `--events POOL=FILE`: each file's interruption times (epoch s, sorted), read by the telemetry reader. */
function readEvents(specs: readonly string[], poolIds: readonly string[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const spec of specs) {
    const { pool, file } = poolFile('--events', spec, poolIds);
    if (out.has(pool)) throw new UsageError(`--events: pool "${pool}" is given twice`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new InputError(file, [{ code: 'invalid_value', path: ['--events'], message: `cannot read ${file}` }]);
    }
    const parsed = parseTelemetryText({ index: 0, pool, file, metric: 'interruptions' }, text, { source: file });
    if (parsed.kind !== 'events') throw new UsageError(`--events: ${file} does not read as interruption times`);
    out.set(pool, [...parsed.eventsS]);
  }
  return out;
}

function uniqueId(file: string, all: readonly string[], index: number): string {
  const base = file.split(/[\\/]/).pop()!.replace(/\.(json|ya?ml)$/i, '');
  return all.some((f, j) => j !== index && f.split(/[\\/]/).pop()!.replace(/\.(json|ya?ml)$/i, '') === base) ? `${base}#${index + 1}` : base;
}

