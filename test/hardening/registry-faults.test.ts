/**
 * Registry and network faults through `streamlock import` (in-process CLI), beyond the unit tests
 * of the client: certificates with a wrong name or expired, DNS failure, a connection reset in the
 * middle of a body, a token server that is down or hands out tokens the registry rejects, a tag
 * deleted upstream, and a registry that answers a new digest on every call. Each asserts the exit
 * code, the error code, and that the lockfile is byte-identical with nothing left beside it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { imageManifest, OCI_MANIFEST, sendError, sendManifest } from '../helpers/fake-registry.js';

interface Server {
  host: string;
  hits: Array<{ method: string; url: string; auth: string | undefined }>;
  close(): Promise<void>;
}

async function serve(handler: http.RequestListener, tls?: { key: string; cert: string }): Promise<Server> {
  const hits: Server['hits'] = [];
  const listener: http.RequestListener = (req, res) => {
    hits.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization });
    handler(req, res);
  };
  const server = tls ? https.createServer(tls, listener) : http.createServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

const PREVIOUS_DIGEST = `sha256:${'1'.repeat(64)}`;
function previousLock(host: string): string {
  return [
    'apiVersion: streamlock.dev/v1alpha1',
    'kind: ImageStreamLock',
    'metadata:',
    '  name: imagestreams',
    '# recorded before the fault; must survive byte for byte',
    'streams:',
    '- name: web',
    '  tags:',
    '  - tag: "1"',
    `    from: ${host}/acme/web:1`,
    '    items:',
    '    - generation: 1',
    '      created: "2026-11-01T00:00:00Z"',
    `      image: ${PREVIOUS_DIGEST}`,
    `      dockerImageReference: ${host}/acme/web@${PREVIOUS_DIGEST}`,
    '',
  ].join('\n');
}

function imageStream(tags: Array<[string, string]>): string {
  return ['apiVersion: image.openshift.io/v1', 'kind: ImageStream', 'metadata:', '  name: web', 'spec:', '  tags:',
    ...tags.flatMap(([name, from]) => [`  - name: "${name}"`, '    from:', '      kind: DockerImage', `      name: ${from}`]), ''].join('\n');
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  lock: string | undefined;
  files: string[];
  report: any;
}

let root: string;
let certs: { ca: string; expired: { key: string; cert: string }; wrongName: { key: string; cert: string } };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'streamlock-faults-'));
  const d = join(root, 'certs');
  await mkdir(d);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: d, stdio: ['ignore', 'ignore', 'pipe'] });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=streamlock hardening CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1');
  await writeFile(join(d, 'ip.ext'), 'subjectAltName=IP:127.0.0.1\n');
  await writeFile(join(d, 'wrong.ext'), 'subjectAltName=DNS:wrong.example\n');
  // -days -1: notAfter a day before notBefore (now): expired on arrival.
  ssl('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'expired.pem', '-days', '-1', '-extfile', 'ip.ext');
  ssl('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'wrong.pem', '-days', '2', '-extfile', 'wrong.ext');
  const key = await readFile(join(d, 'srv.key'), 'utf8');
  certs = {
    ca: join(d, 'ca.pem'),
    expired: { key, cert: await readFile(join(d, 'expired.pem'), 'utf8') },
    wrongName: { key, cert: await readFile(join(d, 'wrong.pem'), 'utf8') },
  };
});
afterAll(() => rm(root, { recursive: true, force: true }));

let seq = 0;
/** Runs `streamlock import -o json` in a fresh project holding `manifests` and, if given, a lockfile. */
async function importIn(manifests: string, lock: string | undefined, flags: string[] = []): Promise<Run> {
  const dir = join(root, `p${seq++}`);
  await mkdir(dir);
  await writeFile(join(dir, 'is.yaml'), manifests);
  if (lock !== undefined) await writeFile(join(dir, 'imagestreams.lock.yaml'), lock);
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdin: new PassThrough(),
    stdout: Object.assign(new PassThrough(), { write: (s: string) => ((stdout += s), true) }) as never,
    stderr: Object.assign(new PassThrough(), { write: (s: string) => ((stderr += s), true) }) as never,
    env: { HOME: dir, PATH: '/nonexistent' },
    cwd: dir,
    now: () => new Date('2026-11-20T10:00:00Z'),
    interactive: false,
    // Retries happen as in production, but their backoff costs no wall time.
    sleep: async () => {},
  };
  const code = await main(['import', '-o', 'json', '--timeout', '5s', ...flags, 'is.yaml'], io);
  const lockText = await readFile(join(dir, 'imagestreams.lock.yaml'), 'utf8').catch(() => undefined);
  let report: any;
  try {
    report = JSON.parse(stdout);
  } catch {
    report = undefined;
  }
  return { code, stdout, stderr, lock: lockText, files: (await readdir(dir)).sort(), report };
}

/** The run failed with `code` for web:TAG, and left the lockfile exactly as it was. */
function expectFailedUntouched(r: Run, errorCode: string, previous: string | undefined, tag = '1'): void {
  expect(r.code, r.stderr).toBe(3);
  expect(r.report.failures.map((f: any) => [f.tag, f.code])).toContainEqual([tag, errorCode]);
  expect(r.stderr).toContain(`web:${tag}`);
  expect(r.lock).toBe(previous);
  expect(r.files).toEqual(previous === undefined ? ['is.yaml'] : ['imagestreams.lock.yaml', 'is.yaml']);
}

const goodBody = imageManifest('faults');
const manifestHandler: http.RequestListener = (req, res) => sendManifest(req, res, goodBody, OCI_MANIFEST);

describe('TLS faults', () => {
  it('a certificate for another host name is refused (REGISTRY_TLS) even with the right CA; --insecure-registry accepts it', async () => {
    const server = await serve(manifestHandler, certs.wrongName);
    try {
      const is = imageStream([['1', `${server.host}/acme/web:1`]]);
      const lock = previousLock(server.host);
      const r = await importIn(is, lock, ['--ca-file', certs.ca]);
      expectFailedUntouched(r, 'REGISTRY_TLS', lock);
      expect(r.report.failures[0].hint).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
      const ok = await importIn(is, lock, ['--insecure-registry', server.host]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.report.changes).toMatchObject([{ tag: '1', generation: 2 }]);
    } finally {
      await server.close();
    }
  });

  it('an expired certificate is refused (REGISTRY_TLS, CERT_HAS_EXPIRED); --insecure-registry accepts it', async () => {
    const server = await serve(manifestHandler, certs.expired);
    try {
      const is = imageStream([['1', `${server.host}/acme/web:1`]]);
      const lock = previousLock(server.host);
      const r = await importIn(is, lock, ['--ca-file', certs.ca]);
      expectFailedUntouched(r, 'REGISTRY_TLS', lock);
      expect(r.report.failures[0].hint).toMatch(/CERT_HAS_EXPIRED/);
      expect((await importIn(is, lock, ['--insecure-registry', server.host])).code).toBe(0);
    } finally {
      await server.close();
    }
  });
});

describe('network faults', () => {
  it('a host that does not resolve (.invalid, RFC 6761) is REGISTRY_NETWORK naming ENOTFOUND', async () => {
    const lock = previousLock('registry.invalid');
    const r = await importIn(imageStream([['1', 'registry.invalid/acme/web:1']]), lock);
    expectFailedUntouched(r, 'REGISTRY_NETWORK', lock);
    expect(r.report.failures[0].hint).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });

  it('a connection reset in the middle of the manifest body is retried, then REGISTRY_NETWORK', async () => {
    const server = await serve((req, res) => {
      if (req.method === 'HEAD') return void res.writeHead(200, { 'content-type': OCI_MANIFEST }).end(); // no digest: GET it
      res.writeHead(200, { 'content-type': OCI_MANIFEST, 'content-length': String(goodBody.length) });
      res.write(goodBody.slice(0, 20), () => res.socket?.resetAndDestroy());
    });
    try {
      const lock = previousLock(server.host);
      const r = await importIn(imageStream([['1', `${server.host}/acme/web:1`]]), lock);
      expectFailedUntouched(r, 'REGISTRY_NETWORK', lock);
      expect(server.hits.filter((h) => h.method === 'GET')).toHaveLength(4); // 1 + 3 retries
      expect(r.report.stats.retries).toBe(3);
    } finally {
      await server.close();
    }
  });

  it('a token endpoint that is down is REGISTRY_NETWORK; the registry is not asked in a loop', async () => {
    const dead = await serve(() => undefined);
    const deadHost = dead.host;
    await dead.close(); // nothing listens there any more
    const registry = await serve((req, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${deadHost}/token",service="test"`, 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    });
    try {
      const lock = previousLock(registry.host);
      const r = await importIn(imageStream([['1', `${registry.host}/acme/web:1`]]), lock);
      expectFailedUntouched(r, 'REGISTRY_NETWORK', lock);
      expect(registry.hits.length).toBeLessThanOrEqual(2);
    } finally {
      await registry.close();
    }
  });

  it('a token the registry keeps rejecting (wrong scope) ends as REGISTRY_UNAUTHORIZED after a bounded number of requests', async () => {
    let tokens = 0;
    const auth = await serve((req, res) => {
      tokens++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `scope-is-wrong-${tokens}`, expires_in: 300 }));
    });
    const registry = await serve((req, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${auth.host}/token",service="test",scope="repository:other/repo:pull"`, 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"insufficient scope"}]}');
    });
    try {
      const lock = previousLock(registry.host);
      const r = await importIn(imageStream([['1', `${registry.host}/acme/web:1`], ['2', `${registry.host}/acme/web:2`]]), lock);
      expectFailedUntouched(r, 'REGISTRY_UNAUTHORIZED', lock);
      expect(r.report.failures.map((f: any) => f.code)).toEqual(['REGISTRY_UNAUTHORIZED', 'REGISTRY_UNAUTHORIZED']);
      expect(r.report.failures[0].hint).toMatch(/bearer token from 127\.0\.0\.1/);
      // Per tag: an anonymous try, one token, one retry with it. No loop.
      expect(registry.hits.length).toBeLessThanOrEqual(6);
      expect(tokens).toBeLessThanOrEqual(4);
      expect(registry.hits.some((h) => h.auth?.startsWith('Bearer scope-is-wrong-'))).toBe(true);
    } finally {
      await registry.close();
      await auth.close();
    }
  });
});

describe('registry content faults', () => {
  it('a tag deleted upstream (404) is reported with the tag and source; the lockfile keeps its history', async () => {
    const server = await serve((req, res) => sendError(res, 404, 'MANIFEST_UNKNOWN'));
    try {
      const lock = previousLock(server.host);
      const r = await importIn(imageStream([['1', `${server.host}/acme/web:1`]]), lock);
      expectFailedUntouched(r, 'REGISTRY_NOT_FOUND', lock);
      expect(r.stderr).toContain(`web:1 (from ${server.host}/acme/web:1)`);
      expect(r.stderr).toMatch(/HTTP 404/);
      expect(r.stderr).toContain('not written');
    } finally {
      await server.close();
    }
  });

  it('a registry answering a new digest on every call: one request per source, at most one generation per tag per import', async () => {
    let calls = 0;
    const server = await serve((req, res) => {
      calls++;
      const digest = `sha256:${createHash('sha256').update(`flapping ${calls}`).digest('hex')}`;
      res.writeHead(200, { 'content-type': OCI_MANIFEST, 'docker-content-digest': digest }).end();
    });
    try {
      // Two tags from one source (asked once), one from another.
      const is = imageStream([['1', `${server.host}/acme/web:1`], ['also-1', `${server.host}/acme/web:1`], ['2', `${server.host}/acme/web:2`]]);
      let lock: string | undefined;
      const generations: number[][] = [];
      for (let run = 0; run < 3; run++) {
        const before = calls;
        const r = await importIn(is, lock);
        expect(r.code, r.stderr).toBe(0);
        expect(calls - before).toBe(2); // one HEAD per distinct source: no re-asking, no loop
        expect(r.report.changes).toHaveLength(3); // every tag changed, each exactly once
        lock = r.lock;
        const tags = parse(lock!).streams[0].tags as Array<{ tag: string; items: Array<{ generation: number; image: string }> }>;
        generations.push(tags.map((t) => t.items.length));
        const byTag = Object.fromEntries(tags.map((t) => [t.tag, t.items[0]!.image]));
        expect(byTag['also-1']).toBe(byTag['1']); // one answer per source within a run
      }
      expect(generations).toEqual([[1, 1, 1], [2, 2, 2], [3, 3, 3]]);
    } finally {
      await server.close();
    }
  });
});
