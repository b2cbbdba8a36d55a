// Applies the numbered SQL migrations in src/db/migrations once each, forward only.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  id: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((name) => /^\d{3}_[a-z0-9_]+\.sql$/.test(name))
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name), 'utf8');
      return { id: name.replace(/\.sql$/, ''), sql, checksum: crypto.createHash('sha256').update(sql).digest('hex') };
    });
}

export class MigrationEdited extends Error {}

/** Applies pending migrations; returns the ids applied. Safe to run from several processes at once. */
export async function migrate(db: Database, log: (line: string) => void = () => {}): Promise<string[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS canopy_migrations (
    id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: string[] = [];
  for (const migration of readMigrations()) {
    const done = await db.transaction(async (tx) => {
      // Serialises concurrent migrators on PostgreSQL; a no-op cost on PGlite.
      await tx.query(`SELECT pg_advisory_xact_lock(727274)`);
      const rows = await tx.query<{ checksum: string }>(`SELECT checksum FROM canopy_migrations WHERE id = $1`, [
        migration.id,
      ]);
      if (rows.length > 0) {
        if (rows[0].checksum !== migration.checksum) {
          throw new MigrationEdited(
            `migration ${migration.id} was edited after it was applied; migrations are forward-only, add a new one`,
          );
        }
        return false;
      }
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query(`INSERT INTO canopy_migrations (id, checksum) VALUES ($1, $2)`, [migration.id, migration.checksum]);
      return true;
    });
    if (done) {
      applied.push(migration.id);
      log(`applied migration ${migration.id}`);
    }
  }
  return applied;
}

/** Splits a migration into statements on semicolons at line ends (no procedural bodies in our SQL). */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s.length > 0);
}
