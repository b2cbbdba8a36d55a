// A request-wide database transaction that every query of the request joins (the idempotency plugin
// opens one so a POST's effect and its recorded response commit together, or not at all).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Queryable } from './database.ts';

/** The transaction a piece of work runs in; `open` turns false when its owner commits or rolls back. */
export class AmbientTransaction {
  open = true;
  private savepoints = 0;
  private queue: Promise<void> = Promise.resolve();

  readonly tx: Queryable;

  constructor(tx: Queryable) {
    this.tx = tx;
  }

  /**
   * Runs fn on the transaction inside a savepoint of its own, one at a time: a failing statement undoes
   * only itself (as it would outside a transaction), and concurrent calls cannot interleave savepoints.
   * Returns null when the transaction closed while waiting (the caller then uses the database directly).
   */
  async run<T>(fn: (tx: Queryable) => Promise<T>): Promise<{ value: T } | null> {
    let release!: () => void;
    const previous = this.queue;
    this.queue = new Promise((resolve) => (release = resolve));
    await previous;
    try {
      if (!this.open) return null;
      const name = `canopy_sp_${++this.savepoints}`;
      await this.tx.query(`SAVEPOINT ${name}`);
      try {
        const value = await fn(this.tx);
        await this.tx.query(`RELEASE SAVEPOINT ${name}`);
        return { value };
      } catch (error) {
        await this.tx.query(`ROLLBACK TO SAVEPOINT ${name}`);
        await this.tx.query(`RELEASE SAVEPOINT ${name}`);
        throw error;
      }
    } finally {
      release();
    }
  }

  /** Waits for work already queued, then refuses more: later calls go to the database directly. */
  async close(): Promise<void> {
    const previous = this.queue;
    this.open = false;
    await previous;
  }
}

const storage = new AsyncLocalStorage<AmbientTransaction>();

/** The open transaction the current request runs in, if any. */
export function currentTransaction(): AmbientTransaction | null {
  const ambient = storage.getStore();
  return ambient?.open ? ambient : null;
}

/** Runs fn (and everything it starts) inside `ambient`. */
export function withinTransaction<T>(ambient: AmbientTransaction, fn: () => T): T {
  return storage.run(ambient, fn);
}

/**
 * Runs fn outside any request transaction: for work a handler starts but does not await (it must not
 * commit or roll back with the request).
 */
export function detached<T>(fn: () => T): T {
  return storage.exit(fn);
}
