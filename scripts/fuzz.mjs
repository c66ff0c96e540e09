#!/usr/bin/env node
// Long fuzz run over every parser (the normal suite runs a few hundred cases; this runs 10,000+).
//
//   node scripts/fuzz.mjs [--runs 10000] [--seed N] [--only transform] [--hang-ms 30000]
//
// The targets (generators and invariants) are test/hardening/targets.ts, bundled here with esbuild.
// Each target runs in a worker thread that reports before every case; a case that does not finish
// within --hang-ms is a hang: the worker is terminated and the input printed. Exit 1 on any
// violation or hang. Output: one line per parser with its case count and outcome counts.
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

if (isMainThread) await mainThread();
else await workerThread();

function flag(args, name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
}

async function mainThread() {
  const args = process.argv.slice(2);
  const runs = Number(flag(args, 'runs', '10000'));
  const seed = Number(flag(args, 'seed', String(Date.now() % 2 ** 31)));
  const only = flag(args, 'only', undefined);
  const hangMs = Number(flag(args, 'hang-ms', '30000'));
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');

  const root = fileURLToPath(new URL('..', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'streamlock-fuzz-bundle-'));
  const bundle = join(dir, 'targets.mjs');
  await build({
    entryPoints: [join(root, 'test/hardening/targets.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.18',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const { TARGETS } = await import(pathToFileURL(bundle).href);
  const names = TARGETS.map((t) => t.name).filter((n) => !only || n.includes(only));
  console.log(`fuzz: ${runs} runs per parser, seed ${seed}${only ? `, only ${only}` : ''}`);

  let failed = false;
  const started = Date.now();
  for (const name of names) {
    const r = await runTarget(bundle, name, runs, seed, hangMs);
    failed ||= !r.ok;
    const outcomes = Object.entries(r.outcomes ?? {}).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
    const status = r.ok ? 'ok  ' : 'FAIL';
    console.log(`${status} ${name.padEnd(34)} ${String(r.cases ?? 0).padStart(7)} cases  ${(r.ms / 1000).toFixed(1).padStart(6)} s  slowest ${r.slowestMs ?? '?'} ms  [${outcomes}]`);
    if (!r.ok) console.log(`     ${r.error}\n`);
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`fuzz: ${failed ? 'FAILED' : 'all parsers held'} in ${((Date.now() - started) / 1000).toFixed(0)} s (replay with --seed ${seed})`);
  process.exitCode = failed ? 1 : 0;
}

function runTarget(bundle, name, runs, seed, hangMs) {
  return new Promise((resolve) => {
    const started = Date.now();
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { bundle, name, runs, seed } });
    let last = { index: -1, preview: '' };
    let timer;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        worker.terminate();
        resolve({ ok: false, ms: Date.now() - started, cases: last.index, error: `HANG: case ${last.index} ran over ${hangMs} ms; input: ${JSON.stringify(last.preview)}` });
      }, hangMs);
    };
    arm();
    worker.on('message', (m) => {
      if (m.type === 'case') {
        last = m;
        arm();
      } else if (m.type === 'done') {
        clearTimeout(timer);
        resolve({ ...m, ms: Date.now() - started });
      }
    });
    worker.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, ms: Date.now() - started, cases: last.index, error: `worker crashed: ${e.stack ?? e}` });
    });
  });
}

async function workerThread() {
  const { bundle, name, runs, seed } = workerData;
  const fc = (await import('fast-check')).default;
  const { TARGETS, runCheck, cleanupScratch } = await import(pathToFileURL(bundle).href);
  const target = TARGETS.find((t) => t.name === name);
  const outcomes = {};
  let index = 0;
  let slowestMs = 0;
  const preview = target.preview ?? ((input) => JSON.stringify(input)?.slice(0, 500) ?? String(input));
  const result = await fc.check(
    fc.asyncProperty(target.arbitrary, async (input) => {
      parentPort.postMessage({ type: 'case', index: index++, preview: preview(input) });
      const t0 = performance.now();
      const outcome = await runCheck(target, input);
      slowestMs = Math.max(slowestMs, Math.round(performance.now() - t0));
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }),
    { numRuns: runs, seed },
  );
  cleanupScratch();
  const error = result.failed
    ? `counterexample ${JSON.stringify(result.counterexample)?.slice(0, 1500)}\n     ${result.errorInstance?.stack?.split('\n').slice(0, 6).join('\n     ') ?? result.errorInstance}`
    : undefined;
  parentPort.postMessage({ type: 'done', ok: !result.failed, cases: result.numRuns, outcomes, slowestMs, error });
}
