/**
 * examples/kustomize built by kubectl's kustomize. kubectl runs container functions only (it has
 * no --enable-exec), so the container form runs with a fake `docker` that starts the local build
 * in place of the image; the exec form runs only where the standalone kustomize is installed.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES_DIR, fakeDocker, golden, onPath, requireBuild, run, tempDir } from '../helpers/kpt.js';

const IMAGE = 'ghcr.io/streamlock/streamlock:0.1.0';
const PINNED = 'image: registry.access.redhat.com/ubi8/ubi@sha256:f9e4dce1e684ddec93713d689fd2c5951d21df00d92575b6b8aac6b4348ba534';
const example = join(EXAMPLES_DIR, 'kustomize');
const expectedOutput = join(example, '.expected', 'output.yaml');
const hasKubectl = onPath('kubectl');
const hasKustomize = onPath('kustomize');
const tmp = tempDir();

beforeAll(() => requireBuild());
afterAll(() => tmp.remove());

function checkOutput(stdout: string): void {
  expect(stdout).toContain('kind: Deployment');
  expect(stdout).toContain(PINNED);
  expect(stdout).toContain('resolved.streamlock.dev/myapp: ubi:8 generation 2 sha256:f9e4dce1e684ddec93713d689fd2c5951d21df00d92575b6b8aac6b4348ba534');
  // The lock is local-config, and removeImageStreams drops the ImageStream: only the app is applied.
  expect(stdout).not.toContain('kind: ImageStreamLock');
  expect(stdout).not.toContain('kind: ImageStream\n');
  expect(stdout).not.toContain('image: ubi:8');
}

describe.skipIf(!hasKubectl)(`kubectl kustomize, container form${hasKubectl ? '' : ' (kubectl is not on PATH: skipped)'}`, () => {
  it('prints the digest-pinned Deployment and neither the lock nor the ImageStream', async () => {
    const bin = fakeDocker(tmp.path, IMAGE);
    const out = await run('kubectl', ['kustomize', '--enable-alpha-plugins', join(example, 'container')], {
      env: { PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` },
    });
    expect(out.code, out.stderr).toBe(0);
    checkOutput(out.stdout);
    expect(out.stdout).toBe(golden(expectedOutput, out.stdout));
    // kustomize asked docker for the image, without network, as a non-root user.
    const args = readFileSync(join(bin, 'args.txt'), 'utf8');
    expect(args).toContain('--network none');
    expect(args).toContain('--user nobody');
    expect(args.trim().endsWith(IMAGE)).toBe(true);
  });

  it('fails the build when the function fails (a trigger naming no container)', async () => {
    const bin = fakeDocker(join(tmp.path, 'failing'), IMAGE);
    // Same kustomization, one bad trigger: build it from a copy.
    const copy = join(tmp.path, 'broken');
    cpSync(example, copy, { recursive: true });
    const deployment = join(copy, 'app', 'deployment.yaml');
    writeFileSync(deployment, readFileSync(deployment, 'utf8').replace('name==\\"myapp\\"', 'name==\\"nope\\"'));
    const out = await run('kubectl', ['kustomize', '--enable-alpha-plugins', join(copy, 'container')], {
      env: { PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` },
    });
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('matches no container (containers: myapp)');
  });
});

describe.skipIf(!hasKustomize)(`kustomize build, exec form${hasKustomize ? '' : ' (standalone kustomize is not on PATH: skipped)'}`, () => {
  it('kustomize build --enable-alpha-plugins --enable-exec prints the same output', async () => {
    const out = await run('kustomize', ['build', '--enable-alpha-plugins', '--enable-exec', example]);
    expect(out.code, out.stderr).toBe(0);
    checkOutput(out.stdout);
    expect(out.stdout).toBe(readFileSync(expectedOutput, 'utf8'));
  });
});
