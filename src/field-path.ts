/**
 * OpenShift's trigger fieldPath, parsed strictly.
 *
 * OpenShift accepts a small grammar, not JSONPath: `<podSpecPath>.containers[<selector>].image`
 * with a selector of `?(@.name=="NAME")` or a decimal index. It is lenient about half-written
 * selectors (`[?(@.name=="web]`) and silently skips paths for another kind; streamlock accepts
 * only the exact forms `oc set triggers` writes (plus indexes) and reports everything else, so a
 * broken trigger fails in CI instead of drifting in production. Nothing here evaluates the path.
 */
import type { ContainerList } from './workloads.js';

export type ContainerSelector = { readonly by: 'name'; readonly name: string } | { readonly by: 'index'; readonly index: number };

export interface ParsedFieldPath {
  readonly list: ContainerList;
  readonly selector: ContainerSelector;
}

export type FieldPathProblem =
  | { readonly code: 'TRIGGER_WRONG_KIND_PATH'; readonly reason: string }
  | { readonly code: 'FIELDPATH_REJECTED'; readonly reason: string };

export const MAX_FIELDPATH_LENGTH = 512;
/** Kubernetes container names are DNS-1123 labels. */
const CONTAINER_NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const BODY_RE = /^(containers|initContainers)\[([^\]]*)\]\.image$/;
const NAME_SELECTOR_RE = /^\?\(@\.name=="([^"]*)"\)$/;
const INDEX_RE = /^(0|[1-9][0-9]{0,5})$/;

/** The fieldPath `oc set triggers` writes for a container of a kind. */
export function formatFieldPath(podSpecPath: readonly string[], list: ContainerList, name: string): string {
  return `${podSpecPath.join('.')}.${list}[?(@.name=="${name}")].image`;
}

export function parseFieldPath(
  fieldPath: string,
  podSpecPath: readonly string[],
  kind: string,
): { ok: true; value: ParsedFieldPath } | { ok: false; problem: FieldPathProblem } {
  const reject = (reason: string) => ({ ok: false as const, problem: { code: 'FIELDPATH_REJECTED' as const, reason } });
  if (fieldPath.length > MAX_FIELDPATH_LENGTH) return reject(`longer than ${MAX_FIELDPATH_LENGTH} characters`);
  const prefix = `${podSpecPath.join('.')}.`;
  if (!fieldPath.startsWith(prefix)) {
    return {
      ok: false,
      problem: {
        code: 'TRIGGER_WRONG_KIND_PATH',
        reason: `a ${kind} keeps its pod spec at "${podSpecPath.join('.')}", so the path must start with "${prefix}" (OpenShift would silently ignore this trigger)`,
      },
    };
  }
  const body = fieldPath.slice(prefix.length);
  const m = BODY_RE.exec(body);
  if (!m) {
    return reject(`expected "${prefix}containers[?(@.name==\\"NAME\\")].image" or "${prefix}containers[INDEX].image" (initContainers likewise)`);
  }
  const list = m[1] as ContainerList;
  const selector = m[2] ?? '';
  if (INDEX_RE.test(selector)) return { ok: true, value: { list, selector: { by: 'index', index: Number(selector) } } };
  const named = NAME_SELECTOR_RE.exec(selector);
  if (!named) {
    return reject(`selector "[${selector}]" is neither an index nor ?(@.name=="NAME") (no spaces, double quotes only, no other JSONPath)`);
  }
  const name = named[1] ?? '';
  if (!CONTAINER_NAME_RE.test(name) || name.length > 63) return reject(`"${name}" is not a valid container name`);
  return { ok: true, value: { list, selector: { by: 'name', name } } };
}
