/** The plugins run by real tools: kustomize's exec plugin (kubectl kustomize) and Argo CD's CMP generate command. */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { parse } from 'yaml';
import { D1, D2, REPO, buildCli } from './helpers.js';

let bin: string;
beforeAll(async () => {
  bin = await buildCli();
});

function copyExample(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `streamlock-${name}-`));
  cpSync(join(REPO, 'examples', name), dir, { recursive: true });
  return dir;
}

describe('kustomize exec plugin (kubectl kustomize --enable-alpha-plugins)', () => {
  const kustomize = (dir: string) =>
    spawnSync('kubectl', ['kustomize', '--enable-alpha-plugins', '.'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}`, KUSTOMIZE_PLUGIN_HOME: join(dir, 'plugins') },
    });

  it('resolves the trigger and drops the ImageStream, as .expected/output.yaml shows', () => {
    const dir = copyExample('kustomize-plugin');
    const r = kustomize(dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(dir, '.expected/output.yaml'), 'utf8'));
    expect(r.stdout).toContain(`image: registry.access.redhat.com/ubi8/ubi@${D2}`);
    expect(r.stdout).not.toContain('kind: ImageStream');
  });

  it('follows a rollback in the lock', () => {
    const dir = copyExample('kustomize-plugin');
    const lock = join(dir, 'imagestreams.lock.yaml');
    writeFileSync(lock, readFileSync(lock, 'utf8').replace('    items:', '    pinned: 1\n    items:'));
    const r = kustomize(dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`image: registry.access.redhat.com/ubi8/ubi@${D1}`);
  });

  it('fails the build (no output) when the lock cannot resolve a trigger', () => {
    const dir = copyExample('kustomize-plugin');
    rmSync(join(dir, 'imagestreams.lock.yaml'));
    const r = kustomize(dir);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('imagestreams.lock.yaml does not exist');
  });
});

describe('Argo CD config management plugin', () => {
  const plugin = () => parse(readFileSync(join(REPO, 'examples/argocd/plugin.yaml'), 'utf8')) as { spec: { generate: { command: string[]; args?: string[] }; discover: { fileName: string } } };

  /** Runs generate as the repo server does: in the app directory, with ARGOCD_ENV_* and ARGOCD_APP_* set. */
  const generate = (appDir: string, env: Record<string, string>) => {
    const [command, ...args] = [...plugin().spec.generate.command, ...(plugin().spec.generate.args ?? [])];
    return spawnSync(command!, args, {
      cwd: appDir,
      encoding: 'utf8',
      env: { PATH: `${bin}${delimiter}${process.env.PATH}`, HOME: appDir, ARGOCD_APP_NAME: 'myapp', ARGOCD_APP_NAMESPACE: 'demo', ARGOCD_APP_REVISION: 'abc123', ...env },
    });
  };

  it('discovers apps by the lockfile and generates only manifests, resolved', () => {
    expect(plugin().spec.discover.fileName).toBe('imagestreams.lock.yaml');
    const app = copyExample('seed');
    const r = generate(app, { ARGOCD_ENV_STREAMLOCK_LOCKFILE: 'imagestreams.lock.yaml' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const docs = r.stdout.split(/^---\n/m).map((d) => parse(d) as { kind: string });
    expect(docs.map((d) => d.kind)).toEqual(['Deployment', 'Namespace']);
    expect(r.stdout).toContain(`image: registry.access.redhat.com/ubi8/ubi@${D2}`);
  });

  it('prints nothing and fails when the lock does not resolve (auto-prune must not see an empty success)', () => {
    const app = copyExample('seed');
    const r = generate(app, { ARGOCD_ENV_STREAMLOCK_LOCKFILE: 'missing.lock.yaml' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('lockfile missing.lock.yaml does not exist');
  });

  it('the sidecar Component builds over an Argo CD repo server', () => {
    const overlay = mkdtempSync(join(tmpdir(), 'streamlock-argocd-overlay-'));
    writeFileSync(
      join(overlay, 'repo-server.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: argocd-repo-server\nspec:\n  template:\n    spec:\n      containers:\n      - name: argocd-repo-server\n        image: quay.io/argoproj/argocd:v2.13.0\n      volumes:\n      - name: var-files\n        emptyDir: {}\n      - name: plugins\n        emptyDir: {}\n',
    );
    writeFileSync(join(overlay, 'kustomization.yaml'), `resources:\n- repo-server.yaml\ncomponents:\n- ${relative(overlay, join(REPO, 'examples/argocd'))}\n`);
    const r = spawnSync('kubectl', ['kustomize', '--load-restrictor', 'LoadRestrictionsNone', overlay], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const docs = r.stdout.split(/^---\n/m).map((d) => parse(d));
    const cm = docs.find((d) => d.kind === 'ConfigMap');
    expect(cm.metadata.name).toBe('streamlock-cmp-plugin');
    expect(parse(cm.data['plugin.yaml']).spec.generate.command).toEqual(['streamlock', 'render', '.']);
    const deploy = docs.find((d) => d.kind === 'Deployment');
    const sidecar = deploy.spec.template.spec.containers.find((c: { name: string }) => c.name === 'streamlock');
    expect(sidecar).toMatchObject({ image: 'ghcr.io/streamlock/streamlock:0.1.0', command: ['/var/run/argocd/argocd-cmp-server'], securityContext: { runAsUser: 999 } });
    expect(deploy.spec.template.spec.volumes.map((v: { name: string }) => v.name).sort()).toEqual(['plugins', 'streamlock-cmp-plugin', 'streamlock-tmp', 'var-files']);
  });
});
