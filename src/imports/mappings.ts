// The column mapping saved per import feed, and an import job's mapping: checked once, stored as given.
import type { Queryable } from '../db/database.ts';
import { InvalidInput } from '../domain/errors.ts';
import { checkMapping, type FileMapping } from './csv-input.ts';

export async function savedMapping(db: Queryable, feedId: string): Promise<FileMapping | null> {
  const [row] = await db.query<{ mapping: FileMapping }>(`SELECT mapping FROM import_mappings WHERE feed_id = $1`, [feedId]);
  return row?.mapping ?? null;
}

export async function saveMapping(db: Queryable, feed: { id: string; account_id: string }, mapping: FileMapping, now: Date): Promise<void> {
  checkMapping(mapping);
  await db.query(
    `INSERT INTO import_mappings (feed_id, account_id, mapping, updated_at) VALUES ($1, $2, $3::jsonb, $4)
     ON CONFLICT (feed_id) DO UPDATE SET mapping = EXCLUDED.mapping, updated_at = EXCLUDED.updated_at`,
    [feed.id, feed.account_id, JSON.stringify(mapping), now],
  );
}

/** The mapping an upload uses: the one sent, else the feed's saved one. */
export async function mappingFor(db: Queryable, feedId: string, given: FileMapping | undefined): Promise<FileMapping> {
  const mapping = given ?? (await savedMapping(db, feedId));
  if (mapping === null) throw new InvalidInput('mapping', 'is required: this feed has no saved mapping (POST /feeds/:id/imports/preview guesses one from the file)');
  checkMapping(mapping);
  return mapping;
}
