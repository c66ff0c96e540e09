/**
 * Import: which ImageStream tags to ask the registry about, resolving them with bounded
 * concurrency, and merging the digests into the lock's history as OpenShift's importer does.
 *
 * The registry is a parameter (`resolveTag`), the clock a value: the merge (`applyImport`) is
 * pure, and `resolveTargets` does no I/O of its own, so the whole import runs against a fake.
 */
import { StreamlockError, describeError } from './errors.js';
import type { ImageRef } from './image-ref.js';
import { parseImageRef, withDigest } from './image-ref.js';
import type { ImageStreamInfo } from './imagestreams.js';
import type { Lock, LockStream, LockTag, TagEvent } from './lockfile/format.js';
import { tagToObject } from './lockfile/format.js';
import { appendEvent, findStream, findTag, latestGeneration } from './lockfile/history.js';

/** One DockerImage spec tag to import. */
export interface ImportTarget {
  /** Lock namespace; undefined when neither the ImageStream nor `--namespace` names one. */
  readonly namespace: string | undefined;
  readonly stream: string;
  readonly tag: string;
  /** `spec.tags[].from.name`, exactly as written. */
  readonly from: string;
  readonly ref: ImageRef;
  readonly scheduled: boolean;
}

/** `--filter`: `stream`, `stream:tag`, optionally `namespace/` in front. */
export interface ImportFilter {
  readonly namespace: string | undefined;
  readonly stream: string;
  readonly tag: string | undefined;
  readonly text: string;
}

export interface SkippedTag {
  readonly label: string;
  readonly reason: string;
}

export interface ResolvedTag {
  readonly digest: string;
  readonly platformDigest?: string | undefined;
}

/** The registry, as import sees it: tag in, digest out. */
export type ResolveTagFn = (ref: ImageRef, options: { platform?: string }) => Promise<ResolvedTag>;

export type TagOutcome =
  | { readonly target: ImportTarget; readonly ok: true; readonly platform: string | undefined; readonly resolved: ResolvedTag }
  | { readonly target: ImportTarget; readonly ok: false; readonly platform: string | undefined; readonly error: unknown };

/** One tag whose lock entry changed. */
export interface TagChange {
  readonly namespace: string | undefined;
  readonly stream: string;
  readonly tag: string;
  readonly from: string;
  /** The source recorded before, when the spec now names another one. */
  readonly previousFrom: string | undefined;
  /** Digest of the newest event before the import. */
  readonly previous: string | undefined;
  readonly digest: string;
  readonly platformDigest: string | undefined;
  readonly generation: number;
  /** The tag's pin, which import keeps: the new generation is recorded but not rolled out. */
  readonly pinned: number | undefined;
}

export function parseImportFilter(text: string): ImportFilter {
  const m = /^(?:([a-z0-9]([-a-z0-9.]*[a-z0-9])?)\/)?([a-z0-9]([-a-z0-9.]*[a-z0-9])?)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?$/.exec(text);
  if (!m) throw new StreamlockError('USAGE', `--filter ${JSON.stringify(text)}: expected STREAM, STREAM:TAG or NAMESPACE/STREAM[:TAG]`);
  return { namespace: m[1], stream: m[3]!, tag: m[5], text };
}

function matches(filter: ImportFilter, t: { namespace: string | undefined; stream: string; tag: string }): boolean {
  return (filter.namespace === undefined || filter.namespace === t.namespace) && filter.stream === t.stream && (filter.tag === undefined || filter.tag === t.tag);
}

export function targetLabel(t: { namespace: string | undefined; stream: string; tag: string }, defaultNamespace?: string): string {
  const ns = t.namespace !== undefined && t.namespace !== defaultNamespace ? `${t.namespace}/` : '';
  return `${ns}${t.stream}:${t.tag}`;
}

/**
 * The tags an import asks for: DockerImage sources that are not `reference: true`, narrowed by
 * filters and `--scheduled`. Filters that match nothing are returned so the caller can fail.
 */
export function selectImportTargets(
  streams: readonly ImageStreamInfo[],
  options: { filters?: readonly ImportFilter[]; scheduledOnly?: boolean } = {},
): { targets: ImportTarget[]; skipped: SkippedTag[]; unmatchedFilters: ImportFilter[] } {
  const filters = options.filters ?? [];
  const used = new Set<ImportFilter>();
  const byKey = new Map<string, ImportTarget>();
  const skipped: SkippedTag[] = [];
  for (const is of streams) {
    const namespace = is.namespace || undefined;
    for (const spec of is.tags.values()) {
      const key = { namespace, stream: is.name, tag: spec.name };
      const hit = filters.filter((f) => matches(f, key));
      if (filters.length > 0 && hit.length === 0) continue;
      hit.forEach((f) => used.add(f));
      const label = targetLabel(key);
      if (!spec.from) {
        skipped.push({ label, reason: 'no from' });
        continue;
      }
      if (spec.from.kind !== 'DockerImage') {
        skipped.push({ label, reason: `from.kind ${spec.from.kind} is not imported` });
        continue;
      }
      if (spec.reference) {
        skipped.push({ label, reason: 'reference: true (not imported, as in OpenShift)' });
        continue;
      }
      if (options.scheduledOnly && !spec.scheduled) {
        skipped.push({ label, reason: 'not scheduled' });
        continue;
      }
      let ref: ImageRef;
      try {
        ref = parseImageRef(spec.from.name);
      } catch (e) {
        throw new StreamlockError('IMAGESTREAM_INVALID', `ImageStream ${targetLabel({ ...key, tag: '' }).slice(0, -1)}: tag ${spec.name}: from.name: ${describeError(e)}`, { cause: e });
      }
      const id = `${namespace ?? ''}\u0000${is.name}\u0000${spec.name}`;
      const seen = byKey.get(id);
      if (seen && seen.from !== spec.from.name) {
        throw new StreamlockError('IMAGESTREAM_INVALID', `${label} is defined twice with different sources (${seen.from}, ${spec.from.name})`);
      }
      byKey.set(id, { ...key, from: spec.from.name, ref, scheduled: spec.scheduled });
    }
  }
  return { targets: [...byKey.values()], skipped, unmatchedFilters: filters.filter((f) => !used.has(f)) };
}

/**
 * Resolves every target, at most `concurrency` at a time; identical (source, platform) pairs are
 * asked once. Outcomes come back in the targets' order, whatever order the registry answers in.
 */
export async function resolveTargets(
  targets: readonly ImportTarget[],
  resolveTag: ResolveTagFn,
  options: { concurrency?: number; platformFor?: (t: ImportTarget) => string | undefined; onProgress?: (done: number, total: number) => void } = {},
): Promise<TagOutcome[]> {
  const concurrency = Math.max(1, options.concurrency ?? 16);
  const platforms = targets.map((t) => options.platformFor?.(t));
  const keys = targets.map((t, i) => `${t.ref.registry}/${t.ref.repository}${t.ref.digest ? `@${t.ref.digest}` : `:${t.ref.tag ?? 'latest'}`}|${platforms[i] ?? ''}`);
  const unique = [...new Set(keys)];
  const answers = new Map<string, { ok: true; resolved: ResolvedTag } | { ok: false; error: unknown }>();
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < unique.length) {
      const key = unique[next++]!;
      const i = keys.indexOf(key);
      const target = targets[i]!;
      const platform = platforms[i];
      try {
        answers.set(key, { ok: true, resolved: await resolveTag(target.ref, platform ? { platform } : {}) });
      } catch (error) {
        answers.set(key, { ok: false, error });
      }
      options.onProgress?.(++done, unique.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, unique.length) }, worker));
  return targets.map((target, i) => {
    const a = answers.get(keys[i]!)!;
    return a.ok ? { target, ok: true, platform: platforms[i], resolved: a.resolved } : { target, ok: false, platform: platforms[i], error: a.error };
  });
}

/** Seconds precision, `Z`: how OpenShift writes `created`. */
export function formatCreated(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Merges successful outcomes into the lock. Per tag: `from` = the spec's source as written; a new
 * event (generation + 1) when the digest or the pull spec changed, or when the source changed
 * (history kept); nothing when the newest event already says the same. Pins are never removed.
 *
 * The digest recorded is the one the registry serves for the tag — the index digest for a
 * multi-arch image — whatever the tag's `importMode`. OpenShift's `Legacy` mode would keep one
 * platform's manifest; streamlock always behaves like `PreserveOriginal`, because a lock is
 * rendered into manifests that run on nodes of any architecture: an index digest is portable, a
 * platform digest breaks the other architectures. `--platform` records that platform's digest
 * as `platformImage` alongside.
 */
export function applyImport(lock: Lock, outcomes: readonly TagOutcome[], options: { created: string }): { lock: Lock; changes: TagChange[] } {
  let streams = lock.streams;
  const changes: TagChange[] = [];
  for (const outcome of outcomes) {
    if (!outcome.ok) continue;
    const { target } = outcome;
    let stream: LockStream = findStream({ streams }, target.stream, target.namespace) ?? {
      name: target.stream,
      ...(target.namespace !== undefined ? { namespace: target.namespace } : {}),
      tags: [],
    };
    const before = findTag(stream, target.tag) ?? { tag: target.tag, items: [] };
    const { tag, change } = importTag(before, outcome, options.created);
    if (tag === before) continue;
    const tags = stream.tags.some((t) => t.tag === target.tag) ? stream.tags.map((t) => (t.tag === target.tag ? tag : t)) : [...stream.tags, tag];
    const existed = streams.includes(stream);
    const updated = { ...stream, tags };
    streams = existed ? streams.map((s) => (s === stream ? updated : s)) : [...streams, updated];
    stream = updated;
    if (change) changes.push(change);
  }
  return { lock: streams === lock.streams ? lock : { streams }, changes };
}

function importTag(before: LockTag, outcome: TagOutcome & { ok: true }, created: string): { tag: LockTag; change: TagChange | undefined } {
  const { target, resolved, platform } = outcome;
  const next = {
    image: resolved.digest,
    dockerImageReference: withDigest(target.ref, resolved.digest),
    created,
    ...(resolved.platformDigest !== undefined ? { platformImage: resolved.platformDigest } : {}),
  };
  const sourceChanged = before.from !== undefined && before.from !== target.from && before.items.length > 0;
  // An ImageStreamTag alias in the lock that the spec now sources from DockerImage stops being one.
  const { alias: _alias, ...rest } = before;
  let tag: LockTag = { ...rest, from: target.from, ...(platform !== undefined ? { platform } : {}) };
  let added: TagEvent | undefined;
  const newest = before.items[0];
  if (sourceChanged && newest && newest.image === next.image && newest.dockerImageReference === next.dockerImageReference) {
    added = { generation: latestGeneration(before) + 1, ...next };
    tag = { ...tag, items: [added, ...before.items] };
  } else {
    ({ tag, added } = appendEvent(tag, next));
    if (!added && newest && next.platformImage !== undefined && newest.platformImage !== next.platformImage) {
      // Same image, a platform digest now asked for: completes the newest event, as OpenShift
      // patches items[0] in place when only part of it differs.
      tag = { ...tag, items: [{ ...newest, platformImage: next.platformImage }, ...before.items.slice(1)] };
    }
  }
  if (sameTag(tag, before)) return { tag: before, change: undefined };
  const current = tag.items[0]!;
  return {
    tag,
    change: added || sourceChanged
      ? {
          namespace: target.namespace,
          stream: target.stream,
          tag: target.tag,
          from: target.from,
          previousFrom: sourceChanged ? before.from : undefined,
          previous: newest?.image,
          digest: current.image,
          platformDigest: current.platformImage,
          generation: current.generation,
          pinned: tag.pinned,
        }
      : undefined,
  };
}

function sameTag(a: LockTag, b: LockTag): boolean {
  return JSON.stringify(tagToObject(a)) === JSON.stringify(tagToObject(b));
}

const short = (digest: string): string => digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]*$/, '$1');

/** `ubi:8  sha256:aaaaaaaaaaaa -> sha256:bbbbbbbbbbbb  generation 2`: one line of a commit message. */
export function formatChange(c: TagChange, defaultNamespace?: string): string {
  let line = `${targetLabel(c, defaultNamespace)}  ${c.previous ? short(c.previous) : '(new)'} -> ${short(c.digest)}  generation ${c.generation}`;
  if (c.previousFrom !== undefined) line += `  (source ${c.previousFrom} -> ${c.from})`;
  if (c.pinned !== undefined) line += `  (pinned to generation ${c.pinned}, holding)`;
  return line;
}
