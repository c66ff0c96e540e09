/**
 * The function through `kpt fn eval --exec` (ConfigMap arguments) and the ways a render must
 * fail: the error shown by kpt, the exit code, and every file of the package left as it was.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES_DIR, copyPackage, kptEval, kptRender, onPath, packageDiff, readResults, requireBuild, snapshotFiles, tempDir } from '../helpers/kpt.js';

const hasKpt = onPath('kpt');
const tmp = tempDir();
let n = 0;
const fresh = () => join(tmp.path, String(++n));

beforeAll(() => requireBuild());
afterAll(() => tmp.remove());

function expected(example: string): string {
  return readFileSync(join(EXAMPLES_DIR, example, '.expected', 'diff.patch'), 'utf8');
}

function edit(file: string, from: string | RegExp, to: string): void {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`test setup: ${String(from)} not found in ${file}`);
  writeFileSync(file, next);
}

describe.skipIf(!hasKpt)(`kpt fn eval and failing renders${hasKpt ? '' : ' (kpt is not on PATH: skipped)'}`, () => {
  it('kpt fn eval --exec makes the same change as the seed pipeline', async () => {
    const pkg = await copyPackage('seed', fresh());
    const out = await kptEval(pkg, fresh());
    expect(out.code, out.stderr).toBe(0);
    expect(await packageDiff(pkg)).toBe(expected('seed'));
  });

  it('ConfigMap arguments (-- namespace=shop unresolved=error) act like the configPath file of examples/kpt', async () => {
    const pkg = await copyPackage('kpt', fresh());
    const out = await kptEval(pkg, fresh(), ['namespace=shop', 'unresolved=error']);
    expect(out.code, out.stderr).toBe(0);
    expect(await packageDiff(pkg)).toBe(expected('kpt'));
  });

  it('without the namespace argument, examples/kpt still resolves: its lock streams serve every namespace', async () => {
    const pkg = await copyPackage('kpt', fresh());
    const out = await kptEval(pkg, fresh());
    expect(out.code, out.stderr).toBe(0);
    expect(await packageDiff(pkg)).toBe(expected('kpt'));
  });

  it('a trigger naming no container fails the render with the reason, and no file changes', async () => {
    const pkg = await copyPackage('seed', fresh());
    edit(join(pkg, 'deployment.yaml'), 'name==\\"myapp\\"', 'name==\\"nope\\"');
    const before = snapshotFiles(pkg);
    const results = fresh();
    const out = await kptRender(pkg, results);
    expect(out.code).toBe(1);
    const shown = out.stdout + out.stderr;
    expect(shown).toContain('Deployment demo/myapp');
    expect(shown).toContain('matches no container (containers: myapp)');
    expect(shown).toContain('metadata.annotations["image.openshift.io/triggers"][0].fieldPath');
    const recorded = readResults(results);
    expect(recorded).toContain('code: FIELDPATH_NO_MATCH');
    expect(recorded).toContain('path: deployment.yaml');
    expect(snapshotFiles(pkg)).toEqual(before);
  });

  it('an ImageStream that imports from elsewhere than the lock recorded is a stale lock: error, no change', async () => {
    const pkg = await copyPackage('seed', fresh());
    edit(join(pkg, 'imagestream.yaml'), 'name: registry.access.redhat.com/ubi8/ubi:8.0', 'name: registry.access.redhat.com/ubi8/ubi:8.1');
    const before = snapshotFiles(pkg);
    const results = fresh();
    const out = await kptRender(pkg, results);
    expect(out.code).toBe(1);
    const shown = out.stdout + out.stderr;
    expect(readResults(results)).toContain('code: TAG_SOURCE_MISMATCH');
    expect(shown).toContain('registry.access.redhat.com/ubi8/ubi:8.1');
    expect(shown).toContain('streamlock import');
    expect(snapshotFiles(pkg)).toEqual(before);
  });

  it('a tag that neither the lock nor the ImageStream knows fails, listing the tags there are', async () => {
    const pkg = await copyPackage('seed', fresh());
    edit(join(pkg, 'deployment.yaml'), '"name":"ubi:8"', '"name":"ubi:9"');
    const before = snapshotFiles(pkg);
    const out = await kptRender(pkg, fresh());
    expect(out.code).toBe(1);
    expect(out.stdout + out.stderr).toContain('image stream ubi has no tag "9" (tags: 8)');
    expect(snapshotFiles(pkg)).toEqual(before);
  });

  it('unresolved=warn keeps the unresolvable image, reports a warning, and still pins the rest', async () => {
    const pkg = await copyPackage('chain', fresh());
    edit(join(pkg, 'deployment.yaml'), '"name":"tools:debug"', '"name":"tools:nightly"');
    const out = await kptEval(pkg, fresh(), ['unresolved=warn']);
    expect(out.code, out.stdout + out.stderr).toBe(0);
    expect(out.stdout + out.stderr).toMatch(/warning/i);
    const diff = await packageDiff(pkg);
    expect(diff).toContain('+        image: quay.io/acme/app@sha256:9f6a64c1a4cc300210003dbdcba39b474ae9513d7b1291eda3502ad34cfc90a4');
    expect(diff).not.toContain('-        image: tools:debug');
  });

  it('a bad option is a usage error shown by kpt, and nothing changes', async () => {
    const pkg = await copyPackage('seed', fresh());
    const before = snapshotFiles(pkg);
    const out = await kptEval(pkg, fresh(), ['unresolved=sometimes']);
    expect(out.code).not.toBe(0);
    expect(out.stdout + out.stderr).toContain('must be error, warn or ignore');
    expect(snapshotFiles(pkg)).toEqual(before);
  });
});
