import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/registry/errors.js';
import type { RegistryRequest, RegistryResponse, Send } from '../../src/registry/exchange.js';
import { apiHost, isInternalIpLiteral, isLoopbackHost } from '../../src/registry/hosts.js';
import { backoffDelay, parseRetryAfter, withRetry } from '../../src/registry/retry.js';

const ctx = { registry: 'r.example', repository: 'app', reference: 'v1' };
const req: RegistryRequest = {
  kind: 'manifest', method: 'HEAD', url: new URL('https://r.example/v2/app/manifests/v1'), headers: {},
  maxBodyBytes: 1024, tooLargeCode: 'MANIFEST_TOO_LARGE', context: ctx,
};
const response = (status: number, headers: Record<string, string> = {}): RegistryResponse => ({ status, headers, body: Buffer.alloc(0), url: req.url });

/** A Send that plays back `script` (responses, or errors to throw), recording nothing else. */
function scripted(script: Array<RegistryResponse | Error>): Send & { calls: number } {
  const send = Object.assign(async () => {
    const next = script[send.calls++];
    if (next instanceof Error) throw next;
    return next!;
  }, { calls: 0 });
  return send;
}

function policy(send: Send, retries = 3) {
  const waits: number[] = [];
  let retried = 0;
  const wrapped = withRetry(send, { retries, sleep: async (ms) => void waits.push(ms), random: () => 0.5, onRetry: () => retried++ });
  return { wrapped, waits, retried: () => retried };
}

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it.each([
    ['1', 1000],
    [' 120 ', 120_000],
    ['Wed, 01 Jan 2025 00:00:30 GMT', 30_000],
    ['Tue, 31 Dec 2024 23:00:00 GMT', 0],
  ])('%j → %d ms', (value, ms) => expect(parseRetryAfter(value, now)).toBe(ms));
  it.each([undefined, '', 'soon', '-5', '1.5'])('%j → undefined', (value) => expect(parseRetryAfter(value, now)).toBeUndefined());
});

describe('backoffDelay', () => {
  it('grows by 3× and stays within [step/2, step], capped', () => {
    expect(backoffDelay(0, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelay(0, 100, 10_000, () => 1)).toBe(100);
    expect(backoffDelay(2, 100, 10_000, () => 1)).toBe(900);
    expect(backoffDelay(10, 100, 1_000, () => 1)).toBe(1_000);
  });
});

describe('withRetry', () => {
  it('retries 408, 429 and 5xx, then returns the success', async () => {
    const send = scripted([response(503), response(408), response(429), response(200)]);
    const { wrapped, retried } = policy(send);
    expect((await wrapped(req)).status).toBe(200);
    expect(send.calls).toBe(4);
    expect(retried()).toBe(3);
  });

  it('returns the last failing response once retries are spent', async () => {
    const send = scripted([response(500), response(502)]);
    expect((await policy(send, 1).wrapped(req)).status).toBe(502);
    expect(send.calls).toBe(2);
  });

  it('does not retry 404 or 401', async () => {
    for (const status of [401, 404]) {
      const send = scripted([response(status), response(200)]);
      expect((await policy(send).wrapped(req)).status).toBe(status);
      expect(send.calls).toBe(1);
    }
  });

  it('waits as long as Retry-After asks, capped at 60 s', async () => {
    const send = scripted([response(429, { 'retry-after': '2' }), response(429, { 'retry-after': '3600' }), response(200)]);
    const { wrapped, waits } = policy(send);
    await wrapped(req);
    expect(waits).toEqual([2000, 60_000]);
  });

  it('retries network errors but not timeouts or TLS errors', async () => {
    const net = new RegistryError('REGISTRY_NETWORK', ctx);
    const send = scripted([net, response(200)]);
    expect((await policy(send).wrapped(req)).status).toBe(200);
    for (const code of ['REGISTRY_TIMEOUT', 'REGISTRY_TLS', 'MANIFEST_TOO_LARGE'] as const) {
      const once = scripted([new RegistryError(code, ctx), response(200)]);
      await expect(policy(once).wrapped(req)).rejects.toMatchObject({ code });
      expect(once.calls).toBe(1);
    }
  });
});

describe('hosts', () => {
  it('serves docker.io from registry-1.docker.io', () => {
    expect(apiHost('docker.io')).toBe('registry-1.docker.io');
    expect(apiHost('quay.io')).toBe('quay.io');
  });
  it.each([['localhost:5000', true], ['127.0.0.1', true], ['127.9.9.9:80', true], ['[::1]:5000', true], ['localhost.example', false], ['10.0.0.1:5000', false], ['128.0.0.1', false]])(
    'isLoopbackHost(%s) = %s',
    (host, expected) => expect(isLoopbackHost(host)).toBe(expected),
  );
  it.each([['169.254.169.254', true], ['10.1.2.3', true], ['172.16.0.1', true], ['172.32.0.1', false], ['192.168.1.1', true], ['8.8.8.8', false], ['[fe80::1]', true], ['auth.docker.io', false]])(
    'isInternalIpLiteral(%s) = %s',
    (host, expected) => expect(isInternalIpLiteral(host)).toBe(expected),
  );
});
