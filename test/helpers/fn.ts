/** Test helpers for the KRM function: dedented YAML, resource builders, fake digests, runFn. */
import { createHash } from 'node:crypto';
import { parse, stringify } from 'yaml';
import { transform } from '../../src/fn/transform.js';
import type { TransformOptions } from '../../src/fn/transform.js';

/** Template tag that strips the common indentation, so inline YAML reads naturally in tests. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = raw.replace(/^\n/, '').replace(/\n[ \t]*$/, '\n').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** A digest of the right shape, derived from a name (so tests read `fakeDigest('ubi-122')`). */
export function fakeDigest(name: string): string {
  return `sha256:${createHash('sha256').update(name).digest('hex')}`;
}

export interface ContainerSpec {
  name: string;
  image: string;
}

export function deployment(opts: {
  name: string;
  namespace?: string;
  kind?: string;
  triggers?: unknown;
  containers: ContainerSpec[];
  initContainers?: ContainerSpec[];
  annotations?: Record<string, string>;
}): Record<string, unknown> {
  const annotations: Record<string, string> = { ...opts.annotations };
  if (opts.triggers !== undefined) annotations['image.openshift.io/triggers'] = typeof opts.triggers === 'string' ? opts.triggers : JSON.stringify(opts.triggers);
  const podSpec = { ...(opts.initContainers ? { initContainers: opts.initContainers } : {}), containers: opts.containers };
  const kind = opts.kind ?? 'Deployment';
  const spec =
    kind === 'Pod' ? podSpec : kind === 'CronJob' ? { schedule: '@hourly', jobTemplate: { spec: { template: { spec: podSpec } } } } : { template: { spec: podSpec } };
  return {
    apiVersion: kind === 'CronJob' || kind === 'Job' ? 'batch/v1' : kind === 'Pod' ? 'v1' : 'apps/v1',
    kind,
    metadata: { name: opts.name, ...(opts.namespace ? { namespace: opts.namespace } : {}), ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec,
  };
}

export function trigger(from: string, container: string, extra: Record<string, unknown> = {}, base = 'spec.template.spec', list = 'containers') {
  return { from: { kind: 'ImageStreamTag', name: from, ...(extra.namespace ? { namespace: extra.namespace } : {}) }, fieldPath: `${base}.${list}[?(@.name=="${container}")].image`, ...(extra.paused ? { paused: true } : {}) };
}

export function imageStream(name: string, namespace: string | undefined, tags: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name, ...(namespace ? { namespace } : {}) }, spec: { tags, ...extra } };
}

export interface LockTagSpec {
  tag: string;
  from?: string;
  repo: string;
  builds?: string[];
  pinned?: number;
  alias?: string;
}

/** A lock item; `builds` oldest first, each becomes a generation with fakeDigest(build). */
export function lock(streams: Array<{ name: string; namespace?: string; tags: LockTagSpec[] }>): Record<string, unknown> {
  return {
    apiVersion: 'streamlock.dev/v1alpha1',
    kind: 'ImageStreamLock',
    metadata: { name: 'imagestreams', annotations: { 'config.kubernetes.io/local-config': 'true' } },
    streams: streams.map((s) => ({
      name: s.name,
      ...(s.namespace ? { namespace: s.namespace } : {}),
      tags: s.tags.map((t) => ({
        tag: t.tag,
        ...(t.from ? { from: t.from } : {}),
        ...(t.alias ? { alias: t.alias } : {}),
        ...(t.pinned ? { pinned: t.pinned } : {}),
        ...(t.alias
          ? {}
          : {
              items: (t.builds ?? [])
                .map((b, i) => ({ generation: i + 1, created: `2026-11-${String(10 + i).padStart(2, '0')}T09:00:00Z`, image: fakeDigest(b), dockerImageReference: `${t.repo}@${fakeDigest(b)}` }))
                .reverse(),
            }),
      })),
    })),
  };
}

export function resourceList(items: unknown[], functionConfig?: Record<string, unknown>): string {
  return stringify({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items, ...(functionConfig ? { functionConfig } : {}) }, { indentSeq: false, lineWidth: 0 });
}

export interface FnRun {
  text: string;
  ok: boolean;
  out: { items: any[]; results: any[] };
  codes: string[];
  errors: any[];
}

/** Runs the function in-process and parses its output. */
export function runFn(input: string, options: TransformOptions = {}): FnRun {
  const r = transform(input, options);
  const out = parse(r.text) as { items: any[]; results: any[] };
  const results = out.results ?? [];
  return { text: r.text, ok: r.ok, out, codes: results.map((x: any) => x.tags?.code), errors: results.filter((x: any) => x.severity === 'error') };
}

export function imageOf(item: any, container = 0, list = 'containers'): string {
  const spec = item.kind === 'CronJob' ? item.spec.jobTemplate.spec.template.spec : item.kind === 'Pod' ? item.spec : item.spec.template.spec;
  return spec[list][container].image;
}
