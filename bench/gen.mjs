#!/usr/bin/env node
/**
 * Generates a ResourceList the way `kpt fn render` hands one to a function: 2-space indent,
 * compact sequences, `config.kubernetes.io/*` and `internal.config.kubernetes.io/*` path and index
 * annotations on every item (kpt writes both), string values single-quoted as kyaml quotes them.
 *
 * Contents: N Deployments (44 lines each), each with one image trigger on its `app` container
 * (image `sNNN:latest`, not yet resolved, so the function has an edit to make) and a sidecar
 * pinned by digest; workload i follows stream `s${i % streams}`. Then the ImageStreamLock item with
 * every stream (sorted by name, one tag `latest`, one recorded image). Digests are sha256 of the
 * stream name: the output is a pure function of (N, streams).
 *
 *   node bench/gen.mjs N [--streams 500] > list.yaml
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';

export const DEFAULT_STREAMS = 500;
const NAMESPACE = 'bench';
const REGISTRY = 'registry.example.com/team';

const sha256 = (s) => createHash('sha256').update(s).digest('hex');
const SIDECAR_IMAGE = `registry.example.com/infra/envoy@sha256:${sha256('envoy')}`;

function deployment(i, streams) {
  const name = `app-${String(i).padStart(5, '0')}`;
  const stream = `s${i % streams}`;
  const path = `deployments/${name}.yaml`;
  const trigger = JSON.stringify([
    { from: { kind: 'ImageStreamTag', name: `${stream}:latest` }, fieldPath: 'spec.template.spec.containers[?(@.name=="app")].image' },
  ]);
  return `- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: ${name}
    namespace: ${NAMESPACE}
    labels:
      app.kubernetes.io/name: ${name}
      app.kubernetes.io/part-of: bench
    annotations:
      image.openshift.io/triggers: '${trigger}'
      config.kubernetes.io/index: '0'
      config.kubernetes.io/path: '${path}'
      internal.config.kubernetes.io/index: '0'
      internal.config.kubernetes.io/path: '${path}'
  spec:
    replicas: 2
    selector:
      matchLabels:
        app.kubernetes.io/name: ${name}
    template:
      metadata:
        labels:
          app.kubernetes.io/name: ${name}
      spec:
        containers:
        - name: app
          image: ${stream}:latest
          ports:
          - name: http
            containerPort: 8080
          env:
          - name: LOG_LEVEL
            value: info
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
        - name: proxy
          image: ${SIDECAR_IMAGE}
          args:
          - --config-path=/etc/envoy/envoy.yaml
          ports:
          - name: admin
            containerPort: 9901
`;
}

function lock(streams) {
  const path = 'imagestreams.lock.yaml';
  const names = Array.from({ length: streams }, (_, k) => `s${k}`).sort();
  let out = `- apiVersion: streamlock.dev/v1alpha1
  kind: ImageStreamLock
  metadata:
    name: imagestreams
    annotations:
      config.kubernetes.io/local-config: "true"
      config.kubernetes.io/index: '0'
      config.kubernetes.io/path: '${path}'
      internal.config.kubernetes.io/index: '0'
      internal.config.kubernetes.io/path: '${path}'
  streams:
`;
  for (const name of names) {
    const digest = `sha256:${sha256(name)}`;
    out += `  - name: ${name}
    namespace: ${NAMESPACE}
    tags:
    - tag: latest
      from: ${REGISTRY}/${name}:latest
      items:
      - generation: 1
        created: "2026-11-20T10:12:00Z"
        image: ${digest}
        dockerImageReference: ${REGISTRY}/${name}@${digest}
`;
  }
  return out;
}

/** Yields the ResourceList in chunks (a 50k list is ~80 MB; no need to hold it twice). */
export function* generateChunks(n, { streams = DEFAULT_STREAMS } = {}) {
  if (!Number.isInteger(n) || n < 0) throw new Error(`N must be a non-negative integer, not ${n}`);
  if (!Number.isInteger(streams) || streams < 1) throw new Error(`streams must be a positive integer, not ${streams}`);
  yield 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n';
  let buf = '';
  for (let i = 0; i < n; i++) {
    buf += deployment(i, streams);
    if (buf.length > 1 << 20) {
      yield buf;
      buf = '';
    }
  }
  yield buf;
  yield lock(streams);
}

export function generate(n, options) {
  return [...generateChunks(n, options)].join('');
}

/** Writes the list to a file; returns its size in bytes. */
export async function generateFile(file, n, options) {
  const { createWriteStream } = await import('node:fs');
  const { once } = await import('node:events');
  const out = createWriteStream(file);
  let bytes = 0;
  for (const chunk of generateChunks(n, options)) {
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const si = args.indexOf('--streams');
  const streams = si >= 0 ? Number(args.splice(si, 2)[1]) : DEFAULT_STREAMS;
  const n = Number(args[0] ?? NaN);
  if (args.length !== 1 || !Number.isInteger(n)) {
    process.stderr.write('usage: node bench/gen.mjs N [--streams 500] > list.yaml\n');
    process.exit(2);
  }
  for (const chunk of generateChunks(n, { streams })) {
    if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once('drain', r));
  }
}
