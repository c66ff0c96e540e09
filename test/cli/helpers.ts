/** Helpers for the CLI tests: run a command in-process, temp workspaces, the fixtures, a built binary. */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const NOW = '2026-11-25T12:00:00Z';

export const D1 = 'sha256:b24793788a68c2e62d30f16de8fff5c829e89cbb3fcfe8e28d557169da4c34d0';
export const D2 = 'sha256:f9e4dce1e684ddec93713d689fd2c5951d21df00d92575b6b8aac6b4348ba534';
export const D3 = `sha256:${'c'.repeat(64)}`;
export const UBI = 'registry.access.redhat.com/ubi8/ubi';

export const LOCK = `# Recorded imports of ubi:8, newest first.
apiVersion: streamlock.dev/v1alpha1
kind: ImageStreamLock
metadata:
  name: imagestreams
  annotations:
    config.kubernetes.io/local-config: "true"
streams:
- name: ubi
  namespace: demo
  tags:
  - tag: "8"
    from: ${UBI}:8.0   # the source
    items:
    - generation: 2
      created: "2026-11-20T10:12:00Z"
      image: ${D2}
      dockerImageReference: ${UBI}@${D2}
    - generation: 1
      created: "2026-11-18T09:00:00Z"
      image: ${D1}
      dockerImageReference: ${UBI}@${D1}
`;

export const IMAGESTREAM = `# The stream the Deployment follows.
apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: ubi
  namespace: demo
spec:
  lookupPolicy:
    local: false
  tags:
  - name: "8"
    from:
      kind: DockerImage
      name: ${UBI}:8.0
    importPolicy:
      scheduled: true
`;

/** A Deployment with no triggers yet (set-triggers adds them). */
export const DEPLOYMENT = `# myapp prints the build information of the UBI image it runs.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: myapp
  namespace: demo
  labels:
    app: myapp   # keep
  annotations:
    team: 'platform'
spec:
  replicas: 1
  selector:
    matchLabels:
      app: myapp
  template:
    metadata:
      labels:
        app: myapp
    spec:
      containers:
      - name: myapp
        image: ubi:8
        command: ["sh", "-c", "cat /root/buildinfo/*"]
`;

export const TRIGGER = `[{"from":{"kind":"ImageStreamTag","name":"ubi:8"},"fieldPath":"spec.template.spec.containers[?(@.name==\\"myapp\\")].image"}]`;

export const NAMESPACE = `apiVersion: v1
kind: Namespace
metadata:
  name: demo
`;

/** A temp directory holding `files` (path → text). */
export function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamlock-cli-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

export function read(dir: string, name: string): string {
  return readFileSync(join(dir, name), 'utf8');
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `streamlock <args>` in-process with the given cwd, stdin and environment. */
export async function cli(args: readonly string[], options: { cwd: string; stdin?: string; env?: NodeJS.ProcessEnv }): Promise<CliRun> {
  const stdin = new PassThrough();
  stdin.end(options.stdin ?? '');
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (b: Buffer) => (out += b.toString()));
  stderr.on('data', (b: Buffer) => (err += b.toString()));
  const code = await main(args, {
    stdin,
    stdout,
    stderr,
    env: { PATH: process.env.PATH, HOME: options.cwd, ...gitIdentity(), ...options.env },
    cwd: options.cwd,
    now: () => new Date(NOW),
    interactive: false,
  });
  return { code, stdout: out, stderr: err };
}

export function gitIdentity(): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
  };
}

export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...gitIdentity() } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Builds the CLI bundle into a temp bin directory as `streamlock`; returns that directory (for PATH). */
export async function buildCli(): Promise<string> {
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'streamlock-bin-'));
  const out = join(dir, 'streamlock');
  await build({
    entryPoints: [join(REPO, 'src/cli/bin.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.18',
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __streamlockCreateRequire } from 'node:module';\nconst require = __streamlockCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  chmodSync(out, 0o755);
  return dir;
}

/** Line-level diff: the lines of `after` that are not in `before` and vice versa, in order. */
export function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  return { removed: a.slice(start, endA), added: b.slice(start, endB) };
}
