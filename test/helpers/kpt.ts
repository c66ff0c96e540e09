/**
 * Real kpt and kubectl, run against temporary copies of examples/, and the golden files they are
 * compared with (`examples/<name>/.expected/`; UPDATE_GOLDEN=1 rewrites them).
 */
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');
/** The no-argument executable kpt and kustomize run. */
export const FN_EXEC = join(REPO_ROOT, 'functions', 'streamlock-fn');
export const FN_BUNDLE = join(REPO_ROOT, 'dist', 'streamlock-fn.mjs');
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

/** `.expected/config.yaml`: how the e2e tests run an example (a subset of kpt's own test config). */
export interface ExampleConfig {
  /** render: `kpt fn render` with the Kptfile pipeline; eval: `kpt fn eval --exec`; kustomize: print the build. */
  readonly testType: 'render' | 'eval' | 'kustomize';
  readonly exitCode: number;
  /** key=value arguments after `--` (eval only). */
  readonly args: readonly string[];
}

export interface RunOutput {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Fails with one clear message when the function has not been built. */
export function requireBuild(): void {
  if (!existsSync(FN_BUNDLE)) throw new Error(`${relative(REPO_ROOT, FN_BUNDLE)} is missing: run \`npm run build\` first (\`npm test\` does)`);
}

export function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

/** Examples that are kpt packages (have a Kptfile and a .expected/ folder), by name. */
export function kptExamples(): string[] {
  return readdirSync(EXAMPLES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(EXAMPLES_DIR, d.name, 'Kptfile')) && existsSync(join(EXAMPLES_DIR, d.name, '.expected')))
    .map((d) => d.name)
    .sort();
}

export function readExampleConfig(example: string): ExampleConfig {
  const raw = parse(readFileSync(join(EXAMPLES_DIR, example, '.expected', 'config.yaml'), 'utf8')) as Partial<ExampleConfig> | null;
  return { testType: raw?.testType ?? 'render', exitCode: raw?.exitCode ?? 0, args: raw?.args ?? [] };
}

/** An environment for child processes: no git variables of an enclosing hook, no colours. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  for (const key of Object.keys(env)) if (key.startsWith('GIT_')) delete env[key];
  return env;
}

export function run(command: string, args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<RunOutput> {
  return new Promise((done) => {
    execFile(command, [...args], { cwd: options.cwd ?? REPO_ROOT, env: childEnv(options.env), maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

async function git(dir: string, ...args: string[]): Promise<string> {
  const out = await run('git', ['-c', 'user.name=streamlock-e2e', '-c', 'user.email=e2e@localhost', '-c', 'commit.gpgsign=false', '-c', 'core.autocrlf=false', ...args], { cwd: dir });
  if (out.code !== 0) throw new Error(`git ${args.join(' ')} failed in ${dir}: ${out.stderr}`);
  return out.stdout;
}

/** A temporary directory removed by the returned function. */
export function tempDir(prefix = 'streamlock-e2e-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Copies an example, `.expected/` included (its `.krmignore` must keep kpt away from it), into
 * `parent/<example>` and commits it to a fresh git repository there, so `packageDiff` can show
 * what kpt changed.
 */
export async function copyPackage(example: string, parent: string): Promise<string> {
  const dest = join(parent, example);
  cpSync(join(EXAMPLES_DIR, example), dest, { recursive: true });
  await git(dest, 'init', '-q');
  await git(dest, 'add', '-A');
  await git(dest, 'commit', '-q', '--no-verify', '-m', 'example as committed');
  return dest;
}

/** The change to the package since it was copied, as `git diff` prints it (a/ and b/ paths). */
export async function packageDiff(dir: string): Promise<string> {
  await git(dir, 'add', '-A');
  return git(dir, 'diff', '--cached', '--no-color', '--no-ext-diff', '--src-prefix=a/', '--dst-prefix=b/', 'HEAD');
}

/** Every file of a directory with its bytes, for "nothing changed" assertions. */
export function snapshotFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === '.git') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.set(relative(dir, p), readFileSync(p, 'latin1'));
    }
  };
  walk(dir);
  return files;
}

/** `kpt fn render PKG --allow-exec` from the repository root (where the Kptfiles' relative exec: paths point). */
export function kptRender(pkg: string, resultsDir: string): Promise<RunOutput> {
  return run('kpt', ['fn', 'render', pkg, '--allow-exec', '--results-dir', resultsDir, '--truncate-output=false']);
}

/** `kpt fn eval PKG --exec <absolute path> -- args`. */
export function kptEval(pkg: string, resultsDir: string, args: readonly string[] = []): Promise<RunOutput> {
  return run('kpt', ['fn', 'eval', pkg, '--exec', FN_EXEC, '--results-dir', resultsDir, '--truncate-output=false', ...(args.length > 0 ? ['--', ...args] : [])]);
}

/** kpt's results.yaml with this checkout's absolute path replaced by `.`, so it is the same on every machine. */
export function readResults(resultsDir: string): string {
  const text = readFileSync(join(resultsDir, 'results.yaml'), 'utf8').split(`${REPO_ROOT}/`).join('./');
  return text.endsWith('\n') ? text : `${text}\n`;
}

/**
 * A fake `docker` for kustomize's container functions: when asked to run `image`, it runs the
 * local build instead and records its arguments in `args.txt` beside it. Returns the directory
 * to put first on PATH.
 */
export function fakeDocker(parent: string, image: string): string {
  const bin = join(parent, 'fake-docker-bin');
  mkdirSync(bin, { recursive: true });
  const script = [
    '#!/bin/sh',
    `printf '%s\\n' "$*" >> '${join(bin, 'args.txt')}'`,
    'for last; do :; done',
    `if [ "$last" != '${image}' ]; then echo "fake docker: only runs ${image}, not $last" >&2; exit 125; fi`,
    `exec '${process.execPath}' '${FN_BUNDLE}'`,
    '',
  ].join('\n');
  writeFileSync(join(bin, 'docker'), script);
  chmodSync(join(bin, 'docker'), 0o755);
  return bin;
}

/** Compares with a golden file, or (UPDATE_GOLDEN=1) rewrites it. Returns the expected text. */
export function golden(path: string, actual: string): string {
  if (UPDATE_GOLDEN) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return actual;
  }
  if (!existsSync(path)) throw new Error(`${relative(REPO_ROOT, path)} is missing: run with UPDATE_GOLDEN=1 to write it, then review it`);
  return readFileSync(path, 'utf8');
}
