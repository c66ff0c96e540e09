// Bundles the CLI and the KRM function into single-file executables under dist/.
import { build } from 'esbuild';
import { chmodSync, rmSync } from 'node:fs';

const banner = [
  '#!/usr/bin/env node',
  // Bundled CommonJS dependencies call require(); give them one in this ES module.
  "import { createRequire as __streamlockCreateRequire } from 'node:module';",
  'const require = __streamlockCreateRequire(import.meta.url);',
].join('\n');

// Chunk names carry hashes: clear old ones so dist/ holds only what the entries import.
rmSync('dist/chunks', { recursive: true, force: true });

const entries = [['src/fn/bin.ts', 'dist/streamlock-fn.mjs']];

// The CLI is split: modules it loads on demand (the registry client) become chunks, so commands
// that never talk to a registry start without parsing the HTTP stack.
const cli = build({
  entryPoints: { streamlock: 'src/cli/bin.ts' },
  outdir: 'dist',
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.18',
  banner: { js: banner },
  legalComments: 'none',
  logLevel: 'warning',
}).then(() => chmodSync('dist/streamlock.mjs', 0o755));

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
  cli,
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
