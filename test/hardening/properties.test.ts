/**
 * Every parser against random and near-valid input (a few hundred runs each; `scripts/fuzz.mjs`
 * runs 10,000+): a correct result or a coded error, never a crash, a TypeError or a changed
 * Object.prototype. The targets and their invariants live in ./targets.ts.
 */
import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
import { TARGETS, cleanupScratch, runCheck } from './targets.js';

const RUNS: Record<string, number> = { transform: 300, 'credentials (pull secret file)': 150, 'credentials (docker config file)': 150 };

afterAll(() => cleanupScratch());

describe('parsers under random and near-valid input', () => {
  for (const target of TARGETS) {
    it(target.name, async () => {
      await fc.assert(
        fc.asyncProperty(target.arbitrary, async (input) => void (await runCheck(target, input))),
        { numRuns: RUNS[target.name] ?? 400 },
      );
    });
  }
});
