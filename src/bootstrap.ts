// First start: the installation's root admin account and its first API key.
import type { Config } from './config.ts';
import type { Queryable } from './db/database.ts';
import { ensureRootAccount } from './accounts/service.ts';
import { createKey, hashKey } from './keys/api-keys.ts';
import { seedCatalog } from './catalog/seed.ts';

export interface BootstrapResult {
  rootAccountId: string;
  /** A newly generated key to show once; null when none was generated. */
  generatedKey: string | null;
}

export async function bootstrap(db: Queryable, config: Pick<Config, 'bootstrapKey'>, now: Date): Promise<BootstrapResult> {
  await seedCatalog(db);
  const root = await ensureRootAccount(db, now);
  if (config.bootstrapKey) {
    const existing = await db.query(`SELECT 1 FROM api_keys WHERE key_hash = $1`, [hashKey(config.bootstrapKey)]);
    if (existing.length === 0) await createKey(db, root.id, 'bootstrap (CANOPY_BOOTSTRAP_KEY)', config.bootstrapKey);
    return { rootAccountId: root.id, generatedKey: null };
  }
  if (!root.created) return { rootAccountId: root.id, generatedKey: null };
  const created = await createKey(db, root.id, 'bootstrap');
  return { rootAccountId: root.id, generatedKey: created.key };
}
