/** `--commit`: commit one file with a message, by spawning git with an argument array (no shell). */
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { EXIT_INVALID, ExitError } from './exit-codes.js';

export interface GitResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `git <args>` in `cwd`; resolves with its exit code and output (never rejects on a non-zero exit). */
export function runGit(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<GitResult> {
  return new Promise((done, fail) => {
    const child = spawn('git', [...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/**
 * Commits exactly `file` (absolute path) with `message`: `git add` then `git commit --only`, so
 * other staged changes stay staged and out of the commit. Throws ExitError(1) with git's words.
 */
export async function commitFile(file: string, message: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const cwd = dirname(file);
  const step = async (args: string[]) => {
    let r: GitResult;
    try {
      r = await runGit(args, cwd, env);
    } catch (e) {
      throw new ExitError(EXIT_INVALID, `--commit: cannot run git: ${(e as Error).message}`);
    }
    if (r.code !== 0) throw new ExitError(EXIT_INVALID, `--commit: git ${args[0]} failed: ${(r.stderr || r.stdout).trim()}`);
    return r;
  };
  await step(['add', '--', file]);
  await step(['commit', '--quiet', '--only', '-m', message, '--', file]);
  const head = await step(['rev-parse', '--short', 'HEAD']);
  return head.stdout.trim();
}
