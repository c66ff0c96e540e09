/**
 * The docker credential-helper protocol: run `docker-credential-<name> get`, write
 * the server URL on stdin, read `{ServerURL, Username, Secret}` from stdout.
 * "credentials not found" means anonymous. stdout is never quoted in errors
 * (it holds the secret); stderr is quoted, shortened.
 */
import { spawn } from 'node:child_process';
import { basicCredential, CredentialsError, identityTokenCredential, type Credential } from './credential.js';

export interface HelperOptions {
  /** Environment for the helper; its PATH is where the helper is looked up. */
  env: Record<string, string | undefined>;
  /** Default: `10000`. */
  timeoutMs?: number;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_OUTPUT = 1024 * 1024;

interface HelperRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The credential for `serverUrl` from helper `name`, or undefined when it has none. */
export async function getFromHelper(name: string, serverUrl: string, options: HelperOptions): Promise<Credential | undefined> {
  if (!NAME_RE.test(name)) throw new CredentialsError('CREDENTIALS_INVALID', `credential helper name ${JSON.stringify(name)} is not a plain name`);
  const program = `docker-credential-${name}`;
  const run = await runHelper(program, serverUrl, options);
  if (run.code !== 0) {
    if (/credentials not found/i.test(run.stdout) || /credentials not found/i.test(run.stderr)) return undefined;
    const said = run.stderr.trim().split('\n')[0]?.slice(0, 200);
    throw new CredentialsError('CREDENTIALS_HELPER_FAILED', `${program} get ${serverUrl} exited with ${run.code ?? 'a signal'}${said ? `: ${said}` : ''}`);
  }
  let reply: { Username?: unknown; Secret?: unknown };
  try {
    reply = JSON.parse(run.stdout) as typeof reply;
  } catch {
    throw new CredentialsError('CREDENTIALS_HELPER_FAILED', `${program} get ${serverUrl} did not print JSON`);
  }
  const { Username: username, Secret: secret } = reply ?? {};
  if (typeof secret !== 'string' || secret === '') return undefined;
  if (username === '<token>') return identityTokenCredential(secret);
  if (typeof username !== 'string' || username === '') throw new CredentialsError('CREDENTIALS_HELPER_FAILED', `${program} get ${serverUrl} returned no Username`);
  return basicCredential(username, secret);
}

function runHelper(program: string, serverUrl: string, options: HelperOptions): Promise<HelperRun> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['get'], { env: options.env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new CredentialsError('CREDENTIALS_HELPER_FAILED', `${program} get ${serverUrl} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < MAX_OUTPUT) stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 4096) stderr += d.toString('utf8');
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why = e.code === 'ENOENT' ? 'not found on PATH' : `could not start (${e.code ?? e.message})`;
      reject(new CredentialsError('CREDENTIALS_HELPER_FAILED', `credential helper ${program} ${why}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => {}); // a helper that exits without reading stdin is judged by its exit code
    child.stdin.end(serverUrl);
  });
}
