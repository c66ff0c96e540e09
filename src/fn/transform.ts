/**
 * The KRM function as a pure transform: ResourceList text in, ResourceList text and results out.
 * The one outside read it needs (a lockfile named in functionConfig) comes in as a parameter.
 */
import { parseDocument, stringify } from 'yaml';
import type { Node } from 'yaml';
import { StreamlockError, isStreamlockError } from '../errors.js';
import { isImageStream, readImageStream } from '../imagestreams.js';
import type { ImageStreamInfo } from '../imagestreams.js';
import type { Lock, LockStream } from '../lockfile/format.js';
import { displayStream, isLockObject, parseLock } from '../lockfile/format.js';
import type { ResourceList } from '../krm/resource-list.js';
import { MAX_ALIAS_COUNT, NeedsWholeDocument, parseResourceList, toPlain } from '../krm/resource-list.js';
import { TextEditor, editAnnotations, offsetSplicer, setScalar } from '../krm/text-edit.js';
import type { Result } from '../krm/results.js';
import { hasErrors, result, resultToObject } from '../krm/results.js';
import type { StreamCatalog } from '../resolve-tag.js';
import { streamKey } from '../resolve-tag.js';
import type { AnnotationEdit, ImageEdit, WorkloadInput } from '../resolve.js';
import { planWorkload, resourceRefOf } from '../resolve.js';
import { TRIGGERS_ANNOTATION } from '../triggers.js';
import { workloadKind } from '../workloads.js';
import type { FunctionConfig } from './config.js';
import { readFunctionConfig } from './config.js';

export interface TransformOptions {
  /** Reads a lockfile named by functionConfig; throws ENOENT-style errors when missing. */
  readonly readFile?: (path: string) => string;
  /** Options that override functionConfig (the `render` command's flags). */
  readonly overrides?: Partial<FunctionConfig>;
  /** Parse the list as one Document even when it could go item by item (tests compare both). */
  readonly wholeDocument?: boolean;
}

export interface TransformOutput {
  /** The ResourceList to write; for unparseable input, a list holding only the results. */
  readonly text: string;
  readonly results: readonly Result[];
  readonly ok: boolean;
  readonly changed: number;
}

const PATH_ANNOTATIONS = ['internal.config.kubernetes.io/path', 'config.kubernetes.io/path'];
const INDEX_ANNOTATIONS = ['internal.config.kubernetes.io/index', 'config.kubernetes.io/index'];

function rec(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function fileOf(obj: Record<string, unknown>): { path: string; index?: number } | undefined {
  const a = rec(rec(obj.metadata)?.annotations) ?? {};
  const path = PATH_ANNOTATIONS.map((k) => a[k]).find((v): v is string => typeof v === 'string');
  if (!path) return undefined;
  const index = Number(INDEX_ANNOTATIONS.map((k) => a[k]).find((v) => typeof v === 'string') ?? 0);
  return Number.isInteger(index) && index > 0 ? { path, index } : { path };
}

function fatal(e: unknown): TransformOutput {
  const code = isStreamlockError(e) ? e.code : 'INPUT_NOT_YAML';
  const r = result('error', code, isStreamlockError(e) ? e.message : `unexpected failure: ${(e as Error).message}`);
  const text = stringify(
    { apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [], results: [resultToObject(r)] },
    { indentSeq: false, lineWidth: 0 },
  );
  return { text, results: [r], ok: false, changed: 0 };
}

/** Merges lock sources; the same stream in two sources must agree exactly. */
function mergeLocks(sources: Array<{ lock: Lock; description: string }>, results: Result[]): Lock {
  const byKey = new Map<string, { stream: LockStream; description: string; json: string }>();
  for (const { lock, description } of sources) {
    for (const stream of lock.streams) {
      const key = `${stream.namespace ?? ''}/${stream.name}`;
      const json = JSON.stringify(stream);
      const seen = byKey.get(key);
      if (!seen) byKey.set(key, { stream, description, json });
      else if (seen.json !== json) {
        results.push(result('error', 'LOCK_CONFLICT', `stream ${displayStream(stream)} is recorded differently in ${seen.description} and ${description}; keep one lock`));
      }
    }
  }
  return { streams: [...byKey.values()].map((v) => v.stream) };
}

export function transform(input: string, options: TransformOptions = {}): TransformOutput {
  try {
    return run(parseResourceList(input, { whole: options.wholeDocument === true }), options);
  } catch (e) {
    if (!(e instanceof NeedsWholeDocument)) return fatal(e);
  }
  try {
    return run(parseResourceList(input, { whole: true }), options);
  } catch (e) {
    return fatal(e);
  }
}

function run(list: ResourceList, options: TransformOptions): TransformOutput {
  let config: FunctionConfig;
  try {
    config = { ...readFunctionConfig(list.functionConfig), ...options.overrides };
  } catch (e) {
    if (!isStreamlockError(e)) throw e;
    // Items parsed one by one are checked as they are read: read them all before answering,
    // so broken YAML is still reported as such.
    for (let i = 0; i < list.count; i++) list.item(i);
    return finish(list, [result('error', e.code, e.message, e.location?.field ? { field: { path: `functionConfig.${e.location.field}` } } : {})], false, 0);
  }
  const results: Result[] = [];
  const lockSources: Array<{ lock: Lock; description: string }> = [];
  const streams = new Map<string, ImageStreamInfo>();
  const workloads: WorkloadInput[] = [];
  const remove = new Set<number>();
  const lockPaths = new Set<string>();

  // One pass over the items keeps plain data only: what the resolver needs, not the nodes.
  for (let itemIndex = 0; itemIndex < list.count; itemIndex++) {
    const { node, doc } = list.item(itemIndex);
    let obj: Record<string, unknown>;
    try {
      obj = (rec(toPlain(node, doc)) ?? {}) as Record<string, unknown>;
    } catch (e) {
      results.push(result('error', 'INPUT_NOT_YAML', `items[${itemIndex}]: ${(e as Error).message}`));
      continue;
    }
    const file = fileOf(obj);
    const ref = resourceRefOf(obj);
    const where = { resourceRef: ref, ...(file ? { file } : {}) };
    const desc = `${ref.kind} ${ref.name}${file ? ` (${file.path})` : ''}`;
    try {
      if (isLockObject(obj)) {
        lockSources.push({ lock: parseLock(obj, { description: desc, file: file?.path }), description: desc });
        if (file) lockPaths.add(file.path);
        if (config.removeLock) remove.add(itemIndex);
      } else if (isImageStream(obj)) {
        const info = readImageStream(obj, config.namespace, desc);
        const key = streamKey(info.namespace, info.name);
        if (streams.has(key)) throw new StreamlockError('IMAGESTREAM_INVALID', `ImageStream ${displayStream(info)} appears twice in the input`);
        streams.set(key, info);
        if (config.removeImageStreams) remove.add(itemIndex);
      } else if (workloadKind(obj.kind) || rec(rec(obj.metadata)?.annotations)?.[TRIGGERS_ANNOTATION] !== undefined) {
        workloads.push({ itemIndex, object: obj, file });
      }
    } catch (e) {
      if (!isStreamlockError(e)) throw e;
      results.push(result('error', e.code, e.message, { ...where, ...(e.location?.field ? { field: { path: e.location.field } } : {}) }));
    }
  }

  if (config.lockfile && !lockPaths.has(config.lockfile.replace(/^\.\//, ''))) {
    try {
      if (!options.readFile) throw new StreamlockError('LOCK_NOT_FOUND', 'no file access to read the lockfile');
      let text: string;
      try {
        text = options.readFile(config.lockfile);
      } catch (e) {
        throw new StreamlockError('LOCK_NOT_FOUND', `lockfile ${config.lockfile} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
      if (doc.errors.length > 0) throw new StreamlockError('LOCK_INVALID', `lockfile ${config.lockfile} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
      let data: unknown;
      try {
        data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (e) {
        throw new StreamlockError('LOCK_INVALID', `lockfile ${config.lockfile} expands too many aliases: ${(e as Error).message}`);
      }
      lockSources.push({ lock: parseLock(data, { description: `lockfile ${config.lockfile}`, file: config.lockfile }), description: `lockfile ${config.lockfile}` });
    } catch (e) {
      if (!isStreamlockError(e)) throw e;
      results.push(result('error', e.code, e.message, { file: { path: config.lockfile } }));
    }
  }

  const catalog: StreamCatalog = { lock: mergeLocks(lockSources, results), streams };
  const imageEdits: ImageEdit[] = [];
  const annotationEdits: AnnotationEdit[] = [];
  let resolved = 0;
  let triggered = 0;
  if (!hasErrors(results)) {
    for (const w of workloads) {
      const plan = planWorkload(catalog, w, { defaultNamespace: config.namespace, unresolved: config.unresolved, annotate: config.annotate });
      results.push(...plan.results);
      imageEdits.push(...plan.imageEdits);
      annotationEdits.push(...plan.annotationEdits);
      resolved += plan.resolvedCount;
      if (plan.resolvedCount > 0) triggered++;
    }
  }

  const ok = !hasErrors(results);
  const editor = new TextEditor(list.text);
  if (ok) {
    try {
      applyEdits(editor, list, imageEdits, annotationEdits);
      list.removeItems(editor, remove);
    } catch (e) {
      if (!isStreamlockError(e)) throw e;
      return finish(list, [...results, result('error', e.code, e.message)], false, 0);
    }
    results.push(result('info', 'RESOLVED', `resolved ${resolved} image reference${resolved === 1 ? '' : 's'} in ${triggered} workload${triggered === 1 ? '' : 's'} from ${catalog.lock.streams.length} locked stream${catalog.lock.streams.length === 1 ? '' : 's'}`));
  }
  return finish(list, results, ok, ok ? imageEdits.length : 0, ok ? editor : undefined);
}

/** Applies the planned edits, parsing again only the items that change. */
function applyEdits(editor: TextEditor, list: ResourceList, imageEdits: readonly ImageEdit[], annotationEdits: readonly AnnotationEdit[]): void {
  const byItem = new Map<number, { images: ImageEdit[]; set: Array<readonly [string, string]>; remove: string[] }>();
  const of = (i: number) => {
    let edits = byItem.get(i);
    if (!edits) byItem.set(i, (edits = { images: [], set: [], remove: [] }));
    return edits;
  };
  for (const e of imageEdits) of(e.itemIndex).images.push(e);
  for (const e of annotationEdits) {
    if (e.value === undefined) of(e.itemIndex).remove.push(e.key);
    else of(e.itemIndex).set.push([e.key, e.value]);
  }
  for (const [itemIndex, edits] of byItem) {
    const { node, text, base } = list.item(itemIndex);
    const splicer = offsetSplicer(editor, base);
    for (const e of edits.images) {
      const target = node.getIn(e.path, true) as Node | undefined;
      if (!target) throw new StreamlockError('FIELDPATH_NO_MATCH', `items[${itemIndex}]: ${e.path.join('.')} not found`);
      setScalar(splicer, target, e.value, inFlow(node, e.path));
    }
    editAnnotations(splicer, text, node, edits.set, edits.remove);
  }
}

/** Whether any collection on the way to a node is a flow collection (JSON input, `{…}` YAML). */
function inFlow(item: { flow?: boolean; getIn(path: Iterable<unknown>, keep?: boolean): unknown }, path: readonly (string | number)[]): boolean {
  if (item.flow) return true;
  for (let i = 1; i < path.length; i++) {
    const n = item.getIn(path.slice(0, i), true) as { flow?: boolean } | undefined;
    if (n?.flow) return true;
  }
  return false;
}

function finish(list: ResourceList, results: readonly Result[], ok: boolean, changed: number, editor?: TextEditor): TransformOutput {
  const out = editor ?? new TextEditor(list.text);
  const objects = results.map(resultToObject);
  list.writeResults(out, stringify({ results: objects }, { indentSeq: false, lineWidth: 0 }), JSON.stringify(objects));
  return { text: out.apply(), results, ok, changed };
}
