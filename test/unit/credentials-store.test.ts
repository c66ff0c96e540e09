import { join } from 'node:path';
import { inspect } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { basicCredential, CredentialsError, identityTokenCredential, type Credential } from '../../src/credentials/credential.js';
import { loadCredentialStore } from '../../src/credentials/store.js';

const fixtures = fileURLToPath(new URL('../fixtures/credentials/', import.meta.url));
const home = join(fixtures, 'home');
const env = { PATH: `${join(fixtures, 'bin')}:/usr/bin:/bin` };

/** The credential's visible parts, secrets included, for assertions. */
function reveal(c: Credential | undefined) {
  if (!c) return undefined;
  return 'password' in c ? { username: c.username, password: c.password } : { identityToken: c.identityToken };
}

function store(extra: { env?: Record<string, string>; pullSecretFiles?: string[]; homedir?: string } = {}) {
  return loadCredentialStore({ env: { ...env, ...extra.env }, homedir: extra.homedir ?? home, pullSecretFiles: extra.pullSecretFiles });
}

describe('docker config.json', () => {
  it('finds Docker Hub under the legacy https://index.docker.io/v1/ key, splitting auth at the first colon', async () => {
    const found = await store().lookup('docker.io', 'library/nginx');
    expect(reveal(found.credential)).toEqual({ username: 'hubuser', password: 'hub:pass-with-colon' });
    expect(found.source).toBe('docker config ~/.docker/config.json');
  });

  it('reads username/password fields and URL-style keys', async () => {
    expect(reveal((await store().lookup('registry.example.com', 'app')).credential)).toEqual({ username: 'plain-user', password: 'plain-pass' });
    expect(reveal((await store().lookup('legacy.example.com', 'app')).credential)).toEqual({ username: 'legacy-user', password: 'legacy-pass' });
  });

  it('prefers identitytoken over auth', async () => {
    expect(reveal((await store().lookup('idtoken.example.com', 'app')).credential)).toEqual({ identityToken: 'id-token-value' });
  });

  it('treats an empty {} entry as no credential and says what was searched', async () => {
    const found = await store().lookup('placeholder.example.com', 'app');
    expect(found.credential).toBeUndefined();
    expect(found.source).toBe('no credentials for placeholder.example.com in docker config ~/.docker/config.json, containers auth.json ~/.config/containers/auth.json');
  });

  it('honours DOCKER_CONFIG', async () => {
    const found = await store({ env: { DOCKER_CONFIG: join(fixtures, 'store-config') } }).lookup('docker.io', 'library/nginx');
    expect(reveal(found.credential)).toEqual({ username: 'store-hub-user', password: 'store-hub-secret' });
    expect(found.source).toMatch(/^credential helper docker-credential-test \(docker config .*store-config\/config\.json\)$/);
  });

  it('rejects an auth value that is not user:password without echoing it', async () => {
    const e = await store().lookup('broken-auth.example.com', 'app').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CredentialsError);
    expect((e as CredentialsError).code).toBe('CREDENTIALS_INVALID');
    expect((e as Error).message).toContain('broken-auth.example.com');
    expect((e as Error).message).not.toContain('no-colon-secret');
  });

  it('rejects malformed JSON naming the file, not its contents', async () => {
    const e = await store({ env: { DOCKER_CONFIG: join(fixtures, 'nowhere') }, homedir: '/nonexistent-home' })
      .lookup('x.example.com', 'app')
      .then(() => undefined);
    expect(e).toBeUndefined(); // missing files are simply absent
    const bad = loadCredentialStore({ env: { ...env, REGISTRY_AUTH_FILE: join(fixtures, 'malformed-config.json') }, homedir: '/nonexistent-home' });
    const err = (await bad.lookup('x.example.com', 'app').catch((x: unknown) => x)) as Error;
    expect(err).toBeInstanceOf(CredentialsError);
    expect(err.message).toMatch(/malformed-config\.json: not valid JSON/);
    expect(err.message).not.toContain('very-secret');
  });
});

describe('credential helpers via credHelpers', () => {
  it('asks the helper named for the registry', async () => {
    const found = await store().lookup('helped.example.com', 'app');
    expect(reveal(found.credential)).toEqual({ username: 'helper-user', password: 'helper-secret' });
    expect(found.source).toBe('credential helper docker-credential-test (docker config ~/.docker/config.json)');
  });

  it('maps a <token> username to an identity token', async () => {
    expect(reveal((await store().lookup('token.example.com', 'app')).credential)).toEqual({ identityToken: 'helper-identity-token' });
  });

  it('treats "credentials not found" as anonymous', async () => {
    const found = await store().lookup('missing.example.com', 'app');
    expect(found.credential).toBeUndefined();
    expect(found.source).toContain('credential helper docker-credential-test');
  });

  it('reports a failing helper with its stderr, as CREDENTIALS_HELPER_FAILED', async () => {
    await expect(store().lookup('broken.example.com', 'app')).rejects.toMatchObject({
      code: 'CREDENTIALS_HELPER_FAILED',
      message: 'docker-credential-test get broken.example.com exited with 2: keychain is locked',
    });
  });

  it('reports a helper missing from PATH', async () => {
    await expect(store().lookup('nohelper.example.com', 'app')).rejects.toMatchObject({
      code: 'CREDENTIALS_HELPER_FAILED',
      message: 'credential helper docker-credential-nonexistent not found on PATH',
    });
  });
});

describe('containers auth.json', () => {
  it('tries the most specific key first', async () => {
    const s = store();
    expect(reveal((await s.lookup('quay.io', 'org/repo')).credential)?.username).toBe('repo-user');
    expect(reveal((await s.lookup('quay.io', 'org/repo/sub')).credential)?.username).toBe('repo-user');
    expect(reveal((await s.lookup('quay.io', 'org/other')).credential)?.username).toBe('org-user');
    expect(reveal((await s.lookup('quay.io', 'elsewhere/app')).credential)?.username).toBe('host-user');
    expect((await s.lookup('quay.io', 'org/repo')).source).toBe('containers auth.json ~/.config/containers/auth.json');
  });

  it('comes after docker config (docker.io is found there first)', async () => {
    expect(reveal((await store().lookup('docker.io', 'library/nginx')).credential)?.username).toBe('hubuser');
    expect(reveal((await store().lookup('podman-only.example.com', 'app')).credential)?.username).toBe('podman-user');
  });

  it('honours REGISTRY_AUTH_FILE before the default paths', async () => {
    const s = store({ env: { REGISTRY_AUTH_FILE: join(fixtures, 'store-config', 'config.json'), DOCKER_CONFIG: join(fixtures, 'nowhere') } });
    const found = await s.lookup('docker.io', 'library/nginx');
    expect(reveal(found.credential)?.username).toBe('store-hub-user'); // its credsStore answers
    expect(found.source).toContain('containers auth.json');
  });
});

describe('pull secrets', () => {
  const pullSecretFiles = [join(fixtures, 'pull-secrets.yaml')];
  it('reads kubernetes.io/dockerconfigjson from base64 data', async () => {
    const found = await store({ pullSecretFiles }).lookup('secret.example.com', 'app');
    expect(reveal(found.credential)).toEqual({ username: 'secret-user', password: 'secret-pass' });
    expect(found.source).toMatch(/^pull secret apps\/regcred \(.*pull-secrets\.yaml\)$/);
  });

  it('matches repository-scoped keys', async () => {
    expect(reveal((await store({ pullSecretFiles }).lookup('ghcr.io', 'acme/app')).credential)?.username).toBe('acme-bot');
    expect((await store({ pullSecretFiles }).lookup('ghcr.io', 'other/app')).credential).toBeUndefined();
  });

  it('reads legacy kubernetes.io/dockercfg from stringData', async () => {
    expect(reveal((await store({ pullSecretFiles }).lookup('legacy-k8s.example.com', 'app')).credential)?.username).toBe('old-user');
  });

  it('accepts a bare config.json as a pull secret file', async () => {
    const found = await store({ pullSecretFiles: [join(home, '.config', 'containers', 'auth.json')], homedir: '/nonexistent-home' }).lookup('quay.io', 'x/y');
    expect(reveal(found.credential)?.username).toBe('host-user');
  });

  it('rejects data that is not base64', async () => {
    await expect(store({ pullSecretFiles: [join(fixtures, 'bad-base64-secret.yaml')] }).lookup('secret.example.com', 'app')).rejects.toMatchObject({
      code: 'CREDENTIALS_INVALID',
    });
  });
});

describe('credential values never show their secret', () => {
  it.each([
    ['basic', basicCredential('dev', 'hunter2-secret'), 'hunter2-secret'],
    ['identity token', identityTokenCredential('tok-secret-123'), 'tok-secret-123'],
  ])('%s: JSON, inspect, String, spread', (_name, credential, secret) => {
    const texts = [JSON.stringify(credential), inspect(credential), String(credential), `${credential}`, JSON.stringify({ ...credential }), inspect({ nested: { credential } })];
    for (const text of texts) expect(text).not.toContain(secret);
    expect(JSON.stringify(credential)).toContain('[redacted]');
    expect(Object.values(reveal(credential)!)).toContain(secret); // still usable by code that asks for it
  });
});
