/**
 * Redirect policy: follow 301/302/303/307/308 by hand (undici's `request` does not),
 * at most `max` hops. Each hop is a fresh request: the layers below (auth included)
 * see only the hop's own origin, so nothing that belongs to the first registry
 * (Authorization, a token, a form body) is carried to another origin. A 307/308 that
 * would re-send a body to another origin is refused; 301/302/303 turn a POST into a
 * bodiless GET (as fetch does). An https → http downgrade is refused unless the
 * target is loopback or insecure. Token requests use `sameOriginOnly`.
 */
import { RegistryError } from './errors.js';
import { withHeader, type RegistryRequest, type Send } from './exchange.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface RedirectPolicyOptions {
  max: number;
  /** True when plain http to this host[:port] is acceptable. */
  allowsPlainHttp: (host: string) => boolean;
  /** Refuse any redirect that leaves the request's origin (token requests). */
  sameOriginOnly?: boolean;
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
      if (!sameOrigin && options.sameOriginOnly) {
        throw refuse(`${req.kind} request from ${req.url.host} redirected to another origin (${next.host}); token requests never leave their origin`);
      }
      req = nextHop(req, res.status, next, sameOrigin, refuse);
    }
  };
}

/** The request for the next hop: method and body per RFC 9110 §15.4, origin-bound headers dropped. */
function nextHop(req: RegistryRequest, status: number, url: URL, sameOrigin: boolean, refuse: (hint: string) => RegistryError): RegistryRequest {
  const dropsBody = status === 303 ? req.method !== 'HEAD' : (status === 301 || status === 302) && req.method === 'POST';
  let headers: Record<string, string> = { ...req.headers };
  if (!sameOrigin) headers = withHeader(headers, 'authorization', undefined);
  if (dropsBody) {
    const { body: _dropped, ...rest } = req;
    return { ...rest, method: 'GET', url, headers: withHeader(headers, 'content-type', undefined) };
  }
  if (req.body !== undefined && !sameOrigin) {
    throw refuse(`${status} would re-send the ${req.method} body from ${req.url.host} to another origin (${url.host})`);
  }
  return { ...req, url, headers };
}
