// Seeds the default paper types and the forestry projects catalog; safe to run on every start.
import type { Queryable } from '../db/database.ts';
import { DEFAULT_PAPER_TYPES } from '../domain/paper-types.ts';
import { DEFAULT_PROJECT_ID, FORESTRY_PROJECTS } from '../domain/projects-catalog.ts';

export async function seedCatalog(db: Queryable): Promise<void> {
  for (const t of DEFAULT_PAPER_TYPES) {
    await db.query(
      `INSERT INTO paper_types (id, account_id, name, density, external_id, created_at)
       VALUES ($1, NULL, $2, $3, $4, '2014-01-01T00:00:00Z')
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, density = EXCLUDED.density, external_id = EXCLUDED.external_id`,
      [t.id, t.name, t.density, t.external_id],
    );
  }
  for (const p of FORESTRY_PROJECTS) {
    await db.query(
      `INSERT INTO forestry_projects (id, name, status, forest_latitude, forest_longitude, content_logo, content_masthead,
         content_introduction, content_body_html, content_images, is_default, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12)
       ON CONFLICT (id) DO NOTHING`,
      [
        p.id, p.name, p.status, p.forest_latitude, p.forest_longitude, p.content_logo, p.content_masthead,
        p.content_introduction, p.content_body_html, JSON.stringify(p.content_images), p.id === DEFAULT_PROJECT_ID, p.created_at,
      ],
    );
  }
}
