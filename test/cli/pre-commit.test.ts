/**
 * The streamlock-check hook run by real pre-commit (3.0.4 here) with `language: node`: pre-commit
 * clones the hook repository at a commit, `npm install`s it, `npm pack`s it (prepack bundles
 * dist/) and installs the tarball, all offline from npm's cache. The hook repository is a snapshot
 * of this working tree committed to a temp repo, so the test sees the files as they are now.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, git, gitIdentity } from './helpers.js';

const HOOK_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', '.pre-commit-hooks.yaml', '.npmrc', 'scripts', 'src', 'schema', 'functions'];
const hasPreCommit = spawnSync('pre-commit', ['--version']).status === 0;

let root: string;
let env: NodeJS.ProcessEnv;

function hookRepo(): { path: string; rev: string } {
  const path = join(root, 'hook');
  mkdirSync(path);
  for (const f of HOOK_FILES) if (existsSync(join(REPO, f))) cpSync(join(REPO, f), join(path, f), { recursive: true });
  writeFileSync(join(path, '.gitignore'), 'node_modules/\ndist/\n');
  git(path, 'init', '-q');
  git(path, 'add', '.');
  git(path, 'commit', '-qm', 'hook snapshot');
  return { path, rev: git(path, 'rev-parse', 'HEAD').trim() };
}

function commit(app: string, message: string) {
  git(app, 'add', '-A');
  return spawnSync('git', ['commit', '-m', message], { cwd: app, encoding: 'utf8', env });
}

describe.skipIf(!hasPreCommit)('pre-commit hook streamlock-check', () => {
  let app: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'streamlock-pre-commit-'));
    env = { ...process.env, ...gitIdentity(), PRE_COMMIT_HOME: join(root, 'cache') };
    const hook = hookRepo();
    app = join(root, 'app');
    mkdirSync(app);
    git(app, 'init', '-q');
    for (const f of ['deployment.yaml', 'imagestream.yaml', 'imagestreams.lock.yaml', 'namespace.yaml']) cpSync(join(REPO, 'examples/seed', f), join(app, f));
    writeFileSync(join(app, '.pre-commit-config.yaml'), `repos:\n- repo: ${hook.path}\n  rev: ${hook.rev}\n  hooks:\n  - id: streamlock-check\n`);
    const install = spawnSync('pre-commit', ['install'], { cwd: app, encoding: 'utf8', env });
    expect(install.status, install.stderr).toBe(0);
  }, 60_000);

  it('passes a good commit (installing the node environment offline)', () => {
    const r = commit(app, 'seed');
    expect(r.stdout + r.stderr).toMatch(/streamlock check\.+Passed/);
    expect(r.status).toBe(0);
  }, 300_000);

  it('fails readably on a stale lock', () => {
    const is = join(app, 'imagestream.yaml');
    const good = readFileSync(is, 'utf8');
    writeFileSync(is, good.replace('ubi:8.0', 'ubi:8.1'));
    const r = commit(app, 'stale');
    expect(r.status).not.toBe(0);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/streamlock check\.+Failed/);
    expect(out).toContain(
      'imagestream.yaml:16: error: stale lock: ImageStream demo/ubi tag 8 imports from registry.access.redhat.com/ubi8/ubi:8.1, but imagestreams.lock.yaml recorded demo/ubi:8 from registry.access.redhat.com/ubi8/ubi:8.0; run `streamlock import` to record the new source',
    );
    writeFileSync(is, good);
  }, 120_000);

  it('fails readably on an unresolvable trigger', () => {
    const d = join(app, 'deployment.yaml');
    const good = readFileSync(d, 'utf8');
    writeFileSync(d, good.replace('"name":"ubi:8"', '"name":"ubi:9"'));
    const r = commit(app, 'unresolvable');
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/^deployment\.yaml:12: error: Deployment demo\/myapp: trigger 0 \(.*\): image stream ubi has no tag "9" \(tags: 8\)$/m);
    writeFileSync(d, good);
    git(app, 'checkout', '--', '.');
  }, 120_000);
});
