/** `streamlock rollback STREAM:TAG`: pin a recorded generation (or unpin with --latest); history is kept. */
import type { Command } from 'commander';
import { StreamlockError } from '../../errors.js';
import type { RollbackTarget } from '../../lifecycle/rollback.js';
import { planRollback } from '../../lifecycle/rollback.js';
import type { StreamTagArg } from '../../lifecycle/stream-tag.js';
import { parseStreamTag } from '../../lifecycle/stream-tag.js';
import { DEFAULT_LOCKFILE } from '../../lockfile/format.js';
import type { CliIO } from '../io.js';
import type { OutputFormat } from '../output.js';
import { parseOutputFormat, writeJson } from '../output.js';
import type { RolloutReport } from '../rollout.js';
import { applyRollout, formatRollout } from '../rollout.js';
import type { RolloutOptions } from '../rollout.js';

interface RawOptions {
  toGeneration?: string;
  to?: string;
  latest?: boolean;
  lockfile: string;
  namespace?: string;
  output?: string;
  commit?: boolean;
  dryRun?: boolean;
}

export interface RollbackOptions extends RolloutOptions {
  readonly target: StreamTagArg & { tag: string };
  readonly to: RollbackTarget;
  readonly output: OutputFormat;
}

export function register(program: Command, io: CliIO): void {
  program
    .command('rollback')
    .description('pin STREAM:TAG to a recorded generation (a later import never moves it); --latest removes the pin')
    .argument('<stream:tag>', 'the tag to roll back (NAMESPACE/STREAM:TAG when the lock holds the stream in several namespaces)')
    .option('--to-generation <n>', 'the generation to pin (see `streamlock history`)')
    .option('--to <digest>', 'pin the generation that recorded this digest (sha256:…, a unique prefix is enough)')
    .option('--latest', 'remove the pin: follow the newest generation again')
    .option('--lockfile <file>', 'the lockfile', DEFAULT_LOCKFILE)
    .option('-n, --namespace <ns>', 'namespace of the stream')
    .option('--commit', 'git commit the lockfile with the rollout summary as the message')
    .option('--dry-run', 'print the summary, write nothing')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (arg: string, raw: RawOptions) => {
      const options = parseOptions(arg, raw);
      const report = await runRollback(options, io);
      if (options.output === 'json') writeJson(io.stdout, report);
      else io.stdout.write(formatRollout(report));
    });
}

export function parseOptions(arg: string, raw: RawOptions): RollbackOptions {
  const chosen = [raw.toGeneration !== undefined, raw.to !== undefined, !!raw.latest].filter(Boolean).length;
  if (chosen !== 1) throw new StreamlockError('USAGE', 'give exactly one of --to-generation N, --to sha256:<digest> or --latest');
  let to: RollbackTarget;
  if (raw.toGeneration !== undefined) {
    if (!/^[1-9][0-9]{0,8}$/.test(raw.toGeneration)) throw new StreamlockError('USAGE', `--to-generation must be a positive integer, not ${JSON.stringify(raw.toGeneration)}`);
    to = { generation: Number(raw.toGeneration) };
  } else if (raw.to !== undefined) {
    if (!/^(sha256:)?[0-9a-f]{6,64}$/.test(raw.to)) throw new StreamlockError('USAGE', `--to must be a sha256 digest (sha256:<hex>, at least 6 hex digits), not ${JSON.stringify(raw.to)}`);
    to = { digest: raw.to };
  } else {
    to = { latest: true };
  }
  const target = parseStreamTag(arg, 'STREAM:TAG', { requireTag: true, namespace: raw.namespace });
  return {
    target: { ...target, tag: target.tag! },
    to,
    lockfile: raw.lockfile,
    output: parseOutputFormat(raw.output),
    commit: !!raw.commit,
    dryRun: !!raw.dryRun,
  };
}

export function runRollback(options: RollbackOptions, io: CliIO): Promise<RolloutReport> {
  return applyRollout(io, options, (lock) => planRollback(lock, options.target, options.to, options.lockfile));
}
