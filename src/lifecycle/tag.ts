/**
 * `oc tag` for the lock: copy a tag's current image into another tag as a new generation
 * (promotion), record a `repo@digest` without asking a registry, make a tag an alias of another
 * of the same stream, or delete a tag. Pure: lock in, lock and summaries out.
 */
import { StreamlockError } from '../errors.js';
import type { ImageRef } from '../image-ref.js';
import { isSha256Digest, parseImageRef } from '../image-ref.js';
import type { Lock, LockStream, LockTag, TagEvent } from '../lockfile/format.js';
import { appendEvent, currentEvent } from '../lockfile/history.js';
import { expandDigest, shortId } from './rollback.js';
import type { StreamTagArg } from './stream-tag.js';
import { locateStream, parseStreamTag, requireStream, requireTag, tagLabel, withTag } from './stream-tag.js';

export type TagSource =
  | { readonly kind: 'DockerImage'; readonly text: string; readonly ref: ImageRef & { digest: string } }
  | { readonly kind: 'ImageStreamImage'; readonly text: string; readonly stream: StreamTagArg; readonly digest: string }
  | { readonly kind: 'ImageStreamTag'; readonly text: string; readonly stream: StreamTagArg & { tag: string } };

export interface TagChange {
  readonly label: string;
  readonly summary: string;
  readonly changed: boolean;
  /** The generation DEST resolves to afterwards (undefined for a delete or an alias). */
  readonly generation?: number;
  readonly image?: string;
}

export interface TagOutcome {
  readonly lock: Lock;
  readonly changes: readonly TagChange[];
}

/** A first path segment is a registry when it has a dot or a port, or is localhost (oc's rule). */
function namesRegistry(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const first = text.slice(0, slash);
  return first === 'localhost' || first.includes('.') || first.includes(':');
}

/** Infers the source kind as `oc tag` does: registry → DockerImage, `@` → stream image, `:` → stream tag. */
export function parseTagSource(text: string, namespace: string | undefined): TagSource {
  if (namesRegistry(text) || (!text.includes('@') && !text.includes(':'))) {
    const ref = parseImageRef(text);
    if (!ref.digest) {
      throw new StreamlockError(
        'USAGE',
        `SOURCE "${text}" names no digest: streamlock tag never asks a registry. Give REPOSITORY@sha256:<digest>, or let \`streamlock import\` resolve the tag`,
      );
    }
    if (!isSha256Digest(ref.digest)) throw new StreamlockError('DIGEST_INVALID', `SOURCE "${text}": the lock records sha256 digests (sha256: and 64 lowercase hex digits)`);
    return { kind: 'DockerImage', text, ref: { ...ref, digest: ref.digest } };
  }
  const at = text.indexOf('@');
  if (at >= 0) {
    const stream = parseStreamTag(text.slice(0, at), 'SOURCE', { requireTag: false, namespace });
    if (stream.tag !== undefined) throw new StreamlockError('USAGE', `SOURCE "${text}": give STREAM@DIGEST (an image of a stream) or STREAM:TAG, not both`);
    const digest = text.slice(at + 1);
    if (!/^(sha256:)?[0-9a-f]{6,64}$/.test(digest)) throw new StreamlockError('DIGEST_INVALID', `SOURCE "${text}": "${digest}" is not a sha256 digest (or a prefix of one)`);
    return { kind: 'ImageStreamImage', text, stream, digest };
  }
  const stream = parseStreamTag(text, 'SOURCE', { requireTag: true, namespace });
  return { kind: 'ImageStreamTag', text, stream: { ...stream, tag: stream.tag! } };
}

/** Follows same-stream aliases to the tag that holds the history; throws TAG_CYCLE. */
function followAliases(stream: LockStream, tag: LockTag, lockfile: string): LockTag {
  const seen = [tag.tag];
  let t = tag;
  while (t.alias !== undefined) {
    if (seen.includes(t.alias)) throw new StreamlockError('TAG_CYCLE', `${lockfile}: aliases of ${stream.name} form a cycle: ${[...seen, t.alias].join(' -> ')}`);
    seen.push(t.alias);
    t = requireTag(stream, t.alias, lockfile);
  }
  return t;
}

type NewEvent = { image: string; dockerImageReference: string; platformImage?: string; origin: string };

/** The image a source stands for, read from the lock (or from the reference itself). */
function sourceEvent(lock: Lock, source: TagSource, lockfile: string): NewEvent {
  if (source.kind === 'DockerImage') {
    return { image: source.ref.digest, dockerImageReference: `${source.ref.name}@${source.ref.digest}`, origin: source.ref.name };
  }
  if (source.kind === 'ImageStreamTag') {
    const stream = requireStream(lock, source.stream, lockfile);
    const tag = followAliases(stream, requireTag(stream, source.stream.tag, lockfile), lockfile);
    const ev = currentEvent(tag);
    if (!ev) throw new StreamlockError('TAG_NO_HISTORY', `${tagLabel(lock, stream, source.stream.tag)} has no recorded image to copy; run \`streamlock import\` first`);
    return { ...copy(ev), origin: `${tagLabel(lock, stream, source.stream.tag)} generation ${ev.generation}` };
  }
  const stream = requireStream(lock, source.stream, lockfile);
  const all = stream.tags.flatMap((t) => t.items);
  const digest = expandDigest(all, source.digest, stream.name);
  const ev = all.find((e) => e.image === digest)!;
  return { ...copy(ev), origin: `${stream.name}@${shortId(digest)}` };
}

function copy(ev: Omit<NewEvent, 'origin'>): Omit<NewEvent, 'origin'> {
  return { image: ev.image, dockerImageReference: ev.dockerImageReference, ...(ev.platformImage !== undefined ? { platformImage: ev.platformImage } : {}) };
}

/** Where DEST lives: an existing stream of the lock, or a new one in the given namespace. */
function destStream(lock: Lock, dest: StreamTagArg): { name: string; namespace?: string } {
  const s = locateStream(lock, dest);
  if (s) return s;
  return { name: dest.stream, ...(dest.namespace ? { namespace: dest.namespace } : {}) };
}

function findDestTag(lock: Lock, stream: { name: string; namespace?: string }, tag: string): LockTag | undefined {
  const s = lock.streams.find((x) => x.name === stream.name && (x.namespace ?? '') === (stream.namespace ?? ''));
  return s?.tags.find((t) => t.tag === tag);
}

/** SOURCE → each DEST as a new generation (no change when DEST's newest already is that image). */
export function planTag(lock: Lock, source: TagSource, dests: ReadonlyArray<StreamTagArg & { tag: string }>, options: { created: string; lockfile: string }): TagOutcome {
  const ev = sourceEvent(lock, source, options.lockfile);
  const changes: TagChange[] = [];
  let next = lock;
  for (const dest of dests) {
    if (source.kind === 'ImageStreamTag' && source.stream.stream === dest.stream && source.stream.tag === dest.tag && (source.stream.namespace ?? '') === (dest.namespace ?? '')) {
      throw new StreamlockError('USAGE', `SOURCE and DEST are the same tag (${dest.stream}:${dest.tag})`);
    }
    const stream = destStream(next, dest);
    const label = tagLabel(next, stream, dest.tag);
    const existing = findDestTag(next, stream, dest.tag);
    const notes: string[] = [];
    let base: LockTag = existing ?? { tag: dest.tag, items: [] };
    if (base.alias !== undefined) {
      notes.push(`no longer follows ${stream.name}:${base.alias}`);
      const { alias: _alias, ...rest } = base;
      base = { ...rest, items: [] };
    }
    const { tag: appended, added } = appendEvent(base, { ...copy(ev), created: options.created });
    let result = appended;
    if (result.pinned !== undefined) {
      notes.push(`pin on generation ${result.pinned} removed`);
      const { pinned: _pinned, ...rest } = result;
      result = rest;
    }
    const current = currentEvent(result)!;
    const changed = added !== undefined || notes.length > 0 || existing === undefined;
    const suffix = notes.length > 0 ? ` (${notes.join('; ')})` : '';
    const summary = added
      ? `${label} set to generation ${added.generation} (${shortId(added.image)}) from ${ev.origin}${suffix}`
      : `${label} ${changed ? 'set to' : 'already at'} generation ${current.generation} (${shortId(current.image)})${suffix}`;
    next = withTag(next, stream, dest.tag, result);
    changes.push({ label, summary, changed, generation: current.generation, image: current.image });
  }
  return { lock: next, changes };
}

/** DEST follows SOURCE (`alias: <tag>`); same stream only; refuses a DEST that has history. */
export function planAlias(lock: Lock, source: TagSource, dest: StreamTagArg & { tag: string }, lockfile: string): TagOutcome {
  if (source.kind !== 'ImageStreamTag') throw new StreamlockError('USAGE', `--alias needs SOURCE as STREAM:TAG, not ${source.text}`);
  const src = source.stream;
  if (src.stream !== dest.stream || (src.namespace !== undefined && dest.namespace !== undefined && src.namespace !== dest.namespace)) {
    throw new StreamlockError('USAGE', `--alias works within one image stream (as oc tag --alias): ${src.stream}:${src.tag} and ${dest.stream}:${dest.tag} are in different streams; copy the image instead (drop --alias)`);
  }
  if (src.tag === dest.tag) throw new StreamlockError('USAGE', `a tag cannot follow itself (${dest.stream}:${dest.tag})`);
  const stream = requireStream(lock, { ...src, namespace: src.namespace ?? dest.namespace }, lockfile);
  requireTag(stream, src.tag, lockfile);
  // Refuse a chain that would lead back to DEST.
  const chain = [dest.tag, src.tag];
  for (let t = stream.tags.find((x) => x.tag === src.tag); t?.alias !== undefined; t = stream.tags.find((x) => x.tag === t!.alias)) {
    chain.push(t.alias);
    if (t.alias === dest.tag) throw new StreamlockError('TAG_CYCLE', `${stream.name}:${dest.tag} cannot follow ${stream.name}:${src.tag}: the aliases would form a cycle (${chain.join(' -> ')})`);
    if (chain.length > 64) break;
  }
  const label = tagLabel(lock, stream, dest.tag);
  const existing = stream.tags.find((t) => t.tag === dest.tag);
  if (existing?.alias === src.tag) return { lock, changes: [{ label, summary: `${label} already follows ${stream.name}:${src.tag}`, changed: false }] };
  if (existing && existing.items.length > 0) {
    throw new StreamlockError(
      'USAGE',
      `${label} has ${existing.items.length} recorded generation${existing.items.length === 1 ? '' : 's'}, and an alias has no history of its own. ` +
        `To keep the history, copy instead: \`streamlock tag ${stream.name}:${src.tag} ${stream.name}:${dest.tag}\`; to drop it, delete the tag first: \`streamlock tag --delete ${stream.name}:${dest.tag} --yes\``,
    );
  }
  const next: LockTag = { tag: dest.tag, alias: src.tag, items: [] };
  const note = existing?.from !== undefined ? ` (it no longer imports from ${existing.from})` : '';
  return { lock: withTag(lock, stream, dest.tag, next), changes: [{ label, summary: `${label} now follows ${stream.name}:${src.tag}${note}`, changed: true }] };
}

/** Deletes DEST with its whole history; refuses without `yes` (explaining the loss) and while aliases follow it. */
export function planDelete(lock: Lock, dest: StreamTagArg & { tag: string }, options: { yes: boolean; lockfile: string }): TagOutcome {
  const stream = requireStream(lock, dest, options.lockfile);
  const tag = requireTag(stream, dest.tag, options.lockfile);
  const label = tagLabel(lock, stream, dest.tag);
  const followers = stream.tags.filter((t) => t.alias === dest.tag).map((t) => `${stream.name}:${t.tag}`);
  if (followers.length > 0) {
    throw new StreamlockError('USAGE', `${label} cannot be deleted: ${followers.join(', ')} follow${followers.length === 1 ? 's' : ''} it (--alias); delete or re-tag ${followers.length === 1 ? 'that tag' : 'those tags'} first`);
  }
  const n = tag.items.length;
  const what = tag.alias !== undefined ? `an alias of ${stream.name}:${tag.alias}` : `${n} recorded generation${n === 1 ? '' : 's'}`;
  if (!options.yes) {
    throw new StreamlockError(
      'USAGE',
      `deleting ${label} removes it from the lock with ${what}${n > 0 ? ' (rollback targets)' : ''}; workloads triggered by ${label} will then fail to render. Re-run with --yes to delete it`,
    );
  }
  return { lock: withTag(lock, stream, dest.tag, undefined), changes: [{ label, summary: `${label} deleted (${what} dropped)`, changed: true }] };
}
