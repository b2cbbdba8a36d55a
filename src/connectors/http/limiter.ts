// A counting semaphore: at most `limit` tasks at once, the rest wait in order.
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  readonly limit: number;

  constructor(limit: number) {
    this.limit = Math.max(1, limit);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finishing task hands its slot straight to the next waiter, so the limit holds at every instant.
    if (this.active < this.limit) this.active += 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}

/** Runs `worker` over `items` with at most `concurrency` at once; resolves when all are done. */
export async function forEachConcurrently<T>(items: Iterable<T>, concurrency: number, worker: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  const lanes = Array.from({ length: Math.max(1, concurrency) }, async () => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) await worker(next.value);
  });
  await Promise.all(lanes);
}
