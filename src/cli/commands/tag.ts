/** `streamlock tag SOURCE DEST...` (like `oc tag`): promote, record a digest, alias, or delete a tag in the lock. */
import type { Command } from 'commander';
import { StreamlockError } from '../../errors.js';
import type { StreamTagArg } from '../../lifecycle/stream-tag.js';
import { parseStreamTag } from '../../lifecycle/stream-tag.js';
import type { TagOutcome, TagSource } from '../../lifecycle/tag.js';
import { parseTagSource, planAlias, planDelete, planTag } from '../../lifecycle/tag.js';
import { DEFAULT_LOCKFILE } from '../../lockfile/format.js';
import type { CliIO } from '../io.js';
import type { OutputFormat } from '../output.js';
import { parseOutputFormat, writeJson } from '../output.js';
import type { RolloutReport } from '../rollout.js';
import { applyRollout, formatRollout } from '../rollout.js';
import type { RolloutOptions } from '../rollout.js';

interface RawOptions {
  alias?: boolean;
  delete?: boolean;
  yes?: boolean;
  lockfile: string;
  namespace?: string;
  output?: string;
  commit?: boolean;
  dryRun?: boolean;
}

export type TagAction =
  | { readonly kind: 'copy'; readonly source: TagSource; readonly dests: ReadonlyArray<StreamTagArg & { tag: string }> }
  | { readonly kind: 'alias'; readonly source: TagSource; readonly dest: StreamTagArg & { tag: string } }
  | { readonly kind: 'delete'; readonly dests: ReadonlyArray<StreamTagArg & { tag: string }>; readonly yes: boolean };

export interface TagOptions extends RolloutOptions {
  readonly action: TagAction;
  readonly output: OutputFormat;
}

export function register(program: Command, io: CliIO): void {
  program
    .command('tag')
    .description(
      'set image stream tags in the lock, like oc tag: STREAM:TAG copies that tag\'s current image (promotion), ' +
        'REGISTRY/REPO@sha256:… records a digest without asking the registry, STREAM@sha256:… re-tags a recorded image',
    )
    .argument('<source-or-dest>', 'SOURCE (or, with --delete, the tag to delete)')
    .argument('[dest...]', 'DEST tags: [NAMESPACE/]STREAM:TAG')
    .option('--alias', 'make DEST follow SOURCE (same stream only) instead of copying its current image')
    .option('-d, --delete', 'delete the given tags and their history')
    .option('--yes', 'confirm --delete')
    .option('--lockfile <file>', 'the lockfile', DEFAULT_LOCKFILE)
    .option('-n, --namespace <ns>', 'namespace of streams named without one')
    .option('--commit', 'git commit the lockfile with the rollout summary as the message')
    .option('--dry-run', 'print the summary, write nothing')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (first: string, rest: string[], raw: RawOptions) => {
      const options = parseOptions(first, rest, raw);
      const report = await runTag(options, io);
      if (options.output === 'json') writeJson(io.stdout, report);
      else io.stdout.write(formatRollout(report));
    });
}

function dest(text: string, namespace: string | undefined): StreamTagArg & { tag: string } {
  const d = parseStreamTag(text, 'DEST', { requireTag: true, namespace });
  return { ...d, tag: d.tag! };
}

export function parseOptions(first: string, rest: readonly string[], raw: RawOptions): TagOptions {
  const ns = raw.namespace || undefined;
  let action: TagAction;
  if (raw.delete) {
    if (raw.alias) throw new StreamlockError('USAGE', '--delete and --alias cannot be combined');
    action = { kind: 'delete', dests: [first, ...rest].map((t) => dest(t, ns)), yes: !!raw.yes };
  } else {
    if (raw.yes) throw new StreamlockError('USAGE', '--yes only confirms --delete');
    if (rest.length === 0) throw new StreamlockError('USAGE', 'give SOURCE and at least one DEST (streamlock tag ubi:8 ubi:prod)');
    const source = parseTagSource(first, ns);
    const dests = rest.map((t) => dest(t, ns));
    if (raw.alias) {
      if (dests.length !== 1) throw new StreamlockError('USAGE', '--alias takes exactly one DEST');
      action = { kind: 'alias', source, dest: dests[0]! };
    } else {
      action = { kind: 'copy', source, dests };
    }
  }
  return { action, lockfile: raw.lockfile, output: parseOutputFormat(raw.output), commit: !!raw.commit, dryRun: !!raw.dryRun };
}

export function runTag(options: TagOptions, io: CliIO): Promise<RolloutReport> {
  const created = io.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const a = options.action;
  return applyRollout(io, options, (lock) => {
    let outcome: TagOutcome;
    if (a.kind === 'copy') outcome = planTag(lock, a.source, a.dests, { created, lockfile: options.lockfile });
    else if (a.kind === 'alias') outcome = planAlias(lock, a.source, a.dest, options.lockfile);
    else {
      let next = lock;
      const changes = [];
      for (const d of a.dests) {
        const o = planDelete(next, d, { yes: a.yes, lockfile: options.lockfile });
        next = o.lock;
        changes.push(...o.changes);
      }
      outcome = { lock: next, changes };
    }
    return { lock: outcome.lock, summary: outcome.changes.map((c) => c.summary).join('; ') };
  });
}
