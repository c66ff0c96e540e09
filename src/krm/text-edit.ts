/**
 * Edits as splices into source text: a new scalar in the old one's style, annotations set and
 * removed in block or flow maps, keeping indentation. Node offsets come from `yaml` nodes
 * parsed from that same text.
 */
import { isMap, isScalar } from 'yaml';
import type { Node, Pair, Scalar, YAMLMap } from 'yaml';
import { StreamlockError } from '../errors.js';

/** Anything that takes replacements of `[start, end)` by text. */
export interface Splicer {
  replace(start: number, end: number, text: string): void;
}

/** A splicer whose offsets are relative to `base` in another one (an item parsed on its own). */
export function offsetSplicer(inner: Splicer, base: number): Splicer {
  return base === 0 ? inner : { replace: (start, end, text) => inner.replace(start + base, end + base, text) };
}

interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Collects non-overlapping replacements and applies them in one pass. */
export class TextEditor implements Splicer {
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

export function range(node: Node | null | undefined): [number, number, number] {
  const r = node?.range;
  if (!r) throw new Error('internal: node has no source range');
  return r;
}

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

const PLAIN_SAFE = /^[A-Za-z0-9_./][A-Za-z0-9_./:@+-]*$/;

/** A new scalar value written in the style the old one had (plain stays plain when it can). */
export function formatScalar(value: string, style: Scalar['type'], inFlow: boolean): string {
  if (style === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  if ((style === 'PLAIN' || style === undefined) && PLAIN_SAFE.test(value) && !(inFlow && /[,[\]{}]/.test(value))) return value;
  return JSON.stringify(value);
}

export function setScalar(editor: Splicer, node: Node, value: string, inFlow: boolean): void {
  if (!isScalar(node)) throw new StreamlockError('FIELDPATH_NOT_STRING', 'the field is not a plain value (an alias or a collection)');
  const [start, end] = range(node);
  editor.replace(start, end, formatScalar(value, node.type, inFlow));
}

export function pairKey(pair: Pair): Node {
  return pair.key as Node;
}

export function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key) as Pair | undefined;
}

/** Inserts entries into a map (block: last, flow: first), keeping its indentation. */
function insertFirst(editor: Splicer, text: string, map: YAMLMap, entry: (indent: number) => string, flowEntry: string): void {
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
export function setAnnotations(editor: Splicer, text: string, item: YAMLMap, entries: ReadonlyArray<readonly [string, string]>): void {
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
export function editAnnotations(editor: Splicer, text: string, item: YAMLMap, set: ReadonlyArray<readonly [string, string]>, remove: readonly string[]): void {
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
export function removeAnnotation(editor: Splicer, text: string, item: YAMLMap, key: string): void {
  const metadata = item.get('metadata', true);
  if (!isMap(metadata)) return;
  const annotations = metadata.get('annotations', true);
  if (!isMap(annotations)) return;
  const index = annotations.items.findIndex((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
  if (index < 0) return;
  removeMapEntry(editor, text, annotations, index);
}

export function removeMapEntry(editor: Splicer, text: string, map: YAMLMap, index: number): void {
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
