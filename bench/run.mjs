#!/usr/bin/env node
/**
 * Runs every benchmark present and records the function's figures in bench/RESULTS.md.
 *
 *   npm run bench                 # build, then: function benchmark (1k, 10k, 50k), import benchmark
 *   npm run bench -- --quick      # 1k and 10k only; prints, leaves RESULTS.md alone
 *   node bench/run.mjs --render   # rewrite the function section from bench/out/fn-results.json
 *
 * RESULTS.md holds one section per benchmark between marker comments; this script rewrites only
 * the function section (`<!-- bench:function:begin -->` … `<!-- bench:function:end -->`) and
 * leaves everything else in the file byte for byte. bench/import.mjs, when present, is run as
 * its own process (with `--quick` passed on) and keeps its own section.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchFunction, toMarkdown } from './fn.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(ROOT, 'bench', 'RESULTS.md');
const BEGIN = '<!-- bench:function:begin -->';
const END = '<!-- bench:function:end -->';


function loadNote(m) {
  if (typeof m.loadBefore !== 'number') return '';
  return ` (1-minute load average ${m.loadBefore.toFixed(1)} at the start, ${m.loadAfter.toFixed(1)} at the end)`;
}

function functionSection(res) {
  const m = res.machine;
  return [
    BEGIN,
    '## Function',
    '',
    `\`dist/streamlock-fn.mjs\` on generated ResourceLists (\`bench/gen.mjs\`: N Deployments of 44 lines, each with one`,
    'trigger and a digest-pinned sidecar, over 500 image streams, plus the ImageStreamLock item).',
    '',
    `- Measured: ${res.date.slice(0, 16).replace('T', ' ')} UTC, with \`npm run bench\``,
    `- Function: \`dist/streamlock-fn.mjs\` ${Math.round(res.bundle.bytes / 1024)} KiB, sha256 ${res.bundle.sha256}…, built from ${res.bundle.source ?? 'an unrecorded tree'}`,
    `- Machine: \`nproc\` ${m.nproc} (${m.cpu}), ${m.memGiB} GiB, node ${m.node}, yaml ${m.yaml}; a shared, noisy machine, so`,
    `  only the ratios against baselines measured in the same run mean anything${loadNote(m)}`,
    '- Where the wall-time and CPU-time verdicts differ, other work on the machine slowed the run; trust the CPU column',
    `- Wall time: median of the runs shown, spawn to exit, stdin and stdout files; function and floor interleaved`,
    `- Peak RSS: ${res.rssMethod}`,
    '- Floor: the same list through `parseDocument` + `String(doc)` (yaml, bundled by esbuild like the function)',
    '',
    res.markdown,
    '',
    'Method and how to profile: `bench/README.md`.',
    END,
  ].join('\n');
}

/** Replaces the function section, or appends it; the rest of the file is kept as it is. */
export function writeSection(section, file = RESULTS) {
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n\nWritten by `npm run bench` (`bench/run.mjs`); one section per benchmark.\n';
  const b = before.indexOf(BEGIN);
  const e = before.indexOf(END);
  let after;
  if (b >= 0 && e > b) after = before.slice(0, b) + section + before.slice(e + END.length);
  else after = `${before.replace(/\n*$/, '\n')}\n${section}\n`;
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, after);
  renameSync(tmp, file);
}

async function main() {
  const quick = process.argv.includes('--quick');
  let failed = false;

  if (process.argv.includes('--render')) {
    const res = JSON.parse(readFileSync(join(ROOT, 'bench', 'out', 'fn-results.json'), 'utf8'));
    if (res.quick) throw new Error('bench/out/fn-results.json is from a --quick run; not written');
    res.markdown = toMarkdown(res);
    writeSection(functionSection(res));
    console.log(res.markdown);
    return;
  }

  // 1. The function.
  try {
    const res = await benchFunction({ quick });
    console.log(`\n## Function\n\n${res.markdown}\n`);
    if (quick) console.log('(--quick: bench/RESULTS.md left as it was)');
    else {
      writeSection(functionSection(res));
      console.log(`function section written to ${RESULTS}`);
    }
  } catch (e) {
    failed = true;
    console.error(`function benchmark failed: ${e.stack ?? e}`);
  }

  // 2. Import (bench/import.mjs, when someone has written it).
  const importBench = join(ROOT, 'bench', 'import.mjs');
  if (existsSync(importBench)) {
    console.log('\n## Import (bench/import.mjs)\n');
    const r = spawnSync(process.execPath, [importBench, ...(quick ? ['--quick'] : [])], { stdio: 'inherit', cwd: ROOT });
    if (r.status !== 0) {
      failed = true;
      console.error(`bench/import.mjs exited ${r.status ?? r.signal}`);
    }
  }

  process.exitCode = failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
