/**
 * The bottom layer: undici Agents with keep-alive, TLS settings, per-request
 * timeouts, and the one place that reads (and size-caps) response bodies and turns
 * socket, TLS and timeout failures into RegistryErrors.
 */
import { rootCertificates } from 'node:tls';
import { Agent } from 'undici';
import { checkHost, guardedLookup, LinkLocalRefused, type LookupFunction } from './addresses.js';
import { RegistryError } from './errors.js';
import type { RegistryRequest, RegistryResponse, Send } from './exchange.js';

export interface TransportOptions {
  timeoutMs: number;
  /** Extra CA certificates (PEM), trusted in addition to Node's bundled roots. */
  caPem?: string;
  /** host[:port]s whose TLS certificates are not verified. */
  insecureHosts: ReadonlySet<string>;
  userAgent: string;
  connectionsPerOrigin: number;
  /** Connect to link-local and cloud metadata addresses (refused by default). */
  allowLinkLocal: boolean;
  /** DNS lookup (dns.lookup's shape); tests resolve names without a resolver. */
  lookup?: LookupFunction;
}

export interface Transport {
  send: Send;
  close(): Promise<void>;
}

/** Error bodies are only read for their OCI error JSON; more is never needed. */
const ERROR_BODY_CAP = 64 * 1024;
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

/** OpenSSL verification failures: the peer speaks TLS but we do not trust it. */
export const CERT_ERROR_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_SIGNATURE_FAILURE', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The `code` of an error or of its cause (undici wraps some socket errors). */
export function causeCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && !code.startsWith('REGISTRY_')) return code;
  }
  return undefined;
}

function isTimeout(e: unknown): boolean {
  const code = causeCode(e);
  return (code !== undefined && TIMEOUT_CODES.has(code)) || (e as { name?: unknown })?.name === 'TimeoutError';
}

function isTlsFailure(code: string | undefined): boolean {
  return code !== undefined && (CERT_ERROR_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || code === 'EPROTO');
}

function linkLocalIn(e: unknown): LinkLocalRefused | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
    if (cur instanceof LinkLocalRefused) return cur;
  }
  return undefined;
}

function refusedAddress(req: RegistryRequest, e: LinkLocalRefused): RegistryError {
  return new RegistryError('REGISTRY_INSECURE_REFUSED', { ...req.context, hint: `${e.message}; refused (pass --allow-link-local to connect anyway)` });
}

function failure(req: RegistryRequest, e: unknown, phase: string): RegistryError {
  if (e instanceof RegistryError) return e;
  const refused = linkLocalIn(e);
  if (refused) return refusedAddress(req, refused);
  const code = causeCode(e);
  const base = { ...req.context, cause: e };
  if (isTimeout(e)) return new RegistryError('REGISTRY_TIMEOUT', { ...base, hint: `no ${phase} from ${req.url.host} within ${req.timeoutMs ?? 'the'} ms` });
  if (isTlsFailure(code)) return new RegistryError('REGISTRY_TLS', { ...base, hint: `${req.url.host}: ${code} (pass the registry CA with caFile, or list the host as insecure)` });
  return new RegistryError('REGISTRY_NETWORK', { ...base, hint: `${req.method} ${req.url.host}: ${code ?? describe(e)} during ${phase}` });
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(raw)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

async function readBody(body: AsyncIterable<Buffer> & Parameters<typeof discard>[0], req: RegistryRequest, ok: boolean): Promise<Buffer> {
  const cap = ok ? req.maxBodyBytes : Math.min(req.maxBodyBytes, ERROR_BODY_CAP);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > cap) {
        if (ok) throw tooLarge(req, `body exceeds ${cap} bytes`);
        chunks.push(chunk.subarray(0, chunk.length - (size - cap)));
        break; // an error body is evidence only; the rest is dropped with the socket
      }
      chunks.push(chunk);
    }
  } catch (e) {
    throw failure(req, e, `body (connection closed after ${size} bytes; truncated response)`);
  } finally {
    discard(body);
  }
  return Buffer.concat(chunks);
}

/** Frees the socket; undici reports an unread body's destruction as an error nobody needs. */
function discard(body: { destroy(): unknown; on(event: 'error', listener: () => void): unknown }): void {
  body.on('error', () => {});
  body.destroy();
}

function tooLarge(req: RegistryRequest, why: string): RegistryError {
  return new RegistryError(req.tooLargeCode, { ...req.context, hint: `${why} (cap ${req.maxBodyBytes} bytes)` });
}

export function createTransport(options: TransportOptions): Transport {
  const connect = (rejectUnauthorized: boolean) => ({
    timeout: options.timeoutMs,
    rejectUnauthorized,
    lookup: guardedLookup(options.lookup, options.allowLinkLocal),
    ...(options.caPem ? { ca: [...rootCertificates, options.caPem] } : {}),
  });
  const agentOptions = { keepAliveTimeout: 10_000, connections: options.connectionsPerOrigin };
  const verified = new Agent({ ...agentOptions, connect: connect(true) });
  // Only built when some registry is configured insecure, so the default path never skips verification.
  const unverified = options.insecureHosts.size > 0 ? new Agent({ ...agentOptions, connect: connect(false) }) : undefined;

  async function send(req: RegistryRequest): Promise<RegistryResponse> {
    const timeoutMs = req.timeoutMs ?? options.timeoutMs;
    const agent = unverified && options.insecureHosts.has(req.url.host) ? unverified : verified;
    try {
      checkHost(req.url.hostname, options.allowLinkLocal); // literals and metadata names; resolved names are checked in lookup
    } catch (e) {
      throw refusedAddress(req, e as LinkLocalRefused);
    }
    let res;
    try {
      res = await agent.request({
        origin: req.url.origin,
        path: `${req.url.pathname}${req.url.search}`,
        method: req.method,
        headers: { 'user-agent': options.userAgent, ...req.headers },
        ...(req.body === undefined ? {} : { body: req.body }),
        // undici closes the socket after every HEAD (for servers that wrongly send a body);
        // registries answer HEAD correctly, and an import is mostly HEADs, so keep the connection.
        ...(req.method === 'HEAD' ? { reset: false } : {}),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs), // bounds connect + headers + body together
      });
    } catch (e) {
      throw failure({ ...req, timeoutMs }, e, 'response');
    }
    const headers = flattenHeaders(res.headers);
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    const declared = Number(headers['content-length']);
    if (ok && req.method !== 'HEAD' && Number.isFinite(declared) && declared > req.maxBodyBytes) {
      discard(res.body);
      throw tooLarge(req, `Content-Length ${declared}`);
    }
    const body = await readBody(res.body, { ...req, timeoutMs }, ok);
    return { status: res.statusCode, headers, body, url: req.url };
  }

  return {
    send,
    async close() {
      await Promise.all([verified.close(), unverified?.close()]);
    },
  };
}
