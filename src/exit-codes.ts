/** Exit codes of every streamlock command (documented in the README); the KRM function uses 0 and 1. */

export const EXIT_OK = 0;
/** The input, a manifest or the lock is wrong; a check failed. */
export const EXIT_INVALID = 1;
/** Bad command-line usage. */
export const EXIT_USAGE = 2;
/** A registry or the network failed (import, check --remote). */
export const EXIT_REGISTRY = 3;

export type ExitCode = typeof EXIT_OK | typeof EXIT_INVALID | typeof EXIT_USAGE | typeof EXIT_REGISTRY;
