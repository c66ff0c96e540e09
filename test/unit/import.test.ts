import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readImageStream } from '../../src/imagestreams.js';
import type { ImageStreamInfo } from '../../src/imagestreams.js';
import type { ImageRef } from '../../src/image-ref.js';
import {
  applyImport,
  formatChange,
  formatCreated,
  parseImportFilter,
  resolveTargets,
  selectImportTargets,
  type ResolveTagFn,
  type TagOutcome,
} from '../../src/import.js';
import type { Lock } from '../../src/lockfile/format.js';
import { parseLock } from '../../src/lockfile/format.js';

/** A digest with the shape of a real one, derived from the name (k8s-digester's trick). */
const fakeDigest = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

function stream(name: string, tags: Array<Record<string, unknown>>, namespace?: string): ImageStreamInfo {
  return readImageStream({ apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name, ...(namespace ? { namespace } : {}) }, spec: { tags } }, '', 'test');
}

const docker = (name: string, from: string, extra: Record<string, unknown> = {}) => ({ name, from: { kind: 'DockerImage', name: from }, ...extra });

function outcomesFor(lockStreams: ImageStreamInfo[], digests: Record<string, string>): Promise<TagOutcome[]> {
  const { targets } = selectImportTargets(lockStreams);
  return resolveTargets(targets, async (ref) => {
    const key = `${ref.name}:${ref.tag}`;
    const d = digests[key];
    if (!d) throw Object.assign(new Error(`${key} not found`), { code: 'REGISTRY_NOT_FOUND' });
    return { digest: d };
  });
}

const valid = (lock: Lock) => parseLock({ apiVersion: 'streamlock.dev/v1alpha1', kind: 'ImageStreamLock', streams: lock.streams }, { description: 'test' });

describe('selectImportTargets', () => {
  const streams = [
    stream('ubi', [docker('8', 'quay.io/org/ubi:8', { importPolicy: { scheduled: true } }), docker('9', 'quay.io/org/ubi:9'), docker('ref', 'quay.io/org/ubi:8', { reference: true }), { name: 'latest', from: { kind: 'ImageStreamTag', name: '8' } }], 'demo'),
    stream('web', [docker('1.4', 'nginx:1.25')]),
  ];

  it('takes DockerImage tags, skips reference and non-DockerImage tags with a reason', () => {
    const r = selectImportTargets(streams);
    expect(r.targets.map((t) => `${t.namespace}/${t.stream}:${t.tag} ${t.from}`)).toEqual([
      'demo/ubi:8 quay.io/org/ubi:8',
      'demo/ubi:9 quay.io/org/ubi:9',
      'undefined/web:1.4 nginx:1.25',
    ]);
    expect(r.skipped.map((s) => s.label)).toEqual(['demo/ubi:ref', 'demo/ubi:latest']);
  });

  it('narrows by --scheduled and by namespace-aware filters, reporting filters that match nothing', () => {
    expect(selectImportTargets(streams, { scheduledOnly: true }).targets.map((t) => t.tag)).toEqual(['8']);
    const f = ['ubi:9', 'demo/web', 'web'].map(parseImportFilter);
    const r = selectImportTargets(streams, { filters: f });
    expect(r.targets.map((t) => `${t.stream}:${t.tag}`)).toEqual(['ubi:9', 'web:1.4']);
    expect(r.unmatchedFilters.map((x) => x.text)).toEqual(['demo/web']);
    expect(() => parseImportFilter('Bad:')).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });

  it('rejects a bad from.name and one tag defined twice with different sources', () => {
    expect(() => selectImportTargets([stream('x', [docker('a', 'quay.io/Org/app')])])).toThrow(expect.objectContaining({ code: 'IMAGESTREAM_INVALID' }));
    expect(() => selectImportTargets([stream('x', [docker('a', 'a:1')]), stream('x', [docker('a', 'a:2')])])).toThrow(/defined twice/);
  });
});

describe('resolveTargets', () => {
  it('bounds concurrency, asks each source once, and returns outcomes in target order', async () => {
    const streams = [stream('s', Array.from({ length: 20 }, (_, i) => docker(`t${i}`, `r.io/app:${i % 10}`)))];
    const { targets } = selectImportTargets(streams);
    let inFlight = 0;
    let peak = 0;
    const asked: string[] = [];
    const resolve: ResolveTagFn = async (ref: ImageRef) => {
      asked.push(ref.tag!);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 10 - Number(ref.tag)));
      inFlight--;
      return { digest: fakeDigest(ref.tag!) };
    };
    const out = await resolveTargets(targets, resolve, { concurrency: 3 });
    expect(peak).toBe(3);
    expect(asked).toHaveLength(10);
    expect(out.map((o) => (o.ok ? o.resolved.digest : '')).every((d, i) => d === fakeDigest(String(i % 10)))).toBe(true);
  });

  it('passes the platform and keeps failures as outcomes', async () => {
    const { targets } = selectImportTargets([stream('s', [docker('a', 'r.io/a:1'), docker('b', 'r.io/b:1')])]);
    const seen: Array<string | undefined> = [];
    const out = await resolveTargets(
      targets,
      async (ref, o) => {
        seen.push(o.platform);
        if (ref.repository === 'b') throw new Error('down');
        return { digest: fakeDigest('a'), platformDigest: fakeDigest('a-arm') };
      },
      { platformFor: () => 'linux/arm64' },
    );
    expect(seen).toEqual(['linux/arm64', 'linux/arm64']);
    expect(out.map((o) => o.ok)).toEqual([true, false]);
  });
});

describe('applyImport', () => {
  const created = '2026-11-20T10:12:00Z';
  const D1 = fakeDigest('1');
  const D2 = fakeDigest('2');

  it('records from as written and dockerImageReference = name as written + digest', async () => {
    const outcomes = await outcomesFor([stream('web', [docker('1.4', 'nginx:1.25')], 'acme')], { 'nginx:1.25': D1 });
    const { lock, changes } = applyImport({ streams: [] }, outcomes, { created });
    expect(valid(lock).streams).toEqual([
      { name: 'web', namespace: 'acme', tags: [{ tag: '1.4', from: 'nginx:1.25', items: [{ generation: 1, created, image: D1, dockerImageReference: `nginx@${D1}` }] }] },
    ]);
    expect(changes.map((c) => formatChange(c))).toEqual([`acme/web:1.4  (new) -> ${D1.slice(0, 19)}  generation 1`]);
    expect(changes.map((c) => formatChange(c, 'acme'))).toEqual([`web:1.4  (new) -> ${D1.slice(0, 19)}  generation 1`]);
  });

  it('adds generation 2 for a new digest, nothing for the same one, and keeps a pin', async () => {
    const base: Lock = {
      streams: [{ name: 'ubi', tags: [{ tag: '8', from: 'quay.io/org/ubi:8', pinned: 1, items: [{ generation: 1, created: '2026-01-01T00:00:00Z', image: D1, dockerImageReference: `quay.io/org/ubi@${D1}` }] }] }],
    };
    const is = [stream('ubi', [docker('8', 'quay.io/org/ubi:8')])];
    const same = applyImport(base, await outcomesFor(is, { 'quay.io/org/ubi:8': D1 }), { created });
    expect(same.lock).toBe(base);
    expect(same.changes).toEqual([]);
    const next = applyImport(base, await outcomesFor(is, { 'quay.io/org/ubi:8': D2 }), { created });
    const tag = valid(next.lock).streams[0]!.tags[0]!;
    expect(tag.pinned).toBe(1);
    expect(tag.items.map((i) => [i.generation, i.image])).toEqual([[2, D2], [1, D1]]);
    expect(formatChange(next.changes[0]!)).toBe(`ubi:8  ${D1.slice(0, 19)} -> ${D2.slice(0, 19)}  generation 2  (pinned to generation 1, holding)`);
  });

  it('a changed source is a new generation even for the same digest; history is kept', async () => {
    const base: Lock = { streams: [{ name: 'web', tags: [{ tag: 'x', from: 'nginx:1.25', items: [{ generation: 1, created: '2026-01-01T00:00:00Z', image: D1, dockerImageReference: `nginx@${D1}` }] }] }] };
    const out = applyImport(base, await outcomesFor([stream('web', [docker('x', 'nginx:1.26')])], { 'nginx:1.26': D1 }), { created });
    const tag = valid(out.lock).streams[0]!.tags[0]!;
    expect(tag.from).toBe('nginx:1.26');
    expect(tag.items.map((i) => i.generation)).toEqual([2, 1]);
    expect(formatChange(out.changes[0]!)).toContain('(source nginx:1.25 -> nginx:1.26)');
  });

  it('skips failed outcomes and leaves other streams and tags alone', async () => {
    const base: Lock = { streams: [{ name: 'other', tags: [{ tag: 'keep', items: [{ generation: 3, created: '2026-01-01T00:00:00Z', image: D2, dockerImageReference: `r.io/o@${D2}` }] }] }] };
    const outcomes = await outcomesFor([stream('web', [docker('ok', 'r.io/web:ok'), docker('bad', 'r.io/web:bad')])], { 'r.io/web:ok': D1 });
    const { lock, changes } = applyImport(base, outcomes, { created });
    expect(lock.streams[0]).toBe(base.streams[0]);
    expect(lock.streams[1]!.tags.map((t) => t.tag)).toEqual(['ok']);
    expect(changes).toHaveLength(1);
  });

  it('records the platform digest and the platform, completing the newest event in place', async () => {
    const base: Lock = { streams: [{ name: 'm', tags: [{ tag: 'l', from: 'r.io/m:l', items: [{ generation: 1, created: '2026-01-01T00:00:00Z', image: D1, dockerImageReference: `r.io/m@${D1}` }] }] }] };
    const { targets } = selectImportTargets([stream('m', [docker('l', 'r.io/m:l')])]);
    const outcomes = await resolveTargets(targets, async () => ({ digest: D1, platformDigest: D2 }), { platformFor: () => 'linux/arm64' });
    const { lock, changes } = applyImport(base, outcomes, { created });
    expect(valid(lock).streams[0]!.tags[0]).toEqual({ tag: 'l', from: 'r.io/m:l', platform: 'linux/arm64', items: [{ generation: 1, created: '2026-01-01T00:00:00Z', image: D1, dockerImageReference: `r.io/m@${D1}`, platformImage: D2 }] });
    expect(changes).toEqual([]);
  });

  it('formats created with seconds precision', () => {
    expect(formatCreated(new Date('2026-11-20T10:12:00.987Z'))).toBe('2026-11-20T10:12:00Z');
  });
});

describe('streamlock import (usage and input errors, no registry reached)', () => {
  const run = async (args: string[], files: Record<string, string>) => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { PassThrough } = await import('node:stream');
    const { main } = await import('../../src/cli/main.js');
    const dir = await mkdtemp(join(tmpdir(), 'streamlock-import-unit-'));
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    let out = '';
    let err = '';
    const sink = (add: (s: string) => void) => Object.assign(new PassThrough(), { write: (s: string) => (add(s), true) }) as never;
    const code = await main(['import', ...args], {
      stdin: new PassThrough(),
      stdout: sink((s) => (out += s)),
      stderr: sink((s) => (err += s)),
      env: { HOME: dir },
      cwd: dir,
      now: () => new Date('2026-11-20T10:12:00Z'),
      interactive: false,
    });
    return { code, out, err, dir };
  };
  const IS = 'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata: {name: web}\nspec:\n  tags:\n  - name: x\n    from: {kind: DockerImage, name: 127.0.0.1:1/web:x}\n';

  it('exits 1 for a broken lockfile before any network', async () => {
    const r = await run(['is.yaml'], { 'is.yaml': IS, 'imagestreams.lock.yaml': 'apiVersion: streamlock.dev/v1alpha1\nkind: ImageStreamLock\nstreams: [{name: Web, tags: []}]\n' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('imagestreams.lock.yaml');
  });

  it('exits 1 for manifests that are not YAML or not valid ImageStreams', async () => {
    expect((await run(['is.yaml'], { 'is.yaml': 'kind: [' })).code).toBe(1);
    const bad = await run(['is.yaml'], { 'is.yaml': IS.replace('127.0.0.1:1/web:x', 'Bad Name') });
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('is.yaml');
  });

  it('exits 2 for bad flags', async () => {
    expect((await run(['--output', 'xml', 'is.yaml'], { 'is.yaml': IS })).code).toBe(2);
    expect((await run(['--platform', 'arm64', 'is.yaml'], { 'is.yaml': IS })).code).toBe(2);
    expect((await run(['--timeout', 'soon', 'is.yaml'], { 'is.yaml': IS })).code).toBe(2);
  });

  it('prints "no changes" when there is nothing to import', async () => {
    const r = await run(['is.yaml'], { 'is.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n' });
    expect(r).toMatchObject({ code: 0, out: 'no changes\n', err: '' });
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(r.dir)).toEqual(['is.yaml']);
  });
});
