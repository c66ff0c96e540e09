/** Manifest media types, the Accept header that asks for all of them, and index detection. */

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';

/**
 * Index types first: without them a multi-arch tag is served as one platform's
 * manifest and the digest is not the tag's (protocols.md §2.2).
 */
export const MANIFEST_ACCEPT = [OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST_V2].join(', ');

export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}

/** `application/x; charset=utf-8` → `application/x`; undefined for a missing header. */
export function bareMediaType(contentType: string | undefined): string | undefined {
  const bare = contentType?.split(';')[0]?.trim().toLowerCase();
  return bare ? bare : undefined;
}
