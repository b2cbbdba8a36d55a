// One database handle over PGlite (embedded) or PostgreSQL (pg.Pool), with the same SQL and types.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { currentTransaction } from './ambient.ts';

export type Row = Record<string, unknown>;

export interface Queryable {
  query<R extends object = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn in one transaction; a thrown error rolls everything back. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs a script of several statements without parameters. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
  readonly pglite: PGlite | null;
  readonly pool: pg.Pool | null;
}

const INT8 = 20;
// int8 counters fit in a JS number for any realistic page count; numeric stays a string (exact).
pg.types.setTypeParser(INT8, (value: string) => Number(value));

export interface OpenOptions {
  databaseUrl?: string | null;
  /** PGlite data directory; null means in memory. */
  dataDir?: string | null;
  /** PostgreSQL schema to use (tests isolate each suite in its own schema). */
  schema?: string;
  poolSize?: number;
  /** PGlite only: start from this dump of a data directory (tests start from a migrated template). */
  loadDataDir?: Blob;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) return joinRequestTransactions(await openPostgres(options.databaseUrl, options.schema, options.poolSize ?? 10));
  return joinRequestTransactions(await openPglite(options.dataDir ?? null, options.loadDataDir));
}

/**
 * Inside a request that holds a transaction (see ambient.ts), queries and transactions join it (each in
 * a savepoint) instead of taking another connection; everywhere else nothing changes.
 */
function joinRequestTransactions(db: Database): Database {
  return {
    ...db,
    async query<R extends object = Row>(sql: string, params?: readonly unknown[]): Promise<R[]> {
      const joined = await currentTransaction()?.run((tx) => tx.query<R>(sql, params));
      return joined ? joined.value : db.query<R>(sql, params);
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const joined = await currentTransaction()?.run(fn);
      return joined ? joined.value : db.transaction(fn);
    },
  };
}

async function openPglite(dataDir: string | null, loadDataDir?: Blob): Promise<Database> {
  if (dataDir !== null) fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const db = new PGlite(dataDir ?? undefined, loadDataDir ? { loadDataDir } : {});
  await db.waitReady;
  const query = async <R extends object>(sql: string, params?: readonly unknown[]): Promise<R[]> => {
    const result = await db.query<R>(sql, params ? [...params] : undefined);
    return result.rows;
  };
  return {
    kind: 'pglite',
    pglite: db,
    pool: null,
    query,
    async transaction(fn) {
      return db.transaction(async (tx) =>
        fn({
          async query<R extends object>(sql: string, params?: readonly unknown[]) {
            const result = await tx.query<R>(sql, params ? [...params] : undefined);
            return result.rows;
          },
        }),
      );
    },
    async exec(sql) {
      await db.exec(sql);
    },
    async close() {
      if (!db.closed) await db.close();
    },
  };
}

async function openPostgres(url: string, schema: string | undefined, max: number): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    ...(schema ? { options: `-c search_path=${schema},public` } : {}),
  });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => {});
  if (schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  return {
    kind: 'postgres',
    pglite: null,
    pool,
    async query<R extends object>(sql: string, params?: readonly unknown[]) {
      const result = await pool.query<R>(sql, params ? [...params] : undefined);
      return result.rows;
    },
    async transaction(fn) {
      const client = await pool.connect();
      // A connection cut while checked out (server restart, terminated backend) fails the query in hand;
      // unheard, the client's 'error' event would end the process.
      const ignore = () => {};
      client.on('error', ignore);
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn({
          async query<R extends object>(sql: string, params?: readonly unknown[]) {
            const r = await client.query<R>(sql, params ? [...params] : undefined);
            return r.rows;
          },
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      } finally {
        client.off('error', ignore);
        // A client that could not even roll back is discarded, not handed to the next caller.
        client.release(broken);
      }
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async close() {
      await pool.end();
    },
  };
}
