// Which forestry project receives an account's trees: its first selected active project, else the default.
import type { Queryable } from '../db/database.ts';
import { NotFound } from '../domain/errors.ts';

/** The certificate project of each account, in one query (month close asks for thousands at once). */
export async function certificateProjectsFor(db: Queryable, accountIds: string[]): Promise<Map<string, string>> {
  const rows = await db.query<{ account_id: string; project_id: string | null }>(
    `SELECT a.id AS account_id, coalesce(
       (SELECT p.id FROM account_projects ap JOIN forestry_projects p ON p.id = ap.project_id
         WHERE ap.account_id = a.id AND p.status = 'active' ORDER BY ap.created_at, p.id LIMIT 1),
       (SELECT id FROM forestry_projects WHERE is_default AND status = 'active' ORDER BY created_at LIMIT 1),
       (SELECT id FROM forestry_projects WHERE status = 'active' ORDER BY created_at LIMIT 1)
     ) AS project_id
     FROM unnest($1::uuid[]) AS a(id)`,
    [accountIds],
  );
  const out = new Map<string, string>();
  for (const r of rows) if (r.project_id) out.set(r.account_id, r.project_id);
  return out;
}

export async function certificateProjectFor(db: Queryable, accountId: string): Promise<string> {
  const project = (await certificateProjectsFor(db, [accountId])).get(accountId);
  if (!project) throw new NotFound('Active forestry project');
  return project;
}
