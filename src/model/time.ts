/**
 * Wall-clock times as telemetry and the CLI write them → epoch seconds (UTC).
 *
 * Accepted: epoch seconds (`1712345678`, `1712345678.123`) and ISO 8601 / RFC 3339 dates
 * and times in the forms monitoring tools print: `2014-02-14 14:27:00`, `2014-02-14T14:27:00Z`,
 * `2014-02-14T14:27:00.5+01:00`, `2014-02-14T14:27`, `2014-02-14`. A time without an offset
 * is UTC: exported telemetry (NAB, CloudWatch CSVs) is UTC and rarely says so, and reading it
 * as the reader's local zone would shift every season by the machine's offset.
 *
 * `Date.parse` is not used: it reads an offset-less `2014-02-14T14:27` as local time, accepts
 * `2014-02-30` by rolling over into March, and takes many forms no one meant.
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;
const EPOCH = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Epoch seconds beyond this (year 5138) are taken to be a mistake (usually epoch
 * milliseconds), not a time: see `describeTimeProblem`.
 */
export const MAX_EPOCH_S = 1e11;

/** Epoch seconds of `text`, or undefined when it is not a time in an accepted form. */
export function parseTimeS(text: string): number | undefined {
  const trimmed = text.trim();
  if (EPOCH.test(trimmed)) {
    const value = Number(trimmed);
    return Number.isFinite(value) && Math.abs(value) <= MAX_EPOCH_S ? value : undefined;
  }
  return parseIsoS(trimmed);
}

/** Epoch seconds of an ISO date-time (not a bare number), or undefined. */
export function parseIsoS(text: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, offset] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  // 24:00:00 is ISO's end of day; a leap second (60) is read as the next second's start.
  if (hour > 24 || (hour === 24 && (minute > 0 || second > 0)) || minute > 59 || second > 60) return undefined;
  let offsetS = 0;
  if (offset !== undefined && offset !== 'Z' && offset !== 'z' && offset !== 'UTC') {
    const sign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return undefined;
    offsetS = sign * (oh * 3600 + om * 60);
  }
  const fraction = frac === undefined ? 0 : Number(`0.${frac}`);
  // Date.UTC maps years 0–99 to 1900–1999: set the year on its own.
  // The clock time is added after, so 24:00 and a leap second roll over correctly.
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return date.getTime() / 1000 + hour * 3600 + minute * 60 + second + fraction - offsetS;
}

/** Why `text` is not a time, for messages ("looks like epoch milliseconds", "not a date"). */
export function describeTimeProblem(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return 'the time is empty';
  if (EPOCH.test(trimmed)) {
    const value = Number(trimmed);
    if (Math.abs(value) > MAX_EPOCH_S && Math.abs(value) <= MAX_EPOCH_S * 1e6) return `${JSON.stringify(clip(trimmed))} looks like epoch milliseconds or microseconds: times are epoch seconds`;
    return `${JSON.stringify(clip(trimmed))} is not a usable time`;
  }
  if (ISO.test(trimmed)) return `${JSON.stringify(clip(trimmed))} is not a valid date or time (a month, day, hour or offset out of range)`;
  return `${JSON.stringify(clip(trimmed))} is not a time (expected epoch seconds or ISO 8601, e.g. 2014-02-14 14:27:00 or 2014-02-14T14:27:00Z)`;
}

/** `2014-02-14 14:27:00` (UTC; with `.sss` when fractional), for messages. */
export function formatTimeS(timeS: number): string {
  if (!Number.isFinite(timeS) || Math.abs(timeS) > 8.64e12) return String(timeS);
  const iso = new Date(timeS * 1000).toISOString();
  const text = iso.endsWith('.000Z') ? iso.slice(0, 19) : iso.slice(0, 23);
  return text.replace('T', ' ');
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
