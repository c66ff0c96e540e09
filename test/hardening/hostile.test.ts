/**
 * The hostile corpus (test/fixtures/hostile/): JSONPath RCE payloads, hostile annotation values,
 * prototype-pollution keys, YAML bombs, in manifests, function config, lockfiles, credential files
 * and ImageStreams. Each case carries its expected error code (or OK); one table drives them all.
 *
 * After every case: the sentinels the payloads aim at are untouched (globalThis flag, a file, the
 * exit code) and Object.prototype is as it was. A failed run leaves every item byte for byte; an
 * OK run changes only the intended image and its resolved annotation.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { JSONPath } from 'jsonpath-plus';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { transform } from '../../src/fn/transform.js';
import { readLockfile, updateLockfile } from '../../src/lockfile/store.js';
import { pullSecretSource } from '../../src/credentials/pull-secrets.js';
import { createConfigFileSource } from '../../src/credentials/config-file.js';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { runImport, type ImportOptions } from '../../src/cli/commands/import.js';
import { deployment, lock, resourceList } from '../helpers/fn.js';
import { checkPrototypeClean } from './targets.js';

const dir = join(import.meta.dirname, '../fixtures/hostile');
const SENTINEL_FILE = '/tmp/streamlock-hostile-sentinel';
const g = globalThis as { __STREAMLOCK_PWNED__?: unknown };

/** Known gaps: the case is listed, not run, and the reason says why. */
const SKIP: Record<string, string> = {};

let exitCodeBefore: typeof process.exitCode;
beforeEach(() => {
  rmSync(SENTINEL_FILE, { force: true });
  delete g.__STREAMLOCK_PWNED__;
  exitCodeBefore = process.exitCode;
});
afterEach(() => {
  expect(g.__STREAMLOCK_PWNED__, 'a payload ran (global flag)').toBeUndefined();
  expect(existsSync(SENTINEL_FILE), 'a payload ran (sentinel file)').toBe(false);
  expect(process.exitCode, 'a payload ran (process.exitCode)').toBe(exitCodeBefore);
  checkPrototypeClean();
});

/** `# expect: CODE` sections of a one-case-per-line corpus. */
function lineCorpus(file: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let code = '';
  for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
    const m = /^# expect: ([A-Z_]+)$/.exec(line);
    if (m) code = m[1]!;
    else if (line !== '' && !line.startsWith('#')) out.push([code, line]);
  }
  return out;
}

function expectOf(text: string): string {
  const code = /^# expect: ([A-Z_]+)/m.exec(text)?.[1];
  if (!code) throw new Error('fixture without # expect:');
  return code;
}

const LOCK = lock([{ name: 'web', tags: [{ tag: '1', repo: 'quay.io/acme/web', builds: ['web-1'] }] }]);

function webList(triggers: string): string {
  return resourceList([deployment({ name: 'web', triggers, containers: [{ name: 'web', image: 'web:1' }] }), LOCK]);
}

/** Lines added or removed between input and output (results stripped), for "only the image changed". */
function changedLines(input: string, output: string): { added: string[]; removed: string[] } {
  const body = output.replace(/\nresults:\n[\s\S]*$/, '\n').replace(/,?\s*"results": \[[\s\S]*\]\s*\}\s*$/, '}');
  const a = input.split('\n');
  const b = body.split('\n');
  const count = (xs: string[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
  const ca = count(a);
  const cb = count(b);
  return {
    added: b.filter((x) => (ca.get(x) ?? 0) < (cb.get(x) ?? 0)),
    removed: a.filter((x) => (cb.get(x) ?? 0) < (ca.get(x) ?? 0)),
  };
}

function expectOnlyImageChanged(input: string, output: string): void {
  const { added, removed } = changedLines(input, output);
  for (const line of added) expect(line).toMatch(/^\s*(image: |resolved\.streamlock\.dev\/web: )/);
  for (const line of removed) expect(line).toMatch(/^\s*(image: |resolved\.streamlock\.dev\/web: )/);
  expect(added.some((l) => /image: quay\.io\/acme\/web@sha256:[0-9a-f]{64}$/.test(l))).toBe(true);
}

function expectFailedUntouched(input: string, out: ReturnType<typeof transform>, code: string): void {
  expect(out.ok).toBe(false);
  expect(out.results.filter((r) => r.severity === 'error').map((r) => r.tags?.code)).toContain(code);
  expect(out.text.startsWith(input), 'items byte for byte, only results appended').toBe(true);
}

describe('the sentinel detects a payload that runs (control)', () => {
  it('jsonpath-plus with eval: "native" executes a corpus payload; streamlock never uses that', () => {
    const payload = lineCorpus('fieldpaths.txt').find(([, p]) => p.startsWith("$..[?(@.constructor.constructor('globalThis"))![1];
    JSONPath({ path: payload, json: { a: { name: 'x' } }, eval: 'native' });
    expect(g.__STREAMLOCK_PWNED__).toBe(1);
    delete g.__STREAMLOCK_PWNED__;
  });
});

describe('hostile fieldPaths (fieldpaths.txt)', () => {
  const cases = lineCorpus('fieldpaths.txt');
  it('has the advisory payloads', () => {
    expect(cases.length).toBeGreaterThan(60);
    expect(cases.some(([, p]) => p.includes("execSync('id')"))).toBe(true);
    expect(cases.some(([, p]) => p.includes('__lookupGetter__'))).toBe(true);
  });
  it.each(cases)('%s: %s', (code, fieldPath) => {
    const input = webList(JSON.stringify([{ from: { kind: 'ImageStreamTag', name: 'web:1' }, fieldPath }]));
    expectFailedUntouched(input, transform(input), code);
  });
});

describe('hostile trigger annotations (annotations.txt)', () => {
  it.each(lineCorpus('annotations.txt'))('%s: %s', (code, value) => {
    const input = webList(value);
    const out = transform(input);
    if (code === 'OK') {
      expect(out.results.filter((r) => r.severity === 'error')).toEqual([]);
      expectOnlyImageChanged(input, out.text);
    } else expectFailedUntouched(input, out, code);
  });

  it('an annotation over 256 KiB is refused before JSON parsing (TRIGGER_INVALID)', () => {
    const input = webList(`[${' '.repeat(300 * 1024)}]`);
    expectFailedUntouched(input, transform(input), 'TRIGGER_INVALID');
  });
});

describe('hostile ResourceLists (resource-lists/)', () => {
  const files = readdirSync(join(dir, 'resource-lists')).sort();
  const readFromCorpus = (p: string) => readFileSync(join(dir, p), 'utf8');
  it.each(files)('%s', (file) => {
    const input = readFileSync(join(dir, 'resource-lists', file), 'utf8');
    const code = expectOf(input);
    const out = transform(input, { readFile: readFromCorpus });
    if (code === 'OK') {
      expect(out.results.filter((r) => r.severity === 'error')).toEqual([]);
      if (input.includes('image.openshift.io/triggers')) expectOnlyImageChanged(input, out.text);
      else expect(out.changed).toBe(0);
    } else {
      expect(out.ok).toBe(false);
      expect(out.results.map((r) => r.tags?.code)).toContain(code);
      // Parsed inputs come back byte for byte; unparseable ones as an empty list with the results.
      if (!['INPUT_NOT_YAML', 'INPUT_NOT_RESOURCE_LIST', 'INPUT_TOO_DEEP'].includes(code) || out.text.startsWith(input)) expect(out.text.startsWith(input)).toBe(true);
    }
  });
});

describe('hostile lockfiles (lockfiles/)', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'streamlock-hostile-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });
  const files = readdirSync(join(dir, 'lockfiles')).sort();
  it.each(files)('%s', async (file) => {
    if (SKIP[`lockfiles/${file}`]) return void console.info(`skip lockfiles/${file}: ${SKIP[`lockfiles/${file}`]}`);
    const path = join(work, file);
    await copyFile(join(dir, 'lockfiles', file), path);
    const before = await readFile(path, 'utf8');
    const code = expectOf(before);
    await expect(readLockfile(path)).rejects.toMatchObject({ name: 'StreamlockError', code });
    // An update refuses the same way and leaves the file, with no lock or temp file behind.
    await expect(updateLockfile(path, (l) => l)).rejects.toMatchObject({ code });
    expect(await readFile(path, 'utf8')).toBe(before);
    expect((await readdir(work)).filter((f) => f.startsWith(`.${file}`) || f === `${file}.lock`)).toEqual([]);
  });
});

describe('hostile credential files (credentials/)', () => {
  const jsonExpect = Object.fromEntries(lineCorpus('credentials/expectations.txt').map(([, l]) => l.split(' ') as [string, string]));
  const files = readdirSync(join(dir, 'credentials')).filter((f) => f !== 'expectations.txt').sort();
  it.each(files)('%s', async (file) => {
    const path = join(dir, 'credentials', file);
    const code = file.endsWith('.json') ? jsonExpect[file] : expectOf(readFileSync(path, 'utf8'));
    expect(code, `${file} has an expectation`).toBeTruthy();
    const source = file.includes('.pull-secret.')
      ? pullSecretSource([path], '/nonexistent')
      : createConfigFileSource({ path, label: `docker config ${file}`, repoScoped: false, env: { PATH: '/nonexistent' } });
    const lookup = source.lookup('quay.io', 'acme/app');
    if (code === 'NO_CREDENTIAL') expect((await lookup).credential).toBeUndefined();
    else await expect(lookup).rejects.toMatchObject({ name: 'CredentialsError', code });
  });
});

const IMPORT_DEFAULTS: ImportOptions = {
  paths: [], lockfile: 'imagestreams.lock.yaml', dryRun: false, json: false, filters: [], scheduledOnly: false, namespace: undefined,
  platform: undefined, caFile: undefined, insecureRegistries: [], pullSecrets: [], timeoutMs: 2000, concurrency: 4, keepGoing: false, commit: false,
};

describe('hostile ImageStream manifests through `streamlock import` (imagestreams/)', () => {
  const files = readdirSync(join(dir, 'imagestreams')).sort();
  it.each(files)('%s', async (file) => {
    const work = await mkdtemp(join(tmpdir(), 'streamlock-hostile-import-'));
    try {
      let err = '';
      const io: CliIO = {
        stdin: new PassThrough(),
        stdout: Object.assign(new PassThrough(), { write: () => true }) as never,
        stderr: Object.assign(new PassThrough(), { write: (s: string) => ((err += s), true) }) as never,
        env: { HOME: work, PATH: '/nonexistent' },
        cwd: work,
        now: () => new Date('2026-11-20T10:00:00Z'),
        interactive: false,
      };
      const path = join(dir, 'imagestreams', file);
      const expected = expectOf(readFileSync(path, 'utf8'));
      await expect(runImport({ ...IMPORT_DEFAULTS, paths: [path] }, io)).rejects.toMatchObject({ name: 'StreamlockError', code: expected });
      expect(await main(['import', '--timeout', '2s', path], io)).toBe(1);
      expect(err).toContain(file);
      expect(await readdir(work)).toEqual([]); // no lockfile, no lock, no temp file
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
