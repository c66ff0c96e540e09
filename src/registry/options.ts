/**
 * RegistryClientOptions and their one-time validation: guard clauses that name
 * the option (as undici's Client constructor does), defaults applied, the CA file
 * read, so nothing deeper re-checks them.
 */
import { readFileSync } from 'node:fs';
import type { CredentialStore } from '../credentials/credential.js';
import { StreamlockError } from '../errors.js';
import type { LookupFunction } from './addresses.js';
import { apiHost } from './hosts.js';

export interface RegistryClientOptions {
  /** Where to find credentials per registry. Default: anonymous only. */
  credentials?: CredentialStore;
  /** PEM file of extra CA certificates, trusted besides Node's bundled roots. */
  caFile?: string;
  /** host[:port]s allowed plain HTTP and unverified TLS. Loopback needs no entry for plain HTTP. */
  insecureRegistries?: string[];
  /** Per-request timeout (connect, headers and body together). Default: `30000`. */
  timeoutMs?: number;
  /** Retries after the first attempt on network errors, 408, 429 and 5xx. Default: `3`. */
  retries?: number;
  /** Requests in flight per registry host. Default: `8`. */
  concurrencyPerRegistry?: number;
  /** Largest manifest accepted. Default: `4194304` (4 MiB). */
  maxManifestBytes?: number;
  /** Default: `streamlock`. */
  userAgent?: string;
  /** Connect to link-local (169.254.0.0/16, fe80::/10) and cloud metadata addresses. Default: `false`. */
  allowLinkLocal?: boolean;
  /** DNS lookup with dns.lookup's shape. Default: `dns.lookup`. */
  lookup?: LookupFunction;
  /** How the retry policy waits between attempts; tests pass one that returns at once. Default: `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
}

export interface CheckedClientOptions {
  credentials: CredentialStore | undefined;
  caPem: string | undefined;
  insecureHosts: ReadonlySet<string>;
  timeoutMs: number;
  retries: number;
  concurrencyPerRegistry: number;
  maxManifestBytes: number;
  userAgent: string;
  allowLinkLocal: boolean;
  lookup: LookupFunction | undefined;
  sleep: ((ms: number) => Promise<void>) | undefined;
}

const KNOWN = new Set(['credentials', 'caFile', 'insecureRegistries', 'timeoutMs', 'retries', 'concurrencyPerRegistry', 'maxManifestBytes', 'userAgent', 'allowLinkLocal', 'lookup', 'sleep']);
const RENAMED: Record<string, string> = {
  timeout: 'timeoutMs', ca: 'caFile', insecure: 'insecureRegistries', concurrency: 'concurrencyPerRegistry',
  maxRetries: 'retries', maxManifestSize: 'maxManifestBytes',
};
const HOST_PORT_RE = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

function invalid(message: string): StreamlockError {
  return new StreamlockError('USAGE', `invalid registry client option: ${message}`);
}

function integer(value: unknown, name: string, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw invalid(`${name} must be an integer >= ${min}`);
  return value;
}

export function checkClientOptions(options: RegistryClientOptions): CheckedClientOptions {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object');
  for (const key of Object.keys(options)) {
    if (RENAMED[key]) throw invalid(`unsupported ${key}, use ${RENAMED[key]} instead`);
    if (!KNOWN.has(key)) throw invalid(`unknown option ${key}`);
  }
  const { credentials, caFile, insecureRegistries, userAgent } = options;
  if (credentials !== undefined && typeof credentials?.lookup !== 'function') throw invalid('credentials must be a CredentialStore (with lookup())');
  if (userAgent !== undefined && (typeof userAgent !== 'string' || userAgent === '' || /[\r\n]/.test(userAgent))) {
    throw invalid('userAgent must be a non-empty single-line string');
  }
  if (options.allowLinkLocal !== undefined && typeof options.allowLinkLocal !== 'boolean') throw invalid('allowLinkLocal must be a boolean');
  if (options.lookup !== undefined && typeof options.lookup !== 'function') throw invalid('lookup must be a function like dns.lookup');
  if (options.sleep !== undefined && typeof options.sleep !== 'function') throw invalid('sleep must be a function (ms) => Promise<void>');
  if (insecureRegistries !== undefined && !Array.isArray(insecureRegistries)) throw invalid('insecureRegistries must be an array of host[:port]');
  const insecureHosts = new Set<string>();
  for (const host of insecureRegistries ?? []) {
    if (typeof host !== 'string' || !HOST_PORT_RE.test(host)) {
      throw invalid(`insecureRegistries entry ${JSON.stringify(host)} is not a host[:port] (no scheme, no path)`);
    }
    insecureHosts.add(apiHost(host.toLowerCase()));
  }
  return {
    credentials,
    caPem: caFile === undefined ? undefined : readCa(caFile),
    insecureHosts,
    timeoutMs: integer(options.timeoutMs, 'timeoutMs', 1, 30_000),
    retries: integer(options.retries, 'retries', 0, 3),
    concurrencyPerRegistry: integer(options.concurrencyPerRegistry, 'concurrencyPerRegistry', 1, 8),
    maxManifestBytes: integer(options.maxManifestBytes, 'maxManifestBytes', 1, 4 * 1024 * 1024),
    userAgent: userAgent ?? 'streamlock',
    allowLinkLocal: options.allowLinkLocal ?? false,
    lookup: options.lookup,
    sleep: options.sleep,
  };
}

function readCa(caFile: unknown): string {
  if (typeof caFile !== 'string' || caFile === '') throw invalid('caFile must be a path to a PEM file');
  let pem: string;
  try {
    pem = readFileSync(caFile, 'utf8');
  } catch (e) {
    throw invalid(`caFile ${caFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw invalid(`caFile ${caFile} holds no PEM certificate`);
  return pem;
}
