/**
 * Golden cases: each folder under test/golden/ holds `resources.yaml` (or `.json`), a ResourceList;
 * the function's output must equal `_expected.yaml` and its results `_results.yaml`.
 * `UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts` rewrites the expectations.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument, stringify } from 'yaml';
import { transform } from '../src/fn/transform.js';

const root = join(import.meta.dirname, 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

describe('golden', () => {
  for (const name of readdirSync(root).sort()) {
    it(name, () => {
      const inputFile = ['resources.yaml', 'resources.json'].map((f) => join(root, name, f)).find(existsSync)!;
      const input = readFileSync(inputFile, 'utf8');
      const out = transform(input);
      const results = stringify((parseDocument(out.text).get('results') as any)?.toJSON() ?? [], { lineWidth: 0 });
      const expectedFile = join(root, name, inputFile.endsWith('.json') ? '_expected.json' : '_expected.yaml');
      const resultsFile = join(root, name, '_results.yaml');
      if (update) {
        writeFileSync(expectedFile, out.text);
        writeFileSync(resultsFile, results);
      }
      expect(out.text).toBe(readFileSync(expectedFile, 'utf8'));
      expect(results).toBe(readFileSync(resultsFile, 'utf8'));
      // Item-by-item parsing and one Document agree byte for byte.
      expect(transform(input, { wholeDocument: true }).text).toBe(out.text);
      // Idempotent: the function's own output comes back unchanged.
      expect(transform(out.text).text).toBe(out.text);
    });
  }
});
