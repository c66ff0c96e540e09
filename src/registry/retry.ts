/**
 * Retry policy: exponential backoff with jitter on network errors, 408, 429 and
 * 5xx, honouring Retry-After (seconds or HTTP date, capped).
 *
 * Why not undici's `interceptors.retry`: it has no jitter, caps Retry-After with
 * the same bound as backoff, hides the attempt count (we report it in stats), and
 * resumes partial bodies with Range requests, which manifest GETs must not do
 * (a manifest is hashed whole). Timeouts, TLS errors and size caps are not retried:
 * a hung registry should not multiply the wait.
 */
import { RegistryError } from './errors.js';
import type { RegistryResponse, Send } from './exchange.js';

export const RETRY_STATUSES: ReadonlySet<number> = new Set([408, 429, 499, 500, 502, 503, 504, 522]);

export interface RetryPolicyOptions {
  retries: number;
  /** First backoff step; later steps multiply by 3 (as go-containerregistry does). */
  baseDelayMs?: number;
  maxBackoffMs?: number;
  /** Upper bound on a server-requested Retry-After wait. */
  maxRetryAfterMs?: number;
  onRetry?: () => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Retry-After as milliseconds from `now`, or undefined when absent or unparseable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // All three HTTP-date forms start with a day name; Date.parse alone would accept "-5" or "1.5".
  if (!/^[A-Za-z]{3}/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Backoff for attempt `n` (0-based): base·3ⁿ, capped, with "equal jitter" (half fixed, half random). */
export function backoffDelay(n: number, base: number, max: number, random: () => number): number {
  const step = Math.min(max, base * 3 ** n);
  return step / 2 + random() * (step / 2);
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function withRetry(send: Send, options: RetryPolicyOptions): Send {
  const base = options.baseDelayMs ?? 250;
  const maxBackoff = options.maxBackoffMs ?? 10_000;
  const maxRetryAfter = options.maxRetryAfterMs ?? 60_000;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;

  return async function retrying(req) {
    for (let attempt = 0; ; attempt++) {
      let res: RegistryResponse;
      try {
        res = await send(req);
      } catch (e) {
        if (attempt >= options.retries || !(e instanceof RegistryError) || e.code !== 'REGISTRY_NETWORK') throw e;
        options.onRetry?.();
        await sleep(backoffDelay(attempt, base, maxBackoff, random));
        continue;
      }
      if (attempt >= options.retries || !RETRY_STATUSES.has(res.status)) return res;
      const asked = parseRetryAfter(res.headers['retry-after']);
      options.onRetry?.();
      await sleep(asked === undefined ? backoffDelay(attempt, base, maxBackoff, random) : Math.min(asked, maxRetryAfter));
    }
  };
}
