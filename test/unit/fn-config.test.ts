import { describe, expect, it } from 'vitest';
import { StreamlockError } from '../../src/errors.js';
import { DEFAULT_CONFIG, readFunctionConfig } from '../../src/fn/config.js';
import { transform } from '../../src/fn/transform.js';

describe('functionConfig', () => {
  it('defaults to safe options', () => {
    expect(readFunctionConfig(undefined)).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG).toMatchObject({ unresolved: 'error', removeImageStreams: false, removeLock: false, annotate: true });
  });

  it('reads a ConfigMap as kpt fn eval -- key=value builds it (all strings)', () => {
    const c = readFunctionConfig({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'function-input' }, data: { lockfile: 'x.lock.yaml', namespace: 'demo', unresolved: 'warn', removeImageStreams: 'true', annotate: 'false' } });
    expect(c).toEqual({ lockfile: 'x.lock.yaml', namespace: 'demo', unresolved: 'warning', removeImageStreams: true, removeLock: false, annotate: false });
  });

  it('reads an ImageStreamResolver spec with real booleans', () => {
    const c = readFunctionConfig({ apiVersion: 'streamlock.dev/v1alpha1', kind: 'ImageStreamResolver', spec: { removeLock: true, unresolved: 'ignore' } });
    expect(c.removeLock).toBe(true);
    expect(c.unresolved).toBe('ignore');
  });

  it.each([
    [{ kind: 'Secret', data: {} }, 'kind'],
    [{ kind: 'ConfigMap', data: { lockFile: 'x' } }, 'data.lockFile: unknown option'],
    [{ kind: 'ConfigMap', data: { annotate: 'yes' } }, 'data.annotate: must be true or false'],
    [{ kind: 'ImageStreamResolver', spec: { unresolved: 'sometimes' } }, 'spec.unresolved'],
    [{ kind: 'ImageStreamResolver', spec: { namespace: 7 } }, 'spec.namespace: must be a string'],
  ])('rejects %j naming the field', (fc, what) => {
    expect(() => readFunctionConfig(fc)).toThrow(StreamlockError);
    expect(() => readFunctionConfig(fc)).toThrow(what);
  });
});

describe('hostile keys', () => {
  it('__proto__ keys in items and functionConfig pollute nothing', () => {
    const input = `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: x
    __proto__: {polluted: yes}
  __proto__:
    polluted: yes
functionConfig:
  apiVersion: v1
  kind: ConfigMap
  metadata: {name: c}
  data:
    __proto__: {annotate: "false"}
`;
    const out = transform(input);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    // an unknown key is reported, not merged into the options
    expect(out.ok).toBe(false);
    expect(out.results[0]?.message).toContain('__proto__');
  });
});
