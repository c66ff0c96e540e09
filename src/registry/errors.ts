/**
 * RegistryError: every failure of a registry conversation, with a closed `code`
 * and the evidence (registry, repository, reference, HTTP status, hint) as fields.
 * The message is built from those fields, so it can never carry a credential.
 */
import { CodedError, type RegistryErrorCode } from '../errors.js';

export type { RegistryErrorCode };

/** What a request was about: used for messages and nothing else. */
export interface RegistryErrorContext {
  /** Normalised registry host[:port] (`docker.io`, `127.0.0.1:5000`). */
  registry: string;
  repository: string;
  /** Tag or digest. */
  reference: string;
}

export interface RegistryErrorDetails extends RegistryErrorContext {
  status?: number;
  /** What to check next (credential source tried, Retry-After, …); never a secret. */
  hint?: string;
  cause?: unknown;
}

const SUMMARY: Record<RegistryErrorCode, string> = {
  REGISTRY_UNAUTHORIZED: 'registry refused authentication',
  REGISTRY_DENIED: 'registry denied access',
  REGISTRY_NOT_FOUND: 'manifest not found',
  REGISTRY_RATE_LIMITED: 'registry rate limit reached',
  REGISTRY_SERVER_ERROR: 'registry server error',
  REGISTRY_TIMEOUT: 'registry request timed out',
  REGISTRY_NETWORK: 'network error talking to registry',
  REGISTRY_TLS: 'TLS error talking to registry',
  REGISTRY_BAD_RESPONSE: 'unexpected registry response',
  DIGEST_MISMATCH: 'manifest digest does not match its content',
  MANIFEST_TOO_LARGE: 'manifest larger than the size cap',
  REGISTRY_REDIRECT_REFUSED: 'registry redirect refused',
  REGISTRY_INSECURE_REFUSED: 'insecure registry connection refused',
};

export class RegistryError extends CodedError<RegistryErrorCode> {
  override name = 'RegistryError';
  readonly registry: string;
  readonly repository: string;
  readonly reference: string;
  readonly status: number | undefined;
  readonly hint: string | undefined;

  constructor(code: RegistryErrorCode, details: RegistryErrorDetails) {
    super(code, formatMessage(code, details), { cause: details.cause });
    this.registry = details.registry;
    this.repository = details.repository;
    this.reference = details.reference;
    this.status = details.status;
    this.hint = details.hint;
  }
}

export function isRegistryError(e: unknown): e is RegistryError {
  return e instanceof RegistryError;
}

/** `repo:tag` or `repo@sha256:…`, the way people write it. */
export function formatReference(repository: string, reference: string): string {
  return reference.includes(':') ? `${repository}@${reference}` : `${repository}:${reference}`;
}

function formatMessage(code: RegistryErrorCode, d: RegistryErrorDetails): string {
  const status = d.status === undefined ? '' : ` (HTTP ${d.status})`;
  const hint = d.hint ? `: ${d.hint}` : '';
  return `${SUMMARY[code]} for ${d.registry}/${formatReference(d.repository, d.reference)}${status}${hint}`;
}
