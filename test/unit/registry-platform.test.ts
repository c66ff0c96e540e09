import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamlockError } from '../../src/errors.js';
import { parseImageRef } from '../../src/image-ref.js';
import { createRegistryClient, type RegistryClient } from '../../src/registry/client.js';
import { RegistryError } from '../../src/registry/errors.js';
import { parsePlatform, selectPlatform, type IndexEntry } from '../../src/registry/platform.js';
import { imageManifest, OCI_INDEX, OCI_MANIFEST, sendError, sendManifest, sha256, startServer, type TestServer } from '../helpers/fake-registry.js';

const amd64 = imageManifest('amd64');
const arm64 = imageManifest('arm64');
const armv7 = imageManifest('armv7');
const attestation = imageManifest('attestation');
const entry = (body: string, platform: IndexEntry['platform'], annotations?: Record<string, string>): IndexEntry => ({
  mediaType: OCI_MANIFEST, digest: sha256(body), platform, ...(annotations ? { annotations } : {}),
});
const index = JSON.stringify({
  schemaVersion: 2,
  mediaType: OCI_INDEX,
  manifests: [
    entry(attestation, { os: 'unknown', architecture: 'unknown' }, { 'vnd.docker.reference.type': 'attestation-manifest' }),
    entry(amd64, { os: 'linux', architecture: 'amd64' }),
    entry(arm64, { os: 'linux', architecture: 'arm64', variant: 'v8' }),
    entry(armv7, { os: 'linux', architecture: 'arm', variant: 'v7' }),
    { mediaType: OCI_MANIFEST, digest: sha256('gone'), platform: { os: 'linux', architecture: 'ppc64le' } },
  ],
});
const byDigest = new Map([amd64, arm64, armv7, attestation, index].map((b) => [sha256(b), b]));

let server: TestServer;
let client: RegistryClient;
beforeAll(async () => {
  server = await startServer((req, res) => {
    const reference = req.url!.split('/manifests/')[1]!;
    if (reference === 'multi') return sendManifest(req, res, index, OCI_INDEX);
    if (reference === 'single') return sendManifest(req, res, amd64, OCI_MANIFEST);
    const body = byDigest.get(reference);
    if (!body) return sendError(res, 404, 'MANIFEST_UNKNOWN');
    sendManifest(req, res, body, body === index ? OCI_INDEX : OCI_MANIFEST);
  });
  client = createRegistryClient({ retries: 0 });
});
afterAll(async () => {
  await client.close();
  await server.close();
});

const ref = (tag: string) => parseImageRef(`${server.host}/team/app:${tag}`);

describe('resolveTag with a platform', () => {
  it('keeps the index digest as the digest and picks the platform child', async () => {
    const resolved = await client.resolveTag(ref('multi'), { platform: 'linux/arm64' });
    expect(resolved).toEqual({ digest: sha256(index), mediaType: OCI_INDEX, platformDigest: sha256(arm64) });
  });

  it('verifies the chosen child exists with a HEAD by digest', async () => {
    const before = server.requests.length;
    await client.resolveTag(ref('multi'), { platform: 'linux/arm/v7' });
    const urls = server.requests.slice(before).map((r) => `${r.method} ${r.url.split('/manifests/')[1]}`);
    expect(urls).toEqual(['HEAD multi', `GET ${sha256(index)}`, `HEAD ${sha256(armv7)}`]);
  });

  it('without a platform returns only the index digest', async () => {
    expect(await client.resolveTag(ref('multi'))).toEqual({ digest: sha256(index), mediaType: OCI_INDEX });
  });

  it('lists the available platforms (not attestations) when none matches', async () => {
    const e = await client.resolveTag(ref('multi'), { platform: 'linux/s390x' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RegistryError);
    expect((e as RegistryError).code).toBe('REGISTRY_NOT_FOUND');
    expect((e as RegistryError).hint).toContain('linux/amd64, linux/arm64/v8, linux/arm/v7');
    expect((e as RegistryError).hint).not.toContain('unknown');
  });

  it('reports REGISTRY_NOT_FOUND when the index names a child the registry lacks', async () => {
    await expect(client.resolveTag(ref('multi'), { platform: 'linux/ppc64le' })).rejects.toMatchObject({ code: 'REGISTRY_NOT_FOUND', reference: sha256('gone') });
  });

  it('uses the manifest itself for a single-platform tag', async () => {
    expect((await client.resolveTag(ref('single'), { platform: 'linux/amd64' })).platformDigest).toBe(sha256(amd64));
  });

  it('rejects a malformed platform as a usage error', async () => {
    await expect(client.resolveTag(ref('multi'), { platform: 'linux' })).rejects.toBeInstanceOf(StreamlockError);
  });
});

describe('selectPlatform', () => {
  const entries: IndexEntry[] = [
    entry('a', { os: 'linux', architecture: 'arm64' }),
    entry('b', { os: 'linux', architecture: 'arm', variant: 'v6' }),
    entry('c', { os: 'linux', architecture: 'arm', variant: 'v7' }),
    entry('d', { os: 'windows', architecture: 'amd64' }),
  ];
  it.each([
    ['linux/arm64/v8', 'a'], // arm64 without variant means v8
    ['linux/arm64', 'a'],
    ['linux/arm/v6', 'b'],
    ['linux/arm', 'c'], // arm means v7
    ['windows/amd64', 'd'],
  ])('%s → %s', (platform, seed) => expect(selectPlatform(entries, parsePlatform(platform)!)?.digest).toBe(sha256(seed)));
  it.each(['linux/arm/v5', 'linux/amd64', 'darwin/arm64'])('%s → none', (platform) => {
    expect(selectPlatform(entries, parsePlatform(platform)!)).toBeUndefined();
  });
  it.each(['linux', 'linux/', '/amd64', 'linux/arm/v7/x', 'linux amd64'])('parsePlatform(%j) is undefined', (text) => {
    expect(parsePlatform(text)).toBeUndefined();
  });
});
