/**
 * Image references, parsed by the distribution/reference grammar.
 *
 * Two views are kept: the name *as written* (what OpenShift records in
 * `dockerImageReference`, e.g. `nginx@sha256:…`) and the *normalised* registry
 * and repository (what the distribution API needs, e.g. `docker.io`, `library/nginx`).
 */
import { StreamlockError } from './errors.js';

export const DOCKER_HUB = 'docker.io';
/** The host that actually serves Docker Hub's distribution API. */
export const DOCKER_HUB_API = 'registry-1.docker.io';

export interface ImageRef {
  /** The name as written, without tag or digest (`quay.io/org/app`, `nginx`). */
  readonly name: string;
  /** Normalised registry host[:port] (`docker.io` when none was written). */
  readonly registry: string;
  /** Normalised repository path (`library/nginx` for `nginx`). */
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

const DIGEST_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const SHA256_RE = /^sha256:[0-9a-f]{64}$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_RE = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?$`,
);
const MAX_PATH = 255;
const MAX_REF = 4096;

/** True for a digest of any registered algorithm (`alg:hex`, 32+ hex chars). */
export function isDigest(s: string): boolean {
  return DIGEST_RE.test(s);
}

/** True for the one digest form streamlock records: `sha256:` and 64 lowercase hex. */
export function isSha256Digest(s: string): boolean {
  return SHA256_RE.test(s);
}

export function isValidTag(s: string): boolean {
  return TAG_RE.test(s);
}

function invalid(ref: string, reason: string): StreamlockError {
  const shown = ref.length > 120 ? `${ref.slice(0, 120)}…` : ref;
  return new StreamlockError('IMAGE_REF_INVALID', `invalid image reference "${shown}": ${reason}`);
}

/** Parses `[registry/]path[:tag][@digest]`; throws IMAGE_REF_INVALID naming the reference. */
export function parseImageRef(ref: string): ImageRef {
  if (typeof ref !== 'string' || ref.length === 0) throw invalid(String(ref), 'empty');
  if (ref.length > MAX_REF) throw invalid(ref, `longer than ${MAX_REF} characters`);
  if (/\s/.test(ref)) throw invalid(ref, 'contains white space');

  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) throw invalid(ref, `"${digest}" is not a digest (algorithm:hex)`);
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!isValidTag(tag)) throw invalid(ref, `"${tag}" is not a valid tag`);
  }
  const name = rest;
  if (name.length === 0) throw invalid(ref, 'no repository name');

  let registry: string | undefined;
  let path = name;
  const slash = name.indexOf('/');
  if (slash >= 0) {
    const first = name.slice(0, slash);
    if (first === 'localhost' || first.includes('.') || first.includes(':') || first !== first.toLowerCase()) {
      if (!DOMAIN_RE.test(first)) throw invalid(ref, `"${first}" is not a valid registry host`);
      registry = first;
      path = name.slice(slash + 1);
    }
  }
  if (path.length === 0) throw invalid(ref, 'no repository name');
  if (path.length > MAX_PATH) throw invalid(ref, `repository path longer than ${MAX_PATH} characters`);
  for (const component of path.split('/')) {
    if (!PATH_COMPONENT_RE.test(component)) {
      const why = component !== component.toLowerCase() ? 'repository names must be lowercase' : 'bad path component';
      throw invalid(ref, `${why} ("${component}")`);
    }
  }
  if (registry === undefined && /^[a-f0-9]{64}$/.test(path)) throw invalid(ref, 'a bare 64-hex string is an image ID');

  let normRegistry = registry ?? DOCKER_HUB;
  if (normRegistry === 'index.docker.io') normRegistry = DOCKER_HUB;
  const repository = normRegistry === DOCKER_HUB && !path.includes('/') ? `library/${path}` : path;
  return { name, registry: normRegistry, repository, tag, digest };
}

/** `name@digest`: the pinned pull spec for a reference, keeping the name as written. */
export function withDigest(ref: ImageRef | string, digest: string): string {
  const name = typeof ref === 'string' ? parseImageRef(ref).name : ref.name;
  return `${name}@${digest}`;
}

/** The full, normalised form (`docker.io/library/nginx:latest`), for display and matching. */
export function canonicalName(ref: ImageRef): string {
  const base = `${ref.registry}/${ref.repository}`;
  if (ref.digest) return `${base}@${ref.digest}`;
  return `${base}:${ref.tag ?? 'latest'}`;
}

/** The last path segment: what OpenShift's resolve-names uses as the stream name. */
export function lastSegment(ref: ImageRef): string {
  const parts = ref.repository.split('/');
  return parts[parts.length - 1] ?? ref.repository;
}

/** True if the reference names no registry and has a single path segment (`mysql:8.0`). */
export function isSingleSegment(ref: ImageRef): boolean {
  return !ref.name.includes('/');
}
