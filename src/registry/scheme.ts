/**
 * Which base URL serves a registry. Everything is https, except that loopback
 * and configured-insecure registries are probed once with `GET /v2/` over https
 * and fall back to plain http when the peer does not speak TLS (what Docker and
 * go-containerregistry do for `localhost:5000`). A loopback registry that does
 * speak TLS keeps https and full verification, so its CA must be given with
 * `caFile` (or the host listed as insecure).
 */
import { RegistryError } from './errors.js';
import type { Send } from './exchange.js';
import { apiHost } from './hosts.js';
import { CERT_ERROR_CODES, causeCode } from './transport.js';

export interface SchemeResolverOptions {
  /** The raw transport: the probe is neither retried nor authenticated. */
  send: Send;
  /** True for registries that may be reached over plain http. */
  allowsPlainHttp: (host: string) => boolean;
  probeTimeoutMs: number;
}

/** Probe failures that say nothing about TLS support: decide again next time. */
const INCONCLUSIVE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

export function createSchemeResolver(options: SchemeResolverOptions): (registry: string) => Promise<URL> {
  const decided = new Map<string, Promise<URL>>();

  async function probe(host: string, registry: string): Promise<{ url: URL; final: boolean }> {
    const https = new URL(`https://${host}/`);
    try {
      await options.send({
        kind: 'ping', method: 'GET', url: new URL('/v2/', https), headers: {}, maxBodyBytes: 64 * 1024,
        tooLargeCode: 'REGISTRY_BAD_RESPONSE', context: { registry, repository: '', reference: 'v2' }, timeoutMs: options.probeTimeoutMs,
      });
      return { url: https, final: true };
    } catch (e) {
      const code = causeCode(e);
      if (code !== undefined && CERT_ERROR_CODES.has(code)) return { url: https, final: true }; // speaks TLS; untrusted
      if ((e instanceof RegistryError && e.code === 'REGISTRY_TIMEOUT') || (code && INCONCLUSIVE.has(code))) return { url: https, final: false };
      return { url: new URL(`http://${host}/`), final: true };
    }
  }

  return async function baseUrl(registry: string): Promise<URL> {
    const host = apiHost(registry);
    if (!options.allowsPlainHttp(host)) return new URL(`https://${host}/`);
    let found = decided.get(host);
    if (!found) {
      const attempt = probe(host, registry);
      found = attempt.then((r) => r.url);
      decided.set(host, found);
      void attempt.then((r) => { if (!r.final && decided.get(host) === found) decided.delete(host); }, () => decided.delete(host));
    }
    return found;
  };
}
