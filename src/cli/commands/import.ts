/** `streamlock import`: record the current digest of ImageStream tags in the lockfile (like `oc import-image`). */
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { StreamlockError, describeError, isCodedError } from '../../errors.js';
import type { ImageStreamInfo } from '../../imagestreams.js';
import { isImageStream, readImageStream } from '../../imagestreams.js';
import type { ImportFilter, SkippedTag, TagChange, TagOutcome } from '../../import.js';
import { applyImport, formatChange, formatCreated, parseImportFilter, resolveTargets, selectImportTargets, targetLabel } from '../../import.js';
import { parseImageRef } from '../../image-ref.js';
import { DEFAULT_LOCKFILE } from '../../lockfile/format.js';
import { findStream, findTag } from '../../lockfile/history.js';
import { readLockfile, updateLockfile } from '../../lockfile/store.js';
import { documentData, readManifests } from '../../manifests.js';
import { commitFile } from '../git.js';
import { EXIT_INVALID, EXIT_REGISTRY, ExitError } from '../exit-codes.js';
import type { CliIO } from '../io.js';

interface RawOptions {
  lockfile: string;
  dryRun?: boolean;
  output: string;
  filter: string[];
  scheduled?: boolean;
  namespace?: string;
  platform?: string;
  caFile?: string;
  insecureRegistry: string[];
  pullSecret: string[];
  timeout?: string;
  concurrency?: string;
  keepGoing?: boolean;
  commit?: boolean;
  allowLinkLocal?: boolean;
}

export interface ImportOptions {
  readonly paths: readonly string[];
  readonly lockfile: string;
  readonly dryRun: boolean;
  readonly json: boolean;
  readonly filters: readonly ImportFilter[];
  readonly scheduledOnly: boolean;
  readonly namespace: string | undefined;
  readonly platform: string | undefined;
  readonly caFile: string | undefined;
  readonly insecureRegistries: readonly string[];
  readonly pullSecrets: readonly string[];
  readonly timeoutMs: number | undefined;
  readonly concurrency: number;
  readonly keepGoing: boolean;
  /** git commit the lockfile with the rollout summary as the message. */
  readonly commit: boolean;
  /** Connect to link-local and cloud metadata addresses (refused by default). */
  readonly allowLinkLocal?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function register(program: Command, io: CliIO): void {
  program
    .command('import')
    .description('resolve ImageStream DockerImage tags to digests and record them in the lockfile')
    .argument('[paths...]', 'ImageStream manifests: files, directories (recursive *.yaml, *.yml, *.json) or - for stdin', ['.'])
    .option('--lockfile <file>', 'the lockfile to update', DEFAULT_LOCKFILE)
    .option('--dry-run', 'print what would change, write nothing')
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--filter <stream[:tag]>', 'only these streams or tags (NAMESPACE/ in front to narrow); repeatable', collect, [])
    .option('--scheduled', 'only tags with importPolicy.scheduled: true')
    .option('--namespace <ns>', 'namespace of ImageStreams that name none')
    .option('--platform <os/arch[/variant]>', 'also record the digest of this platform inside multi-arch images')
    .option('--ca-file <file>', 'extra CA certificates (PEM) for registry TLS')
    .option('--insecure-registry <host>', 'allow plain HTTP or unverified TLS for this registry host[:port]; repeatable', collect, [])
    .option('--pull-secret <file>', 'kubernetes.io/dockerconfigjson Secret (or config.json) with credentials; repeatable', collect, [])
    .option('--timeout <duration>', 'per-request timeout (30s, 500ms; a bare number is seconds)')
    .option('--concurrency <n>', 'registry requests in flight at once (overall and per registry)', '16')
    .option('--keep-going', 'write the tags that resolved even if others failed (exit status is still 3)')
    .option('--allow-link-local', 'allow registries on link-local or cloud metadata addresses (169.254.0.0/16, fe80::/10)')
    .option('--commit', 'git commit the lockfile with the rollout summary as the message')
    .action(async (paths: string[], raw: RawOptions) => {
      await runImport(parseOptions(paths, raw), io);
    });
}

function parseOptions(paths: string[], raw: RawOptions): ImportOptions {
  if (raw.output !== 'text' && raw.output !== 'json') throw new StreamlockError('USAGE', `--output must be text or json, not ${JSON.stringify(raw.output)}`);
  if (raw.platform !== undefined && !/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(raw.platform)) {
    throw new StreamlockError('USAGE', `--platform must be os/arch[/variant] (linux/arm64), not ${JSON.stringify(raw.platform)}`);
  }
  const concurrency = Number(raw.concurrency ?? '16');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new StreamlockError('USAGE', '--concurrency must be an integer from 1 to 256');
  return {
    paths,
    lockfile: raw.lockfile,
    dryRun: !!raw.dryRun,
    json: raw.output === 'json',
    filters: raw.filter.map(parseImportFilter),
    scheduledOnly: !!raw.scheduled,
    namespace: raw.namespace || undefined,
    platform: raw.platform,
    caFile: raw.caFile,
    insecureRegistries: raw.insecureRegistry,
    pullSecrets: raw.pullSecret,
    timeoutMs: raw.timeout === undefined ? undefined : parseDuration(raw.timeout),
    concurrency,
    keepGoing: !!raw.keepGoing,
    commit: !!raw.commit,
    allowLinkLocal: !!raw.allowLinkLocal,
  };
}

export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new StreamlockError('USAGE', `--timeout must be a duration like 30s or 500ms, not ${JSON.stringify(text)}`);
  const n = Number(m[1]);
  const ms = m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
  if (ms <= 0) throw new StreamlockError('USAGE', '--timeout must be positive');
  return Math.round(ms);
}

/** The machine-readable report (`--output json`); the text output is rendered from the same data. */
export interface ImportReport {
  lockfile: string;
  /** This run wrote the lockfile for the first time. */
  created: boolean;
  dryRun: boolean;
  written: boolean;
  changes: TagChange[];
  failures: Array<{ namespace: string | undefined; stream: string; tag: string; from: string; code: string; message: string; registry?: string; status?: number; hint?: string }>;
  skipped: SkippedTag[];
  stats: { tags: number; manifestRequests: number; tokenRequests: number; retries: number };
  /** The commit made with --commit. */
  commit?: string;
}

export async function runImport(opts: ImportOptions, io: CliIO): Promise<ImportReport> {
  const lockPath = resolve(io.cwd, opts.lockfile);
  const streams = await readImageStreams(opts.paths, io, lockPath, opts.namespace ?? '');
  const { targets, skipped, unmatchedFilters } = selectImportTargets(streams, { filters: opts.filters, scheduledOnly: opts.scheduledOnly });
  if (unmatchedFilters.length > 0) {
    throw new StreamlockError('TAG_NOT_FOUND', `no DockerImage tag matches --filter ${unmatchedFilters.map((f) => f.text).join(', ')}`);
  }
  // Read (and validate) the lock before any network: a broken lock fails fast, and tags that
  // recorded a platform keep recording it.
  const known = await readLockfile(lockPath);
  const current = known.lock;
  const platformFor = (t: (typeof targets)[number]): string | undefined => {
    if (opts.platform) return opts.platform;
    const s = findStream(current, t.stream, t.namespace);
    return s ? findTag(s, t.tag)?.platform : undefined;
  };

  // Loaded on demand: the HTTP stack is most of the CLI's size, and only registry commands need it.
  const { createRegistryClient, loadCredentialStore } = await import('../../registry/connect.js');
  const client = createRegistryClient({
    credentials: loadCredentialStore({ env: io.env, homedir: io.env.HOME || homedir(), pullSecretFiles: opts.pullSecrets.map((p) => resolve(io.cwd, p)) }),
    ...(opts.caFile ? { caFile: resolve(io.cwd, opts.caFile) } : {}),
    insecureRegistries: [...opts.insecureRegistries],
    concurrencyPerRegistry: opts.concurrency,
    allowLinkLocal: opts.allowLinkLocal ?? false,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(io.sleep ? { sleep: io.sleep } : {}),
  });
  let outcomes: TagOutcome[];
  try {
    const progress = io.interactive ? (done: number, total: number) => io.stderr.write(`\rresolving ${done}/${total}${done === total ? '\n' : ''}`) : undefined;
    outcomes = await resolveTargets(targets, (ref, o) => client.resolveTag(ref, o), { concurrency: opts.concurrency, platformFor, ...(progress ? { onProgress: progress } : {}) });
  } finally {
    await client.close();
  }

  const failures = outcomes.filter((o) => !o.ok).map((o) => describeFailure(o as TagOutcome & { ok: false }));
  const report: ImportReport = {
    lockfile: opts.lockfile,
    created: false,
    dryRun: opts.dryRun,
    written: false,
    changes: [],
    failures,
    skipped,
    stats: { tags: targets.length, ...client.stats },
  };
  for (const f of failures) {
    io.stderr.write(`error: ${targetLabel(f, opts.namespace)} (from ${f.from}): ${f.message}\n`);
  }
  let updatedWithoutNewGenerations = false;
  if (targets.length > 0 && (failures.length === 0 || opts.keepGoing)) {
    const created = formatCreated(io.now());
    const result = await updateLockfile(
      lockPath,
      (lock) => {
        const applied = applyImport(lock, outcomes, { created });
        report.changes = applied.changes;
        return applied.lock;
      },
      { dryRun: opts.dryRun, known },
    );
    report.written = result.written;
    report.created = result.written && !known.exists;
    updatedWithoutNewGenerations = result.changed && report.changes.length === 0;
    if (opts.commit && result.written) report.commit = await commitFile(lockPath, commitMessage(report.changes, opts.namespace), io.env);
  } else if (failures.length > 0) {
    io.stderr.write(`streamlock: ${opts.lockfile} not written: ${failures.length} of ${targets.length} tag${targets.length === 1 ? '' : 's'} failed (--keep-going records the others)\n`);
  }

  if (opts.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else if (failures.length === 0 || opts.keepGoing) {
    const lines = report.changes.map((c) => formatChange(c, opts.namespace));
    // A platform digest added to an existing event changes the file but makes no new generation.
    const none = updatedWithoutNewGenerations ? 'no new generations (platform digests recorded)' : 'no changes';
    io.stdout.write(lines.length > 0 ? `${lines.join('\n')}\n` : `${none}\n`);
    if (report.commit) io.stdout.write(`committed ${opts.lockfile} as ${report.commit}\n`);
  }
  if (failures.length > 0) {
    const registry = outcomes.some((o) => !o.ok && isRegistryFailure(o.error));
    throw new ExitError(registry ? EXIT_REGISTRY : EXIT_INVALID);
  }
  return report;
}

function isRegistryFailure(e: unknown): boolean {
  return isCodedError(e) && e.exitCode === EXIT_REGISTRY;
}

function describeFailure(o: TagOutcome & { ok: false }): ImportReport['failures'][number] {
  const e = o.error as { code?: unknown; registry?: unknown; status?: unknown; hint?: unknown };
  return {
    namespace: o.target.namespace,
    stream: o.target.stream,
    tag: o.target.tag,
    from: o.target.from,
    code: typeof e?.code === 'string' ? e.code : 'REGISTRY_NETWORK',
    message: describeError(o.error),
    ...(typeof e?.registry === 'string' ? { registry: e.registry } : { registry: o.target.ref.registry }),
    ...(typeof e?.status === 'number' ? { status: e.status } : {}),
    ...(typeof e?.hint === 'string' ? { hint: e.hint } : {}),
  };
}

/** Every ImageStream in the given files, directories (recursive) and stdin (`-`). */
async function readImageStreams(paths: readonly string[], io: CliIO, lockPath: string, defaultNamespace: string): Promise<ImageStreamInfo[]> {
  const docs = await readManifests(paths, { cwd: io.cwd, stdin: io.stdin, skip: new Set([lockPath]) });
  const streams: ImageStreamInfo[] = [];
  for (const d of docs) collectStreams(documentData(d), d.file, defaultNamespace, streams);
  return streams;
}

function collectStreams(obj: unknown, file: string, defaultNamespace: string, out: ImageStreamInfo[]): void {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return;
  const o = obj as Record<string, unknown>;
  if ((o.kind === 'List' || o.kind === 'ImageStreamList') && Array.isArray(o.items)) {
    for (const item of o.items) collectStreams(item, file, defaultNamespace, out);
    return;
  }
  if (!isImageStream(o)) return;
  try {
    const is = readImageStream(o, defaultNamespace, file);
    // Check sources here, where the file is known (selectImportTargets would say only the stream).
    for (const tag of is.tags.values()) {
      if (tag.from?.kind !== 'DockerImage' || tag.reference) continue;
      try {
        parseImageRef(tag.from.name);
      } catch (e) {
        throw new StreamlockError('IMAGESTREAM_INVALID', `${file}: ImageStream ${is.name}: tag ${tag.name}: from.name: ${describeError(e)}`, { location: { file } });
      }
    }
    out.push(is);
  } catch (e) {
    if (e instanceof StreamlockError && !e.message.startsWith(file)) {
      throw new StreamlockError(e.code, `${file}: ${e.message}`, { cause: e, location: { ...e.location, file } });
    }
    throw e;
  }
}

/** One rollout line as the subject; several: a count as the subject and every line below it. */
function commitMessage(changes: readonly TagChange[], namespace: string | undefined): string {
  const lines = changes.map((c) => formatChange(c, namespace));
  if (lines.length === 1) return lines[0]!;
  if (lines.length === 0) return 'streamlock import: platform digests recorded';
  return `streamlock import: ${lines.length} tags moved\n\n${lines.join('\n')}`;
}
