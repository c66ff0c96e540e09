// Bundles the CLI and the KRM function into single-file executables under dist/.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

const banner = [
  '#!/usr/bin/env node',
  // Bundled CommonJS dependencies call require(); give them one in this ES module.
  "import { createRequire as __streamlockCreateRequire } from 'node:module';",
  'const require = __streamlockCreateRequire(import.meta.url);',
].join('\n');

const entries = [
  ['src/cli/bin.ts', 'dist/streamlock.mjs'],
  ['src/fn/bin.ts', 'dist/streamlock-fn.mjs'],
];

// The library surface: dependencies stay external (they come with the package).
const library = build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20.18',
  logLevel: 'warning',
});

await Promise.all([
  library,
  ...entries.map(([entry, outfile]) =>
    build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20.18',
      banner: { js: banner },
      legalComments: 'none',
      sourcemap: false,
      logLevel: 'warning',
    }).then(() => chmodSync(outfile, 0o755)),
  ),
]);
