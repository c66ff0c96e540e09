import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fakeDigest, yaml } from '../helpers/fn.js';
import { transform } from '../../src/fn/transform.js';

const D1 = fakeDigest('one');
const LOCK_ITEM = yaml`
  - apiVersion: streamlock.dev/v1alpha1
    kind: ImageStreamLock
    metadata:
      name: imagestreams
      annotations:
        config.kubernetes.io/local-config: "true"
    streams:
    - name: web
      tags:
      - tag: latest
        items:
        - generation: 1
          created: "2026-11-01T00:00:00Z"
          image: ${D1}
          dockerImageReference: quay.io/acme/web@${D1}
`;

function lines(text: string): string[] {
  return text.split('\n');
}

describe('output keeps every byte it does not mean to change', () => {
  const input = yaml`
    apiVersion: config.kubernetes.io/v1
    kind: ResourceList
    items:
    # a comment before the first item
    - apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web   # trailing comment
        annotations:
          image.openshift.io/triggers: >-
            [{"from":{"kind":"ImageStreamTag","name":"web:latest"},"fieldPath":"spec.template.spec.containers[?(@.name==\\"web\\")].image"}]
          internal.config.kubernetes.io/path: 'deploy.yaml'
          internal.config.kubernetes.io/index: '0'
          kustomize.config.k8s.io/id: |
            kind: Deployment
            name: web
      spec:
        replicas: 0x10
        template:
          spec:
            containers:
              - name: web
                image: 'quay.io/acme/web:latest'   # single-quoted on purpose
                args: [ "a",   'b' ]
              - {name: side, image: "busybox:1"}
    - apiVersion: v1
      kind: ConfigMap
      metadata: {name: untouched, annotations: {x: "y"}}
      data:
        key: "value with   spaces"
  ` + LOCK_ITEM.replace(/^/gm, '');

  it('changes only the image scalar (keeping its quote style) and adds the annotation', () => {
    const out = transform(input);
    expect(out.ok).toBe(true);
    const a = lines(input);
    const b = lines(out.text);
    const added = b.filter((l) => !a.includes(l));
    const removed = a.filter((l) => !b.includes(l));
    expect(removed).toEqual([`            image: 'quay.io/acme/web:latest'   # single-quoted on purpose`]);
    expect(added.slice(0, 2)).toEqual([
      `      resolved.streamlock.dev/web: "web:latest generation 1 ${D1}"`,
      `            image: 'quay.io/acme/web@${D1}'   # single-quoted on purpose`,
    ]);
    // Everything up to the results is the input with those two lines changed.
    const withoutResults = out.text.slice(0, out.text.indexOf('\nresults:') + 1);
    expect(withoutResults.replace(/^ {6}resolved\.streamlock\.dev\/web: .*\n/m, '').replace(`quay.io/acme/web@${D1}`, 'quay.io/acme/web:latest')).toBe(input);
  });

  it('is idempotent: its own output comes back byte-identical', () => {
    const once = transform(input).text;
    expect(transform(once).text).toBe(once);
  });

  it('is deterministic', () => {
    expect(transform(input).text).toBe(transform(input).text);
  });
});

describe('input forms', () => {
  const deploymentJson = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', annotations: { 'image.openshift.io/triggers': JSON.stringify([{ from: { kind: 'ImageStreamTag', name: 'web:latest' }, fieldPath: 'spec.template.spec.containers[0].image' }]) } },
    spec: { template: { spec: { containers: [{ name: 'web', image: 'web' }] } } },
  };
  const lockObj = parse(LOCK_ITEM)[0];

  it('accepts JSON and answers in JSON', () => {
    const input = JSON.stringify({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [deploymentJson, lockObj] }, null, 2);
    const out = transform(input);
    expect(out.ok).toBe(true);
    const parsed = JSON.parse(out.text);
    expect(parsed.items[0].spec.template.spec.containers[0].image).toBe(`quay.io/acme/web@${D1}`);
    expect(parsed.items[0].metadata.annotations['resolved.streamlock.dev/web']).toContain('generation 1');
    expect(parsed.results[0].severity).toBe('info');
  });

  it.each(['config.kubernetes.io/v1', 'config.kubernetes.io/v1beta1', 'config.kubernetes.io/v1alpha1'])('accepts %s and echoes it', (apiVersion) => {
    const input = JSON.stringify({ apiVersion, kind: 'ResourceList', items: [deploymentJson, lockObj] });
    const out = transform(input);
    expect(out.ok).toBe(true);
    expect(JSON.parse(out.text).apiVersion).toBe(apiVersion);
  });

  it('adds metadata.annotations in block style to a resource that has none (resolve-names)', () => {
    const input = yaml`
      apiVersion: config.kubernetes.io/v1
      kind: ResourceList
      items:
      - apiVersion: v1
        kind: Pod
        metadata:
          name: p
          labels: {a: b}
        spec:
          containers:
          - name: web
            image: web:latest
      - apiVersion: image.openshift.io/v1
        kind: ImageStream
        metadata:
          name: web
        spec:
          lookupPolicy:
            local: true
    ` + LOCK_ITEM;
    const out = transform(input);
    expect(out.ok).toBe(true);
    expect(out.text).toContain(`  metadata:\n    name: p\n    labels: {a: b}\n    annotations:\n      resolved.streamlock.dev/web: "web:latest generation 1 ${D1}"\n  spec:\n`);
    expect(out.text).toContain(`    image: quay.io/acme/web@${D1}\n`);
    expect(transform(out.text).text).toBe(out.text);
  });

  it('leaves a workload without triggers or eligible images untouched', () => {
    const input = yaml`
      apiVersion: config.kubernetes.io/v1
      kind: ResourceList
      items:
      - apiVersion: v1
        kind: Pod
        metadata:
          name: p
        spec:
          containers:
          - name: web
            image: web:latest
    ` + LOCK_ITEM;
    const out = transform(input);
    expect(out.ok).toBe(true);
    expect(out.text.slice(0, input.length)).toBe(input);
  });

  it('empty and null item lists are fine', () => {
    for (const items of ['[]', '', 'null']) {
      const out = transform(`apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: ${items}\n`);
      expect(out.ok).toBe(true);
    }
  });

  it('removes items whose dash line carries a comment, leaving no null item behind', () => {
    const input = yaml`
      apiVersion: config.kubernetes.io/v1
      kind: ResourceList
      items:
      - # the stream
        apiVersion: image.openshift.io/v1
        kind: ImageStream
        metadata:
          name: web
      - apiVersion: v1
        kind: ConfigMap
        metadata:
          name: kept
      - # last one
        apiVersion: image.openshift.io/v1
        kind: ImageStream
        metadata:
          name: other
      functionConfig:
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
        data:
          removeImageStreams: "true"
    `;
    const out = transform(input);
    expect(out.ok).toBe(true);
    expect(parse(out.text).items).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept' } }]);
  });
});
