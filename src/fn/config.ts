/**
 * The function's configuration: an `ImageStreamResolver` object (kustomize passes the function's
 * own declaration), or a ConfigMap's `data` (what `kpt fn eval -- key=value` builds). Checked once.
 */
import { StreamlockError } from '../errors.js';
import type { UnresolvedPolicy } from '../resolve.js';

export const CONFIG_API_VERSION = 'streamlock.dev/v1alpha1';
export const CONFIG_KIND = 'ImageStreamResolver';

export interface FunctionConfig {
  /** A lockfile to read in addition to lock items in the list (relative to the working directory). */
  readonly lockfile: string | undefined;
  /** Namespace of resources that name none. Default: '' (no namespace). */
  readonly namespace: string;
  /** What an unresolvable reference is. Default: error. */
  readonly unresolved: UnresolvedPolicy;
  /** Drop ImageStream items from the output. Default: false (under kpt render a dropped item is a deleted file). */
  readonly removeImageStreams: boolean;
  /** Drop ImageStreamLock items from the output. Default: false. */
  readonly removeLock: boolean;
  /** Record what was resolved in `resolved.streamlock.dev/<container>` annotations. Default: true. */
  readonly annotate: boolean;
}

export const DEFAULT_CONFIG: FunctionConfig = {
  lockfile: undefined,
  namespace: '',
  unresolved: 'error',
  removeImageStreams: false,
  removeLock: false,
  annotate: true,
};

const KEYS = ['lockfile', 'namespace', 'unresolved', 'removeImageStreams', 'removeLock', 'annotate'] as const;

function bad(field: string, reason: string): StreamlockError {
  return new StreamlockError('CONFIG_INVALID', `functionConfig ${field}: ${reason}`, { location: { field } });
}

function bool(field: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined || v === null || v === '') return fallback;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw bad(field, `must be true or false, not ${JSON.stringify(v)}`);
}

function string(field: string, v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw bad(field, `must be a string, not ${JSON.stringify(v)}`);
  return v;
}

/** Reads the options from a ConfigMap (`data`) or an ImageStreamResolver (`spec`, or top level). */
export function readFunctionConfig(fc: Record<string, unknown> | undefined): FunctionConfig {
  if (!fc) return DEFAULT_CONFIG;
  let values: Record<string, unknown>;
  let prefix: string;
  if (fc.kind === 'ConfigMap') {
    values = (fc.data as Record<string, unknown> | undefined) ?? {};
    prefix = 'data.';
  } else if (fc.kind === CONFIG_KIND) {
    values = (fc.spec as Record<string, unknown> | undefined) ?? {};
    prefix = 'spec.';
  } else {
    throw bad('kind', `must be ConfigMap or ${CONFIG_KIND} (${CONFIG_API_VERSION}), not ${JSON.stringify(fc.kind)}`);
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) throw bad(prefix.slice(0, -1), 'must be a mapping');
  for (const key of Object.keys(values)) {
    if (!(KEYS as readonly string[]).includes(key)) throw bad(prefix + key, `unknown option (known: ${KEYS.join(', ')})`);
  }
  const unresolved = string(prefix + 'unresolved', values.unresolved) ?? 'error';
  const policies: Record<string, UnresolvedPolicy> = { error: 'error', warn: 'warning', warning: 'warning', ignore: 'ignore' };
  if (!Object.hasOwn(policies, unresolved)) throw bad(prefix + 'unresolved', `must be error, warn or ignore, not "${unresolved}"`);
  return {
    lockfile: string(prefix + 'lockfile', values.lockfile),
    namespace: string(prefix + 'namespace', values.namespace) ?? '',
    unresolved: policies[unresolved]!,
    removeImageStreams: bool(prefix + 'removeImageStreams', values.removeImageStreams, false),
    removeLock: bool(prefix + 'removeLock', values.removeLock, false),
    annotate: bool(prefix + 'annotate', values.annotate, true),
  };
}
