/**
 * Turning an unwanted HTTP response into a RegistryError: status → code, plus the
 * evidence a person needs (the OCI error code/message, Retry-After, auth note).
 */
import { RegistryError, type RegistryErrorCode, type RegistryErrorContext } from './errors.js';
import type { RegistryResponse } from './exchange.js';

/** `{"errors":[{"code","message"}]}` → `MANIFEST_UNKNOWN: manifest unknown`, or undefined. */
export function ociErrorSummary(body: Buffer): string | undefined {
  if (body.length === 0) return undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: unknown; message?: unknown }> };
    const first = parsed.errors?.[0];
    if (!first || typeof first.code !== 'string') return undefined;
    const text = typeof first.message === 'string' ? `${first.code}: ${first.message}` : first.code;
    return text.slice(0, 200);
  } catch {
    return undefined;
  }
}

function codeForStatus(status: number): RegistryErrorCode {
  if (status === 401) return 'REGISTRY_UNAUTHORIZED';
  if (status === 403) return 'REGISTRY_DENIED';
  if (status === 404) return 'REGISTRY_NOT_FOUND';
  if (status === 429) return 'REGISTRY_RATE_LIMITED';
  if (status >= 500) return 'REGISTRY_SERVER_ERROR';
  return 'REGISTRY_BAD_RESPONSE';
}

export function registryErrorForResponse(res: RegistryResponse, context: RegistryErrorContext): RegistryError {
  const hints: string[] = [];
  const oci = ociErrorSummary(res.body);
  if (oci) hints.push(oci);
  if (res.status === 401 || res.status === 403) hints.push(res.authNote ?? 'no credentials sent');
  if (res.status === 429) {
    const after = res.headers['retry-after'];
    hints.push(after ? `retry after ${after.slice(0, 40)}` : 'retries exhausted');
  }
  if (res.url.host !== context.registry) hints.push(`from ${res.url.host}`);
  return new RegistryError(codeForStatus(res.status), { ...context, status: res.status, hint: hints.join('; ') || undefined });
}
