/** How a command's failure becomes a process exit code: the codes themselves live in `../exit-codes`. */
import { isCodedError } from '../errors.js';
import { EXIT_INVALID, EXIT_USAGE } from '../exit-codes.js';

export { EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_REGISTRY, type ExitCode } from '../exit-codes.js';

/** Thrown by commands that have already reported their problem and only need an exit code. */
export class ExitError extends Error {
  override name = 'ExitError';
  constructor(readonly exitCode: number, message = '') {
    super(message);
  }
}

export function exitCodeFor(e: unknown): number {
  if (e instanceof ExitError) return e.exitCode;
  if (isCodedError(e)) return e.exitCode;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('commander.')) return EXIT_USAGE;
  return EXIT_INVALID;
}
