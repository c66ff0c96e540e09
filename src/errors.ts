/** Errors: one base class with a closed set of codes, so tests and callers match on `code`. */

export type ErrorCode =
  // input (ResourceList, manifests)
  | 'INPUT_NOT_YAML'
  | 'INPUT_NOT_RESOURCE_LIST'
  | 'INPUT_TOO_LARGE'
  | 'INPUT_TOO_DEEP'
  | 'CONFIG_INVALID'
  | 'IMAGESTREAM_INVALID'
  | 'WORKLOAD_INVALID'
  // triggers and field paths
  | 'TRIGGER_INVALID_JSON'
  | 'TRIGGER_INVALID'
  | 'TRIGGER_DUPLICATE_FIELDPATH'
  | 'TRIGGER_UNSUPPORTED_KIND'
  | 'TRIGGER_WRONG_KIND_PATH'
  | 'FIELDPATH_REJECTED'
  | 'FIELDPATH_NO_MATCH'
  | 'FIELDPATH_NOT_STRING'
  // resolution
  | 'STREAM_NOT_FOUND'
  | 'TAG_NOT_FOUND'
  | 'TAG_NO_HISTORY'
  | 'TAG_CYCLE'
  | 'TAG_SOURCE_MISMATCH'
  | 'IMAGE_NOT_FOUND'
  | 'IMAGE_REF_INVALID'
  | 'DIGEST_INVALID'
  // lockfile
  | 'LOCK_INVALID'
  | 'LOCK_NOT_FOUND'
  | 'LOCK_CONFLICT'
  | 'LOCK_PIN_MISSING'
  | 'LOCK_BUSY'
  | 'LOCK_WRITE_FAILED'
  // usage
  | 'USAGE';

/** Where in a manifest a problem is: the resource, the field, the file. */
export interface ErrorLocation {
  resource?: { apiVersion?: string; kind?: string; name?: string; namespace?: string };
  field?: string;
  file?: string;
  line?: number;
}

export class StreamlockError extends Error {
  override name = 'StreamlockError';
  readonly code: ErrorCode;
  readonly location: ErrorLocation | undefined;

  constructor(code: ErrorCode, message: string, options: { location?: ErrorLocation; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.location = options.location;
  }
}

export function isStreamlockError(e: unknown): e is StreamlockError {
  return e instanceof StreamlockError;
}

/** A one-line description of any thrown value, without stack traces. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
