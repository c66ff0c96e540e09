/**
 * `streamlock set-triggers FILE...` (like `oc set triggers`): writes the image.openshift.io/triggers
 * annotation of the workloads in manifest files, changing only that annotation's text; without a
 * trigger flag it lists the triggers.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Node, Pair, YAMLMap } from 'yaml';
import { isMap, isScalar } from 'yaml';
import { StreamlockError } from '../../errors.js';
import { TextEditor, removeAnnotation, setAnnotations } from '../../krm/text-edit.js';
import type { FromImage, TriggerRequest } from '../../lifecycle/trigger-update.js';
import { describeWorkload, planTriggerUpdate, readTriggers, triggerContainer, workloadContainers } from '../../lifecycle/trigger-update.js';
import { parseStreamTag } from '../../lifecycle/stream-tag.js';
import { writeAtomic } from '../../lockfile/store.js';
import type { ManifestDocument } from '../../manifests.js';
import { documentData, parseManifests } from '../../manifests.js';
import { TRIGGERS_ANNOTATION } from '../../triggers.js';
import { workloadKind } from '../../workloads.js';
import type { CliIO } from '../io.js';
import type { OutputFormat } from '../output.js';
import { formatTable, parseOutputFormat, writeJson } from '../output.js';

interface RawOptions {
  fromImage?: string;
  containers?: string;
  auto?: boolean;
  manual?: boolean;
  remove?: boolean;
  removeAll?: boolean;
  namespace?: string;
  name: string[];
  dryRun?: boolean;
  output?: string;
}

export interface SetTriggersOptions {
  readonly files: readonly string[];
  /** undefined: list the triggers. */
  readonly request: TriggerRequest | undefined;
  /** `name` or `kind/name` selectors; empty: every workload in the files. */
  readonly names: readonly string[];
  readonly dryRun: boolean;
  readonly output: OutputFormat;
}

export interface WorkloadTriggers {
  readonly file: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly triggers: ReadonlyArray<{ from: string; namespace?: string; container: string | undefined; fieldPath: string; paused: boolean }>;
}

export interface SetTriggersReport {
  readonly resources: ReadonlyArray<{ file: string; kind: string; resource: string; changed: boolean; notes: readonly string[] }>;
  readonly filesWritten: readonly string[];
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function register(program: Command, io: CliIO): void {
  program
    .command('set-triggers')
    .description('add, update or remove image.openshift.io/triggers on workloads in manifest files (like oc set triggers); without trigger flags, list them')
    .argument('<files...>', 'manifest files (multi-document YAML is fine)')
    .option('--from-image <stream:tag>', 'the image stream tag to follow ([NAMESPACE/]STREAM:TAG)')
    .option('-c, --containers <names>', 'containers the trigger sets, comma separated (required with --from-image)')
    .option('--auto', 'triggers update the image (the default with --from-image; alone: resume all triggers)')
    .option('--manual', 'triggers are paused (alone: pause all triggers)')
    .option('--remove', 'with --from-image: remove the triggers from that tag')
    .option('--remove-all', 'remove every trigger')
    .option('-n, --namespace <ns>', 'namespace of the image stream, when it is not the workload\'s')
    .option('--name <[kind/]name>', 'only these workloads of the files; repeatable', collect, [])
    .option('--dry-run', 'report, write nothing')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (files: string[], raw: RawOptions) => {
      const options = parseOptions(files, raw);
      if (!options.request) {
        const listed = await listTriggers(options, io);
        if (options.output === 'json') writeJson(io.stdout, listed);
        else io.stdout.write(formatTriggerTable(listed));
        return;
      }
      const report = await runSetTriggers(options, io);
      if (options.output === 'json') writeJson(io.stdout, report);
      else io.stdout.write(formatSetTriggers(report, options.dryRun));
    });
}

export function parseOptions(files: readonly string[], raw: RawOptions): SetTriggersOptions {
  const usage = (m: string) => new StreamlockError('USAGE', m);
  if (raw.auto && raw.manual) throw usage('--auto and --manual cannot be combined');
  if (raw.remove && raw.removeAll) throw usage('--remove and --remove-all cannot be combined');
  const containers = raw.containers === undefined ? [] : raw.containers.split(',').map((c) => c.trim()).filter(Boolean);
  if (raw.containers !== undefined && containers.length === 0) throw usage('--containers needs at least one container name');
  let from: FromImage | undefined;
  if (raw.fromImage !== undefined) {
    if (raw.fromImage.includes('@') || /^[^/]*[.:][^/]*\//.test(raw.fromImage)) throw usage(`--from-image takes an image stream tag [NAMESPACE/]STREAM:TAG, not a registry image or digest (${raw.fromImage})`);
    const p = parseStreamTag(raw.fromImage, '--from-image', { requireTag: true, namespace: raw.namespace });
    from = { namespace: p.namespace, stream: p.stream, tag: p.tag! };
  } else if (raw.namespace !== undefined) {
    throw usage('--namespace names the namespace of --from-image; give --from-image too');
  }
  let request: TriggerRequest | undefined;
  if (raw.removeAll) {
    if (from || raw.auto || raw.manual) throw usage('--remove-all takes no --from-image, --auto or --manual');
    request = { kind: 'remove-all' };
  } else if (raw.remove) {
    if (!from) throw usage('--remove needs --from-image (or use --remove-all)');
    if (raw.auto || raw.manual) throw usage('--remove takes no --auto or --manual');
    request = { kind: 'remove', from, containers };
  } else if (from) {
    if (containers.length === 0) throw usage('you must specify --containers when setting --from-image');
    request = { kind: 'set', from, containers, paused: !!raw.manual };
  } else if (raw.auto || raw.manual) {
    if (containers.length > 0) throw usage('--containers needs --from-image');
    request = { kind: 'pause', paused: !!raw.manual };
  } else if (containers.length > 0) {
    throw usage('--containers needs --from-image');
  }
  for (const n of raw.name) {
    if (!/^([A-Za-z]+\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(n)) throw usage(`--name "${n}" is not NAME or KIND/NAME`);
  }
  return { files, request, names: raw.name, dryRun: !!raw.dryRun, output: parseOutputFormat(raw.output) };
}

const SHORT_KINDS: Readonly<Record<string, string>> = {
  deploy: 'deployment', deployments: 'deployment', sts: 'statefulset', statefulsets: 'statefulset', ds: 'daemonset', daemonsets: 'daemonset',
  cj: 'cronjob', cronjobs: 'cronjob', jobs: 'job', po: 'pod', pods: 'pod', rs: 'replicaset', replicasets: 'replicaset',
};

function selected(obj: Record<string, unknown>, names: readonly string[]): boolean {
  if (names.length === 0) return true;
  const name = String((obj.metadata as Record<string, unknown> | undefined)?.name ?? '');
  const kind = String(obj.kind).toLowerCase();
  return names.some((n) => {
    const slash = n.indexOf('/');
    if (slash < 0) return n === name;
    const k = n.slice(0, slash).toLowerCase();
    return (SHORT_KINDS[k] ?? k) === kind && n.slice(slash + 1) === name;
  });
}

interface FileWorkloads {
  readonly file: string;
  readonly path: string;
  readonly text: string;
  readonly workloads: ReadonlyArray<{ doc: ManifestDocument; obj: Record<string, unknown> }>;
}

async function readWorkloads(options: SetTriggersOptions, io: CliIO): Promise<FileWorkloads[]> {
  const out: FileWorkloads[] = [];
  for (const file of options.files) {
    const path = resolve(io.cwd, file);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      throw new StreamlockError('USAGE', `${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const workloads = [];
    for (const doc of parseManifests(text, file, path)) {
      if (!isMap(doc.doc.contents)) continue;
      const obj = documentData(doc) as Record<string, unknown>;
      if (!workloadKind(obj.kind) || !selected(obj, options.names)) continue;
      workloads.push({ doc, obj });
    }
    out.push({ file, path, text, workloads });
  }
  const total = out.reduce((n, f) => n + f.workloads.length, 0);
  if (total === 0) {
    const what = options.names.length > 0 ? ` named ${options.names.join(', ')}` : '';
    throw new StreamlockError('USAGE', `no workload (Deployment, StatefulSet, DaemonSet, CronJob, Job, Pod, …)${what} in ${options.files.join(', ')}`);
  }
  return out;
}

/** Edits every selected workload; nothing is written unless every one of them could be edited. */
export async function runSetTriggers(options: SetTriggersOptions, io: CliIO): Promise<SetTriggersReport> {
  const request = options.request!;
  const files = await readWorkloads(options, io);
  const resources: Array<{ file: string; kind: string; resource: string; changed: boolean; notes: readonly string[] }> = [];
  const writes: Array<{ path: string; file: string; text: string }> = [];
  for (const f of files) {
    const editor = new TextEditor(f.text);
    for (const { doc, obj } of f.workloads) {
      const resource = describeWorkload(obj);
      const update = planTriggerUpdate(obj, request, `${f.file}:${doc.line}: ${resource}`);
      resources.push({ file: f.file, kind: String(obj.kind), resource, changed: update.changed, notes: update.notes });
      if (!update.changed) continue;
      const node = doc.doc.contents as YAMLMap;
      if (update.value === undefined) removeTriggers(editor, f.text, node);
      else setAnnotations(editor, f.text, node, [[TRIGGERS_ANNOTATION, update.value]]);
    }
    if (editor.size > 0) writes.push({ path: f.path, file: f.file, text: editor.apply() });
  }
  for (const w of writes) {
    // A splice must leave valid YAML behind; check before touching the file.
    parseManifests(w.text, w.file, w.path);
  }
  if (!options.dryRun) for (const w of writes) await writeAtomic(w.path, w.text);
  for (const r of resources) {
    if (r.changed && workloadKind(r.kind)?.watchedByOpenShift === false) {
      io.stderr.write(`warning: ${r.file}: ${r.resource}: OpenShift itself does not watch this kind's triggers; streamlock render and fn resolve them\n`);
    }
  }
  return { resources, filesWritten: options.dryRun ? [] : writes.map((w) => w.file) };
}

/**
 * Removes the triggers annotation; when it is the only annotation of a block mapping, the whole
 * `annotations:` entry goes (rather than leaving `annotations: {}` behind).
 */
function removeTriggers(editor: TextEditor, text: string, item: YAMLMap): void {
  const metadata = item.get('metadata', true);
  const annotations = isMap(metadata) ? metadata.get('annotations', true) : undefined;
  if (!isMap(metadata) || !isMap(annotations) || annotations.items.length !== 1 || metadata.flow || annotations.flow || metadata.items.length < 2) {
    removeAnnotation(editor, text, item, TRIGGERS_ANNOTATION);
    return;
  }
  const at = metadata.items.findIndex((p) => isScalar(p.key) && p.key.value === 'annotations');
  const pair = metadata.items[at] as Pair<Node, Node>;
  const lineStart = (offset: number) => text.lastIndexOf('\n', offset - 1) + 1;
  const start = lineStart(pair.key.range![0]);
  const next = metadata.items[at + 1] as Pair<Node, Node> | undefined;
  const end = next ? lineStart(next.key.range![0]) : annotations.range![2];
  editor.replace(start, end, '');
}

export function formatSetTriggers(report: SetTriggersReport, dryRun: boolean): string {
  return report.resources
    .map((r) => {
      const state = r.changed ? (dryRun ? 'triggers would be updated (dry run)' : 'triggers updated') : 'triggers unchanged';
      return `${r.file}: ${r.resource}: ${state}${r.notes.length > 0 ? ` (${r.notes.join('; ')})` : ''}\n`;
    })
    .join('');
}

export async function listTriggers(options: SetTriggersOptions, io: CliIO): Promise<WorkloadTriggers[]> {
  const files = await readWorkloads(options, io);
  const out: WorkloadTriggers[] = [];
  for (const f of files) {
    for (const { doc, obj } of f.workloads) {
      const md = (obj.metadata ?? {}) as Record<string, unknown>;
      const containers = workloadContainers(obj);
      const triggers = readTriggers(obj, `${f.file}:${doc.line}: ${describeWorkload(obj)}`).map((t) => ({
        from: `${t.stream}:${t.tag}`,
        ...(t.namespace ? { namespace: t.namespace } : {}),
        container: triggerContainer(t, obj, containers)?.name,
        fieldPath: t.fieldPath,
        paused: t.paused,
      }));
      out.push({
        file: f.file,
        kind: String(obj.kind),
        name: String(md.name ?? ''),
        ...(typeof md.namespace === 'string' && md.namespace ? { namespace: md.namespace } : {}),
        triggers,
      });
    }
  }
  return out;
}

/** oc's table: NAME TYPE VALUE AUTO, one row per trigger. */
export function formatTriggerTable(list: readonly WorkloadTriggers[]): string {
  const rows = list.flatMap((w) =>
    w.triggers.map((t) => [
      `${w.kind.toLowerCase()}s/${w.name}`,
      'image',
      `${t.namespace ? `${t.namespace}/` : ''}${t.from} (${t.container ?? `no container: ${t.fieldPath}`})`,
      String(!t.paused),
    ]),
  );
  if (rows.length === 0) return 'no triggers\n';
  return formatTable(['NAME', 'TYPE', 'VALUE', 'AUTO'], rows);
}
