/**
 * Reading YAML (and JSON) from text, for every reader in the project: one set of parse
 * options, the nesting bound checked on yaml's own parser stack while tokens arrive (so a
 * deep input is refused after ~MAX_NESTING tokens, before the composer's recursion sees it),
 * the alias-expansion bound, line numbers through yaml's LineCounter, and error messages that
 * name the file, line, column and kind of error but never repeat the source text (a file
 * that is really a secrets file must not end up in a CI log).
 */
import { Composer, Lexer, LineCounter, Parser, YAMLParseError } from 'yaml';
import type { Document, DocumentOptions, Node, ParseOptions, SchemaOptions, YAMLError } from 'yaml';
import { StreamlockError } from '../errors.js';
import { assertParserDepth } from '../krm/depth.js';

/** Aliases a document may expand while converting to plain data (billion-laughs guard). */
export const MAX_ALIAS_COUNT = 100;

/** The options every reader parses with: duplicate keys and unknown tags are errors. */
export const YAML_OPTIONS = { uniqueKeys: true, prettyErrors: false, strict: true, stringKeys: false } as const;

type Options = ParseOptions & DocumentOptions & SchemaOptions;

export interface ParsedYaml {
  readonly docs: Document.Parsed[];
  readonly lines: LineCounter;
}

/** Where a problem is, 1-based. */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/**
 * Parses every document of `text`. Throws INPUT_TOO_DEEP (naming `what`) when collections
 * nest deeper than MAX_NESTING; YAML errors are left on each document for the caller.
 */
export function parseYamlAll(text: string, what: string, options: Options = YAML_OPTIONS): ParsedYaml {
  return compose(text, what, options, false);
}

/** Parses a single document (a second one is a MULTIPLE_DOCS error on the first, as parseDocument does). */
export function parseYamlOne(text: string, what: string, options: Options = YAML_OPTIONS): { doc: Document.Parsed; lines: LineCounter } {
  const { docs, lines } = compose(text, what, options, true);
  const doc = docs[0]!;
  if (docs.length > 1) {
    doc.errors.push(new YAMLParseError(docs[1]!.range.slice(0, 2) as [number, number], 'MULTIPLE_DOCS', 'Source contains multiple documents'));
  }
  return { doc, lines };
}

function compose(text: string, what: string, options: Options, forceDoc: boolean): ParsedYaml {
  const lines = new LineCounter();
  const parser = new Parser(lines.addNewLine);
  const composer = new Composer({ ...options, prettyErrors: false });
  const docs: Document.Parsed[] = [];
  lines.addNewLine(0);
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) for (const doc of composer.next(token)) docs.push(doc as Document.Parsed);
    assertParserDepth(parser, what);
  }
  for (const token of parser.end()) for (const doc of composer.next(token)) docs.push(doc as Document.Parsed);
  for (const doc of composer.end(forceDoc, text.length)) docs.push(doc as Document.Parsed);
  return { docs, lines };
}

/** A fixed description per yaml error code: the message yaml builds may quote the source. */
const KINDS: Record<string, string> = {
  ALIAS_PROPS: 'an alias cannot have a tag or anchor',
  BAD_ALIAS: 'alias to an unknown anchor',
  BAD_DIRECTIVE: 'bad directive',
  BAD_DQ_ESCAPE: 'bad escape in a double-quoted string',
  BAD_INDENT: 'bad indentation',
  BAD_PROP_ORDER: 'anchor and tag in the wrong order',
  BAD_SCALAR_START: 'a plain value cannot start with this character',
  BLOCK_AS_IMPLICIT_KEY: 'a block collection used as a key',
  BLOCK_IN_FLOW: 'a block collection inside a flow collection',
  DUPLICATE_KEY: 'duplicate key',
  IMPOSSIBLE: 'unparseable input',
  KEY_OVER_1024_CHARS: 'a key longer than 1024 characters',
  MISSING_CHAR: 'a closing quote or bracket is missing',
  MULTILINE_IMPLICIT_KEY: 'a key spans lines',
  MULTIPLE_ANCHORS: 'more than one anchor on a node',
  MULTIPLE_DOCS: 'more than one document',
  MULTIPLE_TAGS: 'more than one tag on a node',
  NON_STRING_KEY: 'a key that is not a string',
  TAB_AS_INDENT: 'a tab used for indentation',
  TAG_RESOLVE_FAILED: 'a value does not match its tag',
  UNEXPECTED_TOKEN: 'unexpected token',
  BAD_COLLECTION_TYPE: 'a collection of the wrong type for its tag',
};

/** The kind of a yaml error, without any of the source text. */
export function yamlErrorKind(error: YAMLError): string {
  return KINDS[error.code] ?? 'invalid YAML';
}

/** 1-based line and column of `offset`. */
export function positionOf(lines: LineCounter, offset: number): TextPosition {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

/** `<what> is not valid YAML: <kind> (line L, column C)`. */
export function yamlErrorMessage(what: string, error: YAMLError, lines: LineCounter, base = 0): string {
  const at = positionOf(lines, base + error.pos[0]);
  return `${what} is not valid YAML: ${yamlErrorKind(error)} (line ${at.line}, column ${at.column})`;
}

/** Plain data of a document or node, alias expansion bounded; the bound's message has no content. */
export function toPlainData(node: Node | Document.Parsed, doc: Document.Parsed, what: string): unknown {
  try {
    return node === doc ? doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) : (node as Node).toJS(doc, { maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    throw new StreamlockError('INPUT_NOT_YAML', `${what} expands more than ${MAX_ALIAS_COUNT} aliases`);
  }
}

export type ErrorFactory = (message: string, at?: TextPosition) => Error;

/**
 * The plain data of a one-document YAML text: the depth bound, the first YAML error and the
 * alias bound all go through `fail` (which picks the error class and code for its reader).
 */
export function readYamlData(text: string, what: string, fail: ErrorFactory, options: Options = YAML_OPTIONS): unknown {
  let parsed;
  try {
    parsed = parseYamlOne(text, what, options);
  } catch (e) {
    throw fail((e as Error).message);
  }
  const { doc, lines } = parsed;
  const first = doc.errors[0];
  if (first) throw fail(yamlErrorMessage(what, first, lines), positionOf(lines, first.pos[0]));
  try {
    return toPlainData(doc, doc, what);
  } catch (e) {
    throw fail((e as Error).message);
  }
}

/**
 * JSON.parse, with a failure reported as `<what>: not valid JSON (line L, column C)`:
 * V8's own message quotes the text around the error. The position comes from yaml, which
 * reads JSON as YAML; when yaml accepts what JSON does not, only the file is named.
 */
export function parseJsonText(text: string, what: string, fail: ErrorFactory): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const at = jsonErrorPosition(text);
    throw fail(at ? `${what}: not valid JSON (line ${at.line}, column ${at.column})` : `${what}: not valid JSON`, at);
  }
}

function jsonErrorPosition(text: string): TextPosition | undefined {
  try {
    const { doc, lines } = parseYamlOne(text, 'JSON text', { prettyErrors: false, uniqueKeys: false, schema: 'json' });
    const first = doc.errors[0];
    return first ? positionOf(lines, first.pos[0]) : undefined;
  } catch {
    return undefined; // too deep to locate
  }
}
