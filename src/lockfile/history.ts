/** Tag history: the current event, new generations, pins. Pure functions over lock values. */
import { StreamlockError } from '../errors.js';
import type { Lock, LockStream, LockTag, TagEvent } from './format.js';
import { displayStream } from './format.js';

/** The event a tag resolves to: the pinned generation, else the newest. */
export function currentEvent(tag: LockTag): TagEvent | undefined {
  if (tag.pinned !== undefined) return tag.items.find((e) => e.generation === tag.pinned);
  return tag.items[0];
}

export function latestGeneration(tag: LockTag): number {
  return tag.items[0]?.generation ?? 0;
}

/**
 * Records a new image for a tag, as OpenShift's server does: nothing when it equals the newest
 * event (same digest and pull spec), otherwise a new event with generation + 1 prepended.
 * Only the newest event is compared: going back to an older digest is a new generation.
 */
export function appendEvent(
  tag: LockTag,
  next: { image: string; dockerImageReference: string; created: string; platformImage?: string },
): { tag: LockTag; added: TagEvent | undefined } {
  const newest = tag.items[0];
  if (newest && newest.image === next.image && newest.dockerImageReference === next.dockerImageReference) {
    return { tag, added: undefined };
  }
  const added: TagEvent = {
    generation: latestGeneration(tag) + 1,
    created: next.created,
    image: next.image,
    dockerImageReference: next.dockerImageReference,
    ...(next.platformImage !== undefined ? { platformImage: next.platformImage } : {}),
  };
  return { tag: { ...tag, items: [added, ...tag.items] }, added };
}

/** Pins a tag to a recorded generation; throws LOCK_PIN_MISSING otherwise. */
export function pinGeneration(tag: LockTag, generation: number, label: string): LockTag {
  if (!tag.items.some((e) => e.generation === generation)) {
    throw new StreamlockError(
      'LOCK_PIN_MISSING',
      `${label} has no generation ${generation} (recorded: ${tag.items.map((e) => e.generation).join(', ') || 'none'})`,
    );
  }
  return { ...tag, pinned: generation };
}

/** Pins a tag to the newest generation that recorded a digest; throws IMAGE_NOT_FOUND otherwise. */
export function pinDigest(tag: LockTag, digest: string, label: string): LockTag {
  const ev = tag.items.find((e) => e.image === digest || e.platformImage === digest);
  if (!ev) throw new StreamlockError('IMAGE_NOT_FOUND', `${label} never recorded ${digest}`);
  return { ...tag, pinned: ev.generation };
}

export function unpin(tag: LockTag): LockTag {
  if (tag.pinned === undefined) return tag;
  const { pinned: _pinned, ...rest } = tag;
  return rest;
}

export function findStream(lock: Lock, name: string, namespace: string | undefined): LockStream | undefined {
  return lock.streams.find((s) => s.name === name && (s.namespace ?? '') === (namespace ?? ''));
}

/**
 * The stream a workload in `namespace` sees: one recorded for that namespace, else one
 * recorded with no namespace (a lock shared by every namespace of the package).
 */
export function lookupStream(lock: Lock, name: string, namespace: string): LockStream | undefined {
  return (
    lock.streams.find((s) => s.name === name && s.namespace === namespace) ??
    lock.streams.find((s) => s.name === name && s.namespace === undefined)
  );
}

export function findTag(stream: LockStream, tag: string): LockTag | undefined {
  return stream.tags.find((t) => t.tag === tag);
}

export function tagLabel(stream: LockStream, tag: string): string {
  return `${displayStream(stream)}:${tag}`;
}
