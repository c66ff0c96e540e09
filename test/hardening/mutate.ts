/**
 * Near-valid inputs: random edits applied to valid text or to valid plain data, so the fuzzers
 * spend their runs next to the grammar's edges instead of on strings no parser gets past.
 */
import fc from 'fast-check';

/** Fragments that matter to the grammars under test: quoting, YAML indicators, JSONPath, prototype keys. */
export const SNIPPETS = [
  '"', "'", '\\', ':', '@', '/', '.', '..', '[', ']', '{', '}', '(', ')', '?(', '[(', '*', '&a', '*a', '!!', '!!js/function', '#',
  '- ', '\n', '\n  ', '\t', '\r\n', '\u0000', '\u2028', '\uFEFF', '%YAML 1.1\n', '---\n', '...\n', '<<: ', '~', 'null', 'true', '0x10',
  '__proto__', 'constructor', 'prototype', '@.constructor', '[?(@.name=="x")]', "['__proto__']", '$..*', 'sha256:', 'sha256:' + 'a'.repeat(64),
  'latest', 'ImageStreamTag', 'spec.template.spec.', 'containers[0].image', 'é', '😀', ' '.repeat(3),
];

export type TextEdit =
  | { op: 'insert'; at: number; text: string }
  | { op: 'delete'; at: number; len: number }
  | { op: 'dup'; at: number; len: number }
  | { op: 'swap'; at: number; other: number };

export const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...SNIPPETS), fc.string({ maxLength: 4 }), fc.string({ unit: 'binary', maxLength: 3 })) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ op: fc.constant('dup' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }),
);

export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  let s = text;
  for (const e of edits) {
    const at = s.length === 0 ? 0 : e.at % (s.length + 1);
    if (e.op === 'insert') s = s.slice(0, at) + e.text + s.slice(at);
    else if (e.op === 'delete') s = s.slice(0, at) + s.slice(at + e.len);
    else if (e.op === 'dup') s = s.slice(0, at + e.len) + s.slice(at, at + e.len) + s.slice(at + e.len);
    else if (s.length > 1) {
      const b = e.other % s.length;
      const a = Math.min(at, s.length - 1);
      const chars = [...s];
      if (a < chars.length && b < chars.length) [chars[a], chars[b]] = [chars[b]!, chars[a]!];
      s = chars.join('');
    }
  }
  return s;
}

/** A valid text with 1 to `max` random edits (sometimes none, so the valid path is exercised too). */
export function mutatedText(valid: fc.Arbitrary<string>, max = 4): fc.Arbitrary<string> {
  return fc.tuple(valid, fc.array(textEdit, { minLength: 0, maxLength: max })).map(([t, edits]) => applyTextEdits(t, edits));
}

export type ValueEdit =
  | { op: 'delete'; pick: number }
  | { op: 'set'; pick: number; value: unknown }
  | { op: 'rename'; pick: number; key: string }
  | { op: 'dup'; pick: number }
  | { op: 'wrap'; pick: number };

const hostileKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '', ' ', 'items', 'generation', 'pinned', 'alias');

export const valueEdit: fc.Arbitrary<ValueEdit> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({
    op: fc.constant('set' as const),
    pick: fc.nat(),
    value: fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(null, '', 0, -1, 1.5, 2 ** 53, 'latest', 'sha256:' + 'b'.repeat(64), 'x@sha256:' + 'b'.repeat(64), { polluted: true }, [], {}),
    ),
  }),
  fc.record({ op: fc.constant('rename' as const), pick: fc.nat(), key: fc.oneof(hostileKey, fc.string({ maxLength: 6 })) }),
  fc.record({ op: fc.constant('dup' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('wrap' as const), pick: fc.nat() }),
);

type Container = Record<string, unknown> | unknown[];

/** Every (parent, key) slot of a plain value, depth first. */
function slots(root: unknown, out: Array<[Container, string | number]> = []): Array<[Container, string | number]> {
  if (Array.isArray(root)) root.forEach((v, i) => (out.push([root, i]), slots(v, out)));
  else if (root !== null && typeof root === 'object') {
    for (const k of Object.keys(root)) out.push([root as Record<string, unknown>, k]), slots((root as Record<string, unknown>)[k], out);
  }
  return out;
}

/** Applies edits to a deep copy. `__proto__` keys are created as own properties (as JSON.parse does). */
export function applyValueEdits<T>(value: T, edits: readonly ValueEdit[]): unknown {
  const root = { v: structuredClone(value) as unknown };
  for (const e of edits) {
    const all = slots(root.v);
    const target: [Container, string | number] = all.length === 0 ? [root as unknown as Container, 'v'] : all[e.pick % all.length]!;
    const [parent, key] = target;
    const cur = (parent as Record<string | number, unknown>)[key];
    const define = (obj: Container, k: string | number, v: unknown) =>
      Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
    if (e.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete (parent as Record<string, unknown>)[key as string];
    } else if (e.op === 'set') define(parent, key, structuredClone(e.value));
    else if (e.op === 'wrap') define(parent, key, [cur]);
    else if (e.op === 'dup') {
      if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(cur));
      else define(parent, `${String(key)}_`, structuredClone(cur));
    } else if (!Array.isArray(parent)) {
      delete (parent as Record<string, unknown>)[key as string];
      define(parent, e.key, cur);
    }
  }
  return root.v;
}

export function mutatedValue<T>(valid: fc.Arbitrary<T>, max = 3): fc.Arbitrary<unknown> {
  return fc.tuple(valid, fc.array(valueEdit, { minLength: 0, maxLength: max })).map(([v, edits]) => applyValueEdits(v, edits));
}
