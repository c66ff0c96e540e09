/**
 * What `streamlock set-triggers` does to one workload's `image.openshift.io/triggers` value, as
 * `oc set triggers` does it: add or update one trigger per container, pause or resume, remove.
 * Pure: the workload's plain data in, the new annotation value (or none) out.
 */
import { StreamlockError } from '../errors.js';
import { formatFieldPath, parseFieldPath } from '../field-path.js';
import type { Trigger } from '../triggers.js';
import { TRIGGERS_ANNOTATION, formatTriggers, parseTriggers } from '../triggers.js';
import type { ContainerList } from '../workloads.js';
import { CONTAINER_LISTS, workloadKind } from '../workloads.js';

export interface FromImage {
  readonly namespace: string | undefined;
  readonly stream: string;
  readonly tag: string;
}

export type TriggerRequest =
  | { readonly kind: 'set'; readonly from: FromImage; readonly containers: readonly string[]; readonly paused: boolean }
  | { readonly kind: 'pause'; readonly paused: boolean }
  | { readonly kind: 'remove'; readonly from: FromImage; readonly containers: readonly string[] }
  | { readonly kind: 'remove-all' };

export interface WorkloadContainer {
  readonly list: ContainerList;
  readonly index: number;
  readonly name: string;
}

export interface TriggerUpdate {
  /** The new annotation value; undefined: no annotation. */
  readonly value: string | undefined;
  readonly changed: boolean;
  readonly notes: readonly string[];
}

type Entry = { stream: string; tag: string; namespace: string | undefined; fieldPath: string; paused: boolean };

function rec(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** `Deployment myapp` (with `ns/` when the object names a namespace). */
export function describeWorkload(obj: Record<string, unknown>): string {
  const md = rec(obj.metadata) ?? {};
  return `${String(obj.kind)} ${typeof md.namespace === 'string' && md.namespace ? `${md.namespace}/` : ''}${String(md.name ?? '<no name>')}`;
}

/** The containers of a workload's pod spec, init containers first (the order of CONTAINER_LISTS). */
export function workloadContainers(obj: Record<string, unknown>): WorkloadContainer[] {
  const kind = workloadKind(obj.kind);
  if (!kind) return [];
  let spec: unknown = obj;
  for (const key of kind.podSpecPath) spec = rec(spec)?.[key];
  const out: WorkloadContainer[] = [];
  for (const list of CONTAINER_LISTS) {
    const items = rec(spec)?.[list];
    if (!Array.isArray(items)) continue;
    items.forEach((c, index) => {
      const name = rec(c)?.name;
      if (typeof name === 'string') out.push({ list, index, name });
    });
  }
  return out;
}

/** The existing triggers, or a StreamlockError when the value cannot be edited safely. */
export function readTriggers(obj: Record<string, unknown>, where: string): Trigger[] {
  const raw = rec(rec(obj.metadata)?.annotations)?.[TRIGGERS_ANNOTATION];
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'string') throw new StreamlockError('TRIGGER_INVALID', `${where}: ${TRIGGERS_ANNOTATION} must be a string; fix it by hand or use --remove-all`);
  const { triggers, problems } = parseTriggers(raw);
  const bad = problems.find((p) => p.severity === 'error');
  if (bad) {
    throw new StreamlockError(bad.code, `${where}: ${TRIGGERS_ANNOTATION}${bad.index === undefined ? '' : ` trigger ${bad.index}`}: ${bad.message}; fix it by hand or use --remove-all`);
  }
  return triggers;
}

/** The container a trigger's fieldPath selects, if any. */
export function triggerContainer(t: { fieldPath: string }, obj: Record<string, unknown>, containers: readonly WorkloadContainer[]): WorkloadContainer | undefined {
  const kind = workloadKind(obj.kind);
  if (!kind) return undefined;
  const p = parseFieldPath(t.fieldPath, kind.podSpecPath, String(obj.kind));
  if (!p.ok) return undefined;
  const sel = p.value.selector;
  return sel.by === 'name' ? containers.find((c) => c.name === sel.name) : containers.find((c) => c.list === p.value.list && c.index === sel.index);
}

function sameFrom(a: { stream: string; tag: string; namespace: string | undefined }, b: FromImage, workloadNs: string | undefined): boolean {
  return a.stream === b.stream && a.tag === b.tag && (a.namespace ?? workloadNs ?? '') === (b.namespace ?? workloadNs ?? '');
}

function fromName(f: { stream: string; tag: string; namespace: string | undefined }): string {
  return `${f.namespace ? `${f.namespace}/` : ''}${f.stream}:${f.tag}`;
}

export function planTriggerUpdate(obj: Record<string, unknown>, request: TriggerRequest, where: string): TriggerUpdate {
  const kind = workloadKind(obj.kind);
  if (!kind) throw new StreamlockError('TRIGGER_UNSUPPORTED_KIND', `${where}: kind ${String(obj.kind)} has no pod spec, so it cannot have image triggers`);
  const md = rec(obj.metadata) ?? {};
  const workloadNs = typeof md.namespace === 'string' && md.namespace ? md.namespace : undefined;
  const raw = rec(md.annotations)?.[TRIGGERS_ANNOTATION];
  if (request.kind === 'remove-all') {
    return { value: undefined, changed: raw !== undefined, notes: raw === undefined ? ['no triggers to remove'] : [] };
  }
  const existing = readTriggers(obj, where);
  const containers = workloadContainers(obj);
  let entries: Entry[] = existing.map((t) => ({ stream: t.stream, tag: t.tag, namespace: t.namespace, fieldPath: t.fieldPath, paused: t.paused }));
  const notes: string[] = [];

  const requireContainers = (names: readonly string[]) => {
    for (const n of names) {
      if (!containers.some((c) => c.name === n)) {
        const valid = containers.map((c) => (c.list === 'initContainers' ? `${c.name} (init)` : c.name));
        throw new StreamlockError('FIELDPATH_NO_MATCH', `${where}: no container "${n}" (containers: ${valid.join(', ') || 'none'})`);
      }
    }
  };

  if (request.kind === 'pause') {
    entries = entries.map((e) => ({ ...e, paused: request.paused }));
    if (entries.length === 0) notes.push('no triggers to ' + (request.paused ? 'pause' : 'resume'));
  } else if (request.kind === 'remove') {
    requireContainers(request.containers);
    const before = entries.length;
    // As oc: the namespace is not compared when removing.
    entries = entries.filter((e) => {
      if (e.stream !== request.from.stream || e.tag !== request.from.tag) return true;
      if (request.containers.length === 0) return false;
      const c = triggerContainer(e, obj, containers);
      return !(c && request.containers.includes(c.name));
    });
    if (entries.length === before) notes.push(`no trigger from ${request.from.stream}:${request.from.tag}${request.containers.length > 0 ? ` on ${request.containers.join(', ')}` : ''}`);
  } else {
    requireContainers(request.containers);
    const from = { ...request.from, namespace: request.from.namespace === workloadNs ? undefined : request.from.namespace };
    for (const name of request.containers) {
      const c = containers.find((x) => x.name === name)!;
      const at = entries.findIndex((e) => triggerContainer(e, obj, containers) === c);
      const fresh: Entry = { ...from, fieldPath: formatFieldPath(kind.podSpecPath, c.list, c.name), paused: request.paused };
      if (at < 0) {
        entries.push(fresh);
        continue;
      }
      const old = entries[at]!;
      if (sameFrom(old, request.from, workloadNs)) {
        entries[at] = { ...old, paused: request.paused };
      } else {
        // One trigger per container: the new source replaces the old one.
        notes.push(`container ${name} followed ${fromName(old)}; now ${fromName(from)}`);
        entries[at] = fresh;
      }
    }
  }

  const same =
    entries.length === existing.length &&
    entries.every((e, i) => {
      const o = existing[i]!;
      return e.stream === o.stream && e.tag === o.tag && e.namespace === o.namespace && e.fieldPath === o.fieldPath && e.paused === o.paused;
    });
  if (same) return { value: typeof raw === 'string' ? raw : undefined, changed: false, notes };
  if (entries.length === 0) return { value: undefined, changed: raw !== undefined, notes };
  return { value: formatTriggers(entries), changed: true, notes };
}
