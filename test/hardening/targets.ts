/**
 * Fuzz targets: one per parser, each an input generator (random and near-valid) plus a check that
 * throws `Violation` when the parser does anything but return a correct result or a coded error.
 * Shared by the normal suite (test/hardening/properties.test.ts, a few hundred runs each) and
 * `scripts/fuzz.mjs` (10,000+ runs each, bundled on the fly).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseDocument, stringify } from 'yaml';
import { StreamlockError } from '../../src/errors.js';
import { parseImageRef } from '../../src/image-ref.js';
import { formatTriggers, parseTriggers } from '../../src/triggers.js';
import { formatFieldPath, parseFieldPath } from '../../src/field-path.js';
import { WORKLOAD_KINDS } from '../../src/workloads.js';
import { lockToObject, parseLock } from '../../src/lockfile/format.js';
import { parseLockfileText } from '../../src/lockfile/store.js';
import { renderNewLockfile } from '../../src/lockfile/edit.js';
import { parseResourceList } from '../../src/krm/resource-list.js';
import { transform } from '../../src/fn/transform.js';
import { authsOf, findAuthEntry, parseAuthEntry } from '../../src/credentials/auths.js';
import { CredentialsError } from '../../src/credentials/credential.js';
import { createConfigFileSource } from '../../src/credentials/config-file.js';
import { pullSecretSource } from '../../src/credentials/pull-secrets.js';
import { parseWwwAuthenticate, WwwAuthenticateError } from '../../src/registry/www-authenticate.js';
import { deployment, fakeDigest, imageStream, lock, resourceList, trigger } from '../helpers/fn.js';
import { mutatedText, mutatedValue } from './mutate.js';

export class Violation extends Error {
  override name = 'Violation';
}

function violated(what: string, cause?: unknown): never {
  throw new Violation(what, cause === undefined ? undefined : { cause });
}

const CODE_RE = /^[A-Z][A-Z0-9_]+$/;

/** The only acceptable failure: one of our error classes, with a code and a readable message. */
export function checkCodedError(e: unknown, allowed: ReadonlyArray<new (...a: never[]) => Error>): string {
  if (e instanceof Violation) throw e;
  if (!allowed.some((cls) => e instanceof cls)) {
    violated(`threw ${(e as Error)?.constructor?.name ?? typeof e}: ${String((e as Error)?.message ?? e).slice(0, 200)}`, e);
  }
  const { code, message } = e as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || !CODE_RE.test(code)) violated(`error without a code: ${String(message)}`, e);
  if (typeof message !== 'string' || message.length < 8) violated(`error ${code} with no message`, e);
  if (/\[object Object\]|\bat .+:\d+:\d+\)/.test(message)) violated(`error ${code} message is not readable: ${message.slice(0, 200)}`, e);
  return code;
}

const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort().join(',');
/** Object.prototype must be exactly as it was: no key added by any input. */
export function checkPrototypeClean(): void {
  if (Object.getOwnPropertyNames(Object.prototype).sort().join(',') !== PROTO_KEYS) violated('Object.prototype gained a property');
  const probe = {} as Record<string, unknown>;
  for (const k of ['polluted', 'lockfile', 'auth', 'items', 'pinned', 'isAdmin']) if (probe[k] !== undefined) violated(`({}).${k} is set`);
}

export interface FuzzTarget<T = unknown> {
  readonly name: string;
  readonly arbitrary: fc.Arbitrary<T>;
  /**
   * Throws Violation (or anything else: also a failure) when the parser misbehaves; otherwise
   * returns the outcome (`ok` or the error code), which the fuzz script counts.
   */
  check(input: T): string | Promise<string>;
  /** Short printable form of an input, for hang reports. */
  preview?(input: T): string;
}

// ------------------------------------------------------------------------------------------------
// Valid generators

const lower = fc.stringMatching(/^[a-z0-9]{1,8}$/);
const pathComponent = fc.tuple(lower, fc.option(fc.tuple(fc.constantFrom('.', '_', '__', '-', '--'), lower), { nil: undefined })).map(([a, b]) => (b ? `${a}${b[0]}${b[1]}` : a));
const registryHost = fc.constantFrom('quay.io', 'localhost:5000', '127.0.0.1:5000', 'registry.example.com', 'docker.io', 'index.docker.io', 'Example.COM:443', '[::1]:5000');
const tagArb = fc.stringMatching(/^[\w][\w.-]{0,20}$/);
const digestArb = fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => `sha256:${h}`);

export const validImageRef = fc
  .tuple(fc.option(registryHost, { nil: undefined }), fc.array(pathComponent, { minLength: 1, maxLength: 3 }), fc.option(tagArb, { nil: undefined }), fc.option(digestArb, { nil: undefined }))
  .map(([reg, path, tag, digest]) => `${reg ? `${reg}/` : ''}${path.join('/')}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`);

const streamName = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
const containerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
const kindArb = fc.constantFrom(...Object.keys(WORKLOAD_KINDS));

export const validFieldPath = fc
  .tuple(kindArb, fc.constantFrom('containers', 'initContainers'), fc.oneof(containerName, fc.nat({ max: 20 })))
  .map(([kind, list, sel]) => {
    const base = WORKLOAD_KINDS[kind]!.podSpecPath;
    return { kind, path: typeof sel === 'number' ? `${base.join('.')}.${list}[${sel}].image` : formatFieldPath(base, list as 'containers', sel) };
  });

const validTrigger = fc
  .record({ stream: streamName, tag: tagArb, ns: fc.option(streamName, { nil: undefined }), container: containerName, paused: fc.boolean() })
  .map((t) => trigger(`${t.stream}:${t.tag}`, t.container, { namespace: t.ns, paused: t.paused }));

export const validTriggers = fc.array(validTrigger, { maxLength: 4 });

const lockSpec = fc.array(
  fc.record({
    name: streamName,
    namespace: fc.option(streamName, { nil: undefined }),
    tags: fc.uniqueArray(
      fc.record({ tag: tagArb, builds: fc.array(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }), pin: fc.option(fc.nat({ max: 4 }), { nil: undefined }) }),
      { selector: (t) => t.tag, maxLength: 3 },
    ),
  }),
  { maxLength: 3 },
);

/** A valid lock object (through the same helper the golden tests use). */
export const validLock = lockSpec.map((streams) => {
  const seen = new Set<string>();
  const unique = streams.filter((s) => !seen.has(`${s.namespace}/${s.name}`) && seen.add(`${s.namespace}/${s.name}`));
  return lock(
    unique.map((s) => ({
      name: s.name,
      ...(s.namespace ? { namespace: s.namespace } : {}),
      tags: s.tags.map((t) => ({ tag: t.tag, repo: `quay.io/acme/${s.name}`, builds: t.builds, ...(t.pin && t.pin <= t.builds.length ? { pinned: t.pin } : {}) })),
    })),
  );
});

/** A ResourceList with workloads whose triggers name streams of the lock (and some that do not). */
export const validResourceListData = fc
  .tuple(
    fc.uniqueArray(fc.record({ stream: streamName, tag: tagArb, builds: fc.array(fc.string({ minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 3 }) }), { selector: (s) => s.stream, minLength: 1, maxLength: 3 }),
    fc.array(fc.record({ kind: fc.constantFrom('Deployment', 'StatefulSet', 'CronJob', 'Pod', 'Job'), containers: fc.uniqueArray(containerName, { minLength: 1, maxLength: 3 }), pick: fc.array(fc.nat(), { maxLength: 3 }) }), { maxLength: 3 }),
    fc.constantFrom('lock item', 'no lock', 'imagestream'),
    fc.option(fc.record({ annotate: fc.boolean(), unresolved: fc.constantFrom('error', 'warn', 'ignore') }), { nil: undefined }),
  )
  .map(([streams, workloads, lockMode, config]) => {
    const items: unknown[] = workloads.map((w, i) => {
      const base = w.kind === 'CronJob' ? 'spec.jobTemplate.spec.template.spec' : w.kind === 'Pod' ? 'spec' : 'spec.template.spec';
      const triggers = w.pick.filter((p) => p % (w.containers.length + 1) < w.containers.length).map((p) => {
        const s = streams[p % streams.length]!;
        return trigger(`${s.stream}:${s.tag}`, w.containers[p % w.containers.length]!, {}, base);
      });
      const seen = new Set<string>();
      return deployment({
        name: `app-${i}`,
        kind: w.kind,
        triggers: triggers.filter((t) => !seen.has(t.fieldPath) && seen.add(t.fieldPath)),
        containers: w.containers.map((c) => ({ name: c, image: `${c}:latest` })),
      });
    });
    if (lockMode === 'lock item') items.push(lock(streams.map((s) => ({ name: s.stream, tags: [{ tag: s.tag, repo: `quay.io/acme/${s.stream}`, builds: s.builds }] }))));
    if (lockMode === 'imagestream') items.push(imageStream(streams[0]!.stream, undefined, [{ name: streams[0]!.tag, from: { kind: 'DockerImage', name: `quay.io/acme/x@${fakeDigest('is')}` } }]));
    const functionConfig = config ? { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { annotate: String(config.annotate), unresolved: config.unresolved } } : undefined;
    return { apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items, ...(functionConfig ? { functionConfig } : {}) };
  });

/** The same data written as block YAML, compact JSON, or pretty JSON. */
export const validResourceListText = fc.tuple(validResourceListData, fc.constantFrom('yaml', 'json', 'pretty')).map(([data, style]) =>
  style === 'yaml' ? resourceList(data.items, data.functionConfig) : style === 'json' ? JSON.stringify(data) : JSON.stringify(data, null, 2),
);

const validDockerConfig = fc
  .record({
    hosts: fc.array(fc.tuple(fc.constantFrom('quay.io', 'https://index.docker.io/v1/', 'localhost:5000', 'quay.io/acme', 'http://Quay.IO/v2/'), fc.string({ minLength: 1, maxLength: 6 }), fc.string({ maxLength: 8 })), { maxLength: 3 }),
    token: fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: undefined }),
  })
  .map(({ hosts, token }) => ({
    auths: Object.fromEntries(hosts.map(([h, u, p], i) => [h, i === 0 && token ? { identitytoken: token } : i % 2 ? { username: u, password: p } : { auth: Buffer.from(`${u.replace(/:/g, '')}x:${p}`).toString('base64') }])),
  }));

// ------------------------------------------------------------------------------------------------
// Targets

const anyString = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }));

const imageRefTarget: FuzzTarget<string> = {
  name: 'parseImageRef',
  arbitrary: fc.oneof({ weight: 1, arbitrary: anyString }, { weight: 4, arbitrary: mutatedText(validImageRef, 3) }),
  check(input) {
    let ref;
    try {
      ref = parseImageRef(input);
    } catch (e) {
      const code = checkCodedError(e, [StreamlockError]);
      if (code !== 'IMAGE_REF_INVALID') violated(`code ${code}`);
      return code;
    }
    // Accepted references round-trip: the parts written back parse to the same thing.
    const again = parseImageRef(`${ref.name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`);
    if (JSON.stringify(again) !== JSON.stringify(ref)) violated(`round trip changed ${input}`);
    if (ref.repository !== ref.repository.toLowerCase() || /\s/.test(input)) violated(`accepted ${JSON.stringify(input)}`);
    return 'ok';
  },
};

const triggersTarget: FuzzTarget<string> = {
  name: 'parseTriggers',
  arbitrary: fc.oneof(
    { weight: 1, arbitrary: anyString },
    { weight: 3, arbitrary: mutatedText(validTriggers.map((t) => JSON.stringify(t)), 3) },
    { weight: 3, arbitrary: mutatedValue(validTriggers, 3).map((v) => JSON.stringify(v) ?? 'undefined') },
  ),
  check(input) {
    let parsed;
    try {
      parsed = parseTriggers(input);
    } catch (e) {
      violated(`parseTriggers threw ${(e as Error).constructor?.name}: ${(e as Error).message}`, e);
    }
    for (const p of parsed.problems) if (!CODE_RE.test(p.code) || p.message.length < 8) violated(`problem without code/message: ${JSON.stringify(p)}`);
    const firstError = parsed.problems.find((p) => p.severity === 'error');
    if (firstError) return firstError.code;
    const again = parseTriggers(formatTriggers(parsed.triggers));
    const strip = (ts: typeof parsed.triggers) => JSON.stringify(ts.map(({ index: _i, ...t }) => t));
    if (strip(again.triggers) !== strip(parsed.triggers) || again.problems.length > 0) violated(`format/parse round trip changed ${input}`);
    return 'ok';
  },
};

const fieldPathTarget: FuzzTarget<{ kind: string; path: string }> = {
  name: 'parseFieldPath',
  arbitrary: fc.oneof(
    { weight: 1, arbitrary: fc.record({ kind: kindArb, path: anyString }) },
    { weight: 4, arbitrary: validFieldPath.chain((v) => mutatedText(fc.constant(v.path), 3).map((path) => ({ kind: v.kind, path }))) },
  ),
  check({ kind, path }) {
    const base = WORKLOAD_KINDS[kind]!.podSpecPath;
    let r;
    try {
      r = parseFieldPath(path, base, kind);
    } catch (e) {
      violated(`parseFieldPath threw ${(e as Error).constructor?.name}: ${(e as Error).message}`, e);
    }
    if (!r.ok) {
      if (!['FIELDPATH_REJECTED', 'TRIGGER_WRONG_KIND_PATH'].includes(r.problem.code) || r.problem.reason.length < 8) violated(`bad problem ${JSON.stringify(r.problem)}`);
      return r.problem.code;
    }
    // Strictness: anything accepted is exactly one of the two canonical forms, nothing else.
    const { list, selector } = r.value;
    const canonical = selector.by === 'name' ? formatFieldPath(base, list, selector.name) : `${base.join('.')}.${list}[${selector.index}].image`;
    if (canonical !== path) violated(`accepted a non-canonical path ${JSON.stringify(path)}`);
    return 'ok';
  },
};

const lockDataTarget: FuzzTarget<unknown> = {
  name: 'parseLock',
  arbitrary: fc.oneof({ weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) }, { weight: 5, arbitrary: mutatedValue(validLock, 3) }),
  check(input) {
    let parsed;
    try {
      parsed = parseLock(input, { description: 'fuzz' });
    } catch (e) {
      return checkCodedError(e, [StreamlockError]);
    }
    // Accepted locks survive the writer: rendered, re-read, the same data.
    const text = renderNewLockfile(parsed);
    const back = parseLockfileText(text, 'fuzz.yaml');
    if (JSON.stringify(lockToObject(back)) !== JSON.stringify(lockToObject(parsed))) violated('lock changed through render/parse');
    return 'ok';
  },
};

const lockTextTarget: FuzzTarget<string> = {
  name: 'parseLockfileText',
  arbitrary: fc.oneof({ weight: 1, arbitrary: anyString }, { weight: 5, arbitrary: mutatedText(validLock.map((l) => stringify(l, { lineWidth: 0 })), 4) }),
  check(input) {
    try {
      parseLockfileText(input, 'fuzz.yaml');
      return 'ok';
    } catch (e) {
      return checkCodedError(e, [StreamlockError]);
    }
  },
};

const resourceListTarget: FuzzTarget<string> = {
  name: 'parseResourceList',
  arbitrary: fc.oneof({ weight: 1, arbitrary: anyString }, { weight: 5, arbitrary: mutatedText(validResourceListText, 4) }),
  check(input) {
    try {
      parseResourceList(input);
      return 'ok';
    } catch (e) {
      return checkCodedError(e, [StreamlockError]);
    }
  },
};

/** Source text of each item of a parsed list, for byte-identity checks. */
function itemTexts(text: string): string[] | undefined {
  let list;
  try {
    list = parseResourceList(text, { whole: true });
  } catch {
    return undefined;
  }
  const texts: string[] = [];
  for (let i = 0; i < list.count; i++) {
    const { node } = list.item(i);
    texts.push(text.slice(node.range![0], node.range![1]));
  }
  return texts;
}

export const transformInput = fc.oneof(
  { weight: 1, arbitrary: anyString },
  { weight: 3, arbitrary: mutatedText(validResourceListText, 4) },
  { weight: 3, arbitrary: fc.tuple(mutatedValue(validResourceListData, 3), fc.boolean()).map(([d, json]) => (json ? JSON.stringify(d) ?? '' : stringify(d, { lineWidth: 0 }))) },
  { weight: 1, arbitrary: validResourceListText },
);

const transformTarget: FuzzTarget<string> = {
  name: 'transform',
  arbitrary: transformInput,
  preview: (s) => s.slice(0, 500),
  check(input) {
    let out;
    try {
      out = transform(input, { readFile: () => { throw Object.assign(new Error('no files in fuzzing'), { code: 'ENOENT' }); } });
    } catch (e) {
      violated(`transform threw ${(e as Error).constructor?.name}: ${(e as Error).message}`, e);
    }
    // The output is always a ResourceList with results (no alias expansion needed to see that).
    const doc = parseDocument(out.text, { uniqueKeys: false });
    if (doc.errors.length > 0) violated(`output is not YAML: ${doc.errors[0]!.message}`);
    const root = doc.contents as unknown as { get(k: string, keep?: boolean): unknown } | null;
    if (!root || typeof root.get !== 'function' || root.get('kind') !== 'ResourceList') violated('output is not a ResourceList');
    const results = (doc.get('results') as { toJSON(): unknown[] } | undefined)?.toJSON() ?? [];
    if (results.length !== out.results.length) violated('results in the output differ from the results returned');
    for (const r of out.results) if (!CODE_RE.test(r.tags?.code ?? '') || r.message.length < 8) violated(`result without code/message: ${JSON.stringify(r)}`);
    const before = itemTexts(input);
    if (!out.ok) {
      if (!out.results.some((r) => r.severity === 'error')) violated('not ok without an error result');
      // A failed run changes no item: each comes out byte for byte.
      if (before && JSON.stringify(itemTexts(out.text)) !== JSON.stringify(before)) violated('a failed run changed items');
      return out.results.find((r) => r.severity === 'error')!.tags!.code!;
    }
    // Idempotent: a second run over the output changes nothing.
    const again = transform(out.text, { readFile: () => { throw new Error('no files'); } });
    if (!again.ok || again.text !== out.text) violated('second run changed the output');
    return out.changed > 0 ? 'ok (changed)' : 'ok';
  },
};

const authsTarget: FuzzTarget<{ config: unknown; registry: string; repository: string }> = {
  name: 'credentials (auths)',
  arbitrary: fc.record({
    config: fc.oneof({ weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) }, { weight: 4, arbitrary: mutatedValue(validDockerConfig, 3) }),
    registry: fc.constantFrom('quay.io', 'docker.io', 'localhost:5000', 'QUAY.IO', '__proto__', 'constructor'),
    repository: fc.constantFrom('acme/app', 'library/nginx', '__proto__/x', 'a/b/c'),
  }),
  check({ config, registry, repository }) {
    let outcome = 'ok';
    for (const scoped of [false, true]) {
      try {
        const auths = authsOf(config, 'fuzz config');
        const found = findAuthEntry(auths, registry, repository, scoped);
        if (found) {
          const c = parseAuthEntry(found.entry, 'fuzz config', found.key);
          if (c && JSON.stringify(c).includes('password":"') && !JSON.stringify(c).includes('[redacted]')) violated('credential serialised with its secret');
        }
      } catch (e) {
        outcome = checkCodedError(e, [CredentialsError]);
      }
    }
    return outcome;
  },
};

let scratch: string | undefined;
function scratchDir(): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'streamlock-fuzz-'));
  return scratch;
}
export function cleanupScratch(): void {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}

const pullSecretText = fc.oneof(
  { weight: 1, arbitrary: anyString },
  {
    weight: 4,
    arbitrary: mutatedText(
      validDockerConfig.map((c) =>
        stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pull' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from(JSON.stringify(c)).toString('base64') } }),
      ),
      3,
    ),
  },
  { weight: 2, arbitrary: mutatedValue(validDockerConfig.map((c) => ({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': JSON.stringify(c) } })), 3).map((v) => JSON.stringify(v) ?? '') },
);

const pullSecretTarget: FuzzTarget<string> = {
  name: 'credentials (pull secret file)',
  arbitrary: pullSecretText,
  async check(text) {
    const file = join(scratchDir(), 'secret.yaml');
    writeFileSync(file, text);
    try {
      await pullSecretSource([file], '/nonexistent-home').lookup('quay.io', 'acme/app');
      return 'ok';
    } catch (e) {
      return checkCodedError(e, [CredentialsError]);
    }
  },
};

const dockerConfigTarget: FuzzTarget<string> = {
  name: 'credentials (docker config file)',
  arbitrary: fc.oneof(
    { weight: 1, arbitrary: anyString },
    { weight: 4, arbitrary: mutatedText(validDockerConfig.map((c) => JSON.stringify(c)), 3) },
    { weight: 3, arbitrary: mutatedValue(validDockerConfig, 3).map((v) => JSON.stringify(v) ?? '') },
  ),
  async check(text) {
    const file = join(scratchDir(), 'config.json');
    writeFileSync(file, text);
    // An empty PATH: a fuzzed credsStore or credHelpers names no program that exists.
    const source = createConfigFileSource({ path: file, label: 'fuzz config', repoScoped: false, env: { PATH: scratchDir() } });
    try {
      await source.lookup('quay.io', 'acme/app');
      return 'ok';
    } catch (e) {
      return checkCodedError(e, [CredentialsError]);
    }
  },
};

const validChallenge = fc
  .record({ realm: fc.webUrl(), service: fc.option(fc.domain(), { nil: undefined }), scope: fc.option(fc.constantFrom('repository:a/b:pull', 'repository:a:pull,push'), { nil: undefined }), basic: fc.boolean() })
  .map(({ realm, service, scope, basic }) => `Bearer realm="${realm}"${service ? `,service="${service}"` : ''}${scope ? `,scope="${scope}"` : ''}${basic ? ', Basic realm="x"' : ''}`);

const wwwAuthenticateTarget: FuzzTarget<string> = {
  name: 'parseWwwAuthenticate',
  arbitrary: fc.oneof({ weight: 1, arbitrary: anyString }, { weight: 4, arbitrary: mutatedText(validChallenge, 4) }),
  check(input) {
    try {
      const cs = parseWwwAuthenticate(input);
      if (cs.length === 0) violated('no challenges and no error');
      for (const c of cs) if (Object.getPrototypeOf(c.params) !== null) violated('params object has a prototype');
      return 'ok';
    } catch (e) {
      return checkCodedError(e, [WwwAuthenticateError]);
    }
  },
};

export const TARGETS: readonly FuzzTarget<any>[] = [
  imageRefTarget,
  triggersTarget,
  fieldPathTarget,
  lockDataTarget,
  lockTextTarget,
  resourceListTarget,
  transformTarget,
  authsTarget,
  pullSecretTarget,
  dockerConfigTarget,
  wwwAuthenticateTarget,
];

/** Wraps a target's check with the prototype check. */
export async function runCheck<T>(target: FuzzTarget<T>, input: T): Promise<string> {
  const outcome = await target.check(input);
  checkPrototypeClean();
  return outcome;
}
