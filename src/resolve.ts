/**
 * The pure core: for one workload, its triggers (and resolve-names images) resolved against the
 * stream catalog, as planned edits plus results. No YAML nodes and no I/O here.
 */
import { JSONPath } from 'jsonpath-plus';
import type { ErrorCode } from './errors.js';
import { parseFieldPath } from './field-path.js';
import { isSingleSegment, lastSegment, parseImageRef } from './image-ref.js';
import type { ResourceRef, Result, Severity } from './krm/results.js';
import { result } from './krm/results.js';
import type { Resolved, StreamCatalog } from './resolve-tag.js';
import { resolveTag, streamKey } from './resolve-tag.js';
import { TRIGGERS_ANNOTATION, parseTriggers } from './triggers.js';
import type { ContainerList } from './workloads.js';
import { CONTAINER_LISTS, workloadKind } from './workloads.js';

export const RESOLVE_NAMES_ANNOTATION = 'alpha.image.policy.openshift.io/resolve-names';
/** One annotation per resolved container, so a rollout shows in review as one changed line each. */
export const RESOLVED_ANNOTATION_PREFIX = 'resolved.streamlock.dev/';

export type UnresolvedPolicy = 'error' | 'warning' | 'ignore';

export interface ResolveOptions {
  readonly defaultNamespace: string;
  readonly unresolved: UnresolvedPolicy;
  readonly annotate: boolean;
}

export interface WorkloadInput {
  readonly itemIndex: number;
  readonly object: Record<string, unknown>;
  readonly file: { readonly path: string; readonly index?: number } | undefined;
}

export type Path = ReadonlyArray<string | number>;

export interface ImageEdit {
  readonly itemIndex: number;
  readonly path: Path;
  readonly current: string;
  readonly value: string;
}

export interface AnnotationEdit {
  readonly itemIndex: number;
  readonly key: string;
  /** undefined: remove the annotation. */
  readonly value: string | undefined;
}

export interface WorkloadPlan {
  readonly imageEdits: ImageEdit[];
  readonly annotationEdits: AnnotationEdit[];
  readonly results: Result[];
  readonly resolvedCount: number;
}

interface Container {
  readonly list: ContainerList;
  readonly index: number;
  readonly name: string | undefined;
  readonly image: unknown;
}

function rec(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function annotationsOf(obj: Record<string, unknown> | undefined): Record<string, unknown> {
  return rec(rec(obj?.metadata)?.annotations) ?? {};
}

/** jsonpath-plus for plain navigation only: a path built from our constants, evaluation off. */
function navigate(obj: Record<string, unknown>, path: readonly string[]): unknown {
  return JSONPath({ path: JSONPath.toPathString(['$', ...path]), json: obj, eval: false, wrap: false });
}

function listContainers(podSpec: unknown): Container[] {
  const spec = rec(podSpec);
  if (!spec) return [];
  const out: Container[] = [];
  for (const list of CONTAINER_LISTS) {
    const items = Object.hasOwn(spec, list) ? spec[list] : undefined;
    if (!Array.isArray(items)) continue;
    items.forEach((c, index) => {
      const name = rec(c)?.name;
      out.push({ list, index, name: typeof name === 'string' ? name : undefined, image: rec(c)?.image });
    });
  }
  return out;
}

export function resourceRefOf(obj: Record<string, unknown>): ResourceRef {
  const md = rec(obj.metadata) ?? {};
  const ns = typeof md.namespace === 'string' && md.namespace ? md.namespace : undefined;
  return {
    apiVersion: typeof obj.apiVersion === 'string' ? obj.apiVersion : '',
    kind: typeof obj.kind === 'string' ? obj.kind : '',
    name: typeof md.name === 'string' ? md.name : '',
    ...(ns ? { namespace: ns } : {}),
  };
}

function describe(ref: ResourceRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

function resolvedValue(r: Resolved): string {
  return `${r.chain[0]} generation ${r.generation}${r.pinned ? ' (pinned)' : ''} ${r.image}`;
}

/** Plans the edits of one workload. A workload with any error gets no edits at all (as OpenShift). */
export function planWorkload(catalog: StreamCatalog, w: WorkloadInput, opts: ResolveOptions): WorkloadPlan {
  const ref = resourceRefOf(w.object);
  const who = describe(ref);
  const annotations = annotationsOf(w.object);
  const results: Result[] = [];
  const imageEdits: ImageEdit[] = [];
  const resolvedNow = new Map<string, string>();
  const report = (severity: Severity, code: ErrorCode, message: string, field?: string, currentValue?: unknown) =>
    results.push(
      result(severity, code, `${who}: ${message}`, {
        resourceRef: ref,
        ...(field ? { field: { path: field, ...(currentValue !== undefined ? { currentValue } : {}) } } : {}),
        ...(w.file ? { file: w.file } : {}),
      }),
    );
  const annotationField = `metadata.annotations["${TRIGGERS_ANNOTATION}"]`;
  const kind = workloadKind(ref.kind);
  const rawTriggers = annotations[TRIGGERS_ANNOTATION];
  const namespace = ref.namespace ?? opts.defaultNamespace;

  if (!kind) {
    if (rawTriggers !== undefined) report('error', 'TRIGGER_UNSUPPORTED_KIND', `kind ${ref.kind} has no pod spec, so it cannot carry ${TRIGGERS_ANNOTATION}`, annotationField);
    return { imageEdits, annotationEdits: [], results, resolvedCount: 0 };
  }
  const podSpecPath = kind.podSpecPath;
  const containers = listContainers(navigate(w.object, podSpecPath));
  const targeted = new Map<string, number>();
  const held = new Set<string>();

  const applyResolution = (c: Container, r: Resolved, triggerIndex: number | undefined) => {
    const path = [...podSpecPath, c.list, c.index, 'image'];
    const field = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').slice(1);
    if (typeof c.image !== 'string') {
      report('error', 'FIELDPATH_NOT_STRING', `${triggerIndex === undefined ? '' : `trigger ${triggerIndex}: `}${field} is not a string`, field);
      return;
    }
    if (c.image !== r.pullSpec) imageEdits.push({ itemIndex: w.itemIndex, path, current: c.image, value: r.pullSpec });
    if (c.name) resolvedNow.set(c.name, resolvedValue(r));
  };

  const miss = (code: ErrorCode, message: string, field: string) => {
    if (opts.unresolved === 'ignore') return;
    report(opts.unresolved, code, message, field);
  };

  if (rawTriggers !== undefined) {
    if (typeof rawTriggers !== 'string') {
      report('error', 'TRIGGER_INVALID', `${TRIGGERS_ANNOTATION} must be a string`, annotationField);
    } else {
      const { triggers, problems } = parseTriggers(rawTriggers);
      for (const p of problems) {
        report(p.severity, p.code, `${p.index === undefined ? '' : `trigger ${p.index}: `}${p.message}`, p.index === undefined ? annotationField : `${annotationField}[${p.index}]`);
      }
      for (const t of triggers) {
        if (t.paused) {
          // A paused trigger holds its container's image; keep what it recorded.
          const p = parseFieldPath(t.fieldPath, podSpecPath, ref.kind);
          if (p.ok) {
            const sel = p.value.selector;
            const c = containers.find((x) => (sel.by === 'name' ? x.name === sel.name : x.list === p.value.list && x.index === sel.index));
            if (c?.name) held.add(c.name);
          }
          continue;
        }
        const at = `trigger ${t.index} (${t.fieldPath})`;
        const parsed = parseFieldPath(t.fieldPath, podSpecPath, ref.kind);
        if (!parsed.ok) {
          report('error', parsed.problem.code === 'TRIGGER_WRONG_KIND_PATH' ? 'TRIGGER_WRONG_KIND_PATH' : 'FIELDPATH_REJECTED', `${at}: ${parsed.problem.reason}`, `${annotationField}[${t.index}].fieldPath`);
          continue;
        }
        const { list, selector } = parsed.value;
        let matches: Container[];
        if (selector.by === 'index') {
          matches = containers.filter((c) => c.list === list && c.index === selector.index);
        } else {
          // OpenShift finds a name in either list (oc set triggers -c writes containers[] for init containers too).
          matches = containers.filter((c) => c.name === selector.name);
        }
        if (matches.length === 0) {
          const names = containers.map((c) => c.name).filter(Boolean);
          report('error', 'FIELDPATH_NO_MATCH', `${at}: matches no container (containers: ${names.join(', ') || 'none'})`, `${annotationField}[${t.index}].fieldPath`);
          continue;
        }
        if (matches.length > 1) {
          report('error', 'FIELDPATH_NO_MATCH', `${at}: matches ${matches.length} containers named "${selector.by === 'name' ? selector.name : ''}"; container names must be unique`, `${annotationField}[${t.index}].fieldPath`);
          continue;
        }
        const c = matches[0]!;
        const key = `${c.list}[${c.index}]`;
        const other = targeted.get(key);
        if (other !== undefined) {
          report('error', 'TRIGGER_DUPLICATE_FIELDPATH', `${at}: container ${c.name ?? key} is already set by trigger ${other}`, `${annotationField}[${t.index}].fieldPath`);
          continue;
        }
        targeted.set(key, t.index);
        const r = resolveTag(catalog, t.namespace ?? namespace, t.stream, t.tag);
        if (!r.ok) {
          if (r.miss) miss(r.code, `${at}: ${r.message}`, `${annotationField}[${t.index}].from`);
          else report('error', r.code, `${at}: ${r.message}`, `${annotationField}[${t.index}].from`);
          continue;
        }
        applyResolution(c, r.value, t.index);
      }
    }
  }

  // resolve-names: bare image names resolved like OpenShift's image policy admission does.
  const templateMeta = navigate(w.object, [...podSpecPath.slice(0, -1), 'metadata']);
  const resolveAll =
    annotationsOf({ metadata: templateMeta })[RESOLVE_NAMES_ANNOTATION] === '*' || annotations[RESOLVE_NAMES_ANNOTATION] === '*';
  for (const c of containers) {
    if (targeted.has(`${c.list}[${c.index}]`) || typeof c.image !== 'string') continue;
    let image;
    try {
      image = parseImageRef(c.image);
    } catch {
      continue;
    }
    let stream = lastSegment(image);
    let tag = image.tag ?? 'latest';
    let singleSegment = isSingleSegment(image);
    if (image.digest) {
      // Already pinned, by us on an earlier run (kpt render writes output back) or by hand. Our
      // annotation remembers the tag it came from, so a new generation still rolls out.
      const earlier = c.name ? /^([a-z0-9][-a-z0-9.]*):([\w][\w.-]*) generation /.exec(String(annotations[RESOLVED_ANNOTATION_PREFIX + c.name] ?? '')) : null;
      if (!earlier) continue;
      [stream, tag, singleSegment] = [earlier[1]!, earlier[2]!, true];
    }
    const info = catalog.streams.get(streamKey(namespace, stream));
    const eligible = resolveAll || (singleSegment && info?.lookupLocal === true);
    if (!eligible || (!info && !catalog.lock.streams.some((s) => s.name === stream))) continue;
    const field = [...podSpecPath, c.list].join('.') + `[${c.index}].image`;
    const r = resolveTag(catalog, namespace, stream, tag);
    if (!r.ok) {
      if (r.miss) miss(r.code, `${field} (${c.image}): ${r.message}`, field);
      else report('error', r.code, `${field} (${c.image}): ${r.message}`, field);
      continue;
    }
    applyResolution(c, r.value, undefined);
  }

  if (results.some((r) => r.severity === 'error')) return { imageEdits: [], annotationEdits: [], results, resolvedCount: 0 };

  const annotationEdits: AnnotationEdit[] = [];
  if (opts.annotate) {
    for (const [name, value] of [...resolvedNow].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const key = RESOLVED_ANNOTATION_PREFIX + name;
      if (annotations[key] !== value) annotationEdits.push({ itemIndex: w.itemIndex, key, value });
    }
    for (const key of Object.keys(annotations).sort()) {
      if (key.startsWith(RESOLVED_ANNOTATION_PREFIX) && !resolvedNow.has(key.slice(RESOLVED_ANNOTATION_PREFIX.length)) && !held.has(key.slice(RESOLVED_ANNOTATION_PREFIX.length))) {
        annotationEdits.push({ itemIndex: w.itemIndex, key, value: undefined });
      }
    }
  }
  return { imageEdits, annotationEdits, results, resolvedCount: resolvedNow.size };
}
