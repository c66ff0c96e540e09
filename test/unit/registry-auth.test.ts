import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { basicCredential, identityTokenCredential, type Credential, type CredentialStore } from '../../src/credentials/credential.js';
import { loadCredentialStore } from '../../src/credentials/store.js';
import { parseImageRef } from '../../src/image-ref.js';
import { createRegistryClient, type RegistryClient, type RegistryClientOptions } from '../../src/registry/client.js';
import { withAuth } from '../../src/registry/auth.js';
import { RegistryError } from '../../src/registry/errors.js';
import type { RegistryRequest, RegistryResponse, Send } from '../../src/registry/exchange.js';
import { imageManifest, OCI_MANIFEST, sendError, sendManifest, sha256, startServer, type Handler, type TestServer } from '../helpers/fake-registry.js';

const servers: TestServer[] = [];
const clients: RegistryClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(handler: Handler, hostname?: string): Promise<TestServer> {
  const server = await startServer(handler, hostname ? { hostname } : {});
  servers.push(server);
  return server;
}

function client(options: RegistryClientOptions = {}): RegistryClient {
  const c = createRegistryClient({ retries: 0, ...options });
  clients.push(c);
  return c;
}

/** A store that always answers with `credential` from `source`. */
function storeWith(credential: Credential | undefined, source = 'docker config /home/dev/.docker/config.json'): CredentialStore & { calls: number } {
  const store = {
    calls: 0,
    async lookup() {
      store.calls++;
      return credential ? { credential, source } : { source: `no credentials in ${source}` };
    },
  };
  return store;
}

async function failure(p: Promise<unknown>): Promise<RegistryError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RegistryError) return e;
    throw e;
  }
  throw new Error('expected a RegistryError');
}

const body = imageManifest('auth');
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

/** A registry that wants `Bearer <token>` and a token server that hands it out. */
async function bearerPair(opts: { token?: string; expiresIn?: number; wantBasic?: string } = {}) {
  const token = opts.token ?? 'tok-1';
  const tokenServer = await serve((req, res) => {
    if (opts.wantBasic && req.headers.authorization !== opts.wantBasic) return sendError(res, 401, 'UNAUTHORIZED');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, ...(opts.expiresIn ? { expires_in: opts.expiresIn } : {}) }));
  });
  const registry = await serve((req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      return sendError(res, 401, 'UNAUTHORIZED', {
        'www-authenticate': `Bearer realm="${tokenServer.origin}/token",service="fake-registry",scope="repository:team/app:pull,push"`,
      });
    }
    sendManifest(req, res, body, OCI_MANIFEST);
  });
  return { tokenServer, registry };
}

describe('bearer token flow', () => {
  it('gets an anonymous token once and reuses it for two tags of one repository', async () => {
    const { tokenServer, registry } = await bearerPair();
    const c = client();
    expect((await c.resolveTag(parseImageRef(`${registry.host}/team/app:v1`))).digest).toBe(sha256(body));
    expect((await c.resolveTag(parseImageRef(`${registry.host}/team/app:v2`))).digest).toBe(sha256(body));
    expect(tokenServer.requests).toHaveLength(1);
    expect(c.stats.tokenRequests).toBe(1);
    const url = new URL(tokenServer.requests[0]!.url, tokenServer.origin);
    expect(url.searchParams.get('service')).toBe('fake-registry');
    expect(url.searchParams.getAll('scope')).toEqual(['repository:team/app:pull']);
    expect(tokenServer.requests[0]!.headers.authorization).toBeUndefined();
    // second tag: the token went up front, so no second 401
    expect(registry.requests.filter((r) => r.headers.authorization === undefined)).toHaveLength(1);
  });

  it('shares one token request between concurrent resolutions', async () => {
    const { tokenServer, registry } = await bearerPair();
    const c = client();
    await Promise.all(['a', 'b', 'c'].map((t) => c.resolveTag(parseImageRef(`${registry.host}/team/app:${t}`))));
    expect(tokenServer.requests).toHaveLength(1);
    await c.resolveTag(parseImageRef(`${registry.host}/team/app:d`));
    expect(tokenServer.requests).toHaveLength(1);
  });

  it('asks for a new token per repository scope', async () => {
    const { tokenServer, registry } = await bearerPair();
    const c = client();
    await c.resolveTag(parseImageRef(`${registry.host}/team/app:v1`));
    await c.resolveTag(parseImageRef(`${registry.host}/team/other:v1`));
    expect(tokenServer.requests.map((r) => new URL(r.url, 'http://x').searchParams.get('scope'))).toEqual([
      'repository:team/app:pull',
      'repository:team/other:pull',
    ]);
  });

  it('sends Basic credentials on the token request when the store has them', async () => {
    const { tokenServer, registry } = await bearerPair({ wantBasic: basic('dev', 'pa:ss') });
    const c = client({ credentials: storeWith(basicCredential('dev', 'pa:ss')) });
    await c.resolveTag(parseImageRef(`${registry.host}/team/app:v1`));
    expect(tokenServer.requests[0]!.headers.authorization).toBe(basic('dev', 'pa:ss'));
  });

  it('uses the OAuth2 refresh-token POST for identity tokens', async () => {
    const forms: string[] = [];
    const tokenServer = await serve((req, res) => {
      let data = '';
      req.on('data', (d: Buffer) => (data += d.toString()));
      req.on('end', () => {
        forms.push(`${req.method} ${data}`);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: 'tok-oauth' }));
      });
    });
    const registry = await serve((req, res) => {
      if (req.headers.authorization !== 'Bearer tok-oauth') {
        return sendError(res, 401, 'UNAUTHORIZED', { 'www-authenticate': `Bearer realm="${tokenServer.origin}/token",service="svc"` });
      }
      sendManifest(req, res, body, OCI_MANIFEST);
    });
    await client({ credentials: storeWith(identityTokenCredential('refresh-me')) }).resolveTag(parseImageRef(`${registry.host}/team/app:v1`));
    expect(forms).toHaveLength(1);
    const form = new URLSearchParams(forms[0]!.slice('POST '.length));
    expect(forms[0]!.startsWith('POST ')).toBe(true);
    expect(form.get('grant_type')).toBe('refresh_token');
    expect(form.get('refresh_token')).toBe('refresh-me');
    expect(form.get('scope')).toBe('repository:team/app:pull');
  });

  it('withholds credentials from a plain-http realm on another host', async () => {
    const tokenServer = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: 'anon' }));
    }, '127.0.0.2');
    const registry = await serve((req, res) => {
      if (req.headers.authorization !== 'Bearer anon') {
        return sendError(res, 401, 'UNAUTHORIZED', { 'www-authenticate': `Bearer realm="${tokenServer.origin}/token"` });
      }
      sendManifest(req, res, body, OCI_MANIFEST);
    });
    await client({ credentials: storeWith(basicCredential('dev', 'secret')) }).resolveTag(parseImageRef(`${registry.host}/team/app:v1`));
    expect(tokenServer.requests).toHaveLength(1);
    expect(tokenServer.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('refuses a realm on an internal address unrelated to the registry, without calling it', async () => {
    const registry = await serve((_req, res) =>
      sendError(res, 401, 'UNAUTHORIZED', { 'www-authenticate': 'Bearer realm="https://169.254.169.254/latest/meta-data",service="x"' }),
    );
    const c = client();
    const e = await failure(c.resolveTag(parseImageRef(`${registry.host}/team/app:v1`)));
    expect(e.code).toBe('REGISTRY_INSECURE_REFUSED');
    expect(c.stats.tokenRequests).toBe(0);
  });
});

describe('basic auth', () => {
  it('answers a Basic challenge, then sends Basic up front', async () => {
    const registry = await serve((req, res) => {
      if (req.headers.authorization !== basic('dev', 'secret')) {
        return sendError(res, 401, 'UNAUTHORIZED', { 'www-authenticate': 'Basic realm="fake"' });
      }
      sendManifest(req, res, body, OCI_MANIFEST);
    });
    const c = client({ credentials: storeWith(basicCredential('dev', 'secret')) });
    await c.resolveTag(parseImageRef(`${registry.host}/app:v1`));
    await c.resolveTag(parseImageRef(`${registry.host}/app:v2`));
    expect(registry.requests.map((r) => r.headers.authorization === undefined)).toEqual([true, false, false]);
  });

  it('names the credential source in a 401 and never the password', async () => {
    const password = 's3cr3t-Pa55';
    const registry = await serve((_req, res) => sendError(res, 401, 'UNAUTHORIZED', { 'www-authenticate': 'Basic realm="fake"' }));
    const e = await failure(
      client({ credentials: storeWith(basicCredential('dev', password), 'docker config ~/.docker/config.json') }).resolveTag(parseImageRef(`${registry.host}/app:v1`)),
    );
    expect(e.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(e.status).toBe(401);
    expect(e.message).toContain('docker config ~/.docker/config.json');
    expect(e.message).toContain(`${registry.host}/app:v1`);
    for (const text of [e.message, e.hint ?? '', JSON.stringify(e), inspect(e, { depth: 5 }), String(e.stack)]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(Buffer.from(`dev:${password}`).toString('base64'));
    }
  });

  it('says anonymous and which sources were searched when there are no credentials', async () => {
    const registry = await serve((_req, res) => sendError(res, 401, 'UNAUTHORIZED', { 'www-authenticate': 'Basic realm="fake"' }));
    const e = await failure(client({ credentials: storeWith(undefined, 'docker config ~/.docker/config.json') }).resolveTag(parseImageRef(`${registry.host}/app:v1`)));
    expect(e.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(e.hint).toMatch(/anonymous; no credentials in docker config/);
  });

  it('maps 403 to REGISTRY_DENIED', async () => {
    const registry = await serve((_req, res) => sendError(res, 403, 'DENIED'));
    expect((await failure(client().resolveTag(parseImageRef(`${registry.host}/app:v1`)))).code).toBe('REGISTRY_DENIED');
  });
});

describe('redirects', () => {
  async function redirectingRegistry(target: TestServer | (() => string)) {
    return serve((req, res) => {
      if (req.headers.authorization !== basic('dev', 'secret')) {
        return sendError(res, 401, 'UNAUTHORIZED', { 'www-authenticate': 'Basic realm="fake"' });
      }
      const origin = typeof target === 'function' ? target() : target.origin;
      res.writeHead(307, { location: `${origin}/cdn${req.url}` });
      res.end();
    });
  }

  it('drops Authorization when a redirect changes host', async () => {
    const cdn = await serve((req, res) => sendManifest(req, res, body, OCI_MANIFEST), '127.0.0.2');
    const registry = await redirectingRegistry(cdn);
    const resolved = await client({ credentials: storeWith(basicCredential('dev', 'secret')) }).resolveTag(parseImageRef(`${registry.host}/app:v1`));
    expect(resolved.digest).toBe(sha256(body));
    expect(cdn.requests.length).toBeGreaterThan(0);
    for (const r of cdn.requests) expect(r.headers.authorization).toBeUndefined();
  });

  it('keeps Authorization on a same-origin redirect', async () => {
    let self = '';
    const registry = await serve((req, res) => {
      if (req.headers.authorization !== basic('dev', 'secret')) {
        return sendError(res, 401, 'UNAUTHORIZED', { 'www-authenticate': 'Basic realm="fake"' });
      }
      if (!req.url!.startsWith('/moved')) {
        res.writeHead(302, { location: `${self}/moved${req.url}` });
        return res.end();
      }
      sendManifest(req, res, body, OCI_MANIFEST);
    });
    self = registry.origin;
    await client({ credentials: storeWith(basicCredential('dev', 'secret')) }).resolveTag(parseImageRef(`${registry.host}/app:v1`));
    const moved = registry.requests.filter((r) => r.url.startsWith('/moved'));
    expect(moved.length).toBeGreaterThan(0);
    for (const r of moved) expect(r.headers.authorization).toBe(basic('dev', 'secret'));
  });

  it('refuses more than 5 redirects', async () => {
    let origin = '';
    const loop = await serve((req, res) => {
      res.writeHead(302, { location: `${origin}${req.url}x` });
      res.end();
    });
    origin = loop.origin;
    const e = await failure(client().resolveTag(parseImageRef(`${loop.host}/app:v1`)));
    expect(e.code).toBe('REGISTRY_REDIRECT_REFUSED');
    expect(loop.requests.filter((r) => r.method === 'HEAD')).toHaveLength(6);
  });
});

describe('token cache expiry (policy alone, fake transport)', () => {
  it('reuses a token until expires_in passes, then asks again', async () => {
    let clock = 0;
    const tokenCalls: string[] = [];
    const reply = (status: number, url: URL, headers: Record<string, string> = {}, json?: unknown): RegistryResponse => ({
      status, headers, url, body: Buffer.from(json === undefined ? '' : JSON.stringify(json)),
    });
    const send: Send = async (req) => {
      if (req.kind === 'token') {
        tokenCalls.push(req.url.href);
        return reply(200, req.url, {}, { token: `t${tokenCalls.length}`, expires_in: 60 });
      }
      if (req.headers.authorization === `Bearer t${tokenCalls.length}`) return reply(200, req.url);
      return reply(401, req.url, { 'www-authenticate': 'Bearer realm="https://auth.example/token",service="svc"' });
    };
    const authed = withAuth(send, { sendToken: send, allowsPlainHttp: () => false, now: () => clock });
    const req: RegistryRequest = {
      kind: 'manifest', method: 'HEAD', url: new URL('https://reg.example/v2/app/manifests/v1'), headers: {},
      maxBodyBytes: 1024, tooLargeCode: 'MANIFEST_TOO_LARGE', context: { registry: 'reg.example', repository: 'app', reference: 'v1' },
    };
    expect((await authed(req)).status).toBe(200);
    clock = 50_000;
    expect((await authed(req)).status).toBe(200);
    expect(tokenCalls).toHaveLength(1);
    clock = 61_000;
    expect((await authed(req)).status).toBe(200);
    expect(tokenCalls).toHaveLength(2);
  });
});

describe('with the real credential store', () => {
  it('uses docker config credentials and names the file (never the password) when they are refused', async () => {
    const registry = await serve((req, res) => {
      if (req.headers.authorization !== basic('dev', 'right-password')) {
        return sendError(res, 401, 'UNAUTHORIZED', { 'www-authenticate': 'Basic realm="fake"' });
      }
      sendManifest(req, res, body, OCI_MANIFEST);
    });
    const dir = await mkdtemp(join(tmpdir(), 'streamlock-creds-'));
    try {
      const writeConfig = (password: string) =>
        writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`dev:${password}`).toString('base64') } } }));
      const credentials = () => loadCredentialStore({ env: { DOCKER_CONFIG: dir }, homedir: '/nonexistent-home' });

      await writeConfig('right-password');
      expect((await client({ credentials: credentials() }).resolveTag(parseImageRef(`${registry.host}/app:v1`))).digest).toBe(sha256(body));

      await writeConfig('wrong-password-xyz');
      const e = await failure(client({ credentials: credentials() }).resolveTag(parseImageRef(`${registry.host}/app:v1`)));
      expect(e.code).toBe('REGISTRY_UNAUTHORIZED');
      expect(e.message).toContain(`docker config ${join(dir, 'config.json')}`);
      expect(`${e.message} ${inspect(e)} ${JSON.stringify(e)}`).not.toContain('wrong-password-xyz');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
