/**
 * Redirect policy: follow 301/302/303/307/308 by hand (undici's `request` does not),
 * at most `max` hops, dropping `Authorization` whenever the origin changes (OCI
 * distribution spec: credentials MUST NOT cross host boundaries) and refusing a
 * downgrade from https to plain http unless the target is loopback or insecure.
 */
import { RegistryError } from './errors.js';
import { withHeader, type Send } from './exchange.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface RedirectPolicyOptions {
  max: number;
  /** True when plain http to this host[:port] is acceptable. */
  allowsPlainHttp: (host: string) => boolean;
}

export function withRedirects(send: Send, options: RedirectPolicyOptions): Send {
  return async function redirecting(first) {
    let req = first;
    for (let hops = 0; ; hops++) {
      const res = await send(req);
      const location = res.headers.location;
      if (!REDIRECT_STATUSES.has(res.status) || location === undefined) return res;
      const refuse = (hint: string) => new RegistryError('REGISTRY_REDIRECT_REFUSED', { ...req.context, status: res.status, hint });
      if (hops >= options.max) throw refuse(`more than ${options.max} redirects`);
      let next: URL;
      try {
        next = new URL(location, req.url);
      } catch {
        throw refuse('Location is not a URL');
      }
      if (next.protocol !== 'https:' && next.protocol !== 'http:') throw refuse(`Location uses ${next.protocol}`);
      if (req.url.protocol === 'https:' && next.protocol === 'http:' && !options.allowsPlainHttp(next.host)) {
        throw refuse(`https → plain http downgrade to ${next.host}`);
      }
      const sameOrigin = next.origin === req.url.origin;
      const headers = sameOrigin ? req.headers : withHeader(req.headers, 'authorization', undefined);
      req = { ...req, url: next, headers };
    }
  };
}
