// The store's schema rules: forward-only migrations, an account column on every tenant table, no floats for money.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationEdited, migrate, readMigrations, splitStatements } from '../src/db/migrate.ts';
import { openTestDatabase, storeName } from './helpers/harness.ts';
import type { Database } from '../src/db/database.ts';

// sign_in_failures and sign_in_salts are keyed by the email typed at sign-in, which need not belong to any account.
// password_reset_requests is keyed by the email typed (or the client address), which need not belong to any account.
const GLOBAL_TABLES = new Set(['accounts', 'canopy_migrations', 'forestry_projects', 'closed_months', 'sign_in_failures', 'sign_in_salts', 'password_reset_requests']);

describe(`schema and migrations (${storeName})`, () => {
  let store: Awaited<ReturnType<typeof openTestDatabase>>;
  let db: Database;
  const schemaFilter = () => (store.schema ? store.schema : 'public');
  beforeAll(async () => {
    store = await openTestDatabase();
    db = store.db;
  });
  afterAll(async () => store.drop());

  it('numbers migrations uniquely and applies each once', async () => {
    const ids = readMigrations().map((m) => m.id);
    expect(new Set(ids.map((id) => id.slice(0, 3))).size).toBe(ids.length);
    expect(await migrate(db)).toEqual([]);
    const applied = await db.query<{ id: string }>(`SELECT id FROM canopy_migrations ORDER BY id`);
    expect(applied.map((r) => r.id)).toEqual(ids);
  });

  it('refuses to run when an applied migration was edited', async () => {
    const [first] = readMigrations();
    await db.query(`UPDATE canopy_migrations SET checksum = 'edited' WHERE id = $1`, [first.id]);
    await expect(migrate(db)).rejects.toBeInstanceOf(MigrationEdited);
    await db.query(`UPDATE canopy_migrations SET checksum = $2 WHERE id = $1`, [first.id, first.checksum]);
  });

  it('gives every tenant-owned table an account_id column', async () => {
    const tables = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`,
      [schemaFilter()],
    );
    const withAccount = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'account_id'`,
      [schemaFilter()],
    );
    const owned = new Set(withAccount.map((r) => r.table_name));
    const missing = tables.map((r) => r.table_name).filter((name) => !GLOBAL_TABLES.has(name) && !owned.has(name));
    expect(missing).toEqual([]);
  });

  it('stores pages, masses, trees, rates and prices as integers or numerics, never floats', async () => {
    const floats = await db.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = $1 AND data_type IN ('real', 'double precision')`,
      [schemaFilter()],
    );
    expect(floats.map((f) => `${f.table_name}.${f.column_name}`).sort()).toEqual([
      'forestry_projects.forest_latitude',
      'forestry_projects.forest_longitude',
    ]);
  });

  it('splits a migration script into its statements', () => {
    expect(splitStatements('-- a comment\nCREATE TABLE a (x int);\n\nCREATE INDEX b ON a (x);\n')).toEqual([
      'CREATE TABLE a (x int)',
      'CREATE INDEX b ON a (x)',
    ]);
  });
});
