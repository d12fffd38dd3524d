/** Small formatting helpers shared by the text renderers. */

/** 3725 → "1h 02m 05s"; 42.5 → "42.5 s". */
export function formatDurationS(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  if (Math.abs(seconds) < 60) return `${Number(seconds.toFixed(1))} s`;
  const total = Math.round(Math.abs(seconds));
  const sign = seconds < 0 ? '-' : '';
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${sign}${h}h ${String(m).padStart(2, '0')}m ${String(s).padStart(2, '0')}s`;
  return `${sign}${m}m ${String(s).padStart(2, '0')}s`;
}

export function formatUsd(usd: number): string {
  const digits = Math.abs(usd) >= 100 ? 2 : Math.abs(usd) >= 1 ? 3 : 4;
  return `${usd.toFixed(digits)} USD`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toPrecision(3))} ${units[unit]}`;
}

/** Signed change, e.g. "+12.5 s" / "-0.0310 USD". */
export function signed(text: string, value: number): string {
  return value >= 0 ? `+${text}` : text;
}

/** Left-aligned text columns; numbers are right-aligned when `alignRight[i]` is set. */
export function table(rows: readonly (readonly string[])[], alignRight: readonly boolean[] = []): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) => row.map((cell, i) => (alignRight[i] === true ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd())
    .join('\n');
}
