import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('ajv/dist/runtime/ucs2length.js', async (importOriginal) => {
  const mod = (await importOriginal()) as { default: unknown };
  const fn = typeof mod.default === 'function' ? mod.default : (mod.default as { default: unknown }).default;
  return { default: { default: fn } };
});

import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { D1, D2, D3, DEPLOYMENT, IMAGESTREAM, LOCK, NAMESPACE, TRIGGER, UBI, cli, workspace } from './helpers.js';

const TRIGGERED = DEPLOYMENT.replace("    team: 'platform'\n", `    team: 'platform'\n    image.openshift.io/triggers: '${TRIGGER}'\n`);
const good = () => ({ 'deploy/deployment.yaml': TRIGGERED, 'deploy/imagestream.yaml': IMAGESTREAM, 'imagestreams.lock.yaml': LOCK, 'deploy/namespace.yaml': NAMESPACE });

describe('streamlock check', () => {
  it('passes a consistent repository', async () => {
    const r = await cli(['check'], { cwd: workspace(good()) });
    expect(r.stdout).toBe('ok: 3 resources in 3 files; 0 errors, 0 warnings\n');
    expect(r.code).toBe(0);
  });

  it('a stale lock (the ImageStream imports from elsewhere) is an error at the ImageStream line, naming streamlock import', async () => {
    const files = { ...good(), 'deploy/imagestream.yaml': IMAGESTREAM.replace(`${UBI}:8.0`, `${UBI}:8.1`) };
    const r = await cli(['check', 'deploy'], { cwd: workspace(files) });
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toContain(
      `deploy/imagestream.yaml:14: error: stale lock: ImageStream demo/ubi tag 8 imports from ${UBI}:8.1, but imagestreams.lock.yaml recorded demo/ubi:8 from ${UBI}:8.0; run \`streamlock import\` to record the new source`,
    );
    expect(lines.some((l) => l.startsWith('deploy/deployment.yaml:11: error: Deployment demo/myapp: trigger 0') && l.includes('run `streamlock import`'))).toBe(true);
    expect(lines.at(-1)).toBe('failed: 3 resources in 3 files; 2 errors, 0 warnings');
  });

  it('an ImageStream tag with no history is an error', async () => {
    const files = { ...good(), 'deploy/imagestream.yaml': `${IMAGESTREAM}  - name: "9"\n    from:\n      kind: DockerImage\n      name: ${UBI}:9\n` };
    const r = await cli(['check'], { cwd: workspace(files) });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`deploy/imagestream.yaml:20: error: ImageStream demo/ubi tag 9 (from ${UBI}:9) has no recorded image in imagestreams.lock.yaml; run \`streamlock import\` to record it`);
  });

  it('an unresolvable trigger is an error at the annotation line', async () => {
    const files = { ...good(), 'deploy/deployment.yaml': TRIGGERED.replace('ubi:8"}', 'nope:1"}') };
    const r = await cli(['check'], { cwd: workspace(files) });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^deploy\/deployment\.yaml:11: error: Deployment demo\/myapp: trigger 0 .*image stream nope is neither in the input nor in the lock$/m);
  });

  it('floating images are warnings, errors with --strict; a paused trigger does not pin', async () => {
    const floating = `${NAMESPACE}---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n  namespace: demo\nspec:\n  template:\n    spec:\n      containers:\n      - name: db\n        image: postgres:16\n      - name: pinned\n        image: quay.io/org/x@${D3}\n`;
    const dir = workspace({ ...good(), 'deploy/db.yaml': floating });
    const r = await cli(['check'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'deploy/db.yaml:16: warning: StatefulSet demo/db: container db runs postgres:16, which names no digest, and no trigger sets it; add one with `streamlock set-triggers --from-image STREAM:TAG -c db` or pin it by digest',
    );
    expect(r.stdout).not.toContain('container pinned');
    const strict = await cli(['check', '--strict', '-o', 'json'], { cwd: dir });
    expect(strict.code).toBe(1);
    const report = JSON.parse(strict.stdout);
    expect(report.problems).toEqual([expect.objectContaining({ file: 'deploy/db.yaml', line: 16, severity: 'error', code: 'IMAGE_FLOATING' })]);

    const paused = workspace({ ...good(), 'deploy/deployment.yaml': TRIGGERED.replace('.image"}]', '.image","paused":true}]') });
    expect((await cli(['check'], { cwd: paused })).stdout).toContain('its trigger from ubi:8 is paused');
  });

  it('a pin to a generation that is not recorded is an error in the lockfile', async () => {
    const files = { ...good(), 'imagestreams.lock.yaml': LOCK.replace('    items:', '    pinned: 5\n    items:') };
    const r = await cli(['check'], { cwd: workspace(files) });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('imagestreams.lock.yaml: error: lockfile imagestreams.lock.yaml: streams[0].tags[0].pinned: demo/ubi:8 is pinned to generation 5, which is not recorded (recorded: 2, 1)');
  });
});

describe('streamlock check --remote', () => {
  let server: Server;
  let host: string;
  const present = new Set<string>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const m = /^\/v2\/(.+)\/manifests\/(.+)$/.exec(req.url ?? '');
      if (req.url === '/v2/') return res.writeHead(200).end('{}');
      if (m?.[1] === 'org/forbidden') return res.writeHead(403, { 'content-type': 'application/json' }).end('{"errors":[{"code":"DENIED","message":"no"}]}');
      if (m && present.has(`${m[1]}@${m[2]}`)) {
        return res.writeHead(200, { 'docker-content-digest': m[2], 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'content-length': '2' }).end();
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const lockFor = (repo: string) => LOCK.replaceAll(UBI, `${host}/${repo}`);
  const files = (repo: string) => ({ ...good(), 'deploy/imagestream.yaml': IMAGESTREAM.replace(UBI, `${host}/${repo}`), 'imagestreams.lock.yaml': lockFor(repo) });

  it('passes when the digest in use exists; a gone older generation is a warning', async () => {
    present.add(`org/app@${D2}`);
    const r = await cli(['check', '--remote'], { cwd: workspace(files('org/app')) });
    expect(r.stdout).toContain(`imagestreams.lock.yaml: warning: ${host}/org/app@${D1} (demo/ubi:8 generation 1) no longer exists in its registry; rolling back to it would fail`);
    expect(r.stdout).toContain('2 locked images checked in registries; 0 errors, 1 warning');
    expect(r.code).toBe(0);
  });

  it('exits 1 when the digest in use is gone', async () => {
    const r = await cli(['check', '--remote'], { cwd: workspace(files('org/gone')) });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`error: ${host}/org/gone@${D2} (demo/ubi:8 generation 2, in use) no longer exists in its registry`);
  });

  it('exits 3 when a registry fails', async () => {
    const r = await cli(['check', '--remote'], { cwd: workspace(files('org/forbidden')) });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`error: cannot check ${host}/org/forbidden@`);
  });
});
