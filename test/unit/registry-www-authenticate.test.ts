import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWwwAuthenticate, WwwAuthenticateError } from '../../src/registry/www-authenticate.js';

describe('parseWwwAuthenticate: accepted headers', () => {
  it.each([
    [
      'Docker Hub bearer, quoted scope with a comma',
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"',
      [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:samalba/my-app:pull,push' } }],
    ],
    ['basic with realm', 'Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    ['bare scheme', 'Basic', [{ scheme: 'basic', params: {} }]],
    ['token values and spaces around =', 'Bearer realm = r1 , service=svc', [{ scheme: 'bearer', params: { realm: 'r1', service: 'svc' } }]],
    ['escaped quote in a quoted string', 'Bearer realm="a\\"b"', [{ scheme: 'bearer', params: { realm: 'a"b' } }]],
    ['error param', 'Bearer realm="r",error="insufficient_scope"', [{ scheme: 'bearer', params: { realm: 'r', error: 'insufficient_scope' } }]],
    ['names are case-insensitive', 'BEARER Realm="r"', [{ scheme: 'bearer', params: { realm: 'r' } }]],
    ['empty quoted value', 'Bearer realm=""', [{ scheme: 'bearer', params: { realm: '' } }]],
    [
      'two challenges',
      'Bearer realm="r", scope="a,b", Basic realm="x"',
      [{ scheme: 'bearer', params: { realm: 'r', scope: 'a,b' } }, { scheme: 'basic', params: { realm: 'x' } }],
    ],
    ['bare scheme before another', 'Negotiate, Basic realm="x"', [{ scheme: 'negotiate', params: {} }, { scheme: 'basic', params: { realm: 'x' } }]],
    ['stray commas', ', Basic realm="x",, ', [{ scheme: 'basic', params: { realm: 'x' } }]],
  ])('%s', (_name, header, expected) => {
    expect(parseWwwAuthenticate(header)).toEqual(expected);
  });

  it('keeps a hostile __proto__ param as a plain key', () => {
    const [c] = parseWwwAuthenticate('Bearer __proto__="x",realm="r"');
    expect(c!.params.__proto__).toBe('x');
    expect(c!.params.realm).toBe('r');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('parseWwwAuthenticate: rejected headers', () => {
  it.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['unterminated quote', 'Bearer realm="https://a'],
    ['duplicate param', 'Bearer realm="a", realm="b"'],
    ['missing value', 'Bearer realm='],
    ['junk after value', 'Bearer realm="a" service="b"'],
    ['token68 credentials', 'Negotiate abc=='],
    ['quote right after scheme', 'Bearer"realm"'],
    ['control character in quoted string', 'Bearer realm="a\u0001b"'],
    ['no scheme', '="x"'],
    ['unquoted URL is not a token', 'Bearer realm=https://a/t'],
    ['too long', `Bearer realm="${'a'.repeat(20_000)}"`],
  ])('%s', (_name, header) => {
    expect(() => parseWwwAuthenticate(header)).toThrow(WwwAuthenticateError);
  });

  it('names the position of the problem', () => {
    expect(() => parseWwwAuthenticate('Bearer realm="a", realm="b"')).toThrow(/at character 18: duplicate parameter "realm"/);
  });
});

describe('parseWwwAuthenticate: properties', () => {
  it('returns challenges or throws WwwAuthenticateError, nothing else, for any input', () => {
    const alphabet = fc.constantFrom('B', 'e', 'a', 'r', ' ', ',', '=', '"', '\\', 'x', '\t', '\u0000', 'é', '_');
    const header = fc.oneof(fc.string(), fc.string({ unit: alphabet, maxLength: 60 }));
    fc.assert(
      fc.property(header, (h) => {
        try {
          const result = parseWwwAuthenticate(h);
          expect(result.length).toBeGreaterThan(0);
          for (const c of result) expect(c.scheme).toMatch(/^[!#$%&'*+\-.^_`|~0-9a-z]+$/);
        } catch (e) {
          expect(e).toBeInstanceOf(WwwAuthenticateError);
          expect((e as Error).message).toMatch(/^malformed WWW-Authenticate header at character \d+: /);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips any params written as quoted strings', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
    const value = fc.string({ maxLength: 30 }).filter((v) => !/[\u0000-\u0008\u000a-\u001f\u007f]/.test(v));
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(name, value), { selector: ([n]) => n, maxLength: 5 }), (params) => {
        const header = `Bearer ${params.map(([n, v]) => `${n}="${v.replace(/[\\"]/g, '\\$&')}"`).join(', ')}`;
        expect(parseWwwAuthenticate(header)).toEqual([{ scheme: 'bearer', params: Object.fromEntries(params) }]);
      }),
    );
  });
});
