/**
 * The nesting bound. yaml's composer recurses once per collection level, and V8 aborts the
 * whole process (no catchable error) when it runs out of stack in the wrong place, so input
 * nesting deeper than MAX_NESTING is refused before it is composed.
 *
 * Depth is read off yaml's own Parser stack (block maps, block sequences and flow collections
 * open at that moment), so it agrees with YAML's tokenisation of quotes, comments, block
 * scalars and flow-in-block exactly; a hand scanner can be fooled about where a quoted string
 * starts. The check runs after every lexeme and stops at the first level past the bound, so
 * a deep input costs only the tokens before that point.
 */
import { Lexer, Parser } from 'yaml';
import { StreamlockError } from '../errors.js';

/** Far above any Kubernetes object; far below where the parser's recursion gets dangerous. */
export const MAX_NESTING = 1000;

const COLLECTIONS = new Set(['block-map', 'block-seq', 'flow-collection']);

/** Collections open on the parser's stack right now. */
function openCollections(parser: Parser): number {
  let n = 0;
  for (const token of parser.stack) if (COLLECTIONS.has(token.type)) n++;
  return n;
}

/**
 * Throws INPUT_TOO_DEEP when the parser holds more than MAX_NESTING open collections.
 * The stack also holds the document and at most a few scalars or properties, so its length
 * is a cheap first test.
 */
export function assertParserDepth(parser: Parser, what: string): void {
  if (parser.stack.length > MAX_NESTING && openCollections(parser) > MAX_NESTING) {
    throw new StreamlockError('INPUT_TOO_DEEP', `${what} nests collections deeper than ${MAX_NESTING} levels`);
  }
}

/** The deepest collection nesting of `text` (every document), as yaml's parser sees it. */
export function nestingDepth(text: string): number {
  const parser = new Parser();
  let max = 0;
  const track = () => {
    if (parser.stack.length > max) max = Math.max(max, openCollections(parser));
  };
  for (const lexeme of new Lexer().lex(text)) {
    for (const _ of parser.next(lexeme));
    track();
  }
  for (const _ of parser.end());
  return max;
}

/** Throws INPUT_TOO_DEEP when `text` nests deeper than MAX_NESTING; parses (without composing) only up to that point. */
export function assertNestingDepth(text: string, what: string): void {
  const parser = new Parser();
  for (const lexeme of new Lexer().lex(text)) {
    for (const _ of parser.next(lexeme));
    assertParserDepth(parser, what);
  }
}
