/**
 * The registry client: composes the layers bottom-up — undici transport,
 * per-host concurrency limit, retry, auth, redirects — and exposes the OCI calls
 * the importer needs ("tag in, digest out").
 */
import type { ImageRef } from '../image-ref.js';
import { withAuth } from './auth.js';
import type { Send } from './exchange.js';
import { isLoopbackHost } from './hosts.js';
import { withConcurrencyLimit } from './limit.js';
import { manifestExists, resolveTag, type ManifestApi, type ResolvedTag } from './manifests.js';
import { checkClientOptions, type RegistryClientOptions } from './options.js';
import { withRedirects } from './redirect.js';
import { withRetry } from './retry.js';
import { createSchemeResolver } from './scheme.js';
import { createTransport } from './transport.js';

export type { RegistryClientOptions } from './options.js';
export type { ResolvedTag } from './manifests.js';

export interface RegistryStats {
  /** Manifest requests sent on the wire (each retry, redirect hop and auth round counts). */
  manifestRequests: number;
  /** Token requests sent on the wire. */
  tokenRequests: number;
  /** Retries made by the retry policy. */
  retries: number;
}

export interface RegistryClient {
  /** Resolves `ref.tag` (default `latest`) to the digest of its manifest or index. */
  resolveTag(ref: ImageRef, opts?: { platform?: string }): Promise<ResolvedTag>;
  /** True when the registry has the manifest `ref.digest`; false on 404. */
  manifestExists(ref: ImageRef): Promise<boolean>;
  /** A snapshot of the counters. */
  readonly stats: RegistryStats;
  /** Closes pooled connections; the client is unusable afterwards. */
  close(): Promise<void>;
}

const MAX_REDIRECTS = 5;
const MAX_PROBE_MS = 5_000;

export function createRegistryClient(options: RegistryClientOptions = {}): RegistryClient {
  const opts = checkClientOptions(options);
  const stats: RegistryStats = { manifestRequests: 0, tokenRequests: 0, retries: 0 };
  const allowsPlainHttp = (host: string) => isLoopbackHost(host) || opts.insecureHosts.has(host.toLowerCase());

  const transport = createTransport({
    timeoutMs: opts.timeoutMs,
    caPem: opts.caPem,
    insecureHosts: opts.insecureHosts,
    userAgent: opts.userAgent,
    connectionsPerOrigin: opts.concurrencyPerRegistry,
    allowLinkLocal: opts.allowLinkLocal,
    ...(opts.lookup ? { lookup: opts.lookup } : {}),
  });
  const counted: Send = (req) => {
    if (req.kind === 'manifest') stats.manifestRequests++;
    else if (req.kind === 'token') stats.tokenRequests++;
    return transport.send(req);
  };
  const limited = withConcurrencyLimit(counted, opts.concurrencyPerRegistry);
  const retried = withRetry(limited, { retries: opts.retries, onRetry: () => stats.retries++, ...(opts.sleep ? { sleep: opts.sleep } : {}) });
  // Redirects wrap auth, so each hop authenticates for its own origin only; token requests never leave theirs.
  const sendToken = withRedirects(retried, { max: MAX_REDIRECTS, allowsPlainHttp, sameOriginOnly: true });
  const authenticated = withAuth(retried, { credentials: opts.credentials, sendToken, allowsPlainHttp });
  const redirected = withRedirects(authenticated, { max: MAX_REDIRECTS, allowsPlainHttp });

  const api: ManifestApi = {
    send: redirected,
    baseUrl: createSchemeResolver({ send: transport.send, allowsPlainHttp, probeTimeoutMs: Math.min(opts.timeoutMs, MAX_PROBE_MS) }),
    maxManifestBytes: opts.maxManifestBytes,
  };

  return {
    resolveTag: (ref, resolveOpts) => resolveTag(api, ref, resolveOpts),
    manifestExists: (ref) => manifestExists(api, ref),
    get stats() {
      return { ...stats };
    },
    close: () => transport.close(),
  };
}
