#!/usr/bin/env node
// The nesting-guard bypass, measured: `labels: {a: b:"}` followed by deep nesting and, later, a
// `# "` comment. A scanner that took the `"` after `:` for the start of a quoted string skipped
// everything up to that comment and let the composer recurse through it. Runs the built function
// (4 MB input on stdin) and `render` (2 MB input file), each in a child process, and prints exit
// code, error code, wall and CPU time and peak RSS (GNU time), beside `node -e ''` measured the
// same way (on a loaded machine wall time is mostly waiting). Target: refused in < 0.5 s and < 100 MB.
//
//   node scripts/nesting-bypass.mjs [--json]     (after npm run build)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const FN = join(root, 'dist/streamlock-fn.mjs');
const CLI = join(root, 'dist/streamlock.mjs');
const MB = 1024 * 1024;
const work = mkdtempSync(join(tmpdir(), 'streamlock-bypass-'));

/** A Deployment whose labels carry the decoy, then `mb` MB of nesting, then the closing `# "`. */
function deployment(mb, indent) {
  const pad = ' '.repeat(indent);
  const depth = Math.floor((mb * MB) / 2);
  return `${pad}apiVersion: apps/v1\n${pad}kind: Deployment\n${pad}metadata:\n${pad}  name: web\n${pad}  labels: {a: b:"}\n${pad}spec:\n${pad}  x: ${'[a, '.repeat(depth / 2)}\n${pad}# "\n`;
}

const cases = [
  { name: "node -e '' (floor)", cmd: ['-e', ''], stdin: '', floor: true },
  { name: 'fn, 4 MB on stdin', cmd: [FN], stdin: `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- ${deployment(4, 2).trimStart()}` },
  { name: 'render, 2 MB file', cmd: [CLI, 'render', 'app.yaml'], file: deployment(2, 0) },
];

const rows = [];
for (const c of cases) {
  const dir = mkdtempSync(join(work, 'case-'));
  const input = join(dir, c.file ? 'app.yaml' : 'stdin.yaml');
  writeFileSync(input, c.file ?? c.stdin);
  const timed = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', '%M %e %U %S'] : [];
  const args = [...timed, process.execPath, ...c.cmd];
  const started = process.hrtime.bigint();
  const r = spawnSync(args[0], args.slice(1), { cwd: dir, input: c.file ? '' : c.stdin, encoding: 'utf8', maxBuffer: 64 * MB });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const timeLine = r.stderr.trim().split('\n').pop() ?? '';
  const [kb, , user, sys] = timeLine.split(' ').map(Number);
  const code = /INPUT_TOO_DEEP|nests collections deeper than/.test(r.stdout + r.stderr) ? 'INPUT_TOO_DEEP' : '(none)';
  rows.push({
    name: c.name, floor: !!c.floor, inputMb: Math.round(((c.file ?? c.stdin).length / MB) * 10) / 10, exit: r.status, code,
    wallMs: Math.round(wallMs), cpuMs: Number.isFinite(user) ? Math.round((user + sys) * 1000) : undefined, peakMb: kb ? Math.round(kb / 1024) : undefined,
  });
}
rmSync(work, { recursive: true, force: true });

if (process.argv.includes('--json')) console.log(JSON.stringify(rows));
else {
  console.log(`nesting-guard bypass; node ${process.version}`);
  console.log('| case | input | exit | error | wall | CPU | peak RSS | < 0.5 s CPU and < 100 MB |');
  console.log('| --- | ---: | ---: | --- | ---: | ---: | ---: | --- |');
  for (const r of rows) {
    const ok = r.floor ? '' : r.code === 'INPUT_TOO_DEEP' && r.exit !== 0 && (r.cpuMs ?? r.wallMs) < 500 && (r.peakMb ?? 0) < 100 ? 'met' : 'NOT MET';
    console.log(`| ${r.name} | ${r.inputMb} MB | ${r.exit} | ${r.floor ? '' : r.code} | ${r.wallMs} ms | ${r.cpuMs} ms | ${r.peakMb} MB | ${ok} |`);
  }
}
