/**
 * `streamlock import` against authenticated registries on 127.0.0.1: htpasswd behind TLS (a CA
 * made by openssl, `--ca-file`), credentials from a DOCKER_CONFIG directory or a pull-secret
 * file, and token auth with a token server in the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { canBcrypt, ensureCliBuilt, runCli, startRegistry, type Registry } from '../helpers/registry.js';
import { makeImage, skopeoDigest, skopeoPush } from '../helpers/oci.js';
import { startTokenServer, type TokenServer } from '../helpers/token-server.js';

const USER = 'alice';
const PASSWORD = 's3cret-pw';
const b64 = (s: string) => Buffer.from(s).toString('base64');

function imageStream(name: string, tag: string, from: string): string {
  return `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: ${name}\nspec:\n  tags:\n  - name: "${tag}"\n    from:\n      kind: DockerImage\n      name: ${from}\n`;
}

let work: string;
let layout: string;

beforeAll(async () => {
  await ensureCliBuilt();
  work = await mkdtemp(join(tmpdir(), 'streamlock-auth-'));
  layout = join(work, 'oci');
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function project(name: string, manifest: string): Promise<string> {
  const dir = join(work, name);
  await mkdir(join(dir, 'manifests'), { recursive: true });
  await writeFile(join(dir, 'manifests', 'is.yaml'), manifest);
  return dir;
}

async function recorded(dir: string): Promise<string | undefined> {
  const lock = parse(await readFile(join(dir, 'imagestreams.lock.yaml'), 'utf8')) as { streams: Array<{ tags: Array<{ items: Array<{ image: string }> }> }> };
  return lock.streams[0]?.tags[0]?.items[0]?.image;
}

describe.skipIf(!canBcrypt())('import from an htpasswd registry behind TLS', () => {
  let registry: Registry;
  let digest: string;
  let ref: string;

  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: { [USER]: PASSWORD } });
    ref = `${registry.host}/secure/app:1.0`;
    const auth = { creds: `${USER}:${PASSWORD}`, certDir: registry.tls!.caDir };
    await skopeoPush(layout, 'secure-1', ref, makeImage('secure 1'), auth);
    digest = await skopeoDigest(ref, auth);
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('uses --ca-file and credentials from DOCKER_CONFIG', async () => {
    const dir = await project('docker-config', imageStream('app', '1.0', ref));
    await mkdir(join(dir, 'docker'));
    await writeFile(join(dir, 'docker', 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: b64(`${USER}:${PASSWORD}`) } } }));
    const r = await runCli(['import', '--ca-file', registry.tls!.caCert, 'manifests'], { cwd: dir, env: { DOCKER_CONFIG: join(dir, 'docker') } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await recorded(dir)).toBe(digest);
  });

  it('uses a kubernetes.io/dockerconfigjson pull-secret file', async () => {
    const dir = await project('pull-secret', imageStream('app', '1.0', ref));
    const config = JSON.stringify({ auths: { [registry.host]: { auth: b64(`${USER}:${PASSWORD}`) } } });
    await writeFile(
      join(dir, 'pull-secret.yaml'),
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: registry-pull\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${b64(config)}\n`,
    );
    const r = await runCli(['import', '--ca-file', registry.tls!.caCert, '--pull-secret', 'pull-secret.yaml', 'manifests'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await recorded(dir)).toBe(digest);
  });

  it('exits 3 naming the tag, registry and HTTP status without credentials, and without the CA', async () => {
    const dir = await project('no-creds', imageStream('app', '1.0', ref));
    const noCreds = await runCli(['import', '--ca-file', registry.tls!.caCert, 'manifests'], { cwd: dir });
    expect(noCreds.code).toBe(3);
    expect(noCreds.stderr).toContain(`error: app:1.0 (from ${ref}): `);
    expect(noCreds.stderr).toContain('401');
    const noCa = await runCli(['import', 'manifests'], { cwd: dir });
    expect(noCa.code).toBe(3);
    expect(noCa.stderr).toMatch(/TLS|certificate/i);
    await expect(readFile(join(dir, 'imagestreams.lock.yaml'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('import from a token-auth registry', () => {
  let tokens: TokenServer;
  let registry: Registry;

  beforeAll(async () => {
    const dir = join(work, 'token-server');
    await mkdir(dir, { recursive: true });
    tokens = await startTokenServer(dir, { [USER]: PASSWORD });
    registry = await startRegistry({ token: { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootCertBundle: tokens.rootCertBundle } });
  });
  afterAll(async () => {
    await registry?.stop();
    await tokens?.close();
  });

  it('gets a bearer token with the credentials and records skopeo\'s digest', async () => {
    const ref = `${registry.host}/tok/app:2.0`;
    const auth = { creds: `${USER}:${PASSWORD}` };
    await skopeoPush(layout, 'tok-1', ref, makeImage('token 1'), auth);
    const digest = await skopeoDigest(ref, auth);
    const dir = await project('token', imageStream('app', '2.0', ref));
    await mkdir(join(dir, 'docker'));
    await writeFile(join(dir, 'docker', 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: b64(`${USER}:${PASSWORD}`) } } }));
    const before = tokens.requests.length;
    const r = await runCli(['import', '--output', 'json', 'manifests'], { cwd: dir, env: { DOCKER_CONFIG: join(dir, 'docker') } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await recorded(dir)).toBe(digest);
    const report = JSON.parse(r.stdout);
    expect(report.stats.tokenRequests).toBe(1);
    expect(tokens.requests.slice(before)).toEqual([{ user: USER, scopes: ['repository:tok/app:pull'] }]);

    // Anonymous: the token carries no access, the registry says 401, import exits 3.
    const anon = await runCli(['import', 'manifests'], { cwd: await project('token-anon', imageStream('app', '2.0', ref)) });
    expect(anon.code).toBe(3);
    expect(anon.stderr).toMatch(/app:2\.0 .*401/);
  });
});
