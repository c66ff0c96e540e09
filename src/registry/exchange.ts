/**
 * The request and response shapes every registry policy passes along, and the
 * `Send` function type the policies wrap (the way undici interceptors wrap `dispatch`).
 */
import type { RegistryErrorCode, RegistryErrorContext } from './errors.js';

/** What a request is for: counted separately in the client's stats. */
export type RequestKind = 'manifest' | 'token' | 'ping';

export interface RegistryRequest {
  readonly kind: RequestKind;
  readonly method: 'GET' | 'HEAD' | 'POST';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Successful bodies larger than this are refused; error bodies are truncated to it. */
  readonly maxBodyBytes: number;
  /** The code for a body over the cap (MANIFEST_TOO_LARGE for manifests). */
  readonly tooLargeCode: RegistryErrorCode;
  /** For error messages. */
  readonly context: RegistryErrorContext;
  /** Per-request timeout override (the scheme probe uses a short one). */
  readonly timeoutMs?: number;
}

export interface RegistryResponse {
  readonly status: number;
  /** Lower-case header names; repeated headers joined with `, ` (set-cookie is not needed). */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The whole body (empty for HEAD and redirects): bodies are always consumed. */
  readonly body: Buffer;
  /** The URL that produced this response (after redirects). */
  readonly url: URL;
  /** Set by the auth policy: which credentials were used or why none were, for 401/403 hints. */
  readonly authNote?: string;
}

export type Send = (req: RegistryRequest) => Promise<RegistryResponse>;

/** A copy of `headers` with `name` set, or removed when `value` is undefined. */
export function withHeader(headers: Readonly<Record<string, string>>, name: string, value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() !== name.toLowerCase()) out[k] = v;
  if (value !== undefined) out[name] = value;
  return out;
}
