/**
 * OCI manifest calls: resolve a tag to its digest (HEAD first, GET and hash as
 * fallback), verify every fetched body against its digest, pick a platform's
 * child out of an index, and check that a digest exists.
 */
import { createHash } from 'node:crypto';
import { StreamlockError } from '../errors.js';
import { isSha256Digest, type ImageRef } from '../image-ref.js';
import { RegistryError, type RegistryErrorContext } from './errors.js';
import type { RegistryResponse, Send } from './exchange.js';
import { bareMediaType, isIndexMediaType, MANIFEST_ACCEPT } from './media-types.js';
import { formatPlatform, parsePlatform, platformEntries, selectPlatform } from './platform.js';
import { registryErrorForResponse } from './responses.js';

export interface ResolvedTag {
  /** `sha256:…` of the tag's manifest or index, exactly as the registry stores it. */
  digest: string;
  mediaType: string;
  /** The chosen platform's manifest digest, when a platform was asked for. */
  platformDigest?: string;
  /** From the `ratelimit-remaining` header (Docker Hub), when present. */
  rateLimitRemaining?: number;
}

export interface ManifestApi {
  send: Send;
  baseUrl: (registry: string) => Promise<URL>;
  maxManifestBytes: number;
}

interface FetchedManifest {
  digest: string;
  mediaType: string;
  body: Buffer;
}

/** HEAD statuses that a GET would only repeat; anything else (405, 400, …) falls back to GET. */
const FINAL_HEAD_STATUSES = new Set([401, 403, 404, 429]);

async function manifestRequest(api: ManifestApi, ctx: RegistryErrorContext, method: 'GET' | 'HEAD', reference: string): Promise<RegistryResponse> {
  const url = new URL(`/v2/${ctx.repository}/manifests/${reference}`, await api.baseUrl(ctx.registry));
  return api.send({
    kind: 'manifest', method, url, headers: { accept: MANIFEST_ACCEPT },
    maxBodyBytes: api.maxManifestBytes, tooLargeCode: 'MANIFEST_TOO_LARGE', context: ctx,
  });
}

function rateLimitRemaining(res: RegistryResponse): number | undefined {
  const m = /^\s*(\d+)/.exec(res.headers['ratelimit-remaining'] ?? '');
  return m ? Number(m[1]) : undefined;
}

function bodyDigest(body: Buffer, algorithm: string): string | undefined {
  if (algorithm !== 'sha256' && algorithm !== 'sha512') return undefined;
  return `${algorithm}:${createHash(algorithm).update(body).digest('hex')}`;
}

/** GET a manifest and refuse it unless its bytes match the requested digest and the digest header. */
async function getManifest(api: ManifestApi, ctx: RegistryErrorContext, reference: string): Promise<FetchedManifest> {
  const res = await manifestRequest(api, ctx, 'GET', reference);
  if (res.status !== 200) throw registryErrorForResponse(res, ctx);
  const digest = bodyDigest(res.body, 'sha256')!;
  const mismatch = (hint: string) => new RegistryError('DIGEST_MISMATCH', { ...ctx, status: res.status, hint });
  if (reference.includes(':') && bodyDigest(res.body, reference.split(':')[0]!) !== reference.toLowerCase()) {
    throw mismatch(`requested ${reference}, body hashes to ${digest}`);
  }
  const header = res.headers['docker-content-digest']?.trim();
  const headerAlg = header?.split(':')[0];
  if (header && headerAlg && bodyDigest(res.body, headerAlg) !== undefined && bodyDigest(res.body, headerAlg) !== header.toLowerCase()) {
    throw mismatch(`Docker-Content-Digest says ${header.slice(0, 80)}, body hashes to ${digest}`);
  }
  return { digest, mediaType: manifestMediaType(res, ctx), body: res.body };
}

/** Content-Type, unless it is generic; then the body's own `mediaType`. */
function manifestMediaType(res: RegistryResponse, ctx: RegistryErrorContext): string {
  const fromHeader = bareMediaType(res.headers['content-type']);
  if (fromHeader && fromHeader !== 'application/json' && fromHeader !== 'application/octet-stream') return fromHeader;
  const fromBody = (parseJson(res.body) as { mediaType?: unknown } | undefined)?.mediaType;
  if (typeof fromBody === 'string' && fromBody) return fromBody;
  throw new RegistryError('REGISTRY_BAD_RESPONSE', { ...ctx, status: res.status, hint: 'manifest has no media type (no Content-Type, no mediaType field)' });
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Tag → digest (and optionally a platform's digest). */
export async function resolveTag(api: ManifestApi, ref: ImageRef, opts: { platform?: string } = {}): Promise<ResolvedTag> {
  const platform = opts.platform === undefined ? undefined : parsePlatform(opts.platform);
  if (opts.platform !== undefined && !platform) {
    throw new StreamlockError('USAGE', `invalid platform "${opts.platform}": expected os/arch[/variant], e.g. linux/arm64/v8`);
  }
  const ctx = { registry: ref.registry, repository: ref.repository, reference: ref.tag ?? ref.digest ?? 'latest' };
  const head = await manifestRequest(api, ctx, 'HEAD', ctx.reference);
  if (FINAL_HEAD_STATUSES.has(head.status) || head.status >= 500) throw registryErrorForResponse(head, ctx);

  let fetched: FetchedManifest | undefined;
  const headDigest = head.headers['docker-content-digest']?.trim();
  const headType = bareMediaType(head.headers['content-type']);
  let resolved: ResolvedTag;
  if (head.status === 200 && headDigest && isSha256Digest(headDigest) && headType) {
    resolved = { digest: headDigest, mediaType: headType };
  } else {
    fetched = await getManifest(api, ctx, ctx.reference); // HEAD gave no usable digest: hash the body
    resolved = { digest: fetched.digest, mediaType: fetched.mediaType };
  }
  const remaining = rateLimitRemaining(head);
  if (remaining !== undefined) resolved.rateLimitRemaining = remaining;
  if (!platform) return resolved;

  if (!isIndexMediaType(resolved.mediaType)) return { ...resolved, platformDigest: resolved.digest }; // single-platform tag
  fetched ??= await getManifest(api, ctx, resolved.digest);
  const entries = platformEntries(parseJson(fetched.body));
  const child = selectPlatform(entries, platform);
  if (!child) {
    const available = entries.map((e) => formatPlatform(e.platform ?? {})).join(', ') || 'none';
    throw new RegistryError('REGISTRY_NOT_FOUND', { ...ctx, hint: `no manifest for platform ${formatPlatform(platform)} in index ${resolved.digest} (available: ${available})` });
  }
  if (!isSha256Digest(child.digest)) {
    throw new RegistryError('REGISTRY_BAD_RESPONSE', { ...ctx, hint: `index entry for ${formatPlatform(platform)} has digest "${child.digest.slice(0, 80)}"` });
  }
  if (!(await manifestExists(api, { ...ref, digest: child.digest }))) {
    throw new RegistryError('REGISTRY_NOT_FOUND', { ...ctx, reference: child.digest, hint: `index ${resolved.digest} lists ${formatPlatform(platform)} but the registry does not have it` });
  }
  return { ...resolved, platformDigest: child.digest };
}

/** True when the registry has the manifest `ref.digest`, false on 404. */
export async function manifestExists(api: ManifestApi, ref: ImageRef): Promise<boolean> {
  if (!ref.digest) throw new StreamlockError('DIGEST_INVALID', `manifestExists needs a reference with a digest, got ${ref.name}:${ref.tag ?? 'latest'}`);
  const ctx = { registry: ref.registry, repository: ref.repository, reference: ref.digest };
  const head = await manifestRequest(api, ctx, 'HEAD', ref.digest);
  if (head.status === 404) return false;
  if (head.status !== 200) {
    if (FINAL_HEAD_STATUSES.has(head.status) || head.status >= 500) throw registryErrorForResponse(head, ctx);
    await getManifest(api, ctx, ref.digest); // HEAD unsupported: a verified GET proves existence
    return true;
  }
  const header = head.headers['docker-content-digest']?.trim().toLowerCase();
  if (header && header !== ref.digest.toLowerCase()) {
    throw new RegistryError('DIGEST_MISMATCH', { ...ctx, status: 200, hint: `asked for ${ref.digest}, registry answered ${header.slice(0, 80)}` });
  }
  return true;
}
