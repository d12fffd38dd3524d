/**
 * Resource map: untyped document → `ResourceMap`, reporting every problem with its path.
 *
 * Links are symmetric unless `oneWay` is set. Two pools in the same region talk for free
 * and instantly unless a link from the region to itself says otherwise. Every pair of
 * regions that has pools must be joined by a link. A link may name a region without pools only
 * if a data object of the task definition starts there; that is checked with the task
 * definition, in `assembleProblem`.
 */
import { InputError } from './issues.js';
import { MAX_BANDWIDTH_MBPS, MAX_INTERRUPTION_PER_HOUR, MAX_MEM_GB, MAX_PRICE_USD, MAX_SECONDS, MAX_SLOTS, MAX_SPEED, MIN_BANDWIDTH_MBPS, MIN_SPEED } from './limits.js';
import { FieldReader, type Path } from './read.js';
import { readTelemetrySection } from './telemetry-section.js';
import type { CapacityStep, Link, Pool, ResourceMap } from './types.js';

const ROOT_FIELDS = ['$schema', 'pools', 'network', 'telemetry'] as const;
const POOL_FIELDS = ['id', 'region', 'zone', 'class', 'slots', 'speed', 'speedByOp', 'memGbPerSlot', 'priceUsdPerSlotHour', 'startupS', 'interruptionPerHour', 'dispatchOverheadS', 'capacity'] as const;
const NETWORK_FIELDS = ['links'] as const;
const LINK_FIELDS = ['from', 'to', 'latencyMs', 'bandwidthMBps', 'egressUsdPerGb', 'oneWay'] as const;
const STEP_FIELDS = ['atS', 'slots'] as const;

export function validateResourceMap(document: unknown, source = 'resource map'): ResourceMap {
  const reader = new FieldReader();
  const root = reader.object(document, [], ROOT_FIELDS);
  if (root === undefined) throw new InputError(source, reader.issues);
  const pools: Pool[] = [];
  /** Index in the file of each entry of `pools`. */
  const fileIndex: number[] = [];
  const seen = new Map<string, Path>();
  const poolList = reader.requireArray(root, 'pools', []);
  poolList?.forEach((raw, index) => {
    const pool = readPool(reader, raw, ['pools', index]);
    // Duplicates are found on the raw id, so a broken pool still claims its id.
    const id = pool?.id ?? rawId(raw);
    if (id !== undefined) {
      const first = seen.get(id);
      if (first !== undefined) reader.duplicate(['pools', index, 'id'], id, first);
      else seen.set(id, ['pools', index, 'id']);
    }
    if (pool === undefined) return;
    pools.push(pool);
    fileIndex.push(index);
  });
  if (poolList !== undefined && poolList.length === 0) {
    reader.report({ code: 'empty_graph', path: ['pools'], message: 'the resource map has no pools', expected: 'at least one pool', received: 'an empty array' });
  }
  const regions = [...new Set(pools.map((p) => p.region))];
  const { links, attempted } = readLinks(reader, root);
  checkConnected(reader, pools, fileIndex, attempted);
  // Checked against every pool id the file names (a broken pool is reported once, for itself).
  const telemetry = root.telemetry === undefined ? undefined : readTelemetrySection(reader, root.telemetry, new Set(seen.keys()));
  if (reader.issues.length > 0) throw new InputError(source, reader.issues);
  const linkRegions = links.flatMap((l) => [l.from, l.to]);
  return { pools, regions: [...new Set([...regions, ...linkRegions])], links, ...(telemetry === undefined ? {} : { telemetry }) };
}

const SPEED = { min: MIN_SPEED, limit: MAX_SPEED } as const;
const SECONDS = { min: 0, limit: MAX_SECONDS } as const;

function readPool(reader: FieldReader, raw: unknown, path: Path): Pool | undefined {
  const record = reader.object(raw, path, POOL_FIELDS);
  if (record === undefined) return undefined;
  const id = reader.string(record, 'id', path, true);
  const region = reader.string(record, 'region', path, true);
  const zone = reader.string(record, 'zone', path, false);
  const poolClass = reader.string(record, 'class', path, false);
  // Upper (and speed's lower) limits keep every product the model forms finite (limits.ts).
  const slots = reader.number(record, 'slots', path, { min: 1, limit: MAX_SLOTS, integer: true }, true);
  const speed = reader.number(record, 'speed', path, SPEED) ?? 1;
  const speedByOp = reader.numberRecord(record, 'speedByOp', path, SPEED) ?? new Map<string, number>();
  const memGbPerSlot = reader.number(record, 'memGbPerSlot', path, { above: 0, limit: MAX_MEM_GB }) ?? Number.POSITIVE_INFINITY;
  const priceUsdPerSlotHour = reader.number(record, 'priceUsdPerSlotHour', path, { min: 0, limit: MAX_PRICE_USD }) ?? 0;
  const startupS = reader.number(record, 'startupS', path, SECONDS) ?? 0;
  const interruptionPerHour = reader.number(record, 'interruptionPerHour', path, { min: 0, limit: MAX_INTERRUPTION_PER_HOUR }) ?? 0;
  const dispatchOverheadS = reader.number(record, 'dispatchOverheadS', path, SECONDS) ?? 0;
  const capacity = readCapacity(reader, record, path, slots);
  if (id === undefined || region === undefined || slots === undefined) return undefined;
  return { id, region, zone, class: poolClass, slots, speed, speedByOp, memGbPerSlot, priceUsdPerSlotHour, startupS, interruptionPerHour, dispatchOverheadS, capacity };
}

/** Capacity steps sorted by time; the declared slot count holds from 0 until the first step. */
function readCapacity(reader: FieldReader, record: Record<string, unknown>, path: Path, slots: number | undefined): CapacityStep[] {
  const steps: CapacityStep[] = [];
  let lastAtS = -1;
  reader.optionalArray(record, 'capacity', path).forEach((raw, index) => {
    const at: Path = [...path, 'capacity', index];
    const step = reader.object(raw, at, STEP_FIELDS);
    if (step === undefined) return;
    const atS = reader.number(step, 'atS', at, SECONDS, true);
    const stepSlots = reader.number(step, 'slots', at, { min: 0, limit: MAX_SLOTS, integer: true }, true);
    if (atS === undefined || stepSlots === undefined) return;
    if (atS <= lastAtS) {
      reader.report({ code: 'invalid_value', path: [...at, 'atS'], message: `capacity steps must be in increasing time order (${atS} s after ${lastAtS} s)`, expected: `> ${lastAtS}`, received: String(atS) });
      return;
    }
    lastAtS = atS;
    steps.push({ atS, slots: stepSlots });
  });
  if (slots !== undefined && (steps.length === 0 || steps[0]!.atS > 0)) steps.unshift({ atS: 0, slots });
  return steps;
}

function rawId(raw: unknown): string | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const id = (raw as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

const pairKey = (from: string, to: string): string => `${from}\u0000${to}`;

/**
 * Valid links, and every directed region pair a link names (valid or not), so a link with a
 * bad field is reported once rather than again as a missing link.
 */
function readLinks(reader: FieldReader, root: Record<string, unknown>): { links: Link[]; attempted: Set<string> } {
  const links: Link[] = [];
  const attempted = new Set<string>();
  if (root.network === undefined) return { links, attempted };
  const network = reader.object(root.network, ['network'], NETWORK_FIELDS);
  if (network === undefined) return { links, attempted };
  reader.optionalArray(network, 'links', ['network']).forEach((raw, index) => {
    const path: Path = ['network', 'links', index];
    const record = reader.object(raw, path, LINK_FIELDS);
    if (record === undefined) return;
    const from = reader.string(record, 'from', path, true);
    const to = reader.string(record, 'to', path, true);
    const latencyMs = reader.number(record, 'latencyMs', path, { min: 0, limit: MAX_SECONDS * 1000 }) ?? 0;
    const bandwidthMBps = reader.number(record, 'bandwidthMBps', path, { min: MIN_BANDWIDTH_MBPS, limit: MAX_BANDWIDTH_MBPS }, true);
    const egressUsdPerGb = reader.number(record, 'egressUsdPerGb', path, { min: 0, limit: MAX_PRICE_USD }) ?? 0;
    const oneWay = reader.boolean(record, 'oneWay', path) ?? false;
    if (from !== undefined && to !== undefined) {
      attempted.add(pairKey(from, to));
      if (!oneWay) attempted.add(pairKey(to, from));
    }
    if (from === undefined || to === undefined || bandwidthMBps === undefined) return;
    links.push({ from, to, latencyMs, bandwidthMBps, egressUsdPerGb, declared: { index, reversed: false } });
    if (!oneWay && from !== to) links.push({ from: to, to: from, latencyMs, bandwidthMBps, egressUsdPerGb, declared: { index, reversed: true } });
  });
  return { links, attempted };
}

/** Every pair of regions with pools needs a link each way; one problem per unordered pair. */
function checkConnected(reader: FieldReader, pools: readonly Pool[], fileIndex: readonly number[], joined: ReadonlySet<string>): void {
  const firstPoolOfRegion = new Map<string, number>();
  pools.forEach((pool, k) => {
    if (!firstPoolOfRegion.has(pool.region)) firstPoolOfRegion.set(pool.region, fileIndex[k]!);
  });
  const regions = [...firstPoolOfRegion.keys()];
  regions.forEach((a, i) => {
    for (const b of regions.slice(i + 1)) {
      const there = joined.has(pairKey(a, b));
      const back = joined.has(pairKey(b, a));
      if (there && back) continue;
      const path = ['pools', firstPoolOfRegion.get(b)!, 'region'];
      if (!there && !back) {
        reader.report({
          code: 'unknown_reference',
          path,
          message: `no network link between region "${a}" and region "${b}": add one to network.links`,
          expected: `a link between ${a} and ${b}`,
          received: 'none',
        });
      } else {
        const [from, to] = there ? [b, a] : [a, b];
        reader.report({
          code: 'unknown_reference',
          path,
          message: `no network link from region "${from}" to region "${to}" (the link from "${to}" is one-way): add one to network.links`,
          expected: `a link ${from} → ${to}`,
          received: `only ${to} → ${from}`,
        });
      }
    }
  });
}
