/**
 * Issue: credentials follow a redirect. Loopback servers play the registry R and another
 * host T; whatever R's credentials are (Basic, identity token, a cached bearer token), none
 * may reach T after R redirects there, and token requests never leave their origin.
 */
import type { IncomingMessage } from 'node:http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { basicCredential, identityTokenCredential, type Credential, type CredentialStore } from '../../src/credentials/credential.js';
import { parseImageRef } from '../../src/image-ref.js';
import { createRegistryClient, type RegistryClient } from '../../src/registry/client.js';
import { RegistryError } from '../../src/registry/errors.js';
import type { RegistryRequest, RegistryResponse, Send } from '../../src/registry/exchange.js';
import { withRedirects } from '../../src/registry/redirect.js';
import { imageManifest, OCI_MANIFEST, sendError, sendManifest, sha256, startServer, type Handler, type TestServer } from '../helpers/fake-registry.js';

const servers: TestServer[] = [];
const clients: RegistryClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** Everything a server was sent: method, URL, headers and body, to search for secrets. */
interface Seen {
  server: TestServer;
  traffic: string[];
}

async function serve(handler: (req: IncomingMessage, body: string, res: Parameters<Handler>[1]) => void, hostname?: string): Promise<Seen> {
  const traffic: string[] = [];
  const server = await startServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      traffic.push(`${req.method} ${req.url}\n${JSON.stringify(req.headers)}\n${body}`);
      handler(req, body, res);
    });
  }, hostname ? { hostname } : {});
  servers.push(server);
  return { server, traffic };
}

function client(credentials?: CredentialStore): RegistryClient {
  const c = createRegistryClient({ retries: 0, ...(credentials ? { credentials } : {}) });
  clients.push(c);
  return c;
}

/** A store with credentials per registry host, recording which hosts were asked for. */
function storeByHost(byHost: Record<string, Credential>): CredentialStore & { asked: string[] } {
  const store = {
    asked: [] as string[],
    async lookup(registry: string) {
      store.asked.push(registry);
      const credential = byHost[registry];
      return credential ? { credential, source: `test store entry for ${registry}` } : { source: `no test store entry for ${registry}` };
    },
  };
  return store;
}

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const body = imageManifest('origins');

/** Host T: challenges with a realm of its own, hands out `tok-T` to anyone, serves the manifest for it. */
async function hostT(hostname = '127.0.0.2'): Promise<Seen> {
  let origin = '';
  const t = await serve((req, _body, res) => {
    if (req.url!.startsWith('/token')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ token: 'tok-T' }));
    }
    if (req.headers.authorization !== 'Bearer tok-T') {
      return sendError(res, 401, 'UNAUTHORIZED', { 'www-authenticate': `Bearer realm="${origin}/token",service="t"` });
    }
    sendManifest(req, res, body, OCI_MANIFEST);
  }, hostname);
  origin = t.server.origin;
  return t;
}

function expectNoSecret(traffic: string[], secrets: string[]): void {
  const all = traffic.join('\n');
  for (const s of secrets) expect(all).not.toContain(s);
}

describe('credentials stay with the origin that challenged', () => {
  it('R (Basic) redirects to T, T challenges with its own realm: T gets nothing of R', async () => {
    const t = await hostT();
    const r = await serve((req, _body, res) => {
      if (req.headers.authorization !== basic('dev', 'r-password')) {
        return sendError(res, 401, 'UNAUTHORIZED', { 'www-authenticate': 'Basic realm="r"' });
      }
      res.writeHead(307, { location: `${t.server.origin}/elsewhere${req.url}` }).end();
    });
    const store = storeByHost({ [r.server.host]: basicCredential('dev', 'r-password') });
    const resolved = await client(store).resolveTag(parseImageRef(`${r.server.host}/team/app:v1`));
    expect(resolved.digest).toBe(sha256(body));
    expect(t.traffic.length).toBeGreaterThan(0);
    expectNoSecret(t.traffic, ['r-password', Buffer.from('dev:r-password').toString('base64')]);
    expect(store.asked).toContain(t.server.host); // T's 401 was answered with T's own (absent) credentials
  });

  it('R (identity token, bearer) redirects to T: no refresh token, no cached R token reaches T', async () => {
    const t = await hostT();
    let rOrigin = '';
    const r = await serve((req, form, res) => {
      if (req.url!.startsWith('/token')) {
        const ok = new URLSearchParams(form).get('refresh_token') === 'r-refresh-secret';
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(ok ? { access_token: 'r-bearer-secret' } : { errors: [] }));
      }
      if (req.headers.authorization !== 'Bearer r-bearer-secret') {
        return sendError(res, 401, 'UNAUTHORIZED', { 'www-authenticate': `Bearer realm="${rOrigin}/token",service="r"` });
      }
      res.writeHead(307, { location: `${t.server.origin}${req.url}` }).end();
    });
    rOrigin = r.server.origin;
    const c = client(storeByHost({ [r.server.host]: identityTokenCredential('r-refresh-secret') }));
    expect((await c.resolveTag(parseImageRef(`${r.server.host}/team/app:v1`))).digest).toBe(sha256(body));
    // a second tag: R's token now goes up front, and still not to T
    expect((await c.resolveTag(parseImageRef(`${r.server.host}/team/app:v2`))).digest).toBe(sha256(body));
    expect(t.traffic.length).toBeGreaterThan(0);
    expectNoSecret(t.traffic, ['r-refresh-secret', 'r-bearer-secret']);
  });

  it('the host that issued the 401 picks the credentials: T answers Basic with T\'s entry, never R\'s', async () => {
    const t = await serve((req, _body, res) => {
      if (req.headers.authorization !== basic('t-user', 't-pass')) return sendError(res, 401, 'UNAUTHORIZED', { 'www-authenticate': 'Basic realm="t"' });
      sendManifest(req, res, body, OCI_MANIFEST);
    }, '127.0.0.2');
    const r = await serve((req, _body, res) => {
      if (req.headers.authorization !== basic('dev', 'r-password')) return sendError(res, 401, 'UNAUTHORIZED', { 'www-authenticate': 'Basic realm="r"' });
      res.writeHead(302, { location: `${t.server.origin}${req.url}` }).end();
    });
    const store = storeByHost({ [r.server.host]: basicCredential('dev', 'r-password'), [t.server.host]: basicCredential('t-user', 't-pass') });
    expect((await client(store).resolveTag(parseImageRef(`${r.server.host}/team/app:v1`))).digest).toBe(sha256(body));
    expectNoSecret(t.traffic, ['r-password', Buffer.from('dev:r-password').toString('base64')]);
  });

  it('a realm on another host is allowed when the registry itself challenges, with the registry\'s credentials only', async () => {
    const tokens = await serve((req, _body, res) => {
      res.writeHead(req.headers.authorization === basic('dev', 'r-password') ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: 'tok-r' }));
    });
    const r = await serve((req, _body, res) => {
      if (req.headers.authorization !== 'Bearer tok-r') {
        return sendError(res, 401, 'UNAUTHORIZED', { 'www-authenticate': `Bearer realm="${tokens.server.origin}/token",service="r"` });
      }
      sendManifest(req, res, body, OCI_MANIFEST);
    });
    const store = storeByHost({ [r.server.host]: basicCredential('dev', 'r-password'), [tokens.server.host]: basicCredential('x', 'token-host-own') });
    expect((await client(store).resolveTag(parseImageRef(`${r.server.host}/team/app:v1`))).digest).toBe(sha256(body));
    expect(tokens.traffic).toHaveLength(1);
    expect(tokens.traffic[0]).toContain(Buffer.from('dev:r-password').toString('base64'));
    expect(store.asked).not.toContain(tokens.server.host);
  });
});

describe('token requests never leave their origin', () => {
  for (const credential of [basicCredential('dev', 'r-password'), identityTokenCredential('r-refresh-secret')]) {
    const kind = 'password' in credential ? 'Basic GET' : 'refresh-token POST';
    it(`a ${kind} to the realm that redirects to T is refused before T is asked`, async () => {
      const t = await hostT();
      const tokens = await serve((req, _body, res) => {
        res.writeHead(307, { location: `${t.server.origin}/token?stolen=1` }).end();
        void req;
      });
      const r = await serve((_req, _body, res) =>
        sendError(res, 401, 'UNAUTHORIZED', { 'www-authenticate': `Bearer realm="${tokens.server.origin}/token",service="r"` }),
      );
      const e = await client(storeByHost({ [r.server.host]: credential })).resolveTag(parseImageRef(`${r.server.host}/team/app:v1`)).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(RegistryError);
      expect((e as RegistryError).code).toBe('REGISTRY_REDIRECT_REFUSED');
      expect((e as RegistryError).message).toMatch(/token request .* redirected to another origin/);
      expect(t.traffic).toHaveLength(0);
      expect(String((e as Error).message)).not.toMatch(/r-password|r-refresh-secret/);
    });
  }
});

describe('redirect policy (fake transport)', () => {
  const ctx = { registry: 'reg.example', repository: 'app', reference: 'v1' };
  const post: RegistryRequest = {
    kind: 'token', method: 'POST', url: new URL('https://reg.example/token'), headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic x' },
    body: 'refresh_token=secret', maxBodyBytes: 1024, tooLargeCode: 'REGISTRY_BAD_RESPONSE', context: ctx,
  };
  function hops(first: { status: number; location: string }): { send: Send; sent: RegistryRequest[] } {
    const sent: RegistryRequest[] = [];
    const send: Send = async (req) => {
      sent.push(req);
      const status = sent.length === 1 ? first.status : 200;
      const res: RegistryResponse = { status, headers: sent.length === 1 ? { location: first.location } : {}, body: Buffer.alloc(0), url: req.url };
      return res;
    };
    return { send, sent };
  }

  it.each([307, 308])('refuses a %i that would re-send a body to another origin, naming the rule', async (status) => {
    const { send, sent } = hops({ status, location: 'https://t.example/token' });
    const e = await withRedirects(send, { max: 5, allowsPlainHttp: () => false })(post).catch((err: unknown) => err as RegistryError);
    expect(e).toBeInstanceOf(RegistryError);
    expect((e as RegistryError).code).toBe('REGISTRY_REDIRECT_REFUSED');
    expect((e as RegistryError).message).toContain('would re-send the POST body');
    expect((e as RegistryError).message).not.toContain('secret');
    expect(sent).toHaveLength(1);
  });

  it('keeps the body on a same-origin 307', async () => {
    const { send, sent } = hops({ status: 307, location: '/token2' });
    await withRedirects(send, { max: 5, allowsPlainHttp: () => false })(post);
    expect(sent[1]!.body).toBe('refresh_token=secret');
    expect(sent[1]!.headers.authorization).toBe('Basic x');
  });

  it.each([301, 302, 303])('turns a POST into a bodiless GET on %i, and drops Authorization across origins', async (status) => {
    const { send, sent } = hops({ status, location: 'https://t.example/x' });
    await withRedirects(send, { max: 5, allowsPlainHttp: () => false })(post);
    expect(sent[1]!.method).toBe('GET');
    expect(sent[1]!.body).toBeUndefined();
    expect(sent[1]!.headers.authorization).toBeUndefined();
    expect(JSON.stringify(sent[1])).not.toContain('secret');
  });

  it('refuses an https → http downgrade outside loopback', async () => {
    const { send } = hops({ status: 302, location: 'http://cdn.example/x' });
    const get: RegistryRequest = { ...post, method: 'GET', kind: 'manifest' };
    delete (get as { body?: string }).body;
    const e = await withRedirects(send, { max: 5, allowsPlainHttp: () => false })(get).catch((err: unknown) => err as RegistryError);
    expect((e as RegistryError).code).toBe('REGISTRY_REDIRECT_REFUSED');
    expect((e as RegistryError).message).toContain('downgrade');
  });
});
