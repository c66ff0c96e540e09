/**
 * Every kpt package under examples/ rendered by the real kpt on a temporary copy and compared with
 * its `.expected/` (diff.patch: what the function changed; results.yaml: what kpt recorded).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXAMPLES_DIR,
  copyPackage,
  golden,
  kptEval,
  kptExamples,
  kptRender,
  onPath,
  packageDiff,
  readExampleConfig,
  readResults,
  requireBuild,
  snapshotFiles,
  tempDir,
} from '../helpers/kpt.js';

const hasKpt = onPath('kpt');
const tmp = tempDir();

beforeAll(() => requireBuild());
afterAll(() => tmp.remove());

describe.skipIf(!hasKpt)(`examples through kpt${hasKpt ? '' : ' (kpt is not on PATH: skipped)'}`, () => {
  const examples = kptExamples();

  it('finds the example packages', () => {
    expect(examples).toEqual(expect.arrayContaining(['chain', 'cronjob', 'kpt', 'seed', 'statefulset']));
  });

  for (const example of examples) {
    it(`${example}: kpt matches .expected, keeps the lock and ImageStreams, and a second run changes nothing`, async () => {
      const config = readExampleConfig(example);
      const pkg = await copyPackage(example, join(tmp.path, 'golden'));
      const results = join(tmp.path, 'results', example);
      const runOnce = (dir: string) => (config.testType === 'eval' ? kptEval(pkg, dir, config.args) : kptRender(pkg, dir));

      const first = await runOnce(results);
      expect(first.code, `kpt exit code\n${first.stdout}${first.stderr}`).toBe(config.exitCode);
      const diff = await packageDiff(pkg);
      expect(diff).toBe(golden(join(EXAMPLES_DIR, example, '.expected', 'diff.patch'), diff));
      const res = readResults(results);
      expect(res).toBe(golden(join(EXAMPLES_DIR, example, '.expected', 'results.yaml'), res));

      // Lock and ImageStreams are inputs, not outputs: a render must not delete them.
      for (const file of ['imagestreams.lock.yaml', 'Kptfile']) expect(existsSync(join(pkg, file)), file).toBe(true);
      expect(existsSync(join(pkg, 'imagestream.yaml')) || existsSync(join(pkg, 'imagestreams.yaml'))).toBe(true);

      const before = snapshotFiles(pkg);
      const second = await runOnce(join(results, 'again'));
      expect(second.code).toBe(config.exitCode);
      expect(snapshotFiles(pkg)).toEqual(before);
    });
  }
});
