/**
 * Resolves one image stream tag to a pinned pull spec, from the lock and the ImageStreams in the
 * input: pins, aliases and tag chains (with cycle detection), ImageStreamImage references,
 * digest-pinned DockerImage sources, and the reference policy. Pure.
 */
import type { ErrorCode } from './errors.js';
import { parseImageRef } from './image-ref.js';
import type { Lock, LockStream, LockTag, TagEvent } from './lockfile/format.js';
import { currentEvent, findTag, lookupStream } from './lockfile/history.js';
import type { ImageStreamInfo, SpecTag } from './imagestreams.js';

export interface StreamCatalog {
  readonly lock: Lock;
  /** ImageStreams of the input, keyed `namespace/name`. */
  readonly streams: ReadonlyMap<string, ImageStreamInfo>;
}

export interface Resolved {
  readonly pullSpec: string;
  readonly image: string;
  /** Generation of the event used; 0 when the spec itself names a digest. */
  readonly generation: number;
  readonly pinned: boolean;
  /** The tags followed, first the one asked for (`ubi:8`, then what it points at). */
  readonly chain: readonly string[];
}

export type Resolution = { readonly ok: true; readonly value: Resolved } | { readonly ok: false; readonly code: ErrorCode; readonly message: string; readonly miss: boolean };

export function streamKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function label(namespace: string, stream: string, tag: string, asked: string): string {
  return namespace && namespace !== asked ? `${namespace}/${stream}:${tag}` : `${stream}:${tag}`;
}

const MAX_CHAIN = 32;

/** Resolves `stream:tag` in `namespace` (the namespace of the workload asking). */
export function resolveTag(catalog: StreamCatalog, namespace: string, stream: string, tag: string): Resolution {
  const chain: string[] = [];
  const first = catalog.streams.get(streamKey(namespace, stream))?.tags.get(tag);
  const r = walk(catalog, namespace, stream, tag, chain, namespace);
  if (!r.ok) return r;
  // Only the reference policy of the tag asked for applies (OpenShift 4.4).
  if (first?.referencePolicy === 'Local') {
    const local = catalog.streams.get(streamKey(namespace, stream))?.localRepository;
    if (local) return { ok: true, value: { ...r.value, pullSpec: `${local}@${r.value.image}` } };
  }
  return r;
}

function fail(code: ErrorCode, message: string, miss = false): Resolution {
  return { ok: false, code, message, miss };
}

function fromEvent(ev: TagEvent, tag: LockTag, chain: string[]): Resolution {
  return { ok: true, value: { pullSpec: ev.dockerImageReference, image: ev.image, generation: ev.generation, pinned: tag.pinned !== undefined, chain } };
}

function walk(catalog: StreamCatalog, namespace: string, stream: string, tag: string, chain: string[], asked: string): Resolution {
  const here = label(namespace, stream, tag, asked);
  if (chain.includes(here)) return fail('TAG_CYCLE', `tags form a cycle: ${[...chain, here].join(' -> ')}`);
  if (chain.length >= MAX_CHAIN) return fail('TAG_CYCLE', `tag chain longer than ${MAX_CHAIN}: ${chain.join(' -> ')}`);
  chain.push(here);

  const info = catalog.streams.get(streamKey(namespace, stream));
  const lockStream = lookupStream(catalog.lock, stream, namespace) ?? info?.history;
  const lockTag = lockStream ? findTag(lockStream, tag) : undefined;
  const spec = info?.tags.get(tag);

  if (lockTag?.alias !== undefined) return walk(catalog, namespace, stream, lockTag.alias, chain, asked);
  // A lock recorded from another source than the spec names is stale, pinned or not: a pin
  // must not hide it until the day the pin is lifted.
  if (spec?.from?.kind === 'DockerImage' && !pinnedRef(spec.from.name) && lockTag?.from !== undefined && lockTag.from !== spec.from.name) {
    return fail(
      'TAG_SOURCE_MISMATCH',
      `${here}: the ImageStream now imports from ${spec.from.name} but the lock recorded ${lockTag.from}; run \`streamlock import\` to record the new source`,
    );
  }
  if (lockTag?.pinned !== undefined) {
    const ev = currentEvent(lockTag);
    if (!ev) return fail('LOCK_PIN_MISSING', `${here} is pinned to generation ${lockTag.pinned}, which is not recorded`);
    return fromEvent(ev, lockTag, chain);
  }
  if (spec?.from?.kind === 'ImageStreamTag') return followTagRef(catalog, namespace, stream, spec, chain, asked);
  if (spec?.from?.kind === 'ImageStreamImage') return followImageRef(catalog, namespace, spec, here, chain);
  if (spec?.from?.kind === 'DockerImage') {
    const pinnedSpec = pinnedRef(spec.from.name);
    if (pinnedSpec) return { ok: true, value: { ...pinnedSpec, generation: 0, pinned: false, chain } };
  }
  if (lockTag) {
    const ev = currentEvent(lockTag);
    if (ev) return fromEvent(ev, lockTag, chain);
  }
  if (spec?.from?.kind === 'DockerImage' && spec.reference) {
    return fail('TAG_NO_HISTORY', `${here} is a reference tag to ${spec.from.name}, which names no digest; pin it by digest or record it with \`streamlock import\``, true);
  }
  if (spec || lockTag) {
    return fail('TAG_NO_HISTORY', `${here} has no recorded image; run \`streamlock import\` to record it`, true);
  }
  if (info || lockStream) {
    const known = [...new Set([...(info ? info.tags.keys() : []), ...(lockStream ? lockStream.tags.map((t) => t.tag) : [])])].sort();
    return fail('TAG_NOT_FOUND', `image stream ${label(namespace, stream, '', asked).slice(0, -1)} has no tag "${tag}" (tags: ${known.join(', ') || 'none'})`, true);
  }
  return fail('STREAM_NOT_FOUND', `image stream ${namespace && namespace !== asked ? `${namespace}/` : ''}${stream} is neither in the input nor in the lock`, true);
}

function followTagRef(catalog: StreamCatalog, namespace: string, stream: string, spec: SpecTag, chain: string[], asked: string): Resolution {
  const from = spec.from!;
  const parts = from.name.split(':');
  if (parts.length > 2 || parts.some((p) => p === '')) return fail('TRIGGER_INVALID', `${chain.at(-1)}: spec tag from.name "${from.name}" is not "tag" or "stream:tag"`);
  const [targetStream, targetTag] = parts.length === 2 ? [parts[0]!, parts[1]!] : [stream, parts[0]!];
  return walk(catalog, from.namespace ?? namespace, targetStream, targetTag, chain, asked);
}

function followImageRef(catalog: StreamCatalog, namespace: string, spec: SpecTag, here: string, chain: string[]): Resolution {
  const from = spec.from!;
  const at = from.name.indexOf('@');
  if (at <= 0) return fail('TRIGGER_INVALID', `${here}: ImageStreamImage "${from.name}" is not "stream@digest"`);
  const sourceStream = from.name.slice(0, at);
  const id = from.name.slice(at + 1);
  const ns = from.namespace ?? namespace;
  const histories: LockStream[] = [];
  const locked = lookupStream(catalog.lock, sourceStream, ns);
  if (locked) histories.push(locked);
  const exported = catalog.streams.get(streamKey(ns, sourceStream))?.history;
  if (exported) histories.push(exported);
  const matches = new Map<string, TagEvent>();
  for (const h of histories) {
    for (const t of h.tags) {
      for (const ev of t.items) {
        if (ev.image === id || ev.image.startsWith(id) || ev.image.slice('sha256:'.length).startsWith(id)) {
          if (!matches.has(ev.image)) matches.set(ev.image, ev);
        }
      }
    }
  }
  if (matches.size === 0) return fail('IMAGE_NOT_FOUND', `${here}: no recorded image of ${sourceStream} matches ${id}`, true);
  if (matches.size > 1) return fail('IMAGE_NOT_FOUND', `${here}: ${id} matches ${matches.size} different images of ${sourceStream}; give more of the digest`);
  const ev = [...matches.values()][0]!;
  chain.push(`${sourceStream}@${ev.image}`);
  return { ok: true, value: { pullSpec: ev.dockerImageReference, image: ev.image, generation: ev.generation, pinned: false, chain } };
}

/** A DockerImage source that already names a digest needs no lock: `name[:tag]@digest` → `name@digest`. */
function pinnedRef(pullSpec: string): { pullSpec: string; image: string } | undefined {
  try {
    const ref = parseImageRef(pullSpec);
    return ref.digest ? { pullSpec: `${ref.name}@${ref.digest}`, image: ref.digest } : undefined;
  } catch {
    return undefined;
  }
}
