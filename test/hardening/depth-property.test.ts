/**
 * The nesting bound agrees with YAML: on generated documents (quotes holding brackets and
 * `#`, comments holding quotes and brackets, block scalars, flow collections inside block
 * ones), the depth the guard measures equals the collection depth of the parsed document.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Document, isCollection, isPair, parseAllDocuments, Scalar, visit, type Node } from 'yaml';
import { MAX_NESTING, assertNestingDepth, nestingDepth } from '../../src/krm/depth.js';

/** Collection depth of a parsed node: keys count too (a sequence can be a key). */
function nodeDepth(node: unknown): number {
  if (isPair(node)) return Math.max(nodeDepth(node.key), nodeDepth(node.value));
  if (!isCollection(node)) return 0;
  let max = 0;
  for (const item of node.items as unknown[]) max = Math.max(max, nodeDepth(item));
  return max + 1;
}

function parsedDepth(text: string): number {
  return Math.max(0, ...parseAllDocuments(text).map((d) => ('contents' in d ? nodeDepth(d.contents as Node) : 0)));
}

/** Scalars that fool a scanner which guesses where quotes and comments start. */
const TRICKY = ['a', 'b:"', '{a: b:"}', '"[[', "'{{", 'x # "', '# [[', ']]', '}}', "it's", 'say "hi"', '- x', '? y', '|', '>', '[a, b]', '&x', '*y', '!t', '%', '@', 'a:b', 'multi\nline "[ {', '   lead', 'tab\there'];

type Tree = string | number | boolean | null | Tree[] | { [k: string]: Tree };
const tree: fc.Arbitrary<Tree> = fc.letrec<{ t: Tree }>((tie) => ({
  t: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...TRICKY),
    fc.integer(),
    fc.constant(null),
    fc.array(tie('t'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...TRICKY, 'k1', 'k2', 'k3'), tie('t'), { maxKeys: 3 }),
  ),
})).t;

interface Style {
  flow: boolean[];
  strings: Array<'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED'>;
  comments: string[];
  indent: number;
}
const style: fc.Arbitrary<Style> = fc.record({
  flow: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
  strings: fc.array(fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'), { minLength: 1, maxLength: 8 }),
  comments: fc.array(fc.constantFrom(' "', " '", ' [[[', ' {{ "', ' ]]', ' a: b:"}'), { minLength: 1, maxLength: 4 }),
  indent: fc.integer({ min: 1, max: 4 }),
});

/** The tree as YAML text, some collections in flow style, strings in every style, comments sprinkled. */
function render(value: Tree, s: Style): string {
  const doc = new Document(value);
  let i = 0;
  visit(doc, {
    Node(_key, node) {
      i++;
      if (isCollection(node)) node.flow = s.flow[i % s.flow.length]!;
      if (node instanceof Scalar && typeof node.value === 'string') node.type = s.strings[i % s.strings.length]!;
      if (i % 3 === 0) node.comment = s.comments[i % s.comments.length]!;
      if (i % 5 === 0) node.commentBefore = s.comments[(i + 1) % s.comments.length]!;
    },
  });
  return doc.toString({ indent: s.indent, lineWidth: 0 });
}

describe('nesting bound', () => {
  it('equals the parsed document depth on generated documents', () => {
    let deepest = 0;
    fc.assert(
      fc.property(tree, style, (value, s) => {
        const text = render(value, s);
        // yaml's stringify can emit text it cannot read back (odd indents around explicit
        // keys); such input is refused as invalid YAML anyway, so the bound need not agree there.
        fc.pre(parseAllDocuments(text).every((d) => d.errors.length === 0));
        const depth = parsedDepth(text);
        deepest = Math.max(deepest, depth);
        expect(nestingDepth(text), text).toBe(depth);
      }),
      { numRuns: 400 },
    );
    expect(deepest).toBeGreaterThanOrEqual(4); // the generator does nest
  });

  it('equals it for hand-picked layouts too', () => {
    for (const text of [
      'a:\n- b:\n  - c: 1\n',
      '? - a\n: [b, {c: d}]\n',
      'k: |\n  [[[[ " #\n  ]]\nl: [x]\n',
      'labels: {a: b:"}\nz: [[[1]]] # "\n',
      '"a": {"b": {"c": [1, {"d": 2}]}}\n',
      '- - - - [x]\n',
      'a: &x [1, [2]]\nb: *x\n',
      '---\na: 1\n---\n[[[[1]]]]\n',
    ]) {
      expect(nestingDepth(text), text).toBe(parsedDepth(text));
    }
  });

  it('refuses the quote-after-colon bypass, where a scanner would skip to a later # "', () => {
    const deep = `labels: {a: b:"}\nspec: ${'['.repeat(MAX_NESTING + 5)}\n# "\n`;
    expect(() => assertNestingDepth(deep, 'input')).toThrow(/nests collections deeper than 1000 levels/);
    // the same nesting, just under the bound, is accepted and measured exactly
    const fine = `labels: {a: b:"}\nspec: ${'['.repeat(MAX_NESTING - 2)}${']'.repeat(MAX_NESTING - 2)}\n# "\n`;
    expect(() => assertNestingDepth(fine, 'input')).not.toThrow();
    expect(nestingDepth(fine)).toBe(MAX_NESTING - 1);
  });
});
