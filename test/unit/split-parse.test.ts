import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transform } from '../../src/fn/transform.js';
import { transformInput } from '../hardening/targets.js';

describe('item-by-item parsing', () => {
  it('gives byte-identical output to one Document on random and near-valid lists', () => {
    fc.assert(
      fc.property(transformInput, (input) => {
        expect(transform(input).text).toBe(transform(input, { wholeDocument: true }).text);
      }),
      { numRuns: Number(process.env.SPLIT_RUNS ?? 300) },
    );
  });
});

describe('the cheap kind scan', () => {
  it('copes with a lock it cannot see (quoted key) by reading the list in two passes', () => {
    const input = `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: p
    annotations:
      image.openshift.io/triggers: '[{"from":{"kind":"ImageStreamTag","name":"web:1"},"fieldPath":"spec.containers[0].image"}]'
  spec:
    containers:
    - name: web
      image: web
- apiVersion: streamlock.dev/v1alpha1
  "kind": ImageStreamLock
  metadata:
    name: imagestreams
  streams:
  - name: web
    tags:
    - tag: "1"
      items:
      - generation: 1
        created: "2026-11-01T00:00:00Z"
        image: sha256:${'b'.repeat(64)}
        dockerImageReference: quay.io/x/web@sha256:${'b'.repeat(64)}
`;
    const out = transform(input);
    expect(out.ok).toBe(true);
    expect(out.text).toContain(`image: quay.io/x/web@sha256:${'b'.repeat(64)}`);
    expect(out.text).toBe(transform(input, { wholeDocument: true }).text);
  });
});
