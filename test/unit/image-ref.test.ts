import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamlockError } from '../../src/errors.js';
import { canonicalName, isSha256Digest, lastSegment, parseImageRef, withDigest } from '../../src/image-ref.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseImageRef', () => {
  it.each([
    ['nginx', { name: 'nginx', registry: 'docker.io', repository: 'library/nginx', tag: undefined, digest: undefined }],
    ['nginx:1.25', { name: 'nginx', registry: 'docker.io', repository: 'library/nginx', tag: '1.25', digest: undefined }],
    ['docker.io/nginx', { name: 'docker.io/nginx', registry: 'docker.io', repository: 'library/nginx', tag: undefined, digest: undefined }],
    ['index.docker.io/team/app:v1', { name: 'index.docker.io/team/app', registry: 'docker.io', repository: 'team/app', tag: 'v1', digest: undefined }],
    ['team/app', { name: 'team/app', registry: 'docker.io', repository: 'team/app', tag: undefined, digest: undefined }],
    ['localhost/app', { name: 'localhost/app', registry: 'localhost', repository: 'app', tag: undefined, digest: undefined }],
    ['localhost:5000/a/b/c:t', { name: 'localhost:5000/a/b/c', registry: 'localhost:5000', repository: 'a/b/c', tag: 't', digest: undefined }],
    ['127.0.0.1:5000/x@' + D, { name: '127.0.0.1:5000/x', registry: '127.0.0.1:5000', repository: 'x', tag: undefined, digest: D }],
    ['[::1]:5000/x:1', { name: '[::1]:5000/x', registry: '[::1]:5000', repository: 'x', tag: '1', digest: undefined }],
    ['quay.io/org/app:8.0-154@' + D, { name: 'quay.io/org/app', registry: 'quay.io', repository: 'org/app', tag: '8.0-154', digest: D }],
    ['registry.access.redhat.com/ubi8/ubi', { name: 'registry.access.redhat.com/ubi8/ubi', registry: 'registry.access.redhat.com', repository: 'ubi8/ubi', tag: undefined, digest: undefined }],
    ['a__b/c-d.e', { name: 'a__b/c-d.e', registry: 'docker.io', repository: 'a__b/c-d.e', tag: undefined, digest: undefined }],
  ])('%s', (ref, expected) => {
    expect(parseImageRef(ref)).toEqual(expected);
  });

  it.each([
    ['', 'empty'],
    ['team/UPPER', 'lowercase'],
    ['app:tag with space', 'white space'],
    ['app@sha256:xyz', 'not a digest'],
    ['app:' + 'x'.repeat(129), 'not a valid tag'],
    ['app:-tag', 'not a valid tag'],
    ['quay.io/', 'no repository name'],
    ['a' + '/b'.repeat(200), 'longer than'],
    ['a'.repeat(64).replace(/a/g, 'f'), 'image ID'],
    ['app//x', 'bad path component'],
    ['-app', 'bad path component'],
    ['my_host:5000/app', 'not a valid registry host'],
  ])('rejects %j (%s)', (ref, why) => {
    expect(() => parseImageRef(ref)).toThrow(StreamlockError);
    try {
      parseImageRef(ref);
    } catch (e) {
      expect((e as StreamlockError).code).toBe('IMAGE_REF_INVALID');
      expect((e as Error).message).toContain(why);
    }
  });

  it('keeps the name as written when pinning, as OpenShift records it', () => {
    expect(withDigest('nginx:1.25', D)).toBe(`nginx@${D}`);
    expect(withDigest('quay.io/org/app:8', D)).toBe(`quay.io/org/app@${D}`);
    expect(canonicalName(parseImageRef('nginx'))).toBe('docker.io/library/nginx:latest');
    expect(lastSegment(parseImageRef('quay.io/org/ubi:8'))).toBe('ubi');
  });

  it('accepts only sha256 with 64 lowercase hex as a recorded digest', () => {
    expect(isSha256Digest(D)).toBe(true);
    expect(isSha256Digest(D.toUpperCase())).toBe(false);
    expect(isSha256Digest('sha256:abc')).toBe(false);
  });

  it('never throws anything but IMAGE_REF_INVALID, and round-trips what it accepts', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        try {
          const r = parseImageRef(s);
          const again = parseImageRef(`${r.name}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`);
          expect(again).toEqual(r);
        } catch (e) {
          expect(e).toBeInstanceOf(StreamlockError);
          expect((e as StreamlockError).code).toBe('IMAGE_REF_INVALID');
        }
      }),
      { numRuns: 300 },
    );
  });
});
