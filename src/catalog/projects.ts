// Forestry projects: the catalog every account sees, and each account's selection ("favourites").
import type { Queryable } from '../db/database.ts';
import { NotFound } from '../domain/errors.ts';
import { limitClause, type PageRequest } from '../http/pagination.ts';
import type { AccountRef } from '../keys/api-keys.ts';

export interface ForestryProjectRow {
  id: string;
  name: string;
  status: 'active' | 'complete';
  forest_latitude: number | null;
  forest_longitude: number | null;
  content_logo: string | null;
  content_masthead: string | null;
  content_introduction: string | null;
  content_body_html: string | null;
  content_images: string[];
}

/** The wire columns of a project, from `forestry_projects p`. */
export const PROJECT_COLUMNS = `p.id, p.name, p.status, p.forest_latitude, p.forest_longitude, p.content_logo, p.content_masthead,
  p.content_introduction, p.content_body_html, p.content_images`;

/** The catalog, in the order the projects were created (as the reference sorts it). */
export async function listForestryProjects(db: Queryable, page: PageRequest): Promise<ForestryProjectRow[]> {
  const limit = limitClause(page, 1);
  return db.query<ForestryProjectRow>(`SELECT ${PROJECT_COLUMNS} FROM forestry_projects p ORDER BY p.created_at, p.id ${limit.sql}`, limit.params);
}

export async function getForestryProject(db: Queryable, id: string): Promise<ForestryProjectRow> {
  const rows = await db.query<ForestryProjectRow>(`SELECT ${PROJECT_COLUMNS} FROM forestry_projects p WHERE p.id = $1`, [id]);
  if (rows.length === 0) throw new NotFound('Forestry project');
  return rows[0];
}

/**
 * The account's selected projects in the order it chose them: the first active one receives its
 * certificates (see certificateProjectFor).
 */
export async function listSelectedProjects(db: Queryable, account: AccountRef, page?: PageRequest): Promise<ForestryProjectRow[]> {
  const limit = page ? limitClause(page, 2) : { sql: '', params: [] };
  return db.query<ForestryProjectRow>(
    `SELECT ${PROJECT_COLUMNS} FROM account_projects ap JOIN forestry_projects p ON p.id = ap.project_id
      WHERE ap.account_id = $1 ORDER BY ap.created_at, p.created_at, p.id ${limit.sql}`,
    [account.id, ...limit.params],
  );
}

/**
 * Adds a project to the selection; selecting it again changes nothing. A complete project may be
 * selected, as in the reference's own example: it stays a favourite but receives no certificates.
 */
export async function selectProject(db: Queryable, account: AccountRef, projectId: string, now: Date): Promise<ForestryProjectRow[]> {
  await getForestryProject(db, projectId);
  // Selection order decides which project gets the trees, so each selection is stamped strictly after
  // the previous one even when two arrive within the same clock tick.
  await db.query(
    `INSERT INTO account_projects (account_id, project_id, created_at)
     SELECT $1, $2, GREATEST($3::timestamptz, coalesce(max(created_at) + interval '1 microsecond', $3::timestamptz))
       FROM account_projects WHERE account_id = $1
     ON CONFLICT (account_id, project_id) DO NOTHING`,
    [account.id, projectId, now],
  );
  return listSelectedProjects(db, account);
}

export async function deselectProject(db: Queryable, account: AccountRef, projectId: string): Promise<ForestryProjectRow[]> {
  const rows = await db.query(`DELETE FROM account_projects WHERE account_id = $1 AND project_id = $2 RETURNING project_id`, [
    account.id,
    projectId,
  ]);
  if (rows.length === 0) throw new NotFound('Selected project');
  return listSelectedProjects(db, account);
}
