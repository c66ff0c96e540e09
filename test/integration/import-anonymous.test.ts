/**
 * `streamlock import` against the real registry (docker-registry 2.8) on 127.0.0.1, anonymous
 * HTTP: through the built CLI and in-process. Every digest is compared with skopeo's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat, utimes, writeFile, mkdir, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { execFileSync } from 'node:child_process';
import { parse } from 'yaml';
import { ensureCliBuilt, runCli, startKillingProxy, startRegistry, type Registry } from '../helpers/registry.js';
import { makeImage, makeIndex, pushImage, skopeoDigest, skopeoPush } from '../helpers/oci.js';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

interface SpecTag {
  name: string;
  from: string;
  scheduled?: boolean;
  reference?: boolean;
  importMode?: string;
}

function imageStream(name: string, tags: SpecTag[], namespace?: string): string {
  return [
    'apiVersion: image.openshift.io/v1',
    'kind: ImageStream',
    'metadata:',
    `  name: ${name}`,
    ...(namespace ? [`  namespace: ${namespace}`] : []),
    'spec:',
    '  tags:',
    ...tags.flatMap((t) => [
      `  - name: "${t.name}"`,
      '    from:',
      '      kind: DockerImage',
      `      name: ${t.from}`,
      ...(t.reference ? ['    reference: true'] : []),
      ...(t.scheduled || t.importMode ? ['    importPolicy:'] : []),
      ...(t.scheduled ? ['      scheduled: true'] : []),
      ...(t.importMode ? [`      importMode: ${t.importMode}`] : []),
    ]),
    '',
  ].join('\n');
}

interface LockShape {
  streams: Array<{ name: string; namespace?: string; tags: Array<{ tag: string; from?: string; pinned?: number; platform?: string; items: Array<{ generation: number; image: string; dockerImageReference: string; platformImage?: string; created: string }> }> }>;
}

async function readLock(dir: string): Promise<LockShape> {
  return parse(await readFile(join(dir, 'imagestreams.lock.yaml'), 'utf8')) as LockShape;
}

function tagOf(lock: LockShape, stream: string, tag: string) {
  const t = lock.streams.find((s) => s.name === stream)?.tags.find((x) => x.tag === tag);
  if (!t) throw new Error(`${stream}:${tag} not in lock`);
  return t;
}

let registry: Registry;
let layout: string;
let work: string;

beforeAll(async () => {
  [registry] = await Promise.all([startRegistry(), ensureCliBuilt()]);
  layout = await mkdtemp(join(tmpdir(), 'streamlock-oci-'));
  work = await mkdtemp(join(tmpdir(), 'streamlock-work-'));
});

afterAll(async () => {
  await registry?.stop();
  await rm(layout, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

async function project(name: string, manifests: string): Promise<string> {
  const dir = join(work, name);
  await mkdir(join(dir, 'manifests'), { recursive: true });
  await writeFile(join(dir, 'manifests', 'imagestreams.yaml'), manifests);
  return dir;
}

describe('import (anonymous registry)', () => {
  it('records skopeo\'s digest, generation 1 then 2 for a rebuild, and a second run is a no-op', async () => {
    const repo = `${registry.host}/acme/web`;
    await skopeoPush(layout, 'web-1', `${repo}:1.4`, makeImage('web build 1'));
    const first = await skopeoDigest(`${repo}:1.4`);
    const dir = await project('rebuild', imageStream('web', [{ name: '1.4', from: `${repo}:1.4`, scheduled: true }]));

    const r1 = await runCli(['import', 'manifests'], { cwd: dir });
    expect(r1.stderr).toBe('');
    expect(r1.code).toBe(0);
    expect(r1.stdout).toBe(`web:1.4  (new) -> ${first.slice(0, 19)}  generation 1\n`);
    let t = tagOf(await readLock(dir), 'web', '1.4');
    expect(t.from).toBe(`${repo}:1.4`);
    expect(t.items).toEqual([{ generation: 1, created: '2026-11-20T10:12:00Z', image: first, dockerImageReference: `${repo}@${first}` }]);

    await skopeoPush(layout, 'web-2', `${repo}:1.4`, makeImage('web build 2'));
    const second = await skopeoDigest(`${repo}:1.4`);
    expect(second).not.toBe(first);
    const before = await readFile(join(dir, 'imagestreams.lock.yaml'), 'utf8');
    const r2 = await runCli(['import', 'manifests'], { cwd: dir, env: { STREAMLOCK_NOW: '2026-11-21T08:00:00Z' } });
    expect(r2.code).toBe(0);
    expect(r2.stdout).toBe(`web:1.4  ${first.slice(0, 19)} -> ${second.slice(0, 19)}  generation 2\n`);
    t = tagOf(await readLock(dir), 'web', '1.4');
    expect(t.items.map((i) => [i.generation, i.image])).toEqual([[2, second], [1, first]]);
    // The diff is the new item only.
    const after = await readFile(join(dir, 'imagestreams.lock.yaml'), 'utf8');
    expect(after.replace(`    - generation: 2\n      created: "2026-11-21T08:00:00Z"\n      image: ${second}\n      dockerImageReference: ${repo}@${second}\n`, '')).toBe(before);

    // No change upstream: no write at all.
    const old = new Date('2020-01-01T00:00:00Z');
    await utimes(join(dir, 'imagestreams.lock.yaml'), old, old);
    const r3 = await runCli(['import', 'manifests'], { cwd: dir, env: { STREAMLOCK_NOW: '2026-11-22T08:00:00Z' } });
    expect(r3.code).toBe(0);
    expect(r3.stdout).toBe('no changes\n');
    expect(await readFile(join(dir, 'imagestreams.lock.yaml'), 'utf8')).toBe(after);
    expect((await stat(join(dir, 'imagestreams.lock.yaml'))).mtimeMs).toBe(old.getTime());
  });

  it('--commit commits the lockfile alone with the rollout line as the message', async () => {
    const repo = `${registry.host}/acme/committed`;
    await skopeoPush(layout, 'committed-1', `${repo}:1`, makeImage('committed build 1'));
    const digest = await skopeoDigest(`${repo}:1`);
    const dir = await project('commit', imageStream('committed', [{ name: '1', from: `${repo}:1` }]));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'ci', GIT_AUTHOR_EMAIL: 'ci@example.com', GIT_COMMITTER_NAME: 'ci', GIT_COMMITTER_EMAIL: 'ci@example.com' } });
    git('init', '-q');
    git('add', 'manifests');
    git('commit', '-qm', 'manifests');
    await writeFile(join(dir, 'unrelated.txt'), 'staged but not part of the rollout\n');
    git('add', 'unrelated.txt');

    const r = await runCli(['import', '--commit', 'manifests'], { cwd: dir, env: { GIT_AUTHOR_NAME: 'ci', GIT_AUTHOR_EMAIL: 'ci@example.com', GIT_COMMITTER_NAME: 'ci', GIT_COMMITTER_EMAIL: 'ci@example.com' } });
    expect(r.code).toBe(0);
    const line = `committed:1  (new) -> ${digest.slice(0, 19)}  generation 1`;
    expect(r.stdout).toMatch(new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\ncommitted imagestreams.lock.yaml as [0-9a-f]{7,}\n$`));
    expect(git('log', '-1', '--format=%s')).toBe(`${line}\n`);
    expect(git('show', '--name-only', '--format=', 'HEAD')).toBe('imagestreams.lock.yaml\n');
    expect(git('diff', '--cached', '--name-only')).toBe('unrelated.txt\n');
  });

  it('records the index digest of a multi-arch image, and the platform digest with --platform', async () => {
    const repo = `${registry.host}/acme/multi`;
    const index = makeIndex('multi build 1');
    await skopeoPush(layout, 'multi-1', `${repo}:latest`, index);
    const indexDigest = await skopeoDigest(`${repo}:latest`);
    expect(indexDigest).toBe(index.top.digest);
    const dir = await project('multi', imageStream('multi', [{ name: 'latest', from: `${repo}:latest`, importMode: 'Legacy' }]));

    const r1 = await runCli(['import', 'manifests'], { cwd: dir });
    expect(r1.code).toBe(0);
    expect(tagOf(await readLock(dir), 'multi', 'latest').items[0]).toMatchObject({ image: indexDigest, dockerImageReference: `${repo}@${indexDigest}` });
    expect(tagOf(await readLock(dir), 'multi', 'latest').items[0]!.platformImage).toBeUndefined();

    const r2 = await runCli(['import', '--platform', 'linux/arm64', 'manifests'], { cwd: dir });
    expect(r2.code).toBe(0);
    expect(r2.stdout).toBe('no new generations (platform digests recorded)\n');
    const t = tagOf(await readLock(dir), 'multi', 'latest');
    expect(t.platform).toBe('linux/arm64');
    expect(t.items).toHaveLength(1);
    expect(t.items[0]).toMatchObject({ image: indexDigest, platformImage: index.platforms['linux/arm64']!.digest });

    // A rebuild: the recorded platform is remembered without the flag.
    const index2 = makeIndex('multi build 2');
    await skopeoPush(layout, 'multi-2', `${repo}:latest`, index2);
    expect(await skopeoDigest(`${repo}:latest`)).toBe(index2.top.digest);
    const r3 = await runCli(['import', 'manifests'], { cwd: dir });
    expect(r3.stdout).toBe(`multi:latest  ${indexDigest.slice(0, 19)} -> ${index2.top.digest.slice(0, 19)}  generation 2\n`);
    expect(tagOf(await readLock(dir), 'multi', 'latest').items[0]).toMatchObject({ generation: 2, image: index2.top.digest, platformImage: index2.platforms['linux/arm64']!.digest });
  });

  it('keeps comments, keeps a pin ("holding"), skips reference tags, filters, and namespaces', async () => {
    const repo = `${registry.host}/acme/ubi`;
    await skopeoPush(layout, 'ubi-1', `${repo}:8`, makeImage('ubi 1'));
    const d1 = await skopeoDigest(`${repo}:8`);
    const dir = await project(
      'pinned',
      imageStream('ubi', [{ name: '8', from: `${repo}:8` }, { name: 'ref', from: `${repo}:8`, reference: true }], 'demo') +
        '---\n' +
        imageStream('other', [{ name: 'x', from: `${repo}:8` }], 'demo'),
    );
    expect((await runCli(['import', '--filter', 'ubi:8', 'manifests'], { cwd: dir })).code).toBe(0);
    let lock = await readLock(dir);
    expect(lock.streams.map((s) => `${s.namespace}/${s.name}`)).toEqual(['demo/ubi']);
    expect(lock.streams[0]!.tags.map((t) => t.tag)).toEqual(['8']);

    // A human pins generation 1 and comments the file.
    const path = join(dir, 'imagestreams.lock.yaml');
    const text = (await readFile(path, 'utf8')).replace('    items:\n', '    pinned: 1 # rollback, INC-42\n    items:\n').replace('streams:\n', '# base images, imported nightly\nstreams:\n');
    await writeFile(path, text);
    await skopeoPush(layout, 'ubi-2', `${repo}:8`, makeImage('ubi 2'));
    const d2 = await skopeoDigest(`${repo}:8`);
    const r = await runCli(['import', '--filter', 'demo/ubi', 'manifests'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`demo/ubi:8  ${d1.slice(0, 19)} -> ${d2.slice(0, 19)}  generation 2  (pinned to generation 1, holding)\n`);
    const after = await readFile(path, 'utf8');
    expect(after).toContain('# base images, imported nightly\nstreams:\n');
    expect(after).toContain('    pinned: 1 # rollback, INC-42\n    items:\n    - generation: 2\n');
    lock = await readLock(dir);
    expect(tagOf(lock, 'ubi', '8')).toMatchObject({ pinned: 1 });
    expect(tagOf(lock, 'ubi', '8').items.map((i) => i.image)).toEqual([d2, d1]);

    const bad = await runCli(['import', '--filter', 'nosuch', 'manifests'], { cwd: dir });
    expect(bad.code).toBe(1);
  });

  it('--dry-run writes nothing; --output json reports changes and request counts', async () => {
    const repo = `${registry.host}/acme/dry`;
    await skopeoPush(layout, 'dry-1', `${repo}:v1`, makeImage('dry 1'));
    const d = await skopeoDigest(`${repo}:v1`);
    const dir = await project('dry', imageStream('dry', [{ name: 'v1', from: `${repo}:v1` }]));
    const r = await runCli(['import', '--dry-run', '--output', 'json', 'manifests'], { cwd: dir });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ dryRun: true, written: false, failures: [], changes: [{ stream: 'dry', tag: 'v1', digest: d, generation: 1 }] });
    expect(report.stats.manifestRequests).toBe(1);
    await expect(readdir(dir)).resolves.toEqual(['manifests']);
  });

  it('a registry that dies mid-import leaves the previous lockfile intact and exits 3', async () => {
    const victim = await startRegistry();
    try {
      const tags = Array.from({ length: 6 }, (_, i) => `t${i}`);
      for (const t of tags) await pushImage(victim.url, 'acme/dying', t, makeImage(`dying ${t}`));
      const proxy = await startKillingProxy(victim, 3);
      try {
        const dir = await project('dying', imageStream('dying', tags.map((t) => ({ name: t, from: `${proxy.host}/acme/dying:${t}` }))));
        const previous = 'apiVersion: streamlock.dev/v1alpha1\nkind: ImageStreamLock\n# keep me\nstreams: []\n';
        await writeFile(join(dir, 'imagestreams.lock.yaml'), previous);
        const r = await runCli(['import', '--timeout', '5s', 'manifests'], { cwd: dir });
        expect(r.code).toBe(3);
        expect(r.stderr).toMatch(/error: dying:t\d \(from 127\.0\.0\.1:\d+\/acme\/dying:t\d\): /);
        expect(r.stderr).toContain('not written');
        expect(await readFile(join(dir, 'imagestreams.lock.yaml'), 'utf8')).toBe(previous);
        expect(await readdir(dir)).toEqual(['imagestreams.lock.yaml', 'manifests']);
      } finally {
        await proxy.close();
      }
    } finally {
      await victim.stop();
    }
  });

  it('--keep-going writes the tags that resolved and still exits 3', async () => {
    const repo = `${registry.host}/acme/partial`;
    await pushImage(registry.url, 'acme/partial', 'ok', makeImage('partial ok'));
    const dir = await project('partial', imageStream('partial', [{ name: 'ok', from: `${repo}:ok` }, { name: 'missing', from: `${repo}:missing` }]));
    const r = await runCli(['import', '--keep-going', 'manifests'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/partial:missing .*404/);
    expect(tagOf(await readLock(dir), 'partial', 'ok').items).toHaveLength(1);
    expect((await readLock(dir)).streams[0]!.tags.map((t) => t.tag)).toEqual(['ok']);
  });

  it('runs in-process with manifests on stdin', async () => {
    const repo = `${registry.host}/acme/stdin`;
    await pushImage(registry.url, 'acme/stdin', 'v1', makeImage('stdin 1'));
    const d = await skopeoDigest(`${repo}:v1`);
    const dir = await project('stdin', '');
    const stdin = new PassThrough();
    stdin.end(imageStream('stdin', [{ name: 'v1', from: `${repo}:v1` }], 'team-a'));
    let out = '';
    let err = '';
    const io: CliIO = {
      stdin,
      stdout: Object.assign(new PassThrough(), { write: (s: string) => ((out += s), true) }) as never,
      stderr: Object.assign(new PassThrough(), { write: (s: string) => ((err += s), true) }) as never,
      env: { HOME: dir },
      cwd: dir,
      now: () => new Date('2026-11-20T10:12:00.123Z'),
      interactive: false,
    };
    const code = await main(['import', '--namespace', 'team-a', '-'], io);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toBe(`stdin:v1  (new) -> ${d.slice(0, 19)}  generation 1\n`);
    expect((await readLock(dir)).streams[0]).toMatchObject({ name: 'stdin', namespace: 'team-a', tags: [{ tag: 'v1', items: [{ image: d, created: '2026-11-20T10:12:00Z' }] }] });
  });
});
