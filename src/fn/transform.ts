/**
 * The KRM function as a pure transform: ResourceList text in, ResourceList text and results out.
 * The one outside read it needs (a lockfile named in functionConfig) comes in as a parameter.
 */
import { stringify } from 'yaml';
import type { Node } from 'yaml';
import { StreamlockError, isStreamlockError } from '../errors.js';
import { readYamlData } from '../yaml/read.js';
import { isImageStream, readImageStream } from '../imagestreams.js';
import type { ImageStreamInfo } from '../imagestreams.js';
import type { Lock, LockStream } from '../lockfile/format.js';
import { displayStream, isLockObject, parseLock } from '../lockfile/format.js';
import type { ParsedItem, ResourceList } from '../krm/resource-list.js';
import { NeedsWholeDocument, parseResourceList, toPlain } from '../krm/resource-list.js';
import { TextEditor, editAnnotations, offsetSplicer, setScalar } from '../krm/text-edit.js';
import type { Result } from '../krm/results.js';
import { hasErrors, result, resultToObject } from '../krm/results.js';
import type { StreamCatalog } from '../resolve-tag.js';
import { streamKey } from '../resolve-tag.js';
import type { AnnotationEdit, ImageEdit } from '../resolve.js';
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

/** A ResourceList holding only an error result: for input that could not be read as a list at all. */
export function fatal(e: unknown): TransformOutput {
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
  const attempts: Array<() => TransformOutput> = [
    () => run(parseResourceList(input, { whole: options.wholeDocument === true }), options, 'hinted'),
    () => run(parseResourceList(input, { whole: options.wholeDocument === true }), options, 'all'),
    () => run(parseResourceList(input, { whole: true }), options, 'all'),
  ];
  for (const attempt of attempts) {
    try {
      return attempt();
    } catch (e) {
      if (e instanceof NeedsWholeDocument || e instanceof CatalogMissed) continue;
      return fatal(e);
    }
  }
  return fatal(new Error('internal: no way to read the list'));
}

/** A lock or ImageStream item the cheap kind scan did not announce: read the list in two passes. */
class CatalogMissed extends Error {}

/**
 * Two passes over the items. First the catalog (locks and ImageStreams), which the resolver
 * needs before any workload; then every other item, planned and edited while its nodes are at
 * hand, so each workload is parsed once and only plain data outlives its turn. `hinted` takes
 * the catalog's items from a cheap scan of each item's `kind:` line; `all` reads every item in
 * the first pass (free for a list parsed as one Document).
 */
function run(list: ResourceList, options: TransformOptions, catalogScan: 'hinted' | 'all'): TransformOutput {
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
  const remove = new Set<number>();
  const lockPaths = new Set<string>();
  const catalogItems = new Set<number>();

  const plainOf = (itemIndex: number): Record<string, unknown> | undefined => {
    const { node, doc } = list.item(itemIndex);
    try {
      return (rec(toPlain(node, doc)) ?? {}) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };
  const report = (e: unknown, obj: Record<string, unknown>, file: ReturnType<typeof fileOf>) => {
    if (!isStreamlockError(e)) throw e;
    const where = { resourceRef: resourceRefOf(obj), ...(file ? { file } : {}) };
    results.push(result('error', e.code, e.message, { ...where, ...(e.location?.field ? { field: { path: e.location.field } } : {}) }));
  };

  // Pass 1: the catalog.
  for (let itemIndex = 0; itemIndex < list.count; itemIndex++) {
    if (catalogScan === 'hinted' && !isCatalogKind(list.kindHint(itemIndex))) continue;
    const obj = plainOf(itemIndex);
    if (!obj || (!isLockObject(obj) && !isImageStream(obj))) continue; // reported in pass 2
    catalogItems.add(itemIndex);
    const file = fileOf(obj);
    const ref = resourceRefOf(obj);
    const desc = `${ref.kind} ${ref.name}${file ? ` (${file.path})` : ''}`;
    try {
      if (isLockObject(obj)) {
        lockSources.push({ lock: parseLock(obj, { description: desc, file: file?.path }), description: desc });
        if (file) lockPaths.add(file.path);
        if (config.removeLock) remove.add(itemIndex);
      } else {
        const info = readImageStream(obj, config.namespace, desc);
        const key = streamKey(info.namespace, info.name);
        if (streams.has(key)) throw new StreamlockError('IMAGESTREAM_INVALID', `ImageStream ${displayStream(info)} appears twice in the input`);
        streams.set(key, info);
        if (config.removeImageStreams) remove.add(itemIndex);
      }
    } catch (e) {
      report(e, obj, file);
    }
  }
  if (config.lockfile && !lockPaths.has(config.lockfile.replace(/^\.\//, ''))) {
    const loaded = loadLockfile(config.lockfile, options);
    if ('error' in loaded) results.push(loaded.error);
    else lockSources.push(loaded);
  }
  const catalog: StreamCatalog = { lock: mergeLocks(lockSources, results), streams };
  const catalogOk = !hasErrors(results);

  // Pass 2: everything else; workloads planned and edited at once.
  const editor = new TextEditor(list.text);
  let resolved = 0;
  let triggered = 0;
  let changed = 0;
  for (let itemIndex = 0; itemIndex < list.count; itemIndex++) {
    if (catalogItems.has(itemIndex)) continue;
    const item = list.item(itemIndex);
    let obj: Record<string, unknown>;
    try {
      obj = (rec(toPlain(item.node, item.doc)) ?? {}) as Record<string, unknown>;
    } catch (e) {
      results.push(result('error', 'INPUT_NOT_YAML', `items[${itemIndex}]: ${(e as Error).message}`));
      continue;
    }
    if (isLockObject(obj) || isImageStream(obj)) throw new CatalogMissed();
    const isWorkload = workloadKind(obj.kind) || rec(rec(obj.metadata)?.annotations)?.[TRIGGERS_ANNOTATION] !== undefined;
    if (!isWorkload || !catalogOk) continue;
    const file = fileOf(obj);
    const plan = planWorkload(catalog, { itemIndex, object: obj, file }, { defaultNamespace: config.namespace, unresolved: config.unresolved, annotate: config.annotate });
    results.push(...plan.results);
    resolved += plan.resolvedCount;
    if (plan.resolvedCount > 0) triggered++;
    if (hasErrors(plan.results)) continue;
    try {
      applyEdits(editor, item, plan.imageEdits, plan.annotationEdits);
      changed += plan.imageEdits.length;
    } catch (e) {
      report(e, obj, file);
    }
  }

  const ok = !hasErrors(results);
  if (!ok) return finish(list, results, false, 0);
  list.removeItems(editor, remove);
  results.push(result('info', 'RESOLVED', `resolved ${resolved} image reference${resolved === 1 ? '' : 's'} in ${triggered} workload${triggered === 1 ? '' : 's'} from ${catalog.lock.streams.length} locked stream${catalog.lock.streams.length === 1 ? '' : 's'}`));
  return finish(list, results, true, changed, editor);
}

function isCatalogKind(kind: string | undefined): boolean {
  return kind === undefined || kind === 'ImageStream' || kind === 'ImageStreamLock';
}

/** The lockfile named by functionConfig, read through the injected reader. */
function loadLockfile(path: string, options: TransformOptions): { lock: Lock; description: string } | { error: Result } {
  try {
    if (!options.readFile) throw new StreamlockError('LOCK_NOT_FOUND', 'no file access to read the lockfile');
    let text: string;
    try {
      text = options.readFile(path);
    } catch (e) {
      throw new StreamlockError('LOCK_NOT_FOUND', `lockfile ${path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const data = readYamlData(text, `lockfile ${path}`, (message) => new StreamlockError('LOCK_INVALID', message));
    return { lock: parseLock(data, { description: `lockfile ${path}`, file: path }), description: `lockfile ${path}` };
  } catch (e) {
    if (!isStreamlockError(e)) throw e;
    return { error: result('error', e.code, e.message, { file: { path } }) };
  }
}

/** Applies one workload's planned edits to its item's text. */
function applyEdits(editor: TextEditor, item: ParsedItem, imageEdits: readonly ImageEdit[], annotationEdits: readonly AnnotationEdit[]): void {
  const { node, text, base } = item;
  const splicer = offsetSplicer(editor, base);
  for (const e of imageEdits) {
    const target = node.getIn(e.path, true) as Node | undefined;
    if (!target) throw new StreamlockError('FIELDPATH_NO_MATCH', `${e.path.join('.')} not found`);
    setScalar(splicer, target, e.value, inFlow(node, e.path));
  }
  const set = annotationEdits.filter((e) => e.value !== undefined).map((e) => [e.key, e.value!] as const);
  const remove = annotationEdits.filter((e) => e.value === undefined).map((e) => e.key);
  editAnnotations(splicer, text, node, set, remove);
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
