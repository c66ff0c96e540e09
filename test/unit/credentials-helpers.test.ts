import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { getFromHelper } from '../../src/credentials/helpers.js';

const bin = fileURLToPath(new URL('../fixtures/credentials/bin/', import.meta.url));
const env = { PATH: `${bin}:/usr/bin:/bin` };

describe('getFromHelper', () => {
  it('sends the server on stdin and reads Username/Secret', async () => {
    const c = await getFromHelper('test', 'helped.example.com', { env });
    expect(c && 'password' in c ? [c.username, c.password] : c).toEqual(['helper-user', 'helper-secret']);
  });

  it('returns undefined for "credentials not found"', async () => {
    expect(await getFromHelper('test', 'unknown.example.com', { env })).toBeUndefined();
  });

  it('gives up after timeoutMs', async () => {
    const started = Date.now();
    await expect(getFromHelper('test', 'slow.example.com', { env, timeoutMs: 200 })).rejects.toMatchObject({
      code: 'CREDENTIALS_HELPER_FAILED',
      message: 'docker-credential-test get slow.example.com did not answer within 200 ms',
    });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('refuses helper names that are paths', async () => {
    await expect(getFromHelper('../../bin/sh', 'x', { env })).rejects.toMatchObject({ code: 'CREDENTIALS_INVALID' });
  });

  it('looks the helper up on the PATH it was given, not the process PATH', async () => {
    await expect(getFromHelper('test', 'helped.example.com', { env: { PATH: join(bin, 'nowhere') } })).rejects.toMatchObject({
      code: 'CREDENTIALS_HELPER_FAILED',
    });
  });
});
