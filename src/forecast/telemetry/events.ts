/**
 * Interruption events as JSON: the times at which a pool lost a slot.
 *
 *     [ "2026-11-02T14:03:00Z", 1793628000, … ]
 *     { "events": [ … ] }
 *     [ { "time": "2026-11-02T14:03:00Z", "detail": { … } }, … ]   (EventBridge spot interruption notices)
 *
 * Times are epoch seconds or ISO. The result is sorted; a time given twice is two events (two
 * slots can be reclaimed at once). CSV event files are read by csv.ts.
 */
import { describeValue } from '../../model/issues.js';
import { describeTimeProblem, MAX_EPOCH_S, parseTimeS } from '../../model/time.js';
import type { Problems } from './problems.js';

export function readEventsJson(document: unknown, problems: Problems): number[] {
  let list: unknown[] | undefined;
  let at = '';
  if (Array.isArray(document)) list = document;
  else if (document !== null && typeof document === 'object' && Array.isArray((document as { events?: unknown }).events)) {
    const keys = Object.keys(document).filter((k) => k !== 'events' && k !== '$schema');
    if (keys.length > 0) problems.error(`unknown field "${keys[0]}": an events file holds { "events": [...] }`, 'unknown_field', 'events', keys[0]);
    list = (document as { events: unknown[] }).events;
    at = 'events';
  } else {
    problems.error(`expected an array of event times or { "events": [...] }, received ${describeValue(document)}`, 'wrong_type');
    problems.check();
  }
  const times: number[] = [];
  list!.forEach((item, i) => {
    const where = `${at}[${i}]`;
    const value = item !== null && typeof item === 'object' && !Array.isArray(item) && 'time' in item ? (item as { time: unknown }).time : item;
    const suffix = value === item ? '' : '.time';
    if (typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= MAX_EPOCH_S) times.push(value);
    else if (typeof value === 'string') {
      const t = parseTimeS(value);
      if (t === undefined) problems.error(`${where}${suffix}: ${describeTimeProblem(value)}`, 'invalid_value');
      else times.push(t);
    } else if (typeof value === 'number') problems.error(`${where}${suffix}: ${describeTimeProblem(String(value))}`, 'invalid_value');
    else problems.error(`${where}${suffix}: expected a time (epoch seconds or an ISO string) or { "time": … }, received ${describeValue(value)}`, 'wrong_type');
  });
  problems.check();
  if (times.length === 0) problems.warn('the file lists no events: read as no interruptions observed');
  return times.sort((a, b) => a - b);
}
