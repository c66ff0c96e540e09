/**
 * `[namespace/]stream[:tag]` arguments: parsed, found in the lock, and written back into it.
 * Pure functions over lock values, shared by history, rollback and tag.
 */
import { StreamlockError } from '../errors.js';
import { isValidTag } from '../image-ref.js';
import type { Lock, LockStream, LockTag } from '../lockfile/format.js';
import { displayStream } from '../lockfile/format.js';

export interface StreamTagArg {
  readonly namespace: string | undefined;
  readonly stream: string;
  readonly tag: string | undefined;
}

const NAME_RE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Parses `[ns/]stream[:tag]`; `--namespace` fills in a namespace the argument does not name. */
export function parseStreamTag(text: string, what: string, options: { requireTag: boolean; namespace?: string | undefined }): StreamTagArg {
  const bad = (reason: string) => new StreamlockError('USAGE', `${what} "${text}": ${reason}`);
  let rest = text;
  let namespace = options.namespace || undefined;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const ns = rest.slice(0, slash);
    if (!NAME_RE.test(ns)) throw bad(`"${ns}" is not a valid namespace`);
    if (namespace !== undefined && namespace !== ns) throw bad(`names namespace ${ns} but --namespace is ${namespace}`);
    namespace = ns;
    rest = rest.slice(slash + 1);
  }
  const colon = rest.indexOf(':');
  const stream = colon < 0 ? rest : rest.slice(0, colon);
  const tag = colon < 0 ? undefined : rest.slice(colon + 1);
  if (!NAME_RE.test(stream) || stream.length > 253) throw bad(`"${stream}" is not a valid image stream name (lowercase letters, digits, "-" and ".")`);
  if (tag !== undefined && !isValidTag(tag)) throw bad(`"${tag}" is not a valid tag (letters, digits, "_", "." and "-", at most 128, not starting with "." or "-")`);
  if (options.requireTag && tag === undefined) throw bad('needs a tag: STREAM:TAG');
  return { namespace, stream, tag };
}

/**
 * The lock stream an argument means. With a namespace: that namespace's stream, else the one
 * shared by all namespaces. Without: the only stream of that name; several → USAGE listing them.
 */
export function locateStream(lock: Lock, arg: StreamTagArg): LockStream | undefined {
  if (arg.namespace !== undefined) {
    return (
      lock.streams.find((s) => s.name === arg.stream && s.namespace === arg.namespace) ??
      lock.streams.find((s) => s.name === arg.stream && s.namespace === undefined)
    );
  }
  const all = lock.streams.filter((s) => s.name === arg.stream);
  if (all.length <= 1) return all[0];
  throw new StreamlockError(
    'USAGE',
    `image stream ${arg.stream} is recorded in several namespaces (${all.map((s) => s.namespace ?? '(any)').join(', ')}); name one: NAMESPACE/${arg.stream} or --namespace`,
  );
}

/** Like `locateStream` but throws STREAM_NOT_FOUND naming the lockfile's streams. */
export function requireStream(lock: Lock, arg: StreamTagArg, lockfile: string): LockStream {
  const s = locateStream(lock, arg);
  if (s) return s;
  const known = lock.streams.map(displayStream);
  throw new StreamlockError(
    'STREAM_NOT_FOUND',
    `${lockfile} records no image stream ${arg.namespace ? `${arg.namespace}/` : ''}${arg.stream} (streams: ${known.join(', ') || 'none'}); record it with \`streamlock import\` or \`streamlock tag\``,
  );
}

export function requireTag(stream: LockStream, tag: string, lockfile: string): LockTag {
  const t = stream.tags.find((x) => x.tag === tag);
  if (t) return t;
  throw new StreamlockError(
    'TAG_NOT_FOUND',
    `${lockfile}: image stream ${displayStream(stream)} has no tag "${tag}" (tags: ${stream.tags.map((x) => x.tag).join(', ') || 'none'})`,
  );
}

/** `ubi:8`, or `demo/ubi:8` when the lock holds a stream of that name in another namespace too. */
export function tagLabel(lock: Lock, stream: { name: string; namespace?: string | undefined }, tag: string): string {
  const ambiguous = lock.streams.filter((s) => s.name === stream.name).length > 1;
  return `${ambiguous ? displayStream(stream) : stream.name}:${tag}`;
}

function sameStream(a: { name: string; namespace?: string | undefined }, b: { name: string; namespace?: string | undefined }): boolean {
  return a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');
}

/** The lock with one tag replaced, added (stream created if needed) or, with `undefined`, removed. */
export function withTag(lock: Lock, stream: { name: string; namespace?: string | undefined }, tagName: string, next: LockTag | undefined): Lock {
  const existing = lock.streams.find((s) => sameStream(s, stream));
  if (!existing) {
    if (!next) return lock;
    const created: LockStream = { name: stream.name, ...(stream.namespace ? { namespace: stream.namespace } : {}), tags: [next] };
    return { streams: [...lock.streams, created] };
  }
  const others = existing.tags.filter((t) => t.tag !== tagName);
  const tags = next ? (existing.tags.some((t) => t.tag === tagName) ? existing.tags.map((t) => (t.tag === tagName ? next : t)) : [...existing.tags, next]) : others;
  if (tags.length === 0) return { streams: lock.streams.filter((s) => s !== existing) };
  return { streams: lock.streams.map((s) => (s === existing ? { ...s, tags } : s)) };
}
