/**
 * A strict parser for the `WWW-Authenticate` header (RFC 9110 §11.6.1):
 * one or more challenges, each a scheme with comma-separated `name=value`
 * params where values are tokens or quoted strings (which may hold commas,
 * as Docker's `scope="repository:a:pull,push"` does).
 */

export interface Challenge {
  /** Lower-cased scheme (`bearer`, `basic`). */
  scheme: string;
  /** Params by lower-cased name; quoted values unescaped. */
  params: Record<string, string>;
}

export class WwwAuthenticateError extends Error {
  override name = 'WwwAuthenticateError';
  readonly code = 'WWW_AUTHENTICATE_INVALID';
  constructor(reason: string, readonly position: number) {
    super(`malformed WWW-Authenticate header at character ${position}: ${reason}`);
  }
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const MAX_LENGTH = 16 * 1024;

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}
  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): string {
    return this.text[this.pos] ?? '';
  }
  skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }
  skipSpacesAndCommas(): void {
    while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === ',') this.pos++;
  }
  token(): string {
    const start = this.pos;
    while (!this.done && TCHAR.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }
  quoted(): string {
    const start = this.pos;
    this.pos++; // opening quote
    let out = '';
    for (;;) {
      if (this.done) throw new WwwAuthenticateError('unterminated quoted string', start);
      const c = this.peek();
      this.pos++;
      if (c === '"') return out;
      if (c === '\\') {
        if (this.done) throw new WwwAuthenticateError('backslash at end of quoted string', this.pos);
        out += this.peek();
        this.pos++;
        continue;
      }
      const code = c.charCodeAt(0);
      if ((code < 0x20 && c !== '\t') || code === 0x7f) throw new WwwAuthenticateError('control character in quoted string', this.pos - 1);
      out += c;
    }
  }
}

/** Parses a whole header value; throws WwwAuthenticateError (and nothing else) on bad input. */
export function parseWwwAuthenticate(header: string): Challenge[] {
  if (typeof header !== 'string') throw new WwwAuthenticateError('not a string', 0);
  if (header.length > MAX_LENGTH) throw new WwwAuthenticateError(`longer than ${MAX_LENGTH} characters`, MAX_LENGTH);
  const c = new Cursor(header);
  const challenges: Challenge[] = [];
  c.skipSpacesAndCommas();
  while (!c.done) {
    const schemeAt = c.pos;
    const scheme = c.token();
    if (!scheme) throw new WwwAuthenticateError(`expected an auth scheme, found "${c.peek()}"`, schemeAt);
    // A null prototype, so a hostile `__proto__=` param is just a key.
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: Object.create(null) as Record<string, string> };
    challenges.push(challenge);
    parseParams(c, challenge);
    c.skipSpacesAndCommas();
  }
  if (challenges.length === 0) throw new WwwAuthenticateError('no challenge', 0);
  return challenges;
}

/** Reads `name=value` pairs until the next challenge's scheme or the end. */
function parseParams(c: Cursor, challenge: Challenge): void {
  if (!c.done && c.peek() !== ' ' && c.peek() !== '\t' && c.peek() !== ',') {
    throw new WwwAuthenticateError(`unexpected "${c.peek()}" after scheme`, c.pos);
  }
  for (;;) {
    const save = c.pos;
    c.skipSpacesAndCommas();
    if (c.done) return;
    const nameAt = c.pos;
    const name = c.token();
    if (!name) throw new WwwAuthenticateError(`expected a parameter name, found "${c.peek()}"`, nameAt);
    c.skipSpaces();
    if (c.peek() !== '=') {
      // Not a parameter: the start of the next challenge (`Bearer realm="x", Basic realm="y"`).
      if (Object.keys(challenge.params).length === 0 && c.text.slice(save, nameAt).trim() === '') {
        throw new WwwAuthenticateError(`expected "=" after "${name}" (token68 credentials are not supported)`, c.pos);
      }
      c.pos = nameAt;
      return;
    }
    c.pos++;
    c.skipSpaces();
    const value = c.peek() === '"' ? c.quoted() : c.token();
    if (value === '' && c.text[c.pos - 1] !== '"') throw new WwwAuthenticateError(`missing value for "${name}"`, c.pos);
    const key = name.toLowerCase();
    if (Object.hasOwn(challenge.params, key)) throw new WwwAuthenticateError(`duplicate parameter "${key}"`, nameAt);
    challenge.params[key] = value;
    c.skipSpaces();
    if (!c.done && c.peek() !== ',') throw new WwwAuthenticateError(`expected "," after parameter "${key}", found "${c.peek()}"`, c.pos);
  }
}
