/**
 * ResourceList in and out (KRM functions spec). The input is kept as text; output is that text
 * with the changed spans spliced in, so every byte the function did not mean to change (items,
 * comments, key order, quoting, `internal.config.kubernetes.io/*` annotations) comes out as it
 * went in.
 *
 * Lists in the block form kpt and kustomize write are parsed one item at a time, on demand, so
 * memory holds the text and one item's nodes rather than a whole Document (whose garbage
 * collection made large lists grow faster than linearly). Anything else (JSON, flow style,
 * aliases between items) is parsed as one Document; both give the same items.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { Document, Node, Pair, YAMLMap, YAMLSeq } from 'yaml';
import { StreamlockError } from '../errors.js';
import { MAX_ALIAS_COUNT, parseYamlOne, yamlErrorMessage } from '../yaml/read.js';
import type { Splicer } from './text-edit.js';
import { lineStart, pairKey, range, removeMapEntry } from './text-edit.js';

export const RESOURCE_LIST_VERSIONS = ['config.kubernetes.io/v1', 'config.kubernetes.io/v1beta1', 'config.kubernetes.io/v1alpha1'];
export { MAX_ALIAS_COUNT } from '../yaml/read.js';

/** One item, parsed: its node, the document it belongs to, and where its text sits in the list. */
export interface ParsedItem {
  readonly node: YAMLMap;
  readonly doc: Document.Parsed;
  /** The text the node's offsets refer to. */
  readonly text: string;
  /** Offset of `text` within the list's text. */
  readonly base: number;
}

export interface ResourceList {
  readonly text: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly functionConfig: Record<string, unknown> | undefined;
  readonly count: number;
  /** Item `i`, parsed (again) on each call: callers keep what they need, not the nodes. */
  item(i: number): ParsedItem;
  /**
   * Item `i`'s `kind`, read cheaply where possible (a line scan, for lists parsed item by item).
   * A hint only: undefined when not found, and callers must cope with a wrong answer.
   */
  kindHint(i: number): string | undefined;
  /** Removes items by index. */
  removeItems(editor: Splicer, indexes: ReadonlySet<number>): void;
  /** Replaces the top-level `results` with new ones, at the end of the list. */
  writeResults(editor: Splicer, resultsYaml: string, resultsJson: string): void;
}


/** Checks the list's own fields (kind, apiVersion, functionConfig) on its root map. */
function readHeader(root: unknown, doc: Document.Parsed): Pick<ResourceList, 'apiVersion' | 'kind' | 'functionConfig'> {
  if (!isMap(root)) throw new StreamlockError('INPUT_NOT_RESOURCE_LIST', 'input is not a ResourceList: expected a mapping with kind: ResourceList');
  const kind = root.get('kind') as unknown;
  const apiVersion = root.get('apiVersion') as unknown;
  if (kind !== 'ResourceList' && kind !== 'List') {
    throw new StreamlockError('INPUT_NOT_RESOURCE_LIST', `input is not a ResourceList: kind is ${JSON.stringify(kind) ?? 'missing'}`);
  }
  if (kind === 'ResourceList' && (typeof apiVersion !== 'string' || !RESOURCE_LIST_VERSIONS.includes(apiVersion))) {
    throw new StreamlockError('INPUT_NOT_RESOURCE_LIST', `input is not a ResourceList: apiVersion ${JSON.stringify(apiVersion) ?? 'missing'} is not one of ${RESOURCE_LIST_VERSIONS.join(', ')}`);
  }
  const fc = root.get('functionConfig', true);
  let functionConfig: Record<string, unknown> | undefined;
  if (isMap(fc)) functionConfig = toPlain(fc, doc) as Record<string, unknown>;
  else if (fc !== undefined && !(isScalar(fc) && fc.value === null)) {
    throw new StreamlockError('INPUT_NOT_RESOURCE_LIST', 'functionConfig must be a mapping');
  }
  return { apiVersion: typeof apiVersion === 'string' ? apiVersion : 'v1', kind, functionConfig };
}

/**
 * Thrown by `item(i)` of a list parsed item by item when an item does not stand on its own (an
 * alias to another item's anchor, an odd layout): parse again with `{ whole: true }`.
 */
export class NeedsWholeDocument extends Error {
  override name = 'NeedsWholeDocument';
}

/** Parses a ResourceList (YAML or JSON). Throws INPUT_NOT_YAML / INPUT_NOT_RESOURCE_LIST. */
export function parseResourceList(text: string, options: { whole?: boolean } = {}): ResourceList {
  return (options.whole ? undefined : splitBlockList(text)) ?? wholeDocumentList(text);
}

/** Runs `fn` on the list parsed item by item, and again on the whole document if it must. */
export function withResourceList<T>(text: string, fn: (list: ResourceList) => T): T {
  const list = parseResourceList(text);
  try {
    return fn(list);
  } catch (e) {
    if (!(e instanceof NeedsWholeDocument)) throw e;
    return fn(parseResourceList(text, { whole: true }));
  }
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
// One Document for the whole list.

function wholeDocumentList(text: string): ResourceList {
  const { doc, lines } = parseYamlOne(text, 'input');
  if (doc.errors.length > 0) throw new StreamlockError('INPUT_NOT_YAML', yamlErrorMessage('input', doc.errors[0]!, lines));
  const header = readHeader(doc.contents, doc);
  const root = doc.contents as YAMLMap;
  const itemsValue = root.get('items', true);
  let seq: YAMLSeq | undefined;
  if (isSeq(itemsValue)) seq = itemsValue;
  else if (itemsValue !== undefined && !(isScalar(itemsValue) && itemsValue.value === null)) {
    throw new StreamlockError('INPUT_NOT_RESOURCE_LIST', 'ResourceList items must be a list');
  }
  const nodes = (seq?.items ?? []) as Node[];
  nodes.forEach((item, i) => {
    if (!isMap(item)) throw new StreamlockError('INPUT_NOT_RESOURCE_LIST', `items[${i}] is not a mapping (a KRM resource)`);
  });
  return {
    text,
    ...header,
    count: nodes.length,
    item: (i) => ({ node: nodes[i] as YAMLMap, doc, text, base: 0 }),
    kindHint: (i) => {
      const kind = (nodes[i] as YAMLMap).get('kind');
      return typeof kind === 'string' ? kind : undefined;
    },
    removeItems: (editor, indexes) => removeSeqItems(editor, text, seq, indexes),
    writeResults: (editor, y, j) => writeResultsInto(editor, text, root, y, j),
  };
}

function removeSeqItems(editor: Splicer, text: string, seq: YAMLSeq | undefined, indexes: ReadonlySet<number>): void {
  if (!seq || indexes.size === 0) return;
  if (indexes.size === seq.items.length) {
    const [start, , end] = range(seq);
    editor.replace(start, end, seq.flow ? '[]' : '[]\n');
    return;
  }
  const nodes = seq.items as Node[];
  nodes.forEach((node, i) => {
    if (!indexes.has(i)) return;
    const next = nodes[i + 1];
    if (seq.flow) {
      let prev = i - 1;
      while (prev >= 0 && indexes.has(prev)) prev--;
      if (next && !indexes.has(i + 1)) editor.replace(range(node)[0], range(next)[0], '');
      else if (!next && prev >= 0) editor.replace(range(nodes[prev])[1], range(node)[1], '');
      else if (next) editor.replace(range(node)[0], range(next)[0], '');
      else editor.replace(range(node)[0], range(node)[1], '');
      return;
    }
    const start = dashLine(text, range(node)[0]);
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

function writeResultsInto(editor: Splicer, text: string, root: YAMLMap, resultsYaml: string, resultsJson: string): void {
  const index = root.items.findIndex((p) => (isScalar(p.key) ? p.key.value : p.key) === 'results');
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

// ---------------------------------------------------------------------------------------------
// The block form, one item at a time.

const ITEMS_KEY = /^items:[ \t]*(?:#.*)?$/;

interface Region {
  /** Offset just after `items:` on its line. */
  readonly keyEnd: number;
  /** The items' text: from the first item's dash line to the end of the last item. */
  readonly start: number;
  readonly end: number;
  /** Offset of each item's dash line. */
  readonly starts: readonly number[];
}

/** Finds the block `items:` sequence by its lines; undefined when the text is not in that form. */
function findRegion(text: string): Region | undefined {
  if (text.startsWith('{') || text.startsWith('[')) return undefined;
  let keyEnd = -1;
  let pos = 0;
  while (pos < text.length) {
    const eol = text.indexOf('\n', pos);
    const line = text.slice(pos, eol < 0 ? text.length : eol);
    if (ITEMS_KEY.test(line)) {
      if (keyEnd >= 0) return undefined;
      keyEnd = pos + 'items:'.length;
    } else if (/^(---|\.\.\.)(\s|$)/.test(line) && pos > 0) return undefined;
    if (eol < 0) break;
    pos = eol + 1;
  }
  if (keyEnd < 0) return undefined;
  const starts: number[] = [];
  let dashIndent = -1;
  let end = -1;
  pos = text.indexOf('\n', keyEnd);
  pos = pos < 0 ? text.length : pos + 1;
  let lastContentEnd = pos;
  while (pos < text.length) {
    const eol = text.indexOf('\n', pos);
    const lineEnd = eol < 0 ? text.length : eol + 1;
    const line = text.slice(pos, eol < 0 ? text.length : eol);
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) {
      pos = lineEnd;
      continue;
    }
    if (line.includes('\t') && /^\s*\t/.test(line)) return undefined;
    const indent = line.length - trimmed.length;
    const isDash = /^-(\s|$)/.test(trimmed);
    if (dashIndent < 0) {
      if (!isDash) return undefined; // `items: []`, flow or scalar: not the block form
      dashIndent = indent;
    }
    if (indent < dashIndent || (indent === dashIndent && !isDash) || (dashIndent === 0 && indent === 0 && !isDash)) {
      end = lastContentEnd;
      break;
    }
    if (indent === dashIndent && isDash) starts.push(pos);
    lastContentEnd = lineEnd;
    pos = lineEnd;
  }
  if (starts.length === 0) return undefined;
  if (end < 0) end = lastContentEnd;
  return { keyEnd, start: starts[0]!, end, starts };
}

function splitBlockList(text: string): ResourceList | undefined {
  const region = findRegion(text);
  if (!region) return undefined;
  // The list without its items: the header, functionConfig and any results.
  const skeletonText = text.slice(0, region.start) + text.slice(region.end);
  const skeleton = parseYamlOne(skeletonText, 'input').doc;
  if (skeleton.errors.length > 0) return undefined;
  if (!isMap(skeleton.contents)) return undefined;
  const itemsValue = skeleton.contents.get('items', true);
  if (itemsValue !== undefined && !(isScalar(itemsValue) && itemsValue.value === null)) return undefined;
  let header;
  try {
    header = readHeader(skeleton.contents, skeleton);
  } catch {
    return undefined; // the whole document reports it, YAML errors first
  }
  const { starts } = region;
  // A top-level `kind:` line of an item: on its dash line, or indented two past the dash.
  let dash = 0;
  while (text[starts[0]! + dash] === ' ') dash++;
  const kindLine = new RegExp(`^(?:${' '.repeat(dash)}- |${' '.repeat(dash + 2)})kind:[ \\t]*["']?([A-Za-z0-9]+)["']?[ \\t]*(?:#.*)?$`, 'gm');
  const span = (i: number): [number, number] => [starts[i]!, i + 1 < starts.length ? starts[i + 1]! : region.end];

  const parseItem = (i: number): ParsedItem => {
    const [start, end] = span(i);
    const itemText = text.slice(start, end);
    const doc = parseYamlOne(itemText, 'input').doc;
    // Any doubt (an error, an alias to another item's anchor, more than one node): the whole
    // document decides, so both paths report the same things.
    if (doc.errors.length > 0 || doc.warnings.length > 0) throw new NeedsWholeDocument();
    const seq = doc.contents;
    if (!isSeq(seq) || seq.items.length !== 1) throw new NeedsWholeDocument();
    const node = seq.items[0];
    if (!isMap(node)) throw new NeedsWholeDocument();
    return { node, doc, text: itemText, base: start };
  };
  // The skeleton's offsets map to the list's text by skipping the items' region.
  const toText = (p: number) => (p >= region.start ? p + (region.end - region.start) : p);
  const skipItems = (editor: Splicer): Splicer => ({ replace: (s, e, t) => editor.replace(toText(s), toText(e), t) });
  const root = skeleton.contents;
  return {
    text,
    ...header,
    count: starts.length,
    item: parseItem,
    kindHint(i) {
      const [start, end] = span(i);
      kindLine.lastIndex = start;
      const m = kindLine.exec(text);
      return m && m.index < end ? m[1] : undefined;
    },
    removeItems(editor, indexes) {
      if (indexes.size === 0) return;
      if (indexes.size === starts.length) {
        editor.replace(region.keyEnd, region.keyEnd, ' []');
        editor.replace(region.start, region.end, '');
        return;
      }
      for (const i of indexes) {
        const [start, end] = span(i);
        editor.replace(start, end, '');
      }
    },
    writeResults(editor, resultsYaml) {
      const index = root.items.findIndex((p) => (isScalar(p.key) ? p.key.value : p.key) === 'results');
      if (index >= 0) removeMapEntry(skipItems(editor), skeletonText, root, index);
      // Append after the last content of the list: the items, when nothing but space follows them.
      const rootEnd = range(root)[2];
      const at = rootEnd <= region.start && /^\s*$/.test(skeletonText.slice(rootEnd, region.start)) ? region.end : toText(rootEnd);
      editor.replace(at, at, `${at > 0 && text[at - 1] !== '\n' ? '\n' : ''}${resultsYaml}`);
    },
  };
}

