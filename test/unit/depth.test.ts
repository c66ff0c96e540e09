import { describe, expect, it } from 'vitest';
import { MAX_NESTING, assertNestingDepth } from '../../src/krm/depth.js';

const code = (text: string) => {
  try {
    assertNestingDepth(text, 'input');
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

describe('assertNestingDepth', () => {
  it('accepts ordinary manifests, brackets in quotes and comments', () => {
    expect(code('a: [1, [2, {b: c}]]\nd: "[[[[[["\ne: \'{{{{\'\n# [[[[[[[\n')).toBe('ok');
    expect(code(`x: "${'['.repeat(5000)}"\n`)).toBe('ok');
    expect(code(`${'  '.repeat(300)}a: 1\n`)).toBe('ok');
    // indentation is not depth: one map, however far it is indented
    expect(code(`${' '.repeat(1500)}a: [1]\n`)).toBe('ok');
  });

  it.each([
    ['flow sequences', '['.repeat(MAX_NESTING + 1)],
    ['flow maps', '{a: '.repeat(MAX_NESTING + 1)],
    ['block indicators on one line', '- '.repeat(MAX_NESTING + 1) + 'a'],
    ['an apostrophe in a plain scalar does not hide what follows', `a: it's\nb: ${'['.repeat(MAX_NESTING + 1)}`],
    ['a quote inside a plain scalar does not either', `a: x"y\nb: ${'['.repeat(MAX_NESTING + 1)}`],
    ['block maps plus flow', `${Array.from({ length: 600 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')}\n${' '.repeat(600)}${'['.repeat(401)}`],
    ['a double quote after a colon hides nothing (a: b:" is a plain scalar)', `labels: {a: b:"}\nspec: ${'['.repeat(MAX_NESTING + 1)}\n# "\n`],
    ['a block scalar ends where its indentation does', `a: |\n  "\nb: ${'['.repeat(MAX_NESTING + 1)}\n# "`],
  ])('refuses %s', (_why, text) => {
    expect(code(text)).toBe('INPUT_TOO_DEEP');
  });

  it('stops at the first level too many, whatever follows', () => {
    expect(code('['.repeat(5_000_000))).toBe('INPUT_TOO_DEEP');
  });
});
