/** Rollback: pin a tag to a recorded generation, or unpin it. History is never deleted. Pure. */
import { StreamlockError } from '../errors.js';
import { isSha256Digest } from '../image-ref.js';
import type { Lock, TagEvent } from '../lockfile/format.js';
import { currentEvent, pinDigest, pinGeneration, unpin } from '../lockfile/history.js';
import type { StreamTagArg } from './stream-tag.js';
import { requireStream, requireTag, tagLabel, withTag } from './stream-tag.js';

export type RollbackTarget = { readonly generation: number } | { readonly digest: string } | { readonly latest: true };

export interface RollbackOutcome {
  readonly lock: Lock;
  readonly label: string;
  /** The event the tag resolves to afterwards. */
  readonly event: TagEvent;
  readonly pinned: number | undefined;
  readonly previousPinned: number | undefined;
  readonly newest: number;
  /** The one-line rollout summary (also the commit message). */
  readonly summary: string;
}

export function shortId(digest: string): string {
  return isSha256Digest(digest) ? `sha256:${digest.slice(7, 19)}` : digest;
}

/** Applies a rollback to the lock; throws LOCK_PIN_MISSING / IMAGE_NOT_FOUND for anything not recorded. */
export function planRollback(lock: Lock, arg: StreamTagArg & { tag: string }, target: RollbackTarget, lockfile: string): RollbackOutcome {
  const stream = requireStream(lock, arg, lockfile);
  const tag = requireTag(stream, arg.tag, lockfile);
  const label = tagLabel(lock, stream, arg.tag);
  if (tag.alias !== undefined) {
    throw new StreamlockError('USAGE', `${label} follows ${stream.name}:${tag.alias} (an alias has no history of its own); roll back ${stream.name}:${tag.alias} instead`);
  }
  if (tag.items.length === 0) throw new StreamlockError('TAG_NO_HISTORY', `${label} has no recorded image to roll back to; run \`streamlock import\` first`);
  let next;
  if ('latest' in target) next = unpin(tag);
  else if ('generation' in target) next = pinGeneration(tag, target.generation, label);
  else next = pinDigest(tag, expandDigest(tag.items, target.digest, label), label);
  const event = currentEvent(next)!;
  const newest = tag.items[0]!.generation;
  let summary: string;
  if ('latest' in target) {
    summary =
      tag.pinned === undefined
        ? `${label} already follows its newest generation ${newest} (${shortId(event.image)})`
        : `${label} unpinned: back to the newest generation ${newest} (${shortId(event.image)})`;
  } else if (tag.pinned === next.pinned) {
    summary = `${label} already pinned to generation ${next.pinned} (${shortId(event.image)})`;
  } else if (event.generation === newest) {
    summary = `${label} pinned to generation ${event.generation} (${shortId(event.image)}), the newest; later imports will not move it`;
  } else {
    summary = `${label} rolled back to generation ${event.generation} (${shortId(event.image)})`;
  }
  return {
    lock: withTag(lock, stream, arg.tag, next),
    label,
    event,
    pinned: next.pinned,
    previousPinned: tag.pinned,
    newest,
    summary,
  };
}

/** A full digest as given, or the one recorded digest a prefix (`sha256:abcdef12`) names. */
export function expandDigest(items: readonly TagEvent[], digest: string, label: string): string {
  if (isSha256Digest(digest)) return digest;
  const prefix = digest.startsWith('sha256:') ? digest : `sha256:${digest}`;
  const found = [...new Set(items.map((e) => e.image).filter((d) => d.startsWith(prefix)))];
  if (found.length === 1) return found[0]!;
  if (found.length === 0) throw new StreamlockError('IMAGE_NOT_FOUND', `${label} never recorded an image ${digest}`);
  throw new StreamlockError('IMAGE_NOT_FOUND', `${digest} matches ${found.length} recorded images of ${label}; give more of the digest`);
}
