/** Exit codes of every streamlock command (documented in the README). */
import { isStreamlockError } from '../errors.js';

export const EXIT_OK = 0;
/** The input, a manifest or the lock is wrong; a check failed. */
export const EXIT_INVALID = 1;
/** Bad command-line usage. */
export const EXIT_USAGE = 2;
/** A registry or the network failed (import, check --remote). */
export const EXIT_REGISTRY = 3;

/** Thrown by commands that have already reported their problem and only need an exit code. */
export class ExitError extends Error {
  override name = 'ExitError';
  constructor(readonly exitCode: number, message = '') {
    super(message);
  }
}

export function exitCodeFor(e: unknown): number {
  if (e instanceof ExitError) return e.exitCode;
  if (isStreamlockError(e)) return e.code === 'USAGE' ? EXIT_USAGE : EXIT_INVALID;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code.startsWith('REGISTRY_') || code === 'DIGEST_MISMATCH' || code === 'MANIFEST_TOO_LARGE')) return EXIT_REGISTRY;
  if (typeof code === 'string' && code.startsWith('commander.')) return EXIT_USAGE;
  return EXIT_INVALID;
}
