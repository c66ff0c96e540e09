import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transform } from '../../src/fn/transform.js';
import { transformInput } from '../hardening/targets.js';

describe('item-by-item parsing', () => {
  it('gives byte-identical output to one Document on random and near-valid lists', () => {
    fc.assert(
      fc.property(transformInput, (input) => {
        expect(transform(input).text).toBe(transform(input, { wholeDocument: true }).text);
      }),
      { numRuns: Number(process.env.SPLIT_RUNS ?? 300) },
    );
  });
});
