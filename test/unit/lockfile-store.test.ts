import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import fc from 'fast-check';
import { Document, isMap, isScalar, isSeq } from 'yaml';
import { mkdtemp, readFile, readdir, rm, stat, writeFile, utimes } from 'node:fs/promises';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { renderLockfile, renderNewLockfile, detectStyle } from '../../src/lockfile/edit.js';
import { acquireLock, readLockfile, updateLockfile } from '../../src/lockfile/store.js';
import type { Lock, LockTag, TagEvent } from '../../src/lockfile/format.js';
import { lockToObject, sortLock } from '../../src/lockfile/format.js';
import { appendEvent, pinGeneration } from '../../src/lockfile/history.js';
import { StreamlockError } from '../../src/errors.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const C = `sha256:${'c'.repeat(64)}`;

function ev(generation: number, image: string, repo = 'quay.io/org/ubi', created = `2026-11-1${generation}T09:00:00Z`): TagEvent {
  return { generation, created, image, dockerImageReference: `${repo}@${image}` };
}

const BASE = `# Recorded by streamlock import; edit only with streamlock commands.
apiVersion: streamlock.dev/v1alpha1
kind: ImageStreamLock
metadata:
  name: imagestreams
  annotations:
    config.kubernetes.io/local-config: "true"
streams:
# the base images
- name: ubi
  namespace: demo
  tags:
  - tag: "8"
    from: quay.io/org/ubi:8       # the source
    items:                        # newest first
    - generation: 1
      created: "2026-11-11T09:00:00Z"
      image: ${A}
      dockerImageReference: quay.io/org/ubi@${A}
`;

const baseLock: Lock = {
  streams: [{ name: 'ubi', namespace: 'demo', tags: [{ tag: '8', from: 'quay.io/org/ubi:8', items: [ev(1, A)] }] }],
};

function withTag(lock: Lock, tag: LockTag, stream = 0): Lock {
  const s = lock.streams[stream]!;
  const tags = s.tags.some((t) => t.tag === tag.tag) ? s.tags.map((t) => (t.tag === tag.tag ? tag : t)) : [...s.tags, tag];
  return { streams: lock.streams.map((x, i) => (i === stream ? { ...x, tags } : x)) };
}

describe('renderLockfile', () => {
  it('writes a new file from lockToObject, timestamps quoted, sequences not indented', () => {
    expect(renderNewLockfile(baseLock)).toBe(`apiVersion: streamlock.dev/v1alpha1
kind: ImageStreamLock
metadata:
  name: imagestreams
  annotations:
    config.kubernetes.io/local-config: "true"
streams:
- name: ubi
  namespace: demo
  tags:
  - tag: "8"
    from: quay.io/org/ubi:8
    items:
    - generation: 1
      created: "2026-11-11T09:00:00Z"
      image: ${A}
      dockerImageReference: quay.io/org/ubi@${A}
`);
    expect(renderLockfile(undefined, baseLock)).toBe(renderNewLockfile(baseLock));
  });

  it('emits a new file exactly as yaml\'s Document would (property)', () => {
    const viaDocument = (lock: Lock): string => {
      const doc = new Document(lockToObject(lock));
      const quote = (n: unknown): void => {
        if (isMap(n)) for (const p of n.items) {
          if (isScalar(p.key) && p.key.value === 'created' && isScalar(p.value)) p.value.type = 'QUOTE_DOUBLE';
          quote(p.value);
        }
        else if (isSeq(n)) n.items.forEach(quote);
      };
      quote(doc.contents);
      return doc.toString({ indentSeq: false, lineWidth: 0 });
    };
    const hex = fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => `sha256:${h}`);
    const name = fc.constantFrom('ubi', 'web', 'a.b', 'x-1', 'true', '8', 'null', '0x1f', 'e1');
    const tagName = fc.constantFrom('8', '1.4', 'latest', 'v1.0', '1e3', 'True', '_x', '.5', '0o7', 'nan', '-1');
    const from = fc.constantFrom('quay.io/org/ubi:8', 'nginx:1.25', 'localhost:5000/a/b:c', '127.0.0.1:5000/x:1.0');
    const tag = fc.record({ tag: tagName, from: fc.option(from, { nil: undefined }), pinned: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }), digests: fc.array(hex, { minLength: 0, maxLength: 3 }) }).map(
      ({ tag, from, pinned, digests }): LockTag => ({
        tag,
        ...(from ? { from } : {}),
        ...(pinned && pinned <= digests.length ? { pinned } : {}),
        items: digests.map((d, i) => ({ generation: digests.length - i, created: '2026-11-20T10:12:00Z', image: d, dockerImageReference: `quay.io/org/ubi@${d}`, ...(i === 0 ? { platformImage: d } : {}) })),
      }),
    );
    const lock = fc.array(fc.record({ name, namespace: fc.option(fc.constantFrom('demo', 'a-b', 'prod'), { nil: undefined }), tags: fc.uniqueArray(tag, { selector: (t) => t.tag, maxLength: 3 }) }), { maxLength: 4 }).map(
      (streams): Lock => sortLock({ streams: streams.filter((s, i) => streams.findIndex((o) => o.name === s.name && o.namespace === s.namespace) === i) }),
    );
    fc.assert(fc.property(lock, (l) => renderNewLockfile(l) === viaDocument(l)), { numRuns: 300 });
  });

  it('returns the text unchanged when the lock is the same', () => {
    expect(renderLockfile(BASE, baseLock)).toBe(BASE);
  });

  it('prepends a new generation as a diff of just those lines, comments and alignment kept', () => {
    const tag = appendEvent(baseLock.streams[0]!.tags[0]!, { image: B, dockerImageReference: `quay.io/org/ubi@${B}`, created: '2026-11-12T09:00:00Z' }).tag;
    const out = renderLockfile(BASE, withTag(baseLock, tag));
    expect(out).toBe(
      BASE.replace(
        '    items:                        # newest first\n',
        `    items:                        # newest first
    - generation: 2
      created: "2026-11-12T09:00:00Z"
      image: ${B}
      dockerImageReference: quay.io/org/ubi@${B}
`,
      ),
    );
  });

  it('sets pinned before items and deletes it again', () => {
    const tag = appendEvent(baseLock.streams[0]!.tags[0]!, { image: B, dockerImageReference: `quay.io/org/ubi@${B}`, created: '2026-11-12T09:00:00Z' }).tag;
    const two = renderLockfile(BASE, withTag(baseLock, tag));
    const pinned = renderLockfile(two, withTag(baseLock, pinGeneration(tag, 1, 'ubi:8')));
    expect(pinned).toBe(two.replace('    items:', '    pinned: 1\n    items:'));
    expect(renderLockfile(pinned, withTag(baseLock, tag))).toBe(two);
  });

  it('replaces from in place, keeping its trailing comment', () => {
    const out = renderLockfile(BASE, withTag(baseLock, { ...baseLock.streams[0]!.tags[0]!, from: 'quay.io/org/ubi:8.10' }));
    expect(out).toBe(BASE.replace('from: quay.io/org/ubi:8       # the source', 'from: quay.io/org/ubi:8.10       # the source'));
  });

  it('inserts a new tag at its sorted position and removes a deleted one', () => {
    const nine: LockTag = { tag: '9', from: 'quay.io/org/ubi:9', items: [ev(1, C, 'quay.io/org/ubi', '2026-11-13T09:00:00Z')] };
    const seven: LockTag = { tag: '7', from: 'quay.io/org/ubi:7', items: [ev(1, B, 'quay.io/org/ubi', '2026-11-13T09:00:00Z')] };
    const lock: Lock = { streams: [{ ...baseLock.streams[0]!, tags: [seven, baseLock.streams[0]!.tags[0]!, nine] }] };
    const out = renderLockfile(BASE, lock);
    const sevenText = `  - tag: "7"
    from: quay.io/org/ubi:7
    items:
    - generation: 1
      created: "2026-11-13T09:00:00Z"
      image: ${B}
      dockerImageReference: quay.io/org/ubi@${B}
`;
    const nineText = `  - tag: "9"
    from: quay.io/org/ubi:9
    items:
    - generation: 1
      created: "2026-11-13T09:00:00Z"
      image: ${C}
      dockerImageReference: quay.io/org/ubi@${C}
`;
    expect(out).toBe(BASE.replace('  - tag: "8"\n', `${sevenText}  - tag: "8"\n`) + nineText);
    // and removing 7 and 8 again leaves only 9
    const only9 = renderLockfile(out, { streams: [{ ...baseLock.streams[0]!, tags: [nine] }] });
    expect(only9).toBe(BASE.slice(0, BASE.indexOf('  - tag: "8"')) + nineText);
  });

  it('inserts a new stream sorted by namespace then name, above the comment of the next one', () => {
    const lock: Lock = {
      streams: [{ name: 'app', namespace: 'a-b', tags: [{ tag: 'latest', from: 'registry.local/app', items: [ev(1, C, 'registry.local/app', '2026-11-13T09:00:00Z')] }] }, ...baseLock.streams],
    };
    const out = renderLockfile(BASE, lock);
    expect(out).toBe(
      BASE.replace(
        '# the base images\n',
        `- name: app
  namespace: a-b
  tags:
  - tag: latest
    from: registry.local/app
    items:
    - generation: 1
      created: "2026-11-13T09:00:00Z"
      image: ${C}
      dockerImageReference: registry.local/app@${C}
# the base images
`,
      ),
    );
  });

  it('keeps an indented-sequence style file in its style', () => {
    const indented = `apiVersion: streamlock.dev/v1alpha1
kind: ImageStreamLock
streams:
  - name: ubi
    tags:
      - tag: "8"
        items:
          - generation: 1
            created: "2026-11-11T09:00:00Z"
            image: ${A}
            dockerImageReference: quay.io/org/ubi@${A}
`;
    expect(detectStyle(indented)).toEqual({ indent: 2, indentSeq: true });
    const lock: Lock = { streams: [{ name: 'ubi', tags: [{ tag: '8', items: [ev(2, B), ev(1, A)] }] }] };
    expect(renderLockfile(indented, lock)).toBe(
      indented.replace(
        '        items:\n',
        `        items:
          - generation: 2
            created: "2026-11-12T09:00:00Z"
            image: ${B}
            dockerImageReference: quay.io/org/ubi@${B}
`,
      ),
    );
  });

  it('fills an empty streams: [] list', () => {
    const empty = `apiVersion: streamlock.dev/v1alpha1\nkind: ImageStreamLock\nstreams: [] # nothing yet\n`;
    expect(renderLockfile(empty, baseLock)).toBe(
      `apiVersion: streamlock.dev/v1alpha1\nkind: ImageStreamLock\nstreams: # nothing yet\n${renderNewLockfile(baseLock).split('streams:\n')[1]}`,
    );
  });

  it('falls back to re-serialising a flow-style file, keeping the header comment', () => {
    const flow = `# header\napiVersion: streamlock.dev/v1alpha1\nkind: ImageStreamLock\nstreams: [{name: ubi, tags: [{tag: "8", items: [{generation: 1, created: "2026-11-11T09:00:00Z", image: "${A}", dockerImageReference: "quay.io/org/ubi@${A}"}]}]}]\n`;
    const lock: Lock = { streams: [{ name: 'ubi', tags: [{ tag: '8', items: [ev(2, B), ev(1, A)] }] }] };
    const out = renderLockfile(flow, lock);
    expect(out.startsWith('# header\n')).toBe(true);
    expect(out).toContain(`dockerImageReference: quay.io/org/ubi@${B}`);
  });
});

describe('lockfile store', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'streamlock-store-'));
    path = join(dir, 'imagestreams.lock.yaml');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a missing file as an empty lock and says so', async () => {
    expect(await readLockfile(path)).toEqual({ lock: { streams: [] }, text: undefined, exists: false });
  });

  it('rejects an invalid lockfile with LOCK_INVALID', async () => {
    await writeFile(path, 'apiVersion: streamlock.dev/v1alpha1\nkind: ImageStreamLock\nstreams: [{tags: []}]\n');
    await expect(readLockfile(path)).rejects.toMatchObject({ code: 'LOCK_INVALID' });
    await writeFile(path, 'streams: [\n');
    await expect(readLockfile(path)).rejects.toMatchObject({ code: 'LOCK_INVALID' });
  });

  it('creates, updates and leaves an unchanged file alone (same bytes, same mtime)', async () => {
    const first = await updateLockfile(path, () => baseLock);
    expect(first).toMatchObject({ changed: true, written: true });
    expect(await readFile(path, 'utf8')).toBe(renderNewLockfile(baseLock));
    const old = new Date('2020-01-01T00:00:00Z');
    await utimes(path, old, old);
    const again = await updateLockfile(path, (l) => l);
    expect(again).toMatchObject({ changed: false, written: false });
    expect((await stat(path)).mtimeMs).toBe(old.getTime());
    expect(await readdir(dir)).toEqual(['imagestreams.lock.yaml']);
  });

  it('dry run computes the text and writes nothing', async () => {
    const r = await updateLockfile(path, () => baseLock, { dryRun: true });
    expect(r).toMatchObject({ changed: true, written: false });
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves the old file and no temp file behind when the change fails or is invalid', async () => {
    await writeFile(path, BASE);
    await expect(updateLockfile(path, () => { throw new Error('boom'); })).rejects.toThrow('boom');
    const bad: Lock = { streams: [{ name: 'ubi', tags: [{ tag: '8', pinned: 5, items: [ev(1, A)] }] }] };
    await expect(updateLockfile(path, () => bad)).rejects.toBeInstanceOf(StreamlockError);
    expect(await readFile(path, 'utf8')).toBe(BASE);
    expect(await readdir(dir)).toEqual(['imagestreams.lock.yaml']);
  });

  it('re-reads under the lock: concurrent updates both land', async () => {
    await writeFile(path, BASE);
    const add = (tag: string) => (lock: Lock) => withTag(lock, { tag, items: [ev(1, C)] });
    await Promise.all([updateLockfile(path, add('a')), updateLockfile(path, add('b')), updateLockfile(path, add('c'))]);
    const { lock } = await readLockfile(path);
    expect(lock.streams[0]!.tags.map((t) => t.tag)).toEqual(['8', 'a', 'b', 'c']);
  });

  it('waits for a live lock and fails with LOCK_BUSY naming the holder', async () => {
    const release = await acquireLock(path);
    await expect(updateLockfile(path, (l) => l, { timeoutMs: 150 })).rejects.toMatchObject({ code: 'LOCK_BUSY' });
    await release();
    await expect(updateLockfile(path, () => baseLock, { timeoutMs: 150 })).resolves.toMatchObject({ written: true });
  });

  it('breaks a stale lock whose process is gone', async () => {
    await writeFile(`${path}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, hostname: hostname(), created: 'x' }));
    await expect(updateLockfile(path, () => baseLock, { timeoutMs: 150 })).resolves.toMatchObject({ written: true });
    expect(await readdir(dir)).toEqual(['imagestreams.lock.yaml']);
  });
});
