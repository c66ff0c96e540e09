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

/** Reads a whole stream as UTF-8 text, refusing more than `limit` bytes. */
export async function readAll(stream: Readable, limit = 512 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > limit) throw new Error(`input larger than ${limit} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}
