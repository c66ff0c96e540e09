/** Rendering for commands: `--output text|json`, aligned tables, short digests, ages. */
import type { Writable } from 'node:stream';
import { StreamlockError } from '../errors.js';

export type OutputFormat = 'text' | 'json';

/** Checks `--output`; throws USAGE naming the option. */
export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === 'text') return 'text';
  if (value === 'json') return 'json';
  throw new StreamlockError('USAGE', `--output must be text or json, not ${JSON.stringify(value)}`);
}

export function writeJson(out: Writable, data: unknown): void {
  out.write(`${JSON.stringify(data, null, 2)}\n`);
}

/** Columns padded to the widest cell (three spaces apart, like kubectl); no trailing spaces. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('   ')
      .trimEnd();
  return [line(header), ...rows.map(line)].map((l) => `${l}\n`).join('');
}

/** `sha256:abcdef123456`: the algorithm and the first 12 hex digits, as in rollout summaries. */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return colon < 0 ? digest.slice(0, 12) : `${digest.slice(0, colon)}:${digest.slice(colon + 1, colon + 13)}`;
}

/** `3 days ago`, `5 minutes ago`, `just now` (as `oc describe` prints ages). */
export function formatAge(created: string, now: Date): string {
  const t = Date.parse(created);
  if (Number.isNaN(t)) return 'unknown time';
  const s = Math.round((now.getTime() - t) / 1000);
  if (s < 0) return 'in the future';
  const units: Array<[number, string]> = [
    [365 * 86400, 'year'],
    [30 * 86400, 'month'],
    [7 * 86400, 'week'],
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of units) {
    const n = Math.floor(s / size);
    if (n >= 1) return `${n} ${name}${n === 1 ? '' : 's'} ago`;
  }
  return s < 10 ? 'just now' : `${s} seconds ago`;
}
