/** What `streamlock history` shows: a stream's tags and generations, as plain data (like `oc describe is`). Pure. */
import type { Lock, LockStream, LockTag } from '../lockfile/format.js';
import { currentEvent } from '../lockfile/history.js';

export interface GenerationView {
  readonly generation: number;
  readonly created: string;
  readonly image: string;
  readonly dockerImageReference: string;
  readonly platformImage?: string;
  /** The generation workloads get: the pinned one, else the newest. */
  readonly inUse: boolean;
}

export interface TagView {
  readonly tag: string;
  /** Same-stream tags that follow this one (`--alias`); they get no section of their own. */
  readonly aliases: readonly string[];
  readonly from?: string;
  /** Set when this tag is itself an alias that could not be folded into its target's section. */
  readonly alias?: string;
  readonly pinned?: number;
  readonly platform?: string;
  readonly inUse?: number;
  readonly newest?: number;
  readonly items: readonly GenerationView[];
}

export interface StreamView {
  readonly name: string;
  readonly namespace?: string;
  readonly uniqueImages: number;
  readonly tagCount: number;
  readonly tags: readonly TagView[];
}

const MINOR_RE = /^v?(\d+)(?:\.(\d+))?$/;
const SEMVER_RE = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/;

/** oc's tag order: latest, then X[.Y] versions descending, then full semver descending, then the rest alphabetically. */
export function compareTags(a: string, b: string): number {
  const rank = (t: string): [number, number[]] => {
    if (t === 'latest') return [0, []];
    const m = MINOR_RE.exec(t);
    if (m) return [1, [Number(m[1]), Number(m[2] ?? -1)]];
    const s = SEMVER_RE.exec(t);
    if (s) return [2, [Number(s[1]), Number(s[2]), Number(s[3])]];
    return [3, []];
  };
  const [ra, va] = rank(a);
  const [rb, vb] = rank(b);
  if (ra !== rb) return ra - rb;
  for (let i = 0; i < Math.max(va.length, vb.length); i++) {
    const d = (vb[i] ?? -1) - (va[i] ?? -1);
    if (d !== 0) return d;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The tag an alias ends at, or undefined for a broken or cyclic chain. */
function aliasTarget(stream: LockStream, tag: LockTag): LockTag | undefined {
  const seen = new Set<string>();
  let t: LockTag | undefined = tag;
  while (t?.alias !== undefined) {
    if (seen.has(t.tag)) return undefined;
    seen.add(t.tag);
    const alias: string = t.alias;
    t = stream.tags.find((x) => x.tag === alias);
  }
  return t;
}

function viewTag(stream: LockStream, tag: LockTag): TagView {
  const aliases = stream.tags.filter((t) => t.alias !== undefined && aliasTarget(stream, t) === tag).map((t) => t.tag).sort(compareTags);
  const inUse = currentEvent(tag);
  return {
    tag: tag.tag,
    aliases,
    ...(tag.from !== undefined ? { from: tag.from } : {}),
    ...(tag.alias !== undefined ? { alias: tag.alias } : {}),
    ...(tag.pinned !== undefined ? { pinned: tag.pinned } : {}),
    ...(tag.platform !== undefined ? { platform: tag.platform } : {}),
    ...(inUse ? { inUse: inUse.generation } : {}),
    ...(tag.items[0] ? { newest: tag.items[0].generation } : {}),
    items: tag.items.map((e) => ({
      generation: e.generation,
      created: e.created,
      image: e.image,
      dockerImageReference: e.dockerImageReference,
      ...(e.platformImage !== undefined ? { platformImage: e.platformImage } : {}),
      inUse: e === inUse,
    })),
  };
}

/**
 * A stream as sections: resolvable aliases fold into their target's section (`8 (latest)`);
 * with `only`, just the section holding that tag.
 */
export function describeStream(stream: LockStream, only?: string): StreamView {
  const images = new Set(stream.tags.flatMap((t) => t.items.map((e) => e.image)));
  let shown = stream.tags.filter((t) => t.alias === undefined || aliasTarget(stream, t) === undefined);
  if (only !== undefined) {
    const asked = stream.tags.find((t) => t.tag === only);
    const target = asked ? (aliasTarget(stream, asked) ?? asked) : undefined;
    shown = target ? [target] : [];
  }
  return {
    name: stream.name,
    ...(stream.namespace !== undefined ? { namespace: stream.namespace } : {}),
    uniqueImages: images.size,
    tagCount: stream.tags.length,
    tags: [...shown].sort((a, b) => compareTags(a.tag, b.tag)).map((t) => viewTag(stream, t)),
  };
}

export function describeLock(lock: Lock): StreamView[] {
  return lock.streams.map((s) => describeStream(s));
}
