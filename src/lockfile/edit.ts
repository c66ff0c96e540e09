/**
 * Writing a new Lock into the existing lockfile text, changing only what changed.
 *
 * The existing file is parsed as a yaml Document; its node ranges locate streams, tags, fields
 * and history items, and the change is spliced into the original text: new items are prepended
 * to a tag's `items`, new tags and streams are inserted at their sorted position, `pinned`,
 * `alias`, `from` and `platform` are set or deleted in place. Everything else — comments, key
 * order, quoting, alignment — stays byte for byte, so one import is a diff of a few lines.
 * The spliced text is re-parsed and checked against the new Lock; if the file has a shape the
 * splicer does not handle (flow collections, anchors), the Document is re-serialised instead,
 * keeping the header and its comments. Pure: text in, text out.
 */
import { Document, isMap, isScalar, isSeq, parseDocument, stringify } from 'yaml';
import type { Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import type { Lock, LockStream, LockTag, TagEvent } from './format.js';
import { eventToObject, lockToObject, parseLock, sortLock, tagToObject } from './format.js';

/** Key order of new fields, as `lockToObject` writes them. */
const TAG_KEYS = ['tag', 'from', 'alias', 'pinned', 'platform', 'items'] as const;
const STREAM_KEYS = ['name', 'namespace', 'tags'] as const;
const ROOT_KEYS = ['apiVersion', 'kind', 'metadata', 'streams'] as const;

interface Style {
  readonly indent: number;
  readonly indentSeq: boolean;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly seq: number;
}

class Unsupported extends Error {}

/**
 * The lockfile text for `next`, given the current text (undefined for a new file).
 * Returns `previousText` itself when nothing changed.
 */
export function renderLockfile(previousText: string | undefined, next: Lock): string {
  if (previousText === undefined || previousText.trim() === '') return renderNewLockfile(next);
  const doc = parseDocument(previousText, { keepSourceTokens: false });
  if (doc.errors.length > 0 || !isMap(doc.contents)) return renderNewLockfile(next);
  try {
    const text = new Splicer(previousText, detectStyle(previousText)).apply(doc.contents, next);
    // Unchanged text: check the document already parsed instead of parsing it again.
    if (text === previousText ? sameLockData(doc.toJS(), next) : sameLock(text, next)) return text;
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
  }
  return reserialise(doc, next, previousText);
}

/**
 * A brand-new lockfile: `lockToObject` stringified, `created` quoted for YAML 1.1 readers.
 * Emitted directly (the shape is fixed), with yaml deciding the quoting of any scalar that is
 * not plainly safe: the same text as yaml's Document would give (a property test checks), at
 * a fraction of the cost for locks of hundreds of tags.
 */
export function renderNewLockfile(next: Lock): string {
  const obj = lockToObject(next) as { apiVersion: string; kind: string; metadata: { name: string }; streams: Array<Record<string, unknown>> };
  const out = [`apiVersion: ${scalar(obj.apiVersion)}`, `kind: ${scalar(obj.kind)}`, 'metadata:', `  name: ${scalar(obj.metadata.name)}`, '  annotations:', '    config.kubernetes.io/local-config: "true"'];
  if (obj.streams.length === 0) out.push('streams: []');
  else out.push('streams:');
  for (const stream of obj.streams) emitMap(stream, '', out);
  return `${out.join('\n')}\n`;
}

/** One block-sequence item (a map) at `indent`, nested lists of maps in the kyaml style. */
function emitMap(map: Record<string, unknown>, indent: string, out: string[]): void {
  let first = true;
  for (const [key, value] of Object.entries(map)) {
    const lead = first ? `${indent}- ` : `${indent}  `;
    first = false;
    if (Array.isArray(value)) {
      if (value.length === 0) {
        out.push(`${lead}${key}: []`);
        continue;
      }
      out.push(`${lead}${key}:`);
      for (const item of value) emitMap(item as Record<string, unknown>, `${indent}  `, out);
    } else {
      out.push(`${lead}${key}: ${key === 'created' ? JSON.stringify(value) : scalar(value)}`);
    }
  }
}

const PLAIN_SAFE = /^[A-Za-z0-9_][A-Za-z0-9_./@:+-]*$/;
const CORE_SCHEMA_NON_STRING = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

function scalar(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string' && PLAIN_SAFE.test(value) && !CORE_SCHEMA_NON_STRING.test(value) && !value.endsWith(':')) return value;
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/** The fallback for shapes the splicer does not handle: keep the file's own indentation style. */
function reserialise(doc: Document, next: Lock, previousText: string): string {
  const streams = doc.createNode((lockToObject(next) as { streams: unknown }).streams);
  quoteTimestamps(streams);
  doc.set('streams', streams);
  const style = detectStyle(previousText);
  return doc.toString({ indent: style.indent, indentSeq: style.indentSeq, lineWidth: 0 });
}

function sameLock(text: string, next: Lock): boolean {
  return sameLockData(parseDocument(text).toJS(), next);
}

function sameLockData(data: unknown, next: Lock): boolean {
  try {
    const parsed = parseLock(data, { description: 'rendered lockfile' });
    return JSON.stringify(lockToObject(parsed)) === JSON.stringify(lockToObject(next));
  } catch {
    return false;
  }
}

function quoteTimestamps(node: unknown): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isScalar(pair.key) && pair.key.value === 'created' && isScalar(pair.value)) pair.value.type = 'QUOTE_DOUBLE';
      quoteTimestamps(pair.value);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) quoteTimestamps(item);
  }
}

/** Indentation width and whether block sequences are indented under their key. */
export function detectStyle(text: string): Style {
  let indent = 0;
  for (const line of text.split('\n')) {
    const m = /^( +)[^ #\n]/.exec(line);
    if (m?.[1] && (indent === 0 || m[1].length < indent)) indent = m[1].length;
  }
  const seq = /^( *)[A-Za-z]+:[ \t]*(?:#.*)?\n(?:[ \t]*(?:#.*)?\n)*( *)- /m.exec(text);
  return { indent: indent || 2, indentSeq: seq ? (seq[2]?.length ?? 0) > (seq[1]?.length ?? 0) : false };
}

/** Collects text edits against the original source, then applies them back to front. */
class Splicer {
  private readonly edits: Edit[] = [];

  constructor(
    private readonly src: string,
    private readonly style: Style,
  ) {}

  apply(root: YAMLMap, next: Lock): string {
    const sorted = sortLock(next).streams;
    const pair = findPair(root, 'streams');
    this.syncSeq(root, pair, 'streams', ROOT_KEYS, sorted, streamKey, (node, s) => this.syncStream(node, s), streamToObject);
    const edits = [...this.edits].sort((a, b) => b.start - a.start || b.seq - a.seq);
    let out = this.src;
    let limit = Infinity;
    for (const e of edits) {
      if (e.end > limit) throw new Unsupported('overlapping edits');
      out = out.slice(0, e.start) + e.text + out.slice(e.end);
      limit = e.start;
    }
    return out;
  }

  private edit(start: number, end: number, text: string): void {
    this.edits.push({ start, end, text, seq: this.edits.length });
  }

  private syncStream(node: YAMLMap, next: LockStream): void {
    this.syncSeq(node, findPair(node, 'tags'), 'tags', STREAM_KEYS, next.tags, (t) => t.tag, (n, t) => this.syncTag(n, t), tagToObject);
  }

  private syncTag(node: YAMLMap, next: LockTag): void {
    const want = tagToObject(next);
    for (const key of ['from', 'alias', 'pinned', 'platform'] as const) this.syncScalar(node, key, want[key], TAG_KEYS);
    this.syncItems(node, next.items, 'items' in want);
  }

  /** A block sequence of maps keyed by `keyOf`: removes, inserts (sorted) and recurses into matches. */
  private syncSeq<T>(
    parent: YAMLMap,
    pair: Pair | undefined,
    key: string,
    order: readonly string[],
    wanted: readonly T[],
    keyOf: (v: T) => string,
    sync: (node: YAMLMap, v: T) => void,
    toObject: (v: T) => Record<string, unknown>,
  ): void {
    const seq = pair?.value;
    if (!pair || !isSeq(seq) || seq.items.length === 0) {
      if (wanted.length === 0) return;
      this.replaceValueWithBlock(parent, pair, key, order, wanted.map(toObject));
      return;
    }
    if (seq.flow) throw new Unsupported(`flow sequence ${key}`);
    const existing = new Map<string, YAMLMap>();
    for (const item of seq.items) {
      if (!isMap(item) || item.flow) throw new Unsupported(`${key} item is not a block map`);
      existing.set(nodeKey(item, key), item);
    }
    const wantedKeys = new Set(wanted.map(keyOf));
    const col = this.itemColumn(seq.items[0] as YAMLMap);
    // Removals.
    seq.items.forEach((item, i) => {
      const k = nodeKey(item as YAMLMap, key);
      if (!wantedKeys.has(k)) this.edit(this.itemStart(item as YAMLMap), this.itemEnd(seq, i), '');
    });
    // Updates and sorted inserts: a new entry goes before the first existing one that sorts after it.
    const kept = seq.items.map((item, i) => ({ node: item as YAMLMap, i, k: nodeKey(item as YAMLMap, key) })).filter((e) => wantedKeys.has(e.k));
    for (const v of wanted) {
      const k = keyOf(v);
      const node = existing.get(k);
      if (node) {
        sync(node, v);
        continue;
      }
      const after = kept.find((e) => e.k > k);
      const at = after ? this.itemStart(after.node) : this.itemEnd(seq, seq.items.length - 1);
      this.edit(at, at, this.block([toObject(v)], col));
    }
  }

  private syncItems(node: YAMLMap, items: readonly TagEvent[], present: boolean): void {
    const pair = findPair(node, 'items');
    const seq = pair?.value;
    const wanted = items.map(eventToObject);
    if (!pair || !isSeq(seq) || seq.items.length === 0) {
      if (!present) {
        if (pair) this.deletePair(pair);
        return;
      }
      if (wanted.length === 0 && pair) return;
      this.replaceValueWithBlock(node, pair, 'items', TAG_KEYS, wanted);
      return;
    }
    if (seq.flow) throw new Unsupported('flow items');
    const old = seq.items.map((item) => canonical((item as YAMLMap).toJSON() as Record<string, unknown>));
    const fresh = wanted.map(canonical);
    const added = fresh.length - old.length;
    const col = this.itemColumn(seq.items[0] as YAMLMap);
    if (added >= 0 && old.every((o, i) => o === fresh[i + added])) {
      if (added > 0) this.edit(this.itemStart(seq.items[0] as YAMLMap, false), this.itemStart(seq.items[0] as YAMLMap, false), this.block(wanted.slice(0, added), col));
      return;
    }
    // History rewritten (rare: a patched event, a pruned tail): re-render the whole list.
    const start = this.itemStart(seq.items[0] as YAMLMap, false);
    const end = this.itemEnd(seq, seq.items.length - 1);
    this.edit(start, end, wanted.length > 0 ? this.block(wanted, col) : '');
    if (wanted.length === 0) this.edit(start, start, `${' '.repeat(col)}[]\n`);
  }

  /** Sets, replaces or deletes a one-line scalar field, keeping its quoting and trailing comment. */
  private syncScalar(node: YAMLMap, key: string, value: unknown, order: readonly string[]): void {
    const pair = findPair(node, key);
    if (value === undefined) {
      if (pair) this.deletePair(pair);
      return;
    }
    if (!pair) {
      const col = this.keyColumn(node);
      this.insertPair(node, key, order, `${' '.repeat(col)}${key}: ${scalarText(value)}\n`);
      return;
    }
    const v = pair.value;
    if (!isScalar(v) || !v.range) throw new Unsupported(`${key} is not a scalar`);
    if (v.value === value) return;
    this.edit(v.range[0], v.range[1], scalarText(value, v.type));
  }

  private deletePair(pair: Pair): void {
    const k = pair.key as Scalar;
    const v = pair.value as { range?: [number, number, number] } | null;
    if (!k.range) throw new Unsupported('key without range');
    const end = v?.range ? lineEndIncl(this.src, Math.max(v.range[1] - 1, k.range[1])) : lineEndIncl(this.src, k.range[1]);
    this.edit(lineStart(this.src, k.range[0]), end, '');
  }

  /** Inserts whole lines for a new key before the first existing key that comes after it. */
  private insertPair(node: YAMLMap, key: string, order: readonly string[], lines: string): void {
    const rank = order.indexOf(key);
    const before = node.items.find((p) => {
      const r = order.indexOf(String((p.key as Scalar).value));
      return r > rank;
    });
    let at: number;
    if (before && before !== node.items[0]) {
      at = lineStart(this.src, (before.key as Scalar).range![0]);
    } else if (before === node.items[0] && before) {
      throw new Unsupported(`new key ${key} before the first key`);
    } else {
      if (!node.range) throw new Unsupported('map without range');
      at = endOfBlock(this.src, node.range[1]);
    }
    this.edit(at, at, lines);
  }

  /** `key: []` or a missing key becomes `key:` followed by a block sequence. */
  private replaceValueWithBlock(parent: YAMLMap, pair: Pair | undefined, key: string, order: readonly string[], values: Record<string, unknown>[]): void {
    const keyCol = this.keyColumn(parent);
    const col = keyCol + (this.style.indentSeq ? this.style.indent : 0);
    const block = this.block(values, col);
    if (!pair) {
      this.insertPair(parent, key, order, `${' '.repeat(keyCol)}${key}:\n${block}`);
      return;
    }
    const k = pair.key as Scalar;
    const v = pair.value as { range?: [number, number, number] } | null;
    if (!k.range) throw new Unsupported('key without range');
    const valueEnd = v?.range ? v.range[1] : k.range[1];
    if (v?.range && this.src.slice(v.range[0], v.range[1]).includes('\n')) throw new Unsupported(`multi-line empty ${key}`);
    this.edit(k.range[1], valueEnd, ':');
    const eol = lineEndIncl(this.src, valueEnd);
    this.edit(eol, eol, (eol === this.src.length && !this.src.endsWith('\n') ? '\n' : '') + block);
  }

  /** Block YAML of a list of maps, each line indented so the `-` sits at `col`. */
  private block(values: readonly Record<string, unknown>[], col: number): string {
    const doc = new Document(values);
    quoteTimestamps(doc.contents);
    const text = doc.toString({ indent: this.style.indent, indentSeq: this.style.indentSeq, lineWidth: 0 });
    const pad = ' '.repeat(col);
    return text
      .split('\n')
      .filter((l, i, all) => i < all.length - 1 || l !== '')
      .map((l) => (l === '' ? l : pad + l))
      .join('\n')
      .concat('\n');
  }

  private keyColumn(node: YAMLMap): number {
    const first = node.items[0]?.key as Scalar | undefined;
    if (!first?.range) throw new Unsupported('map without keys');
    return first.range[0] - lineStart(this.src, first.range[0]);
  }

  private itemColumn(item: YAMLMap): number {
    const start = item.range?.[0];
    if (start === undefined) throw new Unsupported('item without range');
    const prefix = this.src.slice(lineStart(this.src, start), start);
    const m = /^( *)- +$/.exec(prefix);
    if (!m) throw new Unsupported('sequence item not on its dash line');
    return m[1]!.length;
  }

  /** Start of an item's `-` line; with `withComments`, above the comment lines that precede it. */
  private itemStart(item: YAMLMap, withComments = true): number {
    const col = this.itemColumn(item);
    let at = lineStart(this.src, item.range![0]);
    if (!withComments) return at;
    for (;;) {
      if (at === 0) return at;
      const prev = lineStart(this.src, at - 1);
      const line = this.src.slice(prev, at - 1);
      if (!new RegExp(`^ {${col}}#`).test(line)) return at;
      at = prev;
    }
  }

  /** End (exclusive) of item `i` of a block sequence: the next item's start, or the end of its last line. */
  private itemEnd(seq: YAMLSeq, i: number): number {
    const next = seq.items[i + 1] as YAMLMap | undefined;
    if (next) return this.itemStart(next);
    const item = seq.items[i] as YAMLMap;
    if (!item.range) throw new Unsupported('item without range');
    return endOfBlock(this.src, item.range[1]);
  }
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key);
}

function nodeKey(item: YAMLMap, seqKey: string): string {
  if (seqKey === 'streams') return `${String(item.get('namespace') ?? '')}\u0000${String(item.get('name'))}`;
  return String(item.get('tag'));
}

function streamKey(s: LockStream): string {
  return `${s.namespace ?? ''}\u0000${s.name}`;
}

function streamToObject(s: LockStream): Record<string, unknown> {
  return { name: s.name, ...(s.namespace !== undefined ? { namespace: s.namespace } : {}), tags: s.tags.map(tagToObject) };
}

/** Key-order-independent JSON of a flat event, to tell an unchanged history item. */
function canonical(o: Record<string, unknown>): string {
  return JSON.stringify(o, Object.keys(o).sort());
}

function scalarText(value: unknown, type?: Scalar.Type): string {
  const doc = new Document(value);
  if (type && typeof value === 'string' && isScalar(doc.contents)) doc.contents.type = type;
  return stringify(doc.contents, { lineWidth: 0 }).trimEnd();
}

function lineStart(src: string, pos: number): number {
  return src.lastIndexOf('\n', pos - 1) + 1;
}

function lineEndIncl(src: string, pos: number): number {
  const nl = src.indexOf('\n', pos);
  return nl < 0 ? src.length : nl + 1;
}

/** A block node's range ends just after its last newline; without one, at the end of its line. */
function endOfBlock(src: string, end: number): number {
  if (end > 0 && src[end - 1] === '\n') return end;
  return lineEndIncl(src, end);
}
