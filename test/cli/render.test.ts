import { describe, expect, it, vi } from 'vitest';

vi.mock('ajv/dist/runtime/ucs2length.js', async (importOriginal) => {
  const mod = (await importOriginal()) as { default: unknown };
  const fn = typeof mod.default === 'function' ? mod.default : (mod.default as { default: unknown }).default;
  return { default: { default: fn } };
});

import { D1, D2, DEPLOYMENT, IMAGESTREAM, LOCK, NAMESPACE, TRIGGER, UBI, cli, workspace } from './helpers.js';

const TRIGGERED = DEPLOYMENT.replace("    team: 'platform'\n", `    team: 'platform'\n    image.openshift.io/triggers: '${TRIGGER}'\n`);
const RESOLVED = TRIGGERED.replace("    image: ubi:8\n", `    image: ${UBI}@${D2}\n`).replace(
  `    image.openshift.io/triggers: '${TRIGGER}'\n`,
  `    image.openshift.io/triggers: '${TRIGGER}'\n    resolved.streamlock.dev/myapp: "ubi:8 generation 2 ${D2}"\n`,
);

const app = () =>
  workspace({ 'deployment.yaml': TRIGGERED, 'imagestream.yaml': IMAGESTREAM, 'imagestreams.lock.yaml': LOCK, 'namespace.yaml': NAMESPACE, 'kustomization.yaml': 'resources: []\n' });

describe('streamlock render', () => {
  it('prints the resolved stream: only triggered fields change, lock and ImageStreams left out', async () => {
    const r = await cli(['render', '.'], { cwd: app() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${RESOLVED}---\n${NAMESPACE}`);
  });

  it('reads stdin (kustomize build output) with the lockfile from the working directory', async () => {
    const dir = workspace({ 'imagestreams.lock.yaml': LOCK });
    const r = await cli(['render', '-'], { cwd: dir, stdin: `---\n${NAMESPACE}---\n${TRIGGERED}...\n` });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${NAMESPACE}---\n${RESOLVED}`);
  });

  it('--keep-imagestreams keeps ImageStreams; the pinned generation is used', async () => {
    const dir = workspace({ 'd.yaml': TRIGGERED, 'is.yaml': IMAGESTREAM, 'imagestreams.lock.yaml': LOCK.replace('    items:', '    pinned: 1\n    items:') });
    const r = await cli(['render', '.', '--keep-imagestreams'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`image: ${UBI}@${D1}`);
    expect(r.stdout).toContain('ubi:8 generation 1 (pinned)');
    expect(r.stdout.split('---\n')[1]).toBe(IMAGESTREAM);
  });

  it('prints nothing on stdout on any error, and says why on stderr', async () => {
    const noLock = workspace({ 'd.yaml': TRIGGERED });
    const r = await cli(['render', '.'], { cwd: noLock });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('image stream ubi is neither in the input nor in the lock');
    expect(r.stderr).toContain('nothing printed');

    const badYaml = workspace({ 'd.yaml': TRIGGERED, 'x.yaml': 'a: [\n' });
    const y = await cli(['render', '.'], { cwd: badYaml });
    expect([y.code, y.stdout]).toEqual([1, '']);
    expect(y.stderr).toContain('x.yaml:');

    const notKrm = workspace({ 'values.yaml': 'replicas: 3\n' });
    const k = await cli(['render', '.'], { cwd: notKrm });
    expect([k.code, k.stdout]).toEqual([1, '']);
    expect(k.stderr).toContain('values.yaml:1: not a Kubernetes object');

    const empty = workspace({ 'imagestreams.lock.yaml': LOCK, 'is.yaml': IMAGESTREAM });
    const e = await cli(['render', '.'], { cwd: empty });
    expect([e.code, e.stdout]).toEqual([1, '']);
    expect(e.stderr).toContain('Argo CD');
    expect((await cli(['render', '.', '--allow-empty'], { cwd: empty })).code).toBe(0);

    const missing = await cli(['render', '.', '--lockfile', 'nope.yaml'], { cwd: app() });
    expect([missing.code, missing.stdout]).toEqual([1, '']);
  });

  it('takes options from ARGOCD_ENV_STREAMLOCK_* when no flags are given; flags win', async () => {
    const dir = workspace({ 'd.yaml': TRIGGERED.replace('  namespace: demo\n', ''), 'locks/images.lock.yaml': LOCK });
    const env = { ARGOCD_ENV_STREAMLOCK_LOCKFILE: 'locks/images.lock.yaml', ARGOCD_APP_NAMESPACE: 'demo', ARGOCD_ENV_STREAMLOCK_ANNOTATE: 'false' };
    const r = await cli(['render', 'd.yaml'], { cwd: dir, env });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`image: ${UBI}@${D2}`);
    expect(r.stdout).not.toContain('resolved.streamlock.dev');
    const other = await cli(['render', 'd.yaml', '--namespace', 'other'], { cwd: dir, env });
    expect([other.code, other.stdout]).toEqual([1, '']);
    const bad = await cli(['render', 'd.yaml'], { cwd: dir, env: { ...env, ARGOCD_ENV_STREAMLOCK_KEEP_IMAGESTREAMS: 'maybe' } });
    expect(bad.code).toBe(2);
  });

  it('reads an ImageStreamResolver config file (--config, the kustomize exec plugin form)', async () => {
    const dir = workspace({
      'd.yaml': TRIGGERED,
      'is.yaml': IMAGESTREAM,
      'my.lock.yaml': LOCK,
      'config.yaml': 'apiVersion: streamlock.dev/v1alpha1\nkind: ImageStreamResolver\nmetadata:\n  name: resolve\nspec:\n  lockfile: my.lock.yaml\n  annotate: false\n',
    });
    const r = await cli(['render', '-', '--config', 'config.yaml'], { cwd: dir, stdin: `${TRIGGERED}---\n${IMAGESTREAM}` });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(TRIGGERED.replace('    image: ubi:8\n', `    image: ${UBI}@${D2}\n`));
  });
});
