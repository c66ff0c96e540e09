/**
 * The only lockfile I/O: read, and update under an exclusive lock with an atomic rename.
 *
 * An update takes `<path>.lock` (created with O_EXCL, holding pid and hostname), re-reads the
 * file under it, applies the caller's change, and writes through a temp file in the same
 * directory (write, fsync, rename, fsync the directory). Byte-identical output is not written,
 * so a no-op leaves the mtime alone; any failure leaves the old file as it was.
 */
import { constants as fsConstants } from 'node:fs';
import { open, readFile, rename, stat, unlink, chmod } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { StreamlockError } from '../errors.js';
import { readYamlData } from '../yaml/read.js';
import type { Lock } from './format.js';
import { lockToObject, parseLock } from './format.js';
import { renderLockfile } from './edit.js';

export interface LockfileContents {
  readonly lock: Lock;
  /** The file's text; undefined when the file does not exist. */
  readonly text: string | undefined;
  /** False when the file is missing (the lock is then empty). */
  readonly exists: boolean;
}

export interface UpdateLockfileOptions {
  /** How long to wait for another writer's lock. Default: `10000` ms. */
  readonly timeoutMs?: number;
  /** Pause between attempts to take the lock. Default: `50` ms. */
  readonly retryMs?: number;
  /** A lock file older than this is stale even if its owner cannot be checked. Default: 10 minutes. */
  readonly staleMs?: number;
  /** Compute the new text but write nothing. Default: `false`. */
  readonly dryRun?: boolean;
  /** The file as the caller read it earlier: reused, not re-parsed, if the file has not changed since. */
  readonly known?: LockfileContents;
}

export interface UpdateLockfileResult {
  readonly before: Lock;
  readonly after: Lock;
  readonly previousText: string | undefined;
  readonly text: string;
  /** The text differs from what was on disk. */
  readonly changed: boolean;
  /** The file was replaced (changed and not a dry run). */
  readonly written: boolean;
}

const EMPTY_LOCK: Lock = { streams: [] };

/** Parses lockfile text; throws LOCK_INVALID naming the file (YAML errors by kind and position, never the text). */
export function parseLockfileText(text: string, path: string): Lock {
  const data = readYamlData(text, `lockfile ${path}`, (message, at) => new StreamlockError('LOCK_INVALID', message, { location: { file: path, ...(at ? { line: at.line } : {}) } }));
  if (data === null || data === undefined) return EMPTY_LOCK;
  return parseLock(data, { file: path, description: path });
}

/** Reads and validates the lockfile; a missing file is an empty lock with `exists: false`. */
export async function readLockfile(path: string): Promise<LockfileContents> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { lock: EMPTY_LOCK, text: undefined, exists: false };
    throw new StreamlockError('LOCK_NOT_FOUND', `${path}: cannot read: ${(e as Error).message}`, { cause: e, location: { file: path } });
  }
  return { lock: parseLockfileText(text, path), text, exists: true };
}

async function readLockfileReusing(path: string, known: LockfileContents | undefined): Promise<LockfileContents> {
  if (!known) return readLockfile(path);
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return readLockfile(path);
  }
  if (text === known.text) return known;
  return text === undefined ? { lock: EMPTY_LOCK, text: undefined, exists: false } : { lock: parseLockfileText(text, path), text, exists: true };
}

/**
 * Applies `mutate` to the lockfile under an exclusive lock and writes the result atomically.
 * `mutate` gets the lock as it is on disk now (re-read under the lock), never a stale copy.
 */
export async function updateLockfile(
  path: string,
  mutate: (lock: Lock) => Lock | Promise<Lock>,
  options: UpdateLockfileOptions = {},
): Promise<UpdateLockfileResult> {
  const release = await acquireLock(path, options);
  try {
    const current = await readLockfileReusing(path, options.known);
    const after = await mutate(current.lock);
    // Validate what we are about to write: a bug upstream must not corrupt the file. (The text
    // itself is checked against `after` by renderLockfile.)
    parseLock(lockToObject(after), { file: path, description: `${path} (new content)` });
    const text = renderLockfile(current.text, after);
    const changed = text !== current.text;
    if (changed && !options.dryRun) await writeAtomic(path, text);
    return { before: current.lock, after, previousText: current.text, text, changed, written: changed && !options.dryRun };
  } finally {
    await release();
  }
}

/** Writes `text` to `path` through a temp file in the same directory; the temp is removed on failure. */
export async function writeAtomic(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let mode = 0o644;
  try {
    mode = (await stat(path)).mode & 0o777;
  } catch {
    // new file: default mode
  }
  try {
    const fh = await open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, mode);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw new StreamlockError('LOCK_WRITE_FAILED', `${path}: cannot write: ${(e as Error).message}`, { cause: e, location: { file: path } });
  }
  await fsyncDir(dir);
}

async function fsyncDir(dir: string): Promise<void> {
  // Makes the rename durable. Some platforms refuse to open or fsync a directory; the rename
  // itself has happened by then, so that is not a failure.
  try {
    const fh = await open(dir, fsConstants.O_RDONLY);
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // ignore
  }
}

interface LockOwner {
  pid: number;
  hostname: string;
  created: string;
}

/** Takes `<path>.lock`; resolves to a release function. Throws LOCK_BUSY after the timeout. */
export async function acquireLock(path: string, options: UpdateLockfileOptions = {}): Promise<() => Promise<void>> {
  const lockPath = `${path}.lock`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retryMs = options.retryMs ?? 50;
  const staleMs = options.staleMs ?? 10 * 60_000;
  const deadline = Date.now() + timeoutMs;
  const owner: LockOwner = { pid: process.pid, hostname: hostname(), created: new Date().toISOString() };
  for (;;) {
    try {
      await createLockFile(lockPath, `${JSON.stringify(owner)}\n`);
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await unlink(lockPath).catch(() => undefined);
      };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new StreamlockError('LOCK_WRITE_FAILED', `${lockPath}: cannot create lock: ${(e as Error).message}`, { cause: e, location: { file: path } });
      }
    }
    const holder = await readOwner(lockPath);
    if (await isStale(lockPath, holder, staleMs)) {
      // Remove only the file we judged stale: another process may have replaced it meanwhile.
      const again = await readOwner(lockPath);
      if (again?.pid === holder?.pid && again?.created === holder?.created) await unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder ? `process ${holder.pid} on ${holder.hostname} since ${holder.created}` : 'another process';
      throw new StreamlockError('LOCK_BUSY', `${path} is locked by ${who} (${lockPath}); retry, or remove the lock file if that process is gone`, {
        location: { file: path },
      });
    }
    await new Promise((r) => setTimeout(r, retryMs));
  }
}

/**
 * Creates the lock file exclusively. If its content cannot be written (a full disk), the empty
 * file is removed again: left behind, it would read as another host's lock for `staleMs`.
 */
async function createLockFile(lockPath: string, content: string): Promise<void> {
  const fh = await open(lockPath, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o644);
  try {
    await fh.writeFile(content, 'utf8');
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(lockPath).catch(() => undefined);
    throw e;
  }
  await fh.close();
}

async function readOwner(lockPath: string): Promise<LockOwner | undefined> {
  try {
    const data = JSON.parse(await readFile(lockPath, 'utf8')) as Partial<LockOwner>;
    if (typeof data.pid === 'number' && typeof data.hostname === 'string') {
      return { pid: data.pid, hostname: data.hostname, created: String(data.created ?? '') };
    }
  } catch {
    // unreadable or half-written: judged by age below
  }
  return undefined;
}

async function isStale(lockPath: string, holder: LockOwner | undefined, staleMs: number): Promise<boolean> {
  if (holder && holder.hostname === hostname()) {
    if (holder.pid === process.pid) return false;
    try {
      process.kill(holder.pid, 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
  // Another host (or an unreadable file): only age tells.
  try {
    return Date.now() - (await stat(lockPath)).mtimeMs > staleMs;
  } catch {
    return true; // gone already
  }
}
