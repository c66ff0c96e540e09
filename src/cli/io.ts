/** What a command may touch of the process: passed in, so tests drive commands in-process. */
import type { Readable, Writable } from 'node:stream';

export interface CliIO {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** The clock, settable in tests (`STREAMLOCK_NOW` in the environment does the same for the binary). */
  readonly now: () => Date;
  /** True when stderr is a terminal (progress displays). */
  readonly interactive: boolean;
  /** How registry retries wait; tests pass one that returns at once so faults cost no real backoff. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export function processIO(): CliIO {
  const fixed = process.env.STREAMLOCK_NOW;
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    now: fixed ? () => new Date(fixed) : () => new Date(),
    interactive: !!process.stderr.isTTY && !process.env.CI,
  };
}

export { readAll } from '../read-all.js';
