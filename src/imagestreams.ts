/**
 * ImageStream objects from the input: spec tags (what each tag follows), lookup policy, and
 * `status.tags` of `oc get is -o yaml` exports, which become a lock source.
 */
import { StreamlockError } from './errors.js';
import type { LockStream, LockTag, TagEvent } from './lockfile/format.js';
import { parseLock } from './lockfile/format.js';

export const IMAGESTREAM_KIND = 'ImageStream';

export type TagSourceKind = 'DockerImage' | 'ImageStreamTag' | 'ImageStreamImage';

export interface SpecTag {
  readonly name: string;
  readonly from: { readonly kind: TagSourceKind; readonly name: string; readonly namespace: string | undefined } | undefined;
  readonly reference: boolean;
  readonly referencePolicy: 'Source' | 'Local';
  readonly scheduled: boolean;
}

export interface ImageStreamInfo {
  readonly name: string;
  /** Effective namespace: the object's, else the configured default, else ''. */
  readonly namespace: string;
  readonly lookupLocal: boolean;
  /** `status.dockerImageRepository`: where a `Local` reference policy points. */
  readonly localRepository: string | undefined;
  readonly tags: ReadonlyMap<string, SpecTag>;
  /** History from `status.tags`, when the object is an export from a cluster. */
  readonly history: LockStream | undefined;
}

export function isImageStream(obj: { apiVersion?: unknown; kind?: unknown }): boolean {
  return obj.kind === IMAGESTREAM_KIND && (obj.apiVersion === 'image.openshift.io/v1' || obj.apiVersion === 'v1');
}

function rec(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Reads an ImageStream; throws STREAM_NOT_FOUND-free errors (TAG_* / LOCK_INVALID) naming the field. */
export function readImageStream(obj: Record<string, unknown>, defaultNamespace: string, description: string): ImageStreamInfo {
  const metadata = rec(obj.metadata) ?? {};
  const name = str(metadata.name);
  if (!name) throw new StreamlockError('IMAGESTREAM_INVALID', `${description}: ImageStream has no metadata.name`);
  const namespace = str(metadata.namespace) ?? defaultNamespace;
  const spec = rec(obj.spec) ?? {};
  const tags = new Map<string, SpecTag>();
  const specTags = Array.isArray(spec.tags) ? spec.tags : [];
  specTags.forEach((raw: unknown, i: number) => {
    const t = rec(raw);
    const at = `spec.tags[${i}]`;
    const bad = (reason: string) => new StreamlockError('IMAGESTREAM_INVALID', `ImageStream ${name}: ${at}: ${reason}`, { location: { field: at } });
    const tagName = t ? str(t.name) : undefined;
    if (!t || !tagName) throw bad('a tag needs a name');
    if (tags.has(tagName)) throw bad(`tag "${tagName}" is listed twice`);
    const from = rec(t.from);
    let source: SpecTag['from'];
    if (from) {
      const kind = str(from.kind);
      const fromName = str(from.name);
      if (kind !== 'DockerImage' && kind !== 'ImageStreamTag' && kind !== 'ImageStreamImage') {
        throw bad(`from.kind ${JSON.stringify(from.kind)} is not DockerImage, ImageStreamTag or ImageStreamImage`);
      }
      if (!fromName) throw bad('from.name is missing');
      source = { kind, name: fromName, namespace: str(from.namespace) || undefined };
    }
    const policy = str(rec(t.referencePolicy)?.type);
    tags.set(tagName, {
      name: tagName,
      from: source,
      reference: t.reference === true,
      referencePolicy: policy === 'Local' ? 'Local' : 'Source',
      scheduled: rec(t.importPolicy)?.scheduled === true,
    });
  });
  const status = rec(obj.status) ?? {};
  return {
    name,
    namespace,
    lookupLocal: rec(spec.lookupPolicy)?.local === true,
    localRepository: str(status.dockerImageRepository) || undefined,
    tags,
    history: readStatusHistory(name, str(metadata.namespace), status, description),
  };
}

/**
 * `status.tags` as lock history. OpenShift numbers events with the stream's spec generation, so
 * numbers repeat and skip; the lock numbers a tag's images 1, 2, 3… oldest first, so an export is
 * renumbered in order. Events without a digest (reference-only tags) cannot be pinned and are skipped.
 */
function readStatusHistory(name: string, namespace: string | undefined, status: Record<string, unknown>, description: string): LockStream | undefined {
  if (!Array.isArray(status.tags) || status.tags.length === 0) return undefined;
  const tags: LockTag[] = [];
  for (const raw of status.tags) {
    const t = rec(raw);
    const tag = t ? str(t.tag) : undefined;
    if (!t || !tag) continue;
    const events = (Array.isArray(t.items) ? t.items : []).map(rec).filter((e): e is Record<string, unknown> => !!e && !!str(e.image));
    const n = events.length;
    const items: TagEvent[] = events.map((e, i) => {
      const image = str(e.image) ?? '';
      const ref = str(e.dockerImageReference) ?? '';
      return {
        generation: n - i,
        created: str(e.created) ?? '1970-01-01T00:00:00Z',
        image,
        dockerImageReference: ref.includes('@') ? ref : `${ref.replace(/:[\w][\w.-]*$/, '')}@${image}`,
      };
    });
    if (items.length > 0) tags.push({ tag, items });
  }
  if (tags.length === 0) return undefined;
  const lock = parseLock(
    { apiVersion: 'streamlock.dev/v1alpha1', kind: 'ImageStreamLock', streams: [{ name, ...(namespace ? { namespace } : {}), tags }] },
    { description: `${description} (status.tags of ImageStream ${name})` },
  );
  return lock.streams[0];
}
