#!/usr/bin/env node
// Crash safety: SIGKILL the lockfile writers (`import`, `rollback`, `tag`) at random moments and
// check, after each kill, that the lockfile parses and is byte-for-byte either the old or the new
// version, and that no stale lock or temp file blocks the next writer.
//
//   node scripts/crash.mjs [--runs 100] [--seed N] [--tags 20] [--json]
//
// Needs `npm run build` (runs dist/streamlock.mjs and uses dist/index.js). The registry is a
// loopback fake whose digests change with an epoch the script sets, so the "new" version of every
// run is known: each command first runs to completion on a copy (same epoch, same clock), then
// for real, killed after a random delay: half in [0, 1.3 × the copy's duration], half in
// [0.75, 1.05 ×], where the lock, the temp file and the rename are.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist/streamlock.mjs');
const lib = await import(pathToFileURL(join(root, 'dist/index.js')).href);

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const runs = Number(flag('runs', '100'));
let seed = Number(flag('seed', String(Date.now() % 100000)));
const tagCount = Number(flag('tags', '20'));
const json = process.argv.includes('--json');
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const log = (s) => json || console.log(s);

// A fake registry: HEAD answers a digest derived from the epoch and the tag.
let epoch = 0;
const server = createServer((req, res) => {
  const tag = req.url.split('/manifests/')[1] ?? '';
  const digest = `sha256:${createHash('sha256').update(`${epoch}/${tag}`).digest('hex')}`;
  res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': digest });
  res.end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const host = `127.0.0.1:${server.address().port}`;

const work = mkdtempSync(join(tmpdir(), 'streamlock-crash-'));
const live = join(work, 'live');
const ref = join(work, 'ref');
mkdirSync(live);
const LOCK = 'imagestreams.lock.yaml';
const tags = Array.from({ length: tagCount }, (_, i) => `t${i}`);
const imageStream = ['apiVersion: image.openshift.io/v1', 'kind: ImageStream', 'metadata:', '  name: web', 'spec:', '  tags:',
  ...tags.flatMap((t) => [`  - name: "${t}"`, '    from:', '      kind: DockerImage', `      name: ${host}/acme/web:${t}`]), ''].join('\n');
writeFileSync(join(live, 'is.yaml'), imageStream);

function run(cwd, args, env, killAfterMs) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.resume();
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, ms: performance.now() - started });
    });
  });
}

/** The commands the kills land in; each is deterministic given the lockfile, the epoch and the clock. */
function nextCommand(i) {
  const k = i % 4;
  if (k === 0 || k === 2) return { name: 'import', args: ['import', 'is.yaml'], bump: true };
  if (k === 1) return { name: 'rollback', args: i % 8 === 1 ? ['rollback', 'web:t0', '--to-generation', '1'] : ['rollback', 'web:t0', '--latest'] };
  return { name: 'tag', args: ['tag', `web:t${i % tagCount}`, `web:copy${i % 3}`] };
}

const read = (p) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined);
const litter = (dir) => readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'));

// Generation 1 for every tag, uninterrupted.
epoch = 1;
const first = await run(live, ['import', 'is.yaml'], { STREAMLOCK_NOW: '2026-11-01T00:00:00Z' });
if (first.code !== 0) throw new Error(`initial import failed: ${first.stderr}`);

const stats = { runs: 0, old: 0, new: 0, killedBeforeExit: 0, staleLocks: 0, tempFiles: 0, failures: [], byCommand: {} };
const startedAll = Date.now();
for (let i = 0; i < runs; i++) {
  const cmd = nextCommand(i);
  if (cmd.bump) epoch++;
  const env = { STREAMLOCK_NOW: new Date(Date.UTC(2026, 10, 2) + i * 60_000).toISOString() };
  const old = read(join(live, LOCK));

  // The new version: the same command, to completion, on a copy.
  rmSync(ref, { recursive: true, force: true });
  mkdirSync(ref);
  copyFileSync(join(live, 'is.yaml'), join(ref, 'is.yaml'));
  copyFileSync(join(live, LOCK), join(ref, LOCK));
  const reference = await run(ref, cmd.args, env);
  const expected = read(join(ref, LOCK));
  if (reference.code !== 0) stats.failures.push(`run ${i} ${cmd.name}: reference run exited ${reference.code}: ${reference.stderr.trim()}`);

  // Half the kills anywhere, half aimed at the end of the run, where the lock, temp file and rename are.
  const delay = Math.round(reference.ms * (i % 2 === 0 ? random() * 1.3 : 0.75 + random() * 0.3));
  const victim = await run(live, cmd.args, env, delay);
  const actual = read(join(live, LOCK));
  stats.runs++;
  const c = (stats.byCommand[cmd.name] ??= { runs: 0, old: 0, new: 0 });
  c.runs++;
  if (victim.signal === 'SIGKILL') stats.killedBeforeExit++;

  let verdict;
  if (actual === old) verdict = 'old';
  else if (actual === expected) verdict = 'new';
  else verdict = 'CORRUPT';
  if (verdict === 'CORRUPT') {
    const keep = join(work, `corrupt-${i}.yaml`);
    writeFileSync(keep, actual ?? '<missing>');
    stats.failures.push(`run ${i} ${cmd.name} killed at ${delay} ms: lockfile is neither old nor new (kept ${keep})`);
  } else {
    stats[verdict]++;
    c[verdict]++;
  }
  try {
    await lib.readLockfile(join(live, LOCK));
  } catch (e) {
    stats.failures.push(`run ${i} ${cmd.name}: lockfile does not parse after the kill: ${e.message}`);
  }

  // Whatever the kill left must not block the next writer: a no-op update takes and frees the lock.
  const left = litter(live);
  if (left.some((f) => f.endsWith('.lock'))) stats.staleLocks++;
  stats.tempFiles += left.filter((f) => f.endsWith('.tmp')).length;
  const t0 = Date.now();
  try {
    await lib.updateLockfile(join(live, LOCK), (l) => l, { timeoutMs: 3000 });
  } catch (e) {
    stats.failures.push(`run ${i} ${cmd.name}: next writer blocked after the kill (${e.code}: ${e.message})`);
  }
  if (Date.now() - t0 > 2000) stats.failures.push(`run ${i}: next writer waited ${Date.now() - t0} ms for the lock`);
  // A leftover (dead) lock or temp file is removed here, so each run starts from a clean state.
  for (const f of litter(live)) rmSync(join(live, f), { force: true });
  // Killed before its write: bring live to the new version so the next command builds on it.
  if (verdict === 'old' && expected !== undefined) writeFileSync(join(live, LOCK), expected);
  log(`run ${String(i).padStart(3)} ${cmd.name.padEnd(8)} kill at ${String(delay).padStart(4)} ms of ~${Math.round(reference.ms)}: ${verdict}${victim.signal ? '' : ` (exited ${victim.code} first)`}${left.length ? `, left ${left.join(' ')}` : ''}`);
}

// The history is complete and ordered: one generation per import for every tag.
const final = await lib.readLockfile(join(live, LOCK));
const imports = 1 + Array.from({ length: runs }, (_, i) => nextCommand(i)).filter((c) => c.bump).length;
const web = final.lock.streams.find((s) => s.name === 'web');
for (const t of tags) {
  const gens = web.tags.find((x) => x.tag === t)?.items.map((e) => e.generation) ?? [];
  const want = Array.from({ length: imports }, (_, k) => imports - k);
  if (JSON.stringify(gens) !== JSON.stringify(want)) stats.failures.push(`tag ${t}: generations ${gens.slice(0, 5).join(',')}… (${gens.length}), expected ${imports} down to 1`);
}

server.close();
const summary = { ...stats, seconds: Math.round((Date.now() - startedAll) / 1000), seed: Number(flag('seed', 'NaN')) || undefined, ok: stats.failures.length === 0 };
if (json) console.log(JSON.stringify(summary));
else {
  console.log(`\ncrash: ${stats.runs} kills (${stats.killedBeforeExit} before the process exited): lockfile old ${stats.old}, new ${stats.new}, corrupt ${stats.runs - stats.old - stats.new}`);
  console.log(`crash: by command ${JSON.stringify(stats.byCommand)}`);
  console.log(`crash: stale .lock files left ${stats.staleLocks} (none blocked the next writer), temp files left ${stats.tempFiles}`);
  for (const f of stats.failures) console.log(`FAIL ${f}`);
  console.log(`crash: ${summary.ok ? 'ok' : 'FAILED'} in ${summary.seconds} s`);
}
if (summary.ok) rmSync(work, { recursive: true, force: true });
process.exitCode = summary.ok ? 0 : 1;
