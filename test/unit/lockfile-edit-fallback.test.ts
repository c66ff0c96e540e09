import { describe, expect, it } from 'vitest';
import { renderLockfile } from '../../src/lockfile/edit.js';
import { appendEvent } from '../../src/lockfile/history.js';
import { parseLockfileText } from '../../src/lockfile/store.js';
import { fakeDigest } from '../helpers/fn.js';

describe('renderLockfile fallback', () => {
  it('keeps compact sequences when a flow-style lock must be re-serialised', () => {
    const before = `apiVersion: streamlock.dev/v1alpha1
kind: ImageStreamLock
metadata:
  name: imagestreams
streams:
- name: ubi
  tags: [{tag: "8", items: []}]
`;
    const lock = parseLockfileText(before, 'x.lock.yaml');
    const tag = lock.streams[0]!.tags[0]!;
    const next = { streams: [{ ...lock.streams[0]!, tags: [appendEvent(tag, { image: fakeDigest('a'), dockerImageReference: `quay.io/x/ubi@${fakeDigest('a')}`, created: '2026-11-23T00:00:00Z' }).tag] }] };
    const text = renderLockfile(before, next);
    expect(text).toMatch(/\nstreams:\n- name: ubi\n/);
    expect(parseLockfileText(text, 'x.lock.yaml').streams[0]?.tags[0]?.items[0]?.image).toBe(fakeDigest('a'));
  });
});
