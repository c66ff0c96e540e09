import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseImageRef } from '../../src/image-ref.js';
import { createRegistryClient, type RegistryClient, type RegistryClientOptions } from '../../src/registry/client.js';
import { RegistryError } from '../../src/registry/errors.js';
import { imageManifest, OCI_MANIFEST, sendError, sendManifest, sha256, startServer, type Handler, type TestServer } from '../helpers/fake-registry.js';

const servers: TestServer[] = [];
const clients: RegistryClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(handler: Handler): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

/** Backoff waits the retry policy asked for, in ms; the injected sleep returns at once. */
let waits: number[] = [];

function client(options: RegistryClientOptions = {}): RegistryClient {
  waits = [];
  const c = createRegistryClient({ retries: 3, sleep: async (ms) => void waits.push(ms), ...options });
  clients.push(c);
  return c;
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

const body = imageManifest('app-v1');
const manifestRequests = (s: TestServer) => s.requests.filter((r) => r.url.includes('/manifests/'));

describe('resolveTag: digests', () => {
  it('takes the digest from HEAD when Docker-Content-Digest is present, without a GET', async () => {
    const s = await serve((req, res) => sendManifest(req, res, body, OCI_MANIFEST));
    const c = client();
    const resolved = await c.resolveTag(parseImageRef(`${s.host}/team/app:v1`));
    expect(resolved).toEqual({ digest: sha256(body), mediaType: OCI_MANIFEST });
    expect(manifestRequests(s).map((r) => `${r.method} ${r.url}`)).toEqual(['HEAD /v2/team/app/manifests/v1']);
    expect(manifestRequests(s)[0]!.headers.accept).toContain('application/vnd.oci.image.index.v1+json');
    expect(manifestRequests(s)[0]!.headers.accept).toContain('application/vnd.docker.distribution.manifest.list.v2+json');
    expect(c.stats.manifestRequests).toBe(1);
  });

  it('falls back to GET and hashes the raw body when HEAD has no digest', async () => {
    const raw = `${body}\n  `; // bytes that re-serialising JSON would change
    const s = await serve((req, res) => sendManifest(req, res, raw, OCI_MANIFEST, { digest: null }));
    const resolved = await client().resolveTag(parseImageRef(`${s.host}/app:v1`));
    expect(resolved.digest).toBe(sha256(raw));
    expect(manifestRequests(s).map((r) => r.method)).toEqual(['HEAD', 'GET']);
  });

  it('refuses a GET body whose hash differs from Docker-Content-Digest (DIGEST_MISMATCH)', async () => {
    const s = await serve((req, res) => {
      if (req.method === 'HEAD') return sendManifest(req, res, body, OCI_MANIFEST, { digest: null });
      sendManifest(req, res, body, OCI_MANIFEST, { digest: sha256('something else') });
    });
    const e = await failure(client().resolveTag(parseImageRef(`${s.host}/app:v1`)));
    expect(e.code).toBe('DIGEST_MISMATCH');
  });

  it('reports ratelimit-remaining', async () => {
    const s = await serve((req, res) => sendManifest(req, res, body, OCI_MANIFEST, { headers: { 'ratelimit-remaining': '20;w=21600' } }));
    expect((await client().resolveTag(parseImageRef(`${s.host}/app:v1`))).rateLimitRemaining).toBe(20);
  });

  it('maps 404 to REGISTRY_NOT_FOUND naming registry, repo:tag and status, without a GET', async () => {
    const s = await serve((_req, res) => sendError(res, 404, 'MANIFEST_UNKNOWN'));
    const e = await failure(client().resolveTag(parseImageRef(`${s.host}/team/app:nope`)));
    expect(e.code).toBe('REGISTRY_NOT_FOUND');
    expect(e.status).toBe(404);
    expect(e.message).toContain(`${s.host}/team/app:nope`);
    expect(manifestRequests(s).map((r) => r.method)).toEqual(['HEAD']);
  });

  it('uses latest when the reference has no tag', async () => {
    const s = await serve((req, res) => sendManifest(req, res, body, OCI_MANIFEST));
    await client().resolveTag(parseImageRef(`${s.host}/app`));
    expect(manifestRequests(s)[0]!.url).toBe('/v2/app/manifests/latest');
  });
});

describe('resolveTag: retries and timeouts', () => {
  it('retries a 500 and then succeeds', async () => {
    let calls = 0;
    const s = await serve((req, res) => (calls++ === 0 ? sendError(res, 500, 'UNKNOWN') : sendManifest(req, res, body, OCI_MANIFEST)));
    const c = client();
    expect((await c.resolveTag(parseImageRef(`${s.host}/app:v1`))).digest).toBe(sha256(body));
    expect(c.stats.retries).toBe(1);
    expect(manifestRequests(s)).toHaveLength(2);
  });

  it('gives up after `retries` with REGISTRY_SERVER_ERROR', async () => {
    const s = await serve((_req, res) => sendError(res, 503, 'UNAVAILABLE'));
    const c = client({ retries: 1 });
    const e = await failure(c.resolveTag(parseImageRef(`${s.host}/app:v1`)));
    expect(e.code).toBe('REGISTRY_SERVER_ERROR');
    expect(e.status).toBe(503);
    expect(manifestRequests(s)).toHaveLength(2);
  });

  it('waits for Retry-After: 1 on a 429', async () => {
    const times: number[] = [];
    const s = await serve((req, res) => {
      times.push(Date.now());
      if (times.length === 1) return sendError(res, 429, 'TOOMANYREQUESTS', { 'retry-after': '1' });
      sendManifest(req, res, body, OCI_MANIFEST);
    });
    const c = client();
    await c.resolveTag(parseImageRef(`${s.host}/app:v1`));
    expect(times).toHaveLength(2);
    expect(waits).toEqual([1000]);
    expect(c.stats.retries).toBe(1);
  });

  it('reports REGISTRY_RATE_LIMITED when 429 persists', async () => {
    const s = await serve((_req, res) => sendError(res, 429, 'TOOMANYREQUESTS', { 'retry-after': '0' }));
    const e = await failure(client({ retries: 2 }).resolveTag(parseImageRef(`${s.host}/app:v1`)));
    expect(e.code).toBe('REGISTRY_RATE_LIMITED');
    expect(manifestRequests(s)).toHaveLength(3);
  });

  it('turns a hang into REGISTRY_TIMEOUT (not retried)', async () => {
    const s = await serve(() => {
      /* never answers */
    });
    const c = client({ timeoutMs: 200 });
    const started = Date.now();
    const e = await failure(c.resolveTag(parseImageRef(`${s.host}/app:v1`)));
    expect(e.code).toBe('REGISTRY_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(c.stats.retries).toBe(0);
  });

  it('treats a truncated body as a network failure and retries it', async () => {
    let calls = 0;
    const s = await serve((req, res) => {
      if (req.method === 'HEAD') return sendManifest(req, res, body, OCI_MANIFEST, { digest: null });
      if (calls++ > 0) return sendManifest(req, res, body, OCI_MANIFEST);
      res.writeHead(200, { 'content-type': OCI_MANIFEST, 'content-length': String(body.length) });
      res.write(body.slice(0, 10), () => res.socket?.destroy());
    });
    const c = client();
    expect((await c.resolveTag(parseImageRef(`${s.host}/app:v1`))).digest).toBe(sha256(body));
    expect(c.stats.retries).toBe(1);
  });

  it('fails with REGISTRY_NETWORK when every body is truncated', async () => {
    const s = await serve((req, res) => {
      if (req.method === 'HEAD') return sendManifest(req, res, body, OCI_MANIFEST, { digest: null });
      res.writeHead(200, { 'content-type': OCI_MANIFEST, 'content-length': String(body.length) });
      res.write(body.slice(0, 10), () => res.socket?.destroy());
    });
    const e = await failure(client({ retries: 1 }).resolveTag(parseImageRef(`${s.host}/app:v1`)));
    expect(e.code).toBe('REGISTRY_NETWORK');
    expect(e.message).toContain('truncated');
  });
});

describe('resolveTag: size cap', () => {
  const big = JSON.stringify({ mediaType: OCI_MANIFEST, padding: 'x'.repeat(4096) });

  it('refuses by Content-Length before reading (MANIFEST_TOO_LARGE), without retrying', async () => {
    const s = await serve((req, res) => sendManifest(req, res, big, OCI_MANIFEST, { digest: null }));
    const e = await failure(client({ maxManifestBytes: 1024 }).resolveTag(parseImageRef(`${s.host}/app:v1`)));
    expect(e.code).toBe('MANIFEST_TOO_LARGE');
    expect(manifestRequests(s).map((r) => r.method)).toEqual(['HEAD', 'GET']);
  });

  it('aborts a streamed body without Content-Length once it passes the cap', async () => {
    const s = await serve((req, res) => {
      if (req.method === 'HEAD') return sendManifest(req, res, big, OCI_MANIFEST, { digest: null });
      res.writeHead(200, { 'content-type': OCI_MANIFEST }); // chunked
      for (let i = 0; i < 8; i++) res.write(big);
      res.end();
    });
    const e = await failure(client({ maxManifestBytes: 1024 }).resolveTag(parseImageRef(`${s.host}/app:v1`)));
    expect(e.code).toBe('MANIFEST_TOO_LARGE');
  });
});

describe('manifestExists', () => {
  const digest = sha256(body);
  it('is true for 200, false for 404', async () => {
    const s = await serve((req, res) => (req.url?.endsWith(digest) ? sendManifest(req, res, body, OCI_MANIFEST) : sendError(res, 404, 'MANIFEST_UNKNOWN')));
    const c = client();
    expect(await c.manifestExists(parseImageRef(`${s.host}/app@${digest}`))).toBe(true);
    expect(await c.manifestExists(parseImageRef(`${s.host}/app@${sha256('other')}`))).toBe(false);
  });

  it('refuses a registry that answers with another digest', async () => {
    const s = await serve((req, res) => sendManifest(req, res, body, OCI_MANIFEST, { digest: sha256('other') }));
    const e = await failure(client().manifestExists(parseImageRef(`${s.host}/app@${digest}`)));
    expect(e.code).toBe('DIGEST_MISMATCH');
  });
});

describe('concurrency', () => {
  it('keeps at most concurrencyPerRegistry requests in flight per registry', async () => {
    let inFlight = 0;
    let peak = 0;
    const s = await serve((req, res) => {
      peak = Math.max(peak, ++inFlight);
      setTimeout(() => {
        inFlight--;
        sendManifest(req, res, body, OCI_MANIFEST);
      }, 40);
    });
    const c = client({ concurrencyPerRegistry: 2 });
    await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((t) => c.resolveTag(parseImageRef(`${s.host}/app:${t}`))));
    expect(peak).toBe(2);
  });
});

describe('options', () => {
  it.each([
    [{ timeoutMs: -1 }, /timeoutMs must be an integer >= 1/],
    [{ retries: 1.5 }, /retries must be an integer >= 0/],
    [{ timeout: 5 } as RegistryClientOptions, /unsupported timeout, use timeoutMs instead/],
    [{ insecureRegistries: ['https://reg.example'] }, /insecureRegistries entry "https:\/\/reg.example"/],
    [{ caFile: '/nonexistent/ca.pem' }, /caFile \/nonexistent\/ca.pem cannot be read/],
    [{ bogus: true } as RegistryClientOptions, /unknown option bogus/],
  ])('rejects %j up front, naming the option', (options, message) => {
    expect(() => createRegistryClient(options)).toThrow(message);
  });
});
