/**
 * A guard against deeply nested input (`[[[[…`, `- - - - …`): yaml's composer recurses once per
 * level, and V8 aborts the whole process (no catchable error) when it runs out of stack in the
 * wrong place. One linear scan before any parsing turns such input into a clear error.
 */
import { StreamlockError } from '../errors.js';

/** Far above any Kubernetes object; far below where the parser's recursion gets dangerous. */
export const MAX_NESTING = 1000;

const SPACE = 0x20;
const NEWLINE = 0x0a;

function opensScalar(text: string, i: number): boolean {
  // A quote starts a quoted scalar only where a scalar can start.
  for (let j = i - 1; j >= 0; j--) {
    const c = text.charCodeAt(j);
    if (c === SPACE || c === 0x09) continue;
    return c === NEWLINE || c === 0x3a || c === 0x2d || c === 0x5b || c === 0x7b || c === 0x2c || c === 0x3f;
  }
  return true;
}

/**
 * Throws INPUT_TOO_DEEP when collections nest deeper than MAX_NESTING: flow brackets outside
 * quotes and comments, plus, on each line, the block levels its indentation and leading `- `/`? `
 * indicators can open. Over-counts brackets inside plain scalars (`foo[0]`), which only matters
 * for absurd input.
 */
export function assertNestingDepth(text: string, what: string): void {
  let flow = 0;
  let lineBlock = 0;
  let atLineStart = true;
  const tooDeep = () => new StreamlockError('INPUT_TOO_DEEP', `${what} nests collections deeper than ${MAX_NESTING} levels`);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (atLineStart) {
      // Block levels this line can open: one per column of indentation and per leading indicator.
      let j = i;
      while (j < text.length) {
        const d = text.charCodeAt(j);
        if (d === SPACE) j++;
        else if ((d === 0x2d || d === 0x3f) && (text.charCodeAt(j + 1) === SPACE || text.charCodeAt(j + 1) === NEWLINE)) j += 1;
        else break;
      }
      lineBlock = j - i;
      if (lineBlock + flow > MAX_NESTING) throw tooDeep();
      atLineStart = false;
    }
    if (c === NEWLINE) {
      atLineStart = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++flow + lineBlock > MAX_NESTING) throw tooDeep();
    } else if (c === 0x5d || c === 0x7d) {
      if (flow > 0) flow--;
    } else if (c === 0x22 && opensScalar(text, i)) {
      // double-quoted: to the closing quote, honouring backslash escapes
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x27 && opensScalar(text, i)) {
      // single-quoted: '' is an escaped quote
      for (i++; i < text.length; i++) {
        if (text.charCodeAt(i) === 0x27) {
          if (text.charCodeAt(i + 1) === 0x27) i++;
          else break;
        }
      }
    } else if (c === 0x23 && (i === 0 || text.charCodeAt(i - 1) <= SPACE)) {
      const eol = text.indexOf('\n', i);
      i = (eol < 0 ? text.length : eol) - 1;
    }
  }
}
