/**
 * ResourceList in and out (KRM functions spec). The input is kept as text plus a `yaml` Document
 * used only to find things; output is the input text with the changed spans spliced in, so every
 * byte the function did not mean to change (items, comments, key order, quoting, annotations such
 * as `internal.config.kubernetes.io/*`) comes out as it went in.
 */
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { StreamlockError } from '../errors.js';

export const RESOURCE_LIST_VERSIONS = ['config.kubernetes.io/v1', 'config.kubernetes.io/v1beta1', 'config.kubernetes.io/v1alpha1'];
/** Aliases a document may expand while converting to plain data (billion-laughs guard). */
export const MAX_ALIAS_COUNT = 100;

export interface ResourceList {
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly apiVersion: string;
  readonly kind: string;
  /** The `items` sequence node, or undefined when the list has none. */
  readonly itemsNode: YAMLSeq | undefined;
  readonly items: readonly YAMLMap[];
  readonly functionConfig: Record<string, unknown> | undefined;
}

function lineCol(text: string, offset: number): string {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return `line ${line}, column ${offset - last}`;
}

/** Parses a ResourceList (YAML or JSON). Throws INPUT_NOT_YAML / INPUT_NOT_RESOURCE_LIST. */
export function parseResourceList(text: string): ResourceList {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true, stringKeys: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new StreamlockError('INPUT_NOT_YAML', `input is not valid YAML: ${e.message.split('\n')[0]} (${lineCol(text, e.pos[0])})`);
  }
  const root = doc.contents;
  if (!isMap(root)) throw new StreamlockError('INPUT_NOT_RESOURCE_LIST', 'input is not a ResourceList: expected a mapping with kind: ResourceList');
  const kind = root.get('kind') as unknown;
  const apiVersion = root.get('apiVersion') as unknown;
  if (kind !== 'ResourceList' && kind !== 'List') {
    throw new StreamlockError('INPUT_NOT_RESOURCE_LIST', `input is not a ResourceList: kind is ${JSON.stringify(kind) ?? 'missing'}`);
  }
  if (kind === 'ResourceList' && (typeof apiVersion !== 'string' || !RESOURCE_LIST_VERSIONS.includes(apiVersion))) {
    throw new StreamlockError('INPUT_NOT_RESOURCE_LIST', `input is not a ResourceList: apiVersion ${JSON.stringify(apiVersion) ?? 'missing'} is not one of ${RESOURCE_LIST_VERSIONS.join(', ')}`);
  }
  const itemsValue = root.get('items', true);
  let itemsNode: YAMLSeq | undefined;
  if (isSeq(itemsValue)) itemsNode = itemsValue;
  else if (itemsValue !== undefined && !(isScalar(itemsValue) && itemsValue.value === null)) {
    throw new StreamlockError('INPUT_NOT_RESOURCE_LIST', 'ResourceList items must be a list');
  }
  const items: YAMLMap[] = [];
  (itemsNode?.items ?? []).forEach((item, i) => {
    if (!isMap(item)) throw new StreamlockError('INPUT_NOT_RESOURCE_LIST', `items[${i}] is not a mapping (a KRM resource)`);
    items.push(item);
  });
  const fc = root.get('functionConfig', true);
  let functionConfig: Record<string, unknown> | undefined;
  if (isMap(fc)) functionConfig = toPlain(fc, doc) as Record<string, unknown>;
  else if (fc !== undefined && !(isScalar(fc) && fc.value === null)) {
    throw new StreamlockError('INPUT_NOT_RESOURCE_LIST', 'functionConfig must be a mapping');
  }
  return { text, doc, apiVersion: typeof apiVersion === 'string' ? apiVersion : 'v1', kind, itemsNode, items, functionConfig };
}

/** Plain data of one node, with alias expansion bounded. */
export function toPlain(node: Node, doc: Document.Parsed): unknown {
  try {
    return node.toJS(doc, { maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    throw new StreamlockError('INPUT_NOT_YAML', `input expands too many aliases: ${(e as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Splicing edits into the original text.

interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Collects non-overlapping replacements and applies them in one pass. */
export class TextEditor {
  private readonly splices: Splice[] = [];
  constructor(readonly source: string) {}

  replace(start: number, end: number, text: string): void {
    this.splices.push({ start, end, text });
  }

  get size(): number {
    return this.splices.length;
  }

  apply(): string {
    const sorted = [...this.splices].sort((a, b) => a.start - b.start || a.end - b.end);
    const parts: string[] = [];
    let at = 0;
    for (const s of sorted) {
      if (s.start < at) throw new Error(`internal: overlapping edits at offset ${s.start}`);
      parts.push(this.source.slice(at, s.start), s.text);
      at = s.end;
    }
    parts.push(this.source.slice(at));
    return parts.join('');
  }
}

function range(node: Node | null | undefined): [number, number, number] {
  const r = node?.range;
  if (!r) throw new Error('internal: node has no source range');
  return r;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

const PLAIN_SAFE = /^[A-Za-z0-9_./][A-Za-z0-9_./:@+-]*$/;

/** A new scalar value written in the style the old one had (plain stays plain when it can). */
export function formatScalar(value: string, style: Scalar['type'], inFlow: boolean): string {
  if (style === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  if ((style === 'PLAIN' || style === undefined) && PLAIN_SAFE.test(value) && !(inFlow && /[,[\]{}]/.test(value))) return value;
  return JSON.stringify(value);
}

export function setScalar(editor: TextEditor, node: Node, value: string, inFlow: boolean): void {
  if (!isScalar(node)) throw new StreamlockError('FIELDPATH_NOT_STRING', 'the field is not a plain value (an alias or a collection)');
  const [start, end] = range(node);
  editor.replace(start, end, formatScalar(value, node.type, inFlow));
}

function pairKey(pair: Pair): Node {
  return pair.key as Node;
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key) as Pair | undefined;
}

/** Inserts entries into a map (block: last, flow: first), keeping its indentation. */
function insertFirst(editor: TextEditor, text: string, map: YAMLMap, entry: (indent: number) => string, flowEntry: string): void {
  if (map.flow) {
    const [start] = range(map);
    const first = map.items[0];
    if (!first) {
      editor.replace(start + 1, start + 1, flowEntry);
      return;
    }
    // Pretty-printed JSON: put the new entry on its own line, indented like the first one.
    const [keyStart] = range(pairKey(first));
    const onOwnLine = text.slice(start + 1, keyStart).includes('\n');
    const indent = keyStart - lineStart(text, keyStart);
    editor.replace(keyStart, keyStart, onOwnLine ? `${flowEntry},\n${' '.repeat(indent)}` : `${flowEntry}, `);
    return;
  }
  // Block map: after the last entry, so comments written above existing entries stay with them.
  const first = map.items[0];
  const last = map.items[map.items.length - 1] as Pair | undefined;
  if (!first || !last) throw new Error('internal: empty block map');
  const [keyStart] = range(pairKey(first));
  const indent = keyStart - lineStart(text, keyStart);
  const end = last.value ? range(last.value as Node)[2] : range(pairKey(last))[2];
  if (text[end - 1] === '\n') editor.replace(end, end, `${' '.repeat(indent)}${entry(indent)}\n`);
  else editor.replace(end, end, `\n${' '.repeat(indent)}${entry(indent)}`);
}

/** Sets (adds or replaces) annotations on a resource node; new ones are inserted together. */
export function setAnnotations(editor: TextEditor, text: string, item: YAMLMap, entries: ReadonlyArray<readonly [string, string]>): void {
  if (entries.length === 0) return;
  const metadata = item.get('metadata', true);
  const block = (indent: number, list = entries) => list.map(([k, v]) => `${' '.repeat(indent)}${PLAIN_SAFE.test(k) ? k : JSON.stringify(k)}: ${JSON.stringify(v)}`).join('\n');
  const flow = entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ');
  if (!isMap(metadata)) {
    if (metadata !== undefined) throw new StreamlockError('WORKLOAD_INVALID', 'metadata is not a mapping');
    insertFirst(editor, text, item, (i) => `metadata:\n${' '.repeat(i + 2)}annotations:\n${block(i + 4)}`, `"metadata": {"annotations": {${flow}}}`);
    return;
  }
  const pair = findPair(metadata, 'annotations');
  const annotations = pair?.value as Node | null | undefined;
  if (!pair || annotations === undefined) {
    insertFirst(editor, text, metadata, (i) => `annotations:\n${block(i + 2)}`, `"annotations": {${flow}}`);
    return;
  }
  if (annotations === null || (isScalar(annotations) && annotations.value === null)) {
    // `annotations:` with no value: give it a flow map in place.
    const end = annotations ? range(annotations)[1] : range(pairKey(pair))[1];
    const start = annotations ? range(annotations)[0] : end;
    editor.replace(start, end, `${start === end ? ' ' : ''}{${flow}}`);
    return;
  }
  if (!isMap(annotations)) throw new StreamlockError('WORKLOAD_INVALID', 'metadata.annotations is not a mapping');
  const added: Array<readonly [string, string]> = [];
  for (const [key, value] of entries) {
    const existing = findPair(annotations, key);
    if (existing && existing.value) setScalar(editor, existing.value as Node, value, !!annotations.flow);
    else added.push([key, value]);
  }
  if (added.length === 0) return;
  const addedFlow = added.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ');
  if (annotations.items.length === 0) {
    const [start, end] = range(annotations);
    editor.replace(start, end, `{${addedFlow}}`);
    return;
  }
  insertFirst(editor, text, annotations, (indent) => block(indent, added).slice(indent), addedFlow);
}

/**
 * Sets and removes annotations of one resource in one go. A removed entry is reused for an added
 * one (key and value rewritten in place), so the two never touch the same text.
 */
export function editAnnotations(editor: TextEditor, text: string, item: YAMLMap, set: ReadonlyArray<readonly [string, string]>, remove: readonly string[]): void {
  const annotations = item.getIn(['metadata', 'annotations'], true);
  const present = (k: string) => isMap(annotations) && findPair(annotations, k) !== undefined;
  const toAdd = set.filter(([k]) => !present(k));
  const toRemove = remove.filter(present);
  const updates = set.filter(([k]) => present(k));
  while (toAdd.length > 0 && toRemove.length > 0 && isMap(annotations)) {
    const [key, value] = toAdd.shift()!;
    const pair = findPair(annotations, toRemove.shift()!)!;
    setScalar(editor, pair.key as Node, key, !!annotations.flow);
    if (pair.value) setScalar(editor, pair.value as Node, value, !!annotations.flow);
  }
  for (const key of toRemove) removeAnnotation(editor, text, item, key);
  setAnnotations(editor, text, item, [...updates, ...toAdd]);
}

/** Removes an annotation from a resource node, if present. */
export function removeAnnotation(editor: TextEditor, text: string, item: YAMLMap, key: string): void {
  const metadata = item.get('metadata', true);
  if (!isMap(metadata)) return;
  const annotations = metadata.get('annotations', true);
  if (!isMap(annotations)) return;
  const index = annotations.items.findIndex((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
  if (index < 0) return;
  removeMapEntry(editor, text, annotations, index);
}

function removeMapEntry(editor: TextEditor, text: string, map: YAMLMap, index: number): void {
  const pair = map.items[index] as Pair;
  const [keyStart] = range(pairKey(pair));
  const valueEnd = pair.value ? range(pair.value as Node) : range(pairKey(pair));
  if (map.flow) {
    const next = map.items[index + 1] as Pair | undefined;
    const prev = map.items[index - 1] as Pair | undefined;
    if (next) editor.replace(keyStart, range(pairKey(next))[0], '');
    else if (prev) editor.replace((prev.value ? range(prev.value as Node) : range(pairKey(prev)))[1], valueEnd[1], '');
    else editor.replace(keyStart, valueEnd[1], '');
    return;
  }
  if (map.items.length === 1) {
    const [start, , end] = range(map);
    editor.replace(start, end, '{}\n');
    return;
  }
  const next = map.items[index + 1] as Pair | undefined;
  const end = next ? lineStart(text, range(pairKey(next))[0]) : valueEnd[2];
  editor.replace(lineStart(text, keyStart), end, '');
}

/** Removes items (by index) from the list. */
export function removeItems(editor: TextEditor, text: string, list: ResourceList, indexes: ReadonlySet<number>): void {
  const seq = list.itemsNode;
  if (!seq || indexes.size === 0) return;
  if (indexes.size === seq.items.length) {
    const [start, , end] = range(seq);
    editor.replace(start, end, seq.flow ? '[]' : '[]\n');
    return;
  }
  const nodes = seq.items as Node[];
  if (seq.flow) {
    nodes.forEach((node, i) => {
      if (!indexes.has(i)) return;
      const next = nodes[i + 1];
      if (next && !indexes.has(i + 1)) editor.replace(range(node)[0], range(next)[0], '');
      else {
        let prev = i - 1;
        while (prev >= 0 && indexes.has(prev)) prev--;
        if (prev >= 0 && !next) editor.replace(range(nodes[prev])[1], range(node)[1], '');
        else if (next) editor.replace(range(node)[0], range(next)[0], '');
        else editor.replace(range(node)[0], range(node)[1], '');
      }
    });
    return;
  }
  nodes.forEach((node, i) => {
    if (!indexes.has(i)) return;
    const start = dashLine(text, range(node)[0]);
    const next = nodes[i + 1];
    const end = next ? dashLine(text, range(next)[0]) : range(node)[2];
    editor.replace(start, end, '');
  });
}

/** Start of the line holding a block sequence item's `-`, which may sit above the item (`- # note`). */
function dashLine(text: string, nodeStart: number): number {
  for (let ls = lineStart(text, nodeStart); ; ls = lineStart(text, ls - 1)) {
    const eol = text.indexOf('\n', ls);
    if (/^\s*-(\s|$)/.test(text.slice(ls, eol < 0 ? text.length : eol))) return ls;
    if (ls === 0) return lineStart(text, nodeStart);
  }
}

/** Replaces the top-level `results` with new ones (appended at the end of the list). */
export function writeResults(editor: TextEditor, list: ResourceList, resultsYaml: string, resultsJson: string): void {
  const root = list.doc.contents as YAMLMap;
  const index = root.items.findIndex((p) => (isScalar(p.key) ? p.key.value : p.key) === 'results');
  const text = list.text;
  if (root.flow) {
    if (index >= 0) {
      const pair = root.items[index] as Pair;
      const [start, end] = pair.value ? range(pair.value as Node) : range(pairKey(pair));
      editor.replace(start, end, resultsJson);
      return;
    }
    const last = root.items[root.items.length - 1] as Pair | undefined;
    if (!last) {
      const [start] = range(root);
      editor.replace(start + 1, start + 1, `"results": ${resultsJson}`);
      return;
    }
    const firstKey = range(pairKey(root.items[0] as Pair))[0];
    const pretty = text.slice(range(root)[0] + 1, firstKey).includes('\n');
    const at = (last.value ? range(last.value as Node) : range(pairKey(last)))[1];
    const indent = firstKey - lineStart(text, firstKey);
    editor.replace(at, at, pretty ? `,\n${' '.repeat(indent)}"results": ${resultsJson}` : `, "results": ${resultsJson}`);
    return;
  }
  if (index >= 0) removeMapEntry(editor, text, root, index);
  const end = range(root)[2];
  const needsNewline = end > 0 && text[end - 1] !== '\n';
  editor.replace(end, end, `${needsNewline ? '\n' : ''}${resultsYaml}`);
}
