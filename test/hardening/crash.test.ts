/**
 * Crash and storage faults of the lockfile writers: a short run of scripts/crash.mjs (SIGKILL at
 * random points; the full run is `node scripts/crash.mjs --runs 100`), two imports of one lockfile
 * at once, a read-only directory and a full disk. The old file must survive every failure.
 *
 * Tests run as root, which ignores chmod 555. Where mounting is allowed (root with CAP_SYS_ADMIN)
 * the read-only directory is a tmpfs remounted `ro` (EROFS) and the full disk a 256 KiB tmpfs
 * filled to the last page (ENOSPC), so the kernel itself refuses the writes; as a non-root user
 * the directory is chmod 555 (EACCES) and the full-disk case is skipped (no way to make ENOSPC).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, ftruncateSync, fstatSync, openSync, writeSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

const repo = join(import.meta.dirname, '../..');
const cli = join(repo, 'dist/streamlock.mjs');

let work: string;
let server: Server;
let host: string;
let epoch = 1;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'streamlock-crash-test-'));
  server = createServer((req, res) => {
    const tag = req.url!.split('/manifests/')[1];
    const digest = `sha256:${createHash('sha256').update(`${epoch}/${tag}`).digest('hex')}`;
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': digest }).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r())));
  await rm(work, { recursive: true, force: true });
});

function imageStream(tags: string[]): string {
  return ['apiVersion: image.openshift.io/v1', 'kind: ImageStream', 'metadata:', '  name: web', 'spec:', '  tags:',
    ...tags.flatMap((t) => [`  - name: "${t}"`, '    from:', '      kind: DockerImage', `      name: ${host}/acme/web:${t}`]), ''].join('\n');
}

function cliIO(cwd: string): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdin: new PassThrough(),
    stdout: Object.assign(new PassThrough(), { write: (s: string) => ((out += s), true) }) as never,
    stderr: Object.assign(new PassThrough(), { write: (s: string) => ((err += s), true) }) as never,
    env: { HOME: cwd, PATH: '/nonexistent' },
    cwd,
    now: () => new Date('2026-11-20T10:00:00Z'),
    interactive: false,
    out: () => out,
    err: () => err,
  };
}

function generations(lockText: string, tag: string): number[] {
  const web = parse(lockText).streams.find((s: any) => s.name === 'web');
  return web.tags.find((t: any) => t.tag === tag).items.map((e: any) => e.generation);
}

describe('SIGKILL at random points (scripts/crash.mjs, short run)', () => {
  it('leaves the lockfile old or new, byte for byte, and never blocks the next writer', async () => {
    const r = spawnSync(process.execPath, [join(repo, 'scripts/crash.mjs'), '--runs', '10', '--tags', '5', '--seed', '4242', '--json'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(summary.failures).toEqual([]);
    expect(summary.old + summary.new).toBe(10);
    expect(Object.keys(summary.byCommand).sort()).toEqual(['import', 'rollback', 'tag']);
  });
});

describe('two imports of one lockfile at once', () => {
  it('both finish and every generation of both tags is recorded exactly once', async () => {
    const dir = join(work, 'concurrent');
    await mkdir(dir);
    await writeFile(join(dir, 'is.yaml'), imageStream(['a', 'b']));
    const runCli = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [cli, ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    for (let round = 1; round <= 4; round++) {
      epoch = 100 + round; // both tags change every round
      const [a, b] = await Promise.all([runCli(['import', '--filter', 'web:a', 'is.yaml']), runCli(['import', '--filter', 'web:b', 'is.yaml'])]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      const text = await readFile(join(dir, 'imagestreams.lock.yaml'), 'utf8');
      const want = Array.from({ length: round }, (_, i) => round - i);
      expect(generations(text, 'a')).toEqual(want);
      expect(generations(text, 'b')).toEqual(want);
    }
    expect(await readdir(dir)).toEqual(['imagestreams.lock.yaml', 'is.yaml']);
  });
});

const isRoot = process.getuid?.() === 0;
function tryMount(dir: string, options: string): boolean {
  return spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' }).status === 0;
}
const canMount = (() => {
  if (!isRoot || process.platform !== 'linux') return false;
  const probe = spawnSync('sh', ['-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=4k tmpfs "$d" && umount "$d"; s=$?; rmdir "$d"; exit $s'], { stdio: 'ignore' });
  return probe.status === 0;
})();

/** A project whose lockfile has generation 1 of 40 tags (about 13 KB). */
async function projectIn(dir: string): Promise<string> {
  await writeFile(join(dir, 'is.yaml'), imageStream(Array.from({ length: 40 }, (_, i) => `t${i}`)));
  epoch = 1;
  const io = cliIO(dir);
  expect(await main(['import', 'is.yaml'], io), io.err()).toBe(0);
  return readFile(join(dir, 'imagestreams.lock.yaml'), 'utf8');
}

describe.skipIf(!canMount && isRoot)('a read-only directory', () => {
  it('import and rollback exit 1 with LOCK_WRITE_FAILED naming the file; the old file stays, nothing is left beside it', async () => {
    const dir = join(work, 'readonly');
    await mkdir(dir);
    const mounted = canMount && tryMount(dir, 'size=1m');
    try {
      const before = await projectIn(dir);
      if (mounted) expect(spawnSync('mount', ['-o', 'remount,ro', dir]).status).toBe(0);
      else await chmod(dir, 0o555);
      epoch = 2;
      for (const args of [['import', 'is.yaml'], ['rollback', 'web:t0', '--to-generation', '1'], ['tag', 'web:t1', 'web:copy']]) {
        const io = cliIO(dir);
        expect(await main(args, io), args[0]).toBe(1);
        expect(io.err()).toMatch(new RegExp(`imagestreams\\.lock\\.yaml\\.lock: cannot create lock: ${mounted ? 'EROFS' : 'EACCES'}`));
        expect(await readFile(join(dir, 'imagestreams.lock.yaml'), 'utf8')).toBe(before);
        expect((await readdir(dir)).sort()).toEqual(['imagestreams.lock.yaml', 'is.yaml']);
      }
    } finally {
      if (mounted) spawnSync('umount', [dir]);
      else await chmod(dir, 0o755);
    }
  });
});

describe.skipIf(!canMount)('a full disk (tmpfs filled to the last page)', () => {
  it('the temp file cannot be written: exit 1 with ENOSPC, the old file stays, the temp file and the lock are removed', async () => {
    const dir = join(work, 'full');
    await mkdir(dir);
    expect(tryMount(dir, 'size=256k')).toBe(true);
    try {
      const before = await projectIn(dir);
      expect(before.length).toBeGreaterThan(8192);
      // Fill page by page until ENOSPC, then give one page back: room for the lock file, not the lockfile.
      const fd = openSync(join(dir, 'filler'), 'w');
      const page = Buffer.alloc(4096, 1);
      try {
        for (;;) writeSync(fd, page);
      } catch (e) {
        expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
      }
      ftruncateSync(fd, fstatSync(fd).size - 4096);
      closeSync(fd);
      epoch = 3;
      const io = cliIO(dir);
      expect(await main(['import', 'is.yaml'], io)).toBe(1);
      expect(io.err()).toMatch(/imagestreams\.lock\.yaml: cannot write: ENOSPC/);
      expect(await readFile(join(dir, 'imagestreams.lock.yaml'), 'utf8')).toBe(before);
      expect((await readdir(dir)).sort()).toEqual(['filler', 'imagestreams.lock.yaml', 'is.yaml']);

      // No room even for the lock: refused before anything is read or written.
      const fd2 = openSync(join(dir, 'filler'), 'a');
      try {
        for (;;) writeSync(fd2, page);
      } catch {
        // full
      }
      closeSync(fd2);
      const io2 = cliIO(dir);
      expect(await main(['rollback', 'web:t0', '--to-generation', '1'], io2)).toBe(1);
      expect(io2.err()).toMatch(/cannot create lock: ENOSPC/);
      expect(await readFile(join(dir, 'imagestreams.lock.yaml'), 'utf8')).toBe(before);
      // An empty lock file left here would block every writer for staleMs (10 minutes).
      expect(existsSync(join(dir, 'imagestreams.lock.yaml.lock'))).toBe(false);
      await rm(join(dir, 'filler'));
      const io3 = cliIO(dir);
      expect(await main(['import', 'is.yaml'], io3), io3.err()).toBe(0);
      expect(generations(await readFile(join(dir, 'imagestreams.lock.yaml'), 'utf8'), 't0')).toEqual([2, 1]);
    } finally {
      spawnSync('umount', [dir]);
    }
  });
});
