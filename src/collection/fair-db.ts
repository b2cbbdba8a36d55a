// The collection engine's view of the store: on PGlite, each statement first lets pending network I/O through.
import type { Database, Queryable } from '../db/database.ts';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * PGlite runs every statement synchronously on this event loop, and a statement that finishes hands the
 * database to the next waiting one through a promise: with many feeds at once, their queued statements run
 * back to back (hundreds of milliseconds) while upstream answers wait unread, holding their request slots
 * and leaving the per-server limit idle. Waiting one event-loop turn before each statement reads what has
 * arrived first. Same statements, same order within each transaction; PostgreSQL (its own process) is
 * left as it is.
 */
export function fairToIo(db: Database): Database {
  if (db.kind !== 'pglite') return db;
  const yielding = (q: Queryable): Queryable => ({
    async query<R extends object>(sql: string, params?: readonly unknown[]): Promise<R[]> {
      await turn();
      return q.query<R>(sql, params);
    },
  });
  const plain = yielding(db);
  return {
    kind: db.kind,
    pglite: db.pglite,
    pool: db.pool,
    query: plain.query,
    transaction: (fn) => db.transaction((tx) => fn(yielding(tx))),
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
  };
}
