import { describe, expect, it, vi } from 'vitest';

// The generated schema validator's ajv helper import needs Node's CJS shape under vitest (see lockfile-store.test.ts).
vi.mock('ajv/dist/runtime/ucs2length.js', async (importOriginal) => {
  const mod = (await importOriginal()) as { default: unknown };
  const fn = typeof mod.default === 'function' ? mod.default : (mod.default as { default: unknown }).default;
  return { default: { default: fn } };
});

import { statSync } from 'node:fs';
import { join } from 'node:path';
import { D1, D2, LOCK, UBI, changedLines, cli, read, workspace } from './helpers.js';

describe('streamlock history', () => {
  it('lists generations newest first and marks the one in use', async () => {
    const dir = workspace({ 'imagestreams.lock.yaml': LOCK });
    const r = await cli(['history', 'ubi:8'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'Name:           ubi',
        'Namespace:      demo',
        'Lockfile:       imagestreams.lock.yaml',
        'Unique Images:  2',
        'Tags:           1',
        '',
        '8',
        `  imported from ${UBI}:8.0`,
        '',
        `      GENERATION   IMAGE${' '.repeat(UBI.length + 72 - 5)}   CREATED`,
        `  *   2            ${UBI}@${D2}   2026-11-20T10:12:00Z (5 days ago)`,
        `      1            ${UBI}@${D1}   2026-11-18T09:00:00Z (1 week ago)`,
        '',
      ].join('\n'),
    );
  });

  it('marks the pinned generation and says how to unpin; --output json has the same data', async () => {
    const dir = workspace({ 'imagestreams.lock.yaml': LOCK.replace('    items:', '    pinned: 1\n    items:') });
    const r = await cli(['history', 'demo/ubi'], { cwd: dir });
    expect(r.stdout).toContain('pinned to generation 1 (rollback)');
    expect(r.stdout).toContain('`streamlock rollback demo/ubi:8 --latest`');
    expect(r.stdout).toMatch(/\n {6}2 {12}\S+/);
    expect(r.stdout).toMatch(/\n {2}\* {3}1 {12}\S+/);
    const j = await cli(['history', 'ubi', '-o', 'json'], { cwd: dir });
    const data = JSON.parse(j.stdout);
    expect(data.streams[0].tags[0]).toMatchObject({ tag: '8', pinned: 1, inUse: 1, newest: 2, from: `${UBI}:8.0` });
    expect(data.streams[0].tags[0].items.map((i: { generation: number; inUse: boolean }) => [i.generation, i.inUse])).toEqual([
      [2, false],
      [1, true],
    ]);
  });

  it('errors name what the lock has', async () => {
    const dir = workspace({ 'imagestreams.lock.yaml': LOCK });
    const r = await cli(['history', 'nginx'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('records no image stream nginx (streams: demo/ubi)');
    expect((await cli(['history', 'ubi:9'], { cwd: dir })).stderr).toContain('has no tag "9" (tags: 8)');
    expect((await cli(['history', 'Bad_Name'], { cwd: dir })).code).toBe(2);
    expect((await cli(['history'], { cwd: workspace({}) })).stderr).toContain('does not exist');
  });
});

describe('streamlock rollback', () => {
  it('pins a generation with a one-line change, and a second run changes nothing', async () => {
    const dir = workspace({ 'imagestreams.lock.yaml': LOCK });
    const r = await cli(['rollback', 'ubi:8', '--to-generation', '1'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('ubi:8 rolled back to generation 1 (sha256:b24793788a68)\n');
    const after = read(dir, 'imagestreams.lock.yaml');
    expect(changedLines(LOCK, after)).toEqual({ removed: [], added: ['    pinned: 1'] });
    const mtime = statSync(join(dir, 'imagestreams.lock.yaml')).mtimeMs;
    const again = await cli(['rollback', 'ubi:8', '--to-generation', '1'], { cwd: dir });
    expect(again.stdout).toBe('ubi:8 already pinned to generation 1 (sha256:b24793788a68)\n');
    expect(read(dir, 'imagestreams.lock.yaml')).toBe(after);
    expect(statSync(join(dir, 'imagestreams.lock.yaml')).mtimeMs).toBe(mtime);
  });

  it('pins by digest (a unique prefix is enough) and --latest removes the pin, keeping history', async () => {
    const dir = workspace({ 'imagestreams.lock.yaml': LOCK });
    expect((await cli(['rollback', 'ubi:8', '--to', D1], { cwd: dir })).stdout).toContain('rolled back to generation 1');
    expect((await cli(['rollback', 'ubi:8', '--to', 'sha256:f9e4dce1'], { cwd: dir })).stdout).toBe(
      'ubi:8 pinned to generation 2 (sha256:f9e4dce1e684), the newest; later imports will not move it\n',
    );
    expect(changedLines(LOCK, read(dir, 'imagestreams.lock.yaml')).added).toEqual(['    pinned: 2']);
    const r = await cli(['rollback', 'ubi:8', '--latest'], { cwd: dir });
    expect(r.stdout).toBe('ubi:8 unpinned: back to the newest generation 2 (sha256:f9e4dce1e684)\n');
    expect(read(dir, 'imagestreams.lock.yaml')).toBe(LOCK);
  });

  it('refuses anything not recorded, leaving the file alone', async () => {
    const dir = workspace({ 'imagestreams.lock.yaml': LOCK });
    const gen = await cli(['rollback', 'ubi:8', '--to-generation', '7'], { cwd: dir });
    expect(gen.code).toBe(1);
    expect(gen.stderr).toContain('ubi:8 has no generation 7 (recorded: 2, 1)');
    const dig = await cli(['rollback', 'ubi:8', '--to', `sha256:${'d'.repeat(64)}`], { cwd: dir });
    expect(dig.code).toBe(1);
    expect(dig.stderr).toContain('never recorded');
    expect((await cli(['rollback', 'ubi:9', '--latest'], { cwd: dir })).code).toBe(1);
    expect(read(dir, 'imagestreams.lock.yaml')).toBe(LOCK);
  });

  it('checks its options', async () => {
    const dir = workspace({ 'imagestreams.lock.yaml': LOCK });
    for (const args of [['ubi:8'], ['ubi:8', '--latest', '--to-generation', '1'], ['ubi', '--latest'], ['ubi:8', '--to-generation', 'x'], ['ubi:8', '--to', 'latest']]) {
      const r = await cli(['rollback', ...args], { cwd: dir });
      expect(r.code, args.join(' ')).toBe(2);
    }
  });

  it('--dry-run prints the summary and writes nothing; --output json reports it', async () => {
    const dir = workspace({ 'imagestreams.lock.yaml': LOCK });
    const r = await cli(['rollback', 'ubi:8', '--to-generation', '1', '--dry-run', '-o', 'json'], { cwd: dir });
    expect(JSON.parse(r.stdout)).toMatchObject({ summary: 'ubi:8 rolled back to generation 1 (sha256:b24793788a68)', changed: true, written: false });
    expect(read(dir, 'imagestreams.lock.yaml')).toBe(LOCK);
  });
});
