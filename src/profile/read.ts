/**
 * readProfile: a parsed JSON document (`--profile FILE`) → a Profile, or an InputError listing
 * every problem with its path, e.g. `ops.blastall.metrics.runtimeS.law.linear: expected a
 * finite number >= 0, received -2`. The result is rebuilt from the validated fields (records
 * with a null prototype, so an op named "__proto__" is just a name).
 */
import { describeValue, InputError } from '../model/issues.js';
import { FieldReader, type Path } from '../model/read.js';
import {
  METRICS,
  PROFILE_FORMAT,
  PROFILE_VERSION,
  type CalibrationSummary,
  type ClassEffect,
  type GlobalMetric,
  type LogQuantiles,
  type Metric,
  type MetricFit,
  type ObservedSize,
  type OpProfile,
  type Profile,
  type ProfileSettings,
  type ScalingLaw,
  type SizeBy,
} from './types.js';

const SIZE_BY: readonly SizeBy[] = ['items', 'bytesIn', 'none'];
const COUNT = { min: 0, integer: true } as const;
const NON_NEGATIVE = { min: 0 } as const;
const ANY = {} as const;
/** Grids hold natural logs: beyond ±50 (a factor of 5e21) a value is a corrupt file, not a runtime. */
const LOG_VALUE = { min: -50, max: 50 } as const;

export function readProfile(document: unknown, source: string): Profile {
  const reader = new FieldReader();
  const profile = readRoot(reader, document);
  if (reader.issues.length > 0 || profile === undefined) throw new InputError(source, reader.issues);
  return profile;
}

function readRoot(reader: FieldReader, document: unknown): Profile | undefined {
  const root = reader.object(document, [], ['format', 'version', 'fittedAt', 'records', 'settings', 'calibration', 'levels', 'global', 'ops']);
  if (root === undefined) return undefined;
  if (root.format !== PROFILE_FORMAT) {
    reader.report({
      code: 'invalid_value',
      path: ['format'],
      message: `not an apportion profile: expected format "${PROFILE_FORMAT}", received ${describeValue(root.format)}`,
      expected: JSON.stringify(PROFILE_FORMAT),
      received: describeValue(root.format),
    });
    return undefined;
  }
  if (root.version !== PROFILE_VERSION) {
    const newer = typeof root.version === 'number' && root.version > PROFILE_VERSION;
    reader.report({
      code: 'invalid_value',
      path: ['version'],
      message: newer
        ? `profile version ${String(root.version)} is newer than this apportion reads (${PROFILE_VERSION}): refit it or upgrade`
        : `expected profile version ${PROFILE_VERSION}, received ${describeValue(root.version)}`,
      expected: String(PROFILE_VERSION),
      received: describeValue(root.version),
    });
    return undefined;
  }
  const fittedAt = reader.string(root, 'fittedAt', [], true);
  const records = reader.number(root, 'records', [], COUNT, true);
  const settings = readSettings(reader, root.settings, ['settings']);
  const calibration = readCalibration(reader, root.calibration, ['calibration']);
  const levels = readLevels(reader, root.levels, ['levels']);
  const size = levels?.length ?? 0;
  const global: Partial<Record<Metric, GlobalMetric>> = {};
  const globalObject = required(reader, root, 'global', []);
  const globalRecord = globalObject === undefined ? undefined : reader.object(globalObject, ['global'], METRICS);
  for (const metric of METRICS) {
    if (globalRecord?.[metric] === undefined) continue;
    const fit = readGlobal(reader, globalRecord[metric], ['global', metric], size);
    if (fit !== undefined) global[metric] = fit;
  }
  const ops: Record<string, OpProfile> = Object.create(null) as Record<string, OpProfile>;
  const opsObject = required(reader, root, 'ops', []);
  const opsRecord = opsObject === undefined ? undefined : reader.object(opsObject, ['ops'], Object.keys(opsObject ?? {}));
  for (const [name, value] of Object.entries(opsRecord ?? {})) {
    const op = readOp(reader, value, ['ops', name], size);
    if (op !== undefined) ops[name] = op;
  }
  if (fittedAt === undefined || records === undefined || settings === undefined || calibration === undefined || levels === undefined) return undefined;
  return { format: PROFILE_FORMAT, version: PROFILE_VERSION, fittedAt, records, settings, calibration, levels, global, ops };
}

function required(reader: FieldReader, record: Record<string, unknown>, key: string, path: Path): unknown {
  if (record[key] === undefined) reader.missing(path, key, 'object');
  return record[key];
}

function readSettings(reader: FieldReader, value: unknown, path: Path): ProfileSettings | undefined {
  if (value === undefined) return void reader.missing(path.slice(0, -1), 'settings', 'object');
  const record = reader.object(value, path, ['calibration', 'calibrationShare', 'seed', 'classShrinkage', 'residualShrinkage', 'refit', 'defaultJobShiftSigma', 'extrapolationExponentSpread']);
  if (record === undefined) return undefined;
  const calibration = record.calibration;
  if (calibration !== 'cross' && calibration !== 'split') {
    if (calibration === undefined) reader.missing(path, 'calibration', '"cross" or "split"');
    else reader.report({ code: 'invalid_value', path: [...path, 'calibration'], message: `expected "cross" or "split", received ${describeValue(calibration)}`, expected: '"cross" | "split"', received: describeValue(calibration) });
  }
  const calibrationShare = reader.number(record, 'calibrationShare', path, { min: 0, max: 0.9 }, true);
  const seed = reader.number(record, 'seed', path, { integer: true }, true);
  const classShrinkage = reader.number(record, 'classShrinkage', path, NON_NEGATIVE, true);
  const residualShrinkage = reader.number(record, 'residualShrinkage', path, NON_NEGATIVE, true);
  const refit = reader.boolean(record, 'refit', path);
  if (record.refit === undefined) reader.missing(path, 'refit', 'boolean');
  const defaultJobShiftSigma = reader.number(record, 'defaultJobShiftSigma', path, NON_NEGATIVE, true);
  const extrapolationExponentSpread = reader.number(record, 'extrapolationExponentSpread', path, NON_NEGATIVE, true);
  if (calibration !== 'cross' && calibration !== 'split') return undefined;
  if (calibrationShare === undefined || seed === undefined || classShrinkage === undefined || residualShrinkage === undefined || refit === undefined || defaultJobShiftSigma === undefined || extrapolationExponentSpread === undefined) return undefined;
  return { calibration, calibrationShare, seed, classShrinkage, residualShrinkage, refit, defaultJobShiftSigma, extrapolationExponentSpread };
}

function readCalibration(reader: FieldReader, value: unknown, path: Path): CalibrationSummary | undefined {
  if (value === undefined) return void reader.missing(path.slice(0, -1), 'calibration', 'object');
  const keys = ['jobs', 'opsByJob', 'opsByRecord', 'opsWithoutHoldout', 'residuals'] as const;
  const record = reader.object(value, path, [...keys, 'jobShiftSigma', 'jobShiftSource', 'inSample']);
  if (record === undefined) return undefined;
  const counts = keys.map((key) => reader.number(record, key, path, COUNT, true));
  const jobShiftSigma = reader.number(record, 'jobShiftSigma', path, NON_NEGATIVE, true);
  const jobShiftSource = record.jobShiftSource;
  if (jobShiftSource !== 'profile' && jobShiftSource !== 'default') {
    if (jobShiftSource === undefined) reader.missing(path, 'jobShiftSource', '"profile" or "default"');
    else reader.report({ code: 'invalid_value', path: [...path, 'jobShiftSource'], message: `expected "profile" or "default", received ${describeValue(jobShiftSource)}`, expected: '"profile" | "default"', received: describeValue(jobShiftSource) });
  }
  const inSample = reader.boolean(record, 'inSample', path);
  if (record.inSample === undefined) reader.missing(path, 'inSample', 'boolean');
  if (counts.some((count) => count === undefined) || inSample === undefined || jobShiftSigma === undefined) return undefined;
  if (jobShiftSource !== 'profile' && jobShiftSource !== 'default') return undefined;
  const [jobs, opsByJob, opsByRecord, opsWithoutHoldout, residuals] = counts as number[];
  return { jobs: jobs!, opsByJob: opsByJob!, opsByRecord: opsByRecord!, opsWithoutHoldout: opsWithoutHoldout!, residuals: residuals!, jobShiftSigma, jobShiftSource, inSample };
}

/** Strictly increasing levels in (0, 1), with 0.5 among them (the median every grid is centred on). */
function readLevels(reader: FieldReader, value: unknown, path: Path): number[] | undefined {
  if (value === undefined) return void reader.missing(path.slice(0, -1), 'levels', 'array');
  const items = reader.array(value, path);
  if (items === undefined) return undefined;
  const levels: number[] = [];
  let ok = items.length >= 2;
  items.forEach((item, i) => {
    const level = reader.checkNumber(item, [...path, i], { above: 0, max: 0.999999 });
    if (level === undefined) ok = false;
    else if (levels.length > 0 && level <= levels[levels.length - 1]!) {
      reader.report({ code: 'invalid_value', path: [...path, i], message: `levels must increase (${level} after ${levels[levels.length - 1]})`, expected: `> ${levels[levels.length - 1]}`, received: String(level) });
      ok = false;
    } else levels.push(level);
  });
  if (ok && !levels.includes(0.5)) {
    reader.report({ code: 'invalid_value', path, message: 'levels must include 0.5 (the median)', expected: 'a list with 0.5', received: `${levels.length} levels without 0.5` });
    ok = false;
  }
  if (items.length < 2) reader.report({ code: 'invalid_value', path, message: 'expected at least 2 levels', expected: '>= 2 levels', received: String(items.length) });
  return ok ? levels : undefined;
}

/** A log-quantile grid: one finite number per level, non-decreasing. */
function readGrid(reader: FieldReader, record: Record<string, unknown>, key: string, path: Path, size: number): LogQuantiles | undefined {
  if (record[key] === undefined) return void reader.missing(path, key, 'array');
  const at = [...path, key];
  const items = reader.array(record[key], at);
  if (items === undefined) return undefined;
  if (size > 0 && items.length !== size) {
    reader.report({ code: 'invalid_value', path: at, message: `expected ${size} quantiles (one per level), received ${items.length}`, expected: String(size), received: String(items.length) });
    return undefined;
  }
  const grid: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const value = reader.checkNumber(items[i], [...at, i], LOG_VALUE);
    if (value === undefined) return undefined;
    if (i > 0 && value < grid[i - 1]!) {
      reader.report({ code: 'invalid_value', path: [...at, i], message: `quantiles must not decrease (${value} after ${grid[i - 1]})`, expected: `>= ${grid[i - 1]}`, received: String(value) });
      return undefined;
    }
    grid.push(value);
  }
  return grid;
}

function readGlobal(reader: FieldReader, value: unknown, path: Path, size: number): GlobalMetric | undefined {
  const record = reader.object(value, path, ['n', 'ops', 'residuals', 'prior']);
  if (record === undefined) return undefined;
  const n = reader.number(record, 'n', path, COUNT, true);
  const ops = reader.number(record, 'ops', path, COUNT, true);
  const residuals = readGrid(reader, record, 'residuals', path, size);
  const prior = readGrid(reader, record, 'prior', path, size);
  if (n === undefined || ops === undefined || residuals === undefined || prior === undefined) return undefined;
  return { n, ops, residuals, prior };
}

function readOp(reader: FieldReader, value: unknown, path: Path, size: number): OpProfile | undefined {
  const record = reader.object(value, path, ['n', 'failed', 'sizeBy', 'typicalSize', 'observedSize', 'jobs', 'classes', 'metrics']);
  if (record === undefined) return undefined;
  const n = reader.number(record, 'n', path, COUNT, true);
  const failed = reader.number(record, 'failed', path, COUNT, true);
  const jobs = reader.number(record, 'jobs', path, COUNT, true);
  const observedSize = readObservedSize(reader, record, path);
  const sizeBy = readSizeBy(reader, record, path);
  let typicalSize: number | null | undefined = null;
  if (record.typicalSize === undefined) reader.missing(path, 'typicalSize', 'number or null');
  else if (record.typicalSize !== null) typicalSize = reader.number(record, 'typicalSize', path, NON_NEGATIVE);
  const classes: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const [name, count] of reader.numberRecord(record, 'classes', path, COUNT) ?? []) classes[name] = count;
  if (record.classes === undefined) reader.missing(path, 'classes', 'object');
  const metrics: Partial<Record<Metric, MetricFit>> = {};
  const metricsObject = required(reader, record, 'metrics', path);
  const metricsRecord = metricsObject === undefined ? undefined : reader.object(metricsObject, [...path, 'metrics'], METRICS);
  for (const metric of METRICS) {
    if (metricsRecord?.[metric] === undefined) continue;
    const fit = readMetric(reader, metricsRecord[metric], [...path, 'metrics', metric], size);
    if (fit !== undefined) metrics[metric] = fit;
  }
  if (n === undefined || failed === undefined || jobs === undefined || sizeBy === undefined || typicalSize === undefined || observedSize === undefined) return undefined;
  return { n, failed, sizeBy, typicalSize, observedSize, jobs, classes, metrics };
}

function readObservedSize(reader: FieldReader, record: Record<string, unknown>, path: Path): ObservedSize | null | undefined {
  if (record.observedSize === undefined) return void reader.missing(path, 'observedSize', 'object or null');
  if (record.observedSize === null) return null;
  const at = [...path, 'observedSize'];
  const observed = reader.object(record.observedSize, at, ['by', 'min', 'max']);
  if (observed === undefined) return undefined;
  const by = observed.by;
  if (by !== 'items' && by !== 'bytesIn') reader.report({ code: 'invalid_value', path: [...at, 'by'], message: `expected "items" or "bytesIn", received ${describeValue(by)}`, expected: '"items" | "bytesIn"', received: describeValue(by) });
  const min = reader.number(observed, 'min', at, NON_NEGATIVE, true);
  const max = reader.number(observed, 'max', at, NON_NEGATIVE, true);
  if (min !== undefined && max !== undefined && max < min) reader.report({ code: 'invalid_value', path: [...at, 'max'], message: `max (${max}) is below min (${min})`, expected: `>= ${min}`, received: String(max) });
  if ((by !== 'items' && by !== 'bytesIn') || min === undefined || max === undefined || max < min) return undefined;
  return { by, min, max };
}

function readSizeBy(reader: FieldReader, record: Record<string, unknown>, path: Path): SizeBy | undefined {
  const value = record.sizeBy;
  if (value === undefined) return void reader.missing(path, 'sizeBy', `one of ${SIZE_BY.join(', ')}`);
  if (typeof value === 'string' && (SIZE_BY as readonly string[]).includes(value)) return value as SizeBy;
  reader.report({ code: 'invalid_value', path: [...path, 'sizeBy'], message: `expected one of ${SIZE_BY.join(', ')}, received ${describeValue(value)}`, expected: SIZE_BY.join(' | '), received: describeValue(value) });
  return undefined;
}

function readMetric(reader: FieldReader, value: unknown, path: Path, size: number): MetricFit | undefined {
  const record = reader.object(value, path, ['n', 'law', 'calibrationN', 'jobShiftSigma', 'residuals', 'residualsAnyClass', 'prior', 'classes']);
  if (record === undefined) return undefined;
  const n = reader.number(record, 'n', path, COUNT, true);
  const law = readLaw(reader, record.law, [...path, 'law']);
  const calibrationN = reader.number(record, 'calibrationN', path, COUNT, true);
  const jobShiftSigma = reader.number(record, 'jobShiftSigma', path, { min: 0 }, true);
  const residuals = readGrid(reader, record, 'residuals', path, size);
  const residualsAnyClass = readGrid(reader, record, 'residualsAnyClass', path, size);
  const prior = readGrid(reader, record, 'prior', path, size);
  const classes: Record<string, ClassEffect> = Object.create(null) as Record<string, ClassEffect>;
  if (record.classes === undefined) reader.missing(path, 'classes', 'object');
  else {
    const classesRecord = reader.object(record.classes, [...path, 'classes'], Object.keys(record.classes ?? {}));
    for (const [name, raw] of Object.entries(classesRecord ?? {})) {
      const at = [...path, 'classes', name];
      const effect = reader.object(raw, at, ['n', 'logShift']);
      if (effect === undefined) continue;
      const count = reader.number(effect, 'n', at, COUNT, true);
      const logShift = reader.number(effect, 'logShift', at, ANY, true);
      if (count !== undefined && logShift !== undefined) classes[name] = { n: count, logShift };
    }
  }
  if (n === undefined || law === undefined || calibrationN === undefined || jobShiftSigma === undefined || residuals === undefined || residualsAnyClass === undefined || prior === undefined) return undefined;
  return { n, law, calibrationN, jobShiftSigma, residuals, residualsAnyClass, prior, classes };
}

function readLaw(reader: FieldReader, value: unknown, path: Path): ScalingLaw | undefined {
  if (value === undefined) return void reader.missing(path.slice(0, -1), 'law', 'object');
  const record = reader.object(value, path, ['sizeBy', 'constant', 'linear', 'nLogN']);
  if (record === undefined) return undefined;
  const sizeBy = readSizeBy(reader, record, path);
  const constant = reader.number(record, 'constant', path, NON_NEGATIVE, true);
  const linear = reader.number(record, 'linear', path, NON_NEGATIVE, true);
  const nLogN = reader.number(record, 'nLogN', path, NON_NEGATIVE, true);
  if (sizeBy === undefined || constant === undefined || linear === undefined || nLogN === undefined) return undefined;
  return { sizeBy, constant, linear, nLogN };
}
