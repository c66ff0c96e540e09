/**
 * One bearer-token request (distribution token spec): GET `realm?service&scope`
 * with optional Basic credentials, or the OAuth2 refresh-token POST when the
 * credential is an identity token (falling back to GET on 404/405, as ggcr does).
 */
import { isBasicCredential, type Credential } from '../credentials/credential.js';
import { RegistryError, type RegistryErrorContext } from './errors.js';
import type { RegistryRequest, RegistryResponse, Send } from './exchange.js';
import { registryErrorForResponse } from './responses.js';

export interface Token {
  readonly value: string;
  /** Epoch ms after which the token is not reused. */
  readonly expiresAt: number;
}

export interface TokenRequest {
  realm: URL;
  service: string | undefined;
  scope: string;
  credential: Credential | undefined;
  /** Description of the credential source, for error hints. */
  who: string;
  context: RegistryErrorContext;
  send: Send;
  now: () => number;
}

const DEFAULT_EXPIRES_S = 60;
/** Refresh a little early so a token never expires between check and use. */
const EARLY_MS = 5_000;
const MAX_TOKEN_RESPONSE = 1024 * 1024;

export async function fetchToken(t: TokenRequest): Promise<Token> {
  let res: RegistryResponse | undefined;
  if (t.credential && !isBasicCredential(t.credential)) {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: t.credential.identityToken, scope: t.scope, client_id: 'streamlock' });
    if (t.service) form.set('service', t.service);
    res = await t.send(request(t, t.realm, 'POST', { 'content-type': 'application/x-www-form-urlencoded' }, form.toString()));
    if (res.status === 404 || res.status === 405) res = undefined; // no OAuth2 endpoint: anonymous GET below
  }
  if (!res) {
    const url = new URL(t.realm);
    if (t.service) url.searchParams.set('service', t.service);
    url.searchParams.append('scope', t.scope);
    const headers: Record<string, string> = {};
    if (t.credential && isBasicCredential(t.credential)) {
      headers.authorization = `Basic ${Buffer.from(`${t.credential.username}:${t.credential.password}`).toString('base64')}`;
    }
    res = await t.send(request(t, url, 'GET', headers));
  }
  if (res.status === 401 || res.status === 403) {
    throw registryErrorForResponse({ ...res, authNote: `token server ${t.realm.host} refused the request (${t.who})` }, t.context);
  }
  if (res.status !== 200) throw registryErrorForResponse(res, t.context);
  return parseTokenResponse(res.body, t);
}

function request(t: TokenRequest, url: URL, method: 'GET' | 'POST', headers: Record<string, string>, body?: string): RegistryRequest {
  return {
    kind: 'token', method, url, headers: { accept: 'application/json', ...headers }, ...(body === undefined ? {} : { body }),
    maxBodyBytes: MAX_TOKEN_RESPONSE, tooLargeCode: 'REGISTRY_BAD_RESPONSE', context: t.context,
  };
}

function parseTokenResponse(body: Buffer, t: TokenRequest): Token {
  let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown };
  try {
    parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
  } catch {
    throw new RegistryError('REGISTRY_BAD_RESPONSE', { ...t.context, status: 200, hint: `token server ${t.realm.host} did not answer JSON` });
  }
  // OAuth2 servers answer access_token; ggcr prefers it when both are present.
  const value = typeof parsed.access_token === 'string' && parsed.access_token ? parsed.access_token : parsed.token;
  if (typeof value !== 'string' || value === '' || /[\r\n]/.test(value)) {
    throw new RegistryError('REGISTRY_BAD_RESPONSE', { ...t.context, status: 200, hint: `token server ${t.realm.host} returned no usable token` });
  }
  const seconds = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : DEFAULT_EXPIRES_S;
  return { value, expiresAt: t.now() + Math.max(0, seconds * 1000 - EARLY_MS) };
}
