/** Reading a whole stream with a size bound: shared by the CLI, the function and the manifest reader. */
import type { Readable } from 'node:stream';

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
