import { describe, expect, it, vi } from 'vitest';

vi.mock('ajv/dist/runtime/ucs2length.js', async (importOriginal) => {
  const mod = (await importOriginal()) as { default: unknown };
  const fn = typeof mod.default === 'function' ? mod.default : (mod.default as { default: unknown }).default;
  return { default: { default: fn } };
});

import { D1, D2, D3, LOCK, NOW, UBI, changedLines, cli, read, workspace } from './helpers.js';

const lockDir = () => workspace({ 'imagestreams.lock.yaml': LOCK });

describe('streamlock tag', () => {
  it('records REPO@digest as a new generation without asking a registry', async () => {
    const dir = lockDir();
    const r = await cli(['tag', `${UBI}@${D3}`, 'ubi:8'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`ubi:8 set to generation 3 (sha256:cccccccccccc) from ${UBI}\n`);
    expect(changedLines(LOCK, read(dir, 'imagestreams.lock.yaml'))).toEqual({
      removed: [],
      added: ['    - generation: 3', `      created: "${NOW}"`, `      image: ${D3}`, `      dockerImageReference: ${UBI}@${D3}`],
    });
    // The same digest again: nothing to record.
    const again = await cli(['tag', `${UBI}@${D3}`, 'ubi:8'], { cwd: dir });
    expect(again.stdout).toBe('ubi:8 already at generation 3 (sha256:cccccccccccc)\n');
  });

  it('promotes: copies the current image of one tag into another, keeping the source untouched', async () => {
    const dir = lockDir();
    const r = await cli(['tag', 'ubi:8', 'ubi:prod'], { cwd: dir });
    expect(r.stdout).toBe('ubi:prod set to generation 1 (sha256:f9e4dce1e684) from ubi:8 generation 2\n');
    expect(changedLines(LOCK, read(dir, 'imagestreams.lock.yaml')).added).toEqual([
      '  - tag: prod',
      '    items:',
      '    - generation: 1',
      `      created: "${NOW}"`,
      `      image: ${D2}`,
      `      dockerImageReference: ${UBI}@${D2}`,
    ]);
    // A pinned source copies the pinned image.
    await cli(['rollback', 'ubi:8', '--to-generation', '1'], { cwd: dir });
    expect((await cli(['tag', 'ubi:8', 'ubi:prod'], { cwd: dir })).stdout).toBe('ubi:prod set to generation 2 (sha256:b24793788a68) from ubi:8 generation 1\n');
  });

  it('re-tags a recorded image by STREAM@digest (a prefix is enough), and removes a pin on DEST', async () => {
    const dir = workspace({ 'imagestreams.lock.yaml': LOCK.replace('    items:', '    pinned: 1\n    items:') });
    const r = await cli(['tag', 'ubi@b24793788a68', 'ubi:8'], { cwd: dir });
    expect(r.stdout).toBe('ubi:8 set to generation 3 (sha256:b24793788a68) from ubi@sha256:b24793788a68 (pin on generation 1 removed)\n');
    const text = read(dir, 'imagestreams.lock.yaml');
    expect(text).not.toContain('pinned');
    expect(text).toContain(`    - generation: 3\n      created: "${NOW}"\n      image: ${D1}`);
  });

  it('creates a new stream for a digest of another repository', async () => {
    const dir = lockDir();
    const r = await cli(['tag', `quay.io/org/app@${D3}`, 'app:latest'], { cwd: dir });
    expect(r.stdout).toBe('app:latest set to generation 1 (sha256:cccccccccccc) from quay.io/org/app\n');
    expect(changedLines(LOCK, read(dir, 'imagestreams.lock.yaml')).added).toEqual([
      '- name: app',
      '  tags:',
      '  - tag: latest',
      '    items:',
      '    - generation: 1',
      `      created: "${NOW}"`,
      `      image: ${D3}`,
      `      dockerImageReference: quay.io/org/app@${D3}`,
    ]);
  });

  it('--alias makes DEST follow SOURCE in the same stream; refuses a DEST with history and other streams', async () => {
    const dir = lockDir();
    expect((await cli(['tag', '--alias', 'ubi:8', 'ubi:latest'], { cwd: dir })).stdout).toBe('ubi:latest now follows ubi:8\n');
    expect(changedLines(LOCK, read(dir, 'imagestreams.lock.yaml')).added).toEqual(['  - tag: latest', '    alias: "8"']);
    expect((await cli(['tag', '--alias', 'ubi:8', 'ubi:latest'], { cwd: dir })).stdout).toBe('ubi:latest already follows ubi:8\n');
    const cycle = await cli(['tag', '--alias', 'ubi:latest', 'ubi:8'], { cwd: dir });
    expect(cycle.code).toBe(1);
    expect(cycle.stderr).toContain('the aliases would form a cycle (8 -> latest -> 8)');
    await cli(['tag', 'ubi:8', 'ubi:prod'], { cwd: dir });
    const history = await cli(['tag', '--alias', 'ubi:8', 'ubi:prod'], { cwd: dir });
    expect(history.code).toBe(2);
    expect(history.stderr).toContain('ubi:prod has 1 recorded generation, and an alias has no history of its own');
    expect(history.stderr).toContain('streamlock tag --delete ubi:prod --yes');
    const other = await cli(['tag', '--alias', 'ubi:8', 'app:8'], { cwd: dir });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('works within one image stream');
    // History shows the alias next to its target.
    expect((await cli(['history', 'ubi:latest'], { cwd: dir })).stdout).toContain('\n8 (latest)\n');
  });

  it('--delete refuses without --yes and explains; refuses while an alias follows the tag', async () => {
    const dir = lockDir();
    await cli(['tag', 'ubi:8', 'ubi:prod'], { cwd: dir });
    const before = read(dir, 'imagestreams.lock.yaml');
    const r = await cli(['tag', '--delete', 'ubi:prod'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('deleting ubi:prod removes it from the lock with 1 recorded generation (rollback targets)');
    expect(r.stderr).toContain('--yes');
    expect(read(dir, 'imagestreams.lock.yaml')).toBe(before);
    expect((await cli(['tag', '--delete', 'ubi:prod', '--yes'], { cwd: dir })).stdout).toBe('ubi:prod deleted (1 recorded generation dropped)\n');
    expect(read(dir, 'imagestreams.lock.yaml')).toBe(LOCK);
    await cli(['tag', '--alias', 'ubi:8', 'ubi:latest'], { cwd: dir });
    const followed = await cli(['tag', '--delete', 'ubi:8', '--yes'], { cwd: dir });
    expect(followed.code).toBe(2);
    expect(followed.stderr).toContain('ubi:latest follows it');
  });

  it('validates names and sources', async () => {
    const dir = lockDir();
    const cases: Array<[string[], number, string]> = [
      [['tag', 'ubi:8', 'ubi:.bad'], 2, 'is not a valid tag'],
      [['tag', 'ubi:8', 'ubi'], 2, 'needs a tag'],
      [['tag', 'ubi:8'], 2, 'at least one DEST'],
      [['tag', `${UBI}:8.0`, 'ubi:8'], 2, 'names no digest'],
      [['tag', 'ubi:9', 'ubi:prod'], 1, 'has no tag "9"'],
      [['tag', 'ubi:8', 'ubi:8'], 2, 'the same tag'],
      [['tag', 'nginx@sha256:abcdef12', 'web:1'], 1, 'records no image stream nginx'],
    ];
    for (const [args, code, text] of cases) {
      const r = await cli(args, { cwd: dir });
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).toContain(text);
    }
    expect(read(dir, 'imagestreams.lock.yaml')).toBe(LOCK);
  });
});
