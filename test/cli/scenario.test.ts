/** The whole walk-through as one story: trigger, render, a new build, rollback, each rollout a commit. */
import { expect, it, vi } from 'vitest';

vi.mock('ajv/dist/runtime/ucs2length.js', async (importOriginal) => {
  const mod = (await importOriginal()) as { default: unknown };
  const fn = typeof mod.default === 'function' ? mod.default : (mod.default as { default: unknown }).default;
  return { default: { default: fn } };
});

import { D1, D2, DEPLOYMENT, IMAGESTREAM, LOCK, NAMESPACE, UBI, cli, git, read, workspace } from './helpers.js';

/** The lock before the second build: generation 1 only. */
const LOCK_GEN1 = LOCK.replace(/    - generation: 2\n(?:      .*\n){3}/, '');

it('set-triggers, render, tag a new build, render, history, rollback, render again; --commit records each rollout', async () => {
  const dir = workspace({ 'deployment.yaml': DEPLOYMENT, 'imagestream.yaml': IMAGESTREAM, 'imagestreams.lock.yaml': LOCK_GEN1, 'namespace.yaml': NAMESPACE });
  git(dir, 'init', '-q');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'seed');
  const run = async (...args: string[]) => {
    const r = await cli(args, { cwd: dir });
    expect(r.stderr, args.join(' ')).toBe('');
    expect(r.code, args.join(' ')).toBe(0);
    return r.stdout;
  };
  const image = (stream: string) => /image: (\S+@sha256:\w+)/.exec(stream)?.[1];

  // 1. The Deployment follows ubi:8.
  await run('set-triggers', 'deployment.yaml', '--from-image', 'ubi:8', '-c', 'myapp');
  expect(read(dir, 'deployment.yaml')).toContain('image.openshift.io/triggers:');
  expect(await run('check')).toBe('ok: 3 resources in 3 files; 0 errors, 0 warnings\n');
  // 2. Render: generation 1.
  expect(image(await run('render', '.'))).toBe(`${UBI}@${D1}`);
  // 3. A new build is recorded by digest (no registry query): generation 2, committed.
  expect(await run('tag', `${UBI}@${D2}`, 'ubi:8', '--commit')).toMatch(/^ubi:8 set to generation 2 \(sha256:f9e4dce1e684\) from registry\.access\.redhat\.com\/ubi8\/ubi\ncommitted imagestreams\.lock\.yaml as \w+\n$/);
  expect(image(await run('render', '.'))).toBe(`${UBI}@${D2}`);
  // 4. History shows both, the newest in use.
  const history = await run('history', 'ubi:8');
  expect(history).toMatch(/\n {2}\* {3}2 {12}\S+@sha256:f9e4/);
  expect(history).toMatch(/\n {6}1 {12}\S+@sha256:b247/);
  // 5. Roll back: generation 1 again, committed with the summary as message.
  expect(await run('rollback', 'ubi:8', '--to-generation', '1', '--commit')).toMatch(/^ubi:8 rolled back to generation 1 \(sha256:b24793788a68\)\ncommitted/);
  const rendered = await run('render', '.');
  expect(image(rendered)).toBe(`${UBI}@${D1}`);
  expect(rendered).toContain('ubi:8 generation 1 (pinned)');
  expect(read(dir, 'imagestreams.lock.yaml')).toBe(LOCK.replace('    items:', '    pinned: 1\n    items:').replace('"2026-11-20T10:12:00Z"', '"2026-11-25T12:00:00Z"'));
  // 6. git log tells the rollout story; only the lockfile is in those commits.
  expect(git(dir, 'log', '--format=%s')).toBe('ubi:8 rolled back to generation 1 (sha256:b24793788a68)\nubi:8 set to generation 2 (sha256:f9e4dce1e684) from registry.access.redhat.com/ubi8/ubi\nseed\n');
  expect(git(dir, 'show', '--name-only', '--format=', 'HEAD')).toBe('imagestreams.lock.yaml\n');
  // The set-triggers edit is still uncommitted work of its own.
  expect(git(dir, 'status', '--porcelain')).toBe(' M deployment.yaml\n');
  // 7. A no-op rollout commits nothing.
  expect(await run('rollback', 'ubi:8', '--to-generation', '1', '--commit')).toBe('ubi:8 already pinned to generation 1 (sha256:b24793788a68)\n');
  expect(git(dir, 'rev-list', '--count', 'HEAD')).toBe('3\n');
});
