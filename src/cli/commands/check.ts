/**
 * `streamlock check [PATH...]`: for pre-commit and CI. Runs the function over the manifests and
 * adds what a function cannot see: stale locks, broken aliases, floating images, and with
 * --remote whether the registries still have the locked digests. Prints `file:line: severity: message`.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { StreamlockError, describeError, isStreamlockError } from '../../errors.js';
import { transform } from '../../fn/transform.js';
import { parseImageRef } from '../../image-ref.js';
import { isImageStream, readImageStream } from '../../imagestreams.js';
import { parseResourceList, toPlain } from '../../krm/resource-list.js';
import type { Finding } from '../../lifecycle/consistency.js';
import { checkLockAliases, checkStreamAgainstLock, findFloatingImages } from '../../lifecycle/consistency.js';
import { describeWorkload } from '../../lifecycle/trigger-update.js';
import type { Lock } from '../../lockfile/format.js';
import { DEFAULT_LOCKFILE, displayStream } from '../../lockfile/format.js';
import { currentEvent } from '../../lockfile/history.js';
import { readLockfile } from '../../lockfile/store.js';
import type { ManifestDocument } from '../../manifests.js';
import { documentData, isEmptyDocument, isResourceDocument, lineOfField, readManifests } from '../../manifests.js';
import { EXIT_INVALID, EXIT_REGISTRY, ExitError } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import type { OutputFormat } from '../output.js';
import { parseOutputFormat, writeJson } from '../output.js';

interface RawOptions {
  lockfile?: string;
  namespace?: string;
  strict?: boolean;
  remote?: boolean;
  caFile?: string;
  insecureRegistry: string[];
  output?: string;
}

export interface CheckOptions {
  readonly paths: readonly string[];
  readonly lockfile: { readonly path: string; readonly required: boolean };
  readonly namespace: string;
  readonly strict: boolean;
  readonly remote: boolean;
  readonly caFile: string | undefined;
  readonly insecureRegistries: readonly string[];
  readonly output: OutputFormat;
}

export interface Problem {
  readonly file?: string;
  readonly line?: number;
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly message: string;
}

export interface CheckReport {
  readonly ok: boolean;
  readonly files: number;
  readonly resources: number;
  readonly problems: readonly Problem[];
  /** Set with --remote: digests asked for, and registry failures (exit 3). */
  readonly remote?: { readonly checked: number; readonly missing: number; readonly failures: number };
}

const PATH_ANNOTATION = 'internal.config.kubernetes.io/path';
const INDEX_ANNOTATION = 'internal.config.kubernetes.io/index';
const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function register(program: Command, io: CliIO): void {
  program
    .command('check')
    .description('check manifests and the lock (for pre-commit and CI): triggers resolve, the lock is current, images are pinned; exit 1 on errors')
    .argument('[paths...]', 'manifest files or directories (recursive *.yaml, *.yml, *.json), - for stdin', ['.'])
    .option('--lockfile <file>', `the lockfile (default: ${DEFAULT_LOCKFILE} when it exists)`)
    .option('-n, --namespace <ns>', 'namespace of resources that name none')
    .option('--strict', 'floating images (no digest, no trigger) are errors, not warnings')
    .option('--remote', 'also ask the registries that every locked digest still exists (exit 3 when a registry fails)')
    .option('--ca-file <file>', 'extra CA certificates (PEM) for --remote')
    .option('--insecure-registry <host>', 'allow plain HTTP or unverified TLS for this registry with --remote; repeatable', collect, [])
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (paths: string[], raw: RawOptions) => {
      const options: CheckOptions = {
        paths: paths.length > 0 ? paths : ['.'],
        lockfile: { path: raw.lockfile ?? DEFAULT_LOCKFILE, required: raw.lockfile !== undefined },
        namespace: raw.namespace ?? '',
        strict: !!raw.strict,
        remote: !!raw.remote,
        caFile: raw.caFile,
        insecureRegistries: raw.insecureRegistry,
        output: parseOutputFormat(raw.output),
      };
      const report = await runCheck(options, io);
      if (options.output === 'json') writeJson(io.stdout, report);
      else io.stdout.write(formatCheck(report));
      if (report.remote && report.remote.failures > 0) throw new ExitError(EXIT_REGISTRY);
      if (!report.ok) throw new ExitError(EXIT_INVALID);
    });
}

function docKey(path: string, index: number): string {
  return `${path}\u0000${index}`;
}

function annotated(d: ManifestDocument): Record<string, unknown> {
  const obj = { ...(documentData(d) as Record<string, unknown>) };
  const md = { ...((obj.metadata as Record<string, unknown> | undefined) ?? {}) };
  md.annotations = { ...((md.annotations as Record<string, unknown> | undefined) ?? {}), [PATH_ANNOTATION]: d.file, [INDEX_ANNOTATION]: String(d.index) };
  obj.metadata = md;
  return obj;
}

function fromFinding(d: ManifestDocument, f: Finding): Problem {
  return { file: d.file, line: lineOfField(d, f.field), severity: f.severity, code: f.code, message: f.message };
}

export async function runCheck(options: CheckOptions, io: CliIO): Promise<CheckReport> {
  const lockPath = resolve(io.cwd, options.lockfile.path);
  let lockText: string | undefined;
  try {
    lockText = await readFile(lockPath, 'utf8');
  } catch {
    if (options.lockfile.required) throw new StreamlockError('LOCK_NOT_FOUND', `lockfile ${options.lockfile.path} does not exist`);
  }
  const docs = (await readManifests(options.paths, { cwd: io.cwd, stdin: io.stdin, skip: new Set([lockPath]) })).filter((d) => !isEmptyDocument(d) && isResourceDocument(d));
  const byKey = new Map(docs.map((d) => [docKey(d.file, d.index), d]));
  const problems: Problem[] = [];

  // 1. The function itself, over a ResourceList of the manifests.
  const list = stringify({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: docs.map(annotated) }, { lineWidth: 0 });
  const out = transform(list, {
    readFile: (path) => {
      if (resolve(io.cwd, path) === lockPath && lockText !== undefined) return lockText;
      throw Object.assign(new Error(`${path}: not found`), { code: 'ENOENT' });
    },
    overrides: { ...(lockText !== undefined ? { lockfile: options.lockfile.path } : {}), namespace: options.namespace },
  });
  for (const r of out.results) {
    if (r.severity === 'info') continue;
    const d = r.file ? byKey.get(docKey(r.file.path, r.file.index ?? 0)) : undefined;
    problems.push({
      ...(d ? { file: d.file, line: lineOfField(d, r.field?.path) } : r.file ? { file: r.file.path } : {}),
      severity: r.severity,
      code: r.tags?.code ?? 'ERROR',
      message: r.message,
    });
  }

  // 2. The lock against the ImageStreams, and its aliases.
  let lock: Lock | undefined;
  if (lockText !== undefined) {
    try {
      lock = (await readLockfile(lockPath)).lock;
    } catch {
      lock = undefined; // the function reported it
    }
  }
  if (lock) {
    for (const f of checkLockAliases(lock, options.lockfile.path)) problems.push({ file: options.lockfile.path, severity: f.severity, code: f.code, message: f.message });
  }
  for (const d of docs) {
    const obj = documentData(d) as Record<string, unknown>;
    if (!isImageStream(obj)) continue;
    try {
      const info = readImageStream(obj, options.namespace, d.file);
      for (const f of checkStreamAgainstLock(obj, info, lock ?? { streams: [] }, options.lockfile.path)) problems.push(fromFinding(d, f));
    } catch (e) {
      if (!isStreamlockError(e)) throw e; // reported by the function
    }
  }

  // 3. Floating images: in the function's output when it succeeded, else in the input.
  const severity = options.strict ? 'error' : 'warning';
  const objects: Array<{ d: ManifestDocument; obj: Record<string, unknown> }> = [];
  if (out.ok) {
    const resolved = parseResourceList(out.text, { whole: true });
    for (let i = 0; i < resolved.count; i++) {
      const { node, doc } = resolved.item(i);
      const obj = toPlain(node, doc) as Record<string, unknown>;
      const a = ((obj.metadata as Record<string, unknown> | undefined)?.annotations ?? {}) as Record<string, unknown>;
      const d = byKey.get(docKey(String(a[PATH_ANNOTATION]), Number(a[INDEX_ANNOTATION] ?? 0)));
      if (d) objects.push({ d, obj });
    }
  } else {
    for (const d of docs) objects.push({ d, obj: documentData(d) as Record<string, unknown> });
  }
  for (const { d, obj } of objects) {
    for (const f of findFloatingImages(obj, severity)) problems.push(fromFinding(d, { ...f, message: `${describeWorkload(obj)}: ${f.message}` }));
  }

  // 4. --remote: every locked digest.
  let remote: CheckReport['remote'];
  if (options.remote && lock) {
    const r = await checkRemote(lock, options, io);
    problems.push(...r.problems);
    remote = { checked: r.checked, missing: r.missing, failures: r.failures };
  }

  problems.sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0));
  const files = new Set(docs.map((d) => d.file)).size;
  return { ok: !problems.some((p) => p.severity === 'error'), files, resources: docs.length, problems, ...(remote ? { remote } : {}) };
}

async function checkRemote(lock: Lock, options: CheckOptions, io: CliIO): Promise<{ problems: Problem[]; checked: number; missing: number; failures: number }> {
  // One request per distinct pull spec; the generation in use is an error when gone, older ones a warning.
  const refs = new Map<string, { inUse: string[]; older: string[] }>();
  for (const s of lock.streams) {
    for (const t of s.tags) {
      const current = currentEvent(t);
      for (const e of t.items) {
        const entry = refs.get(e.dockerImageReference) ?? { inUse: [], older: [] };
        (e === current ? entry.inUse : entry.older).push(`${displayStream(s)}:${t.tag} generation ${e.generation}`);
        refs.set(e.dockerImageReference, entry);
      }
    }
  }
  // Loaded on demand: the HTTP stack is most of the CLI's size, and only registry commands need it.
  const { createRegistryClient, loadCredentialStore } = await import('../../registry/connect.js');
  const client = createRegistryClient({
    credentials: loadCredentialStore({ env: io.env, homedir: io.env.HOME || homedir(), pullSecretFiles: [] }),
    ...(options.caFile ? { caFile: resolve(io.cwd, options.caFile) } : {}),
    insecureRegistries: [...options.insecureRegistries],
  });
  const problems: Problem[] = [];
  let missing = 0;
  let failures = 0;
  const file = options.lockfile.path;
  try {
    await Promise.all(
      [...refs].map(async ([ref, used]) => {
        try {
          if (await client.manifestExists(parseImageRef(ref))) return;
          missing++;
          if (used.inUse.length > 0) problems.push({ file, severity: 'error', code: 'IMAGE_NOT_FOUND', message: `${ref} (${used.inUse.join(', ')}, in use) no longer exists in its registry` });
          else problems.push({ file, severity: 'warning', code: 'IMAGE_NOT_FOUND', message: `${ref} (${used.older.join(', ')}) no longer exists in its registry; rolling back to it would fail` });
        } catch (e) {
          failures++;
          const code = (e as { code?: unknown }).code;
          problems.push({ file, severity: 'error', code: typeof code === 'string' ? code : 'REGISTRY_ERROR', message: `cannot check ${ref}: ${describeError(e)}` });
        }
      }),
    );
  } finally {
    await client.close();
  }
  return { problems, checked: refs.size, missing, failures };
}

export function formatCheck(report: CheckReport): string {
  const lines = report.problems.map((p) => `${p.file ? `${p.file}${p.line ? `:${p.line}` : ''}: ` : ''}${p.severity}: ${p.message}`);
  const errors = report.problems.filter((p) => p.severity === 'error').length;
  const warnings = report.problems.length - errors;
  const remote = report.remote ? `, ${report.remote.checked} locked image${report.remote.checked === 1 ? '' : 's'} checked in registries` : '';
  lines.push(
    `${errors === 0 ? 'ok' : 'failed'}: ${report.resources} resource${report.resources === 1 ? '' : 's'} in ${report.files} file${report.files === 1 ? '' : 's'}${remote}; ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`,
  );
  return `${lines.join('\n')}\n`;
}
