/**
 * The `auths` map shared by docker config.json, containers auth.json and pull
 * secrets: which key applies to a registry/repository, and decoding one entry.
 * Errors name the file and key, never the decoded value.
 */
import { DOCKER_HUB } from '../image-ref.js';
import { basicCredential, CredentialsError, identityTokenCredential, type Credential } from './credential.js';

/** The key docker CLI writes for Docker Hub (and sends to credential helpers). */
export const DOCKER_HUB_LEGACY_KEY = 'https://index.docker.io/v1/';

export type Auths = Record<string, unknown>;

/** Hosts that all mean Docker Hub in credential files. */
function hostAliases(registry: string): string[] {
  return registry === DOCKER_HUB ? [DOCKER_HUB, 'index.docker.io', 'registry-1.docker.io'] : [registry.toLowerCase()];
}

/**
 * A key as a comparable `host[/path]`: scheme dropped, API-version paths (`/v1/`,
 * `/v2/`) and trailing slashes dropped; the path kept only when `keepPath`.
 * (docker's `ConvertToHostname` is the `keepPath: false` case.)
 */
export function normaliseAuthKey(key: string, keepPath: boolean): string {
  let rest = key.trim().replace(/^https?:\/\//i, '');
  const slash = rest.indexOf('/');
  const host = (slash < 0 ? rest : rest.slice(0, slash)).toLowerCase();
  if (!keepPath || slash < 0) return host;
  rest = rest.slice(slash + 1).replace(/\/+$/, '').replace(/^v[12]$/, '');
  return rest ? `${host}/${rest}` : host;
}

/** Candidate keys, most specific first: `host/a/b/c`, `host/a/b`, `host/a`, `host` (only `host` unless `repoScoped`). */
export function candidateKeys(registry: string, repository: string, repoScoped: boolean): string[] {
  const hosts = hostAliases(registry);
  const out: string[] = [];
  if (repoScoped) {
    const parts = repository.split('/');
    for (let n = parts.length; n > 0; n--) for (const h of hosts) out.push(`${h}/${parts.slice(0, n).join('/')}`);
  }
  out.push(...hosts);
  return out;
}

/** The best-matching entry of `auths`: exact keys first, then keys equal after normalising. */
export function findAuthEntry(auths: Auths, registry: string, repository: string, repoScoped: boolean): { key: string; entry: unknown } | undefined {
  const candidates = candidateKeys(registry, repository, repoScoped);
  for (const c of candidates) if (Object.hasOwn(auths, c)) return { key: c, entry: auths[c] };
  const normalised = new Map<string, string>();
  for (const key of Object.keys(auths)) {
    const n = normaliseAuthKey(key, repoScoped);
    if (!normalised.has(n)) normalised.set(n, key);
  }
  for (const c of candidates) {
    const key = normalised.get(c);
    if (key !== undefined) return { key, entry: auths[key] };
  }
  return undefined;
}

/**
 * One `auths` entry → a credential. `auth` is base64 of `user:password`, split at the
 * first `:` (passwords may hold colons); `identitytoken` wins; `{}` (a placeholder
 * docker writes when a helper holds the secret) is no credential.
 */
export function parseAuthEntry(entry: unknown, where: string, key: string): Credential | undefined {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw new CredentialsError('CREDENTIALS_INVALID', `${where}: auths entry "${key}" is not an object`);
  }
  const e = entry as Record<string, unknown>;
  if (typeof e.identitytoken === 'string' && e.identitytoken !== '') return identityTokenCredential(e.identitytoken);
  if (typeof e.auth === 'string' && e.auth !== '') {
    const decoded = Buffer.from(e.auth, 'base64').toString('utf8').replace(/\0+$/, '');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new CredentialsError('CREDENTIALS_INVALID', `${where}: "auth" for "${key}" is not base64 of username:password`);
    return basicCredential(decoded.slice(0, colon), decoded.slice(colon + 1));
  }
  if (typeof e.username === 'string' && e.username !== '' && typeof e.password === 'string') return basicCredential(e.username, e.password);
  return undefined;
}

/** `{ auths: {...} }` (or, for legacy `.dockercfg`, the map itself) checked to be an object. */
export function authsOf(config: unknown, where: string, legacy = false): Auths {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new CredentialsError('CREDENTIALS_INVALID', `${where}: not a JSON object`);
  }
  const auths = legacy ? config : (config as { auths?: unknown }).auths;
  if (auths === undefined) return {};
  if (auths === null || typeof auths !== 'object' || Array.isArray(auths)) {
    throw new CredentialsError('CREDENTIALS_INVALID', `${where}: "auths" is not an object`);
  }
  return auths as Auths;
}
