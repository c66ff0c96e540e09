/**
 * Concurrency policy: at most N requests in flight per host, so a large import
 * cannot flood one registry (and trip its rate limiter) while others sit idle.
 */
import type { Send } from './exchange.js';

/** A counting semaphore; `acquire` resolves when a slot is free, FIFO. */
export class Semaphore {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(slots: number) {
    this.#free = slots;
  }

  async acquire(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next(); // hand the slot over directly
      else this.#free++;
    };
  }
}

export function withConcurrencyLimit(send: Send, perHost: number): Send {
  const semaphores = new Map<string, Semaphore>();
  return async function limited(req) {
    let semaphore = semaphores.get(req.url.host);
    if (!semaphore) semaphores.set(req.url.host, (semaphore = new Semaphore(perHost)));
    const release = await semaphore.acquire();
    try {
      return await send(req);
    } finally {
      release();
    }
  };
}
