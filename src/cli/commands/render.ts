/**
 * `streamlock render [PATH...|-]`: a plain manifest stream in, the resolved stream out. Made for
 * Argo CD plugins and kustomize exec plugins, where empty successful output deletes everything:
 * on any error nothing at all goes to stdout.
 */
import { readFileSync } from 'node:fs';
import { assertNestingDepth } from '../../krm/depth.js';
import { MAX_ALIAS_COUNT } from '../../krm/resource-list.js';
import { access, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parseDocument } from 'yaml';
import { StreamlockError } from '../../errors.js';
import type { FunctionConfig } from '../../fn/config.js';
import { readFunctionConfig } from '../../fn/config.js';
import { transform } from '../../fn/transform.js';
import type { Result } from '../../krm/results.js';
import { DEFAULT_LOCKFILE } from '../../lockfile/format.js';
import type { ManifestDocument } from '../../manifests.js';
import { isEmptyDocument, isResourceDocument, readManifests, splitResourceList, toResourceList } from '../../manifests.js';
import { EXIT_INVALID, ExitError } from '../exit-codes.js';
import type { CliIO } from '../io.js';

interface RawOptions {
  lockfile?: string;
  namespace?: string;
  keepImagestreams?: boolean;
  unresolved?: string;
  annotate?: boolean;
  config?: string;
  allowEmpty?: boolean;
}

export interface RenderOptions {
  readonly paths: readonly string[];
  /** The lockfile and whether it was asked for (then it must exist). */
  readonly lockfile: { readonly path: string; readonly required: boolean };
  readonly namespace: string;
  readonly keepImageStreams: boolean;
  readonly unresolved: FunctionConfig['unresolved'];
  readonly annotate: boolean;
  readonly allowEmpty: boolean;
}

/** Argo CD passes an Application's `plugin.env` entries as `ARGOCD_ENV_<NAME>`. */
export const ENV_PREFIX = 'ARGOCD_ENV_STREAMLOCK_';
const LOCAL_CONFIG = 'config.kubernetes.io/local-config';

export function register(program: Command, io: CliIO): void {
  program
    .command('render')
    .description(
      'resolve image triggers in a manifest stream (files, directories, - for stdin) and print it; ' +
        'lock and ImageStream objects are left out. Prints nothing at all on any error. ' +
        `Options not given as flags are read from ${ENV_PREFIX}LOCKFILE, _NAMESPACE, _KEEP_IMAGESTREAMS, _UNRESOLVED, _ANNOTATE (Argo CD plugin env)`,
    )
    .argument('[paths...]', 'manifest files, directories (recursive *.yaml, *.yml, *.json) or - for stdin', ['.'])
    .option('--lockfile <file>', `the lockfile (default: ${DEFAULT_LOCKFILE} when it exists)`)
    .option('-n, --namespace <ns>', 'namespace of resources that name none (default: $ARGOCD_APP_NAMESPACE)')
    .option('--keep-imagestreams', 'keep ImageStream objects in the output (for OpenShift clusters)')
    .option('--unresolved <policy>', 'a trigger with no recorded image: error, warn or ignore (default: error)')
    .option('--no-annotate', `do not add resolved.streamlock.dev/<container> annotations`)
    .option('--config <file>', 'an ImageStreamResolver (or ConfigMap) with these options, as a kustomize exec plugin passes it')
    .option('--allow-empty', 'print an empty stream instead of failing when nothing is left to print')
    .action(async (paths: string[], raw: RawOptions, cmd: Command) => {
      const annotateFromFlag = cmd.getOptionValueSource('annotate') === 'cli' ? raw.annotate : undefined;
      const options = parseOptions(paths, { ...raw, annotate: annotateFromFlag }, io);
      const text = await runRender(options, io);
      await new Promise<void>((done, fail) => io.stdout.write(text, (err) => (err ? fail(err) : done())));
    });
}

function envBool(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new StreamlockError('USAGE', `${name} must be true or false, not ${JSON.stringify(value)}`);
}

/** Flags first, then ARGOCD_ENV_STREAMLOCK_*, then the --config file, then defaults. */
export function parseOptions(paths: readonly string[], raw: RawOptions, io: Pick<CliIO, 'env' | 'cwd'>): RenderOptions {
  const env = (k: string) => io.env[ENV_PREFIX + k] || undefined;
  let config: Partial<FunctionConfig> = {};
  if (raw.config !== undefined) {
    let text: string;
    try {
      text = readFileSync(resolve(io.cwd, raw.config), 'utf8');
    } catch (e) {
      throw new StreamlockError('USAGE', `--config ${raw.config}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    assertNestingDepth(text, `--config ${raw.config}`);
    const doc = parseDocument(text, { uniqueKeys: true });
    if (doc.errors.length > 0) throw new StreamlockError('CONFIG_INVALID', `--config ${raw.config}: not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
    const data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as Record<string, unknown> | null;
    const full = readFunctionConfig(data ?? undefined);
    // Only what the file sets: its defaults must not override render's.
    const given = ((data?.kind === 'ConfigMap' ? data.data : data?.spec) ?? {}) as Record<string, unknown>;
    config = Object.fromEntries(Object.entries(full).filter(([k]) => given[k] !== undefined && given[k] !== null && given[k] !== ''));
  }
  const lockfile = raw.lockfile ?? env('LOCKFILE') ?? config.lockfile;
  const unresolvedText = raw.unresolved ?? env('UNRESOLVED');
  let unresolved = config.unresolved ?? 'error';
  if (unresolvedText !== undefined) {
    const policies: Record<string, FunctionConfig['unresolved']> = { error: 'error', warn: 'warning', warning: 'warning', ignore: 'ignore' };
    if (!Object.hasOwn(policies, unresolvedText)) throw new StreamlockError('USAGE', `--unresolved must be error, warn or ignore, not ${JSON.stringify(unresolvedText)}`);
    unresolved = policies[unresolvedText]!;
  }
  const keep = raw.keepImagestreams ? true : (envBool(`${ENV_PREFIX}KEEP_IMAGESTREAMS`, env('KEEP_IMAGESTREAMS')) ?? (config.removeImageStreams === undefined ? false : !config.removeImageStreams));
  return {
    paths: paths.length > 0 ? paths : ['.'],
    lockfile: { path: lockfile ?? DEFAULT_LOCKFILE, required: lockfile !== undefined },
    namespace: raw.namespace ?? env('NAMESPACE') ?? (config.namespace || undefined) ?? (io.env.ARGOCD_APP_NAMESPACE || ''),
    keepImageStreams: keep,
    unresolved,
    annotate: raw.annotate ?? envBool(`${ENV_PREFIX}ANNOTATE`, env('ANNOTATE')) ?? config.annotate ?? true,
    allowEmpty: !!raw.allowEmpty,
  };
}

function formatResult(r: Result): string {
  const where = r.file ? `${r.file.path}: ` : '';
  return `${r.severity}: ${where}${r.message}\n`;
}

/**
 * Whether an output document is left out: local-config objects (kpt's rule), and what is left of
 * a removed item (its leading comments: the function removes an item from its first key on).
 */
function isDropped(body: string): boolean {
  const data = parseDocument(body).toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as { metadata?: { annotations?: Record<string, unknown> } } | null;
  if (data === null || data === undefined) return true;
  const v = data.metadata?.annotations?.[LOCAL_CONFIG];
  return v === 'true' || v === true;
}

/** The resolved stream; throws (printing the results to stderr first) on any error. */
export async function runRender(options: RenderOptions, io: CliIO): Promise<string> {
  const lockPath = resolve(io.cwd, options.lockfile.path);
  let lockExists = true;
  try {
    await access(lockPath);
  } catch {
    lockExists = false;
  }
  if (options.lockfile.required && !lockExists) throw new StreamlockError('LOCK_NOT_FOUND', `lockfile ${options.lockfile.path} does not exist`);
  const docs = await readManifests(options.paths, { cwd: io.cwd, stdin: io.stdin, skip: new Set([lockPath]) });
  const resources: ManifestDocument[] = [];
  for (const d of docs) {
    if (isEmptyDocument(d)) continue;
    if (!isResourceDocument(d)) throw new StreamlockError('INPUT_NOT_RESOURCE_LIST', `${d.file}:${d.line}: not a Kubernetes object (a mapping with apiVersion and kind)`);
    resources.push(d);
  }
  const lockText = lockExists ? await readFile(lockPath, 'utf8') : undefined;
  const out = transform(toResourceList(resources.map((d) => d.body)), {
    readFile: (path) => {
      if (resolve(io.cwd, path) === lockPath && lockText !== undefined) return lockText;
      throw Object.assign(new Error(`${path}: not found`), { code: 'ENOENT' });
    },
    overrides: {
      ...(lockExists ? { lockfile: options.lockfile.path } : {}),
      namespace: options.namespace,
      unresolved: options.unresolved,
      annotate: options.annotate,
      removeImageStreams: !options.keepImageStreams,
      removeLock: true,
    },
  });
  for (const r of out.results) if (r.severity !== 'info') io.stderr.write(formatResult(r));
  if (!out.ok) {
    const n = out.results.filter((r) => r.severity === 'error').length;
    throw new ExitError(EXIT_INVALID, `render failed with ${n} error${n === 1 ? '' : 's'}; nothing printed`);
  }
  const bodies = splitResourceList(out.text).filter((b) => !isDropped(b));
  if (bodies.length === 0 && !options.allowEmpty) {
    throw new StreamlockError(
      'INPUT_NOT_RESOURCE_LIST',
      `nothing to print: ${options.paths.join(' ')} holds no resources besides the lock, ImageStreams and local-config objects (an empty result would make Argo CD prune everything; --allow-empty prints it anyway)`,
    );
  }
  return bodies.join('---\n');
}
