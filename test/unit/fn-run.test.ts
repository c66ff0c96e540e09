import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runFunction } from '../../src/fn/run.js';

function sink(): PassThrough & { text: () => string } {
  const s = new PassThrough() as PassThrough & { text: () => string };
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  s.text = () => Buffer.concat(chunks).toString('utf8');
  return s;
}

describe('runFunction', () => {
  it('refuses input over the size limit with a structured result and exit 1', async () => {
    const stdout = sink();
    const stderr = sink();
    const code = await runFunction({ stdin: Readable.from([Buffer.alloc(4096, 'a')]), stdout, stderr, cwd: '.', maxInputBytes: 1024 });
    expect(code).toBe(1);
    const out = parse(stdout.text());
    expect(out.kind).toBe('ResourceList');
    expect(out.results[0].tags.code).toBe('INPUT_TOO_LARGE');
    expect(stderr.text()).toContain('larger than 1024 bytes');
  });

  it('writes the list and exits 0 on success', async () => {
    const stdout = sink();
    const code = await runFunction({ stdin: Readable.from(['apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n']), stdout, stderr: sink(), cwd: '.' });
    expect(code).toBe(0);
    expect(parse(stdout.text()).results[0].severity).toBe('info');
  });
});
