/**
 * The checks `streamlock check` adds to the function's own: ImageStreams against the lock (a
 * DockerImage tag with no history, or history from another source, is a stale lock), aliases
 * that lead nowhere, and containers whose image floats (no digest, no trigger). Pure.
 */
import type { ErrorCode } from '../errors.js';
import { parseImageRef } from '../image-ref.js';
import type { ImageStreamInfo } from '../imagestreams.js';
import type { Lock } from '../lockfile/format.js';
import { displayStream } from '../lockfile/format.js';
import { findTag, lookupStream } from '../lockfile/history.js';
import { parseTriggers, TRIGGERS_ANNOTATION } from '../triggers.js';
import { triggerContainer, workloadContainers } from './trigger-update.js';
import { workloadKind } from '../workloads.js';

export interface Finding {
  readonly severity: 'error' | 'warning';
  readonly code: ErrorCode | 'IMAGE_FLOATING';
  readonly message: string;
  /** Dotted path inside the object the finding is about, for a line number. */
  readonly field?: string;
}

/** Every DockerImage spec tag that names no digest must have history recorded from that same source. */
export function checkStreamAgainstLock(obj: Record<string, unknown>, info: ImageStreamInfo, lock: Lock, lockfile: string): Finding[] {
  const out: Finding[] = [];
  const specTags = Array.isArray((obj.spec as Record<string, unknown> | undefined)?.tags) ? ((obj.spec as Record<string, unknown>).tags as unknown[]) : [];
  const locked = lookupStream(lock, info.name, info.namespace) ?? info.history;
  const label = displayStream(info);
  for (const [name, spec] of info.tags) {
    const from = spec.from;
    if (!from || from.kind !== 'DockerImage') continue;
    let digest: string | undefined;
    try {
      digest = parseImageRef(from.name).digest;
    } catch {
      digest = undefined;
    }
    if (digest) continue;
    const index = specTags.findIndex((t) => (t as Record<string, unknown> | null)?.name === name);
    const field = index >= 0 ? `spec.tags[${index}].from.name` : undefined;
    const tag = locked ? findTag(locked, name) : undefined;
    const ref = `${info.namespace ? `${info.namespace}/` : ''}${info.name}:${name}`;
    if (!tag || (tag.items.length === 0 && tag.alias === undefined)) {
      out.push({ severity: 'error', code: 'TAG_NO_HISTORY', message: `ImageStream ${label} tag ${name} (from ${from.name}) has no recorded image in ${lockfile}; run \`streamlock import\` to record it`, ...(field ? { field } : {}) });
    } else if (tag.from !== undefined && tag.from !== from.name) {
      out.push({
        severity: 'error',
        code: 'TAG_SOURCE_MISMATCH',
        message: `stale lock: ImageStream ${label} tag ${name} imports from ${from.name}, but ${lockfile} recorded ${ref} from ${tag.from}; run \`streamlock import\` to record the new source`,
        ...(field ? { field } : {}),
      });
    }
  }
  return out;
}

/** Aliases whose target tag is not in the lock (pins are checked when the lock is parsed). */
export function checkLockAliases(lock: Lock, lockfile: string): Finding[] {
  const out: Finding[] = [];
  for (const s of lock.streams) {
    for (const t of s.tags) {
      if (t.alias !== undefined && !s.tags.some((x) => x.tag === t.alias)) {
        out.push({ severity: 'error', code: 'TAG_NOT_FOUND', message: `${lockfile}: ${displayStream(s)}:${t.tag} follows ${t.alias}, which the lock does not record` });
      }
    }
  }
  return out;
}

/**
 * Containers whose image names no digest and that no active trigger sets: what they run changes
 * whenever the registry's tag moves, outside Git.
 */
export function findFloatingImages(obj: Record<string, unknown>, severity: 'error' | 'warning'): Finding[] {
  const kind = workloadKind(obj.kind);
  if (!kind) return [];
  const raw = ((obj.metadata as Record<string, unknown> | undefined)?.annotations as Record<string, unknown> | undefined)?.[TRIGGERS_ANNOTATION];
  const containers = workloadContainers(obj);
  const triggers = typeof raw === 'string' ? parseTriggers(raw).triggers : [];
  let spec: unknown = obj;
  for (const key of kind.podSpecPath) spec = (spec as Record<string, unknown> | undefined)?.[key];
  const out: Finding[] = [];
  for (const c of containers) {
    const t = triggers.find((x) => triggerContainer(x, obj, containers) === c);
    if (t && !t.paused) continue;
    const image = ((spec as Record<string, unknown>)[c.list] as Array<Record<string, unknown>>)[c.index]?.image;
    if (typeof image !== 'string') continue;
    let digest: string | undefined;
    try {
      digest = parseImageRef(image).digest;
    } catch {
      continue; // the function reports malformed images where it uses them
    }
    if (digest) continue;
    const why = t ? `its trigger from ${t.stream}:${t.tag} is paused` : 'no trigger sets it';
    out.push({
      severity,
      code: 'IMAGE_FLOATING',
      message: `container ${c.name} runs ${image}, which names no digest, and ${why}; add one with \`streamlock set-triggers --from-image STREAM:TAG -c ${c.name}\` or pin it by digest`,
      field: `${kind.podSpecPath.join('.')}.${c.list}[${c.index}].image`,
    });
  }
  return out;
}
