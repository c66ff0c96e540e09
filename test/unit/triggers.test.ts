import { describe, expect, it } from 'vitest';
import { formatTriggers, parseTriggers } from '../../src/triggers.js';

const FP = 'spec.template.spec.containers[?(@.name=="web")].image';

describe('parseTriggers', () => {
  it('reads what oc set triggers writes', () => {
    const value = `[{"from":{"kind":"ImageStreamTag","name":"web:1.4"},"fieldPath":"spec.template.spec.containers[?(@.name==\\"web\\")].image"},{"from":{"kind":"ImageStreamTag","name":"envoy:stable","namespace":"shared-images"},"fieldPath":"spec.template.spec.containers[?(@.name==\\"proxy\\")].image","paused":true}]`;
    const { triggers, problems } = parseTriggers(value);
    expect(problems).toEqual([]);
    expect(triggers).toEqual([
      { index: 0, stream: 'web', tag: '1.4', namespace: undefined, fieldPath: FP, paused: false },
      { index: 1, stream: 'envoy', tag: 'stable', namespace: 'shared-images', fieldPath: 'spec.template.spec.containers[?(@.name=="proxy")].image', paused: true },
    ]);
  });

  it('treats null and [] as no triggers', () => {
    expect(parseTriggers('null')).toEqual({ triggers: [], problems: [] });
    expect(parseTriggers('[]')).toEqual({ triggers: [], problems: [] });
  });

  it('takes an empty tag as latest, like OpenShift', () => {
    expect(parseTriggers(JSON.stringify([{ from: { kind: 'ImageStreamTag', name: 'web:' }, fieldPath: FP }])).triggers[0]?.tag).toBe('latest');
  });

  it.each([
    ['not JSON', '[{from:', 'TRIGGER_INVALID_JSON'],
    ['an object, not an array', JSON.stringify({ from: { kind: 'ImageStreamTag', name: 'a:b' }, fieldPath: FP }), 'TRIGGER_INVALID'],
    ['no colon in from.name', JSON.stringify([{ from: { kind: 'ImageStreamTag', name: 'web' }, fieldPath: FP }]), 'TRIGGER_INVALID'],
    ['two colons', JSON.stringify([{ from: { kind: 'ImageStreamTag', name: 'web:v1:x' }, fieldPath: FP }]), 'TRIGGER_INVALID'],
    ['unknown from.kind', JSON.stringify([{ from: { kind: 'DockerImage', name: 'web:latest' }, fieldPath: FP }]), 'TRIGGER_UNSUPPORTED_KIND'],
    ['apiVersion set', JSON.stringify([{ from: { kind: 'ImageStreamTag', name: 'web:1', apiVersion: 'image.openshift.io/v1' }, fieldPath: FP }]), 'TRIGGER_INVALID'],
    ['paused as a string', JSON.stringify([{ from: { kind: 'ImageStreamTag', name: 'web:1' }, fieldPath: FP, paused: 'true' }]), 'TRIGGER_INVALID'],
    ['no fieldPath', JSON.stringify([{ from: { kind: 'ImageStreamTag', name: 'web:1' } }]), 'TRIGGER_INVALID'],
    ['a number entry', '[42]', 'TRIGGER_INVALID'],
    ['duplicate fieldPaths', JSON.stringify([{ from: { kind: 'ImageStreamTag', name: 'a:1' }, fieldPath: FP }, { from: { kind: 'ImageStreamTag', name: 'b:1' }, fieldPath: FP }]), 'TRIGGER_DUPLICATE_FIELDPATH'],
  ])('reports %s', (_why, value, code) => {
    const { problems } = parseTriggers(value);
    expect(problems.filter((p) => p.severity === 'error').map((p) => p.code)).toContain(code);
  });

  it('reports every broken entry, not only the first, and keeps the good ones', () => {
    const { triggers, problems } = parseTriggers(JSON.stringify([{ from: { kind: 'X', name: 'a:1' }, fieldPath: 'a' }, { from: { kind: 'ImageStreamTag', name: 'ok:1' }, fieldPath: FP }, { from: {}, fieldPath: 'b' }]));
    expect(problems.map((p) => p.index)).toEqual([0, 2]);
    expect(triggers.map((t) => t.stream)).toEqual(['ok']);
  });

  it('warns on unknown keys instead of failing (OpenShift ignores them)', () => {
    const { triggers, problems } = parseTriggers(JSON.stringify([{ from: { kind: 'ImageStreamTag', name: 'a:1' }, fieldPath: FP, container: 'web' }]));
    expect(triggers).toHaveLength(1);
    expect(problems).toMatchObject([{ severity: 'warning', index: 0 }]);
  });

  it('does not let __proto__ keys change anything', () => {
    const { triggers } = parseTriggers('[{"__proto__":{"paused":true},"from":{"kind":"ImageStreamTag","name":"a:1"},"fieldPath":"x"}]');
    expect(triggers[0]?.paused).toBe(false);
    expect(({} as Record<string, unknown>).paused).toBeUndefined();
  });
});

describe('formatTriggers', () => {
  it('writes compact JSON in oc key order, paused only when true, round-trips', () => {
    const text = formatTriggers([{ stream: 'web', tag: 'latest', fieldPath: FP }, { stream: 'e', tag: 's', namespace: 'ns', fieldPath: 'x', paused: true }]);
    expect(text).toBe(`[{"from":{"kind":"ImageStreamTag","name":"web:latest"},"fieldPath":"spec.template.spec.containers[?(@.name==\\"web\\")].image"},{"from":{"kind":"ImageStreamTag","name":"e:s","namespace":"ns"},"fieldPath":"x","paused":true}]`);
    expect(parseTriggers(text).triggers.map((t) => `${t.stream}:${t.tag}`)).toEqual(['web:latest', 'e:s']);
  });
});
