import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { deployment, fakeDigest, imageOf, imageStream, lock, resourceList, runFn, trigger } from '../helpers/fn.js';

const UBI = 'quay.io/flozanorht/ubi';
const ubiLock = (extra: Partial<{ pinned: number; namespace: string }> = {}) =>
  lock([{ name: 'ubi', namespace: extra.namespace ?? 'demo', tags: [{ tag: '8', from: `${UBI}:8`, repo: UBI, builds: ['8.0-122', '8.0-154'], ...(extra.pinned ? { pinned: extra.pinned } : {}) }] }]);
const myapp = (triggers: unknown[], ns = 'demo', containers = [{ name: 'myapp', image: 'ubi:8' }]) => deployment({ name: 'myapp', namespace: ns, triggers, containers });

describe('resolving triggers', () => {
  it('pins the triggered container to the newest generation and records it', () => {
    const r = runFn(resourceList([myapp([trigger('ubi:8', 'myapp')]), ubiLock()]));
    expect(r.ok).toBe(true);
    const d = r.out.items[0];
    expect(imageOf(d)).toBe(`${UBI}@${fakeDigest('8.0-154')}`);
    expect(d.metadata.annotations['resolved.streamlock.dev/myapp']).toBe(`ubi:8 generation 2 ${fakeDigest('8.0-154')}`);
    expect(r.codes).toEqual(['RESOLVED']);
  });

  it('uses the pinned generation (rollback)', () => {
    const r = runFn(resourceList([myapp([trigger('ubi:8', 'myapp')]), ubiLock({ pinned: 1 })]));
    expect(imageOf(r.out.items[0])).toBe(`${UBI}@${fakeDigest('8.0-122')}`);
    expect(r.out.items[0].metadata.annotations['resolved.streamlock.dev/myapp']).toContain('generation 1 (pinned)');
  });

  it('leaves paused triggers alone', () => {
    const r = runFn(resourceList([myapp([trigger('ubi:8', 'myapp', { paused: true })]), ubiLock()]));
    expect(r.ok).toBe(true);
    expect(imageOf(r.out.items[0])).toBe('ubi:8');
  });

  it('resolves init containers, CronJobs and index selectors', () => {
    const sts = deployment({
      name: 'db', namespace: 'demo', kind: 'StatefulSet',
      triggers: [trigger('ubi:8', 'migrate', {}, 'spec.template.spec', 'initContainers'), { from: { kind: 'ImageStreamTag', name: 'ubi:8' }, fieldPath: 'spec.template.spec.containers[1].image' }],
      initContainers: [{ name: 'migrate', image: 'x' }], containers: [{ name: 'a', image: 'keep:1' }, { name: 'b', image: 'y' }],
    });
    const cron = deployment({ name: 'report', namespace: 'demo', kind: 'CronJob', triggers: [trigger('ubi:8', 'r', {}, 'spec.jobTemplate.spec.template.spec')], containers: [{ name: 'r', image: 'z' }] });
    const r = runFn(resourceList([sts, cron, ubiLock()]));
    expect(r.errors).toEqual([]);
    const want = `${UBI}@${fakeDigest('8.0-154')}`;
    expect(imageOf(r.out.items[0], 0, 'initContainers')).toBe(want);
    expect(imageOf(r.out.items[0], 0)).toBe('keep:1');
    expect(imageOf(r.out.items[0], 1)).toBe(want);
    expect(imageOf(r.out.items[1])).toBe(want);
  });

  it('finds an init container named under containers[], as oc set triggers writes it', () => {
    const d = deployment({ name: 'a', namespace: 'demo', triggers: [trigger('ubi:8', 'migrate')], initContainers: [{ name: 'migrate', image: 'x' }], containers: [{ name: 'main', image: 'm' }] });
    const r = runFn(resourceList([d, ubiLock()]));
    expect(imageOf(r.out.items[0], 0, 'initContainers')).toBe(`${UBI}@${fakeDigest('8.0-154')}`);
  });

  it('defaults the namespace from functionConfig and honours from.namespace', () => {
    const l = lock([
      { name: 'ubi', namespace: 'demo', tags: [{ tag: '8', repo: UBI, builds: ['a'] }] },
      { name: 'envoy', namespace: 'shared', tags: [{ tag: 'stable', repo: 'docker.io/envoyproxy/envoy', builds: ['e'] }] },
    ]);
    const d = deployment({ name: 'x', triggers: [trigger('ubi:8', 'a'), trigger('envoy:stable', 'b', { namespace: 'shared' })], containers: [{ name: 'a', image: '' }, { name: 'b', image: '' }] });
    const r = runFn(resourceList([d, l], { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { namespace: 'demo' } }));
    expect(r.errors).toEqual([]);
    expect(imageOf(r.out.items[0], 0)).toBe(`${UBI}@${fakeDigest('a')}`);
    expect(imageOf(r.out.items[0], 1)).toBe(`docker.io/envoyproxy/envoy@${fakeDigest('e')}`);
  });

  it('lets a lock stream without namespace serve every namespace', () => {
    const r = runFn(resourceList([myapp([trigger('ubi:8', 'myapp')], 'anywhere'), lock([{ name: 'ubi', tags: [{ tag: '8', repo: UBI, builds: ['q'] }] }])]));
    expect(imageOf(r.out.items[0])).toBe(`${UBI}@${fakeDigest('q')}`);
  });

  it('follows ImageStreamTag chains across tags and streams', () => {
    const is = imageStream('app', 'demo', [
      { name: 'prod', from: { kind: 'ImageStreamTag', name: 'staging' } },
      { name: 'staging', from: { kind: 'ImageStreamTag', name: 'app:latest' } },
      { name: 'latest', from: { kind: 'ImageStreamTag', name: 'base:1', namespace: 'shared' } },
    ]);
    const l = lock([{ name: 'base', namespace: 'shared', tags: [{ tag: '1', repo: 'quay.io/x/base', builds: ['b1', 'b2'] }] }]);
    const r = runFn(resourceList([deployment({ name: 'w', namespace: 'demo', triggers: [trigger('app:prod', 'c')], containers: [{ name: 'c', image: 'app' }] }), is, l]));
    expect(r.errors).toEqual([]);
    expect(imageOf(r.out.items[0])).toBe(`quay.io/x/base@${fakeDigest('b2')}`);
    expect(r.out.items[0].metadata.annotations['resolved.streamlock.dev/c']).toMatch(/^app:prod generation 2 /);
  });

  it('reports a cycle with the whole chain', () => {
    const is = imageStream('app', 'demo', [
      { name: 'a', from: { kind: 'ImageStreamTag', name: 'b' } },
      { name: 'b', from: { kind: 'ImageStreamTag', name: 'app:a' } },
    ]);
    const r = runFn(resourceList([deployment({ name: 'w', namespace: 'demo', triggers: [trigger('app:a', 'c')], containers: [{ name: 'c', image: 'x' }] }), is]));
    expect(r.ok).toBe(false);
    expect(r.codes).toContain('TAG_CYCLE');
    expect(r.errors[0].message).toContain('app:a -> app:b -> app:a');
  });

  it('resolves ImageStreamImage references and digest-pinned DockerImage sources without the lock', () => {
    const d = fakeDigest('pinned');
    const is = imageStream('web', 'demo', [
      { name: 'prod', from: { kind: 'ImageStreamImage', name: `web@${fakeDigest('w1').slice(7, 19)}` } },
      { name: 'fixed', from: { kind: 'DockerImage', name: `quay.io/acme/web:1.0@${d}` } },
    ]);
    const l = lock([{ name: 'web', namespace: 'demo', tags: [{ tag: 'latest', repo: 'quay.io/acme/web', builds: ['w1', 'w2'] }] }]);
    const w = deployment({ name: 'w', namespace: 'demo', triggers: [trigger('web:prod', 'a'), trigger('web:fixed', 'b')], containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] });
    const r = runFn(resourceList([w, is, l]));
    expect(r.errors).toEqual([]);
    expect(imageOf(r.out.items[0], 0)).toBe(`quay.io/acme/web@${fakeDigest('w1')}`);
    expect(imageOf(r.out.items[0], 1)).toBe(`quay.io/acme/web@${d}`);
  });

  it('applies a Local reference policy with the stream repository', () => {
    const is = { ...imageStream('ubi', 'demo', [{ name: '8', from: { kind: 'DockerImage', name: `${UBI}:8` }, referencePolicy: { type: 'Local' } }]), status: { dockerImageRepository: 'image-registry.openshift-image-registry.svc:5000/demo/ubi' } };
    const r = runFn(resourceList([myapp([trigger('ubi:8', 'myapp')]), is, ubiLock()]));
    expect(imageOf(r.out.items[0])).toBe(`image-registry.openshift-image-registry.svc:5000/demo/ubi@${fakeDigest('8.0-154')}`);
  });

  it('reports a lock imported from another source than the ImageStream now names (stale lock)', () => {
    const is = imageStream('ubi', 'demo', [{ name: '8', from: { kind: 'DockerImage', name: 'registry.access.redhat.com/ubi8/ubi:8' } }]);
    const r = runFn(resourceList([myapp([trigger('ubi:8', 'myapp')]), is, ubiLock()]));
    expect(r.codes).toContain('TAG_SOURCE_MISMATCH');
    expect(r.errors[0].message).toContain('streamlock import');
  });

  it('reports a stale lock even when the tag is pinned', () => {
    const is = imageStream('ubi', 'demo', [{ name: '8', from: { kind: 'DockerImage', name: `${UBI}:8.1` } }]);
    const r = runFn(resourceList([myapp([trigger('ubi:8', 'myapp')]), is, ubiLock({ pinned: 1 })]));
    expect(r.codes).toContain('TAG_SOURCE_MISMATCH');
  });

  it('resolves bare names with resolve-names "*" and lookupPolicy.local', () => {
    const isLocal = imageStream('ubi', 'demo', [{ name: '8', from: { kind: 'DockerImage', name: `${UBI}:8` } }], { lookupPolicy: { local: true } });
    const plain = deployment({ name: 'p', namespace: 'demo', containers: [{ name: 'a', image: 'ubi:8' }, { name: 'b', image: 'team/ubi:8' }, { name: 'c', image: 'redis:7' }] });
    const annotated = deployment({ name: 'q', namespace: 'demo', annotations: { 'alpha.image.policy.openshift.io/resolve-names': '*' }, containers: [{ name: 'a', image: 'quay.io/other/ubi:8' }] });
    const r = runFn(resourceList([plain, annotated, isLocal, ubiLock()]));
    expect(r.errors).toEqual([]);
    const want = `${UBI}@${fakeDigest('8.0-154')}`;
    expect(imageOf(r.out.items[0], 0)).toBe(want);
    expect(imageOf(r.out.items[0], 1)).toBe('team/ubi:8');
    expect(imageOf(r.out.items[0], 2)).toBe('redis:7');
    expect(imageOf(r.out.items[1], 0)).toBe(want);
  });

  it('accepts an oc get is -o yaml export as the lock, renumbering its history', () => {
    const exported = {
      ...imageStream('ubi', 'demo', [{ name: '8', from: { kind: 'DockerImage', name: `${UBI}:8` } }]),
      status: { tags: [{ tag: '8', items: [
        { created: '2026-01-02T00:00:00Z', dockerImageReference: `${UBI}@${fakeDigest('new')}`, image: fakeDigest('new'), generation: 7 },
        { created: '2026-01-01T00:00:00Z', dockerImageReference: `${UBI}@${fakeDigest('old')}`, image: fakeDigest('old'), generation: 7 },
      ] }] },
    };
    const r = runFn(resourceList([myapp([trigger('ubi:8', 'myapp')]), exported]));
    expect(r.errors).toEqual([]);
    expect(r.out.items[0].metadata.annotations['resolved.streamlock.dev/myapp']).toBe(`ubi:8 generation 2 ${fakeDigest('new')}`);
  });

  it('follows a lock alias', () => {
    const l = lock([{ name: 'ubi', namespace: 'demo', tags: [{ tag: '8', repo: UBI, builds: ['x'] }, { tag: 'prod', repo: UBI, alias: '8' }] }]);
    const r = runFn(resourceList([myapp([trigger('ubi:prod', 'myapp')]), l]));
    expect(imageOf(r.out.items[0])).toBe(`${UBI}@${fakeDigest('x')}`);
  });

  it('turns unresolved references into warnings or nothing when configured', () => {
    const input = (policy: string) => resourceList([myapp([trigger('nope:1', 'myapp')]), ubiLock()], { apiVersion: 'streamlock.dev/v1alpha1', kind: 'ImageStreamResolver', metadata: { name: 'r' }, spec: { unresolved: policy } });
    const warn = runFn(input('warn'));
    expect(warn.ok).toBe(true);
    expect(warn.out.results.map((x) => x.severity)).toEqual(['warning', 'info']);
    expect(imageOf(warn.out.items[0])).toBe('ubi:8');
    const ignore = runFn(input('ignore'));
    expect(ignore.ok).toBe(true);
    expect(ignore.codes).toEqual(['RESOLVED']);
    expect(runFn(input('error')).codes).toContain('STREAM_NOT_FOUND');
  });

  it('removes ImageStreams (and the lock only when asked) from the output', () => {
    const is = imageStream('ubi', 'demo', [{ name: '8', from: { kind: 'DockerImage', name: `${UBI}:8` } }]);
    const cfg = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data });
    const kept = runFn(resourceList([myapp([trigger('ubi:8', 'myapp')]), is, ubiLock()], cfg({ removeImageStreams: 'true' })));
    expect(kept.out.items.map((i) => i.kind)).toEqual(['Deployment', 'ImageStreamLock']);
    const both = runFn(resourceList([myapp([trigger('ubi:8', 'myapp')]), is, ubiLock()], cfg({ removeImageStreams: 'true', removeLock: 'true' })));
    expect(both.out.items.map((i) => i.kind)).toEqual(['Deployment']);
  });

  it('reads the lockfile named in functionConfig', () => {
    const files: Record<string, string> = { 'locks/imagestreams.lock.yaml': stringify(ubiLock()) };
    const r = runFn(resourceList([myapp([trigger('ubi:8', 'myapp')])], { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { lockfile: 'locks/imagestreams.lock.yaml' } }), {
      readFile: (p) => {
        if (!(p in files)) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
        return files[p]!;
      },
    });
    expect(r.errors).toEqual([]);
    expect(imageOf(r.out.items[0])).toBe(`${UBI}@${fakeDigest('8.0-154')}`);
  });

  it('removes resolved annotations of containers that lost their trigger, keeps paused ones', () => {
    const d = deployment({ name: 'm', namespace: 'demo', triggers: [trigger('ubi:8', 'a', { paused: true })], annotations: { 'resolved.streamlock.dev/a': 'old', 'resolved.streamlock.dev/gone': 'old' }, containers: [{ name: 'a', image: 'x' }] });
    const r = runFn(resourceList([d, ubiLock()]));
    expect(r.out.items[0].metadata.annotations).toEqual({ 'image.openshift.io/triggers': expect.any(String), 'resolved.streamlock.dev/a': 'old' });
  });
});
