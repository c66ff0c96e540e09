/** Runs the KRM function on a process: stdin → transform → stdout, errors to stderr, exit code. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { readAll } from '../read-all.js';
import { EXIT_INVALID, EXIT_OK } from '../exit-codes.js';
import { StreamlockError } from '../errors.js';
import { fatal, transform } from './transform.js';

export const MAX_INPUT_BYTES = 512 * 1024 * 1024;

export interface RunIO {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly cwd: string;
  /** Default: MAX_INPUT_BYTES. */
  readonly maxInputBytes?: number;
}

export async function runFunction(io: RunIO): Promise<number> {
  let input: string;
  try {
    input = await readAll(io.stdin, io.maxInputBytes ?? MAX_INPUT_BYTES);
  } catch (e) {
    const out = fatal(new StreamlockError('INPUT_TOO_LARGE', `input refused: ${(e as Error).message}`));
    io.stdout.write(out.text);
    io.stderr.write(`error: ${out.results[0]!.message}\n`);
    return EXIT_INVALID;
  }
  const out = transform(input, { readFile: (path) => readFileSync(resolve(io.cwd, path), 'utf8') });
  await new Promise<void>((done, fail) => io.stdout.write(out.text, (err) => (err ? fail(err) : done())));
  for (const r of out.results) {
    if (r.severity === 'error' || r.severity === 'warning') io.stderr.write(`${r.severity}: ${r.message}\n`);
  }
  return out.ok ? EXIT_OK : EXIT_INVALID;
}
