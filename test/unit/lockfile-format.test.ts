import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamlockError } from '../../src/errors.js';
import { lockToObject, parseLock } from '../../src/lockfile/format.js';
import { appendEvent, currentEvent, pinDigest, pinGeneration, unpin } from '../../src/lockfile/history.js';
import { fakeDigest, lock } from '../helpers/fn.js';
// @ts-expect-error plain ESM build script without types
import { generate } from '../../scripts/gen-lock-validator.mjs';

const src = { description: 'test lock' };
const base = () => lock([{ name: 'ubi', namespace: 'demo', tags: [{ tag: '8', from: 'quay.io/x/ubi:8', repo: 'quay.io/x/ubi', builds: ['a', 'b'] }] }]);

function codeOf(data: unknown): string | undefined {
  try {
    parseLock(data, src);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(StreamlockError);
    return (e as StreamlockError).code;
  }
}

describe('parseLock', () => {
  it('accepts a valid lock and keeps its order', () => {
    const l = parseLock(base(), src);
    expect(l.streams[0]?.tags[0]?.items.map((i) => i.generation)).toEqual([2, 1]);
  });

  it('round-trips through lockToObject', () => {
    const l = parseLock(base(), src);
    expect(parseLock(lockToObject(l), src)).toEqual(l);
  });

  it.each([
    ['wrong kind', (o: any) => (o.kind = 'ImageStream'), 'LOCK_INVALID'],
    ['unknown top-level field', (o: any) => (o.extra = 1), 'LOCK_INVALID'],
    ['stream name with capitals', (o: any) => (o.streams[0].name = 'UBI'), 'LOCK_INVALID'],
    ['tag listed twice', (o: any) => o.streams[0].tags.push({ ...o.streams[0].tags[0] }), 'LOCK_INVALID'],
    ['stream listed twice', (o: any) => o.streams.push({ ...o.streams[0] }), 'LOCK_INVALID'],
    ['short digest', (o: any) => (o.streams[0].tags[0].items[0].image = 'sha256:abc'), 'DIGEST_INVALID'],
    ['upper-case digest', (o: any) => (o.streams[0].tags[0].items[0].image = o.streams[0].tags[0].items[0].image.toUpperCase()), 'DIGEST_INVALID'],
    ['reference by tag', (o: any) => (o.streams[0].tags[0].items[0].dockerImageReference = 'quay.io/x/ubi:8'), 'DIGEST_INVALID'],
    ['reference digest differs', (o: any) => (o.streams[0].tags[0].items[0].dockerImageReference = `quay.io/x/ubi@${fakeDigest('z')}`), 'LOCK_INVALID'],
    ['generations out of order', (o: any) => o.streams[0].tags[0].items.reverse(), 'LOCK_INVALID'],
    ['generation 0', (o: any) => (o.streams[0].tags[0].items[1].generation = 0), 'LOCK_INVALID'],
    ['bad time', (o: any) => (o.streams[0].tags[0].items[0].created = 'yesterday'), 'LOCK_INVALID'],
    ['pin to a missing generation', (o: any) => (o.streams[0].tags[0].pinned = 9), 'LOCK_PIN_MISSING'],
    ['bad source', (o: any) => (o.streams[0].tags[0].from = 'Not A Ref'), 'LOCK_INVALID'],
    ['alias with history', (o: any) => (o.streams[0].tags[0].alias = 'latest'), 'LOCK_INVALID'],
  ])('rejects %s', (_why, mutate, code) => {
    const o = base();
    mutate(o);
    expect(codeOf(o)).toBe(code);
  });

  it('names the field in the message', () => {
    const o: any = base();
    o.streams[0].tags[0].items[1].image = 'sha256:nope';
    expect(() => parseLock(o, src)).toThrow(/test lock: streams\[0\]\.tags\[0\]\.items\[1\]\.image/);
  });
});

describe('history', () => {
  const tag = () => parseLock(base(), src).streams[0]!.tags[0]!;

  it('appends generation + 1, and nothing when the newest image is the same', () => {
    const t = tag();
    const same = appendEvent(t, { image: fakeDigest('b'), dockerImageReference: `quay.io/x/ubi@${fakeDigest('b')}`, created: '2026-11-22T00:00:00Z' });
    expect(same.added).toBeUndefined();
    const next = appendEvent(t, { image: fakeDigest('c'), dockerImageReference: `quay.io/x/ubi@${fakeDigest('c')}`, created: '2026-11-22T00:00:00Z' });
    expect(next.added?.generation).toBe(3);
    expect(next.tag.items.map((i) => i.generation)).toEqual([3, 2, 1]);
    // Going back to an older digest is a new generation, as in OpenShift.
    const back = appendEvent(next.tag, { image: fakeDigest('a'), dockerImageReference: `quay.io/x/ubi@${fakeDigest('a')}`, created: '2026-11-23T00:00:00Z' });
    expect(back.added?.generation).toBe(4);
  });

  it('pins by generation or digest, keeps the pin through new generations, unpins', () => {
    const pinned = pinGeneration(tag(), 1, 'ubi:8');
    expect(currentEvent(pinned)?.image).toBe(fakeDigest('a'));
    const later = appendEvent(pinned, { image: fakeDigest('c'), dockerImageReference: `quay.io/x/ubi@${fakeDigest('c')}`, created: '2026-11-22T00:00:00Z' }).tag;
    expect(currentEvent(later)?.image).toBe(fakeDigest('a'));
    expect(currentEvent(unpin(later))?.image).toBe(fakeDigest('c'));
    expect(pinDigest(tag(), fakeDigest('b'), 'ubi:8').pinned).toBe(2);
    expect(() => pinGeneration(tag(), 7, 'ubi:8')).toThrow(/no generation 7 \(recorded: 2, 1\)/);
    expect(() => pinDigest(tag(), fakeDigest('q'), 'ubi:8')).toThrow(/never recorded/);
  });
});

describe('schema', () => {
  it('the committed validator is generated from the committed schema', () => {
    expect(readFileSync(join(import.meta.dirname, '../../src/lockfile/schema-validate.js'), 'utf8')).toBe(generate());
  });

  it('the validator needs no Ajv at run time (Ajv is a build-time dependency)', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).not.toContain('ajv');
    expect(readFileSync(join(import.meta.dirname, '../../src/lockfile/schema-validate.js'), 'utf8')).not.toMatch(/\bfrom\s+['"]ajv|require\(/);
  });
});
