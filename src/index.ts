/**
 * streamlock as a library: the KRM function as a pure transform, the resolution core, the
 * lockfile format, and the registry client that `streamlock import` uses.
 */

// The KRM function
export { transform } from './fn/transform.js';
export { readFunctionConfig, DEFAULT_CONFIG } from './fn/config.js';
export { parseResourceList } from './krm/resource-list.js';

// Resolution core
export { parseTriggers, formatTriggers, TRIGGERS_ANNOTATION } from './triggers.js';
export { parseFieldPath, formatFieldPath } from './field-path.js';
export { planWorkload, RESOLVED_ANNOTATION_PREFIX, RESOLVE_NAMES_ANNOTATION } from './resolve.js';
export { resolveTag } from './resolve-tag.js';
export { readImageStream, isImageStream } from './imagestreams.js';
export { WORKLOAD_KINDS, workloadKind } from './workloads.js';
export { parseImageRef, withDigest, isDigest, isSha256Digest } from './image-ref.js';

// Lockfile
export { parseLock, lockToObject, sortLock, DEFAULT_LOCKFILE, LOCK_API_VERSION, LOCK_KIND } from './lockfile/format.js';
export { appendEvent, currentEvent, pinGeneration, pinDigest, unpin } from './lockfile/history.js';
export { readLockfile, updateLockfile } from './lockfile/store.js';

// Registries
export { createRegistryClient } from './registry/client.js';
export { loadCredentialStore } from './credentials/store.js';

// Errors
export { StreamlockError, isStreamlockError } from './errors.js';
export { RegistryError, isRegistryError } from './registry/errors.js';

export type { ErrorCode, ErrorLocation } from './errors.js';
export type { TransformOptions, TransformOutput } from './fn/transform.js';
export type { FunctionConfig } from './fn/config.js';
export type { Trigger, TriggerProblem } from './triggers.js';
export type { Resolution, Resolved, StreamCatalog } from './resolve-tag.js';
export type { ImageRef } from './image-ref.js';
export type { Lock, LockStream, LockTag, TagEvent } from './lockfile/format.js';
export type { Result, Severity, ResourceRef } from './krm/results.js';
export type { RegistryClient, RegistryClientOptions, ResolvedTag } from './registry/client.js';
