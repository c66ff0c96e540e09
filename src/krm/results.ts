/** KRM function results: the structured findings a run reports (functions spec, `results`). */
import type { ErrorCode } from '../errors.js';

export type Severity = 'error' | 'warning' | 'info';

export interface ResourceRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

export interface Result {
  readonly message: string;
  readonly severity: Severity;
  readonly resourceRef?: ResourceRef;
  readonly field?: { readonly path: string; readonly currentValue?: unknown; readonly proposedValue?: unknown };
  readonly file?: { readonly path: string; readonly index?: number };
  readonly tags?: Readonly<Record<string, string>>;
}

/** A result with the error code kept as a tag, so tools (and tests) can match on it. */
export function result(
  severity: Severity,
  code: ErrorCode | 'RESOLVED',
  message: string,
  extra: Omit<Result, 'message' | 'severity' | 'tags'> = {},
): Result {
  return { message, severity, ...extra, tags: { code } };
}

export function hasErrors(results: readonly Result[]): boolean {
  return results.some((r) => r.severity === 'error');
}

/** Field order fixed, undefined dropped: results serialise identically on every run. */
export function resultToObject(r: Result): Record<string, unknown> {
  const o: Record<string, unknown> = { message: r.message, severity: r.severity };
  if (r.resourceRef) {
    const { apiVersion, kind, name, namespace } = r.resourceRef;
    o.resourceRef = { apiVersion, kind, name, ...(namespace ? { namespace } : {}) };
  }
  if (r.field) {
    o.field = {
      path: r.field.path,
      ...(r.field.currentValue !== undefined ? { currentValue: r.field.currentValue } : {}),
      ...(r.field.proposedValue !== undefined ? { proposedValue: r.field.proposedValue } : {}),
    };
  }
  if (r.file) o.file = { path: r.file.path, ...(r.file.index ? { index: r.file.index } : {}) };
  if (r.tags) o.tags = { ...r.tags };
  return o;
}
