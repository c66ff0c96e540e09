/**
 * Manifest files in, YAML documents out: files, directories (recursive) and stdin read into
 * parsed documents that remember their file and line, plus the two conversions the CLI needs
 * between a plain manifest stream and a ResourceList (so `render` and `check` run the function).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { isMap, isScalar, isSeq } from 'yaml';
import type { Document, Node } from 'yaml';
import { StreamlockError } from './errors.js';
import { parseYamlAll, positionOf, yamlErrorKind } from './yaml/read.js';
import { MAX_ALIAS_COUNT } from './krm/resource-list.js';
import { readAll } from './read-all.js';

export const MANIFEST_EXTENSIONS: ReadonlySet<string> = new Set(['.yaml', '.yml', '.json']);
/** Files a directory walk never reads as resources: kustomize's own configuration. */
const NOT_RESOURCES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);
export const STDIN_NAME = '<stdin>';

export interface ManifestDocument {
  /** The file as given or found (relative to the working directory), `<stdin>` for stdin. */
  readonly file: string;
  /** Absolute path; undefined for stdin. */
  readonly absolutePath: string | undefined;
  /** Position of the document in its file, from 0 (empty documents count). */
  readonly index: number;
  /** The whole file's text: node ranges of `doc` are offsets into it. */
  readonly fileText: string;
  readonly doc: Document.Parsed;
  /** This document's own text: no `---`/`...` markers or directives, leading comments kept. */
  readonly body: string;
  /** 1-based line of the document's first line in the file. */
  readonly line: number;
}

export interface ReadManifestsOptions {
  readonly cwd: string;
  readonly stdin: Readable;
  /** Absolute paths a directory walk leaves out (files named explicitly are always read). */
  readonly skip?: ReadonlySet<string>;
}

/** 1-based line of an offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Every manifest file below a directory, sorted, skipping dot entries and node_modules. */
export async function listManifestFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listManifestFiles(p)));
    else if (e.isFile() && MANIFEST_EXTENSIONS.has(extname(e.name)) && !NOT_RESOURCES.has(e.name)) out.push(p);
  }
  return out;
}

/** Reads files, directories and `-` (stdin) into documents. Throws USAGE for a missing path, INPUT_NOT_YAML with file:line. */
export async function readManifests(paths: readonly string[], options: ReadManifestsOptions): Promise<ManifestDocument[]> {
  const out: ManifestDocument[] = [];
  const seen = new Set<string>();
  let stdinRead = false;
  for (const p of paths) {
    if (p === '-') {
      if (stdinRead) throw new StreamlockError('USAGE', '- (stdin) is given twice');
      stdinRead = true;
      out.push(...parseManifests(await readAll(options.stdin), STDIN_NAME, undefined));
      continue;
    }
    const abs = resolve(options.cwd, p);
    let info;
    try {
      info = await stat(abs);
    } catch {
      throw new StreamlockError('USAGE', `${p}: no such file or directory`);
    }
    const files = info.isDirectory() ? (await listManifestFiles(abs)).filter((f) => !options.skip?.has(f)) : [abs];
    for (const f of files) {
      if (seen.has(f)) continue;
      seen.add(f);
      out.push(...parseManifests(await readFile(f, 'utf8'), displayPath(options.cwd, f), f));
    }
  }
  return out;
}

function displayPath(cwd: string, abs: string): string {
  const rel = relative(cwd, abs);
  return rel === '' ? basename(abs) : rel.startsWith(`..${sep}`) || rel === '..' ? abs : rel;
}

/** Parses one file's text into its documents (empty ones included, with `doc.contents` null). */
export function parseManifests(text: string, file: string, absolutePath: string | undefined): ManifestDocument[] {
  const { docs, lines } = parseYamlAll(text, file, { uniqueKeys: true, prettyErrors: false, strict: true });
  const out: ManifestDocument[] = [];
  let from = 0;
  docs.forEach((doc, index) => {
    const err = doc.errors[0];
    if (err) {
      const at = positionOf(lines, err.pos[0]);
      throw new StreamlockError('INPUT_NOT_YAML', `${file}:${at.line}:${at.column}: not valid YAML: ${yamlErrorKind(err)}`, {
        location: { file, line: at.line },
      });
    }
    const end = doc.contents?.range?.[2] ?? doc.range[2];
    const body = documentBody(text.slice(from, Math.max(from, end)));
    out.push({ file, absolutePath, index, fileText: text, doc, body, line: lineAt(text, Math.max(from, doc.range[0])) });
    from = doc.range[2];
  });
  return out;
}

/** Drops directives, `...` and the `---` marker (its line's comment stays, as a comment). */
function documentBody(segment: string): string {
  const lines = segment.split('\n');
  const kept: string[] = [];
  let inBody = false;
  for (const line of lines) {
    if (!inBody) {
      if (/^%/.test(line) || /^\.\.\.(\s|$)/.test(line)) continue;
      if (/^---(\s|$)/.test(line)) {
        const rest = line.slice(3).trim();
        if (rest !== '') kept.push(rest.startsWith('#') ? rest : `   ${line.slice(3)}`);
        inBody = true;
        continue;
      }
      if (/^[^\s#]/.test(line)) inBody = true;
    }
    kept.push(line);
  }
  let body = kept.join('\n');
  if (!body.endsWith('\n')) body += '\n';
  return body;
}

function rec(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Plain data of a document, with alias expansion bounded. */
export function documentData(d: ManifestDocument): unknown {
  try {
    return d.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    throw new StreamlockError('INPUT_NOT_YAML', `${d.file}:${d.line}: ${(e as Error).message}`, { location: { file: d.file, line: d.line } });
  }
}

/** True when a document holds a KRM object (a mapping with apiVersion and kind). */
export function isResourceDocument(d: ManifestDocument): boolean {
  if (!isMap(d.doc.contents)) return false;
  const o = rec(documentData(d));
  return typeof o?.apiVersion === 'string' && typeof o.kind === 'string';
}

/** True for an empty document (`---` with nothing, or only comments). */
export function isEmptyDocument(d: ManifestDocument): boolean {
  const c = d.doc.contents;
  return c === null || (isScalar(c) && c.value === null);
}

const INDENT = '  ';

function indentLines(text: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : INDENT + l))
    .join('\n');
}

/**
 * A ResourceList holding the documents' own text, each indented under `items:` so the function's
 * byte-preserving edits carry back to the stream (see `splitResourceList`).
 */
export function toResourceList(bodies: readonly string[]): string {
  const parts = ['apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n'];
  if (bodies.length === 0) return `${parts[0]}items: []\n`;
  parts.push('items:\n');
  for (const body of bodies) {
    const indented = indentLines(body.endsWith('\n') ? body : `${body}\n`);
    // `- ` replaces the first line's indentation: the item starts where the document did.
    parts.push(`-${indented.slice(1)}`);
  }
  return parts.join('');
}

/**
 * The items of a ResourceList written by `toResourceList` (and edited by the function), as
 * document bodies again. Relies on the layout `toResourceList` produces: every item line starts
 * with `- ` or two spaces, top-level keys start at column 0.
 */
export function splitResourceList(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^items:\s*$/.test(l));
  if (start < 0) return [];
  const items: string[][] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('- ')) items.push([INDENT + line.slice(2)]);
    else if (line === '-') items.push(['']);
    else if (line.startsWith(INDENT) || line === '') items.at(-1)?.push(line);
    else break; // the next top-level key (`results:`)
  }
  return items.map((ls) => {
    const body = ls.map((l) => (l.startsWith(INDENT) ? l.slice(INDENT.length) : l)).join('\n');
    return body.replace(/\n*$/, '\n');
  });
}

/**
 * Finds the node a dotted result path points at (`spec.template.spec.containers[0].image`,
 * `metadata.annotations["image.openshift.io/triggers"][1].fieldPath`), as deep as the document
 * goes, and returns its 1-based line. Paths inside a scalar (a trigger's JSON) stop at the scalar.
 */
export function lineOfField(d: ManifestDocument, fieldPath: string | undefined): number {
  let node: unknown = d.doc.contents;
  let line = node ? lineAt(d.fileText, (node as Node).range?.[0] ?? 0) : d.line;
  if (!fieldPath) return line;
  for (const seg of parseFieldSegments(fieldPath)) {
    let next: unknown;
    if (isMap(node)) next = node.get(seg, true);
    else if (isSeq(node) && typeof seg === 'number') next = node.get(seg, true);
    else break;
    if (next === undefined || next === null) break;
    node = next;
    const r = (node as Node).range;
    if (r) line = lineAt(d.fileText, r[0]);
  }
  return line;
}

function parseFieldSegments(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  const re = /\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\.?([^.[\]]+)/g;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(JSON.parse(`"${m[2]}"`) as string);
    else if (m[3] !== undefined) out.push(m[3]);
  }
  return out;
}
