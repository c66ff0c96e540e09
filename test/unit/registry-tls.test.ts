import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageRef } from '../../src/image-ref.js';
import { createRegistryClient } from '../../src/registry/client.js';
import { imageManifest, OCI_MANIFEST, sendManifest, sha256, startServer, testTls, type TestServer } from '../helpers/fake-registry.js';

const body = imageManifest('tls');
let server: TestServer;
beforeAll(async () => {
  server = await startServer((req, res) => sendManifest(req, res, body, OCI_MANIFEST), { tls: true });
});
afterAll(() => server.close());

async function resolveWith(options: Parameters<typeof createRegistryClient>[0]) {
  const client = createRegistryClient({ retries: 0, ...options });
  try {
    return await client.resolveTag(parseImageRef(`${server.host}/app:v1`));
  } finally {
    await client.close();
  }
}

describe('TLS on a loopback registry', () => {
  it('works over https when the test CA is given with caFile', async () => {
    const before = server.requests.length;
    expect((await resolveWith({ caFile: testTls.caFile })).digest).toBe(sha256(body));
    expect(server.requests.length).toBeGreaterThan(before); // answered over TLS, not some plain-http fallback
  });

  it('verifies certificates by default: an unknown CA is REGISTRY_TLS, with no plain-http fallback', async () => {
    await expect(resolveWith({})).rejects.toMatchObject({ code: 'REGISTRY_TLS' });
  });

  it('skips verification for a host listed in insecureRegistries', async () => {
    expect((await resolveWith({ insecureRegistries: [server.host] })).digest).toBe(sha256(body));
  });
});
