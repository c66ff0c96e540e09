#!/usr/bin/env node
// Resource bombs against the built executables, each in a child process whose peak RSS is
// measured (GNU time -v when installed, else the child's own process.resourceUsage().maxRSS):
// YAML alias bombs, deep nesting, large inputs, long lock histories, and registries that answer
// endless, huge or dripping bodies. Every case must end with its expected exit code (and error
// code) within its memory bound.
//
//   node scripts/bombs.mjs            the full set, including 200 MB inputs and a 100,000-generation history
//   node scripts/bombs.mjs --quick    the small set run by test/hardening/bombs.test.ts
//   node scripts/bombs.mjs --json     one JSON array of results on stdout
//   node scripts/bombs.mjs --only NAME
//
// Needs `npm run build`. Large inputs are generated in a temp directory and removed afterwards.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const FN = join(root, 'dist/streamlock-fn.mjs');
const CLI = join(root, 'dist/streamlock.mjs');
const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const MB = 1024 * 1024;
const work = mkdtempSync(join(tmpdir(), 'streamlock-bombs-'));
const log = (s) => json || console.log(s);

// ------------------------------------------------------------------------------------------------
// Inputs

const D = `sha256:${'a'.repeat(64)}`;
const LIST_HEAD = 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n';
const LOCK_ITEM = `- apiVersion: streamlock.dev/v1alpha1\n  kind: ImageStreamLock\n  metadata:\n    name: imagestreams\n  streams:\n  - name: web\n    tags:\n    - tag: "1"\n      items:\n      - generation: 1\n        created: "2026-11-10T09:00:00Z"\n        image: ${D}\n        dockerImageReference: quay.io/acme/web@${D}\n`;
const workload = (i) =>
  `- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: app-${i}\n    annotations:\n      image.openshift.io/triggers: '[{"from":{"kind":"ImageStreamTag","name":"web:1"},"fieldPath":"spec.template.spec.containers[?(@.name==\\"web\\")].image"}]'\n  spec:\n    template:\n      spec:\n        containers:\n        - name: web\n          image: web:1\n`;

function file(name, write) {
  const path = join(work, name);
  if (!existsSync(path)) {
    const fd = openSync(path, 'w');
    try {
      write((s) => writeSync(fd, s));
    } finally {
      closeSync(fd);
    }
  }
  return path;
}

/** A ResourceList of Deployments with triggers (the dense case: many small nodes). */
const workloads = (mb) =>
  file(`workloads-${mb}mb.yaml`, (w) => {
    w(LIST_HEAD + LOCK_ITEM);
    for (let i = 0, size = 0; size < mb * MB; i++) {
      const s = workload(i);
      w(s);
      size += s.length;
    }
  });

/** A ResourceList with one ConfigMap holding one huge scalar (the sparse case). */
const scalar = (mb) =>
  file(`scalar-${mb}mb.yaml`, (w) => {
    w(`${LIST_HEAD}- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: big\n  data:\n    blob: `);
    const chunk = 'x'.repeat(MB);
    for (let i = 0; i < mb; i++) w(chunk);
    w('\n');
  });

const deepNesting = (levels) => file(`deep-${levels}.yaml`, (w) => w(`${LIST_HEAD}- ${'['.repeat(levels)}\n`));

const billionLaughs = () => join(root, 'test/fixtures/bad-input/billion-laughs.yaml');

/** A lockfile whose one tag has `n` generations, newest first. */
const history = (n, host = '127.0.0.1:9') =>
  file(`history-${n}.yaml`, (w) => {
    w(`apiVersion: streamlock.dev/v1alpha1\nkind: ImageStreamLock\nmetadata:\n  name: imagestreams\nstreams:\n- name: web\n  tags:\n  - tag: "1"\n    from: ${host}/acme/web:1\n    items:\n`);
    for (let g = n; g >= 1; g--) {
      const d = `sha256:${createHash('sha256').update(String(g)).digest('hex')}`;
      w(`    - generation: ${g}\n      created: "2026-11-01T00:00:00Z"\n      image: ${d}\n      dockerImageReference: ${host}/acme/web@${d}\n`);
    }
  });

// ------------------------------------------------------------------------------------------------
// Fake registries with hostile bodies

async function hostileRegistry() {
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'x', digest: D, size: 1 }, layers: [] });
  const endless = (res) => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (res.write(chunk)) {
        /* until the socket pushes back */
      }
    };
    res.on('drain', pump);
    res.on('close', () => res.removeAllListeners('drain'));
    pump();
  };
  const server = createServer((req, res) => {
    const [, repo, tag] = /^\/v2\/(.+)\/manifests\/(.+)$/.exec(req.url) ?? [];
    const mode = repo?.split('/').pop();
    if (req.url.startsWith('/token')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return endless(res); // a token response that never ends
    }
    if (!mode) return res.writeHead(404).end();
    if (mode === 'token-bomb') {
      return res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token",service="bombs"` }).end();
    }
    if (req.method === 'HEAD') return res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(); // no digest: GET it
    if (mode === 'endless') {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      return endless(res);
    }
    if (mode === 'endless-error') {
      res.writeHead(404, { 'content-type': 'application/json' });
      return endless(res);
    }
    if (mode === 'declared-huge') return res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'content-length': String(10 * 1024 * MB) }).end();
    if (mode === 'huge-headers') {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'x-junk': 'j'.repeat(1024 * 1024) });
      return res.end(manifest);
    }
    if (mode === 'drip') {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      const timer = setInterval(() => res.write(' '), 200);
      return res.on('close', () => clearInterval(timer));
    }
    res.writeHead(404).end();
    void tag;
  });
  server.maxHeaderSize = 64 * 1024;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { host: `127.0.0.1:${server.address().port}`, close: () => (server.closeAllConnections(), server.close()) };
}

// ------------------------------------------------------------------------------------------------
// Running and measuring

const RSS_HOOK = 'data:text/javascript,process.on("exit",()=>process.stderr.write("\\nstreamlock-maxrss-kb="+process.resourceUsage().maxRSS+"\\n"))';

function measure(args, { stdin, cwd = work, timeoutMs = 600_000 } = {}) {
  return new Promise((resolve) => {
    const timeFile = join(work, `time-${process.hrtime.bigint()}.txt`);
    const node = [process.execPath, '--import', RSS_HOOK, ...args];
    const cmd = GNU_TIME ? [GNU_TIME, '-v', '-o', timeFile, ...node] : node;
    const started = performance.now();
    const child = spawn(cmd[0], cmd.slice(1), { cwd, stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: cwd, PATH: process.env.PATH } });
    let stdoutBytes = 0;
    let stdoutHead = '';
    let stdoutTail = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdoutBytes += d.length;
      if (stdoutHead.length < 64 * 1024) stdoutHead += d.toString();
      stdoutTail = (stdoutTail + d.toString()).slice(-64 * 1024);
    });
    child.stderr.on('data', (d) => (stderr = (stderr + d.toString()).slice(-64 * 1024)));
    if (stdin) {
      child.stdin.on('error', () => {});
      const input = readFileSync(stdin);
      child.stdin.end(input);
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      let rssKb = Number(/streamlock-maxrss-kb=(\d+)/.exec(stderr)?.[1] ?? NaN);
      let exit = code;
      if (GNU_TIME && existsSync(timeFile)) {
        const t = readFileSync(timeFile, 'utf8');
        rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(t)?.[1] ?? rssKb);
        const sig = /Command terminated by signal (\d+)/.exec(t)?.[1];
        if (sig) exit = 128 + Number(sig);
        rmSync(timeFile, { force: true });
      }
      if (signal) exit = `signal ${signal}`;
      resolve({ exit, ms, rssMb: Math.round(rssKb / 1024), stdoutBytes, stdoutHead, stdoutTail, stderr: stderr.replace(/\nstreamlock-maxrss-kb=\d+\n/, '') });
    });
  });
}

function codesOf(out) {
  return [...out.matchAll(/code: ([A-Z_]+)/g)].map((m) => m[1]);
}

// ------------------------------------------------------------------------------------------------
// Cases: [name, quick?, run → { outcome, ok, note }, bound MB]

const results = [];
async function check(name, { quick: inQuick, boundMb, run }) {
  if (quick && !inQuick) return;
  if (only && !name.includes(only)) return;
  const started = Date.now();
  let r;
  try {
    r = await run();
  } catch (e) {
    r = { ok: false, outcome: `harness error: ${e.message}`, rssMb: NaN };
  }
  const withinBound = Number.isFinite(r.rssMb) && r.rssMb <= boundMb;
  const row = { name, ok: r.ok && withinBound, outcome: r.outcome, exit: r.exit, rssMb: r.rssMb, boundMb, seconds: Math.round((Date.now() - started) / 100) / 10, inputMb: r.inputMb };
  results.push(row);
  log(`${row.ok ? 'ok  ' : 'FAIL'} ${name.padEnd(52)} ${String(r.outcome).slice(0, 70).padEnd(70)} peak ${String(r.rssMb).padStart(5)} MB (bound ${boundMb})  ${row.seconds} s`);
}

const inputMb = (path) => Math.round((statSync(path).size / MB) * 10) / 10;

/** The function on a file: expected exit code, and an error code among the results (or resolved). */
async function fnCase(path, expect) {
  const r = await measure([FN], { stdin: path });
  const codes = codesOf(r.stdoutTail);
  const outcome = r.exit === 0 ? `exit 0, ${/resolved (\d+) image/.exec(r.stdoutTail)?.[0] ?? 'ok'}` : `exit ${r.exit}${codes.length ? `, ${codes.join(',')}` : ''}${typeof r.exit !== 'number' || r.exit > 128 ? ` (${r.stderr.split('\n').find((l) => /FATAL|Error/.test(l)) ?? 'killed'})` : ''}`;
  // `expect` may list alternatives: a result, or a clear error.
  const ok = [expect].flat().some((e) => r.exit === e.exit && (!e.code || codes.includes(e.code))) && r.stdoutHead.includes('ResourceList');
  return { ...r, ok, outcome, inputMb: inputMb(path) };
}

async function cliCase(args, cwd, expect) {
  const r = await measure([CLI, ...args], { cwd });
  let report;
  try {
    report = JSON.parse(r.stdoutHead);
  } catch {
    report = undefined;
  }
  const code = report?.failures?.[0]?.code;
  const outcome = `exit ${r.exit}${code ? `, ${code}` : ''}${r.exit !== 0 && !code ? `: ${r.stderr.trim().split('\n')[0]?.slice(0, 60)}` : ''}`;
  return { ...r, ok: r.exit === expect.exit && (!expect.code || code === expect.code), outcome };
}

function project(name, lockPath, imageStreamFrom) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  if (lockPath) writeFileSync(join(dir, 'imagestreams.lock.yaml'), readFileSync(lockPath));
  if (imageStreamFrom) {
    writeFileSync(join(dir, 'is.yaml'), `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: web\nspec:\n  tags:\n  - name: "1"\n    from:\n      kind: DockerImage\n      name: ${imageStreamFrom}\n`);
  }
  return dir;
}

const registry = await hostileRegistry();
const digestServer = createServer((req, res) => {
  const d = `sha256:${createHash('sha256').update(`new ${req.url}`).digest('hex')}`;
  res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': d }).end();
});
await new Promise((r) => digestServer.listen(0, '127.0.0.1', r));
const digestHost = `127.0.0.1:${digestServer.address().port}`;

log(`bombs: ${quick ? 'quick set' : 'full set'}; peak RSS by ${GNU_TIME ? 'GNU time -v' : 'process.resourceUsage().maxRSS'}; node ${process.version}`);

// --- YAML bombs and nesting (the function)
await check('fn: billion laughs (10^9 strings if expanded)', { quick: true, boundMb: 150, run: () => fnCase(billionLaughs(), { exit: 1, code: 'INPUT_NOT_YAML' }) });
// A linear scan refuses more than 1,000 levels before yaml parses anything (src/krm/depth.ts).
await check('fn: 10,000 levels of [', { quick: true, boundMb: 150, run: () => fnCase(deepNesting(10_000), { exit: 1, code: 'INPUT_TOO_DEEP' }) });
await check('fn: 1,000,000 levels of [ (1 MB)', { quick: false, boundMb: 150, run: () => fnCase(deepNesting(1_000_000), { exit: 1, code: 'INPUT_TOO_DEEP' }) });
await check('fn: 5,000,000 levels of [ (5 MB)', { quick: false, boundMb: 200, run: () => fnCase(deepNesting(5_000_000), { exit: 1, code: 'INPUT_TOO_DEEP' }) });

// --- Large inputs (the function)
await check('fn: 1 MB of Deployments with triggers', { quick: true, boundMb: 250, run: () => fnCase(workloads(1), { exit: 0 }) });
await check('fn: 5 MB of Deployments with triggers', { quick: false, boundMb: 600, run: () => fnCase(workloads(5), { exit: 0 }) });
await check('fn: 20 MB scalar in one ConfigMap', { quick: true, boundMb: 300, run: () => fnCase(scalar(20), { exit: 0 }) });
await check('fn: 20 MB of Deployments with triggers', { quick: false, boundMb: 2000, run: () => fnCase(workloads(20), { exit: 0 }) });
await check('fn: 200 MB scalar in one ConfigMap', { quick: false, boundMb: 1500, run: () => fnCase(scalar(200), { exit: 0 }) });
// Expected: a result, or a clear INPUT_TOO_LARGE error, within 4 GB. Known to fail (heap OOM): see RELIABILITY.md.
await check('fn: 200 MB of Deployments with triggers', { quick: false, boundMb: 4096, run: () => fnCase(workloads(200), [{ exit: 0 }, { exit: 1, code: 'INPUT_TOO_LARGE' }]) });

// --- Long histories (CLI commands that read and rewrite the lock)
const histN = quick ? 5_000 : 100_000;
const histLabel = histN.toLocaleString('en');
await check(`history: ${histLabel} generations of one tag`, {
  quick: true, boundMb: quick ? 300 : 2000,
  run: async () => {
    const dir = project(`hist-${histN}`, history(histN));
    const r = await measure([CLI, 'history', 'web:1', '-o', 'json'], { cwd: dir });
    return { ...r, ok: r.exit === 0, outcome: `exit ${r.exit}, ${r.stdoutBytes} bytes of history`, inputMb: inputMb(join(dir, 'imagestreams.lock.yaml')) };
  },
});
await check(`rollback: ${histLabel} generations of one tag`, {
  quick: true, boundMb: quick ? 300 : 2000,
  run: () => cliCase(['rollback', 'web:1', '--to-generation', '5', '-o', 'json'], project(`rollback-${histN}`, history(histN)), { exit: 0 }),
});
await check(`import: generation ${histN + 1} onto ${histLabel}`, {
  quick: true, boundMb: quick ? 300 : 2000,
  run: async () => {
    const dir = project(`import-${histN}`, history(histN, digestHost), `${digestHost}/acme/web:1`);
    const r = await cliCase(['import', '-o', 'json', 'is.yaml'], dir, { exit: 0 });
    const gen = JSON.parse(r.stdoutHead || '{}').changes?.[0]?.generation;
    return { ...r, ok: r.ok && gen === histN + 1, outcome: `${r.outcome}, recorded generation ${gen}` };
  },
});

// --- Hostile registry bodies (import)
const importAgainst = (mode, expect, extra = []) => () => cliCase(['import', '-o', 'json', '--timeout', '3s', ...extra, 'is.yaml'], project(`reg-${mode}`, undefined, `${registry.host}/acme/${mode}:1`), expect);
await check('import: endless manifest body', { quick: true, boundMb: 150, run: importAgainst('endless', { exit: 3, code: 'MANIFEST_TOO_LARGE' }) });
await check('import: 10 GB declared Content-Length', { quick: true, boundMb: 150, run: importAgainst('declared-huge', { exit: 3, code: 'MANIFEST_TOO_LARGE' }) });
await check('import: endless error body (404)', { quick: true, boundMb: 150, run: importAgainst('endless-error', { exit: 3, code: 'REGISTRY_NOT_FOUND' }) });
await check('import: endless token response', { quick: true, boundMb: 150, run: importAgainst('token-bomb', { exit: 3, code: 'REGISTRY_BAD_RESPONSE' }) });
await check('import: 1 MB response header', { quick: false, boundMb: 150, run: importAgainst('huge-headers', { exit: 3, code: 'REGISTRY_NETWORK' }) });
await check('import: body dripping 5 bytes/s (--timeout 1s)', { quick: true, boundMb: 150, run: importAgainst('drip', { exit: 3, code: 'REGISTRY_TIMEOUT' }, ['--timeout', '1s']) });

registry.close();
digestServer.close();
rmSync(work, { recursive: true, force: true });
const failed = results.filter((r) => !r.ok);
if (json) console.log(JSON.stringify(results));
else log(`bombs: ${results.length - failed.length}/${results.length} held${failed.length ? `; FAILED: ${failed.map((r) => r.name).join('; ')}` : ''}`);
process.exitCode = failed.length ? 1 : 0;
