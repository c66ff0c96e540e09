/**
 * The lockfile format: types, validation (JSON Schema plus the rules a schema cannot say),
 * and a deterministic serialisation. Pure: no file I/O here (see `store.ts`).
 */
import { StreamlockError } from '../errors.js';
import { isSha256Digest, parseImageRef } from '../image-ref.js';
import { validate as validateSchema } from './schema-validate.js';

export const LOCK_API_VERSION = 'streamlock.dev/v1alpha1';
export const LOCK_KIND = 'ImageStreamLock';
export const DEFAULT_LOCKFILE = 'imagestreams.lock.yaml';

/** One recorded image of a tag: OpenShift's TagEvent. */
export interface TagEvent {
  readonly generation: number;
  readonly created: string;
  /** The manifest (or index) digest, `sha256:<64 hex>`. */
  readonly image: string;
  /** The pull spec by digest, with the name as written in the source (`quay.io/org/app@sha256:…`). */
  readonly dockerImageReference: string;
  /** Digest of one platform's manifest inside an index, when import was asked for it. */
  readonly platformImage?: string;
}

export interface LockTag {
  readonly tag: string;
  /** The pull spec this history was imported from (`quay.io/org/app:8`). */
  readonly from?: string;
  /** Same-stream tag this tag follows (oc tag --alias); such a tag has no items of its own. */
  readonly alias?: string;
  /** Generation to use instead of the newest: a rollback that import never undoes. */
  readonly pinned?: number;
  readonly platform?: string;
  /** Newest first. */
  readonly items: readonly TagEvent[];
}

export interface LockStream {
  readonly name: string;
  /** Absent: the stream serves workloads of any namespace that has no stream of its own. */
  readonly namespace?: string;
  readonly tags: readonly LockTag[];
}

export interface Lock {
  readonly streams: readonly LockStream[];
}

/** Where a lock came from, for error messages: a file path or a resource in the input. */
export interface LockSource {
  readonly file?: string;
  readonly description: string;
}

function lockError(source: LockSource, where: string, reason: string): StreamlockError {
  return new StreamlockError('LOCK_INVALID', `${source.description}: ${where ? `${where}: ` : ''}${reason}`, {
    location: { file: source.file, field: where || undefined },
  });
}

/** JSON pointer (`/streams/0/tags/1`) to the dotted form used in results (`streams[0].tags[1]`). */
function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

/**
 * Validates a plain object (already parsed from YAML) as an ImageStreamLock and returns the typed
 * lock. Throws LOCK_INVALID naming the source, the field and the reason.
 */
export function parseLock(data: unknown, source: LockSource): Lock {
  if (!validateSchema(data)) {
    const errs = validateSchema.errors ?? [];
    const first = errs[0];
    const where = first ? pointerToPath(first.instancePath) : '';
    let reason = first?.message ?? 'does not match the schema';
    if (first?.params && 'additionalProperty' in first.params) reason = `unknown field "${String(first.params.additionalProperty)}"`;
    if (first?.params && 'missingProperty' in first.params) reason = `missing field "${String(first.params.missingProperty)}"`;
    if (first?.params && 'allowedValue' in first.params) reason = `must be "${String(first.params.allowedValue)}"`;
    const code = /\/(image|platformImage)$/.test(first?.instancePath ?? '') ? 'DIGEST_INVALID' : 'LOCK_INVALID';
    const more = errs.length > 1 ? ` (and ${errs.length - 1} more problem${errs.length > 2 ? 's' : ''})` : '';
    throw new StreamlockError(code, `${source.description}: ${where ? `${where}: ` : ''}${reason}${more}`, {
      location: { file: source.file, field: where || undefined },
    });
  }
  const lock = data as unknown as Lock;
  checkSemantics(lock, source);
  // An alias tag may leave `items` out; the type promises an array.
  return { streams: lock.streams.map((s) => ({ ...s, tags: s.tags.map((t) => (t.items ? t : { ...t, items: [] })) })) };
}

/** Rules beyond the schema: unique keys, ordered generations, digests that agree, pins that exist. */
function checkSemantics(lock: Lock, source: LockSource): void {
  const seenStreams = new Set<string>();
  lock.streams.forEach((stream, si) => {
    const key = `${stream.namespace ?? ''}/${stream.name}`;
    const at = `streams[${si}]`;
    if (seenStreams.has(key)) throw lockError(source, at, `stream ${displayStream(stream)} is listed twice`);
    seenStreams.add(key);
    const seenTags = new Set<string>();
    stream.tags.forEach((tag, ti) => {
      const tat = `${at}.tags[${ti}]`;
      if (seenTags.has(tag.tag)) throw lockError(source, tat, `tag "${tag.tag}" is listed twice in ${displayStream(stream)}`);
      seenTags.add(tag.tag);
      const items = tag.items ?? [];
      if (tag.alias !== undefined && items.length > 0) throw lockError(source, tat, 'an alias tag has no history of its own');
      if (tag.alias === tag.tag) throw lockError(source, `${tat}.alias`, 'a tag cannot follow itself');
      if (tag.from !== undefined) {
        try {
          parseImageRef(tag.from);
        } catch (e) {
          throw lockError(source, `${tat}.from`, (e as Error).message);
        }
      }
      let previous = Infinity;
      items.forEach((ev, ii) => {
        const eat = `${tat}.items[${ii}]`;
        if (ev.generation >= previous) {
          throw lockError(source, `${eat}.generation`, `generations must decrease from newest to oldest (${ev.generation} after ${previous})`);
        }
        previous = ev.generation;
        let ref;
        try {
          ref = parseImageRef(ev.dockerImageReference);
        } catch (e) {
          throw lockError(source, `${eat}.dockerImageReference`, (e as Error).message);
        }
        if (ref.digest === undefined || !isSha256Digest(ref.digest)) {
          throw new StreamlockError('DIGEST_INVALID', `${source.description}: ${eat}.dockerImageReference: "${ev.dockerImageReference}" is not pinned by a sha256 digest`, {
            location: { file: source.file, field: `${eat}.dockerImageReference` },
          });
        }
        if (ref.digest !== ev.image) {
          throw lockError(source, `${eat}.dockerImageReference`, `digest ${ref.digest} differs from image ${ev.image}`);
        }
      });
      if (tag.pinned !== undefined && !items.some((ev) => ev.generation === tag.pinned)) {
        throw new StreamlockError(
          'LOCK_PIN_MISSING',
          `${source.description}: ${tat}.pinned: ${displayStream(stream)}:${tag.tag} is pinned to generation ${tag.pinned}, which is not recorded (recorded: ${items.map((i) => i.generation).join(', ') || 'none'})`,
          { location: { file: source.file, field: `${tat}.pinned` } },
        );
      }
    });
  });
}

export function displayStream(stream: { name: string; namespace?: string | undefined }): string {
  return stream.namespace ? `${stream.namespace}/${stream.name}` : stream.name;
}

function compareStreams(a: LockStream, b: LockStream): number {
  const an = a.namespace ?? '';
  const bn = b.namespace ?? '';
  if (an !== bn) return an < bn ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Sorted by namespace, stream and tag, so one rollout is a diff of a few lines in one place. */
export function sortLock(lock: Lock): Lock {
  return {
    streams: [...lock.streams].sort(compareStreams).map((s) => ({
      ...s,
      tags: [...s.tags].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0)),
    })),
  };
}

/** The whole lock as a plain KRM object, fields in a fixed order (for a new lockfile). */
export function lockToObject(lock: Lock, name = 'imagestreams'): Record<string, unknown> {
  const sorted = sortLock(lock);
  return {
    apiVersion: LOCK_API_VERSION,
    kind: LOCK_KIND,
    metadata: { name, annotations: { 'config.kubernetes.io/local-config': 'true' } },
    streams: sorted.streams.map((s) => ({
      name: s.name,
      ...(s.namespace !== undefined ? { namespace: s.namespace } : {}),
      tags: s.tags.map(tagToObject),
    })),
  };
}

export function tagToObject(t: LockTag): Record<string, unknown> {
  return {
    tag: t.tag,
    ...(t.from !== undefined ? { from: t.from } : {}),
    ...(t.alias !== undefined ? { alias: t.alias } : {}),
    ...(t.pinned !== undefined ? { pinned: t.pinned } : {}),
    ...(t.platform !== undefined ? { platform: t.platform } : {}),
    ...(t.alias === undefined || t.items.length > 0 ? { items: t.items.map(eventToObject) } : {}),
  };
}

export function eventToObject(e: TagEvent): Record<string, unknown> {
  return {
    generation: e.generation,
    created: e.created,
    image: e.image,
    dockerImageReference: e.dockerImageReference,
    ...(e.platformImage !== undefined ? { platformImage: e.platformImage } : {}),
  };
}

/** True if the object looks like a lock (kind and apiVersion), before any validation. */
export function isLockObject(obj: { apiVersion?: unknown; kind?: unknown } | null | undefined): boolean {
  return !!obj && obj.kind === LOCK_KIND && typeof obj.apiVersion === 'string' && obj.apiVersion.startsWith('streamlock.dev/');
}
