/**
 * Resource bombs, the quick set of scripts/bombs.mjs: YAML alias bombs, 10,000 levels of nesting,
 * a few MB of workloads, a 20 MB scalar, 5,000-generation histories, and registries answering
 * endless, huge or dripping bodies, each in a child process with its peak RSS checked against a
 * bound. The full set (200 MB inputs, 100,000 generations) is `node scripts/bombs.mjs`; the
 * figures are in RELIABILITY.md.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '../..');

describe('resource bombs (scripts/bombs.mjs --quick)', () => {
  it('every case ends with its expected exit and error code, within its memory bound', () => {
    const r = spawnSync(process.execPath, [join(repo, 'scripts/bombs.mjs'), '--quick', '--json'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).not.toBeNull();
    const rows = JSON.parse(r.stdout.trim().split('\n').pop()!) as Array<{ name: string; ok: boolean; outcome: string; rssMb: number; boundMb: number }>;
    expect(rows.length).toBeGreaterThanOrEqual(12);
    expect(rows.filter((row) => !row.ok)).toEqual([]);
    expect(r.status).toBe(0);
  });
});
