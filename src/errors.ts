/**
 * Errors: one base class, `CodedError`, for every failure streamlock reports. Each code
 * belongs to a closed list and carries its exit code, so callers match on `code` and the
 * CLI never guesses an exit status from a code's spelling.
 */
import { EXIT_INVALID, EXIT_REGISTRY, EXIT_USAGE, type ExitCode } from './exit-codes.js';

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

/** Registry conversations (`RegistryError`). */
export type RegistryErrorCode =
  | 'REGISTRY_UNAUTHORIZED'
  | 'REGISTRY_DENIED'
  | 'REGISTRY_NOT_FOUND'
  | 'REGISTRY_RATE_LIMITED'
  | 'REGISTRY_SERVER_ERROR'
  | 'REGISTRY_TIMEOUT'
  | 'REGISTRY_NETWORK'
  | 'REGISTRY_TLS'
  | 'REGISTRY_BAD_RESPONSE'
  | 'DIGEST_MISMATCH'
  | 'MANIFEST_TOO_LARGE'
  | 'REGISTRY_REDIRECT_REFUSED'
  | 'REGISTRY_INSECURE_REFUSED';

/** Credential stores (`CredentialsError`). */
export type CredentialsErrorCode = 'CREDENTIALS_INVALID' | 'CREDENTIALS_HELPER_FAILED';

/** Every code any streamlock error may carry. */
export type AnyErrorCode = ErrorCode | RegistryErrorCode | CredentialsErrorCode;

/** A registry failure is exit 3 (retry later); bad usage is 2; everything else is the input's fault, 1. */
const REGISTRY_CODES: ReadonlySet<AnyErrorCode> = new Set<RegistryErrorCode>([
  'REGISTRY_UNAUTHORIZED', 'REGISTRY_DENIED', 'REGISTRY_NOT_FOUND', 'REGISTRY_RATE_LIMITED',
  'REGISTRY_SERVER_ERROR', 'REGISTRY_TIMEOUT', 'REGISTRY_NETWORK', 'REGISTRY_TLS', 'REGISTRY_BAD_RESPONSE',
  'DIGEST_MISMATCH', 'MANIFEST_TOO_LARGE', 'REGISTRY_REDIRECT_REFUSED', 'REGISTRY_INSECURE_REFUSED',
]);

/** The exit code a failure with `code` ends a command with. */
export function exitCodeOf(code: AnyErrorCode): ExitCode {
  if (code === 'USAGE') return EXIT_USAGE;
  return REGISTRY_CODES.has(code) ? EXIT_REGISTRY : EXIT_INVALID;
}

/** The base of every error streamlock raises on purpose: a closed code and the exit code it implies. */
export abstract class CodedError<C extends AnyErrorCode = AnyErrorCode> extends Error {
  readonly code: C;
  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
  get exitCode(): ExitCode {
    return exitCodeOf(this.code);
  }
}

export function isCodedError(e: unknown): e is CodedError {
  return e instanceof CodedError;
}

export class StreamlockError extends CodedError<ErrorCode> {
  override name = 'StreamlockError';
  readonly location: ErrorLocation | undefined;

  constructor(code: ErrorCode, message: string, options: { location?: ErrorLocation; cause?: unknown } = {}) {
    super(code, message, options);
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
