/**
 * The `image.openshift.io/triggers` annotation: read as OpenShift reads it, validated strictly,
 * and written as `oc set triggers` writes it.
 */
import type { ErrorCode } from './errors.js';

export const TRIGGERS_ANNOTATION = 'image.openshift.io/triggers';
/** Kubernetes caps all annotations of an object at 256 KiB together. */
export const MAX_ANNOTATION_BYTES = 256 * 1024;

export interface Trigger {
  /** Position in the annotation's array, for error messages. */
  readonly index: number;
  readonly stream: string;
  readonly tag: string;
  /** `from.namespace`; absent means the workload's namespace. */
  readonly namespace: string | undefined;
  readonly fieldPath: string;
  readonly paused: boolean;
}

export interface TriggerProblem {
  readonly code: ErrorCode;
  readonly severity: 'error' | 'warning';
  /** Index of the entry in the array, when the problem is one entry's. */
  readonly index: number | undefined;
  readonly message: string;
}

const KNOWN_KEYS = new Set(['from', 'fieldPath', 'paused']);
const KNOWN_FROM_KEYS = new Set(['kind', 'name', 'namespace', 'apiVersion']);
const STREAM_RE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/**
 * Parses the annotation value. Problems are collected rather than thrown, so one run reports
 * every broken entry; a problem with no index (bad JSON, not an array) concerns the whole value.
 */
export function parseTriggers(value: string): { triggers: Trigger[]; problems: TriggerProblem[] } {
  const problems: TriggerProblem[] = [];
  const whole = (code: ErrorCode, message: string) => ({ triggers: [], problems: [{ code, severity: 'error' as const, index: undefined, message }] });
  if (Buffer.byteLength(value, 'utf8') > MAX_ANNOTATION_BYTES) return whole('TRIGGER_INVALID', `value is larger than ${MAX_ANNOTATION_BYTES} bytes`);
  let data: unknown;
  try {
    data = JSON.parse(value);
  } catch (e) {
    return whole('TRIGGER_INVALID_JSON', `value is not valid JSON (${(e as Error).message})`);
  }
  if (data === null) return { triggers: [], problems };
  if (!Array.isArray(data)) return whole('TRIGGER_INVALID', 'value must be a JSON array of triggers');

  const triggers: Trigger[] = [];
  const seenPaths = new Map<string, number>();
  data.forEach((entry: unknown, index) => {
    const bad = (code: ErrorCode, message: string) => problems.push({ code, severity: 'error', index, message });
    if (!isPlainObject(entry)) return bad('TRIGGER_INVALID', 'must be an object with "from" and "fieldPath"');
    for (const key of Object.keys(entry)) {
      if (!KNOWN_KEYS.has(key)) problems.push({ code: 'TRIGGER_INVALID', severity: 'warning', index, message: `unknown key "${key}" is ignored` });
    }
    const from = field(entry, 'from');
    if (!isPlainObject(from)) return bad('TRIGGER_INVALID', '"from" must be an object');
    for (const key of Object.keys(from)) {
      if (!KNOWN_FROM_KEYS.has(key)) problems.push({ code: 'TRIGGER_INVALID', severity: 'warning', index, message: `unknown key "from.${key}" is ignored` });
    }
    const kind = field(from, 'kind');
    if (kind !== 'ImageStreamTag') {
      return bad('TRIGGER_UNSUPPORTED_KIND', `from.kind is ${JSON.stringify(kind) ?? 'missing'}; only "ImageStreamTag" triggers are followed (OpenShift never fires others on image changes)`);
    }
    const apiVersion = field(from, 'apiVersion');
    if (apiVersion !== undefined && apiVersion !== '') return bad('TRIGGER_INVALID', 'from.apiVersion must be empty (OpenShift ignores triggers that set it)');
    const name = field(from, 'name');
    if (typeof name !== 'string') return bad('TRIGGER_INVALID', 'from.name must be a string "stream:tag"');
    const colon = name.indexOf(':');
    if (colon < 0) return bad('TRIGGER_INVALID', `from.name "${name}" has no ":tag" (OpenShift would silently never resolve it)`);
    const stream = name.slice(0, colon);
    const tag = name.slice(colon + 1) || 'latest';
    if (!STREAM_RE.test(stream)) return bad('TRIGGER_INVALID', `from.name "${name}": "${stream}" is not a valid image stream name`);
    if (!TAG_RE.test(tag)) return bad('TRIGGER_INVALID', `from.name "${name}": "${tag}" is not a valid tag`);
    const namespace = field(from, 'namespace');
    if (namespace !== undefined && typeof namespace !== 'string') return bad('TRIGGER_INVALID', 'from.namespace must be a string');
    if (typeof namespace === 'string' && namespace !== '' && !STREAM_RE.test(namespace)) return bad('TRIGGER_INVALID', `from.namespace "${namespace}" is not a valid namespace`);
    const fieldPath = field(entry, 'fieldPath');
    if (typeof fieldPath !== 'string' || fieldPath === '') return bad('TRIGGER_INVALID', '"fieldPath" must be a non-empty string');
    const paused = field(entry, 'paused');
    if (paused !== undefined && typeof paused !== 'boolean') return bad('TRIGGER_INVALID', `"paused" must be true or false, not ${JSON.stringify(paused)}`);
    const first = seenPaths.get(fieldPath);
    if (first !== undefined) return bad('TRIGGER_DUPLICATE_FIELDPATH', `fieldPath is the same as trigger ${first}'s (OpenShift ignores the whole annotation)`);
    seenPaths.set(fieldPath, index);
    triggers.push({ index, stream, tag, namespace: namespace || undefined, fieldPath, paused: paused === true });
  });
  return { triggers, problems };
}

/** Serialises triggers the way `oc set triggers` does: compact JSON, keys in its order. */
export function formatTriggers(
  triggers: ReadonlyArray<{ stream: string; tag: string; namespace?: string | undefined; fieldPath: string; paused?: boolean }>,
): string {
  return JSON.stringify(
    triggers.map((t) => ({
      from: { kind: 'ImageStreamTag', name: `${t.stream}:${t.tag}`, ...(t.namespace ? { namespace: t.namespace } : {}) },
      fieldPath: t.fieldPath,
      ...(t.paused ? { paused: true } : {}),
    })),
  );
}
