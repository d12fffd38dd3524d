/**
 * Writes the synthetic spot telemetry of examples/pools/hetero-telemetry.json (there is no
 * public, licensed spot trace small enough to ship): two weeks to 2026-12-01 00:00 UTC of
 *   spot-free.csv    free slots of the 64-slot spot pool every 5 minutes: busy weekday
 *                    afternoons (around 16:00 UTC) leave few free, weekends less busy, noise;
 *   spot-events.csv  interruption times drawn from a known hour-of-week rate, highest in
 *                    the afternoon (mean 0.15 per slot-hour).
 * Deterministic: node --import tsx examples/telemetry/make-spot.ts
 */
import { writeFileSync } from 'node:fs';
import { seasonalHourOfWeekRates, syntheticEvents } from '../../src/forecast/synthetic-events.js';
import { seededRandom } from '../../src/util/random.js';

const END_S = Date.UTC(2026, 11, 1) / 1000;
const FROM_S = END_S - 14 * 86_400;
const SLOTS = 64;
const random = seededRandom(11);
const iso = (s: number): string => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
const rows = ['timestamp,free_slots'];
for (let t = FROM_S; t < END_S; t += 300) {
  const hour = (t % 86_400) / 3600;
  const weekday = new Date(t * 1000).getUTCDay();
  const busy = Math.exp(-(((hour - 16) / 2.5) ** 2)) * (weekday === 0 || weekday === 6 ? 0.4 : 1);
  rows.push(`${iso(t)},${Math.max(0, Math.min(SLOTS, SLOTS * (0.92 - 0.8 * busy) + (random() - 0.5) * 8)).toFixed(1)}`);
}
writeFileSync(new URL('./spot-free.csv', import.meta.url), `${rows.join('\n')}\n`);
const { eventsS } = syntheticEvents({ seed: 12, fromS: FROM_S, toS: END_S, slots: SLOTS, perSlotHour: seasonalHourOfWeekRates(0.15, 0.8) });
writeFileSync(new URL('./spot-events.csv', import.meta.url), `time\n${eventsS.map((e) => iso(Math.round(e))).join('\n')}\n`);
