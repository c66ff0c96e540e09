/**
 * In-process HTTP(S) servers on loopback for registry tests: start on port 0,
 * record every request, close (with their keep-alive sockets) afterwards.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface TestServer {
  /** `127.0.0.1:54321`: what goes in an image reference. */
  host: string;
  origin: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const tlsDir = fileURLToPath(new URL('../fixtures/credentials/tls/', import.meta.url));
/** A test CA and a server certificate for 127.0.0.1 / localhost it signed. */
export const testTls = {
  caFile: `${tlsDir}ca.pem`,
  key: readFileSync(`${tlsDir}server-key.pem`),
  cert: readFileSync(`${tlsDir}server.pem`),
};

export async function startServer(handler: Handler, opts: { hostname?: string; tls?: boolean } = {}): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const listener: Handler = (req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handler(req, res);
  };
  const server = opts.tls ? https.createServer({ key: testTls.key, cert: testTls.cert }, listener) : http.createServer(listener);
  const hostname = opts.hostname ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, hostname, resolve));
  const { port } = server.address() as AddressInfo;
  const host = `${hostname}:${port}`;
  return {
    host,
    origin: `${opts.tls ? 'https' : 'http'}://${host}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sha256(body: string | Buffer): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** A small single-platform manifest body; `seed` makes distinct digests. */
export function imageManifest(seed: string): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(`config-${seed}`), size: 2 },
    layers: [],
  });
}

/**
 * Answers a manifest request: the body for GET, headers only for HEAD.
 * `digest: null` omits Docker-Content-Digest; a string sends that (possibly wrong) value.
 */
export function sendManifest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: string,
  mediaType: string,
  opts: { digest?: string | null; headers?: Record<string, string> } = {},
): void {
  const headers: Record<string, string> = { 'content-type': mediaType, 'content-length': String(Buffer.byteLength(body)), ...opts.headers };
  const digest = opts.digest === undefined ? sha256(body) : opts.digest;
  if (digest !== null) headers['docker-content-digest'] = digest;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

export function sendError(res: http.ServerResponse, status: number, code: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ errors: [{ code, message: code.toLowerCase().replace(/_/g, ' ') }] }));
}
