/**
 * The real registry (`docker-registry serve`, distribution 2.8) on 127.0.0.1 for tests and the
 * bench: anonymous HTTP, htpasswd behind TLS, or token auth. Every process started here is
 * killed by `stop()`, and by a process exit hook if a test run dies before its afterAll.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { readFileSync } from 'node:fs';

export const REGISTRY_BIN = process.env.STREAMLOCK_REGISTRY_BIN ?? '/usr/bin/docker-registry';

export interface TlsFiles {
  readonly dir: string;
  readonly caCert: string;
  /** A directory holding only `ca.crt`: skopeo's --cert-dir layout. */
  readonly caDir: string;
  readonly serverCert: string;
  readonly serverKey: string;
}

export interface RegistryOptions {
  /** htpasswd users (`{ alice: 's3cret' }`); needs TLS, as distribution requires for basic auth. */
  readonly htpasswd?: Record<string, string>;
  readonly tls?: boolean;
  /** Token auth: realm URL, service, issuer and the PEM certificate that verifies tokens. */
  readonly token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
  /** Write the access log to stderr (the registry's own request log). */
  readonly accessLog?: boolean;
}

export interface Registry {
  /** `127.0.0.1:PORT`, as written in image references. */
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  readonly tls: TlsFiles | undefined;
  readonly process: ChildProcess;
  /** Kills the registry (SIGKILL) and waits for it to exit; the storage stays. */
  kill(): Promise<void>;
  /** Kills and removes the temp directory. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
const killLive = () => {
  for (const p of live) p.kill('SIGKILL');
};
process.on('exit', killLive);
// A script (the bench) stopped with ^C or kill: take the registries down, then die as asked.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killLive();
    process.kill(process.pid, signal);
  });
}

/** A port nobody listens on now (small race, fine on loopback in tests). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** CA and a server certificate for 127.0.0.1/localhost, made with openssl in `dir`. */
export function makeTls(dir: string): TlsFiles {
  const f = (n: string) => join(dir, n);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=streamlock test CA']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1']);
  execFileSync('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > ${f('ext.cnf')}`]);
  run(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.crt'), '-days', '2', '-extfile', f('ext.cnf')]);
  const caDir = f('ca-only');
  execFileSync('sh', ['-c', `mkdir -p ${caDir} && cp ${f('ca.crt')} ${caDir}/ca.crt`]);
  return { dir, caCert: f('ca.crt'), caDir, serverCert: f('server.crt'), serverKey: f('server.key') };
}

/**
 * A bcrypt hash for htpasswd (distribution accepts only bcrypt). `openssl passwd` has no bcrypt;
 * use apache2-utils' `htpasswd` when installed, else Python's crypt (libxcrypt's `$2b$`).
 * Returns undefined when neither exists: tests needing it are then skipped.
 */
export function bcryptHash(password: string): string | undefined {
  try {
    const out = execFileSync('htpasswd', ['-nbBC', '5', 'u', password], { stdio: 'pipe' }).toString().trim();
    return out.slice(out.indexOf(':') + 1);
  } catch {
    // not installed
  }
  try {
    const py = 'import crypt,sys,warnings\nwarnings.simplefilter("ignore")\nprint(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=32)))';
    const out = execFileSync('python3', ['-c', py, password], { stdio: 'pipe' }).toString().trim();
    if (out.startsWith('$2')) return out;
  } catch {
    // no python3 or no crypt module (removed in Python 3.13)
  }
  return undefined;
}

export function canBcrypt(): boolean {
  return bcryptHash('probe') !== undefined;
}

export async function startRegistry(options: RegistryOptions = {}): Promise<Registry> {
  const dir = await mkdtemp(join(tmpdir(), 'streamlock-registry-'));
  const port = await freePort();
  const useTls = options.tls || !!options.htpasswd;
  const tls = useTls ? makeTls(await mkdir(join(dir, 'tls'), { recursive: true }).then(() => join(dir, 'tls'))) : undefined;
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    `    disabled: ${options.accessLog ? 'false' : 'true'}`,
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: streamlock-test-secret',
  ];
  if (tls) lines.push('  tls:', `    certificate: ${tls.serverCert}`, `    key: ${tls.serverKey}`);
  if (options.htpasswd) {
    const entries = Object.entries(options.htpasswd).map(([user, pass]) => {
      const hash = bcryptHash(pass);
      if (!hash) throw new Error('no bcrypt implementation (install apache2-utils for htpasswd)');
      return `${user}:${hash}`;
    });
    await writeFile(join(dir, 'htpasswd'), `${entries.join('\n')}\n`);
    lines.push('auth:', '  htpasswd:', '    realm: streamlock-test', `    path: ${join(dir, 'htpasswd')}`);
  } else if (options.token) {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${options.token.realm}`,
      `    service: ${options.token.service}`,
      `    issuer: ${options.token.issuer}`,
      `    rootcertbundle: ${options.token.rootCertBundle}`,
    );
  }
  const config = join(dir, 'config.yml');
  await writeFile(config, `${lines.join('\n')}\n`);

  const child = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'ignore', options.accessLog ? 'pipe' : 'ignore'] });
  live.add(child);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.once('exit', () => live.delete(child));
  const scheme = tls ? 'https' : 'http';
  const url = `${scheme}://127.0.0.1:${port}`;
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  const registry: Registry = {
    host: `127.0.0.1:${port}`,
    port,
    url,
    dir,
    tls,
    process: child,
    kill,
    stop: async () => {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitReady(url, tls?.caCert, child);
  } catch (e) {
    await registry.stop();
    throw e;
  }
  return registry;
}

async function waitReady(url: string, caFile: string | undefined, child: ChildProcess): Promise<void> {
  const dispatcher = new Agent({ connect: caFile ? { ca: readFileSync(caFile) } : {} });
  const deadline = Date.now() + 15_000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}`);
      try {
        const res = await request(`${url}/v2/`, { dispatcher });
        await res.body.dump();
        if (res.statusCode === 200 || res.statusCode === 401) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`registry at ${url} not ready after 15s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await dispatcher.close();
  }
}

/**
 * A TCP proxy in front of a registry that kills it when the `killAt`-th manifest request
 * arrives (that request and all later ones fail): "the registry died mid-import", deterministically.
 */
export async function startKillingProxy(target: Registry, killAt: number): Promise<{ host: string; requests: () => number; close: () => Promise<void> }> {
  let seen = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    const upstream = connect(target.port, '127.0.0.1');
    sockets.add(upstream);
    let dead = false;
    const drop = () => {
      dead = true;
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', drop);
    client.on('error', drop);
    upstream.on('data', (d) => !dead && client.write(d));
    upstream.on('end', () => client.end());
    client.on('data', (d: Buffer) => {
      const text = d.toString('latin1');
      const n = (text.match(/^(?:HEAD|GET) \/v2\/\S+\/manifests\//gm) ?? []).length;
      if (n > 0 && seen < killAt && seen + n >= killAt) {
        seen += n;
        client.pause();
        void target.kill().then(drop);
        return;
      }
      seen += n;
      if (!dead) upstream.write(d);
    });
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`,
    requests: () => seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * The built CLI, rebuilt (once, under a cross-process lock) when any source file is newer.
 * `STREAMLOCK_CLI` points the tests at another build and skips the rebuild.
 */
export const CLI = process.env.STREAMLOCK_CLI ?? new URL('../../dist/streamlock.mjs', import.meta.url).pathname;

export async function ensureCliBuilt(): Promise<void> {
  if (process.env.STREAMLOCK_CLI) return;
  const { stat: statP, readdir: readdirP, mkdir: mkdirP, rmdir } = await import('node:fs/promises');
  const root = new URL('../../', import.meta.url).pathname;
  const newest = async (dir: string): Promise<number> => {
    let max = 0;
    for (const e of await readdirP(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      max = Math.max(max, e.isDirectory() ? await newest(p) : (await statP(p)).mtimeMs);
    }
    return max;
  };
  const stale = async () => {
    try {
      return (await statP(CLI)).mtimeMs < (await newest(join(root, 'src')));
    } catch {
      return true;
    }
  };
  if (!(await stale())) return;
  const lock = join(root, 'dist', '.build-lock');
  await mkdirP(join(root, 'dist'), { recursive: true });
  for (let i = 0; ; i++) {
    try {
      await mkdirP(lock);
      break;
    } catch {
      if (i > 600) throw new Error(`${lock} held for a minute`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    if (await stale()) execFileSync('node', ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
  } finally {
    await rmdir(lock);
  }
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/streamlock.mjs ARGS` with a fixed clock (STREAMLOCK_NOW) unless env sets another. */
export async function runCli(args: readonly string[], options: { cwd: string; env?: Record<string, string>; input?: string }): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: options.cwd, STREAMLOCK_NOW: '2026-11-20T10:12:00Z', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(options.input ?? '');
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
  return { code, stdout, stderr };
}
