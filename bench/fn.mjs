#!/usr/bin/env node
/**
 * Benchmark of the KRM function (dist/streamlock-fn.mjs) against a floor, as child processes.
 *
 *   node bench/fn.mjs [--quick]            # 1k, 10k, 50k (--quick: 1k, 10k); markdown table on stdout
 *   node bench/fn.mjs --profile N          # CPU profile of the function on an N-workload list
 *
 * Needs `npm run build` first (`npm run bench` does it). Lists are made by bench/gen.mjs in
 * bench/out/ (git-ignored), which also holds the outputs, the floor program and profiles.
 *
 * What is measured (see bench/README.md):
 * - wall time: in this process, from spawn() to the child's exit, stdin a file, stdout a file;
 * - peak RSS and CPU time (user + system): the child's, as reported by GNU time
 *   (`/usr/bin/time -f "%M %U %S"`, from the rusage of the waited-for node process); where GNU time
 *   is missing, node's own `process.resourceUsage()` written at exit by a preloaded module (`--import`);
 * - floor: the same list read from stdin, `parseDocument` (yaml, default options), `String(doc)`
 *   to stdout — bundled by esbuild like the function, run and measured the same way;
 * - cold start: 1 workload + a 1-stream lock through the function versus `node -e ''`, 15 runs
 *   each, interleaved, medians.
 * Everything is reported as ratios or differences against baselines measured in the same run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, readSync, fstatSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateFile } from './gen.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'bench', 'out');
const BUILT_FN = join(ROOT, 'dist', 'streamlock-fn.mjs');
/**
 * The function as run: a copy of the build taken at the start, so another engineer's
 * `npm run build` in the same tree cannot swap (or truncate) it mid-run. From bench/out/ it still
 * resolves the node_modules of the root, like dist/ does.
 */
const FN = join(ROOT, 'bench', 'out', 'streamlock-fn.mjs');
const GNU_TIME = '/usr/bin/time';

export const TARGETS = { floorRatioAt10k: 1.5, coldStartMs: 150, scale50kOver10k: 5.5 };
const COLD_RUNS = 15;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function hasGnuTime() {
  if (!existsSync(GNU_TIME)) return false;
  const r = spawnSync(GNU_TIME, ['-f', '%M', '-o', '/dev/null', 'true']);
  return r.status === 0;
}

/** How peak RSS is taken; decided once per run. */
function rssMethod() {
  if (hasGnuTime()) return { kind: 'gnu-time', text: 'GNU time (`/usr/bin/time -f "%M %U %S"`: max RSS and CPU time from the rusage of the node child)' };
  const preload = join(OUT, 'maxrss-preload.mjs');
  writeFileSync(
    preload,
    "import { writeFileSync } from 'node:fs';\n" +
      "process.on('exit', () => { const u = process.resourceUsage(); writeFileSync(process.env.BENCH_MAXRSS_FILE, `${u.maxRSS} ${u.userCPUTime / 1e6} ${u.systemCPUTime / 1e6}`); });\n",
  );
  return { kind: 'preload', preload, text: "node's `process.resourceUsage()` (maxRSS, CPU time) at exit, from a module preloaded with `--import` (GNU time not installed)" };
}

/**
 * Runs `node ...args` with stdin from a file and stdout to a file; resolves to wall ms, peak RSS
 * (KiB), exit code and stderr.
 */
function runNode(method, args, stdinFile, stdoutFile) {
  const report = join(OUT, `rss-${process.pid}.txt`);
  rmSync(report, { force: true });
  const inFd = openSync(stdinFile, 'r');
  const outFd = openSync(stdoutFile, 'w');
  let cmd;
  let argv;
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  if (method.kind === 'gnu-time') {
    cmd = GNU_TIME;
    argv = ['-f', '%M %U %S', '-o', report, process.execPath, ...args];
  } else {
    cmd = process.execPath;
    argv = ['--import', pathToFileURL(method.preload).href, ...args];
    env.BENCH_MAXRSS_FILE = report;
  }
  return new Promise((done, fail) => {
    const start = performance.now();
    const child = spawn(cmd, argv, { stdio: [inFd, outFd, 'pipe'], env });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', fail);
    let ms = NaN;
    child.on('exit', () => (ms = performance.now() - start));
    // 'close' comes after 'exit' and after stderr is drained.
    child.on('close', (code, signal) => {
      closeSync(inFd);
      closeSync(outFd);
      let rssKiB = NaN;
      let cpuMs = NaN;
      try {
        // GNU time may put "Command exited with non-zero status N" first.
        const [rss, user, sys] = readFileSync(report, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
        rssKiB = rss;
        cpuMs = (user + sys) * 1000;
      } catch {
        /* the child died before it was written */
      }
      done({ ms, cpuMs, rssKiB, code: code ?? (signal ? 128 : 1), signal, stderr });
    });
  });
}

function tail(file, bytes = 4096) {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(bytes, size));
    readSync(fd, buf, 0, buf.length, size - buf.length);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The floor program, bundled like the function so both load the same way. */
async function buildFloor() {
  const { build } = await import('esbuild');
  const outfile = join(OUT, 'floor.mjs');
  await build({
    stdin: {
      contents: [
        "import { parseDocument } from 'yaml';",
        "import { readFileSync } from 'node:fs';",
        'const doc = parseDocument(readFileSync(0, "utf8"));',
        'if (doc.errors.length > 0) { process.stderr.write(String(doc.errors[0]) + "\\n"); process.exitCode = 1; }',
        'else process.stdout.write(String(doc));',
      ].join('\n'),
      resolveDir: ROOT,
      loader: 'js',
    },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.18',
    banner: { js: "import { createRequire as __cr } from 'node:module';\nconst require = __cr(import.meta.url);" },
    logLevel: 'warning',
  });
  return outfile;
}

function fmtMs(ms) {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
function fmtMiB(kib) {
  return Number.isFinite(kib) ? `${Math.round(kib / 1024)} MiB` : 'n/a';
}
function fmtRatio(r) {
  return typeof r === 'number' && Number.isFinite(r) ? `${r.toFixed(2)}×` : 'n/a';
}
function label(n) {
  return n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n);
}

/** Measures the function and the floor at one N; interleaved, order alternating per repetition. */
async function measureSize(method, floor, n, { reps, adaptive, log }) {
  const list = join(OUT, `list-${n}.yaml`);
  const bytes = await generateFile(list, n);
  const fnOut = join(OUT, `fn-out-${n}.yaml`);
  const floorOut = join(OUT, `floor-out-${n}.yaml`);
  const fnRuns = [];
  const floorRuns = [];
  const one = async (which, rep) => {
    const r = which === 'fn' ? await runNode(method, [FN], list, fnOut) : await runNode(method, [floor], list, floorOut);
    log(`  ${label(n)} ${which === 'fn' ? 'function' : 'floor   '} #${rep + 1}: ${fmtMs(r.ms)} (CPU ${fmtMs(r.cpuMs)}), ${fmtMiB(r.rssKiB)}${r.code ? `, exit ${r.code}` : ''}`);
    if (which === 'fn') {
      if (r.code !== 0) throw new Error(`function failed at N=${n} (exit ${r.code}): ${r.stderr.slice(0, 2000)}`);
      const expect = `resolved ${n} image reference${n === 1 ? '' : 's'} in ${n} workload`;
      if (rep === 0 && !tail(fnOut).includes(expect)) throw new Error(`function output at N=${n} lacks "${expect}"`);
      fnRuns.push(r);
    } else {
      floorRuns.push(r);
    }
    return r;
  };
  let planned = reps;
  for (let rep = 0; rep < planned; rep++) {
    const order = rep % 2 === 0 ? ['fn', 'floor'] : ['floor', 'fn'];
    for (const which of order) await one(which, rep);
    if (rep === 0 && adaptive && fnRuns[0].ms + floorRuns[0].ms > adaptive.slowMs) {
      planned = 1;
      log(`  ${label(n)}: one run took over ${fmtMs(adaptive.slowMs)} together; measuring once`);
    }
  }
  // A list this big is not worth keeping twice more on disk.
  if (bytes > 32 << 20) for (const f of [fnOut, floorOut]) rmSync(f, { force: true });
  const ok = (rs) => rs.filter((r) => r.code === 0);
  const floorOk = ok(floorRuns);
  const fnMs = median(fnRuns.map((r) => r.ms));
  const floorMs = floorOk.length ? median(floorOk.map((r) => r.ms)) : NaN;
  return {
    n,
    bytes,
    runs: fnRuns.length,
    fnMs,
    fnRssKiB: median(fnRuns.map((r) => r.rssKiB)),
    fnAllMs: fnRuns.map((r) => r.ms),
    fnCpuMs: median(fnRuns.map((r) => r.cpuMs)),
    floorCpuMs: floorOk.length ? median(floorOk.map((r) => r.cpuMs)) : NaN,
    floorMs,
    floorRssKiB: floorOk.length ? median(floorOk.map((r) => r.rssKiB)) : NaN,
    floorAllMs: floorRuns.map((r) => r.ms),
    floorFailures: floorRuns.filter((r) => r.code !== 0).map((r) => `exit ${r.code}: ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}`),
    ratio: fnMs / floorMs,
    cpuRatio: median(fnRuns.map((r) => r.cpuMs)) / (floorOk.length ? median(floorOk.map((r) => r.cpuMs)) : NaN),
  };
}

async function measureColdStart(method, { log }) {
  const list = join(OUT, 'list-cold.yaml');
  await generateFile(list, 1, { streams: 1 });
  const fnOut = join(OUT, 'fn-out-cold.yaml');
  const bareOut = join(OUT, 'bare-out.txt');
  const fn = [];
  const bare = [];
  // One discarded run of each warms the page cache.
  await runNode(method, [FN], list, fnOut);
  await runNode(method, ['-e', ''], list, bareOut);
  for (let i = 0; i < COLD_RUNS; i++) {
    const order = i % 2 === 0 ? ['fn', 'bare'] : ['bare', 'fn'];
    for (const which of order) {
      const r = which === 'fn' ? await runNode(method, [FN], list, fnOut) : await runNode(method, ['-e', ''], list, bareOut);
      if (r.code !== 0) throw new Error(`${which} failed in cold start (exit ${r.code}): ${r.stderr.slice(0, 2000)}`);
      (which === 'fn' ? fn : bare).push(r);
    }
  }
  if (!readFileSync(fnOut, 'utf8').includes('resolved 1 image reference in 1 workload')) throw new Error('cold-start output is not a resolved list');
  const fnMs = median(fn.map((r) => r.ms));
  const bareMs = median(bare.map((r) => r.ms));
  log(`  cold start: function ${fnMs.toFixed(1)} ms, bare node ${bareMs.toFixed(1)} ms (medians of ${COLD_RUNS})`);
  return {
    runs: COLD_RUNS,
    fnMs,
    bareMs,
    overheadMs: fnMs - bareMs,
    fnCpuMs: median(fn.map((r) => r.cpuMs)),
    bareCpuMs: median(bare.map((r) => r.cpuMs)),
    fnRssKiB: median(fn.map((r) => r.rssKiB)),
    bareRssKiB: median(bare.map((r) => r.rssKiB)),
  };
}

/** Copies dist/streamlock-fn.mjs to FN and checks that the copy runs (a build may be half-written). */
async function snapshotFunction(method, log) {
  const list = join(OUT, 'list-cold.yaml');
  await generateFile(list, 1, { streams: 1 });
  for (let attempt = 1; ; attempt++) {
    copyFileSync(BUILT_FN, FN);
    const r = await runNode(method, [FN], list, join(OUT, 'fn-out-cold.yaml'));
    if (r.code === 0) break;
    if (attempt === 3) throw new Error(`dist/streamlock-fn.mjs does not run (exit ${r.code}): ${r.stderr.slice(0, 2000)}`);
    log(`  dist/streamlock-fn.mjs did not run (a build in progress?); copying it again in 5 s`);
    await new Promise((r) => setTimeout(r, 5000));
  }
  const bytes = readFileSync(FN);
  const sha = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  log(`  function: dist/streamlock-fn.mjs, ${(bytes.length / 1024).toFixed(0)} KiB, sha256 ${sha}… (copied to bench/out/)`);
  return { bytes: bytes.length, sha256: sha, source: gitState() };
}

/** The commit the build came from, and whether the tree had changes to what gets built. */
function gitState() {
  const git = (...args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const head = git('rev-parse', '--short', 'HEAD') || 'unknown commit';
  const dirty = git('status', '--porcelain', '--', 'src', 'scripts', 'package.json', 'package-lock.json');
  return `commit ${head}${dirty ? ' with uncommitted changes in src/ or the build' : ''}`;
}

export function machineNotes() {
  const cpu = cpus()[0]?.model?.trim() ?? 'unknown CPU';
  const nproc = spawnSync('nproc', [], { encoding: 'utf8' }).stdout?.trim() || String(cpus().length);
  let yamlVersion = '?';
  try {
    yamlVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'yaml', 'package.json'), 'utf8')).version;
  } catch {
    /* not installed */
  }
  return { nproc, node: process.version, cpu, memGiB: Math.round(totalmem() / 2 ** 30), yaml: yamlVersion };
}

function status(value, target) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'n/a';
  return value <= target ? 'met' : '**missed**';
}

export function toMarkdown(res) {
  const lines = [];
  lines.push('| N | input | function | floor (parse + stringify) | function / floor | same, CPU time | function peak RSS | floor peak RSS | runs |');
  lines.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of res.sizes) {
    const floorCell = Number.isFinite(s.floorMs) ? fmtMs(s.floorMs) : `failed (${s.floorFailures[0] ?? '?'})`;
    lines.push(
      `| ${label(s.n)} | ${(s.bytes / 2 ** 20).toFixed(1)} MiB | ${fmtMs(s.fnMs)} | ${floorCell} | ${fmtRatio(s.ratio)} | ${fmtRatio(s.cpuRatio)} | ${fmtMiB(s.fnRssKiB)} | ${fmtMiB(s.floorRssKiB)} | ${s.runs} |`,
    );
  }
  const c = res.coldStart;
  const cpu = (ms) => (Number.isFinite(ms) ? `${ms.toFixed(0)} ms` : 'n/a');
  lines.push('');
  lines.push(`| cold start (1 workload, median of ${c.runs}) | wall | CPU | peak RSS |`);
  lines.push('| --- | ---: | ---: | ---: |');
  lines.push(`| \`node dist/streamlock-fn.mjs\` | ${c.fnMs.toFixed(1)} ms | ${cpu(c.fnCpuMs)} | ${fmtMiB(c.fnRssKiB)} |`);
  lines.push(`| \`node -e ''\` | ${c.bareMs.toFixed(1)} ms | ${cpu(c.bareCpuMs)} | ${fmtMiB(c.bareRssKiB)} |`);
  lines.push('');
  const at = (n) => res.sizes.find((s) => s.n === n);
  const s10 = at(10_000);
  const s50 = at(50_000);
  const scale = s50 && s10 ? s50.fnMs / s10.fnMs : NaN;
  const scaleCpu = s50 && s10 ? s50.fnCpuMs / s10.fnCpuMs : NaN;
  const quickNote = res.quick ? 'n/a (--quick)' : 'n/a';
  lines.push('| target | wall time | CPU time | limit | wall | CPU |');
  lines.push('| --- | ---: | ---: | ---: | --- | --- |');
  lines.push(
    `| function / floor at 10k | ${fmtRatio(s10?.ratio)} | ${fmtRatio(s10?.cpuRatio)} | ≤ ${TARGETS.floorRatioAt10k}× | ${status(s10?.ratio, TARGETS.floorRatioAt10k)} | ${status(s10?.cpuRatio, TARGETS.floorRatioAt10k)} |`,
  );
  const over = c.fnMs - c.bareMs;
  const overCpu = c.fnCpuMs - c.bareCpuMs;
  lines.push(
    `| cold start over bare node | ${over.toFixed(0)} ms | ${Number.isFinite(overCpu) ? `${overCpu.toFixed(0)} ms` : 'n/a'} | ≤ ${TARGETS.coldStartMs} ms | ${status(over, TARGETS.coldStartMs)} | ${status(overCpu, TARGETS.coldStartMs)} |`,
  );
  lines.push(
    `| function time 50k / 10k | ${fmtRatio(scale)} | ${fmtRatio(scaleCpu)} | ≤ ${TARGETS.scale50kOver10k}× | ${Number.isFinite(scale) ? status(scale, TARGETS.scale50kOver10k) : quickNote} | ${Number.isFinite(scaleCpu) ? status(scaleCpu, TARGETS.scale50kOver10k) : quickNote} |`,
  );
  return lines.join('\n');
}

/** Runs the whole function benchmark; progress goes to `log`. */
export async function benchFunction({ quick = false, log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  if (!existsSync(BUILT_FN)) throw new Error(`${BUILT_FN} is missing: run \`npm run build\` first`);
  mkdirSync(OUT, { recursive: true });
  const loadBefore = loadavg()[0];
  const method = rssMethod();
  const bundle = await snapshotFunction(method, log);
  const floor = await buildFloor();
  log(`function benchmark (${quick ? 'quick: 1k, 10k' : '1k, 10k, 50k'}); peak RSS via ${method.kind}`);
  const coldStart = await measureColdStart(method, { log });
  const sizes = [];
  sizes.push(await measureSize(method, floor, 1_000, { reps: 3, log }));
  sizes.push(await measureSize(method, floor, 10_000, { reps: 3, log }));
  // 50k is measured 3× only when a function + floor pair takes under a minute.
  if (!quick) sizes.push(await measureSize(method, floor, 50_000, { reps: 3, adaptive: { slowMs: 60_000 }, log }));
  const res = { date: new Date().toISOString(), quick, rssMethod: method.text, machine: { ...machineNotes(), loadBefore, loadAfter: loadavg()[0] }, bundle, coldStart, sizes };
  res.markdown = toMarkdown(res);
  writeFileSync(join(OUT, 'fn-results.json'), JSON.stringify(res, null, 2) + '\n');
  return res;
}

// ---------------------------------------------------------------------------------------------
// --profile N: a CPU profile of the function, summarised by self time.

/** For each line of an esbuild bundle, the source file it came from (esbuild's `// path` comments). */
function bundleSources(bundleText) {
  const starts = [];
  bundleText.split('\n').forEach((line, i) => {
    const m = /^\/\/ ((?:src|node_modules)\/\S+)$/.exec(line);
    if (m) starts.push([i, m[1]]);
  });
  return (line0) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = '';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid][0] <= line0) {
        found = starts[mid][1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

/**
 * Self time per function and per source file from a .cpuprofile (V8's sampled call tree). Frames
 * in the bundle are mapped back to their source file; others (node internals, GC) keep their URL.
 */
export function summariseProfile(profile, bundleFile, bundleText, top = 25) {
  const sourceOf = bundleSources(bundleText);
  const bundleUrl = pathToFileURL(bundleFile).href;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFn = new Map();
  const byFile = new Map();
  let total = 0;
  for (const [id, us] of selfUs) {
    const cf = byId.get(id).callFrame;
    let file = cf.url || cf.functionName;
    if (cf.url === bundleUrl) file = sourceOf(cf.lineNumber) || 'dist/streamlock-fn.mjs';
    const key = `${cf.functionName || '(anonymous)'}\t${file}\t${cf.url === bundleUrl ? cf.lineNumber + 1 : ''}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
    total += us;
  }
  // Inclusive time of the project's own functions (src/): every sample counts once for each
  // distinct src/ function on its stack. GC samples have no stack and count for none.
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const srcKey = new Map();
  for (const n of profile.nodes) {
    const cf = n.callFrame;
    if (cf.url !== bundleUrl) continue;
    const file = sourceOf(cf.lineNumber);
    if (file.startsWith('src/')) srcKey.set(n.id, `${cf.functionName || '(anonymous)'}\t${file}\t${cf.lineNumber + 1}`);
  }
  const inclusive = new Map();
  for (const [id, us] of selfUs) {
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const k = srcKey.get(at);
      if (k && !seen.has(k)) {
        seen.add(k);
        inclusive.set(k, (inclusive.get(k) ?? 0) + us);
      }
    }
  }
  const rank = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    inclusive: rank(inclusive)
      .slice(0, 15)
      .map(([k, us]) => {
        const [fn, file, line] = k.split('\t');
        return { fn, file, line, ms: us / 1000, pct: (100 * us) / total };
      }),
    totalMs: total / 1000,
    functions: rank(byFn).map(([k, us]) => {
      const [fn, file, line] = k.split('\t');
      return { fn, file, line, ms: us / 1000, pct: (100 * us) / total };
    }),
    files: rank(byFile).map(([file, us]) => ({ file, ms: us / 1000, pct: (100 * us) / total })),
  };
}

async function profile(n) {
  mkdirSync(OUT, { recursive: true });
  const list = join(OUT, `list-${n}.yaml`);
  await generateFile(list, n);
  copyFileSync(BUILT_FN, FN);
  const dir = join(OUT, `prof-${n}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const inFd = openSync(list, 'r');
  const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, FN], { stdio: [inFd, 'ignore', 'inherit'] });
  closeSync(inFd);
  if (r.status !== 0) throw new Error(`function exited ${r.status}`);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const summary = summariseProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')), FN, readFileSync(FN, 'utf8'));
  console.log(`profile of ${label(n)} workloads: ${join(dir, file)}, ${summary.totalMs.toFixed(0)} ms sampled (profiling slows the run)\n`);
  console.log('| self ms | % | function | source | bundle line |');
  console.log('| ---: | ---: | --- | --- | ---: |');
  for (const r of summary.functions) console.log(`| ${r.ms.toFixed(0)} | ${r.pct.toFixed(1)} | ${r.fn} | ${r.file} | ${r.line} |`);
  console.log('\n| inclusive ms | % | src/ function | source | bundle line |');
  console.log('| ---: | ---: | --- | --- | ---: |');
  for (const r of summary.inclusive) console.log(`| ${r.ms.toFixed(0)} | ${r.pct.toFixed(1)} | ${r.fn} | ${r.file} | ${r.line} |`);
  console.log('\n| self ms | % | source file |');
  console.log('| ---: | ---: | --- |');
  for (const r of summary.files) console.log(`| ${r.ms.toFixed(0)} | ${r.pct.toFixed(1)} | ${r.file} |`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const p = args.indexOf('--profile');
  if (p >= 0) {
    await profile(Number(args[p + 1] ?? 10_000));
  } else {
    const res = await benchFunction({ quick: args.includes('--quick') });
    const m = res.machine;
    console.log(`${res.date} — ${m.nproc} cores (${m.cpu}), ${m.memGiB} GiB, node ${m.node}, yaml ${m.yaml}; peak RSS: ${res.rssMethod}\n`);
    console.log(res.markdown);
  }
}
