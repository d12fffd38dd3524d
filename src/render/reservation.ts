/** A reservation as text: slots per pool per window, one column per window. */
import type { Reservation } from '../plan/reservation.js';
import { formatDurationS } from './format.js';

export function renderReservation(reservation: Reservation): string {
  const windows = Math.max(0, ...reservation.pools.map((pool) => pool.slots.length));
  const width = Math.max(4, ...reservation.pools.map((pool) => pool.pool.length));
  const cell = Math.max(3, ...reservation.pools.flatMap((pool) => pool.slots.map((slots) => String(slots).length + 1)));
  const lines = [`reservation: slots per pool in ${windows} window(s) of ${formatDurationS(reservation.windowS)}${reservation.quantile === undefined ? '' : ` (runtimes at p${Math.round(reservation.quantile * 100)})`}`];
  for (const pool of reservation.pools) lines.push(`  ${pool.pool.padEnd(width)} ${pool.slots.map((slots) => String(slots).padStart(cell)).join('')}`);
  return `${lines.join('\n')}\n`;
}
