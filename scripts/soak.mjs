#!/usr/bin/env node
// Soak: many runs in one long-lived process, watching memory and file handles.
//
//   node scripts/soak.mjs [--imports 1000] [--fn-runs 10000] [--json]
//
// 1. `streamlock import` run in-process (the CLI's main(), as a long-running controller would call
//    it) against a loopback fake registry whose digests change on every 10th import; afterwards the
//    history must hold exactly imports/10 generations, newest first, with no gaps.
// 2. The KRM function's transform run in-process over a ResourceList of 20 workloads.
// RSS (after a forced GC) and open file descriptors (/proc/self/fd) are sampled at start, middle
// and end of each phase; growth beyond a small allowance fails the run.
//
// src/ is bundled on the fly with esbuild (no build needed); the bundle runs with --expose-gc.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'streamlock-soak-'));
const entry = join(dir, 'entry.ts');
writeFileSync(
  entry,
  [
    `export { main } from ${JSON.stringify(join(root, 'src/cli/main.ts'))};`,
    `export { transform } from ${JSON.stringify(join(root, 'src/fn/transform.ts'))};`,
    `export { readLockfile } from ${JSON.stringify(join(root, 'src/lockfile/store.ts'))};`,
  ].join('\n'),
);
const bundle = join(dir, 'soak-bundle.mjs');
await build({
  entryPoints: [entry], outfile: bundle, bundle: true, platform: 'node', format: 'esm', target: 'node20.18', logLevel: 'warning',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
writeFileSync(join(dir, 'soak-run.mjs'), `(${soak.toString()})(${JSON.stringify(bundle)}, ${JSON.stringify(process.argv.slice(2))});\n`);
const r = spawnSync(process.execPath, ['--expose-gc', join(dir, 'soak-run.mjs')], { stdio: 'inherit' });
rmSync(dir, { recursive: true, force: true });
process.exitCode = r.status ?? 1;

// Runs in the child (serialised with toString: no closures over this module).
async function soak(bundlePath, argv) {
  const { createHash } = await import('node:crypto');
  const { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } = await import('node:fs');
  const { createServer } = await import('node:http');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { PassThrough } = await import('node:stream');
  const { main, transform, readLockfile } = await import(bundlePath);
  const flag = (name, fallback) => (argv.indexOf(`--${name}`) >= 0 ? Number(argv[argv.indexOf(`--${name}`) + 1]) : fallback);
  const imports = flag('imports', 1000);
  const fnRuns = flag('fn-runs', 10_000);
  const json = argv.includes('--json');
  const log = (s) => json || console.log(s);

  const sample = (label) => {
    globalThis.gc?.();
    globalThis.gc?.();
    return { label, rssMb: Math.round(process.memoryUsage().rss / 1048576), heapMb: Math.round(process.memoryUsage().heapUsed / 1048576), fds: readdirSync('/proc/self/fd').length };
  };

  // ---- phase 1: imports
  let importNo = 0;
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    const tag = req.url.split('/manifests/')[1];
    const epoch = Math.floor((importNo - 1) / 10); // a new digest on imports 1, 11, 21, …
    const digest = `sha256:${createHash('sha256').update(`${epoch}/${tag}`).digest('hex')}`;
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': digest }).end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${server.address().port}`;
  const work = mkdtempSync(join(tmpdir(), 'streamlock-soak-work-'));
  const tags = ['a', 'b', 'c'];
  writeFileSync(join(work, 'is.yaml'), ['apiVersion: image.openshift.io/v1', 'kind: ImageStream', 'metadata:', '  name: web', 'spec:', '  tags:',
    ...tags.flatMap((t) => [`  - name: "${t}"`, '    from:', '      kind: DockerImage', `      name: ${host}/acme/web:${t}`]), ''].join('\n'));
  const sink = () => Object.assign(new PassThrough(), { write: () => true });
  let errors = '';
  const io = (i) => ({
    stdin: new PassThrough(), stdout: sink(), stderr: Object.assign(new PassThrough(), { write: (s) => ((errors += s), true) }),
    env: { HOME: work, PATH: '/nonexistent' }, cwd: work, now: () => new Date(Date.UTC(2026, 0, 1) + i * 60_000), interactive: false,
  });

  const importSamples = [sample('start')];
  const failures = [];
  const t0 = Date.now();
  for (importNo = 1; importNo <= imports; importNo++) {
    const code = await main(['import', 'is.yaml'], io(importNo));
    if (code !== 0) failures.push(`import ${importNo} exited ${code}: ${errors.slice(-300)}`);
    if (importNo === Math.floor(imports / 2)) importSamples.push(sample('middle'));
    if (failures.length > 5) break;
  }
  importSamples.push(sample('end'));
  const importSeconds = (Date.now() - t0) / 1000;
  const lock = await readLockfile(join(work, 'imagestreams.lock.yaml'));
  const web = lock.lock.streams.find((s) => s.name === 'web');
  const expected = Math.ceil(imports / 10);
  for (const t of tags) {
    const gens = web?.tags.find((x) => x.tag === t)?.items.map((e) => e.generation) ?? [];
    const want = Array.from({ length: expected }, (_, k) => expected - k);
    if (JSON.stringify(gens) !== JSON.stringify(want)) failures.push(`tag ${t}: ${gens.length} generations (${gens.slice(0, 3).join(', ')}, …), expected ${expected} down to 1`);
    const created = web?.tags.find((x) => x.tag === t)?.items.map((e) => e.created) ?? [];
    if (created.some((c, k) => k > 0 && c >= created[k - 1])) failures.push(`tag ${t}: created times not strictly decreasing`);
  }
  const lockBytes = readFileSync(join(work, 'imagestreams.lock.yaml')).length;
  server.closeAllConnections();
  server.close();
  rmSync(work, { recursive: true, force: true });

  // ---- phase 2: function runs
  const d = (s) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
  const items = [];
  for (let i = 0; i < 20; i++) {
    items.push(`- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: app-${i}\n    annotations:\n      image.openshift.io/triggers: '[{"from":{"kind":"ImageStreamTag","name":"s${i % 5}:1"},"fieldPath":"spec.template.spec.containers[?(@.name==\\"web\\")].image"}]'\n  spec:\n    template:\n      spec:\n        containers:\n        - name: web\n          image: s${i % 5}:1\n`);
  }
  const lockItem = `- apiVersion: streamlock.dev/v1alpha1\n  kind: ImageStreamLock\n  metadata:\n    name: imagestreams\n  streams:\n${[0, 1, 2, 3, 4].map((s) => `  - name: s${s}\n    tags:\n    - tag: "1"\n      items:\n      - generation: 1\n        created: "2026-11-10T09:00:00Z"\n        image: ${d(`s${s}`)}\n        dockerImageReference: quay.io/acme/s${s}@${d(`s${s}`)}\n`).join('')}`;
  const input = `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${items.join('')}${lockItem}`;
  const first = transform(input);
  if (!first.ok || first.changed !== 20) failures.push(`function: first run ok=${first.ok} changed=${first.changed}`);
  const fnSamples = [sample('start')];
  const t1 = Date.now();
  for (let i = 1; i <= fnRuns; i++) {
    const out = transform(input);
    if (out.text !== first.text) {
      failures.push(`function run ${i}: output differs from the first run`);
      break;
    }
    if (i === Math.floor(fnRuns / 2)) fnSamples.push(sample('middle'));
  }
  fnSamples.push(sample('end'));
  const fnSeconds = (Date.now() - t1) / 1000;

  // Flat: from the middle to the end (warm-up excluded), RSS within 32 MB and not a single fd more.
  const flat = (samples, what) => {
    const [, mid, end] = samples;
    if (end.rssMb - mid.rssMb > 32) failures.push(`${what}: RSS grew ${mid.rssMb} → ${end.rssMb} MB from middle to end`);
    if (end.fds > samples[0].fds) failures.push(`${what}: open file descriptors ${samples[0].fds} → ${end.fds}`);
  };
  flat(importSamples, 'imports');
  flat(fnSamples, 'function runs');

  const summary = {
    imports: { runs: imports, seconds: importSeconds, registryRequests: requests, generationsPerTag: expected, lockBytes, samples: importSamples },
    function: { runs: fnRuns, seconds: fnSeconds, perRunMs: Math.round((fnSeconds * 1000 * 100) / fnRuns) / 100, samples: fnSamples },
    failures, ok: failures.length === 0,
  };
  if (json) console.log(JSON.stringify(summary));
  else {
    const row = (s) => s.map((x) => `${x.label} ${x.rssMb} MB rss / ${x.heapMb} MB heap / ${x.fds} fds`).join('; ');
    log(`soak: ${imports} imports in ${importSeconds.toFixed(1)} s (${requests} registry requests), ${expected} generations per tag, lockfile ${lockBytes} bytes`);
    log(`soak: imports  ${row(importSamples)}`);
    log(`soak: ${fnRuns} function runs in ${fnSeconds.toFixed(1)} s (${summary.function.perRunMs} ms each, 20 workloads)`);
    log(`soak: function ${row(fnSamples)}`);
    for (const f of failures) log(`FAIL ${f}`);
    log(`soak: ${summary.ok ? 'ok: flat, history complete and ordered' : 'FAILED'}`);
  }
  process.exitCode = summary.ok ? 0 : 1;
}
