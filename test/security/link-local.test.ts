/**
 * The import client refuses link-local and cloud metadata addresses after DNS resolution.
 * Names are resolved by a lookup hook (no resolver, no traffic): a refused address is never
 * connected to; the only connections made go to loopback.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseImageRef } from '../../src/image-ref.js';
import { guardedLookup, isLinkLocalOrMetadata, type LookupFunction } from '../../src/registry/addresses.js';
import { createRegistryClient, type RegistryClient, type RegistryClientOptions } from '../../src/registry/client.js';
import { RegistryError } from '../../src/registry/errors.js';
import { imageManifest, OCI_MANIFEST, sendError, sendManifest, sha256, startServer, type TestServer } from '../helpers/fake-registry.js';

const servers: TestServer[] = [];
const clients: RegistryClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

function client(options: RegistryClientOptions): RegistryClient {
  const c = createRegistryClient({ retries: 2, timeoutMs: 3000, ...options });
  clients.push(c);
  return c;
}

/** A lookup hook answering from a table; records every name asked. */
function table(answers: Record<string, { address: string; family: 4 | 6 }>): LookupFunction & { asked: string[] } {
  const asked: string[] = [];
  const fn = ((hostname, options, callback) => {
    asked.push(hostname);
    const a = answers[hostname];
    if (!a) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '');
    if ((options as { all?: boolean }).all) return callback(null, [a]);
    callback(null, a.address, a.family);
  }) as LookupFunction & { asked: string[] };
  fn.asked = asked;
  return fn;
}

async function refusal(p: Promise<unknown>): Promise<RegistryError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(RegistryError);
  return e as RegistryError;
}

describe('which addresses count as link-local or metadata', () => {
  it.each([
    ['169.254.169.254', true], ['169.254.0.1', true], ['169.254.170.2', true], ['fe80::1', true], ['[fe80::1]', true], ['febf::1', true],
    ['fd00:ec2::254', true], ['fd00:ec2:0:0::254', true], ['::ffff:169.254.169.254', true], ['100.100.100.200', true],
    ['metadata.google.internal', true], ['METADATA.GOOGLE.INTERNAL.', true], ['metadata.goog', true],
    ['127.0.0.1', false], ['::1', false], ['10.1.2.3', false], ['172.16.0.1', false], ['192.168.1.10', false], ['fd12:3456::1', false],
    ['fec0::1', false], ['169.253.1.1', false], ['registry.example', false], ['quay.io', false],
  ])('%s → %s', (address, expected) => {
    expect(isLinkLocalOrMetadata(address)).toBe(expected);
  });
});

describe('import client', () => {
  it.each([
    ['169.254.169.254', 4],
    ['fe80::a9fe:a9fe', 6],
    ['fd00:ec2::254', 6],
  ] as const)('refuses a registry name that resolves to %s, without connecting and without retrying', async (address, family) => {
    const lookup = table({ 'registry.test': { address, family } });
    const c = client({ lookup });
    const e = await refusal(c.resolveTag(parseImageRef('registry.test/team/app:v1')));
    expect(e.code).toBe('REGISTRY_INSECURE_REFUSED');
    expect(e.message).toContain(`registry.test resolves to ${address}, a link-local or cloud metadata address`);
    expect(e.message).toContain('--allow-link-local');
    expect(lookup.asked).toContain('registry.test');
    expect(c.stats.retries).toBe(0);
  });

  it('refuses link-local literals and metadata names before any lookup', async () => {
    for (const ref of ['169.254.169.254/latest/meta-data:v1', 'metadata.google.internal/computemetadata/v1:x']) {
      const lookup = table({});
      const e = await refusal(client({ lookup }).resolveTag(parseImageRef(ref)));
      expect(e.code).toBe('REGISTRY_INSECURE_REFUSED');
      expect(e.message).toMatch(/link-local or cloud metadata address/);
      expect(lookup.asked).toEqual([]);
    }
  });

  it('refuses a token realm whose name resolves to a metadata address', async () => {
    const registry = await startServer((_req, res) =>
      sendError(res, 401, 'UNAUTHORIZED', { 'www-authenticate': 'Bearer realm="https://tokens.test/token",service="x"' }),
    );
    servers.push(registry);
    const lookup = table({ 'tokens.test': { address: '169.254.169.254', family: 4 } });
    const e = await refusal(client({ lookup }).resolveTag(parseImageRef(`${registry.host}/team/app:v1`)));
    expect(e.code).toBe('REGISTRY_INSECURE_REFUSED');
    expect(e.message).toContain('tokens.test resolves to 169.254.169.254');
  });

  it('still reaches a registry whose name resolves to loopback', async () => {
    const body = imageManifest('loopback');
    const registry = await startServer((req, res) => sendManifest(req, res, body, OCI_MANIFEST));
    servers.push(registry);
    const port = registry.host.split(':')[1];
    const lookup = table({ 'registry.test': { address: '127.0.0.1', family: 4 } });
    const c = client({ lookup, insecureRegistries: [`registry.test:${port}`] });
    expect((await c.resolveTag(parseImageRef(`registry.test:${port}/team/app:v1`))).digest).toBe(sha256(body));
    expect(lookup.asked).toContain('registry.test');
  });
});

describe('--allow-link-local', () => {
  it('passes link-local answers through when allowed, and refuses them otherwise (no connection either way)', async () => {
    const inner = table({ 'meta.test': { address: '169.254.169.254', family: 4 } });
    const answer = (lookup: LookupFunction) =>
      new Promise<unknown>((resolve) => lookup('meta.test', { all: true }, (err, addresses) => resolve(err ?? addresses)));
    expect(await answer(guardedLookup(inner, true))).toEqual([{ address: '169.254.169.254', family: 4 }]);
    expect(String(await answer(guardedLookup(inner, false)))).toContain('meta.test resolves to 169.254.169.254');
  });

  it('is checked as a client option', () => {
    expect(() => createRegistryClient({ allowLinkLocal: 'yes' as unknown as boolean })).toThrow(/allowLinkLocal must be a boolean/);
  });
});
