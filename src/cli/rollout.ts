/**
 * The shared tail of every command that changes the lockfile: update it under its lock, print
 * the one-line rollout summary, and with `--commit` commit the lockfile with that line.
 */
import { resolve } from 'node:path';
import type { Lock } from '../lockfile/format.js';
import { updateLockfile } from '../lockfile/store.js';
import { commitFile } from './git.js';
import type { CliIO } from './io.js';

export interface RolloutOptions {
  readonly lockfile: string;
  readonly dryRun: boolean;
  readonly commit: boolean;
}

export interface RolloutReport {
  readonly lockfile: string;
  readonly summary: string;
  readonly changed: boolean;
  readonly written: boolean;
  readonly commit: string | undefined;
}

/**
 * `plan` runs under the lockfile's lock on the lock as it is on disk and returns the new lock
 * and the summary. Nothing is written (and nothing committed) when the text does not change.
 */
export async function applyRollout(io: CliIO, options: RolloutOptions, plan: (lock: Lock) => { lock: Lock; summary: string }): Promise<RolloutReport> {
  const path = resolve(io.cwd, options.lockfile);
  let summary = '';
  const result = await updateLockfile(
    path,
    (lock) => {
      const planned = plan(lock);
      summary = planned.summary;
      return planned.lock;
    },
    { dryRun: options.dryRun },
  );
  let commit: string | undefined;
  if (options.commit && result.written) commit = await commitFile(path, summary, io.env);
  return { lockfile: options.lockfile, summary, changed: result.changed, written: result.written, commit };
}

/** The human form: the summary, then what happened to the file. */
export function formatRollout(r: RolloutReport): string {
  const lines = [r.summary];
  if (r.changed && !r.written) lines.push(`(dry run: ${r.lockfile} not written)`);
  if (r.commit) lines.push(`committed ${r.lockfile} as ${r.commit}`);
  return `${lines.join('\n')}\n`;
}
