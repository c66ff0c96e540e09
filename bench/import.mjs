#!/usr/bin/env node
// Import benchmark: `streamlock import` of 200 tags across 20 repositories on a local registry,
// against `skopeo inspect --format {{.Digest}}` over the same tags one by one and 8 at a time,
// all in the same run. Reports wall times, ratios and streamlock's request counts; appends a
// section to bench/RESULTS.md. Never pass/fail: the figures are for reading.
//
//   npm run build && node bench/import.mjs [--repos 20] [--tags 10] [--runs 3] [--quick] [--cli FILE]
//
// --quick: one run each, printed only. Otherwise the table is appended to the import section of
// bench/RESULTS.md, between its marker comments; the rest of the file is left byte for byte.
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rename, rm, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const REPOS = arg('repos', 20);
const TAGS = arg('tags', 10);
const QUICK = process.argv.includes('--quick') || process.argv.includes('--cli');
const RUNS = arg('runs', QUICK ? 1 : 3);
const cliArg = process.argv.indexOf('--cli');
// --cli FILE: another build of the CLI, for A/B comparisons (then RESULTS.md is left alone).
const CLI = cliArg > 0 ? resolve(process.argv[cliArg + 1]) : join(root, 'dist', 'streamlock.mjs');
if (!existsSync(CLI)) {
  console.error('dist/streamlock.mjs missing: run `npm run build` first');
  process.exit(2);
}

// The registry and image helpers are the tests' own (TypeScript): bundle them for this script.
const helpersDir = join(root, 'node_modules', '.cache', 'streamlock-bench');
await build({
  entryPoints: { registry: join(root, 'test/helpers/registry.ts'), oci: join(root, 'test/helpers/oci.ts') },
  outdir: helpersDir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
});
const { startRegistry } = await import(join(helpersDir, 'registry.mjs'));
const { makeImage, pushImage } = await import(join(helpersDir, 'oci.mjs'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = async (fn) => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};

const registry = await startRegistry();
const work = await mkdtemp(join(tmpdir(), 'streamlock-bench-'));
try {
  // Seed: REPOS repositories × TAGS tags, each tag its own image.
  const refs = [];
  const seed = await time(async () => {
    for (let r = 0; r < REPOS; r++) {
      const repo = `bench/app${String(r).padStart(2, '0')}`;
      await Promise.all(
        Array.from({ length: TAGS }, (_, t) => {
          refs.push({ repo, tag: `v${t}` });
          return pushImage(registry.url, repo, `v${t}`, makeImage(`${repo} v${t}`));
        }),
      );
    }
  });
  const manifests = Array.from({ length: REPOS }, (_, r) => {
    const repo = `bench/app${String(r).padStart(2, '0')}`;
    const tags = Array.from({ length: TAGS }, (_, t) => `  - name: v${t}\n    from: {kind: DockerImage, name: ${registry.host}/${repo}:v${t}}\n    importPolicy: {scheduled: true}`);
    return `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: app${String(r).padStart(2, '0')}\n  namespace: bench\nspec:\n  tags:\n${tags.join('\n')}\n`;
  }).join('---\n');
  await mkdir(join(work, 'manifests'));
  await writeFile(join(work, 'manifests', 'imagestreams.yaml'), manifests);

  // streamlock: a fresh lockfile each run (every tag resolved and recorded), via the CLI binary.
  const slTimes = [];
  let stats;
  for (let i = 0; i < RUNS; i++) {
    await rm(join(work, 'imagestreams.lock.yaml'), { force: true });
    let stdout = '';
    slTimes.push(
      await time(async () => {
        ({ stdout } = await run(process.execPath, [CLI, 'import', '--output', 'json', 'manifests'], { cwd: work, maxBuffer: 64 * 1024 * 1024 }));
      }),
    );
    const report = JSON.parse(stdout);
    if (report.changes.length !== refs.length || report.failures.length > 0) throw new Error(`streamlock recorded ${report.changes.length}/${refs.length} tags`);
    stats = report.stats;
  }
  const lockText = await readFile(join(work, 'imagestreams.lock.yaml'), 'utf8');

  const skopeo = (ref) => run('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${registry.host}/${ref.repo}:${ref.tag}`]).then((r) => r.stdout.trim());
  const digests = new Map();
  const serial = await time(async () => {
    for (const ref of refs) digests.set(`${ref.repo}:${ref.tag}`, await skopeo(ref));
  });
  const parallelTimes = [];
  for (let i = 0; i < RUNS; i++) {
    parallelTimes.push(
      await time(async () => {
        let next = 0;
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            while (next < refs.length) await skopeo(refs[next++]);
          }),
        );
      }),
    );
  }
  // Same answers: every skopeo digest is in the lockfile.
  for (const [ref, d] of digests) if (!lockText.includes(`@${d}`)) throw new Error(`lockfile lacks skopeo's digest for ${ref}`);

  const sl = median(slTimes);
  const par = median(parallelTimes);
  const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const rows = [
    ['streamlock import (CLI, one process)', fmt(sl), '1.0x'],
    ['skopeo inspect, 8 in parallel', fmt(par), `${(par / sl).toFixed(1)}x`],
    ['skopeo inspect, one by one', fmt(serial), `${(serial / sl).toFixed(1)}x`],
  ];
  const date = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const commit = (await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).catch(() => ({ stdout: 'unknown' }))).stdout.trim();
  const perTag = stats.manifestRequests / refs.length;
  const verdict = (ok) => (ok ? 'met' : '**missed**');
  const targets = [
    `Targets: ≥10x vs one by one: ${(serial / sl).toFixed(1)}x, ${verdict(serial / sl >= 10)}; ` +
      `≥3x vs 8 in parallel: ${(par / sl).toFixed(1)}x, ${verdict(par / sl >= 3)}; ` +
      `≤1 manifest request per tag: ${perTag.toFixed(2)}, ${verdict(perTag <= 1)}.`,
  ];
  const table = [
    `### ${date}, commit ${commit}: ${refs.length} tags in ${REPOS} repositories (docker-registry 2.8 on 127.0.0.1, anonymous HTTP)`,
    '',
    '| run | wall time | streamlock is faster by |',
    '|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    `streamlock requests: ${stats.manifestRequests} manifest (${(stats.manifestRequests / refs.length).toFixed(2)} per tag), ${stats.tokenRequests} token, ${stats.retries} retries. ` +
      `Median of ${RUNS} runs for streamlock and parallel skopeo, one run one by one; every skopeo digest checked present in the lockfile. ` +
      `Machine: ${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${(await run('skopeo', ['--version'])).stdout.trim()}, load average ${loadavg()[0].toFixed(1)} at the end. Seeding took ${fmt(seed)}.`,
    '',
    ...targets,
    '',
  ].join('\n');
  console.log(table);

  if (QUICK) {
    console.log('(--quick: RESULTS.md left alone)');
  } else {
    await recordResults(table);
  }
} finally {
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}

/** Appends `table` inside the import section's markers, creating the file or the section if needed. */
async function recordResults(table) {
  const path = join(root, 'bench', 'RESULTS.md');
  const BEGIN = '<!-- bench:import:begin -->';
  const END = '<!-- bench:import:end -->';
  let text = existsSync(path) ? await readFile(path, 'utf8') : '# Benchmark results\n\nFigures are ratios against a baseline measured in the same run; see each script for how.\n';
  if (!text.includes(BEGIN) || !text.includes(END)) {
    const intro = '## import\n\n`node bench/import.mjs`: `streamlock import` (the CLI, one process) vs `skopeo inspect --format {{.Digest}}` over the same tags, one by one and 8 at a time, against one local registry. Newest run last.\n';
    text = `${text.trimEnd()}\n\n${BEGIN}\n${intro}${END}\n`;
  }
  const at = text.indexOf(END);
  text = `${text.slice(0, at).trimEnd()}\n\n${table.trimEnd()}\n${text.slice(at)}`;
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}
