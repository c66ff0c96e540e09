/**
 * Auth policy: answer a 401 challenge (Bearer token flow or Basic), remember the
 * challenge per host so later requests authenticate up front, and cache bearer
 * tokens per (credential owner, realm, service, scope) until they expire.
 *
 * Credentials belong to an origin: this layer sits below the redirect policy, so it
 * sees one hop at a time, and a 401 from the host a registry redirected to is
 * answered with that host's own credentials (usually none), never the registry's.
 * A realm on another host is still fine when the registry itself challenges
 * (Docker Hub does that); it gets that registry's credentials only.
 *
 * Safety rules: the realm must be https unless the registry is loopback or
 * insecure; credentials are never sent to a plain-http realm on another host;
 * realms on internal IP literals are refused unless they are the registry itself.
 */
import { isBasicCredential, type CredentialLookup, type CredentialStore } from '../credentials/credential.js';
import { RegistryError } from './errors.js';
import { withHeader, type RegistryRequest, type RegistryResponse, type Send } from './exchange.js';
import { apiHost, hostnameOf, isInternalIpLiteral, isLoopbackHost } from './hosts.js';
import { fetchToken, type Token } from './tokens.js';
import { parseWwwAuthenticate, type Challenge } from './www-authenticate.js';

export interface AuthPolicyOptions {
  credentials?: CredentialStore;
  /** Sends token requests (already wrapped in the redirect, retry and limit policies). */
  sendToken: Send;
  /** True when plain http to this registry host[:port] is acceptable (loopback or insecure). */
  allowsPlainHttp: (host: string) => boolean;
  now?: () => number;
}

interface Authorization {
  header?: string;
  /** For 401/403 messages: what was sent, from which source. Never the secret. */
  note: string;
}

export function withAuth(send: Send, options: AuthPolicyOptions): Send {
  const now = options.now ?? Date.now;
  const challenges = new Map<string, Challenge>();
  const tokens = new Map<string, Promise<Token>>();
  const lookups = new Map<string, Promise<CredentialLookup>>();

  function lookup(req: RegistryRequest): Promise<CredentialLookup> {
    const registry = credentialOwner(req);
    const { repository } = req.context;
    const key = `${registry}/${repository}`;
    let found = lookups.get(key);
    if (!found) {
      found = options.credentials ? options.credentials.lookup(registry, repository) : Promise.resolve({ source: 'no credential store configured' });
      lookups.set(key, found);
      const settled = found;
      settled.catch(() => lookups.get(key) === settled && lookups.delete(key)); // a failing helper may succeed next time
    }
    return found;
  }

  async function bearer(challenge: Challenge, req: RegistryRequest, rejected: string | undefined): Promise<Authorization> {
    const realm = checkRealm(challenge.params.realm, req, options.allowsPlainHttp);
    const scope = `repository:${req.context.repository}:pull`;
    const service = challenge.params.service;
    const creds = await lookup(req);
    // Credentials go over TLS, or over plain http only to the machine the registry is on.
    const mayUse = realm.protocol === 'https:' || realm.hostname === hostnameOf(req.url.host);
    const credential = mayUse ? creds.credential : undefined;
    const who = credential ? `credentials from ${creds.source}` : creds.credential ? `anonymous: credentials withheld from plain-http realm ${realm.host}` : `anonymous; ${creds.source}`;
    const key = `${credentialOwner(req)}\n${realm.href}\n${service ?? ''}\n${scope}`;
    let pending = tokens.get(key);
    let token = pending ? await pending.catch(() => undefined) : undefined;
    if (!token || token.value === rejected || token.expiresAt <= now()) {
      pending = fetchToken({ realm, service, scope, credential, who, context: req.context, send: options.sendToken, now });
      const mine = pending;
      tokens.set(key, mine);
      mine.catch(() => tokens.get(key) === mine && tokens.delete(key));
      token = await pending;
    }
    return { header: `Bearer ${token.value}`, note: `bearer token from ${realm.host} (${who})` };
  }

  async function authorize(challenge: Challenge, req: RegistryRequest, rejected?: string): Promise<Authorization> {
    if (challenge.scheme === 'bearer') return bearer(challenge, req, rejected);
    const creds = await lookup(req);
    if (req.url.protocol !== 'https:' && !options.allowsPlainHttp(req.url.host)) {
      return { note: 'basic credentials withheld from a plain-http registry' };
    }
    if (creds.credential && isBasicCredential(creds.credential)) {
      const basic = Buffer.from(`${creds.credential.username}:${creds.credential.password}`).toString('base64');
      return { header: `Basic ${basic}`, note: `basic auth with credentials from ${creds.source}` };
    }
    return { note: creds.credential ? `identity token from ${creds.source} cannot answer a Basic challenge` : `anonymous; ${creds.source}` };
  }

  return async function authenticated(req) {
    const known = challenges.get(req.url.host);
    const first = known ? await authorize(known, req) : undefined;
    const res = await send(first?.header ? { ...req, headers: withHeader(req.headers, 'authorization', first.header) } : req);
    if (res.status !== 401) return annotate(res, first);

    let challenge: Challenge | undefined;
    try {
      challenge = parseWwwAuthenticate(res.headers['www-authenticate'] ?? '').find((c) => c.scheme === 'bearer' || c.scheme === 'basic');
    } catch (e) {
      return annotate(res, { note: (e as Error).message });
    }
    if (!challenge) return annotate(res, { note: first?.note ?? 'no Bearer or Basic challenge offered' });
    challenges.set(req.url.host, challenge);
    const rejected = first?.header?.startsWith('Bearer ') ? first.header.slice(7) : undefined;
    const second = await authorize(challenge, req, rejected);
    if (!second.header || second.header === first?.header) return annotate(res, second);
    return annotate(await send({ ...req, headers: withHeader(req.headers, 'authorization', second.header) }), second);
  };
}

/**
 * Whose credentials may answer a challenge on this request: the registry's when the request
 * goes to the registry's own API host, otherwise the host it went to (a redirect target).
 */
function credentialOwner(req: RegistryRequest): string {
  return req.url.host.toLowerCase() === apiHost(req.context.registry).toLowerCase() ? req.context.registry : req.url.host.toLowerCase();
}

function annotate(res: RegistryResponse, auth: Authorization | undefined): RegistryResponse {
  return auth ? { ...res, authNote: auth.note } : res;
}

function checkRealm(raw: string | undefined, req: RegistryRequest, allowsPlainHttp: (host: string) => boolean): URL {
  const refuse = (code: 'REGISTRY_BAD_RESPONSE' | 'REGISTRY_INSECURE_REFUSED', hint: string) =>
    new RegistryError(code, { ...req.context, status: 401, hint });
  if (!raw) throw refuse('REGISTRY_BAD_RESPONSE', 'Bearer challenge without a realm');
  let realm: URL;
  try {
    realm = new URL(raw);
  } catch {
    throw refuse('REGISTRY_BAD_RESPONSE', `token realm ${JSON.stringify(raw.slice(0, 200))} is not a URL`);
  }
  if (realm.protocol !== 'https:' && realm.protocol !== 'http:') throw refuse('REGISTRY_BAD_RESPONSE', `token realm uses ${realm.protocol}`);
  if (realm.protocol === 'http:' && !allowsPlainHttp(req.url.host)) {
    throw refuse('REGISTRY_INSECURE_REFUSED', `token realm ${realm.origin} is plain http (allowed only for loopback or insecure registries)`);
  }
  const bothLoopback = isLoopbackHost(realm.host) && isLoopbackHost(req.url.host); // a local test registry with its token server
  if (isInternalIpLiteral(realm.hostname) && hostnameOf(realm.host) !== hostnameOf(req.url.host) && !bothLoopback) {
    throw refuse('REGISTRY_INSECURE_REFUSED', `token realm ${realm.host} is an internal address unrelated to the registry`);
  }
  return realm;
}
