/** `streamlock history [STREAM[:TAG]]`: the recorded generations of a stream's tags (like `oc describe is`). */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { StreamlockError } from '../../errors.js';
import type { StreamView, TagView } from '../../lifecycle/describe.js';
import { describeStream } from '../../lifecycle/describe.js';
import { parseStreamTag, requireStream, requireTag } from '../../lifecycle/stream-tag.js';
import type { StreamTagArg } from '../../lifecycle/stream-tag.js';
import { DEFAULT_LOCKFILE } from '../../lockfile/format.js';
import { readLockfile } from '../../lockfile/store.js';
import type { CliIO } from '../io.js';
import type { OutputFormat } from '../output.js';
import { formatAge, formatTable, parseOutputFormat, writeJson } from '../output.js';

interface RawOptions {
  lockfile: string;
  namespace?: string;
  output?: string;
}

export interface HistoryOptions {
  readonly target: StreamTagArg | undefined;
  readonly lockfile: string;
  readonly output: OutputFormat;
}

export interface HistoryReport {
  readonly lockfile: string;
  readonly streams: readonly StreamView[];
}

export function register(program: Command, io: CliIO): void {
  program
    .command('history')
    .description('show the recorded generations of image stream tags, newest first; * marks the one workloads get')
    .argument('[stream]', 'STREAM or STREAM:TAG (NAMESPACE/ in front when the lock holds the stream in several namespaces); all streams when left out')
    .option('--lockfile <file>', 'the lockfile', DEFAULT_LOCKFILE)
    .option('-n, --namespace <ns>', 'namespace of the stream')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (stream: string | undefined, raw: RawOptions) => {
      const options: HistoryOptions = {
        target: stream === undefined ? undefined : parseStreamTag(stream, 'STREAM', { requireTag: false, namespace: raw.namespace }),
        lockfile: raw.lockfile,
        output: parseOutputFormat(raw.output),
      };
      const report = await collectHistory(options, io);
      if (options.output === 'json') writeJson(io.stdout, report);
      else io.stdout.write(formatHistory(report, io.now()));
    });
}

export async function collectHistory(options: HistoryOptions, io: CliIO): Promise<HistoryReport> {
  const { lock, exists } = await readLockfile(resolve(io.cwd, options.lockfile));
  if (!exists) throw new StreamlockError('LOCK_NOT_FOUND', `${options.lockfile} does not exist; \`streamlock import\` creates it`);
  if (!options.target) return { lockfile: options.lockfile, streams: lock.streams.map((s) => describeStream(s)) };
  const stream = requireStream(lock, options.target, options.lockfile);
  if (options.target.tag !== undefined) requireTag(stream, options.target.tag, options.lockfile);
  return { lockfile: options.lockfile, streams: [describeStream(stream, options.target.tag)] };
}

export function formatHistory(report: HistoryReport, now: Date): string {
  return report.streams.map((s) => formatStream(s, report.lockfile, now)).join('\n');
}

function formatStream(s: StreamView, lockfile: string, now: Date): string {
  const head = [
    ['Name:', s.name],
    ['Namespace:', s.namespace ?? '<any> (shared by every namespace)'],
    ['Lockfile:', lockfile],
    ['Unique Images:', String(s.uniqueImages)],
    ['Tags:', String(s.tagCount)],
  ];
  const out = [head.map(([k, v]) => `${k!.padEnd(16)}${v}`).join('\n'), ''];
  for (const t of s.tags) out.push(formatTag(s, t, now));
  return `${out.join('\n')}`;
}

function formatTag(s: StreamView, t: TagView, now: Date): string {
  const lines = [`${t.tag}${t.aliases.length > 0 ? ` (${t.aliases.join(', ')})` : ''}`];
  if (t.alias !== undefined) lines.push(`  follows ${t.alias}, which is not recorded (or the aliases form a cycle)`);
  else if (t.from !== undefined) lines.push(`  imported from ${t.from}${t.platform ? ` (platform ${t.platform})` : ''}`);
  else lines.push('  no import source: images recorded with `streamlock tag`');
  if (t.pinned !== undefined) {
    const ref = `${s.namespace ? `${s.namespace}/` : ''}${s.name}:${t.tag}`;
    lines.push(`  pinned to generation ${t.pinned} (rollback): imports add generations but do not move it; \`streamlock rollback ${ref} --latest\` follows the newest again`);
  }
  if (t.items.length === 0) {
    if (t.alias === undefined) lines.push('', '  no recorded image: run `streamlock import`');
    return `${lines.join('\n')}\n`;
  }
  const rows = t.items.map((e) => [e.inUse ? '*' : '', String(e.generation), e.dockerImageReference, `${e.created} (${formatAge(e.created, now)})`]);
  const table = formatTable(['', 'GENERATION', 'IMAGE', 'CREATED'], rows)
    .split('\n')
    .map((l) => (l === '' ? l : `  ${l}`))
    .join('\n');
  lines.push('', table);
  return lines.join('\n');
}
